"""Loans: kits lent out of a hub, checked out and returned by its managers; an overdue loan
holds its unit and stops its place from borrowing more; the messages about them; races."""
from __future__ import annotations

import threading
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
import requests
import sqlalchemy as sa

from hub.extensions import db, socketio
from hub.rules.capacity import peak_use
from models import ACTIVE_STATUSES, AuditEntry, Booking, OutboxMessage
from tests.factories import api_headers, api_token
from tests.servers import server_process

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def days(n: float) -> datetime:
    return NOW + timedelta(days=n)


def period(start: float, end: float) -> dict[str, str]:
    return {"start": days(start).isoformat(), "end": days(end).isoformat()}


@pytest.fixture
def world(make):  # type: ignore[no-untyped-def]
    w = type("World", (), {})()
    w.manager = make.user(name="Gwen Le Goff")
    w.borrower = make.user(name="Anna Kerhervé")
    w.admin = make.user(role="admin")
    w.hub = make.fabrique(managers=[w.manager])
    w.place = make.place(members=[w.borrower])
    w.kit = make.resource(w.hub, kind="loan", name="Kit robotique")
    w.other_hub = make.fabrique()
    w.other_kit = make.resource(w.other_hub, kind="loan", name="Kit de réparation")
    return w


def book(client, w, resource=None, **body: Any):  # type: ignore[no-untyped-def]
    resource = resource or w.kit
    return client.post(f"/api/v1/resources/{resource.id}/bookings",
                       json={"place": w.place.slug, **period(1, 3), **body}, headers=api_headers(w.borrower))


def act(client, user, booking_id: int, action: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/bookings/{booking_id}/{action}", json=body or {}, headers=api_headers(user))


def overdue_loan(make, w, resource=None) -> Booking:  # type: ignore[no-untyped-def]
    """A loan that left three days ago and was due back yesterday."""
    return make.booking(resource or w.kit, w.place, user_id=w.borrower.id, status="out",
                        start_at=days(-3), end_at=days(-1), checked_out_at=days(-3))


# ---------------------------------------------------------------- checkout and return

def test_a_manager_checks_out_a_confirmed_loan_and_takes_it_back_with_its_condition(client, world):
    booking = book(client, world).get_json()
    assert booking["status"] == "confirmed" and booking["overdue"] is False

    out = act(client, world.manager, booking["id"], "checkout")
    assert out.status_code == 200, out.get_json()
    assert out.get_json()["status"] == "out" and out.get_json()["checked_out_at"]

    back = act(client, world.manager, booking["id"], "return", {"condition": "Un capteur manque."})
    assert back.status_code == 200
    body = back.get_json()
    assert (body["status"], body["return_condition"], body["overdue"]) == ("returned", "Un capteur manque.", False)
    assert body["returned_at"]


def test_a_loan_still_counts_for_the_network_once_out_and_once_returned(app, client, make, world):
    from hub.services import analytics

    anct = make.user(role="anct")
    booking = book(client, world, beneficiaries=4).get_json()

    def served() -> tuple[int, int]:
        hubs = client.get("/api/v1/network/hubs", headers=api_headers(anct)).get_json()["items"]
        hub = next(h for h in hubs if h["slug"] == world.hub.slug)
        return hub["bookings"], hub["beneficiaries"]

    assert served() == (1, 4)
    act(client, world.manager, booking["id"], "checkout")
    assert served() == (1, 4)
    act(client, world.manager, booking["id"], "return")
    assert served() == (1, 4)
    with app.app_context():
        assert analytics.stored_aggregates() == analytics.computed_aggregates()


def test_checkout_and_return_are_audited(app, client, world):
    booking = book(client, world).get_json()
    act(client, world.manager, booking["id"], "checkout")
    act(client, world.manager, booking["id"], "return")
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_type == "booking", AuditEntry.object_id == booking["id"]).order_by(AuditEntry.id)).all()
    assert actions == ["booking.created", "booking.out", "booking.returned"]


def test_checking_out_what_is_not_a_confirmed_loan_is_an_invalid_state(client, make, world):
    machine = make.resource(world.hub, kind="machine")
    machine_booking = book(client, world, machine).get_json()
    pending_kit = make.resource(world.hub, kind="loan", requires_approval=True)
    pending = book(client, world, pending_kit).get_json()
    assert pending["status"] == "pending"
    for booking_id in (machine_booking["id"], pending["id"]):
        response = act(client, world.manager, booking_id, "checkout")
        assert response.status_code == 409
        assert response.get_json()["error"]["code"] == "invalid_state"
    assert db.session.get(Booking, pending["id"]).status == "pending"


def test_returning_what_is_not_out_is_an_invalid_state(client, world):
    booking = book(client, world).get_json()
    response = act(client, world.manager, booking["id"], "return")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_state"
    act(client, world.manager, booking["id"], "checkout")
    act(client, world.manager, booking["id"], "return")
    again = act(client, world.manager, booking["id"], "return")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_state"


def test_only_the_host_managers_check_out_and_take_back(client, world):
    booking = book(client, world).get_json()
    for user in (world.borrower, world.admin):
        response = act(client, user, booking["id"], "checkout")
        assert response.status_code == 403, user
        assert response.get_json()["error"]["code"] == "forbidden"
    assert db.session.get(Booking, booking["id"]).status == "confirmed"


def test_a_bad_condition_is_refused_and_the_loan_stays_out(client, world):
    booking = book(client, world).get_json()
    act(client, world.manager, booking["id"], "checkout")
    response = act(client, world.manager, booking["id"], "return", {"condition": "x" * 2001})
    assert response.status_code == 422 and "condition" in response.get_json()["error"]["fields"]
    assert db.session.get(Booking, booking["id"]).status == "out"


def test_an_out_loan_cannot_be_cancelled(client, world):
    booking = book(client, world).get_json()
    act(client, world.manager, booking["id"], "checkout")
    response = act(client, world.borrower, booking["id"], "cancel")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_state"


def test_an_early_checkout_holds_the_kit_from_the_checkout(client, make, world):
    booking = book(client, world, **period(2, 4)).get_json()
    out = act(client, world.manager, booking["id"], "checkout").get_json()
    assert datetime.fromisoformat(out["start"]) <= datetime.now(timezone.utc)
    # The kit has left: nobody books it for tomorrow any more.
    other = book(client, world, **period(1, 1.5))
    assert other.status_code == 409 and other.get_json()["error"]["code"] == "unavailable"


def test_an_early_checkout_is_refused_while_another_booking_holds_the_kit_before(client, world):
    first = book(client, world, **period(1, 2)).get_json()
    later = book(client, world, **period(3, 4)).get_json()
    response = act(client, world.manager, later["id"], "checkout")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "unavailable"
    assert db.session.get(Booking, later["id"]).status == "confirmed"
    assert act(client, world.manager, first["id"], "checkout").status_code == 200


# ---------------------------------------------------------------- holding the unit

def test_an_out_loan_holds_its_unit_until_its_end_and_frees_it_from_its_end(client, world):
    booking = book(client, world, **period(0.01, 2)).get_json()
    act(client, world.manager, booking["id"], "checkout")
    clash = book(client, world, **period(1, 3))
    assert clash.status_code == 409 and clash.get_json()["error"]["code"] == "unavailable"
    assert book(client, world, start=booking["end"], end=days(3).isoformat()).status_code == 201


def test_an_overdue_loan_reads_overdue_and_holds_its_unit_until_returned(client, make, world):
    late = overdue_loan(make, world)
    shown = client.get(f"/api/v1/bookings/{late.id}", headers=api_headers(world.borrower)).get_json()
    assert shown["overdue"] is True and shown["status"] == "out"

    # Another place, with no overdue loan, meets the held unit.
    member = make.user()
    other_place = make.place(members=[member])
    response = client.post(f"/api/v1/resources/{world.kit.id}/bookings",
                           json={"place": other_place.slug, **period(10, 12)}, headers=api_headers(member))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "unavailable"

    assert act(client, world.manager, late.id, "return").status_code == 200
    again = client.post(f"/api/v1/resources/{world.kit.id}/bookings",
                        json={"place": other_place.slug, **period(10, 12)}, headers=api_headers(member))
    assert again.status_code == 201, again.get_json()


def test_a_place_with_an_overdue_loan_at_any_hub_cannot_book_another_loan(client, make, world):
    overdue_loan(make, world, world.other_kit)
    response = book(client, world)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "overdue_loan"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)
                             .where(Booking.resource_id == world.kit.id)) == 0
    # Machines are no loans: still bookable.
    machine = make.resource(world.hub, kind="machine")
    assert book(client, world, machine).status_code == 201


def test_a_loan_out_but_not_yet_due_does_not_stop_its_place(client, make, world):
    make.booking(world.other_kit, world.place, status="out", start_at=days(-1), end_at=days(1))
    assert book(client, world, **period(2, 3)).status_code == 201


# ---------------------------------------------------------------- live events

def test_checkout_and_return_emit_booking_updated_to_the_borrower(app, client, world):
    booking = book(client, world).get_json()
    sock = socketio.test_client(app, auth={"token": api_token(world.borrower)})
    act(client, world.manager, booking["id"], "checkout")
    act(client, world.manager, booking["id"], "return")
    updates = [p["args"][0] for p in sock.get_received() if p["name"] == "booking.updated"]
    assert [(u["id"], u["status"]) for u in updates] == [(booking["id"], "out"), (booking["id"], "returned")]
    sock.disconnect()


# ---------------------------------------------------------------- messages

def messages(event: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.event == event)))


def test_loan_reminders_send_due_the_day_before_and_overdue_once(runner, make, world):
    due = make.booking(world.kit, world.place, user_id=world.borrower.id, status="out",
                       start_at=days(-1), end_at=NOW + timedelta(hours=12))
    late = overdue_loan(make, world, world.other_kit)
    make.booking(world.kit, world.place, user_id=world.borrower.id, status="out",
                 start_at=days(1), end_at=days(5))  # due in days: nothing yet
    db.session.commit()

    first = runner.invoke(args=["loan-reminders"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["loan-reminders"])
    assert "en retard : 0" in second.output

    [due_mail] = messages("loan.due")
    [late_mail] = messages("loan.overdue")
    assert (due_mail.booking_id, late_mail.booking_id) == (due.id, late.id)
    assert due_mail.recipient == world.borrower.email
    text = late_mail.raw.decode("utf-8", "replace")
    assert "X-Maillage-Event: loan.overdue" in text and "Kit de r" in text


# ---------------------------------------------------------------- the manager's page

def test_the_managers_place_page_lists_the_loans_out_and_leaving(client, auth, make, world):
    late = overdue_loan(make, world)
    auth.login(world.manager.email)
    page = client.get(f"/gestion/lieux/{world.hub.slug}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Prêts en cours" in html and "Kit robotique" in html and "en retard" in html
    response = client.post(f"/gestion/prets/{late.id}/retour", data={"condition": "Complet"})
    assert response.status_code == 302
    assert db.session.get(Booking, late.id).status == "returned"


# ---------------------------------------------------------------- races (real servers)

THREADS = 10


@pytest.fixture(scope="module")
def servers(_schema: str) -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(server_process(_schema)) for _ in range(2)]


def race(calls: list[tuple[str, str, dict, dict]]) -> list[requests.Response]:
    """POST every (base, path, body, headers) at once, behind a Barrier."""
    db.session.commit()
    db.session.close()  # SQLite: the test's transaction would hold the write lock
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        base, path, body, headers = calls[i]
        try:
            barrier.wait(timeout=30)
            results[i] = requests.post(base + path, json=body, headers=headers, timeout=60)
        except BaseException as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, requests.Response) for r in results), results
    return results


def test_places_racing_for_the_last_kit_never_make_two_holders(servers, make):
    manager = make.user()
    hub = make.fabrique(managers=[manager])
    kit = make.resource(hub, kind="loan", capacity=2)
    make.booking(kit, make.place(), start_at=days(1), end_at=days(3))  # one of two kits taken
    calls = []
    for i in range(THREADS):
        member = make.user()
        place = make.place(members=[member])
        calls.append((servers[i % 2], f"/api/v1/resources/{kit.id}/bookings",
                      {"place": place.slug, **period(2, 4)}, api_headers(member)))
    kit_id = kit.id
    codes = [r.status_code for r in race(calls)]
    assert codes.count(201) == 1 and codes.count(409) == THREADS - 1
    db.session.expire_all()
    rows = db.session.execute(sa.select(Booking.start_at, Booking.end_at, Booking.quantity).where(
        Booking.resource_id == kit_id, Booking.status.in_(ACTIVE_STATUSES))).all()
    assert peak_use(rows) == 2


def test_a_checkout_racing_a_cancellation_leaves_one_outcome(servers, make):
    manager = make.user()
    borrower = make.user()
    hub = make.fabrique(managers=[manager])
    place = make.place(members=[borrower])
    ids = [make.booking(make.resource(hub, kind="loan"), place, start_at=days(1), end_at=days(2)).id
           for _ in range(4)]
    manager_headers, borrower_headers = api_headers(manager), api_headers(borrower)
    calls = []
    for i, booking_id in enumerate(ids):
        calls.append((servers[i % 2], f"/api/v1/bookings/{booking_id}/checkout", {}, manager_headers))
        calls.append((servers[(i + 1) % 2], f"/api/v1/bookings/{booking_id}/cancel", {}, borrower_headers))
    responses = race(calls)
    db.session.expire_all()
    for i, booking_id in enumerate(ids):
        checkout, cancel = responses[2 * i], responses[2 * i + 1]
        status = db.session.get(Booking, booking_id).status
        # Exactly one of the two won, and the booking shows which.
        assert sorted([checkout.status_code, cancel.status_code]) in ([200, 409],), (checkout.text, cancel.text)
        assert status == ("out" if checkout.status_code == 200 else "cancelled")


def test_the_borrower_sees_an_overdue_loan_on_their_bookings_page(client, auth, make, world):
    overdue_loan(make, world)
    auth.login(world.borrower.email)
    html = client.get("/mes-reservations").get_data(as_text=True)
    assert "Kit robotique" in html and "prêt en retard" in html
