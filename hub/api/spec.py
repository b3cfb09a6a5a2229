"""OpenAPI building blocks shared by the API modules' SPEC dicts."""
from __future__ import annotations

ERROR = {"$ref": "#/components/schemas/Error"}


def error_response(description: str) -> dict:
    """A response whose body is the contract's error object."""
    return json_response(ERROR, description)


def json_response(schema: dict, description: str, *, csv: bool = False) -> dict:
    """A JSON response of `schema`; `csv` when `?format=csv` may also return it as a table."""
    content: dict = {"application/json": {"schema": schema}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    return {"description": description, "content": content}
