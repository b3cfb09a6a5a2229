"""Accounts: registration, password checks with throttling, API tokens."""
from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from hub.errors import Duplicate, TooManyRequests, Unauthenticated
from hub.extensions import db
from hub.services import audit
from hub.services.validate import Fields
from models import ApiToken, LoginFailure, Membership, Place, User, utcnow
from models.accounts import GLOBAL_ROLES

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
MAX_PASSWORD_LENGTH = 200
BAD_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."
THROTTLED = (
    "Trop de tentatives de connexion échouées pour cette adresse : "
    "réessayez dans quelques minutes."
)
DUPLICATE_EMAIL = "Un compte existe déjà avec cette adresse électronique."

# Checked against when the email is unknown, so that an unknown email and a wrong
# password take the same time to refuse.
_DUMMY_HASH = generate_password_hash("maillage-no-such-account", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def normalize_email(email: Any) -> str:
    return email.strip().lower() if isinstance(email, str) else ""


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def register(data: Mapping[str, Any], *, role: str | None = None,
             actor: User | None = None) -> User:
    """A new account from `{email, password, name}`; Invalid (422) or Duplicate (409)."""
    f = Fields(data)
    email = f.email("email")
    password = f.data.get("password")
    if password is None or password == "":
        f.error("password", "Ce champ est obligatoire.")
    elif not isinstance(password, str):
        f.error("password", "Ce champ doit être un texte.")
    elif len(password) < MIN_PASSWORD_LENGTH:
        f.error("password", f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères.")
    elif len(password) > MAX_PASSWORD_LENGTH:
        f.error("password", f"Le mot de passe ne doit pas dépasser {MAX_PASSWORD_LENGTH} caractères.")
    name = f.text("name", required=True, max_len=120)
    if role is not None and role not in GLOBAL_ROLES:
        f.error("role", "Rôle inconnu : choisissez parmi " + ", ".join(GLOBAL_ROLES) + ".")
    f.check()
    assert email is not None and name is not None and isinstance(password, str)

    if user_by_email(email) is not None:
        raise Duplicate(DUPLICATE_EMAIL, fields={"email": DUPLICATE_EMAIL})
    user = User(email=email, name=name, password_hash=hash_password(password), role=role)
    # Two registrations of one email racing past the check above: the UNIQUE
    # constraint stops the second, which must read as a duplicate, not a crash.
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except sa.exc.IntegrityError:
        raise Duplicate(DUPLICATE_EMAIL, fields={"email": DUPLICATE_EMAIL}) from None
    audit.record(actor or user, "user.created", user, email=email, role=role)
    return user


def recent_failures(email: str, now: datetime | None = None) -> int:
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    since = (now or utcnow()) - window
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.email == email, LoginFailure.at > since)
    ) or 0


def authenticate(email: Any, password: Any) -> User:
    """The user with these credentials.

    Raises TooManyRequests once an email has collected LOGIN_MAX_FAILURES failures
    within LOGIN_WINDOW_SECONDS (whatever the password, until the window passes), and
    Unauthenticated, with one message for an unknown email and a wrong password.

    A failure is committed before Unauthenticated is raised: the caller rolls back
    on errors, and the failure must count all the same. This is the one service
    that commits, for that reason.
    """
    email = normalize_email(email)[:254]
    if recent_failures(email) >= current_app.config["LOGIN_MAX_FAILURES"]:
        # Throttled attempts are not recorded: the window then passes for sure.
        raise TooManyRequests(THROTTLED)
    user = user_by_email(email) if email else None
    password_ok = isinstance(password, str) and check_password_hash(
        user.password_hash if user is not None else _DUMMY_HASH, password
    )
    if user is None or not password_ok:
        if email:
            db.session.add(LoginFailure(email=email))
            db.session.commit()
        logger.info("failed login for %r", email)
        raise Unauthenticated(BAD_CREDENTIALS)
    return user


def issue_token(user: User) -> str:
    """A new API token for the user; only its SHA-256 is stored."""
    from hub.api import hash_token

    token = secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=hash_token(token))
    db.session.add(row)
    audit.record(user, "token.created", row)
    return token


def create_token(data: Mapping[str, Any]) -> str:
    """`{email, password}` -> a new API token (see `authenticate` for the errors)."""
    user = authenticate(data.get("email"), data.get("password"))
    return issue_token(user)


def user_dict(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name}


def me_dict(user: User) -> dict[str, Any]:
    rows = db.session.execute(
        sa.select(Place.slug, Membership.role)
        .join(Membership, Membership.place_id == Place.id)
        .where(Membership.user_id == user.id)
        .order_by(Place.slug)
    ).all()
    return {
        **user_dict(user),
        "roles": user.roles,
        "places": [{"slug": slug, "role": role} for slug, role in rows],
    }
