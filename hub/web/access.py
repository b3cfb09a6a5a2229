"""The current user as hub.rules.permissions reads them, and the page guards built on it."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask import abort
from flask_login import current_user, login_required

from hub.rules import permissions
from hub.rules.permissions import Actor
from hub.services import places as places_service

F = TypeVar("F", bound=Callable[..., Any])


def current_actor() -> Actor | None:
    """The logged-in user's roles (one query), or None when logged out."""
    if not current_user.is_authenticated:
        return None
    return places_service.actor_of(current_user)


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
