"""What leads and admins see of satisfaction on App Home: their departments' results and the
latest ratings and comments. Comments are for them only."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.reports import store as report_store
from bot.requests import store as request_store
from bot.requests.departments import store as departments_store
from bot.satisfaction import store as rating_store
from bot.satisfaction.rules import (
    FEEDBACK_ITEMS_MAX,
    FEEDBACK_WINDOW_DAYS,
    FeedbackItem,
    TeamFeedback,
)
from bot.weekly.rules import DEFAULT_ANONYMITY_MIN_RESPONSES


class Feedback:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        clock: Clock,
        admins: tuple[str, ...],
        anonymity_minimum: int = DEFAULT_ANONYMITY_MIN_RESPONSES,
    ):
        self._sessions = session_factory
        self._clock = clock
        self._admins = admins
        self._minimum = anonymity_minimum

    def is_admin(self, user_id: str) -> bool:
        return user_id in self._admins

    def team_feedback(self, *, team_id: str, user_id: str) -> TeamFeedback | None:
        """Results and recent comments of the departments this person leads, every
        department for an admin, None for everyone else: comments are for them only."""
        now = self._clock.now()
        with read_session(self._sessions) as session:
            departments = departments_store.list_departments(session=session, team_id=team_id)
            if user_id not in self._admins:
                departments = [d for d in departments if user_id in d.leads]
            if not departments:
                return None
            ids = {d.id for d in departments}
            keys = {d.key for d in departments}
            scope = report_store.Scope(team_id=team_id, department_ids=frozenset(ids))
            # Every figure a lead sees, over the window and over the window before it.
            reports, before = (
                report_store.department_reports(
                    session=session,
                    now=until,
                    days=FEEDBACK_WINDOW_DAYS,
                    anonymity_minimum=self._minimum,
                    scope=scope,
                )
                for until in (now, now - timedelta(days=FEEDBACK_WINDOW_DAYS))
            )
            rows = rating_store.recent_feedback(
                session=session,
                department_ids=sorted(ids),
                since=now - timedelta(days=FEEDBACK_WINDOW_DAYS),
                limit=FEEDBACK_ITEMS_MAX,
            )
            recent = [
                FeedbackItem(
                    request=request_store.get_request(
                        session=session, team_id=team_id, request_id=request_id
                    ),
                    score=score,
                    comment=comment,
                    at=at,
                )
                for request_id, score, comment, at in rows
            ]
        return TeamFeedback(
            departments=[d for d in reports if d.key in keys],
            recent=recent,
            days=FEEDBACK_WINDOW_DAYS,
            before=[d for d in before if d.key in keys],
            anonymity_minimum=self._minimum,
        )
