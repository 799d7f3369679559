"""The departments file: parsed, normalised, and explained precisely when wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.departments import (
    DepartmentConfig,
    DepartmentsFileError,
    load_departments,
    parse_departments,
)
from bot.forms.messages import FIELDS_MAX
from bot.forms.rules import FieldDefinition, FieldType

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PATH = Path("config/departments.toml")

IT_ENTRY = """
[[departments]]
key = "it"
name = "IT Help Desk"
channel = "C0123456789"
"""


def hr_entry(**overrides: str) -> str:
    """A second entry; each override replaces or adds one `field = value` line (raw TOML)."""
    fields = {
        "key": '"hr"',
        "name": '"People Team"',
        "channel": '"C0123456780"',
    }
    fields.update(overrides)
    lines = [f"{field} = {value}" for field, value in fields.items() if value != "<omit>"]
    return "\n[[departments]]\n" + "\n".join(lines) + "\n"


def parse_error(content: str) -> str:
    with pytest.raises(DepartmentsFileError) as caught:
        parse_departments(PATH, content)
    return str(caught.value)


# Valid files --------------------------------------------------------------------------------


def test_parse_valid_file_normalises_and_dedupes() -> None:
    content = """
[[departments]]
key = "  IT "
name = "  IT Help Desk  "
channel = "C0123456789"
keywords = ["Laptop", "  New   LAPTOP  ", "vpn"]
aliases = ["Tech", "HELPDESK"]
agents = ["U0AAA", "U0BBB", "U0AAA", "W0CCC", "U0BBB"]
leads = ["U0LEAD", "U0LEAD"]

[[departments]]
key = "hr"
name = "People Team"
channel = "G0123456789"
"""
    it, hr = parse_departments(PATH, content)
    assert it == DepartmentConfig(
        key="it",
        name="IT Help Desk",
        channel="C0123456789",
        keywords=["laptop", "new laptop", "vpn"],
        aliases=["tech", "helpdesk"],
        agents=["U0AAA", "U0BBB", "W0CCC"],
        leads=["U0LEAD"],
    )
    assert hr.key == "hr"
    assert hr.channel == "G0123456789"
    assert (hr.keywords, hr.aliases, hr.agents, hr.leads) == ([], [], [], [])


def test_example_file_at_project_root_parses() -> None:
    departments = load_departments(PROJECT_ROOT / "departments.example.toml")
    assert [d.key for d in departments] == ["it", "hr", "facilities"]
    by_key = {d.key: d for d in departments}
    assert by_key["it"].aliases == ["tech"]
    assert "laptop" in by_key["it"].keywords
    assert all(d.channel.startswith("C") for d in departments)
    assert [(q.key, q.type) for q in by_key["it"].fields] == [
        ("device", FieldType.SELECT),
        ("needed_by", FieldType.DATE),
    ]
    assert [(q.key, q.required) for q in by_key["facilities"].fields] == [("location", True)]


def test_load_departments_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "departments.toml"
    path.write_text(IT_ENTRY + hr_entry(), encoding="utf-8")
    assert [d.key for d in load_departments(path)] == ["it", "hr"]


def test_load_departments_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope" / "departments.toml"
    with pytest.raises(DepartmentsFileError) as caught:
        load_departments(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "not found" in message
    assert "departments.example.toml" in message
    assert "DEPARTMENTS_FILE" in message


def test_load_departments_reports_errors_with_the_real_path(tmp_path: Path) -> None:
    path = tmp_path / "departments.toml"
    path.write_text(IT_ENTRY + hr_entry(channel='"#people"'), encoding="utf-8")
    with pytest.raises(DepartmentsFileError) as caught:
        load_departments(path)
    assert str(caught.value).startswith(f'{path}: departments[1] (key "hr"): field "channel"')


# Errors -------------------------------------------------------------------------------------


def test_malformed_toml_names_file_and_line() -> None:
    content = IT_ENTRY + '\n[[departments]]\nkey = "hr\nname = "People"\n'
    message = parse_error(content)
    assert message.startswith(f"{PATH}: not valid TOML: ")
    assert "line 8" in message


@pytest.mark.parametrize(
    ("entry", "where", "detail"),
    [
        pytest.param(
            hr_entry(name="<omit>"),
            'departments[1] (key "hr"): field "name"',
            "Field required",
            id="missing-name",
        ),
        pytest.param(
            hr_entry(channel="<omit>"),
            'departments[1] (key "hr"): field "channel"',
            "Field required",
            id="missing-channel",
        ),
        pytest.param(
            hr_entry(key="<omit>"),
            'departments[1]: field "key"',
            "Field required",
            id="missing-key",
        ),
        pytest.param(
            hr_entry(agent='["U0AAA"]'),
            'departments[1] (key "hr"): field "agent"',
            "unknown field (check its spelling)",
            id="unknown-field",
        ),
        pytest.param(
            hr_entry(key='"it"'),
            'departments[1] (key "it"): field "key"',
            '"it" is already used by department "it"',
            id="duplicate-key",
        ),
        pytest.param(
            hr_entry(key='"IT"'),
            'departments[1] (key "it"): field "key"',
            '"it" is already used by department "it"',
            id="duplicate-key-other-case",
        ),
        pytest.param(
            hr_entry(aliases='["people", "IT"]'),
            'departments[1] (key "hr"): field "aliases"',
            '"it" is already used by department "it"',
            id="alias-collides-with-key",
        ),
        pytest.param(
            hr_entry(key='"mine"'),
            'departments[1] (key "mine"): field "key"',
            '"mine" is reserved for a /request sub-command',
            id="reserved-key-mine",
        ),
        pytest.param(
            hr_entry(key='"Help"'),
            'departments[1] (key "help"): field "key"',
            '"help" is reserved for a /request sub-command',
            id="reserved-key-help",
        ),
        pytest.param(
            hr_entry(aliases='["people", "help"]'),
            'departments[1] (key "hr"): field "aliases"',
            '"help" is reserved for a /request sub-command',
            id="reserved-alias-help",
        ),
        pytest.param(
            hr_entry(aliases='["MINE"]'),
            'departments[1] (key "hr"): field "aliases"',
            '"mine" is reserved for a /request sub-command',
            id="reserved-alias-mine",
        ),
        pytest.param(
            hr_entry(aliases='["list"]'),
            'departments[1] (key "hr"): field "aliases"',
            '"list" is reserved for a /request sub-command',
            id="reserved-alias-list",
        ),
        pytest.param(
            hr_entry(channel='"#people"'),
            'departments[1] (key "hr"): field "channel"',
            "'#people' is not a channel ID",
            id="channel-name",
        ),
        pytest.param(
            hr_entry(channel='"people"'),
            'departments[1] (key "hr"): field "channel"',
            "'people' is not a channel ID",
            id="channel-bare-name",
        ),
        pytest.param(
            hr_entry(agents='["U0AAA", "bob"]'),
            'departments[1] (key "hr"): field "agents"',
            "'bob' is not a Slack user ID",
            id="bad-agent-id",
        ),
        pytest.param(
            hr_entry(leads='["@alex"]'),
            'departments[1] (key "hr"): field "leads"',
            "'@alex' is not a Slack user ID",
            id="bad-lead-id",
        ),
        pytest.param(
            hr_entry(key='"People Team"'),
            'departments[1] (key "People Team"): field "key"',
            "String should match pattern",
            id="key-with-space",
        ),
        pytest.param(
            hr_entry(name='"   "'),
            'departments[1] (key "hr"): field "name"',
            "must not be blank",
            id="blank-name",
        ),
    ],
)
def test_errors_name_file_entry_and_field(entry: str, where: str, detail: str) -> None:
    message = parse_error(IT_ENTRY + entry)
    assert message.startswith(f"{PATH}: {where}: ")
    assert detail in message


def test_alias_colliding_with_a_later_key_is_reported_on_the_later_entry() -> None:
    content = IT_ENTRY.replace('key = "it"', 'key = "it"\naliases = ["hr"]') + hr_entry()
    message = parse_error(content)
    assert message == (
        f'{PATH}: departments[1] (key "hr"): field "key": "hr" is already used by department "it"'
    )


def test_alias_equal_to_own_key_is_refused() -> None:
    content = IT_ENTRY.replace('key = "it"', 'key = "it"\naliases = ["it"]')
    message = parse_error(content)
    assert message.startswith(f'{PATH}: departments[0] (key "it"): field "aliases": ')


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        pytest.param("departments = []\n", "at least 1", id="empty-list"),
        pytest.param("", "Field required", id="empty-file"),
        pytest.param("# only a comment\n", "Field required", id="no-departments"),
    ],
)
def test_no_departments_is_an_error(content: str, detail: str) -> None:
    message = parse_error(content)
    assert message.startswith(f'{PATH}: field "departments": ')
    assert detail in message


def test_unknown_top_level_field() -> None:
    message = parse_error("departmnets = 1\n" + IT_ENTRY)
    assert message == f'{PATH}: field "departmnets": unknown field (check its spelling)'


def test_a_calendar_is_read_with_defaults_for_what_it_leaves_out() -> None:
    content = IT_ENTRY + 'calendar = { timezone = "Europe/Berlin", holidays = ["2026-12-25"] }\n'
    [it] = parse_departments(PATH, content)
    assert it.calendar is not None
    calendar = it.calendar.business_calendar()
    assert (calendar.zone.key, calendar.days, str(calendar.opens), str(calendar.closes)) == (
        "Europe/Berlin",
        frozenset(range(5)),
        "09:00:00",
        "18:00:00",
    )
    assert [str(day) for day in calendar.holidays] == ["2026-12-25"]


@pytest.mark.parametrize(
    ("calendar", "detail"),
    [
        ('{ timezone = "Berlin" }', "'Berlin' is not a time zone like Europe/Berlin"),
        ('{ timezone = "America" }', "'America' is not a time zone like Europe/Berlin"),
        ('{ timezone = "UTC", hours = "9-5" }', "is not a time like 09:00"),
        ('{ timezone = "UTC", days = "weekdays" }', "is not a day or a range like mon-fri"),
        ('{ timezone = "UTC", holidays = ["Christmas"] }', "is not a date like 2026-12-25"),
        ('{ hours = "09:00-18:00" }', "Field required"),
        ('{ timezone = "UTC", lunch = "12:00-13:00" }', "unknown field"),
    ],
)
def test_a_calendar_that_cannot_be_read_names_the_department_and_the_calendar(
    calendar: str, detail: str
) -> None:
    message = parse_error(IT_ENTRY + hr_entry(calendar=calendar))
    assert message.startswith(f'{PATH}: departments[1] (key "hr"): field "calendar')
    assert detail in message


def test_service_levels_are_read_with_high_urgencys_own_targets() -> None:
    content = (
        IT_ENTRY
        + 'sla = { first_response = "30M", resolution = "2d", '
        + 'high = { first_response = "15m", resolution = "4h" } }\n'
    )
    [it] = parse_departments(PATH, content)
    assert it.sla is not None
    levels = it.sla.service_levels()
    assert (levels.normal.first_response, levels.normal.resolution) == ("30m", "2d")
    assert levels.high is not None
    assert (levels.high.first_response, levels.high.resolution) == ("15m", "4h")
    assert levels.remind_at == 0.75


def test_the_reminder_share_can_be_set() -> None:
    [it] = parse_departments(PATH, IT_ENTRY + 'sla = { first_response = "1h", remind_at = 0.5 }\n')
    assert it.sla is not None
    assert it.sla.service_levels().remind_at == 0.5


@pytest.mark.parametrize(
    ("sla", "detail"),
    [
        ('{ first_response = "soon" }', "'soon' is not a duration like 30m, 4h or 2d"),
        ('{ resolution = "2w" }', "'2w' is not a duration"),
        ('{ high = { first_response = "0m" } }', "'0m' is not a duration"),
        ('{ first_reply = "1h" }', "unknown field"),
        ('{ first_response = "1h", remind_at = 1.5 }', "less than 1"),
        ('{ first_response = "1h", remind_at = 0 }', "greater than 0"),
        ('{ high = { first_response = "1h", remind_at = 0.5 } }', "unknown field"),
    ],
)
def test_service_levels_that_cannot_be_read_name_the_department_and_the_target(
    sla: str, detail: str
) -> None:
    message = parse_error(IT_ENTRY + hr_entry(sla=sla))
    assert message.startswith(f'{PATH}: departments[1] (key "hr"): field "sla')
    assert detail in message


# A department's own questions ---------------------------------------------------------------

EVERY_TYPE = """
[[departments.fields]]
key = "Device"
label = "  Device type  "
type = "select"
required = true
hint = "The one that is broken"
options = ["Laptop", " Phone ", "Monitor"]

[[departments.fields]]
key = "needed_by"
label = "Needed by"
type = "date"

[[departments.fields]]
key = "asset_tag"
label = "Asset tag"
type = "text"

[[departments.fields]]
key = "steps"
label = "What you tried"
type = "long_text"

[[departments.fields]]
key = "manager"
label = "Manager"
type = "user"

[[departments.fields]]
key = "budget"
label = "Budget (EUR)"
type = "number"
"""


def test_a_departments_questions_of_every_type_are_read_in_order() -> None:
    [it] = parse_departments(PATH, IT_ENTRY + EVERY_TYPE)
    definitions = [question.definition() for question in it.fields]
    assert [(d.key, d.type) for d in definitions] == [
        ("device", FieldType.SELECT),
        ("needed_by", FieldType.DATE),
        ("asset_tag", FieldType.TEXT),
        ("steps", FieldType.LONG_TEXT),
        ("manager", FieldType.USER),
        ("budget", FieldType.NUMBER),
    ]
    device = definitions[0]
    assert device == FieldDefinition(
        "device",
        "Device type",
        FieldType.SELECT,
        required=True,
        hint="The one that is broken",
        options=("Laptop", "Phone", "Monitor"),
    )
    assert not any(d.required or d.hint or d.options for d in definitions[1:])
    assert FieldDefinition.from_stored(device.stored()) == device


def test_a_department_without_questions_asks_none() -> None:
    [it] = parse_departments(PATH, IT_ENTRY)
    assert it.fields == []


def _question(**lines: str) -> str:
    """A second department with one question; each keyword is one raw TOML line."""
    body = {"key": '"laptop"', "label": '"Laptop"', "type": '"text"', **lines}
    rows = "\n".join(f"{name} = {value}" for name, value in body.items() if value != "<omit>")
    return (
        hr_entry()
        + '\n[[departments.fields]]\nkey = "first"\nlabel = "First"\ntype = "text"\n'
        + ("\n[[departments.fields]]\n" + rows + "\n")
    )


@pytest.mark.parametrize(
    ("lines", "where", "detail"),
    [
        ({"type": '"checkbox"'}, 'field "type"', "Input should be 'text', 'long_text'"),
        ({"type": '"select"'}, "", 'a "select" needs its options'),
        ({"type": '"select"', "options": "[]"}, "", 'a "select" needs its options'),
        ({"options": '["a"]'}, "", 'only a "select" has options, not a "text"'),
        ({"key": '"2fast"'}, 'field "key"', "'2fast' is not a field key: use lowercase"),
        ({"key": '"with space"'}, 'field "key"', "'with space' is not a field key"),
        ({"key": '"a-b"'}, 'field "key"', "'a-b' is not a field key"),
        ({"key": '"' + "k" * 33 + '"'}, 'field "key"', "is not a field key"),
        ({"key": "3"}, 'field "key"', "Input should be a valid string"),
        ({"label": '"   "'}, 'field "label"', "must not be blank"),
        ({"label": '"' + "L" * 2001 + '"'}, 'field "label"', "at most 2000 characters"),
        ({"label": "<omit>"}, 'field "label"', "Field required"),
        ({"hint": '"' + "h" * 2001 + '"'}, 'field "hint"', "at most 2000 characters"),
        ({"required": '"yes"'}, 'field "required"', "Input should be a valid boolean"),
        ({"placeholder": '"x"'}, 'field "placeholder"', "unknown field"),
        (
            {"type": '"select"', "options": '["' + "o" * 76 + '"]'},
            'field "options.0"',
            "at most 75 characters",
        ),
        (
            {"type": '"select"', "options": str([f"o{n}" for n in range(101)])},
            'field "options"',
            "at most 100 items",
        ),
        ({"type": '"select"', "options": '["A", " A"]'}, 'field "options"', "'A' is listed twice"),
        ({"key": '"first"'}, "", "the key is already used by fields[0]"),
    ],
)
def test_a_bad_question_is_refused_naming_the_department_and_the_question(
    lines: dict[str, str], where: str, detail: str
) -> None:
    message = parse_error(IT_ENTRY + _question(**lines))
    key = lines.get("key", '"laptop"')
    # A key that is not text cannot name the question.
    named = f" (key {key})" if key.startswith('"') else ""
    location = f'{PATH}: departments[1] (key "hr"): fields[1]{named}'
    assert message.startswith(location + (f": {where}" if where else ": "))
    assert detail in message


def test_more_questions_than_a_form_holds_are_refused() -> None:
    questions = "".join(
        f'\n[[departments.fields]]\nkey = "q{n}"\nlabel = "Q{n}"\ntype = "text"\n'
        for n in range(FIELDS_MAX + 1)
    )
    message = parse_error(IT_ENTRY + questions)
    assert message.startswith(f'{PATH}: departments[0] (key "it"): field "fields": ')
    assert f"at most {FIELDS_MAX} fields" in message
    parse_departments(PATH, IT_ENTRY + questions.rsplit("\n[[departments.fields]]", 1)[0])


def test_waiting_on_the_requester_may_nudge_then_close() -> None:
    [it] = parse_departments(PATH, IT_ENTRY + 'stale_after = "3D"\nauto_close_after = "7d"\n')
    assert (it.stale_after, it.auto_close_after) == ("3d", "7d")
    [plain] = parse_departments(PATH, IT_ENTRY)
    assert (plain.stale_after, plain.auto_close_after) == (None, None)


@pytest.mark.parametrize(
    ("lines", "detail"),
    [
        ({"stale_after": '"soon"'}, "'soon' is not a duration like 30m, 4h or 2d"),
        ({"auto_close_after": '"0d"'}, "'0d' is not a duration"),
        (
            {"stale_after": '"7d"', "auto_close_after": '"3d"'},
            "stale_after must be shorter than auto_close_after",
        ),
    ],
)
def test_waiting_delays_that_cannot_be_used_name_the_department(
    lines: dict[str, str], detail: str
) -> None:
    message = parse_error(IT_ENTRY + hr_entry(**lines))
    assert message.startswith(f'{PATH}: departments[1] (key "hr")')
    assert detail in message


def test_a_request_emoji_belongs_to_one_department() -> None:
    [it] = parse_departments(PATH, IT_ENTRY + 'request_emoji = ":Computer:"\n')
    assert it.request_emoji == "computer"
    message = parse_error(
        IT_ENTRY + 'request_emoji = "computer"\n' + hr_entry(request_emoji='"computer"')
    )
    assert message == (
        f'{PATH}: departments[1] (key "hr"): field "request_emoji": "computer" already files '
        'requests with department "it"'
    )
    assert "is not an emoji name" in parse_error(IT_ENTRY + hr_entry(request_emoji='"two words"'))


def test_a_private_department_must_name_its_agents() -> None:
    message = parse_error(IT_ENTRY + hr_entry(private="true"))
    assert message.startswith(f'{PATH}: departments[1] (key "hr")')
    assert "a private department must list its agents" in message
    [_, hr] = parse_departments(PATH, IT_ENTRY + hr_entry(private="true", agents='["U0HR1"]'))
    assert hr.private is True
