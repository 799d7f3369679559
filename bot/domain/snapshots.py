"""Plain values that carry what the Slack surfaces show, detached from the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.lifecycle import RequestStatus


class Urgency(StrEnum):
    NORMAL = "normal"
    HIGH = "high"


@dataclass(frozen=True)
class DepartmentSnapshot:
    id: int
    key: str
    name: str
    channel_id: str
    agents: tuple[str, ...]
    leads: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class RequestSnapshot:
    id: int
    team_id: str
    department: DepartmentSnapshot
    requester_id: str
    text: str
    urgency: Urgency
    status: RequestStatus
    assignee_id: str | None
    created_at: datetime
    resolved_at: datetime | None
    closed_by_id: str | None
    card_channel_id: str | None
    card_ts: str | None
    version: int = 1

    @property
    def reference(self) -> str:
        return f"REQ-{self.id}"
