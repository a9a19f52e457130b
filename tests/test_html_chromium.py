"""The HTML view in a real browser: headless Chromium (Debian's `chromium`,
installed by .ci/run), driven by playwright with that executable. Playwright's
own browser download is never used.

The page loads from a file with the network off, shows one block per message
and one span per token, and hovering a token shows its id.
"""

import os
import shutil

import pytest
from playwright import sync_api  # the test extra brings it

from fastharmony import Author, Conversation, Message, Role, html_view, load_harmony_encoding

CHROMIUM = os.environ.get("FASTHARMONY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

enc = load_harmony_encoding("HarmonyGptOss")


def conversation():
    return Conversation.from_messages(
        [
            Message.from_role_and_content(Role.USER, "What is the weather in Tokyo?"),
            Message.from_role_and_content(Role.ASSISTANT, "Earlier thinking.").with_channel("analysis"),
            Message.from_role_and_content(Role.ASSISTANT, "Earlier answer.").with_channel("final"),
            Message.from_role_and_content(Role.USER, "And now?"),
            Message.from_role_and_content(Role.ASSISTANT, '{"city": "Tokyo"}')
            .with_channel("commentary")
            .with_recipient("functions.get_weather")
            .with_content_type("<|constrain|>json"),
            Message.from_author_and_content(Author.new(Role.TOOL, "functions.get_weather"), '{"sky": "clear"}')
            .with_recipient("assistant")
            .with_channel("commentary"),
            Message.from_role_and_content(Role.ASSISTANT, "Clear skies in Tokyo.").with_channel("final"),
        ]
    )


@pytest.fixture(scope="module")
def browser():
    assert os.path.exists(CHROMIUM), (
        f"no Chromium at {CHROMIUM}: install Debian's chromium (apt-get install chromium), "
        "as .ci/run does, or name one in FASTHARMONY_CHROMIUM"
    )
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(offline=True, viewport={"width": 1000, "height": 800})
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    def open_view(view):
        path = tmp_path / "view.html"
        view.save(path)
        page.goto(path.as_uri())
        page.requests = [url for url in requests if not url.startswith("file:")]
        return page

    yield open_view
    context.close()


def test_the_page_loads_with_a_block_per_message_and_a_span_per_token(page):
    convo = conversation()
    tokens, spans = enc.render_conversation_with_spans(convo)
    shown = page(html_view(convo))
    assert shown.title() == "fastharmony: conversation of 7 messages"
    assert shown.locator("section.fh-message").count() == len(convo.messages)
    kept = shown.locator("section.fh-message:not(.fh-dropped) .fh-tok")
    assert kept.count() == len(tokens)
    assert [int(i) for i in kept.evaluate_all("spans => spans.map(s => s.dataset.id)")] == tokens
    roles = shown.locator("section.fh-message").evaluate_all("blocks => blocks.map(b => b.dataset.role)")
    assert roles == ["user", "assistant", "assistant", "user", "assistant", "tool", "assistant"]
    assert shown.requests == []


def test_analysis_that_rendering_drops_is_visibly_marked(page):
    shown = page(html_view(conversation()))
    dropped = shown.locator("section.fh-dropped")
    assert dropped.count() == 1
    assert "dropped" in dropped.locator("header").inner_text()
    assert dropped.is_visible()


def test_hovering_a_token_shows_its_id(page):
    shown = page(html_view(conversation()))
    token = shown.locator("section.fh-message:not(.fh-dropped) .fh-tok:not(.fh-special)").nth(3)
    token_id = token.get_attribute("data-id")
    assert token.get_attribute("title") == f"id {token_id}"
    after = "el => getComputedStyle(el, '::after').content"
    assert token.evaluate(after) == "none"
    token.hover()
    assert token.evaluate(after) == f'"id {token_id}"'


def test_special_and_ordinary_tokens_look_different(page):
    shown = page(html_view(enc.render(Message.from_role_and_content(Role.USER, "Hi"))))
    background = "el => getComputedStyle(el).backgroundColor"
    special = shown.locator(".fh-tok.fh-special").first.evaluate(background)
    ordinary = shown.locator(".fh-message .fh-tok:not(.fh-special)").first.evaluate(background)
    assert special != ordinary


def test_trained_tokens_are_highlighted(page):
    class Example:
        input_ids = enc.render(Message.from_role_and_content(Role.ASSISTANT, "Sunny.").with_channel("final"))
        loss_mask = [0, 0, 0, 0, 0] + [1] * 3

    assert len(Example.loss_mask) == len(Example.input_ids)
    shown = page(html_view(Example()))
    trained = shown.locator(".fh-message .fh-tok.fh-trained")
    assert trained.count() == 3
    shadow = "el => getComputedStyle(el).boxShadow"
    assert trained.first.evaluate(shadow) != shown.locator(".fh-message .fh-tok").first.evaluate(shadow)
