"""Kudos by reaction: the kudos emoji on someone's message thanks its author, gathered into one
line in the kudos channel per 10 minutes; repeats count once, removal takes it back, and
refusals are told to the reactor alone."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import KUDOS_CHANNEL, Desk, DeskFactory
from tests.e2e.helpers import (
    give_kudos,
    jobs_of,
    kudos_rows,
    posts_to,
    run_jobs,
    shoutout_rows,
)
from tests.e2e.survey_steps import ListenerWork
from tests.fake_slack import Call

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
GENERAL = "C0GENERAL"
# Messages people wrote: (channel, ts).
ALEX_MESSAGE = (GENERAL, "1793600000.000100")
SAM_MESSAGE = ("C0OPS00001", "1793600000.000200")
_event_ts = itertools.count(1)


def _next_event_ts() -> str:
    """Slack's event_ts, rising with every event a test sends."""
    return f"1793610000.{next(_event_ts):06d}"


class Reactor:
    """Sends reaction events through the real endpoint and waits until the bot is done."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self.work = ListenerWork(desk.pulsedesk.listener_executor, desk.pulsedesk.services.forms)

    def react(
        self,
        user: str,
        on: tuple[str, str] = ALEX_MESSAGE,
        *,
        author: str = "U0ALEX",
        emoji: str = "clap",
        added: bool = True,
        event_id: str | None = None,
        event_ts: str | None = None,
        retry: int = 0,
    ) -> None:
        channel, ts = on
        event = {
            "type": "reaction_added" if added else "reaction_removed",
            "user": user,
            "reaction": emoji,
            "item_user": author,
            "item": {"type": "message", "channel": channel, "ts": ts},
            "event_ts": event_ts or _next_event_ts(),
        }
        headers = (
            {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
            if retry
            else None
        )
        assert self.desk.slack.event(event, event_id=event_id, headers=headers).status == 200
        self.work.settle()


@pytest.fixture
def reactor(kudos_desk: Desk) -> Reactor:
    return Reactor(kudos_desk)


def _permalink(channel: str, ts: str) -> str:
    return f"https://sandbox.slack.test/archives/{channel}/p{ts.replace('.', '')}"


def _line(recipient: str, message: tuple[str, str], givers: int) -> str:
    people = "person" if givers == 1 else "people"
    channel, ts = message
    return (
        f"• <@{recipient}> for <{_permalink(channel, ts)}|a message> in <#{channel}>, "
        f"from {givers} {people}"
    )


def _batch_text(call: Call) -> str:
    [block] = call.params["blocks"]
    text: str = block["text"]["text"]
    return text


def _counting(desk: Desk) -> list[tuple[str, str, str | None, str | None]]:
    """(giver, recipient, channel, ts) of the kudos that count."""
    return [
        (k.giver_id, k.recipient_id, k.reaction_channel_id, k.reaction_ts)
        for k in kudos_rows(desk)
        if k.withdrawn_at is None
    ]


def _slack_calls(desk: Desk) -> list[Call]:
    """What the bot asked of Slack, but for Bolt's auth.test at start."""
    return [c for c in desk.fake.calls if c.method != "auth.test"]


def _ephemerals(desk: Desk) -> list[tuple[str, str, str]]:
    return [
        (c.params["channel"], c.params["user"], c.params["text"])
        for c in desk.fake.calls_to("chat.postEphemeral")
    ]


def test_claps_are_gathered_into_one_line_in_the_kudos_channel_after_ten_minutes(
    kudos_desk: Desk, reactor: Reactor
) -> None:
    desk = kudos_desk
    reactor.react("U0BEA")
    reactor.react("U0CAL")
    desk.clock.advance(timedelta(minutes=5))
    reactor.react("U0DANA", emoji="clap::skin-tone-3")
    reactor.react("U0BEA", SAM_MESSAGE, author="U0SAM")

    five_past = START + timedelta(minutes=5)
    assert [
        (
            k.giver_id,
            k.recipient_id,
            k.source,
            k.reaction_channel_id,
            k.reaction_ts,
            k.given_at,
            k.shoutout_id,
            k.withdrawn_at,
            k.announced_at,
        )
        for k in kudos_rows(desk)
    ] == [
        ("U0BEA", "U0ALEX", "reaction", *ALEX_MESSAGE, START, None, None, None),
        ("U0CAL", "U0ALEX", "reaction", *ALEX_MESSAGE, START, None, None, None),
        ("U0DANA", "U0ALEX", "reaction", *ALEX_MESSAGE, five_past, None, None, None),
        ("U0BEA", "U0SAM", "reaction", *SAM_MESSAGE, five_past, None, None, None),
    ]
    assert shoutout_rows(desk) == []
    assert desk.fake.calls_to("chat.postMessage") == []
    assert desk.fake.calls_to("chat.postEphemeral") == []
    [batch_job] = jobs_of(desk, "kudos.reaction_batch")
    assert (batch_job.state, batch_job.due_at) == ("pending", START + timedelta(minutes=10))

    desk.clock.advance(timedelta(minutes=4, seconds=59))
    assert run_jobs(desk).ran == 0
    desk.clock.advance(timedelta(seconds=1))
    assert run_jobs(desk).done == 1

    [batch] = desk.fake.calls_to("chat.postMessage")
    assert batch.params["channel"] == KUDOS_CHANNEL
    assert batch.params["text"] == "4 kudos by reaction"
    assert _batch_text(batch) == "\n".join(
        [
            ":clap: *Kudos by reaction*",
            _line("U0ALEX", ALEX_MESSAGE, 3),
            _line("U0SAM", SAM_MESSAGE, 1),
        ]
    )
    ten_past = START + timedelta(minutes=10)
    assert [k.announced_at for k in kudos_rows(desk)] == [ten_past] * 4

    # A clap after the line went out waits for the next window, and only it is announced.
    desk.clock.advance(timedelta(minutes=2))
    reactor.react("U0ERIN")
    assert run_jobs(desk).ran == 0
    desk.clock.advance(timedelta(minutes=8))
    assert run_jobs(desk).done == 1
    _first, second = desk.fake.calls_to("chat.postMessage")
    assert second.params["channel"] == KUDOS_CHANNEL
    assert _batch_text(second) == "\n".join(
        [":clap: *Kudos by reaction*", _line("U0ALEX", ALEX_MESSAGE, 1)]
    )
    desk.clock.advance(timedelta(hours=1))
    assert run_jobs(desk).ran == 0
    assert len(desk.fake.calls_to("chat.postMessage")) == 2


def test_a_reaction_delivered_twice_or_added_again_counts_once(
    kudos_desk: Desk, reactor: Reactor
) -> None:
    desk = kudos_desk
    event_ts = _next_event_ts()
    reactor.react("U0BEA", event_id="Ev0CLAP0001", event_ts=event_ts)
    reactor.react("U0BEA", event_id="Ev0CLAP0001", event_ts=event_ts, retry=1)
    desk.clock.advance(timedelta(minutes=1))
    # The same reaction again, under another event id (added again, or Slack sending it anew).
    reactor.react("U0BEA", event_id="Ev0CLAP0002", event_ts=event_ts)
    reactor.react("U0BEA", event_id="Ev0CLAP0003")

    [kudos] = kudos_rows(desk)
    assert (kudos.giver_id, kudos.recipient_id, kudos.given_at, kudos.withdrawn_at) == (
        "U0BEA",
        "U0ALEX",
        START,
        None,
    )
    assert desk.fake.calls_to("chat.postEphemeral") == []
    status = give_kudos(desk, "", user="U0BEA")
    assert "You have *4 of 5* kudos left today." in status.params["text"]
    assert "• <@U0ALEX> with :clap:, " in status.params["blocks"][0]["text"]["text"]

    desk.clock.advance(timedelta(minutes=10))
    assert run_jobs(desk).done == 1
    [batch] = posts_to(desk, KUDOS_CHANNEL)
    assert batch.params["text"] == "1 kudos by reaction"
    assert _line("U0ALEX", ALEX_MESSAGE, 1) in _batch_text(batch)
    assert len(desk.fake.calls_to("chat.postMessage")) == 1


def test_removing_the_reaction_takes_the_kudos_back(kudos_desk: Desk, reactor: Reactor) -> None:
    desk = kudos_desk
    reactor.react("U0BEA")
    reactor.react("U0BEA", SAM_MESSAGE, author="U0SAM")
    desk.clock.advance(timedelta(minutes=3))
    reactor.react("U0BEA", added=False)

    withdrawn, counting = kudos_rows(desk)
    assert (withdrawn.recipient_id, withdrawn.withdrawn_at) == (
        "U0ALEX",
        START + timedelta(minutes=3),
    )
    assert (counting.recipient_id, counting.withdrawn_at) == ("U0SAM", None)
    status = give_kudos(desk, "", user="U0BEA")
    assert "You have *4 of 5* kudos left today." in status.params["text"]
    status_text = status.params["blocks"][0]["text"]["text"]
    assert "• <@U0SAM> with :clap:, " in status_text
    assert "U0ALEX" not in status_text

    desk.clock.advance(timedelta(minutes=7))
    assert run_jobs(desk).done == 1
    [batch] = desk.fake.calls_to("chat.postMessage")
    assert batch.params["channel"] == KUDOS_CHANNEL
    assert _batch_text(batch) == "\n".join(
        [":clap: *Kudos by reaction*", _line("U0SAM", SAM_MESSAGE, 1)]
    )
    withdrawn, counting = kudos_rows(desk)
    assert (withdrawn.announced_at, counting.announced_at) == (None, START + timedelta(minutes=10))


def test_a_removal_that_arrives_before_its_add_leaves_the_kudos_withdrawn(
    kudos_desk: Desk, reactor: Reactor
) -> None:
    desk = kudos_desk
    added_at = _next_event_ts()
    removed_at = _next_event_ts()
    reactor.react("U0BEA", added=False, event_ts=removed_at)
    reactor.react("U0BEA", event_ts=added_at)

    [kudos] = kudos_rows(desk)
    assert (kudos.recipient_id, kudos.withdrawn_at, kudos.reaction_event_ts) == (
        "U0ALEX",
        START,
        removed_at,
    )
    assert _counting(desk) == []
    assert jobs_of(desk, "kudos.reaction_batch") == []
    status = give_kudos(desk, "", user="U0BEA")
    assert "You have *5 of 5* kudos left today." in status.params["text"]

    desk.clock.advance(timedelta(minutes=10))
    assert run_jobs(desk).ran == 0
    assert desk.fake.calls_to("chat.postMessage") == []

    # Added again for real, later: it counts.
    reactor.react("U0BEA")
    assert _counting(desk) == [("U0BEA", "U0ALEX", *ALEX_MESSAGE)]


@pytest.mark.parametrize(
    ("author", "profile", "refusal"),
    [
        pytest.param(
            "U0BEA",
            None,
            "Kudos are for thanking others, so a reaction to your own message gives none.",
            id="own-message",
        ),
        pytest.param(
            "U0ROBOT",
            {"is_bot": True},
            "<@U0ROBOT> is a bot: kudos are for the people who helped.",
            id="bot",
        ),
        pytest.param(
            "U0GONE",
            {"deleted": True},
            "<@U0GONE>'s account is deactivated, so they can't receive kudos.",
            id="deactivated",
        ),
    ],
)
def test_a_refused_reaction_is_told_to_the_reactor_alone_and_changes_nothing(
    kudos_desk: Desk,
    reactor: Reactor,
    author: str,
    profile: dict[str, bool] | None,
    refusal: str,
) -> None:
    desk = kudos_desk
    if profile is not None:
        desk.fake.user_profiles[author] = profile

    reactor.react("U0BEA", author=author, event_id="Ev0REFUSED1")
    reactor.react("U0BEA", author=author, event_id="Ev0REFUSED1", retry=1)
    reactor.react("U0BEA", author=author, added=False)

    assert _ephemerals(desk) == [(GENERAL, "U0BEA", refusal)]
    assert kudos_rows(desk) == []
    assert desk.fake.calls_to("chat.postMessage") == []
    assert jobs_of(desk, "kudos.reaction_batch") == []
    desk.clock.advance(timedelta(minutes=10))
    assert run_jobs(desk).ran == 0
    assert desk.fake.calls_to("chat.postMessage") == []


def test_reactions_count_toward_the_daily_limit(kudos_desk: Desk, reactor: Reactor) -> None:
    desk = kudos_desk
    give_kudos(desk, "<@U0P1> <@U0P2> <@U0P3> for the offsite", user="U0BEA")
    reactor.react("U0BEA", (GENERAL, "1793600000.000004"), author="U0P4")
    reactor.react("U0BEA", (GENERAL, "1793600000.000005"), author="U0P5")
    assert len(kudos_rows(desk)) == 5
    posts = len(desk.fake.calls_to("chat.postMessage"))

    sixth = (GENERAL, "1793600000.000006")
    reactor.react("U0BEA", sixth, author="U0P6")
    assert _ephemerals(desk) == [
        (
            GENERAL,
            "U0BEA",
            "You've sent all 5 kudos you can give today. They refill at midnight your time: "
            "thank the rest tomorrow.",
        )
    ]
    assert [k.recipient_id for k in kudos_rows(desk)] == ["U0P1", "U0P2", "U0P3", "U0P4", "U0P5"]
    # A reaction that already counts is not refused when Slack sends it again.
    reactor.react("U0BEA", (GENERAL, "1793600000.000005"), author="U0P5")
    assert len(_ephemerals(desk)) == 1
    refused = give_kudos(desk, "<@U0P6> for the demo", user="U0BEA")
    assert refused.params["text"].startswith("You've sent all 5 kudos")
    assert len(shoutout_rows(desk)) == 1
    assert len(desk.fake.calls_to("chat.postMessage")) == posts

    # Taking one back frees its place for today.
    reactor.react("U0BEA", (GENERAL, "1793600000.000004"), author="U0P4", added=False)
    reactor.react("U0BEA", sixth, author="U0P6")
    assert len(_ephemerals(desk)) == 1
    assert [recipient for _, recipient, _, _ in _counting(desk)] == [
        "U0P1",
        "U0P2",
        "U0P3",
        "U0P5",
        "U0P6",
    ]


def test_other_emoji_dms_files_and_messages_without_an_author_do_nothing(
    kudos_desk: Desk, reactor: Reactor
) -> None:
    desk = kudos_desk
    reactor.react("U0BEA", emoji="tada")
    reactor.react("U0BEA", emoji="clapper")
    reactor.react("U0BEA", ("D0ALEX0001", "1793600000.000300"))
    reactor.react("U0BEA", added=False, emoji="tada")
    on_a_file = {
        "type": "reaction_added",
        "user": "U0BEA",
        "reaction": "clap",
        "item_user": "U0ALEX",
        "item": {"type": "file", "file": "F0SLIDES"},
        "event_ts": _next_event_ts(),
    }
    # A message with no author to thank (an integration's post carries no item_user).
    without_author = {
        "type": "reaction_added",
        "user": "U0BEA",
        "reaction": "clap",
        "item": {"type": "message", "channel": GENERAL, "ts": "1793600000.000400"},
        "event_ts": _next_event_ts(),
    }
    for event in (on_a_file, without_author):
        assert desk.slack.event(event).status == 200
    reactor.work.settle()

    assert kudos_rows(desk) == []
    assert _slack_calls(desk) == []
    assert jobs_of(desk, "kudos.reaction_batch") == []


def test_reactions_do_nothing_while_kudos_channel_is_unset(desk: Desk) -> None:
    reactor = Reactor(desk)
    reactor.react("U0BEA")
    assert kudos_rows(desk) == []
    assert _slack_calls(desk) == []
    assert jobs_of(desk, "kudos.reaction_batch") == []


@pytest.fixture
def tada_desk(desk_with: DeskFactory) -> Desk:
    return desk_with(
        kudos_channel=KUDOS_CHANNEL,
        kudos_emoji="tada",
    )


def test_kudos_emoji_chooses_the_emoji_that_thanks(tada_desk: Desk) -> None:
    desk = tada_desk
    reactor = Reactor(desk)
    reactor.react("U0BEA", emoji="clap")
    assert kudos_rows(desk) == []
    assert _slack_calls(desk) == []

    reactor.react("U0BEA", emoji="tada")
    assert _counting(desk) == [("U0BEA", "U0ALEX", *ALEX_MESSAGE)]
    desk.clock.advance(timedelta(minutes=10))
    assert run_jobs(desk).done == 1
    [batch] = desk.fake.calls_to("chat.postMessage")
    assert batch.params["channel"] == KUDOS_CHANNEL
    assert _batch_text(batch) == "\n".join(
        [":tada: *Kudos by reaction*", _line("U0ALEX", ALEX_MESSAGE, 1)]
    )
    help_text = give_kudos(desk, "help", user="U0BEA").params["text"]
    assert "React with :tada: to someone's message" in help_text
