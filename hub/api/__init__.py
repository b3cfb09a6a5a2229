"""The JSON API, /api/v1: one blueprint, a module per area of the contract."""
from __future__ import annotations

import hashlib
from functools import wraps
from typing import Any, Callable, Iterable, TypeVar

import sqlalchemy as sa
from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from hub.errors import BadRequest, DomainError, Unauthenticated
from hub.extensions import csrf, db
from models import ApiToken, User

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

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


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Built once: every API request runs it (api_tokens.token_hash is unique, so indexed).
# A Core statement on the session's connection (its transaction, without the ORM's
# execution layer): it runs for every request, and most of them (bookings above all)
# need nothing of the user but the id.
_TOKENS = ApiToken.__table__
_USER_ID_BY_TOKEN = sa.select(_TOKENS.c.user_id).where(_TOKENS.c.token_hash == sa.bindparam("token_hash"))


def user_id_for_token(token: str | None) -> int | None:
    if not token:
        return None
    return db.session.connection().execute(_USER_ID_BY_TOKEN, {"token_hash": hash_token(token)}).scalar()


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
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def current_api_user_id() -> int:
    return g.api_user_id


def current_api_user() -> User:
    """The caller, loaded on first use (the token's user: its row cannot vanish within
    the request's transaction, the token going with it)."""
    user = db.session.get(User, g.api_user_id)
    assert user is not None
    return user


def json_body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest()
    return data


def page_args() -> tuple[int, int]:
    def read(name: str, default: int) -> int:
        try:
            return int(request.args.get(name, default))
        except ValueError:
            return default

    page = max(1, read("page", 1))
    per_page = min(500, max(1, read("per_page", 50)))
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
    return jsonify(error.to_dict()), error.status


def http_error_json(error: HTTPException):  # type: ignore[no-untyped-def]
    code, message = HTTP_CODES.get(error.code or 500, ("error", "Erreur."))
    return jsonify({"error": {"code": code, "message": message}}), error.code


def internal_error_json():  # type: ignore[no-untyped-def]
    return jsonify({"error": {"code": "internal", "message": "Erreur interne du serveur."}}), 500


# Route modules attach themselves to `bp`.
from hub.api import accounts, bookings, network, openapi, places, resources  # noqa: E402,F401
