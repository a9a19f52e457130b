"""The built-in tool namespaces, `browser` and `python`, are the reference's.

Compared field by field and in key order: rendering keeps the order of a
schema's properties, so an equal dict in another order would render otherwise.
"""

import json

import msgspec
import pytest

import fastharmony
import openai_harmony
from fastharmony import load_harmony_encoding

ENC = load_harmony_encoding("HarmonyGptOss")
BUILT_INS = ["browser", "python"]


def ordered(value):
    """A value's JSON text: equal only if equal in content and in key order."""
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("name", BUILT_INS)
def test_built_in_namespace_equals_the_reference_field_by_field_in_order(name):
    ours = getattr(fastharmony.ToolNamespaceConfig, name)()
    theirs = getattr(openai_harmony.ToolNamespaceConfig, name)()
    assert ordered(msgspec.to_builtins(ours)) == ordered(theirs.model_dump())


@pytest.mark.parametrize("name", BUILT_INS)
def test_built_in_namespace_is_named_after_itself(name):
    namespace = getattr(fastharmony.ToolNamespaceConfig, name)()
    assert namespace.name == name
    assert isinstance(namespace, fastharmony.ToolNamespaceConfig)
    assert all(isinstance(tool, fastharmony.ToolDescription) for tool in namespace.tools)


def test_browser_declares_search_open_and_find():
    browser = fastharmony.ToolNamespaceConfig.browser()
    assert [tool.name for tool in browser.tools] == ["search", "open", "find"]
    assert browser.description.startswith("Tool for browsing.\n")


def test_python_declares_no_functions_only_a_description():
    python = fastharmony.ToolNamespaceConfig.python()
    assert python.tools == []
    assert python.description.startswith("Use this tool to execute Python code")


@pytest.mark.parametrize("name", BUILT_INS)
def test_built_in_namespace_is_a_fresh_object_on_every_call(name):
    factory = getattr(fastharmony.ToolNamespaceConfig, name)
    first = factory()
    first.description = "changed"
    for tool in first.tools:
        tool.parameters["properties"].clear()
    assert factory() != first
    assert ordered(msgspec.to_builtins(factory())) == ordered(
        getattr(openai_harmony.ToolNamespaceConfig, name)().model_dump()
    )


@pytest.mark.parametrize("builder", ["with_browser_tool", "with_python_tool"])
def test_system_content_with_a_built_in_tool_dumps_as_the_reference(builder):
    ours = getattr(fastharmony.SystemContent.new(), builder)()
    theirs = getattr(openai_harmony.SystemContent.new(), builder)()
    assert json.loads(ordered(ours.to_dict())) == json.loads(ordered(theirs.to_dict()))
    assert ordered(ours.to_dict()) == ordered(theirs.to_dict())


def test_system_content_with_both_built_ins_dumps_as_the_reference():
    ours = fastharmony.SystemContent.new().with_browser_tool().with_python_tool()
    theirs = openai_harmony.SystemContent.new().with_browser_tool().with_python_tool()
    assert list(ours.tools) == ["browser", "python"]
    assert ordered(ours.to_dict()) == ordered(theirs.to_dict())


@pytest.mark.parametrize("builder", ["with_browser_tool", "with_python_tool"])
def test_system_message_with_a_built_in_tool_renders_as_the_reference(ref, builder):
    def render(enc, h):
        content = getattr(h.SystemContent.new(), builder)()
        return enc.render(h.Message.from_role_and_content(h.Role.SYSTEM, content))

    assert render(ENC, fastharmony) == render(ref, openai_harmony)


def test_built_ins_declared_by_a_developer_render_as_the_reference(ref):
    def render(enc, h):
        content = h.DeveloperContent.new().with_tools(h.ToolNamespaceConfig.browser())
        content = content.with_tools(h.ToolNamespaceConfig.python())
        return enc.render(h.Message.from_role_and_content(h.Role.DEVELOPER, content))

    assert render(ENC, fastharmony) == render(ref, openai_harmony)
