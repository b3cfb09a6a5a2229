"""The pages every public service owes its users: accessibility, legal notice, personal data, help."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

bp = Blueprint("legal", __name__)


def _render(template: str):  # type: ignore[no-untyped-def]
    return render_template(f"legal/{template}.html", operator=current_app.config["SITE_OPERATOR"],
                           contact=current_app.config["SITE_CONTACT"])


@bp.get("/accessibilite")
def accessibility():  # type: ignore[no-untyped-def]
    return _render("accessibility")


@bp.get("/mentions-legales")
def legal_notice():  # type: ignore[no-untyped-def]
    return _render("notice")


@bp.get("/donnees-personnelles")
def personal_data():  # type: ignore[no-untyped-def]
    return _render("personal_data")


@bp.get("/aide")
def help_page():  # type: ignore[no-untyped-def]
    return _render("aide")
