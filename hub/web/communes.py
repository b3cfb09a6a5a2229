"""The commune picker's data: `GET /communes?q=...`, public reference data as JSON."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from hub.reference import DEPARTEMENTS
from hub.reference import communes as reference

bp = Blueprint("communes", __name__)

MIN_QUERY = 2
MAX_QUERY = 100
MAX_ITEMS = 20


@bp.get("/communes")
def search():  # type: ignore[no-untyped-def]
    q = request.args.get("q", "").strip()
    if len(q) > MAX_QUERY:
        return jsonify({"error": {
            "code": "invalid",
            "message": f"La recherche ne peut pas dépasser {MAX_QUERY} caractères.",
            "fields": {"q": f"{MAX_QUERY} caractères au plus."},
        }}), 422
    if len(q) < MIN_QUERY:
        return jsonify({"items": [], "total": 0})
    matches = reference.find(q, MAX_ITEMS)
    response = jsonify({
        "items": [
            {
                "insee": c.code,
                "name": c.name,
                "departement": c.departement,
                "departement_name": DEPARTEMENTS[c.departement].name,
                "postal_codes": list(c.postal_codes),
                "lat": c.lat,
                "lon": c.lon,
            }
            for c in matches.items
        ],
        "total": matches.total,
    })
    # The same for everyone until the next `make reference`: let browsers keep it.
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response
