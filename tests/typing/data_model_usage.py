"""The public data model as a user writes it: mypy --strict must find nothing
here (tests/test_typing.py). Not run as a test itself."""

from fastharmony import (
    Author, ChannelConfig, Conversation, DeveloperContent, HarmonyEncodingName, Message, ReasoningEffort,
    RenderConversationConfig, Role, SystemContent, TextContent, ToolDescription, ToolNamespaceConfig,
    load_harmony_encoding,
)

enc = load_harmony_encoding(HarmonyEncodingName.HARMONY_GPT_OSS)
system = SystemContent.new().with_reasoning_effort(ReasoningEffort.LOW).with_browser_tool()
developer = DeveloperContent.new().with_instructions("Be brief.").with_function_tools(
    [ToolDescription.new("get_weather", "Gets the weather.", {"type": "object"})]
)
convo = Conversation.from_messages(
    [
        Message.from_role_and_content(Role.SYSTEM, system),
        Message.from_role_and_content(Role.DEVELOPER, developer),
        Message.from_role_and_content(Role.USER, "What is the weather in Tokyo?"),
        Message(author=Author(role=Role.USER), content=[TextContent(text="x")], channel="final"),
    ]
)
tokens: list[int] = enc.render_conversation_for_completion(convo, Role.ASSISTANT, RenderConversationConfig(auto_drop_analysis=False))
parsed = enc.parse_messages_from_completion_tokens(tokens[-3:], Role.ASSISTANT)
message = convo.messages[2]
text: str = message.content[0].text
role: Role = message.author.role
channel: str | None = message.channel
dumped: dict[str, object] = message.model_dump(exclude_none=True)
as_json: str = message.to_json()
again: Message = Message.model_validate(dumped)
copied: Message = message.model_copy(update={"channel": "final"})
namespace: ToolNamespaceConfig = ToolNamespaceConfig.browser()
config: ChannelConfig | None = system.channel_config
for item in convo:
    print(item.author.name)
