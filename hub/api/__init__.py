"""The JSON API, /api/v1: one blueprint, a module per area of the contract."""
from __future__ import annotations

import json
import logging
import re
from functools import wraps
from typing import Any, Callable, Iterable, TypeVar

import sqlalchemy as sa
from flask import Blueprint, Response, after_this_request, g, jsonify, request
from werkzeug.exceptions import HTTPException

from hub.errors import BadRequest, DomainError, Unauthenticated
from hub.db import write_intent
from hub.extensions import csrf, db
from hub.services.accounts import TOKEN_USE_PRECISION, hash_token, touch_token
from hub.services.validate import Fields
from models import ApiToken, User, utcnow

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])

HTTP_CODES = {
    400: ("bad_request", "La requête est invalide."),
    401: ("unauthenticated", "Authentification requise."),
    403: ("forbidden", "Vous n'avez pas le droit de faire cela."),
    404: ("not_found", "Cet élément n'existe pas."),
    405: ("method_not_allowed", "Cette méthode n'est pas permise sur cette adresse."),
    413: ("too_large", "La requête est trop volumineuse."),
    415: ("bad_request", "Le corps de la requête doit être du JSON."),
    429: ("too_many_requests", "Trop de tentatives : réessayez plus tard."),
}


# Built once: every API request runs it (api_tokens.token_hash is unique, so indexed).
# A Core statement on the session's connection (its transaction, without the ORM's
# execution layer): it runs for every request, and most of them (bookings above all)
# need nothing of the user but the id. Expiry is checked in the same query; a revoked
# token has no row.
_TOKENS = ApiToken.__table__
_USER_ID_BY_TOKEN = sa.select(_TOKENS.c.user_id, _TOKENS.c.id, _TOKENS.c.last_used_at).where(
    _TOKENS.c.token_hash == sa.bindparam("token_hash"), _TOKENS.c.expires_at > sa.bindparam("now")
)


def user_id_for_token(token: str | None) -> int | None:
    if not token:
        return None
    now = utcnow()
    row = db.session.connection().execute(
        _USER_ID_BY_TOKEN, {"token_hash": hash_token(token), "now": now}
    ).first()
    if row is None:
        return None
    stale = row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_PRECISION
    g.api_token_to_touch = row.id if stale else None
    return row.user_id


def user_for_token(token: str | None) -> User | None:
    user_id = user_id_for_token(token)
    return db.session.get(User, user_id) if user_id is not None else None


def auth_required(view: F) -> F:
    """The API authenticates by Bearer token only: a session cookie is no credential
    here, so a cross-site form can never act through the API."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        user_id = user_id_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user_id is None:
            raise Unauthenticated("Jeton d'accès manquant ou invalide.")
        g.api_user_id = user_id
        touch = g.pop("api_token_to_touch", None)
        if touch is not None:
            after_this_request(lambda response: _touch_token(response, touch))
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _touch_token(response: Response, token_id: int) -> Response:
    """Record a token's use (at most once per TOKEN_USE_PRECISION), once the request's own
    work is over: in a transaction of its own, since the request may have been read-only
    (no write lock on SQLite) or have failed."""
    db.session.rollback()
    intent = write_intent.set(True)
    try:
        touch_token(token_id, utcnow())
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        logger.warning("could not record the use of API token %s", token_id, exc_info=True)
    finally:
        write_intent.reset(intent)
    return response


def current_api_user_id() -> int:
    return g.api_user_id


def current_api_user() -> User:
    """The caller, loaded on first use (the token's user: its row cannot vanish within
    the request's transaction, the token going with it)."""
    user = db.session.get(User, g.api_user_id)
    assert user is not None
    return user


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
    """`{"items": [...], "total": N}` for a SELECT of model rows, one page of it."""
    page, per_page = page_args()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return {"items": [serialize(row) for row in rows], "total": total or 0}


def list_of(items: Iterable[dict]) -> dict[str, Any]:
    items = list(items)
    return {"items": items, "total": len(items)}


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):  # type: ignore[no-untyped-def]
    db.session.rollback()
    return jsonify(error.to_dict()), error.status, error.headers


def http_error_json(error: HTTPException):  # type: ignore[no-untyped-def]
    code, message = HTTP_CODES.get(error.code or 500, ("error", "Erreur."))
    return jsonify({"error": {"code": code, "message": message}}), error.code


def internal_error_json():  # type: ignore[no-untyped-def]
    return jsonify({"error": {"code": "internal", "message": "Erreur interne du serveur."}}), 500


# Route modules attach themselves to `bp`.
from hub.api import accounts, bookings, network, openapi, places, resources  # noqa: E402,F401
