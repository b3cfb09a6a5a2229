"""GET /api/v1/openapi.json: OpenAPI 3.1, assembled from each module's SPEC."""
from __future__ import annotations

from flask import jsonify

from hub.api import accounts, bookings, bp, network, places, resources

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
    for module in (accounts, places, resources, bookings, network):
        for path, operations in module.SPEC.items():
            paths.setdefault(path, {}).update(operations)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Maillage API", "version": "1"},
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
