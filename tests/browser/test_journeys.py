"""The day of a member and of a manager, end to end in Chromium (issue 11, item 6).

- A member finds the nearest machine, chooses a slot on its week, sends a slot already
  taken and sees why where they are, books a free one; the manager confirms it from the
  place's calendar; the member sees it confirmed and cancels it. At desktop and phone widths.
- A new user registers, finds a Fabrique, asks to join it with a message; its manager
  sees the request and accepts; the new member's space is now that place's.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from hub.extensions import db
from hub.timeutil import PARIS
from tests.browser.pages import log_in

WIDTHS = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def next_monday() -> date:
    today = datetime.now(PARIS).date()
    return today + timedelta(days=7 - today.weekday())


def new_context(browser: Browser, base_url: str, width: str) -> BrowserContext:
    return browser.new_context(base_url=base_url, locale="fr-FR", **WIDTHS[width])


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


@pytest.mark.parametrize("width", list(WIDTHS))
def test_member_books_near_the_manager_confirms_from_the_calendar_the_member_cancels(  # type: ignore[no-untyped-def]
        browser: Browser, base_url: str, make, width: str):
    manager = make.user(email="gestion@konk.example", name="Gaëlle Gestion")
    member = make.user(email="membre@glenan.example", name="Malo Membre")
    make.place(name="Tiers-lieu de Quimper", slug="tl-quimper", lat=47.996, lon=-4.102, members=[member])
    konk = make.fabrique(name="Konk Ar Lab", slug="konk", commune="Concarneau", lat=47.873, lon=-3.918,
                         managers=[manager])
    lyon = make.fabrique(name="Fabrique de Lyon", departement="69", lat=45.76, lon=4.84)
    hours = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    laser = make.resource(konk, name="Découpeuse laser", requires_approval=True, opening_hours=hours)
    make.resource(lyon, name="Découpeuse vinyle", opening_hours=hours)
    monday = next_monday()
    # Taken Monday 9:00-10:00 by another place.
    make.booking(laser, lyon, start_at=datetime.combine(monday, time(9), tzinfo=PARIS),
                 end_at=datetime.combine(monday, time(10), tzinfo=PARIS))
    laser_id, day, member_email, manager_email = laser.id, f"{monday:%Y-%m-%d}", member.email, manager.email
    db.session.commit()  # end the test's transaction: SQLite's write lock would block the server

    member_ctx = new_context(browser, base_url, width)
    manager_ctx = new_context(browser, base_url, width)
    try:
        page = member_ctx.new_page()
        log_in(page, member_email)
        # Find: the member lands on the catalogue, nearest first; accents do not matter.
        page.goto("/mon-espace")
        expect(page.locator("#catalogue-count")).to_contain_text("les plus proches de Tiers-lieu de Quimper")
        page.goto("/ressources?q=decoupeuse")
        expect(page.locator("[data-resource]").first).to_contain_text("Découpeuse laser")
        expect(page.locator("[data-resource]").first.locator("[data-distance]")).to_contain_text("Tiers-lieu de Quimper")
        no_sideways_scroll(page)
        page.locator("[data-resource]").first.get_by_role("link", name="Découpeuse laser").click()
        expect(page.locator("h1")).to_contain_text("Découpeuse laser")
        assert page.url.endswith(f"/ressources/{laser_id}")

        # Choose a slot on next week's grid: its cells fill the form.
        page.goto(f"/ressources/{laser_id}?semaine={day}")
        no_sideways_scroll(page)
        expect(page.locator(f'td[data-start="{day}T09:00"] button')).to_have_count(0)  # busy
        page.locator(f'td[data-start="{day}T10:00"] button').click()
        expect(page.locator("#f-start")).to_have_value(f"{day}T10:00")

        # A slot already taken, typed by hand: the error is where the member is, with other slots.
        page.fill("#f-start", f"{day}T09:00")
        page.fill("#f-end", f"{day}T10:00")
        page.locator("#booking-form [type=submit]").click()
        summary = page.locator("#form-errors")
        expect(summary).to_be_focused()
        expect(summary).to_be_in_viewport()
        assert page.title().startswith("Erreur : ")
        suggestion = page.locator("#suggestions a").first
        suggestion.click()
        chosen = page.locator("#f-start").input_value()
        assert chosen and chosen != f"{day}T09:00"
        page.locator("#booking-form [type=submit]").click()
        page.wait_for_url("**/mes-reservations")
        row = page.locator("tr[data-booking]", has_text="Découpeuse laser")
        expect(row.locator("[data-status]")).to_have_attribute("data-status", "pending")
        booking_id = row.get_attribute("data-booking")

        # The manager confirms it from the place's calendar.
        desk = manager_ctx.new_page()
        log_in(desk, manager_email)
        desk.goto(f"/gestion/lieux/konk/calendrier?semaine={day}")
        request = desk.locator(f'li[data-booking="{booking_id}"]')
        expect(request).to_contain_text("Tiers-lieu de Quimper")
        no_sideways_scroll(desk)
        request.get_by_role("button", name="Confirmer").click()
        expect(desk.locator(f'li[data-booking="{booking_id}"] [data-status]')).to_have_attribute(
            "data-status", "confirmed")
        assert "/calendrier" in desk.url

        # The member sees it confirmed, then cancels it.
        page.goto("/mes-reservations")
        row = page.locator(f'tr[data-booking="{booking_id}"]')
        expect(row.locator("[data-status]")).to_have_attribute("data-status", "confirmed")
        no_sideways_scroll(page)
        row.get_by_role("link", name="Annuler").click()
        page.get_by_role("button", name="Oui, annuler la réservation").click()
        page.wait_for_url("**/mes-reservations")
        expect(page.locator(f'tr[data-booking="{booking_id}"] [data-status]')).to_have_attribute(
            "data-status", "cancelled")
    finally:
        member_ctx.close()
        manager_ctx.close()


def test_a_new_user_asks_to_join_a_fabrique_and_is_accepted(  # type: ignore[no-untyped-def]
        browser: Browser, base_url: str, make):
    manager = make.user(email="gestion@konk.example", name="Gaëlle Gestion")
    make.fabrique(name="Konk Ar Lab", slug="konk", commune="Concarneau", managers=[manager])
    manager_email = manager.email
    db.session.commit()

    newcomer_ctx = browser.new_context(base_url=base_url, locale="fr-FR")
    manager_ctx = browser.new_context(base_url=base_url, locale="fr-FR")
    try:
        page = newcomer_ctx.new_page()
        page.goto("/inscription")
        page.fill("#f-name", "Nina Nouvelle")
        page.fill("#f-email", "nina@exemple.fr")
        page.fill("#f-password", "un mot de passe assez long")
        page.get_by_role("button", name="Créer mon compte").click()
        page.wait_for_url("**/lieux/")

        # Find the place: the home page lists the Fabriques by département.
        page.goto("/")
        page.locator("#fabriques-by-departement").get_by_role("link", name="Konk Ar Lab").click()
        page.locator("#join-button").click()
        page.fill("#f-message", "Je monte un repair café à Trégunc.")
        page.get_by_role("button", name="Envoyer ma demande").click()
        expect(page.locator("#join-pending")).to_be_visible()

        desk = manager_ctx.new_page()
        log_in(desk, manager_email)
        desk.goto("/lieux/konk/membres")
        asked = desk.locator("[data-join-request]", has_text="Nina Nouvelle")
        expect(asked.locator(".join-message")).to_have_text("Je monte un repair café à Trégunc.")
        asked.get_by_role("button", name="Accepter").click()
        expect(desk.locator("[data-join-request]")).to_have_count(0)
        expect(desk.locator("#members, table").first).to_contain_text("nina@exemple.fr")

        # The new member's space is now the place's: it is theirs, and bookings are made for it.
        page.goto("/lieux/")
        page.locator("#my-places").get_by_role("link", name="Konk Ar Lab").click()
        expect(page.locator("#leave-link")).to_be_visible()
        expect(page.locator("#join-button")).to_have_count(0)
        page.goto("/mon-espace")
        expect(page.locator("#catalogue-count")).to_contain_text("les plus proches de Konk Ar Lab")
    finally:
        newcomer_ctx.close()
        manager_ctx.close()
