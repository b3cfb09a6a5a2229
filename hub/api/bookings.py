"""API: bookings and their lifecycle."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request

from hub.api.auth import auth_required, current_api_user, current_api_user_id
from hub.api.blueprint import bp
from hub.api.parsing import PAGE_PARAMETERS, json_body, paginate
from hub.api.spec import error_response, json_response
from hub.extensions import db
from hub.services import bookings as service
from hub.rules.validation import MAX_ID
from models import BOOKING_STATUSES


def _optional_body() -> dict[str, Any]:
    """Transitions take an optional body: none at all is fine, garbage is a 400."""
    return json_body() if request.get_data(cache=True) else {}


def _respond(booking, status: int = 200):  # type: ignore[no-untyped-def]
    # Serialize before the commit: reading expired attributes afterwards would open a
    # second (write-locked, on SQLite) transaction for nothing.
    body = service.booking_dict(booking)
    # Nothing reads the objects after this commit, so expiring them all is wasted work;
    # the session (which may outlive the request under an outer app context) keeps its
    # setting for later commits.
    session = db.session()
    previous, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = previous
    return jsonify(body), status


@bp.post("/resources/<resource_id>/bookings")
@auth_required
def create_booking(resource_id: str):  # type: ignore[no-untyped-def]
    booking = service.create_booking(resource_id, current_api_user_id(), json_body())
    db.session.commit()
    return jsonify(booking), 201


@bp.get("/bookings")
@auth_required
def list_bookings():  # type: ignore[no-untyped-def]
    filters = service.parse_filters(request.args)
    return jsonify(paginate(service.visible_bookings(current_api_user(), **filters), service.booking_dict))


@bp.get("/bookings/<booking_id>")
@auth_required
def get_booking(booking_id: str):  # type: ignore[no-untyped-def]
    return jsonify(service.booking_dict(service.get_visible_booking(current_api_user(), booking_id)))


@bp.post("/bookings/<booking_id>/confirm")
@auth_required
def confirm_booking(booking_id: str):  # type: ignore[no-untyped-def]
    _optional_body()
    user = current_api_user()
    return _respond(service.confirm_booking(service.get_visible_booking(user, booking_id), user))


@bp.post("/bookings/<booking_id>/refuse")
@auth_required
def refuse_booking(booking_id: str):  # type: ignore[no-untyped-def]
    data = _optional_body()
    user = current_api_user()
    booking = service.get_visible_booking(user, booking_id)
    return _respond(service.refuse_booking(booking, user, data.get("reason")))


@bp.post("/bookings/<booking_id>/cancel")
@auth_required
def cancel_booking(booking_id: str):  # type: ignore[no-untyped-def]
    _optional_body()
    user = current_api_user()
    return _respond(service.cancel_booking(service.get_visible_booking(user, booking_id), user))


@bp.post("/bookings/<booking_id>/attendance")
@auth_required
def record_attendance(booking_id: str):  # type: ignore[no-untyped-def]
    data = json_body()
    user = current_api_user()
    booking = service.get_visible_booking(user, booking_id)
    return _respond(service.record_attendance(booking, user, data.get("attended"), data.get("beneficiaries")))


# ---------------------------------------------------------------- OpenAPI


BOOKING = {
    "type": "object",
    "required": ["id", "status", "resource", "place", "start", "end", "quantity", "beneficiaries"],
    "properties": {
        "id": {"type": "integer"},
        "status": {"enum": list(BOOKING_STATUSES)},
        "resource": {"type": "integer"},
        "resource_name": {"type": "string"},
        "place": {"type": "string", "description": "Slug du lieu qui réserve"},
        "place_name": {"type": "string"},
        "start": {"type": "string", "format": "date-time"},
        "end": {"type": "string", "format": "date-time"},
        "quantity": {"type": "integer", "minimum": 1},
        "beneficiaries": {"type": ["integer", "null"], "minimum": 0},
        "session": {"type": ["integer", "null"]},
        "note": {"type": "string"},
        "refusal_reason": {"type": ["string", "null"]},
        "attended": {"type": ["boolean", "null"]},
        "user": {"type": ["integer", "null"], "description": "Id de la personne qui a réservé"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "series": {"type": ["integer", "null"], "description": "Id de la série dont elle fait partie"},
        "overdue": {"type": "boolean", "description": "Prêt sorti dont la fin est passée"},
        "checked_out_at": {"type": ["string", "null"], "format": "date-time"},
        "returned_at": {"type": ["string", "null"], "format": "date-time"},
        "return_condition": {"type": ["string", "null"]},
    },
}
ONE = json_response(BOOKING, "La réservation")
ID_PARAM = {"name": "booking_id", "in": "path", "required": True, "schema": {"type": "integer"}}
E400 = error_response("Le corps n'est pas un objet JSON (`bad_request`)")
E401 = error_response("Jeton absent ou invalide (`unauthenticated`)")
E404 = error_response("Réservation inconnue ou invisible pour l'appelant (`not_found`)")
E403_HOST = error_response("Réservé aux gestionnaires du lieu hôte (`forbidden`)")
E409_STATE = error_response("Transition impossible depuis l'état actuel (`invalid_state`)")


def _transition(summary: str, description: str, body: dict | None, forbidden: dict, extra: dict | None = None) -> dict:
    operation: dict = {
        "summary": summary,
        "description": description,
        "parameters": [ID_PARAM],
        "responses": {"200": ONE, "400": E400, "401": E401, "403": forbidden, "404": E404,
                      "409": E409_STATE, **(extra or {})},
    }
    if body is not None:
        operation["requestBody"] = {"required": False, "content": {"application/json": {"schema": body}}}
    return {"post": operation}


SPEC: dict = {
    "/api/v1/resources/{resource_id}/bookings": {
        "post": {
            "summary": "Réserver une ressource pour un lieu dont on est membre",
            "description": (
                "Les formations se réservent par `session`, les autres types par `start`/`end`. "
                "Statut `confirmed`, `pending` si la ressource demande une validation, `waitlisted` "
                "si la session est complète. Une incubation demande une `note` de motivation. "
                "Les horaires d'ouverture ne s'appliquent qu'aux machines et espaces."
            ),
            "parameters": [{"name": "resource_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["place"],
                "properties": {
                    "place": {"type": "string", "minLength": 1, "maxLength": 120,
                              "description": "Slug du lieu pour lequel on réserve"},
                    "start": {"type": "string", "format": "date-time"},
                    "end": {"type": "string", "format": "date-time"},
                    "session": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                                "description": "Formations : id de la session"},
                    "quantity": {"type": "integer", "minimum": 1, "default": 1},
                    "beneficiaries": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
                    "note": {"type": "string", "maxLength": 5000},
                },
            }}}},
            "responses": {
                "201": ONE,
                "400": E400,
                "401": E401,
                "403": error_response("Pas membre du lieu (`forbidden`) ou formation préalable manquante "
                              "(`prerequisite_missing`)"),
                "404": error_response("Ressource inconnue ou archivée (`not_found`)"),
                "409": error_response("Capacité prise ou fermeture (`unavailable`), quota hebdomadaire du lieu "
                              "atteint (`quota_exceeded`)"),
                "422": error_response("Données invalides (`invalid`, avec `fields`) : lieu inconnu, fin avant début, "
                              "début passé, quantité hors limites, durée, préavis, horaires d'ouverture"),
            },
        }
    },
    "/api/v1/bookings": {
        "get": {
            "summary": "Les réservations visibles : celles de ses lieux, celles des ressources qu'on gère ; "
                       "tout pour admin et ANCT",
            "parameters": [
                {"name": "place", "in": "query", "schema": {"type": "string", "maxLength": 120},
                 "description": "Slug du lieu qui réserve"},
                {"name": "resource", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
                {"name": "status", "in": "query", "schema": {"enum": list(BOOKING_STATUSES)}},
                *PAGE_PARAMETERS,
            ],
            "responses": {
                "200": {"description": "Une page de réservations", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"items": {"type": "array", "items": BOOKING}, "total": {"type": "integer"}},
                }}}},
                "401": E401,
                "422": error_response("Filtre invalide ou pagination hors bornes (`invalid`)"),
            },
        }
    },
    "/api/v1/bookings/{booking_id}": {
        "get": {"summary": "Une réservation visible", "parameters": [ID_PARAM],
                "responses": {"200": ONE, "401": E401, "404": E404}}
    },
    "/api/v1/bookings/{booking_id}/confirm": _transition(
        "Valider une demande en attente", "pending -> confirmed.", None, E403_HOST),
    "/api/v1/bookings/{booking_id}/refuse": _transition(
        "Refuser une demande en attente",
        "pending -> refused ; le motif est visible du demandeur. Libère la capacité et promeut la liste "
        "d'attente.",
        {"type": "object", "properties": {"reason": {"type": "string", "maxLength": 2000}}},
        E403_HOST, {"422": error_response("Motif invalide (`invalid`)")}),
    "/api/v1/bookings/{booking_id}/cancel": _transition(
        "Annuler une réservation",
        "pending, confirmed ou waitlisted -> cancelled, jusqu'à la fin de la réservation. Par les membres du "
        "lieu qui réserve ou les gestionnaires du lieu hôte. Libère la capacité et promeut, dans l'ordre "
        "d'arrivée, les demandes en liste d'attente qui tiennent désormais.",
        None, error_response("Ni membre du lieu qui réserve ni gestionnaire du lieu hôte (`forbidden`)")),
    "/api/v1/bookings/{booking_id}/attendance": {
        "post": {
            "summary": "Noter la présence (gestionnaires du lieu hôte), une fois la réservation commencée",
            "description": "La présence à une session de formation délivre la qualification.",
            "parameters": [ID_PARAM],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["attended"],
                "properties": {"attended": {"type": "boolean"},
                               "beneficiaries": {"type": "integer", "minimum": 0, "maximum": 1_000_000}},
            }}}},
            "responses": {"200": ONE, "400": E400, "401": E401, "403": E403_HOST, "404": E404,
                          "409": error_response("Réservation non confirmée ou pas encore commencée (`invalid_state`)"),
                          "422": error_response("Données invalides (`invalid`)")},
        }
    },
}
