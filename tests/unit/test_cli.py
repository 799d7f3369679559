from __future__ import annotations

import json
import subprocess
import sys
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


def test_jobs_on_an_empty_database_says_there_are_none(
    empty_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs"]) == 0
    assert capsys.readouterr().out.strip() == "No pending, running or failed jobs."


def test_jobs_run_due_needs_the_bot_token(
    empty_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["jobs", "run-due"]) == 2
    assert "SLACK_BOT_TOKEN" in capsys.readouterr().err


def test_report_json_has_the_documented_keys_and_nulls_without_data(
    empty_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--format", "json", "--days", "7"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["departments"] == []
    assert report["days"] == 7


@pytest.mark.parametrize(
    ("output_format", "expected"),
    [
        ("json", '"top_receivers": []'),
        ("csv", "list,rank,user_id,name,kudos"),
        ("text", "Most thanked: nobody yet."),
    ],
)
def test_report_kudos_in_each_format(
    empty_environment: Path,
    capsys: pytest.CaptureFixture[str],
    output_format: str,
    expected: str,
) -> None:
    assert main(["report", "kudos", "--format", output_format, "--days", "7"]) == 0
    assert expected in capsys.readouterr().out


def test_report_refuses_an_unknown_subject(
    empty_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "praise"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_report_csv_starts_with_the_header(
    empty_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--format", "csv"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert header[:10] == [
        "key",
        "name",
        "requests",
        "open",
        "resolved",
        "median_first_response_seconds",
        "median_resolution_seconds",
        "csat",
        "ratings",
        "avg_rating",
    ]


@pytest.mark.parametrize("days", ["0", "-3", "many"])
def test_report_refuses_a_bad_window(
    empty_environment: Path, capsys: pytest.CaptureFixture[str], days: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", "--days", days])
    assert exit_info.value.code == 2
    assert "--days" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PULSE_WORKING_HOURS", "weekdays 9-5"),
        ("RATING_EMOJI", "star-struck=6"),
        ("ADMIN_USERS", "alice"),
        ("PULSE_DELAY_SECONDS", "-1"),
    ],
)
def test_bad_satisfaction_settings_are_named(
    empty_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["jobs"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"pulsedesk: {name}")


def test_export_writes_every_request_and_says_how_many(
    empty_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "requests", "--since", "2026-01-01", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert captured.err.strip().endswith("export: 0 requests")

    assert main(["export", "pulse", "--since", "2026-01-01", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == []
    assert captured.err.strip().endswith("export: 0 rows")

    out = empty_environment / "requests.csv"
    assert main(["export", "requests", "--since", "2026-01-01", "--out", str(out)]) == 0
    assert out.read_text().splitlines()[0].startswith("reference,id,department,")


@pytest.mark.parametrize(
    "arguments",
    [
        ["export", "requests"],
        ["export", "requests", "--since", "January"],
        ["export", "pulses", "--since", "2026-01-01"],
        ["export", "requests", "--since", "2026-01-01", "--format", "xml"],
    ],
)
def test_export_refuses_what_it_cannot_do(
    empty_environment: Path, arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(arguments)
    assert exited.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_an_export_that_ends_before_it_starts_is_refused(
    empty_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "requests", "--since", "2026-02-01", "--until", "2026-01-01"]) == 2
    assert "--until must be after --since" in capsys.readouterr().err


def test_report_heatmap_writes_a_png(
    empty_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = empty_environment / "icsq.png"
    assert main(["report", "heatmap", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("arguments", "said"),
    [
        (["report", "chart", "--out", "it.png"], "give --department and --out"),
        (["report", "chart", "--department", "it"], "give --department and --out"),
        (["report", "heatmap"], "give --out"),
        (["report", "chart", "--department", "nope", "--out", "x.png"], "no department 'nope'"),
    ],
)
def test_report_chart_says_what_it_needs(
    empty_environment: Path, arguments: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(arguments) == 2
    assert said in capsys.readouterr().err
    assert not (empty_environment / "x.png").exists()


def test_report_chart_refuses_a_number_of_weeks_it_cannot_draw(empty_environment: Path) -> None:
    with pytest.raises(SystemExit):
        main(["report", "chart", "--department", "it", "--weeks", "0", "--out", "it.png"])


def test_a_report_reads_the_database_without_the_slack_app_or_alembic(
    empty_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commands that only read the database leave the Slack app unimported, and Alembic too on
    a database already migrated: about a second of every run at a command line."""
    url = f"sqlite:///{empty_environment / 'desk.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["migrate"]) == 0
    loaded = (
        "print(sorted(set(sys.modules) & {'slack_bolt', 'slack_sdk', 'alembic', 'matplotlib'}))"
    )
    reported = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; from bot.__main__ import main; main(['report']); {loaded}",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "No departments yet." in reported.stdout
    assert reported.stdout.strip().splitlines()[-1] == "[]"


def test_starting_the_command_line_does_not_import_matplotlib() -> None:
    """Half a second at every start, for pictures few commands draw."""
    started = subprocess.run(
        [sys.executable, "-c", "import sys, bot.__main__; print('matplotlib' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert started.stdout.strip() == "False"
