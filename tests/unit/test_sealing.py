"""Reply tokens: only the key that sealed a writer opens the token, and only for its comment."""

from __future__ import annotations

import pytest

from bot.sealing import PADDED_BYTES, ReplySealer, TokenUnreadable, Writer

KEY = "a-test-reply-key-of-enough-random-characters"
WRITER = Writer(team_id="T0TEST", user_id="U0WRITER")
COMMENT = {"team_id": "T0TEST", "week": "2026-W45", "topic": "7"}


def test_a_sealed_writer_opens_again_with_the_same_key() -> None:
    token = ReplySealer(KEY).seal(WRITER, **COMMENT)
    assert ReplySealer(KEY).open(token, **COMMENT) == WRITER


def test_the_token_shows_nothing_of_the_writer_and_differs_every_time() -> None:
    sealer = ReplySealer(KEY)
    first, second = sealer.seal(WRITER, **COMMENT), sealer.seal(WRITER, **COMMENT)
    other = sealer.seal(Writer("T0TEST", "U0SOMEONEWITHALONGERID"), **COMMENT)
    assert first != second
    assert "U0WRITER" not in first
    assert "T0TEST" not in first
    assert len(first) == len(second) == len(other)


def test_another_key_neither_offers_nor_opens_it() -> None:
    token = ReplySealer(KEY).seal(WRITER, **COMMENT)
    rotated = ReplySealer(KEY + "-rotated")
    assert not rotated.can_open(token)
    with pytest.raises(TokenUnreadable):
        rotated.open(token, **COMMENT)


def test_a_token_with_the_key_id_forged_onto_it_does_not_open() -> None:
    token = ReplySealer(KEY).seal(WRITER, **COMMENT)
    rotated = ReplySealer(KEY + "-rotated")
    forged = token.replace(ReplySealer(KEY).key_id, rotated.key_id, 1)
    assert rotated.can_open(forged)
    with pytest.raises(TokenUnreadable):
        rotated.open(forged, **COMMENT)


# Inside the sealed part (the last character also carries unused padding bits).
@pytest.mark.parametrize("position", [20, 30, -10, -2])
def test_a_tampered_token_does_not_open(position: int) -> None:
    sealer = ReplySealer(KEY)
    token = sealer.seal(WRITER, **COMMENT)
    flipped = "A" if token[position] != "A" else "B"
    tampered = token[:position] + flipped + token[position:][1:]
    with pytest.raises(TokenUnreadable):
        sealer.open(tampered, **COMMENT)


@pytest.mark.parametrize(
    "moved", [{"team_id": "T0OTHER"}, {"week": "2026-W46"}, {"topic": "general"}]
)
def test_a_token_moved_onto_another_comment_does_not_open(moved: dict[str, str]) -> None:
    sealer = ReplySealer(KEY)
    token = sealer.seal(WRITER, **COMMENT)
    with pytest.raises(TokenUnreadable):
        sealer.open(token, **{**COMMENT, **moved})


@pytest.mark.parametrize("token", ["", "v1", "v1..", "v2.abc.def", "v1.{kid}.!!!", "v1.{kid}.AA"])
def test_what_is_not_a_token_does_not_open(token: str) -> None:
    sealer = ReplySealer(KEY)
    with pytest.raises(TokenUnreadable):
        sealer.open(token.format(kid=sealer.key_id), **COMMENT)


def test_an_id_longer_than_slack_gives_is_refused() -> None:
    with pytest.raises(ValueError, match="longer"):
        ReplySealer(KEY).seal(Writer("T0TEST", "U" * PADDED_BYTES), **COMMENT)
