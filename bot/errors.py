"""Errors a user can act on. The global error handler turns them into ephemeral replies."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Something the user asked for cannot be done; `message` is safe mrkdwn to show them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(UserError):
    pass


class NotAllowed(UserError):
    pass


class InvalidTransition(UserError):
    pass


class FormErrors(UserError):
    """Invalid modal input, keyed by block_id, answered with `response_action: errors`."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class FormOutdated(UserError):
    """A modal submitted with other questions than it must ask now (another department's, or
    the departments file's before a change), answered by drawing it again
    (`response_action: update`) with `view`."""

    def __init__(self, view: dict[str, Any]) -> None:
        super().__init__("The form changed while you filled it in: check it and send it again.")
        self.view = view


class SurveyClosed(UserError):
    """A rating or comment arrived after its survey closed (expired, or the request reopened)."""


class RuleError(ValueError):
    """A rule's text form is invalid; the message says what is expected."""
