"""Settings read once from the environment and `.env`, then passed down."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.calendar import WeeklySchedule, WorkingHours, read_zone
from bot.errors import RuleError
from bot.kudos.rules import DEFAULT_DAILY_LIMIT, DEFAULT_KUDOS_EMOJI
from bot.reactions import read_emoji_name
from bot.satisfaction.rules import DEFAULT_RATING_EMOJI, DEFAULT_WORKING_HOURS, RatingScale
from bot.sealing import KEY_MIN_LENGTH
from bot.weekly.rules import ANONYMITY_FLOOR, DEFAULT_ANONYMITY_MIN_RESPONSES

DEFAULT_SLACK_API_URL = "https://slack.com/api/"

_PLACEHOLDER_MARKERS = ("your-", "xxxx", "changeme", "replace")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{8,}$")


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one line a person can act on."""


def _split_ids(value: str) -> list[str]:
    return [part.strip() for part in value.replace(" ", ",").split(",") if part.strip()]


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in _PLACEHOLDER_MARKERS)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    # Kept out of repr: a PostgreSQL URL can hold a password.
    database_url: str = Field(default="sqlite:///pulsedesk.db", repr=False)
    port: int = Field(default=3000, ge=1, le=65535)
    departments_file: Path = Path("departments.toml")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # Satisfaction pulse after resolution.
    pulse_delay_seconds: int = Field(default=1800, ge=0)
    pulse_cooldown_hours: float = Field(default=24, ge=0)
    pulse_working_hours: str = DEFAULT_WORKING_HOURS
    rating_emoji: str = DEFAULT_RATING_EMOJI
    # Slack user IDs who see every department's results and comments on App Home, and who
    # get a department's low-rating alerts and comments when it names no leads.
    admin_users: str = ""
    # Weekly pulse: when it is due in each person's own time zone, and to whom.
    weekly_pulse_day: str = "monday"
    weekly_pulse_time: str = "10:00"
    pulse_audience: Literal["all", "requesters"] = "all"
    # Results of fewer people than this are never shown; 3 is the floor.
    anonymity_min_responses: int = Field(
        default=DEFAULT_ANONYMITY_MIN_RESPONSES, ge=ANONYMITY_FLOOR
    )
    # Seals who wrote a weekly comment, so its team can reply without learning who it was;
    # unset: no replies. Changing it makes the comments sealed before unanswerable.
    pulse_reply_key: SecretStr | None = None
    # How often `serve` runs due jobs; 0 leaves it to `python -m bot jobs run-due` (cron).
    jobs_poll_seconds: float = Field(default=10, ge=0)
    # The pace of scheduled DMs (pulses, the weekly round), under Slack's posting limit;
    # 0 sends as fast as Slack answers and relies on its 429s.
    slack_posts_per_minute: float = Field(default=100, ge=0)
    # How long a claimed job is reserved to its runner: work of a runner that died is taken
    # up again after this. Longer than any one job can take.
    jobs_lease_seconds: float = Field(default=300, ge=1)
    # Kudos: the channel shout-outs go to (unset: kudos are off), the emoji that gives
    # kudos by reaction, how many people each giver may thank a day, and the time zone
    # whose WEEKLY_PULSE_DAY and WEEKLY_PULSE_TIME the weekly digest is posted at.
    kudos_channel: str | None = None
    kudos_emoji: str = DEFAULT_KUDOS_EMOJI
    # A reaction that files the message it is on as a request, in any channel the bot is in;
    # empty: none (departments may still name their own, `request_emoji`).
    request_emoji: str = ""
    kudos_daily_limit: int = Field(default=DEFAULT_DAILY_LIMIT, ge=1, le=100)
    kudos_digest_timezone: str = "UTC"
    # The local sandbox (`python -m bot sandbox`): the port of its page, on 127.0.0.1 only,
    # and the folder that keeps its workspace and its own database.
    sandbox_port: int = Field(default=3001, ge=0, le=65535)
    sandbox_dir: Path = Path(".sandbox")

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url_ends_with_slash(cls, value: str) -> str:
        # slack-sdk joins the method name straight onto the base URL.
        return value if value.endswith("/") else value + "/"

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "pulse_reply_key",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("pulse_reply_key")
    @classmethod
    def _reply_key_is_long_and_random(cls, value: SecretStr | None) -> SecretStr | None:
        secret = value.get_secret_value() if value is not None else ""
        if value is not None and (len(secret) < KEY_MIN_LENGTH or _is_placeholder(secret)):
            raise ValueError(
                f"PULSE_REPLY_KEY must be at least {KEY_MIN_LENGTH} random characters, "
                "for example from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return value

    @field_validator("pulse_working_hours")
    @classmethod
    def _working_hours_parse(cls, value: str) -> str:
        try:
            WorkingHours.parse(value)
        except RuleError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("rating_emoji")
    @classmethod
    def _rating_emoji_parse(cls, value: str) -> str:
        try:
            RatingScale.parse(value)
        except RuleError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("admin_users")
    @classmethod
    def _admin_users_are_ids(cls, value: str) -> str:
        for user in _split_ids(value):
            if not _USER_ID.match(user):
                raise ValueError(f"'{user}' is not a Slack user ID like U0123ABCD")
        return value

    @field_validator("pulse_audience", mode="before")
    @classmethod
    def _audience_lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("weekly_pulse_day")
    @classmethod
    def _weekly_day_parse(cls, value: str) -> str:
        try:
            WeeklySchedule.parse(value, "10:00")
        except RuleError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("weekly_pulse_time")
    @classmethod
    def _weekly_time_parse(cls, value: str) -> str:
        try:
            WeeklySchedule.parse("monday", value)
        except RuleError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("kudos_channel", mode="before")
    @classmethod
    def _kudos_channel_is_id(cls, value: object) -> object:
        if not isinstance(value, str) or not value.strip():
            return None
        if not _CHANNEL_ID.match(value.strip()):
            raise ValueError(
                f"'{value}' is not a channel ID; use the ID (like C0123456789) shown at the "
                "bottom of the channel's details in Slack, not its name"
            )
        return value.strip()

    @field_validator("kudos_emoji", mode="before")
    @classmethod
    def _kudos_emoji_name(cls, value: object) -> object:
        name = read_emoji_name(value, like="clap or :tada:", blank_ok=True)
        return name or DEFAULT_KUDOS_EMOJI

    @field_validator("request_emoji", mode="before")
    @classmethod
    def _request_emoji_name(cls, value: object) -> object:
        return read_emoji_name(value, like="ticket or :inbox_tray:", blank_ok=True)

    @field_validator("kudos_digest_timezone")
    @classmethod
    def _digest_timezone_known(cls, value: str) -> str:
        if read_zone(value.strip()) is None:
            raise ValueError(
                f"'{value}' is not a time zone name like Europe/London or America/New_York"
            )
        return value.strip()

    @model_validator(mode="after")
    def _kudos_emoji_not_a_rating(self) -> Settings:
        if RatingScale.parse(self.rating_emoji).score_of(self.kudos_emoji) is not None:
            raise ValueError(
                f"KUDOS_EMOJI '{self.kudos_emoji}' is also in RATING_EMOJI: a reaction must "
                "either rate or thank, so choose another"
            )
        if self.request_emoji and (
            self.request_emoji == self.kudos_emoji
            or RatingScale.parse(self.rating_emoji).score_of(self.request_emoji) is not None
        ):
            raise ValueError(
                f"REQUEST_EMOJI '{self.request_emoji}' is also KUDOS_EMOJI or in RATING_EMOJI: "
                "a reaction must do one thing, so choose another"
            )
        return self

    @property
    def weekly_schedule(self) -> WeeklySchedule:
        return WeeklySchedule.parse(self.weekly_pulse_day, self.weekly_pulse_time)

    @property
    def working_hours(self) -> WorkingHours:
        return WorkingHours.parse(self.pulse_working_hours)

    @property
    def rating_scale(self) -> RatingScale:
        return RatingScale.parse(self.rating_emoji)

    @property
    def admin_user_ids(self) -> tuple[str, ...]:
        return tuple(_split_ids(self.admin_users))

    @property
    def pulse_delay(self) -> timedelta:
        return timedelta(seconds=self.pulse_delay_seconds)

    @property
    def pulse_cooldown(self) -> timedelta:
        return timedelta(hours=self.pulse_cooldown_hours)

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    @property
    def log_level_number(self) -> int:
        return logging.getLevelName(self.log_level)  # type: ignore[no-any-return]

    @property
    def has_slack_credentials(self) -> bool:
        """Whether a bot token is set at all: without one, `make run` opens the sandbox."""
        token = self.slack_bot_token.get_secret_value() if self.slack_bot_token else ""
        return bool(token) and not _is_placeholder(token)

    def require_bot_token(self) -> None:
        token = self.slack_bot_token.get_secret_value() if self.slack_bot_token else ""
        if not token or _is_placeholder(token):
            raise ConfigError(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your "
                "Slack app's 'OAuth & Permissions' page into .env"
            )
        if not token.startswith("xoxb-"):
            raise ConfigError(
                "SLACK_BOT_TOKEN must be a bot token starting with xoxb- (from your Slack app's "
                "'OAuth & Permissions' page)"
            )

    def require_slack_credentials(self) -> None:
        """Refuse to start without usable credentials, naming what to set and where to get it."""
        self.require_bot_token()
        if self.socket_mode:
            app_token = self.slack_app_token.get_secret_value() if self.slack_app_token else ""
            if not app_token.startswith("xapp-") or _is_placeholder(app_token):
                raise ConfigError(
                    "SLACK_APP_TOKEN must be an app-level token starting with xapp- with the "
                    "connections:write scope (your Slack app's 'Basic Information' page), "
                    "or unset it to use HTTP mode"
                )
            return
        secret = self.slack_signing_secret.get_secret_value() if self.slack_signing_secret else ""
        if not secret or _is_placeholder(secret):
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your Slack app's "
                "'Basic Information' page into .env (or set SLACK_APP_TOKEN for Socket Mode)"
            )
