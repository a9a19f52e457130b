# Commands that render messages and conversations to tokens.

from __future__ import annotations

from fastharmony import RenderConversationConfig, RenderOptions, Role

from .._inputs import read_conversation, read_message
from .._options import NO_AUTO_DROP, ROLE_NAMES, arg, command
from .._walk import encoding, which_message


def _config(args) -> RenderConversationConfig:
    return RenderConversationConfig(auto_drop_analysis=not args.no_auto_drop)


@command(
    arg(
        "--function-tools",
        action="store_true",
        help="render as in a conversation that has function tools (changes a system message)",
    ),
)
def render_msg(args, io):
    """Render one message, given as JSON in the reference's shape, to tokens.

      $ echo '{"role":"user","content":"Hi"}' | fastharmony render-msg
      [200006,1428,200008,12194,200007]
    """
    message = read_message(io)
    options = RenderOptions(conversation_has_function_tools=args.function_tools)
    io.write_json(encoding().render(message, options))


@command(NO_AUTO_DROP)
def render_convo(args, io):
    """Render a conversation, {"messages": [...]} (or a bare list of messages), to tokens.

      $ echo '{"messages":[{"role":"user","content":"Hi"}]}' | fastharmony render-convo
      [200006,1428,200008,12194,200007]
    """
    conversation = read_conversation(io)
    enc = encoding()
    with which_message(enc, conversation.messages):
        io.write_json(enc.render_conversation(conversation, _config(args)))


@command(
    arg("--role", choices=ROLE_NAMES, default="assistant", help="the role of the next turn (default: assistant)"),
    NO_AUTO_DROP,
)
def render_completion(args, io):
    """Render a conversation as a prompt: the messages, then <|start|> and the
    next turn's role, ready for the model to continue.

      $ echo '{"messages":[{"role":"user","content":"Hi"}]}' | fastharmony render-completion
      [200006,1428,200008,12194,200007,200006,173781]
    """
    conversation = read_conversation(io)
    enc = encoding()
    with which_message(enc, conversation.messages):
        tokens = enc.render_conversation_for_completion(conversation, Role(args.role), _config(args))
    io.write_json(tokens)


@command(NO_AUTO_DROP)
def render_training(args, io):
    """Render a conversation for training: as render-convo, except that a
    final assistant answer at the end closes with <|return|> instead of <|end|>.
    """
    conversation = read_conversation(io)
    enc = encoding()
    with which_message(enc, conversation.messages):
        io.write_json(enc.render_conversation_for_training(conversation, _config(args)))
