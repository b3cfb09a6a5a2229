"""The served-flow network's figures, on plain Python data (no database here).

Input: the places (`PlaceInfo`) and the flows (`Flow`): for each (host place,
served place) pair with host != served, the bookings that count (confirmed, and not
recorded as a no-show) made on the host's resources for the served place, aggregated. `hub.services.network` reads them from
the database with one GROUP BY; everything below is pure and unit-tested on small
hand-computed networks.

Choices the issue leaves open, made here and explained on the dashboard's method page:
- weights are beneficiaries: those recorded with the booking's attendance, else those
  declared when booking (at most the resource's `max_beneficiaries`), else its quantity.
  A booking recorded as a no-show serves nobody and is not counted at all. A hub whose external bookings all declared 0 beneficiaries served nobody:
  places_served 0, effective_reach 0, multiplier 0, the shares undefined (None);
- hours are the bookings' durations (end - start), not multiplied by the quantity;
  incubations (periods of weeks) are counted apart, as `incubation_hours`, so that
  `hours` are hours of use;
- `verified_share` is the share of the beneficiaries that come from bookings whose
  attendance was recorded (None without beneficiaries);
- median_km is the plain (unweighted) median distance to the places served;
- a "hub" is any place that served another; the ranking also lists every labelled
  fabrique, with multiplier 0 when it served nobody;
- activation counts the places served in the period that the hub did not serve in
  the previous period of the same length (None without a bounded period).
- communities group départements, not single places (Louvain over the départements'
  exchanges): cheap enough to follow every booking, see `hub.rules.communities`.
"""
from __future__ import annotations

import bisect
import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

import networkx as nx

from hub.geo import EARTH_RADIUS_KM, haversine_km
from hub.reference import DEPARTEMENTS, REGIONS

HUB_KINDS = ("fabrique", "fabrique_numerique")
TERRITORIES = ("qpv", "rural", "urbain")
INCLUSIVE_TERRITORIES = frozenset({"qpv", "rural"})
SPREAD_KM = 30.0
UNSERVED_RADIUS_KM = 30.0
SUBSIDY_UNIT_EUR = 50_000
PARIS = ZoneInfo("Europe/Paris")

# The per-hub figures compared with the network median on a fabrique's own page.
COMPARED_FIGURES = (
    "multiplier",
    "effective_reach",
    "inclusion",
    "spread",
    "bridging",
    "places_served",
    "bookings",
    "beneficiaries",
    "hours",
    "median_km",
    "sole_provider_share",
)


@dataclass(frozen=True, slots=True)
class PlaceInfo:
    id: int
    slug: str
    name: str
    kind: str
    departement: str
    region: str
    territory: str
    lat: float
    lon: float
    subsidy_eur: int | None = None

    @property
    def is_hub_kind(self) -> bool:
        return self.kind in HUB_KINDS


@dataclass(frozen=True, slots=True)
class Flow:
    """Confirmed bookings on `host`'s resources made for `place` (another place)."""

    host: int
    place: int
    bookings: int
    beneficiaries: int
    hours: float
    # Beneficiaries of the bookings whose attendance was recorded.
    verified: int = 0
    incubation_hours: float = 0.0


def _group_by_host(flows: Iterable[Flow]) -> dict[int, list[Flow]]:
    by_host: dict[int, list[Flow]] = defaultdict(list)
    for flow in flows:
        if flow.host != flow.place:
            by_host[flow.host].append(flow)
    return by_host


def served_pairs(flows: Iterable[Flow]) -> dict[int, set[int]]:
    """host -> the places it served (beneficiaries > 0)."""
    served: dict[int, set[int]] = defaultdict(set)
    for flow in flows:
        if flow.host != flow.place and flow.beneficiaries > 0:
            served[flow.host].add(flow.place)
    return served


def multiplier_components(
    host: PlaceInfo, weights: list[tuple[PlaceInfo, float]]
) -> dict[str, float | None]:
    """N, Q, D, P and M for one hub, from the beneficiaries w_s it served to each place s.

    Places with w_s = 0 carry no weight (p_s = 0, and 0 ln 0 = 0).
    """
    total = sum(w for _, w in weights if w > 0)
    if total <= 0:
        return {
            "effective_reach": 0.0,
            "inclusion": None,
            "spread": None,
            "bridging": None,
            "multiplier": 0.0,
        }
    entropy = 0.0
    inclusion = 0.0
    spread = 0.0
    by_departement: dict[str, float] = defaultdict(float)
    for place, w in weights:
        if w <= 0:
            continue
        p = w / total
        entropy -= p * math.log(p)
        if place.territory in INCLUSIVE_TERRITORIES:
            inclusion += p
        km = haversine_km(host.lat, host.lon, place.lat, place.lon)
        spread += p * min(1.0, km / SPREAD_KM)
        by_departement[place.departement] += p
    effective_reach = math.exp(entropy)
    bridging = 1.0 - sum(share * share for share in by_departement.values())
    multiplier = effective_reach * (1.0 + (inclusion + spread + bridging) / 3.0)
    return {
        "effective_reach": effective_reach,
        "inclusion": inclusion,
        "spread": spread,
        "bridging": bridging,
        "multiplier": multiplier,
    }


def hub_metrics(
    places: Mapping[int, PlaceInfo],
    flows: Iterable[Flow],
    previous_flows: Iterable[Flow] | None = None,
    memo: dict[int, tuple[Any, dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Every hub's figures, sorted by multiplier (desc), then beneficiaries, then slug.

    Hubs: every place that served another, and every labelled fabrique.
    `previous_flows`: the flows of the previous period of the same length, for
    `activation`; None when the period is not bounded (activation is then None).
    `memo`: kept by the caller between calls on the same `places`: a hub whose inputs
    (its flows, which of its places it alone serves, what it served before) did not
    change gets its figures back from there instead of computing them again, which is
    what a booking leaves true of all hubs but one.
    """
    flows = list(flows)
    by_host = _group_by_host(flows)
    served = served_pairs(flows)
    providers: dict[int, int] = defaultdict(int)
    for host_id, targets in served.items():
        for target in targets:
            providers[target] += 1
    previously_served = served_pairs(previous_flows) if previous_flows is not None else None

    hub_ids = {pid for pid, place in places.items() if place.is_hub_kind}
    hub_ids.update(h for h in by_host if h in places)
    items = []
    for hub_id in hub_ids:
        host = places[hub_id]
        out = [f for f in by_host.get(hub_id, []) if f.place in places]
        if memo is not None:
            key = (
                tuple(out),
                tuple(sorted(s for s in served.get(hub_id, ()) if providers[s] == 1)),
                None if previously_served is None else frozenset(previously_served.get(hub_id, ())),
            )
            found = memo.get(hub_id)
            if found is not None and found[0] == key:
                items.append(dict(found[1]))
                continue
        items.append(hub_item(
            places, host, out, served.get(hub_id, set()), providers,
            None if previously_served is None else previously_served.get(hub_id, set()),
        ))
        if memo is not None:
            memo[hub_id] = (key, dict(items[-1]))
    if memo is not None:
        for gone in set(memo) - hub_ids:
            memo.pop(gone, None)
    return ranked(items)


def hub_item(places: Mapping[int, PlaceInfo], host: PlaceInfo, out: list[Flow],
              targets: set[int], providers: Mapping[int, int],
              previous_targets: set[int] | None) -> dict[str, Any]:
    """One hub's figures (without its rank): `out` its flows in place order, `targets`
    the places it served, `providers` how many hubs serve each place, `previous_targets`
    what it served the period before (None: no activation)."""
    weights = [(places[f.place], float(f.beneficiaries)) for f in out]
    figures = multiplier_components(host, weights)
    distances = [
        haversine_km(host.lat, host.lon, places[s].lat, places[s].lon) for s in targets
    ]
    bookings = sum(f.bookings for f in out)
    beneficiaries = sum(f.beneficiaries for f in out)
    verified = sum(f.verified for f in out)
    activation = None if previous_targets is None else len(targets - previous_targets)
    subsidy = host.subsidy_eur
    return {
        "slug": host.slug,
        "name": host.name,
        "kind": host.kind,
        "departement": host.departement,
        "region": host.region,
        "territory": host.territory,
        "lat": host.lat,
        "lon": host.lon,
        "places_served": len(targets),
        "bookings": bookings,
        "beneficiaries": beneficiaries,
        "hours": sum(f.hours for f in out),
        "incubation_hours": sum(f.incubation_hours for f in out),
        "verified_share": verified / beneficiaries if beneficiaries else None,
        **figures,
        "median_km": statistics.median(distances) if distances else None,
        "sole_provider_share": (
            sum(1 for s in targets if providers.get(s, 0) == 1) / len(targets) if targets else None
        ),
        "activation": activation,
        "subsidy_eur": subsidy,
        "bookings_per_50k": bookings * SUBSIDY_UNIT_EUR / subsidy if subsidy else None,
        "beneficiaries_per_50k": beneficiaries * SUBSIDY_UNIT_EUR / subsidy if subsidy else None,
    }


def ranked(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items.sort(key=lambda h: (-h["multiplier"], -h["beneficiaries"], h["slug"]))
    for rank, item in enumerate(items, start=1):
        item["rank"] = rank
    return items


def network_medians(hubs: list[dict[str, Any]]) -> dict[str, float | None]:
    """The median of each compared figure over the labelled fabriques (nulls left out)."""
    labelled = [h for h in hubs if h["kind"] in HUB_KINDS]
    medians: dict[str, float | None] = {}
    for key in COMPARED_FIGURES:
        values = [h[key] for h in labelled if h[key] is not None]
        medians[key] = statistics.median(values) if values else None
    return medians


def served_graph(places: Mapping[int, PlaceInfo], flows: Iterable[Flow]) -> nx.DiGraph:
    """The directed served-flow graph: nodes are place slugs, edges h -> s."""
    graph = nx.DiGraph()
    for pid in sorted(places):
        place = places[pid]
        graph.add_node(
            place.slug,
            name=place.name,
            kind=place.kind,
            departement=place.departement,
            region=place.region,
            territory=place.territory,
            lat=place.lat,
            lon=place.lon,
        )
    for flow in sorted(flows, key=lambda f: (f.host, f.place)):
        if flow.host == flow.place or flow.host not in places or flow.place not in places:
            continue
        graph.add_edge(
            places[flow.host].slug,
            places[flow.place].slug,
            bookings=flow.bookings,
            beneficiaries=flow.beneficiaries,
            hours=flow.hours,
        )
    return graph


def subgraph_of_region(graph: nx.DiGraph, region: str) -> nx.DiGraph:
    """The région's places and every flow with one end in the région, with the places
    at the other end (marked `outside`)."""
    inside = {n for n, data in graph.nodes(data=True) if data["region"] == region}
    edges = [(u, v, d) for u, v, d in graph.edges(data=True) if u in inside or v in inside]
    sub = nx.DiGraph()
    for n in sorted(inside | {n for u, v, _ in edges for n in (u, v)}):
        sub.add_node(n, **graph.nodes[n], outside=n not in inside)
    sub.add_edges_from(edges)
    return sub


def shared_clientele(
    places: Mapping[int, PlaceInfo], flows: Iterable[Flow]
) -> list[dict[str, Any]]:
    """For each pair of hubs serving common places: how many places both serve, and the
    beneficiaries the two hubs served to those places together.

    The weighted projection onto hubs only, built from the place -> hubs incidence:
    O(sum over served places of deg^2), never a projection onto all places.
    """
    hubs_of: dict[int, dict[int, int]] = defaultdict(dict)
    for flow in flows:
        if flow.host != flow.place and flow.beneficiaries > 0:
            if flow.host in places and flow.place in places:
                hubs_of[flow.place][flow.host] = flow.beneficiaries
    pairs: dict[tuple[int, int], list[int]] = {}
    for served in hubs_of.values():
        hosts = sorted(served, key=lambda h: places[h].slug)
        for i, a in enumerate(hosts):
            for b in hosts[i + 1:]:
                entry = pairs.setdefault((a, b), [0, 0])
                entry[0] += 1
                entry[1] += served[a] + served[b]
    items = [
        {
            "hub_a": places[a].slug,
            "name_a": places[a].name,
            "hub_b": places[b].slug,
            "name_b": places[b].name,
            "places": count,
            "beneficiaries": beneficiaries,
        }
        for (a, b), (count, beneficiaries) in pairs.items()
    ]
    items.sort(key=lambda p: (-p["places"], -p["beneficiaries"], p["hub_a"], p["hub_b"]))
    return items


def unserved_tiers_lieux(
    places: Mapping[int, PlaceInfo], flows: Iterable[Flow]
) -> list[dict[str, Any]]:
    """Tiers-lieux that no place served (beneficiaries > 0) and with no labelled
    fabrique within 30 km, with the distance to the nearest one."""
    served = {f.place for f in flows if f.host != f.place and f.beneficiaries > 0}
    hubs = sorted((p.lat, p.lon, p.slug) for p in places.values() if p.is_hub_kind)
    lats = [h[0] for h in hubs]
    # A great-circle distance is at least R * |delta latitude|: only hubs inside this
    # latitude band can be within the radius.
    band = math.degrees(UNSERVED_RADIUS_KM / EARTH_RADIUS_KM)
    items = []
    for place in places.values():
        if place.kind != "tiers_lieu" or place.id in served:
            continue
        lo = bisect.bisect_left(lats, place.lat - band)
        hi = bisect.bisect_right(lats, place.lat + band)
        if any(
            haversine_km(place.lat, place.lon, lat, lon) <= UNSERVED_RADIUS_KM
            for lat, lon, _ in hubs[lo:hi]
        ):
            continue
        nearest = min(
            (haversine_km(place.lat, place.lon, lat, lon) for lat, lon, _ in hubs), default=None
        )
        items.append(
            {
                "slug": place.slug,
                "name": place.name,
                "departement": place.departement,
                "region": place.region,
                "territory": place.territory,
                "lat": place.lat,
                "lon": place.lon,
                "nearest_hub_km": nearest,
            }
        )
    items.sort(key=lambda p: (p["departement"], p["slug"]))
    return items


def territory_breakdown(
    places: Mapping[int, PlaceInfo], flows: Iterable[Flow]
) -> dict[str, dict[str, Any]]:
    """Per territory of the served place: places, places served, bookings, beneficiaries,
    hours, and the share of all beneficiaries."""
    rows: dict[str, dict[str, Any]] = {
        t: {"places": 0, "tiers_lieux": 0, "places_served": 0, "bookings": 0,
            "beneficiaries": 0, "hours": 0.0, "beneficiaries_share": None}
        for t in TERRITORIES
    }
    for place in places.values():
        row = rows.get(place.territory)
        if row is None:
            continue
        row["places"] += 1
        if place.kind == "tiers_lieu":
            row["tiers_lieux"] += 1
    served: set[int] = set()
    for flow in flows:
        if flow.host == flow.place or flow.place not in places:
            continue
        row = rows.get(places[flow.place].territory)
        if row is None:
            continue
        row["bookings"] += flow.bookings
        row["beneficiaries"] += flow.beneficiaries
        row["hours"] += flow.hours
        if flow.beneficiaries > 0 and flow.place not in served:
            served.add(flow.place)
            row["places_served"] += 1
    total = sum(r["beneficiaries"] for r in rows.values())
    for row in rows.values():
        row["beneficiaries_share"] = row["beneficiaries"] / total if total else None
    return rows


def coverage_by_departement(
    places: Mapping[int, PlaceInfo],
    flows: Iterable[Flow],
    hubs: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """One row per département of the reference (all 101), in code order.

    Counts of places located there; `places_served`, `bookings`, `beneficiaries`:
    what the places located there received from other places; `beneficiaries_provided`:
    what the places located there served to others; `hubs_active`: places located
    there with a multiplier above 0.
    """
    rows: dict[str, dict[str, Any]] = {}
    for code, dep in DEPARTEMENTS.items():
        region = REGIONS.get(dep.region_code)
        rows[code] = {
            "code": code,
            "name": dep.name,
            "region": dep.region_code,
            "region_name": region.name if region else "",
            "fabriques": 0,
            "fabriques_numeriques": 0,
            "tiers_lieux": 0,
            "places_served": 0,
            "bookings": 0,
            "beneficiaries": 0,
            "beneficiaries_provided": 0,
            "hubs_active": 0,
        }
    kind_column = {"fabrique": "fabriques", "fabrique_numerique": "fabriques_numeriques",
                   "tiers_lieu": "tiers_lieux"}
    for place in places.values():
        row = rows.get(place.departement)
        if row is not None and place.kind in kind_column:
            row[kind_column[place.kind]] += 1
    served: set[int] = set()
    for flow in flows:
        if flow.host == flow.place or flow.place not in places or flow.host not in places:
            continue
        row = rows.get(places[flow.place].departement)
        if row is not None:
            row["bookings"] += flow.bookings
            row["beneficiaries"] += flow.beneficiaries
            if flow.beneficiaries > 0 and flow.place not in served:
                served.add(flow.place)
                row["places_served"] += 1
        provider = rows.get(places[flow.host].departement)
        if provider is not None:
            provider["beneficiaries_provided"] += flow.beneficiaries
    for hub in hubs:
        row = rows.get(hub["departement"])
        if row is not None and hub["multiplier"] > 0:
            row["hubs_active"] += 1
    for row in rows.values():
        row["without_fabrique"] = row["fabriques"] + row["fabriques_numeriques"] == 0
    return [rows[code] for code in sorted(rows, key=_departement_order)]


def coverage_by_region(departements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The département rows summed per région (all 18)."""
    summed = ("fabriques", "fabriques_numeriques", "tiers_lieux", "places_served",
              "bookings", "beneficiaries", "beneficiaries_provided", "hubs_active")
    rows = {
        code: {"code": code, "name": region.name, "departements": 0,
               "departements_without_fabrique": 0, **{k: 0 for k in summed}}
        for code, region in REGIONS.items()
    }
    for dep in departements:
        row = rows.get(dep["region"])
        if row is None:
            continue
        row["departements"] += 1
        row["departements_without_fabrique"] += int(dep["without_fabrique"])
        for key in summed:
            row[key] += dep[key]
    return [rows[code] for code in sorted(rows)]


def _departement_order(code: str) -> tuple[int, str]:
    # Corsica ("2A", "2B") between "19" and "21"; overseas ("971"...) after "95".
    return (20, code) if code in ("2A", "2B") else (int(code), code)


def monthly_by_territory(
    rows: Iterable[tuple[str, str, int, int]],
    month_rows: Iterable[tuple[str, str, int, int]] = (),
) -> dict[str, Any]:
    """Bookings and beneficiaries per Paris month and territory of the served place.

    `rows`: (UTC hour "YYYY-MM-DD HH", territory, bookings, beneficiaries), as the
    database groups them: the hour lets each booking fall in its Paris month.
    `month_rows`: (Paris month "YYYY-MM", territory, bookings, beneficiaries), already
    per month (the maintained aggregates).
    """
    months: dict[str, dict[str, list[int]]] = defaultdict(
        lambda: {t: [0, 0] for t in TERRITORIES}
    )
    month_of_hour: dict[str, str] = {}

    def add(month: str, territory: str, bookings: int | None, beneficiaries: int | None) -> None:
        cell = months[month].setdefault(territory, [0, 0])
        cell[0] += int(bookings or 0)
        cell[1] += int(beneficiaries or 0)

    for hour, territory, bookings, beneficiaries in rows:
        month = month_of_hour.get(hour)
        if month is None:
            instant = datetime.strptime(hour[:13], "%Y-%m-%d %H").replace(tzinfo=ZoneInfo("UTC"))
            month = month_of_hour[hour] = instant.astimezone(PARIS).strftime("%Y-%m")
        add(month, territory, bookings, beneficiaries)
    for month, territory, bookings, beneficiaries in month_rows:
        add(month, territory, bookings, beneficiaries)
    labels = sorted(months)
    return {
        "months": labels,
        "territories": {
            t: {
                "bookings": [months[m][t][0] for m in labels],
                "beneficiaries": [months[m][t][1] for m in labels],
            }
            for t in TERRITORIES
        },
    }
