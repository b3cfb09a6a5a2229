"""Yearly reports: a place's and the network's, as JSON, CSV and PDF; the page and the CLI."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

Y = 2025
T0 = datetime(Y, 3, 4, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def net(make):  # type: ignore[no-untyped-def]
    anct = make.user(email="anct@example.org", role="anct")
    manager = make.user(email="manager@example.org")
    other_manager = make.user(email="other@example.org")
    hub = make.fabrique(slug="port", name="Fabrique du Port", managers=[manager])
    other = make.fabrique(slug="monts", name="Fabrique des Monts", departement="69",
                          managers=[other_manager])
    a = make.place(slug="alpha", name="Tiers-lieu Alpha", territory="qpv")
    b = make.place(slug="beta", name="Tiers-lieu Bêta", departement="56", territory="rural")
    machine = make.resource(hub, kind="machine")
    incubator = make.resource(hub, kind="incubation", capacity=5)
    training = make.resource(hub, kind="training", capacity=10)
    session = make.session(training, start=T0 + timedelta(days=60), seats=10)
    make.booking(machine, a, start=T0, beneficiaries=6)
    make.booking(machine, b, start=T0 + timedelta(days=1), beneficiaries=2)
    # 1 June 0:30 in Paris is June (31 May 22:30 UTC, summer time).
    make.booking(machine, b, start=datetime(Y, 5, 31, 22, 30, tzinfo=timezone.utc), beneficiaries=1)
    # 31 December 23:30 in Paris is still the year (22:30 UTC).
    make.booking(machine, a, start=datetime(Y, 12, 31, 22, 30, tzinfo=timezone.utc),
                 end_at=datetime(Y, 12, 31, 22, 45, tzinfo=timezone.utc), beneficiaries=1)
    make.booking(incubator, b, start=T0 + timedelta(days=30), end_at=T0 + timedelta(days=30, hours=8),
                 beneficiaries=3)
    make.booking(training, a, session=session, start=session.start_at, end_at=session.end_at,
                 quantity=4, beneficiaries=4, attended=True)
    # Not the year: the year before (alpha is then not served for the first time), and
    # 1 January 0:30 of the next year in Paris (23:30 UTC on 31 December).
    make.booking(machine, a, start=datetime(Y - 1, 6, 1, 9, tzinfo=timezone.utc), beneficiaries=5)
    make.booking(machine, b, start=datetime(Y, 12, 31, 23, 30, tzinfo=timezone.utc),
                 end_at=datetime(Y + 1, 1, 1, 0, 30, tzinfo=timezone.utc), beneficiaries=9)
    # Not counted: internal use, a pending request.
    make.booking(machine, hub, start=T0 + timedelta(days=5), beneficiaries=50)
    make.booking(machine, b, start=T0 + timedelta(days=6), beneficiaries=50, status="pending")
    # The port books the monts' machine once.
    make.booking(make.resource(other), hub, start=T0 + timedelta(days=3), beneficiaries=7)
    return {"anct": anct, "manager": manager, "other": other_manager}


def _get(client, make, user, path):  # type: ignore[no-untyped-def]
    return client.get(path, headers=make.api_headers(user))


def test_place_report_equals_the_network_hubs_figures_of_its_year(client, make, net):
    report = _get(client, make, net["manager"], f"/api/v1/places/port/report?year={Y}")
    assert report.status_code == 200, report.get_json()
    body = report.get_json()
    hubs = _get(client, make, net["anct"],
                f"/api/v1/network/hubs?from={Y}-01-01&to={Y + 1}-01-01").get_json()["items"]
    hub = next(h for h in hubs if h["slug"] == "port")
    host = body["host"]
    for key in ("bookings", "beneficiaries", "hours", "places_served", "multiplier"):
        assert host[key] == hub[key], key
    assert (host["bookings"], host["beneficiaries"]) == (6, 17)
    # Breakdowns split the same bookings: they add up to the totals.
    for split in (host["by_kind"].values(), host["by_territory"].values(), host["monthly"]):
        rows = list(split)
        assert sum(r["bookings"] for r in rows) == host["bookings"]
        assert sum(r["beneficiaries"] for r in rows) == host["beneficiaries"]
        assert sum(r["hours"] for r in rows) == pytest.approx(host["hours"])
    assert [m["month"] for m in host["monthly"]] == [f"{Y}-{m:02d}" for m in range(1, 13)]
    assert host["monthly"][11]["beneficiaries"] == 1
    assert (host["monthly"][4]["bookings"], host["monthly"][5]["bookings"]) == (1, 1)
    incubation = host["by_kind"]["incubation"]
    assert (incubation["bookings"], incubation["beneficiaries"]) == (1, 3)
    # Incubation is counted apart from hours of use (the trust rules), as in /network/hubs.
    assert incubation["hours"] == 0
    assert host["incubation_hours"] == pytest.approx(8.0) == hub["incubation_hours"]
    assert host["incubations"] == 1
    assert host["trainings"] == {"sessions": 1, "seats": 10, "attended": 4}
    assert host["people_trained"] == 4
    assert host["by_territory"]["qpv"]["places_served"] == 1
    assert host["places_served_first_time"] == 1  # beta; alpha was served the year before
    assert body["booker"] == {"bookings": 1, "beneficiaries": 7, "hours": pytest.approx(2.0),
                              "hubs_used": 1}
    assert body["place"]["slug"] == "port" and body["year"] == Y


def test_network_report_sums_regions_to_the_national_totals(client, make, net):
    body = _get(client, make, net["anct"], f"/api/v1/network/report?year={Y}").get_json()
    summary = _get(client, make, net["anct"],
                   f"/api/v1/network/summary?from={Y}-01-01&to={Y + 1}-01-01").get_json()["totals"]
    national = body["national"]
    for key in ("bookings", "beneficiaries", "hours", "hubs", "places_served"):
        assert national[key] == summary[key], key
    assert national["bookings"] == 7
    regions = {r["code"]: r for r in body["regions"]}
    assert len(regions) == 18
    assert regions["53"]["name"] == "Bretagne" and regions["53"]["bookings"] == 6
    assert regions["84"]["name"] == "Auvergne-Rhône-Alpes" and regions["84"]["bookings"] == 1
    assert sum(r["bookings"] for r in body["regions"]) == national["bookings"]
    assert national["people_trained"] == 4 and national["incubations"] == 1


@pytest.mark.parametrize("year", ["2018", "abc", "", "20255", str(datetime.now().year + 2), "2025.0"])
def test_a_year_out_of_range_is_refused_on_its_field(client, make, net, year):
    for path in (f"/api/v1/places/port/report?year={year}", f"/api/v1/network/report?year={year}",
                 f"/api/v1/places/port/report.pdf?year={year}"):
        response = _get(client, make, net["anct"], path)
        assert response.status_code == 422
        assert "year" in response.get_json()["error"]["fields"]


def test_reports_are_for_the_place_managers_and_the_network_readers(client, make, net):
    assert _get(client, make, net["other"], f"/api/v1/places/port/report?year={Y}").status_code == 403
    assert _get(client, make, net["manager"], f"/api/v1/network/report?year={Y}").status_code == 403
    assert _get(client, make, net["anct"], f"/api/v1/places/nowhere/report?year={Y}").status_code == 404
    assert client.get(f"/api/v1/places/port/report?year={Y}").status_code == 401


def test_report_csv_has_french_headers_labels_and_codes_apart(client, make, net):
    response = _get(client, make, net["manager"], f"/api/v1/places/port/report.csv?year={Y}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert list(rows[0]) == ["Rubrique", "Indicateur", "Détail", "Valeur", "Code rubrique",
                             "Code indicateur", "Code détail"]
    cells = {(r["Code rubrique"], r["Code indicateur"], r["Code détail"]): r for r in rows}
    assert cells[("host", "beneficiaries", "")]["Valeur"] == "17"
    assert cells[("host", "beneficiaries", "")]["Indicateur"] == "Bénéficiaires"
    december = cells[("host.monthly", "beneficiaries", f"{Y}-12")]
    assert december["Détail"] == f"décembre {Y}" and december["Valeur"] == "1"
    assert cells[("host.by_territory", "bookings", "qpv")]["Détail"] == "Quartier prioritaire (QPV)"


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_place_report_pdf_carries_the_figures_and_charts(client, make, net):
    body = _get(client, make, net["manager"], f"/api/v1/places/port/report?year={Y}").get_json()
    response = _get(client, make, net["manager"], f"/api/v1/places/port/report.pdf?year={Y}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4 portrait, in points
    text = _pdf_text(data)
    assert f"Rapport d'activité {Y} — Fabrique du Port" in text
    assert "Bénéficiaires" in text and str(body["host"]["beneficiaries"]) in text
    assert "Lieux servis pour la première fois" in text and "Personnes formées" in text
    assert f"mars {Y}" in text and "Quartier prioritaire (QPV)" in text
    assert "Annexe : méthode" in text and "Tiers-lieu Bêta" in text
    fonts = {str(f) for page in reader.pages for f in (page["/Resources"].get("/Font") or {}).values()
             for f in [f.get_object()["/BaseFont"]]}
    assert any("Marianne" in f for f in fonts)


def test_network_report_pdf_names_the_regions(client, make, net):
    response = _get(client, make, net["anct"], f"/api/v1/network/report.pdf?year={Y}")
    assert response.status_code == 200
    text = _pdf_text(response.get_data())
    assert "Auvergne-Rhône-Alpes" in text and "Bretagne" in text
    assert "Personnes formées" in text


def test_annual_report_page_offers_the_managers_place_and_its_downloads(client, auth, net):
    auth.login("manager@example.org")
    html = client.get(f"/rapports?annee={Y}").get_data(as_text=True)
    assert "Rapport annuel" in html and "Fabrique du Port" in html
    assert f'/rapports/lieux/port/{Y}.pdf' in html and f'/rapports/lieux/port/{Y}.csv' in html
    assert 'data-figure="beneficiaries">17' in html
    assert "Le réseau national" not in html
    response = client.get(f"/rapports/lieux/port/{Y}.pdf")
    assert response.status_code == 200 and response.get_data().startswith(b"%PDF")
    assert client.get(f"/rapports/lieux/monts/{Y}.pdf").status_code == 403
    assert client.get(f"/rapports/reseau/{Y}.pdf").status_code == 403


def test_annual_report_page_shows_the_network_to_anct_and_any_fabrique(client, auth, net):
    auth.login("anct@example.org")
    html = client.get(f"/rapports?annee={Y}").get_data(as_text=True)
    assert "Le réseau national" in html and "Auvergne-Rhône-Alpes" in html
    assert f"/rapports/reseau/{Y}.pdf" in html
    assert '<option value="monts">Fabrique des Monts</option>' in html
    html = client.get(f"/rapports?annee={Y}&lieu=monts").get_data(as_text=True)
    assert f"/rapports/lieux/monts/{Y}.pdf" in html


def test_annual_report_page_explains_a_bad_year(client, auth, net):
    auth.login("manager@example.org")
    response = client.get("/rapports?annee=1999")
    assert response.status_code == 200
    assert "Indiquez une année entre 2019" in response.get_data(as_text=True)


def test_reports_command_writes_every_fabrique_and_the_network(runner, net, tmp_path):
    result = runner.invoke(args=["reports", "--year", str(Y), "--out", str(tmp_path), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"rapport-monts-{Y}.pdf", f"rapport-port-{Y}.pdf", f"rapport-reseau-{Y}.pdf"]
    assert "Fabrique des Monts" in _pdf_text((tmp_path / f"rapport-monts-{Y}.pdf").read_bytes())
    bad = runner.invoke(args=["reports", "--year", "1990", "--out", str(tmp_path)])
    assert bad.exit_code == 1 and "année" in bad.output


def test_reports_command_limit_writes_the_first_fabriques_by_name_and_the_network(runner, net, tmp_path):
    result = runner.invoke(args=["reports", "--year", str(Y), "--out", str(tmp_path), "--jobs", "1",
                                 "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"rapport-monts-{Y}.pdf", f"rapport-reseau-{Y}.pdf"]
    assert "1 rapport de fabrique et celui du réseau écrits" in result.output
