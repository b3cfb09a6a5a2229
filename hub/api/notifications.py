"""API: the caller's notification preferences, /me/notifications."""
from __future__ import annotations

from flask import jsonify

from hub.api.auth import auth_required, current_api_user
from hub.api.blueprint import bp
from hub.api.parsing import json_body
from hub.api.spec import error_response, json_response
from hub.extensions import db
from hub.services import notifications
from models import NOTIFICATION_CATEGORIES


@bp.get("/me/notifications")
@auth_required
def my_notifications():  # type: ignore[no-untyped-def]
    return jsonify(notifications.preferences_dict(current_api_user()))


@bp.patch("/me/notifications")
@auth_required
def update_my_notifications():  # type: ignore[no-untyped-def]
    preferences = notifications.update_preferences(current_api_user(), json_body())
    db.session.commit()
    return jsonify(preferences)


PREFERENCES_SCHEMA = {
    "type": "object",
    "required": list(NOTIFICATION_CATEGORIES),
    "properties": {category: {"type": "boolean"} for category in NOTIFICATION_CATEGORIES},
    "additionalProperties": False,
}

_DESCRIPTION = (
    "`booking_requests` : les demandes de réservation à valider (`booking.pending`) et les "
    "demandes pour rejoindre un lieu (`place.join_request`) ; `booking_updates` : les autres "
    "messages `booking.*` sauf les rappels ; `reminders` : les rappels. Tout est activé par "
    "défaut. Les messages de compte et d'invitation sont toujours envoyés."
)

SPEC: dict = {
    "/api/v1/me/notifications": {
        "get": {
            "summary": "Mes préférences de notification",
            "description": _DESCRIPTION,
            "responses": {
                "200": json_response(PREFERENCES_SCHEMA, "Les préférences"),
                "401": error_response("Jeton manquant, invalide, expiré ou révoqué (unauthenticated)"),
            },
        },
        "patch": {
            "summary": "Changer mes préférences de notification",
            "description": _DESCRIPTION + " Les clés absentes ne changent pas ; les clés inconnues "
                           "sont ignorées, mais un corps qui ne nomme aucune préférence est refusé (422).",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {category: {"type": "boolean"} for category in NOTIFICATION_CATEGORIES},
                    "minProperties": 1,
                }}},
            },
            "responses": {
                "200": json_response(PREFERENCES_SCHEMA, "Toutes les préférences, après le changement"),
                "400": error_response("Le corps n'est pas un objet JSON (bad_request)"),
                "401": error_response("Jeton manquant, invalide, expiré ou révoqué (unauthenticated)"),
                "422": error_response("Une valeur qui n'est pas un booléen, ou aucune préférence nommée "
                                      "(invalid, avec fields)"),
            },
        },
    },
}
