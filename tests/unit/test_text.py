"""Escaping, decoding and cutting user text for Slack."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import (
    ELLIPSIS,
    clean_input,
    escape,
    escape_truncate,
    escaped_pieces,
    first_line,
    slack_to_plain,
    truncate,
)
from tests.markup import BROKEN_ENTITY

# An `&` that does not start one of the three entities the bot writes.

HOSTILE = [
    "<!channel>",
    "<!here> <!everyone>",
    "<@U123> please",
    "<!subteam^S1|team>",
    "<https://evil.example|click me>",
    "&lt;!channel&gt;",
    "<<!channel>>",
    "<!chan<>nel>",
    "a & b < c > d",
    "&amp;&lt;&gt;",
    "&",
    "<",
    ">",
]


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# escape -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a & b", "a &amp; b"),
        ("1 < 2", "1 &lt; 2"),
        ("2 > 1", "2 &gt; 1"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("<@U123>", "&lt;@U123&gt;"),
        ("&lt;", "&amp;lt;"),
        ("&amp;", "&amp;amp;"),
        ("plain text, *bold* _it_ :smile: 🚀", "plain text, *bold* _it_ :smile: 🚀"),
        ("", ""),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_leaves_no_control_characters(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped
    assert ">" not in escaped
    assert not BROKEN_ENTITY.search(escaped)
    assert "<!channel>" not in escaped
    assert _unescape(escaped) == text


@pytest.mark.parametrize("text", HOSTILE)
def test_decoded_then_escaped_text_can_never_ping(text: str) -> None:
    safe = escape(slack_to_plain(text))
    assert "<" not in safe
    assert ">" not in safe
    assert "<!channel>" not in safe


# slack_to_plain -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("hi <@U1|alex>", "hi @alex"),
        ("hi <@U1>", "hi @U1"),
        ("join <#C1|general>", "join #general"),
        ("join <#C1>", "join #C1"),
        ("<!channel> look", "@channel look"),
        ("<!here> look", "@here look"),
        ("<!everyone> look", "@everyone look"),
        ("<!channel|channel> look", "@channel look"),
        ("ask <!subteam^S1|team>", "ask @team"),
        ("ask <!subteam^S1>", "ask @S1"),
        ("see <http://x|label>", "see label (http://x)"),
        ("see <http://x>", "see http://x"),
        ("see <http://x|http://x>", "see http://x"),
        ("mail <mailto:a@b.c|a@b.c>", "mail a@b.c (mailto:a@b.c)"),
        ("on <!date^1700000000^{date_short}|Nov 14>", "on Nov 14"),
        ("1 &lt; 2 &gt; 0 &amp; done", "1 < 2 > 0 & done"),
        ("&lt;!channel&gt;", "<!channel>"),
        ("&amp;lt;", "&lt;"),
        ("&amp;amp;", "&amp;"),
        ("no markup at all 🚀", "no markup at all 🚀"),
        ("", ""),
    ],
)
def test_slack_to_plain(text: str, plain: str) -> None:
    assert slack_to_plain(text) == plain


def test_slack_to_plain_decodes_several_entities_in_one_text() -> None:
    text = "<@U1|alex> asked <!here> in <#C9|it-help>: is <https://a.example|this> up?"
    assert slack_to_plain(text) == "@alex asked @here in #it-help: is this (https://a.example) up?"


def test_slack_to_plain_roundtrips_user_typed_angle_brackets() -> None:
    # The user typed `<b> & <i>` literally; Slack sends it escaped.
    assert slack_to_plain("&lt;b&gt; &amp; &lt;i&gt;") == "<b> & <i>"
    assert escape(slack_to_plain("&lt;b&gt; &amp; &lt;i&gt;")) == "&lt;b&gt; &amp; &lt;i&gt;"


# truncate / escape_truncate -----------------------------------------------------------------


SAMPLES = [
    "plain words that go on and on " * 4,
    "&" * 80,
    "<>" * 40,
    "a&b<c>d " * 15,
    "&&&&&x<<<<<y>>>>>z" * 5,
    "<!channel> " * 12,
    "🚀✨👩🏽‍💻 emoji & <tags> " * 6,
    "日本語のテキスト & ünïcödé <ok> " * 5,
    "trailing spaces before cut          &" * 4,
    "x" * 120,
    "",
]
LIMITS = list(range(1, 130))


@pytest.mark.parametrize("text", SAMPLES)
def test_escape_truncate_never_exceeds_limit_or_splits_an_entity(text: str) -> None:
    escaped = escape(text)
    for limit in LIMITS:
        result = escape_truncate(text, limit)
        assert len(result) <= limit, (limit, result)
        assert not BROKEN_ENTITY.search(result), (limit, result)
        assert "<" not in result
        assert ">" not in result
        if len(escaped) <= limit:
            assert result == escaped
        else:
            assert result.endswith(ELLIPSIS)
            kept = result.removesuffix(ELLIPSIS)
            assert escaped.startswith(kept), (limit, result)
            assert text.startswith(_unescape(kept)), (limit, result)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("a & b", 5, "a" + ELLIPSIS),
        ("a & b", 9, "a &amp; b"),
        ("a & b", 8, "a &amp;" + ELLIPSIS),
        ("&&", 10, "&amp;&amp;"),
        ("&&", 9, "&amp;" + ELLIPSIS),
        ("<!channel>", 16, "&lt;!channel&gt;"),
        ("<!channel>", 15, "&lt;!channel" + ELLIPSIS),
        ("<!channel>", 14, "&lt;!channel" + ELLIPSIS),
        ("<!channel>", 4, ELLIPSIS),
    ],
)
def test_escape_truncate_examples(text: str, limit: int, expected: str) -> None:
    assert escape_truncate(text, limit) == expected


@pytest.mark.parametrize("text", SAMPLES)
def test_truncate_never_exceeds_limit(text: str) -> None:
    for limit in LIMITS:
        result = truncate(text, limit)
        assert len(result) <= limit
        if len(text) <= limit:
            assert result == text
        else:
            assert result.endswith(ELLIPSIS)
            assert text.startswith(result.removesuffix(ELLIPSIS))


def test_truncate_drops_trailing_space_before_ellipsis() -> None:
    assert truncate("hello world", 7) == "hello" + ELLIPSIS


# first_line ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("first line\nsecond line", 80, "first line"),
        ("\n\n   first   line  \nsecond", 80, "first line"),
        ("tabs\tand  spaces", 80, "tabs and spaces"),
        ("windows\r\nline", 80, "windows"),
        ("", 80, ""),
        ("   \n \n  ", 80, ""),
        ("🚀 launch ✨\nmore", 80, "🚀 launch ✨"),
        ("a" * 81, 80, "a" * 79 + ELLIPSIS),
        ("a" * 80, 80, "a" * 80),
        ("word " * 40, 20, "word word word word" + ELLIPSIS),
    ],
)
def test_first_line(text: str, limit: int, expected: str) -> None:
    assert first_line(text, limit) == expected


@pytest.mark.parametrize("length", [1, 79, 80, 81, 150, 151, 500, 10_000])
def test_first_line_never_exceeds_limit(length: int) -> None:
    text = ("é🚀x " * length)[:length] + "\nsecond"
    result = first_line(text, 80)
    assert len(result) <= 80
    assert "\n" not in result


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("plain text", "plain text"),
        ("a\x00b", "ab"),
        ("tab\tand\nnewline stay", "tab\tand\nnewline stay"),
        ("carriage\r\nreturn", "carriage\nreturn"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("del\x7f and c1\x85\x9f", "del and c1"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("emoji 🎉 and ünïcode stay", "emoji 🎉 and ünïcode stay"),
    ],
)
def test_input_loses_control_characters_and_keeps_the_text(typed: str, kept: str) -> None:
    assert clean_input(typed) == kept


@given(text=st.text(alphabet=st.sampled_from("ab <>&\n"), max_size=400))
def test_pieces_of_escaped_text_fit_and_put_together_give_it_back(text: str) -> None:
    pieces = escaped_pieces(text, 20, 1000)
    assert all(0 < len(piece) <= 20 for piece in pieces)
    joined = "".join(pieces)
    assert joined == escape(text)


def test_pieces_split_at_a_space_and_cut_past_the_most() -> None:
    assert escaped_pieces("hello there world", 12, 5) == ["hello there ", "world"]
    cut = escaped_pieces("x" * 50, 10, 2)
    assert len(cut) == 2
    assert cut[-1].endswith("…")
    assert escaped_pieces("", 10, 2) == []
