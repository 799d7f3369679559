"""Ratings by emoji and by button, the recovery loop after a low rating, comments and expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.satisfaction.rules import PULSE_ANSWER_WINDOW
from models import Request
from tests.e2e.conftest import Desk
from tests.e2e.helpers import (
    action_ids,
    events,
    file_request,
    get_request,
    pulse_dms,
    pulses,
    rating_of,
    run_jobs,
    text_of,
)
from tests.e2e.survey_steps import (
    DELAY,
    Survey,
    buttons,
    card_updates,
    dms_to_user,
    job_of,
    survey_message_of,
    updates_of,
)
from tests.fake_slack import Call

RATE_BUTTONS = [f"satisfaction_rate_{n}" for n in range(1, 6)]
RECOVERY_BUTTONS = ["request_reopen", "satisfaction_talk_to_lead"]
ANSWERED_BUTTONS = ["satisfaction_comment", "satisfaction_change"]


@pytest.fixture
def survey(desk: Desk) -> Survey:
    return Survey(desk)


def _score(desk: Desk, request_id: int) -> int | None:
    rating = rating_of(desk, request_id)
    return rating.score if rating is not None else None


def _lead_alerts(desk: Desk) -> list[Call]:
    return [c for c in dms_to_user(desk, "U0ITLEAD") if "Low rating" in c.params["text"]]


def _recovery_offers(desk: Desk, user: str = "U0ALICE") -> list[Call]:
    return [c for c in dms_to_user(desk, user) if "fell short" in c.params["text"]]


def _send_pulse(desk: Desk, request: Request) -> tuple[int, tuple[str, str]]:
    """Let the pulse fall due and go out; returns its id and where the DM landed."""
    desk.clock.advance(DELAY)
    assert run_jobs(desk).done == 1
    [pulse] = [p for p in pulses(desk) if p.request_id == request.id and p.state == "sent"]
    return pulse.id, survey_message_of(desk, request.id, "pulse")


def test_star_struck_on_the_resolution_dm_rates_five_and_skips_the_pulse(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    resolution = survey_message_of(desk, request.id, "resolution")
    assert resolution[0] == "D0ALICE"

    survey.react("star-struck", on=resolution)

    rating = rating_of(desk, request.id)
    assert rating is not None
    assert (rating.score, rating.source, rating.reaction) == (5, "reaction", "star-struck")
    assert rating.rated_at == desk.clock.now()
    assert "Rated *5/5*" in text_of(card_updates(desk, request)[-1])
    assert _lead_alerts(desk) == []

    desk.clock.advance(DELAY)
    assert run_jobs(desk).done == 1
    assert pulse_dms(desk, "U0ALICE") == []
    [pulse] = pulses(desk)
    assert (pulse.state, pulse.skip_reason, pulse.sent_at) == ("skipped", "rated", None)
    assert job_of(desk, "satisfaction.send_pulse", pulse.id).state == "done"


def test_changing_and_removing_reactions_follow_the_current_emoji(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    resolution = survey_message_of(desk, request.id, "resolution")

    survey.react("star-struck", on=resolution)
    assert _score(desk, request.id) == 5

    survey.react("rage", on=resolution)
    rating = rating_of(desk, request.id)
    assert rating is not None
    assert (rating.score, rating.reaction) == (1, "rage")
    assert "Rated *1/5*" in text_of(card_updates(desk, request)[-1])

    updates_before = len(card_updates(desk, request))
    calls_before = len(desk.fake.calls)
    survey.react("star-struck", on=resolution, added=False)
    rating = rating_of(desk, request.id)
    assert rating is not None
    assert (rating.score, rating.reaction) == (1, "rage")
    assert desk.fake.calls[calls_before:] == []

    survey.react("rage", on=resolution, added=False)
    rating = rating_of(desk, request.id)
    assert rating is not None
    assert (rating.score, rating.reaction, rating.rated_at) == (None, None, None)
    [withdrawn_card] = card_updates(desk, request)[updates_before:]
    assert "Rated" not in text_of(withdrawn_card)

    survey.react("+1::skin-tone-2", on=resolution)
    rating = rating_of(desk, request.id)
    assert rating is not None
    assert (rating.score, rating.source, rating.reaction) == (5, "reaction", "+1")
    assert "Rated *5/5*" in text_of(card_updates(desk, request)[-1])


def test_reactions_by_others_on_other_messages_or_off_the_scale_change_nothing(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    resolution = survey_message_of(desk, request.id, "resolution")
    assert request.card_channel_id is not None
    assert request.card_ts is not None
    calls_before = len(desk.fake.calls)

    survey.react("rage", on=resolution, user="U0BOB")
    survey.react("rage", on=(request.card_channel_id, request.card_ts))
    survey.react("rage", on=("D0ALICE", "1700000000.999999"))
    survey.react("tada", on=resolution)
    survey.react("eyes", on=resolution)

    assert desk.fake.calls[calls_before:] == []
    assert rating_of(desk, request.id) is None
    [pulse] = pulses(desk)
    assert pulse.state == "scheduled"


def test_a_redelivered_reaction_event_counts_once(desk: Desk, survey: Survey) -> None:
    request = file_request(desk)
    survey.resolve(request)
    resolution = survey_message_of(desk, request.id, "resolution")

    survey.react("rage", on=resolution, event_id="Ev0RAGE0001")
    survey.react("rage", on=resolution, event_id="Ev0RAGE0001", retry=1)

    assert _score(desk, request.id) == 1
    [alert] = _lead_alerts(desk)
    assert "1/5" in text_of(alert)
    assert len(_recovery_offers(desk)) == 1

    survey.react("rage", on=resolution, added=False, event_id="Ev0RAGE0002")
    assert _score(desk, request.id) is None
    survey.react("rage", on=resolution, event_id="Ev0RAGE0001", retry=2)
    assert _score(desk, request.id) is None
    assert len(_lead_alerts(desk)) == 1


def test_low_button_rating_offers_recovery_and_alerts_the_lead_once(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    pulse_id, pulse_message = _send_pulse(desk, request)
    dms_before = len(dms_to_user(desk, "U0ALICE"))

    survey.click("satisfaction_rate_1", value=f"pulse:{pulse_id}")

    answered = updates_of(desk, *pulse_message)[-1]
    assert "*1/5*" in text_of(answered)
    assert action_ids(answered.params["blocks"]) == RECOVERY_BUTTONS + ANSWERED_BUTTONS
    assert {b["value"] for b in buttons(answered.params["blocks"])[:2]} == {f"req:{request.id}"}
    rating = rating_of(desk, request.id)
    assert rating is not None
    assert (rating.score, rating.source) == (1, "button")
    [alert] = _lead_alerts(desk)
    assert "1/5" in alert.params["text"]
    assert "<@U0ALICE>" in text_of(alert)
    assert "<@U0AGENT1>" in text_of(alert)
    assert len(dms_to_user(desk, "U0ALICE")) == dms_before

    survey.click("satisfaction_rate_2", value=f"pulse:{pulse_id}")

    assert _score(desk, request.id) == 2
    answered = updates_of(desk, *pulse_message)[-1]
    assert "*2/5*" in text_of(answered)
    assert action_ids(answered.params["blocks"]) == RECOVERY_BUTTONS + ANSWERED_BUTTONS
    assert len(_lead_alerts(desk)) == 1
    assert len(dms_to_user(desk, "U0ALICE")) == dms_before


def test_low_reaction_before_the_pulse_sends_a_recovery_offer(desk: Desk, survey: Survey) -> None:
    request = file_request(desk)
    survey.resolve(request)
    resolution = survey_message_of(desk, request.id, "resolution")

    survey.react("slightly_frowning_face", on=resolution)

    assert _score(desk, request.id) == 2
    [offer] = _recovery_offers(desk)
    assert "*2/5*" in text_of(offer)
    assert action_ids(offer.params["blocks"]) == RECOVERY_BUTTONS
    assert {b["value"] for b in buttons(offer.params["blocks"])} == {f"req:{request.id}"}
    [alert] = _lead_alerts(desk)
    assert "2/5" in alert.params["text"]


def test_talk_to_a_lead_asks_the_lead_and_tells_the_requester_who(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    survey.react("rage", on=survey_message_of(desk, request.id, "resolution"))
    lead_dms_before = len(dms_to_user(desk, "U0ITLEAD"))

    [reply] = survey.click("satisfaction_talk_to_lead", value=f"req:{request.id}")

    [asked] = dms_to_user(desk, "U0ITLEAD")[lead_dms_before:]
    assert "would like to talk" in text_of(asked)
    assert "<@U0ALICE>" in text_of(asked)
    assert f"REQ-{request.id}" in text_of(asked)
    assert reply.params["response_type"] == "ephemeral"
    assert reply.params["replace_original"] is False
    assert "I've asked <@U0ITLEAD> to get in touch" in text_of(reply)


def test_talk_to_a_lead_is_refused_to_anyone_but_the_requester(desk: Desk, survey: Survey) -> None:
    request = file_request(desk)
    survey.resolve(request)
    posts_before = len(desk.fake.calls_to("chat.postMessage"))

    [reply] = survey.click("satisfaction_talk_to_lead", value=f"req:{request.id}", user="U0BOB")

    assert reply.params["response_type"] == "ephemeral"
    assert "Only the person who filed the request" in text_of(reply)
    assert len(desk.fake.calls_to("chat.postMessage")) == posts_before


def test_talk_to_a_lead_in_a_department_without_leads_says_none_is_named(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk, "hr My payroll is wrong")
    survey.resolve(request, agent="U0HRAGENT")
    assert get_request(desk, request.id).status == "resolved"
    survey.react("rage", on=survey_message_of(desk, request.id, "resolution"))
    desk.fake.wait_for(lambda _: _recovery_offers(desk))
    posts_before = len(desk.fake.calls_to("chat.postMessage"))

    [reply] = survey.click("satisfaction_talk_to_lead", value=f"req:{request.id}")

    assert reply.params["response_type"] == "ephemeral"
    assert "No lead is named" in text_of(reply)
    assert len(desk.fake.calls_to("chat.postMessage")) == posts_before


def test_reopen_from_the_low_rating_message_sends_it_back_to_the_team(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    pulse_id, _ = _send_pulse(desk, request)
    survey.click("satisfaction_rate_1", value=f"pulse:{pulse_id}")
    agent_dms_before = len(dms_to_user(desk, "U0AGENT1"))

    replies_before = len(desk.fake.calls_to("response_url"))
    desk.slack.block_action(
        "request_reopen", user="U0ALICE", value=f"req:{request.id}", channel="D0ALICE"
    )
    survey.settle()

    stored = get_request(desk, request.id)
    assert (stored.status, stored.resolved_at, stored.assignee_id) == ("open", None, None)
    assert [e[0] for e in events(desk, request.id)] == ["file", "resolve", "reopen"]
    [replaced] = desk.fake.calls_to("response_url")[replies_before:]
    assert replaced.params["replace_original"] is True
    assert "You reopened" in text_of(replaced)
    card = card_updates(desk, request)[-1]
    assert "Open" in text_of(card)
    assert "request_claim" in action_ids(card.params["blocks"])
    [told] = dms_to_user(desk, "U0AGENT1")[agent_dms_before:]
    assert "<@U0ALICE> reopened" in told.params["text"]


def test_reopen_click_from_the_low_rating_message_is_acknowledged(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    pulse_id, _ = _send_pulse(desk, request)
    survey.click("satisfaction_rate_1", value=f"pulse:{pulse_id}")

    result = desk.slack.block_action(
        "request_reopen", user="U0ALICE", value=f"req:{request.id}", channel="D0ALICE"
    )
    survey.settle()

    assert get_request(desk, request.id).status == "open"
    assert (result.status, result.body) == (200, "")


def test_comment_modal_validates_stores_and_forwards_escaped(desk: Desk, survey: Survey) -> None:
    request = file_request(desk)
    survey.resolve(request)
    pulse_id, pulse_message = _send_pulse(desk, request)
    survey.click("satisfaction_rate_4", value=f"pulse:{pulse_id}")
    assert "Add a comment" in text_of(updates_of(desk, *pulse_message)[-1])

    survey.click("satisfaction_comment", value=f"pulse:{pulse_id}")

    [opened] = desk.fake.calls_to("views.open")
    assert opened.params["trigger_id"].startswith("trigger-action-")
    assert opened.params["view"]["callback_id"] == "satisfaction_comment"
    assert opened.params["view"]["private_metadata"] == f'{{"pulse": {pulse_id}}}'

    calls_before = len(desk.fake.calls)
    empty = survey.comment(pulse_id=pulse_id, comment="   ")
    assert empty.json() == {
        "response_action": "errors",
        "errors": {"pulse_comment": "Write a comment, or cancel."},
    }
    assert desk.fake.calls[calls_before:] == []
    rating = rating_of(desk, request.id)
    assert rating is not None
    assert rating.comment is None

    comment = "Fast fix, but please don't ping <!channel> next time"
    survey.comment(pulse_id=pulse_id, comment=comment)

    rating = rating_of(desk, request.id)
    assert rating is not None
    assert (rating.score, rating.comment) == (4, comment)
    [forward] = dms_to_user(desk, "U0ITLEAD")
    assert "don't ping &lt;!channel&gt; next time" in text_of(forward)
    assert "<!channel>" not in text_of(forward)
    assert "4/5" in forward.params["text"]
    redrawn = updates_of(desk, *pulse_message)[-1]
    assert "Edit your comment" in text_of(redrawn)
    assert "*4/5*" in text_of(redrawn)


def test_change_highlights_the_current_answer_and_another_click_replaces_it(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    pulse_id, pulse_message = _send_pulse(desk, request)
    survey.click("satisfaction_rate_4", value=f"pulse:{pulse_id}")

    survey.click("satisfaction_change", value=f"pulse:{pulse_id}")

    question = updates_of(desk, *pulse_message)[-1]
    assert "How satisfied are you" in question.params["text"]
    assert action_ids(question.params["blocks"]) == RATE_BUTTONS
    styles = {b["action_id"]: b.get("style") for b in buttons(question.params["blocks"])}
    assert styles == {
        "satisfaction_rate_1": None,
        "satisfaction_rate_2": None,
        "satisfaction_rate_3": None,
        "satisfaction_rate_4": "primary",
        "satisfaction_rate_5": None,
    }
    assert _score(desk, request.id) == 4

    survey.click("satisfaction_rate_5", value=f"pulse:{pulse_id}")

    rating = rating_of(desk, request.id)
    assert rating is not None
    assert (rating.score, rating.source) == (5, "button")
    answered = updates_of(desk, *pulse_message)[-1]
    assert "*5/5*" in text_of(answered)
    assert action_ids(answered.params["blocks"]) == ANSWERED_BUTTONS
    assert "Rated *5/5*" in text_of(card_updates(desk, request)[-1])


def test_expired_pulse_loses_its_buttons_and_a_late_click_is_refused(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    pulse_id, pulse_message = _send_pulse(desk, request)
    survey.click("satisfaction_rate_4", value=f"pulse:{pulse_id}")
    rated = rating_of(desk, request.id)
    assert rated is not None

    desk.clock.advance(PULSE_ANSWER_WINDOW - timedelta(seconds=1))
    assert run_jobs(desk).ran == 0
    desk.clock.advance(timedelta(seconds=1))
    assert run_jobs(desk).done == 1

    closed = updates_of(desk, *pulse_message)[-1]
    assert action_ids(closed.params["blocks"]) == []
    assert "has closed" in text_of(closed)
    assert "You rated it *4/5*" in text_of(closed)
    assert job_of(desk, "satisfaction.close_pulse", pulse_id).state == "done"

    [reply] = survey.click("satisfaction_rate_1", value=f"pulse:{pulse_id}")

    assert reply.params["response_type"] == "ephemeral"
    assert "This survey has closed." in text_of(reply)
    late = rating_of(desk, request.id)
    assert late is not None
    assert (late.score, late.rated_at) == (4, rated.rated_at)
    assert _lead_alerts(desk) == []


def test_talk_to_a_lead_needs_a_low_rating_and_asks_nobody_without_one(
    desk: Desk, survey: Survey
) -> None:
    request = file_request(desk)
    survey.resolve(request)
    posts_before = len(desk.fake.calls_to("chat.postMessage"))

    replies = [
        survey.click("satisfaction_talk_to_lead", value=f"req:{request.id}")[-1] for _ in range(20)
    ]

    assert all("follows a rating of 1 or 2" in text_of(reply) for reply in replies)
    assert len(desk.fake.calls_to("chat.postMessage")) == posts_before


def test_talk_to_a_lead_asks_once_per_low_rating(desk: Desk, survey: Survey) -> None:
    request = file_request(desk)
    survey.resolve(request)
    resolution = survey_message_of(desk, request.id, "resolution")
    survey.react("rage", on=resolution)
    lead_dms_before = len(dms_to_user(desk, "U0ITLEAD"))

    first = survey.click("satisfaction_talk_to_lead", value=f"req:{request.id}")[-1]
    again = survey.click("satisfaction_talk_to_lead", value=f"req:{request.id}")[-1]

    assert len(dms_to_user(desk, "U0ITLEAD")) == lead_dms_before + 1
    assert "I've asked <@U0ITLEAD>" in text_of(first)
    assert "I've already asked <@U0ITLEAD>" in text_of(again)

    # Rated again, later, and low again: a new rating, so the lead may be asked about it.
    desk.clock.advance(timedelta(minutes=5))
    survey.react("star-struck", on=resolution)
    survey.react("rage", on=resolution)
    lead_dms_before = len(dms_to_user(desk, "U0ITLEAD"))
    survey.click("satisfaction_talk_to_lead", value=f"req:{request.id}")
    asked = [
        d
        for d in dms_to_user(desk, "U0ITLEAD")[lead_dms_before:]
        if "would like to talk" in text_of(d)
    ]
    assert len(asked) == 1
