"""Series: a booking every day or week, under every rule of a single booking, all or
nothing or skipping conflicts; cancelling what is left of one."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.timeutil import PARIS
from models import AuditEntry, Booking, BookingSeries
from tests.factories import api_headers


def monday_at(hour: int, weeks_ahead: int = 1) -> datetime:
    today = datetime.now(PARIS).replace(hour=hour, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    w = type("World", (), {})()
    w.manager = make.user()
    w.member = make.user()
    w.hub = make.fabrique(managers=[w.manager])
    w.place = make.place(members=[w.member])
    w.room = make.resource(w.hub, kind="space", capacity=1, name="Atelier")
    return w


def post_series(client, w, resource=None, user=None, **body):  # type: ignore[no-untyped-def]
    start = monday_at(14)
    payload = {"place": w.place.slug, "start": start.isoformat(),
               "end": (start + timedelta(hours=2)).isoformat(), "every": "week", **body}
    payload = {k: v for k, v in payload.items() if v is not None}
    return client.post(f"/api/v1/resources/{(resource or w.room).id}/series", json=payload,
                       headers=api_headers(user or w.member))


def bookings_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Booking))


def test_a_weekly_series_books_each_week_at_the_same_paris_time(client, world):
    response = post_series(client, world, count=10)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert len(body["bookings"]) == 10 and body["skipped"] == []
    starts = [datetime.fromisoformat(b["start"]).astimezone(PARIS) for b in body["bookings"]]
    # Ten weeks may cross a change of daylight saving time: the wall clock stays at 14:00.
    assert {(s.weekday(), s.hour, s.minute) for s in starts} == {(0, 14, 0)}
    assert all(b["series"] == body["id"] for b in body["bookings"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)
                             .where(Booking.series_id == body["id"])) == 10


def test_a_daily_series_until_a_date_includes_that_date(client, world):
    start = monday_at(9)
    until = (start + timedelta(days=4)).date().isoformat()
    response = post_series(client, world, every="day", until=until)
    assert response.status_code == 201, response.get_json()
    days = [datetime.fromisoformat(b["start"]).astimezone(PARIS).date().isoformat()
            for b in response.get_json()["bookings"]]
    assert len(days) == 5 and days[-1] == until


@pytest.mark.parametrize("body, field", [
    ({"count": 53}, "count"),
    ({"count": 0}, "count"),
    ({}, "count"),
    ({"count": 3, "until": "2030-01-01"}, "until"),
    ({"every": "month", "count": 3}, "every"),
    ({"until": "pas une date"}, "until"),
])
def test_a_series_without_a_proper_end_or_rhythm_is_refused(client, world, body, field):
    response = post_series(client, world, **body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert bookings_count() == 0


def test_a_series_until_a_date_beyond_52_occurrences_is_refused(client, world):
    until = (monday_at(14) + timedelta(days=60)).date().isoformat()
    response = post_series(client, world, every="day", until=until)
    assert response.status_code == 422 and "until" in response.get_json()["error"]["fields"]
    assert bookings_count() == 0


def test_one_taken_week_refuses_the_whole_series(client, make, world):
    taken = monday_at(14, weeks_ahead=3)
    make.booking(world.room, make.place(), start_at=taken, end_at=taken + timedelta(hours=2))
    response = post_series(client, world, count=5)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "unavailable"
    assert bookings_count() == 1  # only the one that was there


def test_skip_conflicts_leaves_out_the_taken_weeks_and_lists_them(client, make, world):
    taken = monday_at(14, weeks_ahead=3)
    make.booking(world.room, make.place(), start_at=taken, end_at=taken + timedelta(hours=2))
    response = post_series(client, world, count=5, skip_conflicts=True)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert len(body["bookings"]) == 4
    [skipped] = body["skipped"]
    assert skipped["code"] == "unavailable"
    assert datetime.fromisoformat(skipped["start"]) == taken
    assert bookings_count() == 5


def test_skip_conflicts_also_skips_weeks_over_the_quota(client, make, world):
    room = make.resource(world.hub, kind="space", capacity=3, max_hours_per_week=3)
    week = monday_at(10, weeks_ahead=2)
    make.booking(room, world.place, start_at=week, end_at=week + timedelta(hours=2))
    body = post_series(client, world, room, count=3, skip_conflicts=True).get_json()
    assert [s["code"] for s in body["skipped"]] == ["quota_exceeded"]
    assert len(body["bookings"]) == 2


def test_a_rule_broken_by_one_occurrence_refuses_the_series_even_when_skipping(client, make, world):
    # A daily series on a room open on Mondays only: Tuesday breaks a rule (422), not a conflict.
    room = make.resource(world.hub, kind="space", capacity=2, opening_hours={"mon": [["09:00", "18:00"]]})
    response = post_series(client, world, room, every="day", count=3, skip_conflicts=True)
    assert response.status_code == 422  # Tuesday is outside the opening hours
    assert "Occurrence du" in response.get_json()["error"]["message"]
    assert bookings_count() == 0


def test_a_series_checks_membership_and_prerequisites(client, make, world):
    outsider = make.user()
    assert post_series(client, world, user=outsider, count=2).status_code == 403
    training = make.resource(world.hub, kind="training")
    guarded = make.resource(world.hub, kind="machine", prerequisite_id=training.id)
    response = post_series(client, world, guarded, count=2)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "prerequisite_missing"
    assert bookings_count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BookingSeries)) == 0


def test_a_training_has_no_series(client, make, world):
    training = make.resource(world.hub, kind="training")
    response = post_series(client, world, training, count=2)
    assert response.status_code == 422 and "resource" in response.get_json()["error"]["fields"]


def test_cancelling_a_series_cancels_what_has_not_started(client, make, world):
    body = post_series(client, world, count=4).get_json()
    first = db.session.get(Booking, body["bookings"][0]["id"])
    # The first occurrence is under way: it stays.
    first.start_at = datetime.now(timezone.utc) - timedelta(minutes=30)
    db.session.commit()
    response = client.post(f"/api/v1/series/{body['id']}/cancel", json={}, headers=api_headers(world.member))
    assert response.status_code == 200
    assert response.get_json() == {"id": body["id"], "cancelled": 3}
    db.session.expire_all()
    statuses = [db.session.get(Booking, b["id"]).status for b in body["bookings"]]
    assert statuses == ["confirmed", "cancelled", "cancelled", "cancelled"]
    assert "series.cancelled" in db.session.scalars(sa.select(AuditEntry.action)).all()


def test_a_series_is_cancelled_by_those_who_may_cancel_its_bookings(client, make, world):
    body = post_series(client, world, count=2).get_json()
    admin, stranger = make.user(role="admin"), make.user()
    assert client.post(f"/api/v1/series/{body['id']}/cancel", headers=api_headers(admin)).status_code == 403
    assert client.post(f"/api/v1/series/{body['id']}/cancel", headers=api_headers(stranger)).status_code == 404
    host = client.post(f"/api/v1/series/{body['id']}/cancel", headers=api_headers(world.manager))
    assert host.status_code == 200 and host.get_json()["cancelled"] == 2


def test_the_booking_form_repeats_each_week(client, auth, world):
    auth.login(world.member.email)
    start = monday_at(14)
    response = client.post(f"/ressources/{world.room.id}/reserver", data={
        "place": world.place.slug, "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), "quantity": "1", "repeat_weeks": "6"})
    assert response.status_code == 302
    assert bookings_count() == 6


def test_a_loan_is_booked_by_days_in_the_form(client, auth, make, world):
    kit = make.resource(world.hub, kind="loan", name="Kit robotique")
    auth.login(world.member.email)
    page = client.get(f"/ressources/{kit.id}").get_data(as_text=True)
    assert 'type="date"' in page and "Premier jour" in page
    first = monday_at(0).date()
    response = client.post(f"/ressources/{kit.id}/reserver", data={
        "place": world.place.slug, "start": first.isoformat(),
        "end": (first + timedelta(days=2)).isoformat(), "quantity": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    booking = db.session.scalars(sa.select(Booking)).one()
    start, end = booking.start_at.astimezone(PARIS), booking.end_at.astimezone(PARIS)
    assert (start.date(), start.hour) == (first, 0)
    assert (end.date(), end.hour) == (first + timedelta(days=3), 0)
