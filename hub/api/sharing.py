"""API: deeper sharing. Loans (checkout, return), series, qualifications that expire,
trainings recognised across hubs."""
from __future__ import annotations

from flask import jsonify, request

from hub.api.auth import auth_required, current_api_user, current_api_user_id
from hub.api.blueprint import bp
from hub.api.bookings import BOOKING, E400, E401, E404, ID_PARAM, _respond
from hub.api.parsing import PAGE_PARAMETERS, json_body, page_args
from hub.api.spec import error_response, json_response
from hub.extensions import db
from hub.services import bookings, loans, qualifications, series
from hub.rules.validation import MAX_ID
from models import SERIES_EVERY


def _optional_body() -> dict:
    return json_body() if request.get_data(cache=True) else {}


@bp.post("/bookings/<booking_id>/checkout")
@auth_required
def checkout_loan(booking_id: str):  # type: ignore[no-untyped-def]
    data = _optional_body()
    user = current_api_user()
    return _respond(loans.checkout(bookings.get_visible_booking(user, booking_id), user, data))


@bp.post("/bookings/<booking_id>/return")
@auth_required
def return_loan(booking_id: str):  # type: ignore[no-untyped-def]
    data = _optional_body()
    user = current_api_user()
    return _respond(loans.return_loan(bookings.get_visible_booking(user, booking_id), user, data))


@bp.post("/resources/<resource_id>/series")
@auth_required
def create_series(resource_id: str):  # type: ignore[no-untyped-def]
    body = series.create_series(resource_id, current_api_user_id(), json_body())
    db.session.commit()
    return jsonify(body), 201


@bp.post("/series/<series_id>/cancel")
@auth_required
def cancel_series(series_id: str):  # type: ignore[no-untyped-def]
    _optional_body()
    body = series.cancel_series(series_id, current_api_user())
    db.session.commit()
    return jsonify(body)


@bp.get("/me/qualifications")
@auth_required
def my_qualifications():  # type: ignore[no-untyped-def]
    page, per_page = page_args()
    items = qualifications.qualifications_of_user(current_api_user())
    return jsonify({"items": items[(page - 1) * per_page:page * per_page], "total": len(items)})


@bp.post("/resources/<resource_id>/recognitions")
@auth_required
def add_recognition(resource_id: str):  # type: ignore[no-untyped-def]
    rec = qualifications.add_recognition(resource_id, current_api_user(), json_body())
    body = qualifications.recognition_dict(rec)
    db.session.commit()
    return jsonify(body), 201


@bp.delete("/resources/<resource_id>/recognitions/<other_id>")
@auth_required
def remove_recognition(resource_id: str, other_id: str):  # type: ignore[no-untyped-def]
    qualifications.remove_recognition(resource_id, other_id, current_api_user())
    db.session.commit()
    return "", 204


@bp.get("/network/recognitions")
@auth_required
def network_recognitions():  # type: ignore[no-untyped-def]
    return jsonify(qualifications.recognition_network(current_api_user()))


# ---------------------------------------------------------------- OpenAPI

ONE = json_response(BOOKING, "La réservation")
RESOURCE_PARAM = {"name": "resource_id", "in": "path", "required": True,
                  "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
E403_HOST = error_response("Réservé aux gestionnaires du lieu hôte (`forbidden`)")
E422 = error_response("Données invalides (`invalid`, avec `fields`)")
PERIOD_ITEM = {
    "type": "object",
    "properties": {"start": {"type": "string", "format": "date-time"},
                   "end": {"type": "string", "format": "date-time"}, "code": {"type": "string"}},
}
SERIES = {
    "type": "object",
    "required": ["id", "bookings", "skipped"],
    "properties": {"id": {"type": "integer"}, "bookings": {"type": "array", "items": BOOKING},
                   "skipped": {"type": "array", "items": PERIOD_ITEM}},
}
PLACE_OF_TRAINING = {
    "training": {"type": "integer"}, "training_name": {"type": "string"},
    "place": {"type": "string"}, "place_name": {"type": "string"},
}
QUALIFICATION = {
    "type": "object",
    "required": ["training", "place", "obtained_at", "valid_until"],
    "properties": {
        **PLACE_OF_TRAINING,
        "obtained_at": {"type": "string", "format": "date-time"},
        "valid_until": {"type": ["string", "null"], "format": "date-time"},
        "valid": {"type": "boolean"},
        "recognised_by": {"type": "array", "items": {"type": "object", "properties": PLACE_OF_TRAINING},
                          "description": "Les formations (d'autres lieux) pour lesquelles elle compte."},
    },
}
RECOGNITION = {
    "type": "object",
    "properties": {"resource": {"type": "integer"}, **PLACE_OF_TRAINING,
                   "created_at": {"type": "string", "format": "date-time"}},
}
LOAN_STATE = error_response("Pas un prêt confirmé (remise) ou pas sorti (retour) (`invalid_state`) ; "
                            "matériel occupé ou pas encore revenu (`unavailable`)")

SPEC: dict = {
    "/api/v1/bookings/{booking_id}/checkout": {"post": {
        "summary": "Remettre un prêt de matériel (gestionnaires du lieu hôte)",
        "description": "confirmed -> out, aussi avant le début (le début passe alors à la remise).",
        "parameters": [ID_PARAM],
        "requestBody": {"required": False, "content": {"application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": ONE, "400": E400, "401": E401, "403": E403_HOST, "404": E404, "409": LOAN_STATE},
    }},
    "/api/v1/bookings/{booking_id}/return": {"post": {
        "summary": "Enregistrer le retour d'un prêt (gestionnaires du lieu hôte)",
        "description": "out -> returned ; `condition` note l'état du matériel rendu.",
        "parameters": [ID_PARAM],
        "requestBody": {"required": False, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"condition": {"type": "string", "maxLength": 2000}}}}}},
        "responses": {"200": ONE, "400": E400, "401": E401, "403": E403_HOST, "404": E404,
                      "409": LOAN_STATE, "422": E422},
    }},
    "/api/v1/resources/{resource_id}/series": {"post": {
        "summary": "Réserver en série, chaque jour ou chaque semaine",
        "description": (
            "`start`/`end` : la première occurrence ; `count` (1 à 52) ou `until` (date incluse, 52 "
            "occurrences au plus), pas les deux. Chaque occurrence suit toutes les règles d'une réservation "
            "seule ; une règle enfreinte refuse toute la série. Une capacité ou un quota pris (409) la "
            "refuse aussi, sauf avec `skip_conflicts` : l'occurrence est alors omise et listée dans `skipped`."
        ),
        "parameters": [RESOURCE_PARAM],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["place", "start", "end", "every"],
            "properties": {
                "place": {"type": "string", "minLength": 1, "maxLength": 120},
                "start": {"type": "string", "format": "date-time"},
                "end": {"type": "string", "format": "date-time"},
                "every": {"enum": list(SERIES_EVERY)},
                "count": {"type": "integer", "minimum": 1, "maximum": series.MAX_OCCURRENCES},
                "until": {"type": "string", "format": "date"},
                "skip_conflicts": {"type": "boolean", "default": False},
                "quantity": {"type": "integer", "minimum": 1},
                "beneficiaries": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
                "note": {"type": "string", "maxLength": 5000},
            },
        }}}},
        "responses": {
            "201": json_response(SERIES, "La série, ses réservations et les occurrences omises"),
            "400": E400, "401": E401,
            "403": error_response("Pas membre du lieu (`forbidden`), formation manquante (`prerequisite_missing`)"),
            "404": error_response("Ressource inconnue ou archivée (`not_found`)"),
            "409": error_response("Une occurrence n'a pas de place (`unavailable`, `quota_exceeded`) ou le lieu "
                                  "a un prêt en retard (`overdue_loan`)"),
            "422": E422,
        },
    }},
    "/api/v1/series/{series_id}/cancel": {"post": {
        "summary": "Annuler ce qui reste d'une série",
        "description": "Annule les réservations de la série qui n'ont pas commencé.",
        "parameters": [{"name": "series_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {
            "200": json_response({"type": "object", "required": ["id", "cancelled"], "properties": {
                "id": {"type": "integer"}, "cancelled": {"type": "integer"}}}, "Le nombre de réservations annulées"),
            "400": E400, "401": E401,
            "403": error_response("Ni membre du lieu qui réserve ni gestionnaire du lieu hôte (`forbidden`)"),
            "404": error_response("Série inconnue ou invisible (`not_found`)"),
        },
    }},
    "/api/v1/me/qualifications": {"get": {
        "summary": "Mes qualifications, leur validité et où elles sont reconnues",
        "parameters": PAGE_PARAMETERS,
        "responses": {
            "200": json_response({"type": "object", "properties": {
                "items": {"type": "array", "items": QUALIFICATION}, "total": {"type": "integer"}}},
                "Les qualifications"),
            "401": E401, "422": error_response("Pagination hors bornes (`invalid`)"),
        },
    }},
    "/api/v1/resources/{resource_id}/recognitions": {"post": {
        "summary": "Reconnaître une autre formation pour celle-ci (gestionnaires du lieu hôte)",
        "description": "Une qualification valide pour `training`, obtenue dans n'importe quel lieu, "
                       "satisfait alors les prérequis que satisfait cette formation.",
        "parameters": [RESOURCE_PARAM],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["training"],
            "properties": {"training": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}}}}},
        "responses": {
            "201": json_response(RECOGNITION, "La reconnaissance"),
            "400": E400, "401": E401,
            "403": error_response("Pas gestionnaire du lieu de cette formation (`forbidden`)"),
            "404": error_response("Ressource inconnue (`not_found`)"),
            "409": error_response("Déjà reconnue (`duplicate`)"),
            "422": error_response("Pas une formation, ou elle-même (`invalid`, avec `fields`)"),
        },
    }},
    "/api/v1/resources/{resource_id}/recognitions/{other_id}": {"delete": {
        "summary": "Retirer une reconnaissance",
        "parameters": [RESOURCE_PARAM, {"name": "other_id", "in": "path", "required": True,
                                        "schema": {"type": "integer"}}],
        "responses": {
            "204": {"description": "La reconnaissance est retirée"},
            "401": E401,
            "403": error_response("Pas gestionnaire du lieu de cette formation (`forbidden`)"),
            "404": error_response("Ressource ou reconnaissance inconnue (`not_found`)"),
        },
    }},
    "/api/v1/network/recognitions": {"get": {
        "summary": "Le graphe des reconnaissances entre lieux (admin, ANCT), JSON node-link de networkx",
        "description": "Un lien A -> B : une formation de A accepte une qualification d'une formation de B. "
                       "`graph` : réciprocité, composantes.",
        "responses": {
            "200": json_response({"type": "object", "required": ["nodes", "links", "graph"], "properties": {
                "directed": {"type": "boolean"}, "multigraph": {"type": "boolean"},
                "graph": {"type": "object"}, "nodes": {"type": "array"}, "links": {"type": "array"}}},
                "Le graphe"),
            "401": E401, "403": error_response("Réservé à l'ANCT et aux administrateurs (`forbidden`)"),
        },
    }},
}
