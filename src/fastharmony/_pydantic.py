# pydantic interop without depending on pydantic: the BaseModel methods that the
# reference's classes carry (they are pydantic models there), and the hook that
# lets a pydantic model hold our objects as fields.
#
# Rules of this file:
# - Nothing here imports pydantic at import time. `model_dump`, `model_copy`,
#   `model_validate` and friends are pure Python; the pydantic core schema
#   (`__get_pydantic_core_schema__`), `model_fields` and `model_json_schema`
#   import pydantic when called, which only pydantic users do.
# - Results are the reference's, with one deliberate exception: the reference
#   types message content as the empty base `Content`, so its `model_dump`
#   writes every part as `{}` and validating `{"type": "text", "text": "x"}`
#   gives an empty `Content()`. Here parts keep their data: inside a message a
#   part dumps as its fields plus its `type` (as `to_dict` writes it), and a
#   dict with a `type` validates to that kind of part.
# - Validation is the constructors' (see _lax): a pydantic model holding a
#   Message accepts what `Message(**data)` accepts, with pydantic's errors.
# - `exclude_unset` treats a field as set when its value differs from the
#   default (we do not record which arguments a constructor was given).

from __future__ import annotations

import copy
import datetime
import decimal
import enum
import json
import uuid
from collections.abc import Mapping
from typing import Any, Dict, Optional

import msgspec

from ._errors import HarmonyValueError, validation_error
from ._lax import Invalid

__all__ = ["PydanticMethods", "class_property"]


class class_property:
    """A read-only attribute computed from the class (pydantic's `model_fields`
    is read on the class, and on instances)."""

    def __init__(self, getter) -> None:
        self.getter = getter
        self.__doc__ = getter.__doc__

    def __get__(self, instance, owner):
        return self.getter(owner)


def _fields(cls) -> tuple:
    return msgspec.structs.fields(cls)


def _required(field) -> bool:
    # A field the reference requires may follow fields with defaults in a
    # Struct only with a default: a factory marked `required` stands for none.
    return field.required or getattr(field.default_factory, "required", False)


def _default(field) -> Any:
    if field.default is not msgspec.NODEFAULT:
        return field.default
    if field.default_factory is not msgspec.NODEFAULT and not _required(field):
        return field.default_factory()
    return msgspec.NODEFAULT


# -- include / exclude, as pydantic reads them -------------------------------------


def _normalise(spec: Any) -> Optional[Dict[Any, Any]]:
    """A set or dict of include/exclude items as a dict {key: True | nested}."""
    if spec is None:
        return None
    if isinstance(spec, Mapping):
        return {key: (True if value is ... else value) for key, value in spec.items()}
    return {key: True for key in spec}


def _sub(spec: Optional[Dict[Any, Any]], key: Any, length: Optional[int] = None) -> Any:
    """The part of an include/exclude spec for `key` (a field name or list index);
    "__all__" applies to every key, and negative indices count from the end."""
    if spec is None:
        return None
    found = spec.get(key)
    if found is None and length is not None and isinstance(key, int):
        found = spec.get(key - length)
    every = spec.get("__all__")
    if every is not None:
        if found is None or found is True:
            found = every if found is None else True
        elif every is not True:
            found = {**_normalise(every), **_normalise(found)}
    return found


def _excluded(exclude: Optional[Dict[Any, Any]], key: Any, length: Optional[int] = None) -> bool:
    return _sub(exclude, key, length) is True


def _included(include: Optional[Dict[Any, Any]], key: Any, length: Optional[int] = None) -> bool:
    return include is None or _sub(include, key, length) is not None


def _nested(spec: Optional[Dict[Any, Any]], key: Any, length: Optional[int] = None) -> Any:
    found = _sub(spec, key, length)
    return None if found is None or found is True else _normalise(found)


# -- dumping -------------------------------------------------------------------------


class _Options:
    __slots__ = ("json", "exclude_none", "exclude_defaults", "exclude_unset")

    def __init__(self, mode: str, exclude_none: bool, exclude_defaults: bool, exclude_unset: bool) -> None:
        if mode not in ("python", "json"):
            raise HarmonyValueError(f"mode: expected 'python' or 'json', got {mode!r}")
        self.json = mode == "json"
        self.exclude_none = exclude_none
        self.exclude_defaults = exclude_defaults
        self.exclude_unset = exclude_unset


def dump_struct(obj: Any, options: _Options, include=None, exclude=None, tagged: bool = False) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if tagged:
        tag = type(obj).__struct_config__.tag
        if isinstance(tag, str):
            out["type"] = tag
    for field in _fields(type(obj)):
        name = field.name
        if not _included(include, name) or _excluded(exclude, name):
            continue
        value = getattr(obj, name)
        if value is None and options.exclude_none:
            continue
        if options.exclude_defaults or options.exclude_unset:
            default = _default(field)
            if default is not msgspec.NODEFAULT and _same(value, default):
                continue
        out[name] = _dump_value(
            value, options, _nested(include, name), _nested(exclude, name), content=name == "content"
        )
    return out


def _same(value: Any, default: Any) -> bool:
    try:
        return bool(value == default) and type(value) is type(default)
    except Exception:
        return False


def _dump_value(value: Any, options: _Options, include=None, exclude=None, content: bool = False) -> Any:
    if isinstance(value, PydanticMethods):
        from ._model import Content

        return dump_struct(value, options, include, exclude, tagged=content and isinstance(value, Content))
    if isinstance(value, (list, tuple)):
        length = len(value)
        items = [
            _dump_value(item, options, _nested(include, index, length), _nested(exclude, index, length), content)
            for index, item in enumerate(value)
            if _included(include, index, length) and not _excluded(exclude, index, length)
        ]
        return items if options.json or type(value) is list else tuple(items)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not _included(include, key) or _excluded(exclude, key):
                continue
            if item is None and options.exclude_none and isinstance(item, PydanticMethods):
                continue
            out[_json_key(key) if options.json else key] = _dump_value(
                item, options, _nested(include, key), _nested(exclude, key)
            )
        return out
    if options.json:
        return _jsonable(value)
    if isinstance(value, (set, frozenset)):
        return type(value)(value)
    return value


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return str.__str__(key) if not isinstance(key, enum.Enum) else str(key.value)
    jsonable = _jsonable(key)
    return jsonable if isinstance(jsonable, str) else json.dumps(jsonable)


def _jsonable(value: Any) -> Any:
    """A value as pydantic's JSON mode infers it for a field typed Any."""
    if value is None or value is True or value is False:
        return value
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8")
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {_json_key(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, PydanticMethods):
        return value.model_dump(mode="json")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise HarmonyValueError(f"Unable to serialize unknown type: {type(value)!r}")


# -- the methods ---------------------------------------------------------------------


class PydanticMethods:
    """The BaseModel methods of the reference's classes, for msgspec Structs.

    >>> from fastharmony import Message, Role
    >>> message = Message.from_role_and_content(Role.USER, "Hi")
    >>> message.model_dump(exclude_none=True)
    {'author': {'role': <Role.USER: 'user'>}, 'content': [{'type': 'text', 'text': 'Hi'}]}
    >>> message.model_dump_json(include={"author"})
    '{"author":{"role":"user","name":null}}'
    >>> Message.model_validate({"author": {"role": "user"}, "content": [{"type": "text", "text": "Hi"}]}) == message
    True
    """

    __slots__ = ()

    def model_dump(
        self,
        *,
        mode: str = "python",
        include: Any = None,
        exclude: Any = None,
        context: Any = None,
        by_alias: Optional[bool] = None,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        exclude_computed_fields: bool = False,
        round_trip: bool = False,
        warnings: Any = True,
        fallback: Any = None,
        serialize_as_any: bool = False,
    ) -> Dict[str, Any]:
        """The fields as a dict (`mode="json"`: only JSON types), as pydantic dumps them."""
        options = _Options(mode, exclude_none, exclude_defaults, exclude_unset)
        return dump_struct(self, options, _normalise(include), _normalise(exclude))

    def model_dump_json(
        self,
        *,
        indent: Optional[int] = None,
        ensure_ascii: bool = False,
        include: Any = None,
        exclude: Any = None,
        context: Any = None,
        by_alias: Optional[bool] = None,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
        exclude_computed_fields: bool = False,
        round_trip: bool = False,
        warnings: Any = True,
        fallback: Any = None,
        serialize_as_any: bool = False,
    ) -> str:
        """The fields as JSON text, with pydantic's layout (compact, or `indent`)."""
        data = self.model_dump(
            mode="json",
            include=include,
            exclude=exclude,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )
        if indent is None:
            return json.dumps(data, ensure_ascii=ensure_ascii, separators=(",", ":"))
        return json.dumps(data, ensure_ascii=ensure_ascii, indent=indent)

    def model_copy(self, *, update: Optional[Mapping[str, Any]] = None, deep: bool = False):
        """A copy (`deep=True`: of everything inside too), with `update`'s fields
        set as given (unvalidated, as pydantic sets them)."""
        copied = copy.deepcopy(self) if deep else copy.copy(self)
        if update:
            names = set(type(self).__struct_fields__)
            for name, value in update.items():
                if name in names:
                    setattr(copied, name, value)
        return copied

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: Optional[bool] = None,
        extra: Any = None,
        from_attributes: Optional[bool] = None,
        context: Any = None,
        by_alias: Optional[bool] = None,
        by_name: Optional[bool] = None,
    ):
        """An instance from an instance (returned as it is) or a dict of fields."""
        if isinstance(obj, cls):
            return obj
        if isinstance(obj, Mapping):
            return cls(**_keyword_arguments(obj))
        raise validation_error(
            cls.__name__,
            [{"type": "model_type", "loc": (), "input": obj, "ctx": {"class_name": cls.__name__}}],
        )

    @classmethod
    def model_validate_json(
        cls,
        json_data: Any,
        *,
        strict: Optional[bool] = None,
        extra: Any = None,
        context: Any = None,
        by_alias: Optional[bool] = None,
        by_name: Optional[bool] = None,
    ):
        """An instance from JSON text holding an object of its fields."""
        if not isinstance(json_data, (str, bytes, bytearray)):
            raise validation_error(cls.__name__, [{"type": "json_type", "loc": (), "input": json_data}])
        try:
            data = json.loads(json_data)
        except (ValueError, TypeError) as exc:
            raise validation_error(
                cls.__name__,
                [{"type": "json_invalid", "loc": (), "input": json_data, "ctx": {"error": str(exc)}}],
            ) from None
        return cls.model_validate(data)

    @class_property
    def model_fields(cls) -> Dict[str, Any]:
        """pydantic's `FieldInfo` of each field (needs pydantic)."""
        return field_infos(cls)

    @class_property
    def model_computed_fields(cls) -> Dict[str, Any]:
        return {}

    @class_property
    def model_config(cls) -> Dict[str, Any]:
        return {}

    @property
    def model_extra(self) -> None:
        return None

    @property
    def model_fields_set(self) -> set:
        """The fields whose value is not their default (see this file's rules)."""
        return {
            field.name
            for field in _fields(type(self))
            if not _same(getattr(self, field.name), _default(field))
        }

    @classmethod
    def model_json_schema(
        cls,
        by_alias: bool = True,
        ref_template: str = "#/$defs/{model}",
        schema_generator: Any = None,
        mode: str = "validation",
        **kwargs: Any,
    ) -> Dict[str, Any]:
        """The JSON schema pydantic writes for the reference's class (needs pydantic)."""
        from pydantic import TypeAdapter
        from pydantic.json_schema import GenerateJsonSchema

        return TypeAdapter(cls).json_schema(
            by_alias=by_alias,
            ref_template=ref_template,
            schema_generator=schema_generator or GenerateJsonSchema,
            mode=mode,
        )

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        return core_schema(cls, handler)


def _keyword_arguments(mapping: Mapping) -> Dict[str, Any]:
    return {key: value for key, value in mapping.items() if isinstance(key, str)}


# -- pydantic's view (imported only when pydantic asks) ----------------------------

# Descriptions the reference's JSON schemas carry (from its docstrings), by class.
_JSON_DESCRIPTIONS = {"Role": "The role of a message author (mirrors ``chat::Role``)."}


def field_infos(cls) -> Dict[str, Any]:
    from typing import get_type_hints

    from pydantic.fields import FieldInfo

    hints = get_type_hints(cls)
    infos = {}
    for field in _fields(cls):
        if field.default is not msgspec.NODEFAULT:
            infos[field.name] = FieldInfo(annotation=hints[field.name], default=field.default)
        elif field.default_factory is not msgspec.NODEFAULT and not _required(field):
            infos[field.name] = FieldInfo(annotation=hints[field.name], default_factory=field.default_factory)
        else:
            infos[field.name] = FieldInfo(annotation=hints[field.name])
    return infos


def core_schema(cls, handler) -> Any:
    """pydantic-core's schema for one of our classes: validated by its
    constructor, dumped by `model_dump`, described as the reference's model."""
    from typing import get_type_hints

    from pydantic_core import core_schema as cs

    def validate(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            return cls(**_keyword_arguments(value))  # raises pydantic's ValidationError
        raise validation_error(
            cls.__name__,
            [{"type": "model_type", "loc": (), "input": value, "ctx": {"class_name": cls.__name__}}],
        )

    def serialize(value: Any, info: Any) -> Any:
        if not isinstance(value, PydanticMethods):  # a wrong value assigned: pydantic infers
            return _jsonable(value) if info.mode == "json" else value
        options = _Options(info.mode, info.exclude_none, info.exclude_defaults, info.exclude_unset)
        return dump_struct(value, options, _normalise(info.include), _normalise(info.exclude))

    hints = get_type_hints(cls)
    fields = {}
    for field in _fields(cls):
        inner = _field_schema(hints[field.name], handler, cs)
        if field.default is not msgspec.NODEFAULT:
            inner = cs.with_default_schema(inner, default=field.default)
        elif field.default_factory is not msgspec.NODEFAULT and not _required(field):
            inner = cs.with_default_schema(inner, default_factory=field.default_factory)
        fields[field.name] = cs.typed_dict_field(inner, required=_required(field))
    described = cs.typed_dict_schema(fields)

    def json_schema(_schema: Any, js_handler: Any) -> Any:
        described_json = js_handler(described)
        described_json["title"] = cls.__name__
        return described_json

    lax = cs.no_info_plain_validator_function(validate, json_schema_input_schema=described)
    # pydantic's smart unions try each choice strictly first; strictly, a model
    # takes only its instances (`Message | dict` keeps a dict a dict, as the
    # reference's pydantic models do, from Python and from JSON).
    return cs.lax_or_strict_schema(
        lax_schema=lax,
        strict_schema=cs.is_instance_schema(cls),
        ref=f"{cls.__module__}.{cls.__qualname__}:{id(cls)}",
        metadata={"pydantic_js_functions": [json_schema]},
        serialization=cs.plain_serializer_function_ser_schema(serialize, info_arg=True),
    )


def _titled(schema: Any, title: str, description: Optional[str] = None) -> Any:
    """`schema` whose JSON schema has this title (and description, or none)."""

    def retitle(core: Any, js_handler: Any) -> Any:
        json_schema = js_handler(core)
        resolved = js_handler.resolve_ref_schema(json_schema)
        resolved["title"] = title
        resolved.pop("description", None)
        if description:
            resolved["description"] = description
        return json_schema

    metadata = dict(schema.get("metadata") or {})
    metadata["pydantic_js_functions"] = [*metadata.get("pydantic_js_functions", []), retitle]
    return {**schema, "metadata": metadata}


def _field_schema(annotation: Any, handler: Any, cs: Any) -> Any:
    """The core schema describing a field of the reference's model."""
    import typing

    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Union:
        options = [arg for arg in args if arg is not type(None)]
        inner = _field_schema(options[0], handler, cs) if len(options) == 1 else cs.union_schema(
            [_field_schema(arg, handler, cs) for arg in options]
        )
        return cs.nullable_schema(inner) if type(None) in args else inner
    if origin in (list, typing.List):
        return cs.list_schema(_field_schema(args[0], handler, cs))
    if origin in (dict, typing.Dict):
        return cs.dict_schema(_field_schema(args[0], handler, cs), _field_schema(args[1], handler, cs))
    if annotation is dict:
        return cs.dict_schema()
    if annotation is str:
        return cs.str_schema()
    if annotation is bool:
        return cs.bool_schema()
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _titled(handler.generate_schema(annotation), annotation.__name__, _JSON_DESCRIPTIONS.get(annotation.__name__))
    if isinstance(annotation, type) and issubclass(annotation, PydanticMethods):
        from ._model import Content

        if annotation is Content:  # the reference's empty base class
            return _titled(cs.typed_dict_schema({}, ref=f"{annotation.__module__}.Content:{id(annotation)}"), "Content")
        return handler.generate_schema(annotation)
    return cs.any_schema()


