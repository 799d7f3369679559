"""The Slack app manifest, validated against Slack's published JSON schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.__main__ import main
from bot.manifest import build_manifest

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "data" / "slack_manifest.schema.1.0.0.json"
HOST = "desk.example.com"
EVENTS_URL = f"https://{HOST}/slack/events"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(
        schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )


def schema_errors(validator: jsonschema.Draft7Validator, manifest: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(manifest)
    ]


def urls_in(payload: Any) -> Iterator[tuple[str, str]]:
    """Every (key, value) pair whose key names a URL, anywhere in the manifest."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key in ("url", "request_url") or key.endswith("_url"):
                yield key, value
            yield from urls_in(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from urls_in(item)


def test_schema_rejects_a_broken_manifest(validator: jsonschema.Draft7Validator) -> None:
    # The schema really constrains manifests: it is not an accept-anything file.
    broken = build_manifest(url=f"https://{HOST}")
    broken["settings"]["socket_mode_enabled"] = "yes"
    broken["features"]["unknown_feature"] = True
    del broken["display_information"]
    assert len(schema_errors(validator, broken)) >= 3


@pytest.mark.parametrize(
    "url", [f"https://{HOST}", f"https://{HOST}/", f"https://{HOST}:8443", f"https://{HOST}/desk"]
)
def test_http_manifest_is_valid(validator: jsonschema.Draft7Validator, url: str) -> None:
    assert schema_errors(validator, build_manifest(url=url)) == []


def test_socket_mode_manifest_is_valid(validator: jsonschema.Draft7Validator) -> None:
    manifest = build_manifest(url=None, socket_mode=True)
    assert schema_errors(validator, manifest) == []
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert list(urls_in(manifest)) == []


def test_socket_mode_manifest_ignores_a_url(validator: jsonschema.Draft7Validator) -> None:
    manifest = build_manifest(url=f"https://{HOST}", socket_mode=True)
    assert schema_errors(validator, manifest) == []
    assert list(urls_in(manifest)) == []


@pytest.mark.parametrize("url", [f"https://{HOST}", f"https://{HOST}/", f"https://{HOST}//"])
def test_every_url_is_the_events_endpoint(url: str) -> None:
    manifest = build_manifest(url=url)
    urls = list(urls_in(manifest))
    commands = len(manifest["features"]["slash_commands"])
    assert sorted(key for key, _ in urls) == ["request_url"] * 2 + ["url"] * commands
    assert {value for _, value in urls} == {EVENTS_URL}
    assert manifest["settings"]["event_subscriptions"]["request_url"] == EVENTS_URL
    assert manifest["settings"]["interactivity"]["request_url"] == EVENTS_URL
    assert manifest["settings"]["socket_mode_enabled"] is False


@pytest.mark.parametrize("name", ["/request", "/pulse", "/kudos"])
def test_slash_commands_are_declared(name: str) -> None:
    for manifest in (
        build_manifest(url=f"https://{HOST}"),
        build_manifest(url=None, socket_mode=True),
    ):
        [command] = [c for c in manifest["features"]["slash_commands"] if c["command"] == name]
        assert command["should_escape"] is True
        assert command["description"]
        assert "commands" in manifest["oauth_config"]["scopes"]["bot"]


def test_manifest_declares_what_the_bot_uses() -> None:
    manifest = build_manifest(url=f"https://{HOST}")
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert {"commands", "chat:write", "im:write"} <= set(scopes)
    assert len(scopes) == len(set(scopes))
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True


def test_http_manifest_needs_a_url() -> None:
    with pytest.raises(ValueError, match="public URL"):
        build_manifest(url=None)


# `python -m bot manifest` -------------------------------------------------------------------


def test_cli_prints_the_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--url", f"https://{HOST}"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == build_manifest(url=f"https://{HOST}")
    assert err == ""


def test_cli_prints_the_socket_mode_manifest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "--socket-mode"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out) == build_manifest(url=None, socket_mode=True)


def test_cli_refuses_a_missing_url(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--url" in err
    assert "https://" in err


@pytest.mark.parametrize(
    "url", [f"http://{HOST}", HOST, f"ftp://{HOST}", f"//{HOST}", f"https:{HOST}"]
)
def test_cli_refuses_a_non_https_url(capsys: pytest.CaptureFixture[str], url: str) -> None:
    assert main(["manifest", "--url", url]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--url must start with https://" in err


def test_cli_refuses_an_https_url_without_host(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["manifest", "--url", "https://"])
    out, _ = capsys.readouterr()
    assert code == 2
    assert out == ""
