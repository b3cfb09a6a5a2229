"""No template queries: each page loads what it shows (tests/conftest.py's guard).

These tests seed in an app context of their own and close it before the requests, so each
request starts with an empty session, as in production: nothing the test loaded can hide
a page's lazy load.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy.orm as so
from flask import render_template_string

from hub.extensions import db
from models import Booking
from tests import factories
from tests.conftest import refused_queries


@pytest.fixture
def seeded(app):  # type: ignore[no-untyped-def]
    """A member's tiers-lieu with a pending booking of a fabrique's machine; ids only."""
    with app.app_context():
        member = factories.user(email="membre@example.org", name="Margot Membre", password=factories.PASSWORD)
        manager = factories.user(email="gestion@example.org", name="Gaël Gestion", password=factories.PASSWORD)
        host = factories.fabrique(name="Fabrique de Morlaix", managers=[manager])
        tiers = factories.place(name="Tiers-lieu du Port", members=[member])
        laser = factories.resource(host, name="Découpe laser", requires_approval=True)
        booking = factories.booking(
            laser, tiers, user=member, status="pending",
            start=datetime.now(timezone.utc) + timedelta(days=2),
        )
        ids = {"booking": booking.id, "resource": laser.id, "host": host.slug, "tiers": tiers.slug}
        db.session.remove()
    return ids


def _booking_page(app, eager: bool):  # type: ignore[no-untyped-def]
    def view(booking_id: int) -> str:
        options = [so.joinedload(Booking.resource)] if eager else []
        booking = db.session.get(Booking, booking_id, options=options)
        return render_template_string("<p>{{ booking.resource.name }}</p>", booking=booking)

    app.add_url_rule("/test/booking/<int:booking_id>", f"test_booking_{eager}", view)


def test_a_template_that_lazy_loads_fails_the_test(app, client, seeded):  # type: ignore[no-untyped-def]
    _booking_page(app, eager=False)
    response = client.get(f"/test/booking/{seeded['booking']}")
    assert response.status_code == 500
    # The guard recorded it; taken here, or the app fixture would fail this test too.
    assert len(refused_queries) == 1
    assert refused_queries.pop().startswith("a lazy load while rendering <string>: SELECT resources.")


def test_the_same_page_loading_what_it_shows_renders(app, client, seeded):  # type: ignore[no-untyped-def]
    _booking_page(app, eager=True)
    response = client.get(f"/test/booking/{seeded['booking']}")
    assert response.status_code == 200
    assert "<p>Découpe laser</p>" in response.get_data(as_text=True)


def test_member_pages_render_from_a_fresh_session(client, auth, seeded):  # type: ignore[no-untyped-def]
    auth.login("membre@example.org")
    mine = client.get("/mes-reservations").get_data(as_text=True)
    assert "Découpe laser" in mine and "Fabrique de Morlaix" in mine
    resource = client.get(f"/ressources/{seeded['resource']}").get_data(as_text=True)
    assert 'id="host-place"' in resource and "Fabrique de Morlaix" in resource
    places = client.get("/lieux/").get_data(as_text=True)
    assert "Tiers-lieu du Port" in places


def test_manager_pages_render_from_a_fresh_session(client, auth, seeded):  # type: ignore[no-untyped-def]
    auth.login("gestion@example.org")
    requests = client.get("/gestion/demandes").get_data(as_text=True)
    assert "Demandé par Margot Membre" in requests and "Fabrique de Morlaix" in requests
    start = datetime.now(timezone.utc) + timedelta(days=2)
    calendar = client.get(
        f"/gestion/ressources/{seeded['resource']}/calendrier?semaine={start.date().isoformat()}"
    ).get_data(as_text=True)
    assert "Tiers-lieu du Port" in calendar
    members = client.get(f"/lieux/{seeded['host']}/membres").get_data(as_text=True)
    assert "Gaël Gestion" in members
    export = client.get(f"/gestion/lieux/{seeded['host']}/reservations.csv").get_data(as_text=True)
    assert "Découpe laser;Machine;Tiers-lieu du Port" in export and "Margot Membre" in export
