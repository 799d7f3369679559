"""What the Web API methods the bot calls do to a workspace, as Slack does them: a post is
stored and gets its timestamp, a modal opens for the person whose click issued the trigger, a
Home tab is published. Methods the bot does not call answer ok and change nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.sandbox.limits import block_kit_problems, message_problems
from bot.sandbox.workspace import Workspace

MESSAGES_PAGE = 100
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral")
USERS_PAGE = 200


def invalid_blocks(method: str, params: dict[str, Any]) -> list[str]:
    """What Slack would refuse in a message or a view, as it would: nothing is stored."""
    if method in MESSAGE_METHODS:
        return message_problems(params)
    if isinstance(params.get("view"), dict):
        return block_kit_problems(params["view"], surface="view")
    return []


class WebApi:
    def __init__(self, workspace: Workspace, *, upload_url: str = "") -> None:
        """`upload_url`: where the server this answers on takes uploaded bytes (a file's id
        is added to it)."""
        self.workspace = workspace
        self.upload_url = upload_url

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = _METHODS.get(method)
        if handler is None:
            return {"ok": True}
        problems = invalid_blocks(method, params) + self._unknown_files(params)
        if problems:
            return {"ok": False, "error": "invalid_blocks", "errors": problems}
        return handler(self, params)

    def _unknown_files(self, params: dict[str, Any]) -> list[str]:
        """Images that show a Slack file no one shared: Slack refuses them as invalid."""
        blocks = params.get("blocks")
        if isinstance(params.get("view"), dict):
            blocks = params["view"].get("blocks")
        problems = []
        for index, block in enumerate(blocks if isinstance(blocks, list) else []):
            shown = block.get("slack_file") if isinstance(block, dict) else None
            if isinstance(shown, dict) and self.workspace.file(str(shown.get("id"))) is None:
                problems.append(f"blocks[{index}]: no such slack_file {shown.get('id')!r}")
        return problems

    def _upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params.get("filename") or "")
        length = str(params.get("length") or "")
        if not name or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self.workspace.reserve_file(
            name=name, length=int(length), alt_text=params.get("alt_txt")
        )
        return {"ok": True, "upload_url": self.upload_url + file_id, "file_id": file_id}

    def _complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        uploads = params.get("files")
        if not isinstance(uploads, list):
            return {"ok": False, "error": "invalid_arguments"}
        shared = self.workspace.complete_uploads(
            uploads,
            channel=params.get("channel_id") or None,
            thread_ts=params.get("thread_ts") or None,
            comment=params.get("initial_comment") or None,
        )
        if shared is None:
            return {"ok": False, "error": "file_not_found"}
        return {"ok": True, "files": shared}

    def _file_info(self, params: dict[str, Any]) -> dict[str, Any]:
        found = self.workspace.file(str(params.get("file", "")))
        return {"ok": True, "file": found} if found else {"ok": False, "error": "file_not_found"}

    def _auth_test(self, _params: dict[str, Any]) -> dict[str, Any]:
        identity = self.workspace.identity
        return {
            "ok": True,
            "team_id": identity.team_id,
            "user_id": identity.bot_user_id,
            "bot_id": identity.bot_id,
            "app_id": identity.app_id,
            "team": identity.team_name,
        }

    def _post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if channel.startswith(("U", "W")):
            channel = self.workspace.dm_channel(channel)
        stored = self.workspace.post(channel, params)
        return {"ok": True, "channel": channel, "ts": stored["ts"], "message": stored}

    def _post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        ts = self.workspace.post_ephemeral(channel, str(params.get("user", "")), params)
        return {"ok": True, "message_ts": ts}

    def _update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        self.workspace.update(channel, ts, params)
        return {"ok": True, "channel": channel, "ts": ts}

    def _delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        if self.workspace.message(channel, ts) is None:
            return {"ok": False, "error": "message_not_found"}
        self.workspace.delete(channel, ts)
        return {"ok": True, "channel": channel, "ts": ts}

    def _open_conversation(self, params: dict[str, Any]) -> dict[str, Any]:
        user = str(params.get("users", "")).split(",")[0]
        return {"ok": True, "channel": {"id": self.workspace.dm_channel(user)}}

    def _history(self, params: dict[str, Any]) -> dict[str, Any]:
        """The conversation's own messages, newest first, a page at a time: replies in a
        thread are not among them, as in Slack (conversations.replies has those)."""
        channel = str(params.get("channel", ""))
        top_level = [
            m for m in self.workspace.messages(channel) if m.get("thread_ts") in (None, m["ts"])
        ]
        return _page(list(reversed(top_level)), params)

    def _replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """A thread, its parent first, then its replies oldest first, a page at a time."""
        thread = self.workspace.thread(str(params.get("channel", "")), str(params.get("ts", "")))
        if thread is None:
            return {"ok": False, "error": "thread_not_found"}
        return _page(thread, params)

    def _permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel", "")), str(params.get("message_ts", ""))
        link = f"https://sandbox.slack.test/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": link}

    def _open_view(self, params: dict[str, Any], *, push: bool = False) -> dict[str, Any]:
        user = self.workspace.take_trigger(str(params.get("trigger_id", "")))
        view = params.get("view") or {}
        if user is not None:
            return {"ok": True, "view": self.workspace.open_modal(user, view, push=push)}
        if self.workspace.strict_triggers:
            # Slack's answer to a trigger it did not issue, or one used already.
            return {"ok": False, "error": "invalid_trigger_id"}
        return {"ok": True, "view": self.workspace.shown(view)}

    def _push_view(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._open_view(params, push=True)

    def _update_view(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view") or {}
        updated = self.workspace.update_modal(str(params.get("view_id", "")), view)
        if updated is not None:
            return {"ok": True, "view": updated}
        if self.workspace.strict_triggers:
            return {"ok": False, "error": "not_found"}
        return {"ok": True, "view": self.workspace.shown(view)}

    def _publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = params.get("view") or {}
        return {
            "ok": True,
            "view": self.workspace.publish_home(str(params.get("user_id", "")), view),
        }

    def _users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user": self.workspace.directory.user(str(params.get("user", "")))}

    def _users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        members = self.workspace.directory.everyone()
        start = int(params.get("cursor") or 0)
        size = int(params.get("limit") or USERS_PAGE)
        more = start + size < len(members)
        return {
            "ok": True,
            "members": members[start : start + size],
            "response_metadata": {"next_cursor": str(start + size) if more else ""},
        }

    def _channel_members(self, params: dict[str, Any]) -> dict[str, Any]:
        members = self.workspace.directory.members_of(str(params.get("channel", "")))
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}


def _page(messages: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    """`limit` messages from the cursor on; the cursor is where the next page starts."""
    start = int(params.get("cursor") or 0)
    limit = int(params.get("limit") or MESSAGES_PAGE)
    more = start + limit < len(messages)
    return {
        "ok": True,
        "messages": messages[start : start + limit],
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


_METHODS: dict[str, Callable[[WebApi, dict[str, Any]], dict[str, Any]]] = {
    "auth.test": WebApi._auth_test,
    "chat.postMessage": WebApi._post_message,
    "chat.postEphemeral": WebApi._post_ephemeral,
    "chat.update": WebApi._update,
    "chat.delete": WebApi._delete,
    "chat.getPermalink": WebApi._permalink,
    "conversations.open": WebApi._open_conversation,
    "conversations.history": WebApi._history,
    "conversations.replies": WebApi._replies,
    "conversations.members": WebApi._channel_members,
    "views.open": WebApi._open_view,
    "views.push": WebApi._push_view,
    "views.update": WebApi._update_view,
    "views.publish": WebApi._publish,
    "users.info": WebApi._users_info,
    "users.list": WebApi._users_list,
    "files.getUploadURLExternal": WebApi._upload_url,
    "files.completeUploadExternal": WebApi._complete_upload,
    "files.info": WebApi._file_info,
}
