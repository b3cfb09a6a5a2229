"""API authentication: a Bearer token on every route that needs one, and the caller."""
from __future__ import annotations

import logging
from functools import wraps
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from flask import Response, after_this_request, g, request

from hub.db import write_intent
from hub.errors import Unauthenticated
from hub.extensions import db
from hub.services.accounts import token_lookup, touch_token
from models import User, utcnow

logger = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


def auth_required(view: F) -> F:
    """The API authenticates by Bearer token only: a session cookie is no credential
    here, so a cross-site form can never act through the API."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        found = token_lookup(token.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise Unauthenticated("Jeton d'accès manquant ou invalide.")
        g.api_user_id, touch = found
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
