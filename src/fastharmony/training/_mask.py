# `LossMask`: which tokens of a rendered conversation a model is trained on.
#
# Rules of this file:
# - Every mask rule is decided here, per message, from the message alone and
#   its place in the conversation: `trains(mask, message, index, last_user)`
#   says whether a message is trained, `finished_reasoning(messages)` which
#   analysis messages the "drop" policy removes. `_example.py` turns those
#   decisions into token ranges with the render loop's spans.
# - The defaults are what the frameworks do (TRL's `assistant_only_loss`,
#   axolotl's `roles_to_train: ["assistant"]`, train on EOS): the assistant's
#   messages, every channel, tool calls included, tool results never.
# - A mask is validated once, when it is built: a wrong value is a
#   HarmonyValueError naming the field, not a surprise deep in a worker.

from __future__ import annotations

from typing import FrozenSet, List, Literal, Optional, Set

import msgspec

from .._errors import HarmonyValueError, shown, unknown_role
from .._model import Message, Role

HEADERS = ("generated", "content", "full")
TURNS = ("all", "last")
HISTORY_ANALYSIS = ("drop", "keep", "reference")
_TRAINABLE_ROLES = frozenset(role.value for role in Role if role is not Role.TOOL)
_ASSISTANT = Role.ASSISTANT
_USER = Role.USER


class LossMask(msgspec.Struct, frozen=True, kw_only=True):
    """Which tokens of a rendered conversation are trained (loss mask 1).

    - `roles`: the roles whose messages are trained (`"tool"` cannot be: a tool
      result is the world's text, never the model's).
    - `channels`: the channels trained (None: all; `{"final"}`: answers only).
      Tool calls are decided by `tool_calls`, whatever their channel.
    - `tool_calls`: whether assistant messages to a recipient are trained.
    - `header`: `"generated"` trains what the sampler emits: not the
      `<|start|>assistant` that the completion prompt supplies, but the rest
      of the header, and the whole header of a trained message that directly
      follows another trained one (the model wrote that `<|start|>` itself);
      `"content"`: the content and stop token only; `"full"`: every token.
    - `stop_token`: whether `<|end|>`, `<|call|>` and `<|return|>` are trained.
    - `turns`: `"all"`, or `"last"`: only what follows the last user message.
    - `history_analysis`: `"drop"` (the reasoning of turns that ended in a
      final answer before the last user message is not rendered, as inference
      renders history; the last turn's reasoning, also before its tool calls,
      is kept), `"keep"` (everything, as `auto_drop_analysis=False`) or
      `"reference"` (openai-harmony's default `auto_drop_analysis=True`).

    >>> LossMask()
    LossMask(roles=frozenset({'assistant'}), channels=None, tool_calls=True, header='generated', stop_token=True, turns='all', history_analysis='drop')
    >>> LossMask(channels={"final"}).channels
    frozenset({'final'})
    >>> LossMask(turns="last", header="content").header
    'content'
    """

    roles: FrozenSet[str] = frozenset({"assistant"})
    channels: Optional[FrozenSet[str]] = None
    tool_calls: bool = True
    header: Literal["generated", "content", "full"] = "generated"
    stop_token: bool = True
    turns: Literal["all", "last"] = "all"
    history_analysis: Literal["drop", "keep", "reference"] = "drop"

    def __post_init__(self) -> None:
        # Sets (and Role members) are accepted and stored as frozen sets of names,
        # so that a mask is hashable and pickles as plain data.
        msgspec.structs.force_setattr(self, "roles", _role_names(self.roles))
        if self.channels is not None:
            msgspec.structs.force_setattr(self, "channels", _channel_names(self.channels))
        for field, value in (("tool_calls", self.tool_calls), ("stop_token", self.stop_token)):
            if not isinstance(value, bool):
                raise HarmonyValueError(f"LossMask.{field}: expected True or False, got {shown(value)}")
        for field, value, allowed in (
            ("header", self.header, HEADERS),
            ("turns", self.turns, TURNS),
            ("history_analysis", self.history_analysis, HISTORY_ANALYSIS),
        ):
            if value not in allowed:
                raise HarmonyValueError(
                    f"LossMask.{field}: expected one of {', '.join(map(repr, allowed))}, got {shown(value)}"
                )


def _role_names(roles) -> FrozenSet[str]:
    if isinstance(roles, (str, Role)) or not isinstance(roles, (set, frozenset, list, tuple)):
        raise HarmonyValueError(f"LossMask.roles: expected a set of role names, got {shown(roles)}")
    names: Set[str] = set()
    for role in roles:
        name = role.value if isinstance(role, Role) else role
        if name == Role.TOOL.value:
            raise HarmonyValueError("LossMask.roles: tool results are never trained ('tool' given)")
        if name not in _TRAINABLE_ROLES:
            raise unknown_role(role, "LossMask.roles")
        names.add(name)
    return frozenset(names)


def _channel_names(channels) -> FrozenSet[str]:
    if isinstance(channels, str) or not isinstance(channels, (set, frozenset, list, tuple)):
        raise HarmonyValueError(f"LossMask.channels: expected None or a set of channel names, got {shown(channels)}")
    for channel in channels:
        if not isinstance(channel, str):
            raise HarmonyValueError(f"LossMask.channels: channel names are str, got {shown(channel)}")
    return frozenset(channels)


def last_user_index(messages: List[Message]) -> int:
    """Index of the last user message (-1 when there is none)."""
    for index in range(len(messages) - 1, -1, -1):
        if messages[index].author.role is _USER:
            return index
    return -1


def trains(mask: LossMask, message: Message, index: int, last_user: int) -> bool:
    """Whether the mask trains this message. `last_user`: see `last_user_index`;
    with `turns="last"` only messages after it are trained."""
    role = message.author.role
    # (`_value_`: the enum's own attribute; `.value` is a descriptor call.)
    if role._value_ not in mask.roles or index <= last_user:
        return False
    if role is _ASSISTANT and message.recipient is not None:
        return mask.tool_calls  # a call (it ends in <|call|>), whatever its channel
    return mask.channels is None or message.channel in mask.channels


def finished_reasoning(messages: List[Message]) -> Set[int]:
    """Indices of the analysis messages the "drop" policy removes: those of
    every turn (the messages between two user messages) that ended in a final
    answer, before the last user message."""
    dropped: Set[int] = set()
    turn_analysis: List[int] = []
    ended_in_final = False
    for index in range(last_user_index(messages)):
        message = messages[index]
        role = message.author.role
        if role is _USER:
            if ended_in_final:
                dropped.update(turn_analysis)
            turn_analysis = []
            ended_in_final = False
        elif role is _ASSISTANT:
            if message.channel == "analysis":
                turn_analysis.append(index)
            ended_in_final = message.channel == "final" and message.recipient is None
    if ended_in_final:
        dropped.update(turn_analysis)
    return dropped
