"""Pages: my places, creating a tiers-lieu, labelling a fabrique, members, public pages."""
from __future__ import annotations

import sqlalchemy as sa

from hub.extensions import db
from models import Membership, Place

FORM = {
    "name": "La Ruche",
    "commune": "Quimper",
    "insee": "29232",
    "departement": "29",
    "territory": "urbain",
    "lat": "48,0",
    "lon": "-4.1",
    "description": "Un tiers-lieu associatif.",
}


def places_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Place))


def test_register_login_create_a_tiers_lieu_then_see_its_public_page(client, auth):
    client.post("/inscription", data={"name": "Claire", "email": "claire@example.org",
                                      "password": "un-mot-de-passe"})
    auth.logout()
    auth.login("claire@example.org", "un-mot-de-passe")
    page = client.get("/lieux/nouveau").get_data(as_text=True)
    assert "Créer un tiers-lieu" in page
    assert '<option value="2A"' in page
    response = client.post("/lieux/", data=FORM)
    assert response.status_code == 302
    assert response.headers["Location"] == "/lieux/la-ruche"
    public = client.get("/lieux/la-ruche").get_data(as_text=True)
    for text in ("La Ruche", "Tiers-lieu", "Quimper", "Finistère", "Bretagne", "Urbain",
                 "Un tiers-lieu associatif."):
        assert text in public
    mine = client.get("/lieux/").get_data(as_text=True)
    assert 'href="/lieux/la-ruche"' in mine and 'data-role="manager"' in mine


def test_the_public_page_is_open_to_visitors_and_lists_current_resources(client, make):
    place = make.fabrique(name="Konk Ar Lab", slug="konk-ar-lab", website="https://konkarlab.bzh")
    make.resource(place, name="Imprimante 3D")
    from models import utcnow
    make.resource(place, name="Vieille découpeuse", archived_at=utcnow())
    response = client.get("/lieux/konk-ar-lab")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Imprimante 3D" in html and "Vieille découpeuse" not in html
    assert 'href="https://konkarlab.bzh"' in html
    assert client.get("/lieux/nulle-part").status_code == 404


def test_a_form_error_keeps_typed_values_and_shows_the_error_beside_the_field(client, make, auth):
    make.user(email="a@example.org")
    auth.login("a@example.org")
    response = client.post("/lieux/", data={**FORM, "lat": "120", "departement": "99"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="La Ruche"' in html and 'value="120"' in html
    assert 'id="f-lat-error"' in html and "au plus 90" in html
    assert 'id="f-departement-error"' in html and "Département inconnu" in html
    assert places_count() == 0


def test_the_tiers_lieu_form_cannot_create_a_fabrique(client, make, auth):
    make.user(email="a@example.org")
    auth.login("a@example.org")
    client.post("/lieux/", data={**FORM, "kind": "fabrique"})
    assert db.session.scalar(sa.select(Place.kind)) == "tiers_lieu"


def test_label_page_is_for_admin_and_anct_only(client, make, auth):
    make.user(email="a@example.org")
    auth.login("a@example.org")
    assert client.get("/lieux/labelliser").status_code == 403
    assert client.post("/lieux/labelliser", data={**FORM, "kind": "fabrique"}).status_code == 403
    assert places_count() == 0


def test_anct_labels_a_fabrique_then_adds_its_manager(client, make, auth):
    make.user(email="anct@example.org", role="anct")
    manager = make.user(email="gestion@example.org", name="Gaëlle")
    auth.login("anct@example.org")
    assert client.get("/lieux/labelliser").status_code == 200
    response = client.post("/lieux/labelliser", data={
        **FORM, "name": "Konk Ar Lab", "kind": "fabrique", "commune": "Concarneau", "insee": "29039",
        "label_wave": "2019-07-18", "subsidy_eur": "150000", "legal_form": "association"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/lieux/konk-ar-lab/membres"
    response = client.post("/lieux/konk-ar-lab/membres", data={"email": "gestion@example.org", "role": "manager"})
    assert response.status_code == 302
    assert "Gaëlle" in client.get("/lieux/konk-ar-lab/membres").get_data(as_text=True)
    role = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == manager.id))
    assert role == "manager"
    home = client.get("/").get_data(as_text=True)
    assert 'href="/lieux/konk-ar-lab"' in home and "Finistère" in home


def test_members_page_is_refused_to_a_plain_member(client, make, auth):
    member = make.user(email="m@example.org")
    make.place(slug="le-lieu", members=[member])
    auth.login("m@example.org")
    assert client.get("/lieux/le-lieu/membres").status_code == 403
    assert client.post("/lieux/le-lieu/membres", data={"email": "m@example.org", "role": "manager"}).status_code == 403
    assert db.session.scalar(sa.select(Membership.role)) == "member"


def test_adding_a_malformed_email_shows_the_error_beside_the_field(client, make, auth):
    manager = make.user(email="g@example.org")
    make.place(slug="le-lieu", managers=[manager])
    auth.login("g@example.org")
    response = client.post("/lieux/le-lieu/membres", data={"email": "inconnue@example", "role": "member"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="f-email-error"' in html and 'value="inconnue@example"' in html


def test_adding_an_unknown_email_invites_it(client, make, auth):
    manager = make.user(email="g@example.org")
    make.place(slug="le-lieu", managers=[manager])
    auth.login("g@example.org")
    response = client.post("/lieux/le-lieu/membres", data={"email": "inconnue@example.org", "role": "member"},
                           follow_redirects=True)
    assert "une invitation lui est envoyée" in response.get_data(as_text=True)


def test_home_lists_fabriques_by_departement(client, make):
    make.fabrique(name="Konk Ar Lab", slug="konk-ar-lab", departement="29")
    make.fabrique(name="Les Escanaux", slug="escanaux", kind="fabrique_numerique", departement="30")
    make.place(name="Un tiers-lieu", slug="tl", departement="29")
    html = client.get("/").get_data(as_text=True)
    section = html.split('id="fabriques-by-departement"')[1]
    assert section.index("Finistère") < section.index("Konk Ar Lab") < section.index("Gard") < section.index("Les Escanaux")
    assert "Un tiers-lieu" not in section
    assert 'data-figure="fabriques_numeriques">1<' in html
