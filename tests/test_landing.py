"""Getting started: each role lands where it works; "Mes lieux" greets with a button, not
a coordinates form; a place's page shows what is known of it and where it is."""
from __future__ import annotations

import pytest


def landing(client, auth, email: str) -> str:  # type: ignore[no-untyped-def]
    response = auth.login(email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/mon-espace"
    return client.get("/mon-espace").headers["Location"]


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_admin_and_anct_land_on_the_network_dashboard(client, auth, make, role):
    make.user(email="national@example.org", role=role)
    assert landing(client, auth, "national@example.org") == "/reseau"


def test_a_manager_lands_on_their_places_back_office(client, auth, make):
    manager = make.user(email="gestion@example.org")
    make.fabrique(slug="fab-brest", managers=[manager])
    make.place(slug="tl-voisin", members=[manager])
    assert landing(client, auth, "gestion@example.org") == "/gestion/lieux/fab-brest"


def test_a_manager_of_several_hubs_lands_on_the_list_of_them(client, auth, make):
    manager = make.user(email="gestion@example.org")
    make.fabrique(slug="fab-brest", managers=[manager])
    make.fabrique(slug="fab-quimper", managers=[manager])
    assert landing(client, auth, "gestion@example.org") == "/gestion/"


def test_a_member_lands_on_the_catalogue(client, auth, make):
    member = make.user(email="membre@example.org")
    make.place(slug="tl-port", members=[member])
    assert landing(client, auth, "membre@example.org") == "/ressources"


def test_a_next_page_still_wins_over_the_landing(client, make):
    make.user(email="membre@example.org")
    from tests.factories import PASSWORD

    response = client.post("/connexion", data={"email": "membre@example.org", "password": PASSWORD,
                                               "next": "/mes-reservations"})
    assert response.headers["Location"] == "/mes-reservations"


def test_my_places_offers_a_button_to_the_creation_form(client, auth, make):
    make.user(email="a@example.org")
    auth.login("a@example.org")
    html = client.get("/lieux/").get_data(as_text=True)
    assert "Latitude" not in html and "<form method=\"post\" action=\"/lieux/\"" not in html
    assert 'href="/lieux/nouveau"' in html and "Créer un lieu" in html
    form = client.get("/lieux/nouveau").get_data(as_text=True)
    assert 'action="/lieux/"' in form and 'name="name"' in form


def test_a_creation_error_shows_the_form_page_again(client, auth, make):
    make.user(email="a@example.org")
    auth.login("a@example.org")
    response = client.post("/lieux/", data={"name": "", "commune": "Quimper"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "<h1 id=\"create-heading\">Créer un tiers-lieu</h1>" in html and 'value="Quimper"' in html


def test_a_place_page_shows_its_website_and_a_map(client, make):
    make.fabrique(slug="fab-brest", name="Fabrique de Brest", lat=48.39, lon=-4.49, website="https://fab.example")
    html = client.get("/lieux/fab-brest").get_data(as_text=True)
    assert 'id="place-map"' in html and '"lat": 48.39' in html.replace("&#34;", '"')
    assert 'href="https://fab.example"' in html
    assert "js/catalogue.js" in html
