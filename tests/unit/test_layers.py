"""The shape of the code is checked, not remembered: every feature is a package with the same
kinds of module, and each kind imports only what its layer may (docs/architecture.md)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "bot"

# The sandbox is Slack's side of the contract, played to the bot, not a feature of it.
NOT_FEATURES = {"sandbox"}
FEATURES = sorted(
    path.name
    for path in BOT.iterdir()
    if path.is_dir() and (path / "__init__.py").exists() and path.name not in NOT_FEATURES
)
# Feature-free modules every feature may use that do no I/O.
PURE_SHARED = (
    "bot.business_time",
    "bot.calendar",
    "bot.errors",
    "bot.ids",
    "bot.metrics",
    "bot.reactions",
    "bot.text",
)
# The kinds of module a feature package is made of, by file name.
KINDS = {"rules.py", "store.py", "messages.py", "flows.py", "formats.py"}
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 300


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            # `from bot.kudos import store` imports the module bot.kudos.store.
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _kind(path: Path) -> str:
    """rules, store, messages, flows or formats, for a module inside a feature package."""
    relative = path.relative_to(BOT)
    if "flows" in relative.parts[:-1]:
        return "flows"
    return path.stem


def _modules(kind: str) -> list[Path]:
    return sorted(
        path
        for feature in FEATURES
        for path in (BOT / feature).rglob("*.py")
        if path.name != "__init__.py" and _kind(path) == kind
    )


def _is_stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names


def _module_name(name: str, kind: str) -> bool:
    """Whether an imported name is a feature module of this kind (`bot.kudos.store`), or of
    one of its sub-packages (`bot.requests.departments.store`)."""
    parts = name.split(".")
    if len(parts) < 3 or parts[0] != "bot" or parts[1] not in FEATURES:
        return False
    return kind in parts[2:4]


def _violations(kind: str, allowed: object) -> list[str]:
    assert callable(allowed)
    files = _modules(kind)
    assert files, f"no {kind} modules found"
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in files
        for name in sorted(_imports(path))
        if name != "__future__" and not allowed(name)
    ]


def test_there_are_feature_packages() -> None:
    assert {"requests", "satisfaction", "weekly", "kudos"} <= set(FEATURES)


@pytest.mark.parametrize("feature", FEATURES)
def test_a_feature_is_made_of_the_known_kinds_of_module(feature: str) -> None:
    unknown = [
        str(path.relative_to(ROOT))
        for path in (BOT / feature).rglob("*.py")
        if path.name != "__init__.py"
        and path.name not in KINDS
        and "flows" not in path.relative_to(BOT / feature).parts[:-1]
    ]
    assert unknown == []


@pytest.mark.parametrize("feature", ["requests", "satisfaction", "weekly", "kudos"])
def test_the_main_features_have_every_kind(feature: str) -> None:
    package = BOT / feature
    for name in ("rules.py", "store.py", "messages.py"):
        assert (package / name).exists(), name
    assert (package / "flows.py").exists() or (package / "flows").is_dir()


def test_rules_import_only_the_standard_library_pure_helpers_and_other_rules() -> None:
    def allowed(name: str) -> bool:
        return (
            _is_stdlib(name)
            or name.startswith(PURE_SHARED)
            or _module_name(name, "rules")
            or name in {f"bot.{feature}" for feature in FEATURES}
        )

    assert _violations("rules", allowed) == []


def test_messages_import_no_store_flows_slack_or_database() -> None:
    def allowed(name: str) -> bool:
        return not (
            _module_name(name, "store")
            or _module_name(name, "flows")
            or name.startswith(("bot.slack", "bot.db", "slack_sdk", "slack_bolt", "sqlalchemy"))
            or name.startswith(("models", "handlers"))
        )

    assert _violations("messages", allowed) == []
    assert _violations("formats", allowed) == []


def test_stores_import_no_slack_messages_or_flows() -> None:
    def allowed(name: str) -> bool:
        return not (
            _module_name(name, "messages")
            or _module_name(name, "flows")
            or name.startswith(("bot.slack", "bot.blockkit", "slack_sdk", "slack_bolt"))
            or name.startswith("handlers")
        )

    assert _violations("store", allowed) == []


def test_flows_never_import_the_listeners() -> None:
    assert _violations("flows", lambda name: not name.startswith(("handlers", "slack_bolt"))) == []


def test_handlers_import_no_store_models_or_database() -> None:
    violations = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "handlers").glob("*.py"))
        for name in sorted(_imports(path))
        if _module_name(name, "store") or name.startswith(("models", "sqlalchemy", "bot.db"))
    ]
    assert violations == []


@pytest.mark.parametrize("module", PURE_SHARED)
def test_pure_shared_helpers_import_only_the_standard_library_and_each_other(
    module: str,
) -> None:
    path = ROOT / (module.replace(".", "/") + ".py")
    imported = _imports(path) - {"__future__"}
    assert [
        name for name in imported if not (_is_stdlib(name) or name.startswith(PURE_SHARED))
    ] == []


def test_models_import_no_feature_code_or_slack() -> None:
    violations = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / "models").rglob("*.py"))
        if "migrations" not in path.parts
        for name in sorted(_imports(path))
        if name.startswith(("bot", "handlers", "slack_sdk", "slack_bolt"))
    ]
    assert violations == []


def _source_files() -> list[Path]:
    return sorted(
        path
        for folder in ("bot", "handlers", "models")
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_no_module_grows_past_its_limit() -> None:
    long = [
        f"{path.relative_to(ROOT)} ({lines} lines)"
        for path in _source_files()
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    assert long == []


def test_no_class_grows_past_its_limit() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in _source_files()
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_CLASS_LINES
    ]
    assert long == []


def test_nothing_depends_on_the_shared_reference_folder() -> None:
    markers = ("../shared", "work/shared")
    for folder in ("bot", "handlers", "models", "tests", "benchmarks"):
        for path in (ROOT / folder).rglob("*.py"):
            if path != Path(__file__).resolve():
                assert not any(m in path.read_text() for m in markers), path
