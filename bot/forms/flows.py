"""The new-request form's own work: drawn again with the questions of the department chosen,
and its answers checked before the ack, against the questions the department asks now."""

from __future__ import annotations

from typing import Any

from bot.db import SessionFactory, read_session
from bot.errors import FormOutdated
from bot.forms.messages import build_new_request_modal
from bot.forms.rules import FormState, check_answers, form_version
from bot.ids import encode_field_block_id
from bot.requests.departments import store as departments_store
from bot.requests.rules import DepartmentSnapshot


class RequestForm:
    def __init__(self, *, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    def _departments(self, team_id: str) -> list[DepartmentSnapshot]:
        with read_session(self._sessions) as session:
            return departments_store.list_departments(session=session, team_id=team_id)

    def redraw(
        self, *, team_id: str, state: FormState, origin_channel_id: str | None
    ) -> dict[str, Any]:
        """The form for the department now chosen, keeping what was typed."""
        return _drawn(self._departments(team_id), state, origin_channel_id)

    def errors(
        self, *, team_id: str, state: FormState, drawn: str, origin_channel_id: str | None
    ) -> dict[str, str]:
        """What is wrong with the answers to the chosen department's questions, by block id.
        A form drawn with other questions than the department asks now (`drawn`, see
        `form_version`) is drawn again instead, raising FormOutdated: its answers cannot be
        read against questions it did not show."""
        departments = self._departments(team_id)
        department = next((d for d in departments if d.key == state.department_key), None)
        if department is None:
            return {}  # the filing answers that there is no such department
        if drawn != form_version(department.key, department.fields):
            raise FormOutdated(_drawn(departments, state, origin_channel_id))
        checked = check_answers(department.fields, state.answers.get(department.key, {}))
        return {
            encode_field_block_id(department.key, key): problem
            for key, problem in checked.errors.items()
        }


def _drawn(
    departments: list[DepartmentSnapshot], state: FormState, origin_channel_id: str | None
) -> dict[str, Any]:
    return build_new_request_modal(
        departments,
        selected_key=state.department_key or None,
        text=state.text,
        urgency=state.urgency,
        answers=state.answers_for(state.department_key),
        sensitive=state.sensitive,
        origin_channel_id=origin_channel_id,
        source=state.source,
        for_author=state.for_author,
    )
