"""Reading payload fields for their type."""

from __future__ import annotations

import pytest

from handlers.fields import response_url_of


@pytest.mark.parametrize(
    "value",
    [
        "https://hooks.slack.com/commands/T0/1/abc",
        "http://127.0.0.1:8080/response/r",
    ],
)
def test_a_response_url_slack_could_send_is_kept(value: str) -> None:
    assert response_url_of(value) == value


@pytest.mark.parametrize(
    "value",
    [None, 7, {"url": "https://x"}, ["https://x"], "", "not a url", "ftp://x/y", "https://"],
)
def test_anything_else_is_no_response_url_so_the_answer_goes_by_dm(value: object) -> None:
    assert response_url_of(value) == ""
