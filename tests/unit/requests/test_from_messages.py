"""What a message becomes as a request, and which department a request emoji names."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.forms.rules import FormSource
from bot.requests.from_messages.rules import (
    DESCRIPTION_MAX,
    Reply,
    description,
    emoji_department,
    is_request_emoji,
    suggested_department,
)
from bot.requests.rules import DepartmentSnapshot
from tests.unit.kudos.test_settings import make_settings

IT = DepartmentSnapshot(1, "it", "IT", "C0IT000001", (), (), keywords=("laptop", "vpn"))
HR = DepartmentSnapshot(
    2, "hr", "HR", "C0HR000001", (), (), keywords=("payroll",), request_emoji="moneybag"
)
FACILITIES = DepartmentSnapshot(
    3, "facilities", "Facilities", "C0FAC00001", (), (), keywords=("vpn",)
)
DEPARTMENTS = [IT, HR, FACILITIES]


def test_a_message_alone_is_its_own_description() -> None:
    assert description("  The vpn drops \n", []) == "The vpn drops"
    assert description("", []) == "(a message with no text)"


def test_a_threads_replies_follow_with_their_authors() -> None:
    replies = [Reply("Maya", "same here"), Reply("Omar", " fixed? ")]
    assert description("The vpn drops", replies) == (
        "The vpn drops\n\nThread (2 replies):\nMaya: same here\nOmar: fixed?"
    )
    assert description("x", [Reply("Maya", "one")]).endswith("Thread (1 reply):\nMaya: one")


def test_a_long_thread_is_cut_to_what_a_request_keeps() -> None:
    replies = [Reply("Maya", "y" * 1000)] * 20
    assert len(description("x", replies)) == DESCRIPTION_MAX


def test_the_channel_names_the_department_before_the_keywords() -> None:
    assert suggested_department(DEPARTMENTS, channel_id="C0HR000001", text="laptop") == "hr"
    assert suggested_department(DEPARTMENTS, channel_id="C0GENERAL", text="my laptop") == "it"
    # A keyword two departments share names neither.
    assert suggested_department(DEPARTMENTS, channel_id="C0GENERAL", text="vpn") is None


@pytest.mark.parametrize(
    ("emoji", "workspace", "expected"),
    [
        ("ticket", "ticket", True),
        ("moneybag", "", True),
        ("ticket", "", False),
        ("clap", "ticket", False),
        ("", "", False),
    ],
)
def test_which_emoji_file_requests(emoji: str, workspace: str, expected: bool) -> None:
    assert is_request_emoji(DEPARTMENTS, emoji, workspace_emoji=workspace) is expected


def test_a_departments_own_emoji_names_it_whatever_the_message_says() -> None:
    assert emoji_department(DEPARTMENTS, "moneybag", channel_id="C0IT000001", text="laptop") == (
        "hr"
    )
    assert emoji_department(DEPARTMENTS, "ticket", channel_id="C0GENERAL", text="laptop") == "it"


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "C0GENERAL",
        {"channel": "C0GENERAL", "ts": "1.2"},
        {"channel": "#general", "ts": "1700000000.000100", "author": "U0ALICE"},
        {"channel": "C0GENERAL", "ts": "yesterday", "author": "U0ALICE"},
        {"channel": "C0GENERAL", "ts": "1700000000.000100", "author": "alice"},
        {"channel": "C0GENERAL", "ts": "1700000000.000100", "author": ["U0ALICE"]},
    ],
)
def test_a_forms_message_is_read_only_when_it_is_one(stored: object) -> None:
    assert FormSource.from_stored(stored) is None


def test_a_forms_message_keeps_its_author_and_a_short_name() -> None:
    stored = {"channel": "C0GENERAL", "ts": "1700000000.000100", "author": "U0ALICE"}
    source = FormSource.from_stored({**stored, "name": "M" * 500})
    assert source is not None
    assert (source.author_id, len(source.author_name)) == ("U0ALICE", 60)
    assert FormSource.from_stored(source.stored()) == source


def test_the_workspaces_request_emoji_is_off_unless_set() -> None:
    assert make_settings().request_emoji == ""
    assert make_settings(request_emoji=" :Ticket: ").request_emoji == "ticket"


@pytest.mark.parametrize(
    ("given", "detail"),
    [
        ("two words", "'two words' is not an emoji name like ticket"),
        ("clap", "REQUEST_EMOJI 'clap' is also KUDOS_EMOJI or in RATING_EMOJI"),
        ("star-struck", "REQUEST_EMOJI 'star-struck' is also KUDOS_EMOJI or in RATING_EMOJI"),
    ],
)
def test_a_request_emoji_that_cannot_work_is_refused_at_start(given: str, detail: str) -> None:
    with pytest.raises(ValidationError) as raised:
        make_settings(request_emoji=given)
    assert detail in str(raised.value)
