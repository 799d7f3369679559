"""Satisfaction Block Kit: pulse question, answered and closed forms, recovery, leads, modal."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.ids import ActionId, BlockId, CallbackId, decode_pulse_id, decode_request_id
from bot.requests.messages import build_request_card, build_resolved_dm
from bot.requests.rules import DepartmentSnapshot, RequestSnapshot, RequestStatus, Urgency
from bot.sandbox.limits import block_kit_problems, message_problems
from bot.satisfaction.messages import (
    build_comment_forward,
    build_comment_modal,
    build_lead_alert,
    build_pulse_answered,
    build_pulse_closed,
    build_pulse_question,
    build_recovery_offer,
    build_talk_to_lead,
    build_talk_to_lead_sent,
    rating_hint,
)
from bot.satisfaction.rules import DEFAULT_RATING_EMOJI, RatingScale
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
CREATED = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
RESOLVED_AT = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
CLOSES_AT = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)
PULSE_ID = 314
REQUEST_ID = 42
SCALE = RatingScale.parse(DEFAULT_RATING_EMOJI)

MENTIONS = "<!channel> <!here> <!everyone> ping <@U123> in <#C123> via <https://evil.example|x> &"

TEXTS = {
    "short": "My laptop will not boot",
    "long-3000": ("printer jam on floor three " * 120)[:3000],
    "no-spaces-3000": "x" * 3000,
    "mentions": MENTIONS,
    "mentions-long": (MENTIONS + "\n") * 40,
    "ampersands": "&" * 3000,
    "empty": "",
}
COMMENTS: dict[str, str | None] = {
    "none": None,
    "short": "Fixed fast, thanks!",
    "mentions": MENTIONS,
    "long-3000": ("more words here " * 200)[:3000],
    "angles-3000": "<>" * 1500,
    "newlines-3000": "a\n" * 1500,
}

NORMAL_DEPARTMENT = DepartmentSnapshot(
    id=1, key="it", name="IT Help Desk", channel_id="C0IT000001", agents=(AGENT,), leads=(LEAD,)
)
HOSTILE_DEPARTMENT = DepartmentSnapshot(
    id=2,
    key="ops",
    name="<!channel> R&D <@U123> " + "&<>" * 60,
    channel_id="C0OPS00001",
    agents=(),
    leads=(),
)
DEPARTMENTS = {"normal": NORMAL_DEPARTMENT, "hostile": HOSTILE_DEPARTMENT}


def make_request(
    *,
    text: str = "My laptop will not boot",
    department: DepartmentSnapshot = NORMAL_DEPARTMENT,
    closed_by: str | None = AGENT,
    rating: int | None = None,
    status: RequestStatus = RequestStatus.RESOLVED,
) -> RequestSnapshot:
    resolved = status is RequestStatus.RESOLVED
    return RequestSnapshot(
        id=REQUEST_ID,
        team_id="T0TEAM",
        department=department,
        requester_id=REQUESTER,
        text=text,
        urgency=Urgency.NORMAL,
        status=status,
        assignee_id=AGENT if resolved else None,
        created_at=CREATED,
        resolved_at=RESOLVED_AT if resolved else None,
        closed_by_id=closed_by if resolved else None,
        card_channel_id=department.channel_id,
        card_ts="1700000000.000100",
        rating=rating,
    )


def buttons(message: Message) -> list[dict[str, Any]]:
    return [
        element
        for block in blocks_of_type(message, "actions")
        for element in block["elements"]
        if element["type"] == "button"
    ]


def section_texts(message: Message) -> list[str]:
    return [block["text"]["text"] for block in blocks_of_type(message, "section")]


def context_texts(message: Message) -> list[str]:
    return [
        element["text"]
        for block in blocks_of_type(message, "context")
        for element in block["elements"]
    ]


MessageBuilder = Callable[[RequestSnapshot, str | None], Message]

MESSAGE_BUILDERS: dict[str, MessageBuilder] = {
    "question": lambda r, c: build_pulse_question(
        r, pulse_id=PULSE_ID, scale=SCALE, closes_at=CLOSES_AT
    ),
    "question-current": lambda r, c: build_pulse_question(
        r, pulse_id=PULSE_ID, scale=SCALE, closes_at=CLOSES_AT, current=2
    ),
    "answered-low": lambda r, c: build_pulse_answered(
        r, pulse_id=PULSE_ID, score=1, has_comment=c is not None
    ),
    "answered-high": lambda r, c: build_pulse_answered(
        r, pulse_id=PULSE_ID, score=5, has_comment=c is not None
    ),
    "closed-rated": lambda r, c: build_pulse_closed(r, score=4),
    "closed-unrated": lambda r, c: build_pulse_closed(r, score=None),
    "recovery-offer": lambda r, c: build_recovery_offer(r, score=2),
    "lead-alert": lambda r, c: build_lead_alert(r, score=1, comment=c),
    "lead-alert-no-closer": lambda r, c: build_lead_alert(
        replace(r, closed_by_id=None), score=2, comment=c
    ),
    "comment-forward": lambda r, c: build_comment_forward(r, score=3, comment=c or "ok"),
    "comment-forward-unrated": lambda r, c: build_comment_forward(r, score=None, comment=c or "x"),
    "talk-to-lead": lambda r, c: build_talk_to_lead(r, score=1),
    "talk-to-lead-unrated": lambda r, c: build_talk_to_lead(r, score=None),
    "talk-to-lead-sent": lambda r, c: build_talk_to_lead_sent(r.department.leads),
    "resolved-dm-hint": lambda r, c: build_resolved_dm(r, rating_hint=rating_hint(SCALE)),
    "card-rated": lambda r, c: build_request_card(replace(r, rating=2), now=CREATED),
}


@pytest.mark.parametrize("comment_id", list(COMMENTS))
@pytest.mark.parametrize("department_id", list(DEPARTMENTS))
@pytest.mark.parametrize("text_id", list(TEXTS))
@pytest.mark.parametrize("builder", list(MESSAGE_BUILDERS))
def test_message_builders_stay_within_limits_and_escape_user_text(
    builder: str, text_id: str, department_id: str, comment_id: str
) -> None:
    request = make_request(text=TEXTS[text_id], department=DEPARTMENTS[department_id])
    message = MESSAGE_BUILDERS[builder](request, COMMENTS[comment_id])
    assert message_problems(message) == []
    assert len(message["text"]) <= 300
    assert_no_dangerous_markup(message)
    assert [t[-12:] for t in escaped_texts(message) if BROKEN_ENTITY.search(t)] == []


@pytest.mark.parametrize("existing_id", list(COMMENTS))
@pytest.mark.parametrize("department_id", list(DEPARTMENTS))
@pytest.mark.parametrize("text_id", list(TEXTS))
def test_comment_modal_stays_within_limits(
    text_id: str, department_id: str, existing_id: str
) -> None:
    request = make_request(text=TEXTS[text_id], department=DEPARTMENTS[department_id])
    view = build_comment_modal(request, pulse_id=PULSE_ID, existing=COMMENTS[existing_id])
    assert block_kit_problems(view, surface="view") == []
    without_input = {**view, "blocks": [b for b in view["blocks"] if b["type"] != "input"]}
    assert_no_dangerous_markup(without_input)
    assert [t for t in escaped_texts(view) if BROKEN_ENTITY.search(t)] == []


def test_hostile_department_name_and_request_text_come_out_escaped() -> None:
    request = make_request(text=MENTIONS, department=HOSTILE_DEPARTMENT)
    message = build_pulse_question(request, pulse_id=PULSE_ID, scale=SCALE, closes_at=CLOSES_AT)
    question = section_texts(message)[0]
    assert "*&lt;!channel&gt; R&amp;D &lt;@U123&gt; &amp;&lt;&gt;" in question
    assert "(&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; ping &lt;@U123&gt;" in question
    assert "&lt;!channel&gt; R&amp;D" in message["text"]


@pytest.mark.parametrize("builder", ["lead-alert", "comment-forward"])
def test_comments_reach_leads_escaped_and_quoted(builder: str) -> None:
    message = MESSAGE_BUILDERS[builder](make_request(), "line one <!channel>\n<@U123> & two")
    assert section_texts(message)[1] == (">line one &lt;!channel&gt;\n>&lt;@U123&gt; &amp; two")


@pytest.mark.parametrize("builder", ["lead-alert", "comment-forward"])
def test_a_3000_character_comment_is_cut_for_leads(builder: str) -> None:
    comment = "start " + "y" * 2994
    message = MESSAGE_BUILDERS[builder](make_request(), comment)
    quote = section_texts(message)[1]
    assert quote.startswith(">start yyy")
    assert quote.endswith("…")
    assert len(quote) <= 3000
    assert message_problems(message) == []


def test_a_lead_alert_without_comment_has_no_quote() -> None:
    message = build_lead_alert(make_request(), score=2, comment=None)
    assert [b["type"] for b in message["blocks"]] == ["section", "context"]
    assert "*2/5*" in section_texts(message)[0]
    assert f"<@{REQUESTER}>" in section_texts(message)[0]
    assert context_texts(message)[0].startswith(f"Handled by <@{AGENT}>.")


def test_a_lead_alert_without_closer_says_so() -> None:
    message = build_lead_alert(make_request(closed_by=None), score=1, comment=None)
    assert context_texts(message)[0].startswith("Resolved without an assignee.")


# The pulse question -------------------------------------------------------------------------


@pytest.mark.parametrize("current", [None, 1, 2, 3, 4, 5])
def test_question_has_five_rating_buttons(current: int | None) -> None:
    message = build_pulse_question(
        make_request(), pulse_id=PULSE_ID, scale=SCALE, closes_at=CLOSES_AT, current=current
    )
    [block] = blocks_of_type(message, "actions")
    assert block["block_id"] == f"{BlockId.PULSE_RATING}:{PULSE_ID}"
    rate = block["elements"]
    assert [b["action_id"] for b in rate] == [f"satisfaction_rate_{n}" for n in range(1, 6)]
    assert [b["value"] for b in rate] == [f"pulse:{PULSE_ID}"] * 5
    assert {decode_pulse_id(b["value"]) for b in rate} == {PULSE_ID}
    styled = [n for n, b in enumerate(rate, start=1) if "style" in b]
    assert styled == ([] if current is None else [current])
    if current is not None:
        assert rate[current - 1]["style"] == "primary"


def test_question_buttons_show_the_scale_emoji() -> None:
    message = build_pulse_question(
        make_request(), pulse_id=PULSE_ID, scale=SCALE, closes_at=CLOSES_AT
    )
    assert [b["text"]["text"] for b in buttons(message)] == [
        ":rage: 1",
        ":slightly_frowning_face: 2",
        ":neutral_face: 3",
        ":slightly_smiling_face: 4",
        ":star-struck: 5",
    ]


def test_question_button_without_emoji_shows_the_number() -> None:
    scale = RatingScale.parse("tada=5,sob=1")
    message = build_pulse_question(
        make_request(), pulse_id=PULSE_ID, scale=scale, closes_at=CLOSES_AT
    )
    assert [b["text"]["text"] for b in buttons(message)] == [":sob: 1", "2", "3", "4", ":tada: 5"]


def test_question_names_the_department_request_and_closing_date() -> None:
    message = build_pulse_question(
        make_request(), pulse_id=PULSE_ID, scale=SCALE, closes_at=CLOSES_AT
    )
    assert section_texts(message) == [
        ":speech_balloon: How satisfied are you with how *IT Help Desk* handled "
        "REQ-42 (My laptop will not boot)?"
    ]
    assert message["text"] == "How satisfied are you with how IT Help Desk handled REQ-42?"
    [note] = context_texts(message)
    assert f"<!date^{int(CLOSES_AT.timestamp())}^" in note
    assert "2026-03-07 17:00 UTC" in note


# The answered and closed pulse --------------------------------------------------------------


@pytest.mark.parametrize("has_comment", [False, True])
@pytest.mark.parametrize("score", [1, 2, 3, 4, 5])
def test_answered_pulse(score: int, has_comment: bool) -> None:
    message = build_pulse_answered(
        make_request(), pulse_id=PULSE_ID, score=score, has_comment=has_comment
    )
    assert message_problems(message) == []
    assert f"*{score}/5*" in section_texts(message)[0]
    assert message["text"] == f"Thanks! You rated REQ-42 {score}/5."
    by_action = {b["action_id"]: b for b in buttons(message)}
    comment = by_action[ActionId.PULSE_COMMENT]
    change = by_action[ActionId.PULSE_CHANGE]
    assert comment["text"]["text"] == ("Edit your comment" if has_comment else "Add a comment")
    assert change["text"]["text"] == "Change"
    assert comment["value"] == change["value"] == f"pulse:{PULSE_ID}"
    assert not any(action.startswith("satisfaction_rate_") for action in by_action)
    if score <= 2:
        assert set(by_action) == {
            ActionId.PULSE_COMMENT,
            ActionId.PULSE_CHANGE,
            ActionId.REOPEN,
            ActionId.TALK_TO_LEAD,
        }
        reopen = by_action[ActionId.REOPEN]
        talk = by_action[ActionId.TALK_TO_LEAD]
        assert (reopen["action_id"], reopen["value"], reopen["style"]) == (
            "request_reopen",
            f"req:{REQUEST_ID}",
            "primary",
        )
        assert reopen["text"]["text"] == "Reopen"
        assert (talk["text"]["text"], talk["value"]) == ("Talk to a lead", f"req:{REQUEST_ID}")
        assert decode_request_id(talk["value"]) == REQUEST_ID
    else:
        assert set(by_action) == {ActionId.PULSE_COMMENT, ActionId.PULSE_CHANGE}


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (1, "very dissatisfied"),
        (2, "dissatisfied"),
        (3, "neither"),
        (4, "satisfied"),
        (5, "very satisfied"),
    ],
)
def test_answered_pulse_labels_the_score(score: int, label: str) -> None:
    message = build_pulse_answered(
        make_request(), pulse_id=PULSE_ID, score=score, has_comment=False
    )
    assert section_texts(message)[0].endswith(f"*{score}/5* ({label}).")


@pytest.mark.parametrize(("score", "shown"), [(None, None), (1, "*1/5*"), (5, "*5/5*")])
def test_closed_pulse_has_no_actions(score: int | None, shown: str | None) -> None:
    message = build_pulse_closed(make_request(text=MENTIONS), score=score)
    assert message_problems(message) == []
    assert blocks_of_type(message, "actions") == []
    assert "action_id" not in dumped(message)
    [text] = section_texts(message)
    assert "has closed." in text
    if shown is None:
        assert "You rated" not in text
    else:
        assert text.endswith(f"You rated it {shown}.")
    assert message["text"] == "This survey about REQ-42 has closed."


@pytest.mark.parametrize("score", [1, 2])
def test_recovery_offer(score: int) -> None:
    message = build_recovery_offer(make_request(), score=score)
    assert f"*{score}/5*" in section_texts(message)[0]
    assert [(b["action_id"], b["value"]) for b in buttons(message)] == [
        (ActionId.REOPEN, f"req:{REQUEST_ID}"),
        (ActionId.TALK_TO_LEAD, f"req:{REQUEST_ID}"),
    ]


# Talking to a lead --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("leads", "expected"),
    [
        pytest.param((LEAD,), f"I've asked <@{LEAD}> to get in touch with you.", id="one"),
        pytest.param(
            ("U0LEADA", "U0LEADB"),
            "I've asked <@U0LEADA>, <@U0LEADB> to get in touch with you.",
            id="two",
        ),
    ],
)
def test_talk_to_lead_sent_names_the_leads(leads: tuple[str, ...], expected: str) -> None:
    message = build_talk_to_lead_sent(leads)
    assert message_problems(message) == []
    assert section_texts(message) == [expected]
    assert message["text"] == expected


def test_talk_to_lead_sent_without_leads() -> None:
    message = build_talk_to_lead_sent([])
    assert message_problems(message) == []
    [text] = section_texts(message)
    assert text.startswith("No lead is named for this team yet")
    assert "<@" not in dumped(message)


def test_talk_to_lead_sent_with_many_leads_stays_within_limits() -> None:
    message = build_talk_to_lead_sent([f"U{n:010d}" for n in range(200)])
    assert message_problems(message) == []
    assert len(message["text"]) <= 300


@pytest.mark.parametrize(("score", "rated"), [(None, False), (2, True)])
def test_talk_to_lead_asks_leads_to_get_in_touch(score: int | None, rated: bool) -> None:
    message = build_talk_to_lead(make_request(), score=score)
    [text] = section_texts(message)
    assert f"<@{REQUESTER}> would like to talk to a lead about REQ-42" in text
    assert ("which they rated *2/5*" in text) is rated


# The comment modal --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("existing", "initial"),
    [
        pytest.param(None, None, id="new"),
        pytest.param("", None, id="empty"),
        pytest.param("Quick & <kind>", "Quick & <kind>", id="raw-in-input"),
        pytest.param("z" * 3000, "z" * 3000, id="exactly-3000"),
    ],
)
def test_comment_modal(existing: str | None, initial: str | None) -> None:
    view = build_comment_modal(make_request(), pulse_id=PULSE_ID, existing=existing)
    assert block_kit_problems(view, surface="view") == []
    assert view["type"] == "modal"
    assert view["callback_id"] == CallbackId.PULSE_COMMENT
    assert len(view["title"]["text"]) <= 24
    assert json.loads(view["private_metadata"]) == {"pulse": PULSE_ID}
    [block] = [b for b in view["blocks"] if b["type"] == "input"]
    assert block["block_id"] == BlockId.PULSE_COMMENT
    element = block["element"]
    assert element["action_id"] == ActionId.PULSE_COMMENT_TEXT
    assert element["max_length"] <= 3000
    assert element.get("initial_value") == initial


def test_comment_modal_cuts_an_overlong_existing_comment() -> None:
    view = build_comment_modal(make_request(), pulse_id=PULSE_ID, existing="w" * 5000)
    [block] = [b for b in view["blocks"] if b["type"] == "input"]
    initial = block["element"]["initial_value"]
    assert len(initial) <= block["element"]["max_length"]
    assert initial.startswith("www")
    assert block_kit_problems(view, surface="view") == []


# The resolution DM's rating hint and the card's rating line ---------------------------------


@pytest.mark.parametrize(
    ("scale_text", "hint"),
    [
        pytest.param(
            DEFAULT_RATING_EMOJI,
            "How did it go? React to this message to rate it, from :rage: to :star-struck:.",
            id="default",
        ),
        pytest.param(
            "sob=1,meh=3",
            "How did it go? React to this message with an emoji to rate it.",
            id="no-five",
        ),
    ],
)
def test_resolved_dm_with_rating_hint(scale_text: str, hint: str) -> None:
    assert rating_hint(RatingScale.parse(scale_text)) == hint
    message = build_resolved_dm(make_request(), rating_hint=hint)
    assert message_problems(message) == []
    assert context_texts(message) == [
        hint,
        "Not fixed after all? Reopen it and it goes back to the team.",
    ]
    [reopen] = buttons(message)
    assert (reopen["action_id"], reopen["value"]) == (ActionId.REOPEN, f"req:{REQUEST_ID}")


@pytest.mark.parametrize("hint", [None, ""])
def test_resolved_dm_without_rating_hint(hint: str | None) -> None:
    message = build_resolved_dm(make_request(), rating_hint=hint)
    assert context_texts(message) == [
        "Not fixed after all? Reopen it and it goes back to the team."
    ]


@pytest.mark.parametrize("status", list(RequestStatus))
@pytest.mark.parametrize("rating", [None, 1, 3, 5])
def test_card_rating_line(rating: int | None, status: RequestStatus) -> None:
    card = build_request_card(make_request(rating=rating, status=status), now=CREATED)
    assert message_problems(card) == []
    lines = context_texts(card)
    rated = [line for line in lines if "Rated" in line]
    if rating is None:
        assert rated == []
    else:
        assert rated == [f":star: Rated *{rating}/5* by the requester"]
    assert lines[-1] == "IT Help Desk · REQ-42"
