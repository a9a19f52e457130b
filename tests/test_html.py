"""The HTML view: one block per message, one span per token with its id.

These read the HTML as text (html.parser); tests/test_html_chromium.py opens
the same pages in a real browser.
"""

from html.parser import HTMLParser

import pytest

from fastharmony import (
    Conversation,
    HtmlView,
    Message,
    RenderConversationConfig,
    Role,
    html_view,
    load_harmony_encoding,
)

enc = load_harmony_encoding("HarmonyGptOss")


class Page(HTMLParser):
    """The blocks and token spans of a page, as data."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.blocks = []  # {"role", "classes", "header", "tokens": [(id, classes, text)]}
        self.external = []  # anything that would be fetched
        self._in = None  # "header" | ("token", ...) | None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if name in attrs:
                self.external.append(attrs[name])
        classes = (attrs.get("class") or "").split()
        if tag == "section" and "fh-message" in classes:
            self.blocks.append({"role": attrs["data-role"], "classes": classes, "header": "", "tokens": []})
        elif tag == "header" and "fh-header" in classes:
            self._in = "header"
        elif tag == "span" and "fh-tok" in classes and self.blocks and "data-id" in attrs:
            self.blocks[-1]["tokens"].append([int(attrs["data-id"]), classes, "", attrs["title"]])
            self._in = "token"

    def handle_endtag(self, tag):
        if tag in ("header", "span"):
            self._in = None if tag == "header" or self._in == "token" else self._in

    def handle_data(self, data):
        if self._in == "header":
            self.blocks[-1]["header"] += data
        elif self._in == "token":
            self.blocks[-1]["tokens"][-1][2] += data

    def ids(self, dropped=True):
        return [
            token[0]
            for block in self.blocks
            if dropped or "fh-dropped" not in block["classes"]
            for token in block["tokens"]
        ]


def tool_call_conversation():
    return Conversation.from_messages(
        [
            Message.from_role_and_content(Role.USER, "Weather in Tokyo?"),
            Message.from_role_and_content(Role.ASSISTANT, "Call the tool.").with_channel("analysis"),
            Message.from_role_and_content(Role.ASSISTANT, '{"city": "Tokyo"}')
            .with_channel("commentary")
            .with_recipient("functions.get_weather")
            .with_content_type("<|constrain|>json"),
            Message.from_author_and_content(
                __import__("fastharmony").Author.new(Role.TOOL, "functions.get_weather"), '{"sky": "clear"}'
            )
            .with_recipient("assistant")
            .with_channel("commentary"),
            Message.from_role_and_content(Role.ASSISTANT, "Clear skies.").with_channel("final"),
        ]
    )


def test_a_token_list_shows_every_token_in_order_with_its_id():
    tokens = enc.render_conversation(tool_call_conversation())
    page = Page(html_view(tokens).page())
    assert page.ids() == tokens
    for token in (t for block in page.blocks for t in block["tokens"]):
        assert token[3] == f"id {token[0]}"


def test_a_token_list_is_cut_into_one_block_per_message():
    tokens = enc.render_conversation(tool_call_conversation())
    page = Page(html_view(tokens).page())
    assert [block["role"] for block in page.blocks] == ["user", "assistant", "tool", "assistant"]
    assert "recipient functions.get_weather" in page.blocks[1]["header"]
    assert "content type <|constrain|>json" in page.blocks[1]["header"]
    assert "channel commentary" in page.blocks[1]["header"]


def test_special_tokens_are_marked_and_ordinary_ones_are_not():
    tokens = enc.render(Message.from_role_and_content(Role.USER, "Hi"))
    (block,) = Page(html_view(tokens).page()).blocks
    special = {token[0] for token in block["tokens"] if "fh-special" in token[1]}
    assert special == {200006, 200008, 200007}
    assert [token[2] for token in block["tokens"]] == ["<|start|>", "user", "<|message|>", "Hi", "<|end|>"]


def test_analysis_that_rendering_drops_is_shown_marked():
    convo = tool_call_conversation()
    convo.messages.insert(0, Message.from_role_and_content(Role.ASSISTANT, "Old thought.").with_channel("analysis"))
    convo.messages.insert(1, Message.from_role_and_content(Role.ASSISTANT, "Old answer.").with_channel("final"))
    page = Page(html_view(convo).page())
    assert len(page.blocks) == len(convo.messages)
    dropped = [i for i, block in enumerate(page.blocks) if "fh-dropped" in block["classes"]]
    assert dropped == [0]
    assert "dropped" in page.blocks[0]["header"]
    # The other blocks hold exactly the rendered tokens.
    assert page.ids(dropped=False) == enc.render_conversation(convo)


def test_nothing_is_dropped_when_the_config_keeps_analysis():
    convo = tool_call_conversation()
    convo.messages.insert(0, Message.from_role_and_content(Role.ASSISTANT, "Old thought.").with_channel("analysis"))
    convo.messages.insert(1, Message.from_role_and_content(Role.ASSISTANT, "Old answer.").with_channel("final"))
    config = RenderConversationConfig(auto_drop_analysis=False)
    page = Page(html_view(convo, config=config).page())
    assert not any("fh-dropped" in block["classes"] for block in page.blocks)
    assert page.ids() == enc.render_conversation(convo, config)


class Example:
    """Shaped like fastharmony.training.TrainingExample: the view needs only these two."""

    def __init__(self, input_ids, loss_mask):
        self.input_ids, self.loss_mask = input_ids, loss_mask


def test_a_training_example_highlights_the_tokens_it_trains_on():
    tokens = enc.render_conversation(tool_call_conversation())
    mask = [int(i >= len(tokens) - 6) for i in range(len(tokens))]
    view = html_view(Example(tokens, mask))
    page = Page(view.page())
    assert page.ids() == tokens
    flags = [int("fh-trained" in t[1]) for block in page.blocks for t in block["tokens"]]
    assert flags == mask
    assert "6 trained" in view.page()


def test_a_loss_mask_of_another_length_is_refused():
    with pytest.raises(ValueError, match="loss_mask has 2 entries for 3 input_ids"):
        html_view(Example([200006, 1428, 200008], [0, 1]))


def test_token_text_is_escaped():
    tokens = enc.encode('<script>alert("x")</script> & <b>')
    text = html_view(tokens).page()
    assert "<script>" not in text and "<b>" not in text
    assert "".join(token[2] for block in Page(text).blocks for token in block["tokens"]) == enc.decode(tokens)


def test_a_token_holding_part_of_a_character_shows_its_bytes():
    tokens = enc.encode("\U0001f98a")  # one character, several tokens
    assert len(tokens) > 1
    (block,) = Page(html_view(tokens).page()).blocks
    assert all("fh-bytes" in token[1] for token in block["tokens"])


def test_the_page_fetches_nothing():
    page = Page(html_view(tool_call_conversation()).page())
    assert page.external == []


def test_conversations_and_messages_show_themselves_in_notebooks():
    convo = tool_call_conversation()
    assert Page(convo._repr_html_()).ids(dropped=False) == enc.render_conversation(convo)
    message = convo.messages[0]
    assert Page(message._repr_html_()).ids() == enc.render(message)
    view = html_view(enc.render(message))
    assert isinstance(view, HtmlView) and view._repr_html_() == view.fragment


def test_save_writes_the_page(tmp_path):
    path = tmp_path / "view.html"
    view = html_view(tool_call_conversation())
    view.save(path)
    assert path.read_text(encoding="utf-8") == view.page()
    assert view.page().startswith("<!DOCTYPE html>")


# -- fastharmony show --html ------------------------------------------------------------


def test_show_html_writes_the_page_of_a_conversation(tmp_path):
    from cli_runner import run_cli

    convo = tool_call_conversation()
    path = tmp_path / "out.html"
    done = run_cli(["show", "--html", str(path)], convo.to_json())
    assert done.returncode == 0, done.stderr
    assert done.stdout == run_cli(["show"], convo.to_json()).stdout  # the listing as without --html
    page = Page(path.read_text(encoding="utf-8"))
    assert len(page.blocks) == len(convo.messages)
    assert page.ids(dropped=False) == enc.render_conversation(convo)


def test_show_html_writes_the_page_of_token_ids(tmp_path):
    from cli_runner import run_cli

    tokens = enc.render_conversation(tool_call_conversation())
    path = tmp_path / "out.html"
    done = run_cli(["show", "--html", str(path)], str(tokens))
    assert done.returncode == 0, done.stderr
    assert Page(path.read_text(encoding="utf-8")).ids() == tokens


def test_show_html_to_a_file_it_cannot_write_is_one_line_and_status_1(tmp_path):
    from cli_runner import run_cli

    done = run_cli(["show", "--html", str(tmp_path / "no-such-folder" / "out.html")], "[200006, 1428, 200008]")
    assert done.returncode == 1
    assert done.stderr.decode().count("\n") == 1 and "cannot write" in done.stderr.decode()
