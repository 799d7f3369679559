"""Parsing `/request` text and choosing a department for it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Subcommand(StrEnum):
    FILE = "file"
    MINE = "mine"
    HELP = "help"


SUBCOMMAND_WORDS: dict[str, Subcommand] = {
    "mine": Subcommand.MINE,
    "list": Subcommand.MINE,
    "help": Subcommand.HELP,
    "?": Subcommand.HELP,
}

RESERVED_WORDS = frozenset(SUBCOMMAND_WORDS)


@dataclass(frozen=True)
class RoutableDepartment:
    key: str
    aliases: Sequence[str]
    keywords: Sequence[str]


@dataclass(frozen=True)
class ParsedCommand:
    subcommand: Subcommand
    department_key: str | None = None
    text: str = ""


@dataclass(frozen=True)
class KeywordRoute:
    """The keyword winner, or none when nothing matched or the best score is shared."""

    department_key: str | None
    scores: dict[str, int]


def parse_command(text: str, departments: Sequence[RoutableDepartment]) -> ParsedCommand:
    stripped = text.strip()
    if not stripped:
        return ParsedCommand(Subcommand.FILE)
    first, *remainder = stripped.split(maxsplit=1)
    rest = remainder[0] if remainder else ""
    word = first.lower()
    if word in SUBCOMMAND_WORDS and not rest.strip():
        return ParsedCommand(SUBCOMMAND_WORDS[word])
    for department in departments:
        if word == department.key or word in department.aliases:
            return ParsedCommand(Subcommand.FILE, department.key, rest.strip())
    return ParsedCommand(Subcommand.FILE, None, stripped)


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    words = (re.escape(part) for part in keyword.split())
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def score_keywords(text: str, keywords: Sequence[str]) -> int:
    """How many times any of the keywords occurs as whole words in the text."""
    return sum(len(_keyword_pattern(keyword).findall(text)) for keyword in keywords if keyword)


def route_by_keywords(text: str, departments: Sequence[RoutableDepartment]) -> KeywordRoute:
    scores = {d.key: score_keywords(text, d.keywords) for d in departments}
    best = max(scores.values(), default=0)
    winners = [key for key, score in scores.items() if score == best]
    if best == 0 or len(winners) != 1:
        return KeywordRoute(None, scores)
    return KeywordRoute(winners[0], scores)


class FilingKind(StrEnum):
    FILE = "file"
    ASK_IN_MODAL = "ask_in_modal"
    ASK_FOR_KEY = "ask_for_key"


@dataclass(frozen=True)
class FilingDecision:
    kind: FilingKind
    department_key: str | None
    text: str


def decide_filing(
    command: ParsedCommand, keyword_route: KeywordRoute | None, *, modal_text_max: int
) -> FilingDecision:
    """File straight away when both department and text are known, else ask in a modal.

    Text longer than the modal's input can hold is never squeezed into it: the user is asked
    to name the department instead, so nothing they wrote is cut.
    """
    key = command.department_key
    if key is None and keyword_route is not None:
        key = keyword_route.department_key
    if key is not None and command.text:
        return FilingDecision(FilingKind.FILE, key, command.text)
    if len(command.text) > modal_text_max:
        return FilingDecision(FilingKind.ASK_FOR_KEY, None, command.text)
    return FilingDecision(FilingKind.ASK_IN_MODAL, key, command.text)
