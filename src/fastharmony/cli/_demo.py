# The example behind `fastharmony demo`: a weather lookup with one function
# tool, in the shape of the Harmony guide's own example.
#
# Rules of this file: data only, built with the public API as a user would
# write it; the CLI decides how to show it. Nothing here depends on the date
# or the machine, so the demo prints the same tokens everywhere.

from __future__ import annotations

from fastharmony import (
    Author,
    Conversation,
    DeveloperContent,
    Message,
    ReasoningEffort,
    Role,
    SystemContent,
    ToolDescription,
)

WEATHER_TOOL = ToolDescription.new(
    "get_weather",
    "Gets the current weather in a city.",
    parameters={
        "type": "object",
        "properties": {
            "location": {"type": "string", "description": "The city, e.g. Tokyo"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
        },
        "required": ["location"],
    },
)


def conversation() -> Conversation:
    """System, developer with a function tool, user, the assistant's analysis,
    its tool call, and the tool's answer: a prompt waiting for the assistant."""
    return Conversation.from_messages(
        [
            Message.from_role_and_content(
                Role.SYSTEM,
                SystemContent.new()
                .with_reasoning_effort(ReasoningEffort.LOW)
                .with_conversation_start_date("2025-08-05"),
            ),
            Message.from_role_and_content(
                Role.DEVELOPER,
                DeveloperContent.new()
                .with_instructions("Answer in one sentence.")
                .with_function_tools([WEATHER_TOOL]),
            ),
            Message.from_role_and_content(Role.USER, "What is the weather in Tokyo and in Paris?"),
            Message.from_role_and_content(
                Role.ASSISTANT, "Two cities, two lookups. Tokyo first."
            ).with_channel("analysis"),
            Message.from_role_and_content(Role.ASSISTANT, '{"location":"Tokyo"}')
            .with_channel("commentary")
            .with_recipient("functions.get_weather")
            .with_content_type("<|constrain|>json"),
            Message.from_author_and_content(
                Author.new(Role.TOOL, "functions.get_weather"),
                '{"temperature":20,"unit":"celsius","sky":"sunny"}',
            )
            .with_channel("commentary")
            .with_recipient("assistant"),
        ]
    )


# What the model might write after the prompt's `<|start|>assistant`: more
# analysis, then a second tool call that ends its turn with `<|call|>`. Spelled
# as text; `encode(..., allowed_special="all")` turns it into the token ids.
COMPLETION = (
    "<|channel|>analysis<|message|>Tokyo: 20 C and sunny. Now Paris.<|end|>"
    "<|start|>assistant to=functions.get_weather<|channel|>commentary <|constrain|>json"
    '<|message|>{"location":"Paris"}<|call|>'
)
