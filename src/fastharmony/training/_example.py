# One conversation to one training example: tokens, loss mask, message spans.
#
# Rules of this file:
# - The tokens come from the one render loop, with the marks it records per
#   message (the same marks `render_conversation_with_spans` makes its spans
#   of): input_ids are exactly what the encoding renders (the "drop" policy
#   renders the conversation without the messages it drops; the other two
#   policies are render configs).
#   Only the last token may change: a final answer that ends the conversation
#   ends in `<|return|>`, as `render_conversation_for_training` and the format
#   guide have it for training targets.
# - Which messages are trained is `_mask`'s decision; this file turns each
#   decision into a token range of the marks the render loop recorded.
# - A "run" is a sequence of trained messages adjacent in the tokens. With
#   `header="generated"` a run starts after `<|start|>{role}` (what
#   `render_conversation_for_completion` appends), so that for every run the
#   tokens before it are the completion prompt of the messages rendered
#   before it, and its trained tokens parse back into its messages: the
#   property tests/test_training_properties.py checks.

from __future__ import annotations

from itertools import count, repeat
from typing import Dict, List, Optional, Sequence

import msgspec

from .._errors import HarmonyValueError, shown
from .._model import Conversation, Message, Role
from .._render import auto_dropped
from .._tokens import RETURN
from ._mask import LossMask, finished_reasoning, last_user_index, trains

DEFAULT_MASK = LossMask()
_ASSISTANT = Role.ASSISTANT
_NO_TOKENS = Conversation()


class TrainingSpan(msgspec.Struct, frozen=True, array_like=True, gc=False):
    """Where one message of the conversation is in a `TrainingExample`.

    `start` is the offset of its `<|start|>`, `content_start` just after its
    `<|message|>`, `end` just after its stop token. A message the analysis
    policy dropped has `dropped=True` and `start == content_start == end`,
    where it would have been. `weight` is the message's weight (1.0 unless
    weights were given)."""

    index: int
    role: str
    channel: Optional[str]
    recipient: Optional[str]
    start: int
    content_start: int
    end: int
    trained: bool
    weight: float = 1.0
    dropped: bool = False


# gc=False: the collector never walks an example (its fields hold lists, bytes
# and spans, none of which can lead back to it); on a corpus held in memory
# the walks cost more than the mask itself.
class TrainingExample(msgspec.Struct, array_like=True, gc=False):
    """A rendered conversation ready for a trainer.

    `input_ids` are the Harmony tokens, `loss_mask` one byte per token, 1
    where trained and 0 elsewhere, `spans` one `TrainingSpan` per message of
    the conversation.

    `loss_mask` is `bytes`, not a list: a list costs 8 bytes a token and is
    traversed by the garbage collector, which on a corpus held in memory made
    the mask cost a quarter of the render; bytes cost one, index and iterate
    as ints, and go to numpy or torch without a copy
    (`numpy.frombuffer(example.loss_mask, numpy.uint8)`); `list(...)` gives
    the list.

    >>> from fastharmony import Message, Role
    >>> from fastharmony.training import render_example
    >>> example = render_example(enc, [
    ...     Message.from_role_and_content(Role.USER, "2+2?"),
    ...     Message.from_role_and_content(Role.ASSISTANT, "4").with_channel("final")])
    >>> enc.decode([t for t, m in zip(example.input_ids, example.loss_mask) if m])
    '<|channel|>final<|message|>4<|return|>'
    >>> example.labels()[:5]
    [-100, -100, -100, -100, -100]
    >>> list(example.loss_mask[-4:])
    [1, 1, 1, 1]
    """

    input_ids: List[int]
    loss_mask: bytes
    spans: List[TrainingSpan]

    def labels(self, ignore_index: int = -100) -> List[int]:
        """`input_ids` with every untrained token replaced by `ignore_index`
        (what a causal-LM loss ignores; the shift is the trainer's job)."""
        return [token if keep else ignore_index for token, keep in zip(self.input_ids, self.loss_mask)]

    def weights(self) -> List[float]:
        """One loss weight per token: its message's weight where trained, 0.0
        elsewhere (the loss mask as floats when no weights were given)."""
        out = [0.0] * len(self.input_ids)
        mask = self.loss_mask
        for span in self.spans:
            if span.trained:
                weight = span.weight
                for offset in range(span.start, span.end):
                    if mask[offset]:
                        out[offset] = weight
        return out

    @property
    def num_trained(self) -> int:
        """How many tokens are trained."""
        return self.loss_mask.count(1)


# -- rendering --------------------------------------------------------------------


def render_example(
    encoding,
    conversation,
    *,
    mask: LossMask = DEFAULT_MASK,
    weights: Optional[Sequence[float]] = None,
) -> TrainingExample:
    """Render a conversation (a `Conversation` or a list of `Message`s) with its
    loss mask. `weights`: one loss weight per message (see
    `TrainingExample.weights`).

    >>> from fastharmony import Message, Role
    >>> example = render_example(enc, [
    ...     Message.from_role_and_content(Role.USER, "Hi"),
    ...     Message.from_role_and_content(Role.ASSISTANT, "Hello").with_channel("final")])
    >>> [(span.role, span.trained) for span in example.spans]
    [('user', False), ('assistant', True)]
    """
    messages = message_list(conversation)
    if not isinstance(mask, LossMask):
        raise HarmonyValueError(f"mask must be a LossMask, got {type(mask).__name__}")
    return render_messages(encoding, messages, mask, _checked_weights(weights, len(messages)))


def turn_examples(
    encoding, conversation, mask: LossMask = DEFAULT_MASK, weights: Optional[Sequence[float]] = None
) -> List[TrainingExample]:
    """One example per turn the mask trains (the messages from a user message
    to the next), each the conversation up to that turn's last trained
    message with only that turn trained: every turn's reasoning is trained in
    the context it had when it was sampled."""
    messages = message_list(conversation)
    weights = _checked_weights(weights, len(messages))
    last_turn = msgspec.structs.replace(mask, turns="last")
    examples = []
    turn_end = -1  # the last trained message of the current turn
    for index, message in enumerate(messages):
        if message.author.role is Role.USER and turn_end >= 0:
            examples.append(render_messages(encoding, messages[: turn_end + 1], last_turn, weights))
            turn_end = -1
        if trains(mask, message, index, -1):
            turn_end = index
    if turn_end >= 0:
        examples.append(render_messages(encoding, messages[: turn_end + 1], last_turn, weights))
    return examples


def render_messages(encoding, messages: List[Message], mask: LossMask, weights) -> TrainingExample:
    policy = mask.history_analysis
    if policy == "drop":
        dropped = finished_reasoning(messages)
        rendered = [m for index, m in enumerate(messages) if index not in dropped] if dropped else messages
        tokens, marks = encoding._render_with_marks(rendered, False)
    else:
        auto_drop = policy == "reference"
        tokens, marks = encoding._render_with_marks(messages, auto_drop)
        # The render loop left out what `auto_dropped` says, as the
        # reference's default does.
        dropped = auto_dropped(messages) if auto_drop else ()
    prompt_lengths = _prompt_lengths_of(encoding)
    last = messages[-1] if messages else None
    if last is not None and last.author.role is _ASSISTANT and last.channel == "final":
        tokens[-1] = RETURN

    last_user = last_user_index(messages) if mask.turns == "last" else -1
    header = mask.header
    stop = 0 if mask.stop_token else 1
    loss = bytearray(len(tokens))  # bytes at the end: see TrainingExample
    spans: List[TrainingSpan] = []
    # Two marks per rendered message: its header's length and its end offset.
    # Messages are rendered back to back, so each starts where the previous
    # one ended; a dropped one sits there too, taking no tokens.
    next_mark = iter(marks).__next__
    start = 0
    previous_trained = False  # the message just before in the tokens
    # Trained ranges that touch are written to the mask as one.
    run_first = run_end = 0
    for index, message, weight in zip(count(), messages, weights or repeat(1.0)):
        role = message.author.role
        if index in dropped:
            # (`_value_`: the enum's own attribute; `.value` is a descriptor call.)
            spans.append(TrainingSpan(index, role._value_, message.channel, message.recipient,
                                      start, start, start, False, weight, True))
            continue
        content_start = start + next_mark()
        end = next_mark()
        trained = trains(mask, message, index, last_user)
        if trained:
            if header == "full" or (header == "generated" and previous_trained):
                first = start
            elif header == "generated":
                first = start + prompt_lengths[role]
            else:
                first = content_start
            if first != run_end:
                loss[run_first:run_end] = b"\x01" * (run_end - run_first)
                run_first = first
            run_end = end - stop
        previous_trained = trained
        spans.append(TrainingSpan(index, role._value_, message.channel, message.recipient,
                                  start, content_start, end, trained, weight))
        start = end
    loss[run_first:run_end] = b"\x01" * (run_end - run_first)
    return TrainingExample(tokens, bytes(loss), spans)


# -- arguments and constants ------------------------------------------------------


def message_list(conversation) -> List[Message]:
    if type(conversation) is Conversation:
        return conversation.messages
    if isinstance(conversation, Conversation):
        return conversation.messages
    if isinstance(conversation, (list, tuple)):
        for index, message in enumerate(conversation):
            if not isinstance(message, Message):
                raise HarmonyValueError(
                    f"messages[{index}]: expected a Message, got {type(message).__name__}"
                )
        return list(conversation)
    raise HarmonyValueError(
        f"expected a Conversation or a list of Messages, got {type(conversation).__name__}"
    )


def _checked_weights(weights, count: int) -> Optional[List[float]]:
    if weights is None:
        return None
    try:
        values = [float(weight) for weight in weights]
    except (TypeError, ValueError):
        raise HarmonyValueError(f"weights: expected one number per message, got {shown(weights)}") from None
    if len(values) != count:
        raise HarmonyValueError(f"weights: {len(values)} given for {count} messages (one per message)")
    return values


class _PromptLengths(dict):
    """role -> the length of `<|start|>{role}`, what a completion prompt ends
    with, asked of the encoding once per role (through its public API, so
    that it follows the encoding's dialect)."""

    __slots__ = ("encoding",)

    def __init__(self, encoding) -> None:
        self.encoding = encoding

    def __missing__(self, role: Role) -> int:
        length = self[role] = len(self.encoding.render_conversation_for_completion(_NO_TOKENS, role))
        return length


_prompt_lengths: Dict[int, _PromptLengths] = {}


def _prompt_lengths_of(encoding) -> _PromptLengths:
    lengths = _prompt_lengths.get(id(encoding))
    if lengths is None or lengths.encoding is not encoding:
        lengths = _prompt_lengths[id(encoding)] = _PromptLengths(encoding)
    return lengths
