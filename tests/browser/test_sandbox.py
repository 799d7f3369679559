"""The sandbox in a real browser, played by one person in every role: a request is filed from
the form, claimed and resolved by an agent, rated with a reaction by the requester; the clock
brings the weekly pulse, which is answered; kudos are given; the lead's Home tab shows the
results. Each step is checked on the page and saved as a screenshot in the test's folder.

`SANDBOX_SCREENSHOT=docs/sandbox.png` (`make screenshot`) also keeps the README's picture."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.sandbox import people
from bot.sandbox.run import RunningSandbox, start_sandbox
from bot.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

WAIT_MS = 30_000
IT_CHANNEL = people.departments()[0]["channel"]
README_PICTURE_STEP = "06-weekly-pulse"


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningSandbox]:
    sandbox = start_sandbox(
        Settings(_env_file=None, sandbox_dir=tmp_path / "sandbox"), port=0, tick_seconds=0
    )
    yield sandbox
    sandbox.close()


class Walk:
    def __init__(self, page: Page, folder: Path) -> None:
        from playwright.sync_api import expect

        self.page = page
        self.folder = folder
        self.expect = expect
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def shot(self, name: str) -> Path:
        path = self.folder / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def be(self, person: people.Person) -> None:
        self.page.select_option("#you-are", person.id)
        self.expect(self.page.locator("#you-are")).to_have_value(person.id)

    def open(self, channel: str) -> None:
        self.page.locator(f'[data-channel="{channel}"]').click()

    def open_messages_with_bot(self) -> None:
        self.page.locator("#dm-list [data-channel]").first.click()
        self.page.locator("#tab-messages").click()

    def type(self, text: str) -> None:
        composer = self.page.locator("#composer")
        composer.fill(text)
        composer.press("Enter")

    def message(self, text: str) -> Locator:
        found = self.page.locator(".message").filter(has_text=text).last
        self.expect(found).to_be_visible(timeout=WAIT_MS)
        return found


def test_one_person_plays_every_role(running: RunningSandbox, page: Page, tmp_path: Path) -> None:
    walk = Walk(page, tmp_path)
    expect = walk.expect
    page.goto(running.url)
    expect(page.locator("#clock")).to_contain_text("UTC", timeout=WAIT_MS)
    walk.be(people.REQUESTER)
    walk.open_messages_with_bot()
    walk.shot("01-start")

    # The form: submitted empty, it says what is missing, inline.
    walk.type("/request")
    modal = page.locator("#modal")
    expect(modal).to_be_visible(timeout=WAIT_MS)
    expect(modal).to_contain_text("Description")
    page.locator("#modal-submit").click()
    expect(modal.locator(".bk-input-error").first).to_be_visible(timeout=WAIT_MS)
    walk.shot("02-form-errors")
    modal.locator("textarea").first.fill("My laptop shows <b>no</b> picture & beeps")
    # Choosing IT draws its own questions after the description, keeping what was typed.
    modal.locator("select").first.select_option(label="IT Help Desk")
    device = modal.get_by_label("Which device?")
    expect(device).to_be_visible(timeout=WAIT_MS)
    expect(modal.locator("textarea").first).to_have_value(
        "My laptop shows <b>no</b> picture & beeps"
    )
    device.select_option(label="Laptop")
    page.locator("#modal-submit").click()
    expect(modal).to_be_hidden(timeout=WAIT_MS)
    walk.message("Filed")
    walk.shot("03-filed")

    # The agent claims and resolves it from the card in the department's channel.
    walk.be(people.AGENT)
    walk.open(IT_CHANNEL)
    card = walk.message("REQ-1")
    # The text is shown as typed, never as markup.
    expect(card).to_contain_text("My laptop shows <b>no</b> picture & beeps")
    expect(card).to_contain_text("Which device?")
    expect(card).to_contain_text("Laptop")
    assert card.locator("b", has_text="no").count() == 0
    card.get_by_role("button", name="Claim").click()
    expect(walk.message("REQ-1")).to_contain_text(people.AGENT.name, timeout=WAIT_MS)
    walk.message("REQ-1").get_by_role("button", name="Resolve").click()
    expect(walk.message("REQ-1")).to_contain_text("Resolved", timeout=WAIT_MS)
    walk.shot("04-resolved")

    # The requester rates it with a reaction on the DM that says it is resolved.
    walk.be(people.REQUESTER)
    walk.open_messages_with_bot()
    resolved = walk.message("resolved REQ-1")
    resolved.hover()
    resolved.locator(".add-reaction").click()
    page.locator('[data-emoji="star-struck"]').first.click()
    expect(resolved).to_contain_text("🤩", timeout=WAIT_MS)
    walk.be(people.AGENT)
    walk.open(IT_CHANNEL)
    expect(walk.message("REQ-1")).to_contain_text("Rated 5/5", timeout=WAIT_MS)
    walk.shot("05-rated-card")

    # The clock brings the weekly pulse, which the requester answers with one tap.
    walk.be(people.REQUESTER)
    walk.open_messages_with_bot()
    page.locator("#clock-monday").click()
    expect(page.locator("#clock")).to_contain_text("Mon", timeout=WAIT_MS)
    pulse = walk.message("weekly pulse")
    pulse.get_by_role("button", name="4").first.click()
    expect(walk.message("weekly pulse")).to_contain_text("Answered, thank you", timeout=WAIT_MS)
    walk.shot(README_PICTURE_STEP)

    # The same moment brings each department its weekly report, its chart in the thread.
    walk.be(people.LEAD)
    walk.open(IT_CHANNEL)
    report = walk.message("the week to")
    expect(report).to_contain_text("Requests filed")
    chart = report.locator(".bk-files img")
    expect(chart).to_be_visible(timeout=WAIT_MS)
    assert chart.evaluate("image => image.complete && image.naturalWidth") == 1000
    chart.scroll_into_view_if_needed()
    walk.shot("06-weekly-report")

    # Kudos to the agent, in the kudos channel.
    walk.open(people.GENERAL_CHANNEL)
    walk.type("/kudos @omar thanks for rescuing my laptop! #teamwork")
    walk.open(people.KUDOS_CHANNEL)
    shout_out = walk.message("thanks for rescuing my laptop!")
    expect(shout_out).to_contain_text(f"@{people.AGENT.name}")
    walk.shot("07-kudos")

    # The lead's Home tab.
    walk.be(people.LEAD)
    page.locator("#dm-list [data-channel]").first.click()
    page.locator("#tab-home").click()
    home = page.locator("#home-pane")
    expect(home).to_contain_text("IT Help Desk", timeout=WAIT_MS)
    expect(home).to_contain_text("Your teams: the last 30 days")
    # The chart the weekly report shared, shown from Slack's copy.
    home_chart = home.locator("img.bk-image-picture").first
    expect(home_chart).to_be_visible(timeout=WAIT_MS)
    walk.shot("08-lead-home")
    home_chart.scroll_into_view_if_needed()
    walk.shot("09-lead-home-chart")

    assert walk.errors == []
    keep = os.environ.get("SANDBOX_SCREENSHOT")
    if keep:
        shutil.copyfile(tmp_path / f"{README_PICTURE_STEP}.png", keep)
