"""API: invitations, removal of members, join requests (the contract's "Places: members,
invitations, join requests"). Adding a member is POST /places/{slug}/members in
hub/api/places.py, which calls the same service."""
from __future__ import annotations

from flask import jsonify, request

from hub.api.auth import auth_required, current_api_user
from hub.api.blueprint import bp
from hub.api.parsing import PAGE_PARAMETERS, json_body, paginate
from hub.api.spec import error_response, json_response
from hub.extensions import db
from hub.services import membership, places


@bp.post("/invitations/accept")
@auth_required
def accept_invitation():  # type: ignore[no-untyped-def]
    joined = membership.accept_invitation(current_api_user(), json_body())
    db.session.commit()
    return jsonify({"slug": joined.place.slug, "role": joined.role}), 200


@bp.delete("/places/<slug>/members/<user_id>")
@auth_required
def remove_member(slug: str, user_id: str):  # type: ignore[no-untyped-def]
    membership.remove_member(places.get_place(slug), user_id, current_api_user())
    db.session.commit()
    return "", 204


@bp.post("/places/<slug>/join-requests")
@auth_required
def ask_to_join(slug: str):  # type: ignore[no-untyped-def]
    asked = membership.ask_to_join(places.get_place(slug), current_api_user(), _optional_body())
    db.session.commit()
    return jsonify(membership.join_request_dict(asked)), 201


@bp.get("/places/<slug>/join-requests")
@auth_required
def list_join_requests(slug: str):  # type: ignore[no-untyped-def]
    query = membership.join_requests_query(places.get_place(slug), current_api_user(), request.args)
    return jsonify(paginate(query, membership.join_request_dict))


@bp.post("/join-requests/<request_id>/accept")
@auth_required
def accept_join_request(request_id: str):  # type: ignore[no-untyped-def]
    return _decide(request_id, accept=True)


@bp.post("/join-requests/<request_id>/decline")
@auth_required
def decline_join_request(request_id: str):  # type: ignore[no-untyped-def]
    return _decide(request_id, accept=False)


def _optional_body() -> dict:
    """The body, `{message?}`, which a client may leave out altogether."""
    return json_body() if request.get_data(cache=True) else {}


def _decide(request_id: str, *, accept: bool):  # type: ignore[no-untyped-def]
    decided = membership.decide(request_id, current_api_user(), accept, _optional_body())
    db.session.commit()
    return jsonify(membership.join_request_dict(decided)), 200


UNAUTHENTICATED = error_response("Jeton manquant ou invalide (unauthenticated)")
NO_PLACE = error_response("Aucun lieu avec cet identifiant (not_found)")
SLUG_PARAM = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
REQUEST_PARAM = {"name": "request_id", "in": "path", "required": True, "schema": {"type": "integer"}}
JOIN_REQUEST_SCHEMA = {
    "type": "object",
    "required": ["id", "status", "place", "user", "message", "created_at", "decided_at"],
    "properties": {
        "id": {"type": "integer"},
        "status": {"enum": ["pending", "accepted", "declined"]},
        "place": {"type": "string"},
        "user": {"type": "object", "required": ["id", "email", "name"], "properties": {
            "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"}}},
        "message": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "decided_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
MESSAGE_BODY = {"required": False, "content": {"application/json": {"schema": {
    "type": "object", "properties": {"message": {"type": "string", "maxLength": 2000}},
}}}}


def _decision(summary: str) -> dict:
    return {"post": {
        "summary": summary,
        "description": "Réservé aux gestionnaires du lieu. `message` est transmis à la personne "
                       "dans `place.join_decided`.",
        "parameters": [REQUEST_PARAM],
        "requestBody": MESSAGE_BODY,
        "responses": {
            "200": json_response(JOIN_REQUEST_SCHEMA, "La demande, avec sa réponse"),
            "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
            "401": UNAUTHENTICATED,
            "403": error_response("La personne qui a demandé ne répond pas elle-même (forbidden)"),
            "404": error_response("Aucune demande avec cet identifiant parmi celles de vos lieux (not_found)"),
            "409": error_response("La demande a déjà reçu une réponse (invalid_state)"),
            "422": error_response("Message invalide (invalid, avec fields)"),
        },
    }}


SPEC: dict = {
    "/api/v1/invitations/accept": {
        "post": {
            "summary": "Accepter une invitation dans un lieu",
            "description": "Avec le jeton d'accès du compte qui a l'adresse invitée : il rejoint le "
                           "lieu avec le rôle de l'invitation. Une invitation sert une fois et vaut "
                           "14 jours.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["token"], "properties": {"token": {"type": "string"}},
            }}}},
            "responses": {
                "200": json_response({
                    "type": "object", "required": ["slug", "role"],
                    "properties": {"slug": {"type": "string"}, "role": {"enum": ["manager", "member"]}},
                }, "Le lieu rejoint et le rôle"),
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "401": UNAUTHENTICATED,
                "403": error_response("L'invitation est adressée à une autre adresse (forbidden)"),
                "422": error_response("Jeton inconnu, déjà utilisé ou expiré (invalid, fields.token)"),
            },
        }
    },
    "/api/v1/places/{slug}/members/{user_id}": {
        "delete": {
            "summary": "Retirer un membre d'un lieu",
            "description": "Réservé aux gestionnaires du lieu et aux admins ; une personne peut se "
                           "retirer elle-même. Jamais le dernier gestionnaire (409 invalid_state).",
            "parameters": [SLUG_PARAM, {"name": "user_id", "in": "path", "required": True,
                                        "schema": {"type": "integer"}}],
            "responses": {
                "204": {"description": "La personne ne fait plus partie du lieu"},
                "401": UNAUTHENTICATED,
                "403": error_response("Ni gestionnaire du lieu, ni admin, ni la personne elle-même (forbidden)"),
                "404": error_response("Aucun lieu avec cet identifiant, ou la personne n'en est pas membre (not_found)"),
                "409": error_response("C'est le dernier gestionnaire du lieu (invalid_state)"),
            },
        }
    },
    "/api/v1/places/{slug}/join-requests": {
        "post": {
            "summary": "Demander à rejoindre un lieu",
            "description": "Toute personne authentifiée qui n'en fait pas encore partie ; chaque "
                           "gestionnaire du lieu reçoit `place.join_request`.",
            "parameters": [SLUG_PARAM],
            "requestBody": MESSAGE_BODY,
            "responses": {
                "201": json_response(JOIN_REQUEST_SCHEMA, "La demande, en attente"),
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "401": UNAUTHENTICATED,
                "404": NO_PLACE,
                "409": error_response("Une demande est déjà en attente (duplicate), ou vous faites déjà "
                                      "partie du lieu (invalid_state)"),
                "422": error_response("Message invalide (invalid, avec fields)"),
            },
        },
        "get": {
            "summary": "Les demandes pour rejoindre un lieu",
            "description": "Réservé aux gestionnaires du lieu ; les plus récentes d'abord.",
            "parameters": [SLUG_PARAM,
                           {"name": "status", "in": "query",
                            "schema": {"enum": ["pending", "accepted", "declined"]}},
                           *PAGE_PARAMETERS],
            "responses": {
                "200": json_response({
                    "type": "object", "required": ["items", "total"],
                    "properties": {"items": {"type": "array", "items": JOIN_REQUEST_SCHEMA},
                                   "total": {"type": "integer", "minimum": 0}},
                }, "Une page de demandes"),
                "401": UNAUTHENTICATED,
                "403": error_response("Pas gestionnaire du lieu (forbidden)"),
                "404": NO_PLACE,
                "422": error_response("Filtre ou pagination invalide (invalid, avec fields)"),
            },
        },
    },
    "/api/v1/join-requests/{request_id}/accept": _decision("Accepter une demande : la personne devient membre"),
    "/api/v1/join-requests/{request_id}/decline": _decision("Refuser une demande"),
}
