"""Parsing `/request` text, keyword routing and the filing decision."""

from __future__ import annotations

import pytest

from bot.requests.rules import (
    RESERVED_WORDS,
    FilingDecision,
    FilingKind,
    KeywordRoute,
    ParsedCommand,
    RoutableDepartment,
    Subcommand,
    decide_filing,
    parse_command,
    route_by_keywords,
    score_keywords,
)

MODAL_TEXT_MAX = 3000

IT = RoutableDepartment(
    key="it", aliases=("tech",), keywords=("laptop", "vpn", "password", "new laptop")
)
HR = RoutableDepartment(key="hr", aliases=("people",), keywords=("payroll", "annual leave"))
FACILITIES = RoutableDepartment(
    key="facilities", aliases=("office",), keywords=("desk", "parking", "wi-fi")
)
DEPARTMENTS = (IT, HR, FACILITIES)


# parse_command ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it my laptop is broken", ParsedCommand(Subcommand.FILE, "it", "my laptop is broken")),
        ("IT my laptop is broken", ParsedCommand(Subcommand.FILE, "it", "my laptop is broken")),
        ("iT  spaced   out  ", ParsedCommand(Subcommand.FILE, "it", "spaced   out")),
        ("tech vpn down", ParsedCommand(Subcommand.FILE, "it", "vpn down")),
        ("TECH vpn down", ParsedCommand(Subcommand.FILE, "it", "vpn down")),
        ("People payslip missing", ParsedCommand(Subcommand.FILE, "hr", "payslip missing")),
        ("facilities", ParsedCommand(Subcommand.FILE, "facilities", "")),
        ("  office   ", ParsedCommand(Subcommand.FILE, "facilities", "")),
    ],
)
def test_parse_command_department_key_or_alias(text: str, expected: ParsedCommand) -> None:
    assert parse_command(text, DEPARTMENTS) == expected


@pytest.mark.parametrize(
    ("text", "subcommand"),
    [
        ("mine", Subcommand.MINE),
        ("MINE", Subcommand.MINE),
        ("  Mine  ", Subcommand.MINE),
        ("list", Subcommand.MINE),
        ("help", Subcommand.HELP),
        ("HELP", Subcommand.HELP),
        ("\thelp\n", Subcommand.HELP),
        ("?", Subcommand.HELP),
    ],
)
def test_parse_command_subcommands(text: str, subcommand: Subcommand) -> None:
    assert parse_command(text, DEPARTMENTS) == ParsedCommand(subcommand)


@pytest.mark.parametrize(
    "text",
    [
        "help my laptop is broken",
        "Help me with payroll",
        "mine is a broken chair",
        "list of things I need",
        "? what is this",
    ],
)
def test_subcommand_word_followed_by_text_is_a_request(text: str) -> None:
    assert parse_command(text, DEPARTMENTS) == ParsedCommand(Subcommand.FILE, None, text)


@pytest.mark.parametrize("text", ["", " ", "   \n\t  "])
def test_parse_command_empty_text_opens_the_form(text: str) -> None:
    assert parse_command(text, DEPARTMENTS) == ParsedCommand(Subcommand.FILE, None, "")


@pytest.mark.parametrize(
    "text",
    [
        "my laptop is broken",
        "itx my laptop",
        "its broken",
        "technical question",
        "laptop",
    ],
)
def test_parse_command_without_department_keeps_whole_text(text: str) -> None:
    assert parse_command(text, DEPARTMENTS) == ParsedCommand(Subcommand.FILE, None, text)


def test_parse_command_strips_surrounding_whitespace_of_free_text() -> None:
    assert parse_command("   my laptop   ", DEPARTMENTS) == ParsedCommand(
        Subcommand.FILE, None, "my laptop"
    )


def test_parse_command_without_departments() -> None:
    assert parse_command("it laptop", ()) == ParsedCommand(Subcommand.FILE, None, "it laptop")
    assert parse_command("mine", ()) == ParsedCommand(Subcommand.MINE)


@pytest.mark.parametrize("separator", ["\n", "\t"])
def test_parse_command_department_key_followed_by_other_whitespace(separator: str) -> None:
    text = f"it{separator}my laptop is broken"
    assert parse_command(text, DEPARTMENTS) == ParsedCommand(
        Subcommand.FILE, "it", "my laptop is broken"
    )


def test_reserved_words_are_the_subcommand_words() -> None:
    assert {"mine", "help"} <= RESERVED_WORDS
    for word in RESERVED_WORDS:
        assert parse_command(word, DEPARTMENTS).subcommand is not Subcommand.FILE


# score_keywords / route_by_keywords ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "keywords", "score"),
    [
        ("my laptop is broken", ["laptop"], 1),
        ("my laptops are broken", ["laptop"], 0),
        ("mylaptop is broken", ["laptop"], 0),
        ("laptop_bag", ["laptop"], 0),
        ("LAPTOP is broken", ["laptop"], 1),
        ("my laptop is broken", ["LAPTOP"], 1),
        ("laptop, laptop and another Laptop.", ["laptop"], 3),
        ("(vpn) vpn! vpn? vpn-client", ["vpn"], 4),
        ("laptop and vpn and password", ["laptop", "vpn", "password"], 3),
        ("I need a new laptop", ["new laptop"], 1),
        ("I need a NEW   Laptop", ["new laptop"], 1),
        ("I need a new\nlaptop", ["new laptop"], 1),
        ("I need new laptops", ["new laptop"], 0),
        ("renew laptop", ["new laptop"], 0),
        ("a new shiny laptop", ["new laptop"], 0),
        ("the wi-fi is down", ["wi-fi"], 1),
        ("the wifi is down", ["wi-fi"], 0),
        ("c++ compiler crashed", ["c++"], 1),
        ("le café est froid", ["café"], 1),
        ("les cafés sont froids", ["café"], 0),
        ("nothing relevant here", ["laptop", "vpn"], 0),
        ("anything at all", [""], 0),
        ("anything at all", [], 0),
        ("", ["laptop"], 0),
    ],
)
def test_score_keywords_counts_whole_words(text: str, keywords: list[str], score: int) -> None:
    assert score_keywords(text, keywords) == score


def test_route_by_keywords_best_score_wins() -> None:
    route = route_by_keywords("my laptop and the vpn, also payroll", DEPARTMENTS)
    assert route == KeywordRoute("it", {"it": 2, "hr": 1, "facilities": 0})


def test_route_by_keywords_multi_word_keyword() -> None:
    route = route_by_keywords("Booking Annual Leave next month", DEPARTMENTS)
    assert route.department_key == "hr"
    assert route.scores == {"it": 0, "hr": 1, "facilities": 0}


def test_route_by_keywords_is_case_insensitive() -> None:
    assert route_by_keywords("PARKING space please", DEPARTMENTS).department_key == "facilities"


def test_route_by_keywords_tie_gives_no_route() -> None:
    route = route_by_keywords("laptop and payroll", DEPARTMENTS)
    assert route.department_key is None
    assert route.scores == {"it": 1, "hr": 1, "facilities": 0}


def test_route_by_keywords_no_match_gives_no_route() -> None:
    route = route_by_keywords("my laptops and desks", DEPARTMENTS)
    assert route.department_key is None
    assert route.scores == {"it": 0, "hr": 0, "facilities": 0}


def test_route_by_keywords_without_departments() -> None:
    assert route_by_keywords("laptop", ()) == KeywordRoute(None, {})


def test_route_by_keywords_single_department_needs_a_match() -> None:
    assert route_by_keywords("hello", (IT,)).department_key is None
    assert route_by_keywords("vpn", (IT,)).department_key == "it"


# decide_filing ------------------------------------------------------------------------------


def _route(key: str | None) -> KeywordRoute:
    return KeywordRoute(key, {})


@pytest.mark.parametrize(
    ("command", "route", "expected"),
    [
        pytest.param(
            ParsedCommand(Subcommand.FILE, "it", "laptop broken"),
            None,
            FilingDecision(FilingKind.FILE, "it", "laptop broken"),
            id="explicit-key-and-text-files",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, "it", "laptop broken"),
            _route("hr"),
            FilingDecision(FilingKind.FILE, "it", "laptop broken"),
            id="explicit-key-beats-keywords",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, None, "payroll wrong"),
            _route("hr"),
            FilingDecision(FilingKind.FILE, "hr", "payroll wrong"),
            id="keyword-route-and-text-files",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, "it", ""),
            None,
            FilingDecision(FilingKind.ASK_IN_MODAL, "it", ""),
            id="key-without-text-asks-in-modal-preselected",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, None, ""),
            _route("hr"),
            FilingDecision(FilingKind.ASK_IN_MODAL, "hr", ""),
            id="route-without-text-asks-in-modal-preselected",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, None, "something vague"),
            _route(None),
            FilingDecision(FilingKind.ASK_IN_MODAL, None, "something vague"),
            id="no-route-asks-in-modal-with-text",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, None, "something vague"),
            None,
            FilingDecision(FilingKind.ASK_IN_MODAL, None, "something vague"),
            id="no-keyword-route-computed-asks-in-modal",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, None, ""),
            None,
            FilingDecision(FilingKind.ASK_IN_MODAL, None, ""),
            id="empty-command-opens-blank-modal",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, None, "x" * MODAL_TEXT_MAX),
            _route(None),
            FilingDecision(FilingKind.ASK_IN_MODAL, None, "x" * MODAL_TEXT_MAX),
            id="text-exactly-at-modal-limit-fits-the-modal",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, None, "x" * (MODAL_TEXT_MAX + 1)),
            _route(None),
            FilingDecision(FilingKind.ASK_FOR_KEY, None, "x" * (MODAL_TEXT_MAX + 1)),
            id="text-over-modal-limit-asks-for-key",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, None, "y" * 10_000),
            None,
            FilingDecision(FilingKind.ASK_FOR_KEY, None, "y" * 10_000),
            id="long-text-without-route-asks-for-key",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, "it", "z" * 10_000),
            None,
            FilingDecision(FilingKind.FILE, "it", "z" * 10_000),
            id="long-text-with-key-files-uncut",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, None, "vpn " * 2_500),
            _route("it"),
            FilingDecision(FilingKind.FILE, "it", "vpn " * 2_500),
            id="long-text-with-route-files-uncut",
        ),
    ],
)
def test_decide_filing(
    command: ParsedCommand, route: KeywordRoute | None, expected: FilingDecision
) -> None:
    assert decide_filing(command, route, modal_text_max=MODAL_TEXT_MAX) == expected


def test_decide_filing_end_to_end_from_text() -> None:
    def decide(text: str) -> FilingDecision:
        command = parse_command(text, DEPARTMENTS)
        route = None if command.department_key else route_by_keywords(command.text, DEPARTMENTS)
        return decide_filing(command, route, modal_text_max=20)

    assert decide("my vpn is down") == FilingDecision(FilingKind.FILE, "it", "my vpn is down")
    assert decide("hr question") == FilingDecision(FilingKind.FILE, "hr", "question")
    assert decide("a question") == FilingDecision(FilingKind.ASK_IN_MODAL, None, "a question")
    long_text = "a rather long question without any keyword"
    assert decide(long_text) == FilingDecision(FilingKind.ASK_FOR_KEY, None, long_text)


# A department whose form asks what text alone cannot answer (required questions).
FORM_ONLY = frozenset({"it"})


@pytest.mark.parametrize(
    ("command", "route", "expected"),
    [
        pytest.param(
            ParsedCommand(Subcommand.FILE, "it", "laptop broken"),
            None,
            FilingDecision(FilingKind.ASK_IN_MODAL, "it", "laptop broken"),
            id="key-and-text-open-its-form-prefilled",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, None, "my laptop"),
            _route("it"),
            FilingDecision(FilingKind.ASK_IN_MODAL, "it", "my laptop"),
            id="keyword-route-opens-its-form-prefilled",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, "hr", "payroll wrong"),
            None,
            FilingDecision(FilingKind.FILE, "hr", "payroll wrong"),
            id="another-department-still-files-at-once",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, "it", "x" * MODAL_TEXT_MAX),
            None,
            FilingDecision(FilingKind.ASK_IN_MODAL, "it", "x" * MODAL_TEXT_MAX),
            id="text-at-the-limit-fits-its-form",
        ),
        pytest.param(
            ParsedCommand(Subcommand.FILE, "it", "x" * (MODAL_TEXT_MAX + 1)),
            None,
            FilingDecision(FilingKind.SHORTEN_FOR_FORM, "it", "x" * (MODAL_TEXT_MAX + 1)),
            id="text-too-long-for-its-form-is-sent-back-uncut",
        ),
    ],
)
def test_a_department_with_required_questions_files_only_through_its_form(
    command: ParsedCommand, route: KeywordRoute | None, expected: FilingDecision
) -> None:
    decision = decide_filing(command, route, modal_text_max=MODAL_TEXT_MAX, needs_form=FORM_ONLY)
    assert decision == expected
