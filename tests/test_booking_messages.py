"""The booking.* messages: each event reaches exactly its recipients, once, as the contract says.

Most tests read what the outbox holds (the very bytes the worker sends); one goes through
a real SMTP server (aiosmtpd) end to end.
"""
from __future__ import annotations

import email
import email.policy
import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Any, Iterator

import icalendar
import jinja2
import pytest
import sqlalchemy as sa
from flask import current_app

from hub.extensions import db
from hub.services import booking_messages, bookings
from hub.worker import Worker, start_in_process
from models import Booking, NotificationPreference, OutboxJob, OutboxMessage, utcnow
from tests.test_outbox import SmtpServer

PUBLIC_URL = "https://maillage.test"


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"PUBLIC_URL": PUBLIC_URL}


class World:
    """A fabrique with two managers and a plain member, a tiers-lieu that books there,
    and a bystander place whose manager must never hear of it."""

    def __init__(self, make: Any) -> None:
        self.manager = make.user(name="Gérante Une", email="gerante1@fab.fr")
        self.manager2 = make.user(name="Gérant Deux", email="gerant2@fab.fr")
        self.host_member = make.user(name="Membre hôte", email="membre@fab.fr")
        self.booker = make.user(name="Camille", email="camille@tl.fr")
        self.colleague = make.user(name="Dominique", email="dominique@tl.fr")
        self.tl_manager = make.user(name="Gérant du tiers-lieu", email="gerant@tl.fr")
        self.outsider = make.user(name="Ailleurs", email="ailleurs@autre.fr")
        self.hub = make.fabrique(name="Fabrique de Brest", commune="Brest",
                                 managers=[self.manager, self.manager2], members=[self.host_member])
        self.tl = make.place(name="Tiers-lieu du Port", managers=[self.tl_manager],
                             members=[self.booker, self.colleague])
        make.place(managers=[self.outsider])
        self.machine = make.resource(self.hub, name="Découpeuse laser")
        self.approval = make.resource(self.hub, name="Imprimante 3D", requires_approval=True)
        self.room = make.resource(self.hub, kind="space", name="Salle de réunion", capacity=20)
        self._make = make

    def book(self, client: Any, resource: Any, user: Any = None, days: int = 3, **body: Any) -> dict:
        start = (utcnow() + timedelta(days=days)).replace(hour=9, minute=0, second=0, microsecond=0)
        body.setdefault("place", self.tl.slug)
        if "session" not in body:
            body.setdefault("start", start.isoformat())
            body.setdefault("end", (start + timedelta(hours=2)).isoformat())
        response = client.post(f"/api/v1/resources/{resource.id}/bookings", json=body,
                               headers=self._make.api_headers(user or self.booker))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def act(self, client: Any, booking_id: int, action: str, user: Any, **body: Any) -> dict:
        response = client.post(f"/api/v1/bookings/{booking_id}/{action}", json=body,
                               headers=self._make.api_headers(user))
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture
def w(make) -> World:  # type: ignore[no-untyped-def]
    return World(make)


def build_jobs() -> int:
    """The worker's job pass: a new booking's messages are built after its request."""
    db.session.rollback()
    return Worker(current_app._get_current_object()).run_jobs()


def outbox() -> list[tuple[str, str, EmailMessage]]:
    """(event, recipient, parsed message) of everything queued, in the order the worker
    delivers them, once it built the messages of the bookings made so far."""
    build_jobs()
    rows = db.session.execute(sa.select(OutboxMessage.event, OutboxMessage.recipient, OutboxMessage.raw)
                              .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)).all()
    db.session.rollback()
    return [(event, to, email.message_from_bytes(raw, policy=email.policy.default)) for event, to, raw in rows]


def told(event: str | None = None) -> list[tuple[str, str]]:
    return [(e, to) for e, to, _ in outbox() if event is None or e == event]


def body(message: EmailMessage) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_a_pending_request_tells_each_host_manager_and_nobody_else(client, w):  # type: ignore[no-untyped-def]
    booking = w.book(client, w.approval, note="Pour le prototype du club")

    assert sorted(told()) == [("booking.pending", "gerant2@fab.fr"), ("booking.pending", "gerante1@fab.fr")]
    _, _, message = outbox()[0]
    assert message["X-Maillage-Event"] == "booking.pending"
    assert message["X-Maillage-Booking"] == str(booking["id"])
    assert message["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/desabonnement/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Imprimante 3D" in message["Subject"]
    text, html = body(message)
    assert "Camille (Tiers-lieu du Port)" in text and "Pour le prototype du club" in text
    assert f"{PUBLIC_URL}/gestion/demandes" in text
    assert f'href="{PUBLIC_URL}/gestion/demandes"' in html


def test_a_booking_confirmed_at_creation_tells_its_user_with_an_ics_that_calendars_read(client, w):  # type: ignore[no-untyped-def]
    booking = w.book(client, w.machine)

    [(event, to, message)] = outbox()
    assert (event, to) == ("booking.confirmed", "camille@tl.fr")
    assert message["X-Maillage-Booking"] == str(booking["id"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = body(message)
    assert "Votre réservation est confirmée" in text and "Découpeuse laser" in text
    assert f"{PUBLIC_URL}/mes-reservations" in text and f'href="{PUBLIC_URL}/ressources/{w.machine.id}"' in html
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == f"reservation-{booking['id']}.ics"
    [event_] = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert event_["uid"] == f"reservation-{booking['id']}@maillage.test"
    assert event_.decoded("dtstart") == datetime.fromisoformat(booking["start"])
    assert event_.decoded("dtend") == datetime.fromisoformat(booking["end"])
    assert str(event_["status"]) == "CONFIRMED"
    assert "Découpeuse laser — Fabrique de Brest" == str(event_["summary"])


def test_a_manager_confirming_tells_the_booking_user_only(client, w):  # type: ignore[no-untyped-def]
    booking = w.book(client, w.approval)
    w.act(client, booking["id"], "confirm", w.manager)

    assert told("booking.confirmed") == [("booking.confirmed", "camille@tl.fr")]
    assert len(told()) == 3  # the two managers' requests before
    [(_, _, message)] = [m for m in outbox() if m[0] == "booking.confirmed"]
    assert [a.get_content_type() for a in message.iter_attachments()] == ["text/calendar"]


def test_a_refusal_tells_the_booking_user_with_its_reason(client, w):  # type: ignore[no-untyped-def]
    booking = w.book(client, w.approval)
    w.act(client, booking["id"], "refuse", w.manager2, reason="La machine part en révision ce jour-là.")

    [(_, to, message)] = [m for m in outbox() if m[0] == "booking.refused"]
    assert to == "camille@tl.fr"
    text, html = body(message)
    assert "La machine part en révision ce jour-là." in text
    assert "La machine part en révision ce jour-là." in html
    assert len(told()) == 3


def test_a_cancellation_by_the_booking_place_tells_the_host_managers(client, w):  # type: ignore[no-untyped-def]
    booking = w.book(client, w.machine)
    w.act(client, booking["id"], "cancel", w.colleague)

    assert sorted(told("booking.cancelled")) == [("booking.cancelled", "gerant2@fab.fr"),
                                                 ("booking.cancelled", "gerante1@fab.fr")]
    text, _ = body(outbox()[-1][2])
    assert "Tiers-lieu du Port a annulé cette réservation" in text


def test_a_cancellation_by_a_host_manager_tells_the_booking_user_and_not_the_other_manager(client, w):  # type: ignore[no-untyped-def]
    booking = w.book(client, w.approval)
    w.act(client, booking["id"], "cancel", w.manager)

    assert told("booking.cancelled") == [("booking.cancelled", "camille@tl.fr")]
    text, _ = body(outbox()[-1][2])
    assert "Fabrique de Brest a annulé cette réservation" in text


def test_cancelling_a_waitlisted_request_tells_nobody(client, w, make):  # type: ignore[no-untyped-def]
    training = make.resource(w.hub, kind="training", name="Initiation soudure", capacity=1)
    session = make.session(training)
    w.book(client, training, user=w.colleague, session=session.id)
    waiting = w.book(client, training, session=session.id)
    assert waiting["status"] == "waitlisted"
    before = told()
    w.act(client, waiting["id"], "cancel", w.booker)

    assert told() == before


def test_the_waitlist_tells_its_user_then_promotion_confirms_with_the_ics(client, w, make):  # type: ignore[no-untyped-def]
    training = make.resource(w.hub, kind="training", name="Initiation soudure", capacity=1)
    session = make.session(training)
    first = w.book(client, training, user=w.colleague, session=session.id)
    waiting = w.book(client, training, session=session.id)

    assert told() == [("booking.confirmed", "dominique@tl.fr"), ("booking.waitlisted", "camille@tl.fr")]
    assert "liste d'attente" in body(outbox()[1][2])[0]

    w.act(client, first["id"], "cancel", w.manager)
    assert told()[2:] == [("booking.confirmed", "camille@tl.fr"), ("booking.cancelled", "dominique@tl.fr")]
    promoted = outbox()[2][2]
    assert promoted["X-Maillage-Booking"] == str(waiting["id"])
    assert [a.get_content_type() for a in promoted.iter_attachments()] == ["text/calendar"]


def test_promotion_to_a_pending_request_tells_the_host_managers(client, w, make):  # type: ignore[no-untyped-def]
    training = make.resource(w.hub, kind="training", capacity=1, requires_approval=True)
    session = make.session(training)
    first = w.book(client, training, user=w.colleague, session=session.id)
    waiting = w.book(client, training, session=session.id)
    w.act(client, first["id"], "refuse", w.manager)

    pending = [(to, m["X-Maillage-Booking"]) for e, to, m in outbox() if e == "booking.pending"]
    assert len(pending) == 4  # two for each request
    assert sorted(to for to, booking_id in pending if booking_id == str(waiting["id"])) == [
        "gerant2@fab.fr", "gerante1@fab.fr"]


def test_a_rolled_back_change_queues_nothing(app, w, make):  # type: ignore[no-untyped-def]
    booking = make.booking(w.approval, w.tl, user=w.booker, status="pending")
    savepoint = db.session.begin_nested()
    bookings.confirm_booking(booking, w.manager)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    savepoint.rollback()
    db.session.commit()

    assert told() == []
    assert db.session.get(Booking, booking.id).status == "pending"


def test_preferences_turned_off_are_respected(client, w, make):  # type: ignore[no-untyped-def]
    db.session.add_all([NotificationPreference(user_id=w.manager.id, booking_requests=False),
                        NotificationPreference(user_id=w.booker.id, booking_updates=False)])
    db.session.commit()
    booking = w.book(client, w.approval)
    w.act(client, booking["id"], "confirm", w.manager2)
    w.book(client, w.machine, user=w.colleague)

    assert told() == [("booking.pending", "gerant2@fab.fr"), ("booking.confirmed", "dominique@tl.fr")]


def test_a_booking_message_reaches_a_real_smtp_server(app, client, w):  # type: ignore[no-untyped-def]
    smtp = SmtpServer()
    smtp.start()
    try:
        app.config["MAIL_URL"] = smtp.url
        booking = w.book(client, w.machine)
        assert build_jobs() == 1
        assert Worker(app).run_once() == 1
        [(sender, recipients, message)] = smtp.inbox.received
    finally:
        smtp.stop()
    assert recipients == ["camille@tl.fr"]
    assert message["X-Maillage-Event"] == "booking.confirmed"
    assert message["X-Maillage-Booking"] == str(booking["id"])
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/desabonnement/")
    [attachment] = list(message.iter_attachments())
    assert icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")


# ---------------------------------------------------------------- the worker's jobs

def jobs() -> int:
    db.session.rollback()
    count = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxJob))
    db.session.rollback()
    return int(count or 0)


def test_a_creation_only_leaves_a_job_and_the_worker_builds_its_messages(client, w):  # type: ignore[no-untyped-def]
    w.book(client, w.machine)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert jobs() == 1

    assert told() == [("booking.confirmed", "camille@tl.fr")]
    assert jobs() == 0
    assert build_jobs() == 0 and len(told()) == 1


def test_a_rolled_back_creation_leaves_no_job(app, w):  # type: ignore[no-untyped-def]
    start = (utcnow() + timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    savepoint = db.session.begin_nested()
    bookings.create_booking(w.machine.id, w.booker.id, {"place": w.tl.slug, "start": start.isoformat(),
                                                        "end": (start + timedelta(hours=1)).isoformat()})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxJob)) == 1
    savepoint.rollback()
    db.session.commit()

    assert jobs() == 0
    assert told() == []


def test_a_booking_cancelled_before_its_job_ran_still_gets_its_confirmation_first(client, w):  # type: ignore[no-untyped-def]
    booking = w.book(client, w.machine)
    w.act(client, booking["id"], "cancel", w.manager)

    # Queued after the cancellation, but due from the creation: delivered first.
    assert told() == [("booking.confirmed", "camille@tl.fr"), ("booking.cancelled", "camille@tl.fr")]
    queued = db.session.scalars(sa.select(OutboxMessage.event).order_by(OutboxMessage.id)).all()
    assert queued == ["booking.cancelled", "booking.confirmed"]
    confirmed = next(m for e, _, m in outbox() if e == "booking.confirmed")
    assert "Votre réservation est confirmée" in body(confirmed)[0]
    [attachment] = list(confirmed.iter_attachments())
    [event_] = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert str(event_["status"]) == "CONFIRMED"


def test_two_workers_at_once_build_each_job_once(app, client, w):  # type: ignore[no-untyped-def]
    made = [w.book(client, w.room, days=2 + n)["id"] for n in range(6)]
    db.session.rollback()
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            worker = Worker(app, batch=3)
            barrier.wait()
            total = 0
            while (claimed := worker.run_jobs()):
                total += claimed
            counts.append(total)
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(counts) == 6
    assert jobs() == 0
    confirmed = sorted(int(m["X-Maillage-Booking"]) for e, _, m in outbox() if e == "booking.confirmed")
    assert confirmed == made


def test_a_job_whose_worker_died_is_built_once_by_another_after_its_lease(app, client, w):  # type: ignore[no-untyped-def]
    w.book(client, w.machine)
    db.session.rollback()
    dead, other = Worker(app, name="dead"), Worker(app, name="other")
    now = utcnow()
    token, claimed = dead.claim_jobs(now)
    assert len(claimed) == 1

    assert other.run_jobs(now) == 0  # still leased
    assert other.run_jobs(now + dead.lease + timedelta(seconds=1)) == 1
    # The first worker wakes up late: its lease is gone, it builds nothing.
    dead.build(token, claimed)
    assert told() == [("booking.confirmed", "camille@tl.fr")]


def test_a_job_that_fails_is_kept_logged_and_built_after_its_lease(app, client, w, caplog):  # type: ignore[no-untyped-def]
    w.book(client, w.machine)
    loader = app.jinja_env.loader
    app.jinja_env.loader = jinja2.ChoiceLoader(
        [jinja2.DictLoader({"mail/booking_confirmed.txt": "{{ booking.no_such_field }}"}), loader])
    app.extensions.pop("maillage_mail_env", None)
    now = utcnow()
    with caplog.at_level(logging.ERROR, logger="hub.worker"):
        assert build_jobs() == 1
    found = [r for r in caplog.records if r.name == "hub.worker"]
    assert len(found) == 1, [(r.getMessage(), r.exc_info) for r in found]
    [record] = found
    assert "failed" in record.getMessage() and record.exc_info is not None
    assert jobs() == 1
    assert told() == []

    app.jinja_env.loader = loader
    app.extensions.pop("maillage_mail_env", None)
    worker = Worker(app)
    assert worker.run_jobs(now) == 0  # its lease holds until it expires
    assert worker.run_jobs(now + worker.lease + timedelta(seconds=1)) == 1
    assert told() == [("booking.confirmed", "camille@tl.fr")]
    assert jobs() == 0


def test_a_job_that_keeps_failing_is_set_aside_for_the_admins_who_retry_it_once_fixed(app, client, auth, w, make):  # type: ignore[no-untyped-def]
    from hub.worker import JOB_ATTEMPTS

    make.user(email="admin@example.org", role="admin")
    booking = w.book(client, w.machine)
    loader = app.jinja_env.loader
    app.jinja_env.loader = jinja2.ChoiceLoader(
        [jinja2.DictLoader({"mail/booking_confirmed.txt": "{{ booking.no_such_field }}"}), loader])
    app.extensions.pop("maillage_mail_env", None)
    worker = Worker(app)
    now = utcnow()
    for attempt in range(JOB_ATTEMPTS):
        assert worker.run_jobs(now + attempt * (worker.lease + timedelta(seconds=1))) == 1
    # Set aside: no later lease takes it again.
    assert worker.run_jobs(now + 100 * worker.lease) == 0
    assert jobs() == 1 and told() == []

    auth.login("admin@example.org")
    page = client.get("/admin/envois/").get_data(as_text=True)
    assert "n'ont pas pu être préparés" in page and f"n° {booking['id']}" in page
    assert "UndefinedError" in page
    [job_id] = db.session.scalars(sa.select(OutboxJob.id)).all()

    app.jinja_env.loader = loader
    app.extensions.pop("maillage_mail_env", None)
    response = client.post(f"/admin/envois/preparations/{job_id}/relancer", follow_redirects=True)
    assert "seront préparés à nouveau" in response.get_data(as_text=True)
    again = client.post(f"/admin/envois/preparations/{job_id}/relancer", follow_redirects=True)
    assert "pas en échec" in again.get_data(as_text=True)
    assert told() == [("booking.confirmed", "camille@tl.fr")]
    assert jobs() == 0 and told() == [("booking.confirmed", "camille@tl.fr")]


def test_the_in_process_worker_woken_by_a_booking_delivers_its_confirmation_within_seconds(app, client, w):  # type: ignore[no-untyped-def]
    smtp = SmtpServer()
    smtp.start()
    app.config["MAIL_URL"] = smtp.url
    # A poll far longer than the wait below: only the request's commit can wake it in time.
    stop = start_in_process(app, poll=120)
    try:
        time.sleep(0.3)  # past its first look, now waiting
        booking = w.book(client, w.machine)
        committed = time.monotonic()
        while not smtp.inbox.received and time.monotonic() - committed < 10:
            time.sleep(0.01)
        elapsed = time.monotonic() - committed
    finally:
        stop()
        smtp.stop()
    [(_, recipients, message)] = smtp.inbox.received
    assert recipients == ["camille@tl.fr"] and message["X-Maillage-Booking"] == str(booking["id"])
    assert elapsed < 5
    assert jobs() == 0


# ---------------------------------------------------------------- reminders

def _confirmed(make: Any, w: World, starts_in: timedelta, made_before: timedelta, **params: Any) -> Booking:
    start = utcnow() + starts_in
    params.setdefault("status", "confirmed")
    return make.booking(w.room, w.tl, user=w.booker, start=start, created_at=start - made_before,
                        updated_at=start - made_before, **params)


def test_a_reminder_goes_once_for_a_booking_made_long_before_it_starts(app, w, make):  # type: ignore[no-untyped-def]
    due = _confirmed(make, w, timedelta(hours=20), timedelta(days=5))
    _confirmed(make, w, timedelta(hours=30), timedelta(days=5))            # not within 24 h yet
    _confirmed(make, w, timedelta(hours=10), timedelta(hours=20))          # made less than 24 h ahead
    _confirmed(make, w, timedelta(hours=10), timedelta(days=5), status="pending")
    _confirmed(make, w, -timedelta(hours=1), timedelta(days=5))            # already started

    assert booking_messages.send_reminders() == 1
    db.session.commit()
    assert booking_messages.send_reminders() == 0
    db.session.commit()

    [(event, to, message)] = outbox()
    assert (event, to) == ("booking.reminder", "camille@tl.fr")
    assert message["X-Maillage-Booking"] == str(due.id)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Rappel" in message["Subject"]
    assert db.session.get(Booking, due.id).reminded_at is not None


def test_reminders_turned_off_are_not_sent_nor_retried(app, w, make):  # type: ignore[no-untyped-def]
    db.session.add(NotificationPreference(user_id=w.booker.id, reminders=False))
    db.session.commit()
    _confirmed(make, w, timedelta(hours=20), timedelta(days=5))

    assert booking_messages.send_reminders() == 1
    db.session.commit()
    assert told() == []
    assert booking_messages.send_reminders() == 0


def test_two_reminder_passes_at_once_send_each_reminder_once(app, w, make):  # type: ignore[no-untyped-def]
    ids = [_confirmed(make, w, timedelta(hours=2 + n), timedelta(days=3)).id for n in range(5)]
    db.session.rollback()
    barrier = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            worker = Worker(app)
            barrier.wait()
            counts.append(worker.remind())
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(counts) == [0, 5]
    reminded = sorted(int(m["X-Maillage-Booking"]) for e, _, m in outbox() if e == "booking.reminder")
    assert reminded == ids


def test_the_send_reminders_command_queues_the_due_reminders(app, runner, w, make):  # type: ignore[no-untyped-def]
    _confirmed(make, w, timedelta(hours=20), timedelta(days=5))

    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 rappel(s)" in result.output
    assert told() == [("booking.reminder", "camille@tl.fr")]
    assert runner.invoke(args=["send-reminders"]).output.startswith("0 rappel(s)")
