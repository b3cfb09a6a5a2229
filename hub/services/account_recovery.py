"""Links sent by mail that work once: email verification, password reset, and the tokens
behind invitations (hub/services/membership.py uses them).

Only a token's SHA-256 is stored (like API tokens); the token itself exists only in the
message's link. Every message goes through hub.services.notifications.notify, in the
transaction of the change, and nothing here commits.
"""
from __future__ import annotations

import logging
import secrets
from email import policy
from datetime import datetime, timedelta
from typing import Any, Mapping

import sqlalchemy as sa
from flask import current_app

from hub.errors import Duplicate, Invalid
from hub.extensions import db
from hub.rules.validation import Fields
from hub.services import accounts, audit, outbox
from hub.services.notifications import notify
from models import ApiToken, LoginFailure, OneTimeToken, User, utcnow

logger = logging.getLogger(__name__)

VERIFY_LIFETIME = timedelta(days=7)
# The contract: a reset link is valid one hour, once.
RESET_LIFETIME = timedelta(hours=1)
INVITATION_LIFETIME = timedelta(days=14)
# The contract: at most 5 reset messages an hour for one address. Verification messages
# (resent from the banner, or for a new address) have the same ceiling.
MESSAGES_PER_HOUR = 5
THROTTLE_WINDOW = timedelta(hours=1)

BAD_TOKEN = "Ce lien n'est pas valable : il a expiré, a déjà servi ou est incomplet."


# --- one-time tokens -------------------------------------------------------------------------

def issue(purpose: str, email: str, lifetime: timedelta, *, user: User | None = None,
          place_id: int | None = None, role: str | None = None) -> str:
    """A new single-use token for `purpose`; returns the token (only its hash is kept)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(OneTimeToken(
        purpose=purpose, token_hash=accounts.hash_token(token), user_id=user.id if user else None,
        email=email, place_id=place_id, role=role, created_at=now, expires_at=now + lifetime,
    ))
    return token


def valid_token(purpose: str, token: Any, *, lock: bool = False) -> OneTimeToken | None:
    """The unused, unexpired token of `purpose`, or None for anything else (unknown, used,
    expired, of another purpose, not a string). `lock` holds its row until the commit, so
    that two requests racing with one link cannot both use it (PostgreSQL; SQLite's write
    transactions are serialised anyway)."""
    if not isinstance(token, str) or not token.strip() or len(token) > 200:
        return None
    query = sa.select(OneTimeToken).where(
        OneTimeToken.token_hash == accounts.hash_token(token.strip()),
        OneTimeToken.purpose == purpose,
        OneTimeToken.used_at.is_(None),
        OneTimeToken.expires_at > utcnow(),
    )
    if lock:
        query = query.with_for_update()
    return db.session.scalar(query)


def use(row: OneTimeToken) -> None:
    row.used_at = utcnow()


def recent_count(purpose: str, email: str, now: datetime | None = None) -> int:
    """How many `purpose` tokens were issued for `email` within the throttle window."""
    since = (now or utcnow()) - THROTTLE_WINDOW
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(OneTimeToken)
        .where(OneTimeToken.email == email, OneTimeToken.purpose == purpose,
               OneTimeToken.created_at > since)
    ) or 0


def absolute(path: str) -> str:
    """A link of a message: absolute, under PUBLIC_URL (the contract)."""
    return f"{current_app.config['PUBLIC_URL']}{path}"


def link(path: str, token: str) -> str:
    return absolute(f"{path}?token={token}")


def _token_field(data: Mapping[str, Any]) -> Any:
    token = data.get("token")
    if token is None or token == "":
        raise Invalid(fields={"token": "Ce champ est obligatoire."})
    return token


# --- email verification ----------------------------------------------------------------------

def send_verification(user: User, email: str | None = None) -> bool:
    """Send account.verify for `email` (the user's own by default, or the new address of an
    email change); False, and nothing queued, past MESSAGES_PER_HOUR for that address."""
    email = email or user.email
    if recent_count("verify", email) >= MESSAGES_PER_HOUR:
        logger.info("verification message to %s throttled", email)
        return False
    token = issue("verify", email, VERIFY_LIFETIME, user=user)
    recipient = user if email == user.email else User(email=email, name=user.name)
    notify("account.verify", [recipient], "account_verify", "Maillage : confirmez votre adresse électronique",
           {"link": link("/compte/verifier", token), "name": user.name, "email": email,
            "change": email != user.email, "valid_days": VERIFY_LIFETIME.days})
    return True


def verify_email(data: Mapping[str, Any]) -> User:
    """`{token}` of an account.verify link: the address is verified (and becomes the
    account's, for an email change). Invalid with fields.token for a bad token;
    Duplicate when the new address was taken by another account meanwhile."""
    row = valid_token("verify", _token_field(data), lock=True)
    if row is None:
        raise Invalid(BAD_TOKEN, fields={"token": BAD_TOKEN})
    user = db.session.get(User, row.user_id)
    assert user is not None  # the token goes with its user (ON DELETE CASCADE)
    if row.email != user.email:
        if accounts.user_by_email(row.email) is not None:
            raise Duplicate(accounts.DUPLICATE_EMAIL, fields={"email": accounts.DUPLICATE_EMAIL})
        previous = user.email
        # An account registered with that address between the check and here: the UNIQUE
        # constraint refuses it, which must read as a duplicate, not a crash.
        try:
            with db.session.begin_nested():
                user.email = row.email
        except sa.exc.IntegrityError:
            raise Duplicate(accounts.DUPLICATE_EMAIL, fields={"email": accounts.DUPLICATE_EMAIL}) from None
        # Other links for the old address, or for other addresses, lose their point.
        _use_all(user, "verify")
        audit.record(user, "user.email_changed", user, email=row.email, previous=previous)
    use(row)
    user.email_verified_at = utcnow()
    audit.record(user, "user.email_verified", user, email=user.email)
    return user


def pending_email(user: User) -> str | None:
    """The new address an email change waits on (its link not followed yet), if any."""
    return db.session.scalar(
        sa.select(OneTimeToken.email)
        .where(OneTimeToken.user_id == user.id, OneTimeToken.purpose == "verify",
               OneTimeToken.email != user.email, OneTimeToken.used_at.is_(None),
               OneTimeToken.expires_at > utcnow())
        .order_by(OneTimeToken.created_at.desc(), OneTimeToken.id.desc()).limit(1)
    )


def _use_all(user: User, purpose: str) -> None:
    db.session.execute(
        sa.update(OneTimeToken)
        .where(OneTimeToken.user_id == user.id, OneTimeToken.purpose == purpose,
               OneTimeToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


# --- "Mon compte": name and email ------------------------------------------------------------

def change_name(user: User, data: Mapping[str, Any]) -> None:
    f = Fields(data)
    name = f.text("name", required=True, max_len=120)
    f.check()
    assert name is not None
    if name != user.name:
        audit.record(user, "user.renamed", user, name=name, previous=user.name)
        user.name = name


def request_email_change(user: User, data: Mapping[str, Any], client: str | None = None) -> str:
    """`{email, current_password}`: the new address gets account.verify, and becomes the
    account's only when its link is followed (a typo cannot lock the owner out). Returns the
    new address. Invalid with fields; Duplicate when another account has it; TooManyRequests
    like a wrong password at log-in."""
    f = Fields(data)
    email = f.email("email")
    accounts.check_current_password(user, f, client)
    if email is not None and email == user.email:
        f.error("email", "C'est déjà l'adresse de votre compte.")
    f.check()
    assert email is not None
    if accounts.user_by_email(email) is not None:
        raise Duplicate(accounts.DUPLICATE_EMAIL, fields={"email": accounts.DUPLICATE_EMAIL})
    if not send_verification(user, email):
        raise Invalid(fields={"email": "Trop de messages envoyés à cette adresse : réessayez dans une heure."})
    audit.record(user, "user.email_change_requested", user, email=email)
    return email


# --- password reset --------------------------------------------------------------------------

def request_reset(data: Mapping[str, Any]) -> None:
    """`{email}`: send password.reset to that account, if there is one, at most
    MESSAGES_PER_HOUR times an hour. The caller answers the same whatever happens, and the
    work is the same for an unknown address (a message rendered, not queued) so that the
    time taken does not tell them apart either."""
    f = Fields(data)
    email = f.email("email")
    f.check()
    assert email is not None
    user = db.session.scalar(sa.select(User).where(User.email == email).with_for_update())
    throttled = recent_count("reset", email) >= MESSAGES_PER_HOUR
    if user is None or throttled:
        # The same message built as for an account (rendering and the email package are most
        # of the time a request takes), sent nowhere.
        _build_unsent(email)
        if user is not None:
            logger.info("password reset for %s throttled", email)
        # Asks for unknown addresses are worth a trace (someone probing for accounts), and
        # the write and its commit are the rest of what an account's ask costs.
        audit.record(None, "user.password_reset_requested", None, email=email, sent=False)
        return
    token = issue("reset", email, RESET_LIFETIME, user=user)
    notify("password.reset", [user], "password_reset", RESET_SUBJECT, _reset_context(user.name, token))
    audit.record(None, "user.password_reset_requested", user, email=email, sent=True)


RESET_SUBJECT = "Maillage : choisissez un nouveau mot de passe"


def _reset_context(name: str, token: str) -> dict[str, Any]:
    return {"link": link("/mot-de-passe/nouveau", token), "name": name,
            "valid_minutes": int(RESET_LIFETIME.total_seconds() // 60)}


def _build_unsent(email: str) -> None:
    text, html = outbox.render("password_reset", recipient=User(email=email, name=""),
                               **_reset_context("", secrets.token_urlsafe(32)))
    outbox.build_message("password.reset", email, RESET_SUBJECT, text, html,
                         sender=current_app.config["MAIL_FROM"], now=utcnow()).as_bytes(policy=policy.SMTP)


def reset_token_user(token: Any) -> User | None:
    """The account a reset link is for, while it is valid (the page that sets a password)."""
    row = valid_token("reset", token)
    return db.session.get(User, row.user_id) if row is not None else None


def confirm_reset(data: Mapping[str, Any]) -> User:
    """`{token, password}`: the new password; every API token of the account is revoked
    and every session ended. Invalid with fields.token or fields.password."""
    f = Fields(data)
    token = data.get("token")
    row = valid_token("reset", token, lock=True) if token not in (None, "") else None
    if token in (None, ""):
        f.error("token", "Ce champ est obligatoire.")
    elif row is None:
        f.error("token", BAD_TOKEN)
    password = accounts.new_password(f, "password")
    if "password" not in f.errors and "password_confirm" in data and data.get("password_confirm") != password:
        f.error("password_confirm", "Les deux mots de passe ne sont pas identiques.")
    f.check(BAD_TOKEN if "token" in f.errors else None)
    assert row is not None and isinstance(password, str)
    user = db.session.get(User, row.user_id)
    assert user is not None
    user.password_hash = accounts.hash_password(password)
    # Any other reset link sent meanwhile stops working with this one.
    _use_all(user, "reset")
    if row.email == user.email and user.email_verified_at is None:
        user.email_verified_at = utcnow()
    revoked = db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount
    # Whoever was locked out by failed log-ins (their own, or someone's guessing) may log in.
    db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == user.email))
    audit.record(user, "user.password_reset", user, tokens_revoked=revoked)
    accounts.end_all_sessions(user)
    return user
