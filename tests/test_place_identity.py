"""Places' identity: the INSEE code checked against the COG and what derives from it,
address, SIRET or RNA, contact, through POST and PATCH /places; the migration's fill."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from hub import create_app
from hub.extensions import db
from hub.rules import validation
from models import Place
from models.base import UTCDateTime
from tests.test_migrations import empty_database_url  # noqa: F401  (the fixture)

VALID_SIRET = "43493312300029"  # the standard's own example
KONK = {
    "name": "Konk Ar Lab",
    "kind": "tiers_lieu",
    "insee": "29039",
    "territory": "urbain",
    "address": "12 rue de Kerandon",
    "postal_code": "29900",
    "siret": "434 933 123 00029",
    "email": "Contact@KonkArLab.bzh",
    "phone": "02 98 50 12 34",
    "website": "https://konkarlab.bzh",
}


def place_row(slug: str) -> Place:
    db.session.expire_all()
    return db.session.scalar(sa.select(Place).where(Place.slug == slug))


def places_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Place))


# --- the pure rules ------------------------------------------------------------------------

@pytest.mark.parametrize("siret", ["43493312300029", "73282932000074", "35600000049837"])
def test_a_siret_with_its_key_is_accepted(siret):
    assert validation.siret_ok(siret)


@pytest.mark.parametrize("siret", ["43493312300028", "4349331230002", "4349331230002A", "35600000049838"])
def test_a_siret_with_a_wrong_key_or_length_is_refused(siret):
    assert not validation.siret_ok(siret)


@pytest.mark.parametrize(("typed", "stored"), [
    ("01 80 05 98 80", "+33180059880"),
    ("+33 (0)1 80 05 98 80", "+33180059880"),
    ("0033.6.12.34.56.78", "+33612345678"),
    ("0590 12 34 56", "+590590123456"),
    ("0692-12-34-56", "+262692123456"),
])
def test_phone_numbers_are_written_in_international_form(typed, stored):
    assert validation.normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "06 12 34 56", "+44 20 7946 0958", "00 00 00 00 00", "0a 12 34 56 78"])
def test_what_is_no_french_phone_number_is_refused(typed):
    assert validation.normalize_phone(typed) is None


# --- POST ----------------------------------------------------------------------------------

def test_the_insee_code_brings_commune_departement_region_postal_code_and_position(client, make, auth):
    make.user(email="a@example.org")
    body = {k: v for k, v in KONK.items() if k != "postal_code"}
    response = client.post("/api/v1/places", json=body, headers=auth.headers("a@example.org"))
    assert response.status_code == 201, response.get_json()
    place = response.get_json()
    assert (place["commune"], place["departement"], place["region"]) == ("Concarneau", "29", "53")
    assert place["postal_code"] == "29900"  # Concarneau's only one
    assert (place["lat"], place["lon"]) == (47.87061, -3.91921)
    assert place["siret"] == VALID_SIRET and place["rna"] is None
    assert place["email"] == "contact@konkarlab.bzh"
    assert place["phone"] == "+33298501234"
    assert place["address"] == "12 rue de Kerandon"
    got = client.get(f"/api/v1/places/{place['slug']}", headers=auth.headers("a@example.org")).get_json()
    assert got["siret"] == VALID_SIRET and got["phone"] == "+33298501234"


def test_a_moved_pin_wins_over_the_communes_position(client, make, auth):
    make.user(email="a@example.org")
    response = client.post("/api/v1/places", json={**KONK, "lat": 47.88, "lon": -3.93},
                           headers=auth.headers("a@example.org"))
    assert (response.get_json()["lat"], response.get_json()["lon"]) == (47.88, -3.93)


def test_an_association_gives_its_rna(client, make, auth):
    make.user(email="a@example.org")
    body = {k: v for k, v in KONK.items() if k != "siret"} | {"rna": "w291234567"}
    response = client.post("/api/v1/places", json=body, headers=auth.headers("a@example.org"))
    assert response.status_code == 201
    assert response.get_json()["rna"] == "W291234567"


def test_a_commune_with_several_postal_codes_takes_one_of_them(client, make, auth):
    make.user(email="a@example.org")
    headers = auth.headers("a@example.org")
    body = {**KONK, "insee": "75056", "postal_code": "75011"}
    assert client.post("/api/v1/places", json=body, headers=headers).get_json()["postal_code"] == "75011"
    body = {**KONK, "insee": "75056", "postal_code": "69001"}
    assert client.post("/api/v1/places", json=body, headers=headers).status_code == 422


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"insee": "29999"}, "insee"),  # well formed, no such commune
        ({"insee": "98735"}, "insee"),  # Papeete: a collectivité d'outre-mer, not in the reference
        ({"insee": 29039}, "insee"),
        ({"departement": "56"}, "departement"),  # Concarneau is in the Finistère
        ({"postal_code": "29000"}, "postal_code"),  # Quimper's
        ({"postal_code": "2990"}, "postal_code"),
        ({"siret": "43493312300028"}, "siret"),  # wrong key
        ({"siret": "4349331230002"}, "siret"),
        ({"rna": "291234567"}, "rna"),  # no W
        ({"rna": "W2912345"}, "rna"),
        ({"email": "contact@"}, "email"),
        ({"phone": "12 34"}, "phone"),
        ({"address": "x" * 301}, "address"),
        ({"address": "12 rue\nde Brest"}, "address"),
        ({"insee": None, "lat": None}, "lat"),  # without a commune, a position is needed
        ({"insee": None}, "commune"),
        ({"lat": 47.9}, "lon"),  # half a position
    ],
)
def test_bad_identity_is_422_naming_the_field_and_writes_nothing(client, make, auth, change, field):
    make.user(email="a@example.org")
    response = client.post("/api/v1/places", json={**KONK, **change}, headers=auth.headers("a@example.org"))
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"], error
    assert places_count() == 0


# --- PATCH ---------------------------------------------------------------------------------

@pytest.fixture
def konk(make):  # type: ignore[no-untyped-def]
    manager = make.user(email="manager@example.org")
    member = make.user(email="member@example.org")
    make.user(email="anct@example.org", role="anct")
    make.user(email="admin@example.org", role="admin")
    make.user(email="other@example.org")
    return make.place(slug="konk", name="Konk Ar Lab", insee="29039", commune="Concarneau",
                      departement="29", lat=47.87, lon=-3.92, managers=[manager], members=[member])


def test_a_manager_completes_the_places_identity(client, auth, konk):
    response = client.patch("/api/v1/places/konk", headers=auth.headers("manager@example.org"),
                            json={"siret": VALID_SIRET, "address": "12 rue de Kerandon", "phone": "0298501234"})
    assert response.status_code == 200, response.get_json()
    place = place_row("konk")
    assert (place.siret, place.address, place.phone) == (VALID_SIRET, "12 rue de Kerandon", "+33298501234")
    assert place.name == "Konk Ar Lab" and (place.lat, place.lon) == (47.87, -3.92)  # untouched


@pytest.mark.parametrize("email", ["anct@example.org", "admin@example.org"])
def test_admin_and_anct_edit_any_place(client, auth, konk, email):
    response = client.patch("/api/v1/places/konk", headers=auth.headers(email), json={"address": "Port"})
    assert response.status_code == 200
    assert place_row("konk").address == "Port"


@pytest.mark.parametrize("email", ["member@example.org", "other@example.org"])
def test_members_and_outsiders_may_not_edit_a_place(client, auth, konk, email):
    response = client.patch("/api/v1/places/konk", headers=auth.headers(email), json={"address": "Port"})
    assert response.status_code == 403
    assert place_row("konk").address is None


def test_a_manager_may_not_change_the_label_fields(client, make, auth):
    manager = make.user(email="manager@example.org")
    make.fabrique(slug="fab", managers=[manager], subsidy_eur=1000)
    response = client.patch("/api/v1/places/fab", headers=auth.headers("manager@example.org"),
                            json={"subsidy_eur": 900000})
    assert response.status_code == 403
    assert place_row("fab").subsidy_eur == 1000


def test_a_new_insee_code_moves_the_place_to_that_commune(client, auth, konk):
    response = client.patch("/api/v1/places/konk", headers=auth.headers("manager@example.org"),
                            json={"insee": "29232"})
    assert response.status_code == 200, response.get_json()
    place = place_row("konk")
    assert (place.commune, place.insee, place.postal_code) == ("Quimper", "29232", "29000")
    assert (place.lat, place.lon) == (47.99619, -4.10203)


def test_null_clears_an_optional_field(client, auth, konk):
    headers = auth.headers("manager@example.org")
    client.patch("/api/v1/places/konk", headers=headers, json={"email": "a@konk.bzh"})
    assert client.patch("/api/v1/places/konk", headers=headers, json={"email": None}).status_code == 200
    assert place_row("konk").email is None


@pytest.mark.parametrize(
    ("change", "field"),
    [({"insee": "00000"}, "insee"), ({"postal_code": "75011"}, "postal_code"),
     ({"siret": "12345678901234"}, "siret"), ({"rna": "X123456789"}, "rna"),
     ({"phone": "0000"}, "phone"), ({"departement": "2A"}, "departement"),
     ({"name": None}, "name"), ({"kind": "fabrique"}, "kind"), ({"website": "ftp://x"}, "website")],
)
def test_a_bad_patch_is_422_and_changes_nothing(client, auth, konk, change, field):
    response = client.patch("/api/v1/places/konk", headers=auth.headers("manager@example.org"),
                            json={"address": "Port", **change})
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    place = place_row("konk")
    assert place.address is None and place.insee == "29039" and place.kind == "tiers_lieu"


def test_patching_an_unknown_place_is_404(client, auth, konk):
    response = client.patch("/api/v1/places/nope", headers=auth.headers("manager@example.org"), json={})
    assert response.status_code == 404


# --- the migration -------------------------------------------------------------------------

def test_the_migration_fills_existing_places_from_their_insee_code(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "TESTING": True})
    with app.app_context():
        upgrade(revision="8576a5da5b48")
        # The table as that revision had it, written with Core as data already in place.
        before = sa.table("places", *(sa.column(name) for name in (
            "slug", "name", "kind", "commune", "insee", "departement", "region", "territory",
            "lat", "lon", "description")), sa.column("created_at", UTCDateTime()))
        with db.engine.begin() as conn:
            conn.execute(before.insert(), [
                {"slug": slug, "name": slug, "kind": "tiers_lieu", "commune": commune, "insee": insee,
                 "departement": dep, "region": "00", "territory": "urbain", "lat": 47.0, "lon": -3.0,
                 "description": "", "created_at": datetime(2024, 1, 1, tzinfo=timezone.utc)}
                for slug, insee, commune, dep in (("a", "29039", "concarneau", "29"),
                                                  ("b", "75056", "Paris", "75"), ("c", None, "Ailleurs", "29"))
            ])
        upgrade()
        with db.engine.connect() as conn:
            rows = {row.slug: row for row in conn.execute(sa.text(
                "SELECT slug, commune, region, postal_code, updated_at FROM places"))}
        db.engine.dispose()
    assert (rows["a"].commune, rows["a"].region, rows["a"].postal_code) == ("Concarneau", "53", "29900")
    assert (rows["b"].region, rows["b"].postal_code) == ("11", None)  # 21 postal codes: none chosen
    assert (rows["c"].commune, rows["c"].region) == ("Ailleurs", "00")
    assert all(row.updated_at for row in rows.values())


# --- the pages -----------------------------------------------------------------------------

def test_the_creation_form_needs_only_the_insee_code_for_commune_and_position(client, make, auth):
    make.user(email="a@example.org")
    auth.login("a@example.org")
    form = {"name": "La Ruche", "commune": "quimper", "insee": "29232", "territory": "urbain",
            "siret": "434 933 123 00029", "address": "3 place Saint-Corentin", "phone": "02 98 00 00 00"}
    response = client.post("/lieux/", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    place = place_row("la-ruche")
    assert (place.commune, place.departement, place.postal_code) == ("Quimper", "29", "29000")
    assert (place.lat, place.lon) == (47.99619, -4.10203)
    page = client.get("/lieux/la-ruche").get_data(as_text=True)
    assert "3 place Saint-Corentin" in page and "29000 Quimper" in page
    assert "02 98 00 00 00" in page and 'href="tel:+33298000000"' in page


def test_the_form_carries_the_commune_picker_without_inline_script(client, make, auth):
    make.user(email="a@example.org")
    auth.login("a@example.org")
    page = client.get("/lieux/nouveau").get_data(as_text=True)
    assert 'data-communes-url="/communes"' in page and 'role="combobox"' in page
    assert "js/place-form.js" in page and "vendor/leaflet/leaflet.js" in page
    assert "<script>" not in page


def test_a_manager_completes_the_place_on_its_edit_page(client, auth, konk):
    auth.login("manager@example.org")
    assert "Modifier le lieu" in client.get("/lieux/konk").get_data(as_text=True)
    form = {"name": "Konk Ar Lab", "commune": "Concarneau", "insee": "29039", "departement": "29",
            "territory": "urbain", "lat": "47.87", "lon": "-3.92", "address": "12 rue de Kerandon",
            "postal_code": "29900", "rna": "W291234567"}
    response = client.post("/lieux/konk/modifier", data=form)
    assert response.status_code == 302
    place = place_row("konk")
    assert (place.address, place.postal_code, place.rna) == ("12 rue de Kerandon", "29900", "W291234567")


def test_a_bad_field_on_the_edit_page_is_shown_in_french_and_changes_nothing(client, auth, konk):
    auth.login("manager@example.org")
    form = {"name": "Konk Ar Lab", "insee": "29039", "territory": "urbain", "address": "Port",
            "siret": "43493312300028", "postal_code": "29000"}
    response = client.post("/lieux/konk/modifier", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "sa clé de contrôle ne correspond pas" in page
    assert "Ce code postal n&#39;est pas celui de Concarneau" in page
    assert place_row("konk").address is None


def test_a_member_may_not_open_the_edit_page(client, auth, konk):
    auth.login("member@example.org")
    assert client.get("/lieux/konk/modifier").status_code == 403
    assert "Modifier le lieu" not in client.get("/lieux/konk").get_data(as_text=True)
