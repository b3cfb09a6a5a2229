"""The Resources section of the API contract: publishing, catalogue, sessions, closures,
qualifications."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from hub.extensions import db
from models import AuditEntry, Booking, Closure, Qualification, Resource, TrainingSession

API = "/api/v1"


@pytest.fixture
def hub(make):  # type: ignore[no-untyped-def]
    manager = make.user(email="gestion@konk.example")
    place = make.fabrique(slug="konk-ar-lab", name="Konk Ar Lab", departement="29", managers=[manager])
    return place, make.api_headers(manager)


def count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def in_days(days: float, hours: float = 0) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days, hours=hours)).isoformat()


# ---------------------------------------------------------------- publishing

def test_manager_publishes_a_resource_with_its_rules(client, hub):
    _, headers = hub
    response = client.post(f"{API}/places/konk-ar-lab/resources", headers=headers, json={
        "kind": "machine", "name": "Découpeuse laser", "description": "Trotec 60 W", "capacity": 1,
        "requires_approval": False, "opening_hours": {"mon": [["09:00", "18:00"]], "sat": [["10:00", "13:00"]]},
        "max_hours_per_week": 4, "min_duration_minutes": 30, "max_duration_minutes": 240,
        "min_notice_minutes": 60, "unknown_field": "ignored",
    })
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "machine" and body["name"] == "Découpeuse laser"
    assert body["place"] == "konk-ar-lab" and body["capacity"] == 1
    assert body["opening_hours"] == {"mon": [["09:00", "18:00"]], "sat": [["10:00", "13:00"]]}
    assert body["max_hours_per_week"] == 4 and body["min_notice_minutes"] == 60
    assert db.session.get(Resource, body["id"]).name == "Découpeuse laser"
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_id == body["id"])) == "resource.created"


def test_resource_defaults_follow_the_contract(client, hub):
    _, headers = hub
    body = client.post(f"{API}/places/konk-ar-lab/resources", headers=headers,
                       json={"kind": "space", "name": "Salle"}).get_json()
    assert body["capacity"] == 1 and body["requires_approval"] is False
    assert body["opening_hours"] is None and body["prerequisite"] is None


def test_incubation_requires_approval_unless_told_otherwise(client, hub):
    _, headers = hub
    body = client.post(f"{API}/places/konk-ar-lab/resources", headers=headers,
                       json={"kind": "incubation", "name": "Incubateur", "capacity": 4}).get_json()
    assert body["requires_approval"] is True


def test_publishing_without_token_is_401(client, hub):
    assert client.post(f"{API}/places/konk-ar-lab/resources", json={"kind": "machine", "name": "X"}).status_code == 401


def test_publishing_for_a_place_one_does_not_manage_is_403(client, hub, make):
    member = make.user()
    place, _ = hub
    make.place(slug="autre", members=[member])
    from models import Membership

    db.session.add(Membership(user_id=member.id, place_id=place.id, role="member"))
    db.session.commit()
    response = client.post(f"{API}/places/konk-ar-lab/resources", headers=make.api_headers(member),
                           json={"kind": "machine", "name": "X"})
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert count(Resource) == 0


def test_publishing_for_an_unknown_place_is_404(client, hub):
    _, headers = hub
    response = client.post(f"{API}/places/nulle-part/resources", headers=headers, json={"kind": "machine", "name": "X"})
    assert response.status_code == 404


def test_publishing_with_a_body_that_is_not_json_is_400(client, hub):
    _, headers = hub
    response = client.post(f"{API}/places/konk-ar-lab/resources", headers=headers, data="kind=machine")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"name": "X"}, "kind"),
        ({"kind": "voiture", "name": "X"}, "kind"),
        ({"kind": "machine"}, "name"),
        ({"kind": "machine", "name": "x" * 201}, "name"),
        ({"kind": "machine", "name": "X", "capacity": 0}, "capacity"),
        ({"kind": "machine", "name": "X", "capacity": 10**40}, "capacity"),
        ({"kind": "machine", "name": "X", "capacity": "deux"}, "capacity"),
        ({"kind": "machine", "name": "X", "requires_approval": "peut-être"}, "requires_approval"),
        ({"kind": "machine", "name": "X", "prerequisite": 999999}, "prerequisite"),
        ({"kind": "machine", "name": "X", "opening_hours": {"lundi": [["09:00", "18:00"]]}}, "opening_hours"),
        ({"kind": "machine", "name": "X", "opening_hours": {"mon": [["18:00", "09:00"]]}}, "opening_hours"),
        ({"kind": "machine", "name": "X", "opening_hours": {"mon": [["9h", "18h"]]}}, "opening_hours"),
        ({"kind": "machine", "name": "X", "opening_hours": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}},
         "opening_hours"),
        ({"kind": "machine", "name": "X", "opening_hours": ["mon"]}, "opening_hours"),
        ({"kind": "machine", "name": "X", "max_hours_per_week": 0}, "max_hours_per_week"),
        ({"kind": "machine", "name": "X", "min_duration_minutes": 60, "max_duration_minutes": 30},
         "max_duration_minutes"),
        ({"kind": "machine", "name": "X", "min_notice_minutes": -5}, "min_notice_minutes"),
    ],
)
def test_publishing_with_invalid_fields_is_422_and_creates_nothing(client, hub, body, field):
    _, headers = hub
    response = client.post(f"{API}/places/konk-ar-lab/resources", headers=headers, json=body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert count(Resource) == 0


def test_prerequisite_must_be_a_training(client, hub, make):
    place, headers = hub
    machine = make.resource(place, kind="machine")
    training = make.resource(place, kind="training")
    bad = client.post(f"{API}/places/konk-ar-lab/resources", headers=headers,
                      json={"kind": "machine", "name": "X", "prerequisite": machine.id})
    assert bad.status_code == 422
    good = client.post(f"{API}/places/konk-ar-lab/resources", headers=headers,
                       json={"kind": "machine", "name": "X", "prerequisite": training.id})
    assert good.status_code == 201 and good.get_json()["prerequisite"] == training.id


# ---------------------------------------------------------------- catalogue

@pytest.fixture
def catalogue(make, hub):  # type: ignore[no-untyped-def]
    place, headers = hub
    other = make.fabrique(slug="la-forge", name="La Forge", departement="2A", commune="Ajaccio")
    make.resource(place, kind="machine", name="Découpeuse laser", description="Trotec")
    make.resource(place, kind="space", name="Salle de réunion", capacity=12)
    make.resource(other, kind="machine", name="Fraiseuse numérique")
    make.resource(other, kind="training", name="Initiation soudure", capacity=6)
    make.resource(other, kind="machine", name="Vieille imprimante",
                  archived_at=datetime.now(timezone.utc))
    return headers


def names(client, headers, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"{API}/resources{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return [r["name"] for r in response.get_json()["items"]]


def test_catalogue_lists_every_non_archived_resource(client, catalogue):
    assert sorted(names(client, catalogue)) == [
        "Découpeuse laser", "Fraiseuse numérique", "Initiation soudure", "Salle de réunion"]


def test_catalogue_filters_by_kind_departement_place_and_text(client, catalogue):
    assert sorted(names(client, catalogue, "?kind=machine")) == ["Découpeuse laser", "Fraiseuse numérique"]
    assert sorted(names(client, catalogue, "?departement=2a")) == ["Fraiseuse numérique", "Initiation soudure"]
    assert sorted(names(client, catalogue, "?place=konk-ar-lab")) == ["Découpeuse laser", "Salle de réunion"]
    assert names(client, catalogue, "?q=trotec") == ["Découpeuse laser"]
    assert sorted(names(client, catalogue, "?q=ajaccio")) == ["Fraiseuse numérique", "Initiation soudure"]
    assert names(client, catalogue, "?q=100%25") == []
    assert names(client, catalogue, "?kind=machine&departement=29") == ["Découpeuse laser"]


def test_catalogue_rejects_an_unknown_kind(client, catalogue):
    response = client.get(f"{API}/resources?kind=voiture", headers=catalogue)
    assert response.status_code == 422
    assert "kind" in response.get_json()["error"]["fields"]


def test_catalogue_paginates(client, catalogue):
    first = client.get(f"{API}/resources?per_page=3", headers=catalogue).get_json()
    second = client.get(f"{API}/resources?per_page=3&page=2", headers=catalogue).get_json()
    assert first["total"] == second["total"] == 4
    assert len(first["items"]) == 3 and len(second["items"]) == 1
    # Outside the contract's limits: refused, not clamped (issue 16).
    bad = client.get(f"{API}/resources?per_page=abc&page=-4", headers=catalogue)
    assert bad.status_code == 422
    assert set(bad.get_json()["error"]["fields"]) == {"page", "per_page"}


def test_catalogue_needs_a_token(client, catalogue):
    assert client.get(f"{API}/resources").status_code == 401


def test_one_resource_shows_its_coming_sessions(client, hub, make):
    place, headers = hub
    training = make.resource(place, kind="training", capacity=6)
    session = make.session(training, seats=4)
    make.session(training, start=datetime.now(timezone.utc) - timedelta(days=3))
    body = client.get(f"{API}/resources/{training.id}", headers=headers).get_json()
    assert [s["id"] for s in body["sessions"]] == [session.id]
    assert body["sessions"][0]["seats"] == 4 and body["sessions"][0]["seats_free"] == 4


def test_unknown_or_archived_resource_is_404(client, hub, make):
    place, headers = hub
    archived = make.resource(place, archived_at=datetime.now(timezone.utc))
    for rid in ("0", "123456", "x", str(archived.id)):
        response = client.get(f"{API}/resources/{rid}", headers=headers)
        assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


# ---------------------------------------------------------------- changing

def test_manager_updates_rules_and_others_cannot(client, hub, make):
    place, headers = hub
    machine = make.resource(place, kind="machine")
    response = client.patch(f"{API}/resources/{machine.id}", headers=headers,
                            json={"requires_approval": True, "max_hours_per_week": 2.5})
    assert response.status_code == 200
    assert response.get_json()["requires_approval"] is True
    assert response.get_json()["max_hours_per_week"] == 2.5
    stranger = make.api_headers(make.user())
    assert client.patch(f"{API}/resources/{machine.id}", headers=stranger, json={"name": "X"}).status_code == 403


def test_capacity_cannot_drop_below_the_bookings_already_made(client, hub, make):
    place, headers = hub
    room = make.resource(place, kind="space", capacity=3)
    tiers_lieu = make.place()
    start = datetime.now(timezone.utc) + timedelta(days=2)
    make.booking(room, tiers_lieu, start=start, quantity=1)
    make.booking(room, tiers_lieu, start=start + timedelta(hours=1), quantity=1)
    response = client.patch(f"{API}/resources/{room.id}", headers=headers, json={"capacity": 1})
    assert response.status_code == 422
    assert "capacity" in response.get_json()["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Resource, room.id).capacity == 3
    assert client.patch(f"{API}/resources/{room.id}", headers=headers, json={"capacity": 2}).status_code == 200


def test_capacity_change_keeps_the_exclusive_flag_of_future_bookings(client, hub, make):
    place, headers = hub
    room = make.resource(place, kind="space", capacity=2)
    booking = make.booking(room, make.place(), start=datetime.now(timezone.utc) + timedelta(days=1))
    assert booking.exclusive is False
    assert client.patch(f"{API}/resources/{room.id}", headers=headers, json={"capacity": 1}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).exclusive is True
    assert client.patch(f"{API}/resources/{room.id}", headers=headers, json={"capacity": 4}).status_code == 200
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).exclusive is False


def test_archiving_removes_the_resource_from_the_catalogue(client, hub, make):
    place, headers = hub
    machine = make.resource(place, kind="machine", name="Laser")
    assert client.delete(f"{API}/resources/{machine.id}", headers=headers).status_code == 204
    assert names(client, headers) == []


# ---------------------------------------------------------------- sessions

def test_manager_opens_a_session_whose_seats_default_to_the_capacity(client, hub, make):
    place, headers = hub
    training = make.resource(place, kind="training", capacity=8)
    response = client.post(f"{API}/resources/{training.id}/sessions", headers=headers,
                           json={"start": in_days(5), "end": in_days(5, 3)})
    assert response.status_code == 201
    body = response.get_json()
    assert body["seats"] == 8 and set(body) >= {"id", "start", "end", "seats"}
    assert client.post(f"{API}/resources/{training.id}/sessions", headers=headers,
                       json={"start": in_days(6), "end": in_days(6, 3), "seats": 3}).get_json()["seats"] == 3


def test_sessions_are_for_trainings_only(client, hub, make):
    place, headers = hub
    machine = make.resource(place, kind="machine")
    response = client.post(f"{API}/resources/{machine.id}/sessions", headers=headers,
                           json={"start": in_days(5), "end": in_days(5, 3)})
    assert response.status_code == 422
    assert count(TrainingSession) == 0


@pytest.mark.parametrize("body", [
    {"start": in_days(5)},
    {"start": in_days(5), "end": in_days(4)},
    {"start": in_days(-1), "end": in_days(0, 1)},
    {"start": in_days(5), "end": in_days(5, 2), "seats": 0},
    {"start": "demain", "end": in_days(5, 2)},
])
def test_invalid_session_is_422(client, hub, make, body):
    place, headers = hub
    training = make.resource(place, kind="training", capacity=8)
    assert client.post(f"{API}/resources/{training.id}/sessions", headers=headers, json=body).status_code == 422
    assert count(TrainingSession) == 0


def test_only_host_managers_open_sessions(client, hub, make):
    place, _ = hub
    training = make.resource(place, kind="training", capacity=8)
    response = client.post(f"{API}/resources/{training.id}/sessions", headers=make.api_headers(make.user()),
                           json={"start": in_days(5), "end": in_days(5, 3)})
    assert response.status_code == 403


# ---------------------------------------------------------------- closures

def test_manager_closes_a_resource_and_reopens_it(client, hub, make):
    place, headers = hub
    machine = make.resource(place)
    response = client.post(f"{API}/resources/{machine.id}/closures", headers=headers,
                           json={"start": in_days(3), "end": in_days(4), "reason": "Maintenance"})
    assert response.status_code == 201
    closure = response.get_json()
    assert closure["reason"] == "Maintenance"
    detail = client.get(f"{API}/resources/{machine.id}", headers=headers).get_json()
    assert [c["id"] for c in detail["closures"]] == [closure["id"]]
    assert client.delete(f"{API}/resources/{machine.id}/closures/{closure['id']}", headers=headers).status_code == 204
    assert count(Closure) == 0


def test_closing_over_active_bookings_is_409(client, hub, make):
    place, headers = hub
    machine = make.resource(place)
    make.booking(machine, make.place(), start=datetime.now(timezone.utc) + timedelta(days=3, hours=2))
    response = client.post(f"{API}/resources/{machine.id}/closures", headers=headers,
                           json={"start": in_days(3), "end": in_days(4)})
    assert response.status_code == 409
    assert count(Closure) == 0


# ---------------------------------------------------------------- qualifications

def test_host_manager_grants_a_qualification(client, hub, make):
    place, headers = hub
    training = make.resource(place, kind="training", capacity=5)
    learner = make.user(email="apprentie@tiers.example")
    response = client.post(f"{API}/resources/{training.id}/qualifications", headers=headers,
                           json={"email": "Apprentie@Tiers.example"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["training"] == training.id and body["user"]["id"] == learner.id and body["source"] == "manual"
    again = client.post(f"{API}/resources/{training.id}/qualifications", headers=headers,
                        json={"email": "apprentie@tiers.example"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate"
    assert count(Qualification) == 1


def test_qualification_errors(client, hub, make):
    place, headers = hub
    training = make.resource(place, kind="training", capacity=5)
    machine = make.resource(place, kind="machine")
    learner = make.user()
    url = f"{API}/resources/{training.id}/qualifications"
    assert client.post(url, headers=headers, json={"email": "personne@nulle.part"}).status_code == 422
    assert client.post(url, headers=headers, json={"email": "pas une adresse"}).status_code == 422
    assert client.post(url, headers=headers, json={}).status_code == 422
    assert client.post(url, headers=headers, data="x").status_code == 400
    assert client.post(f"{API}/resources/{machine.id}/qualifications", headers=headers,
                       json={"email": learner.email}).status_code == 422
    assert client.post(url, headers=make.api_headers(learner), json={"email": learner.email}).status_code == 403
    assert client.post(url, json={"email": learner.email}).status_code == 401
    assert count(Qualification) == 0


# ---------------------------------------------------------------- availability

def test_availability_shows_free_capacity_and_closures(client, hub, make):
    place, headers = hub
    room = make.resource(place, kind="space", capacity=4)
    start = (datetime.now(timezone.utc) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    make.booking(room, make.place(), start=start, end_at=start + timedelta(hours=2), quantity=3)
    make.closure(room, start=start + timedelta(hours=4), end_at=start + timedelta(hours=5))
    response = client.get(f"{API}/resources/{room.id}/availability", headers=headers, query_string={
        "from": start.isoformat(), "to": (start + timedelta(hours=6)).isoformat()})
    assert response.status_code == 200
    items = [(i["free"], i["closed"]) for i in response.get_json()["items"]]
    assert items == [(1, False), (4, False), (4, True), (4, False)]
