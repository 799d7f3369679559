"""Emoji reactions (Events API): one listener per event type, handed to each feature that reads
reactions (ratings, kudos). Slack may deliver the same event more than once; each feature is
idempotent."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot.kudos.flows.reactions import KudosReactions
from bot.satisfaction.flows.ratings import Ratings
from bot.services import Services
from handlers.intake import durable
from handlers.payloads import parse_reaction

logger = logging.getLogger(__name__)


def handle_reaction_added(
    body: dict[str, Any], *, ratings: Ratings, kudos_reactions: KudosReactions
) -> None:
    _hand_on(body, added=True, ratings=ratings, kudos_reactions=kudos_reactions)


def handle_reaction_removed(
    body: dict[str, Any], *, ratings: Ratings, kudos_reactions: KudosReactions
) -> None:
    _hand_on(body, added=False, ratings=ratings, kudos_reactions=kudos_reactions)


def _hand_on(
    body: dict[str, Any], *, added: bool, ratings: Ratings, kudos_reactions: KudosReactions
) -> None:
    # Reactions come from anyone in any channel the bot is in: failures are logged, never
    # answered to the person who reacted.
    reaction = parse_reaction(body, added=added)
    if reaction is None:
        return
    try:
        ratings.react(reaction)
    except Exception:
        logger.exception("rating.reaction_failed", extra={"event_id": reaction.event_id})
    try:
        kudos_reactions.react(reaction)
    except Exception:
        logger.exception("kudos.reaction_failed", extra={"event_id": reaction.event_id})


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
            )
        )
