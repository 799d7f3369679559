"""Kudos Block Kit: safe messages, the digest's names, every answer and modal inside Slack's
limits, whatever people type."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.ids import ActionId, BlockId, CallbackId
from bot.kudos.messages import (
    BATCH_LINES_MAX,
    DIGEST_NAMED_MAX,
    MENTIONS_MAX,
    ReactionGroup,
    RequestCredit,
    build_digest,
    build_given,
    build_help,
    build_reaction_batch,
    build_recipient_dm,
    build_refusal,
    build_request_modal,
    build_shoutout,
    build_status,
    build_top,
    digest_names,
    render_message,
)
from bot.kudos.rules import (
    DepartmentKudos,
    GivenKudos,
    KudosSource,
    ShoutoutSnapshot,
    Tally,
    parse_kudos,
)
from bot.requests.rules import DepartmentSnapshot, RequestSnapshot, RequestStatus, Urgency
from bot.sandbox.limits import block_kit_problems, message_problems
from tests.markup import BROKEN_ENTITY

Message = dict[str, Any]

GIVER = "U0GIVER"
ALEX = "U0ALEX"
SAM = "U0SAM"
STRANGER = "U0STRANGER"
CHANNEL = "C0KUDOS123"
PERMALINK = "https://acme.slack.com/archives/C0KUDOS123/p1773133200000100"
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
RESETS = datetime(2026, 3, 11, 7, 0, tzinfo=UTC)

BROADCAST = re.compile(r"<!(?:channel|here|everyone|subteam)")
USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
HOSTILE = "<!channel> <@U0STRANGER> <#C0OTHER> <https://evil.example|x> & &amp; <b>"

MESSAGES = {
    "short": "thanks for the laptop",
    "hostile": HOSTILE,
    "hostile-3000": (HOSTILE + " ")[:60] * 50,
    "angles-3000": "<>&" * 1000,
    "ampersands-3000": "&" * 3000,
    "no-spaces-3000": "x" * 3000,
    "mentions-3000": (f"<@{ALEX}> " * 300)[:3000],
    "lines-100": "line\n" * 100,
}
NAMES = {
    "plain": "Alex Doe",
    "hostile": "<!here> R&D <@U0STRANGER>",
    "long-80": "&<>" * 26 + "xy",
    "long-200": "n" * 200,
}


def shoutout(**overrides: Any) -> ShoutoutSnapshot:
    fields: dict[str, Any] = {
        "id": 7,
        "team_id": "T0TEAM",
        "giver_id": GIVER,
        "source": KudosSource.COMMAND,
        "message": "thanks for the laptop",
        "value": None,
        "request_id": None,
        "recipients": (ALEX,),
        "unnotified": (ALEX,),
        "post_claimed_at": None,
        "channel_id": CHANNEL,
        "ts": "1773133200.000100",
        "permalink": PERMALINK,
    }
    fields.update(overrides)
    return ShoutoutSnapshot(**fields)


def request(text: str = "My laptop will not boot") -> RequestSnapshot:
    department = DepartmentSnapshot(
        id=1, key="it", name="IT Help Desk", channel_id="C0IT12345", agents=(SAM,), leads=()
    )
    return RequestSnapshot(
        id=42,
        team_id="T0TEAM",
        department=department,
        requester_id=GIVER,
        text=text,
        urgency=Urgency.NORMAL,
        status=RequestStatus.RESOLVED,
        assignee_id=SAM,
        created_at=NOW,
        resolved_at=NOW,
        closed_by_id=SAM,
        card_channel_id="C0IT12345",
        card_ts="1773133200.000200",
    )


def texts(message: Message) -> list[str]:
    """Every piece of text in a message: the fallback, sections and context elements."""
    found = [str(message["text"])]
    for block in message["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found.extend(element["text"] for element in block.get("elements", []))
    return found


def all_text(message: Message) -> str:
    return "\n".join(texts(message))


def assert_safe(message: Message) -> None:
    assert message_problems(message) == []
    for text in texts(message):
        assert BROADCAST.search(text) is None, text
        assert BROKEN_ENTITY.search(text) is None, text


def max_link_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char == "<":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ">":
            depth -= 1
    return deepest


def mentioned(text: str) -> list[str]:
    return USER_MENTION.findall(text)


# render_message -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "recipients", "expected"),
    [
        pytest.param("R&D <rocks>", (ALEX,), "R&amp;D &lt;rocks&gt;", id="escapes"),
        pytest.param(f"thanks <@{ALEX}>", (ALEX,), f"thanks <@{ALEX}>", id="recipient-live"),
        pytest.param(
            f"you and <@{STRANGER}>",
            (ALEX,),
            f"you and &lt;@{STRANGER}&gt;",
            id="non-recipient-escaped",
        ),
        pytest.param(
            f"<@{ALEX}> & <@{SAM}>", (ALEX, SAM), f"<@{ALEX}> &amp; <@{SAM}>", id="two-live"
        ),
        pytest.param("<!channel> look", (ALEX,), "&lt;!channel&gt; look", id="channel"),
        pytest.param(
            "<!here|here> <!everyone>",
            (),
            "&lt;!here|here&gt; &lt;!everyone&gt;",
            id="here-everyone",
        ),
        pytest.param(f"<@{ALEX}|alex>", (ALEX,), f"&lt;@{ALEX}|alex&gt;", id="labelled-escaped"),
        pytest.param(f"&lt;@{ALEX}&gt;", (ALEX,), f"&amp;lt;@{ALEX}&amp;gt;", id="typed-entities"),
        pytest.param("<#C0OTHER>", (ALEX,), "&lt;#C0OTHER&gt;", id="channel-link"),
        pytest.param("", (ALEX,), "", id="empty"),
    ],
)
def test_render_message(message: str, recipients: tuple[str, ...], expected: str) -> None:
    assert render_message(message, recipients) == expected


def test_a_broadcast_typed_in_kudos_never_pings_end_to_end() -> None:
    draft = parse_kudos(
        f"<@{ALEX}> tell <!channel> and <!here|here> about <@{SAM}|sam> &lt;!everyone&gt;"
    )
    rendered = render_message(draft.message, draft.recipients)
    assert rendered == f"tell @channel and @here about <@{SAM}> &lt;!everyone&gt;"
    assert BROADCAST.search(rendered) is None


# digest_names -------------------------------------------------------------------------------


def receivers(count: int, kudos: int = 1) -> list[tuple[str, str | None, int]]:
    return [(f"U0R{index:03d}", f"Person {index}", kudos) for index in range(count)]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([], "", id="none"),
        pytest.param([(ALEX, None, 1)], f"<@{ALEX}>", id="one"),
        pytest.param([(ALEX, None, 3)], f"<@{ALEX}> (3)", id="one-count"),
        pytest.param([(ALEX, None, 2), (SAM, None, 1)], f"<@{ALEX}> (2) and <@{SAM}>", id="two"),
        pytest.param(
            [("U0A", None, 4), ("U0B", None, 1), ("U0C", None, 2)],
            "<@U0A> (4), <@U0B> and <@U0C> (2)",
            id="three",
        ),
    ],
)
def test_digest_names_small(rows: list[tuple[str, str | None, int]], expected: str) -> None:
    assert digest_names(rows) == expected


def test_digest_names_mentions_the_first_five_and_names_the_rest() -> None:
    rows: list[tuple[str, str | None, int]] = [
        ("U0A", None, 9),
        ("U0B", None, 5),
        ("U0C", None, 3),
        ("U0D", None, 2),
        ("U0E", None, 2),
        ("U0F", "Fay", 2),
        ("U0G", None, 1),
        ("U0H", "Hal & <!here> Co", 1),
    ]
    assert digest_names(rows) == (
        "<@U0A> (9), <@U0B> (5), <@U0C> (3), <@U0D> (2), <@U0E> (2), Fay (2), a colleague "
        "and Hal &amp; &lt;!here&gt; Co"
    )


def test_digest_names_a_long_name_is_cut_to_80_then_escaped() -> None:
    rows = [*receivers(MENTIONS_MAX), ("U0LONG", "&" * 100, 1)]
    names = digest_names(rows)
    assert names.endswith(" and " + "&amp;" * 79 + "…")


def test_digest_names_past_the_named_maximum_says_how_many_more() -> None:
    assert DIGEST_NAMED_MAX == 40
    names = digest_names(receivers(DIGEST_NAMED_MAX + 7))
    assert names.endswith(f"Person {DIGEST_NAMED_MAX - 1} and 7 more")
    assert f"Person {DIGEST_NAMED_MAX}" not in names
    assert names.count(", ") == DIGEST_NAMED_MAX - 1


def test_digest_names_exactly_the_named_maximum_has_no_more() -> None:
    names = digest_names(receivers(DIGEST_NAMED_MAX))
    assert names.endswith(f", Person {DIGEST_NAMED_MAX - 2} and Person {DIGEST_NAMED_MAX - 1}")
    assert "more" not in names


@pytest.mark.parametrize("count", [0, 1, 4, 5, 6, 39, 40, 41, 200])
def test_digest_names_mentions_at_most_five(count: int) -> None:
    names = digest_names(receivers(count, kudos=2))
    assert names.count("<@") == min(MENTIONS_MAX, count)
    assert mentioned(names) == [f"U0R{index:03d}" for index in range(min(MENTIONS_MAX, count))]


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_digest_names_never_let_a_name_ping(name: str) -> None:
    rows = [(f"U0R{index:03d}", name, 3) for index in range(60)]
    names = digest_names(rows)
    assert BROADCAST.search(names) is None
    assert names.count("<") == MENTIONS_MAX
    assert BROKEN_ENTITY.search(names) is None


# build_digest -------------------------------------------------------------------------------


def test_build_digest() -> None:
    message = build_digest([(ALEX, None, 3), (SAM, None, 1)], kudos=4, givers=1)
    assert message == {
        "text": "Last week in kudos: 4 thanks",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": ":sparkles: *Last week in kudos*: 4 thanks from 1 person to 2 people."
                    f"\nThank you, <@{ALEX}> (3) and <@{SAM}>!",
                },
            },
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": "Thank someone with `/kudos @name what for`."}
                ],
            },
        ],
    }


def test_build_digest_one_receiver_many_givers() -> None:
    section_text = build_digest([(ALEX, None, 6)], kudos=6, givers=6)["blocks"][0]["text"]["text"]
    assert section_text.startswith(
        ":sparkles: *Last week in kudos*: 6 thanks from 6 people to 1 person.\n"
    )


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
@pytest.mark.parametrize("count", [1, 6, 41, 500])
def test_build_digest_stays_inside_slack_limits(name: str, count: int) -> None:
    rows = [(f"U0R{index:05d}", name, 3) for index in range(count)]
    message = build_digest(rows, kudos=3 * count, givers=count)
    assert_safe(message)
    assert len(mentioned(all_text(message))) == min(MENTIONS_MAX, count)


# build_shoutout -----------------------------------------------------------------------------


def test_build_shoutout_plain() -> None:
    assert build_shoutout(shoutout()) == {
        "text": f"Kudos from <@{GIVER}> to <@{ALEX}>",
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f":clap: <@{GIVER}> thanked <@{ALEX}>"},
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": ">thanks for the laptop"}},
        ],
    }


def test_build_shoutout_without_message_is_one_line() -> None:
    message = build_shoutout(shoutout(message="", recipients=(ALEX, SAM, "U0KIM")))
    assert message["text"] == f"Kudos from <@{GIVER}> to <@{ALEX}>, <@{SAM}> and <@U0KIM>"
    assert message["blocks"] == [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f":clap: <@{GIVER}> thanked <@{ALEX}>, <@{SAM}> and <@U0KIM>",
            },
        }
    ]


def test_build_shoutout_with_value_and_request_credit() -> None:
    message = build_shoutout(
        shoutout(source=KudosSource.REQUEST, request_id=42, value="ownership"),
        credit=RequestCredit(reference="REQ-42", department_name="IT & <Ops>"),
    )
    assert message["blocks"][2] == {
        "type": "context",
        "elements": [
            {
                "type": "mrkdwn",
                "text": "For their help with REQ-42, handled by *IT &amp; &lt;Ops&gt;*.",
            },
            {"type": "mrkdwn", "text": ":star: #ownership"},
        ],
    }


def test_build_shoutout_value_only() -> None:
    message = build_shoutout(shoutout(value="be-kind"))
    assert message["blocks"][2] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": ":star: #be-kind"}],
    }


def test_build_shoutout_never_shows_the_request_text() -> None:
    secret = "My salary slip shows the wrong bank account"
    message = build_shoutout(
        shoutout(source=KudosSource.REQUEST, request_id=42, message=""),
        credit=RequestCredit(reference=request(secret).reference, department_name="Payroll"),
    )
    assert "salary" not in json.dumps(message)
    assert "REQ-42" in all_text(message)


def test_build_shoutout_quotes_every_line_and_keeps_only_recipient_mentions() -> None:
    message = build_shoutout(
        shoutout(message=f"first <@{ALEX}>\nsecond <@{STRANGER}> <!channel>", recipients=(ALEX,))
    )
    assert message["blocks"][1]["text"]["text"] == (
        f">first <@{ALEX}>\n>second &lt;@{STRANGER}&gt; &lt;!channel&gt;"
    )


def test_build_shoutout_cuts_a_long_message_in_the_quote() -> None:
    quote = build_shoutout(shoutout(message="&" * 3000))["blocks"][1]["text"]["text"]
    assert quote == ">" + "&amp;" * 499 + "…"


@pytest.mark.parametrize("text", MESSAGES.values(), ids=MESSAGES.keys())
@pytest.mark.parametrize("value", [None, "a" * 32])
def test_build_shoutout_stays_inside_slack_limits(text: str, value: str | None) -> None:
    many = tuple(f"U0R{index:08d}" for index in range(100))
    message = build_shoutout(
        shoutout(message=text, recipients=many, value=value),
        credit=RequestCredit(reference="REQ-999999", department_name="&<>" * 67),
    )
    assert_safe(message)
    assert set(mentioned(all_text(message))) <= {GIVER, *many}


@pytest.mark.parametrize("text", ["a\n" * 1400 + "a", "\n".join("ok" for _ in range(1000))])
def test_a_message_of_many_lines_stays_inside_slack_limits(text: str) -> None:
    snapshot = shoutout(message=text)
    assert message_problems(build_shoutout(snapshot)) == []
    assert message_problems(build_recipient_dm(snapshot, channel_id=CHANNEL)) == []


# build_recipient_dm and build_given -----------------------------------------------------------


def test_build_recipient_dm_without_permalink() -> None:
    message = build_recipient_dm(shoutout(permalink=None, value="ownership"), channel_id=CHANNEL)
    assert message == {
        "text": f"<@{GIVER}> gave you kudos",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f":tada: <@{GIVER}> thanked you in <#{CHANNEL}>",
                },
            },
            {"type": "section", "text": {"type": "mrkdwn", "text": ">thanks for the laptop"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": ":star: #ownership"}]},
        ],
    }


def test_build_recipient_dm_without_message_is_one_line() -> None:
    message = build_recipient_dm(shoutout(message="", permalink=None), channel_id=CHANNEL)
    assert len(message["blocks"]) == 1


@pytest.mark.parametrize("text", MESSAGES.values(), ids=MESSAGES.keys())
def test_build_recipient_dm_stays_inside_slack_limits(text: str) -> None:
    message = build_recipient_dm(shoutout(message=text, value="v" * 32), channel_id=CHANNEL)
    assert_safe(message)
    assert mentioned(all_text(message)).count(STRANGER) == 0


@pytest.mark.parametrize(
    ("posted", "expected"),
    [
        pytest.param(
            True,
            f":clap: Thanks sent to <@{ALEX}> and <@{SAM}> in <#{CHANNEL}>. "
            "You have *3 of 5* kudos left today.",
            id="posted",
        ),
        pytest.param(
            False,
            f":hourglass_flowing_sand: Your thanks to <@{ALEX}> and <@{SAM}> is saved; "
            f"Slack is slow to answer, so it will appear in <#{CHANNEL}> shortly. "
            "You have *3 of 5* kudos left today.",
            id="slow",
        ),
    ],
)
def test_build_given_without_permalink(posted: bool, expected: str) -> None:
    message = build_given(
        shoutout(recipients=(ALEX, SAM), permalink=None),
        channel_id=CHANNEL,
        left=3,
        limit=5,
        posted=posted,
    )
    assert message == {
        "text": expected,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": expected}}],
    }


def test_build_given_with_permalink_links_to_it() -> None:
    text = build_given(shoutout(), channel_id=CHANNEL, left=0, limit=5, posted=True)["text"]
    assert PERMALINK in text
    assert f"<#{CHANNEL}>" in text
    assert text.endswith("You have *0 of 5* kudos left today.")


@pytest.mark.parametrize("surface", ["dm", "given"])
def test_a_permalink_and_the_channel_are_not_nested(surface: str) -> None:
    snapshot = shoutout()
    message = (
        build_recipient_dm(snapshot, channel_id=CHANNEL)
        if surface == "dm"
        else build_given(snapshot, channel_id=CHANNEL, left=1, limit=5, posted=True)
    )
    for text in texts(message):
        assert max_link_depth(text) <= 1, text


@pytest.mark.parametrize("posted", [True, False])
def test_build_given_stays_inside_slack_limits(posted: bool) -> None:
    many = tuple(f"U0R{index:08d}" for index in range(100))
    message = build_given(
        shoutout(recipients=many), channel_id=CHANNEL, left=0, limit=100, posted=posted
    )
    assert message_problems(message) == []


# build_status -------------------------------------------------------------------------------


def test_build_status_lists_recent_kudos_by_source() -> None:
    recent = [
        GivenKudos(ALEX, NOW, KudosSource.REACTION, "ownership"),
        GivenKudos(SAM, NOW, KudosSource.REQUEST, None),
        GivenKudos("U0KIM", NOW, KudosSource.COMMAND, "be_kind"),
    ]
    message = build_status(left=2, limit=5, resets_at=RESETS, recent=recent, emoji="tada")
    reset = "<!date^1773212400^{date_short_pretty} at {time}|2026-03-11 07:00 UTC>"
    given = "<!date^1773133200^{date_short_pretty} at {time}|2026-03-10 09:00 UTC>"
    assert message["text"] == f"You have *2 of 5* kudos left today. They refill {reset}."
    assert message["blocks"][0]["text"]["text"].split("\n") == [
        f"You have *2 of 5* kudos left today. They refill {reset}.",
        "*You recently thanked*",
        f"• <@{ALEX}> with :tada: #ownership, {given}",
        f"• <@{SAM}> for a request, {given}",
        f"• <@U0KIM> #be_kind, {given}",
        "Thank someone with `/kudos @name what for`, or react with :tada: to their message. "
        "`/kudos top` shows this month's leaders.",
    ]


def test_build_status_with_nothing_given() -> None:
    lines = build_status(left=5, limit=5, resets_at=RESETS, recent=[], emoji="clap")["blocks"][0][
        "text"
    ]["text"].split("\n")
    assert lines[1] == "You haven't thanked anyone yet."
    assert len(lines) == 3


def test_build_status_shows_at_most_five_recent() -> None:
    recent = [GivenKudos(f"U0R{index}", NOW, KudosSource.COMMAND, None) for index in range(9)]
    message = build_status(left=0, limit=100, resets_at=RESETS, recent=recent, emoji="clap")
    assert mentioned(message["blocks"][0]["text"]["text"]) == [f"U0R{i}" for i in range(5)]
    assert_safe(message)


# build_top ----------------------------------------------------------------------------------


def test_build_top() -> None:
    tally = Tally(
        receivers=[(f"U0R{index}", 10 - index) for index in range(7)],
        givers=[(GIVER, 4)],
        shoutouts=3,
        kudos=49,
    )
    message = build_top(
        month="March 2026",
        tally=tally,
        departments=[
            DepartmentKudos("IT & Ops", kudos=2, handled=6, per_hundred=33.3),
            DepartmentKudos("HR", kudos=0, handled=0, per_hundred=None),
            DepartmentKudos("Facilities", kudos=3, handled=3, per_hundred=100.0),
        ],
    )
    assert message["text"] == "Kudos in March 2026"
    assert [block["text"]["text"] for block in message["blocks"]] == [
        ":trophy: *Kudos in March 2026*: 49 given.",
        "*Most thanked*\n1. <@U0R0>: 10\n2. <@U0R1>: 9\n3. <@U0R2>: 8\n4. <@U0R3>: 7\n"
        "5. <@U0R4>: 6",
        f"*Most thankful*\n1. <@{GIVER}>: 4",
        "*By team*, fairer than raw counts:\n"
        "• *IT &amp; Ops*: 33.3 per 100 requests handled (2 kudos, 6 handled)\n"
        "• *HR*: - per 100 requests handled (0 kudos, 0 handled)\n"
        "• *Facilities*: 100 per 100 requests handled (3 kudos, 3 handled)",
    ]


def test_build_top_empty_month_without_departments() -> None:
    message = build_top(month="<April>", tally=Tally([], [], 0, 0), departments=[])
    assert [block["text"]["text"] for block in message["blocks"]] == [
        ":trophy: *Kudos in &lt;April&gt;*: 0 given.",
        "*Most thanked*\nNobody yet.",
        "*Most thankful*\nNobody yet.",
    ]


def test_build_top_stays_inside_slack_limits_with_many_departments() -> None:
    departments = [DepartmentKudos("&<>" * 67, 9999, 99999, 10.0) for _ in range(200)]
    tally = Tally([(f"U0R{i}", 1) for i in range(500)], [(GIVER, 500)], 500, 500)
    assert_safe(build_top(month="March 2026", tally=tally, departments=departments))


# build_help ---------------------------------------------------------------------------------


def test_build_help_lists_values_and_limit() -> None:
    text = build_help(values=["ownership", "be-kind"], limit=7, emoji="tada")["blocks"][0]["text"][
        "text"
    ]
    lines = text.split("\n")
    assert lines[0] == "*Thank the people who helped you*"
    assert "• React with :tada: to someone's message in a channel to thank them for it." in lines
    assert lines[-2] == "You can thank up to 7 people a day."
    assert lines[-1] == "Add one of our values to say what it showed: `#ownership`, `#be-kind`."


def test_build_help_without_values_says_nothing_about_them() -> None:
    text = build_help(values=[], limit=5, emoji="clap")["blocks"][0]["text"]["text"]
    assert text.split("\n")[-1] == "You can thank up to 5 people a day."
    assert "values" not in text


def test_build_help_stays_inside_slack_limits_with_100_values() -> None:
    values = [f"{index:02d}" + "v" * 30 for index in range(100)]
    assert_safe(build_help(values=values, limit=100, emoji="clap"))


# build_refusal ------------------------------------------------------------------------------


def test_build_refusal_quotes_the_text_escaped() -> None:
    message = build_refusal("Mention who you're thanking.", "thanks <!channel> & co\nline two")
    assert message == {
        "text": "Mention who you're thanking.",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": "Mention who you're thanking.\nYou wrote:\n"
                    ">thanks &lt;!channel&gt; &amp; co\n>line two",
                },
            }
        ],
    }


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_build_refusal_of_nothing_is_only_the_reason(text: str) -> None:
    assert build_refusal("Say what for.", text) == {
        "text": "Say what for.",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Say what for."}}],
    }


@pytest.mark.parametrize("text", MESSAGES.values(), ids=MESSAGES.keys())
def test_build_refusal_stays_inside_slack_limits(text: str) -> None:
    message = build_refusal("Keep the message under 3000 characters.", text * 2)
    assert_safe(message)
    assert mentioned(all_text(message)) == []


# build_request_modal ------------------------------------------------------------------------


def test_build_request_modal_with_values() -> None:
    view = build_request_modal(
        request(), recipient_id=SAM, recipient_name="Sam", values=["ownership", "be-kind"]
    )
    assert view["type"] == "modal"
    assert view["callback_id"] == CallbackId.KUDOS_FOR_REQUEST
    assert view["title"]["text"] == "Kudos to Sam"
    assert view["submit"]["text"] == "Send"
    assert view["close"]["text"] == "Cancel"
    assert json.loads(view["private_metadata"]) == {"request": 42}
    intro, message_input, value_input = view["blocks"]
    assert intro["text"]["text"] == (
        f"Thank <@{SAM}> for REQ-42 (My laptop will not boot). The shout-out names the request "
        "and its team, not what it was about."
    )
    assert message_input["block_id"] == BlockId.KUDOS_MESSAGE
    assert message_input["optional"] is True
    assert message_input["element"]["action_id"] == ActionId.KUDOS_MESSAGE
    assert message_input["element"]["max_length"] == 3000
    assert value_input["block_id"] == BlockId.KUDOS_VALUE
    assert value_input["optional"] is True
    assert value_input["element"]["action_id"] == ActionId.KUDOS_VALUE
    assert [(o["text"]["text"], o["value"]) for o in value_input["element"]["options"]] == [
        ("#ownership", "ownership"),
        ("#be-kind", "be-kind"),
    ]
    assert block_kit_problems(view, surface="view") == []


def test_build_request_modal_without_values_has_no_select() -> None:
    view = build_request_modal(request(), recipient_id=SAM, recipient_name="Sam", values=[])
    assert [block.get("block_id") for block in view["blocks"]] == [None, BlockId.KUDOS_MESSAGE]
    assert block_kit_problems(view, surface="view") == []


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
@pytest.mark.parametrize("text", MESSAGES.values(), ids=MESSAGES.keys())
def test_build_request_modal_stays_inside_slack_limits(name: str, text: str) -> None:
    values = [f"{index:03d}" + "v" * 29 for index in range(150)]
    view = build_request_modal(request(text), recipient_id=SAM, recipient_name=name, values=values)
    assert block_kit_problems(view, surface="view") == []
    assert len(view["title"]["text"]) <= 24
    assert len(view["blocks"][2]["element"]["options"]) == 100
    intro = view["blocks"][0]["text"]["text"]
    assert BROADCAST.search(intro) is None
    assert BROKEN_ENTITY.search(intro) is None
    assert mentioned(intro) == [SAM]


# build_reaction_batch -----------------------------------------------------------------------


def group(
    index: int, *, givers: int = 1, permalink: bool = True, name: str | None = None
) -> ReactionGroup:
    return ReactionGroup(
        recipient_id=f"U0R{index:03d}",
        recipient_name=name if name is not None else f"Person {index}",
        channel_id="C0GENERAL1",
        permalink=f"https://acme.slack.com/archives/C0GENERAL1/p{index}" if permalink else None,
        givers=givers,
    )


def test_build_reaction_batch_small() -> None:
    message = build_reaction_batch([group(0, givers=3), group(1, permalink=False)], emoji="clap")
    assert message == {
        "text": "4 kudos by reaction",
        "blocks": [
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": ":clap: *Kudos by reaction*\n"
                    "• <@U0R000> for <https://acme.slack.com/archives/C0GENERAL1/p0|a message> "
                    "in <#C0GENERAL1>, from 3 people\n"
                    "• <@U0R001> for a message in <#C0GENERAL1>, from 1 person",
                },
            }
        ],
    }


def test_build_reaction_batch_mentions_five_names_the_rest_and_counts_more() -> None:
    assert (MENTIONS_MAX, BATCH_LINES_MAX) == (5, 10)
    groups = [group(index, givers=2) for index in range(13)]
    groups[6] = replace(groups[6], recipient_name=None)
    groups[7] = replace(groups[7], recipient_name="<!here> & <@U0STRANGER>")
    message = build_reaction_batch(groups, emoji="clap")
    lines = message["blocks"][0]["text"]["text"].split("\n")
    assert len(lines) == 1 + BATCH_LINES_MAX + 1
    assert [line.split(" for ")[0] for line in lines[1:-1]] == [
        "• <@U0R000>",
        "• <@U0R001>",
        "• <@U0R002>",
        "• <@U0R003>",
        "• <@U0R004>",
        "• Person 5",
        "• a colleague",
        "• &lt;!here&gt; &amp; &lt;@U0STRANGER&gt;",
        "• Person 8",
        "• Person 9",
    ]
    assert lines[-1] == "• and 3 more messages"
    assert message["text"] == "26 kudos by reaction"
    assert_safe(message)


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
@pytest.mark.parametrize("count", [1, 10, 11, 300])
def test_build_reaction_batch_stays_inside_slack_limits(name: str, count: int) -> None:
    groups = [group(index, givers=50, name=name) for index in range(count)]
    message = build_reaction_batch(groups, emoji="clap")
    assert_safe(message)
    assert len(mentioned(all_text(message))) == min(MENTIONS_MAX, count)
