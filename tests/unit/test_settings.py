"""Settings: defaults, the environment, and refusing unusable Slack credentials."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import DEFAULT_SLACK_API_URL, ConfigError, Settings

SETTING_NAMES = [
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "DEPARTMENTS_FILE",
    "LOG_LEVEL",
]

BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
APP_TOKEN = "xapp-1-A0123456789-1234567890123-abcdef0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting leaks in from the machine running the tests."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def make_settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)


# Defaults and the environment ---------------------------------------------------------------


def test_defaults() -> None:
    settings = make_settings()
    assert settings.database_url == "sqlite:///pulsedesk.db"
    assert settings.port == 3000
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL == "https://slack.com/api/"
    assert settings.departments_file == Path("departments.toml")
    assert settings.log_level == "INFO"
    assert settings.log_level_number == logging.INFO
    assert settings.slack_bot_token is None
    assert settings.slack_signing_secret is None
    assert settings.slack_app_token is None
    assert settings.socket_mode is False


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("http://localhost:8080/api", "http://localhost:8080/api/"),
        ("http://localhost:8080/api/", "http://localhost:8080/api/"),
        ("https://slack.com/api", "https://slack.com/api/"),
    ],
)
def test_slack_api_url_gets_a_trailing_slash(given: str, expected: str) -> None:
    assert make_settings(slack_api_url=given).slack_api_url == expected


def test_reads_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://desk@db/desk")
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("DEPARTMENTS_FILE", "/etc/pulsedesk/departments.toml")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = make_settings()
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN
    assert settings.slack_signing_secret is not None
    assert settings.slack_signing_secret.get_secret_value() == SIGNING_SECRET
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.database_url == "postgresql+psycopg://desk@db/desk"
    assert settings.port == 8080
    assert settings.departments_file == Path("/etc/pulsedesk/departments.toml")
    assert settings.log_level == "DEBUG"
    assert settings.log_level_number == logging.DEBUG
    assert settings.socket_mode is False
    settings.require_slack_credentials()


def test_app_token_in_environment_selects_socket_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    assert make_settings().socket_mode is True


@pytest.mark.parametrize("name", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"])
@pytest.mark.parametrize("blank", ["", "   "])
def test_blank_secret_is_unset(monkeypatch: pytest.MonkeyPatch, name: str, blank: str) -> None:
    monkeypatch.setenv(name, blank)
    settings = make_settings()
    assert getattr(settings, name.lower()) is None
    assert settings.socket_mode is False


@pytest.mark.parametrize(
    ("name", "value"),
    [("PORT", "0"), ("PORT", "70000"), ("PORT", "eighty"), ("LOG_LEVEL", "LOUD")],
)
def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        make_settings()
    assert caught.value.errors()[0]["loc"] == (name.lower(),)


# require_slack_credentials ------------------------------------------------------------------


def _config_error(settings: Settings) -> str:
    with pytest.raises(ConfigError) as caught:
        settings.require_slack_credentials()
    return str(caught.value)


@pytest.mark.parametrize(
    ("values", "variable", "detail"),
    [
        pytest.param(
            {"slack_signing_secret": SIGNING_SECRET},
            "SLACK_BOT_TOKEN",
            "is not set",
            id="missing-bot-token",
        ),
        pytest.param(
            {"slack_bot_token": "   ", "slack_signing_secret": SIGNING_SECRET},
            "SLACK_BOT_TOKEN",
            "is not set",
            id="blank-bot-token",
        ),
        pytest.param(
            {"slack_bot_token": "xoxb-your-bot-token", "slack_signing_secret": SIGNING_SECRET},
            "SLACK_BOT_TOKEN",
            "is not set",
            id="placeholder-bot-token",
        ),
        pytest.param(
            {"slack_bot_token": "xoxb-xxxx-xxxx", "slack_signing_secret": SIGNING_SECRET},
            "SLACK_BOT_TOKEN",
            "is not set",
            id="placeholder-xxxx-bot-token",
        ),
        pytest.param(
            {
                "slack_bot_token": "xoxp-1234-5678-user-token",
                "slack_signing_secret": SIGNING_SECRET,
            },
            "SLACK_BOT_TOKEN",
            "xoxb-",
            id="user-token-not-bot-token",
        ),
        pytest.param(
            {"slack_bot_token": APP_TOKEN, "slack_signing_secret": SIGNING_SECRET},
            "SLACK_BOT_TOKEN",
            "xoxb-",
            id="app-token-as-bot-token",
        ),
        pytest.param(
            {"slack_bot_token": BOT_TOKEN},
            "SLACK_SIGNING_SECRET",
            "is not set",
            id="missing-signing-secret-http-mode",
        ),
        pytest.param(
            {"slack_bot_token": BOT_TOKEN, "slack_signing_secret": "changeme"},
            "SLACK_SIGNING_SECRET",
            "is not set",
            id="placeholder-signing-secret",
        ),
        pytest.param(
            {"slack_bot_token": BOT_TOKEN, "slack_app_token": BOT_TOKEN},
            "SLACK_APP_TOKEN",
            "xapp-",
            id="bot-token-as-app-token",
        ),
        pytest.param(
            {"slack_bot_token": BOT_TOKEN, "slack_app_token": "xapp-your-app-token"},
            "SLACK_APP_TOKEN",
            "xapp-",
            id="placeholder-app-token",
        ),
        pytest.param(
            {"slack_bot_token": BOT_TOKEN, "slack_app_token": "not-a-token"},
            "SLACK_APP_TOKEN",
            "xapp-",
            id="garbage-app-token",
        ),
    ],
)
def test_require_slack_credentials_names_the_variable(
    values: dict[str, str], variable: str, detail: str
) -> None:
    message = _config_error(make_settings(**values))
    assert message.startswith(variable)
    assert detail in message
    assert "\n" not in message
    for secret in values.values():
        if secret.strip() and len(secret) > 12:
            assert secret not in message


def test_http_mode_with_token_and_secret_is_accepted() -> None:
    settings = make_settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET)
    settings.require_slack_credentials()
    assert settings.socket_mode is False


def test_socket_mode_needs_no_signing_secret() -> None:
    settings = make_settings(slack_bot_token=BOT_TOKEN, slack_app_token=APP_TOKEN)
    settings.require_slack_credentials()
    assert settings.socket_mode is True


def test_env_example_values_are_refused() -> None:
    # A copied, unedited .env.example must stop the bot with a clear message.
    example = Path(__file__).resolve().parents[2] / ".env.example"
    settings = Settings(_env_file=example)
    assert settings.database_url == "sqlite:///pulsedesk.db"
    assert _config_error(settings).startswith("SLACK_BOT_TOKEN")


# Secrets stay secret ------------------------------------------------------------------------


def test_secrets_never_appear_in_repr_or_str() -> None:
    settings = make_settings(
        slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET, slack_app_token=APP_TOKEN
    )
    for rendered in (repr(settings), str(settings)):
        for secret in (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN):
            assert secret not in rendered
        assert "**********" in rendered
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == BOT_TOKEN


def test_secrets_from_environment_never_appear_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    rendered = repr(make_settings())
    for secret in (BOT_TOKEN, SIGNING_SECRET, APP_TOKEN):
        assert secret not in rendered


def test_database_password_never_appears_in_repr() -> None:
    settings = make_settings(database_url="postgresql+psycopg://desk:hunter2-s3cret@db/desk")
    assert "hunter2-s3cret" not in repr(settings)
    assert "hunter2-s3cret" not in str(settings)


REPLY_KEY = "Zr8pV2c1xQ7mN4bT6yH0kL3sD9fG5jWe"


def test_the_pulse_reply_key_is_a_secret_unset_when_blank() -> None:
    settings = Settings(_env_file=None, pulse_reply_key=REPLY_KEY)
    assert settings.pulse_reply_key is not None
    assert settings.pulse_reply_key.get_secret_value() == REPLY_KEY
    assert REPLY_KEY not in repr(settings)
    assert Settings(_env_file=None, pulse_reply_key="  ").pulse_reply_key is None
    assert Settings(_env_file=None).pulse_reply_key is None


@pytest.mark.parametrize("weak", ["too-short", "your-reply-key-goes-here-0123456789abcdef"])
def test_a_short_or_placeholder_pulse_reply_key_is_refused(weak: str) -> None:
    with pytest.raises(ValidationError, match="PULSE_REPLY_KEY"):
        Settings(_env_file=None, pulse_reply_key=weak)
