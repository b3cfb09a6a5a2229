"""Place names on the ANCT map are text, never markup; the pages run under the strict CSP."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from hub.extensions import db
from hub.reference import region_of
from tests.browser.pages import log_in

SCRIPT_NAME = "<img src=x onerror=alert(1)>"
BOLD_NAME = "La <b>Fabrique</b> du Port"
T0 = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)

# Test-only hooks, run before any page script: record CSP violations, and keep the Leaflet
# map that network.js creates (it is local to the script) to find where its lines are drawn.
INIT_SCRIPT = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
(function () {
  var leaflet;
  Object.defineProperty(window, "L", {
    configurable: true,
    get: function () { return leaflet; },
    set: function (value) {
      leaflet = value;
      var createMap = value.map;
      value.map = function () { return (window.__map = createMap.apply(this, arguments)); };
    }
  });
})();
"""


@pytest.fixture
def app_config(base_url: str) -> dict[str, Any]:
    # Tiles from another origin (localhost is not 127.0.0.1), answered 404 by the test server:
    # the CSP must admit the tile host of MAP_TILE_URL, and nothing leaves the machine.
    port = base_url.rsplit(":", 1)[1]
    return {"MAP_TILE_URL": f"http://localhost:{port}/tuiles/{{z}}/{{x}}/{{y}}.png"}


@pytest.fixture
def hostile_network(make) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    make.user(email="anct@example.org", role="anct")
    member = make.user(email="membre@example.org")
    # One latitude: the flow is a horizontal line between the two places.
    hub = make.fabrique(name=BOLD_NAME, departement="36", lat=46.6, lon=1.2)
    tiers_lieu = make.place(name=SCRIPT_NAME, departement="71", lat=46.6, lon=4.2, members=[member])
    resource = make.resource(hub, name="Imprimante 3D")
    make.booking(resource, tiers_lieu, start=T0, beneficiaries=5, status="confirmed")
    data = {"resource": resource.id, "region": region_of("36").code}
    db.session.commit()  # end the test's transaction: the browser's requests need the database
    return data


def new_context(browser: Browser, base_url: str) -> BrowserContext:
    context = browser.new_context(base_url=base_url, locale="fr-FR")
    context.add_init_script(INIT_SCRIPT)
    return context


def watch(page: Page) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = {"dialogs": [], "errors": []}

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return seen


def screen_point(page: Page, lat: float, lon: float) -> tuple[float, float]:
    point = page.evaluate("([lat, lon]) => window.__map.latLngToContainerPoint([lat, lon])", [lat, lon])
    box = page.locator("#network-map").bounding_box()
    assert box
    return box["x"] + point["x"], box["y"] + point["y"]


def hover_flow(page: Page) -> None:
    """The map draws on a canvas: move over the middle of the line until its tooltip opens."""
    x, y = screen_point(page, 46.6, 2.7)
    tooltip = page.locator(".leaflet-tooltip")
    for dy in (0, -1, 1, -2, 2):
        page.mouse.move(x, y + dy)
        if tooltip.count():
            return
        page.wait_for_timeout(50)
    expect(tooltip).to_have_count(1)


def test_place_names_on_the_map_are_shown_as_text_and_never_run(
    browser: Browser, base_url: str, hostile_network
):
    context = new_context(browser, base_url)
    try:
        page = context.new_page()
        seen = watch(page)
        log_in(page, "anct@example.org")
        page.goto("/reseau")
        page.wait_for_function("window.__map !== undefined")
        page.locator("#network-map").scroll_into_view_if_needed()

        hover_flow(page)
        tooltip = page.locator(".leaflet-tooltip")
        expect(tooltip).to_contain_text(f"{BOLD_NAME} → {SCRIPT_NAME} : 5 bénéficiaires")
        assert tooltip.locator("img, b").count() == 0

        page.mouse.click(*screen_point(page, 46.6, 1.2))  # the fabrique's marker
        popup = page.locator(".leaflet-popup-content")
        expect(popup.locator("strong")).to_have_text(BOLD_NAME)
        expect(popup).to_contain_text("1 lieux servis, 5 bénéficiaires")
        assert popup.locator("b, img").count() == 0

        page.wait_for_timeout(300)  # time for an injected image's error handler to fire
        assert seen["dialogs"] == []
        assert page.locator("#network-map img[src='x']").count() == 0
        assert seen["errors"] == []
    finally:
        context.close()


def test_the_pages_run_without_a_csp_violation(browser: Browser, base_url: str, hostile_network):
    context = new_context(browser, base_url)
    try:
        page = context.new_page()
        seen = watch(page)
        violations: list[str] = []

        def visit(path: str, ready: str) -> None:
            response = page.goto(path)
            assert response and "script-src 'self'" in response.headers["content-security-policy"]
            page.wait_for_load_state("networkidle")
            page.wait_for_function(ready)
            violations.extend(f"{path}: {v}" for v in page.evaluate("window.__cspViolations"))

        visit("/connexion", "document.readyState === 'complete'")
        log_in(page, "anct@example.org")
        # Each page's scripts have done their work: map drawn, charts and graph rendered.
        visit("/reseau", "document.querySelector('#network-map .leaflet-interactive, #network-map canvas')"
                         " && document.querySelectorAll('#network-charts canvas').length === 2")
        # The policy is enforced, not only sent: an injected inline script does not run.
        page.evaluate("""() => { const s = document.createElement("script");
                                 s.textContent = "window.__inlineRan = true";
                                 document.head.appendChild(s); }""")
        page.wait_for_function("window.__cspViolations.length > 0")
        assert page.evaluate("window.__inlineRan") is None
        assert page.evaluate("window.__cspViolations.pop()").startswith("script-src-elem inline")
        visit(f"/reseau/region?region={hostile_network['region']}",
              "document.querySelector('#network-graph canvas') !== null")
        visit(f"/ressources/{hostile_network['resource']}", "document.readyState === 'complete'")
        visit("/reseau/lieux", "document.readyState === 'complete'")

        assert violations == []
        assert seen["errors"] == []
        assert seen["dialogs"] == []
    finally:
        context.close()
