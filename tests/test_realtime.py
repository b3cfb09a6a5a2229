"""Live events on one process: who may connect, who hears what, and when."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from hub.extensions import db, socketio
from hub.services import events
from models import Membership, User
from tests.factories import api_headers, api_token


def connect(app, user: User):  # type: ignore[no-untyped-def]
    sock = socketio.test_client(app, auth={"token": api_token(user)})
    assert sock.is_connected()
    return sock


def received(sock, name: str) -> list[Any]:  # type: ignore[no-untyped-def]
    return [packet["args"][0] for packet in sock.get_received() if packet["name"] == name]


def slot(days: int = 3, hours: int = 2) -> dict[str, str]:
    start = (datetime.now(timezone.utc) + timedelta(days=days)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    return {"start": start.isoformat(), "end": (start + timedelta(hours=hours)).isoformat()}


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    """A fabrique with a manager and a plain member; a tiers-lieu booking there."""
    w = type("World", (), {})()
    w.host_manager = make.user(email="gestion@fabrique.example")
    w.host_member = make.user(email="membre@fabrique.example")
    w.booker = make.user(email="membre@tiers-lieu.example")
    w.place_manager = make.user(email="gestion@tiers-lieu.example")
    w.admin = make.user(email="admin@anct.example", role="admin")
    w.anct = make.user(email="suivi@anct.example", role="anct")
    w.outsider = make.user(email="autre@ailleurs.example")
    w.hub = make.fabrique(managers=[w.host_manager], members=[w.host_member])
    w.place = make.place(managers=[w.place_manager], members=[w.booker])
    w.resource = make.resource(w.hub, name="Découpeuse laser", requires_approval=True)
    return w


def book(client, world, **body: Any):  # type: ignore[no-untyped-def]
    payload = {"place": world.place.slug, **slot(), **body}
    return client.post(
        f"/api/v1/resources/{world.resource.id}/bookings", json=payload,
        headers=api_headers(world.booker),
    )


# --- connecting -------------------------------------------------------------------


def test_connection_without_credentials_is_refused(app):
    assert not socketio.test_client(app).is_connected()


@pytest.mark.parametrize("auth", [{"token": "pas-un-jeton"}, {"token": 42}, {"token": None}])
def test_connection_with_a_bad_token_is_refused(app, make, auth):
    make.user()
    assert not socketio.test_client(app, auth=auth).is_connected()


@pytest.mark.parametrize("auth", ["texte", [1, 2], 7, {"autre": "champ"}])
def test_connection_with_a_malformed_auth_and_no_session_is_refused(app, auth):
    assert not socketio.test_client(app, auth=auth).is_connected()


def test_connection_with_an_api_token_is_accepted(app, make):
    assert connect(app, make.user()).is_connected()


def test_connection_with_the_session_cookie_is_accepted(app, make, client, auth):
    make.user(email="page@example.org")
    auth.login("page@example.org")
    assert socketio.test_client(app, flask_test_client=client).is_connected()


def test_connection_after_logout_is_refused(app, make, client, auth):
    make.user(email="page@example.org")
    auth.login("page@example.org")
    auth.logout()
    assert not socketio.test_client(app, flask_test_client=client).is_connected()


# --- who hears of a booking --------------------------------------------------------


def test_booking_created_reaches_exactly_those_who_may_read_it(app, client, world):
    readers = {u.email: connect(app, u) for u in (world.booker, world.place_manager,
                                                  world.host_manager, world.admin, world.anct)}
    others = {u.email: connect(app, u) for u in (world.host_member, world.outsider)}

    response = book(client, world)

    assert response.status_code == 201, response.get_json()
    for email, sock in readers.items():
        assert received(sock, "booking.created") == [response.get_json()], email
    for email, sock in others.items():
        assert sock.get_received() == [], email


def test_a_user_in_several_reader_rooms_hears_the_event_once(app, client, make, world):
    both = make.user(email="double@example.org", role="anct")
    db.session.add_all([Membership(user=both, place=world.hub, role="manager"),
                        Membership(user=both, place=world.place, role="member")])
    db.session.commit()
    sock = connect(app, both)

    book(client, world)

    assert len(received(sock, "booking.created")) == 1


@pytest.mark.parametrize("action, status", [("confirm", "confirmed"), ("refuse", "refused")])
def test_manager_decision_emits_booking_updated(app, client, world, action, status):
    booking = book(client, world).get_json()
    booker_sock = connect(app, world.booker)
    outsider_sock = connect(app, world.outsider)

    response = client.post(f"/api/v1/bookings/{booking['id']}/{action}", json={},
                           headers=api_headers(world.host_manager))

    assert response.status_code == 200, response.get_json()
    updates = received(booker_sock, "booking.updated")
    assert [(u["id"], u["status"]) for u in updates] == [(booking["id"], status)]
    assert outsider_sock.get_received() == []


def test_cancellation_emits_booking_updated_to_the_host_managers(app, client, world):
    booking = book(client, world).get_json()
    manager_sock = connect(app, world.host_manager)

    response = client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={},
                           headers=api_headers(world.booker))

    assert response.status_code == 200, response.get_json()
    assert [u["status"] for u in received(manager_sock, "booking.updated")] == ["cancelled"]


def test_promotion_from_the_waitlist_emits_booking_updated(app, client, make, world):
    training = make.resource(world.hub, kind="training", name="Initiation", capacity=1)
    session = make.session(training, seats=1)
    other = make.place(members=[make.user(email="second@example.org")])
    first = client.post(f"/api/v1/resources/{training.id}/bookings",
                        json={"place": world.place.slug, "session": session.id},
                        headers=api_headers(world.booker)).get_json()
    second = client.post(f"/api/v1/resources/{training.id}/bookings",
                         json={"place": other.slug, "session": session.id},
                         headers=api_headers(other.memberships[0].user)).get_json()
    assert (first["status"], second["status"]) == ("confirmed", "waitlisted")
    manager_sock = connect(app, world.host_manager)

    client.post(f"/api/v1/bookings/{first['id']}/cancel", json={}, headers=api_headers(world.booker))

    updates = {u["id"]: u["status"] for u in received(manager_sock, "booking.updated")}
    assert updates == {first["id"]: "cancelled", second["id"]: "confirmed"}


def test_attendance_emits_booking_updated(app, client, make, world):
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    booking_id = make.booking(world.resource, world.place, start=yesterday).id
    booker_sock = connect(app, world.booker)

    response = client.post(f"/api/v1/bookings/{booking_id}/attendance",
                           json={"attended": True, "beneficiaries": 4},
                           headers=api_headers(world.host_manager))

    assert response.status_code == 200, response.get_json()
    updates = received(booker_sock, "booking.updated")
    assert [(u["id"], u["attended"], u["beneficiaries"]) for u in updates] == [
        (booking_id, True, 4)
    ]


def test_a_refused_request_emits_nothing(app, client, world):
    book(client, world)
    manager_sock = connect(app, world.host_manager)
    watcher = connect(app, world.outsider)
    watcher.emit("watch", {"resource": world.resource.id}, callback=True)

    response = book(client, world)  # the same slot: capacity taken

    assert response.status_code == 409
    assert manager_sock.get_received() == []
    assert watcher.get_received() == []


def test_an_invalid_request_emits_nothing(app, client, world):
    manager_sock = connect(app, world.host_manager)

    response = book(client, world, quantity=0)

    assert response.status_code == 422
    assert manager_sock.get_received() == []


# --- availability -----------------------------------------------------------------


def test_a_watcher_hears_availability_changed_when_someone_books(app, client, world):
    watcher = connect(app, world.outsider)
    ack = watcher.emit("watch", {"resource": world.resource.id}, callback=True)
    assert ack == {"resource": world.resource.id}

    booking = book(client, world).get_json()

    changes = received(watcher, "availability.changed")
    assert changes and all(c["resource"] == world.resource.id for c in changes)
    assert changes[0]["start"] == booking["start"] and changes[0]["end"] == booking["end"]


def test_a_watcher_hears_availability_changed_when_a_booking_is_cancelled(app, client, world):
    booking = book(client, world).get_json()
    watcher = connect(app, world.outsider)
    watcher.emit("watch", {"resource": world.resource.id}, callback=True)

    client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={}, headers=api_headers(world.booker))

    assert [c["resource"] for c in received(watcher, "availability.changed")] == [world.resource.id]


def test_without_watch_no_availability_event_arrives(app, client, world):
    sock = connect(app, world.outsider)
    book(client, world)
    assert sock.get_received() == []


@pytest.mark.parametrize("payload", [None, "3", [1], {}, {"resource": "abc"},
                                     {"resource": 10**30}, {"resource": True},
                                     {"resource": -1}, {"resource": 999999},
                                     {"resource": "9" * 5000}, {"resource": 1.5}])
def test_a_bad_watch_is_answered_with_an_error_and_the_socket_stays(app, make, payload):
    sock = connect(app, make.user())

    ack = sock.emit("watch", payload, callback=True)

    assert ack["error"]["code"] == "not_found"
    assert sock.is_connected()


# --- only after the commit --------------------------------------------------------


def test_an_event_waits_for_the_commit(app, make, world):
    sock = connect(app, world.host_manager)
    booking = make.booking(world.resource, world.place)
    from hub.services import bookings, realtime

    booking.status = "cancelled"
    realtime.booking_event(booking, "booking.updated", bookings.booking_dict(booking))
    assert sock.get_received() == []

    db.session.commit()

    assert [u["status"] for u in received(sock, "booking.updated")] == ["cancelled"]


def test_a_rolled_back_transaction_emits_nothing(app, world):
    sock = connect(app, world.host_manager)
    events.queue(db.session, "booking.updated", {"id": 1}, [f"managers:{world.hub.id}"])

    db.session.rollback()
    db.session.commit()

    assert sock.get_received() == []


def test_an_event_of_a_rolled_back_savepoint_is_dropped_and_the_others_sent(app, world):
    sock = connect(app, world.host_manager)
    room = [f"managers:{world.hub.id}"]
    db.session.get(User, world.admin.id)  # begins the transaction
    events.queue(db.session, "booking.updated", {"id": 1}, room)
    savepoint = db.session.begin_nested()
    events.queue(db.session, "booking.updated", {"id": 2}, room)
    savepoint.rollback()

    db.session.commit()

    assert received(sock, "booking.updated") == [{"id": 1}]
