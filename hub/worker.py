"""Delivery of the outbox: the worker that `python app.py` runs in a thread and
`flask --app app worker` runs as its own service. Before each delivery pass it builds the
messages of the jobs the requests left (`run_jobs`), under the same kind of lease.

Any number of workers, in any number of processes, share the outbox without sending a
message twice: a worker claims a few due messages in one short transaction (PostgreSQL:
`FOR UPDATE SKIP LOCKED`, so workers take different rows; SQLite: the write lock, so one
claim at a time), sends them outside any transaction, and records each outcome in a
transaction of its own, only if it still holds the claim. The claim is a lease: the
messages of a worker that died holding them are due again once it expires. The one window
left is a worker dying after the mail server accepted a message and before it recorded
so; the message then goes again, with the same Message-ID.
"""
from __future__ import annotations

import base64
import functools
import logging
import os
import smtplib
import socket
import ssl
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Callable, Protocol
from urllib.parse import unquote, urlsplit

import sqlalchemy as sa
from flask import Flask

from hub.db import read_only
from hub.extensions import db
from hub.services import booking_messages, loans, outbox
from models import OutboxJob, OutboxMessage, utcnow

logger = logging.getLogger(__name__)

POLL_SECONDS = 1.0
BATCH = 20
LEASE = timedelta(minutes=5)
# A job's messages that still cannot be built after this many leases (half an hour) will
# not be built by waiting: the job is set aside for the admins' page (hub/web/outbox.py).
JOB_ATTEMPTS = 6
SMTP_TIMEOUT = 30.0
# The running worker keeps its SMTP connection this long after the last message: one
# connection for a stream of messages, not one per message.
KEEP_OPEN_SECONDS = 10.0
# Growing delays between attempts, in seconds; then hourly until the message's retry_until.
RETRY_DELAYS = (10, 30, 60, 2 * 60, 5 * 60, 10 * 60, 30 * 60)
RETRY_CAP = 60 * 60
# How often the running worker queues the reminders of bookings starting within 24 hours.
REMINDER_SECONDS = 5 * 60


class Transport(Protocol):
    def send(self, message: Claimed) -> str: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Claimed:
    id: int
    recipient: str
    raw: bytes
    attempts: int
    created_at: datetime
    retry_until: datetime


class ConnectionLost(Exception):
    """The mail server cannot be reached: the rest of the batch would fail the same way."""


class SmtpTransport:
    """A connection opened on the first message and kept until `close()`."""

    def __init__(self, url: str, sender: str, timeout: float = SMTP_TIMEOUT) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("MAIL_URL must be smtp://[user:password@]host:port or smtps://…")
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = parseaddr(sender)[1]
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None
        self._used = 0.0

    def _connect(self) -> smtplib.SMTP:
        smtp: smtplib.SMTP
        if self.tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, local_hostname=_local_hostname(),
                                    timeout=self.timeout, context=_tls_context())
        else:
            smtp = smtplib.SMTP(self.host, self.port, local_hostname=_local_hostname(), timeout=self.timeout)
        try:
            smtp.ehlo()
            if not self.tls and smtp.has_extn("starttls"):
                smtp.starttls(context=_tls_context())
                smtp.ehlo()
            if self.username:
                self._login(smtp, self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    @staticmethod
    def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
        if (username + password).isascii():
            smtp.login(username, password)
            return
        # smtplib encodes credentials as ASCII; AUTH PLAIN carries UTF-8 (RFC 4616).
        credentials = base64.b64encode(f"\0{username}\0{password}".encode()).decode("ascii")
        code, reply = smtp.docmd("AUTH", "PLAIN " + credentials)
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply)

    def send(self, message: Claimed) -> str:
        if self._smtp is not None and time.monotonic() - self._used > 1.0 and not self._alive():
            self.close()
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._used = time.monotonic()
            options = [] if message.recipient.isascii() else ["SMTPUTF8"]
            # The stored bytes already have CRLF line ends and folded headers (policy.SMTP).
            self._smtp.sendmail(self.sender, [message.recipient], message.raw, mail_options=options)
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused):
            raise  # an answer: the connection is still good
        except OSError as exc:  # smtplib.SMTPException is one too
            self.close()
            raise ConnectionLost(f"{type(exc).__name__}: {exc}") from exc
        return f"{self.host}:{self.port}"

    def _alive(self) -> bool:
        # A connection left idle may have been dropped by the server: found out here, not
        # in the middle of a message, where it would count as a failed attempt.
        assert self._smtp is not None
        try:
            return self._smtp.noop()[0] == 250
        except OSError:
            return False

    def close(self) -> None:
        if self._smtp is None:
            return
        smtp, self._smtp = self._smtp, None
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


@functools.cache
def _local_hostname() -> str:
    # What smtplib asks the resolver for on every connection otherwise.
    return socket.getfqdn()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # Loading the system's CA bundle takes ~0.1 s: once per process, not per connection.
    return ssl.create_default_context()


class FileTransport:
    """Without MAIL_URL: each message becomes an .eml file, so development needs no server."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)

    def send(self, message: Claimed) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Named after the message: a second attempt rewrites the same file.
        path = self.directory / f"{message.created_at:%Y%m%d-%H%M%S}-{message.id}.eml"
        partial = path.with_suffix(".eml.part")
        partial.write_bytes(message.raw)
        os.replace(partial, path)
        logger.info("message %s to %s written to %s", message.id, message.recipient, path)
        return str(path)

    def close(self) -> None:
        pass


def transport_for(config: dict[str, Any]) -> Transport:
    if config.get("MAIL_URL"):
        return SmtpTransport(config["MAIL_URL"], config["MAIL_FROM"])
    return FileTransport(config["MAIL_DIR"])


def classify(exc: BaseException) -> tuple[bool, str]:
    """(whether to try again, the error as kept for the admin page). Only a 5xx answer
    is final; connection errors, 4xx answers and anything unforeseen are retried."""
    code: int | None = None
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code, text = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
    if code is None:
        return True, str(exc) if isinstance(exc, ConnectionLost) else f"{type(exc).__name__}: {exc}"
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return not 500 <= code < 600, f"{code} {text}"


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt."""
    seconds = RETRY_DELAYS[attempts - 1] if attempts <= len(RETRY_DELAYS) else RETRY_CAP
    return timedelta(seconds=seconds)


class Worker:
    def __init__(self, app: Flask, *, name: str | None = None, batch: int = BATCH,
                 lease: timedelta = LEASE) -> None:
        self.app = app
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.batch = batch
        self.lease = lease
        # Set by run()'s caller to stop: the batch in hand stops after its current message.
        self._stop: threading.Event | None = None

    # ------------------------------------------------------------ claims

    def _due(self, now: datetime) -> sa.ColumnElement[bool]:
        m = OutboxMessage
        return sa.and_(m.status == "pending", m.next_attempt_at <= now,
                       sa.or_(m.claimed_until.is_(None), m.claimed_until <= now))

    def claim(self, now: datetime, ids: list[int] | None = None) -> tuple[str, list[Claimed]]:
        """Take up to `batch` due messages for the lease; (the claim's token, them)."""
        m = OutboxMessage
        condition = self._due(now) if ids is None else sa.and_(self._due(now), m.id.in_(ids))
        token, rows = self._lease(m, condition, (m.next_attempt_at, m.id),
                                  (m.id, m.recipient, m.raw, m.attempts, m.created_at, m.retry_until), now)
        return token, [Claimed(*row) for row in rows]

    def _lease(self, model: type[OutboxMessage] | type[OutboxJob], condition: sa.ColumnElement[bool],
               order: tuple[Any, ...], columns: tuple[Any, ...], now: datetime) -> tuple[str, list[sa.Row[Any]]]:
        """Claim up to `batch` rows of `model` (messages or jobs) that meet `condition`,
        in one short transaction; (the claim's token, the `columns` of the rows taken)."""
        # A look first, without the write lock: an idle worker polling SQLite every
        # second must not queue behind the requests that write.
        with read_only():
            found = db.session.scalar(sa.select(model.id).where(condition).limit(1))
            db.session.rollback()
        if found is None:
            return "", []
        token = f"{self.name}/{uuid.uuid4().hex[:12]}"[-64:]
        try:
            taken = db.session.scalars(
                sa.select(model.id).where(condition).order_by(*order)
                .limit(self.batch).with_for_update(skip_locked=True)
            ).all()
            if not taken:
                db.session.rollback()
                return "", []
            db.session.execute(
                sa.update(model).where(model.id.in_(taken), condition)
                .values(claimed_until=now + self.lease, claimed_by=token)
            )
            rows = db.session.execute(
                sa.select(*columns).where(model.claimed_by == token).order_by(*order)
            ).all()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return token, list(rows)

    # ------------------------------------------------------------ jobs

    def run_jobs(self, now: datetime | None = None) -> int:
        """Claim a batch of jobs (hub.services.booking_messages.queue_created) and turn
        each into its messages; how many jobs were claimed.

        Each job's messages are built, then queued in the transaction that deletes the
        job, only if the claim still holds: both commit together, so a job yields its
        messages once. A job that fails (a template error, say) is logged and stays claimed: it
        is taken again when its lease expires, as is the job of a worker that died."""
        with self.app.app_context():
            token, jobs = self.claim_jobs(now or utcnow())
            self.build(token, jobs)
        return len(jobs)

    def claim_jobs(self, now: datetime) -> tuple[str, list[sa.Row[Any]]]:
        """Take up to `batch` jobs for the lease, oldest first; (the claim's token, them)."""
        j = OutboxJob
        due = sa.and_(j.failed_at.is_(None), sa.or_(j.claimed_until.is_(None), j.claimed_until <= now))
        return self._lease(j, due, (j.id,),
                           (j.id, j.kind, j.booking_id, j.status, j.created_at, j.attempts), now)

    def build(self, token: str, jobs: list[sa.Row[Any]]) -> None:
        """Turn claimed jobs into their messages (see run_jobs), in an app context."""
        j = OutboxJob
        for job in jobs:
            try:
                # Rendered in a read transaction, then written in a short one: on SQLite,
                # rendering under the write lock (~15 ms a booking) would stall every
                # request that writes meanwhile.
                with read_only(), db.session.no_autoflush:
                    booking_messages.run_job(job.kind, job.booking_id, job.status)
                    built = [row for row in db.session.new if isinstance(row, OutboxMessage)]
                    for row in built:
                        db.session.expunge(row)
                    db.session.rollback()
                # The deletion and the messages commit together, only if the claim still
                # holds: whatever happens, a job's messages are queued once.
                deleted = db.session.execute(
                    sa.delete(j).where(j.id == job.id, j.claimed_by == token)
                    .execution_options(synchronize_session=False)
                ).rowcount
                if deleted != 1:
                    db.session.rollback()
                    logger.warning("outbox job %s: lease lost before it was done", job.id)
                    continue
                for row in built:
                    # Due from the change that caused them: delivered before the messages
                    # of later changes to the same booking (a cancellation made before
                    # this job was built, or while the worker was down).
                    row.next_attempt_at = min(row.next_attempt_at, job.created_at)
                db.session.add_all(built)
                outbox.wake_after_commit()
                db.session.commit()
            except Exception as error:  # noqa: BLE001  (logged and counted, see _job_failed)
                db.session.rollback()
                given_up = self._job_failed(token, job, error)
                logger.exception("outbox job %s (%s, booking %s) failed; %s", job.id, job.kind,
                                 job.booking_id, "it is set aside for an admin" if given_up
                                 else "it is tried again when its lease expires")

    def _job_failed(self, token: str, job: sa.Row[Any], error: Exception) -> bool:
        """Count a failed attempt of a claimed job (the lease stays: it is tried again when
        the lease expires); after JOB_ATTEMPTS, set it aside for the admins' page. Whether it
        was set aside."""
        j = OutboxJob
        attempts = job.attempts + 1
        values: dict[str, Any] = {"attempts": attempts, "last_error": f"{type(error).__name__}: {error}"[:2000]}
        if attempts >= JOB_ATTEMPTS:
            values.update(failed_at=utcnow(), claimed_until=None, claimed_by=None)
        try:
            db.session.execute(sa.update(j).where(j.id == job.id, j.claimed_by == token).values(**values))
            db.session.commit()
        except Exception:  # noqa: BLE001  (the count is lost, the job is kept: tried again)
            db.session.rollback()
            logger.exception("outbox job %s: its failure could not be recorded", job.id)
            return False
        return attempts >= JOB_ATTEMPTS

    def _settle(self, token: str, message_id: int, **values: Any) -> None:
        """Record an outcome, if the claim still holds (else another worker took over)."""
        m = OutboxMessage
        values.setdefault("claimed_until", None)
        values.setdefault("claimed_by", None)
        result = db.session.execute(
            sa.update(m).where(m.id == message_id, m.claimed_by == token).values(**values)
        )
        db.session.commit()
        if result.rowcount != 1:
            logger.warning("outbox message %s: lease lost before its outcome was recorded", message_id)

    # ------------------------------------------------------------ delivery

    def run_once(self, now: datetime | None = None, ids: list[int] | None = None,
                 transport: Transport | None = None) -> int:
        """Claim and deliver one batch; how many messages it held. `now` moves the
        clock (tests), `ids` restricts the claim (`mail-test --now`); a `transport`
        given stays open afterwards."""
        start = now or utcnow()
        started = time.monotonic()

        def clock() -> datetime:
            return start + timedelta(seconds=time.monotonic() - started)

        with self.app.app_context():
            own = transport is None
            # Before the claim: a bad MAIL_URL leaves the messages unclaimed.
            transport = transport or transport_for(self.app.config)
            token, claimed = self.claim(start, ids)
            if not claimed:
                if own:
                    transport.close()
                return 0
            down: str | None = None
            try:
                for index, message in enumerate(claimed):
                    # Never send on an expiring lease (another worker may take the message),
                    # and hand the rest back at once when asked to stop.
                    expiring = clock() + timedelta(seconds=2 * SMTP_TIMEOUT) > start + self.lease
                    if expiring or (self._stop is not None and self._stop.is_set()):
                        for rest in claimed[index:]:
                            self._settle(token, rest.id)
                        break
                    if down is not None:
                        self._failed_attempt(token, message, True, down, clock())
                        continue
                    try:
                        where = transport.send(message)
                    except Exception as exc:  # noqa: BLE001  (any failure is kept and retried)
                        again, error = classify(exc)
                        if isinstance(exc, ConnectionLost):
                            down = error
                        self._failed_attempt(token, message, again, error, clock())
                    else:
                        self._settle(token, message.id, status="sent", sent_at=clock(),
                                     attempts=message.attempts + 1)
                        logger.info("outbox message %s delivered to %s (%s)", message.id,
                                    message.recipient, where)
            finally:
                if own:
                    transport.close()
        return len(claimed)

    def _failed_attempt(self, token: str, message: Claimed, again: bool, error: str,
                        now: datetime) -> None:
        attempts = message.attempts + 1
        if again and now < message.retry_until:
            retry_at = now + retry_delay(attempts)
            logger.warning("outbox message %s to %s: attempt %s failed (%s), next at %s",
                           message.id, message.recipient, attempts, error, retry_at.isoformat())
            self._settle(token, message.id, attempts=attempts, last_error=error, next_attempt_at=retry_at)
        else:
            logger.error("outbox message %s to %s failed for good: %s", message.id, message.recipient, error)
            self._settle(token, message.id, attempts=attempts, last_error=error, status="failed")

    def remind(self, now: datetime | None = None) -> int:
        """One reminder pass (hub.services.booking_messages), committed; how many were queued."""
        with self.app.app_context():
            try:
                count = booking_messages.send_reminders(now)
                count += sum(loans.reminder_pass(now).values())
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
        return count

    def run(self, stop: threading.Event, poll: float = POLL_SECONDS) -> None:
        """Deliver until `stop` is set: at once after a commit of this process that
        queued messages, and every `poll` seconds for those of other processes; and
        queue the reminders every REMINDER_SECONDS."""
        logger.info("outbox worker %s started", self.name)
        self._stop = stop
        transport: Transport | None = None
        last_delivery = time.monotonic()
        next_reminders = time.monotonic()
        try:
            while not stop.is_set():
                if time.monotonic() >= next_reminders:
                    next_reminders = time.monotonic() + REMINDER_SECONDS
                    try:
                        self.remind()
                    except Exception:  # the database is away: the next pass will do
                        logger.exception("outbox worker %s: reminder pass failed", self.name)
                outbox.wakeup.clear()
                try:
                    # Jobs first: the messages they queue go in the delivery just below.
                    built = self.run_jobs()
                    transport = transport or transport_for(self.app.config)
                    delivered = self.run_once(transport=transport)
                except Exception:  # the database is away, or MAIL_URL is wrong: try again later
                    logger.exception("outbox worker %s: delivery pass failed", self.name)
                    stop.wait(poll)
                    continue
                if delivered:
                    last_delivery = time.monotonic()
                if delivered or built:
                    continue
                if time.monotonic() - last_delivery > KEEP_OPEN_SECONDS:
                    transport.close()
                outbox.wakeup.wait(poll)
        finally:
            if transport is not None:
                transport.close()
        logger.info("outbox worker %s stopped", self.name)


def log_to_stderr() -> None:
    """Show what the worker does (each delivery, each failure) on standard error: the
    console of `make run`, the journal of the systemd service. The app configures no
    logging of its own, and Python shows only warnings by default."""
    if logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s outbox: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def start_in_process(app: Flask, poll: float = POLL_SECONDS) -> Callable[[], None]:
    """Deliver from a background thread of this process (`python app.py`); returns the
    function that stops it. A daemon: a message it held when the process ended is taken
    again once its lease expires."""
    stop = threading.Event()
    thread = threading.Thread(target=Worker(app).run, args=(stop, poll), name="outbox-worker", daemon=True)
    thread.start()

    def stopper() -> None:
        stop.set()
        outbox.wakeup.set()
        thread.join()

    return stopper
