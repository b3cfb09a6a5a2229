"""Booking rules at the service level: opening hours, quotas across weeks, free/busy, the
waitlist, attendance, capacity changes."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from hub.errors import Invalid, InvalidState, QuotaExceeded
from hub.extensions import db
from hub.services import bookings, qualifications, resources
from hub.timeutil import PARIS
from models import AuditEntry, Booking, Qualification


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(timezone.utc)


def next_weekday(weekday: int, weeks: int = 1) -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=7 * weeks - today.weekday() + weekday)


# ---------------------------------------------------------------- periods (the pure cases: test_rules_calendar.py)

def test_a_booking_ending_beyond_the_horizon_is_a_422_on_end_and_writes_nothing(client, make):
    member = make.user()
    tiers_lieu = make.place(members=[member])
    room = make.resource(make.fabrique(), kind="space", capacity=4)
    headers = make.api_headers(member)
    start = local(next_weekday(1), 10)
    # Year 9000 is refused by the date parser itself (no date beyond 2100 is read), 600 days
    # ahead by the horizon.
    for end, says in (("9000-01-01T00:00:00+01:00", "entre 1900 et 2100"),
                      ((start + timedelta(days=600)).isoformat(), "18 mois")):
        response = client.post(f"/api/v1/resources/{room.id}/bookings", headers=headers,
                               json={"place": tiers_lieu.slug, "start": start.isoformat(), "end": end})
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["code"] == "invalid" and says in error["fields"]["end"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_a_booking_longer_than_a_year_needs_a_maximum_duration_set_by_its_resource(client, make):
    member, manager = make.user(), make.user()
    tiers_lieu = make.place(members=[member])
    incubator = make.resource(make.fabrique(managers=[manager]), kind="incubation", capacity=4)
    headers = make.api_headers(member)
    start = local(next_weekday(1), 10)
    body = {"place": tiers_lieu.slug, "start": start.isoformat(), "note": "Un projet de fablab mobile",
            "end": (start + timedelta(days=400)).isoformat()}
    response = client.post(f"/api/v1/resources/{incubator.id}/bookings", headers=headers, json=body)
    assert response.status_code == 422 and "1 an" in response.get_json()["error"]["fields"]["end"]
    resources.update_resource(incubator, manager, {"max_duration_minutes": str(420 * 24 * 60)})
    db.session.commit()
    response = client.post(f"/api/v1/resources/{incubator.id}/bookings", headers=headers, json=body)
    assert response.status_code == 201


# ---------------------------------------------------------------- free/busy

def test_free_busy_merges_equal_neighbours_and_marks_hours_outside_opening(make):
    room = make.resource(make.fabrique(), kind="space", capacity=3, opening_hours={"tue": [["09:00", "17:00"]]})
    tuesday = next_weekday(1)
    place = make.place()
    make.booking(room, place, start=local(tuesday, 10), end_at=local(tuesday, 12), quantity=2)
    make.booking(room, place, start=local(tuesday, 12), end_at=local(tuesday, 13), quantity=2)
    make.booking(room, place, start=local(tuesday, 12), end_at=local(tuesday, 14), status="cancelled")
    day_start, day_end = local(tuesday, 0), local(tuesday + timedelta(days=1), 0)
    intervals = resources.free_busy(room, day_start, day_end)
    summary = [(i["start"].astimezone(PARIS).hour, i["end"].astimezone(PARIS).hour, i["free"], i["closed"])
               for i in intervals]
    assert summary == [(0, 9, 3, True), (9, 10, 3, False), (10, 13, 1, False), (13, 17, 3, False), (17, 0, 3, True)]
    assert intervals[0]["start"] == day_start and intervals[-1]["end"] == day_end


def test_free_busy_of_a_large_resource_reads_only_the_window(make):
    room = make.resource(make.fabrique(), kind="space", capacity=10)
    place = make.place()
    start = local(next_weekday(0), 8)
    rows = [
        Booking(resource_id=room.id, place_id=place.id, start_at=start + timedelta(hours=3 * i),
                end_at=start + timedelta(hours=3 * i + 2), quantity=1, status="confirmed", note="")
        for i in range(2000)
    ]
    db.session.add_all(rows)
    db.session.commit()
    week = resources.free_busy(room, start, start + timedelta(days=7))
    assert sum(1 for i in week if i["free"] == 9) == 56


# ---------------------------------------------------------------- quota

def test_quota_counts_each_iso_week_a_long_booking_touches(make):
    owner = make.user()
    member = make.user()
    hub = make.fabrique(managers=[owner])
    tiers_lieu = make.place(members=[member])
    room = make.resource(hub, kind="space", capacity=5, max_hours_per_week=10)
    sunday = next_weekday(6)
    make.booking(room, tiers_lieu, start=local(sunday, 8), end_at=local(sunday, 16))
    # Sunday 20:00 -> Monday 04:00: 4 h in this week (over 10 with the 8 already), 4 h in the next.
    with pytest.raises(QuotaExceeded):
        bookings.create_booking(room.id, member.id, {"place": tiers_lieu.slug, "start": local(sunday, 20).isoformat(),
                                               "end": local(sunday + timedelta(days=1), 4).isoformat()})
    db.session.rollback()
    booking = bookings.create_booking(room.id, member.id, {"place": tiers_lieu.slug,
                                                     "start": local(sunday, 22).isoformat(),
                                                     "end": local(sunday + timedelta(days=1), 6).isoformat()})
    assert booking["status"] == "confirmed"


# ---------------------------------------------------------------- lifecycle details

def test_cancelling_a_waitlisted_booking_releases_no_seat(make):
    manager, member = make.user(), make.user()
    hub = make.fabrique(managers=[manager])
    tiers_lieu = make.place(members=[member])
    training = make.resource(hub, kind="training", capacity=1)
    session = make.session(training, seats=1)
    first = bookings.create_booking(training.id, member.id, {"place": tiers_lieu.slug, "session": session.id})
    waiting = bookings.get_booking(bookings.create_booking(
        training.id, member.id, {"place": tiers_lieu.slug, "session": str(session.id)})["id"])
    db.session.commit()
    assert (first["status"], waiting.status) == ("confirmed", "waitlisted")
    bookings.cancel_booking(waiting, member)
    db.session.commit()
    db.session.refresh(session)
    assert session.seats_taken == 1


def test_refusing_needs_no_reason_but_keeps_one_given(make):
    manager, member = make.user(), make.user()
    hub = make.fabrique(managers=[manager])
    tiers_lieu = make.place(members=[member])
    room = make.resource(hub, kind="space", capacity=2, requires_approval=True)
    booking = make.booking(room, tiers_lieu, status="pending")
    bookings.refuse_booking(booking, manager, None)
    db.session.commit()
    assert booking.status == "refused" and booking.refusal_reason is None
    with pytest.raises(InvalidState):
        bookings.refuse_booking(booking, manager, "trop tard")


def test_correcting_attendance_to_no_show_withdraws_the_qualification_it_gave(make):
    manager, member = make.user(), make.user()
    hub = make.fabrique(managers=[manager])
    tiers_lieu = make.place(members=[member])
    training = make.resource(hub, kind="training", capacity=4)
    session = make.session(training, start=datetime.now(timezone.utc) - timedelta(hours=2))
    booking = make.booking(training, tiers_lieu, session=session, user=member, start=session.start_at,
                           end_at=session.end_at)
    bookings.record_attendance(booking, manager, True, 2)
    db.session.commit()
    assert qualifications.is_qualified(member.id, training.id)
    bookings.record_attendance(booking, manager, False)
    db.session.commit()
    assert not qualifications.is_qualified(member.id, training.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Qualification)) == 0
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["booking.attendance", "qualification.granted", "booking.attendance",
                       "qualification.withdrawn"]


def test_a_manual_qualification_survives_a_no_show(make):
    manager, member = make.user(), make.user()
    hub = make.fabrique(managers=[manager])
    tiers_lieu = make.place(members=[member])
    training = make.resource(hub, kind="training", capacity=4)
    make.qualification(member, training)
    session = make.session(training, start=datetime.now(timezone.utc) - timedelta(hours=2))
    booking = make.booking(training, tiers_lieu, session=session, user=member, start=session.start_at,
                           end_at=session.end_at)
    bookings.record_attendance(booking, manager, False)
    db.session.commit()
    assert qualifications.is_qualified(member.id, training.id)


def test_lowering_session_capacity_below_the_fullest_session_is_refused(make):
    manager = make.user()
    hub = make.fabrique(managers=[manager])
    training = make.resource(hub, kind="training", capacity=6)
    make.session(training, seats=6, seats_taken=4)
    with pytest.raises(Invalid) as caught:
        resources.update_resource(training, manager, {"capacity": "3"})
    assert "capacity" in caught.value.fields
    db.session.rollback()
    resources.update_resource(training, manager, {"capacity": "4"})


def test_kind_cannot_change(make):
    manager = make.user()
    machine = make.resource(make.fabrique(managers=[manager]), kind="machine")
    with pytest.raises(Invalid) as caught:
        resources.update_resource(machine, manager, {"kind": "space"})
    assert "kind" in caught.value.fields


def test_pending_requests_are_those_of_the_places_one_manages(make):
    manager = make.user()
    hub = make.fabrique(managers=[manager])
    other_hub = make.fabrique()
    tiers_lieu = make.place()
    mine = make.booking(make.resource(hub, requires_approval=True), tiers_lieu, status="pending")
    make.booking(make.resource(other_hub, requires_approval=True), tiers_lieu, status="pending")
    make.booking(make.resource(hub), tiers_lieu, status="confirmed")
    assert [b.id for b in bookings.pending_requests(manager)] == [mine.id]


def test_my_bookings_split_upcoming_and_past(make):
    member = make.user()
    tiers_lieu = make.place(members=[member])
    machine = make.resource(make.fabrique(), capacity=3)
    now = datetime.now(timezone.utc)
    later = make.booking(machine, tiers_lieu, start=now + timedelta(days=2))
    soon = make.booking(machine, tiers_lieu, start=now + timedelta(days=1))
    past = make.booking(machine, tiers_lieu, start=now - timedelta(days=3))
    assert [b.id for b in bookings.bookings_of_user_places(member, upcoming=True)] == [soon.id, later.id]
    assert [b.id for b in bookings.bookings_of_user_places(member, upcoming=False)] == [past.id]
