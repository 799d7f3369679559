"""Emoji reactions (Events API): one listener per event type, handed to each feature that reads
reactions (ratings, kudos). Slack may deliver the same event more than once; each feature is
idempotent."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.kudos.flows.reactions import KudosReactions
from bot.requests.from_messages.flows import MessageRequests
from bot.satisfaction.flows.ratings import Ratings
from bot.services import Services
from handlers.intake import durable
from handlers.payloads import parse_reaction

logger = logging.getLogger(__name__)


def handle_reaction_added(
    body: dict[str, Any],
    *,
    ratings: Ratings,
    kudos_reactions: KudosReactions,
    message_requests: MessageRequests,
) -> None:
    _hand_on(body, added=True, readers=(ratings, kudos_reactions, message_requests))


def handle_reaction_removed(
    body: dict[str, Any],
    *,
    ratings: Ratings,
    kudos_reactions: KudosReactions,
    message_requests: MessageRequests,
) -> None:
    _hand_on(body, added=False, readers=(ratings, kudos_reactions, message_requests))


def _hand_on(
    body: dict[str, Any],
    *,
    added: bool,
    readers: tuple[Ratings, KudosReactions, MessageRequests],
) -> None:
    # Reactions come from anyone in any channel the bot is in: failures are never answered
    # to the person who reacted. One reader's failure does not stop the others; the event is
    # then run again, which each reader makes harmless.
    reaction = parse_reaction(body, added=added)
    if reaction is None:
        return
    failed: Exception | None = None
    for reader in readers:
        try:
            reader.react(reaction)
        except Exception as error:
            logger.warning(
                "reaction.failed",
                exc_info=error,
                extra={"event_id": reaction.event_id, "reader": type(reader).__name__},
            )
            failed = failed or error
    if failed is not None:
        raise failed


def register(app: App, services: Services) -> None:
    for event_type, listener in (
        ("reaction_added", handle_reaction_added),
        ("reaction_removed", handle_reaction_removed),
    ):
        app.event(event_type)(
            durable(
                services.intake,
                event_type,
                listener,
                answer_with=None,
                ratings=services.ratings,
                kudos_reactions=services.kudos_reactions,
                message_requests=services.message_requests,
                retried=True,
            )
        )
