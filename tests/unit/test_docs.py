"""The documentation keeps up with the code: every setting and every command is described,
the README stays a short front door, and every link between the pages leads to a file."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.__main__ import build_parser
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
README_PATH = ROOT / "README.md"
README = README_PATH.read_text(encoding="utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
CLI = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")
PAGES = [README_PATH, *sorted((ROOT / "docs").glob("*.md"))]

README_MAX_LINES = 220

SETTINGS = sorted(name.upper() for name in Settings.model_fields)

# [text](target) or [text](target "title"); fenced code blocks are left out before matching.
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.DOTALL | re.MULTILINE)


def _commands() -> list[str]:
    parser = build_parser()
    subparsers = [
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    ]
    assert len(subparsers) == 1
    verbs = sorted(subparsers[0].choices)
    return [*verbs, "jobs run-due"]


def _relative_links() -> list[tuple[Path, str]]:
    """Every link from one page to a file: not to the web, not to an anchor on the same page."""
    links = []
    for page in PAGES:
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        for target in LINK.findall(text):
            if target.startswith(("http://", "https://", "#")):
                continue
            links.append((page, target))
    return list(dict.fromkeys(links))


LINKS = _relative_links()


def test_settings_commands_and_links_are_found() -> None:
    assert "PULSE_DELAY_SECONDS" in SETTINGS
    assert {"serve", "manifest", "migrate", "jobs", "report"} <= set(_commands())
    assert (README_PATH, "docs/configuration.md") in LINKS


@pytest.mark.parametrize("name", SETTINGS)
def test_every_setting_is_in_the_configuration_page(name: str) -> None:
    assert f"`{name}`" in CONFIGURATION


@pytest.mark.parametrize("name", SETTINGS)
def test_every_setting_is_in_env_example(name: str) -> None:
    assert name in ENV_EXAMPLE


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_in_the_command_line_page(command: str) -> None:
    assert f"python -m bot {command}" in CLI


def test_the_readme_is_short() -> None:
    lines = len(README.splitlines())
    assert lines <= README_MAX_LINES, f"README.md has {lines} lines; move detail into docs/"


@pytest.mark.parametrize("command", ["make run", "make test"])
def test_the_readme_names_the_two_commands(command: str) -> None:
    assert command in README


@pytest.mark.parametrize(
    ("page", "target"),
    LINKS,
    ids=[f"{page.relative_to(ROOT)}->{target}" for page, target in LINKS],
)
def test_every_relative_link_leads_to_a_file(page: Path, target: str) -> None:
    path = target.split("#", 1)[0]
    assert (page.parent / path).exists(), f"{page.relative_to(ROOT)} links to missing {path}"


ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
# `bot/kudos/rules.py`, `handlers/errors.py`, `bot/weekly/flows/` as the page names them.
CODE_PATH = re.compile(r"`((?:bot|handlers|models|tests|benchmarks)/[\w/.]*)`")
FEATURES = sorted(
    path.name
    for path in (ROOT / "bot").iterdir()
    if path.is_dir() and (path / "__init__.py").exists()
)
SHARED_MODULES = sorted(
    path.name for path in (ROOT / "bot").glob("*.py") if path.name != "__init__.py"
)


def test_the_architecture_page_names_code_paths() -> None:
    assert len(CODE_PATH.findall(ARCHITECTURE)) > 20


@pytest.mark.parametrize("path", sorted(set(CODE_PATH.findall(ARCHITECTURE))))
def test_every_path_the_architecture_page_names_exists(path: str) -> None:
    assert (ROOT / path).exists(), path


@pytest.mark.parametrize("feature", FEATURES)
def test_every_feature_package_is_in_the_architecture_page(feature: str) -> None:
    assert f"`bot/{feature}/`" in ARCHITECTURE


@pytest.mark.parametrize("module", SHARED_MODULES)
def test_every_shared_module_is_in_the_architecture_page(module: str) -> None:
    assert f"`bot/{module}`" in ARCHITECTURE
