"""What the network pages show: the dashboard's map, a région's graph for Cytoscape, a
hub's figures beside the network median."""
from __future__ import annotations

from typing import Any

from flask import current_app

from hub.reference import DEPARTEMENTS, REGIONS
from hub.rules import labels
from hub.rules import network as metrics
from hub.services.network import Snapshot

FIGURE_LABELS = {
    "multiplier": "Effet multiplicateur (M)",
    "effective_reach": "Portée effective (N)",
    "inclusion": "Inclusion (Q)",
    "spread": "Rayonnement (D)",
    "bridging": "Décloisonnement (P)",
    "places_served": "Lieux servis (R)",
    "bookings": "Réservations",
    "beneficiaries": "Bénéficiaires",
    "hours": "Heures",
    "median_km": "Distance médiane (km)",
    "sole_provider_share": "Part de lieux servis par elle seule",
}
COMPARISON_COLUMNS = [
    ("figure", "Indicateur"), ("key", "Clé"), ("value", "Votre lieu"),
    ("median", "Médiane des fabriques"),
]


def comparison_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """A hub's figures beside the network median, one row per figure."""
    hub, medians = figures["hub"], figures["medians"]
    return [
        {"figure": FIGURE_LABELS[key], "key": key, "value": hub[key], "median": medians[key]}
        for key in metrics.COMPARED_FIGURES
    ]


def tile_url() -> str:
    return current_app.config.get("MAP_TILE_URL") or ""


def region_elements(snap: Snapshot, region: str) -> dict[str, Any]:
    """The région's graph for Cytoscape: nodes placed by their coordinates, hubs sized
    by multiplier; places outside the région that exchange with it, dimmed."""
    graph = metrics.subgraph_of_region(snap.graph, region)
    multiplier = {h["slug"]: h["multiplier"] for h in snap.hubs}
    nodes = [
        {
            "data": {
                "id": slug,
                "label": data["name"],
                "kind": data["kind"],
                "departement": data["departement"],
                "multiplier": round(multiplier.get(slug, 0.0), 3),
                "outside": data["outside"],
            },
            # Equirectangular projection, north up; one degree of longitude is 1,000
            # units, so that a région fits the canvas at a zoom of about 1/3.
            "position": {"x": data["lon"] * 1000.0, "y": -data["lat"] * 1400.0},
        }
        for slug, data in graph.nodes(data=True)
    ]
    edges = [
        {"data": {"id": f"{u}->{v}", "source": u, "target": v,
                  "beneficiaries": d["beneficiaries"], "bookings": d["bookings"]}}
        for u, v, d in graph.edges(data=True)
    ]
    return {"nodes": nodes, "edges": edges,
            "hubs": sum(1 for n in nodes if n["data"]["kind"] in metrics.HUB_KINDS
                        and not n["data"]["outside"]),
            "places": sum(1 for n in nodes if not n["data"]["outside"]),
            "flows": len(edges)}


def map_data(snap: Snapshot, top_flows: int = 300) -> dict[str, Any]:
    """What the dashboard's map draws: hubs with coordinates and multiplier, and the
    largest flows (by beneficiaries) as lines."""
    places = snap.places
    hubs = [
        {k: h[k] for k in ("slug", "name", "kind", "lat", "lon", "multiplier",
                           "places_served", "beneficiaries", "departement")}
        for h in snap.hubs
    ]
    largest = sorted(snap.flows, key=lambda f: (-f.beneficiaries, -f.bookings, f.host, f.place))
    flows = [
        {
            "from": [places[f.host].lat, places[f.host].lon],
            "to": [places[f.place].lat, places[f.place].lon],
            "host": places[f.host].name,
            "place": places[f.place].name,
            "beneficiaries": f.beneficiaries,
            "bookings": f.bookings,
        }
        for f in largest[:top_flows]
        if f.host in places and f.place in places
    ]
    departements = [
        {"code": d.code, "name": d.name, "lat": d.lat, "lon": d.lon}
        for d in DEPARTEMENTS.values()
    ]
    return {"hubs": hubs, "flows": flows, "departements": departements,
            "flows_total": len(snap.flows), "flows_shown": len(flows)}


# ---------------------------------------------------------------- plain words

# The ranking as a page shows it: names and labels, no identifiers or codes (the export
# keeps them, in columns of their own).
PAGE_HUB_COLUMNS = [
    ("rank", "Rang"), ("name", "Nom"), ("kind_label", "Type"),
    ("departement_name", "Département"), ("region_name", "Région"),
    ("multiplier", "Effet multiplicateur (M)"), ("effective_reach", "Portée effective (N)"),
    ("inclusion", "Inclusion (Q)"), ("spread", "Rayonnement (D)"),
    ("bridging", "Décloisonnement (P)"), ("places_served", "Lieux servis (R)"),
    ("bookings", "Réservations"), ("beneficiaries", "Bénéficiaires"), ("hours", "Heures"),
    ("median_km", "Distance médiane (km)"),
    ("sole_provider_share", "Part de lieux servis par elle seule"),
    ("activation", "Lieux nouvellement servis"), ("subsidy_eur", "Subvention (€)"),
    ("bookings_per_50k", "Réservations pour 50 000 €"),
    ("beneficiaries_per_50k", "Bénéficiaires pour 50 000 €"),
]
PAGE_DEPARTEMENT_COLUMNS = [
    ("code", "Code"), ("name", "Département"), ("region_name", "Région"),
    ("fabriques", "Fabriques"), ("fabriques_numeriques", "Fabriques numériques"),
    ("tiers_lieux", "Tiers-lieux"), ("places_served", "Lieux servis"),
    ("bookings", "Réservations reçues"), ("beneficiaries", "Bénéficiaires reçus"),
    ("beneficiaries_provided", "Bénéficiaires servis par les lieux du département"),
    ("hubs_active", "Lieux actifs (M > 0)"), ("without_fabrique", "Sans fabrique"),
]
PAGE_REGION_COLUMNS = [
    ("name", "Région"), ("departements", "Départements"),
    ("departements_without_fabrique", "Départements sans fabrique"),
    ("fabriques", "Fabriques"), ("fabriques_numeriques", "Fabriques numériques"),
    ("tiers_lieux", "Tiers-lieux"), ("places_served", "Lieux servis"),
    ("bookings", "Réservations reçues"), ("beneficiaries", "Bénéficiaires reçus"),
    ("beneficiaries_provided", "Bénéficiaires servis"), ("hubs_active", "Lieux actifs"),
]


def departement_name(code: str) -> str:
    dep = DEPARTEMENTS.get(code)
    return dep.name if dep else code


def region_name(code: str) -> str:
    region = REGIONS.get(code)
    return region.name if region else code


def with_labels(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with the names beside their codes: kind, territory, département, région."""
    out = []
    for row in rows:
        extra: dict[str, Any] = {}
        if "kind" in row:
            extra["kind_label"] = labels.label(labels.PLACE_KIND, row["kind"])
        if "territory" in row:
            extra["territory_label"] = labels.label(labels.TERRITORY, row["territory"])
        if "departement" in row:
            extra["departement_name"] = departement_name(row["departement"])
        if "region" in row and "region_name" not in row:
            extra["region_name"] = region_name(row["region"])
        out.append({**row, **extra})
    return out


def community_rows(snap: Snapshot, communities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Communities with their fabriques' names and their départements' names."""
    names = {place.slug: place.name for place in snap.places.values()}
    return [
        {**c, "hub_count": len(c["hubs"]),
         "departements": [departement_name(d) for d in c["departements"][:5]],
         "hubs": [names.get(slug, slug) for slug in c["hubs"][:8]]}
        for c in communities
    ]


def chart_data(snap: Snapshot) -> dict[str, Any]:
    """What the dashboard's charts draw, months in words ("juin 2026")."""
    monthly = snap.monthly
    return {"monthly": monthly, "territories": snap.summary()["by_territory"],
            "month_labels": [labels.month_label(m) for m in monthly["months"]]}
