"""The network's figures on small networks computed by hand (no database)."""
from __future__ import annotations

import math

import pytest

from hub.geo import EARTH_RADIUS_KM
from hub.rules.communities import communities
from hub.rules.network import (
    Flow,
    PlaceInfo,
    coverage_by_departement,
    coverage_by_region,
    hub_metrics,
    monthly_by_territory,
    network_medians,
    served_graph,
    shared_clientele,
    territory_breakdown,
    unserved_tiers_lieux,
)

# Latitude offset that puts a place exactly `km` north of another on the same meridian.
def north(lat: float, km: float) -> float:
    return lat + math.degrees(km / EARTH_RADIUS_KM)


def place(pid: int, slug: str, *, kind: str = "tiers_lieu", dep: str = "29", region: str = "53",
          territory: str = "urbain", lat: float = 48.0, lon: float = -4.0,
          subsidy: int | None = None) -> PlaceInfo:
    return PlaceInfo(pid, slug, slug.title(), kind, dep, region, territory, lat, lon, subsidy)


def by_slug(items: list[dict]) -> dict[str, dict]:
    return {item["slug"]: item for item in items}


@pytest.fixture
def even() -> dict[int, PlaceInfo]:
    """Hub H (29) serving A (qpv, 29, 0 km) and B (urbain, 56, 15 km) evenly."""
    return {
        1: place(1, "h", kind="fabrique", subsidy=100_000),
        2: place(2, "a", territory="qpv"),
        3: place(3, "b", dep="56", lat=north(48.0, 15.0)),
    }


def test_even_hub_has_hand_computed_components(even):
    flows = [Flow(1, 2, 2, 10, 4.0), Flow(1, 3, 3, 10, 6.0)]
    hub = by_slug(hub_metrics(even, flows))["h"]
    # p_A = p_B = 1/2.
    # N = exp(-2 * 1/2 ln 1/2) = 2
    # Q = p_A (qpv) = 0.5
    # D = 1/2 * min(1, 0/30) + 1/2 * min(1, 15/30) = 0.25
    # P = 1 - (0.5^2 + 0.5^2) = 0.5       (two départements)
    # M = 2 * (1 + (0.5 + 0.25 + 0.5) / 3) = 2 * (1 + 1.25/3) = 2.8333...
    assert hub["places_served"] == 2
    assert hub["bookings"] == 5
    assert hub["beneficiaries"] == 20
    assert hub["hours"] == pytest.approx(10.0)
    assert hub["effective_reach"] == pytest.approx(2.0)
    assert hub["inclusion"] == pytest.approx(0.5)
    assert hub["spread"] == pytest.approx(0.25)
    assert hub["bridging"] == pytest.approx(0.5)
    assert hub["multiplier"] == pytest.approx(2.0 * (1 + 1.25 / 3))
    # median of (0, 15) km
    assert hub["median_km"] == pytest.approx(7.5)
    # Both places are served by H alone.
    assert hub["sole_provider_share"] == pytest.approx(1.0)
    # 5 bookings and 20 beneficiaries for 100,000 euros -> 2.5 and 10 per 50,000 euros.
    assert hub["bookings_per_50k"] == pytest.approx(2.5)
    assert hub["beneficiaries_per_50k"] == pytest.approx(10.0)


def test_hub_dominated_by_one_place_has_effective_reach_near_one():
    places = {
        1: place(1, "h", kind="fabrique"),
        2: place(2, "a", territory="rural", lat=north(48.0, 60.0)),
        3: place(3, "b"),
    }
    flows = [Flow(1, 2, 9, 9, 9.0), Flow(1, 3, 1, 1, 1.0)]
    hub = by_slug(hub_metrics(places, flows))["h"]
    # p = (0.9, 0.1); H = -(0.9 ln 0.9 + 0.1 ln 0.1) = 0.0948245 + 0.2302585 = 0.3250830
    # N = e^0.3250830 = 1.3841...
    # Q = 0.9 (A is rural); D = 0.9 * min(1, 60/30) + 0.1 * 0 = 0.9
    # P = 1 - 1^2 = 0 (one département)
    # M = N * (1 + 1.8/3) = 1.6 N
    n = math.exp(0.9 * -math.log(0.9) + 0.1 * -math.log(0.1))
    assert n == pytest.approx(1.38415, abs=1e-5)
    assert hub["effective_reach"] == pytest.approx(n)
    assert hub["inclusion"] == pytest.approx(0.9)
    assert hub["spread"] == pytest.approx(0.9)
    assert hub["bridging"] == pytest.approx(0.0, abs=1e-12)
    assert hub["multiplier"] == pytest.approx(1.6 * n)


def test_single_place_served_gives_effective_reach_one():
    places = {1: place(1, "h", kind="fabrique"), 2: place(2, "a")}
    hub = by_slug(hub_metrics(places, [Flow(1, 2, 3, 7, 2.0)]))["h"]
    # N = 1, Q = 0, D = 0 (same spot), P = 0 -> M = 1
    assert hub["effective_reach"] == pytest.approx(1.0)
    assert hub["multiplier"] == pytest.approx(1.0)


def test_fabrique_with_only_internal_use_has_multiplier_zero():
    places = {1: place(1, "h", kind="fabrique"), 2: place(2, "a")}
    hub = by_slug(hub_metrics(places, [Flow(1, 1, 5, 5, 5.0)]))["h"]
    assert hub["multiplier"] == 0.0
    assert hub["effective_reach"] == 0.0
    assert hub["places_served"] == 0
    assert hub["bookings"] == 0
    assert hub["inclusion"] is None and hub["median_km"] is None


def test_tiers_lieu_that_served_nobody_is_not_a_hub():
    places = {1: place(1, "h", kind="fabrique"), 2: place(2, "a")}
    items = hub_metrics(places, [Flow(1, 2, 1, 1, 1.0)])
    assert [h["slug"] for h in items] == ["h"]


def test_tiers_lieu_that_served_another_is_ranked_as_a_hub():
    places = {1: place(1, "h", kind="fabrique"), 2: place(2, "a"), 3: place(3, "b")}
    items = by_slug(hub_metrics(places, [Flow(2, 3, 1, 4, 1.0)]))
    assert items["a"]["multiplier"] == pytest.approx(1.0)
    assert items["h"]["multiplier"] == 0.0


def test_zero_beneficiaries_means_nobody_served_and_multiplier_zero():
    # Bookings were made, but every one declared 0 beneficiaries: p is undefined;
    # the hub served nobody (R = 0, N = 0, M = 0), its bookings still count.
    places = {1: place(1, "h", kind="fabrique"), 2: place(2, "a")}
    hub = by_slug(hub_metrics(places, [Flow(1, 2, 3, 0, 6.0)]))["h"]
    assert hub["bookings"] == 3
    assert hub["places_served"] == 0
    assert hub["multiplier"] == 0.0
    assert hub["sole_provider_share"] is None


def test_place_with_zero_beneficiaries_carries_no_weight(even):
    flows = [Flow(1, 2, 1, 10, 1.0), Flow(1, 3, 1, 0, 1.0)]
    hub = by_slug(hub_metrics(even, flows))["h"]
    assert hub["places_served"] == 1
    assert hub["effective_reach"] == pytest.approx(1.0)
    assert hub["bookings"] == 2


def test_hubs_are_sorted_by_multiplier_descending(even):
    places = dict(even)
    places[4] = place(4, "g", kind="fabrique_numerique")
    flows = [Flow(1, 2, 1, 10, 1.0), Flow(1, 3, 1, 10, 1.0), Flow(4, 2, 1, 10, 1.0)]
    items = hub_metrics(places, flows)
    assert [h["slug"] for h in items] == ["h", "g"]
    assert [h["rank"] for h in items] == [1, 2]


def test_sole_provider_share_counts_places_no_other_hub_serves(even):
    places = dict(even)
    places[4] = place(4, "g", kind="fabrique")
    # H serves A and B; G serves B too: A is H's alone -> 1/2.
    flows = [Flow(1, 2, 1, 5, 1.0), Flow(1, 3, 1, 5, 1.0), Flow(4, 3, 1, 5, 1.0)]
    hubs = by_slug(hub_metrics(places, flows))
    assert hubs["h"]["sole_provider_share"] == pytest.approx(0.5)
    assert hubs["g"]["sole_provider_share"] == pytest.approx(0.0)


def test_activation_counts_places_not_served_in_previous_period(even):
    places = dict(even)
    places[4] = place(4, "c")
    current = [Flow(1, 2, 1, 5, 1.0), Flow(1, 3, 1, 5, 1.0), Flow(1, 4, 1, 5, 1.0)]
    previous = [Flow(1, 2, 1, 5, 1.0), Flow(1, 3, 1, 0, 1.0)]
    hub = by_slug(hub_metrics(places, current, previous))["h"]
    # A was served before; B was booked for with 0 beneficiaries (not served); C is new.
    assert hub["activation"] == 2


def test_activation_is_null_without_a_bounded_period(even):
    hub = by_slug(hub_metrics(even, [Flow(1, 2, 1, 5, 1.0)]))["h"]
    assert hub["activation"] is None


def test_per_50k_is_null_without_subsidy():
    places = {1: place(1, "h", kind="fabrique"), 2: place(2, "a")}
    hub = by_slug(hub_metrics(places, [Flow(1, 2, 1, 5, 1.0)]))["h"]
    assert hub["bookings_per_50k"] is None


def test_network_medians_cover_labelled_fabriques_only():
    places = {
        1: place(1, "h1", kind="fabrique"),
        2: place(2, "h2", kind="fabrique"),
        3: place(3, "h3", kind="fabrique"),
        4: place(4, "t"),
        5: place(5, "u"),
    }
    flows = [Flow(1, 4, 1, 1, 1.0), Flow(2, 4, 1, 1, 1.0), Flow(2, 5, 1, 1, 1.0),
             Flow(4, 5, 9, 9, 9.0)]
    medians = network_medians(hub_metrics(places, flows))
    # places_served: h1 = 1, h2 = 2, h3 = 0 -> median 1 (tiers-lieu t left out).
    assert medians["places_served"] == 1
    assert medians["bookings"] == 1


def test_served_graph_has_places_as_nodes_and_external_flows_as_edges(even):
    graph = served_graph(even, [Flow(1, 2, 2, 10, 4.0), Flow(1, 1, 9, 9, 9.0)])
    assert set(graph.nodes) == {"h", "a", "b"}
    assert list(graph.edges(data=True)) == [
        ("h", "a", {"bookings": 2, "beneficiaries": 10, "hours": 4.0})
    ]
    assert graph.nodes["a"]["territory"] == "qpv"
    assert graph.nodes["b"]["departement"] == "56"


def test_unserved_tiers_lieux_are_far_from_every_fabrique_and_served_by_none():
    places = {
        1: place(1, "h", kind="fabrique"),
        2: place(2, "near", lat=north(48.0, 29.0)),       # 29 km: a hub is near
        3: place(3, "far", lat=north(48.0, 31.0)),        # 31 km, not served
        4: place(4, "far-served", lat=north(48.0, 80.0)),  # far, but served
    }
    items = unserved_tiers_lieux(places, [Flow(1, 4, 1, 1, 1.0)])
    assert [p["slug"] for p in items] == ["far"]
    assert items[0]["nearest_hub_km"] == pytest.approx(31.0)


def test_communities_are_deterministic_and_bridging_hubs_found():
    # Two dense groups {h1, a, b} (in 29) and {h2, c, d} (in 56); h3 (in 22) serves one
    # place in each.
    deps = {"h1": "29", "a": "29", "b": "29", "h2": "56", "c": "56", "d": "56", "h3": "22"}
    places = {i: place(i, s, kind="fabrique" if s.startswith("h") else "tiers_lieu", dep=deps[s])
              for i, s in enumerate(["h1", "a", "b", "h2", "c", "d", "h3"], start=1)}
    flows = [Flow(1, 2, 1, 50, 1.0), Flow(1, 3, 1, 50, 1.0), Flow(2, 3, 1, 50, 1.0),
             Flow(4, 5, 1, 50, 1.0), Flow(4, 6, 1, 50, 1.0), Flow(5, 6, 1, 50, 1.0),
             Flow(7, 2, 1, 1, 1.0), Flow(7, 5, 1, 1, 1.0)]
    first = communities(places, flows)
    assert first == communities(places, list(reversed(flows)))
    groups = [set(c["places"]) for c in first["communities"]]
    assert any({"h1", "a", "b"} <= g for g in groups)
    assert any({"h2", "c", "d"} <= g for g in groups)
    assert not any({"a", "c"} <= g for g in groups)
    assert [h["slug"] for h in first["bridging_hubs"]] == ["h3"]
    assert first["bridging_hubs"][0]["communities"] == 2


def test_a_community_holds_whole_departements():
    # a (29) and c (56) are served by the same hub, but their départements exchange
    # mostly within themselves: each place sits in its département's community.
    places = {i: place(i, s, kind="fabrique" if s.startswith("h") else "tiers_lieu", dep=dep)
              for i, (s, dep) in enumerate([("h1", "29"), ("a", "29"), ("b", "29"),
                                            ("h2", "56"), ("c", "56"), ("d", "56")], start=1)}
    flows = [Flow(1, 2, 1, 50, 1.0), Flow(1, 3, 1, 50, 1.0), Flow(4, 5, 1, 50, 1.0),
             Flow(4, 6, 1, 50, 1.0), Flow(1, 5, 1, 1, 1.0)]
    found = communities(places, flows)["communities"]
    assert sorted(sorted(c["places"]) for c in found) == [["a", "b", "h1"], ["c", "d", "h2"]]
    assert all(len(c["departements"]) == 1 for c in found)


def test_shared_clientele_counts_places_both_hubs_serve():
    places = {1: place(1, "h1", kind="fabrique"), 2: place(2, "h2", kind="fabrique"),
              3: place(3, "h3", kind="fabrique"), 4: place(4, "a"), 5: place(5, "b"),
              6: place(6, "c")}
    flows = [Flow(1, 4, 1, 3, 1.0), Flow(2, 4, 1, 4, 1.0), Flow(1, 5, 1, 1, 1.0),
             Flow(2, 5, 1, 2, 1.0), Flow(3, 5, 1, 5, 1.0), Flow(3, 6, 1, 1, 1.0)]
    pairs = {(p["hub_a"], p["hub_b"]): (p["places"], p["beneficiaries"])
             for p in shared_clientele(places, flows)}
    # h1 & h2 both serve a (3 + 4) and b (1 + 2); h1 & h3 share b (1 + 5); h2 & h3 share b (2 + 5).
    assert pairs == {("h1", "h2"): (2, 10), ("h1", "h3"): (1, 6), ("h2", "h3"): (1, 7)}
    assert shared_clientele(places, flows)[0]["hub_a"] == "h1"


def test_territory_breakdown_and_inclusive_share(even):
    flows = [Flow(1, 2, 2, 30, 1.0), Flow(1, 3, 1, 10, 1.0)]
    rows = territory_breakdown(even, flows)
    assert rows["qpv"]["beneficiaries"] == 30
    assert rows["qpv"]["beneficiaries_share"] == pytest.approx(0.75)
    assert rows["urbain"]["places_served"] == 1
    assert rows["rural"]["beneficiaries_share"] == pytest.approx(0.0)


def test_coverage_lists_every_departement_and_those_without_fabrique(even):
    flows = [Flow(1, 2, 2, 30, 1.0), Flow(1, 3, 1, 10, 1.0)]
    hubs = hub_metrics(even, flows)
    rows = coverage_by_departement(even, flows, hubs)
    assert len(rows) == 101
    by_code = {r["code"]: r for r in rows}
    assert by_code["29"]["fabriques"] == 1 and not by_code["29"]["without_fabrique"]
    assert by_code["29"]["beneficiaries_provided"] == 40
    assert by_code["56"]["places_served"] == 1 and by_code["56"]["without_fabrique"]
    assert by_code["56"]["beneficiaries"] == 10
    regions = {r["code"]: r for r in coverage_by_region(rows)}
    assert regions["53"]["departements"] == 4
    assert regions["53"]["departements_without_fabrique"] == 3
    assert regions["53"]["places_served"] == 2


def test_monthly_series_put_each_booking_in_its_paris_month():
    rows = [
        ("2024-01-31 22", "qpv", 2, 5),    # 23:00 in Paris: still January
        ("2024-01-31 23", "qpv", 1, 1),    # 00:00 on 1 February in Paris
        ("2024-02-10 09", "rural", 4, 8),
    ]
    monthly = monthly_by_territory(rows)
    assert monthly["months"] == ["2024-01", "2024-02"]
    assert monthly["territories"]["qpv"] == {"bookings": [2, 1], "beneficiaries": [5, 1]}
    assert monthly["territories"]["rural"]["beneficiaries"] == [0, 8]


def test_region_subgraph_keeps_flows_touching_the_region(even):
    from hub.rules.network import subgraph_of_region

    places = dict(even)
    places[4] = place(4, "paris", dep="75", region="11", lat=48.85, lon=2.35)
    places[5] = place(5, "lyon", dep="69", region="84", lat=45.76, lon=4.83)
    graph = served_graph(places, [Flow(1, 4, 1, 1, 1.0), Flow(4, 5, 1, 1, 1.0)])
    sub = subgraph_of_region(graph, "53")
    assert set(sub.nodes) == {"h", "a", "b", "paris"}
    assert list(sub.edges) == [("h", "paris")]
    assert sub.nodes["paris"]["outside"] and not sub.nodes["h"]["outside"]


def test_hub_figures_carried_over_equal_figures_computed_afresh(even):
    memo: dict = {}
    flows = [Flow(1, 2, 2, 10, 4.0), Flow(1, 3, 3, 10, 6.0)]
    first = hub_metrics(even, flows, memo=memo)
    assert first == hub_metrics(even, flows)
    # One more booking for B: the carried figures must not be served stale.
    changed = [Flow(1, 2, 2, 10, 4.0), Flow(1, 3, 4, 30, 7.0)]
    assert hub_metrics(even, changed, memo=memo) == hub_metrics(even, changed)
    assert hub_metrics(even, changed, memo=memo)[0]["beneficiaries"] == 40


def test_running_sums_moved_flow_by_flow_equal_the_figures_computed_afresh():
    import random

    from hub.rules.flow_index import FlowIndex

    rng = random.Random(7)
    deps, territories = ["29", "56", "22", "75"], ["qpv", "rural", "urbain"]
    places = {i: place(i, f"p{i:02}", kind="fabrique" if i <= 4 else "tiers_lieu",
                       dep=rng.choice(deps), territory=rng.choice(territories))
              for i in range(1, 21)}

    def random_flow(host: int, served: int) -> Flow:
        return Flow(host, served, rng.randint(1, 5), rng.choice([0, 1, 7, 30]),
                    rng.choice([0.5, 1.25, 3.1]), rng.randint(0, 3))

    flows = {(h, p): random_flow(h, p) for h in range(1, 5) for p in rng.sample(range(5, 21), 6)}
    index = FlowIndex(places, flows.values())
    for _ in range(60):
        # A booking more, a flow's last booking cancelled, or a new pair.
        key = (rng.randint(1, 4), rng.randint(5, 20))
        old = flows.get(key)
        new = None if old is not None and rng.random() < 0.3 else random_flow(*key)
        index.move(old, new)
        if new is None:
            del flows[key]
        else:
            flows[key] = new
        if rng.random() < 0.2:
            # Figures asked between two moves: only the moved hubs are computed again.
            index.hub_metrics()
    current = sorted(flows.values(), key=lambda f: (f.host, f.place))
    hubs = hub_metrics(places, current)
    assert index.hub_metrics() == hubs
    assert index.coverage_by_departement(hubs) == coverage_by_departement(places, current, hubs)
    expected = territory_breakdown(places, current)
    for territory, row in index.territory_breakdown().items():
        assert row == {**expected[territory], "hours": pytest.approx(expected[territory]["hours"])}
    assert index.communities() == communities(places, current)
    assert float(index.totals[3]) == pytest.approx(sum(f.hours for f in current))
    assert index.served == len({f.place for f in current if f.beneficiaries > 0})
