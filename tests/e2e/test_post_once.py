"""SlackGateway.post_once against the fake Slack: a message that may already have reached
Slack is looked for by its tag before it is posted again."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.errors import SlackApiError

from bot.slack import MessageTag, PostedMessage, SlackGateway
from bot.slack_client import build_web_client
from tests.fake_clock import FakeClock
from tests.fake_slack import FakeSlack, ScriptedFailure

CHANNEL = "C0KUDOS001"
MESSAGE = {"text": "Kudos from <@U0BEA>", "blocks": None}
TAG = MessageTag("pulsedesk_shoutout", 7)


@pytest.fixture
def gateway(fake_slack: FakeSlack) -> SlackGateway:
    client = build_web_client(
        token="xoxb-test-token", base_url=fake_slack.api_url, retry_backoff_factor=0.01
    )
    return SlackGateway(client, clock=FakeClock())


def _posts(fake: FakeSlack) -> list[str]:
    return [c.params["channel"] for c in fake.calls_to("chat.postMessage")]


def test_a_first_try_posts_with_its_tag_and_looks_for_nothing(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    posted = gateway.post_once(channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=False)

    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.params["metadata"] == {
        "event_type": "pulsedesk_shoutout",
        "event_payload": {"key": 7},
    }
    assert fake_slack.calls_to("conversations.history") == []
    assert posted == PostedMessage(CHANNEL, fake_slack.history[CHANNEL][0]["ts"])


def test_a_resumed_post_that_had_landed_is_found_not_posted_again(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    first = gateway.post_once(channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=False)
    gateway.post_message(channel=CHANNEL, message={"text": "something else"})

    again = gateway.post_once(channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=True)

    assert again == first
    assert _posts(fake_slack) == [CHANNEL, CHANNEL]
    assert fake_slack.calls_to("conversations.history")[0].params["channel"] == CHANNEL


def test_a_resumed_post_that_never_landed_is_posted(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    gateway.post_once(
        channel=CHANNEL, message=MESSAGE, tag=MessageTag("pulsedesk_shoutout", 6), resumed=False
    )

    gateway.post_once(channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=True)

    assert _posts(fake_slack) == [CHANNEL, CHANNEL]
    assert fake_slack.history[CHANNEL][0]["metadata"]["event_payload"] == {"key": 7}


def test_a_resumed_dm_is_looked_for_in_the_apps_dm_with_the_person(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    first = gateway.post_once(channel="U0ALEX", message=MESSAGE, tag=TAG, resumed=False)

    again = gateway.post_once(channel="U0ALEX", message=MESSAGE, tag=TAG, resumed=True)

    assert again == first == PostedMessage("D0ALEX", first.ts)
    assert fake_slack.calls_to("conversations.open")[0].params["users"] == "U0ALEX"
    assert _posts(fake_slack) == ["U0ALEX"]


@pytest.mark.parametrize("error", ["not_in_channel", "missing_scope", "channel_not_found"])
def test_where_slack_hides_the_history_the_message_is_posted_rather_than_never(
    gateway: SlackGateway,
    fake_slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
    error: str,
) -> None:
    fake_slack.errors["conversations.history"] = error

    with caplog.at_level(logging.WARNING, logger="bot.slack"):
        gateway.post_once(channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=True)

    assert _posts(fake_slack) == [CHANNEL]
    assert [r.getMessage() for r in caplog.records] == ["slack.history_unreadable"]


def test_a_failing_lookup_posts_nothing_so_the_job_tries_again(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    fake_slack.fail("conversations.history", *[ScriptedFailure(500)] * 4)

    with pytest.raises(SlackApiError):
        gateway.post_once(channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=True)

    assert _posts(fake_slack) == []


@pytest.fixture
def impatient_gateway(fake_slack: FakeSlack) -> SlackGateway:
    """A gateway whose client gives up on an answer after a second, and does not wait
    between tries: what a lost answer looks like, quickly."""
    client = build_web_client(
        token="xoxb-test-token", base_url=fake_slack.api_url, retry_backoff_factor=0.01, timeout=1
    )
    return SlackGateway(client, clock=FakeClock(), sleep=lambda _: None)


@pytest.mark.parametrize("how", ["drop", "500", "timeout"])
@pytest.mark.parametrize("channel", [CHANNEL, "U0ALEX"])
def test_a_post_whose_answer_is_lost_lands_once(
    impatient_gateway: SlackGateway, fake_slack: FakeSlack, how: str, channel: str
) -> None:
    fake_slack.lose_answer("chat.postMessage", how=how)

    posted = impatient_gateway.post_message(channel=channel, message=MESSAGE)

    conversation = "D0ALEX" if channel == "U0ALEX" else CHANNEL
    [landed] = fake_slack.history[conversation]
    assert posted == PostedMessage(conversation, landed["ts"])
    assert landed["metadata"]["event_type"] == "pulsedesk_message"
    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.calls_to("conversations.history")


@pytest.mark.parametrize("how", ["drop", "500"])
def test_a_tagged_post_whose_answer_is_lost_lands_once(
    impatient_gateway: SlackGateway, fake_slack: FakeSlack, how: str
) -> None:
    fake_slack.lose_answer("chat.postMessage", how=how, times=2)

    impatient_gateway.post_once(channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=False)

    assert len(fake_slack.history[CHANNEL]) == 1
    assert fake_slack.history[CHANNEL][0]["metadata"]["event_payload"] == {"key": 7}


def test_a_refusal_is_not_retried(impatient_gateway: SlackGateway, fake_slack: FakeSlack) -> None:
    fake_slack.errors["chat.postMessage"] = "channel_not_found"

    with pytest.raises(SlackApiError):
        impatient_gateway.post_message(channel=CHANNEL, message=MESSAGE)

    assert len(fake_slack.calls_to("chat.postMessage")) == 1
    assert fake_slack.calls_to("conversations.history") == []


@pytest.mark.parametrize("how", ["drop", "500", "timeout"])
def test_a_private_answer_whose_reply_was_lost_is_not_sent_again(
    fake_slack: FakeSlack, how: str
) -> None:
    client = build_web_client(
        token="xoxb-test-token", base_url=fake_slack.api_url, retry_backoff_factor=0.01, timeout=1
    )
    gateway = SlackGateway(client, clock=FakeClock())
    fake_slack.lose_answer("response_url", how=how)
    fake_slack.lose_answer("chat.postEphemeral", how=how)

    with pytest.raises(Exception):  # noqa: B017, PT011 - each way of losing an answer raises its own
        gateway.reply_privately(fake_slack.response_url("lost"), MESSAGE, user_id="U0BEA")
    with pytest.raises(Exception):  # noqa: B017, PT011
        gateway.post_ephemeral(channel=CHANNEL, user="U0BEA", message=MESSAGE)

    assert len(fake_slack.calls_to("response_url")) == 1
    assert len(fake_slack.calls_to("chat.postEphemeral")) == 1


def test_a_private_answer_that_was_rate_limited_is_sent_after_the_wait(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    fake_slack.rate_limit("chat.postEphemeral", retry_after=0)
    gateway.post_ephemeral(channel=CHANNEL, user="U0BEA", message=MESSAGE)
    assert len(fake_slack.calls_to("chat.postEphemeral")) == 2


def test_a_resumed_post_is_found_behind_a_busy_channels_later_messages(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    first = gateway.post_once(channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=False)
    for n in range(450):
        fake_slack.workspace.post(CHANNEL, {"text": f"chatter {n}", "user": "U0BEA"})

    again = gateway.post_once(channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=True)

    assert again == first
    assert _posts(fake_slack) == [CHANNEL]
    assert len(fake_slack.calls_to("conversations.history")) == 3


def test_a_reply_lands_in_its_thread_and_not_among_the_channels_messages(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    card = gateway.post_message(channel=CHANNEL, message={"text": "the card"})

    reply = gateway.post_once(
        channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=False, thread_ts=card.ts
    )

    history = gateway.client.conversations_history(channel=CHANNEL)
    assert [m["ts"] for m in history["messages"]] == [card.ts]
    thread = gateway.client.conversations_replies(channel=CHANNEL, ts=card.ts)
    assert [(m["ts"], m.get("thread_ts")) for m in thread["messages"]] == [
        (card.ts, None),
        (reply.ts, card.ts),
    ]


def test_a_resumed_reply_is_looked_for_in_its_thread(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    card = gateway.post_message(channel=CHANNEL, message={"text": "the card"})
    first = gateway.post_once(
        channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=False, thread_ts=card.ts
    )

    again = gateway.post_once(
        channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=True, thread_ts=card.ts
    )

    assert again == first
    assert len(fake_slack.calls_to("chat.postMessage")) == 2
    [looked] = fake_slack.calls_to("conversations.replies")
    assert looked.params["ts"] == card.ts


def test_a_reply_whose_answer_was_lost_is_found_in_its_thread_not_posted_twice(
    gateway: SlackGateway, fake_slack: FakeSlack
) -> None:
    card = gateway.post_message(channel=CHANNEL, message={"text": "the card"})
    fake_slack.lose_answer("chat.postMessage", how="500")

    reply = gateway.post_once(
        channel=CHANNEL, message=MESSAGE, tag=TAG, resumed=False, thread_ts=card.ts
    )

    thread = fake_slack.workspace.thread(CHANNEL, card.ts)
    assert thread is not None
    assert [m["ts"] for m in thread] == [card.ts, reply.ts]
