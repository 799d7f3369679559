"""The layering is checked, not remembered: handlers → services → domain, never back."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "bot/domain": (
        "bot.slack",
        "bot.db",
        "pydantic",
        "slack_sdk",
        "slack_bolt",
        "sqlalchemy",
        "bot.services",
        "bot.blocks",
        "handlers",
        "models",
    ),
    "bot/blocks": ("slack_sdk", "slack_bolt", "sqlalchemy", "bot.services", "handlers", "models"),
    "bot/services": ("slack_bolt", "handlers"),
    "models": ("bot.services", "handlers", "slack_sdk", "slack_bolt"),
    "handlers": ("sqlalchemy", "models", "bot.db", "bot.services.requests"),
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_only_what_its_layer_may(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files
    violations = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        if "migrations" not in path.parts
        for name in _imports(path)
        if any(name == banned or name.startswith(banned + ".") for banned in FORBIDDEN[package])
    ]
    assert violations == []


def test_nothing_depends_on_the_shared_reference_folder() -> None:
    markers = ("../shared", "work/shared")
    for folder in ("bot", "handlers", "models", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            if path != Path(__file__).resolve():
                assert not any(m in path.read_text() for m in markers), path
