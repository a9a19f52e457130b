# One conversation to one training example: tokens, loss mask, message spans.
#
# Rules of this file:
# - The tokens come from the one render loop, through
#   `HarmonyEncoding.render_conversation_with_spans`: input_ids are exactly
#   what the encoding renders (the "drop" policy renders the conversation
#   without the messages it drops; the other two policies are render configs).
#   Only the last token may change: a final answer that ends the conversation
#   ends in `<|return|>`, as `render_conversation_for_training` and the format
#   guide have it for training targets.
# - Which messages are trained is `_mask`'s decision; this file turns each
#   decision into a token range of the span the render loop recorded.
# - A "run" is a sequence of trained messages adjacent in the tokens. With
#   `header="generated"` a run starts after `<|start|>{role}` (what
#   `render_conversation_for_completion` appends), so that for every run the
#   tokens before it are the completion prompt of the messages rendered
#   before it, and its trained tokens parse back into its messages: the
#   property tests/test_training_properties.py checks.

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

import msgspec

from .._errors import HarmonyValueError, shown
from .._model import Conversation, Message, RenderConversationConfig, Role
from .._tokens import RETURN
from ._mask import LossMask, finished_reasoning, last_user_index, trains

DEFAULT_MASK = LossMask()
_KEEP_ANALYSIS = RenderConversationConfig(auto_drop_analysis=False)
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


class TrainingExample(msgspec.Struct, array_like=True):
    """A rendered conversation ready for a trainer.

    `input_ids` are the Harmony tokens, `loss_mask` one 0 or 1 per token,
    `spans` one `TrainingSpan` per message of the conversation.

    >>> from fastharmony import Message, Role
    >>> from fastharmony.training import render_example
    >>> example = render_example(enc, [
    ...     Message.from_role_and_content(Role.USER, "2+2?"),
    ...     Message.from_role_and_content(Role.ASSISTANT, "4").with_channel("final")])
    >>> enc.decode([t for t, m in zip(example.input_ids, example.loss_mask) if m])
    '<|channel|>final<|message|>4<|return|>'
    >>> example.labels()[:5]
    [-100, -100, -100, -100, -100]
    """

    input_ids: List[int]
    loss_mask: List[int]
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
        return sum(self.loss_mask)


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
    whole = conversation if type(conversation) is Conversation else None
    return render_messages(encoding, messages, mask, _checked_weights(weights, len(messages)), whole)


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


def render_messages(encoding, messages: List[Message], mask: LossMask, weights, conversation=None) -> TrainingExample:
    """`conversation`: the Conversation of `messages`, if the caller has it."""
    policy = mask.history_analysis
    dropped = finished_reasoning(messages) if policy == "drop" else ()
    if dropped:
        conversation = Conversation(messages=[m for index, m in enumerate(messages) if index not in dropped])
    elif conversation is None:
        conversation = Conversation(messages=messages)
    config = None if policy == "reference" else _KEEP_ANALYSIS
    tokens, render_spans = encoding.render_conversation_with_spans(conversation, config)
    prompt_length = _prompt_length_of(encoding)
    last = messages[-1] if messages else None
    if last is not None and last.author.role is _ASSISTANT and last.channel == "final":
        tokens[-1] = RETURN

    last_user = last_user_index(messages) if mask.turns == "last" else -1
    header = mask.header
    stop = 0 if mask.stop_token else 1
    loss = [0] * len(tokens)
    spans: List[TrainingSpan] = []
    next_span = iter(render_spans)
    previous_trained = False  # the message just before in the tokens
    for index, message in enumerate(messages):
        author = message.author
        weight = 1.0 if weights is None else weights[index]
        if index in dropped:
            position = len(tokens)  # fixed below: where the next rendered message starts
            spans.append(
                TrainingSpan(index, author.role._value_, message.channel, message.recipient,
                             position, position, position, False, weight, True)
            )
            continue
        span = next(next_span)
        trained = not span.dropped and trains(mask, message, index, last_user)
        if trained:
            if header == "full" or (header == "generated" and previous_trained):
                first = span.start
            elif header == "generated":
                first = span.start + prompt_length(author.role)
            else:
                first = span.header_end
            last_trained = span.end - stop
            loss[first:last_trained] = [1] * (last_trained - first)
        if not span.dropped:
            previous_trained = trained
        spans.append(
            # (`_value_`: the enum's own attribute; `.value` is a descriptor call.)
            TrainingSpan(index, author.role._value_, message.channel, message.recipient,
                         span.start, span.header_end, span.end, trained, weight, span.dropped)
        )
    if dropped:
        _place_dropped(spans, len(tokens))
    return TrainingExample(tokens, loss, spans)


def _place_dropped(spans: List[TrainingSpan], length: int) -> None:
    # A dropped message sits where the next rendered one starts.
    position = length
    for offset in range(len(spans) - 1, -1, -1):
        span = spans[offset]
        if span.dropped and span.start != position:
            spans[offset] = msgspec.structs.replace(span, start=position, content_start=position, end=position)
        elif not span.dropped:
            position = span.start


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


class _PromptLengths:
    """The length of `<|start|>{role}`, what a completion prompt ends with,
    asked of the encoding once per role (through its public API, so that it
    follows the encoding's dialect)."""

    __slots__ = ("_encoding", "_lengths")

    def __init__(self, encoding) -> None:
        self._encoding = encoding
        self._lengths: Dict[Role, int] = {}

    def __call__(self, role: Role) -> int:
        length = self._lengths.get(role)
        if length is None:
            length = self._lengths[role] = len(
                self._encoding.render_conversation_for_completion(_NO_TOKENS, role)
            )
        return length


_prompt_lengths: Dict[int, _PromptLengths] = {}


def _prompt_length_of(encoding) -> _PromptLengths:
    lengths = _prompt_lengths.get(id(encoding))
    if lengths is None or lengths._encoding is not encoding:
        lengths = _prompt_lengths[id(encoding)] = _PromptLengths(encoding)
    return lengths
