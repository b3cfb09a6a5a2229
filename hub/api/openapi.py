"""GET /api/v1/openapi.json: OpenAPI 3.1, assembled from each module's SPEC."""
from __future__ import annotations

from flask import jsonify

from hub.api import accounts, bookings, membership, network, notifications, places, reports, resources, sharing
from hub.api.blueprint import bp

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        }
    },
}


BODY_METHODS = ("post", "put", "patch")
TOO_LARGE = {
    "description": "Corps de plus de 2 Mo (`too_large`)",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
DESCRIPTION = (
    "Erreurs au format `{\"error\": {\"code\", \"message\", \"fields\"}}`. Une méthode "
    "non décrite sur une adresse décrite : 405 (`method_not_allowed`) avec l'en-tête `Allow`. "
    "Dates : années de 1900 à 2100. Textes : caractères de contrôle refusés (422), sauf "
    "tabulation et retours à la ligne dans les textes longs (description, note, motif)."
)


def _with_common_responses(method: str, operation: dict) -> dict:
    """A copy of `operation` with the answers every operation of its kind may give: any
    body, even one the operation ignores, is read within MAX_CONTENT_LENGTH."""
    if method not in BODY_METHODS:
        return operation
    return {**operation, "responses": {**operation["responses"], "413": TOO_LARGE}}


def build_spec() -> dict:
    paths: dict = {
        "/api/v1/openapi.json": {
            "get": {
                "summary": "Cette description OpenAPI",
                "security": [],
                "responses": {"200": {"description": "La description OpenAPI 3.1"}},
            }
        }
    }
    for module in (accounts, places, membership, resources, bookings, network, notifications, sharing, reports):
        for path, operations in module.SPEC.items():
            paths.setdefault(path, {}).update(
                {method: _with_common_responses(method, op) for method, op in operations.items()}
            )
    return {
        "openapi": "3.1.0",
        "info": {"title": "Maillage API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR_SCHEMA},
        },
        "paths": paths,
    }


@bp.get("/openapi.json")
def openapi_json():  # type: ignore[no-untyped-def]
    return jsonify(build_spec())
