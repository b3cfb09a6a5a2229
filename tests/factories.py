"""Small factories for tests: each takes the fields a test cares about, defaults the rest.

They write directly through the models and commit, like data already in place.
"""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from typing import Any

from werkzeug.security import generate_password_hash

from hub.extensions import db
from hub.reference import DEPARTEMENTS, region_of
from models import Booking, Membership, Place, Resource, TrainingSession, User

PASSWORD = "motdepasse-solide"
_HASH = generate_password_hash(PASSWORD, method="scrypt")
_seq = itertools.count(1)


def _save(obj: Any) -> Any:
    db.session.add(obj)
    db.session.commit()
    return obj


def user(**params: Any) -> User:
    n = next(_seq)
    params.setdefault("email", f"user{n}@example.org")
    params.setdefault("name", f"Utilisatrice {n}")
    params["email"] = params["email"].lower()
    password = params.pop("password", None)
    params["password_hash"] = generate_password_hash(password, method="scrypt") if password else _HASH
    return _save(User(**params))


def place(**params: Any) -> Place:
    n = next(_seq)
    params.setdefault("kind", "tiers_lieu")
    params.setdefault("name", f"Lieu {n}")
    params.setdefault("slug", f"lieu-{n}")
    params.setdefault("departement", "29")
    params.setdefault("commune", "Concarneau")
    params.setdefault("territory", "urbain")
    dep = DEPARTEMENTS[params["departement"]]
    params.setdefault("lat", dep.lat)
    params.setdefault("lon", dep.lon)
    params.setdefault("region", region_of(params["departement"]).code)
    managers = params.pop("managers", [])
    members = params.pop("members", [])
    obj = Place(**params)
    for u in managers:
        obj.memberships.append(Membership(user=u, role="manager"))
    for u in members:
        obj.memberships.append(Membership(user=u, role="member"))
    return _save(obj)


def fabrique(**params: Any) -> Place:
    params.setdefault("kind", "fabrique")
    return place(**params)


def resource(place: Place, **params: Any) -> Resource:
    n = next(_seq)
    params.setdefault("kind", "machine")
    params.setdefault("name", f"Ressource {n}")
    params.setdefault("capacity", 1)
    return _save(Resource(place=place, **params))


def session(resource: Resource, **params: Any) -> TrainingSession:
    start = params.pop("start", datetime.now(timezone.utc) + timedelta(days=7))
    params.setdefault("start_at", start)
    params.setdefault("end_at", params["start_at"] + timedelta(hours=3))
    params.setdefault("seats", resource.capacity)
    return _save(TrainingSession(resource=resource, **params))


def booking(resource: Resource, place: Place, **params: Any) -> Booking:
    start = params.pop("start", datetime.now(timezone.utc) + timedelta(days=1))
    params.setdefault("start_at", start)
    params.setdefault("end_at", params["start_at"] + timedelta(hours=2))
    params.setdefault("status", "confirmed")
    params.setdefault("quantity", 1)
    params.setdefault("exclusive", resource.capacity == 1 and resource.kind != "training")
    return _save(Booking(resource=resource, place=place, **params))


def api_token(user: User) -> str:
    """An API token for `user`, from an ApiToken row made directly (no password hashing:
    fast, and usable by tests that seed data before starting a server)."""
    import secrets

    from hub.services.accounts import hash_token
    from models import ApiToken

    token = secrets.token_urlsafe(24)
    _save(ApiToken(user_id=user.id, token_hash=hash_token(token)))
    return token


def api_headers(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(user)}"}


def qualification(user: User, training: Resource, **params: Any) -> Any:
    from models import Qualification

    params.setdefault("source", "manual")
    return _save(Qualification(user_id=user.id, training_id=training.id, **params))


def closure(resource: Resource, **params: Any) -> Any:
    from models import Closure

    start = params.pop("start", datetime.now(timezone.utc) + timedelta(days=1))
    params.setdefault("start_at", start)
    params.setdefault("end_at", params["start_at"] + timedelta(days=1))
    return _save(Closure(resource=resource, **params))
