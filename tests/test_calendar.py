"""Calendars: the .ics of a booking and the private feed of a user's places."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from hub.extensions import db
from models import User


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    member = make.user(email="membre@tl.fr")
    make.user(email="etranger@ailleurs.fr")
    fab = make.fabrique(name="Fabrique de Brest", commune="Brest")
    tiers = make.place(name="Tiers-lieu du Port", members=[member])
    laser = make.resource(fab, name="Découpeuse laser")
    start = datetime(2031, 7, 1, 8, 0, tzinfo=timezone.utc)  # 10:00 in Paris (summer time)
    booking = make.booking(laser, tiers, start_at=start, end_at=start + timedelta(hours=2))
    return {"member": member, "tiers": tiers, "laser": laser, "booking": booking}


def events(body: bytes) -> list:  # type: ignore[type-arg]
    return list(Calendar.from_ical(body).walk("VEVENT"))


def feed_url(client, auth) -> str:  # type: ignore[no-untyped-def]
    auth.login("membre@tl.fr")
    client.post("/calendrier/lien")
    db.session.expire_all()
    token = db.session.query(User).filter_by(email="membre@tl.fr").one().calendar_token
    return f"/calendrier/{token}.ics"


def test_booking_ics_has_the_booking_times_and_place(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("membre@tl.fr")
    response = client.get(f"/reservations/{world['booking'].id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    (event,) = events(response.get_data())
    assert event.decoded("dtstart") == datetime(2031, 7, 1, 8, 0, tzinfo=timezone.utc)
    assert event.decoded("dtend") == datetime(2031, 7, 1, 10, 0, tzinfo=timezone.utc)
    assert "Découpeuse laser" in str(event["summary"])
    assert "Fabrique de Brest" in str(event["location"])
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["uid"]).startswith(f"reservation-{world['booking'].id}@")


def test_user_cannot_fetch_the_ics_of_a_booking_they_cannot_see(client, world, auth):  # type: ignore[no-untyped-def]
    auth.login("etranger@ailleurs.fr")
    assert client.get(f"/reservations/{world['booking'].id}.ics").status_code == 404


def test_booking_ics_needs_a_login(client, world):  # type: ignore[no-untyped-def]
    assert client.get(f"/reservations/{world['booking'].id}.ics").status_code == 302


def test_feed_lists_active_bookings_of_my_places(client, world, auth, make):  # type: ignore[no-untyped-def]
    make.booking(world["laser"], world["tiers"], status="cancelled",
                 start_at=datetime(2031, 7, 2, 8, tzinfo=timezone.utc))
    make.booking(world["laser"], world["tiers"], status="pending",
                 start_at=datetime(2031, 7, 3, 8, tzinfo=timezone.utc))
    url = feed_url(client, auth)
    auth.logout()
    response = client.get(url)  # calendar apps fetch without a session
    assert response.status_code == 200
    statuses = sorted(str(e["status"]) for e in events(response.get_data()))
    assert statuses == ["CONFIRMED", "TENTATIVE"]


def test_feed_with_an_unknown_token_is_404(client, world):  # type: ignore[no-untyped-def]
    assert client.get("/calendrier/pas-un-jeton.ics").status_code == 404


def test_regenerating_the_token_retires_the_old_feed_url(client, world, auth):  # type: ignore[no-untyped-def]
    old = feed_url(client, auth)
    page = client.get("/mes-reservations").get_data(as_text=True)
    assert old in page
    client.post("/calendrier/lien")
    assert client.get(old).status_code == 404
