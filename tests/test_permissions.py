"""Who may do what: the predicates of hub.rules.permissions one by one (no database),
then the policy through the API and the pages: what admin and ANCT may do that a
manager may not, and the reverse."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from hub.extensions import db
from hub.rules import permissions as p
from hub.rules.permissions import Actor
from models import Booking, Membership, Resource

HUB, OTHER_HUB, TIERS = 1, 2, 3

ACTORS = {
    "admin": Actor(10, "admin"),
    "anct": Actor(11, "anct"),
    "manager": Actor(12, None, {HUB: "manager"}),
    "member": Actor(13, None, {TIERS: "member"}),
    "tiers_manager": Actor(14, None, {TIERS: "manager"}),
    "other_manager": Actor(15, None, {OTHER_HUB: "manager"}),
    "nobody": Actor(16),
}


def who(predicate, *args) -> set[str]:  # type: ignore[no-untyped-def]
    """The names of the actors for whom `predicate(actor, *args)` holds."""
    return {name for name, actor in ACTORS.items() if predicate(actor, *args)}


# ---------------------------------------------------------------- the predicates, pure

def test_actor_roles_in_places():
    actor = Actor(1, None, {HUB: "manager", TIERS: "member"})
    assert actor.role_in(HUB) == "manager" and actor.role_in(OTHER_HUB) is None
    assert actor.manages(HUB) and not actor.manages(TIERS)
    assert actor.belongs_to(HUB) and actor.belongs_to(TIERS) and not actor.belongs_to(OTHER_HUB)


def test_a_place_with_no_role_is_not_belonging():
    assert not Actor(1, None, {HUB: None}).belongs_to(HUB)  # type: ignore[dict-item]


def test_only_admin_and_anct_see_the_network():
    assert who(p.sees_network) == {"admin", "anct"}
    assert who(p.may_read_network) == {"admin", "anct"}


def test_labelling_a_fabrique_is_for_admin_anct_and_the_system():
    assert who(p.may_label) == {"admin", "anct"}
    assert p.may_label(None)


@pytest.mark.parametrize("kind", ["fabrique", "fabrique_numerique"])
def test_creating_a_fabrique_needs_labelling_rights(kind):
    assert who(p.may_create_place, kind) == {"admin", "anct"}
    assert p.may_create_place(None, kind)


def test_anyone_creates_a_tiers_lieu():
    assert who(p.may_create_place, "tiers_lieu") == set(ACTORS)


def test_members_are_managed_by_the_place_managers_admin_and_anct():
    assert who(p.may_manage_members, HUB) == {"admin", "anct", "manager"}
    assert who(p.may_manage_members, TIERS) == {"admin", "anct", "tiers_manager"}


def test_a_hub_is_run_by_its_managers_only():
    assert who(p.may_run_hub, HUB) == {"manager"}
    assert who(p.may_run_hub, OTHER_HUB) == {"other_manager"}


def test_booking_for_a_place_needs_a_role_in_it():
    assert who(p.may_book_for, TIERS) == {"member", "tiers_manager"}


def test_decisions_are_for_the_host_managers_only():
    assert who(p.may_decide, HUB) == {"manager"}


def test_cancelling_is_for_the_booking_place_and_the_host_managers():
    assert who(p.may_cancel, TIERS, HUB) == {"member", "tiers_manager", "manager"}


def test_reading_a_booking_adds_admin_and_anct_to_those_who_cancel():
    assert who(p.may_read_booking, TIERS, HUB) == {"admin", "anct", "member", "tiers_manager", "manager"}


def test_a_hubs_figures_are_read_by_its_managers_admin_and_anct():
    assert who(p.may_read_hub_figures, HUB) == {"admin", "anct", "manager"}


def test_a_global_role_adds_to_place_roles():
    admin_and_manager = Actor(20, "admin", {HUB: "manager"})
    assert p.may_run_hub(admin_and_manager, HUB) and p.may_decide(admin_and_manager, HUB)
    assert not p.may_run_hub(admin_and_manager, OTHER_HUB)


# ---------------------------------------------------------------- the policy, through the app

@pytest.fixture
def w(make):  # type: ignore[no-untyped-def]
    admin = make.user(email="admin@example.org", role="admin")
    anct = make.user(email="anct@example.org", role="anct")
    manager = make.user(email="gestion@fab.fr")
    other = make.user(email="autre@fab.fr")
    member = make.user(email="membre@tl.fr")
    hub = make.fabrique(name="Fabrique de Brest", slug="fab-brest", managers=[manager])
    make.fabrique(name="Fabrique de Lyon", slug="fab-lyon", departement="69", managers=[other])
    tiers = make.place(name="Tiers-lieu du Port", slug="tl-port", members=[member])
    laser = make.resource(hub, name="Découpeuse laser", requires_approval=True)
    booking = make.booking(laser, tiers, status="pending",
                           start=datetime.now(timezone.utc) + timedelta(days=3))
    return {"admin": admin, "anct": anct, "manager": manager, "other": other, "member": member,
            "hub": hub, "tiers": tiers, "laser": laser, "booking": booking}


def headers(make, user):  # type: ignore[no-untyped-def]
    return make.api_headers(user)


def status_of(booking_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Booking, booking_id).status


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_admin_and_anct_add_a_member_where_another_hubs_manager_may_not(client, make, w, role):
    body = {"email": "membre@tl.fr", "role": "member"}
    refused = client.post("/api/v1/places/fab-brest/members", json=body, headers=headers(make, w["other"]))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    added = client.post("/api/v1/places/fab-brest/members", json=body, headers=headers(make, w[role]))
    assert added.status_code == 201
    role_now = db.session.scalar(sa.select(Membership.role).where(
        Membership.user_id == w["member"].id, Membership.place_id == w["hub"].id))
    assert role_now == "member"


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_admin_and_anct_label_a_fabrique_a_manager_may_not(client, make, w, role):
    body = {"name": "Fabrique de Quimper", "kind": "fabrique", "commune": "Quimper",
            "departement": "29", "territory": "urbain", "lat": 48.0, "lon": -4.1}
    assert client.post("/api/v1/places", json=body, headers=headers(make, w["manager"])).status_code == 403
    assert client.post("/api/v1/places", json=body, headers=headers(make, w[role])).status_code == 201


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_admin_and_anct_read_the_network_a_manager_may_not(client, make, w, role):
    refused = client.get("/api/v1/network/hubs", headers=headers(make, w["manager"]))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/network/hubs", headers=headers(make, w[role])).status_code == 200


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_admin_and_anct_read_any_booking_another_hubs_manager_may_not(client, make, w, role):
    url = f"/api/v1/bookings/{w['booking'].id}"
    assert client.get(url, headers=headers(make, w["other"])).status_code == 404
    assert client.get(url, headers=headers(make, w[role])).get_json()["id"] == w["booking"].id
    listed = client.get("/api/v1/bookings", headers=headers(make, w[role])).get_json()
    assert [b["id"] for b in listed["items"]] == [w["booking"].id]


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_a_manager_publishes_a_resource_admin_and_anct_may_not(client, make, w, role):
    body = {"kind": "machine", "name": "Imprimante 3D"}
    refused = client.post("/api/v1/places/fab-brest/resources", json=body, headers=headers(make, w[role]))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Resource)) == 1
    created = client.post("/api/v1/places/fab-brest/resources", json=body, headers=headers(make, w["manager"]))
    assert created.status_code == 201


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_a_host_manager_confirms_admin_and_anct_may_not(client, make, w, role):
    url = f"/api/v1/bookings/{w['booking'].id}/confirm"
    refused = client.post(url, headers=headers(make, w[role]))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert status_of(w["booking"].id) == "pending"
    assert client.post(url, headers=headers(make, w["manager"])).get_json()["status"] == "confirmed"


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_the_booking_place_cancels_admin_and_anct_may_not(client, make, w, role):
    """The contract names the booking place's members and the host's managers only."""
    url = f"/api/v1/bookings/{w['booking'].id}/cancel"
    refused = client.post(url, headers=headers(make, w[role]))
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    assert status_of(w["booking"].id) == "pending"
    assert client.post(url, headers=headers(make, w["member"])).get_json()["status"] == "cancelled"


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_the_back_office_opens_to_its_managers_not_to_admin_or_anct(client, auth, w, role):
    auth.login(f"{role}@example.org")
    for url in ("/gestion/", "/gestion/demandes", "/gestion/lieux/fab-brest",
                f"/gestion/ressources/{w['laser'].id}", "/gestion/lieux/fab-brest/reservations.csv"):
        assert client.get(url).status_code == 403, url
    client.post(f"/gestion/reservations/{w['booking'].id}/confirmer")
    assert status_of(w["booking"].id) == "pending"
    auth.logout()
    auth.login("gestion@fab.fr")
    assert client.get("/gestion/lieux/fab-brest").status_code == 200
    assert f'data-booking="{w["booking"].id}"' in client.get("/gestion/demandes").get_data(as_text=True)


def test_admin_navigation_offers_the_network_and_no_back_office(client, auth, w):
    auth.login("admin@example.org")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/reseau"' in page
    assert 'href="/gestion/"' not in page and 'id="pending-badge"' not in page


def test_manager_navigation_offers_the_back_office_and_not_the_network(client, auth, w):
    auth.login("gestion@fab.fr")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/gestion/"' in page and 'href="/reseau/mon-lieu"' in page
    assert 'href="/reseau"' not in page


def test_network_pages_are_for_admin_and_anct_not_managers(client, auth, w):
    auth.login("gestion@fab.fr")
    assert client.get("/reseau").status_code == 403
    assert client.get("/reseau/mon-lieu/fab-brest").status_code == 200
    assert client.get("/reseau/mon-lieu/fab-lyon").status_code == 403
    auth.logout()
    auth.login("admin@example.org")
    assert client.get("/reseau").status_code == 200
    assert client.get("/reseau/mon-lieu/fab-brest").status_code == 200


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_admin_and_anct_manage_members_and_label_from_the_pages(client, auth, w, role):
    auth.login(f"{role}@example.org")
    assert "Gérer les membres" in client.get("/lieux/fab-brest").get_data(as_text=True)
    assert client.get("/lieux/fab-brest/membres").status_code == 200
    assert client.get("/lieux/labelliser").status_code == 200
    assert 'href="/lieux/labelliser"' in client.get("/lieux/").get_data(as_text=True)


def test_a_manager_has_no_labelling_and_no_other_places_members(client, auth, w):
    auth.login("gestion@fab.fr")
    assert "Gérer les membres" in client.get("/lieux/fab-brest").get_data(as_text=True)
    assert "Gérer les membres" not in client.get("/lieux/fab-lyon").get_data(as_text=True)
    assert client.get("/lieux/fab-lyon/membres").status_code == 403
    assert client.get("/lieux/labelliser").status_code == 403
    assert 'href="/lieux/labelliser"' not in client.get("/lieux/").get_data(as_text=True)


def test_my_bookings_offers_cancel_to_the_booking_place(client, auth, w):
    auth.login("membre@tl.fr")
    page = client.get("/mes-reservations").get_data(as_text=True)
    assert f'href="/reservations/{w["booking"].id}/annuler"' in page  # asks first, on its own page



def test_only_admins_supervise_outgoing_mail():
    assert p.may_supervise_mail(Actor(user_id=1, role="admin"))
    assert not p.may_supervise_mail(Actor(user_id=1, role="anct"))
    assert not p.may_supervise_mail(Actor(user_id=1, places={1: "manager"}))
