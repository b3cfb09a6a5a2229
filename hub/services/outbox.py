"""Outgoing mail, written to the outbox in the transaction of the change that causes it.

A service renders a message kind (`render`) and queues it (`queue_message`): the whole
message is built then, so a template or header that cannot be rendered fails in the
service's own tests, and a change that rolls back takes its messages with it. The worker
(hub/worker.py) delivers what was committed. Nothing here commits.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import headerregistry, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any, Iterable, Mapping
from urllib.parse import urlsplit, urlunsplit

import css_inline
import jinja2
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from hub.errors import InvalidState, NotFound
from hub.extensions import db
from hub.rules import permissions
from hub.services import audit
from hub.rules.validation import Fields
from hub.timeutil import local
from models import OutboxJob, OutboxMessage, User, utcnow

logger = logging.getLogger(__name__)

# The contract: retried for at least 24 hours on connection errors and 4xx answers.
RETRY_FOR = timedelta(hours=24)
# Set after a commit that queued messages: the in-process worker waits on it, so a message
# leaves within milliseconds instead of at the next poll.
wakeup = threading.Event()
_QUEUED = "maillage_outbox_queued"


class _HeaderClasses(headerregistry.HeaderRegistry):
    """The standard header registry, each header's class made once: the stock registry
    makes a new class (type()) every time a header is set or looked up, a quarter of the
    time a booking's message takes to build."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


# policy.SMTP (CRLF line ends, RFC 5322 headers), with the registry above.
SMTP_POLICY = policy.SMTP.clone(header_factory=_HeaderClasses())


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # e.g. "text/calendar"
    data: bytes | str


def render(template: str, **context: Any) -> tuple[str, str]:
    """The text and HTML bodies of templates/mail/<template>.txt and .html.

    An undefined name is an error, not an empty string: a message with a hole in it
    fails the tests of the service that queues it."""
    env = _mail_env()
    context.setdefault("public_url", current_app.config["PUBLIC_URL"])
    text = env.get_template(f"mail/{template}.txt").render(context)
    # Mail clients drop <style> blocks: every rule goes into the elements' style attributes.
    html = css_inline.inline(env.get_template(f"mail/{template}.html").render(context))
    return text, html


def _mail_env() -> jinja2.Environment:
    # The app's environment (loader, filters, autoescape of .html) without the pages'
    # context processors, which need a request.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    env = app.extensions.get("maillage_mail_env")
    if env is None:
        env = app.extensions["maillage_mail_env"] = app.jinja_env.overlay(undefined=jinja2.StrictUndefined)
    return env


def build_message(event: str, to: str, subject: str, text: str, html: str, *,
                  sender: str, now: datetime, headers: Mapping[str, str] | None = None,
                  attachments: Iterable[Attachment] = (), booking_id: int | None = None) -> EmailMessage:
    message = EmailMessage(policy=SMTP_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(local(now))
    domain = parseaddr(sender)[1].rpartition("@")[2] or "maillage.localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message["X-Maillage-Event"] = event
    if booking_id is not None:
        message["X-Maillage-Booking"] = str(booking_id)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for attachment in attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        if isinstance(attachment.data, str):
            message.add_attachment(attachment.data, subtype=subtype, filename=attachment.filename)
        else:
            message.add_attachment(attachment.data, maintype=maintype, subtype=subtype,
                                   filename=attachment.filename)
    # After the bodies: set_content() drops the Content-* headers already set.
    message["Content-Language"] = "fr"
    return message


def queue_message(event: str, to: str, subject: str, text: str, html: str,
                  headers: Mapping[str, str] | None = None, attachments: Iterable[Attachment] = (),
                  booking_id: int | None = None) -> OutboxMessage:
    """Write a message to the outbox, in the current transaction (never committed here)."""
    now = utcnow()
    message = build_message(event, to, subject, text, html, sender=current_app.config["MAIL_FROM"],
                            now=now, headers=headers, attachments=attachments, booking_id=booking_id)
    row = OutboxMessage(
        event=event,
        recipient=to,
        subject=subject,
        raw=message.as_bytes(policy=SMTP_POLICY),
        booking_id=booking_id,
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
        retry_until=now + RETRY_FOR,
    )
    db.session.add(row)
    wake_after_commit()
    return row


def wake_after_commit() -> None:
    """Have the in-process worker look at once after the current transaction commits
    (something was written for it: a message, or a job to turn into messages)."""
    db.session.info[_QUEUED] = True


def send_test_message(to: str) -> OutboxMessage:
    """A message that only checks the mail setup (`flask --app app mail-test EMAIL`)."""
    fields = Fields({"email": to})
    address = fields.email()
    fields.check("L'adresse du destinataire est invalide.")
    assert address is not None
    text, html = render("test", mail_url=_shown_mail_url(), sent_at=local(utcnow()))
    return queue_message("mail.test", address, "Maillage : message de test", text, html)


def _shown_mail_url() -> str:
    url = current_app.config.get("MAIL_URL")
    return without_password(url) if url else "aucun serveur : fichiers .eml dans le dossier instance/mail"


def without_password(url: str) -> str:
    """A MAIL_URL fit to show: its password hidden."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{parts.hostname}{port}"))


# ---------------------------------------------------------------- the admin page

EVENT_LABELS = {
    "booking.pending": "Nouvelle demande de réservation",
    "booking.confirmed": "Réservation confirmée",
    "booking.refused": "Réservation refusée",
    "booking.cancelled": "Réservation annulée",
    "booking.waitlisted": "Inscription en liste d'attente",
    "booking.reminder": "Rappel de réservation",
    "account.verify": "Vérification de l'adresse",
    "password.reset": "Mot de passe oublié",
    "place.invitation": "Invitation dans un lieu",
    "place.join_request": "Demande pour rejoindre un lieu",
    "place.join_decided": "Réponse à une demande pour rejoindre un lieu",
    "place.member_added": "Ajout dans un lieu",
    "mail.test": "Message de test",
}

# What an OutboxJob prepares (models.outbox.OUTBOX_JOB_KINDS), in the admins' words.
JOB_LABELS = {
    "booking.created": "Messages d'une nouvelle réservation",
}


def may_see_deliveries(user: User) -> bool:
    """Deliveries show every address the platform writes to (hub.rules.permissions)."""
    return bool(user.is_authenticated) and permissions.may_supervise_mail(
        permissions.Actor(user_id=user.id, role=user.role))



@dataclass(frozen=True)
class Deliveries:
    pending: list[OutboxMessage]
    failed: list[OutboxMessage]
    pending_total: int
    failed_total: int
    # Messages still to be built (OutboxJob): those set aside after failing, and how
    # many wait for the worker.
    failed_jobs: list[OutboxJob]
    jobs_waiting: int


def deliveries(limit: int = 200) -> Deliveries:
    """The messages still to deliver and those given up, newest first."""
    def listed(status: str) -> tuple[list[OutboxMessage], int]:
        rows = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.status == status)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
            .options(sa.orm.defer(OutboxMessage.raw))
        ).all()
        total = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.status == status))
        return list(rows), int(total or 0)

    pending, pending_total = listed("pending")
    failed, failed_total = listed("failed")
    failed_jobs = db.session.scalars(
        sa.select(OutboxJob).where(OutboxJob.failed_at.is_not(None))
        .order_by(OutboxJob.created_at.desc(), OutboxJob.id.desc()).limit(limit)
    ).all()
    waiting = db.session.scalar(
        sa.select(sa.func.count()).where(OutboxJob.failed_at.is_(None)))
    return Deliveries(pending, failed, pending_total, failed_total, list(failed_jobs), int(waiting or 0))


def retry(message_id: int, actor: User) -> OutboxMessage:
    """Put a failed message back in the queue, with a fresh 24 hours of retries."""
    message = db.session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFound("Ce message n'existe pas.")
    if message.status != "failed":
        raise InvalidState("Ce message n'est pas en échec : il n'y a rien à relancer.")
    now = utcnow()
    message.status = "pending"
    message.next_attempt_at = now
    message.retry_until = now + RETRY_FOR
    message.claimed_until = None
    message.claimed_by = None
    db.session.info[_QUEUED] = True
    audit.record(actor, "outbox.retried", message, event=message.event)
    return message


def retry_job(job_id: int, actor: User) -> OutboxJob:
    """Give a job set aside after failing a fresh series of attempts (once its cause,
    a template say, is fixed)."""
    job = db.session.get(OutboxJob, job_id, with_for_update=True)
    if job is None:
        raise NotFound("Ces messages ne sont plus à préparer.")
    if job.failed_at is None:
        raise InvalidState("Ces messages ne sont pas en échec : ils sont en cours de préparation.")
    job.failed_at = None
    job.attempts = 0
    job.claimed_until = None
    job.claimed_by = None
    db.session.info[_QUEUED] = True
    audit.record(actor, "outbox.job_retried", job, booking=job.booking_id)
    return job


@sa.event.listens_for(Session, "after_commit")
def _wake_worker(session: Session) -> None:
    if session.info.pop(_QUEUED, False):
        wakeup.set()


@sa.event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_QUEUED, None)
