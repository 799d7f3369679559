"""Block Kit for the conversation: the message that opens the requester's DM thread of a
request, and the copies of messages relayed between it and the card's thread. Relayed text is
a person's, so it is escaped like all user text."""

from __future__ import annotations

from bot.blockkit import FALLBACK_TEXT_MAX, SECTION_TEXT_MAX, Message, context, section
from bot.conversations.rules import MessageChange, ThreadMessage
from bot.requests.rules import RequestSnapshot
from bot.text import escape, escaped_pieces, slack_date, truncate_escaped, user_mention

FILES_NOT_PASSED_ON = ":paperclip: It came with a file, which is not passed on."
# A relayed message's sections: Slack's 40,000 characters of a message, at 3,000 a section.
SECTIONS_MAX = 13


def build_conversation_start(request: RequestSnapshot) -> Message:
    department = escape(request.department.name)
    about = f"*{request.reference}* ({escape(request.own_summary)})"
    text = (
        f":speech_balloon: {about} with {department}: the team's replies arrive in this "
        "thread, and what you write in it reaches them."
    )
    return {"text": truncate_escaped(text, FALLBACK_TEXT_MAX), "blocks": [section(text)]}


def _copy(byline: str, message: ThreadMessage) -> Message:
    if message.change is MessageChange.EDITED:
        byline += " · edited"
    # A long message is relayed whole, in as many sections as it takes.
    body = escaped_pieces(message.text, SECTION_TEXT_MAX, SECTIONS_MAX)
    notes = [FILES_NOT_PASSED_ON] if message.has_files else []
    if not body and not notes:
        body = ["_(no text)_"]
    fallback = truncate_escaped(f"{byline}: {escape(message.text)}", FALLBACK_TEXT_MAX)
    return {
        "text": fallback,
        "blocks": [
            context(byline),
            *(section(piece) for piece in body),
            *(context(note) for note in notes),
        ],
    }


def build_reply_to_requester(request: RequestSnapshot, message: ThreadMessage) -> Message:
    """An agent's reply in the card's thread, as the requester reads it."""
    byline = (
        f"{user_mention(message.user_id)} · {escape(request.department.name)} · "
        f"{slack_date(message.sent_at)}"
    )
    return _copy(byline, message)


def build_reply_to_desk(request: RequestSnapshot, message: ThreadMessage) -> Message:
    """The requester's reply in their DM thread, as the department reads it in the card's.
    A private request's channel reads only that there is one: View on the card shows it to
    the agents."""
    if request.private:
        text = (
            f":lock: The requester replied {slack_date(message.sent_at)}. *View* on the card "
            "shows it to the department's agents."
        )
        if message.change is MessageChange.EDITED:
            text += " (edited)"
        return {"text": truncate_escaped(text, FALLBACK_TEXT_MAX), "blocks": [context(text)]}
    byline = f"{user_mention(message.user_id)} (requester) · {slack_date(message.sent_at)}"
    return _copy(byline, message)


def build_where_to_write() -> Message:
    text = (
        "Nobody reads messages here. To ask a team for something, use `/request`. To answer a "
        "team about one of your requests, reply in that request's thread: the message "
        ":speech_balloon: *REQ-…* with the team's name."
    )
    return {"text": truncate_escaped(text, FALLBACK_TEXT_MAX), "blocks": [context(text)]}
