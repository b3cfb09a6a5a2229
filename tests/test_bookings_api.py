"""The Bookings section of the API contract: creation rules, errors, lifecycle, visibility."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.timeutil import PARIS
from models import AuditEntry, Booking, Qualification, TrainingSession

API = "/api/v1"


def next_monday(weeks: int = 1) -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=7 * weeks - today.weekday())


def paris(day: date, hhmm: str) -> str:
    """Naive ISO text: Europe/Paris local time for the API."""
    return f"{day.isoformat()}T{hhmm}:00"


MONDAY = next_monday()


@dataclass
class World:
    hub: Any
    tiers_lieu: Any
    other_place: Any
    manager: Any
    member: Any
    outsider: Any
    machine: Any
    h_manager: dict
    h_member: dict
    h_outsider: dict


@pytest.fixture
def w(make) -> World:
    manager, member, outsider = make.user(), make.user(), make.user()
    hub = make.fabrique(slug="konk-ar-lab", managers=[manager])
    tiers_lieu = make.place(slug="ti-lieu", members=[member])
    other_place = make.place(slug="autre-lieu", members=[outsider])
    machine = make.resource(hub, kind="machine", name="Découpeuse laser", capacity=1)
    return World(hub, tiers_lieu, other_place, manager, member, outsider, machine,
                 make.api_headers(manager), make.api_headers(member), make.api_headers(outsider))


def book(client, w: World, resource_id: int, headers: dict | None = None, **body: Any):  # type: ignore[no-untyped-def]
    body.setdefault("place", "ti-lieu")
    if "session" not in body:
        body.setdefault("start", paris(MONDAY, "10:00"))
        body.setdefault("end", paris(MONDAY, "12:00"))
    return client.post(f"{API}/resources/{resource_id}/bookings", json=body,
                       headers=headers if headers is not None else w.h_member)


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def error_code(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_json()["error"]["code"]


# ---------------------------------------------------------------- creating

def test_booking_a_free_slot_returns_the_confirmed_booking(client, w):
    response = book(client, w, w.machine.id, quantity=1, beneficiaries=4, note="Atelier jeunes")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "confirmed"
    assert body["resource"] == w.machine.id
    assert body["place"] == "ti-lieu"
    start = datetime.fromisoformat(body["start"])
    assert start.utcoffset() is not None
    assert start == datetime.fromisoformat(paris(MONDAY, "10:00")).replace(tzinfo=PARIS)
    assert start.astimezone(PARIS).hour == 10
    assert body["quantity"] == 1 and body["beneficiaries"] == 4
    assert isinstance(body["id"], int)


def test_booking_with_an_offset_keeps_that_instant(client, w):
    start = datetime.combine(MONDAY, datetime.min.time(), tzinfo=timezone.utc) + timedelta(hours=9)
    response = book(client, w, w.machine.id, start=start.isoformat(), end=(start + timedelta(hours=1)).isoformat())
    assert response.status_code == 201
    assert datetime.fromisoformat(response.get_json()["start"]) == start


def test_booking_is_pending_when_the_resource_requires_approval(client, w, make):
    room = make.resource(w.hub, kind="space", capacity=10, requires_approval=True)
    response = book(client, w, room.id)
    assert response.status_code == 201
    assert response.get_json()["status"] == "pending"


def test_booking_is_written_to_the_audit_log_with_its_actor(client, w):
    booking_id = book(client, w, w.machine.id).get_json()["id"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.object_id == booking_id,
                                                          AuditEntry.action == "booking.created"))
    assert entry is not None and entry.actor_id == w.member.id


def test_booking_without_token_is_401(client, w):
    response = client.post(f"{API}/resources/{w.machine.id}/bookings", json={"place": "ti-lieu"})
    assert response.status_code == 401
    assert error_code(response) == "unauthenticated"


def test_booking_with_a_bad_token_is_401(client, w):
    response = book(client, w, w.machine.id, headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert error_code(response) == "unauthenticated"
    assert count(Booking) == 0


def test_booking_for_a_place_the_caller_does_not_belong_to_is_403(client, w):
    response = book(client, w, w.machine.id, headers=w.h_outsider)
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    assert count(Booking) == 0


def test_booking_for_an_unknown_place_is_422_on_the_place_field(client, w):
    response = book(client, w, w.machine.id, place="nulle-part")
    assert response.status_code == 422
    assert "place" in response.get_json()["error"]["fields"]


def test_booking_without_place_is_422(client, w):
    response = client.post(f"{API}/resources/{w.machine.id}/bookings",
                           json={"start": paris(MONDAY, "10:00"), "end": paris(MONDAY, "11:00")},
                           headers=w.h_member)
    assert response.status_code == 422
    assert "place" in response.get_json()["error"]["fields"]


def test_booking_an_unknown_resource_is_404(client, w):
    for rid in ("999999", "abc", "99999999999999999999999"):
        response = client.post(f"{API}/resources/{rid}/bookings", json={"place": "ti-lieu"}, headers=w.h_member)
        assert response.status_code == 404, rid
        assert error_code(response) == "not_found"


def test_booking_an_archived_resource_is_404(client, w):
    w.machine.archived_at = datetime.now(timezone.utc)
    db.session.commit()
    response = book(client, w, w.machine.id)
    assert response.status_code == 404
    assert response.get_json()["error"] == {"code": "not_found", "message": "Cette ressource n'existe pas."}
    assert count(Booking) == 0


@pytest.mark.parametrize("body", ["not json", "[1, 2]", "null", "{"])
def test_booking_with_a_body_that_is_not_a_json_object_is_400(client, w, body):
    response = client.post(f"{API}/resources/{w.machine.id}/bookings", data=body,
                           headers={**w.h_member, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert error_code(response) == "bad_request"


def test_booking_without_the_required_training_is_403_prerequisite_missing(client, w, make):
    training = make.resource(w.hub, kind="training", name="Sécurité laser", capacity=8)
    w.machine.prerequisite_id = training.id
    db.session.commit()
    response = book(client, w, w.machine.id)
    assert response.status_code == 403
    assert error_code(response) == "prerequisite_missing"
    assert "Sécurité laser" in response.get_json()["error"]["message"]
    assert count(Booking) == 0


def test_booking_with_the_required_training_succeeds(client, w, make):
    training = make.resource(w.hub, kind="training", capacity=8)
    w.machine.prerequisite_id = training.id
    db.session.commit()
    make.qualification(w.member, training)
    response = book(client, w, w.machine.id)
    assert response.status_code == 201
    assert response.get_json()["status"] == "confirmed" and response.get_json()["resource"] == w.machine.id


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"end": paris(MONDAY, "09:00")}, "end"),
        ({"end": paris(MONDAY, "10:00")}, "end"),
        ({"start": "2020-01-06T10:00:00", "end": "2020-01-06T11:00:00"}, "start"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": 2}, "quantity"),
        ({"quantity": "beaucoup"}, "quantity"),
        ({"quantity": 10**30}, "quantity"),
        ({"start": "lundi matin"}, "start"),
        ({"start": 12}, "start"),
        ({"end": None}, "end"),
        ({"beneficiaries": -1}, "beneficiaries"),
    ],
)
def test_booking_with_invalid_fields_is_422_and_creates_nothing(client, w, changes, field):
    response = book(client, w, w.machine.id, **changes)
    assert response.status_code == 422
    body = response.get_json()["error"]
    assert body["code"] == "invalid"
    assert field in body["fields"]
    assert count(Booking) == 0 and count(AuditEntry) == 0


def test_booking_outside_opening_hours_is_422(client, w):
    w.machine.opening_hours = {"mon": [["09:00", "12:00"], ["14:00", "18:00"]]}
    db.session.commit()
    inside = book(client, w, w.machine.id, start=paris(MONDAY, "09:00"), end=paris(MONDAY, "12:00"))
    assert inside.status_code == 201
    across_lunch = book(client, w, w.machine.id, start=paris(MONDAY, "11:00"), end=paris(MONDAY, "15:00"))
    assert across_lunch.status_code == 422
    assert "start" in across_lunch.get_json()["error"]["fields"]
    tuesday = MONDAY + timedelta(days=1)
    closed_day = book(client, w, w.machine.id, start=paris(tuesday, "10:00"), end=paris(tuesday, "11:00"))
    assert closed_day.status_code == 422
    assert "start" in closed_day.get_json()["error"]["fields"]
    assert count(Booking) == 1


def test_booking_shorter_or_longer_than_allowed_is_422(client, w):
    w.machine.min_duration_minutes = 60
    w.machine.max_duration_minutes = 180
    db.session.commit()
    short = book(client, w, w.machine.id, start=paris(MONDAY, "10:00"), end=paris(MONDAY, "10:30"))
    long = book(client, w, w.machine.id, start=paris(MONDAY, "10:00"), end=paris(MONDAY, "14:00"))
    assert short.status_code == long.status_code == 422
    assert "end" in short.get_json()["error"]["fields"] and "end" in long.get_json()["error"]["fields"]
    assert book(client, w, w.machine.id, start=paris(MONDAY, "10:00"), end=paris(MONDAY, "13:00")).status_code == 201


def test_booking_with_less_than_the_minimum_notice_is_422(client, w):
    w.machine.min_notice_minutes = 60 * 24 * 30
    db.session.commit()
    response = book(client, w, w.machine.id)
    assert response.status_code == 422
    assert "start" in response.get_json()["error"]["fields"]


def test_booking_over_a_taken_slot_is_409_unavailable(client, w, make):
    start = datetime.fromisoformat(paris(MONDAY, "11:00")).replace(tzinfo=PARIS)
    make.booking(w.machine, w.other_place, start=start, end_at=start + timedelta(hours=2))
    response = book(client, w, w.machine.id)  # 10:00-12:00 overlaps 11:00-13:00
    assert response.status_code == 409
    assert error_code(response) == "unavailable"
    assert count(Booking) == 1


def test_an_overlap_missed_by_the_count_is_still_refused_by_postgresql(client, w, make, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the EXCLUDE constraint exists on PostgreSQL only")
    from hub.services import bookings

    start = datetime.fromisoformat(paris(MONDAY, "11:00")).replace(tzinfo=PARIS)
    make.booking(w.machine, w.other_place, start=start, end_at=start + timedelta(hours=2))
    # As if the application's own count had a bug: the constraint is the last guard.
    monkeypatch.setattr(bookings, "occupancy", lambda resource, start, end: (False, 0))
    response = book(client, w, w.machine.id)
    assert response.status_code == 409
    assert response.get_json()["error"] == {"code": "unavailable",
                                            "message": "Il ne reste pas assez de place sur ce créneau."}
    assert count(Booking) == 1
    assert book(client, w, w.machine.id, start=paris(MONDAY, "14:00"), end=paris(MONDAY, "15:00")).status_code == 201


def test_booking_right_after_another_one_fits(client, w, make):
    start = datetime.fromisoformat(paris(MONDAY, "08:00")).replace(tzinfo=PARIS)
    make.booking(w.machine, w.other_place, start=start, end_at=start + timedelta(hours=2))
    response = book(client, w, w.machine.id)  # 10:00, when the other ends
    assert response.status_code == 201 and response.get_json()["status"] == "confirmed"
    assert count(Booking) == 2


def test_cancelled_and_refused_bookings_hold_no_capacity(client, w, make):
    start = datetime.fromisoformat(paris(MONDAY, "10:00")).replace(tzinfo=PARIS)
    make.booking(w.machine, w.other_place, start=start, status="cancelled")
    make.booking(w.machine, w.other_place, start=start, status="refused", exclusive=False)
    response = book(client, w, w.machine.id)
    assert response.status_code == 201 and response.get_json()["status"] == "confirmed"


def test_pending_bookings_hold_capacity(client, w, make):
    start = datetime.fromisoformat(paris(MONDAY, "10:00")).replace(tzinfo=PARIS)
    make.booking(w.machine, w.other_place, start=start, status="pending")
    response = book(client, w, w.machine.id)
    assert response.status_code == 409 and error_code(response) == "unavailable"
    assert count(Booking) == 1


def test_quantities_add_up_to_the_capacity_at_every_instant(client, w, make):
    room = make.resource(w.hub, kind="space", capacity=5)
    assert book(client, w, room.id, quantity=3, start=paris(MONDAY, "09:00"), end=paris(MONDAY, "11:00")).status_code == 201
    assert book(client, w, room.id, quantity=2, start=paris(MONDAY, "10:00"), end=paris(MONDAY, "12:00")).status_code == 201
    # 11:00-12:00 has 2 used: 3 more fit there, but not over 10:30-11:30 (5 used at 10:30).
    assert book(client, w, room.id, quantity=3, start=paris(MONDAY, "11:00"), end=paris(MONDAY, "12:00")).status_code == 201
    response = book(client, w, room.id, quantity=1, start=paris(MONDAY, "10:30"), end=paris(MONDAY, "11:30"))
    assert response.status_code == 409 and error_code(response) == "unavailable"


def test_booking_over_a_closure_is_409_unavailable(client, w, make):
    start = datetime.fromisoformat(paris(MONDAY, "00:00")).replace(tzinfo=PARIS)
    make.closure(w.machine, start=start, end_at=start + timedelta(days=1), reason="Maintenance")
    response = book(client, w, w.machine.id)
    assert response.status_code == 409
    assert error_code(response) == "unavailable"


def test_booking_beyond_the_weekly_quota_is_409_quota_exceeded(client, w):
    w.machine.max_hours_per_week = 3
    db.session.commit()
    assert book(client, w, w.machine.id, start=paris(MONDAY, "08:00"), end=paris(MONDAY, "10:00")).status_code == 201
    friday = MONDAY + timedelta(days=4)
    response = book(client, w, w.machine.id, start=paris(friday, "10:00"), end=paris(friday, "12:00"))
    assert response.status_code == 409
    assert error_code(response) == "quota_exceeded"
    assert book(client, w, w.machine.id, start=paris(friday, "10:00"), end=paris(friday, "11:00")).status_code == 201
    next_week = MONDAY + timedelta(days=7)
    assert book(client, w, w.machine.id, start=paris(next_week, "10:00"),
                end=paris(next_week, "12:00")).status_code == 201


def test_the_weekly_quota_is_per_booking_place(client, w, make):
    w.machine.max_hours_per_week = 2
    db.session.commit()
    make.place(slug="lieu-trois", members=[w.member])
    assert book(client, w, w.machine.id, start=paris(MONDAY, "08:00"), end=paris(MONDAY, "10:00")).status_code == 201
    other = book(client, w, w.machine.id, place="lieu-trois")
    assert other.status_code == 201 and other.get_json()["place"] == "lieu-trois"


def test_incubation_needs_a_motivation_note_and_ignores_opening_hours(client, w, make):
    incubator = make.resource(w.hub, kind="incubation", capacity=3, requires_approval=True,
                              opening_hours={"mon": [["09:00", "18:00"]]})
    start, end = paris(MONDAY, "00:00"), paris(MONDAY + timedelta(days=90), "00:00")
    missing = book(client, w, incubator.id, start=start, end=end)
    assert missing.status_code == 422 and "note" in missing.get_json()["error"]["fields"]
    response = book(client, w, incubator.id, start=start, end=end, note="Une ressourcerie numérique.")
    assert response.status_code == 201
    assert response.get_json()["status"] == "pending"


# ---------------------------------------------------------------- trainings

@pytest.fixture
def training(w, make):  # type: ignore[no-untyped-def]
    resource = make.resource(w.hub, kind="training", name="Initiation impression 3D", capacity=3)
    return resource, make.session(resource, seats=3)


def test_training_is_booked_by_session(client, w, training):
    resource, session = training
    response = book(client, w, resource.id, session=session.id, quantity=2)
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "confirmed" and body["session"] == session.id
    assert datetime.fromisoformat(body["start"]) == session.start_at
    db.session.refresh(session)
    assert session.seats_taken == 2


def test_training_without_session_is_422(client, w, training):
    resource, _ = training
    response = client.post(f"{API}/resources/{resource.id}/bookings", json={"place": "ti-lieu"}, headers=w.h_member)
    assert response.status_code == 422
    assert "session" in response.get_json()["error"]["fields"]


def test_training_with_a_session_of_another_training_is_422(client, w, training, make):
    resource, _ = training
    other = make.session(make.resource(w.hub, kind="training", capacity=2))
    response = book(client, w, resource.id, session=other.id)
    assert response.status_code == 422


def test_full_session_puts_the_request_on_the_waitlist(client, w, training):
    resource, session = training
    assert book(client, w, resource.id, session=session.id, quantity=3).get_json()["status"] == "confirmed"
    response = book(client, w, resource.id, session=session.id, quantity=1)
    assert response.status_code == 201
    assert response.get_json()["status"] == "waitlisted"
    db.session.refresh(session)
    assert session.seats_taken == 3


def test_cancelling_promotes_the_oldest_waitlisted_booking_that_fits(client, w, training):
    resource, session = training
    first = book(client, w, resource.id, session=session.id, quantity=2).get_json()
    book(client, w, resource.id, session=session.id, quantity=1)
    too_big = book(client, w, resource.id, session=session.id, quantity=3).get_json()
    small = book(client, w, resource.id, session=session.id, quantity=2).get_json()
    assert too_big["status"] == small["status"] == "waitlisted"
    response = client.post(f"{API}/bookings/{first['id']}/cancel", headers=w.h_member)
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert db.session.get(Booking, too_big["id"]).status == "waitlisted"
    assert db.session.get(Booking, small["id"]).status == "confirmed"
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).seats_taken == 3
    promoted = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "booking.promoted"))
    assert promoted.object_id == small["id"] and promoted.actor_id == w.member.id


def test_promotion_goes_to_pending_when_the_training_requires_approval(client, w, training):
    resource, session = training
    resource.requires_approval = True
    db.session.commit()
    first = book(client, w, resource.id, session=session.id, quantity=3).get_json()
    waiting = book(client, w, resource.id, session=session.id).get_json()
    assert first["status"] == "pending" and waiting["status"] == "waitlisted"
    client.post(f"{API}/bookings/{first['id']}/refuse", json={"reason": "Complet pour vous"}, headers=w.h_manager)
    assert db.session.get(Booking, waiting["id"]).status == "pending"


def test_attendance_at_a_session_grants_the_qualification(client, w, training, make):
    resource, _ = training
    past = make.session(resource, start=datetime.now(timezone.utc) - timedelta(hours=1))
    booking = make.booking(resource, w.tiers_lieu, session=past, user=w.member, start=past.start_at,
                           end_at=past.end_at)
    response = client.post(f"{API}/bookings/{booking.id}/attendance", json={"attended": True, "beneficiaries": 1},
                           headers=w.h_manager)
    assert response.status_code == 200
    assert response.get_json()["attended"] is True
    qualification = db.session.scalar(sa.select(Qualification).where(Qualification.user_id == w.member.id))
    assert qualification.training_id == resource.id and qualification.source == "attendance"


# ---------------------------------------------------------------- lifecycle

@pytest.fixture
def pending(client, w, make):  # type: ignore[no-untyped-def]
    room = make.resource(w.hub, kind="space", capacity=1, requires_approval=True)
    return book(client, w, room.id).get_json()


def test_manager_confirms_a_pending_booking(client, w, pending):
    response = client.post(f"{API}/bookings/{pending['id']}/confirm", headers=w.h_manager)
    assert response.status_code == 200
    assert response.get_json()["status"] == "confirmed"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "booking.confirmed"))
    assert entry.actor_id == w.manager.id


def test_confirming_twice_is_409_invalid_state(client, w, pending):
    client.post(f"{API}/bookings/{pending['id']}/confirm", headers=w.h_manager)
    response = client.post(f"{API}/bookings/{pending['id']}/confirm", headers=w.h_manager)
    assert response.status_code == 409
    assert error_code(response) == "invalid_state"


def test_the_booker_cannot_confirm_its_own_request(client, w, pending):
    response = client.post(f"{API}/bookings/{pending['id']}/confirm", headers=w.h_member)
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    assert db.session.get(Booking, pending["id"]).status == "pending"


def test_someone_who_cannot_see_a_booking_gets_404(client, w, pending):
    for action in ("confirm", "refuse", "cancel"):
        response = client.post(f"{API}/bookings/{pending['id']}/{action}", headers=w.h_outsider)
        assert response.status_code == 404, action
        assert error_code(response) == "not_found", action
    seen = client.get(f"{API}/bookings/{pending['id']}", headers=w.h_outsider)
    assert seen.status_code == 404 and error_code(seen) == "not_found"
    assert db.session.get(Booking, pending["id"]).status == "pending"


def test_refusal_frees_the_slot_and_its_reason_is_visible_to_the_booker(client, w, pending):
    response = client.post(f"{API}/bookings/{pending['id']}/refuse", json={"reason": "Machine réservée à un atelier"},
                           headers=w.h_manager)
    assert response.status_code == 200 and response.get_json()["status"] == "refused"
    seen = client.get(f"{API}/bookings/{pending['id']}", headers=w.h_member).get_json()
    assert seen["status"] == "refused"
    assert seen["refusal_reason"] == "Machine réservée à un atelier"
    assert book(client, w, pending["resource"]).status_code == 201


def test_refusing_with_a_body_that_is_not_json_is_400(client, w, pending):
    response = client.post(f"{API}/bookings/{pending['id']}/refuse", data="raison",
                           headers={**w.h_manager, "Content-Type": "text/plain"})
    assert response.status_code == 400
    assert error_code(response) == "bad_request"
    assert db.session.get(Booking, pending["id"]).status == "pending"


def test_refusing_a_confirmed_booking_is_409_invalid_state(client, w):
    confirmed = book(client, w, w.machine.id).get_json()
    response = client.post(f"{API}/bookings/{confirmed['id']}/refuse", headers=w.h_manager)
    assert response.status_code == 409 and error_code(response) == "invalid_state"


def test_member_cancels_and_the_slot_becomes_free(client, w):
    confirmed = book(client, w, w.machine.id).get_json()
    response = client.post(f"{API}/bookings/{confirmed['id']}/cancel", headers=w.h_member)
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert book(client, w, w.machine.id).status_code == 201


def test_host_manager_may_cancel_a_booking(client, w):
    confirmed = book(client, w, w.machine.id).get_json()
    response = client.post(f"{API}/bookings/{confirmed['id']}/cancel", headers=w.h_manager)
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"


def test_cancelling_twice_is_409_invalid_state(client, w):
    confirmed = book(client, w, w.machine.id).get_json()
    client.post(f"{API}/bookings/{confirmed['id']}/cancel", headers=w.h_member)
    response = client.post(f"{API}/bookings/{confirmed['id']}/cancel", headers=w.h_member)
    assert response.status_code == 409 and error_code(response) == "invalid_state"


def test_cancelling_a_finished_booking_is_409_invalid_state(client, w, make):
    past = make.booking(w.machine, w.tiers_lieu, start=datetime.now(timezone.utc) - timedelta(days=2))
    response = client.post(f"{API}/bookings/{past.id}/cancel", headers=w.h_member)
    assert response.status_code == 409 and error_code(response) == "invalid_state"
    assert db.session.get(Booking, past.id).status == "confirmed"


def test_attendance_records_no_show_and_beneficiaries(client, w, make):
    started = make.booking(w.machine, w.tiers_lieu, start=datetime.now(timezone.utc) - timedelta(hours=1))
    response = client.post(f"{API}/bookings/{started.id}/attendance", json={"attended": False, "beneficiaries": 0},
                           headers=w.h_manager)
    assert response.status_code == 200
    body = response.get_json()
    assert body["attended"] is False and body["beneficiaries"] == 0


def test_attendance_before_the_start_is_409_invalid_state(client, w):
    confirmed = book(client, w, w.machine.id).get_json()
    response = client.post(f"{API}/bookings/{confirmed['id']}/attendance", json={"attended": True},
                           headers=w.h_manager)
    assert response.status_code == 409 and error_code(response) == "invalid_state"


def test_attendance_by_the_booker_is_403(client, w, make):
    started = make.booking(w.machine, w.tiers_lieu, start=datetime.now(timezone.utc) - timedelta(hours=1))
    response = client.post(f"{API}/bookings/{started.id}/attendance", json={"attended": True}, headers=w.h_member)
    assert response.status_code == 403


def test_attendance_needs_a_boolean(client, w, make):
    started = make.booking(w.machine, w.tiers_lieu, start=datetime.now(timezone.utc) - timedelta(hours=1))
    for body in ({}, {"attended": "peut-être"}, {"attended": True, "beneficiaries": -3}):
        response = client.post(f"{API}/bookings/{started.id}/attendance", json=body, headers=w.h_manager)
        assert response.status_code == 422, body
    assert db.session.get(Booking, started.id).attended is None


# ---------------------------------------------------------------- visibility

def test_bookings_list_shows_what_the_caller_may_see(client, w, make):
    mine = make.booking(w.machine, w.tiers_lieu, start=datetime.now(timezone.utc) + timedelta(days=3))
    theirs = make.booking(w.machine, w.other_place, start=datetime.now(timezone.utc) + timedelta(days=4))
    elsewhere = make.booking(make.resource(make.fabrique()), w.other_place)

    def ids(headers: dict, query: str = "") -> set[int]:
        response = client.get(f"{API}/bookings{query}", headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        assert body["total"] == len(body["items"])
        return {b["id"] for b in body["items"]}

    assert ids(w.h_member) == {mine.id}
    assert ids(w.h_outsider) == {theirs.id, elsewhere.id}
    assert ids(w.h_manager) == {mine.id, theirs.id}
    anct = make.user(role="anct")
    assert ids(make.api_headers(anct)) == {mine.id, theirs.id, elsewhere.id}
    assert ids(make.api_headers(anct), "?place=ti-lieu") == {mine.id}
    assert ids(make.api_headers(anct), f"?resource={w.machine.id}&status=confirmed") == {mine.id, theirs.id}
    assert ids(w.h_manager, "?status=pending") == set()


def test_bookings_list_rejects_unknown_filters_values(client, w):
    assert client.get(f"{API}/bookings?status=perdue", headers=w.h_member).status_code == 422
    assert client.get(f"{API}/bookings?resource=abc", headers=w.h_member).status_code == 422


def test_bookings_list_paginates(client, w, make):
    for day in range(5):
        make.booking(w.machine, w.tiers_lieu, start=datetime.now(timezone.utc) + timedelta(days=day + 1))
    body = client.get(f"{API}/bookings?per_page=2&page=3", headers=w.h_member).get_json()
    assert body["total"] == 5 and len(body["items"]) == 1


def test_bookings_list_without_token_is_401(client, w):
    assert client.get(f"{API}/bookings").status_code == 401
