"""The pages people read meet the RGAA's automatable checks (axe-core, WCAG 2.1 A and AA).

Every role walks its own pages of the tiny demo network in Chromium; axe-core (vendored
under tests/vendor/axe-core, MPL-2.0) audits each page as rendered, scripts run. A
violation names the page, the rule and the first offending elements, so the message
says what to mend.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from hub.demo import seed_demo
from hub.demo.common import ADMIN_EMAIL, ANCT_EMAIL, DEMO_PASSWORD, KONK_MANAGER_EMAIL, MEMBER_EMAIL
from hub.extensions import db
from models import Booking, BookingSeries, Membership, Place, Resource, TrainingSession, User
from tests.browser.pages import log_in

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # axe arrives as an inline script, which the site's CSP rightly refuses.
    return {**browser_context_args, "bypass_csp": True, "locale": "fr-FR"}


@pytest.fixture
def network(app: Any) -> dict[str, Any]:
    with app.app_context():
        seed_demo("tiny", 3, today=date.today())
        db.session.commit()
        hub = db.session.scalar(sa.select(Place).where(Place.slug.like("konk%")))
        assert hub is not None
        resource = db.session.scalar(sa.select(Resource).where(Resource.place_id == hub.id)
                                     .order_by(Resource.id))
        assert resource is not None
        member = db.session.scalar(sa.select(User).where(User.email == MEMBER_EMAIL))
        assert member is not None
        mine = sa.select(Membership.place_id).where(Membership.user_id == member.id)
        booking = db.session.scalar(sa.select(Booking.id).where(Booking.place_id.in_(mine),
                                                                Booking.status.in_(("pending", "confirmed")))
                                    .order_by(Booking.start_at.desc()))
        elsewhere = db.session.scalar(sa.select(Place.slug).where(Place.id.not_in(mine)).order_by(Place.id))
        session = db.session.scalar(sa.select(TrainingSession.id).join(Resource)
                                    .where(Resource.place_id == hub.id).order_by(TrainingSession.id))
        assert booking is not None and elsewhere is not None and session is not None
        # The booking is one of a weekly series: its page offers to cancel the series.
        booked = db.session.get(Booking, booking)
        series = BookingSeries(resource_id=booked.resource_id, place_id=booked.place_id, user_id=member.id,
                               every="week")
        db.session.add(series)
        db.session.flush()
        booked.series_id = series.id
        db.session.commit()
        return {"hub": hub.slug, "resource": resource.id, "booking": booking, "elsewhere": elsewhere,
                "session": session, "series": series.id}


DESKTOP = {"width": 1280, "height": 800}
# RGAA 10.11: content reflows at 320 CSS px, no scrolling in two directions.
NARROW = {"width": 320, "height": 640}
# The outermost elements that stick out on the right, to say what overflows.
OVERFLOWING = """() => {
  const out = (e) => e.getBoundingClientRect().right > window.innerWidth + 1;
  return Array.from(document.querySelectorAll('body *'))
    .filter((e) => out(e) && !out(e.parentElement) && !e.closest('header'))
    .slice(0, 3)
    .map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + (e.getAttribute('class') || ''));
}"""


def open_page(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    page.wait_for_load_state("networkidle")


def audit(page: Page, path: str) -> list[str]:
    open_page(page, path)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(rules) => axe.run(document, {runOnly: rules})", RULES)
    problems = []
    for violation in result["violations"]:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        problems.append(f"{path}: {violation['id']} ({violation['help']}) on {targets}")
    return problems


def overflow(page: Page, path: str) -> list[str]:
    """Narrow the loaded page to 320 px (the layout reflows as on a phone or at 400 %
    zoom) and look for a sideways scroll; back to desktop width for the next page."""
    page.set_viewport_size(NARROW)
    try:
        # Scripts redraw on resize after a debounce (the graph's canvas): give them a moment.
        page.wait_for_function("document.documentElement.scrollWidth <= window.innerWidth", timeout=2000)
        problems = []
    except PlaywrightTimeoutError:
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        culprits = ", ".join(page.evaluate(OVERFLOWING)) or "text"
        problems = [f"{path}: {width[0]} px wide at {width[1]} px ({culprits})"]
    page.set_viewport_size(DESKTOP)
    return problems


def walk(page: Page, paths: list[str]) -> None:
    """Every page loaded once: axe at desktop width, then no sideways scroll at 320 px."""
    page.set_viewport_size(DESKTOP)
    problems = [problem for path in paths for problem in audit(page, path) + overflow(page, path)]
    assert not problems, "\n".join(problems)


def test_public_pages_pass_axe(page: Page, network: dict[str, Any]) -> None:
    walk(page, ["/", "/connexion", "/inscription", "/accessibilite", "/mentions-legales",
                "/donnees-personnelles", "/aide", "/mot-de-passe/oubli", "/opendata/"])


def test_member_pages_pass_axe(page: Page, network: dict[str, Any]) -> None:
    log_in(page, MEMBER_EMAIL, DEMO_PASSWORD)
    walk(page, ["/ressources", f"/ressources/{network['resource']}", "/mes-reservations",
                f"/reservations/{network['booking']}", f"/reservations/{network['booking']}/annuler",
                f"/series/{network['series']}/annuler",
                "/lieux/", "/lieux/nouveau", f"/lieux/{network['hub']}", f"/lieux/{network['elsewhere']}/rejoindre",
                "/compte", "/compte/notifications", "/mes-qualifications"])


def test_manager_pages_pass_axe(page: Page, network: dict[str, Any]) -> None:
    log_in(page, KONK_MANAGER_EMAIL, DEMO_PASSWORD)
    walk(page, ["/gestion/", "/gestion/demandes", f"/gestion/lieux/{network['hub']}",
                f"/gestion/ressources/{network['resource']}",
                f"/gestion/ressources/{network['resource']}/modifier",
                f"/gestion/lieux/{network['hub']}/calendrier", f"/gestion/ressources/{network['resource']}/calendrier",
                f"/gestion/sessions/{network['session']}", f"/gestion/lieux/{network['hub']}/ressources/nouvelle",
                f"/lieux/{network['hub']}/membres", f"/lieux/{network['hub']}/modifier", "/reseau/mon-lieu",
                "/rapports"])


def test_anct_pages_pass_axe(page: Page, network: dict[str, Any]) -> None:
    log_in(page, ANCT_EMAIL, DEMO_PASSWORD)
    walk(page, ["/reseau", "/reseau/lieux", "/reseau/departements", "/reseau/region",
                "/reseau/structure", "/reseau/methode", "/lieux/labelliser"])


def test_admin_pages_pass_axe(page: Page, network: dict[str, Any]) -> None:
    log_in(page, ADMIN_EMAIL, DEMO_PASSWORD)
    walk(page, ["/admin/envois/"])


def test_the_footer_links_to_the_accessibility_statement_and_the_legal_pages(page: Page) -> None:
    page.goto("/")
    footer = page.locator("footer")
    footer.get_by_role("link", name="Accessibilité : partiellement conforme").click()
    assert page.locator("h1").inner_text() == "Déclaration d'accessibilité"
    for name, title in (("Mentions légales", "Mentions légales"), ("Données personnelles", "Données personnelles"),
                        ("Aide", "Aide")):
        page.locator("footer").get_by_role("link", name=name).click()
        assert page.locator("h1").inner_text() == title


def test_the_header_leads_to_the_help_page_from_every_page(page: Page) -> None:
    page.goto("/connexion")
    page.locator("header").get_by_role("link", name="Aide").click()
    assert page.locator("h1").inner_text() == "Aide"
    assert page.get_by_role("link", name="Gérer une Fabrique : publier et confirmer").is_visible()


def test_the_network_map_speaks_french_and_has_its_table(page: Page, network: dict[str, Any]) -> None:
    log_in(page, ANCT_EMAIL, DEMO_PASSWORD)
    page.goto("/reseau")
    assert page.locator("#network-map .leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
    assert page.locator("#network-map .leaflet-control-zoom-out").get_attribute("title") == "Zoom arrière"
    page.locator("#map-alternative summary").click()
    assert page.locator("#map-alternative tbody tr").count() >= 1
    assert "Aucun flux" not in page.locator("#map-alternative tbody").inner_text()
