"""A manager's tools at desktop and phone widths: an opening-hours row added with
"Ajouter une plage", its error shown in place, then a resource archived through the
confirmation modal (Échap closes it and gives the focus back)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, expect

from hub.extensions import db
from models import Booking, Resource, utcnow
from tests.browser.pages import log_in
from tests.browser.test_accessibility import AXE, RULES


def axe_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(rules) => axe.run(document, {runOnly: rules})", RULES)
    return [f"{v['id']}: {v['help']}" for v in result["violations"]]


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_manager_adds_opening_hours_then_archives_through_the_modal(  # type: ignore[no-untyped-def]
        browser: Browser, base_url: str, make, width: int, height: int):
    manager = make.user(email="gestion@fab.example")
    hub = make.fabrique(name="Konk Ar Lab", slug="konk-ar-lab", managers=[manager])
    tiers = make.place(name="Tiers-lieu des Glénan")
    room = make.resource(hub, kind="space", name="Salle de réunion", capacity=4,
                         opening_hours={"tue": [["09:00", "12:00"]]})
    for days in (2, 3):
        start = utcnow() + timedelta(days=days)
        make.booking(room, tiers, start_at=start, end_at=start + timedelta(hours=1))
    room_id = room.id
    db.session.commit()

    # bypass_csp: axe-core arrives as an inline script.
    context = browser.new_context(base_url=base_url, locale="fr-FR", viewport={"width": width, "height": height},
                                  bypass_csp=True)
    try:
        page = context.new_page()
        log_in(page, "gestion@fab.example")
        page.goto(f"/gestion/ressources/{room_id}/modifier")
        page.get_by_role("button", name="Ajouter une plage").click()
        rows = page.locator("#hour-rows [data-hour-row]")
        expect(rows).to_have_count(4)  # the stored one, two empty ones, the added one
        added = rows.nth(3)
        expect(added.locator("select")).to_be_focused()
        added.locator("select").select_option("mon")
        added.get_by_label("Début").fill("18:00")
        added.get_by_label("Fin").fill("09:00")
        page.get_by_role("button", name="Enregistrer").click()

        # The error sits beside the row, and the summary that takes the focus links to it.
        error = page.locator("#hour-rows .fr-error-text")
        expect(error).to_have_text("La fin doit suivre le début (18:00).")
        expect(page.locator("#form-errors")).to_be_focused()
        assert page.title().startswith("Erreur : ")
        # axe-core is slow: one width is enough for the markup, the same at both.
        audit = width > 1000
        assert not audit or axe_violations(page) == []
        page.locator("#form-errors").get_by_role("link", name="Horaires, plage 4, fin").click()
        to_field = page.locator("#hour-rows [data-hour-row]").nth(3).get_by_label("Fin")
        expect(to_field).to_be_focused()
        to_field.fill("20:00")
        page.get_by_role("button", name="Enregistrer").click()
        page.wait_for_url(f"**/gestion/ressources/{room_id}")
        db.session.expire_all()
        assert db.session.get(Resource, room_id).opening_hours == {
            "mon": [["18:00", "20:00"]], "tue": [["09:00", "12:00"]]}
        db.session.rollback()  # the served app writes next: this test holds no transaction
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        page.goto("/gestion/lieux/konk-ar-lab")
        archive = page.get_by_role("link", name="Archiver Salle de réunion")
        archive.click()
        dialog = page.get_by_role("dialog", name="Archiver « Salle de réunion » ?")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("2 réservations à venir seront annulées et leurs lieux prévenus.")
        assert not audit or axe_violations(page) == []
        # The focus stays in the modal; Échap closes it and gives the focus back.
        for _ in range(4):
            page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('dialog') !== null")
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(archive).to_be_focused()
        archive.click()
        dialog.get_by_role("button", name="Archiver et annuler les réservations").click()
        page.wait_for_url("**/gestion/lieux/konk-ar-lab")
        expect(page.get_by_role("status").filter(has_text="retirée du catalogue")).to_contain_text(
            "2 réservations à venir sont annulées")
        db.session.expire_all()
        assert db.session.get(Resource, room_id).archived_at is not None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)
                                 .where(Booking.status == "cancelled")) == 2
    finally:
        context.close()
