"""Reading a request: its JSON body and its page parameters, the one way every route does."""
from __future__ import annotations

import json
import re
from typing import Any, Callable

import sqlalchemy as sa
from flask import request

from hub.errors import BadRequest
from hub.services.listing import page_of
from hub.services.validate import Fields


# Nesting deeper than any body of the contract; checked before json.loads, whose
# recursion would otherwise reach Python's limit (a RecursionError, a 500) on `[` x 1000.
MAX_JSON_DEPTH = 32
# One left-to-right pass: a string (closed or not) is consumed whole, so brackets inside
# strings do not count and no input makes the scan quadratic.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]+|\\.)*"?|[\[\]{}]', re.DOTALL)


def _too_deep(text: str) -> bool:
    depth = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token == "[" or token == "{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return True
        elif token == "]" or token == "}":
            depth -= 1
    return False


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body() -> dict[str, Any]:
    """The request's JSON object, the one way every API route reads a body.

    The body is read once, within MAX_CONTENT_LENGTH (413 beyond); it must be strict
    UTF-8, nest at most MAX_JSON_DEPTH deep and hold no lone UTF-16 surrogate (`"\\ud800"`
    decodes to a str that no database driver can encode): otherwise a 400.
    """
    if not request.is_json:
        raise BadRequest("Le corps de la requête doit être du JSON (Content-Type: application/json).")
    raw = request.get_data(cache=True)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("Le corps de la requête doit être encodé en UTF-8.") from None
    if _too_deep(text):
        raise BadRequest(f"Le JSON ne doit pas être imbriqué sur plus de {MAX_JSON_DEPTH} niveaux.")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError:
        raise BadRequest("Le corps de la requête n'est pas du JSON valide.") from None
    if not isinstance(data, dict):
        raise BadRequest()
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("Le JSON contient un caractère invalide (demi-paire UTF-16 isolée).") from None
    return data


# The contract's limits for `?page=` and `?per_page=`; beyond them a 422, never a silent
# clamp. The page bound keeps the OFFSET far inside 64 bits.
MAX_PAGE = 1_000_000
MAX_PER_PAGE = 500
# Their OpenAPI parameters, for every paginated operation.
PAGE_PARAMETERS = [
    {"name": "page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
    {"name": "per_page", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 50}},
]


def page_args() -> tuple[int, int]:
    f = Fields(request.args)
    page = f.integer("page", minimum=1, maximum=MAX_PAGE, default=1)
    per_page = f.integer("per_page", minimum=1, maximum=MAX_PER_PAGE, default=50)
    f.check("Pagination invalide.")
    assert page is not None and per_page is not None
    return page, per_page


def paginate(query: sa.Select, serialize: Callable[[Any], dict]) -> dict[str, Any]:
    """`{"items": [...], "total": N}` for a SELECT of model rows: the page the request asks for."""
    page, per_page = page_args()
    return page_of(query, page, per_page, serialize)
