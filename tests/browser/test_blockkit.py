"""The sandbox page's Block Kit and mrkdwn renderer, run in real Chromium.

Each test loads blockkit.js alone into a blank page, renders a fixture and looks at the DOM
that came out. `outline` writes a rendered node as text, an element as `tag(children)`, so that
an assertion shows the structure and the text at once.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import MISSING_PLAYWRIGHT

pytest.importorskip("playwright.sync_api", reason=MISSING_PLAYWRIGHT)

from playwright.sync_api import Page, expect

STATIC = Path(__file__).resolve().parents[2] / "bot" / "sandbox" / "static"

SETUP = """() => {
  window.actions = [];
  window.ctx = {
    people: { U1: "Maya Patel", U2: "Omar Haddad" },
    channels: { C1: "it-help-desk" },
    onAction: (action) => { window.actions.push(action); },
  };
  window.show = (node) => { document.body.replaceChildren(node); return node; };
  window.outline = (node) => Array.from(node.childNodes).map((child) =>
    child.nodeType === Node.TEXT_NODE
      ? child.textContent
      : `${child.tagName.toLowerCase()}(${window.outline(child)})`
  ).join("");
}"""

# What would run if any text reached the DOM as markup rather than as text.
LIVE_MARKUP = """() => {
  const all = Array.from(document.body.querySelectorAll("*"));
  return {
    scripts: document.body.querySelectorAll("script").length,
    handlers: all.filter((node) =>
      Array.from(node.attributes).some((attribute) => attribute.name.startsWith("on"))
    ).length,
    injected_images: document.body.querySelectorAll('img[src="x"], img:not([class])').length,
  };
}"""
NO_LIVE_MARKUP = {"scripts": 0, "handlers": 0, "injected_images": 0}

SCRIPT_TAG = "<script>alert(1)</script>"
IMG_TAG = '"><img src=x onerror=alert(1)>'
HOSTILE = (SCRIPT_TAG, IMG_TAG)

REQUIRED_EMOJI = {
    "+1": "👍",
    "-1": "👎",
    "clap": "👏",
    "tada": "🎉",
    "heart": "❤️",
    "rage": "😡",
    "slightly_frowning_face": "🙁",
    "neutral_face": "😐",
    "slightly_smiling_face": "🙂",
    "star-struck": "🤩",
    "white_check_mark": "✅",
    "star": "⭐",
    "rotating_light": "🚨",
    "no_entry_sign": "🚫",
    "inbox_tray": "📥",
    "hourglass_flowing_sand": "⏳",
    "warning": "⚠️",
    "trophy": "🏆",
    "telephone_receiver": "📞",
    "speech_balloon": "💬",
    "sparkles": "✨",
    "pray": "🙏",
    "no_bell": "🔕",
    "memo": "📝",
    "leftwards_arrow_with_hook": "↩️",
    "large_green_circle": "🟢",
    "eyes": "👀",
    "bell": "🔔",
    "ticket": "🎫",
    "raised_hands": "🙌",
    "rocket": "🚀",
    "wave": "👋",
    "fire": "🔥",
    "100": "💯",
    "thinking_face": "🤔",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "large_yellow_circle": "🟡",
    "red_circle": "🔴",
    "bar_chart": "📊",
    "calendar": "📅",
}


@pytest.fixture
def kit(page: Page) -> Page:
    page.set_content("<!doctype html><body></body>")
    page.add_script_tag(path=str(STATIC / "blockkit.js"))
    page.evaluate(SETUP)
    return page


def plain(text: str, *, emoji: bool = True) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": emoji}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def option(text: str) -> dict[str, Any]:
    """An option whose value is its text in lower case."""
    return {"text": plain(text), "value": text.lower()}


def options(*texts: str) -> list[dict[str, Any]]:
    return [option(text) for text in texts]


def selected(text: str) -> dict[str, Any]:
    """An option of `option(text)` as a payload carries it."""
    return {"text": {"type": "plain_text", "text": text}, "value": text.lower()}


def element(kind: str, action_id: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "action_id": action_id, **fields}


def button(action_id: str, text: str, **fields: Any) -> dict[str, Any]:
    return element("button", action_id, text=plain(text), **fields)


def section(text: str, **fields: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **fields}


def actions_block(*elements: dict[str, Any], block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "actions", "elements": list(elements)}
    if block_id is not None:
        block["block_id"] = block_id
    return block


def input_block(block_id: str, label: str, field: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": field,
        **fields,
    }


def render(page: Page, blocks: list[Any], surface: str = "message") -> None:
    page.evaluate(
        "([blocks, surface]) => { show(BlockKit.renderBlocks(blocks, { ...ctx, surface })); }",
        [blocks, surface],
    )


def outline_mrkdwn(page: Page, text: str) -> str:
    return str(page.evaluate("(text) => outline(show(BlockKit.renderMrkdwn(text, ctx)))", text))


def outline_of(page: Page, selector: str) -> str:
    return str(page.evaluate("(s) => outline(document.querySelector(s))", selector))


def actions(page: Page) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = page.evaluate("() => window.actions")
    return found


def values(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate("() => BlockKit.collectValues(document.body)")
    return found


def live_markup(page: Page) -> dict[str, int]:
    found: dict[str, int] = page.evaluate(LIVE_MARKUP)
    return found


# -- mrkdwn -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*bold*", "strong(bold)"),
        ("_italic_", "em(italic)"),
        ("~struck~", "s(struck)"),
        ("`code`", "code(code)"),
        ("a *b* _c_ ~d~ `e` f", "a strong(b) em(c) s(d) code(e) f"),
        ("*bold _and italic_*", "strong(bold em(and italic))"),
        ("_*both*_", "em(strong(both))"),
        ("(*aside*), then.", "(strong(aside)), then."),
        ("`*not bold* :tada: _nor this_`", "code(*not bold* :tada: _nor this_)"),
    ],
)
def test_mrkdwn_formats(kit: Page, text: str, expected: str) -> None:
    assert outline_mrkdwn(kit, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "snake_case_name",
        "2*3*4",
        "a*b*",
        "*b*c",
        "file_name_",
        "wow~such~doge",
        "*unbalanced",
        "unbalanced_",
        "~half",
        "`never closed",
        "* spaced *",
        "_ spaced _",
        "**",
        "*bold over\nlines*",
    ],
)
def test_mrkdwn_markers_apply_only_at_word_edges_and_in_pairs(kit: Page, text: str) -> None:
    outline = outline_mrkdwn(kit, text)

    assert outline == text.replace("\n", "br()")


def test_mrkdwn_newlines_become_line_breaks(kit: Page) -> None:
    assert outline_mrkdwn(kit, "one\ntwo\n\nfour") == "onebr()twobr()br()four"
    assert kit.evaluate("() => document.querySelectorAll('.bk-mrkdwn br').length") == 3


def test_mrkdwn_preformatted_block_keeps_its_text_as_is(kit: Page) -> None:
    outline = outline_mrkdwn(kit, "before\n```\nline *1*\n  _two_ :tada:\n```\nafter")

    assert outline == "beforepre(line *1*\n  _two_ :tada:)after"


def test_mrkdwn_preformatted_block_still_decodes_entities_and_names_people(kit: Page) -> None:
    assert outline_mrkdwn(kit, "```a &lt;b&gt; <@U1>```") == "pre(a <b> span(@Maya Patel))"


def test_mrkdwn_unclosed_fence_is_text(kit: Page) -> None:
    assert outline_mrkdwn(kit, "```not closed") == "```not closed"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("> quoted\n> more\nafter", "blockquote(quotedbr()more)after"),
        ("&gt; escaped quote\nafter", "blockquote(escaped quote)after"),
        ("before\n>no space", "beforeblockquote(no space)"),
        ("intro\n>>> all\nof *this*", "introblockquote(allbr()of strong(this))"),
        ("a > b", "a > b"),
    ],
)
def test_mrkdwn_quotes(kit: Page, text: str, expected: str) -> None:
    assert outline_mrkdwn(kit, text) == expected


def test_mrkdwn_links_open_safely_in_a_new_tab(kit: Page) -> None:
    outline_mrkdwn(kit, "<https://example.com/a?b=1&amp;c=2|the *label*> and <http://example.org>")

    links = kit.locator("a")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_have_text("the *label*")
    expect(links.nth(0)).to_have_attribute("href", "https://example.com/a?b=1&c=2")
    expect(links.nth(0)).to_have_attribute("rel", "noopener noreferrer")
    expect(links.nth(0)).to_have_attribute("target", "_blank")
    expect(links.nth(1)).to_have_text("http://example.org")
    expect(links.nth(1)).to_have_attribute("href", "http://example.org/")


def test_mrkdwn_mailto_links(kit: Page) -> None:
    outline_mrkdwn(kit, "<mailto:help@example.com|Email us> or <mailto:it@example.com>")

    links = kit.locator("a")
    expect(links.nth(0)).to_have_text("Email us")
    expect(links.nth(0)).to_have_attribute("href", "mailto:help@example.com")
    expect(links.nth(1)).to_have_text("it@example.com")
    expect(links.nth(1)).to_have_attribute("href", "mailto:it@example.com")


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("<javascript:alert(1)|click me>", "click me"),
        ("<javascript:alert(1)>", "javascript:alert(1)"),
        ("<JaVaScRiPt:alert(1)|x>", "x"),
        ("<java\tscript:alert(1)|tabbed>", "<java\tscript:alert(1)|tabbed>"),
        ("<data:text/html,<b>hi</b>|data>", "<data:text/html,<b>hi</b>|data>"),
        ("<data:text/html;base64,PHNjcmlwdD4=|data>", "data"),
        ("<vbscript:msgbox(1)|vb>", "vb"),
        ("<file:///etc/passwd|local>", "local"),
    ],
)
def test_mrkdwn_unsafe_links_are_plain_text(kit: Page, text: str, shown: str) -> None:
    outline_mrkdwn(kit, text)

    expect(kit.locator("a")).to_have_count(0)
    expect(kit.locator("[href]")).to_have_count(0)
    expect(kit.locator(".bk-mrkdwn")).to_have_text(shown)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U1>", "@Maya Patel"),
        ("<@U9>", "@U9"),
        ("<@U9|maya>", "@maya"),
        ("<#C1>", "#it-help-desk"),
        ("<#C7|random>", "#random"),
        ("<#C7>", "#C7"),
        ("<!here>", "@here"),
        ("<!channel>", "@channel"),
        ("<!everyone>", "@everyone"),
        ("<!subteam^S1|@it-team>", "@it-team"),
    ],
)
def test_mrkdwn_mentions_show_names_as_chips(kit: Page, text: str, expected: str) -> None:
    assert outline_mrkdwn(kit, f"hi {text}!") == f"hi span({expected})!"
    expect(kit.locator(".bk-mention")).to_have_text(expected)


def test_mrkdwn_user_mention_knows_the_user(kit: Page) -> None:
    outline_mrkdwn(kit, "<@U2>")

    expect(kit.locator(".bk-mention")).to_have_attribute("data-user-id", "U2")


def test_mrkdwn_dates_show_their_fallback_without_a_time_zone(kit: Page) -> None:
    text = "Filed <!date^1700000000^{date_short_pretty} at {time}|2023-11-14 22:13 UTC>."

    assert outline_mrkdwn(kit, text) == "Filed span(2023-11-14 22:13 UTC)."


@pytest.mark.parametrize(
    ("zone", "format_", "shown"),
    [
        # 1700000000 is Tuesday 14 November 2023, 22:13:20 UTC.
        ("UTC", "{date_num} {time_secs}", "2023-11-14 22:13:20"),
        ("Asia/Tokyo", "{date_long} at {time}", "Wednesday 15 November 2023 at 07:13"),
        ("America/Los_Angeles", "{date_short} {time}", "14 Nov 2023 14:13"),
        ("Europe/Berlin", "{date}", "14 November 2023"),
        # The reader's clock (ctx.now, 23:00 UTC on the 14th) says which day is today: in
        # Tokyo it is already the 15th, like the date.
        ("UTC", "{date_short_pretty} at {time}", "today at 22:13"),
        ("Asia/Tokyo", "{date_pretty}", "today"),
        ("Mars/Olympus", "{date} {time}", "fallback"),
    ],
)
def test_mrkdwn_dates_show_in_the_readers_time_zone(
    kit: Page, zone: str, format_: str, shown: str
) -> None:
    text = f"<!date^1700000000^{format_}|fallback>"
    rendered = kit.evaluate(
        """([text, zone]) => BlockKit.renderMrkdwn(
            text, { ...ctx, timeZone: zone, now: Date.UTC(2023, 10, 14, 23, 0) }
        ).textContent""",
        [text, zone],
    )
    assert rendered == shown


def test_mrkdwn_emoji(kit: Page) -> None:
    shown = kit.evaluate(
        """(names) => Object.fromEntries(names.map((name) => [
            name, outline(BlockKit.renderMrkdwn(`a :${name}: b`, ctx)),
        ]))""",
        list(REQUIRED_EMOJI),
    )

    assert shown == {name: f"a span({char}) b" for name, char in REQUIRED_EMOJI.items()}


def test_emoji_table_is_exported_with_every_required_name(kit: Page) -> None:
    table = kit.evaluate("() => BlockKit.EMOJI")

    assert {name: table.get(name) for name in REQUIRED_EMOJI} == REQUIRED_EMOJI


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (":no_such_emoji:", ":no_such_emoji:"),
        (":+1::skin-tone-3:", "span(👍)"),
        ("10:30:45", "10:30:45"),
        (":tada::tada:", "span(🎉)span(🎉)"),
        ("*:star: rated*", "strong(span(⭐) rated)"),
    ],
)
def test_mrkdwn_emoji_edge_cases(kit: Page, text: str, expected: str) -> None:
    assert outline_mrkdwn(kit, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AT&amp;T", "AT&T"),
        ("&lt;b&gt;not bold&lt;/b&gt;", "<b>not bold</b>"),
        ("&amp;lt;", "&lt;"),
        ("&quot;kept&quot; &nbsp;", "&quot;kept&quot; &nbsp;"),
        ("&lt;@U1&gt;", "<@U1>"),
        ("&lt;https://example.com&gt;", "<https://example.com>"),
    ],
)
def test_mrkdwn_decodes_slack_escapes_to_text(kit: Page, text: str, expected: str) -> None:
    assert outline_mrkdwn(kit, text) == expected
    expect(kit.locator(".bk-mrkdwn *")).to_have_count(0)


@pytest.mark.parametrize(
    "text",
    [
        SCRIPT_TAG,
        IMG_TAG,
        "*" + SCRIPT_TAG + "*",
        "<https://example.com|" + IMG_TAG.replace(">", "") + ">",
        "```" + SCRIPT_TAG + "```",
        "<@U1|" + IMG_TAG.replace(">", "") + ">",
    ],
)
def test_mrkdwn_hostile_text_never_becomes_markup(kit: Page, text: str) -> None:
    outline_mrkdwn(kit, text)

    assert live_markup(kit) == NO_LIVE_MARKUP
    assert kit.evaluate("() => document.body.querySelectorAll('img, iframe, svg').length") == 0


def test_mrkdwn_hostile_html_shows_literally(kit: Page) -> None:
    assert outline_mrkdwn(kit, SCRIPT_TAG) == SCRIPT_TAG
    assert outline_mrkdwn(kit, IMG_TAG) == IMG_TAG
    assert outline_mrkdwn(kit, "&lt;script&gt;alert(1)&lt;/script&gt;") == SCRIPT_TAG


# -- text objects -------------------------------------------------------------------------------


def test_plain_text_is_never_formatted_but_gets_emoji(kit: Page) -> None:
    shown = kit.evaluate(
        """() => [
            BlockKit.renderText({ type: "plain_text", text: "*a* :tada: &amp;", emoji: true }),
            BlockKit.renderText({ type: "plain_text", text: ":tada:", emoji: false }),
            BlockKit.renderText({ type: "mrkdwn", text: "*a* :tada:" }, ctx),
        ].map((node) => outline(node))"""
    )

    assert shown == ["*a* 🎉 &", ":tada:", "strong(a) span(🎉)"]


# -- blocks -------------------------------------------------------------------------------------


def test_header(kit: Page) -> None:
    render(kit, [{"type": "header", "text": plain("REQ-7 · Laptop :fire:")}])

    header = kit.locator(".bk-header")
    expect(header).to_have_text("REQ-7 · Laptop 🔥")
    expect(header).to_have_attribute("role", "heading")
    expect(header).to_have_class(re.compile(r"\bbk-block\b"))


def test_section_text_fields_and_accessory_button(kit: Page) -> None:
    fields = [mrkdwn("*Status*\nOpen"), mrkdwn("*Urgency*\nHigh"), plain("Plain")]
    claim = button("claim", "Claim", value="req-7")
    render(kit, [section("*Laptop* is broken", block_id="card", fields=fields, accessory=claim)])

    assert outline_of(kit, ".bk-section-body > .bk-mrkdwn") == "strong(Laptop) is broken"
    expect(kit.locator(".bk-fields > .bk-field")).to_have_count(3)
    assert outline_of(kit, ".bk-field") == "div(strong(Status)br()Open)"
    expect(kit.locator(".bk-accessory .bk-button")).to_have_text("Claim")

    kit.click(".bk-accessory .bk-button")

    assert actions(kit) == [
        {
            "type": "button",
            "action_id": "claim",
            "block_id": "card",
            "value": "req-7",
            "text": plain("Claim"),
        }
    ]


def test_section_accessory_image_overflow_and_selects(kit: Page) -> None:
    picture = {"type": "image", "image_url": "https://example.com/a.png", "alt_text": "a cat"}
    render(
        kit,
        [
            section("picture", accessory=picture),
            section("more", accessory=element("overflow", "more", options=options("Edit"))),
            section(
                "pick",
                block_id="pick",
                accessory=element("static_select", "choice", options=options("One", "Two")),
            ),
            section("who", block_id="who", accessory=element("users_select", "person")),
        ],
    )

    image = kit.locator(".bk-accessory img")
    expect(image).to_have_attribute("alt", "a cat")
    expect(image).to_have_attribute("src", "https://example.com/a.png")
    expect(kit.locator(".bk-accessory .bk-overflow-button")).to_have_text("⋯")

    kit.select_option(".bk-accessory .bk-static_select", label="Two")
    kit.select_option(".bk-accessory .bk-users_select", label="Omar Haddad")

    assert actions(kit) == [
        {
            "type": "static_select",
            "action_id": "choice",
            "block_id": "pick",
            "selected_option": selected("Two"),
        },
        {"type": "users_select", "action_id": "person", "block_id": "who", "selected_user": "U2"},
    ]


def test_context_texts_and_images(kit: Page) -> None:
    icon = {"type": "image", "image_url": "https://example.com/i.png", "alt_text": "icon"}
    render(
        kit,
        [
            {
                "type": "context",
                "elements": [mrkdwn(":star: Rated *5/5* by <@U1>"), plain("plain *text*"), icon],
            }
        ],
    )

    texts = kit.locator(".bk-context .bk-context-text")
    expect(texts).to_have_text(["⭐ Rated 5/5 by @Maya Patel", "plain *text*"])
    assert (
        outline_of(kit, ".bk-context-text")
        == "div(span(⭐) Rated strong(5/5) by span(@Maya Patel))"
    )
    expect(kit.locator(".bk-context img")).to_have_attribute("alt", "icon")


def test_divider(kit: Page) -> None:
    render(kit, [{"type": "divider"}])

    expect(kit.locator("hr.bk-divider")).to_have_count(1)


def test_image_block(kit: Page) -> None:
    chart = {
        "type": "image",
        "image_url": "https://example.com/chart.png",
        "alt_text": "Ratings this week",
        "title": plain("Weekly :bar_chart:"),
    }
    unsafe = {"type": "image", "image_url": "javascript:alert(1)", "alt_text": "no source"}
    render(kit, [chart, unsafe])

    images = kit.locator(".bk-image img")
    expect(images.nth(0)).to_have_attribute("alt", "Ratings this week")
    expect(images.nth(0)).to_have_attribute("src", "https://example.com/chart.png")
    expect(kit.locator(".bk-image-title")).to_have_text("Weekly 📊")
    expect(images.nth(1)).to_have_attribute("alt", "no source")
    assert images.nth(1).get_attribute("src") is None


def test_action_buttons_have_their_style_and_report_clicks(kit: Page) -> None:
    render(
        kit,
        [
            actions_block(
                button("ok", "Resolve", value="1", style="primary"),
                button("no", "Cancel", value="2", style="danger"),
                button("meh", "Later"),
                block_id="card-actions",
            )
        ],
    )

    buttons = kit.locator(".bk-actions .bk-button")
    expect(buttons.nth(0)).to_have_class(re.compile(r"\bbk-button-primary\b"))
    expect(buttons.nth(1)).to_have_class(re.compile(r"\bbk-button-danger\b"))
    expect(buttons.nth(2)).not_to_have_class(re.compile(r"bk-button-(primary|danger)"))

    buttons.nth(1).click()
    buttons.nth(2).click()

    assert actions(kit) == [
        {
            "type": "button",
            "action_id": "no",
            "block_id": "card-actions",
            "value": "2",
            "text": plain("Cancel"),
        },
        {"type": "button", "action_id": "meh", "block_id": "card-actions", "text": plain("Later")},
    ]


def test_link_buttons_open_their_address_instead_of_acting(kit: Page) -> None:
    render(
        kit,
        [
            actions_block(
                button("docs", "Docs", url="https://example.com/docs"),
                button("evil", "Evil", url="javascript:alert(1)"),
            )
        ],
    )

    link = kit.locator("a.bk-button")
    expect(link).to_have_text("Docs")
    expect(link).to_have_attribute("href", "https://example.com/docs")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    expect(link).to_have_attribute("target", "_blank")
    refused = kit.locator("button.bk-button")
    expect(refused).to_have_text("Evil")
    expect(refused).to_be_disabled()
    expect(kit.locator("[href^='javascript']")).to_have_count(0)
    assert actions(kit) == []


def test_static_select_with_groups_and_initial_option(kit: Page) -> None:
    normal, high = option("Normal"), option("High")
    groups = [
        {"label": plain("Usual"), "options": [normal]},
        {"label": plain("Rare"), "options": [high]},
    ]
    level = element(
        "static_select",
        "level",
        placeholder=plain("Pick one"),
        option_groups=groups,
        initial_option=high,
    )
    render(kit, [actions_block(level, block_id="urgency")])

    select = kit.locator(".bk-static_select")
    expect(select.locator("optgroup")).to_have_count(2)
    expect(select.locator("optgroup").nth(1)).to_have_attribute("label", "Rare")
    expect(select.locator("option:checked")).to_have_text("High")
    expect(select.locator("option").first).to_have_text("Pick one")

    select.select_option(label="Normal")

    assert actions(kit) == [
        {
            "type": "static_select",
            "action_id": "level",
            "block_id": "urgency",
            "selected_option": selected("Normal"),
        }
    ]


def test_users_select_lists_the_people_and_starts_at_the_initial_user(kit: Page) -> None:
    assign = element("users_select", "reassign", placeholder=plain("Assign to…"), initial_user="U1")
    render(kit, [actions_block(assign, block_id="assign")])

    select = kit.locator(".bk-users_select")
    expect(select.locator("option")).to_have_text(["Assign to…", "Maya Patel", "Omar Haddad"])
    expect(select).to_have_value("U1")

    select.select_option("U2")

    assert actions(kit) == [
        {
            "type": "users_select",
            "action_id": "reassign",
            "block_id": "assign",
            "selected_user": "U2",
        }
    ]


def test_overflow_opens_a_menu_and_reports_the_choice(kit: Page) -> None:
    menu_element = element("overflow", "menu", options=options("Edit", "Delete"))
    render(kit, [actions_block(menu_element, block_id="row")])

    menu = kit.locator(".bk-overflow-menu")
    expect(menu).to_be_hidden()
    kit.click(".bk-overflow-button")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("menuitem")).to_have_text(["Edit", "Delete"])

    menu.get_by_role("menuitem", name="Delete").click()

    expect(menu).to_be_hidden()
    assert actions(kit) == [
        {
            "type": "overflow",
            "action_id": "menu",
            "block_id": "row",
            "selected_option": selected("Delete"),
        }
    ]


def test_overflow_menu_closes_on_a_click_elsewhere(kit: Page) -> None:
    render(
        kit,
        [actions_block(element("overflow", "m", options=options("A"))), section("elsewhere")],
    )
    kit.click(".bk-overflow-button")
    expect(kit.locator(".bk-overflow-menu")).to_be_visible()

    kit.click(".bk-section")

    expect(kit.locator(".bk-overflow-menu")).to_be_hidden()
    assert actions(kit) == []


def test_radio_buttons_checkboxes_and_datepicker_in_actions(kit: Page) -> None:
    render(
        kit,
        [
            actions_block(
                element("radio_buttons", "radio", options=options("Yes", "No")),
                element(
                    "checkboxes", "boxes", options=options("A", "B"), initial_options=options("A")
                ),
                element("datepicker", "day", initial_date="2026-11-30"),
                block_id="controls",
            )
        ],
    )

    expect(kit.locator(".bk-checkboxes input").nth(0)).to_be_checked()
    expect(kit.locator(".bk-datepicker")).to_have_attribute("type", "date")
    expect(kit.locator(".bk-datepicker")).to_have_value("2026-11-30")

    kit.locator(".bk-radio_buttons input").nth(1).check()
    kit.locator(".bk-checkboxes input").nth(1).check()
    kit.fill(".bk-datepicker", "2026-12-01")

    ids = {"block_id": "controls"}
    assert actions(kit) == [
        {"type": "radio_buttons", "action_id": "radio", **ids, "selected_option": selected("No")},
        {
            "type": "checkboxes",
            "action_id": "boxes",
            **ids,
            "selected_options": [selected("A"), selected("B")],
        },
        {"type": "datepicker", "action_id": "day", **ids, "selected_date": "2026-12-01"},
    ]


def test_actions_in_a_modal_report_clicks_too(kit: Page) -> None:
    render(kit, [actions_block(button("x", "Go"), block_id="b")], surface="modal")

    expect(kit.locator(".bk-blocks")).to_have_class(re.compile(r"\bbk-surface-modal\b"))
    kit.click(".bk-button")

    assert [action["action_id"] for action in actions(kit)] == ["x"]


REQUEST_FORM: list[Any] = [
    input_block(
        "description",
        "Description",
        element(
            "plain_text_input",
            "text",
            multiline=True,
            max_length=3000,
            placeholder=plain("What do you need?"),
            initial_value="My laptop",
        ),
        hint=plain("Include anything that helps"),
    ),
    input_block("title", "Title", element("plain_text_input", "short"), optional=True),
    input_block(
        "department", "Department", element("static_select", "dept", options=options("IT", "HR"))
    ),
    input_block("owner", "Owner", element("users_select", "user")),
    input_block(
        "urgency",
        "Urgency",
        element(
            "radio_buttons",
            "level",
            options=options("Normal", "High"),
            initial_option=option("Normal"),
        ),
    ),
    input_block(
        "notify",
        "Notify",
        element(
            "checkboxes",
            "who",
            options=[
                {"text": mrkdwn("*Team*"), "value": "team", "description": plain("Everyone")},
                option("Lead"),
            ],
        ),
    ),
]


def test_input_blocks_render_label_hint_optional_and_element(kit: Page) -> None:
    render(kit, REQUEST_FORM, surface="modal")

    inputs = kit.locator(".bk-input")
    expect(inputs).to_have_count(6)
    description = inputs.nth(0)
    expect(description.locator(".bk-input-label")).to_have_text("Description")
    expect(description.locator(".bk-optional")).to_have_count(0)
    expect(description.locator(".bk-hint")).to_have_text("Include anything that helps")
    textarea = description.locator("textarea")
    expect(textarea).to_have_value("My laptop")
    expect(textarea).to_have_attribute("placeholder", "What do you need?")
    expect(textarea).to_have_attribute("maxlength", "3000")
    expect(kit.get_by_label("Description")).to_have_value("My laptop")
    expect(inputs.nth(1).locator(".bk-input-label")).to_have_text("Title (optional)")
    expect(inputs.nth(1).locator("input")).to_have_attribute("type", "text")
    expect(inputs.nth(2).locator("option")).to_have_text(["Select an item", "IT", "HR"])
    expect(inputs.nth(3).locator("option")).to_have_text(
        ["Select a person", "Maya Patel", "Omar Haddad"]
    )
    expect(inputs.nth(4).locator("input[type=radio]")).to_have_count(2)
    expect(inputs.nth(4).locator("input:checked")).to_have_count(1)
    expect(inputs.nth(4).locator(".bk-choice").nth(0).locator("input")).to_be_checked()
    assert (
        outline_of(kit, ".bk-checkboxes .bk-choice-text") == "div(strong(Team))span(span(Everyone))"
    )


def test_inputs_do_not_report_actions(kit: Page) -> None:
    render(kit, REQUEST_FORM, surface="modal")

    kit.select_option(".bk-static_select", label="HR")
    kit.select_option(".bk-users_select", "U1")
    kit.locator(".bk-radio_buttons input").nth(1).check()
    kit.locator(".bk-checkboxes input").nth(0).check()
    kit.fill("textarea", "typed")

    assert actions(kit) == []


def test_collect_values_before_anything_is_chosen(kit: Page) -> None:
    render(kit, REQUEST_FORM, surface="modal")

    assert values(kit) == {
        "description": {"text": {"type": "plain_text_input", "value": "My laptop"}},
        "title": {"short": {"type": "plain_text_input", "value": None}},
        "department": {"dept": {"type": "static_select", "selected_option": None}},
        "owner": {"user": {"type": "users_select", "selected_user": None}},
        "urgency": {"level": {"type": "radio_buttons", "selected_option": selected("Normal")}},
        "notify": {"who": {"type": "checkboxes", "selected_options": []}},
    }


def test_collect_values_after_filling_in_the_form(kit: Page) -> None:
    render(kit, REQUEST_FORM, surface="modal")

    kit.fill("textarea", "Line one\nLine two")
    kit.fill(".bk-input input[type=text]", "Laptop")
    kit.select_option(".bk-static_select", label="HR")
    kit.select_option(".bk-users_select", "U2")
    kit.locator(".bk-radio_buttons input").nth(1).check()
    kit.locator(".bk-checkboxes input").nth(0).check()
    kit.locator(".bk-checkboxes input").nth(1).check()

    team = {"text": {"type": "mrkdwn", "text": "*Team*"}, "value": "team"}
    assert values(kit) == {
        "description": {"text": {"type": "plain_text_input", "value": "Line one\nLine two"}},
        "title": {"short": {"type": "plain_text_input", "value": "Laptop"}},
        "department": {"dept": {"type": "static_select", "selected_option": selected("HR")}},
        "owner": {"user": {"type": "users_select", "selected_user": "U2"}},
        "urgency": {"level": {"type": "radio_buttons", "selected_option": selected("High")}},
        "notify": {"who": {"type": "checkboxes", "selected_options": [team, selected("Lead")]}},
    }


def test_collect_values_includes_stateful_elements_of_actions_blocks(kit: Page) -> None:
    filters = actions_block(button("go", "Go"), element("datepicker", "from"), block_id="filters")
    render(kit, [filters], surface="modal")

    assert values(kit) == {"filters": {"from": {"type": "datepicker", "selected_date": None}}}


# The questions of a department's own, as the bot draws them after the description.
QUESTIONS = [
    input_block(
        "department",
        "Department",
        element("static_select", "request_department", options=options("IT", "HR")),
        dispatch_action=True,
    ),
    input_block(
        "field:it:budget",
        "Budget",
        element("number_input", "request_field", is_decimal_allowed=True, initial_value="12.5"),
        optional=True,
    ),
    input_block(
        "field:it:count",
        "How many",
        element("number_input", "request_field", is_decimal_allowed=False),
    ),
    input_block(
        "field:it:needed_by",
        "Needed by",
        element("datepicker", "request_field", initial_date="2026-12-24"),
        hint=plain("Leave it empty if it can wait."),
    ),
]


def test_number_and_date_inputs_in_a_modal_hold_what_is_entered(kit: Page) -> None:
    render(kit, QUESTIONS, surface="modal")

    budget, count = kit.locator(".bk-number_input").nth(0), kit.locator(".bk-number_input").nth(1)
    expect(budget).to_have_attribute("type", "number")
    expect(budget).to_have_attribute("step", "any")
    expect(budget).to_have_value("12.5")
    expect(count).to_have_attribute("step", "1")
    expect(kit.get_by_label("Needed by")).to_have_value("2026-12-24")
    expect(kit.locator(".bk-hint")).to_have_text("Leave it empty if it can wait.")
    count.fill("3")
    kit.get_by_label("Needed by").fill("2027-01-05")

    assert values(kit) == {
        "department": {"request_department": {"type": "static_select", "selected_option": None}},
        "field:it:budget": {"request_field": {"type": "number_input", "value": "12.5"}},
        "field:it:count": {"request_field": {"type": "number_input", "value": "3"}},
        "field:it:needed_by": {
            "request_field": {"type": "datepicker", "selected_date": "2027-01-05"}
        },
    }
    assert actions(kit) == []


def test_an_input_that_dispatches_its_action_reports_the_choice(kit: Page) -> None:
    render(kit, QUESTIONS, surface="modal")

    kit.select_option(".bk-static_select", label="HR")
    kit.locator(".bk-number_input").nth(1).fill("7")

    assert actions(kit) == [
        {
            "type": "static_select",
            "action_id": "request_department",
            "block_id": "department",
            "selected_option": selected("HR"),
        }
    ]


def test_a_view_drawn_again_keeps_what_was_entered_in_the_same_inputs(kit: Page) -> None:
    render(kit, QUESTIONS, surface="modal")
    kit.select_option(".bk-static_select", label="HR")
    kit.locator(".bk-number_input").nth(1).fill("7")
    kit.get_by_label("Needed by").fill("")
    entered = values(kit)
    # Drawn again with a question gone and one of another type under the same block id.
    redrawn = [
        QUESTIONS[0],
        QUESTIONS[2],
        input_block("field:it:budget", "Budget", element("plain_text_input", "request_field")),
        QUESTIONS[3],
    ]

    kit.evaluate(
        """([blocks, entered]) => {
          const root = BlockKit.renderBlocks(blocks, { ...ctx, surface: "modal" });
          BlockKit.restoreValues(root, entered);
          show(root);
        }""",
        [redrawn, entered],
    )

    assert values(kit) == {
        "department": {
            "request_department": {"type": "static_select", "selected_option": selected("HR")}
        },
        "field:it:count": {"request_field": {"type": "number_input", "value": "7"}},
        "field:it:budget": {"request_field": {"type": "plain_text_input", "value": None}},
        "field:it:needed_by": {"request_field": {"type": "datepicker", "selected_date": None}},
    }


BLOCK_IDS = "() => [...document.querySelectorAll('.bk-block')].map((node) => node.dataset.blockId)"


def test_blocks_without_ids_get_stable_generated_ones(kit: Page) -> None:
    form = [
        section("intro"),
        {"type": "input", "label": plain("A"), "element": {"type": "plain_text_input"}},
    ]
    render(kit, form, surface="modal")
    first = kit.evaluate(BLOCK_IDS)
    first_values = values(kit)
    render(kit, form, surface="modal")

    assert kit.evaluate(BLOCK_IDS) == first
    assert len(set(first)) == 2
    assert all(first)
    assert list(first_values) == [first[1]]
    assert list(first_values[first[1]].values()) == [{"type": "plain_text_input", "value": None}]
    assert values(kit) == first_values


ERROR_FOLLOWS_TEXTAREA = """() => {
    const block = document.querySelector('[data-block-id="description"]');
    const error = block.querySelector('.bk-input-error');
    const position = block.querySelector('textarea').compareDocumentPosition(error);
    return Boolean(position & Node.DOCUMENT_POSITION_FOLLOWING);
}"""


def test_show_errors_places_each_under_its_block_and_clears_old_ones(kit: Page) -> None:
    render(kit, REQUEST_FORM, surface="modal")

    kit.evaluate(
        """() => BlockKit.showErrors(document.body, {
            description: "Write a comment, or cancel.", department: "Pick one."
        })"""
    )
    errors = kit.locator(".bk-input-error")
    expect(errors).to_have_count(2)
    description = kit.locator('.bk-input[data-block-id="description"]')
    expect(description.locator(".bk-input-error")).to_have_text("Write a comment, or cancel.")
    department = kit.locator('.bk-input[data-block-id="department"]')
    expect(department.locator(".bk-input-error")).to_have_text("Pick one.")
    assert kit.evaluate(ERROR_FOLLOWS_TEXTAREA) is True

    unplaced = kit.evaluate(
        """() => BlockKit.showErrors(document.body, {
            title: "Too long.", gone: "Not on screen."
        })"""
    )

    expect(errors).to_have_count(1)
    expect(kit.locator('[data-block-id="title"] .bk-input-error')).to_have_text("Too long.")
    assert unplaced == {"gone": "Not on screen."}
    kit.evaluate("() => BlockKit.showErrors(document.body, {})")
    expect(errors).to_have_count(0)


def test_show_errors_writes_the_message_as_text(kit: Page) -> None:
    render(kit, REQUEST_FORM, surface="modal")

    kit.evaluate("(m) => BlockKit.showErrors(document.body, { title: m })", IMG_TAG)

    expect(kit.locator(".bk-input-error")).to_have_text(IMG_TAG)
    assert live_markup(kit) == NO_LIVE_MARKUP


def rich_section(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich_text_section", "elements": list(elements)}


def test_rich_text_renders_as_its_plain_text(kit: Page) -> None:
    greeting = rich_section(
        {"type": "text", "text": "Hi "},
        {"type": "user", "user_id": "U1"},
        {"type": "text", "text": " "},
        {"type": "emoji", "name": "wave"},
    )
    items = [rich_section({"type": "text", "text": item}) for item in ("a", "b")]
    listed = {"type": "rich_text_list", "elements": items}
    render(kit, [{"type": "rich_text", "elements": [greeting, listed]}])

    text = kit.evaluate("() => document.querySelector('.bk-rich_text').textContent")
    assert text == "Hi @Maya Patel 👋\n• a\n• b"


# -- what the renderer does not know ------------------------------------------------------------


def test_unknown_block_type_is_a_visible_placeholder(kit: Page) -> None:
    render(kit, [{"type": "video", "title": plain("A film")}, {"type": "divider"}])

    placeholder = kit.locator(".bk-unknown")
    expect(placeholder).to_be_visible()
    expect(placeholder).to_have_text("Unsupported block: video")
    expect(kit.locator(".bk-divider")).to_have_count(1)


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "actions", "elements": [{"type": "workflow_button", "text": plain("Run")}]}],
        [{"type": "section", "text": mrkdwn("x"), "accessory": {"type": "workflow_button"}}],
        [{"type": "context", "elements": [{"type": "workflow_button"}]}],
        [{"type": "input", "label": plain("L"), "element": {"type": "workflow_button"}}],
    ],
)
def test_unknown_element_type_is_a_visible_placeholder(kit: Page, blocks: list[Any]) -> None:
    render(kit, blocks)

    placeholder = kit.locator(".bk-unknown")
    expect(placeholder).to_be_visible()
    expect(placeholder).to_have_text("Unsupported element: workflow_button")


def test_blocks_that_are_not_blocks_are_placeholders_too(kit: Page) -> None:
    render(kit, [None, "text", {"no": "type"}])

    expect(kit.locator(".bk-unknown")).to_have_text(
        [
            "Unsupported block: undefined",
            "Unsupported block: undefined",
            "Unsupported block: undefined",
        ]
    )


def test_a_block_that_cannot_be_drawn_is_a_placeholder_not_a_gap(kit: Page) -> None:
    broken = {"type": "rich_text", "elements": [{"type": "rich_text_list", "elements": "oops"}]}
    render(kit, [section("before"), broken, section("after")])

    expect(kit.locator(".bk-block")).to_have_count(3)
    expect(kit.locator(".bk-unknown")).to_have_text("Malformed rich_text block")
    expect(kit.locator(".bk-section")).to_have_text(["before", "after"])


def test_hostile_type_names_show_as_text(kit: Page) -> None:
    render(kit, [{"type": IMG_TAG}, {"type": "actions", "elements": [{"type": SCRIPT_TAG}]}])

    expect(kit.locator(".bk-unknown")).to_have_text(
        [f"Unsupported block: {IMG_TAG}", f"Unsupported element: {SCRIPT_TAG}"]
    )
    assert live_markup(kit) == NO_LIVE_MARKUP


# -- hostile text everywhere --------------------------------------------------------------------


def hostile_blocks(text: str) -> list[Any]:
    """`text` in every place a block shows text."""
    choice = {"text": plain(text), "value": "v"}
    return [
        {"type": "header", "text": plain(text)},
        section(text, fields=[mrkdwn(text), plain(text)], accessory=button("a", text)),
        {"type": "section", "text": plain(text)},
        {
            "type": "context",
            "elements": [
                mrkdwn(text),
                plain(text),
                {"type": "image", "image_url": "https://example.com/i.png", "alt_text": text},
            ],
        },
        {"type": "image", "image_url": "https://example.com/p.png", "alt_text": text},
        actions_block(
            element("static_select", "s", placeholder=plain(text), options=[choice]),
            element("overflow", "o", options=[choice]),
            element("radio_buttons", "r", options=[choice]),
        ),
        input_block(
            "i",
            text,
            element("plain_text_input", "i", placeholder=plain(text), initial_value=text),
            hint=plain(text),
        ),
    ]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_blocks_shows_literally(kit: Page, text: str) -> None:
    render(kit, hostile_blocks(text))

    assert live_markup(kit) == NO_LIVE_MARKUP
    expect(kit.locator(".bk-header")).to_have_text(text)
    expect(kit.locator(".bk-section-body > .bk-mrkdwn").first).to_have_text(text)
    expect(kit.locator(".bk-field")).to_have_text([text, text])
    expect(kit.locator(".bk-section-body > .bk-plain")).to_have_text(text)
    expect(kit.locator(".bk-accessory .bk-button")).to_have_text(text)
    expect(kit.locator(".bk-context-text")).to_have_text([text, text])
    expect(kit.locator(".bk-context-image")).to_have_attribute("alt", text)
    expect(kit.locator(".bk-image-picture")).to_have_attribute("alt", text)
    expect(kit.locator(".bk-static_select option")).to_have_text([text, text])
    expect(kit.locator(".bk-overflow-option")).to_have_text(text)
    expect(kit.locator(".bk-radio_buttons .bk-choice")).to_have_text(text)
    expect(kit.locator(".bk-input-label")).to_have_text(text)
    expect(kit.locator(".bk-hint")).to_have_text(text)
    expect(kit.locator(".bk-input input")).to_have_value(text)
    expect(kit.locator(".bk-input input")).to_have_attribute("placeholder", text)


def test_escaped_hostile_text_shows_literally(kit: Page) -> None:
    escaped = SCRIPT_TAG.replace("<", "&lt;").replace(">", "&gt;")
    render(
        kit,
        [{"type": "header", "text": plain(escaped)}, {"type": "section", "text": mrkdwn(escaped)}],
    )

    assert live_markup(kit) == NO_LIVE_MARKUP
    expect(kit.locator(".bk-header")).to_have_text(SCRIPT_TAG)
    expect(kit.locator(".bk-section")).to_have_text(SCRIPT_TAG)


@pytest.mark.parametrize("name", ["blockkit.js", "app.js"])
def test_page_scripts_never_parse_html(name: str) -> None:
    source = (STATIC / name).read_text(encoding="utf-8")

    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source, f"{name} uses {sink}"


def test_page_loads_nothing_from_the_network() -> None:
    for name in ("index.html", "sandbox.css", "blockkit.js", "app.js"):
        source = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", source), name
        assert "@import" not in source, name
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", source), name
