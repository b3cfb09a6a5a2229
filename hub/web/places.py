"""Pages: my places, a tiers-lieu's creation, labelling a fabrique, members, and the
public page of every place."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hub.errors import NotFound
from hub.reference import DEPARTEMENTS, REGIONS
from hub.rules import labels, permissions
from hub.services import places
from hub.web.access import current_actor, require
from hub.web.forms import committed
from models import HUB_KINDS

bp = Blueprint("places", __name__, url_prefix="/lieux")


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "place_kind_labels": labels.PLACE_KIND,
        "territory_labels": labels.TERRITORY,
        "legal_form_labels": labels.LEGAL_FORM,
        "role_labels": labels.MEMBER_ROLE,
    }


def _options() -> dict[str, Any]:
    return {
        "departements": [(d.code, f"{d.code} – {d.name}") for d in DEPARTEMENTS.values()],
        "territories": list(labels.TERRITORY.items()),
        "legal_forms": list(labels.LEGAL_FORM.items()),
        "hub_kinds": [(k, labels.PLACE_KIND[k]) for k in HUB_KINDS],
        "roles": list(labels.MEMBER_ROLE.items()),
    }


def _place_or_404(slug: str):  # type: ignore[no-untyped-def]
    try:
        return places.get_place(slug)
    except NotFound:
        abort(404)


@bp.route("/", methods=["GET", "POST"])
@login_required
def mine():  # type: ignore[no-untyped-def]
    if request.method == "POST":
        data = request.form.to_dict()
        data["kind"] = "tiers_lieu"
        with committed(failure="Le lieu n'a pas été créé : corrigez les champs signalés.") as outcome:
            place = places.create_place(data, current_user)
            outcome.success = f"Le tiers-lieu « {place.name} » est créé : vous en êtes gestionnaire."
        if outcome.error is None:
            return redirect(url_for("places.show", slug=place.slug))
        # The form is on its own page: show it again there, with what was wrong.
        return render_template("places/new.html", values=request.form, errors=outcome.error.fields,
                               **_options()), outcome.error.status
    memberships = places.memberships_of(current_user)
    actor = current_actor()
    return render_template(
        "places/mine.html",
        memberships=memberships,
        manageable={m.place_id for m in memberships
                    if actor is not None and permissions.may_manage_members(actor, m.place_id)},
    )


@bp.get("/nouveau")
@login_required
def new():  # type: ignore[no-untyped-def]
    return render_template("places/new.html", values={}, errors={}, **_options())


@bp.route("/labelliser", methods=["GET", "POST"])
@require(permissions.may_label)
def label():  # type: ignore[no-untyped-def]
    values: Any = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        with committed(flash_error=False) as outcome:
            place = places.create_place(request.form, current_user)
            outcome.success = f"« {place.name} » est labellisée. Ajoutez maintenant ses gestionnaires."
        if outcome.error is None:
            return redirect(url_for("places.members", slug=place.slug))
        values, errors, status = request.form, outcome.error.fields, outcome.error.status
        flash(outcome.error.message if not outcome.error.fields else
              "La fabrique n'a pas été créée : corrigez les champs signalés.", "error")
    return render_template("places/label.html", values=values, errors=errors, **_options()), status


@bp.get("/<slug>")
def show(slug: str):  # type: ignore[no-untyped-def]
    place = _place_or_404(slug)
    actor = current_actor()
    dep = DEPARTEMENTS.get(place.departement)
    return render_template(
        "places/show.html",
        place=place,
        departement=dep,
        region=REGIONS.get(place.region),
        resources=places.place_resources(place),
        may_manage=actor is not None and permissions.may_manage_members(actor, place.id),
    )


@bp.route("/<slug>/membres", methods=["GET", "POST"])
@login_required
def members(slug: str):  # type: ignore[no-untyped-def]
    place = _place_or_404(slug)
    actor = current_actor()
    if actor is None or not permissions.may_manage_members(actor, place.id):
        abort(403)
    values: Any = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        with committed() as outcome:
            membership = places.add_member(place, request.form, current_user)
            outcome.success = (f"{membership.user.name} est maintenant "
                               f"{labels.MEMBER_ROLE[membership.role].lower()} de ce lieu.")
        if outcome.error is None:
            return redirect(url_for("places.members", slug=place.slug))
        values, errors, status = request.form, outcome.error.fields, outcome.error.status
    return render_template(
        "places/members.html",
        place=place,
        memberships=places.members_of(place),
        values=values,
        errors=errors,
        **_options(),
    ), status
