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

from hub.demo import seed_demo
from hub.demo.common import ANCT_EMAIL, DEMO_PASSWORD, KONK_MANAGER_EMAIL, MEMBER_EMAIL
from hub.extensions import db
from models import Place, Resource
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
        return {"hub": hub.slug, "resource": resource.id}


def audit(page: Page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("(rules) => axe.run(document, {runOnly: rules})", RULES)
    problems = []
    for violation in result["violations"]:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
        problems.append(f"{path}: {violation['id']} ({violation['help']}) on {targets}")
    return problems


def walk(page: Page, paths: list[str]) -> None:
    problems = [problem for path in paths for problem in audit(page, path)]
    assert not problems, "\n".join(problems)


def test_public_pages_pass_axe(page: Page, network: dict[str, Any]) -> None:
    walk(page, ["/", "/connexion", "/inscription", "/accessibilite", "/mentions-legales",
                "/donnees-personnelles", "/mot-de-passe/oubli", "/opendata/"])


def test_member_pages_pass_axe(page: Page, network: dict[str, Any]) -> None:
    log_in(page, MEMBER_EMAIL, DEMO_PASSWORD)
    walk(page, ["/ressources", f"/ressources/{network['resource']}", "/mes-reservations",
                "/lieux/", "/lieux/nouveau", f"/lieux/{network['hub']}", "/compte", "/compte/notifications",
                "/mes-qualifications"])


def test_manager_pages_pass_axe(page: Page, network: dict[str, Any]) -> None:
    log_in(page, KONK_MANAGER_EMAIL, DEMO_PASSWORD)
    walk(page, ["/gestion/", "/gestion/demandes", f"/gestion/lieux/{network['hub']}",
                f"/gestion/ressources/{network['resource']}",
                f"/gestion/ressources/{network['resource']}/modifier",
                f"/gestion/lieux/{network['hub']}/calendrier",
                f"/lieux/{network['hub']}/membres", f"/lieux/{network['hub']}/modifier", "/reseau/mon-lieu",
                "/rapports"])


def test_anct_pages_pass_axe(page: Page, network: dict[str, Any]) -> None:
    log_in(page, ANCT_EMAIL, DEMO_PASSWORD)
    walk(page, ["/reseau", "/reseau/lieux", "/reseau/departements", "/reseau/region",
                "/reseau/structure", "/reseau/methode"])


def test_the_footer_links_to_the_accessibility_statement_and_the_legal_pages(page: Page) -> None:
    page.goto("/")
    footer = page.locator("footer")
    footer.get_by_role("link", name="Accessibilité : partiellement conforme").click()
    assert page.locator("h1").inner_text() == "Déclaration d'accessibilité"
    for name, title in (("Mentions légales", "Mentions légales"), ("Données personnelles", "Données personnelles")):
        page.locator("footer").get_by_role("link", name=name).click()
        assert page.locator("h1").inner_text() == title


def test_the_network_map_speaks_french_and_has_its_table(page: Page, network: dict[str, Any]) -> None:
    log_in(page, ANCT_EMAIL, DEMO_PASSWORD)
    page.goto("/reseau")
    assert page.locator("#network-map .leaflet-control-zoom-in").get_attribute("title") == "Zoom avant"
    assert page.locator("#network-map .leaflet-control-zoom-out").get_attribute("title") == "Zoom arrière"
    page.locator("#map-alternative summary").click()
    assert page.locator("#map-alternative tbody tr").count() >= 1
    assert "Aucun flux" not in page.locator("#map-alternative tbody").inner_text()
