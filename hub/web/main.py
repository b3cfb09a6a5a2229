"""Home page (the network at a glance) and where each role lands after logging in."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from hub.rules import permissions
from hub.services import catalogue as catalogue_service
from hub.services import places as places_service
from hub.web.access import current_actor
from models import HUB_KINDS

bp = Blueprint("main", __name__)


@bp.get("/")
def home():  # type: ignore[no-untyped-def]
    return render_template(
        "main/home.html",
        overview=places_service.network_overview(),
        by_departement=places_service.fabriques_by_departement(),
    )


@bp.get("/mon-espace")
@login_required
def landing():  # type: ignore[no-untyped-def]
    """Each role where it works: ANCT and admins on the network dashboard, a manager on
    their place's back office (the list of them when they run several hubs), a member on
    the catalogue, near their place."""
    actor = current_actor()
    assert actor is not None
    if permissions.may_read_network(actor):
        return redirect(url_for("network.dashboard"))
    managed = catalogue_service.managed_places(current_user)
    hubs = [p for p in managed if p.kind in HUB_KINDS]
    chosen = hubs or managed
    if len(chosen) == 1:
        return redirect(url_for("manage.place", slug=chosen[0].slug))
    if chosen:
        return redirect(url_for("manage.index"))
    return redirect(url_for("catalogue.index"))
