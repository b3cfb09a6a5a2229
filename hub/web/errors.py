"""The HTML error pages, for the app's error handlers."""
from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import HTTPException

ERROR_TITLES = {
    400: "Requête invalide",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non permise",
    413: "Requête trop volumineuse",
    429: "Trop de tentatives",
}


def http_error_page(error: HTTPException):  # type: ignore[no-untyped-def]
    code = error.code or 500
    template = f"errors/{code}.html" if code in (403, 404) else "errors/generic.html"
    title = ERROR_TITLES.get(code, "Erreur")
    return render_template(template, code=code, title=title), code


def internal_error_page():  # type: ignore[no-untyped-def]
    return render_template("errors/500.html"), 500
