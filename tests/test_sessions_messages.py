"""A training session that is moved or cancelled tells every place booked on it, by mail,
through the outbox and a real SMTP server (aiosmtpd), as the booking messages do."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from email.message import EmailMessage
from typing import Any

import pytest

from hub.extensions import db
from hub.timeutil import PARIS
from hub.worker import Worker
from tests.test_outbox import SmtpServer, smtp  # noqa: F401  (smtp: the real SMTP server fixture)


@pytest.fixture
def app_config(smtp: SmtpServer) -> dict[str, Any]:
    return {"MAIL_URL": smtp.url, "PUBLIC_URL": "https://maillage.test"}


def next_monday() -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=7 - today.weekday())


def local_input(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def booked(make):  # type: ignore[no-untyped-def]
    """A two-seat session: two places hold a seat, a third waits, a fourth cancelled."""
    manager = make.user(email="gestion@fab.fr", name="Gérante")
    port, halles, gare, quai = (make.user(email=f"{who}@tl.fr", name=who.capitalize())
                                for who in ("port", "halles", "gare", "quai"))
    fab = make.fabrique(name="Fabrique de Brest", managers=[manager])
    training = make.resource(fab, name="Formation laser", kind="training", capacity=2)
    start = datetime.combine(next_monday() + timedelta(days=7), time(9), tzinfo=PARIS)
    session = make.session(training, start_at=start, end_at=start + timedelta(hours=3), seats=2, seats_taken=2)
    for user, status in ((port, "confirmed"), (halles, "pending"), (gare, "waitlisted"), (quai, "cancelled")):
        make.booking(training, make.place(name=f"Tiers-lieu {user.name}", members=[user]), session_id=session.id,
                     start_at=session.start_at, end_at=session.end_at, user=user, status=status)
    return session


def delivered(app: Any, smtp: SmtpServer) -> dict[str, EmailMessage]:
    """What reached the SMTP server, by recipient, once the worker has sent the outbox."""
    db.session.rollback()  # the worker takes the write lock; the test's reads must not hold it
    Worker(app).run_once()
    received = {}
    for _, recipients, message in smtp.inbox.received:
        assert isinstance(message, EmailMessage), message
        for recipient in recipients:
            assert recipient not in received, f"{recipient} told twice"
            received[recipient] = message
    return received


def text_of(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_moving_a_session_mails_every_booked_place_the_new_times(app, client, auth, smtp, booked):  # type: ignore[no-untyped-def]
    new_start = booked.start_at + timedelta(days=1, hours=5)  # Tuesday 14:00, Paris
    auth.login("gestion@fab.fr")
    response = client.post(f"/gestion/sessions/{booked.id}/modifier", data={
        "start": local_input(new_start), "end": local_input(new_start + timedelta(hours=2)), "seats": "2"})
    assert response.status_code == 302

    mail = delivered(app, smtp)
    # The cancelled booking holds nothing; the manager who moved it knows.
    assert sorted(mail) == ["gare@tl.fr", "halles@tl.fr", "port@tl.fr"]
    for message in mail.values():
        assert message["X-Maillage-Event"] == "booking.moved"
        assert message["Subject"].startswith("Session déplacée : Formation laser, mardi ")
        text = text_of(message)
        assert "de 14 h 00 à 16 h 00" in text  # the new times
        assert "de 09 h 00 à 12 h 00" in text  # the old ones, to recognise the booking
    states = {to: text_of(message).split("- État : ")[1].splitlines()[0] for to, message in mail.items()}
    assert states == {"port@tl.fr": "confirmée", "halles@tl.fr": "en attente de validation", "gare@tl.fr": "en liste d'attente"}
    # The confirmed booking's calendar event comes again, at its new time.
    [ics] = list(mail["port@tl.fr"].iter_attachments())
    assert f"DTSTART:{new_start.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}" in ics.get_content()


def test_more_seats_alone_tell_nobody_but_the_promoted(app, client, auth, smtp, booked):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    response = client.post(f"/gestion/sessions/{booked.id}/modifier", data={
        "start": local_input(booked.start_at), "end": local_input(booked.end_at), "seats": "3"})
    assert response.status_code == 302
    mail = delivered(app, smtp)
    assert {to: m["X-Maillage-Event"] for to, m in mail.items()} == {"gare@tl.fr": "booking.confirmed"}


def test_cancelling_a_session_mails_every_booked_place(app, client, auth, smtp, booked):  # type: ignore[no-untyped-def]
    auth.login("gestion@fab.fr")
    assert client.post(f"/gestion/sessions/{booked.id}/annuler").status_code == 302

    mail = delivered(app, smtp)
    assert {to: m["X-Maillage-Event"] for to, m in mail.items()} == {
        "port@tl.fr": "booking.cancelled", "halles@tl.fr": "booking.cancelled"}
    for message in mail.values():
        assert "Fabrique de Brest a annulé cette réservation" in text_of(message)
        assert "Formation laser" in message["Subject"]
