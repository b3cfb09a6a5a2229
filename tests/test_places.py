"""Places through the API: creation rules, listing, members."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from hub.extensions import db
from models import AuditEntry, Membership, Place

TIERS_LIEU = {
    "name": "La Ruche de Kerfeunteun",
    "kind": "tiers_lieu",
    "commune": "Quimper",
    "departement": "29",
    "territory": "urbain",
    "lat": 48.01,
    "lon": -4.1,
}
FABRIQUE = {**TIERS_LIEU, "name": "Konk Ar Lab", "kind": "fabrique", "commune": "Concarneau",
            "insee": "29039", "label_wave": "2019-07-18", "subsidy_eur": 150000,
            "legal_form": "association", "website": "https://konkarlab.bzh"}


def places_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Place))


def test_anyone_creates_a_tiers_lieu_and_becomes_its_manager(client, make, auth):
    user = make.user(email="a@example.org")
    response = client.post("/api/v1/places", json=TIERS_LIEU, headers=auth.headers("a@example.org"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["slug"] == "la-ruche-de-kerfeunteun"
    assert body["region"] == "53" and body["region_name"] == "Bretagne"
    assert body["departement"] == "29"
    role = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == user.id))
    assert role == "manager"
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.object_type == "place")) == "place.created"


def test_creating_a_place_requires_a_token(client):
    response = client.post("/api/v1/places", json=TIERS_LIEU)
    assert response.status_code == 401


@pytest.mark.parametrize("kind", ["fabrique", "fabrique_numerique"])
def test_a_user_without_role_may_not_create_a_fabrique(client, make, auth, kind):
    make.user(email="a@example.org")
    response = client.post("/api/v1/places", json={**FABRIQUE, "kind": kind},
                           headers=auth.headers("a@example.org"))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert places_count() == 0


def test_anct_labels_a_fabrique_without_becoming_its_manager(client, make, auth):
    make.user(email="anct@example.org", role="anct")
    response = client.post("/api/v1/places", json=FABRIQUE, headers=auth.headers("anct@example.org"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["kind"] == "fabrique"
    assert body["label_wave"] == "2019-07-18"
    assert body["subsidy_eur"] == 150000
    assert body["insee"] == "29039"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0


def test_departement_is_derived_from_the_insee_code_when_absent(client, make, auth):
    make.user(email="admin@example.org", role="admin")
    body = {k: v for k, v in FABRIQUE.items() if k != "departement"} | {"insee": "2A004", "commune": "Ajaccio"}
    response = client.post("/api/v1/places", json=body, headers=auth.headers("admin@example.org"))
    assert response.status_code == 201
    assert response.get_json()["departement"] == "2A"
    assert response.get_json()["region"] == "94"


def test_same_name_gets_a_numbered_slug(client, make, auth):
    make.user(email="a@example.org")
    headers = auth.headers("a@example.org")
    slugs = [client.post("/api/v1/places", json=TIERS_LIEU, headers=headers).get_json()["slug"]
             for _ in range(3)]
    assert slugs == ["la-ruche-de-kerfeunteun", "la-ruche-de-kerfeunteun-2", "la-ruche-de-kerfeunteun-3"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"departement": "99"}, "departement"),
        ({"departement": 29}, "departement"),
        ({"lat": 120}, "lat"),
        ({"lon": -181}, "lon"),
        ({"lat": "nord"}, "lat"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"kind": "chateau"}, "kind"),
        ({"territory": "montagne"}, "territory"),
        ({"insee": "75056"}, "insee"),
        ({"insee": "abc"}, "insee"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"legal_form": "sarl"}, "legal_form"),
        ({"label_wave": "2020-01-01"}, "label_wave"),
        ({"subsidy_eur": 1000}, "subsidy_eur"),
    ],
)
def test_a_bad_place_is_422_naming_the_field_and_writes_nothing(client, make, auth, change, field):
    make.user(email="a@example.org")
    response = client.post("/api/v1/places", json={**TIERS_LIEU, **change},
                           headers=auth.headers("a@example.org"))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert places_count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [({"label_wave": "18/07/2019"}, "label_wave"), ({"subsidy_eur": 10**30}, "subsidy_eur"),
     ({"subsidy_eur": -1}, "subsidy_eur")],
)
def test_a_bad_label_field_is_422(client, make, auth, change, field):
    make.user(email="anct@example.org", role="anct")
    response = client.post("/api/v1/places", json={**FABRIQUE, **change},
                           headers=auth.headers("anct@example.org"))
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert places_count() == 0


def test_a_missing_name_is_422(client, make, auth):
    make.user(email="a@example.org")
    body = {k: v for k, v in TIERS_LIEU.items() if k != "name"}
    response = client.post("/api/v1/places", json=body, headers=auth.headers("a@example.org"))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["name"]


def test_list_filters_by_kind_departement_and_territory(client, make, auth):
    make.user(email="a@example.org")
    make.fabrique(name="B Fabrique", departement="29", territory="rural")
    make.fabrique(name="A Fabrique", departement="29", territory="qpv")
    make.fabrique(name="Ailleurs", departement="30", territory="qpv")
    make.place(name="Tiers-lieu", departement="29")
    headers = auth.headers("a@example.org")
    body = client.get("/api/v1/places?kind=fabrique&departement=29", headers=headers).get_json()
    assert body["total"] == 2
    assert [p["name"] for p in body["items"]] == ["A Fabrique", "B Fabrique"]
    body = client.get("/api/v1/places?territory=qpv", headers=headers).get_json()
    assert {p["name"] for p in body["items"]} == {"A Fabrique", "Ailleurs"}
    page = client.get("/api/v1/places?per_page=1&page=2", headers=headers).get_json()
    assert page["total"] == 4 and len(page["items"]) == 1


@pytest.mark.parametrize("query", ["kind=chateau", "departement=99", "territory=lune"])
def test_list_with_an_unknown_filter_value_is_422(client, make, auth, query):
    make.user(email="a@example.org")
    response = client.get(f"/api/v1/places?{query}", headers=auth.headers("a@example.org"))
    assert response.status_code == 422


def test_get_a_place_by_slug_and_404_for_an_unknown_one(client, make, auth):
    make.user(email="a@example.org")
    make.fabrique(name="Konk Ar Lab", slug="konk-ar-lab")
    headers = auth.headers("a@example.org")
    body = client.get("/api/v1/places/konk-ar-lab", headers=headers).get_json()
    assert body["name"] == "Konk Ar Lab" and body["kind"] == "fabrique"
    for key in ("slug", "commune", "departement", "region", "territory", "lat", "lon"):
        assert key in body
    missing = client.get("/api/v1/places/nulle-part", headers=headers)
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"


# --- Members ---------------------------------------------------------------------------

def add(client, auth, actor: str, slug: str, email: str, role: str = "member"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/places/{slug}/members", json={"email": email, "role": role},
                       headers=auth.headers(actor))


def test_a_manager_adds_a_member(client, make, auth):
    manager = make.user(email="gestion@example.org")
    newcomer = make.user(email="nouvelle@example.org")
    make.place(slug="le-lieu", managers=[manager])
    response = add(client, auth, "gestion@example.org", "le-lieu", "Nouvelle@Example.org")
    assert response.status_code == 201
    assert response.get_json() == {
        "place": "le-lieu",
        "user": {"id": newcomer.id, "email": "nouvelle@example.org", "name": newcomer.name},
        "role": "member",
    }
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "membership.created" in actions


@pytest.mark.parametrize("role", ["admin", "anct"])
def test_admin_and_anct_add_a_manager_to_any_place(client, make, auth, role):
    make.user(email="chef@example.org", role=role)
    make.user(email="nouvelle@example.org")
    make.fabrique(slug="la-fabrique")
    response = add(client, auth, "chef@example.org", "la-fabrique", "nouvelle@example.org", "manager")
    assert response.status_code == 201
    assert response.get_json()["role"] == "manager"


def test_a_plain_member_may_not_add_members(client, make, auth):
    member = make.user(email="membre@example.org")
    make.user(email="nouvelle@example.org")
    make.place(slug="le-lieu", members=[member])
    response = add(client, auth, "membre@example.org", "le-lieu", "nouvelle@example.org")
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership)) == 1


def test_a_manager_of_another_place_may_not_add_members(client, make, auth):
    other = make.user(email="autre@example.org")
    make.place(slug="autre-lieu", managers=[other])
    make.place(slug="le-lieu")
    make.user(email="nouvelle@example.org")
    assert add(client, auth, "autre@example.org", "le-lieu", "nouvelle@example.org").status_code == 403


def test_adding_an_unknown_email_invites_it_with_202(client, make, auth):
    manager = make.user(email="gestion@example.org")
    make.place(slug="le-lieu", managers=[manager])
    response = add(client, auth, "gestion@example.org", "le-lieu", "inconnue@example.org")
    assert response.status_code == 202
    assert response.get_json() == {"invited": "inconnue@example.org", "role": "member"}
    malformed = add(client, auth, "gestion@example.org", "le-lieu", "pas une adresse")
    assert malformed.status_code == 422 and "email" in malformed.get_json()["error"]["fields"]


def test_adding_with_an_unknown_role_is_422(client, make, auth):
    manager = make.user(email="gestion@example.org")
    make.user(email="nouvelle@example.org")
    make.place(slug="le-lieu", managers=[manager])
    response = add(client, auth, "gestion@example.org", "le-lieu", "nouvelle@example.org", "roi")
    assert response.status_code == 422
    assert "role" in response.get_json()["error"]["fields"]


def test_adding_someone_with_the_role_they_have_is_409_and_another_role_changes_it(client, make, auth):
    manager = make.user(email="gestion@example.org")
    member = make.user(email="membre@example.org")
    make.place(slug="le-lieu", managers=[manager], members=[member])
    same = add(client, auth, "gestion@example.org", "le-lieu", "membre@example.org", "member")
    assert same.status_code == 409
    assert same.get_json()["error"]["code"] == "duplicate"
    promoted = add(client, auth, "gestion@example.org", "le-lieu", "membre@example.org", "manager")
    assert promoted.status_code == 201
    role = db.session.scalar(sa.select(Membership.role).where(Membership.user_id == member.id))
    assert role == "manager"


def test_the_last_manager_cannot_step_down(client, make, auth):
    manager = make.user(email="gestion@example.org")
    make.place(slug="le-lieu", managers=[manager])
    response = add(client, auth, "gestion@example.org", "le-lieu", "gestion@example.org", "member")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "invalid_state"


def test_adding_members_to_an_unknown_place_is_404(client, make, auth):
    make.user(email="admin@example.org", role="admin")
    assert add(client, auth, "admin@example.org", "nulle-part", "admin@example.org").status_code == 404
