"""Request bodies checked against the official `openai` SDK's request types,
for the Chat Completions and Responses tests: a request we test with is one a
client using the SDK could send."""


def sdk_body(request_type, fields):
    """`fields` with a model name, as a body that `request_type` (a pydantic
    TypeAdapter of one of the SDK's request params) accepts."""
    body = {"model": "gpt-oss-120b", **fields}
    _consume(request_type.validate_python(body))
    return body


def _consume(value):
    # The SDK's params declare `Iterable` fields, which pydantic validates lazily.
    if isinstance(value, dict):
        return {key: _consume(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ValidatorIterator":
        return [_consume(item) for item in value]
    return value
