"""Share what we're doing: a department's lead answers its weekly pulse results, and the
people who use the department see the answer once, in their next weekly pulse, and on Home."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.calendar import Week
from bot.clock import Clock
from bot.db import SessionFactory, read_session
from bot.errors import NotAllowed, NotFound
from bot.reports.weekly import store as weekly_report_store
from bot.requests.departments import store as departments_store
from bot.requests.rules import DepartmentSnapshot
from bot.weekly.comments.flows import Replies
from bot.weekly.comments.rules import may_answer_for
from bot.weekly.updates import messages, store
from bot.weekly.updates.rules import (
    CHANGES_SHOWN,
    LED_SHOWN,
    RESULTS_LOOKBACK,
    USED_WINDOW,
    LedDepartment,
    PulseHome,
    ResultQuote,
    quote_result,
)

logger = logging.getLogger(__name__)


class SharedUpdates:
    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        clock: Clock,
        admins: tuple[str, ...],
        anonymity_minimum: int,
        replies: Replies,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        self._admins = admins
        self._minimum = anonymity_minimum
        self._replies = replies

    def _department(self, *, team_id: str, user_id: str, department_id: int) -> DepartmentSnapshot:
        with read_session(self._sessions) as session:
            departments = departments_store.list_departments(session=session, team_id=team_id)
        department = next((d for d in departments if d.id == department_id), None)
        if department is None:
            raise NotFound("That department is not there any more.")
        if not may_answer_for(leads=department.leads, admins=self._admins, user_id=user_id):
            raise NotAllowed(f"Only {department.name}'s leads can share what it is doing.")
        return department

    def _latest_result(self, team_id: str, department_id: int) -> ResultQuote | None:
        """What the department's latest final week said, where it met the minimum."""
        now = self._clock.now()
        with read_session(self._sessions) as session:
            weeks = weekly_report_store.final_weeks(session, since=now - RESULTS_LOOKBACK, now=now)
            if not weeks:
                return None
            week = Week.parse(max(weeks))
            results = store.week_results(
                session=session,
                team_id=team_id,
                department_id=department_id,
                week=week,
                minimum=self._minimum,
            )
        return quote_result(results, week)

    def share_form(self, *, team_id: str, user_id: str, department_id: int) -> dict[str, Any]:
        department = self._department(team_id=team_id, user_id=user_id, department_id=department_id)
        return messages.build_share_modal(
            department_id=department.id,
            department_name=department.name,
            result=self._latest_result(team_id, department.id),
        )

    def share(
        self, *, team_id: str, user_id: str, department_id: int, text: str, view_id: str
    ) -> None:
        department = self._department(team_id=team_id, user_id=user_id, department_id=department_id)
        result = self._latest_result(team_id, department.id)
        with self._sessions.begin() as session:
            store.share_update(
                session=session,
                team_id=team_id,
                department_id=department.id,
                author_id=user_id,
                text=text,
                idempotency_key=f"view:{view_id}",
                now=self._clock.now(),
                result=result,
            )
        logger.info("weekly_pulse.update_shared", extra={"department_id": department.id})

    def home(
        self, *, team_id: str, user_id: str, led: Sequence[DepartmentSnapshot] = ()
    ) -> PulseHome:
        """Home's part: the latest updates of the departments this person used lately, and
        the share buttons and comments of `led`: the departments they speak for (as a lead,
        or an admin) on the page of departments Home shows."""
        now = self._clock.now()
        shown = list(led[:LED_SHOWN])
        with read_session(self._sessions) as session:
            used = store.used_departments(
                session=session, team_id=team_id, user_id=user_id, since=now - USED_WINDOW
            )
            changes = store.latest_updates(session=session, team_id=team_id, department_ids=used)
            latest = store.latest_updates(
                session=session, team_id=team_id, department_ids=[d.id for d in shown]
            )
        newest_first = sorted(changes.values(), key=lambda u: (u.created_at, u.id), reverse=True)
        return PulseHome(
            changes=newest_first[:CHANGES_SHOWN],
            led=[LedDepartment(d.id, d.name, latest.get(d.id)) for d in shown],
            comments=(
                self._replies.lead_comments(team_id=team_id, departments=shown) if shown else []
            ),
        )
