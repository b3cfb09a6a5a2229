"""Home page: the network at a glance."""
from flask import Blueprint, render_template

from hub.services import places as places_service

bp = Blueprint("main", __name__)


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    return render_template(
        "main/home.html",
        overview=places_service.network_overview(),
        by_departement=places_service.fabriques_by_departement(),
    )
