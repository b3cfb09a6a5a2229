"""The current user as hub.rules.permissions reads them, and the page guards built on it."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask import abort, g
from flask_login import current_user, login_required

from hub.rules import permissions
from hub.rules.permissions import Actor
from hub.services import places as places_service

F = TypeVar("F", bound=Callable[..., Any])


def current_actor() -> Actor | None:
    """The logged-in user's roles, or None when logged out: one query per request, shared
    by the page and its navigation. A page that changes roles redirects after its commit,
    so the next request reads them afresh."""
    if not current_user.is_authenticated:
        return None
    if "actor" not in g:
        g.actor = places_service.actor_of(current_user)
    return g.actor


def forget_actor() -> None:
    """Start a request with no cached roles (the app context, and its `g`, may outlive a
    request: a request made inside an app context already pushed reuses it)."""
    g.pop("actor", None)


def require(predicate: Callable[[Actor], bool]) -> Callable[[F], F]:
    """Log in, then 403 unless `predicate(actor)` holds."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if actor is None or not predicate(actor):
                abort(403)
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


network_readers_only = require(permissions.may_read_network)
