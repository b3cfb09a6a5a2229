"""Booking on the week calendar, and cancelling from a phone."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from playwright.sync_api import Browser, expect

from hub.extensions import db
from hub.timeutil import PARIS
from models import utcnow
from tests.browser.pages import log_in


def next_monday() -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=7 - today.weekday())


def test_member_books_by_clicking_the_week_calendar(browser: Browser, base_url: str, make):  # type: ignore[no-untyped-def]
    manager = make.user(email="gestion@fabrique.example")
    member = make.user(email="membre@tiers-lieu.example")
    hub = make.fabrique(name="Konk Ar Lab", managers=[manager])
    make.place(name="Tiers-lieu des Glénan", members=[member])
    laser = make.resource(hub, kind="machine", name="Découpeuse laser",
                          opening_hours={"mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]]})
    monday = next_monday()
    make.booking(laser, hub, start_at=datetime.combine(monday, time(9), tzinfo=PARIS),
                 end_at=datetime.combine(monday, time(10), tzinfo=PARIS))
    path, email = f"/ressources/{laser.id}?semaine={monday.isoformat()}", member.email
    db.session.commit()  # end the test's transaction: SQLite's write lock would block the server

    context = browser.new_context(base_url=base_url, locale="fr-FR", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        log_in(page, email)
        page.goto(path)
        day = f"{monday:%Y-%m-%d}"
        # The keyboard: the grid is one tab stop, the arrows move, Enter chooses.
        page.locator(f'td[data-start="{day}T10:00"] button').focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(page.locator("#f-start")).to_have_value(f"{day}T10:30")
        expect(page.locator(f'td[data-start="{day}T10:30"] button')).to_have_attribute("tabindex", "0")
        # Click 10:00, then 11:30 the same day: the choice runs from 10:00 to 12:00.
        page.locator(f'td[data-start="{day}T10:00"] button').click()
        page.locator(f'td[data-start="{day}T11:30"] button').click()
        expect(page.locator("#f-start")).to_have_value(f"{day}T10:00")
        expect(page.locator("#f-end")).to_have_value(f"{day}T12:00")
        expect(page.locator("#slot-choice")).to_contain_text("de 10:00 à 12:00")
        # The busy hour offers no button to click.
        expect(page.locator(f'td[data-start="{day}T09:00"] button')).to_have_count(0)
        page.locator("#booking-form [type=submit]").click()
        page.wait_for_url("**/mes-reservations")
        expect(page.locator("#my-bookings")).to_contain_text("Découpeuse laser")
        expect(page.locator("#my-bookings")).to_contain_text(f"{monday:%d/%m/%Y} 10:00")
    finally:
        context.close()


def test_on_a_phone_a_member_cancels_from_my_bookings(browser: Browser, base_url: str, make):  # type: ignore[no-untyped-def]
    member = make.user(email="membre@tiers-lieu.example")
    hub = make.fabrique(name="Konk Ar Lab")
    tiers = make.place(name="Tiers-lieu des Glénan", members=[member])
    laser = make.resource(hub, kind="machine", name="Découpeuse laser")
    start = utcnow() + timedelta(days=3)
    booking = make.booking(laser, tiers, start_at=start, end_at=start + timedelta(hours=2), user=member)
    booking_id, email, laser_id = booking.id, member.email, laser.id
    db.session.commit()

    context = browser.new_context(base_url=base_url, locale="fr-FR", viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        log_in(page, email)
        # The week grid scrolls inside its frame; the page does not scroll sideways.
        page.goto(f"/ressources/{laser_id}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto("/mes-reservations")
        cancel = page.locator(f'tr[data-booking="{booking_id}"]').get_by_role("link", name="Annuler")
        cancel.scroll_into_view_if_needed()
        box = cancel.bounding_box()
        # On screen, not behind a sideways scroll: the page itself is no wider than the phone.
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        cancel.click()
        # A confirmation modal (the confirmation page without JavaScript), then the booking is cancelled.
        dialog = page.get_by_role("dialog", name="Annuler la réservation ?")
        dialog.get_by_role("button", name="Oui, annuler la réservation").click()
        page.wait_for_url("**/mes-reservations")
        expect(page.locator(f'tr[data-booking="{booking_id}"] [data-status]')).to_have_attribute("data-status", "cancelled")
    finally:
        context.close()
