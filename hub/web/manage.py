"""The back office of a hub's managers: resources and their rules, sessions, closures,
requests to decide, attendance, qualifications, the week calendar and the CSV export."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hub.errors import DomainError
from hub.rules import permissions
from hub.services import bookings as bookings_service
from hub.services import catalogue as catalogue_service
from hub.services import exports
from hub.services import loans as loans_service
from hub.services import places as places_service
from hub.services import archiving
from hub.services import resources as resources_service
from hub.services import sessions as sessions_service
from hub.web.redirects import next_or
from hub.web.access import current_actor
from hub.web.forms import committed
from hub.web.views import calendar as calendar_views
from hub.web.views import catalogue as views
from hub.web.views import resource_form
from models import Place, Resource, TrainingSession, utcnow

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
    resources = resources_service.resources_of_place(hub)
    return render_template(
        "manage/place.html",
        place=hub,
        resources=resources,
        archive_counts=archiving.future_live_counts(resources),
        archived=[r for r in resources_service.resources_of_place(hub, include_archived=True)
                  if r.archived_at is not None],
        attendance_due=catalogue_service.attendance_due(hub),
        loans=loans_service.loans_of_host(hub.id),
    )


@bp.route("/lieux/<slug>/ressources/nouvelle", methods=["GET", "POST"])
def new_resource(slug: str):  # type: ignore[no-untyped-def]
    hub = _managed_place(slug)
    if request.method == "POST":
        data, errors = resource_form.to_service(request.form)
        if errors:
            return _resource_form(hub, None, request.form, errors), 422
        with committed() as outcome:
            created = resources_service.create_resource(hub, current_user, data)
            outcome.success = f"La ressource « {created.name} » est publiée dans le catalogue."
        if outcome.error is not None:
            return _resource_form(hub, None, request.form, resource_form.errors_of_form(outcome.error.fields)), 422
        return redirect(url_for("manage.resource", resource_id=created.id))
    return _resource_form(hub, None, {"capacity": "1"}, {})


@bp.route("/ressources/<int:resource_id>/modifier", methods=["GET", "POST"])
def edit_resource(resource_id: int):  # type: ignore[no-untyped-def]
    res = _managed_resource(resource_id)
    if request.method == "POST":
        data, errors = resource_form.to_service(request.form)
        # An unticked checkbox sends nothing; in this form that means "no".
        data.setdefault("requires_approval", "0")
        if errors:
            return _resource_form(res.place, res, request.form, errors), 422
        with committed("Les règles de la ressource sont enregistrées.") as outcome:
            resources_service.update_resource(res, current_user, data)
        if outcome.error is not None:
            return _resource_form(res.place, res, request.form, resource_form.errors_of_form(outcome.error.fields)), 422
        return redirect(url_for("manage.resource", resource_id=res.id))
    return _resource_form(res.place, res, _resource_values(res), {})


@bp.get("/ressources/<int:resource_id>/archiver")
def confirm_archive(resource_id: int):  # type: ignore[no-untyped-def]
    """Archiving asks first and says which bookings it will cancel."""
    res = _managed_resource(resource_id)
    if res.archived_at is not None:
        return redirect(url_for("manage.resource", resource_id=res.id))
    return render_template("manage/confirm_archive.html", resource=res, place=res.place,
                           bookings=archiving.future_live_bookings(res))


@bp.post("/ressources/<int:resource_id>/archiver")
def archive_resource(resource_id: int):  # type: ignore[no-untyped-def]
    res = _managed_resource(resource_id)
    name, slug = res.name, res.place.slug
    with committed() as outcome:
        cancelled = archiving.archive_resource(res, current_user)
        outcome.success = f"La ressource « {name} » est retirée du catalogue." + (
            f" {cancelled} réservation{'s' if cancelled > 1 else ''} à venir "
            f"{'sont annulées' if cancelled > 1 else 'est annulée'} ; les lieux sont prévenus." if cancelled else "")
    return redirect(url_for("manage.place", slug=slug))


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


@bp.get("/lieux/<slug>/calendrier")
def place_calendar(slug: str):  # type: ignore[no-untyped-def]
    """The week of every resource of the place, with the decisions at hand."""
    hub = _managed_place(slug)
    monday = views.week_start(request.args.get("semaine"))
    return render_template(
        "manage/place_calendar.html",
        place=hub,
        monday=monday,
        week_url=url_for("manage.place_calendar", slug=hub.slug),
        week=calendar_views.place_week(hub, monday),
        back=request.full_path.rstrip("?"),
    )


@bp.get("/reservations/<int:booking_id>/refuser")
def confirm_refuse(booking_id: int):  # type: ignore[no-untyped-def]
    return _booking_question(booking_id, "manage/confirm_refuse.html")


@bp.get("/reservations/<int:booking_id>/annuler")
def confirm_cancel(booking_id: int):  # type: ignore[no-untyped-def]
    return _booking_question(booking_id, "manage/confirm_cancel.html")


@bp.post("/reservations/<int:booking_id>/annuler")
def cancel(booking_id: int):  # type: ignore[no-untyped-def]
    def act(booking: Any) -> None:
        bookings_service.cancel_booking(booking, current_user)

    return _decide(booking_id, act, "La réservation est annulée ; le lieu est prévenu.")


@bp.get("/sessions/<int:session_id>")
def session(session_id: int):  # type: ignore[no-untyped-def]
    return _session_page(_managed_session(session_id))


@bp.post("/sessions/<int:session_id>/modifier")
def edit_session(session_id: int):  # type: ignore[no-untyped-def]
    found = _managed_session(session_id)
    with committed("La session est modifiée ; les inscrits voient les nouveaux horaires.") as outcome:
        sessions_service.update_session(found, current_user, request.form)
    if outcome.error is not None:
        found = _managed_session(session_id)
        return _session_page(found, values=request.form, errors=outcome.error.fields), 422
    return redirect(url_for("manage.session", session_id=found.id))


@bp.get("/sessions/<int:session_id>/annuler")
def confirm_cancel_session(session_id: int):  # type: ignore[no-untyped-def]
    found = _managed_session(session_id)
    live = [b for b in sessions_service.attendees(found) if b.status in sessions_service.LIVE_STATUSES]
    return render_template("manage/confirm_cancel_session.html", session=found, resource=found.resource,
                           place=found.resource.place, live=live)


@bp.post("/sessions/<int:session_id>/annuler")
def cancel_session(session_id: int):  # type: ignore[no-untyped-def]
    found = _managed_session(session_id)
    resource_id = found.resource_id
    with committed() as outcome:
        count = sessions_service.cancel_session(found, current_user)
        outcome.success = "La session est annulée." + (
            f" {count} réservation{'s' if count > 1 else ''} {'sont annulées' if count > 1 else 'est annulée'} ;"
            " les lieux sont prévenus." if count else "")
    return redirect(url_for("manage.resource", resource_id=resource_id))


@bp.post("/sessions/<int:session_id>/presences")
def session_attendance(session_id: int):  # type: ignore[no-untyped-def]
    found = _managed_session(session_id)
    with committed() as outcome:
        count = sessions_service.record_attendances(current_user, sessions_service.attendees(found), request.form)
        outcome.success = f"Présences enregistrées : {count}." if count else "Aucune présence indiquée."
    if outcome.error is not None:
        found = _managed_session(session_id)
        return _session_page(found, attendance_values=request.form, attendance_errors=outcome.error.fields), 422
    return redirect(url_for("manage.session", session_id=found.id) + "#attendance")


@bp.post("/lieux/<slug>/presences")
def place_attendance(slug: str):  # type: ignore[no-untyped-def]
    """The place page's attendance to record, in one form."""
    hub = _managed_place(slug)
    with committed() as outcome:
        count = sessions_service.record_attendances(current_user, catalogue_service.attendance_due(hub), request.form)
        outcome.success = f"Présences enregistrées : {count}." if count else "Aucune présence indiquée."
    return redirect(url_for("manage.place", slug=hub.slug) + "#attendance")


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


def _managed_session(session_id: int) -> TrainingSession:
    try:
        return sessions_service.get_session(session_id, current_user)
    except DomainError:
        abort(404)


def _booking_question(booking_id: int, template: str):  # type: ignore[no-untyped-def]
    """A page that asks before a decision on a booking (works without JavaScript)."""
    try:
        booking = bookings_service.get_booking_page(current_user, booking_id)
    except DomainError:
        abort(404)
    if not _may_manage(booking.resource.place_id):
        abort(403)
    return render_template(template, booking=booking, back=next_or(url_for("manage.requests")))


def _session_page(found: TrainingSession, **forms: Any) -> str:
    context: dict[str, Any] = {
        "values": {"start": calendar_views.local_value(found.start_at), "end": calendar_views.local_value(found.end_at),
                   "seats": str(found.seats)},
        "errors": {},
        "attendance_values": {},
        "attendance_errors": {},
    }
    context.update(forms)
    return render_template(
        "manage/session.html",
        session=found,
        resource=found.resource,
        place=found.resource.place,
        attendees=sessions_service.attendees(found),
        started=found.start_at <= utcnow(),
        **context,
    )


def _decide(booking_id: int, act: Any, done: str):  # type: ignore[no-untyped-def]
    """Run a manager's decision on a booking, then go back to the page it came from."""
    with committed(done):
        act(bookings_service.get_visible_booking(current_user, booking_id))
    return redirect(next_or(url_for("manage.requests")))


def _unprefixed(form: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    return {k[len(prefix):]: v for k, v in form.items() if k.startswith(prefix)}


def _resource_values(res: Resource) -> dict[str, Any]:
    return resource_form.form_values(res, RULE_FIELDS)


def _resource_form(hub: Place, res: Resource | None, values: Mapping[str, Any],
                   errors: Mapping[str, str]) -> str:
    trainings = [t for t in resources_service.trainings() if res is None or t.id != res.id]
    rows = (resource_form.rows_of_form(values) if resource_form.ROWS_MARKER in values
            else resource_form.hour_rows(res.opening_hours if res else None))
    rows = rows or resource_form.hour_rows(None)
    return render_template(
        "manage/resource_form.html",
        place=hub,
        resource=res,
        values=values,
        errors=errors,
        error_labels=resource_form.LABELS | resource_form.row_labels(rows),
        hour_rows=rows,
        days=resource_form.DAY_OPTIONS,
        units=resource_form.UNIT_OPTIONS,
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
        archive_count=archiving.future_live_counts([res]).get(res.id, 0),
        **context,
    )
