"""API: accounts, tokens, /me."""
from __future__ import annotations

from flask import jsonify

from hub.api import auth_required, bp, current_api_user, json_body
from hub.api.spec import error_response, json_response
from hub.extensions import db
from hub.services import accounts





@bp.post("/accounts")
def create_account():  # type: ignore[no-untyped-def]
    user = accounts.register(json_body())
    db.session.commit()
    return jsonify(accounts.user_dict(user)), 201


@bp.post("/tokens")
def create_token():  # type: ignore[no-untyped-def]
    token = accounts.create_token(json_body())
    db.session.commit()
    return jsonify({"token": token}), 201


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
                        "name": {"type": "string", "maxLength": 120},
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
                           "conservée. Plus de 10 échecs en 15 minutes pour une adresse : 429 "
                           "jusqu'à la fin de la fenêtre, même avec le bon mot de passe.",
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
                "201": json_response({"type": "object", "required": ["token"],
                              "properties": {"token": {"type": "string"}}}, "Le jeton"),
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "401": error_response("Adresse ou mot de passe incorrect, sans dire lequel (unauthenticated)"),
                "429": error_response("Trop d'échecs récents pour cette adresse (too_many_requests)"),
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
                "401": error_response("Jeton manquant ou invalide (unauthenticated)"),
            },
        }
    },
}
