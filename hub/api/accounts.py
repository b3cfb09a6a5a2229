"""API: accounts, tokens, /me."""
from __future__ import annotations

from flask import jsonify, request

from hub.api.auth import auth_required, current_api_user
from hub.api.blueprint import bp
from hub.api.parsing import PAGE_PARAMETERS, json_body, paginate
from hub.api.spec import error_response, json_response
from hub.extensions import db
from hub.services import account_recovery, accounts, membership
from hub.timeutil import to_iso


@bp.post("/accounts")
def create_account():  # type: ignore[no-untyped-def]
    user, _ = membership.register(json_body())
    db.session.commit()
    return jsonify(accounts.user_dict(user)), 201


@bp.post("/accounts/verify")
def verify_account():  # type: ignore[no-untyped-def]
    account_recovery.verify_email(json_body())
    db.session.commit()
    return jsonify({}), 200


@bp.post("/password-reset")
def password_reset():  # type: ignore[no-untyped-def]
    account_recovery.request_reset(json_body())
    db.session.commit()
    return jsonify({}), 202


@bp.post("/password-reset/confirm")
def password_reset_confirm():  # type: ignore[no-untyped-def]
    account_recovery.confirm_reset(json_body())
    db.session.commit()
    return jsonify({}), 200


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

EMPTY_SCHEMA = {"type": "object", "additionalProperties": False}
EMPTY_OK = {"description": "Fait", "content": {"application/json": {"schema": EMPTY_SCHEMA}}}
TOKEN_BODY = {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "required": ["token"], "properties": {"token": {"type": "string"}},
}}}}

SPEC: dict = {
    "/api/v1/accounts": {
        "post": {
            "summary": "Créer un compte",
            "description": "Ouvert à tous. L'adresse est enregistrée en minuscules : "
                           "deux adresses qui ne diffèrent que par la casse sont le même compte. "
                           "Envoie `account.verify` à l'adresse, sauf avec `invitation`.",
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
                        "invitation": {"type": "string", "description":
                                       "Jeton d'une invitation pour cette même adresse : le compte "
                                       "est alors vérifié d'emblée et rejoint le lieu qui invite."},
                    },
                }}},
            },
            "responses": {
                "201": json_response(USER_SCHEMA, "Le compte créé"),
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "409": error_response("Un compte existe déjà avec cette adresse (duplicate)"),
                "422": error_response("Adresse invalide, mot de passe de moins de 10 caractères, nom manquant, "
                                      "ou invitation non valable ou pour une autre adresse (invalid, avec fields)"),
            },
        }
    },
    "/api/v1/accounts/verify": {
        "post": {
            "summary": "Confirmer une adresse électronique",
            "description": "Le jeton du lien de `account.verify` : l'adresse est vérifiée ; pour un "
                           "changement d'adresse demandé depuis « Mon compte », elle devient celle du "
                           "compte. Un jeton sert une fois et vaut 7 jours.",
            "security": [],
            "requestBody": TOKEN_BODY,
            "responses": {
                "200": EMPTY_OK,
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "409": error_response("La nouvelle adresse a été prise par un autre compte entre-temps (duplicate)"),
                "422": error_response("Jeton inconnu, déjà utilisé ou expiré (invalid, fields.token)"),
            },
        }
    },
    "/api/v1/password-reset": {
        "post": {
            "summary": "Demander un lien pour choisir un nouveau mot de passe",
            "description": "Toujours 202, qu'un compte existe ou non pour cette adresse : rien ne les "
                           "distingue. Au plus 5 messages `password.reset` par heure pour une adresse ; "
                           "au-delà la réponse est la même et rien n'est envoyé.",
            "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["email"],
                "properties": {"email": {"type": "string", "format": "email", "maxLength": 254}},
            }}}},
            "responses": {
                "202": {"description": "Demande prise en compte",
                        "content": {"application/json": {"schema": EMPTY_SCHEMA}}},
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "422": error_response("Adresse manquante ou mal formée (invalid, fields.email)"),
            },
        }
    },
    "/api/v1/password-reset/confirm": {
        "post": {
            "summary": "Choisir un nouveau mot de passe avec le jeton reçu",
            "description": "Le jeton vaut une heure et une fois. L'ancien mot de passe cesse de "
                           "fonctionner, tous les jetons d'accès du compte sont révoqués (401 ensuite) "
                           "et toutes ses sessions sont fermées.",
            "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["token", "password"],
                "properties": {"token": {"type": "string"},
                               "password": {"type": "string", "minLength": 10, "maxLength": 200}},
            }}}},
            "responses": {
                "200": EMPTY_OK,
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "422": error_response("Jeton inconnu, déjà utilisé ou expiré (fields.token), ou mot de "
                                      "passe trop court (fields.password) (invalid)"),
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
                    "required": ["id", "email", "name", "roles", "email_verified", "places"],
                    "properties": {
                        **USER_SCHEMA["properties"],
                        "email_verified": {"type": "boolean"},
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
