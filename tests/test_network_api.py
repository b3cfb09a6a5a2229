"""/api/v1/network: the served-flow figures read from real bookings."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone

import networkx as nx
import pytest

from hub.extensions import db
from hub.geo import EARTH_RADIUS_KM
from models import Booking

T0 = datetime(2024, 3, 4, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def net(make):  # type: ignore[no-untyped-def]
    """Fabrique H (29) serving A (qpv, 29, same spot) and B (urbain, 56, 15 km north)."""
    anct = make.user(email="anct@example.org", role="anct")
    make.user(email="admin@example.org", role="admin")
    member = make.user(email="member@example.org")
    hub = make.fabrique(slug="h", name="Fabrique H", lat=48.0, lon=-4.0, subsidy_eur=100_000)
    a = make.place(slug="a", territory="qpv", lat=48.0, lon=-4.0, members=[member])
    b = make.place(slug="b", departement="56", lat=48.0 + math.degrees(15 / EARTH_RADIUS_KM), lon=-4.0)
    machine = make.resource(hub, capacity=5)
    bookings = {
        "a": make.booking(machine, a, start=T0, end_at=T0 + timedelta(hours=2), beneficiaries=10),
        # No beneficiaries given: the quantity counts.
        "b": make.booking(machine, b, start=T0 + timedelta(days=1),
                          end_at=T0 + timedelta(days=1, hours=3), quantity=10),
    }
    # None of these is service: not confirmed, or the fabrique's own use.
    for status in ("pending", "refused", "cancelled", "waitlisted"):
        make.booking(machine, a, start=T0, status=status, beneficiaries=500)
    make.booking(machine, hub, start=T0, beneficiaries=500)
    return {"anct": anct, "hub": hub, "a": a, "b": b, "machine": machine, "bookings": bookings}


def hubs_of(client, headers, **params):  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/network/hubs", headers=headers, query_string=params)
    assert response.status_code == 200, response.get_json()
    return {h["slug"]: h for h in response.get_json()["items"]}


def test_hubs_returns_hand_computed_multiplier_for_anct(client, auth, net):
    hub = hubs_of(client, auth.headers("anct@example.org"))["h"]
    # Same network as the hand-computed one: N = 2, Q = 0.5, D = 0.25, P = 0.5.
    assert hub["places_served"] == 2
    assert hub["bookings"] == 2
    assert hub["beneficiaries"] == 20
    assert hub["hours"] == pytest.approx(5.0)
    assert hub["effective_reach"] == pytest.approx(2.0)
    assert hub["inclusion"] == pytest.approx(0.5)
    assert hub["spread"] == pytest.approx(0.25)
    assert hub["bridging"] == pytest.approx(0.5)
    assert hub["multiplier"] == pytest.approx(2.0 * (1 + 1.25 / 3))
    assert hub["bookings_per_50k"] == pytest.approx(1.0)
    assert hub["activation"] is None


def test_hubs_are_readable_by_admin(client, auth, net):
    assert "h" in hubs_of(client, auth.headers("admin@example.org"))


def test_hubs_refused_to_a_plain_user(client, auth, net):
    response = client.get("/api/v1/network/hubs", headers=auth.headers("member@example.org"))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("path", ["hubs", "summary", "graph", "departements", "communities"])
def test_network_routes_need_a_token(client, net, path):
    response = client.get(f"/api/v1/network/{path}")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthenticated"


def test_period_keeps_bookings_starting_in_it(client, auth, net):
    headers = auth.headers("anct@example.org")
    # [4 March 2024 10:00 Paris, 5 March 2024 00:00 Paris): A's booking starts at 10:00 Paris.
    hub = hubs_of(client, headers, **{"from": "2024-03-04T10:00", "to": "2024-03-05"})["h"]
    assert hub["places_served"] == 1 and hub["beneficiaries"] == 10
    hub = hubs_of(client, headers, **{"from": "2024-03-04T10:01"})["h"]
    assert hub["places_served"] == 1 and hub["beneficiaries"] == 10  # only B's, the day after
    hub = hubs_of(client, headers, to="2024-03-04T10:00")["h"]
    assert hub["multiplier"] == 0.0


def test_activation_counts_places_new_since_previous_period(client, auth, net, make):
    # A was also served a week before: in the previous period of the same length.
    make.booking(net["machine"], net["a"], start=T0 - timedelta(days=7), beneficiaries=1)
    hub = hubs_of(client, auth.headers("anct@example.org"), **{"from": "2024-03-01", "to": "2024-03-08"})["h"]
    assert hub["places_served"] == 2
    assert hub["activation"] == 1


@pytest.mark.parametrize(
    "params, field",
    [({"from": "hier"}, "from"), ({"to": "2024-13-45"}, "to"),
     ({"from": "2024-03-05", "to": "2024-03-01"}, "to"), ({"from": "99999999-01-01"}, "from")],
)
def test_bad_period_is_422_naming_the_field(client, auth, net, params, field):
    response = client.get("/api/v1/network/hubs", headers=auth.headers("anct@example.org"),
                          query_string=params)
    assert response.status_code == 422
    body = response.get_json()["error"]
    assert body["code"] == "invalid" and field in body["fields"]


# The `make` fixture's app context is the requests' one too: db.session is shared,
# and its commit also ends the read transaction the previous request left open.
def test_cancelling_a_confirmed_booking_changes_the_next_figures(client, auth, net):
    headers = auth.headers("anct@example.org")
    assert hubs_of(client, headers)["h"]["places_served"] == 2
    assert hubs_of(client, headers)["h"]["places_served"] == 2  # from the cache
    db.session.get(Booking, net["bookings"]["b"].id).status = "cancelled"
    db.session.commit()
    hub = hubs_of(client, headers)["h"]
    assert hub["places_served"] == 1
    # Only A is left: N = 1, Q = 1 (qpv), D = 0, P = 0 -> M = 4/3.
    assert hub["multiplier"] == pytest.approx(4 / 3)


def test_place_edit_changes_the_next_figures(client, auth, net):
    headers = auth.headers("anct@example.org")
    assert hubs_of(client, headers)["h"]["inclusion"] == pytest.approx(0.5)
    net["b"].territory = "rural"
    db.session.commit()
    assert hubs_of(client, headers)["h"]["inclusion"] == pytest.approx(1.0)


def test_graph_is_networkx_node_link_json(client, auth, net):
    response = client.get("/api/v1/network/graph", headers=auth.headers("anct@example.org"))
    data = response.get_json()
    assert {"directed", "multigraph", "graph", "nodes", "links"} <= set(data)
    graph = nx.node_link_graph(data, edges="links")
    assert graph.is_directed()
    assert set(graph.nodes) == {"h", "a", "b"}
    assert sorted(graph.edges) == [("h", "a"), ("h", "b")]
    assert graph.edges["h", "b"] == {"bookings": 1, "beneficiaries": 10, "hours": pytest.approx(3.0)}
    assert graph.nodes["a"]["territory"] == "qpv"


def test_graph_text_is_what_jsonify_writes_of_the_node_link_data_after_a_booking(app, client, auth, make, net):
    from flask import json

    from hub.services import network

    headers = auth.headers("anct@example.org")
    client.get("/api/v1/network/graph", headers=headers)
    # A new booking after a first read: the next text reuses the carried links and
    # still has to show the new one.
    make.booking(net["machine"], net["b"], start=T0 + timedelta(days=2), beneficiaries=3)
    db.session.commit()
    text = client.get("/api/v1/network/graph", headers=headers).get_data(as_text=True)
    with app.test_request_context():
        snap = network.snapshot()
        data = nx.node_link_data(snap.graph, edges="links")
        data["graph"] = {"period": snap.period.as_dict(), "region": None}
        assert text == json.dumps(data, separators=(",", ":")) + "\n"
    assert nx.node_link_graph(json.loads(text), edges="links").edges["h", "b"]["bookings"] == 2


def test_every_view_follows_a_booking_made_after_a_first_read(client, auth, make, net):
    headers = auth.headers("anct@example.org")
    paths = ("summary", "monthly", "departements?per_page=200", "communities", "hubs")
    before = {p: client.get(f"/api/v1/network/{p}", headers=headers).get_json() for p in paths}
    make.booking(net["machine"], net["b"], start=T0 + timedelta(days=40), beneficiaries=4)
    db.session.commit()
    after = {p: client.get(f"/api/v1/network/{p}", headers=headers).get_json() for p in paths}
    assert after["summary"]["totals"]["bookings"] == before["summary"]["totals"]["bookings"] + 1
    assert after["summary"]["totals"]["beneficiaries"] == before["summary"]["totals"]["beneficiaries"] + 4
    assert after["monthly"]["months"] == ["2024-03", "2024-04"]
    assert after["monthly"]["territories"]["urbain"]["beneficiaries"] == [10, 4]
    received = {d["code"]: d["beneficiaries"] for d in after["departements?per_page=200"]["items"]}
    assert received["56"] == 14
    assert {h["slug"]: h["beneficiaries"] for h in after["hubs"]["items"]}["h"] == 24


def test_a_rebuild_that_drops_a_flow_drops_it_from_the_views(app, client, auth, net):
    import sqlalchemy as sa

    from hub.services import analytics

    headers = auth.headers("anct@example.org")
    assert client.get("/api/v1/network/summary", headers=headers).get_json()["totals"]["flows"] == 2
    # Written past the listener, as a script would: only a rebuild sees it.
    db.session.execute(sa.update(Booking).where(Booking.id == net["bookings"]["b"].id)
                       .values(status="cancelled"))
    analytics.rebuild()
    db.session.commit()
    totals = client.get("/api/v1/network/summary", headers=headers).get_json()["totals"]
    assert (totals["flows"], totals["bookings"]) == (1, 1)
    assert client.get("/api/v1/network/monthly", headers=headers).get_json()["territories"]["urbain"]["bookings"] == [0]


def test_graph_of_unknown_region_is_422(client, auth, net):
    response = client.get("/api/v1/network/graph?region=99", headers=auth.headers("anct@example.org"))
    assert response.status_code == 422
    assert "region" in response.get_json()["error"]["fields"]


def test_summary_has_totals_and_breakdowns(client, auth, net):
    body = client.get("/api/v1/network/summary", headers=auth.headers("anct@example.org")).get_json()
    totals = body["totals"]
    assert totals["bookings"] == 2 and totals["beneficiaries"] == 20
    assert totals["places_served"] == 2
    assert totals["qpv_rural_share"] == pytest.approx(0.5)
    assert body["by_territory"]["qpv"]["beneficiaries"] == 10
    assert len(body["by_departement"]) == 101
    assert "56" in body["departements_without_fabrique"]
    assert "29" not in body["departements_without_fabrique"]


def test_hubs_csv_is_excel_friendly(client, auth, net):
    response = client.get("/api/v1/network/hubs?format=csv", headers=auth.headers("anct@example.org"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffRang;Identifiant;Nom;")
    row = text.splitlines()[1].split(";")
    assert row[1] == "h"
    assert row[6] == "2,833333"  # the multiplier, with a decimal comma


def test_unknown_format_is_422(client, auth, net):
    response = client.get("/api/v1/network/hubs?format=xls", headers=auth.headers("anct@example.org"))
    assert response.status_code == 422


def test_hubs_paginate(client, auth, net, make):
    make.fabrique(slug="g")
    response = client.get("/api/v1/network/hubs?per_page=1&page=2", headers=auth.headers("anct@example.org"))
    body = response.get_json()
    assert body["total"] == 2
    assert [h["slug"] for h in body["items"]] == ["g"]


def test_one_hub_beside_the_network_median(client, auth, net):
    body = client.get("/api/v1/network/hubs/h", headers=auth.headers("anct@example.org")).get_json()
    assert body["hub"]["slug"] == "h"
    assert body["medians"]["multiplier"] == pytest.approx(body["hub"]["multiplier"])
    missing = client.get("/api/v1/network/hubs/nope", headers=auth.headers("anct@example.org"))
    assert missing.status_code == 404


def test_other_network_views_answer(client, auth, net):
    headers = auth.headers("anct@example.org")
    communities = client.get("/api/v1/network/communities", headers=headers).get_json()
    assert communities["total"] == 1
    assert client.get("/api/v1/network/shared-clientele", headers=headers).get_json()["total"] == 0
    # A and B are served; no tiers-lieu is left out.
    assert client.get("/api/v1/network/unserved", headers=headers).get_json()["total"] == 0
    monthly = client.get("/api/v1/network/monthly", headers=headers).get_json()
    assert monthly["months"] == ["2024-03"]
    assert monthly["territories"]["qpv"]["beneficiaries"] == [10]
    assert monthly["territories"]["urbain"]["bookings"] == [1]
    regions = client.get("/api/v1/network/regions?per_page=500", headers=headers).get_json()
    assert regions["total"] == 18


def test_openapi_describes_the_network_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("hubs", "summary", "graph", "departements", "communities", "monthly"):
        operation = paths[f"/api/v1/network/{path}"]["get"]
        assert {"200", "401", "403", "422"} <= set(operation["responses"])
