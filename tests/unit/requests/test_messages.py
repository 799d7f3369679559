"""Every Block Kit builder, fed hostile and oversized input, checked against Slack's limits."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.blockkit import build_notice
from bot.business_time import BusinessCalendar
from bot.home.messages import build_home_view
from bot.ids import (
    ActionId,
    decode_card_actions_block_id,
    decode_request_id,
    encode_card_actions_block_id,
    encode_request_id,
)
from bot.requests.messages import (
    MINE_LIST_MAX,
    build_ask_for_department,
    build_assigned_dm,
    build_cancelled_dm,
    build_claimed_dm,
    build_filed_confirmation,
    build_help,
    build_my_requests,
    build_reopened_dm,
    build_request_card,
    build_requester_update,
    build_resolved_dm,
    build_unclaimed_dm,
)
from bot.requests.rules import DepartmentSnapshot, RequestSnapshot, RequestStatus, Urgency
from bot.sandbox.limits import block_kit_problems, message_problems
from tests.markup import (
    BROKEN_ENTITY,
    assert_no_dangerous_markup,
    blocks_of_type,
    dumped,
    escaped_texts,
)

Message = dict[str, Any]

REQUESTER = "U0REQUESTER"
AGENT = "U0AGENT"
LEAD = "U0LEAD"
CREATED = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
RESOLVED_AT = datetime(2024, 3, 2, 17, 0, tzinfo=UTC)


MENTION_TEXT = (
    "<!channel> <!here> <!everyone> please look, <@U123>! "
    "See <#C123> and <https://evil.example|this link> & fix it"
)
TEXTS: dict[str, str] = {
    "short": "My laptop will not boot",
    "long-10000": ("printer jam on floor three " * 400)[:10_000],
    "long-10000-no-spaces": "x" * 10_000,
    "mentions": MENTION_TEXT,
    "mentions-long": (MENTION_TEXT + "\n") * 100,
    "ampersands-10000": "&" * 10_000,
    "angles-10000": "<>" * 5_000,
    "unicode": (
        "Ünïcödé 🚀✨ 👩🏽‍💻 日本語のテキスト "
        "\U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521\U0001d522"
        " ñ\nsecond line 🎉"
    ),
    "first-line-150": "VPN " + "drops every few minutes " * 8 + "\nsecond line",
    "first-line-200-unicode": "🚀" * 200 + "\nrest",
    "empty": "",
    "blank": "   \n  ",
}

NORMAL_DEPARTMENT = DepartmentSnapshot(
    id=1, key="it", name="IT Help Desk", channel_id="C0123456789", agents=(AGENT,), leads=(LEAD,)
)
LONG_DEPARTMENT = DepartmentSnapshot(
    id=2,
    key="research-and-dev",
    name=("R&D <Ops> 🚀 " * 20)[:200],
    channel_id="C0123456780",
    agents=(),
    leads=(),
)
DEPARTMENTS = {"normal-dept": NORMAL_DEPARTMENT, "long-dept": LONG_DEPARTMENT}


def make_request(
    *,
    status: RequestStatus,
    text: str = "My laptop will not boot",
    department: DepartmentSnapshot = NORMAL_DEPARTMENT,
    request_id: int = 42,
    urgency: Urgency = Urgency.NORMAL,
) -> RequestSnapshot:
    assigned = status in (RequestStatus.CLAIMED, RequestStatus.RESOLVED)
    resolved = status is RequestStatus.RESOLVED
    return RequestSnapshot(
        id=request_id,
        team_id="T0TEAM",
        department=department,
        requester_id=REQUESTER,
        text=text,
        urgency=urgency,
        status=status,
        assignee_id=AGENT if assigned else None,
        created_at=CREATED,
        resolved_at=RESOLVED_AT if resolved else None,
        closed_by_id=AGENT
        if resolved
        else (REQUESTER if status is RequestStatus.CANCELLED else None),
        card_channel_id=department.channel_id,
        card_ts="1700000000.000100",
    )


def many_departments(count: int, *, name_length: int = 200) -> list[DepartmentSnapshot]:
    return [
        DepartmentSnapshot(
            id=index,
            key=f"dept-{index}",
            name=(f"Dept {index} R&D <Ops> " + "ü🚀x" * name_length)[:name_length],
            channel_id=f"C{index:010d}",
            agents=(),
            leads=(),
        )
        for index in range(count)
    ]


def all_texts(payload: Any) -> list[str]:
    """Every `text` string: text objects and a message's fallback text."""
    found: list[str] = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key == "text" and isinstance(value, str):
                found.append(value)
            else:
                found += all_texts(value)
    elif isinstance(payload, list):
        for item in payload:
            found += all_texts(item)
    return found


# The message builders, each from one request (and the department list for the few that need it).
MessageBuilder = Callable[[RequestSnapshot], Message]

MESSAGE_BUILDERS: dict[str, MessageBuilder] = {
    "card": lambda request: build_request_card(request, now=CREATED),
    "filed-confirmation-posted": lambda r: build_filed_confirmation(r, card_posted=True),
    "filed-confirmation-not-posted": lambda r: build_filed_confirmation(r, card_posted=False),
    "claimed-dm": build_claimed_dm,
    "unclaimed-dm": build_unclaimed_dm,
    "assigned-dm": lambda r: build_assigned_dm(r, assigned_by=LEAD),
    "resolved-dm": build_resolved_dm,
    "reopened-dm": build_reopened_dm,
    "cancelled-dm": build_cancelled_dm,
    "requester-update-cancelled": lambda r: build_requester_update(r, action_done="cancelled"),
    "requester-update-reopened": lambda r: build_requester_update(r, action_done="reopened"),
    "my-requests-one": lambda r: build_my_requests([r]),
    "my-requests-sixty": lambda r: build_my_requests(
        [
            make_request(status=r.status, text=r.text, department=r.department, request_id=i)
            for i in range(60)
        ]
    ),
    "ask-for-department": lambda r: build_ask_for_department([r.department]),
    "help": lambda r: build_help([replace(r.department, aliases=("alias",))]),
}
VIEW_BUILDERS: dict[str, Callable[[RequestSnapshot], dict[str, Any]]] = {
    "home-one": lambda r: build_home_view([r], [r.department]),
    "home-sixty": lambda r: build_home_view(
        [
            make_request(status=r.status, text=r.text, department=r.department, request_id=i)
            for i in range(60)
        ],
        [r.department],
    ),
}


def _mention_cases(builders: Sequence[str]) -> list[Any]:
    cases = []
    for builder in builders:
        for status in RequestStatus:
            for text_id in ("mentions", "mentions-long"):
                cases.append(
                    pytest.param(builder, status, text_id, id=f"{builder}-{status}-{text_id}")
                )
    return cases


@pytest.mark.parametrize("department_id", list(DEPARTMENTS))
@pytest.mark.parametrize("text_id", list(TEXTS))
@pytest.mark.parametrize("status", list(RequestStatus))
@pytest.mark.parametrize("builder", list(MESSAGE_BUILDERS))
def test_message_builders_stay_within_block_kit_limits(
    builder: str, status: RequestStatus, text_id: str, department_id: str
) -> None:
    request = make_request(
        status=status, text=TEXTS[text_id], department=DEPARTMENTS[department_id]
    )
    message = MESSAGE_BUILDERS[builder](request)
    assert message_problems(message) == []


@pytest.mark.parametrize("department_id", list(DEPARTMENTS))
@pytest.mark.parametrize("text_id", list(TEXTS))
@pytest.mark.parametrize("status", list(RequestStatus))
@pytest.mark.parametrize("builder", list(VIEW_BUILDERS))
def test_home_view_stays_within_block_kit_limits(
    builder: str, status: RequestStatus, text_id: str, department_id: str
) -> None:
    request = make_request(
        status=status, text=TEXTS[text_id], department=DEPARTMENTS[department_id]
    )
    view = VIEW_BUILDERS[builder](request)
    assert view["type"] == "home"
    assert block_kit_problems(view, surface="view") == []
    assert_no_dangerous_markup(view)


@pytest.mark.parametrize(("builder", "status", "text_id"), _mention_cases(list(MESSAGE_BUILDERS)))
def test_message_builders_never_send_user_markup_unescaped(
    builder: str, status: RequestStatus, text_id: str
) -> None:
    request = make_request(status=status, text=TEXTS[text_id])
    message = MESSAGE_BUILDERS[builder](request)
    assert message_problems(message) == []
    assert_no_dangerous_markup(message)


@pytest.mark.parametrize("status", list(RequestStatus))
def test_card_body_and_fallback_escape_user_markup(status: RequestStatus) -> None:
    card = build_request_card(make_request(status=status, text=MENTION_TEXT), now=CREATED)
    without_header = {**card, "blocks": [b for b in card["blocks"] if b["type"] != "header"]}
    assert_no_dangerous_markup(without_header)
    body = card["blocks"][1]["text"]["text"]
    assert body.startswith("&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt;")
    assert "&lt;@U123&gt;" in body
    assert "&lt;!channel&gt;" in card["text"]


@pytest.mark.parametrize(
    "builder",
    list(MESSAGE_BUILDERS),
)
def test_message_builders_never_cut_an_entity_in_half(builder: str) -> None:
    # 80 ampersands are 400 characters escaped: more than the 300 of a fallback text.
    department = DepartmentSnapshot(3, "amp", "&" * 200, "C0123456789", (), ())
    problems = []
    for status in RequestStatus:
        for text in ("&" * 10_000, "a&" * 5_000, "<" * 10_000):
            message = MESSAGE_BUILDERS[builder](
                make_request(status=status, text=text, department=department)
            )
            assert message_problems(message) == []
            problems += [t[-12:] for t in escaped_texts(message) if BROKEN_ENTITY.search(t)]
    assert problems == []


def test_help_with_many_departments_never_cuts_an_entity_in_half() -> None:
    departments = [
        DepartmentSnapshot(i, f"d{i}", "R&D " * 2 + "x", "C0123456789", (), ()) for i in range(120)
    ]
    message = build_help(departments)
    assert message_problems(message) == []
    assert [t for t in escaped_texts(message) if BROKEN_ENTITY.search(t)] == []


def test_build_notice_bounds_section_and_fallback() -> None:
    message = build_notice("word " * 2_000)
    assert message_problems(message) == []
    assert len(message["text"]) <= 300
    assert len(message["blocks"][0]["text"]["text"]) <= 3000


# The card's actions, per status ------------------------------------------------------------


def _card_actions(card: Message) -> list[dict[str, Any]]:
    return blocks_of_type(card, "actions")


def test_open_card_offers_claim_resolve_wait_and_assign() -> None:
    request = make_request(status=RequestStatus.OPEN, request_id=7)
    card = build_request_card(request, now=CREATED)
    [block] = _card_actions(card)
    assert block["block_id"] == encode_card_actions_block_id(7)
    assert decode_card_actions_block_id(block["block_id"]) == 7
    claim, resolve, wait, assign = block["elements"]
    assert (wait["action_id"], wait["value"]) == (ActionId.WAIT, "req:7")
    assert (claim["type"], claim["action_id"], claim["value"]) == (
        "button",
        ActionId.CLAIM,
        "req:7",
    )
    assert claim["style"] == "primary"
    assert claim["text"]["text"] == "Claim"
    assert (resolve["type"], resolve["action_id"], resolve["value"]) == (
        "button",
        ActionId.RESOLVE,
        "req:7",
    )
    assert "style" not in resolve
    assert assign["type"] == "users_select"
    assert assign["action_id"] == ActionId.REASSIGN
    assert "initial_user" not in assign
    assert decode_request_id(claim["value"]) == 7
    assert decode_request_id(resolve["value"]) == 7


def test_claimed_card_offers_resolve_unclaim_wait_and_reassign() -> None:
    request = make_request(status=RequestStatus.CLAIMED, request_id=8)
    card = build_request_card(request, now=CREATED)
    [block] = _card_actions(card)
    assert decode_card_actions_block_id(block["block_id"]) == 8
    resolve, unclaim, wait, reassign = block["elements"]
    assert wait["action_id"] == ActionId.WAIT
    assert (resolve["action_id"], resolve["value"], resolve["style"]) == (
        ActionId.RESOLVE,
        "req:8",
        "primary",
    )
    assert (unclaim["action_id"], unclaim["value"]) == (ActionId.UNCLAIM, "req:8")
    assert reassign["type"] == "users_select"
    assert reassign["action_id"] == ActionId.REASSIGN
    assert reassign["initial_user"] == AGENT
    action_ids = {element["action_id"] for element in block["elements"]}
    assert ActionId.CLAIM not in action_ids
    assert f"<@{AGENT}>" in dumped(card["blocks"][2])


def test_a_card_waiting_on_the_requester_offers_stop_waiting_and_resolve() -> None:
    request = replace(
        make_request(status=RequestStatus.WAITING, request_id=9), waiting_since=CREATED
    )
    card = build_request_card(request, now=CREATED)
    [block] = _card_actions(card)
    assert [e["action_id"] for e in block["elements"]] == [ActionId.STOP_WAITING, ActionId.RESOLVE]
    assert "Waiting on requester" in dumped(card)
    assert "since" in dumped(card)


@pytest.mark.parametrize("status", [RequestStatus.RESOLVED, RequestStatus.CANCELLED])
def test_closed_card_has_no_actions(status: RequestStatus) -> None:
    card = build_request_card(make_request(status=status), now=CREATED)
    assert _card_actions(card) == []
    assert "action_id" not in dumped(card)


def test_resolved_card_says_who_resolved_it() -> None:
    card = build_request_card(make_request(status=RequestStatus.RESOLVED), now=CREATED)
    contexts = [b["elements"][0]["text"] for b in blocks_of_type(card, "context")]
    assert any(text.startswith(f"Resolved by <@{AGENT}>") for text in contexts)


def test_cancelled_card_says_it_was_cancelled() -> None:
    card = build_request_card(make_request(status=RequestStatus.CANCELLED), now=CREATED)
    contexts = [b["elements"][0]["text"] for b in blocks_of_type(card, "context")]
    assert "Cancelled by the requester" in contexts


@pytest.mark.parametrize("status", list(RequestStatus))
def test_card_shows_status_requester_and_department(status: RequestStatus) -> None:
    card = build_request_card(make_request(status=status, department=LONG_DEPARTMENT), now=CREATED)
    assert card["blocks"][0]["type"] == "header"
    assert card["blocks"][0]["text"]["text"].startswith("REQ-42 · ")
    assert f"<@{REQUESTER}>" in dumped(card["blocks"][2])
    assert f"[{status.value}]" in card["text"]
    last = card["blocks"][-1]["elements"][0]["text"]
    assert last.startswith("R&amp;D &lt;Ops&gt;")
    assert last.endswith("· REQ-42")


def test_card_without_description() -> None:
    card = build_request_card(make_request(status=RequestStatus.OPEN, text=""), now=CREATED)
    assert card["blocks"][1]["text"]["text"] == "_(no description)_"
    assert "(no description)" in card["blocks"][0]["text"]["text"]
    assert message_problems(card) == []


def test_card_body_keeps_the_start_of_long_text() -> None:
    text = "start " + "y" * 9_990
    body = build_request_card(make_request(status=RequestStatus.OPEN, text=text), now=CREATED)[
        "blocks"
    ][1]
    assert body["text"]["text"].startswith("start yyy")
    assert len(body["text"]["text"]) <= 3000


def test_filed_confirmation_cancel_button() -> None:
    message = build_filed_confirmation(
        make_request(status=RequestStatus.OPEN, request_id=9), card_posted=True
    )
    [block] = blocks_of_type(message, "actions")
    [cancel] = block["elements"]
    assert (cancel["action_id"], cancel["value"], cancel["style"]) == (
        ActionId.CANCEL,
        "req:9",
        "danger",
    )


def test_filed_confirmation_warns_when_card_not_posted() -> None:
    message = build_filed_confirmation(make_request(status=RequestStatus.OPEN), card_posted=False)
    assert "<#C0123456789>" in dumped(message)
    assert ":warning:" in dumped(message)


def test_resolved_dm_offers_reopen() -> None:
    message = build_resolved_dm(make_request(status=RequestStatus.RESOLVED, request_id=11))
    [block] = blocks_of_type(message, "actions")
    [reopen] = block["elements"]
    assert (reopen["action_id"], reopen["value"]) == (ActionId.REOPEN, "req:11")


# build_my_requests -------------------------------------------------------------------------


def test_my_requests_empty() -> None:
    message = build_my_requests([])
    assert message_problems(message) == []
    assert "no open requests" in message["text"]
    assert blocks_of_type(message, "actions") == []
    assert "accessory" not in dumped(message)


@pytest.mark.parametrize("text_id", list(TEXTS))
def test_my_requests_sixty(text_id: str) -> None:
    requests = [
        make_request(
            status=RequestStatus.OPEN if i % 2 else RequestStatus.CLAIMED,
            text=TEXTS[text_id],
            department=LONG_DEPARTMENT,
            request_id=1000 + i,
        )
        for i in range(60)
    ]
    message = build_my_requests(requests)
    assert message_problems(message) == []
    assert_no_dangerous_markup(message)
    sections = [b for b in message["blocks"] if b["type"] == "section"]
    assert len(sections) == MINE_LIST_MAX
    values = [section["accessory"]["value"] for section in sections]
    assert [decode_request_id(v) for v in values] == [1000 + i for i in range(MINE_LIST_MAX)]
    assert all(s["accessory"]["action_id"] == ActionId.CANCEL for s in sections)
    assert message["blocks"][-1]["type"] == "context"
    assert "40 older" in message["blocks"][-1]["elements"][0]["text"]
    assert "60" in message["text"]


def test_my_requests_exactly_the_limit_has_no_overflow_note() -> None:
    requests = [make_request(status=RequestStatus.OPEN, request_id=i) for i in range(MINE_LIST_MAX)]
    message = build_my_requests(requests)
    assert message_problems(message) == []
    assert blocks_of_type(message, "context") == []


# Help and asking for a department -----------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 100, 101, 150])
def test_help_with_many_departments(count: int) -> None:
    departments = [
        replace(d, aliases=(f"{d.key}-alias", "<!channel>")) for d in many_departments(count)
    ]
    message = build_help(departments)
    assert message_problems(message) == []
    assert_no_dangerous_markup(message)
    listing = message["blocks"][2]["text"]["text"]
    if count == 0:
        assert "No departments are configured" in listing
    else:
        assert "`dept-0`" in listing
        assert "`dept-0-alias`" in listing


def test_help_lists_keys_aliases_and_escaped_names() -> None:
    message = build_help([LONG_DEPARTMENT, replace(NORMAL_DEPARTMENT, aliases=("tech",))])
    listing = message["blocks"][2]["text"]["text"]
    assert "• `it`, `tech`: IT Help Desk" in listing
    assert "• `research-and-dev`: R&amp;D &lt;Ops&gt;" in listing


@pytest.mark.parametrize("count", [0, 1, 150])
def test_ask_for_department(count: int) -> None:
    message = build_ask_for_department(many_departments(count))
    assert message_problems(message) == []
    text = message["blocks"][0]["text"]["text"]
    assert ("`dept-0`" in text) if count else ("(none configured)" in text)


# The Home tab -------------------------------------------------------------------------------


@pytest.mark.parametrize("request_count", [0, 1, 60])
@pytest.mark.parametrize("department_count", [0, 1, 150])
def test_home_view_with_many_requests_and_departments(
    request_count: int, department_count: int
) -> None:
    departments = many_departments(department_count)
    requests = [
        make_request(status=RequestStatus.OPEN, text=MENTION_TEXT * 50, request_id=i)
        for i in range(request_count)
    ]
    view = build_home_view(requests, departments)
    assert block_kit_problems(view, surface="view") == []
    assert_no_dangerous_markup(view)
    assert not [t for t in escaped_texts(view) if BROKEN_ENTITY.search(t)]
    has_department_line = any("Departments: " in t for t in all_texts(view))
    assert has_department_line is (department_count > 0)


# ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("request_id", [0, 1, 42, 2**31 - 1, 2**31, 10**15])
def test_request_id_round_trips(request_id: int) -> None:
    assert decode_request_id(encode_request_id(request_id)) == request_id
    block_id = encode_card_actions_block_id(request_id)
    assert decode_card_actions_block_id(block_id) == request_id
    assert len(block_id) <= 255
    # The two codecs do not accept each other's values.
    assert decode_request_id(block_id) is None
    assert decode_card_actions_block_id(encode_request_id(request_id)) is None


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "req:",
        "req",
        "42",
        "req:abc",
        "req:-1",
        "req:+1",
        "req:1.5",
        "req: 1",
        "req:1 ",
        " req:1",
        "REQ:1",
        "req:1e3",
        "req:١٢",
        "req:²",
        "card_actions:1",
    ],
)
def test_decode_request_id_rejects_foreign_values(value: str | None) -> None:
    assert decode_request_id(value) is None


@pytest.mark.parametrize(
    "block_id",
    [
        None,
        "",
        "card_actions:",
        "card_actions",
        "card_actions:x",
        "card_actions:-3",
        "req:3",
        "department",
        "card_actions:٣",
    ],
)
def test_decode_card_actions_block_id_rejects_foreign_values(block_id: str | None) -> None:
    assert decode_card_actions_block_id(block_id) is None


def test_every_button_value_in_every_builder_decodes_to_the_request() -> None:
    for status in RequestStatus:
        request = make_request(status=status, request_id=314)
        for name, builder in MESSAGE_BUILDERS.items():
            values = re.findall(r'"value": "(req:[^"]*)"', dumped(builder(request)))
            if name == "my-requests-sixty":
                assert [decode_request_id(v) for v in values] == list(range(MINE_LIST_MAX))
            else:
                assert all(decode_request_id(v) == 314 for v in values), name


def _with_hours(department: DepartmentSnapshot, **calendar: Any) -> DepartmentSnapshot:
    fields = {"timezone": "Europe/Berlin", "hours": "09:00-18:00", "days": "mon-fri", **calendar}
    return replace(department, calendar=BusinessCalendar.parse(**fields))


def _note(department: DepartmentSnapshot) -> str:
    message = build_filed_confirmation(
        make_request(status=RequestStatus.OPEN, department=department), card_posted=True
    )
    [context_block] = blocks_of_type(message, "context")
    return str(context_block["elements"][0]["text"])


@pytest.mark.parametrize(
    ("calendar", "back"),
    [
        # Filed on Friday 1 March 2024 at 10:30 in Berlin.
        ({}, None),
        ({"hours": "12:00-18:00"}, "IT Help Desk is back Friday 12:00 (Europe/Berlin)."),
        ({"days": "mon-thu"}, "IT Help Desk is back Monday 09:00 (Europe/Berlin)."),
        (
            {
                "days": "mon-thu",
                "holidays": ["2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07"],
            },
            "IT Help Desk is back Monday 11 March 09:00 (Europe/Berlin).",
        ),
        (
            {"timezone": "America/Los_Angeles"},
            "IT Help Desk is back Friday 09:00 (America/Los_Angeles).",
        ),
    ],
)
def test_a_request_filed_outside_the_departments_hours_says_when_it_is_back(
    calendar: dict[str, Any], back: str | None
) -> None:
    note = _note(_with_hours(NORMAL_DEPARTMENT, **calendar))
    if back is None:
        assert "is back" not in note
    else:
        assert note.startswith(f":zzz: {back} ")
    assert "You'll get a DM when someone picks it up." in note


def test_without_hours_a_department_is_never_away() -> None:
    assert "is back" not in _note(NORMAL_DEPARTMENT)


def test_the_away_note_escapes_the_departments_name() -> None:
    note = _note(_with_hours(LONG_DEPARTMENT, days="sat"))
    assert "&lt;Ops&gt;" in note
    assert "<Ops>" not in note
