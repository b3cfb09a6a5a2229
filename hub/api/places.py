"""API: places and their members.

Places are public information (each has a public page), but like the rest of the API
the JSON routes require a token: only POST /accounts, POST /tokens and openapi.json
are open.
"""
from __future__ import annotations

from flask import jsonify, request

from hub.api.auth import auth_required, current_api_user
from hub.api.blueprint import bp
from hub.api.parsing import PAGE_PARAMETERS, json_body, paginate
from hub.api.spec import error_response, json_response
from hub.extensions import db
from hub.services import membership, places

PLACE_SCHEMA = {
    "type": "object",
    "required": ["slug", "name", "kind", "commune", "departement", "region", "territory", "lat", "lon"],
    "properties": {
        "slug": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"enum": ["tiers_lieu", "fabrique", "fabrique_numerique"]},
        "commune": {"type": "string"},
        "insee": {"type": ["string", "null"]},
        "departement": {"type": "string", "description": "Code officiel (\"29\", \"2A\", \"971\")"},
        "departement_name": {"type": "string"},
        "region": {"type": "string", "description": "Code INSEE de la région"},
        "region_name": {"type": "string"},
        "territory": {"enum": ["qpv", "rural", "urbain"]},
        "lat": {"type": "number"},
        "lon": {"type": "number"},
        "description": {"type": "string"},
        "website": {"type": ["string", "null"]},
        "legal_form": {"enum": [None, "association", "fondation", "entreprise", "collectivite",
                                "gip_gie", "syndicat_mixte", "consortium"]},
        "label_wave": {"type": ["string", "null"], "format": "date"},
        "subsidy_eur": {"type": ["integer", "null"]},
        "address": {"type": ["string", "null"]},
        "postal_code": {"type": ["string", "null"]},
        "siret": {"type": ["string", "null"]},
        "rna": {"type": ["string", "null"]},
        "email": {"type": ["string", "null"]},
        "phone": {"type": ["string", "null"], "description": "Forme internationale : +33180059880"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
    },
}

IDENTITY_INPUT = {
    "address": {"type": "string", "maxLength": 300, "description": "Numéro et voie"},
    "postal_code": {"type": "string", "pattern": "^\\d{5}$",
                    "description": "L'un des codes postaux de la commune (insee)"},
    "siret": {"type": "string", "description": "14 chiffres, clé de Luhn vérifiée"},
    "rna": {"type": "string", "description": "W suivi de 9 chiffres"},
    "email": {"type": "string", "format": "email", "maxLength": 254},
    "phone": {"type": "string", "maxLength": 30, "description": "Numéro français ; rendu en +33…"},
}

PLACE_INPUT = {
    "type": "object",
    "required": ["name", "kind", "territory"],
    "description": "Sans insee : commune, departement, lat et lon sont obligatoires. Avec insee "
                   "(vérifié dans le COG de l'INSEE) : commune, département et région s'en "
                   "déduisent, lat et lon prennent par défaut la position de la commune.",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S"},
        "kind": {"enum": ["tiers_lieu", "fabrique", "fabrique_numerique"]},
        "commune": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": "\\S"},
        "departement": {"type": "string", "minLength": 1, "maxLength": 3,
                        "description": "Obligatoire sauf si insee est donné (il s'en déduit alors)."},
        "insee": {"type": "string", "minLength": 5, "maxLength": 5,
                  "description": "Code INSEE de la commune ; doit être dans le département."},
        "territory": {"enum": ["qpv", "rural", "urbain"]},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "description": {"type": "string", "maxLength": 5000},
        "website": {"type": "string", "format": "uri", "maxLength": 300},
        "legal_form": {"enum": ["association", "fondation", "entreprise", "collectivite",
                                "gip_gie", "syndicat_mixte", "consortium"]},
        "label_wave": {"type": "string", "format": "date", "description": "Fabriques seulement"},
        "subsidy_eur": {"type": "integer", "minimum": 0, "maximum": places.MAX_SUBSIDY_EUR,
                        "description": "Fabriques seulement"},
        **IDENTITY_INPUT,
    },
}

# PATCH: any subset of the fields; null clears an optional one.
PLACE_PATCH = {
    "type": "object",
    "properties": {name: schema for name, schema in PLACE_INPUT["properties"].items() if name != "kind"},
}

MEMBERSHIP_SCHEMA = {
    "type": "object",
    "required": ["place", "user", "role"],
    "properties": {
        "place": {"type": "string"},
        "user": {"type": "object", "properties": {
            "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"}}},
        "role": {"enum": ["manager", "member"]},
    },
}

UNAUTHENTICATED = error_response("Jeton manquant ou invalide (unauthenticated)")
SLUG_PARAM = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}


@bp.post("/places")
@auth_required
def create_place():  # type: ignore[no-untyped-def]
    place = places.create_place(json_body(), current_api_user())
    db.session.commit()
    return jsonify(places.place_dict(place)), 201


@bp.get("/places")
@auth_required
def list_places():  # type: ignore[no-untyped-def]
    return jsonify(paginate(places.places_query(request.args), places.place_dict))


@bp.get("/places/<slug>")
@auth_required
def get_place(slug: str):  # type: ignore[no-untyped-def]
    return jsonify(places.place_dict(places.get_place(slug)))


@bp.patch("/places/<slug>")
@auth_required
def patch_place(slug: str):  # type: ignore[no-untyped-def]
    place = places.patch_place(places.get_place(slug), json_body(), current_api_user())
    db.session.commit()
    return jsonify(places.place_dict(place))


@bp.post("/places/<slug>/members")
@auth_required
def add_member(slug: str):  # type: ignore[no-untyped-def]
    place = places.get_place(slug)
    added = membership.add_member(place, json_body(), current_api_user())
    db.session.commit()
    if isinstance(added, membership.Invited):
        return jsonify({"invited": added.email, "role": added.role}), 202
    return jsonify(places.membership_dict(added)), 201


SPEC: dict = {
    "/api/v1/places": {
        "post": {
            "summary": "Créer un lieu",
            "description": "Toute personne authentifiée crée un tiers-lieu et en devient "
                           "gestionnaire ; seuls admin et ANCT créent (labellisent) une fabrique. "
                           "La région se déduit du département.",
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": PLACE_INPUT}}},
            "responses": {
                "201": json_response(PLACE_SCHEMA, "Le lieu créé"),
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "401": UNAUTHENTICATED,
                "403": error_response("Une fabrique demandée par qui n'est ni admin ni ANCT (forbidden)"),
                "422": error_response("Champ invalide : département inconnu ou contredit par le code INSEE, code INSEE inconnu, code postal d'une autre commune, SIRET à la clé fausse, RNA sans W, coordonnées hors bornes, nom manquant… (invalid, avec fields)"),
            },
        },
        "get": {
            "summary": "Lister les lieux",
            "parameters": [
                {"name": "kind", "in": "query", "schema": {"enum": ["tiers_lieu", "fabrique", "fabrique_numerique"]}},
                {"name": "departement", "in": "query", "schema": {"type": "string", "maxLength": 3}},
                {"name": "territory", "in": "query", "schema": {"enum": ["qpv", "rural", "urbain"]}},
                *PAGE_PARAMETERS,
            ],
            "responses": {
                "200": json_response({
                    "type": "object",
                    "required": ["items", "total"],
                    "properties": {"items": {"type": "array", "items": PLACE_SCHEMA},
                                   "total": {"type": "integer"}},
                }, "Les lieux, par nom"),
                "401": UNAUTHENTICATED,
                "422": error_response("Filtre inconnu ou pagination hors bornes (invalid, avec fields)"),
            },
        },
    },
    "/api/v1/places/{slug}": {
        "get": {
            "summary": "Un lieu",
            "parameters": [SLUG_PARAM],
            "responses": {
                "200": json_response(PLACE_SCHEMA, "Le lieu"),
                "401": UNAUTHENTICATED,
                "404": error_response("Aucun lieu avec cet identifiant (not_found)"),
            },
        },
        "patch": {
            "summary": "Modifier un lieu",
            "description": "Gestionnaires du lieu, ANCT et admins ; les champs de labellisation "
                           "(label_wave, subsidy_eur) pour l'ANCT et les admins seulement. Les "
                           "champs absents gardent leur valeur, null efface un champ facultatif. "
                           "Un nouveau code INSEE apporte sa commune, son département, sa région "
                           "et, sauf lat/lon donnés, sa position.",
            "parameters": [SLUG_PARAM],
            "requestBody": {"required": True,
                            "content": {"application/json": {"schema": PLACE_PATCH}}},
            "responses": {
                "200": json_response(PLACE_SCHEMA, "Le lieu modifié"),
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "401": UNAUTHENTICATED,
                "403": error_response("Ni gestionnaire du lieu, ni ANCT, ni admin (forbidden)"),
                "404": error_response("Aucun lieu avec cet identifiant (not_found)"),
                "422": error_response("Champ invalide : code INSEE inconnu, code postal d'une autre commune, SIRET à la clé fausse… (invalid, avec fields)"),
            },
        },
    },
    "/api/v1/places/{slug}/members": {
        "post": {
            "summary": "Ajouter un membre ou un gestionnaire",
            "description": "Réservé aux gestionnaires du lieu, à l'ANCT et aux admins. Une "
                           "adresse sans compte est invitée (202, message `place.invitation`, "
                           "aucun compte créé ; au plus 5 invitations par heure pour une adresse, "
                           "429 au-delà) ; un compte existant est ajouté (201, message "
                           "`place.member_added`). Si la personne est déjà dans le lieu avec "
                           "un autre rôle, son rôle change (201) ; avec le même rôle : 409 "
                           "duplicate. Retirer le dernier gestionnaire : 409 invalid_state.",
            "parameters": [SLUG_PARAM],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["email", "role"],
                "properties": {"email": {"type": "string", "format": "email"},
                               "role": {"enum": ["manager", "member"]}},
            }}}},
            "responses": {
                "201": json_response(MEMBERSHIP_SCHEMA, "L'appartenance créée ou modifiée"),
                "202": json_response({
                    "type": "object", "required": ["invited", "role"],
                    "properties": {"invited": {"type": "string", "format": "email"},
                                   "role": {"enum": ["manager", "member"]}},
                }, "L'adresse n'a pas de compte : elle est invitée"),
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "401": UNAUTHENTICATED,
                "403": error_response("Ni gestionnaire du lieu, ni ANCT, ni admin (forbidden)"),
                "404": error_response("Aucun lieu avec cet identifiant (not_found)"),
                "409": error_response("Déjà ce rôle dans ce lieu (duplicate), ou dernier gestionnaire (invalid_state)"),
                "422": error_response("Adresse mal formée ou rôle invalide (invalid, avec fields)"),
                "429": {**error_response("Trop d'invitations pour cette adresse dans l'heure (too_many_requests)"),
                        "headers": {"Retry-After": {"description": "Secondes avant de réessayer",
                                                    "required": True,
                                                    "schema": {"type": "integer", "minimum": 1}}}},
            },
        }
    },
}
