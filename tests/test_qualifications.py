"""Qualifications that expire, and trainings recognised from hub to hub."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from hub.extensions import db
from models import AuditEntry, OutboxMessage, Qualification, Recognition
from tests.factories import api_headers

NOW = datetime.now(timezone.utc)


def slot(days: int = 3) -> dict[str, str]:
    start = (NOW + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    w = type("World", (), {})()
    w.manager = make.user()
    w.other_manager = make.user()
    w.member = make.user(name="Youenn")
    w.hub = make.fabrique(managers=[w.manager], slug="fab-brest", name="Fab Brest")
    w.other_hub = make.fabrique(managers=[w.other_manager], slug="fab-quimper", name="Fab Quimper")
    w.place = make.place(members=[w.member])
    w.laser_training = make.resource(w.hub, kind="training", name="Sécurité laser", qualification_valid_days=365)
    w.laser = make.resource(w.hub, kind="machine", name="Découpeuse laser", prerequisite_id=w.laser_training.id)
    w.their_training = make.resource(w.other_hub, kind="training", name="Laser à Quimper")
    return w


def book(client, w, resource=None):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/resources/{(resource or w.laser).id}/bookings",
                       json={"place": w.place.slug, **slot()}, headers=api_headers(w.member))


def recognise(client, w, training_id, user=None, resource=None):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/resources/{(resource or w.laser_training).id}/recognitions",
                       json={"training": training_id}, headers=api_headers(user or w.manager))


# ---------------------------------------------------------------- validity

def test_a_training_takes_a_validity_through_the_api(client, world):
    response = client.patch(f"/api/v1/resources/{world.laser_training.id}", json={"qualification_valid_days": 730},
                            headers=api_headers(world.manager))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["qualification_valid_days"] == 730
    bad = client.patch(f"/api/v1/resources/{world.laser_training.id}", json={"qualification_valid_days": 0},
                       headers=api_headers(world.manager))
    assert bad.status_code == 422 and "qualification_valid_days" in bad.get_json()["error"]["fields"]


def test_a_valid_qualification_meets_the_prerequisite(client, make, world):
    make.qualification(world.member, world.laser_training, created_at=NOW - timedelta(days=300))
    assert book(client, world).status_code == 201


def test_an_expired_qualification_no_longer_meets_the_prerequisite(client, make, world):
    make.qualification(world.member, world.laser_training, created_at=NOW - timedelta(days=400))
    response = book(client, world)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "prerequisite_missing"


def test_a_qualification_without_validity_lasts_forever(client, make, world):
    world.laser_training.qualification_valid_days = None
    db.session.commit()
    make.qualification(world.member, world.laser_training, created_at=NOW - timedelta(days=4000))
    assert book(client, world).status_code == 201


def test_attending_again_renews_an_expiring_qualification(client, make, world):
    old = make.qualification(world.member, world.laser_training, source="attendance",
                             created_at=NOW - timedelta(days=400))
    session = make.session(world.laser_training, start_at=NOW - timedelta(hours=3), end_at=NOW - timedelta(hours=1))
    attended = make.booking(world.laser_training, world.place, session_id=session.id, user_id=world.member.id,
                            start_at=session.start_at, end_at=session.end_at)
    response = client.post(f"/api/v1/bookings/{attended.id}/attendance", json={"attended": True},
                           headers=api_headers(world.manager))
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    assert db.session.get(Qualification, old.id).created_at > NOW - timedelta(minutes=5)
    assert book(client, world).status_code == 201


def test_my_qualifications_show_their_validity_and_where_they_are_recognised(client, make, world):
    make.qualification(world.member, world.their_training, created_at=NOW - timedelta(days=10))
    make.qualification(world.member, world.laser_training, created_at=NOW - timedelta(days=400))
    assert recognise(client, world, world.their_training.id).status_code == 201
    body = client.get("/api/v1/me/qualifications", headers=api_headers(world.member)).get_json()
    assert body["total"] == 2
    by_training = {item["training"]: item for item in body["items"]}
    theirs, ours = by_training[world.their_training.id], by_training[world.laser_training.id]
    assert (theirs["place"], theirs["valid_until"], theirs["valid"]) == ("fab-quimper", None, True)
    assert [r["place"] for r in theirs["recognised_by"]] == ["fab-brest"]
    assert ours["valid"] is False
    assert datetime.fromisoformat(ours["valid_until"]) < datetime.now(timezone.utc)
    assert datetime.fromisoformat(ours["obtained_at"]) < datetime.fromisoformat(ours["valid_until"])


def test_the_holder_sees_valable_jusqu_au_on_their_page(client, auth, make, world):
    make.qualification(world.member, world.laser_training, created_at=datetime(2026, 3, 1, 10, tzinfo=timezone.utc))
    world.laser_training.qualification_valid_days = 1000
    db.session.commit()
    auth.login(world.member.email)
    html = client.get("/mes-qualifications").get_data(as_text=True)
    assert "Sécurité laser" in html and "valable jusqu'au 25/11/2028" in html


# ---------------------------------------------------------------- recognition

def test_a_recognised_training_from_another_hub_meets_the_prerequisite(client, make, world):
    make.qualification(world.member, world.their_training)
    assert book(client, world).status_code == 403
    created = recognise(client, world, world.their_training.id)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["place"] == "fab-quimper"
    assert book(client, world).status_code == 201


def test_a_recognition_counts_only_while_the_qualification_is_valid(client, make, world):
    world.their_training.qualification_valid_days = 30
    db.session.commit()
    make.qualification(world.member, world.their_training, created_at=NOW - timedelta(days=31))
    recognise(client, world, world.their_training.id)
    assert book(client, world).status_code == 403


def test_removing_a_recognition_withdraws_it(client, make, world):
    make.qualification(world.member, world.their_training)
    recognise(client, world, world.their_training.id)
    url = f"/api/v1/resources/{world.laser_training.id}/recognitions/{world.their_training.id}"
    assert client.delete(url, headers=api_headers(world.manager)).status_code == 204
    assert book(client, world).status_code == 403
    assert client.delete(url, headers=api_headers(world.manager)).status_code == 404
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "recognition.created" in actions and "recognition.removed" in actions


def test_only_the_managers_of_the_training_s_host_recognise(client, make, world):
    for user in (world.other_manager, world.member, make.user(role="admin")):
        response = recognise(client, world, world.their_training.id, user=user)
        assert response.status_code == 403, user
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Recognition)) == 0


def test_recognising_what_is_not_a_training_or_itself_is_refused(client, make, world):
    cases = [world.laser.id, world.laser_training.id, 999_999, "abc"]
    for other in cases:
        response = recognise(client, world, other)
        assert response.status_code == 422, other
        assert "training" in response.get_json()["error"]["fields"]
    not_training = recognise(client, world, world.their_training.id, resource=world.laser)
    assert not_training.status_code == 422 and "resource" in not_training.get_json()["error"]["fields"]
    assert recognise(client, world, world.their_training.id).status_code == 201
    again = recognise(client, world, world.their_training.id)
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Recognition)) == 1


def test_the_network_sees_the_recognition_graph_with_reciprocity(client, make, world):
    theirs_recognises_ours = client.post(
        f"/api/v1/resources/{world.their_training.id}/recognitions",
        json={"training": world.laser_training.id}, headers=api_headers(world.other_manager))
    assert theirs_recognises_ours.status_code == 201
    third = make.fabrique(slug="fab-morlaix")
    third_training = make.resource(third, kind="training")
    recognise(client, world, world.their_training.id)
    recognise(client, world, third_training.id)

    anct = make.user(role="anct")
    response = client.get("/api/v1/network/recognitions", headers=api_headers(anct))
    assert response.status_code == 200
    data = response.get_json()
    links = {(link["source"], link["target"]) for link in data["links"]}
    assert links == {("fab-brest", "fab-quimper"), ("fab-quimper", "fab-brest"), ("fab-brest", "fab-morlaix")}
    graph = data["graph"]
    assert graph["mutual_pairs"] == 1 and graph["reciprocity"] == pytest.approx(2 / 3, abs=1e-3)
    assert graph["components"] == 1 and graph["largest_component"] == 3
    assert client.get("/api/v1/network/recognitions", headers=api_headers(world.manager)).status_code == 403


# ---------------------------------------------------------------- messages

def test_the_holder_is_told_once_a_month_before_a_qualification_expires(runner, make, world):
    soon = make.qualification(world.member, world.laser_training, created_at=NOW - timedelta(days=350))
    make.qualification(make.user(), world.laser_training, created_at=NOW - timedelta(days=100))
    db.session.commit()
    assert runner.invoke(args=["loan-reminders"]).exit_code == 0
    out = runner.invoke(args=["loan-reminders"])
    assert "qualifications bientôt expirées : 0" in out.output
    db.session.expire_all()
    [mail] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.event == "qualification.expiring")).all()
    assert mail.recipient == world.member.email
    assert db.session.get(Qualification, soon.id).expiry_notified_at is not None


def test_the_anct_dashboard_shows_the_recognition_summary(client, auth, make, world):
    recognise(client, world, world.their_training.id)
    anct = make.user(role="anct")
    auth.login(anct.email)
    html = client.get("/reseau").get_data(as_text=True)
    assert "Formations reconnues entre lieux" in html and "Réciprocité : 0 %" in html


def test_a_manager_grants_an_expired_qualification_anew_but_not_a_valid_one(client, make, world):
    expired = make.qualification(world.member, world.laser_training, created_at=NOW - timedelta(days=400))
    url = f"/api/v1/resources/{world.laser_training.id}/qualifications"
    response = client.post(url, json={"email": world.member.email}, headers=api_headers(world.manager))
    assert response.status_code == 201, response.get_json()
    db.session.expire_all()
    assert db.session.get(Qualification, expired.id).created_at > NOW - timedelta(minutes=5)
    again = client.post(url, json={"email": world.member.email}, headers=api_headers(world.manager))
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate"
