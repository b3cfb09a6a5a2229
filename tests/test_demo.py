"""The demo network: `flask --app app demo`."""
from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from hub.demo import seed_demo
from hub.demo.common import DEMO_PASSWORD, MEMBER_EMAIL, demo_accounts
from hub.extensions import db
from hub.rules.calendar import within_opening_hours
from hub.rules.capacity import quota_breach
from hub.timeutil import PARIS
from models import ACTIVE_STATUSES, BOOKING_STATUSES, AuditEntry, Booking, Place, Resource, TrainingSession, User
from tests.conftest import _empty_all_tables

TODAY = date(2026, 3, 2)


def _seed(runner, *args: str):  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output
    return result


def _fingerprint() -> str:
    """A digest of what the network is made of (not of the generated ids)."""
    rows = db.session.execute(
        sa.select(Place.slug, Place.name, Place.kind, Place.territory, Place.lat, Place.lon).order_by(Place.slug)
    ).all()
    rows += db.session.execute(
        sa.select(Place.slug, Resource.name, Resource.capacity, Resource.requires_approval)
        .join(Resource.place).order_by(Place.slug, Resource.name)
    ).all()
    rows += sorted(db.session.execute(
        sa.select(Resource.name, Place.slug, Booking.start_at, Booking.end_at, Booking.status,
                  Booking.quantity, Booking.attended, Booking.beneficiaries)
        .join(Booking.resource).join(Booking.place)
    ).all(), key=repr)
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_small_demo_has_about_thirty_hubs_over_ten_departements_and_two_hundred_tiers_lieux(app, runner):
    _seed(runner)
    with app.app_context():
        hubs = db.session.scalars(sa.select(Place).where(Place.kind != "tiers_lieu")).all()
        tiers_lieux = db.session.scalar(
            sa.select(sa.func.count()).select_from(Place).where(Place.kind == "tiers_lieu")
        )
        assert 25 <= len(hubs) <= 35
        assert len({h.departement for h in hubs}) >= 10
        assert {h.kind for h in hubs} == {"fabrique", "fabrique_numerique"}
        qpv = sum(h.territory == "qpv" for h in hubs)
        rural = sum(h.territory == "rural" for h in hubs)
        assert abs(qpv - rural) <= 2 and qpv + rural >= len(hubs) - 2
        assert 180 <= tiers_lieux <= 220
        assert all(75_000 <= h.subsidy_eur <= 250_000 and h.label_wave for h in hubs)


def test_small_demo_has_bookings_in_every_status(app, runner):
    _seed(runner)
    with app.app_context():
        statuses = set(db.session.scalars(sa.select(Booking.status).distinct()))
        assert statuses == set(BOOKING_STATUSES)
        assert db.session.scalar(
            sa.select(sa.func.count()).select_from(Booking).where(Booking.attended.is_(False))
        ) > 0


def test_demo_includes_konk_ar_lab_and_the_escanaux_with_their_resources(app, runner):
    _seed(runner, "--scale", "tiny")
    with app.app_context():
        konk = db.session.scalar(sa.select(Place).where(Place.name == "Konk Ar Lab"))
        assert (konk.kind, konk.insee, konk.commune, konk.territory) == ("fabrique", "29039", "Concarneau", "qpv")
        assert "Kerandon" in konk.description
        assert {"Imprimantes 3D", "Kits électronique et robotique", "Atelier de réparation"} <= {
            r.name for r in konk.resources
        }
        escanaux = db.session.scalar(sa.select(Place).where(Place.name.contains("Escanaux")))
        assert (escanaux.kind, escanaux.insee, escanaux.territory) == ("fabrique_numerique", "30028", "qpv")
        names = {r.name for r in escanaux.resources}
        assert "Permanence CAF" in names
        assert any("Pôle emploi" in n and "France Travail" in n for n in names)
        assert any(r.kind == "training" for r in escanaux.resources)


def test_same_seed_gives_the_same_network_and_another_seed_a_different_one(app):
    with app.app_context():
        seed_demo("tiny", 5, today=TODAY)
        db.session.commit()
        first = _fingerprint()
        db.session.remove()
        _empty_all_tables()
        seed_demo("tiny", 5, today=TODAY)
        db.session.commit()
        assert _fingerprint() == first
        db.session.remove()
        _empty_all_tables()
        seed_demo("tiny", 6, today=TODAY)
        db.session.commit()
        assert _fingerprint() != first


def test_demo_never_oversells_a_resource_or_a_session(app, runner):
    _seed(runner)
    with app.app_context():
        capacity = dict(db.session.execute(sa.select(Resource.id, Resource.capacity)).all())
        events: dict[int, list[tuple]] = defaultdict(list)
        active = db.session.execute(
            sa.select(Booking.resource_id, Booking.start_at, Booking.end_at, Booking.quantity, Booking.exclusive,
                      Booking.session_id)
            .where(Booking.status.in_(ACTIVE_STATUSES))
        ).all()
        seats: dict[int, int] = defaultdict(int)
        for resource_id, start, end, quantity, exclusive, session_id in active:
            # Periods are half-open: an end and a start at the same instant do not overlap.
            events[resource_id] += [(start, quantity), (end, -quantity)]
            if session_id is not None:
                seats[session_id] += quantity
        for resource_id, evs in events.items():
            level = 0
            for _, delta in sorted(evs):
                level += delta
                assert level <= capacity[resource_id], resource_id
        for session in db.session.scalars(sa.select(TrainingSession)):
            assert session.seats_taken == seats[session.id] <= session.seats


def test_demo_bookings_keep_to_opening_hours_and_weekly_quotas(app, runner):
    _seed(runner, "--scale", "tiny")
    with app.app_context():
        resources = {r.id: r for r in db.session.scalars(sa.select(Resource))}
        by_place: dict[tuple[int, int], list[tuple]] = defaultdict(list)
        for b in db.session.scalars(sa.select(Booking).where(Booking.status.in_(ACTIVE_STATUSES))):
            r = resources[b.resource_id]
            assert within_opening_hours(r.kind, r.opening_hours, b.start_at, b.end_at), b.id
            by_place[(r.id, b.place_id)].append((b.start_at, b.end_at))
        limited = 0
        for (resource_id, _), periods in by_place.items():
            limit = resources[resource_id].max_hours_per_week
            if limit:
                limited += 1
                for i, (start, end) in enumerate(periods):
                    assert quota_breach(limit, periods[:i] + periods[i + 1:], start, end) is None
        assert limited


def test_exclusive_is_set_for_capacity_one_resources_other_than_trainings(app, runner):
    _seed(runner, "--scale", "tiny")
    with app.app_context():
        rows = db.session.execute(
            sa.select(Booking.exclusive, Resource.capacity, Resource.kind).join(Booking.resource)
        ).all()
        assert rows
        assert all(exclusive == (cap == 1 and kind != "training") for exclusive, cap, kind in rows)


def test_demo_if_empty_does_nothing_on_a_database_with_places(app, runner):
    _seed(runner, "--scale", "tiny")
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Booking))
    result = _seed(runner, "--if-empty")
    assert "déjà" in result.output
    assert "admin@demo.maillage.fr" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == before


def test_demo_refuses_to_seed_over_existing_places(app, runner, make):
    make.place()
    result = runner.invoke(args=["demo", "--scale", "tiny"])
    assert result.exit_code != 0
    assert "déjà des lieux" in result.output


def test_demo_prints_its_accounts_one_per_role(runner):
    output = _seed(runner, "--scale", "tiny").output
    assert len(demo_accounts()) == 4
    for _, email, _ in demo_accounts():
        assert email in output
    assert DEMO_PASSWORD in output and len(DEMO_PASSWORD) >= 10


def test_demo_accounts_hold_their_roles_and_places(app, runner):
    _seed(runner, "--scale", "tiny")
    with app.app_context():
        users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(
            [email for _, email, _ in demo_accounts()])))}
        assert users["admin@demo.maillage.fr"].role == "admin"
        assert users["anct@demo.maillage.fr"].role == "anct"
        manager = users["gestion@konkarlab.demo.maillage.fr"]
        assert [(m.place.name, m.role) for m in manager.memberships] == [("Konk Ar Lab", "manager")]
        member = users["membre@demo.maillage.fr"]
        assert [(m.place.kind, m.role) for m in member.memberships] == [("tiers_lieu", "member")]
        assert all(check_password_hash(u.password_hash, DEMO_PASSWORD) for u in users.values())
        # Every place has a manager.
        unmanaged = db.session.scalar(
            sa.select(sa.func.count()).select_from(Place).where(
                ~Place.memberships.any(role="manager")
            )
        )
        assert unmanaged == 0


def test_demo_accounts_can_get_an_api_token(runner, client):
    _seed(runner, "--scale", "tiny")
    for _, email, password in demo_accounts():
        response = client.post("/api/v1/tokens", json={"email": email, "password": password})
        assert response.status_code == 201, (email, response.get_json())


def test_rows_created_after_the_demo_get_fresh_ids(app, runner, make):
    _seed(runner, "--scale", "tiny")
    with app.app_context():
        highest = db.session.scalar(sa.select(sa.func.max(Place.id)))
    assert make.place().id > highest


def _shapes(entries) -> set[tuple[str, str, frozenset[str]]]:  # type: ignore[no-untyped-def]
    return {(e.action, e.object_type, frozenset(e.data)) for e in entries}


def test_demo_audit_entries_have_the_shape_the_booking_service_writes(app, runner, client, auth):
    _seed(runner, "--scale", "tiny")
    with app.app_context():
        demo = _shapes(db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action.in_(("booking.created", "booking.cancelled")))))
        member = db.session.scalar(sa.select(User).where(User.email == MEMBER_EMAIL))
        slug = member.memberships[0].place.slug
        repair = db.session.scalar(sa.select(Resource).where(
            Resource.name == "Atelier de réparation", Resource.place.has(name="Konk Ar Lab")))
        last_id = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    # A Tuesday afternoon after the demo's calendar ends: the repair shop is open, and free.
    day = date.today() + timedelta(days=70)
    day += timedelta(days=(1 - day.weekday()) % 7)
    start = datetime.combine(day, time(14), tzinfo=PARIS)
    headers = auth.headers(MEMBER_EMAIL, DEMO_PASSWORD)
    response = client.post(f"/api/v1/resources/{repair.id}/bookings", headers=headers, json={
        "place": slug, "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
    })
    assert response.status_code == 201, response.get_json()
    booking_id = response.get_json()["id"]
    assert client.post(f"/api/v1/bookings/{booking_id}/cancel", headers=headers).status_code == 200
    with app.app_context():
        service = _shapes(db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.id > last_id, AuditEntry.action.like("booking.%"))))
    assert len(service) == 2
    assert service == demo


def test_demo_audit_log_tells_each_booking_s_history(app, runner):
    _seed(runner, "--scale", "tiny")
    with app.app_context():
        bookings = {b.id: b for b in db.session.scalars(sa.select(Booking))}
        managers = {m.user_id for p in db.session.scalars(sa.select(Place)) for m in p.memberships
                    if m.role == "manager"}
        status: dict[int, str] = {}
        entries = db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.object_type == "booking").order_by(AuditEntry.at, AuditEntry.id)
        ).all()
        for entry in entries:
            booking = bookings[entry.object_id]
            if entry.action == "booking.created":
                assert entry.object_id not in status
                assert entry.actor_id == booking.user_id
                assert entry.data["resource"] == booking.resource_id
                assert entry.data["place"] == booking.place.slug
                status[entry.object_id] = entry.data["status"]
            elif entry.action == "booking.attendance":
                assert status[entry.object_id] == "confirmed" and entry.actor_id in managers
                assert entry.data == {"attended": booking.attended, "beneficiaries": booking.beneficiaries}
            else:
                assert entry.data["previous"] == status[entry.object_id]
                status[entry.object_id] = entry.action.removeprefix("booking.")
        assert status == {booking_id: b.status for booking_id, b in bookings.items()}


def test_demo_audit_entries_for_accounts_places_and_resources_have_the_services_shape(app, runner, client, auth):
    _seed(runner, "--scale", "tiny")
    actions = ("user.created", "place.created", "membership.created", "resource.created", "session.created")
    with app.app_context():
        demo = _shapes(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.in_(actions))))
        konk = db.session.scalar(sa.select(Place.slug).where(Place.name == "Konk Ar Lab"))
        last_id = db.session.scalar(sa.select(sa.func.max(AuditEntry.id)))
    assert client.post("/api/v1/accounts", json={
        "email": "nouvelle@example.org", "password": "un mot de passe sûr", "name": "Nouvelle Venue",
    }).status_code == 201
    admin = auth.headers("admin@demo.maillage.fr", DEMO_PASSWORD)
    assert client.post("/api/v1/places", headers=admin, json={
        "name": "Fabrique de Quimperlé", "kind": "fabrique", "commune": "Quimperlé", "departement": "29",
        "territory": "rural", "lat": 47.87, "lon": -3.55,
    }).status_code == 201
    manager = auth.headers("gestion@konkarlab.demo.maillage.fr", DEMO_PASSWORD)
    assert client.post(f"/api/v1/places/{konk}/members", headers=manager, json={
        "email": "nouvelle@example.org", "role": "member",
    }).status_code == 201
    response = client.post(f"/api/v1/places/{konk}/resources", headers=manager, json={
        "kind": "training", "name": "Formation brodeuse numérique", "capacity": 6,
    })
    assert response.status_code == 201, response.get_json()
    start = datetime.combine(date.today() + timedelta(days=90), time(14), tzinfo=PARIS)
    assert client.post(f"/api/v1/resources/{response.get_json()['id']}/sessions", headers=manager, json={
        "start": start.isoformat(), "end": (start + timedelta(hours=3)).isoformat(),
    }).status_code == 201
    with app.app_context():
        service = _shapes(db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.id > last_id, AuditEntry.action.in_(actions))))
    assert {action for action, _, _ in service} == set(actions)
    assert service == demo
