"""`/kudos` through the real endpoint: shout-outs, the giver's status and the month's leaders,
every refusal, escaping, and a shout-out whose post failed, posted later by its job."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.slack import POST_ATTEMPTS
from tests.e2e.conftest import KUDOS_CHANNEL, Desk
from tests.e2e.helpers import (
    file_request,
    give_kudos,
    jobs_of,
    kudos_rows,
    posts_to,
    resolve,
    run_jobs,
    shoutout_rows,
)
from tests.e2e.survey_steps import ListenerWork
from tests.fake_slack import Call

GIVER = "U0BEA"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
THANKS = "<@U0ALEX|alex> <@U0SAM> thanks for rescuing the payroll run! #ownership"
NOT_SET_UP = (
    "Kudos are not set up in this workspace yet: an admin sets KUDOS_CHANNEL to the channel "
    "where shout-outs go."
)


@pytest.fixture
def listeners(kudos_desk: Desk) -> ListenerWork:
    return ListenerWork(kudos_desk.pulsedesk.listener_executor)


def _permalink(ts: str) -> str:
    return f"https://sandbox.slack.test/archives/{KUDOS_CHANNEL}/p{ts.replace('.', '')}"


def _links_to(text: str, link: str) -> bool:
    """Whether `text` links to the shout-out and names the kudos channel."""
    return f"<{link}|" in text and f"<#{KUDOS_CHANNEL}>" in text


def _section_texts(call: Call) -> list[str]:
    return [b["text"]["text"] for b in call.params["blocks"] if b["type"] == "section"]


def _context_texts(call: Call) -> list[str]:
    return [
        e["text"] for b in call.params["blocks"] if b["type"] == "context" for e in b["elements"]
    ]


def _assert_nothing_given(desk: Desk) -> None:
    assert kudos_rows(desk) == []
    assert shoutout_rows(desk) == []
    assert desk.fake.calls_to("chat.postMessage") == []
    assert desk.fake.calls_to("chat.getPermalink") == []
    assert jobs_of(desk, "kudos.announce") == []


def test_a_shout_out_is_posted_each_recipient_told_and_the_giver_confirmed(
    kudos_desk: Desk,
) -> None:
    desk = kudos_desk
    reply = give_kudos(desk, THANKS, user=GIVER)

    [shoutout] = shoutout_rows(desk)
    assert shoutout.ts is not None
    link = _permalink(shoutout.ts)
    assert (
        shoutout.team_id,
        shoutout.giver_id,
        shoutout.source,
        shoutout.message,
        shoutout.value,
        shoutout.request_id,
        shoutout.channel_id,
        shoutout.permalink,
        shoutout.created_at,
        shoutout.posted_at,
    ) == (
        "T0TEST",
        GIVER,
        "command",
        "thanks for rescuing the payroll run!",
        "ownership",
        None,
        KUDOS_CHANNEL,
        link,
        START,
        START,
    )
    assert shoutout.idempotency_key.startswith("command:trigger-")
    assert [
        (
            k.giver_id,
            k.recipient_id,
            k.source,
            k.shoutout_id,
            k.given_at,
            k.notified_at,
            k.department_id,
            k.withdrawn_at,
            k.reaction_ts,
        )
        for k in kudos_rows(desk)
    ] == [
        (GIVER, "U0ALEX", "command", shoutout.id, START, START, None, None, None),
        (GIVER, "U0SAM", "command", shoutout.id, START, START, None, None, None),
    ]

    [post, *dms] = desk.fake.calls_to("chat.postMessage")
    assert post.params["channel"] == KUDOS_CHANNEL
    assert post.params["text"] == "Kudos from <@U0BEA> to <@U0ALEX> and <@U0SAM>"
    assert _section_texts(post) == [
        ":clap: <@U0BEA> thanked <@U0ALEX> and <@U0SAM>",
        ">thanks for rescuing the payroll run!",
    ]
    assert _context_texts(post) == [":star: #ownership"]
    [permalink_call] = desk.fake.calls_to("chat.getPermalink")
    assert permalink_call.params["channel"] == KUDOS_CHANNEL
    assert permalink_call.params["message_ts"] == shoutout.ts

    assert [dm.params["channel"] for dm in dms] == ["U0ALEX", "U0SAM"]
    for dm in dms:
        assert dm.params["text"] == "<@U0BEA> gave you kudos"
        thanked, quote = _section_texts(dm)
        assert thanked.startswith(":tada: <@U0BEA> thanked you ")
        assert _links_to(thanked, link)
        assert quote == ">thanks for rescuing the payroll run!"
        assert _context_texts(dm) == [":star: #ownership"]

    confirmation = reply.params["text"]
    assert confirmation.startswith(":clap: Thanks sent to <@U0ALEX> and <@U0SAM> ")
    assert _links_to(confirmation, link)
    assert confirmation.endswith(". You have *3 of 5* kudos left today.")
    [announce] = jobs_of(desk, "kudos.announce")
    assert announce.state == "cancelled"
    desk.clock.advance(timedelta(minutes=5))
    assert run_jobs(desk).ran == 0
    assert len(desk.fake.calls_to("chat.postMessage")) == 3


def test_a_redelivered_command_adds_nothing(kudos_desk: Desk, listeners: ListenerWork) -> None:
    desk = kudos_desk
    fields = desk.slack.slash_command_fields(
        THANKS, user=GIVER, command="/kudos", trigger_id="trigger-kudos-dup"
    )
    assert desk.slack.post_form(fields).status == 200
    desk.fake.wait_for_call("response_url")
    listeners.settle()
    assert desk.slack.post_form(fields, headers={"X-Slack-Retry-Num": "1"}).status == 200
    [first, second] = desk.fake.wait_for_call("response_url", count=2)
    listeners.settle()

    [shoutout] = shoutout_rows(desk)
    assert shoutout.idempotency_key == "command:trigger-kudos-dup"
    assert [k.recipient_id for k in kudos_rows(desk)] == ["U0ALEX", "U0SAM"]
    assert [c.params["channel"] for c in desk.fake.calls_to("chat.postMessage")] == [
        KUDOS_CHANNEL,
        "U0ALEX",
        "U0SAM",
    ]
    # The repeat is answered as the first was: the same shout-out, the same count left.
    assert second.params["text"] == first.params["text"]
    assert "You have *3 of 5* kudos left today." in second.params["text"]


def test_a_command_redelivered_while_the_first_is_still_posting_adds_nothing(
    kudos_desk: Desk, listeners: ListenerWork
) -> None:
    desk = kudos_desk
    fields = desk.slack.slash_command_fields(
        THANKS, user=GIVER, command="/kudos", trigger_id="trigger-kudos-slow"
    )
    release = desk.fake.hold("chat.postMessage")
    assert desk.slack.post_form(fields).status == 200
    desk.fake.wait_for_call("chat.postMessage")  # the first delivery's post, held by Slack

    assert desk.slack.post_form(fields, headers={"X-Slack-Retry-Num": "1"}).status == 200
    [repeat] = desk.fake.wait_for_call("response_url")
    assert repeat.params["text"] == (
        ":hourglass_flowing_sand: Your thanks to <@U0ALEX> and <@U0SAM> is saved; Slack is "
        f"slow to answer, so it will appear in <#{KUDOS_CHANNEL}> shortly. "
        "You have *3 of 5* kudos left today."
    )
    release.set()
    [_, first] = desk.fake.wait_for_call("response_url", count=2)
    listeners.settle()

    assert first.params["text"].startswith(":clap: Thanks sent to <@U0ALEX> and <@U0SAM> ")
    [shoutout] = shoutout_rows(desk)
    assert shoutout.ts is not None
    assert [(k.recipient_id, k.notified_at) for k in kudos_rows(desk)] == [
        ("U0ALEX", START),
        ("U0SAM", START),
    ]
    assert [c.params["channel"] for c in desk.fake.calls_to("chat.postMessage")] == [
        KUDOS_CHANNEL,
        "U0ALEX",
        "U0SAM",
    ]
    [announce] = jobs_of(desk, "kudos.announce")
    assert announce.state == "cancelled"


def test_kudos_alone_shows_what_is_left_today_and_whom_you_thanked(kudos_desk: Desk) -> None:
    desk = kudos_desk
    # Europe/London, the fake's default zone: the day ends at midnight UTC in November.
    refill = "<!date^1793664000^{date_short_pretty} at {time}|2026-11-03 00:00 UTC>"
    assert int(datetime(2026, 11, 3, tzinfo=UTC).timestamp()) == 1793664000

    before = give_kudos(desk, "", user=GIVER)
    assert before.params["text"] == f"You have *5 of 5* kudos left today. They refill {refill}."
    [section] = _section_texts(before)
    assert section.splitlines()[:2] == [
        f"You have *5 of 5* kudos left today. They refill {refill}.",
        "You haven't thanked anyone yet.",
    ]
    assert kudos_rows(desk) == []
    assert desk.fake.calls_to("chat.postMessage") == []

    give_kudos(desk, THANKS, user=GIVER)
    desk.clock.advance(timedelta(minutes=30))
    give_kudos(desk, "<@U0DANA> for the onboarding docs", user=GIVER)
    desk.clock.advance(timedelta(minutes=30))
    posts_before = len(desk.fake.calls_to("chat.postMessage"))

    status = give_kudos(desk, "", user=GIVER)
    assert status.params["text"] == f"You have *2 of 5* kudos left today. They refill {refill}."
    [section] = _section_texts(status)
    lines = section.splitlines()
    at_9 = "<!date^1793610000^{date_short_pretty} at {time}|2026-11-02 09:00 UTC>"
    at_930 = "<!date^1793611800^{date_short_pretty} at {time}|2026-11-02 09:30 UTC>"
    assert lines[:5] == [
        f"You have *2 of 5* kudos left today. They refill {refill}.",
        "*You recently thanked*",
        f"• <@U0DANA>, {at_930}",
        f"• <@U0SAM> #ownership, {at_9}",
        f"• <@U0ALEX> #ownership, {at_9}",
    ]
    assert len(desk.fake.calls_to("chat.postMessage")) == posts_before
    assert len(kudos_rows(desk)) == 3


def test_kudos_top_ranks_this_months_people_and_each_department_per_hundred_requests(
    kudos_desk: Desk,
) -> None:
    desk = kudos_desk
    # Last month's kudos do not count this month.
    give_kudos(desk, "<@U0AGENT2> for October's help", user="U0CAL")
    desk.clock.advance(timedelta(days=29, hours=1))  # 2026-12-01 10:00 UTC

    for text in ("it My laptop will not boot", "it vpn drops every hour"):
        resolve(desk, file_request(desk, text, user="U0ALICE"), agent="U0AGENT1")
    resolve(desk, file_request(desk, "hr my payroll slip is wrong", user="U0ALICE"), "U0HRAGENT")

    give_kudos(desk, "<@U0AGENT1> <@U0AGENT2> thanks for both fixes", user="U0ALICE")
    desk.clock.advance(timedelta(minutes=1))
    give_kudos(desk, "<@U0AGENT1> the vpn works again", user=GIVER)
    desk.clock.advance(timedelta(minutes=1))
    # U0HRAGENT answers in People & Culture's channel but is not one of its listed agents.
    give_kudos(desk, "<@U0HRAGENT> payroll sorted in an hour", user=GIVER)
    posts_before = len(desk.fake.calls_to("chat.postMessage"))
    rows_before = len(kudos_rows(desk))

    top = give_kudos(desk, "top", user="U0ZOE")

    assert top.params["text"] == "Kudos in December 2026"
    assert _section_texts(top) == [
        ":trophy: *Kudos in December 2026*: 4 given.",
        "*Most thanked*\n1. <@U0AGENT1>: 2\n2. <@U0AGENT2>: 1\n3. <@U0HRAGENT>: 1",
        "*Most thankful*\n1. <@U0ALICE>: 2\n2. <@U0BEA>: 2",
        "*By team*, fairer than raw counts:\n"
        "• *IT Help Desk*: 150 per 100 requests handled (3 kudos, 2 handled)\n"
        "• *People &amp; Culture*: 0 per 100 requests handled (0 kudos, 1 handled)\n"
        "• *Facilities*: - per 100 requests handled (0 kudos, 0 handled)",
    ]
    assert len(desk.fake.calls_to("chat.postMessage")) == posts_before
    assert len(kudos_rows(desk)) == rows_before


def test_kudos_help_explains_the_command(kudos_desk: Desk) -> None:
    desk = kudos_desk
    reply = give_kudos(desk, "help", user=GIVER)
    [section] = _section_texts(reply)
    assert section.splitlines() == [
        "*Thank the people who helped you*",
        "• `/kudos @alex @sam thanks for rescuing the payroll run!` posts a shout-out and "
        "tells them.",
        "• React with :clap: to someone's message in a channel to thank them for it.",
        "• After a request is resolved, *Send kudos* on its message thanks whoever resolved it.",
        "• `/kudos` shows how many you have left today; `/kudos top` this month's leaders.",
        "You can thank up to 5 people a day.",
        "Add one of our values to say what it showed: `#ownership`, `#customer-first`.",
    ]
    _assert_nothing_given(desk)


TOO_LONG = "x" * 3001


@pytest.mark.parametrize(
    ("text", "reason", "quoted"),
    [
        pytest.param(
            "thanks everyone for the launch!",
            "Mention who you're thanking, then say what for: "
            "`/kudos @name thanks for sorting out my laptop so quickly`.",
            ">thanks everyone for the launch!",
            id="no-mention",
        ),
        pytest.param(
            "<@U0ALEX|alex> <@U0BEA|bea> we did it #ownership",
            "Kudos are for thanking others, so you can't send them to yourself. "
            "Take yourself out and send it again.",
            ">@alex @bea we did it #ownership",
            id="self",
        ),
        pytest.param(
            "<@U0ALEX|alex> <@U0ROBOT|deploybot> thanks for the deploy",
            "<@U0ROBOT> is a bot: kudos are for the people who helped.",
            ">@alex @deploybot thanks for the deploy",
            id="bot",
        ),
        pytest.param(
            "<@U0GONE|gone> thanks for all those years",
            "<@U0GONE>'s account is deactivated, so they can't receive kudos.",
            ">@gone thanks for all those years",
            id="deactivated",
        ),
        pytest.param(
            "<@U0ALEX|alex>  #ownership",
            "Say what you're thanking them for: `/kudos @name thanks for ...`. "
            "A few words make it mean much more.",
            ">@alex  #ownership",
            id="empty-message",
        ),
        pytest.param(
            f"<@U0ALEX|alex> {TOO_LONG}",
            "Keep the message under 3000 characters.",
            ">@alex " + "x" * 100,
            id="too-long",
        ),
    ],
)
def test_a_refused_kudos_quotes_the_text_back_and_changes_nothing(
    kudos_desk: Desk, listeners: ListenerWork, text: str, reason: str, quoted: str
) -> None:
    desk = kudos_desk
    desk.fake.user_profiles["U0ROBOT"] = {"is_bot": True}
    desk.fake.user_profiles["U0GONE"] = {"deleted": True}

    reply = give_kudos(desk, text, user=GIVER)
    listeners.settle()

    assert reply.params["text"] == reason
    # One section, or, for a long text, one for the reason and more for the quote.
    assert "\n".join(_section_texts(reply)).startswith(f"{reason}\nYou wrote:\n{quoted}")
    _assert_nothing_given(desk)


def test_a_too_long_message_is_quoted_back_whole(kudos_desk: Desk) -> None:
    desk = kudos_desk
    message = " ".join(f"w{n:04d}" for n in range(520))
    assert len(message) > 3000

    reply = give_kudos(desk, f"<@U0ALEX> {message}", user=GIVER)

    assert reply.params["text"] == "Keep the message under 3000 characters."
    head, *quote = _section_texts(reply)
    assert head == "Keep the message under 3000 characters.\nYou wrote:"
    assert " ".join(part.removeprefix(">") for part in quote).split() == [
        "@U0ALEX",
        *message.split(),
    ]
    assert kudos_rows(desk) == []


def test_the_daily_limit_is_five_people_a_day_in_the_givers_own_time_zone(
    kudos_desk: Desk, listeners: ListenerWork
) -> None:
    desk = kudos_desk
    # 09:00 UTC is 18:00 in Tokyo: the giver's day ends at 15:00 UTC, nine hours before UTC's.
    desk.fake.user_timezones[GIVER] = "Asia/Tokyo"

    give_kudos(desk, "<@U0P1> <@U0P2> <@U0P3> for the offsite", user=GIVER)
    over = give_kudos(desk, "<@U0P4> <@U0P5> <@U0P6> for the demo", user=GIVER)
    assert over.params["text"] == (
        "You can thank 2 more people today (up to 5 a day), and this names 3. "
        "Send it to fewer people, or to the rest tomorrow."
    )
    assert "You wrote:\n>@U0P4 @U0P5 @U0P6 for the demo" in _section_texts(over)[0]
    give_kudos(desk, "<@U0P4> for the demo", user=GIVER)
    fifth = give_kudos(desk, "<@U0P5> for the demo", user=GIVER)
    assert "You have *0 of 5* kudos left today." in fifth.params["text"]
    listeners.settle()
    rows, posts = len(kudos_rows(desk)), len(desk.fake.calls_to("chat.postMessage"))
    assert (rows, len(shoutout_rows(desk))) == (5, 3)

    refusal = (
        "You've sent all 5 kudos you can give today. They refill at midnight your time: "
        "thank the rest tomorrow."
    )
    sixth = give_kudos(desk, "<@U0P6> for the demo", user=GIVER)
    assert sixth.params["text"] == refusal
    assert _section_texts(sixth) == [f"{refusal}\nYou wrote:\n>@U0P6 for the demo"]

    desk.clock.advance(timedelta(hours=5, minutes=59))  # 14:59 UTC, 23:59 in Tokyo
    assert give_kudos(desk, "<@U0P6> for the demo", user=GIVER).params["text"] == refusal
    listeners.settle()
    assert len(kudos_rows(desk)) == rows
    assert len(desk.fake.calls_to("chat.postMessage")) == posts
    assert len(jobs_of(desk, "kudos.announce")) == 3

    desk.clock.advance(timedelta(minutes=1))  # 15:00 UTC: a new day in Tokyo, not in UTC
    assert desk.clock.now().date() == START.date()
    next_day = give_kudos(desk, "<@U0P6> for the demo", user=GIVER)
    assert "You have *4 of 5* kudos left today." in next_day.params["text"]
    assert [k.recipient_id for k in kudos_rows(desk)][rows:] == ["U0P6"]
    assert [c.params["channel"] for c in desk.fake.calls_to("chat.postMessage")][posts:] == [
        KUDOS_CHANNEL,
        "U0P6",
    ]


def test_two_commands_at_once_cannot_both_take_the_last_places(
    kudos_desk: Desk, listeners: ListenerWork
) -> None:
    desk = kudos_desk
    # Both wait on Slack for their recipients' profiles, then race for the giver's 5 places.
    release = desk.fake.hold("users.info")
    for names in ("<@U0A1> <@U0B1> <@U0C1>", "<@U0A2> <@U0B2> <@U0C2>"):
        fields = desk.slack.slash_command_fields(
            f"{names} for the offsite", user=GIVER, command="/kudos"
        )
        assert desk.slack.post_form(fields).status == 200
    desk.fake.wait_for_call("users.info", count=2)
    release.set()
    replies = desk.fake.wait_for_call("response_url", count=2)
    listeners.settle()

    [shoutout] = shoutout_rows(desk)
    recipients = [k.recipient_id for k in kudos_rows(desk)]
    assert recipients in (["U0A1", "U0B1", "U0C1"], ["U0A2", "U0B2", "U0C2"])
    answers = sorted(r.params["text"] for r in replies)
    assert answers[0].startswith(":clap: Thanks sent to ")
    assert answers[0].endswith(". You have *2 of 5* kudos left today.")
    assert answers[1] == (
        "You can thank 2 more people today (up to 5 a day), and this names 3. "
        "Send it to fewer people, or to the rest tomorrow."
    )
    assert [c.params["channel"] for c in desk.fake.calls_to("chat.postMessage")] == [
        KUDOS_CHANNEL,
        *recipients,
    ]
    assert shoutout.ts is not None


def test_kudos_are_refused_while_kudos_channel_is_unset(desk: Desk) -> None:
    reply = give_kudos(desk, THANKS, user=GIVER)
    assert reply.params["text"] == NOT_SET_UP
    assert _section_texts(reply) == [
        f"{NOT_SET_UP}\nYou wrote:\n>@alex @U0SAM thanks for rescuing the payroll run! #ownership"
    ]
    desk.pulsedesk.finish_work()
    _assert_nothing_given(desk)


def test_kudos_alone_and_top_say_kudos_are_off_while_kudos_channel_is_unset(desk: Desk) -> None:
    assert give_kudos(desk, "", user=GIVER).params["text"] == NOT_SET_UP
    top = give_kudos(desk, "top", user=GIVER)
    assert top.params["text"] == NOT_SET_UP
    assert _section_texts(top) == [f"{NOT_SET_UP}\nYou wrote:\n>top"]
    desk.pulsedesk.finish_work()
    _assert_nothing_given(desk)


def test_the_message_is_escaped_so_it_cannot_ping_link_or_format(kudos_desk: Desk) -> None:
    desk = kudos_desk
    # As Slack sends it with escaping on: what was typed as markup arrives as entities.
    raw = (
        "<@U0ALEX> you saved us &lt;!channel&gt; &lt;!here&gt; "
        "&lt;https://evil.example|click me&gt; &lt;@U0BOSS&gt; a &amp;lt; b &amp; c <!everyone>"
    )
    give_kudos(desk, raw, user=GIVER)

    [shoutout] = shoutout_rows(desk)
    assert shoutout.message == (
        "you saved us <!channel> <!here> <https://evil.example|click me> <@U0BOSS> "
        "a &lt; b & c @everyone"
    )
    assert [k.recipient_id for k in kudos_rows(desk)] == ["U0ALEX"]
    [post] = posts_to(desk, KUDOS_CHANNEL)
    assert _section_texts(post)[1] == (
        ">you saved us &lt;!channel&gt; &lt;!here&gt; &lt;https://evil.example|click me&gt; "
        "&lt;@U0BOSS&gt; a &amp;lt; b &amp; c @everyone"
    )
    for call in desk.fake.calls:
        sent = json.dumps(call.params)
        for markup in ("<!channel", "<!here", "<!everyone", "<https://evil", "<@U0BOSS"):
            assert markup not in sent, (call.method, markup)


def test_a_failed_post_keeps_the_shout_out_and_its_job_posts_it_once(
    kudos_desk: Desk,
) -> None:
    desk = kudos_desk
    # Every try fails (bot/slack.py POST_ATTEMPTS), each one looked for before the next.
    desk.fake.server_error("chat.postMessage", times=POST_ATTEMPTS)

    reply = give_kudos(desk, THANKS, user=GIVER)

    assert reply.params["text"] == (
        ":hourglass_flowing_sand: Your thanks to <@U0ALEX> and <@U0SAM> is saved; Slack is "
        f"slow to answer, so it will appear in <#{KUDOS_CHANNEL}> shortly. "
        "You have *3 of 5* kudos left today."
    )
    tries = desk.fake.calls_to("chat.postMessage")
    assert [c.params["channel"] for c in tries] == [KUDOS_CHANNEL] * POST_ATTEMPTS
    [shoutout] = shoutout_rows(desk)
    # The claim stays: it tells the job that this try may have reached Slack.
    assert (shoutout.ts, shoutout.post_claimed_at, shoutout.posted_at) == (None, START, None)
    assert [(k.recipient_id, k.notified_at) for k in kudos_rows(desk)] == [
        ("U0ALEX", None),
        ("U0SAM", None),
    ]
    [job] = jobs_of(desk, "kudos.announce")
    assert (job.state, job.due_at, job.payload) == (
        "pending",
        START + timedelta(minutes=2),
        {"shoutout_id": shoutout.id},
    )

    desk.clock.advance(timedelta(minutes=1, seconds=59))
    assert run_jobs(desk).ran == 0
    assert len(desk.fake.calls_to("chat.postMessage")) == POST_ATTEMPTS

    desk.clock.advance(timedelta(seconds=1))
    assert run_jobs(desk).done == 1
    posted_at = START + timedelta(minutes=2)
    [post, *dms] = desk.fake.calls_to("chat.postMessage")[POST_ATTEMPTS:]
    assert post.params["channel"] == KUDOS_CHANNEL
    assert post.params["text"] == "Kudos from <@U0BEA> to <@U0ALEX> and <@U0SAM>"
    [shoutout] = shoutout_rows(desk)
    assert shoutout.ts is not None
    assert (shoutout.channel_id, shoutout.permalink, shoutout.posted_at) == (
        KUDOS_CHANNEL,
        _permalink(shoutout.ts),
        posted_at,
    )
    assert [dm.params["channel"] for dm in dms] == ["U0ALEX", "U0SAM"]
    for dm in dms:
        assert _links_to(_section_texts(dm)[0], _permalink(shoutout.ts))
    assert [(k.recipient_id, k.notified_at) for k in kudos_rows(desk)] == [
        ("U0ALEX", posted_at),
        ("U0SAM", posted_at),
    ]
    [job] = jobs_of(desk, "kudos.announce")
    assert job.state == "done"

    desk.clock.advance(timedelta(hours=1))
    assert run_jobs(desk).ran == 0
    assert len(desk.fake.calls_to("chat.postMessage")) == POST_ATTEMPTS + 3
