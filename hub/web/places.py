"""Pages: my places, a tiers-lieu's creation, labelling a fabrique, members (invitations,
join requests, removal), and the public page of every place."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hub.errors import NotFound
from hub.reference import DEPARTEMENTS, REGIONS
from hub.rules import labels, permissions, validation
from hub.services import membership, places
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


@bp.app_template_filter("phone")
def _phone(number: str) -> str:
    return validation.display_phone(number)


def _options() -> dict[str, Any]:
    return {
        "departements": [(d.code, f"{d.code} – {d.name}") for d in DEPARTEMENTS.values()],
        "territories": list(labels.TERRITORY.items()),
        "legal_forms": list(labels.LEGAL_FORM.items()),
        "hub_kinds": [(k, labels.PLACE_KIND[k]) for k in HUB_KINDS],
        "roles": list(labels.MEMBER_ROLE.items()),
        "tile_url": current_app.config.get("MAP_TILE_URL") or "",
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
        may_ask_to_join=actor is not None and permissions.may_ask_to_join(actor, place.id),
        is_member=actor is not None and actor.belongs_to(place.id),
        pending_request=(membership.pending_request(place, current_user)
                         if actor is not None and not actor.belongs_to(place.id) else None),
        may_edit=actor is not None and permissions.may_edit_place(actor, place.id),
    )


@bp.route("/<slug>/modifier", methods=["GET", "POST"])
@login_required
def edit(slug: str):  # type: ignore[no-untyped-def]
    place = _place_or_404(slug)
    actor = current_actor()
    if actor is None or not permissions.may_edit_place(actor, place.id):
        abort(403)
    values: Any = places.place_dict(place)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        # The form carries every editable field: an emptied one is cleared.
        data = {name: request.form.get(name, "") for name in places.EDITABLE}
        with committed(failure="Le lieu n'a pas été modifié : corrigez les champs signalés.") as outcome:
            places.patch_place(place, data, current_user)
            outcome.success = "Les informations du lieu sont enregistrées."
        if outcome.error is None:
            return redirect(url_for("places.show", slug=place.slug))
        values, errors, status = request.form, outcome.error.fields, outcome.error.status
    return render_template("places/edit.html", place=place, values=values, errors=errors, **_options()), status


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
            added = membership.add_member(place, request.form, current_user)
            if isinstance(added, membership.Invited):
                outcome.success = (f"Aucun compte n'a l'adresse {added.email} : une invitation lui est "
                                   f"envoyée pour rejoindre ce lieu comme {labels.MEMBER_ROLE[added.role].lower()}.")
            else:
                outcome.success = (f"{added.user.name} est maintenant "
                                   f"{labels.MEMBER_ROLE[added.role].lower()} de ce lieu.")
        if outcome.error is None:
            return redirect(url_for("places.members", slug=place.slug))
        values, errors, status = request.form, outcome.error.fields, outcome.error.status
    return render_template(
        "places/members.html",
        place=place,
        memberships=places.members_of(place),
        join_requests=(membership.pending_requests(place, current_user)
                       if permissions.may_answer_join_requests(actor, place.id) else []),
        may_remove=lambda m: permissions.may_remove_member(actor, place.id, m.user_id),
        values=values,
        errors=errors,
        **_options(),
    ), status


@bp.route("/<slug>/rejoindre", methods=["GET", "POST"])
@login_required
def join(slug: str):  # type: ignore[no-untyped-def]
    place = _place_or_404(slug)
    values: Any = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        with committed("Votre demande est envoyée aux gestionnaires du lieu : vous recevrez leur "
                       "réponse par courriel.") as outcome:
            membership.ask_to_join(place, current_user, request.form)
        if outcome.error is None or outcome.error.status == 409:
            return redirect(url_for("places.show", slug=place.slug))
        values, errors, status = request.form, outcome.error.fields, outcome.error.status
    return render_template("places/join.html", place=place, values=values, errors=errors), status


@bp.post("/<slug>/demandes/<request_id>/<decision>")
@login_required
def decide(slug: str, request_id: str, decision: str):  # type: ignore[no-untyped-def]
    place = _place_or_404(slug)
    if decision not in ("accepter", "refuser"):
        abort(404)
    accept = decision == "accepter"
    with committed() as outcome:
        decided = membership.decide(request_id, current_user, accept, request.form)
        outcome.success = (f"{decided.user.name} est maintenant membre de ce lieu." if accept else
                           f"La demande de {decided.user.name} est refusée ; un message l'en informe.")
    if outcome.error is not None and outcome.error.status in (403, 404):
        abort(outcome.error.status)
    return redirect(url_for("places.members", slug=place.slug))


@bp.route("/<slug>/membres/<user_id>/retirer", methods=["GET", "POST"])
@login_required
def remove_member(slug: str, user_id: str):  # type: ignore[no-untyped-def]
    """A confirmation page, then the removal (or a member leaving)."""
    place = _place_or_404(slug)
    actor = current_actor()
    target = next((m for m in places.members_of(place) if str(m.user_id) == user_id), None)
    if target is None:
        abort(404)
    if actor is None or not permissions.may_remove_member(actor, place.id, target.user_id):
        abort(403)
    leaving = target.user_id == current_user.id
    if request.method == "GET":
        return render_template("places/remove.html", place=place, target=target, leaving=leaving)
    name = target.user.name
    with committed() as outcome:
        membership.remove_member(place, target.user_id, current_user)
        outcome.success = (f"Vous avez quitté « {place.name} »." if leaving else
                           f"{name} ne fait plus partie de ce lieu.")
    if outcome.error is not None:
        return redirect(url_for("places.members" if not leaving else "places.show", slug=place.slug))
    if leaving:
        return redirect(url_for("places.show", slug=place.slug))
    return redirect(url_for("places.members", slug=place.slug))
