"""The place form's commune picker: typing a commune's name lists it, picking it fills the
INSEE code, département, postal code and position; a pin moved by hand stays."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from hub.extensions import db
from models import Place
from tests.browser.pages import log_in


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"MAP_TILE_URL": ""}  # no tiles from the internet in tests


def pick(page: Page, typed: str, name: str) -> None:
    page.fill("#f-commune", typed)
    page.get_by_role("option", name=name).first.click()


def test_picking_a_commune_fills_its_code_departement_postal_code_and_position(page: Page, make) -> None:
    make.user(email="claire@example.org")
    log_in(page, "claire@example.org")
    page.goto("/lieux/nouveau")
    pick(page, "Concarn", "Concarneau (29900)")
    expect(page.locator("#f-insee")).to_have_value("29039")
    expect(page.locator("#f-postal_code")).to_have_value("29900")
    expect(page.locator("#f-departement")).to_have_value("29")
    expect(page.locator("#f-lat")).to_have_value("47.87061")
    expect(page.locator("#place-map")).to_be_visible()

    # A position typed by hand is the place's: picking another commune keeps it.
    page.fill("#f-lat", "47.9")
    page.fill("#f-lon", "-3.9")
    pick(page, "quimper", "Quimper (29000)")
    expect(page.locator("#f-insee")).to_have_value("29232")
    expect(page.locator("#f-lat")).to_have_value("47.9")

    page.fill("#f-name", "La Ruche")
    page.select_option("#f-territory", "urbain")
    page.get_by_role("button", name="Créer le tiers-lieu").click()
    page.wait_for_url("**/lieux/la-ruche")
    db.session.expire_all()
    place = db.session.scalar(sa.select(Place).where(Place.slug == "la-ruche"))
    assert (place.commune, place.insee, place.postal_code) == ("Quimper", "29232", "29000")
    assert (place.lat, place.lon) == (47.9, -3.9)
