"""What the network pages show: the dashboard's map, a région's graph for Cytoscape, a
hub's figures beside the network median."""
from __future__ import annotations

from typing import Any

from flask import current_app

from hub.reference import DEPARTEMENTS
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
