"""Open data: the places in the "Lieux de médiation numérique" standard (validated with
frictionless against the schema 1.0.2), the served flows, and the page about them."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from frictionless import Resource, Schema, validate

from hub.services import opendata

SCHEMA_FILE = Path(opendata.SCHEMA_PATH)
SIRET = "43493312300029"
LONG_TEXT = "Atelier de fabrication numérique ouvert à tous. " * 10


@pytest.fixture
def app_config():  # type: ignore[no-untyped-def]
    return {"PUBLIC_URL": "https://maillage.example.fr"}


@pytest.fixture
def network(make):  # type: ignore[no-untyped-def]
    fab = make.fabrique(slug="konk", name="Konk Ar Lab", insee="29039", commune="Concarneau",
                        siret=SIRET, address="12 rue de Kerandon", postal_code="29900",
                        phone="+33298501234", email="contact@konk.bzh", website="https://konk.bzh",
                        description=LONG_TEXT)
    ruche = make.place(slug="ruche", name="La Ruche", insee="29232", commune="Quimper",
                       rna="W291234567", address="3 place Saint-Corentin", postal_code="29000",
                       description="Tiers-lieu associatif.")
    make.place(slug="sans-pivot", address="1 rue", postal_code="29000")
    make.place(slug="sans-adresse", siret=SIRET)
    make.place(slug="rien")
    return fab, ruche


def schema() -> Schema:
    return Schema.from_descriptor(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def errors_of(report) -> list:  # type: ignore[no-untyped-def]
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_vendored_schema_is_the_standards_1_0_2():
    assert opendata.schema()["version"] == "v1.0.2"
    assert opendata.columns()[:3] == ("id", "pivot", "nom") and len(opendata.columns()) == 32


def test_the_csv_is_valid_against_the_schema_with_every_column_in_order(client, network, tmp_path):
    response = client.get("/opendata/lieux-mediation-numerique.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    (tmp_path / "lieux.csv").write_bytes(response.data)
    report = validate(Resource(path="lieux.csv", basepath=str(tmp_path), schema=schema()))
    assert report.valid, errors_of(report)
    assert report.tasks[0].stats["rows"] == 2
    header = next(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert header == [field["name"] for field in opendata.schema()["fields"]]


def test_the_json_holds_the_same_rows_as_objects_and_is_valid(client, network):
    rows = client.get("/opendata/lieux-mediation-numerique.json").get_json()
    report = validate(Resource(data=rows, schema=schema()))
    assert report.valid, errors_of(report)
    assert report.tasks[0].stats["rows"] == 2
    assert list(rows[0]) == list(opendata.columns())
    text = client.get("/opendata/lieux-mediation-numerique.csv").get_data(as_text=True)
    from_csv = list(csv.DictReader(io.StringIO(text)))
    assert [r["id"] for r in from_csv] == [r["id"] for r in rows] == ["maillage-konk", "maillage-ruche"]


def test_a_name_a_spreadsheet_would_run_as_a_formula_stays_text_in_the_csv_only(client, make, network, tmp_path):
    make.place(slug="piege", name='=HYPERLINK("https://evil.example","Cliquez")', siret=SIRET,
               address="1 rue", postal_code="29000", phone="+33298501235")
    text = client.get("/opendata/lieux-mediation-numerique.csv").get_data(as_text=True)
    [row] = [r for r in csv.DictReader(io.StringIO(text)) if r["id"] == "maillage-piege"]
    assert row["nom"] == '\'=HYPERLINK("https://evil.example","Cliquez")'
    assert row["telephone"] == "+33298501235"
    (tmp_path / "lieux.csv").write_text(text, encoding="utf-8")
    assert validate(Resource(path="lieux.csv", basepath=str(tmp_path), schema=schema())).valid
    rows = client.get("/opendata/lieux-mediation-numerique.json").get_json()
    assert [r["nom"] for r in rows if r["id"] == "maillage-piege"] == ['=HYPERLINK("https://evil.example","Cliquez")']


def test_only_places_with_a_pivot_and_an_address_are_published(client, network):
    rows = client.get("/opendata/lieux-mediation-numerique.json").get_json()
    konk, ruche = rows
    assert konk["pivot"] == SIRET and ruche["pivot"] == "W291234567"
    assert (konk["typologie"], konk["formations_labels"]) == ("FABRIQUE", "Fabriques de Territoire")
    assert (ruche["typologie"], ruche["formations_labels"]) == ("TIERS_LIEUX", None)
    assert konk["source"] == "Maillage"
    assert konk["prise_rdv"] == "https://maillage.example.fr/lieux/konk"
    assert (konk["code_insee"], konk["code_postal"], konk["commune"]) == ("29039", "29900", "Concarneau")
    assert konk["telephone"] == "+33298501234" and ruche["telephone"] is None
    assert len(konk["presentation_resume"]) <= 280 and konk["presentation_detail"] == LONG_TEXT
    assert ruche["presentation_resume"] == "Tiers-lieu associatif." and ruche["presentation_detail"] is None


def test_the_files_follow_a_change_at_once(client, make, auth, network):
    manager = make.user(email="m@example.org")
    make.place(slug="nouveau", name="Nouveau lieu", managers=[manager])
    assert len(client.get("/opendata/lieux-mediation-numerique.json").get_json()) == 2
    client.patch("/api/v1/places/nouveau", headers=auth.headers("m@example.org"),
                 json={"siret": SIRET, "address": "2 quai", "postal_code": "29900"})
    ids = [r["id"] for r in client.get("/opendata/lieux-mediation-numerique.json").get_json()]
    assert "maillage-nouveau" in ids


def test_the_page_says_how_many_places_are_left_out_and_why(client, network):
    response = client.get("/opendata/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-figure="published">2<' in page
    assert 'data-figure="left_out">3<' in page
    assert 'data-figure="without_pivot">2<' in page  # sans-pivot, rien
    assert 'data-figure="without_address">2<' in page  # sans-adresse, rien
    assert "Licence Ouverte 2.0" in page and "v1.0.2" in page


def at(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


def test_flux_has_one_row_per_year_host_and_served_place_from_confirmed_bookings(client, make, network):
    fab, ruche = network
    other = make.place(slug="autre", name="Autre lieu", insee="29039")
    machine = make.resource(fab, capacity=5)
    make.booking(machine, ruche, start=at(2024, 3, 1), quantity=2, beneficiaries=6)
    make.booking(machine, ruche, start=at(2024, 5, 1), end_at=at(2024, 5, 1, 13), beneficiaries=4)
    make.booking(machine, ruche, start=at(2025, 2, 1))
    make.booking(machine, other, start=at(2025, 2, 2), status="pending")
    make.booking(machine, other, start=at(2025, 2, 3), status="cancelled")
    make.booking(machine, fab, start=at(2025, 2, 4))  # its own resource: no flow
    make.booking(machine, other, start=at(2025, 2, 5), attended=False)  # a no-show serves nobody
    # 23:30 UTC on 31 December is already the next year in Paris.
    make.booking(machine, other, start=datetime(2024, 12, 31, 23, 30, tzinfo=timezone.utc))
    response = client.get("/opendata/flux.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [
        ["annee", "hote", "hote_code_insee", "servi", "servi_code_insee", "reservations", "beneficiaires", "heures"],
        ["2024", "Konk Ar Lab", "29039", "La Ruche", "29232", "2", "10", "5.0"],
        ["2025", "Konk Ar Lab", "29039", "Autre lieu", "29039", "1", "1", "2.0"],
        ["2025", "Konk Ar Lab", "29039", "La Ruche", "29232", "1", "1", "2.0"],
    ]


def test_flux_without_bookings_is_just_its_header(client):
    assert client.get("/opendata/flux.csv").get_data(as_text=True).strip() == \
        "annee,hote,hote_code_insee,servi,servi_code_insee,reservations,beneficiaires,heures"
