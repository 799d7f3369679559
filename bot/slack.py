"""The one way out to Slack: a WebClient with retries, and the calls the services make."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
)
from slack_sdk.webhook import WebhookClient

from bot.blockkit import Message
from bot.clock import Clock
from bot.pacing import Pacer
from bot.slack_client import SLACK_FAILURES, describe_error, is_ambiguous
from bot.slack_directory import SlackDirectory

logger = logging.getLogger(__name__)

# What views.update answers when the modal was redrawn since, or was closed.
VIEW_GONE = frozenset({"hash_conflict", "not_found"})


@dataclass(frozen=True)
class MessageTag:
    """Message metadata naming what a message delivers, e.g. ("pulsedesk_weekly_pulse", 42):
    the key by which `post_once` finds it again."""

    event_type: str
    key: int

    def metadata(self) -> dict[str, Any]:
        return {"event_type": self.event_type, "event_payload": {"key": self.key}}

    def matches(self, metadata: Any) -> bool:
        if not isinstance(metadata, dict) or metadata.get("event_type") != self.event_type:
            return False
        payload = metadata.get("event_payload")
        return isinstance(payload, dict) and payload.get("key") == self.key


@dataclass(frozen=True)
class Upload:
    """A file to share: `name` is unique where it is shared, and finds it again."""

    name: str
    content: bytes
    title: str
    alt_text: str


# A message interrupted on its way out is among the last few in its conversation.
# How far back a message that may have landed is looked for: pages of the conversation's history,
# newest first. A retry comes minutes after the first try, but a department channel can be busy.
TAGGED_PAGE_SIZE = 200
TAGGED_PAGES = 5
# Slack's answers when the bot may not read a conversation's history: not invited to the
# channel, or the app installed before it asked for the history scopes.
HISTORY_UNREADABLE = frozenset(
    {"not_in_channel", "missing_scope", "channel_not_found", "thread_not_found"}
)


@dataclass(frozen=True)
class Installation:
    """The workspace (and app, when Slack names it) this bot serves, from `auth.test`:
    payloads from anywhere else are refused."""

    team_id: str
    app_id: str | None = None

    def serves(self, *, team_id: str | None, app_id: str | None) -> bool:
        if team_id != self.team_id:
            return False
        return app_id is None or self.app_id is None or app_id == self.app_id


# Posting to a user id delivers to the app's DM with that user.
USER_ID_PREFIXES = ("U", "W")


@dataclass(frozen=True)
class PostedMessage:
    """Where a message landed; a DM posted to a user id lands in a D... channel."""

    channel: str
    ts: str


# A post whose answer was lost is looked for, and only then tried again, this many times.
POST_ATTEMPTS = 3
POST_RETRY_BACKOFF_SECONDS = 0.5
# Tags of messages no job posts again: each post gets a fresh random key.
MESSAGE_TAG = "pulsedesk_message"


class SlackGateway(SlackDirectory):
    """Outbound Slack calls used by the services, with the small caches they need."""

    def __init__(
        self,
        client: WebClient,
        *,
        clock: Clock,
        pacer: Pacer | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        # Posts have no idempotency key, so none is re-sent blindly after a failure Slack may
        # have acted on: this client, for chat.postMessage, chat.postEphemeral and response
        # URLs, retries only 429s, and post_once looks for a message before trying again.
        self._post_client = WebClient(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            retry_handlers=[
                handler
                for handler in client.retry_handlers
                if isinstance(handler, RateLimitErrorRetryHandler)
            ],
        )
        self._sleep = sleep
        self._clock = clock
        # Paces chat.postMessage; the gateway of scheduled work has one, replies do not.
        self._pacer = pacer
        self._lock = threading.Lock()
        self._members: dict[str, tuple[datetime, frozenset[str]]] = {}

    @property
    def client(self) -> WebClient:
        return self._client

    def post_message(
        self,
        *,
        channel: str,
        message: Message,
        tag: MessageTag | None = None,
        thread_ts: str | None = None,
    ) -> PostedMessage:
        """Post to a channel, or to the app's DM with a user when `channel` is a user id; in
        the thread of the message at `thread_ts` when it is given.

        The message carries `tag` as metadata (a fresh random one when none is given). When
        a try fails in a way Slack may have acted on (see `is_ambiguous`), the message is
        looked for by its tag, and posted again only if it is not there: a lost answer never
        makes two messages."""
        tag = tag or MessageTag(MESSAGE_TAG, secrets.randbits(62))
        for attempt in range(1, POST_ATTEMPTS + 1):
            try:
                return self._post(channel, message, tag, thread_ts)
            except SLACK_FAILURES as error:
                if attempt == POST_ATTEMPTS or not is_ambiguous(error):
                    raise
                logger.warning(
                    "slack.post_answer_lost",
                    extra={"channel": channel, "attempt": attempt, "error": describe_error(error)},
                )
            self._sleep(POST_RETRY_BACKOFF_SECONDS * 2 ** (attempt - 1))
            found = self.find_tagged(channel=channel, tag=tag, thread_ts=thread_ts)
            if found is not None:
                return found
        raise AssertionError("the last attempt returns or raises")

    def _post(
        self, channel: str, message: Message, tag: MessageTag, thread_ts: str | None
    ) -> PostedMessage:
        if self._pacer is not None:
            self._pacer.wait()
        response = self._post_client.chat_postMessage(
            channel=channel,
            text=message["text"],
            blocks=message.get("blocks"),
            unfurl_links=False,
            metadata=tag.metadata(),
            thread_ts=thread_ts,
        )
        return PostedMessage(
            channel=str(response.get("channel") or channel), ts=str(response["ts"])
        )

    def update_message(self, *, channel: str, ts: str, message: Message) -> None:
        self._client.chat_update(
            channel=channel, ts=ts, text=message["text"], blocks=message.get("blocks")
        )

    def delete_message(self, *, channel: str, ts: str) -> None:
        """Delete one of the app's messages; one already gone is no error."""
        try:
            self._client.chat_delete(channel=channel, ts=ts)
        except SlackApiError as error:
            if error.response.get("error") != "message_not_found":
                raise

    def respond(self, response_url: str, **message: Any) -> None:
        """Answer through an interaction's response_url (ephemeral replies, replacing messages)."""
        webhook = WebhookClient(
            response_url,
            timeout=self._client.timeout,
            retry_handlers=self._post_client.retry_handlers,
        )
        response = webhook.send_dict(message)
        if response.status_code != 200:
            raise SlackApiError(  # type: ignore[no-untyped-call]
                f"response_url answered {response.status_code}", response
            )

    def reply_privately(self, response_url: str, message: Message, *, user_id: str) -> None:
        """An answer only the person who acted sees, through the interaction's response_url,
        beside what they did (their command, the message they clicked in); by DM when there
        is none, or it has expired."""
        if not response_url:
            self.post_message(channel=user_id, message=message)
            return
        self.respond(response_url, response_type="ephemeral", replace_original=False, **message)

    def post_ephemeral(self, *, channel: str, user: str, message: Message) -> None:
        """A message only `user` sees, in a channel they are in."""
        self._post_client.chat_postEphemeral(
            channel=channel, user=user, text=message["text"], blocks=message.get("blocks")
        )

    def permalink(self, *, channel: str, ts: str) -> str | None:
        """A link to a message; None when Slack cannot give one (the message still stands)."""
        try:
            response = self._client.chat_getPermalink(channel=channel, message_ts=ts)
        except SLACK_FAILURES:
            logger.warning("slack.permalink_unavailable", exc_info=True, extra={"channel": channel})
            return None
        link = response.get("permalink")
        return str(link) if link else None

    def publish_home(self, *, user_id: str, view: dict[str, Any]) -> None:
        self._client.views_publish(user_id=user_id, view=view)

    def open_view(self, *, trigger_id: str, view: dict[str, Any]) -> str:
        """Open a modal; its view id, to update it by."""
        response = self._client.views_open(trigger_id=trigger_id, view=view)
        return str((response.get("view") or {}).get("id") or "")

    def update_view(self, *, view_id: str, view_hash: str | None, view: dict[str, Any]) -> bool:
        """Redraw an open modal; False when it changed since `view_hash` was read (a later
        redraw of it is on its way, and this one would undo it) or is closed already."""
        try:
            self._client.views_update(view_id=view_id, hash=view_hash or None, view=view)
        except SlackApiError as error:
            if error.response.get("error") not in VIEW_GONE:
                raise
            logger.info(
                "slack.view_not_updated",
                extra={"view_id": view_id, "error": error.response.get("error")},
            )
            return False
        return True

    def post_once(
        self,
        *,
        channel: str,
        message: Message,
        tag: MessageTag,
        resumed: bool,
        thread_ts: str | None = None,
    ) -> PostedMessage:
        """The one way to post a message that must reach Slack exactly once (cards, DMs,
        shout-outs, digests). `tag` travels with it as metadata. `resumed` says an earlier
        attempt at this same message may have reached Slack (its runner died, or Slack's
        answer was lost on the way back): the message is then looked for by its tag first,
        so it is posted once, not twice or never."""
        if resumed:
            found = self.find_tagged(channel=channel, tag=tag, thread_ts=thread_ts)
            if found is not None:
                return found
        return self.post_message(channel=channel, message=message, tag=tag, thread_ts=thread_ts)

    def dm_channel(self, user_id: str) -> str:
        """The app's DM with a person: where a file for them is shared."""
        opened = self._client.conversations_open(users=user_id)
        return str((opened.get("channel") or {}).get("id") or "")

    def upload_once(
        self, *, channel: str, thread_ts: str | None, upload: Upload, resumed: bool
    ) -> str:
        """Share a file in a thread exactly once; its id. Uploads carry no tag, so the file's
        name is its key: when an earlier attempt may have reached Slack (`resumed`), a file of
        that name in the thread is taken for it."""
        if resumed:
            found = self.find_file(channel=channel, thread_ts=thread_ts, name=upload.name)
            if found is not None:
                return found
        # Not retried on a dropped connection: completing an upload shares the file.
        response = self._post_client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            filename=upload.name,
            content=upload.content,
            title=upload.title,
            alt_txt=upload.alt_text,
        )
        return str((response.get("file") or {}).get("id") or "")

    def find_file(self, *, channel: str, thread_ts: str | None, name: str) -> str | None:
        """The id of a file named `name` shared in the conversation (or in the thread at
        `thread_ts`); None when there is none, or it cannot be read."""
        for posted in self._latest(channel, thread_ts):
            for shared in posted.get("files") or []:
                if shared.get("name") == name and shared.get("id"):
                    return str(shared["id"])
        return None

    def find_tagged(
        self, *, channel: str, tag: MessageTag, thread_ts: str | None = None
    ) -> PostedMessage | None:
        """Our message carrying `tag` among the latest in `channel` (the app's DM with the
        user when it is a user id), or in the thread at `thread_ts`; None when it is not
        there. When Slack will not show the history, None as well: the message is then
        posted again rather than never."""
        if channel.startswith(USER_ID_PREFIXES):
            try:
                channel = self.dm_channel(channel)
            except SlackApiError as error:
                _unreadable(error, channel)
                return None
        for posted in self._latest(channel, thread_ts):
            if tag.matches(posted.get("metadata")):
                return PostedMessage(channel=channel, ts=str(posted["ts"]))
        return None

    def _latest(self, channel: str, thread_ts: str | None) -> Iterator[dict[str, Any]]:
        """The latest messages of a conversation (or a thread), as far back as a message
        interrupted on its way out may be; none once Slack will not show them."""
        try:
            cursor = None
            for _ in range(TAGGED_PAGES):
                page = self._history_page(channel, thread_ts, cursor)
                yield from page.get("messages") or []
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not page.get("has_more") or not cursor:
                    return
        except SlackApiError as error:
            _unreadable(error, channel)

    def _history_page(self, channel: str, thread_ts: str | None, cursor: str | None) -> Any:
        if thread_ts is None:
            return self._client.conversations_history(
                channel=channel, limit=TAGGED_PAGE_SIZE, cursor=cursor, include_all_metadata=True
            )
        # A thread reads oldest first: a long one is paged through to its newest replies.
        return self._client.conversations_replies(
            channel=channel,
            ts=thread_ts,
            limit=TAGGED_PAGE_SIZE,
            cursor=cursor,
            include_all_metadata=True,
        )

    def try_send(self, event: str, send: Callable[[], object], **ids: object) -> bool:
        """Run one notification; a failure is logged with its traceback and does not stop others."""
        try:
            send()
        except SLACK_FAILURES:
            logger.exception(event, extra=ids)
            return False
        return True


def _unreadable(error: SlackApiError, channel: str) -> None:
    """Slack will not show the conversation: logged, and what was looked for counts as not
    there. Any other failure is raised."""
    if error.response.get("error") not in HISTORY_UNREADABLE:
        raise error
    logger.warning(
        "slack.history_unreadable", extra={"channel": channel, "error": error.response.get("error")}
    )
