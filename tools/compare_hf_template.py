"""How far TRL's gpt-oss chat template is from the Harmony tokens gpt-oss reads.

    python tools/compare_hf_template.py                      # 1,000 conversations
    python tools/compare_hf_template.py --template path/to/gptoss.jinja -n 200

Renders a seeded corpus of realistic chat transcripts (single and multi-turn,
reasoning, function tools with defaults and enums, tool calls and results)
two ways and compares the tokens:

- TRL's `chat_templates/gptoss.jinja` (the template `SFTTrainer` uses for
  gpt-oss), rendered with jinja2 the way transformers' `apply_chat_template`
  renders it (sandboxed, trim_blocks, lstrip_blocks, loopcontrols, its
  `tojson`), then tokenized with every special token recognised, as the
  o200k_harmony tokenizer does;
- fastharmony.training (the reference's tokens, see the differential tests):
  `render_example` of the record converted by the chat adapter's rules, with
  the default mask (history_analysis="drop").

The template comes from `--template`, an installed trl, or `pip download
--no-deps trl` into a temporary folder (no import of trl: it needs torch).
Not run by the test suite. Prints how many conversations are token-identical
and, per kind of difference, how many conversations have it.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path

DATE = "2025-06-28"
WORDS = "the weather in a city is sunny today and it may rain later so check the forecast again 42 3.5 ok".split()


def words(rng, low, high):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))


WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "Gets the current weather.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "description": "The city."},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
        "days": {"type": "integer", "default": 1}},
        "required": ["city"]}}}
SEARCH = {"type": "function", "function": {
    "name": "search", "description": "Searches the web.",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}}}


def transcript(rng):
    """(record for fastharmony, messages for the HF template, tools)."""
    tools = rng.choice([[], [], [WEATHER], [WEATHER, SEARCH]])
    ours, theirs = [], []
    if rng.random() < 0.5:
        system = words(rng, 3, 12)
        ours.append({"role": "system", "content": system})
        theirs.append({"role": "system", "content": system})
    calls = 0
    for _ in range(rng.choice([1, 1, 2, 3])):
        question = words(rng, 3, 20)
        ours.append({"role": "user", "content": question})
        theirs.append({"role": "user", "content": question})
        for _ in range(rng.choice([0, 1, 1, 2]) if tools else 0):
            tool = rng.choice(tools)["function"]["name"]
            arguments = {"city": "Paris"} if tool == "get_weather" else {"query": words(rng, 1, 4)}
            thinking = words(rng, 5, 40)
            calls += 1
            call_id = f"call_{calls}"
            ours.append({"role": "assistant", "reasoning_content": thinking, "tool_calls": [
                {"id": call_id, "type": "function", "function": {"name": tool, "arguments": json.dumps(arguments)}}]})
            theirs.append({"role": "assistant", "thinking": thinking, "tool_calls": [
                {"type": "function", "function": {"name": tool, "arguments": arguments}}]})
            result = words(rng, 2, 15)
            ours.append({"role": "tool", "tool_call_id": call_id, "content": result})
            theirs.append({"role": "tool", "content": result})
        thinking, answer = words(rng, 5, 60), words(rng, 3, 40)
        ours.append({"role": "assistant", "reasoning_content": thinking, "content": answer})
        theirs.append({"role": "assistant", "thinking": thinking, "content": answer})
    record = {"messages": ours}
    if tools:
        record["tools"] = tools
    return record, theirs, tools


def find_template(path):
    if path:
        return Path(path).read_text(encoding="utf-8")
    spec = importlib.util.find_spec("trl")
    if spec is not None and spec.origin:
        return (Path(spec.origin).parent / "chat_templates" / "gptoss.jinja").read_text(encoding="utf-8")
    folder = tempfile.mkdtemp(prefix="trl-wheel-")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "trl", "-d", folder], check=True)
    wheel = next(Path(folder).glob("trl-*.whl"))
    print(f"template from {wheel.name}")
    with zipfile.ZipFile(wheel) as archive:
        return archive.read("trl/chat_templates/gptoss.jinja").decode("utf-8")


def hf_environment():
    """jinja2 set up as transformers' chat-template renderer sets it up."""
    from jinja2.ext import loopcontrols
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def raise_exception(message):
        raise ValueError(message)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: DATE  # the same fixed date on both sides
    return env


def messages_of(text):
    return ["<|start|>" + part for part in text.split("<|start|>")[1:]]


def kinds_of_difference(hf_text, our_text):
    """The kinds of difference between two renderings, message by message."""
    kinds = set()
    hf, ours = messages_of(hf_text), messages_of(our_text)
    if hf[0] != ours[0]:
        kinds.add("system message (valid channels, reasoning line)")
    hf_dev = [m for m in hf if m.startswith("<|start|>developer")]
    our_dev = [m for m in ours if m.startswith("<|start|>developer")]
    if hf_dev != our_dev:
        fixed = hf_dev
        if any(m.endswith("\n\n<|end|>") for m in fixed):
            kinds.add("developer instructions end in a blank line (no tools)")
            fixed = [m[: -len("\n\n<|end|>")] + "<|end|>" if m.endswith("\n\n<|end|>") else m for m in fixed]
        if any(",\n" in m and "// default: " in m for m in fixed):
            unfixed = fixed
            fixed = [re.sub(r"(// default: [^\n]*),\n", r"\1\n", m) for m in fixed]
            if fixed != unfixed:
                kinds.add("tool schemas: a comma after '// default: ...'")
        if fixed != our_dev:
            kinds.add("developer message: other")
    hf_results = [m for m in hf if m.startswith("<|start|>functions.")]
    our_results = [m for m in ours if m.startswith("<|start|>functions.")]
    if any('<|message|>"' in m for m in hf_results) and hf_results != our_results:
        kinds.add("tool results re-quoted by |tojson")
    hf_calls = [m for m in hf if m.startswith("<|start|>assistant to=")]
    our_calls = [m for m in ours if m.startswith("<|start|>assistant to=")]
    if any("commentary json<|message|>" in m for m in hf_calls):
        kinds.add("tool calls: 'commentary json' without <|constrain|>")
    if [m.split("<|message|>")[1] for m in hf_calls] != [m.split("<|message|>")[1] for m in our_calls]:
        kinds.add("tool call arguments re-serialised by |tojson")
    hf_analysis = sum("<|channel|>analysis" in m for m in hf)
    our_analysis = sum("<|channel|>analysis" in m for m in ours)
    if hf_analysis < our_analysis:
        kinds.add("reasoning of the last turn dropped (before its tool calls)")
    if hf_text != our_text and not kinds:
        kinds.add("other")
    return kinds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--conversations", type=int, default=1000)
    parser.add_argument("--template", help="path of gptoss.jinja (default: trl's)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    from fastharmony import ChannelConfig, load_harmony_encoding
    from fastharmony.training import render_example, to_conversation

    enc = load_harmony_encoding("HarmonyGptOss")
    template = hf_environment().from_string(find_template(args.template))
    rng = random.Random(args.seed)
    identical = 0
    kinds = Counter()
    hf_tokens = our_tokens = 0
    corpus = [transcript(rng) for _ in range(args.conversations)]
    for record, theirs, tools in corpus:
        conversation = to_conversation(record, "openai", DATE)
        # The chat adapter offers `commentary` only beside function tools, as
        # vLLM does; the template always lists it. Both are Harmony: align them,
        # so that what is counted below is the template's doing.
        conversation.messages[0].content[0].channel_config = ChannelConfig.require_channels(
            ["analysis", "commentary", "final"])
        example = render_example(enc, conversation)
        hf_text = template.render(messages=theirs, tools=tools or None, add_generation_prompt=False)
        hf_ids = enc.encode(hf_text, allowed_special="all")
        our_ids = example.input_ids
        hf_tokens += len(hf_ids)
        our_tokens += len(our_ids)
        if hf_ids == our_ids:
            identical += 1
        else:
            kinds.update(kinds_of_difference(hf_text, enc.decode(our_ids)))
    n = len(corpus)
    print(f"{n} conversations: {identical} token-identical ({identical / n:.1%})")
    print(f"tokens: TRL template {hf_tokens:,}, Harmony {our_tokens:,} ({hf_tokens / our_tokens - 1:+.1%})")
    for kind, count in kinds.most_common():
        print(f"  {count:5d} ({count / n:6.1%})  {kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
