"""The catalogue's list / map switch in the browser: the map draws the page's places, the
choice stays in the address and in the links to other pages, and back to the list."""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from hub.extensions import db
from tests.browser.pages import log_in


def test_the_member_switches_the_results_to_a_map_and_back(page: Page, make) -> None:
    member = make.user(email="membre@tiers-lieu.example")
    make.place(name="Tiers-lieu de Quimper", lat=47.996, lon=-4.1024, members=[member])
    brest = make.fabrique(name="Fabrique de Brest", lat=48.39, lon=-4.49)
    lyon = make.fabrique(name="Fabrique de Lyon", departement="69", lat=45.76, lon=4.84)
    make.resource(brest, name="Découpeuse laser")
    for n in range(21):  # a second page, whose link must follow the choice
        make.resource(lyon, name=f"Imprimante {n:02d}")
    email = member.email
    db.session.commit()  # the test's transaction would hold SQLite's write lock: read first, then end it

    log_in(page, email)
    page.goto("/ressources")
    results, section = page.locator("#catalogue-results"), page.locator("#catalogue-map-section")
    expect(results).to_be_visible()
    expect(section).to_be_hidden()

    page.get_by_text("Carte", exact=True).click()
    expect(section).to_be_visible()
    expect(results).to_be_hidden()
    # One marker per host place, and the member's place: three circles.
    expect(page.locator("#catalogue-map path.leaflet-interactive")).to_have_count(3)
    expect(page.locator("#catalogue-map .leaflet-control-zoom-in")).to_have_attribute("title", "Zoomer")
    assert "vue=carte" in page.url
    expect(page.locator(".fr-pagination a[title='Page 2']")).to_have_attribute("href", re.compile(r"[?&]vue=carte"))

    page.locator(".fr-pagination a[title='Page 2']").click()
    expect(page.locator("#catalogue-map-section")).to_be_visible()
    page.get_by_text("Liste", exact=True).click()
    expect(page.locator("#catalogue-results")).to_be_visible()
    expect(page.locator("#catalogue-map-section")).to_be_hidden()
    assert "vue=carte" not in page.url
