"""Block Kit for kudos: the shout-out, the recipient's DM, `/kudos` answers, the request's
kudos modal, the batched line for reactions and the weekly digest."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.blockkit import (
    FALLBACK_TEXT_MAX,
    MESSAGE_BLOCKS_MAX,
    OPTION_TEXT_MAX,
    SECTION_TEXT_MAX,
    Block,
    Message,
    build_notice,
    context,
    option,
    plain,
    section,
)
from bot.ids import ActionId, BlockId, CallbackId
from bot.kudos.rules import (
    MESSAGE_MAX,
    DepartmentKudos,
    GivenKudos,
    KudosSource,
    ShoutoutSnapshot,
    Tally,
)
from bot.requests.messages import own_quoted_summary
from bot.requests.rules import RequestSnapshot
from bot.text import ELLIPSIS, escape, slack_date, truncate, truncate_escaped

# The digest and the batched line mention (and so notify) this many people; the rest are
# named, so a busy week never pings the whole company.
MENTIONS_MAX = 5
TOP_MAX = 5
RECENT_MAX = 5
QUOTE_MAX = 2500
# Past these, a line says how many more, so a message stays inside Slack's limits.
DIGEST_NAMED_MAX = 40
BATCH_LINES_MAX = 10

# A stored message keeps its mentions as `<@U123>`; nothing else in it is markup.
_STORED_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]+)&gt;")


def render_message(message: str, recipients: Sequence[str]) -> str:
    """A stored message as safe mrkdwn: escaped, with only the recipients' mentions live."""
    allowed = set(recipients)

    def mention(match: re.Match[str]) -> str:
        user = match.group(1)
        return f"<@{user}>" if user in allowed else match.group(0)

    return _STORED_MENTION.sub(mention, escape(message))


def _quote(message: str, recipients: Sequence[str]) -> str:
    # Quoted first, then cut: each line's ">" counts toward the section's limit.
    quoted = ">" + render_message(message, recipients).replace("\n", "\n>")
    return truncate_escaped(quoted, QUOTE_MAX)


def _mentions(users: Sequence[str]) -> str:
    names = [f"<@{user}>" for user in users]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def value_label(value: str) -> str:
    return "#" + value


@dataclass(frozen=True)
class RequestCredit:
    """What a shout-out from a request's button shows of it: the reference and the team,
    never the request's text, which may be private."""

    reference: str
    department_name: str


def build_shoutout(shoutout: ShoutoutSnapshot, *, credit: RequestCredit | None = None) -> Message:
    recipients = _mentions(shoutout.recipients)
    lines = [f":clap: <@{shoutout.giver_id}> thanked {recipients}"]
    blocks: list[Block] = [section(lines[0])]
    if shoutout.message:
        blocks.append(section(_quote(shoutout.message, shoutout.recipients)))
    notes = []
    if credit is not None:
        notes.append(
            f"For their help with {credit.reference}, handled by "
            f"*{escape(credit.department_name)}*."
        )
    if shoutout.value:
        notes.append(f":star: {escape(value_label(shoutout.value))}")
    if notes:
        blocks.append(context(*notes))
    return {
        "text": truncate_escaped(
            f"Kudos from <@{shoutout.giver_id}> to {recipients}", FALLBACK_TEXT_MAX
        ),
        "blocks": blocks,
    }


def _where(shoutout: ShoutoutSnapshot, channel_id: str) -> str:
    # A link's label cannot hold a channel mention, so the two stand side by side.
    link = f" (<{shoutout.permalink}|see it>)" if shoutout.permalink else ""
    return f"in <#{channel_id}>{link}"


def build_recipient_dm(shoutout: ShoutoutSnapshot, *, channel_id: str) -> Message:
    where = _where(shoutout, channel_id)
    text = f":tada: <@{shoutout.giver_id}> thanked you {where}"
    blocks: list[Block] = [section(text)]
    if shoutout.message:
        blocks.append(section(_quote(shoutout.message, shoutout.recipients)))
    if shoutout.value:
        blocks.append(context(f":star: {escape(value_label(shoutout.value))}"))
    return {
        "text": truncate_escaped(f"<@{shoutout.giver_id}> gave you kudos", FALLBACK_TEXT_MAX),
        "blocks": blocks,
    }


def _left_today(left: int, limit: int) -> str:
    return f"You have *{left} of {limit}* kudos left today."


def build_given(
    shoutout: ShoutoutSnapshot, *, channel_id: str, left: int, limit: int, posted: bool
) -> Message:
    """The giver's confirmation."""
    where = _where(shoutout, channel_id)
    if posted:
        text = f":clap: Thanks sent to {_mentions(shoutout.recipients)} {where}."
    else:
        text = (
            f":hourglass_flowing_sand: Your thanks to {_mentions(shoutout.recipients)} is saved; "
            f"Slack is slow to answer, so it will appear in <#{channel_id}> shortly."
        )
    return build_notice(f"{text} {_left_today(left, limit)}")


def build_status(
    *, left: int, limit: int, resets_at: datetime, recent: Sequence[GivenKudos], emoji: str
) -> Message:
    lines = [
        f"{_left_today(left, limit)} They refill {slack_date(resets_at)}.",
    ]
    if recent:
        lines.append("*You recently thanked*")
        for given in recent[:RECENT_MAX]:
            how = {
                KudosSource.COMMAND: "",
                KudosSource.REQUEST: " for a request",
                KudosSource.REACTION: f" with :{emoji}:",
            }[given.source]
            value = f" {escape(value_label(given.value))}" if given.value else ""
            lines.append(f"• <@{given.recipient_id}>{how}{value}, {slack_date(given.given_at)}")
    else:
        lines.append("You haven't thanked anyone yet.")
    lines.append(
        f"Thank someone with `/kudos @name what for`, or react with :{emoji}: to their message. "
        "`/kudos top` shows this month's leaders."
    )
    text = truncate_escaped("\n".join(lines), SECTION_TEXT_MAX)
    return {"text": truncate_escaped(lines[0], FALLBACK_TEXT_MAX), "blocks": [section(text)]}


def _ranking(title: str, rows: Sequence[tuple[str, int]]) -> str:
    if not rows:
        return f"*{title}*\nNobody yet."
    lines = [f"{rank}. <@{user}>: {count}" for rank, (user, count) in enumerate(rows[:TOP_MAX], 1)]
    return f"*{title}*\n" + "\n".join(lines)


def build_top(*, month: str, tally: Tally, departments: Sequence[DepartmentKudos]) -> Message:
    blocks: list[Block] = [
        section(f":trophy: *Kudos in {escape(month)}*: {tally.kudos} given."),
        section(_ranking("Most thanked", tally.receivers)),
        section(_ranking("Most thankful", tally.givers)),
    ]
    if departments:
        lines = []
        for department in departments:
            rate = "-" if department.per_hundred is None else f"{department.per_hundred:g}"
            lines.append(
                f"• *{escape(department.name)}*: {rate} per 100 requests handled "
                f"({department.kudos} kudos, {department.handled} handled)"
            )
        blocks.append(
            section(
                truncate_escaped(
                    "*By team*, fairer than raw counts:\n" + "\n".join(lines), SECTION_TEXT_MAX
                )
            )
        )
    return {"text": f"Kudos in {escape(month)}", "blocks": blocks}


def build_help(*, values: Sequence[str], limit: int, emoji: str) -> Message:
    lines = [
        "*Thank the people who helped you*",
        "• `/kudos @alex @sam thanks for rescuing the payroll run!` posts a shout-out "
        "and tells them.",
        f"• React with :{emoji}: to someone's message in a channel to thank them for it.",
        "• After a request is resolved, *Send kudos* on its message thanks whoever resolved it.",
        "• `/kudos` shows how many you have left today; `/kudos top` this month's leaders.",
        f"You can thank up to {limit} people a day.",
    ]
    if values:
        tags = ", ".join(f"`#{value}`" for value in values)
        lines.append(f"Add one of our values to say what it showed: {tags}.")
    return build_notice("\n".join(lines))


def build_refusal(reason: str, text: str) -> Message:
    """A refused `/kudos`, with the text it was given, so nothing typed is lost."""
    if not text.strip():
        return build_notice(reason)
    fallback = truncate_escaped(reason, FALLBACK_TEXT_MAX)
    whole = f"{reason}\nYou wrote:\n>" + escape(text).replace("\n", "\n>")
    if len(whole) <= SECTION_TEXT_MAX:
        return {"text": fallback, "blocks": [section(whole)]}
    blocks: list[Block] = [section(truncate_escaped(f"{reason}\nYou wrote:", SECTION_TEXT_MAX))]
    # Whole, however long: a section each few lines, since one holds 3,000 characters.
    chunk: list[str] = []
    for line in escape(text).split("\n"):
        while len(line) > QUOTE_MAX:
            cut = truncate_escaped(line, QUOTE_MAX + 1).removesuffix(ELLIPSIS)
            # Between words where there are any, so none is split across two sections.
            space = cut.rfind(" ")
            cut = cut[: space + 1] if space > QUOTE_MAX // 2 else cut
            blocks.append(section(">" + cut))
            line = line[len(cut) :]
        if sum(len(part) + 2 for part in chunk) + len(line) > QUOTE_MAX:
            blocks.append(section(">" + "\n>".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section(">" + "\n>".join(chunk)))
    return {"text": fallback, "blocks": blocks[:MESSAGE_BLOCKS_MAX]}


def build_request_modal(
    request: RequestSnapshot, *, recipient_id: str, recipient_name: str, values: Sequence[str]
) -> dict[str, Any]:
    message: Block = {
        "type": "plain_text_input",
        "action_id": ActionId.KUDOS_MESSAGE,
        "multiline": True,
        "max_length": MESSAGE_MAX,
        "placeholder": plain("What did they do that made the difference?"),
    }
    blocks: list[Block] = [
        section(
            truncate_escaped(
                f"Thank <@{recipient_id}> for {own_quoted_summary(request)}. The shout-out "
                "names the request and its team, not what it was about.",
                SECTION_TEXT_MAX,
            )
        ),
        {
            "type": "input",
            "block_id": BlockId.KUDOS_MESSAGE,
            "optional": True,
            "label": plain("Your message (optional)"),
            "element": message,
        },
    ]
    if values:
        blocks.append(
            {
                "type": "input",
                "block_id": BlockId.KUDOS_VALUE,
                "optional": True,
                "label": plain("The value it showed (optional)"),
                "element": {
                    "type": "static_select",
                    "action_id": ActionId.KUDOS_VALUE,
                    "placeholder": plain("Choose a value"),
                    "options": [
                        option(truncate(value_label(value), OPTION_TEXT_MAX), value)
                        for value in values[:100]
                    ],
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": CallbackId.KUDOS_FOR_REQUEST,
        "title": plain(truncate(f"Kudos to {recipient_name}", 24)),
        "submit": plain("Send"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"request": request.id}),
        "blocks": blocks,
    }


@dataclass(frozen=True)
class ReactionGroup:
    """Kudos by reaction on one message, for the batched line."""

    recipient_id: str
    recipient_name: str | None
    channel_id: str
    permalink: str | None
    givers: int


def build_reaction_batch(groups: Sequence[ReactionGroup], *, emoji: str) -> Message:
    lines = []
    for index, group in enumerate(groups[:BATCH_LINES_MAX]):
        who = (
            f"<@{group.recipient_id}>"
            if index < MENTIONS_MAX
            else escape(truncate(group.recipient_name or "a colleague", 80))
        )
        message = (
            f"<{group.permalink}|a message> in <#{group.channel_id}>"
            if group.permalink
            else f"a message in <#{group.channel_id}>"
        )
        people = "person" if group.givers == 1 else "people"
        lines.append(f"• {who} for {message}, from {group.givers} {people}")
    if len(groups) > BATCH_LINES_MAX:
        lines.append(f"• and {len(groups) - BATCH_LINES_MAX} more messages")
    text = truncate_escaped(f":{emoji}: *Kudos by reaction*\n" + "\n".join(lines), SECTION_TEXT_MAX)
    total = sum(group.givers for group in groups)
    return {
        "text": truncate_escaped(f"{total} kudos by reaction", FALLBACK_TEXT_MAX),
        "blocks": [section(text)],
    }


def digest_names(receivers: Sequence[tuple[str, str | None, int]]) -> str:
    """The week's receivers (user id, name, kudos), most thanked first: the first few
    mentioned, the rest named (escaped)."""
    shown: list[str] = []
    for index, (user_id, name, kudos) in enumerate(receivers[:DIGEST_NAMED_MAX]):
        count = f" ({kudos})" if kudos > 1 else ""
        who = (
            f"<@{user_id}>" if index < MENTIONS_MAX else escape(truncate(name or "a colleague", 80))
        )
        shown.append(who + count)
    if len(receivers) > DIGEST_NAMED_MAX:
        shown.append(f"{len(receivers) - DIGEST_NAMED_MAX} more")
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def build_digest(
    receivers: Sequence[tuple[str, str | None, int]], *, kudos: int, givers: int
) -> Message:
    names = digest_names(receivers)
    people = "person" if len(receivers) == 1 else "people"
    thankers = "person" if givers == 1 else "people"
    text = (
        f":sparkles: *Last week in kudos*: {kudos} thanks from {givers} {thankers} "
        f"to {len(receivers)} {people}.\nThank you, {names}!"
    )
    return {
        "text": truncate_escaped(f"Last week in kudos: {kudos} thanks", FALLBACK_TEXT_MAX),
        "blocks": [
            section(truncate_escaped(text, SECTION_TEXT_MAX)),
            context("Thank someone with `/kudos @name what for`."),
        ],
    }
