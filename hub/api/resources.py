"""API: resources, their sessions, closures and qualifications."""
from __future__ import annotations

from datetime import timedelta

from flask import jsonify, request

from hub.api.auth import auth_required, current_api_user
from hub.api.blueprint import bp
from hub.api.parsing import PAGE_PARAMETERS, json_body, page_args
from hub.api.spec import error_response, json_response
from hub.errors import NotFound
from hub.extensions import db
from hub.services import catalogue
from hub.services import archiving
from hub.services import places as places_service
from hub.services import resources as service
from hub.rules.validation import MAX_ID, Fields
from hub.timeutil import to_iso
from models import RESOURCE_KINDS, utcnow


@bp.post("/places/<slug>/resources")
@auth_required
def create_resource(slug: str):  # type: ignore[no-untyped-def]
    data = json_body()
    resource = service.create_resource(places_service.get_place(slug), current_api_user(), data)
    body = service.resource_dict(resource)
    db.session.commit()
    return jsonify(body), 201


@bp.get("/resources")
@auth_required
def list_resources():  # type: ignore[no-untyped-def]
    search = catalogue.read_search(request.args)
    page, per_page = page_args()
    found, total, _ = catalogue.find_resources(search, page=page, per_page=per_page)
    return jsonify({"items": [_found_dict(item, search) for item in found], "total": total})


def _found_dict(item: catalogue.Found, search: catalogue.Search) -> dict:
    body = service.resource_dict(item.resource)
    if search.near is not None:
        body["distance_km"] = item.distance_km
    body["next_free"] = to_iso(item.next_free)
    return body


@bp.get("/resources/<resource_id>")
@auth_required
def get_resource(resource_id: str):  # type: ignore[no-untyped-def]
    return jsonify(service.resource_dict(service.get_resource(resource_id), detail=True))


@bp.patch("/resources/<resource_id>")
@auth_required
def update_resource(resource_id: str):  # type: ignore[no-untyped-def]
    data = json_body()
    resource = service.update_resource(service.get_resource(resource_id), current_api_user(), data)
    body = service.resource_dict(resource, detail=True)
    db.session.commit()
    return jsonify(body)


@bp.delete("/resources/<resource_id>")
@auth_required
def archive_resource(resource_id: str):  # type: ignore[no-untyped-def]
    # As on the pages: archiving cancels the resource's future bookings.
    archiving.archive_resource(service.get_resource(resource_id), current_api_user())
    db.session.commit()
    return "", 204


@bp.get("/resources/<resource_id>/availability")
@auth_required
def availability(resource_id: str):  # type: ignore[no-untyped-def]
    resource = service.get_resource(resource_id)
    f = Fields(request.args)
    start = f.datetime("from") or utcnow()
    end = f.datetime("to") or start + timedelta(days=14)
    if end <= start:
        f.error("to", "La fin doit être après le début.")
    elif end - start > timedelta(days=366):
        f.error("to", "Une période d'au plus un an.")
    f.check()
    items = [
        {"start": to_iso(i["start"]), "end": to_iso(i["end"]), "free": i["free"], "closed": i["closed"]}
        for i in service.free_busy(resource, start, end)
    ]
    return jsonify({"items": items, "total": len(items)})


@bp.post("/resources/<resource_id>/sessions")
@auth_required
def create_session(resource_id: str):  # type: ignore[no-untyped-def]
    data = json_body()
    session = service.create_session(service.get_resource(resource_id), current_api_user(), data)
    body = service.session_dict(session)
    db.session.commit()
    return jsonify(body), 201


@bp.post("/resources/<resource_id>/closures")
@auth_required
def add_closure(resource_id: str):  # type: ignore[no-untyped-def]
    data = json_body()
    closure = service.add_closure(service.get_resource(resource_id), current_api_user(), data)
    body = service.closure_dict(closure)
    db.session.commit()
    return jsonify(body), 201


@bp.delete("/resources/<resource_id>/closures/<closure_id>")
@auth_required
def remove_closure(resource_id: str, closure_id: str):  # type: ignore[no-untyped-def]
    resource = service.get_resource(resource_id)
    closure = next((c for c in resource.closures if str(c.id) == closure_id), None)
    if closure is None:
        raise NotFound("Cette fermeture n'existe pas.")
    service.remove_closure(closure.id, current_api_user())
    db.session.commit()
    return "", 204


@bp.post("/resources/<resource_id>/qualifications")
@auth_required
def grant_qualification(resource_id: str):  # type: ignore[no-untyped-def]
    data = json_body()
    qualification = service.grant_qualification(
        service.get_resource(resource_id), current_api_user(), data.get("email")
    )
    body = service.qualification_dict(qualification)
    db.session.commit()
    return jsonify(body), 201


# ---------------------------------------------------------------- OpenAPI



ID_PARAM = {"name": "resource_id", "in": "path", "required": True, "schema": {"type": "integer"}}
OPENING_HOURS = {
    "type": ["object", "null"],
    "description": "Horaires d'ouverture en heure de Paris ; absent = toujours ouvert. "
                   "Ne s'appliquent qu'aux machines et espaces.",
    "propertyNames": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
    "additionalProperties": {
        "type": "array",
        "items": {"type": "array", "items": {"type": "string", "pattern": "^\\d\\d:\\d\\d$"},
                  "minItems": 2, "maxItems": 2},
    },
    "examples": [{"mon": [["09:00", "12:00"], ["14:00", "18:00"]]}],
}
RULES = {
    "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"},
    "description": {"type": "string", "maxLength": 5000},
    "capacity": {"type": "integer", "minimum": 1, "maximum": service.MAX_CAPACITY, "default": 1},
    "requires_approval": {"type": "boolean", "default": False,
                          "description": "Vrai par défaut pour une incubation."},
    "prerequisite": {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID,
                     "description": "Id d'une ressource de type formation."},
    "opening_hours": OPENING_HOURS,
    "max_hours_per_week": {"type": ["number", "null"], "minimum": 0.25, "maximum": 168,
                           "description": "Heures par semaine ISO et par lieu réservant (confirmées + en attente)."},
    "min_duration_minutes": {"type": ["integer", "null"], "minimum": 1, "maximum": service.MAX_MINUTES},
    "max_duration_minutes": {"type": ["integer", "null"], "minimum": 1, "maximum": service.MAX_MINUTES},
    "min_notice_minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": service.MAX_MINUTES},
    "qualification_valid_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 36_600,
                                 "description": "Formations : durée de validité de la qualification, en "
                                                "jours (null : sans limite)."},
    "max_beneficiaries": {"type": ["integer", "null"], "minimum": 1, "maximum": service.MAX_BENEFICIARIES,
                          "default": service.DEFAULT_MAX_BENEFICIARIES,
                          "description": "Bénéficiaires qu'une réservation peut déclarer au plus."},
}
SESSION = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "resource": {"type": "integer"},
        "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"},
        "seats": {"type": "integer"}, "seats_taken": {"type": "integer"}, "seats_free": {"type": "integer"},
    },
}
CLOSURE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "resource": {"type": "integer"},
        "start": {"type": "string", "format": "date-time"}, "end": {"type": "string", "format": "date-time"},
        "reason": {"type": "string"},
    },
}
RESOURCE = {
    "type": "object",
    "required": ["id", "kind", "name", "capacity", "place"],
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": list(RESOURCE_KINDS)},
        **RULES,
        "place": {"type": "string", "description": "Slug du lieu hôte."},
        "place_name": {"type": "string"},
        "departement": {"type": "string"},
        "commune": {"type": "string"},
        "archived": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
        "distance_km": {"type": "number", "description": "Avec `near` : distance à vol d'oiseau au lieu de départ."},
        "next_free": {"type": ["string", "null"], "format": "date-time",
                      "description": "Liste : début du prochain créneau libre d'au moins une heure dans les quatre "
                                     "semaines (aux heures d'ouverture) ; une formation, sa prochaine session "
                                     "avec une place libre ; sinon null."},
        "sessions": {"type": "array", "items": SESSION, "description": "Formations : sessions à venir (détail)."},
        "closures": {"type": "array", "items": CLOSURE, "description": "Fermetures à venir (détail)."},
    },
}
PERIOD_BODY = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {"start": {"type": "string", "format": "date-time"},
                   "end": {"type": "string", "format": "date-time"}},
}
E400 = error_response("Le corps n'est pas un objet JSON (`bad_request`)")
E401 = error_response("Jeton absent ou invalide (`unauthenticated`)")
E403 = error_response("Réservé aux gestionnaires du lieu hôte (`forbidden`)")
E404 = error_response("Ressource inconnue ou archivée (`not_found`)")
E422 = error_response("Données invalides (`invalid`, avec `fields`)")

SPEC: dict = {
    "/api/v1/places/{slug}/resources": {
        "post": {
            "summary": "Publier une ressource (gestionnaires du lieu)",
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["kind", "name"],
                "properties": {"kind": {"enum": list(RESOURCE_KINDS)}, **RULES},
            }}}},
            "responses": {"201": json_response(RESOURCE, "La ressource créée"), "400": E400, "401": E401,
                          "403": E403, "404": error_response("Lieu inconnu (`not_found`)"), "422": E422},
        }
    },
    "/api/v1/resources": {
        "get": {
            "summary": "Catalogue des ressources non archivées de tout le réseau",
            "parameters": [
                {"name": "kind", "in": "query", "schema": {"enum": list(RESOURCE_KINDS)}},
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200},
                 "description": "Mots cherchés dans le nom, la description, le lieu et sa commune"},
                {"name": "departement", "in": "query", "schema": {"type": "string", "maxLength": 3}},
                {"name": "place", "in": "query", "schema": {"type": "string", "maxLength": 120},
                 "description": "Slug du lieu hôte"},
                {"name": "near", "in": "query", "schema": {"type": "string", "maxLength": 120},
                 "description": "Slug d'un lieu : tri par distance à vol d'oiseau, `distance_km` sur chaque élément"},
                {"name": "within_km", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 20000},
                 "description": "Avec `near` : seulement les ressources à au plus tant de kilomètres"},
                {"name": "free_from", "in": "query", "schema": {"type": "string", "format": "date-time"},
                 "description": "Avec `free_to` : seulement les ressources libres sur toute la période "
                                "(aux heures d'ouverture, sans fermeture) ; une formation, une session "
                                "comprise dans la période avec une place libre"},
                {"name": "free_to", "in": "query", "schema": {"type": "string", "format": "date-time"},
                 "description": f"Fin de la période (au plus {catalogue.MAX_FREE_PERIOD.days} jours après free_from)"},
                *PAGE_PARAMETERS,
            ],
            "responses": {
                "200": json_response({"type": "object", "properties": {
                    "items": {"type": "array", "items": RESOURCE}, "total": {"type": "integer"}}},
                    "Une page de ressources"),
                "401": E401, "422": error_response("Filtre invalide ou pagination hors bornes (`invalid`)"),
            },
        }
    },
    "/api/v1/resources/{resource_id}": {
        "get": {
            "summary": "Une ressource, avec ses sessions et fermetures à venir",
            "parameters": [ID_PARAM],
            "responses": {"200": json_response(RESOURCE, "La ressource"), "401": E401, "404": E404},
        },
        "patch": {
            "summary": "Modifier les règles d'une ressource (gestionnaires du lieu hôte)",
            "description": "Seuls les champs présents changent. Le type ne change pas. La capacité ne peut "
                           "descendre sous l'usage maximal des réservations actives à venir (422).",
            "parameters": [ID_PARAM],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "properties": RULES}}}},
            "responses": {"200": json_response(RESOURCE, "La ressource modifiée"), "400": E400, "401": E401,
                          "403": E403, "404": E404, "422": E422},
        },
        "delete": {
            "summary": "Archiver une ressource (retirée du catalogue ; les réservations restent)",
            "parameters": [ID_PARAM],
            "responses": {"204": {"description": "Archivée"}, "401": E401, "403": E403, "404": E404},
        },
    },
    "/api/v1/resources/{resource_id}/availability": {
        "get": {
            "summary": "Disponibilités : intervalles de capacité libre constante",
            "parameters": [
                ID_PARAM,
                {"name": "from", "in": "query", "schema": {"type": "string", "format": "date-time"},
                 "description": "Par défaut maintenant"},
                {"name": "to", "in": "query", "schema": {"type": "string", "format": "date-time"},
                 "description": "Par défaut from + 14 jours ; au plus un an"},
            ],
            "responses": {
                "200": json_response({"type": "object", "properties": {"total": {"type": "integer"}, "items": {
                    "type": "array", "items": {"type": "object", "properties": {
                        "start": {"type": "string", "format": "date-time"},
                        "end": {"type": "string", "format": "date-time"},
                        "free": {"type": "integer"},
                        "closed": {"type": "boolean",
                                   "description": "Fermeture ou hors des horaires d'ouverture"}}}}}},
                    "Les intervalles"),
                "401": E401, "404": E404, "422": E422,
            },
        }
    },
    "/api/v1/resources/{resource_id}/sessions": {
        "post": {
            "summary": "Ouvrir une session de formation (gestionnaires du lieu hôte)",
            "parameters": [ID_PARAM],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                **PERIOD_BODY,
                "properties": {**PERIOD_BODY["properties"],
                               "seats": {"type": "integer", "minimum": 1, "maximum": service.MAX_CAPACITY,
                                         "description": "Par défaut la capacité de la formation"}},
            }}}},
            "responses": {"201": json_response(SESSION, "La session"), "400": E400, "401": E401, "403": E403,
                          "404": E404, "422": error_response("Dates invalides, ou la ressource n'est pas une formation")},
        }
    },
    "/api/v1/resources/{resource_id}/closures": {
        "post": {
            "summary": "Fermer une ressource sur une période (maintenance, congés)",
            "parameters": [ID_PARAM],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                **PERIOD_BODY,
                "properties": {**PERIOD_BODY["properties"], "reason": {"type": "string", "maxLength": 200}},
            }}}},
            "responses": {"201": json_response(CLOSURE, "La fermeture"), "400": E400, "401": E401, "403": E403,
                          "404": E404,
                          "409": error_response("Des réservations actives chevauchent la période (`unavailable`)"),
                          "422": E422},
        }
    },
    "/api/v1/resources/{resource_id}/closures/{closure_id}": {
        "delete": {
            "summary": "Supprimer une fermeture",
            "parameters": [ID_PARAM, {"name": "closure_id", "in": "path", "required": True,
                                      "schema": {"type": "integer"}}],
            "responses": {"204": {"description": "Supprimée"}, "401": E401, "404": E404},
        }
    },
    "/api/v1/resources/{resource_id}/qualifications": {
        "post": {
            "summary": "Certifier qu'une personne a suivi cette formation (gestionnaires du lieu hôte)",
            "parameters": [ID_PARAM],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["email"], "properties": {"email": {"type": "string", "format": "email"}},
            }}}},
            "responses": {
                "201": json_response({"type": "object", "properties": {
                    "id": {"type": "integer"}, "training": {"type": "integer"},
                    "user": {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"},
                                                              "name": {"type": "string"}}},
                    "source": {"enum": ["manual", "attendance"]},
                    "created_at": {"type": "string", "format": "date-time"}}}, "La qualification"),
                "400": E400, "401": E401, "403": E403, "404": E404,
                "409": error_response("Déjà qualifiée (`duplicate`)"),
                "422": error_response("Adresse invalide ou sans compte, ou la ressource n'est pas une formation"),
            },
        }
    },
}
