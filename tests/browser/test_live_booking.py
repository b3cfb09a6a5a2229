"""Live updates in the browser: a member books, the manager's open page shows it at once."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from playwright.sync_api import Browser, Page, expect

from hub.extensions import db
from hub.services import realtime
from hub.services.bookings import booking_dict
from tests.browser.pages import log_in

PARIS = ZoneInfo("Europe/Paris")


def end_transaction() -> None:
    """The test thread's transaction would hold SQLite's write lock (BEGIN IMMEDIATE)
    while the browser's requests wait for it: read what the test needs, then end it."""
    db.session.commit()


def wait_live(page: Page) -> None:
    """live.js marks the page once its socket is connected (and its rooms joined)."""
    expect(page.locator("html")).to_have_attribute("data-live-connected", "true")


def test_a_request_appears_on_the_managers_page_without_reload(
    browser: Browser, base_url: str, app, make
):
    manager = make.user(email="gestion@fabrique.example", name="Gaëlle Gestion")
    member = make.user(email="membre@tiers-lieu.example", name="Malo Membre")
    hub = make.fabrique(name="Konk Ar Lab", managers=[manager])
    make.place(name="Tiers-lieu des Glénan", managers=[member])
    resource = make.resource(hub, kind="machine", name="Découpeuse laser", requires_approval=True)
    with app.test_request_context():
        requests_path = url_for("manage.requests")
    start = (datetime.now(PARIS) + timedelta(days=3)).replace(hour=10, minute=0)
    manager_email, member_email, resource_id = manager.email, member.email, resource.id
    end_transaction()

    manager_ctx = browser.new_context(base_url=base_url, locale="fr-FR")
    member_ctx = browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        manager_page = manager_ctx.new_page()
        log_in(manager_page, manager_email)
        manager_page.goto(requests_path)
        wait_live(manager_page)
        expect(manager_page.locator("#pending-badge")).to_have_text("0")
        # Survives only if the page is never reloaded.
        manager_page.evaluate("window.__sameDocument = true")

        member_page = member_ctx.new_page()
        log_in(member_page, member_email)
        member_page.goto(f"/ressources/{resource_id}")
        member_page.fill("input[name=start]", start.strftime("%Y-%m-%dT%H:%M"))
        member_page.fill("input[name=end]", (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
        member_page.locator("#booking-form [type=submit]").click()
        member_page.wait_for_url("**/mes-reservations")

        requests_list = manager_page.locator('[data-live="requests"]')
        expect(requests_list).to_contain_text("Tiers-lieu des Glénan")
        expect(requests_list).to_contain_text("Découpeuse laser")
        expect(manager_page.locator("#pending-badge")).to_have_text("1")
        assert manager_page.evaluate("window.__sameDocument") is True
    finally:
        manager_ctx.close()
        member_ctx.close()


def test_the_availability_of_an_open_resource_page_follows_a_booking(
    browser: Browser, base_url: str, make
):
    member = make.user(email="membre@tiers-lieu.example")
    watcher = make.user(email="curieux@ailleurs.example")
    hub = make.fabrique(name="Konk Ar Lab")
    place = make.place(name="Tiers-lieu des Glénan", members=[member])
    resource = make.resource(hub, kind="space", name="Salle de réunion")
    start = (datetime.now(PARIS) + timedelta(days=3)).replace(hour=10, minute=0, second=0,
                                                             microsecond=0)
    monday = start.date() - timedelta(days=start.weekday())
    watcher_email, resource_id = watcher.email, resource.id
    end_transaction()

    ctx = browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        page = ctx.new_page()
        log_in(page, watcher_email)
        page.goto(f"/ressources/{resource_id}?semaine={monday.isoformat()}")
        wait_live(page)
        busy = page.locator('[data-live="availability"] [data-state="busy"]')
        expect(busy).to_have_count(0)
        page.evaluate("window.__sameDocument = true")

        # A factory writes no event: announce the change as the booking service does.
        make.booking(resource, place, start=start)
        realtime.availability_changed(resource, start, start + timedelta(hours=2))
        end_transaction()

        expect(busy.first).to_be_visible()
        assert page.evaluate("window.__sameDocument") is True
    finally:
        ctx.close()


def test_the_network_page_lists_booking_events_as_they_happen(
    browser: Browser, base_url: str, app, make
):
    anct = make.user(email="suivi@anct.example", role="anct")
    hub = make.fabrique(name="Konk Ar Lab")
    place = make.place(name="Tiers-lieu des Glénan")
    resource = make.resource(hub, name="Découpeuse laser")
    booking = make.booking(resource, place, status="pending")
    with app.test_request_context():
        network_path = url_for("network.dashboard")
    anct_email = anct.email
    end_transaction()

    ctx = browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        page = ctx.new_page()
        log_in(page, anct_email)
        page.goto(network_path)
        wait_live(page)

        booking.status = "confirmed"
        realtime.booking_event(booking, "booking.updated", booking_dict(booking))
        end_transaction()

        expect(page.locator("#activity-feed li").first).to_have_text(
            f"Réservation n° {booking.id} : confirmée — Découpeuse laser pour Tiers-lieu des Glénan"
        )
    finally:
        ctx.close()


def test_a_page_that_lost_its_connection_catches_up_when_it_reconnects(
    browser: Browser, base_url: str, make
):
    from hub.extensions import socketio

    member = make.user(email="membre@tiers-lieu.example")
    hub = make.fabrique(name="Konk Ar Lab")
    place = make.place(name="Tiers-lieu des Glénan", members=[member])
    resource = make.resource(hub, name="Imprimante 3D")
    member_email = member.email
    end_transaction()

    ctx = browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        page = ctx.new_page()
        log_in(page, member_email)
        page.goto("/mes-reservations")
        wait_live(page)
        expect(page.locator('[data-live="bookings"]')).not_to_contain_text("Imprimante 3D")
        page.evaluate("window.__sameDocument = true")

        # A change the page is never told about (a factory emits nothing), then the
        # connection drops: the page must find the change when it comes back.
        make.booking(resource, place)
        end_transaction()
        for engine_socket in list(socketio.server.eio.sockets.values()):
            engine_socket.close(wait=False, abort=True)  # as if the network dropped

        expect(page.locator('[data-live="bookings"]')).to_contain_text("Imprimante 3D")
        expect(page.locator("html")).to_have_attribute("data-live-connected", "true")
        assert page.evaluate("window.__sameDocument") is True
    finally:
        ctx.close()
