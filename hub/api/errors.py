"""The contract's JSON error body for every failure of an API route."""
from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

from hub.api.blueprint import bp
from hub.errors import DomainError
from hub.extensions import db

HTTP_CODES = {
    400: ("bad_request", "La requête est invalide."),
    401: ("unauthenticated", "Authentification requise."),
    403: ("forbidden", "Vous n'avez pas le droit de faire cela."),
    404: ("not_found", "Cet élément n'existe pas."),
    405: ("method_not_allowed", "Cette méthode n'est pas permise sur cette adresse."),
    413: ("too_large", "La requête est trop volumineuse."),
    415: ("bad_request", "Le corps de la requête doit être du JSON."),
    429: ("too_many_requests", "Trop de tentatives : réessayez plus tard."),
}


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):  # type: ignore[no-untyped-def]
    db.session.rollback()
    return jsonify(error.to_dict()), error.status, error.headers


def http_error_json(error: HTTPException):  # type: ignore[no-untyped-def]
    code, message = HTTP_CODES.get(error.code or 500, ("error", "Erreur."))
    return jsonify({"error": {"code": code, "message": message}}), error.code


def internal_error_json():  # type: ignore[no-untyped-def]
    return jsonify({"error": {"code": "internal", "message": "Erreur interne du serveur."}}), 500
