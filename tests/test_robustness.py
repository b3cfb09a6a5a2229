"""What a client sends never makes a 500: odd numbers, deep or broken JSON, dates at the
edge of the calendar, control characters, oversized bodies (issue 16)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from hub.extensions import db
from models import Booking, Closure, Place, TrainingSession

HUGE = str(2**63)  # one past the largest 64-bit integer
OVERFLOWING_DATES = ["0001-01-01T00:00", "9999-12-31T23:00:00-14:00"]


@pytest.fixture
def hub(make):  # type: ignore[no-untyped-def]
    manager, member = make.user(), make.user()
    fabrique = make.fabrique(managers=[manager])
    tiers_lieu = make.place(members=[member])
    machine = make.resource(fabrique, kind="machine")
    training = make.resource(fabrique, kind="training", capacity=5)
    return {
        "manager": make.api_headers(manager), "member": make.api_headers(member),
        "member_user": member, "tiers_lieu": tiers_lieu.slug,
        "machine": machine.id, "training": training.id,
    }


def _invalid(response, field: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]


def _bad_request(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert error["message"]


# ---------------------------------------------------------------- pagination


@pytest.mark.parametrize("path", ["/api/v1/places", "/api/v1/resources", "/api/v1/bookings"])
def test_a_page_beyond_64_bits_is_a_422_naming_page(client, hub, path):
    _invalid(client.get(f"{path}?page={HUGE}", headers=hub["manager"]), "page")


@pytest.mark.parametrize("query, field", [
    ("page=0", "page"), ("page=-528", "page"), ("per_page=-7364", "per_page"),
    ("per_page=501", "per_page"), ("per_page=abc", "per_page"),
])
def test_page_limits_outside_the_contract_are_refused_not_clamped(client, hub, query, field):
    _invalid(client.get(f"/api/v1/places?{query}", headers=hub["manager"]), field)


def test_pages_within_the_limits_still_list(client, hub):
    response = client.get("/api/v1/places?page=1&per_page=500", headers=hub["manager"])
    assert response.status_code == 200
    assert response.get_json()["total"] == 2


# ---------------------------------------------------------------- JSON bodies


def test_deeply_nested_json_on_an_unauthenticated_post_is_a_400(client, hub):
    response = client.post("/api/v1/accounts", data="[" * 1000 + "]" * 1000,
                           content_type="application/json")
    _bad_request(response)


def test_deeply_nested_json_in_a_booking_is_a_400_and_books_nothing(client, hub):
    body = '{"place": "%s", "note": %s}' % (hub["tiers_lieu"], "[" * 1000 + "]" * 1000)
    response = client.post(f"/api/v1/resources/{hub['machine']}/bookings", data=body,
                           content_type="application/json", headers=hub["member"])
    _bad_request(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_brackets_inside_strings_do_not_count_as_nesting(client, hub):
    response = client.post("/api/v1/places", headers=hub["member"], json={
        "name": "[" * 100 + "{" * 100, "kind": "tiers_lieu", "commune": "Brest",
        "departement": "29", "territory": "urbain", "lat": 48.39, "lon": -4.49,
    })
    assert response.status_code == 201, response.get_json()


def test_a_lone_surrogate_is_a_400_and_creates_nothing(client, hub):
    body = ('{"name": "Lieu \\ud800", "kind": "tiers_lieu", "commune": "Brest", '
            '"departement": "29", "territory": "urbain", "lat": 48.39, "lon": -4.49}')
    response = client.post("/api/v1/places", data=body, content_type="application/json",
                           headers=hub["member"])
    _bad_request(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Place)) == 2


def test_a_body_that_is_not_utf8_is_a_400(client, hub):
    response = client.post("/api/v1/accounts", data='{"name": "Lé"}'.encode("latin-1"),
                           content_type="application/json")
    _bad_request(response)


# ---------------------------------------------------------------- dates


def _future(days: int = 3) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).isoformat()


@pytest.mark.parametrize("value", OVERFLOWING_DATES)
@pytest.mark.parametrize("field", ["start", "end"])
def test_an_overflowing_date_on_a_booking_is_a_422_on_the_field(client, hub, value, field):
    body = {"place": hub["tiers_lieu"], "start": _future(), "end": _future(4)} | {field: value}
    response = client.post(f"/api/v1/resources/{hub['machine']}/bookings", json=body,
                           headers=hub["member"])
    _invalid(response, field)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


@pytest.mark.parametrize("value", OVERFLOWING_DATES)
def test_an_overflowing_date_on_a_session_is_a_422_on_the_field(client, hub, value):
    response = client.post(f"/api/v1/resources/{hub['training']}/sessions",
                           json={"start": value, "end": _future()}, headers=hub["manager"])
    _invalid(response, "start")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingSession)) == 0


@pytest.mark.parametrize("value", OVERFLOWING_DATES)
def test_an_overflowing_date_on_a_closure_is_a_422_on_the_field(client, hub, value):
    response = client.post(f"/api/v1/resources/{hub['machine']}/closures",
                           json={"start": _future(), "end": value}, headers=hub["manager"])
    _invalid(response, "end")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Closure)) == 0


@pytest.mark.parametrize("value", OVERFLOWING_DATES)
@pytest.mark.parametrize("field", ["from", "to"])
def test_an_overflowing_date_on_availability_is_a_422_on_the_field(client, hub, value, field):
    response = client.get(f"/api/v1/resources/{hub['machine']}/availability",
                          query_string={field: value}, headers=hub["member"])
    _invalid(response, field)


def test_the_last_day_of_the_bounds_still_answers(client, hub):
    response = client.get(f"/api/v1/resources/{hub['machine']}/availability",
                          query_string={"from": "2100-12-31T23:59:59+00:00"}, headers=hub["member"])
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("value", OVERFLOWING_DATES)
def test_an_overflowing_date_on_the_booking_form_is_a_french_error_beside_the_field(
        client, auth, make, value):
    member = make.user()
    tiers_lieu = make.place(members=[member])
    machine = make.resource(make.fabrique(), kind="machine")
    auth.login(member.email)
    response = client.post(f"/ressources/{machine.id}/reserver", data={
        "place": tiers_lieu.slug, "start": value, "end": _future(),
    })
    assert response.status_code == 422
    assert "L&#39;année doit être comprise entre 1900 et 2100." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


# ---------------------------------------------------------------- sizes and methods


def test_a_body_over_the_size_limit_is_a_413_in_the_contract_shape(client, app):
    body = b'{"name": "' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"}'
    response = client.post("/api/v1/accounts", data=body, content_type="application/json")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "too_large"
    assert error["message"] == "La requête est trop volumineuse."


def test_a_form_over_the_size_limit_is_a_french_page(client, app):
    response = client.post("/connexion", data={"email": "x" * app.config["MAX_CONTENT_LENGTH"]})
    assert response.status_code == 413
    assert "Requête trop volumineuse" in response.get_data(as_text=True)


def test_a_405_on_the_api_says_which_methods_are_allowed(client):
    response = client.delete("/api/v1/openapi.json")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD", "OPTIONS"}


def test_a_405_on_a_page_says_which_methods_are_allowed(client):
    response = client.put("/connexion")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"].split(", ")


# ---------------------------------------------------------------- control characters


def test_a_place_name_starting_with_nul_is_a_422_naming_name(client, hub):
    response = client.post("/api/v1/places", headers=hub["member"], json={
        "name": "\x00Lieu", "kind": "tiers_lieu", "commune": "Brest",
        "departement": "29", "territory": "urbain", "lat": 48.39, "lon": -4.49,
    })
    _invalid(response, "name")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Place)) == 2


@pytest.mark.parametrize("name", ["Lieu\x07", "Lieu\u0085b", "Li\neu"])
def test_control_characters_in_a_one_line_field_are_refused(client, hub, name):
    response = client.post("/api/v1/places", headers=hub["member"], json={
        "name": name, "kind": "tiers_lieu", "commune": "Brest",
        "departement": "29", "territory": "urbain", "lat": 48.39, "lon": -4.49,
    })
    _invalid(response, "name")


def test_a_multi_line_description_keeps_its_newlines_and_tabs(client, hub):
    response = client.post("/api/v1/places", headers=hub["member"], json={
        "name": "Lieu", "kind": "tiers_lieu", "commune": "Brest", "departement": "29",
        "territory": "urbain", "lat": 48.39, "lon": -4.49,
        "description": "Ligne 1\r\n\tLigne 2",
    })
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["description"] == "Ligne 1\r\n\tLigne 2"


# ---------------------------------------------------------------- ids


BEYOND_32_BITS = 2**31  # ids are INTEGER columns: PostgreSQL refuses to compare with this


@pytest.mark.parametrize("path", [
    f"/api/v1/resources/{BEYOND_32_BITS}", f"/api/v1/bookings/{BEYOND_32_BITS}",
    f"/api/v1/resources/{BEYOND_32_BITS}/availability", "/api/v1/resources/0",
])
def test_an_id_no_row_can_have_is_a_404(client, hub, path):
    response = client.get(path, headers=hub["manager"])
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_resource_filter_beyond_32_bits_is_a_422(client, hub):
    _invalid(client.get(f"/api/v1/bookings?resource={BEYOND_32_BITS}", headers=hub["manager"]), "resource")


def test_a_session_id_beyond_32_bits_is_a_422(client, hub):
    response = client.post(f"/api/v1/resources/{hub['training']}/bookings", headers=hub["member"],
                           json={"place": hub["tiers_lieu"], "session": BEYOND_32_BITS})
    _invalid(response, "session")


def test_removing_a_closure_beyond_32_bits_on_the_page_is_a_404(client, auth, make):
    manager = make.user()
    make.fabrique(managers=[manager])
    auth.login(manager.email)
    assert client.post(f"/gestion/fermetures/{BEYOND_32_BITS}/supprimer").status_code == 404
