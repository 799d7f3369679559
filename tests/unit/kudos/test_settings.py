"""Kudos settings and the `[kudos]` table of the departments file, refused clearly when wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bot.__main__ import main
from bot.departments import DepartmentsFileError, parse_config
from bot.kudos.rules import DEFAULT_DAILY_LIMIT, DEFAULT_KUDOS_EMOJI
from bot.settings import Settings

SETTING_NAMES = [name.upper() for name in Settings.model_fields]
PATH = Path("config/departments.toml")
IT_ENTRY = """
[[departments]]
key = "it"
name = "IT Help Desk"
channel = "C0123456789"
"""


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No setting leaks in from the machine running the tests, and no `.env` is read."""
    for name in SETTING_NAMES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make_settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


def refusal(**values: Any) -> tuple[tuple[int | str, ...], str]:
    """Where the first error is and its message, as `_load_settings` shows it."""
    with pytest.raises(ValidationError) as caught:
        make_settings(**values)
    first = caught.value.errors()[0]
    return tuple(first["loc"]), first["msg"].removeprefix("Value error, ")


def test_kudos_defaults() -> None:
    settings = make_settings()
    assert settings.kudos_channel is None
    assert settings.kudos_emoji == DEFAULT_KUDOS_EMOJI == "clap"
    assert settings.kudos_daily_limit == DEFAULT_DAILY_LIMIT == 5
    assert settings.kudos_digest_timezone == "UTC"


def test_kudos_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUDOS_CHANNEL", "C0KUDOS123")
    monkeypatch.setenv("KUDOS_EMOJI", ":Tada:")
    monkeypatch.setenv("KUDOS_DAILY_LIMIT", "12")
    monkeypatch.setenv("KUDOS_DIGEST_TIMEZONE", "Asia/Tokyo")
    settings = make_settings()
    assert settings.kudos_channel == "C0KUDOS123"
    assert settings.kudos_emoji == "tada"
    assert settings.kudos_daily_limit == 12
    assert settings.kudos_digest_timezone == "Asia/Tokyo"


# KUDOS_CHANNEL ------------------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", None])
def test_blank_kudos_channel_turns_kudos_off(blank: str | None) -> None:
    assert make_settings(kudos_channel=blank).kudos_channel is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("C0123456789", "C0123456789"),
        ("G0123456789", "G0123456789"),
        ("  C0KUDOS123 ", "C0KUDOS123"),
    ],
)
def test_kudos_channel_id_is_accepted(given: str, expected: str) -> None:
    assert make_settings(kudos_channel=given).kudos_channel == expected


@pytest.mark.parametrize("name", ["#kudos", "kudos", "c0123456789", "C0123", "U0123456789"])
def test_kudos_channel_name_is_refused_asking_for_the_id(name: str) -> None:
    assert refusal(kudos_channel=name) == (
        ("kudos_channel",),
        f"'{name}' is not a channel ID; use the ID (like C0123456789) shown at the bottom "
        "of the channel's details in Slack, not its name",
    )


# KUDOS_EMOJI --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (":tada:", "tada"),
        ("tada", "tada"),
        (" :Raised_Hands: ", "raised_hands"),
        ("party-popper", "party-popper"),
        ("100", "100"),
        ("man's_hat", "man's_hat"),
    ],
)
def test_kudos_emoji_is_normalised(given: str, expected: str) -> None:
    assert make_settings(kudos_emoji=given).kudos_emoji == expected


@pytest.mark.parametrize("given", ["", "  ", "::"])
def test_blank_kudos_emoji_is_the_default(given: str) -> None:
    # A copied .env with KUDOS_EMOJI= left empty must not stop the bot.
    assert make_settings(kudos_emoji=given).kudos_emoji == "clap"


@pytest.mark.parametrize(
    "given",
    ["party parrot", ":tada::skin-tone-2:", "tada!", "🎉", "clap,tada"],
)
def test_bad_kudos_emoji_is_refused(given: str) -> None:
    assert refusal(kudos_emoji=given) == (
        ("kudos_emoji",),
        f"'{given}' is not an emoji name like clap or :tada:",
    )


@pytest.mark.parametrize(
    ("kudos_emoji", "rating_emoji", "name"),
    [
        pytest.param("+1", None, "+1", id="default-scale"),
        pytest.param(":+1:", None, "+1", id="colons"),
        pytest.param("RAGE", None, "rage", id="uppercase"),
        pytest.param("tada", "tada=5,meh=3", "tada", id="custom-scale"),
    ],
)
def test_kudos_emoji_that_also_rates_is_refused_naming_both_settings(
    kudos_emoji: str, rating_emoji: str | None, name: str
) -> None:
    values: dict[str, Any] = {"kudos_emoji": kudos_emoji}
    if rating_emoji is not None:
        values["rating_emoji"] = rating_emoji
    assert refusal(**values) == (
        (),
        f"KUDOS_EMOJI '{name}' is also in RATING_EMOJI: a reaction must either rate or thank, "
        "so choose another",
    )


def test_kudos_emoji_may_be_a_rating_emoji_once_the_scale_drops_it() -> None:
    settings = make_settings(kudos_emoji="+1", rating_emoji="tada=5,meh=3")
    assert settings.kudos_emoji == "+1"


# KUDOS_DAILY_LIMIT --------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2, 99, 100])
def test_daily_limit_within_bounds(limit: int) -> None:
    assert make_settings(kudos_daily_limit=limit).kudos_daily_limit == limit


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        (0, "Input should be greater than or equal to 1"),
        (-5, "Input should be greater than or equal to 1"),
        (101, "Input should be less than or equal to 100"),
        ("many", "Input should be a valid integer, unable to parse string as an integer"),
    ],
)
def test_daily_limit_out_of_bounds_is_refused(limit: object, message: str) -> None:
    assert refusal(kudos_daily_limit=limit) == (("kudos_daily_limit",), message)


# KUDOS_DIGEST_TIMEZONE ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Europe/London", "Europe/London"),
        ("America/Los_Angeles", "America/Los_Angeles"),
        (" Asia/Tokyo ", "Asia/Tokyo"),
        ("UTC", "UTC"),
    ],
)
def test_digest_timezone_accepted(given: str, expected: str) -> None:
    assert make_settings(kudos_digest_timezone=given).kudos_digest_timezone == expected


@pytest.mark.parametrize(
    "given", ["Mars/Base", "", "Europe/Londn", "../../etc/passwd", "+02:00", "America"]
)
def test_unknown_digest_timezone_is_refused(given: str) -> None:
    assert refusal(kudos_digest_timezone=given) == (
        ("kudos_digest_timezone",),
        f"'{given}' is not a time zone name like Europe/London or America/New_York",
    )


# The command line ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        pytest.param(
            "KUDOS_EMOJI",
            "+1",
            "pulsedesk: KUDOS_EMOJI '+1' is also in RATING_EMOJI: a reaction must either rate "
            "or thank, so choose another",
            id="emoji-rates",
        ),
        pytest.param(
            "KUDOS_EMOJI",
            "party parrot",
            "pulsedesk: KUDOS_EMOJI: 'party parrot' is not an emoji name like clap or :tada:",
            id="emoji-name",
        ),
        pytest.param(
            "KUDOS_CHANNEL",
            "#kudos",
            "pulsedesk: KUDOS_CHANNEL: '#kudos' is not a channel ID; use the ID (like "
            "C0123456789) shown at the bottom of the channel's details in Slack, not its name",
            id="channel",
        ),
        pytest.param(
            "KUDOS_DAILY_LIMIT",
            "0",
            "pulsedesk: KUDOS_DAILY_LIMIT: Input should be greater than or equal to 1",
            id="limit",
        ),
        pytest.param(
            "KUDOS_DIGEST_TIMEZONE",
            "Mars/Base",
            "pulsedesk: KUDOS_DIGEST_TIMEZONE: 'Mars/Base' is not a time zone name like "
            "Europe/London or America/New_York",
            id="timezone",
        ),
    ],
)
def test_bad_kudos_setting_exits_2_with_one_line(
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv(variable, value)
    assert main(["report"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [expected]
    assert captured.out == ""
    assert not (clean_environment / "pulsedesk.db").exists()


# The departments file's [kudos] table -------------------------------------------------------


def kudos_error(table: str) -> str:
    with pytest.raises(DepartmentsFileError) as caught:
        parse_config(PATH, IT_ENTRY + table)
    return str(caught.value)


@pytest.mark.parametrize(
    "table",
    [
        pytest.param("", id="absent"),
        pytest.param("\n[kudos]\n", id="empty-table"),
        pytest.param("\n[kudos]\nvalues = []\n", id="empty-list"),
    ],
)
def test_no_kudos_values(table: str) -> None:
    config = parse_config(PATH, IT_ENTRY + table)
    assert config.kudos_values == ()
    assert [department.key for department in config.departments] == ["it"]


def test_kudos_values_are_normalised_and_deduplicated() -> None:
    table = """
[kudos]
values = ["#Ownership", " Customer-First ", "ownership", "#OWNERSHIP", "be_kind", "2fast"]
"""
    assert parse_config(PATH, IT_ENTRY + table).kudos_values == (
        "ownership",
        "customer-first",
        "be_kind",
        "2fast",
    )


def test_kudos_table_before_the_departments() -> None:
    content = '[kudos]\nvalues = ["teamwork"]\n' + IT_ENTRY
    assert parse_config(PATH, content).kudos_values == ("teamwork",)


def test_a_hundred_kudos_values_are_accepted() -> None:
    values = ", ".join(f'"value-{index}"' for index in range(100))
    config = parse_config(PATH, IT_ENTRY + f"\n[kudos]\nvalues = [{values}]\n")
    assert len(config.kudos_values) == 100


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        pytest.param("two words", "two words", id="space"),
        pytest.param("#", "", id="only-hash"),
        pytest.param("", "", id="empty"),
        pytest.param("-first", "-first", id="leading-hyphen"),
        pytest.param("a" * 33, "a" * 33, id="too-long"),
        pytest.param("café", "café", id="accent"),
        pytest.param("team.work", "team.work", id="dot"),
    ],
)
def test_invalid_kudos_value_is_refused_naming_file_and_field(value: str, shown: str) -> None:
    assert kudos_error(f'\n[kudos]\nvalues = ["ok", "{value}"]\n') == (
        f"{PATH}: field \"kudos.values\": '{shown}' is not a value tag: use lowercase letters, "
        "digits, - and _ (up to 32), like customer-first"
    )


def test_unknown_key_in_kudos_table_is_refused() -> None:
    assert kudos_error('\n[kudos]\ncolours = ["red"]\n') == (
        f'{PATH}: field "kudos.colours": unknown field (check its spelling)'
    )


def test_misspelt_values_key_is_refused() -> None:
    assert kudos_error('\n[kudos]\nvalue = ["ownership"]\n') == (
        f'{PATH}: field "kudos.value": unknown field (check its spelling)'
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        pytest.param(
            '\n[kudos]\nvalues = "ownership"\n',
            'field "kudos.values": Input should be a valid list',
            id="not-a-list",
        ),
        pytest.param(
            "\n[kudos]\nvalues = [1]\n",
            'field "kudos.values.0": Input should be a valid string',
            id="not-a-string",
        ),
        pytest.param(
            "\n[kudos]\nvalues = [" + ", ".join(f'"v{index}"' for index in range(101)) + "]\n",
            'field "kudos.values": List should have at most 100 items after validation, not 101',
            id="over-a-hundred",
        ),
    ],
)
def test_malformed_kudos_values_are_refused(table: str, message: str) -> None:
    assert kudos_error(table) == f"{PATH}: {message}"
