"""The request card in the department's channel, redrawn from the newest state."""

from __future__ import annotations

from bot.blocks import requests as blocks
from bot.db import SessionFactory
from bot.services import requests as service
from bot.slack import SlackGateway


def refresh_request_card(
    *, sessions: SessionFactory, gateway: SlackGateway, team_id: str, request_id: int
) -> None:
    """Show the newest state, not the caller's: another click may have landed since."""
    with sessions.begin() as session:
        request = service.get_request(session=session, team_id=team_id, request_id=request_id)
    if request.card_channel_id is None or request.card_ts is None:
        return
    channel, ts = request.card_channel_id, request.card_ts
    gateway.try_send(
        "request.card_update_failed",
        lambda: gateway.update_message(
            channel=channel, ts=ts, message=blocks.build_request_card(request)
        ),
        request_id=request.id,
    )
