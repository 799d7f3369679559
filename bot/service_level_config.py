"""The departments file's `calendar` and `sla` tables: when a department works, and what it
promises, checked as the file is read."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.business_time import BusinessCalendar, WallClock, parse_duration
from bot.errors import RuleError
from bot.service_levels.rules import DEFAULT_REMIND_AT, ServiceLevels, Targets


def read_duration(value: str | None) -> str | None:
    """A duration of the departments file (`30m`, `4h`, `2d`) as kept, or ValueError saying
    why it is not one."""
    if value is None:
        return None
    try:
        parse_duration(value, WallClock())
    except RuleError as error:
        raise ValueError(str(error)) from None
    return value.strip().lower()


class CalendarConfig(BaseModel):
    """A department's `[departments.calendar]`: when it works, for its service levels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    timezone: str
    hours: str = "09:00-18:00"
    days: str = "mon-fri"
    holidays: list[str] = Field(default=[], max_length=366)

    @model_validator(mode="after")
    def _readable(self) -> CalendarConfig:
        try:
            self.business_calendar()
        except RuleError as error:
            raise ValueError(str(error)) from None
        return self

    def business_calendar(self) -> BusinessCalendar:
        return BusinessCalendar.parse(
            timezone=self.timezone, hours=self.hours, days=self.days, holidays=self.holidays
        )


class TargetsConfig(BaseModel):
    """How long a first response and a resolution may take (`30m`, `4h`, `2d`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_response: str | None = None
    resolution: str | None = None

    @field_validator("first_response", "resolution")
    @classmethod
    def _durations(cls, value: str | None) -> str | None:
        return read_duration(value)

    def targets(self) -> Targets:
        return Targets(first_response=self.first_response, resolution=self.resolution)


class SlaConfig(TargetsConfig):
    """A department's `sla`: its targets, what high urgency promises instead, and after which
    share of a target's time its reminder goes out."""

    high: TargetsConfig | None = None
    remind_at: float = Field(default=DEFAULT_REMIND_AT, gt=0, lt=1)

    def service_levels(self) -> ServiceLevels:
        return ServiceLevels(
            normal=self.targets(),
            high=self.high.targets() if self.high else None,
            remind_at=self.remind_at,
        )
