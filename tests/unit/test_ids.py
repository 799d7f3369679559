"""Ids a client sends back to us are read only when they could name a row."""

from __future__ import annotations

import pytest

from bot.ids import ID_MAX, decode_pulse_id, decode_request_id, decode_weekly_question, parse_id


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("42", 42),
        ("0", 0),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),
        ("9" * 20, None),
        ("9" * 5000, None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.0", None),
        ("١٢", None),
        ("", None),
        (7, 7),
        (-7, None),
        (ID_MAX + 1, None),
        (True, None),
        (1.0, None),
        (None, None),
        ([1], None),
    ],
)
def test_an_id_is_read_only_when_a_column_could_hold_it(
    given: object, expected: int | None
) -> None:
    assert parse_id(given) == expected


@pytest.mark.parametrize("value", ["req:99999999999999999999", "req:", "req:x", "pulse:1", None])
def test_a_request_button_value_that_names_no_row_decodes_to_none(value: str | None) -> None:
    assert decode_request_id(value) is None


def test_the_largest_ids_still_round_trip() -> None:
    assert decode_request_id(f"req:{ID_MAX}") == ID_MAX
    assert decode_pulse_id(f"pulse:{ID_MAX}") == ID_MAX
    assert decode_weekly_question(f"weekly:{ID_MAX}:2") == (ID_MAX, 2)
    assert decode_weekly_question(f"weekly:{ID_MAX + 1}:2") is None
