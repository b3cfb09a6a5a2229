"""The back office of issue 11: the place's calendar and acting from it, sessions (edit,
cancel, attendees, attendance in one form), archive after confirmation."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.timeutil import PARIS
from models import AuditEntry, Booking, Resource, TrainingSession, utcnow


def next_monday() -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=7 - today.weekday())


def paris(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


def local_input(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    manager = make.user(email="gestion@fab.fr", name="Gérante")
    member = make.user(email="membre@tl.fr", name="Membre")
    fab = make.fabrique(name="Fabrique de Brest", slug="fab-brest", managers=[manager])
    tiers = make.place(name="Tiers-lieu du Port", slug="tl-port", members=[member])
    other = make.place(name="Tiers-lieu des Halles", slug="tl-halles", members=[member])
    laser = make.resource(fab, name="Découpeuse laser", requires_approval=True)
    room = make.resource(fab, name="Salle de réunion", kind="space", capacity=10)
    training = make.resource(fab, name="Formation laser", kind="training", capacity=6)
    return {"manager": manager, "member": member, "fab": fab, "tiers": tiers, "other": other,
            "laser": laser, "room": room, "training": training}


def status_of(booking_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Booking, booking_id).status


# --- the place's calendar ------------------------------------------------------------------

def test_place_calendar_shows_every_resource_and_confirms_from_it(client, world, auth, make):  # type: ignore[no-untyped-def]
    monday = next_monday()
    pending = make.booking(world["laser"], world["tiers"], status="pending", user=world["member"],
                           start_at=paris(monday, 10), end_at=paris(monday, 12))
    confirmed = make.booking(world["room"], world["other"], start_at=paris(monday + timedelta(days=2), 14),
                             end_at=paris(monday + timedelta(days=2), 16))
    auth.login("gestion@fab.fr")
    url = f"/gestion/lieux/fab-brest/calendrier?semaine={monday}"
    page = client.get(url).get_data(as_text=True)
    laser_row = page.split(f'data-resource="{world["laser"].id}"')[1].split("</tr>")[0]
    room_row = page.split(f'data-resource="{world["room"].id}"')[1].split("</tr>")[0]
    assert f'data-booking="{pending.id}"' in laser_row and "10:00–12:00" in laser_row
    assert f'action="/gestion/reservations/{pending.id}/confirmer"' in laser_row
    assert f'data-booking="{confirmed.id}"' in room_row and "Annuler" in room_row
    done = client.post(f"/gestion/reservations/{pending.id}/confirmer", data={"next": url})
    assert done.status_code == 302 and done.headers["Location"].endswith(url)
    assert status_of(pending.id) == "confirmed"


def test_manager_cancels_from_the_calendar_after_confirming(client, world, auth, make):  # type: ignore[no-untyped-def]
    booking = make.booking(world["room"], world["tiers"], start_at=paris(next_monday(), 10))
    auth.login("gestion@fab.fr")
    question = client.get(f"/gestion/reservations/{booking.id}/annuler?next=/gestion/lieux/fab-brest/calendrier")
    assert question.status_code == 200 and "Oui, annuler la réservation" in question.get_data(as_text=True)
    assert status_of(booking.id) == "confirmed"
    client.post(f"/gestion/reservations/{booking.id}/annuler", data={"next": "/gestion/lieux/fab-brest/calendrier"})
    assert status_of(booking.id) == "cancelled"


def test_refusing_from_the_calendar_asks_for_a_reason_first(client, world, auth, make):  # type: ignore[no-untyped-def]
    booking = make.booking(world["laser"], world["tiers"], status="pending", start_at=paris(next_monday(), 10))
    auth.login("gestion@fab.fr")
    page = client.get(f"/gestion/reservations/{booking.id}/refuser").get_data(as_text=True)
    assert 'name="reason"' in page and status_of(booking.id) == "pending"
    client.post(f"/gestion/reservations/{booking.id}/refuser", data={"reason": "Maintenance"})
    assert status_of(booking.id) == "refused"


def test_another_place_cannot_open_the_calendar(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("membre@tl.fr")
    assert client.get("/gestion/lieux/fab-brest/calendrier").status_code == 403


# --- sessions --------------------------------------------------------------------------------

@pytest.fixture
def session_with_bookings(world, make):  # type: ignore[no-untyped-def]
    start = paris(next_monday() + timedelta(days=7), 9)
    session = make.session(world["training"], start_at=start, end_at=start + timedelta(hours=3), seats=2, seats_taken=2)
    one = make.booking(world["training"], world["tiers"], session_id=session.id, start_at=session.start_at,
                       end_at=session.end_at, user=world["member"], quantity=1)
    two = make.booking(world["training"], world["other"], session_id=session.id, start_at=session.start_at,
                       end_at=session.end_at, quantity=1)
    waiting = make.booking(world["training"], world["other"], session_id=session.id, start_at=session.start_at,
                           end_at=session.end_at, status="waitlisted")
    return session, one, two, waiting


def test_session_page_lists_its_attendees(client, world, auth, session_with_bookings):  # type: ignore[no-untyped-def]
    session, one, two, waiting = session_with_bookings
    auth.login("gestion@fab.fr")
    page = client.get(f"/gestion/sessions/{session.id}").get_data(as_text=True)
    attendees = page.split('id="attendees"')[1].split("</table>")[0]
    for booking in (one, two, waiting):
        assert f'data-booking="{booking.id}"' in attendees
    assert "Tiers-lieu du Port" in attendees and "membre@tl.fr" in attendees


def test_moving_a_session_moves_its_bookings(client, world, auth, session_with_bookings):  # type: ignore[no-untyped-def]
    session, one, two, waiting = session_with_bookings
    new_start = session.start_at + timedelta(days=1, hours=1)
    auth.login("gestion@fab.fr")
    response = client.post(f"/gestion/sessions/{session.id}/modifier", data={
        "start": local_input(new_start), "end": local_input(new_start + timedelta(hours=2)), "seats": "3"})
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Booking, one.id)
    assert moved.start_at == new_start and moved.end_at == new_start + timedelta(hours=2)
    # One more seat: the waitlisted booking moves up.
    assert db.session.get(Booking, waiting.id).status == "confirmed"
    assert db.session.get(TrainingSession, session.id).seats_taken == 3


def test_seats_below_those_taken_are_refused_beside_the_field(client, world, auth, session_with_bookings):  # type: ignore[no-untyped-def]
    session, *_ = session_with_bookings
    auth.login("gestion@fab.fr")
    response = client.post(f"/gestion/sessions/{session.id}/modifier", data={
        "start": local_input(session.start_at), "end": local_input(session.end_at), "seats": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="f-seats-error"' in page and "2 places sont déjà réservées" in page
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).seats == 2


def test_cancelling_a_session_asks_then_cancels_its_bookings(client, world, auth, session_with_bookings):  # type: ignore[no-untyped-def]
    session, one, two, waiting = session_with_bookings
    auth.login("gestion@fab.fr")
    question = client.get(f"/gestion/sessions/{session.id}/annuler").get_data(as_text=True)
    assert "3 réservations seront annulées" in question
    assert status_of(one.id) == "confirmed"
    response = client.post(f"/gestion/sessions/{session.id}/annuler", follow_redirects=True)
    assert "3 réservations sont annulées" in response.get_data(as_text=True)
    assert {status_of(b.id) for b in (one, two, waiting)} == {"cancelled"}
    db.session.expire_all()
    saved = db.session.get(TrainingSession, session.id)
    assert saved.cancelled_at is not None and saved.seats_taken == 0
    # Through the booking service: each cancellation is in the audit log.
    cancelled = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "booking.cancelled")).all()
    assert len(cancelled) == 3
    # Gone from the public page, and no longer bookable.
    auth.logout()
    auth.login("membre@tl.fr")
    assert f'data-session="{session.id}"' not in client.get(f"/ressources/{world['training'].id}").get_data(as_text=True)
    refused = client.post(f"/ressources/{world['training'].id}/reserver", data={"place": "tl-port", "session": str(session.id)})
    assert refused.status_code == 422 and "Cette session est annulée." in refused.get_data(as_text=True)


def test_attendance_of_a_session_in_one_form(client, world, auth, make):  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(hours=4)
    session = make.session(world["training"], start_at=start, end_at=start + timedelta(hours=3), seats=6, seats_taken=2)
    one = make.booking(world["training"], world["tiers"], session_id=session.id, start_at=start,
                       end_at=session.end_at, user=world["member"])
    two = make.booking(world["training"], world["other"], session_id=session.id, start_at=start, end_at=session.end_at)
    auth.login("gestion@fab.fr")
    page = client.get(f"/gestion/sessions/{session.id}").get_data(as_text=True)
    assert page.count('<form method="post" action="/gestion/sessions/') == 1
    response = client.post(f"/gestion/sessions/{session.id}/presences", data={
        f"attended-{one.id}": "1", f"beneficiaries-{one.id}": "4", f"attended-{two.id}": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Booking, one.id).attended is True and db.session.get(Booking, one.id).beneficiaries == 4
    assert db.session.get(Booking, two.id).attended is False


def test_a_bad_line_of_the_attendance_form_records_nothing(client, world, auth, make):  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(hours=4)
    session = make.session(world["training"], start_at=start, end_at=start + timedelta(hours=3), seats=6, seats_taken=2)
    one = make.booking(world["training"], world["tiers"], session_id=session.id, start_at=start, end_at=session.end_at)
    two = make.booking(world["training"], world["other"], session_id=session.id, start_at=start, end_at=session.end_at)
    auth.login("gestion@fab.fr")
    response = client.post(f"/gestion/sessions/{session.id}/presences", data={
        f"attended-{one.id}": "1", f"attended-{two.id}": "1", f"beneficiaries-{two.id}": "-3"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tiers-lieu des Halles" in page.split('role="alert"')[1].split("</div>")[0]
    db.session.expire_all()
    assert db.session.get(Booking, one.id).attended is None


def test_place_attendance_is_one_form(client, world, auth, make):  # type: ignore[no-untyped-def]
    past = utcnow() - timedelta(days=2)
    one = make.booking(world["room"], world["tiers"], start_at=past, end_at=past + timedelta(hours=2))
    two = make.booking(world["laser"], world["other"], start_at=past, end_at=past + timedelta(hours=2))
    auth.login("gestion@fab.fr")
    page = client.get("/gestion/lieux/fab-brest").get_data(as_text=True)
    assert page.count('action="/gestion/lieux/fab-brest/presences"') == 1
    client.post("/gestion/lieux/fab-brest/presences", data={
        f"attended-{one.id}": "1", f"beneficiaries-{one.id}": "9", f"attended-{two.id}": "0"})
    db.session.expire_all()
    assert db.session.get(Booking, one.id).beneficiaries == 9 and db.session.get(Booking, two.id).attended is False


# --- resource rules ----------------------------------------------------------------------------

# Opening hours and durations of the form: tests/test_manage_resource_form.py.


# --- archive ------------------------------------------------------------------------------------

def test_archiving_asks_says_how_many_then_cancels_future_bookings(client, world, auth, make):  # type: ignore[no-untyped-def]
    monday = next_monday()
    live = make.booking(world["room"], world["tiers"], start_at=paris(monday, 10), user=world["member"])
    pending = make.booking(world["room"], world["other"], status="pending", start_at=paris(monday, 14))
    past = make.booking(world["room"], world["tiers"], start_at=utcnow() - timedelta(days=3),
                        end_at=utcnow() - timedelta(days=3) + timedelta(hours=1))
    auth.login("gestion@fab.fr")
    question = client.get(f"/gestion/ressources/{world['room'].id}/archiver").get_data(as_text=True)
    assert "2 réservations à venir seront annulées" in question
    db.session.expire_all()
    assert db.session.get(Resource, world["room"].id).archived_at is None  # asking changes nothing
    done = client.post(f"/gestion/ressources/{world['room'].id}/archiver", follow_redirects=True)
    assert "2 réservations à venir sont annulées" in done.get_data(as_text=True)
    assert status_of(live.id) == "cancelled" and status_of(pending.id) == "cancelled"
    assert status_of(past.id) == "confirmed"
    # The member's links to the booking still lead somewhere.
    auth.logout()
    auth.login("membre@tl.fr")
    assert client.get(f"/reservations/{live.id}").status_code == 200
    assert client.get(f"/reservations/{live.id}.ics").status_code == 200


def test_archiving_through_the_api_cancels_future_bookings_too(client, world, auth, make):  # type: ignore[no-untyped-def]
    live = make.booking(world["room"], world["tiers"], start_at=paris(next_monday(), 10))
    headers = auth.headers("gestion@fab.fr")
    assert client.delete(f"/api/v1/resources/{world['room'].id}", headers=headers).status_code == 204
    assert status_of(live.id) == "cancelled"
