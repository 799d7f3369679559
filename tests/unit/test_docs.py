"""The documentation keeps up with the code: every setting and every command is described."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from bot.__main__ import build_parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")

SETTINGS = sorted(name.upper() for name in Settings.model_fields)


def _commands() -> list[str]:
    parser = build_parser()
    subparsers = [
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    ]
    assert len(subparsers) == 1
    verbs = sorted(subparsers[0].choices)
    return [*verbs, "jobs run-due"]


def test_settings_and_commands_are_found() -> None:
    assert "PULSE_DELAY_SECONDS" in SETTINGS
    assert {"serve", "manifest", "migrate", "jobs", "report"} <= set(_commands())


@pytest.mark.parametrize("name", SETTINGS)
def test_every_setting_is_in_the_readme(name: str) -> None:
    assert f"`{name}`" in README


@pytest.mark.parametrize("name", SETTINGS)
def test_every_setting_is_in_env_example(name: str) -> None:
    assert name in ENV_EXAMPLE


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"python -m bot {command}" in README
