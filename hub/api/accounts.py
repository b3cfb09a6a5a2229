"""API: accounts, tokens, /me."""
from __future__ import annotations

from flask import jsonify, request

from hub.api.auth import auth_required, current_api_user
from hub.api.blueprint import bp
from hub.api.parsing import PAGE_PARAMETERS, json_body, paginate
from hub.api.spec import error_response, json_response
from hub.extensions import db
from hub.services import accounts
from hub.timeutil import to_iso





@bp.post("/accounts")
def create_account():  # type: ignore[no-untyped-def]
    user = accounts.register(json_body())
    db.session.commit()
    return jsonify(accounts.user_dict(user)), 201


@bp.post("/tokens")
def create_token():  # type: ignore[no-untyped-def]
    token, row = accounts.create_token(json_body(), request.remote_addr)
    db.session.commit()
    return jsonify({"token": token, "expires_at": to_iso(row.expires_at)}), 201


@bp.get("/tokens")
@auth_required
def list_tokens():  # type: ignore[no-untyped-def]
    # auth_required accepted the Bearer token: the one whose hash matches is `current`.
    current = accounts.hash_token(request.headers["Authorization"].partition(" ")[2].strip())
    user = current_api_user()
    return jsonify(paginate(accounts.user_tokens(user), lambda row: accounts.token_dict(row, current)))


@bp.delete("/tokens/<token_id>")
@auth_required
def revoke_token(token_id: str):  # type: ignore[no-untyped-def]
    accounts.revoke_token(current_api_user(), token_id)
    db.session.commit()
    return "", 204


@bp.get("/me")
@auth_required
def me():  # type: ignore[no-untyped-def]
    return jsonify(accounts.me_dict(current_api_user()))


USER_SCHEMA = {
    "type": "object",
    "required": ["id", "email", "name"],
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string", "format": "email"},
        "name": {"type": "string"},
    },
}

TOKEN_SCHEMA = {
    "type": "object",
    "required": ["id", "created_at", "expires_at", "last_used_at", "current"],
    "properties": {
        "id": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time"},
        "last_used_at": {"type": ["string", "null"], "format": "date-time"},
        "current": {"type": "boolean"},
    },
    "additionalProperties": False,
}

SPEC: dict = {
    "/api/v1/accounts": {
        "post": {
            "summary": "Créer un compte",
            "description": "Ouvert à tous. L'adresse est enregistrée en minuscules : "
                           "deux adresses qui ne diffèrent que par la casse sont le même compte.",
            "security": [],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["email", "password", "name"],
                    "properties": {
                        "email": {"type": "string", "format": "email", "maxLength": 254},
                        "password": {"type": "string", "minLength": 10, "maxLength": 200},
                        "name": {"type": "string", "minLength": 1, "maxLength": 120, "pattern": "\\S"},
                    },
                }}},
            },
            "responses": {
                "201": json_response(USER_SCHEMA, "Le compte créé"),
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "409": error_response("Un compte existe déjà avec cette adresse (duplicate)"),
                "422": error_response("Adresse invalide, mot de passe de moins de 10 caractères ou nom manquant (invalid, avec fields)"),
            },
        }
    },
    "/api/v1/tokens": {
        "post": {
            "summary": "Obtenir un jeton d'accès",
            "description": "Le jeton n'est montré qu'une fois ; seule son empreinte SHA-256 est "
                           "conservée. Il vaut un an (`expires_at`), sauf révocation. Sur 15 minutes, "
                           "10 échecs pour une adresse depuis un même client, ou 20 échecs depuis un "
                           "client quelles que soient les adresses, valent 429 à ce client jusqu'à ce "
                           "que la fenêtre se libère, même avec le bon mot de passe ; au-delà de 100 "
                           "échecs pour une adresse, seul un client qui n'a pas échoué pour elle peut "
                           "encore essayer. Le 429 porte `Retry-After` (secondes).",
            "security": [],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["email", "password"],
                    "properties": {"email": {"type": "string"}, "password": {"type": "string"}},
                }}},
            },
            "responses": {
                "201": json_response({
                    "type": "object",
                    "required": ["token", "expires_at"],
                    "properties": {"token": {"type": "string"},
                                   "expires_at": {"type": "string", "format": "date-time"}},
                    "additionalProperties": False,
                }, "Le jeton et sa date d'expiration"),
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "401": error_response("Adresse ou mot de passe incorrect, sans dire lequel (unauthenticated)"),
                "429": {**error_response("Trop d'échecs récents depuis ce client ou pour cette adresse "
                                         "(too_many_requests)"),
                        "headers": {"Retry-After": {
                            "description": "Secondes avant que la fenêtre se libère",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1}}}},
            },
        },
        "get": {
            "summary": "Mes jetons d'accès",
            "description": "Les jetons du compte de l'appelant, du plus récent au plus ancien, "
                           "expirés compris ; `current` marque celui de la requête. Le jeton "
                           "lui-même n'est jamais renvoyé ; `last_used_at` est précis à l'heure près.",
            "parameters": PAGE_PARAMETERS,
            "responses": {
                "200": json_response({
                    "type": "object",
                    "required": ["items", "total"],
                    "properties": {
                        "items": {"type": "array", "items": TOKEN_SCHEMA},
                        "total": {"type": "integer", "minimum": 0},
                    },
                    "additionalProperties": False,
                }, "Une page de jetons"),
                "401": error_response("Jeton manquant, invalide, expiré ou révoqué (unauthenticated)"),
                "422": error_response("page ou per_page hors de ses bornes (invalid, avec fields)"),
            },
        },
    },
    "/api/v1/tokens/{token_id}": {
        "delete": {
            "summary": "Révoquer un de mes jetons",
            "description": "Le jeton est refusé (401) dès la réponse ; on peut révoquer celui de la requête.",
            "parameters": [{"name": "token_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {
                "204": {"description": "Le jeton est révoqué"},
                "401": error_response("Jeton manquant, invalide, expiré ou révoqué (unauthenticated)"),
                "404": error_response("Aucun jeton de l'appelant n'a cet identifiant (not_found)"),
            },
        }
    },
    "/api/v1/me": {
        "get": {
            "summary": "Le compte du jeton, ses rôles et ses lieux",
            "responses": {
                "200": json_response({
                    "type": "object",
                    "required": ["id", "email", "name", "roles", "places"],
                    "properties": {
                        **USER_SCHEMA["properties"],
                        "roles": {"type": "array", "items": {"enum": ["admin", "anct"]}},
                        "places": {"type": "array", "items": {
                            "type": "object",
                            "required": ["slug", "role"],
                            "properties": {"slug": {"type": "string"},
                                           "role": {"enum": ["manager", "member"]}},
                        }},
                    },
                }, "Le compte"),
                "401": error_response("Jeton manquant, invalide, expiré ou révoqué (unauthenticated)"),
            },
        }
    },
}
