"""API: the network as ANCT sees it (/api/v1/network/...), admin and anct only."""
from __future__ import annotations

from typing import Any

import networkx as nx
from flask import Response, jsonify, request

from hub.api.auth import auth_required, current_api_user
from hub.api.blueprint import bp
from hub.api.parsing import PAGE_PARAMETERS, page_args
from hub.api.spec import error_response, json_response
from hub.errors import Invalid
from hub.services import exports
from hub.services import network as network_service


def _snapshot() -> network_service.Snapshot:
    network_service.check_reader(current_api_user())
    return network_service.snapshot(network_service.parse_period(request.args))


def _wants_csv() -> bool:
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise Invalid("Format inconnu.", fields={"format": "Choisissez json ou csv."})
    return fmt == "csv"


def _page(items: list[Any]) -> dict[str, Any]:
    page, per_page = page_args()
    start = (page - 1) * per_page
    return {"items": items[start:start + per_page], "total": len(items)}


def _table_response(snap: network_service.Snapshot, table: str, extra: dict | None = None):  # type: ignore[no-untyped-def]
    columns, rows = network_service.table(snap, table)
    if _wants_csv():
        return Response(
            exports.table_csv(columns, rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="reseau-{table}.csv"'},
        )
    body = _page(rows)
    body["period"] = snap.period.as_dict()
    if extra:
        body.update(extra)
    return jsonify(body)


@bp.get("/network/hubs")
@auth_required
def network_hubs():  # type: ignore[no-untyped-def]
    return _table_response(_snapshot(), "lieux")


@bp.get("/network/hubs/<slug>")
@auth_required
def network_hub(slug: str):  # type: ignore[no-untyped-def]
    snap = _snapshot()
    return jsonify(network_service.hub_with_medians(snap, slug))


@bp.get("/network/summary")
@auth_required
def network_summary():  # type: ignore[no-untyped-def]
    return jsonify(_snapshot().summary())


@bp.get("/network/graph")
@auth_required
def network_graph():  # type: ignore[no-untyped-def]
    snap = _snapshot()
    region = request.args.get("region") or None
    if region is None:
        return Response(snap.graph_json(), mimetype="application/json")

    def build() -> dict[str, Any]:
        graph = network_service.region_graph(snap, region)
        data = nx.node_link_data(graph, edges="links")
        data["graph"] = {"period": snap.period.as_dict(), "region": region}
        return data

    return jsonify(snap.memo(f"graph-json:{region}", build))


@bp.get("/network/departements")
@auth_required
def network_departements():  # type: ignore[no-untyped-def]
    return _table_response(_snapshot(), "departements")


@bp.get("/network/regions")
@auth_required
def network_regions():  # type: ignore[no-untyped-def]
    return _table_response(_snapshot(), "regions")


@bp.get("/network/communities")
@auth_required
def network_communities():  # type: ignore[no-untyped-def]
    snap = _snapshot()
    found = snap.communities
    return jsonify(
        {
            "items": found["communities"],
            "total": len(found["communities"]),
            "bridging_hubs": found["bridging_hubs"],
            "period": snap.period.as_dict(),
        }
    )


@bp.get("/network/shared-clientele")
@auth_required
def network_shared_clientele():  # type: ignore[no-untyped-def]
    return _table_response(_snapshot(), "clientele-partagee")


@bp.get("/network/unserved")
@auth_required
def network_unserved():  # type: ignore[no-untyped-def]
    return _table_response(_snapshot(), "non-desservis")


@bp.get("/network/monthly")
@auth_required
def network_monthly():  # type: ignore[no-untyped-def]
    snap = _snapshot()
    if _wants_csv():
        return _table_response(snap, "mensuel")
    return jsonify({**snap.monthly, "period": snap.period.as_dict()})


# ---------------------------------------------------------------- OpenAPI

_PERIOD_PARAMS = [
    {
        "name": "from", "in": "query", "required": False,
        "description": "Début (inclus) : date ou date-heure ISO 8601 ; sans décalage, heure de Paris.",
        "schema": {"type": "string"},
    },
    {
        "name": "to", "in": "query", "required": False,
        "description": "Fin (exclue) : date ou date-heure ISO 8601 ; sans décalage, heure de Paris.",
        "schema": {"type": "string"},
    },
]
_PAGE_PARAMS = PAGE_PARAMETERS
_FORMAT_PARAM = {
    "name": "format", "in": "query", "required": False,
    "description": "csv : le tableau complet en CSV (UTF-8 avec BOM, séparateur ;).",
    "schema": {"type": "string", "enum": ["json", "csv"]},
}
_ERRORS = {
    "401": error_response("Jeton manquant ou invalide (`unauthenticated`)"),
    "403": error_response("Réservé à l'ANCT et aux administrateurs (`forbidden`)"),
    "422": error_response("Période ou paramètre invalide (`invalid`, avec `fields`)"),
}
_NUM = {"type": ["number", "null"]}
_INT = {"type": "integer"}
_HUB_SCHEMA = {
    "type": "object",
    "required": ["slug", "name", "kind", "places_served", "bookings", "beneficiaries",
                 "hours", "multiplier"],
    "properties": {
        "rank": _INT, "slug": {"type": "string"}, "name": {"type": "string"},
        "kind": {"type": "string"}, "departement": {"type": "string"},
        "region": {"type": "string"}, "territory": {"type": "string"},
        "lat": {"type": "number"}, "lon": {"type": "number"},
        "places_served": _INT, "bookings": _INT, "beneficiaries": _INT,
        "hours": {"type": "number", "description": "Heures d'utilisation (hors incubation)"},
        "incubation_hours": {"type": "number", "description": "Heures d'incubation, comptées à part"},
        "verified_share": {**_NUM, "description": "Part des bénéficiaires issus d'une présence constatée"},
        "multiplier": {"type": "number", "description": "M = N × (1 + (Q + D + P) / 3)"},
        "effective_reach": {"type": "number", "description": "N = exp(−Σ p ln p)"},
        "inclusion": {**_NUM, "description": "Q : part des bénéficiaires en QPV ou rural"},
        "spread": {**_NUM, "description": "D = Σ p × min(1, km / 30)"},
        "bridging": {**_NUM, "description": "P = 1 − Σ_d (Σ_{s∈d} p)²"},
        "median_km": _NUM, "sole_provider_share": _NUM,
        "activation": {"type": ["integer", "null"],
                       "description": "Lieux servis non servis la période précédente (période bornée seulement)"},
        "subsidy_eur": {"type": ["integer", "null"]},
        "bookings_per_50k": _NUM, "beneficiaries_per_50k": _NUM,
    },
}


def _list_of(schema: dict) -> dict:
    return {
        "type": "object",
        "properties": {"items": {"type": "array", "items": schema}, "total": _INT,
                       "period": {"type": "object"}},
    }


def _ok(description: str, schema: dict | None = None, csv: bool = False) -> dict:
    # Description first: it reads as the heading of the long schemas below.
    return json_response(schema or {"type": "object"}, description, csv=csv)


def _get(summary: str, ok: dict, params: list, extra_errors: dict | None = None) -> dict:
    responses = {"200": ok, **_ERRORS, **(extra_errors or {})}
    return {"get": {"summary": summary, "tags": ["Réseau"], "parameters": params,
                    "responses": responses}}


SPEC: dict = {
    "/api/v1/network/hubs": _get(
        "Les lieux qui en servent d'autres, par effet multiplicateur décroissant",
        _ok("Les lieux et leurs figures", _list_of(_HUB_SCHEMA), csv=True),
        _PERIOD_PARAMS + _PAGE_PARAMS + [_FORMAT_PARAM],
    ),
    "/api/v1/network/hubs/{slug}": _get(
        "Les figures d'un lieu à côté de la médiane du réseau",
        _ok("Le lieu, les médianes des fabriques labellisées", {
            "type": "object",
            "properties": {"hub": _HUB_SCHEMA, "medians": {"type": "object"},
                           "hubs": _INT, "period": {"type": "object"}},
        }),
        [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}]
        + _PERIOD_PARAMS,
        {"404": error_response("Lieu inconnu ou sans figures (`not_found`)")},
    ),
    "/api/v1/network/summary": _get(
        "Totaux du réseau, par territoire, par département et par région",
        _ok("Le résumé", {"type": "object", "properties": {
            "totals": {"type": "object"}, "by_territory": {"type": "object"},
            "by_departement": {"type": "array"}, "by_region": {"type": "array"},
            "departements_without_fabrique": {"type": "array", "items": {"type": "string"}},
            "period": {"type": "object"}}}),
        _PERIOD_PARAMS,
    ),
    "/api/v1/network/graph": _get(
        "Le graphe des flux de service (JSON node-link de networkx, clé `links`)",
        _ok("nx.node_link_graph(data, edges=\"links\") le relit", {
            "type": "object",
            "required": ["directed", "multigraph", "graph", "nodes", "links"],
            "properties": {"directed": {"type": "boolean"}, "multigraph": {"type": "boolean"},
                           "graph": {"type": "object"}, "nodes": {"type": "array"},
                           "links": {"type": "array"}}}),
        _PERIOD_PARAMS + [{"name": "region", "in": "query", "required": False,
                           "description": "Code INSEE d'une région : ses lieux et les flux qui la touchent",
                           "schema": {"type": "string"}}],
    ),
    "/api/v1/network/departements": _get(
        "Couverture par département (les 101)",
        _ok("Un élément par département", _list_of({"type": "object"}), csv=True),
        _PERIOD_PARAMS + _PAGE_PARAMS + [_FORMAT_PARAM],
    ),
    "/api/v1/network/regions": _get(
        "Couverture par région",
        _ok("Un élément par région", _list_of({"type": "object"}), csv=True),
        _PERIOD_PARAMS + _PAGE_PARAMS + [_FORMAT_PARAM],
    ),
    "/api/v1/network/communities": _get(
        "Communautés de départements (Louvain, ordre des codes) et lieux passerelles",
        _ok("Les communautés, les lieux qui en servent au moins deux", {
            "type": "object", "properties": {
                "items": {"type": "array"}, "total": _INT,
                "bridging_hubs": {"type": "array"}, "period": {"type": "object"}}}),
        _PERIOD_PARAMS,
    ),
    "/api/v1/network/shared-clientele": _get(
        "Clientèle partagée entre lieux (projection pondérée sur les lieux qui servent)",
        _ok("Les paires de lieux et les lieux servis en commun", _list_of({"type": "object"}), csv=True),
        _PERIOD_PARAMS + _PAGE_PARAMS + [_FORMAT_PARAM],
    ),
    "/api/v1/network/unserved": _get(
        "Tiers-lieux que personne ne sert et sans fabrique à moins de 30 km",
        _ok("Les tiers-lieux", _list_of({"type": "object"}), csv=True),
        _PERIOD_PARAMS + _PAGE_PARAMS + [_FORMAT_PARAM],
    ),
    "/api/v1/network/monthly": _get(
        "Réservations et bénéficiaires par mois (heure de Paris) et territoire",
        _ok("Les séries mensuelles", {"type": "object", "properties": {
            "months": {"type": "array", "items": {"type": "string"}},
            "territories": {"type": "object"}}}, csv=True),
        _PERIOD_PARAMS + [_FORMAT_PARAM],
    ),
}
