"""The sandbox's workspace: what a post, a response URL, a reaction and a view do to it, and
that it is all still there after a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.departments import parse_config
from bot.sandbox.people import EXAMPLE_DEPARTMENTS, SampleDirectory, departments_toml
from bot.sandbox.web_api import WebApi
from bot.sandbox.workspace import Identity, Workspace

BOT = "U0SBBOT01"
CHANNEL = "C0SBDEPT000"
MAYA, OMAR = "U0SBMAYA01", "U0SBOMAR01"


def _workspace(store: Path | None = None) -> Workspace:
    return Workspace(Identity(team_id="T0SANDBOX", bot_user_id=BOT), SampleDirectory(), store=store)


def _texts(workspace: Workspace, channel: str, viewer: str | None = None) -> list[str]:
    return [m["text"] for m in workspace.messages(channel, viewer=viewer)]


def test_a_post_to_a_person_lands_in_their_dm_with_the_bot() -> None:
    workspace = _workspace()
    answer = WebApi(workspace).answer("chat.postMessage", {"channel": MAYA, "text": "hello"})
    assert answer["channel"] == "D0SBMAYA01"
    assert _texts(workspace, "D0SBMAYA01") == ["hello"]


def test_an_ephemeral_message_is_seen_only_by_its_viewer() -> None:
    workspace = _workspace()
    api = WebApi(workspace)
    api.answer("chat.postEphemeral", {"channel": CHANNEL, "user": MAYA, "text": "just you"})
    assert _texts(workspace, CHANNEL, MAYA) == ["just you"]
    assert _texts(workspace, CHANNEL, OMAR) == []
    assert api.answer("conversations.history", {"channel": CHANNEL})["messages"] == []


def test_a_response_url_replaces_deletes_or_answers_privately() -> None:
    workspace = _workspace()
    card = workspace.post(CHANNEL, {"text": "card"})
    on_card = workspace.issue_response_url(channel=CHANNEL, user=OMAR, ts=card["ts"])
    assert workspace.respond(on_card, {"replace_original": True, "text": "claimed"})
    assert _texts(workspace, CHANNEL) == ["claimed"]

    private = workspace.issue_response_url(channel=CHANNEL, user=OMAR)
    assert workspace.respond(private, {"text": "only Omar"})
    assert _texts(workspace, CHANNEL, OMAR) == ["claimed", "only Omar"]
    assert _texts(workspace, CHANNEL, MAYA) == ["claimed"]

    assert workspace.respond(on_card, {"delete_original": True})
    assert _texts(workspace, CHANNEL) == []
    assert not workspace.respond("r-unknown", {"text": "lost"})


def test_a_reaction_is_added_then_taken_back_by_the_same_person() -> None:
    workspace = _workspace()
    message = workspace.post(CHANNEL, {"text": "thanks", "user": OMAR, "is_bot": False})
    assert workspace.toggle_reaction(CHANNEL, message["ts"], MAYA, "clap") is True
    assert workspace.toggle_reaction(CHANNEL, message["ts"], OMAR, "clap") is True
    [kept] = workspace.messages(CHANNEL)
    assert kept["reactions"] == [{"name": "clap", "users": [MAYA, OMAR], "count": 2}]
    assert workspace.toggle_reaction(CHANNEL, message["ts"], MAYA, "clap") is False
    assert workspace.toggle_reaction(CHANNEL, message["ts"], OMAR, "clap") is False
    assert workspace.messages(CHANNEL)[0]["reactions"] == []
    assert workspace.toggle_reaction(CHANNEL, "9.9", MAYA, "clap") is None


def test_a_view_opens_only_for_the_person_whose_trigger_it_was_and_only_once() -> None:
    workspace = _workspace()
    api = WebApi(workspace)
    trigger = workspace.issue_trigger(MAYA)
    view: dict[str, Any] = {"type": "modal", "title": {"type": "plain_text", "text": "Form"}}
    opened = api.answer("views.open", {"trigger_id": trigger, "view": view})["view"]
    assert workspace.modal(MAYA) == opened
    assert workspace.modal(OMAR) is None

    # Used once, or never issued: refused, as Slack refuses it.
    again = api.answer("views.open", {"trigger_id": trigger, "view": view})
    assert again == {"ok": False, "error": "invalid_trigger_id"}
    made_up = api.answer("views.open", {"trigger_id": "trigger-1", "view": view})
    assert made_up == {"ok": False, "error": "invalid_trigger_id"}
    assert workspace.modal(MAYA) == opened
    assert api.answer("views.update", {"view_id": "V404", "view": view})["error"] == "not_found"

    updated = {**view, "title": {"type": "plain_text", "text": "Step 2"}}
    api.answer("views.update", {"view_id": opened["id"], "view": updated})
    assert workspace.modal(MAYA)["title"]["text"] == "Step 2"  # type: ignore[index]
    workspace.close_modal(MAYA, opened["id"])
    assert workspace.modal(MAYA) is None


def test_the_workspace_is_kept_over_a_restart_and_reset_empties_it(tmp_path: Path) -> None:
    store = tmp_path / "slack.db"
    first = _workspace(store)
    first.post(CHANNEL, {"text": "kept"})
    first.publish_home(MAYA, {"type": "home", "blocks": []})
    first.set_setting("clock_offset_seconds", 3600)

    second = _workspace(store)
    assert _texts(second, CHANNEL) == ["kept"]
    assert second.home(MAYA) is not None
    assert second.setting("clock_offset_seconds") == 3600

    second.reset()
    assert _texts(_workspace(store), CHANNEL) == []
    assert _workspace(store).setting("clock_offset_seconds") is None


def test_without_content_only_what_history_must_find_is_kept() -> None:
    workspace = Workspace(
        Identity(team_id="T0", bot_user_id=BOT), SampleDirectory(), keep_content=False
    )
    posted = workspace.post(
        CHANNEL, {"text": "big", "blocks": [{"type": "divider"}], "metadata": 1}
    )
    assert workspace.messages(CHANNEL) == [{"ts": posted["ts"], "metadata": 1}]


def test_changes_are_told_to_subscribers_until_they_stop() -> None:
    workspace = _workspace()
    seen: list[dict[str, Any]] = []
    stop = workspace.subscribe(seen.append)
    workspace.post(CHANNEL, {"text": "one"})
    stop()
    workspace.post(CHANNEL, {"text": "two"})
    assert seen == [{"kind": "messages", "channel": CHANNEL}]


def test_the_sandboxs_departments_file_is_the_example_in_its_channels() -> None:
    written = parse_config(Path("departments.toml"), departments_toml()).departments
    example = parse_config(EXAMPLE_DEPARTMENTS, EXAMPLE_DEPARTMENTS.read_text()).departments
    assert [d.model_dump(exclude={"channel", "agents", "leads"}) for d in written] == [
        d.model_dump(exclude={"channel", "agents", "leads"}) for d in example
    ]
    assert all(d.channel.startswith("C0SB") for d in written)


def test_ids_are_not_reused_after_a_restart(tmp_path: Path) -> None:
    store = tmp_path / "slack.db"
    before = _workspace(store).new_id("V")
    assert _workspace(store).new_id("V") != before


def test_a_test_workspace_may_answer_triggers_it_did_not_issue() -> None:
    lenient = Workspace(
        Identity(team_id="T0", bot_user_id=BOT), SampleDirectory(), strict_triggers=False
    )
    answer = WebApi(lenient).answer("views.open", {"trigger_id": "trigger-1", "view": {}})
    assert answer["ok"] is True
    assert lenient.modal(MAYA) is None


def test_a_message_slack_would_refuse_is_refused_and_not_stored() -> None:
    workspace = _workspace()
    too_long = {"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}
    answer = WebApi(workspace).answer(
        "chat.postMessage", {"channel": CHANNEL, "text": "t", "blocks": [too_long]}
    )
    assert answer["ok"] is False
    assert answer["error"] == "invalid_blocks"
    assert answer["errors"]
    assert workspace.messages(CHANNEL) == []
