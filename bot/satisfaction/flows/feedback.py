"""What leads and admins see of satisfaction on App Home: their departments' results and the
latest ratings and comments. Comments are for them only."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.reports import store as report_store
from bot.reports.rules import DepartmentReport
from bot.requests import store as request_store
from bot.requests.departments import store as departments_store
from bot.requests.rules import DepartmentSnapshot
from bot.satisfaction import store as rating_store
from bot.satisfaction.rules import (
    DEPARTMENTS_PER_PAGE,
    FEEDBACK_ITEMS_MAX,
    FEEDBACK_WINDOW_DAYS,
    FeedbackItem,
    TeamFeedback,
    page_count,
)
from bot.weekly.rules import DEFAULT_ANONYMITY_MIN_RESPONSES

# How long a lead's figures are kept, for the last 30 days and the 30 before; and how many
# sets of departments' figures at most.
CURRENT_KEPT_FOR = timedelta(minutes=1)
EARLIER_KEPT_FOR = timedelta(hours=1)
KEPT_MAX = 256


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
        # A lead's figures, by departments and period: see _window.
        self._kept: OrderedDict[
            tuple[str, frozenset[int], datetime, timedelta], list[DepartmentReport]
        ] = OrderedDict()
        self._kept_lock = threading.Lock()

    def is_admin(self, user_id: str) -> bool:
        return user_id in self._admins

    def _window(
        self, session: Session, scope: report_store.Scope, *, until: datetime, step: timedelta
    ) -> list[DepartmentReport]:
        """Every figure a lead sees over the window up to `until`, read at most once per
        `step` for the same departments: a lead's Home is redrawn at the end of the minute of
        each change, so figures kept for the minute are caught up by that redraw. The answers
        to the departments' questions are not shown on Home, so not read."""
        moment = datetime.fromtimestamp(
            until.timestamp() // step.total_seconds() * step.total_seconds(), UTC
        )
        key = (scope.team_id or "", scope.department_ids or frozenset(), moment, step)
        with self._kept_lock:
            kept = self._kept.get(key)
        if kept is not None:
            return kept
        reports = report_store.department_reports(
            session=session,
            now=until,
            days=FEEDBACK_WINDOW_DAYS,
            anonymity_minimum=self._minimum,
            scope=scope,
            field_options=False,
        )
        with self._kept_lock:
            self._kept[key] = reports
            while len(self._kept) > KEPT_MAX:
                self._kept.popitem(last=False)
        return reports

    def team_feedback(
        self,
        *,
        team_id: str,
        user_id: str,
        page: int = 1,
        departments: Sequence[DepartmentSnapshot] | None = None,
    ) -> TeamFeedback | None:
        """Results of a page of the departments this person leads (every department for an
        admin; only the page's are read), and the recent comments of them all; None for
        everyone else: comments are for them only. `departments`: the workspace's, when the
        caller has read them already."""
        now = self._clock.now()
        with read_session(self._sessions) as session:
            if departments is None:
                departments = departments_store.list_departments(session=session, team_id=team_id)
            if user_id not in self._admins:
                departments = [d for d in departments if user_id in d.leads]
            if not departments:
                return None
            ids = {d.id for d in departments}
            pages = page_count(len(departments))
            page = min(max(page, 1), pages)
            shown = departments[(page - 1) * DEPARTMENTS_PER_PAGE :][:DEPARTMENTS_PER_PAGE]
            keys = {d.key for d in shown}
            scope = report_store.Scope(
                team_id=team_id, department_ids=frozenset(d.id for d in shown)
            )
            reports = self._window(session, scope, until=now, step=CURRENT_KEPT_FOR)
            # The 30 days before the last 30 barely change: read once an hour, to the hour.
            hour = now.replace(minute=0, second=0, microsecond=0)
            before = self._window(
                session,
                scope,
                until=hour - timedelta(days=FEEDBACK_WINDOW_DAYS),
                step=EARLIER_KEPT_FOR,
            )
            rows = rating_store.recent_feedback(
                session=session,
                department_ids=sorted(ids),
                since=now - timedelta(days=FEEDBACK_WINDOW_DAYS),
                limit=FEEDBACK_ITEMS_MAX,
            )
            rated = request_store.get_requests(
                session=session, team_id=team_id, request_ids={row[0] for row in rows}
            )
            recent = [
                FeedbackItem(request=rated[request_id], score=score, comment=comment, at=at)
                for request_id, score, comment, at in rows
                if request_id in rated
            ]
        return TeamFeedback(
            departments=[d for d in reports if d.key in keys],
            recent=recent,
            days=FEEDBACK_WINDOW_DAYS,
            before=[d for d in before if d.key in keys],
            anonymity_minimum=self._minimum,
            page=page,
            pages=pages,
        )
