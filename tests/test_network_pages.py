"""The ANCT dashboard pages (/reseau) and a fabrique's own figures."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def net(make):  # type: ignore[no-untyped-def]
    make.user(email="anct@example.org", role="anct")
    member = make.user(email="member@example.org")
    manager = make.user(email="manager@example.org")
    hub = make.fabrique(slug="h", name="Fabrique du Port", managers=[manager])
    other = make.fabrique(slug="g", name="Fabrique des Monts", departement="56")
    a = make.place(slug="a", name="Tiers-lieu Alpha", territory="qpv", members=[member])
    b = make.place(slug="b", name="Tiers-lieu Bêta", departement="56", territory="rural")
    machine = make.resource(hub)
    make.booking(machine, a, start=T0, beneficiaries=6)
    make.booking(machine, b, start=T0 + timedelta(days=1), beneficiaries=2)
    make.booking(make.resource(other), b, start=T0, beneficiaries=3)
    return {"hub": hub}


PAGES = ["/reseau", "/reseau/lieux", "/reseau/departements", "/reseau/region?region=53",
         "/reseau/structure"]


@pytest.mark.parametrize("path", PAGES)
def test_dashboard_pages_render_for_anct(client, auth, net, path):
    auth.login("anct@example.org")
    response = client.get(path)
    assert response.status_code == 200
    assert 'id="period-form"' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", PAGES)
def test_dashboard_pages_refused_to_members(client, auth, net, path):
    auth.login("member@example.org")
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in html
    assert 'id="period-form"' not in html and "Fabrique du Port" not in html


def test_dashboard_sends_anonymous_visitors_to_log_in(client, net):
    response = client.get("/reseau")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_dashboard_shows_key_figures_map_and_live_feed(client, auth, net):
    auth.login("anct@example.org")
    html = client.get("/reseau").get_data(as_text=True)
    assert '<ul id="activity-feed" data-live-feed></ul>' in html
    assert 'id="network-map"' in html
    assert 'data-figure="beneficiaries">11<' in html
    assert "vendor/leaflet/leaflet.js" in html and "vendor/chartjs/chart.umd.min.js" in html


def test_ranking_lists_hubs_with_their_components(client, auth, net):
    auth.login("anct@example.org")
    html = client.get("/reseau/lieux").get_data(as_text=True)
    assert "Fabrique du Port" in html and "Fabrique des Monts" in html
    for header in ("Effet multiplicateur (M)", "Portée effective (N)", "Inclusion (Q)",
                   "Rayonnement (D)", "Décloisonnement (P)", "Distance médiane (km)"):
        assert header in html
    assert html.index("Fabrique du Port") < html.index("Fabrique des Monts")


def test_region_page_carries_the_graph_elements(client, auth, net):
    auth.login("anct@example.org")
    html = client.get("/reseau/region?region=53").get_data(as_text=True)
    start = html.index("data-graph='") + len("data-graph='")
    elements = json.loads(html[start:html.index("'", start)])
    assert {n["data"]["id"] for n in elements["nodes"]} == {"h", "g", "a", "b"}
    assert {e["data"]["id"] for e in elements["edges"]} == {"h->a", "h->b", "g->b"}


def test_bad_period_is_shown_beside_its_field(client, auth, net):
    auth.login("anct@example.org")
    response = client.get("/reseau/lieux?from=demain")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html and "Date invalide" in html


def test_period_restricts_the_ranking(client, auth, net):
    auth.login("anct@example.org")
    response = client.get("/reseau/export/lieux.json?from=2024-03-05&to=2024-03-06")
    items = {h["slug"]: h for h in response.get_json()["items"]}
    assert items["h"]["beneficiaries"] == 2
    assert items["h"]["activation"] == 1


def test_csv_export_of_the_departement_table(client, auth, net):
    auth.login("anct@example.org")
    response = client.get("/reseau/export/departements.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("\ufeffCode;Département;")
    assert len(lines) == 102
    finistere = next(line for line in lines if line.startswith("29;"))
    # fabriques 1, tiers-lieux 1 (A), places served 1, bookings 1, beneficiaries 6, provided 8
    assert finistere.split(";")[4:12] == ["1", "0", "1", "1", "1", "6", "8", "1"]


@pytest.mark.parametrize("table", ["lieux", "departements", "regions", "territoires",
                                   "non-desservis", "clientele-partagee", "communautes",
                                   "passerelles", "mensuel"])
def test_every_table_exports_as_csv_and_json(client, auth, net, table):
    auth.login("anct@example.org")
    csv = client.get(f"/reseau/export/{table}.csv")
    body = client.get(f"/reseau/export/{table}.json").get_json()
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.headers["Content-Disposition"] == f'attachment; filename="reseau-{table}.csv"'
    lines = csv.get_data(as_text=True).splitlines()
    assert lines[0].startswith("\ufeff") and ";" in lines[0]
    # One line per item under the header, the same items as the JSON export.
    assert body["total"] == len(body["items"]) == len(lines) - 1
    assert set(body["period"]) >= {"from", "to"}


def test_export_refused_to_members(client, auth, net):
    auth.login("member@example.org")
    response = client.get("/reseau/export/lieux.csv")
    assert response.status_code == 403
    assert response.mimetype == "text/html" and "Fabrique du Port" not in response.get_data(as_text=True)


def test_manager_sees_own_hub_beside_network_median(client, auth, net):
    auth.login("manager@example.org")
    response = client.get("/reseau/mon-lieu/h")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Médiane des fabriques" in html
    assert 'data-figure="multiplier"' in html


def test_manager_with_one_hub_is_sent_to_it(client, auth, net):
    auth.login("manager@example.org")
    response = client.get("/reseau/mon-lieu")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/reseau/mon-lieu/h")


def test_manager_exports_own_figures_as_csv(client, auth, net):
    auth.login("manager@example.org")
    text = client.get("/reseau/mon-lieu/h?format=csv").get_data(as_text=True)
    assert text.startswith("\ufeffIndicateur;Clé;Votre lieu;Médiane des fabriques")
    assert "\r\nLieux servis (R);places_served;2;1" in text


def test_other_users_cannot_read_a_hubs_own_page(client, auth, net):
    auth.login("member@example.org")
    refused = client.get("/reseau/mon-lieu/h")
    assert refused.status_code == 403
    assert "<h1>Accès refusé</h1>" in refused.get_data(as_text=True)
    assert 'data-figure="multiplier"' not in refused.get_data(as_text=True)
    unknown = client.get("/reseau/mon-lieu/inconnu")
    assert unknown.status_code == 404
    assert "<h1>Page introuvable</h1>" in unknown.get_data(as_text=True)


def test_anct_reads_any_hubs_own_page(client, auth, net):
    auth.login("anct@example.org")
    response = client.get("/reseau/mon-lieu/g")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Fabrique des Monts dans le réseau</h1>" in html
    assert "Médiane des fabriques" in html and 'data-figure="multiplier"' in html


def test_method_page_explains_the_formula(client, net):
    html = client.get("/reseau/methode").get_data(as_text=True)
    assert "M = N × (1 + (Q + D + P) / 3)" in html
