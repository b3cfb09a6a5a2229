"""Who is told of what: one entry point for every message sent to a user.

Services call `notify(...)` in the transaction of the change; the message goes through the
outbox (hub/services/outbox.py). The events that a preference covers (the contract's
"Messages") are dropped for users who turned their category off, and carry the RFC 8058
one-click unsubscribe headers: a link under PUBLIC_URL holding a signed token (user id and
category, signed with SECRET_KEY) that a POST, without logging in, turns into "off".

Also here: reading and changing the preferences (the API, the "Mes notifications" page and
the unsubscribe link share `update_preferences`).
"""
from __future__ import annotations

import logging
from typing import Any, Iterable, Mapping

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from hub.errors import Invalid, NotFound
from hub.extensions import db
from hub.services import audit, outbox
from hub.services.outbox import Attachment
from models import NOTIFICATION_CATEGORIES, NotificationPreference, User

logger = logging.getLogger(__name__)

# Where the unsubscribe links point (hub/web/notifications.py serves it).
UNSUBSCRIBE_PATH = "/desabonnement/"
_UNSUBSCRIBE_SALT = "maillage.unsubscribe"

# The preference that covers each event; events absent from this table are always sent
# (accounts, invitations, join decisions).
CATEGORY = {
    "booking.pending": "booking_requests",
    "place.join_request": "booking_requests",
    "booking.confirmed": "booking_updates",
    "booking.refused": "booking_updates",
    "booking.cancelled": "booking_updates",
    "booking.waitlisted": "booking_updates",
    "booking.moved": "booking_updates",
    "booking.reminder": "reminders",
    "loan.due": "reminders",
    "loan.overdue": "booking_updates",
    "qualification.expiring": "reminders",
}


def notify(event: str, recipients: Iterable[User], template: str, subject: str,
           context: dict[str, Any] | None = None, *, booking_id: int | None = None,
           attachments: Iterable[Attachment] = ()) -> int:
    """Queue `event` for each recipient (each address once); returns how many were queued.

    `template` names templates/mail/<template>.txt and .html; they get `context` plus
    `recipient` (the User)."""
    attachments = tuple(attachments)
    category = CATEGORY.get(event)
    seen: set[str] = set()
    queued = 0
    for user in recipients:
        if user.email in seen:
            continue
        seen.add(user.email)
        if category is not None and not wants(user, category):
            continue
        extra: dict[str, Any] = {}
        headers: dict[str, str] = {}
        if category is not None:
            headers = unsubscribe_headers(user, category)
            # The same link in the message's footer, for people rather than mail clients.
            extra["unsubscribe_url"] = headers["List-Unsubscribe"][1:-1]
        text, html = outbox.render(template, recipient=user, **(context or {}), **extra)
        outbox.queue_message(event, user.email, subject, text, html, headers=headers,
                             attachments=attachments, booking_id=booking_id)
        queued += 1
    return queued


def wants(user: User, category: str) -> bool:
    """Whether `user` keeps messages of `category` (all on by default). Callers that
    tell many users load `User.notification_preferences` with them: no query each."""
    preferences = user.notification_preferences
    return True if preferences is None else bool(getattr(preferences, category))


def unsubscribe_url(user: User | int, category: str) -> str:
    user_id = user if isinstance(user, int) else user.id
    token = _serializer().dumps([user_id, category])
    return f"{current_app.config['PUBLIC_URL']}{UNSUBSCRIBE_PATH}{token}"


def unsubscribe_headers(user: User, category: str) -> dict[str, str]:
    """The List-Unsubscribe headers (RFC 8058) of a message in `category` sent to `user`."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user, category)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT)


# ---------------------------------------------------------------- preferences

def preferences_dict(user: User) -> dict[str, bool]:
    """`GET /me/notifications`: every category, on unless turned off."""
    return {category: wants(user, category) for category in NOTIFICATION_CATEGORIES}


def update_preferences(user: User, data: Mapping[str, Any]) -> dict[str, bool]:
    """Change any of the categories (JSON booleans); the whole object afterwards.

    Keys that are no category are ignored (the contract's convention for request
    bodies), but a body that names none of them is refused: it would change nothing,
    and is most likely a misspelt key."""
    errors: dict[str, str] = {}
    changes: dict[str, bool] = {}
    for category in NOTIFICATION_CATEGORIES:
        if category not in data:
            continue
        value = data[category]
        if isinstance(value, bool):
            changes[category] = value
        else:
            errors[category] = "Indiquez true ou false."
    if errors:
        raise Invalid("Préférences invalides.", fields=errors)
    if not changes:
        unknown = {str(key)[:100]: "Préférence inconnue." for key in list(data)[:20]}
        raise Invalid("Indiquez au moins une préférence : " + ", ".join(NOTIFICATION_CATEGORIES) + ".",
                      fields=unknown or None)
    preferences = user.notification_preferences
    if preferences is None:
        preferences = user.notification_preferences = NotificationPreference(user_id=user.id)
        # The columns' defaults apply at INSERT only; the object answers wants() before it.
        for category in NOTIFICATION_CATEGORIES:
            setattr(preferences, category, True)
    changed = {c: v for c, v in changes.items() if getattr(preferences, c) != v}
    for category, value in changed.items():
        setattr(preferences, category, value)
    db.session.flush()
    if changed:
        audit.record(user, "notifications.updated", ("user", user.id), **changed)
    return preferences_dict(user)


def read_unsubscribe_token(token: str) -> tuple[User, str]:
    """The user and category of an unsubscribe link, or NotFound (forged, damaged, or
    its account gone)."""
    try:
        user_id, category = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        raise NotFound("Ce lien de désabonnement n'est pas valide.") from None
    if not isinstance(user_id, int) or category not in NOTIFICATION_CATEGORIES:
        raise NotFound("Ce lien de désabonnement n'est pas valide.")
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Ce lien de désabonnement n'est pas valide.")
    return user, category


def unsubscribe(token: str) -> tuple[User, str]:
    """Turn off the category of an unsubscribe link (again is fine): (user, category)."""
    user, category = read_unsubscribe_token(token)
    update_preferences(user, {category: False})
    return user, category
