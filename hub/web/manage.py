"""The back office of a hub's managers: resources and their rules, sessions, closures,
requests to decide, attendance, qualifications, the week calendar and the CSV export."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hub.errors import DomainError
from hub.rules import permissions
from hub.rules.calendar import format_opening_hours
from hub.services import bookings as bookings_service
from hub.services import catalogue as catalogue_service
from hub.services import exports
from hub.services import loans as loans_service
from hub.services import places as places_service
from hub.services import resources as resources_service
from hub.web.redirects import next_or
from hub.web.access import current_actor
from hub.web.forms import committed
from hub.web.views import catalogue as views
from models import Place, Resource

bp = Blueprint("manage", __name__, url_prefix="/gestion")

RULE_FIELDS = (
    "name", "description", "capacity", "requires_approval", "prerequisite", "opening_hours",
    "max_hours_per_week", "min_duration_minutes", "max_duration_minutes", "min_notice_minutes",
    "qualification_valid_days", "max_beneficiaries",
)
CLOSURE_PREFIX = "closure_"


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every back-office page needs a session; each view then checks the place."""


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    places = catalogue_service.managed_places(current_user)
    if not places:
        abort(403)
    return render_template("manage/index.html", places=places)


@bp.get("/demandes")
def requests():  # type: ignore[no-untyped-def]
    if not _runs_a_hub():
        abort(403)
    pending = bookings_service.pending_requests(current_user)
    return render_template("manage/requests.html", pending=pending)


@bp.post("/reservations/<int:booking_id>/confirmer")
def confirm(booking_id: int):  # type: ignore[no-untyped-def]
    def act(booking: Any) -> None:
        bookings_service.confirm_booking(booking, current_user)

    return _decide(booking_id, act, "La réservation est confirmée.")


@bp.post("/reservations/<int:booking_id>/refuser")
def refuse(booking_id: int):  # type: ignore[no-untyped-def]
    def act(booking: Any) -> None:
        bookings_service.refuse_booking(booking, current_user, request.form.get("reason", ""))

    return _decide(booking_id, act, "La demande est refusée ; le lieu verra le motif.")


@bp.post("/reservations/<int:booking_id>/presence")
def attendance(booking_id: int):  # type: ignore[no-untyped-def]
    def act(booking: Any) -> None:
        bookings_service.record_attendance(
            booking, current_user, request.form.get("attended"), request.form.get("beneficiaries")
        )

    return _decide(booking_id, act, "La présence est enregistrée.")


@bp.get("/lieux/<slug>")
def place(slug: str):  # type: ignore[no-untyped-def]
    hub = _managed_place(slug)
    return render_template(
        "manage/place.html",
        place=hub,
        resources=resources_service.resources_of_place(hub),
        archived=[r for r in resources_service.resources_of_place(hub, include_archived=True)
                  if r.archived_at is not None],
        attendance_due=catalogue_service.attendance_due(hub),
        loans=loans_service.loans_of_host(hub.id),
    )


@bp.route("/lieux/<slug>/ressources/nouvelle", methods=["GET", "POST"])
def new_resource(slug: str):  # type: ignore[no-untyped-def]
    hub = _managed_place(slug)
    if request.method == "POST":
        with committed() as outcome:
            created = resources_service.create_resource(hub, current_user, request.form)
            outcome.success = f"La ressource « {created.name} » est publiée dans le catalogue."
        if outcome.error is not None:
            return _resource_form(hub, None, request.form, outcome.error.fields), 422
        return redirect(url_for("manage.resource", resource_id=created.id))
    return _resource_form(hub, None, {"capacity": "1"}, {})


@bp.route("/ressources/<int:resource_id>/modifier", methods=["GET", "POST"])
def edit_resource(resource_id: int):  # type: ignore[no-untyped-def]
    res = _managed_resource(resource_id)
    if request.method == "POST":
        data = request.form.to_dict()
        # An unticked checkbox sends nothing; in this form that means "no".
        data.setdefault("requires_approval", "0")
        with committed("Les règles de la ressource sont enregistrées.") as outcome:
            resources_service.update_resource(res, current_user, data)
        if outcome.error is not None:
            return _resource_form(res.place, res, request.form, outcome.error.fields), 422
        return redirect(url_for("manage.resource", resource_id=res.id))
    return _resource_form(res.place, res, _resource_values(res), {})


@bp.post("/ressources/<int:resource_id>/archiver")
def archive_resource(resource_id: int):  # type: ignore[no-untyped-def]
    res = _managed_resource(resource_id)
    with committed(f"La ressource « {res.name} » est retirée du catalogue."):
        resources_service.archive_resource(res, current_user)
    return redirect(url_for("manage.place", slug=res.place.slug))


@bp.get("/ressources/<int:resource_id>")
def resource(resource_id: int):  # type: ignore[no-untyped-def]
    return _resource_page(_managed_resource(resource_id))


@bp.post("/ressources/<int:resource_id>/sessions")
def create_session(resource_id: int):  # type: ignore[no-untyped-def]
    res = _managed_resource(resource_id)
    with committed("La session est ouverte aux réservations.") as outcome:
        resources_service.create_session(res, current_user, request.form)
    if outcome.error is not None:
        return _resource_page(res, session_values=request.form, session_errors=outcome.error.fields), 422
    return redirect(url_for("manage.resource", resource_id=res.id))


@bp.post("/ressources/<int:resource_id>/fermetures")
def add_closure(resource_id: int):  # type: ignore[no-untyped-def]
    res = _managed_resource(resource_id)
    with committed("La fermeture est enregistrée.") as outcome:
        resources_service.add_closure(res, current_user, _unprefixed(request.form, CLOSURE_PREFIX))
    if outcome.error is not None:
        errors = {CLOSURE_PREFIX + k: v for k, v in outcome.error.fields.items()}
        return _resource_page(res, closure_values=request.form, closure_errors=errors), 422
    return redirect(url_for("manage.resource", resource_id=res.id))


@bp.post("/fermetures/<int:closure_id>/supprimer")
def remove_closure(closure_id: int):  # type: ignore[no-untyped-def]
    with committed("La fermeture est supprimée.", flash_error=False) as outcome:
        res = resources_service.remove_closure(closure_id, current_user)
    if outcome.error is not None:
        abort(404)
    return redirect(url_for("manage.resource", resource_id=res.id))


@bp.post("/ressources/<int:resource_id>/qualifications")
def grant_qualification(resource_id: int):  # type: ignore[no-untyped-def]
    res = _managed_resource(resource_id)
    with committed("La qualification est enregistrée.") as outcome:
        resources_service.grant_qualification(res, current_user, request.form.get("email"))
    if outcome.error is not None:
        errors = outcome.error.fields or {"email": outcome.error.message}
        return _resource_page(res, qualification_values=request.form, qualification_errors=errors), 422
    return redirect(url_for("manage.resource", resource_id=res.id) + "#qualifications")


@bp.get("/ressources/<int:resource_id>/calendrier")
def calendar(resource_id: int):  # type: ignore[no-untyped-def]
    res = _managed_resource(resource_id)
    monday = views.week_start(request.args.get("semaine"))
    return render_template(
        "manage/calendar.html",
        resource=res,
        monday=monday,
        days=views.week_bookings(res, monday),
    )


@bp.get("/lieux/<slug>/reservations.csv")
def export(slug: str):  # type: ignore[no-untyped-def]
    hub = _managed_place(slug)
    return Response(
        exports.bookings_csv(hub).encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="reservations-{hub.slug}.csv"',
        },
    )


# --- helpers -------------------------------------------------------------------------------

def _may_manage(place_id: int) -> bool:
    actor = current_actor()
    return actor is not None and permissions.may_run_hub(actor, place_id)


def _runs_a_hub() -> bool:
    actor = current_actor()
    return actor is not None and any(permissions.may_run_hub(actor, p) for p in actor.places)


def _managed_place(slug: str) -> Place:
    try:
        hub = places_service.get_place(slug)
    except DomainError:
        abort(404)
    if not _may_manage(hub.id):
        abort(403)
    return hub


def _managed_resource(resource_id: int) -> Resource:
    try:
        res = resources_service.get_resource(resource_id, include_archived=True)
    except DomainError:
        abort(404)
    if not _may_manage(res.place_id):
        abort(403)
    return res


def _decide(booking_id: int, act: Any, done: str):  # type: ignore[no-untyped-def]
    """Run a manager's decision on a booking, then go back to the page it came from."""
    with committed(done):
        act(bookings_service.get_visible_booking(current_user, booking_id))
    return redirect(next_or(url_for("manage.requests")))


def _unprefixed(form: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix):]: v for k, v in form.items() if k.startswith(prefix)}


def _resource_values(res: Resource) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(res, name, None) for name in RULE_FIELDS}
    values["kind"] = res.kind
    values["requires_approval"] = "1" if res.requires_approval else ""
    values["prerequisite"] = str(res.prerequisite_id) if res.prerequisite_id else ""
    values["opening_hours"] = format_opening_hours(res.opening_hours)
    if res.max_hours_per_week is not None:
        values["max_hours_per_week"] = f"{res.max_hours_per_week:g}"
    return values


def _resource_form(hub: Place, res: Resource | None, values: Mapping[str, Any],
                   errors: Mapping[str, str]) -> str:
    trainings = [t for t in resources_service.trainings() if res is None or t.id != res.id]
    return render_template(
        "manage/resource_form.html",
        place=hub,
        resource=res,
        values=values,
        errors=errors,
        kinds=views.kind_options(),
        trainings=trainings,
    )


def _resource_page(res: Resource, **forms: Any) -> str:
    context = {
        "session_values": {"seats": str(res.capacity)},
        "session_errors": {},
        "closure_values": {},
        "closure_errors": {},
        "qualification_values": {},
        "qualification_errors": {},
    }
    context.update(forms)
    return render_template(
        "manage/resource.html",
        resource=res,
        place=res.place,
        rules=views.rules_in_french(res),
        opening_hours=views.opening_hours_lines(res),
        sessions=resources_service.upcoming_sessions(res) if res.kind == "training" else [],
        closures=resources_service.upcoming_closures(res),
        qualifications=resources_service.qualifications_of(res) if res.kind == "training" else [],
        **context,
    )
