"""Figures funders can trust: no-shows serve nobody, recorded attendance replaces the
declared beneficiaries, a bound per resource on what a booking may declare, the share of
verified beneficiaries, and incubation hours apart from hours of use."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hub.extensions import db
from hub.timeutil import PARIS
from models import Booking, Resource

API = "/api/v1"
PAST = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) - timedelta(days=3)


def next_monday_10h() -> tuple[str, str]:
    today = datetime.now(PARIS).date()
    monday = today + timedelta(days=7 - today.weekday())
    return f"{monday.isoformat()}T10:00:00", f"{monday.isoformat()}T12:00:00"


@pytest.fixture
def net(make):  # type: ignore[no-untyped-def]
    manager, member = make.user(), make.user()
    make.user(email="anct@example.org", role="anct")
    hub = make.fabrique(slug="h", managers=[manager])
    tiers_lieu = make.place(slug="t", members=[member])
    machine = make.resource(hub, kind="machine", capacity=10)
    return {
        "hub": hub, "tiers_lieu": tiers_lieu, "machine": machine,
        "manager": make.api_headers(manager), "member": make.api_headers(member),
    }


def hub_figures(client, auth):  # type: ignore[no-untyped-def]
    response = client.get(f"{API}/network/hubs", headers=auth.headers("anct@example.org"))
    assert response.status_code == 200
    return {h["slug"]: h for h in response.get_json()["items"]}["h"]


def totals(client, auth):  # type: ignore[no-untyped-def]
    response = client.get(f"{API}/network/summary", headers=auth.headers("anct@example.org"))
    return response.get_json()["totals"]


def attendance(client, net, booking_id, **body):  # type: ignore[no-untyped-def]
    return client.post(f"{API}/bookings/{booking_id}/attendance", json=body, headers=net["manager"])


def test_declaring_more_beneficiaries_than_the_resource_allows_is_422(client, net):
    start, end = next_monday_10h()
    body = {"place": "t", "start": start, "end": end, "beneficiaries": 1_000_000}
    response = client.post(f"{API}/resources/{net['machine'].id}/bookings", json=body, headers=net["member"])
    assert response.status_code == 422
    assert "beneficiaries" in response.get_json()["error"]["fields"]
    assert db.session.query(Booking).count() == 0
    body["beneficiaries"] = 100  # the default bound
    response = client.post(f"{API}/resources/{net['machine'].id}/bookings", json=body, headers=net["member"])
    assert response.status_code == 201 and response.get_json()["beneficiaries"] == 100


def test_managers_set_max_beneficiaries_through_the_api(client, net):
    response = client.post(f"{API}/places/h/resources", headers=net["manager"],
                           json={"kind": "space", "name": "Salle", "max_beneficiaries": 12})
    assert response.status_code == 201 and response.get_json()["max_beneficiaries"] == 12
    rid = response.get_json()["id"]
    response = client.patch(f"{API}/resources/{rid}", headers=net["manager"], json={"max_beneficiaries": 0})
    assert response.status_code == 422 and "max_beneficiaries" in response.get_json()["error"]["fields"]
    response = client.patch(f"{API}/resources/{rid}", headers=net["manager"], json={"max_beneficiaries": 30})
    assert response.status_code == 200 and response.get_json()["max_beneficiaries"] == 30
    start, end = next_monday_10h()
    response = client.post(f"{API}/resources/{rid}/bookings", headers=net["member"],
                           json={"place": "t", "start": start, "end": end, "beneficiaries": 31})
    assert response.status_code == 422


def test_resource_form_sets_max_beneficiaries(client, auth, make, net):
    manager = make.user(email="form-manager@example.org")
    hub = make.fabrique(slug="f", managers=[manager])
    auth.login("form-manager@example.org")
    response = client.post(f"/gestion/lieux/{hub.slug}/ressources/nouvelle",
                           data={"kind": "machine", "name": "Imprimante 3D", "capacity": "1",
                                 "max_beneficiaries": "7"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    assert db.session.query(Resource).filter_by(name="Imprimante 3D").one().max_beneficiaries == 7


def test_a_no_show_leaves_every_figure_and_the_graph(client, auth, make, net):
    booking = make.booking(net["machine"], net["tiers_lieu"], start=PAST, beneficiaries=8)
    assert hub_figures(client, auth)["beneficiaries"] == 8
    assert attendance(client, net, booking.id, attended=False).status_code == 200
    hub = hub_figures(client, auth)
    assert (hub["bookings"], hub["beneficiaries"], hub["hours"], hub["places_served"]) == (0, 0, 0, 0)
    assert totals(client, auth)["bookings"] == 0
    graph = client.get(f"{API}/network/graph", headers=auth.headers("anct@example.org")).get_json()
    assert graph["links"] == []
    monthly = client.get(f"{API}/network/monthly", headers=auth.headers("anct@example.org")).get_json()
    assert monthly["months"] == []


def test_recorded_attendance_replaces_the_declared_beneficiaries_and_is_verified(client, auth, make, net):
    attended = make.booking(net["machine"], net["tiers_lieu"], start=PAST, beneficiaries=50)
    make.booking(net["machine"], net["tiers_lieu"], start=PAST + timedelta(hours=3), beneficiaries=6)
    assert attendance(client, net, attended.id, attended=True, beneficiaries=4).status_code == 200
    hub = hub_figures(client, auth)
    assert hub["beneficiaries"] == 4 + 6
    assert hub["verified_share"] == pytest.approx(0.4)
    assert totals(client, auth)["verified_share"] == pytest.approx(0.4)


def test_attendance_above_the_resource_bound_is_422_and_changes_nothing(client, auth, make, net):
    booking = make.booking(net["machine"], net["tiers_lieu"], start=PAST, beneficiaries=5)
    response = attendance(client, net, booking.id, attended=True, beneficiaries=101)
    assert response.status_code == 422 and "beneficiaries" in response.get_json()["error"]["fields"]
    hub = hub_figures(client, auth)
    assert hub["beneficiaries"] == 5 and hub["verified_share"] == 0


def test_incubation_hours_are_counted_apart_from_hours_of_use(client, auth, make, net):
    incubator = make.resource(net["hub"], kind="incubation", capacity=3)
    make.booking(incubator, net["tiers_lieu"], start=PAST - timedelta(days=30), end_at=PAST)
    make.booking(net["machine"], net["tiers_lieu"], start=PAST, end_at=PAST + timedelta(hours=2))
    hub = hub_figures(client, auth)
    assert hub["hours"] == pytest.approx(2.0)
    assert hub["incubation_hours"] == pytest.approx(30 * 24.0)
    assert totals(client, auth)["incubation_hours"] == pytest.approx(30 * 24.0)


def test_confirming_a_booking_shows_in_the_very_next_figures(client, auth, make, net):
    net["machine"].requires_approval = True
    db.session.commit()
    start, end = next_monday_10h()
    created = client.post(f"{API}/resources/{net['machine'].id}/bookings", headers=net["member"],
                          json={"place": "t", "start": start, "end": end, "beneficiaries": 3}).get_json()
    assert created["status"] == "pending"
    assert hub_figures(client, auth)["bookings"] == 0  # cached now
    response = client.post(f"{API}/bookings/{created['id']}/confirm", headers=net["manager"])
    assert response.status_code == 200
    hub = hub_figures(client, auth)
    assert hub["bookings"] == 1 and hub["beneficiaries"] == 3
