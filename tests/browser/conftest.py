"""Headless Chromium for the browser tests: the system's, found once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

MISSING_CHROMIUM = "Chromium is not installed: apt-get install chromium"
MISSING_PLAYWRIGHT = "playwright is not installed: pip install -e '.[dev]'"
VIEWPORT: ViewportSize = {"width": 1280, "height": 860}


def chromium_path() -> str | None:
    """CHROMIUM_PATH if set, else the chromium on PATH, else Debian's."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    found = shutil.which("chromium")
    if found:
        return found
    debian = Path("/usr/bin/chromium")
    return str(debian) if debian.is_file() else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    sync_api = pytest.importorskip("playwright.sync_api", reason=MISSING_PLAYWRIGHT)
    executable = chromium_path()
    if executable is None:
        pytest.skip(MISSING_CHROMIUM)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(headless=True, executable_path=executable)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()
