"""API: yearly reports of a place (its managers, admin, anct) and of the network (admin, anct)."""
from __future__ import annotations

from flask import Response, jsonify, request

from hub.api.auth import auth_required, current_api_user
from hub.api.blueprint import bp
from hub.api.spec import error_response, json_response
from hub.services import network as network_service
from hub.services import pdf
from hub.services import reports


def _place_report(slug: str) -> dict:
    # Who may read first (404/403), then the year (422): a stranger learns nothing.
    place = network_service.may_read_hub(current_api_user(), slug)
    year = reports.parse_year(request.args.get("year"))
    return reports.place_report(reports.read_year(year, host=place), place)


def _network_year() -> reports.YearData:
    network_service.check_reader(current_api_user())
    return reports.read_year(reports.parse_year(request.args.get("year")))


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/places/<slug>/report")
@auth_required
def place_report(slug: str):  # type: ignore[no-untyped-def]
    return jsonify(_place_report(slug))


@bp.get("/places/<slug>/report.csv")
@auth_required
def place_report_csv(slug: str):  # type: ignore[no-untyped-def]
    report = _place_report(slug)
    return _download(reports.place_report_csv(report), "text/csv",
                     reports.report_filename(report, "csv"))


@bp.get("/places/<slug>/report.pdf")
@auth_required
def place_report_pdf(slug: str):  # type: ignore[no-untyped-def]
    report = _place_report(slug)
    return _download(pdf.place_report_pdf(report), "application/pdf",
                     reports.report_filename(report, "pdf"))


@bp.get("/network/report")
@auth_required
def network_report():  # type: ignore[no-untyped-def]
    return jsonify(reports.network_report(_network_year()))


@bp.get("/network/report.pdf")
@auth_required
def network_report_pdf():  # type: ignore[no-untyped-def]
    data = _network_year()
    report = reports.network_report(data)
    served = reports.network_served_places(data)
    return _download(pdf.network_report_pdf(report, served), "application/pdf",
                     reports.report_filename(report, "pdf"))


# ---------------------------------------------------------------- OpenAPI

_YEAR = {
    "name": "year", "in": "query", "required": True,
    "description": "L'année du rapport, de 2019 à l'année prochaine (du 1er janvier au 1er janvier suivant, heure de Paris).",
    "schema": {"type": "string"},
}
_SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
_FIGURES = {
    "type": "object",
    "required": ["bookings", "beneficiaries", "hours"],
    "properties": {"bookings": {"type": "integer"}, "beneficiaries": {"type": "integer"},
                   "hours": {"type": "number"}},
}
_PLACE_REPORT = {
    "type": "object",
    "required": ["place", "year", "host", "booker"],
    "properties": {
        "place": {"type": "object", "required": ["slug", "name"]},
        "year": {"type": "integer"},
        "host": {
            "type": "object",
            "required": ["bookings", "beneficiaries", "hours", "places_served", "multiplier",
                         "by_kind", "by_territory", "monthly", "trainings", "incubations"],
            "properties": {
                "bookings": {"type": "integer"}, "beneficiaries": {"type": "integer"},
                "hours": {"type": "number"}, "places_served": {"type": "integer"},
                "multiplier": {"type": "number"},
                "places_served_first_time": {
                    "type": "integer",
                    "description": "Lieux servis dans l'année que ce lieu n'avait jamais servis avant"},
                "people_trained": {"type": "integer",
                                   "description": "Places de formation suivies (présence constatée)"},
                "by_kind": {"type": "object", "additionalProperties": _FIGURES},
                "by_territory": {"type": "object", "additionalProperties": _FIGURES},
                "monthly": {"type": "array", "items": {
                    **_FIGURES, "required": ["month", "bookings", "beneficiaries", "hours"],
                    "properties": {**_FIGURES["properties"], "month": {"type": "string"}}}},
                "trainings": {"type": "object", "required": ["sessions", "seats", "attended"],
                              "properties": {k: {"type": "integer"} for k in ("sessions", "seats", "attended")}},
                "incubations": {"type": "integer"},
            },
        },
        "booker": {"type": "object", "required": ["bookings", "beneficiaries", "hours", "hubs_used"],
                   "properties": {**_FIGURES["properties"], "hubs_used": {"type": "integer"}}},
    },
}
_COUNTS = {k: {"type": "integer"} for k in ("bookings", "beneficiaries", "hubs", "places_served")}
_NETWORK_REPORT = {
    "type": "object",
    "required": ["year", "national", "regions"],
    "properties": {
        "year": {"type": "integer"},
        "national": {"type": "object",
                     "required": ["bookings", "beneficiaries", "hours", "hubs", "places_served"],
                     "properties": {**_COUNTS, "hours": {"type": "number"}}},
        "regions": {"type": "array", "items": {
            "type": "object",
            "required": ["code", "name", "bookings", "beneficiaries", "hours", "hubs", "places_served"],
            "properties": {**_COUNTS, "code": {"type": "string"}, "name": {"type": "string"},
                           "hours": {"type": "number"}}}},
    },
}
_PDF = {"description": "Le rapport en PDF (A4, en français, avec ses graphiques)",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
_CSV = {"description": "Le rapport en CSV (UTF-8 avec BOM, séparateur ;), libellés en français et codes en colonnes à part",
        "content": {"text/csv": {"schema": {"type": "string"}}}}
_PLACE_ERRORS = {
    "401": error_response("Jeton manquant ou invalide (`unauthenticated`)"),
    "403": error_response("Réservé aux gestionnaires du lieu, à l'ANCT et aux administrateurs (`forbidden`)"),
    "404": error_response("Lieu inconnu (`not_found`)"),
    "422": error_response("Année invalide (`invalid`, `fields.year`)"),
}
_NETWORK_ERRORS = {
    "401": _PLACE_ERRORS["401"],
    "403": error_response("Réservé à l'ANCT et aux administrateurs (`forbidden`)"),
    "422": _PLACE_ERRORS["422"],
}


def _get(summary: str, ok: dict, params: list, errors: dict) -> dict:
    return {"get": {"summary": summary, "tags": ["Rapports"], "parameters": params,
                    "responses": {"200": ok, **errors}}}


SPEC: dict = {
    "/api/v1/places/{slug}/report": _get(
        "Le rapport annuel d'un lieu : ce qu'il a servi, ce qu'il a réservé",
        json_response(_PLACE_REPORT, "Le rapport, mêmes chiffres que /network/hubs sur l'année"),
        [_SLUG, _YEAR], _PLACE_ERRORS),
    "/api/v1/places/{slug}/report.csv": _get(
        "Le rapport annuel d'un lieu en CSV", _CSV, [_SLUG, _YEAR], _PLACE_ERRORS),
    "/api/v1/places/{slug}/report.pdf": _get(
        "Le rapport annuel d'un lieu en PDF", _PDF, [_SLUG, _YEAR], _PLACE_ERRORS),
    "/api/v1/network/report": _get(
        "Le rapport annuel du réseau : totaux nationaux et par région (région du lieu hôte)",
        json_response(_NETWORK_REPORT, "Le rapport du réseau"), [_YEAR], _NETWORK_ERRORS),
    "/api/v1/network/report.pdf": _get(
        "Le rapport annuel du réseau en PDF", _PDF, [_YEAR], _NETWORK_ERRORS),
}
