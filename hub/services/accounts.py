"""Accounts: registration, password checks with throttling, sessions, API tokens."""
from __future__ import annotations

import hashlib
import logging
import math
import secrets
from datetime import datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from hub.errors import Duplicate, NotFound, TooManyRequests, Unauthenticated
from hub.extensions import db
from hub.services import audit
from hub.rules.validation import Fields, id_or_404
from hub.timeutil import to_iso
from models import ApiToken, LoginFailure, Membership, Place, User, utcnow
from models.accounts import GLOBAL_ROLES

logger = logging.getLogger(__name__)

MIN_PASSWORD_LENGTH = 10
# Long enough for any passphrase, short enough that hashing it costs nothing unusual.
MAX_PASSWORD_LENGTH = 200
BAD_CREDENTIALS = "Adresse électronique ou mot de passe incorrect."
THROTTLED = "Trop de tentatives de connexion échouées : réessayez dans {minutes} min."
DUPLICATE_EMAIL = "Un compte existe déjà avec cette adresse électronique."
TOKEN_NOT_FOUND = "Ce jeton n'existe pas."
WRONG_PASSWORD = "Ce n'est pas votre mot de passe actuel."
# last_used_at is written at most this often per token: not a write per API request.
TOKEN_USE_PRECISION = timedelta(hours=1)

# Checked against when the email is unknown, so that an unknown email and a wrong
# password take the same time to refuse.
_DUMMY_HASH = generate_password_hash("maillage-no-such-account", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def normalize_email(email: Any) -> str:
    return email.strip().lower() if isinstance(email, str) else ""


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def new_password(f: Fields, field: str) -> Any:
    password = f.data.get(field)
    if password is None or password == "":
        f.error(field, "Ce champ est obligatoire.")
    elif not isinstance(password, str):
        f.error(field, "Ce champ doit être un texte.")
    elif len(password) < MIN_PASSWORD_LENGTH:
        f.error(field, f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères.")
    elif len(password) > MAX_PASSWORD_LENGTH:
        f.error(field, f"Le mot de passe ne doit pas dépasser {MAX_PASSWORD_LENGTH} caractères.")
    return password


def register(data: Mapping[str, Any], *, role: str | None = None,
             actor: User | None = None) -> User:
    """A new account from `{email, password, name}`; Invalid (422) or Duplicate (409)."""
    f = Fields(data)
    email = f.email("email")
    password = new_password(f, "password")
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


def _wait_for(condition: sa.ColumnElement[bool], limit: int, now: datetime,
              window: timedelta) -> int | None:
    """Seconds until fewer than `limit` failures matching `condition` remain within the
    window, or None if there are fewer already."""
    recent = sa.and_(condition, LoginFailure.at > now - window)
    count = db.session.scalar(sa.select(sa.func.count()).select_from(LoginFailure).where(recent)) or 0
    if count < limit:
        return None
    # The window frees when the (count - limit + 1)th oldest of these failures leaves it.
    leaving = db.session.scalar(
        sa.select(LoginFailure.at).where(recent).order_by(LoginFailure.at)
        .offset(count - limit).limit(1)
    )
    assert leaving is not None
    return max(1, math.ceil((leaving + window - now).total_seconds()))


def throttle_wait(email: str, client: str, now: datetime | None = None) -> int | None:
    """Seconds before `client` may try to log in as `email` again, or None if it may now.

    Counted within LOGIN_WINDOW_SECONDS: LOGIN_MAX_FAILURES for one email from one client;
    LOGIN_CLIENT_MAX_FAILURES from one client whatever the emails (one client trying many
    addresses); above LOGIN_EMAIL_MAX_FAILURES for one email from anywhere, only clients
    that have not failed for it may still try, so that an attacker, however many addresses
    they use, never locks the owner out.
    """
    config = current_app.config
    now = now or utcnow()
    window = timedelta(seconds=config["LOGIN_WINDOW_SECONDS"])
    pair = sa.and_(LoginFailure.email == email, LoginFailure.client == client)
    waits = [
        _wait_for(pair, config["LOGIN_MAX_FAILURES"], now, window),
        _wait_for(LoginFailure.client == client, config["LOGIN_CLIENT_MAX_FAILURES"], now, window),
    ]
    ceiling = _wait_for(LoginFailure.email == email, config["LOGIN_EMAIL_MAX_FAILURES"], now, window)
    if ceiling is not None:
        # This client may try again once its own failures for the email are out of the window.
        own = _wait_for(pair, 1, now, window)
        if own is not None:
            waits.append(min(ceiling, own))
    return max((wait for wait in waits if wait is not None), default=None)


def authenticate(email: Any, password: Any, client: str | None = None) -> User:
    """The user with these credentials, tried from `client` (the request's address).

    Raises TooManyRequests, with `retry_after`, while `throttle_wait` says so (whatever
    the password), and Unauthenticated, with one message for an unknown email and a
    wrong password.

    A failure is committed before Unauthenticated is raised: the caller rolls back
    on errors, and the failure must count all the same. This and `change_password` are
    the services that commit, for that reason.
    """
    email = normalize_email(email)[:254]
    client = (client or "")[:64]
    wait = throttle_wait(email, client)
    if wait is not None:
        # Throttled attempts are not recorded: the window then passes for sure.
        raise TooManyRequests(THROTTLED.format(minutes=math.ceil(wait / 60)), retry_after=wait)
    user = user_by_email(email) if email else None
    password_ok = isinstance(password, str) and check_password_hash(
        user.password_hash if user is not None else _DUMMY_HASH, password
    )
    if user is None or not password_ok:
        db.session.add(LoginFailure(email=email, client=client))
        db.session.commit()
        logger.info("failed login for %r from %r", email, client)
        raise Unauthenticated(BAD_CREDENTIALS)
    return user


# --- sessions -------------------------------------------------------------------------------

def end_all_sessions(user: User) -> None:
    """End every login session of the user, on every device (User.get_id carries the
    version the user_loader checks). A caller that keeps the current one logs in again."""
    user.session_version = User.session_version + 1  # type: ignore[assignment]
    db.session.flush()
    audit.record(user, "user.sessions_ended", user)


def check_current_password(user: User, f: Fields, client: str | None = None) -> None:
    """Check `f`'s `current_password` (an error on that field when wrong or missing).

    A wrong current password counts as a failed log-in, and is throttled like one (a stolen
    session must not be a way around the login throttle); like `authenticate`, the failure
    is committed before the caller raises Invalid."""
    client = (client or "")[:64]
    current = f.data.get("current_password")
    if not isinstance(current, str) or not current:
        f.error("current_password", "Ce champ est obligatoire.")
        return
    wait = throttle_wait(user.email, client)
    if wait is not None:
        raise TooManyRequests(THROTTLED.format(minutes=math.ceil(wait / 60)), retry_after=wait)
    if not check_password_hash(user.password_hash, current[:MAX_PASSWORD_LENGTH + 1]):
        db.session.add(LoginFailure(email=user.email, client=client))
        db.session.commit()
        f.error("current_password", WRONG_PASSWORD)


def change_password(user: User, data: Mapping[str, Any], client: str | None = None) -> None:
    """`{current_password, new_password, new_password_confirm}` from `client`; Invalid (422)
    with fields. Ends every session of the user (the caller logs the current one in again).
    The current password is checked by `check_current_password`.
    """
    f = Fields(data)
    check_current_password(user, f, client)
    new = new_password(f, "new_password")
    if "new_password" not in f.errors and f.data.get("new_password_confirm") != new:
        f.error("new_password_confirm", "Les deux mots de passe ne sont pas identiques.")
    f.check()
    user.password_hash = hash_password(new)
    audit.record(user, "user.password_changed", user)
    end_all_sessions(user)


# --- API tokens -----------------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new API token for the user, valid API_TOKEN_LIFETIME_DAYS; only its SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    lifetime = timedelta(days=current_app.config["API_TOKEN_LIFETIME_DAYS"])
    row = ApiToken(user=user, token_hash=hash_token(token), expires_at=utcnow() + lifetime)
    db.session.add(row)
    audit.record(user, "token.created", row)
    return token, row


def create_token(data: Mapping[str, Any], client: str | None = None) -> tuple[str, ApiToken]:
    """`{email, password}` from `client` -> a new API token (see `authenticate` for the errors)."""
    user = authenticate(data.get("email"), data.get("password"), client)
    return issue_token(user)


def user_tokens(user: User) -> sa.Select:
    """The user's API tokens, newest first (expired ones too, until revoked)."""
    return (sa.select(ApiToken).where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


def newest_tokens(user: User, limit: int) -> list[ApiToken]:
    """The user's `limit` newest API tokens, for the account page."""
    return list(db.session.scalars(user_tokens(user).limit(limit)))


def revoke_token(user: User, token_id: Any) -> None:
    """Delete one of the user's own tokens: it is refused from then on. Another's or an
    unknown id: NotFound."""
    number = id_or_404(token_id, TOKEN_NOT_FOUND)
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.id == number, ApiToken.user_id == user.id))
    if row is None:
        raise NotFound(TOKEN_NOT_FOUND)
    audit.record(user, "token.revoked", row)
    db.session.delete(row)
    db.session.flush()


# A Core statement on the session's connection (its transaction, without the ORM's
# execution layer): it runs for every request, and most of them (bookings above all)
# need nothing of the user but the id. Expiry is checked in the same query; a revoked
# token has no row.
_TOKENS = ApiToken.__table__
_USER_ID_BY_TOKEN = sa.select(_TOKENS.c.user_id, _TOKENS.c.id, _TOKENS.c.last_used_at).where(
    _TOKENS.c.token_hash == sa.bindparam("token_hash"), _TOKENS.c.expires_at > sa.bindparam("now")
)


def token_lookup(token: str | None) -> tuple[int, int | None] | None:
    """(user id, id of the token when its last use should be recorded) for a valid token,
    or None for a missing, unknown, revoked or expired one."""
    if not token:
        return None
    now = utcnow()
    row = db.session.connection().execute(
        _USER_ID_BY_TOKEN, {"token_hash": hash_token(token), "now": now}
    ).first()
    if row is None:
        return None
    stale = row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_PRECISION
    return row.user_id, row.id if stale else None


def user_for_token(token: str | None) -> User | None:
    found = token_lookup(token)
    return db.session.get(User, found[0]) if found is not None else None


def touch_token(token_id: int, now: datetime) -> None:
    """Record a use of the token, unless one was recorded within TOKEN_USE_PRECISION."""
    db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.id == token_id,
               sa.or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - TOKEN_USE_PRECISION))
        .values(last_used_at=now)
    )


def token_dict(row: ApiToken, current_hash: str | None = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "created_at": to_iso(row.created_at),
        "expires_at": to_iso(row.expires_at),
        "last_used_at": to_iso(row.last_used_at),
        "current": row.token_hash == current_hash,
    }


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
        "email_verified": user.email_verified_at is not None,
        "places": [{"slug": slug, "role": role} for slug, role in rows],
    }
