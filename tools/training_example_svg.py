"""Draw one rendered training example as an SVG: each token a box, trained
tokens (loss mask 1) green, the others grey, special tokens in bold.

    python tools/training_example_svg.py docs/training-example.svg

The picture in docs/training.md is this script's output; rerun it after a
change to the mask rules.
"""

import sys
from html import escape

from fastharmony import Author, Message, Role, SystemContent, load_harmony_encoding
from fastharmony.training import render_example

FONT = 13
CHAR = 7.8  # width of a monospace character at FONT px
LINE = 22
WIDTH = 920
TRAINED, CONTEXT = "#b7e4b0", "#e3e3e3"


def conversation():
    def assistant(text, channel):
        return Message.from_role_and_content(Role.ASSISTANT, text).with_channel(channel)

    return [
        Message.from_role_and_content(Role.SYSTEM, SystemContent.new().with_conversation_start_date("2025-06-28")),
        Message.from_role_and_content(Role.USER, "Weather in Paris?"),
        assistant("Need the tool.", "analysis"),
        assistant('{"city":"Paris"}', "commentary").with_recipient("functions.get_weather").with_content_type("<|constrain|>json"),
        Message.from_author_and_content(Author.new(Role.TOOL, "functions.get_weather"), '{"sky":"sunny"}')
        .with_channel("commentary").with_recipient("assistant"),
        assistant("Sunny, say so.", "analysis"),
        assistant("It is sunny in Paris.", "final"),
    ]


def svg(enc, example) -> str:
    boxes, x, y = [], 8, 8
    stops = set(enc.stop_tokens())
    for token, trained in zip(example.input_ids, example.loss_mask):
        text = enc.decode([token])
        special = enc.is_special_token(token)
        newline = text.endswith("\n")
        shown = text.replace("\n", "↵")
        width = max(len(shown), 1) * CHAR + 4
        if x + width > WIDTH - 8:
            x, y = 8, y + LINE
        weight = ' font-weight="bold"' if special else ""
        boxes.append(
            f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{LINE - 4}" rx="3" '
            f'fill="{TRAINED if trained else CONTEXT}" stroke="#ffffff"/>'
            f'<text x="{x + 2:.1f}" y="{y + FONT + 1}"{weight} xml:space="preserve">{escape(shown)}</text>'
        )
        x += width
        if newline or token in stops:
            x, y = 8, y + LINE
    height = y + LINE + 30
    legend = (
        f'<rect x="8" y="{y + LINE + 4}" width="14" height="14" fill="{TRAINED}"/>'
        f'<text x="28" y="{y + LINE + 16}">trained (loss mask 1)</text>'
        f'<rect x="200" y="{y + LINE + 4}" width="14" height="14" fill="{CONTEXT}"/>'
        f'<text x="220" y="{y + LINE + 16}">context (not trained)</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="{FONT}">'
        f'<rect width="100%" height="100%" fill="#ffffff"/>' + "".join(boxes) + legend + "</svg>\n"
    )


def main(argv):
    enc = load_harmony_encoding("HarmonyGptOss")
    example = render_example(enc, conversation())
    with open(argv[1], "w", encoding="utf-8") as out:
        out.write(svg(enc, example))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
