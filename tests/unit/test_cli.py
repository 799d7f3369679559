from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.settings import Settings

SETTINGS = [name.upper() for name in Settings.model_fields]


@pytest.fixture
def empty_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    return tmp_path


def test_serve_without_token_exits_with_one_clear_line(
    empty_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "SLACK_BOT_TOKEN" in err
    assert "OAuth & Permissions" in err


def test_serve_without_signing_secret_names_it(
    empty_environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    assert main(["serve"]) == 2
    assert "SLACK_SIGNING_SECRET" in capsys.readouterr().err


def test_serve_with_broken_departments_file_names_file_entry_and_field(
    empty_environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-abc")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3cr3t-value")
    (empty_environment / "departments.toml").write_text(
        '[[departments]]\nkey = "it"\nname = "IT"\nchannel = "#it"\n'
    )
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert "departments.toml" in err
    assert 'departments[0] (key "it")' in err
    assert 'field "channel"' in err
    assert not (empty_environment / "pulsedesk.db").exists()


def test_invalid_setting_is_named(
    empty_environment: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "not-a-port")
    assert main(["serve"]) == 2
    assert "PORT" in capsys.readouterr().err


def test_migrate_creates_the_default_sqlite_database(empty_environment: Path) -> None:
    assert main(["migrate"]) == 0
    assert (empty_environment / "pulsedesk.db").exists()
