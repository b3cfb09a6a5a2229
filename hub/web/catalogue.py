"""Pages for members: the catalogue, a resource page with its booking form, my bookings."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hub.errors import DomainError
from hub.reference import DEPARTEMENTS, REGIONS
from hub.rules import labels, permissions
from hub.services import bookings as bookings_service
from hub.services import catalogue as catalogue_service
from hub.services import places as places_service
from hub.services import resources as resources_service
from hub.services import series as series_service
from hub.web.redirects import next_or
from hub.web.access import current_actor
from hub.web import sharing
from hub.web.forms import committed
from hub.rules.calendar import HOURS_KINDS
from hub.web.views import booking_form
from hub.web.views import calendar as calendar_views
from hub.web.views import catalogue as views
from models import ACTIVE_STATUSES, Booking, Resource, utcnow

bp = Blueprint("catalogue", __name__)

# Bookings that still hold or wait for capacity: the ones a cancel button makes sense for.
STILL_ACTIVE = (*ACTIVE_STATUSES, "waitlisted")


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {
        "kind_label": lambda kind: labels.label(labels.RESOURCE_KIND, kind),
        "status_label": lambda status: labels.label(labels.BOOKING_STATUS, status),
        "status_labels": labels.BOOKING_STATUS,
        "status_badge": views.status_badge,
        "week_shift": views.week_shift,
    }


@bp.get("/ressources")
def index():  # type: ignore[no-untyped-def]
    args = request.args
    places = places_service.member_places(current_user) if current_user.is_authenticated else []
    # Near the member's own place unless they chose another one, or none ("pres=").
    near_slug = args.get("pres", places[0].slug if places else "")
    near = next((p for p in places if p.slug == near_slug), None)
    day, day_error = views.day_period(args.get("jour"))
    search = catalogue_service.Search(
        kind=args.get("type") if args.get("type") in labels.RESOURCE_KIND else None,
        q=(args.get("q") or "").strip()[:200] or None,
        departement=args.get("departement") if args.get("departement") in DEPARTEMENTS else None,
        region=args.get("region") if args.get("region") in REGIONS else None,
        near=near,
    )
    if day is not None:
        search.free_from, search.free_to = views.day_bounds(day)
    found, total, number = catalogue_service.find_resources(
        search, page=views.page_number(args.get("page")), per_page=views.PER_PAGE, clamp=True)
    filters = {
        "q": search.q or "", "type": search.kind or "", "region": search.region or "",
        "departement": search.departement or "", "jour": day.isoformat() if day else "",
        "pres": near.slug if near else "", "vue": args.get("vue") if args.get("vue") in views.VIEWS else "liste",
    }
    return render_template(
        "catalogue/index.html",
        page=views.Page.of(found, total, number),
        page_links=views.page_links(number, max(1, -(-total // views.PER_PAGE))),
        filters=filters,
        link_args=views.link_args(filters, keep_empty_near=bool(places)),
        errors={"jour": day_error} if day_error else {},
        near=near,
        places=places,
        kinds=views.kind_options(),
        regions=views.region_options(),
        departements=views.departement_options(),
        map_data=views.map_data(found, near),
        tile_url=current_app.config.get("MAP_TILE_URL") or "",
        next_free_text=views.next_free_text,
        distance_text=views.distance_text,
    )


@bp.get("/ressources/<int:resource_id>")
def resource(resource_id: int):  # type: ignore[no-untyped-def]
    return _resource_page(_visible_resource_or_404(resource_id))


@bp.post("/ressources/<int:resource_id>/reserver")
@login_required
def book(resource_id: int):  # type: ignore[no-untyped-def]
    res = _visible_resource_or_404(resource_id)
    data = sharing.booking_form(res, booking_form.data_of(res, request.form))
    with committed(flash_error=False) as outcome:
        if data.get("repeat_weeks"):
            outcome.success = sharing.book_series(res, current_user.id, data)
        else:
            booking = bookings_service.create_booking(res.id, current_user.id, data)
            outcome.success = _booked_message(booking["status"])
    if outcome.error is not None:
        # The booking path re-read the resource under its lock, without what the page shows.
        res = _visible_resource_or_404(resource_id)
        return _resource_page(res, values=request.form, error=outcome.error), 422
    return redirect(url_for("catalogue.my_bookings"))


@bp.get("/mes-reservations")
@login_required
def my_bookings():  # type: ignore[no-untyped-def]
    upcoming = bookings_service.bookings_of_user_places(current_user, upcoming=True)
    past = bookings_service.bookings_of_user_places(current_user, upcoming=False)
    actor = current_actor()
    cancellable = {
        b.id for b in upcoming
        if b.status in STILL_ACTIVE and actor is not None
        and permissions.may_cancel(actor, b.place_id, b.resource.place_id)
    }
    feed_url = (
        url_for("calendar.feed", token=current_user.calendar_token, _external=True)
        if current_user.calendar_token
        else None
    )
    return render_template(
        "catalogue/my_bookings.html",
        upcoming=upcoming,
        past=past,
        cancellable=cancellable,
        feed_url=feed_url,
    )


@bp.get("/reservations/<int:booking_id>")
@login_required
def booking(booking_id: int):  # type: ignore[no-untyped-def]
    """A booking on its own page: what its links lead to, even once its resource is archived."""
    found = _visible_booking_or_404(booking_id)
    return render_template("catalogue/booking.html", booking=found, cancellable=_may_cancel(found),
                           series_coming=_series_coming(found))


@bp.get("/reservations/<int:booking_id>/annuler")
@login_required
def confirm_cancel(booking_id: int):  # type: ignore[no-untyped-def]
    """Cancelling asks first, on a page of its own: it works without JavaScript."""
    found = _visible_booking_or_404(booking_id)
    if not _may_cancel(found):
        return redirect(url_for("catalogue.booking", booking_id=found.id))
    return render_template("catalogue/cancel.html", booking=found,
                           back=next_or(url_for("catalogue.my_bookings")))


@bp.post("/reservations/<int:booking_id>/annuler")
@login_required
def cancel(booking_id: int):  # type: ignore[no-untyped-def]
    with committed("La réservation est annulée."):
        booking = bookings_service.get_visible_booking(current_user, booking_id)
        bookings_service.cancel_booking(booking, current_user)
    return redirect(next_or(url_for("catalogue.my_bookings")))


def _visible_booking_or_404(booking_id: int) -> Booking:
    try:
        return bookings_service.get_booking_page(current_user, booking_id)
    except DomainError:
        abort(404)


def _series_coming(booking: Booking) -> int:
    """How many coming bookings cancelling the booking's series would cancel, if the user
    may cancel it (0: nothing to offer)."""
    if booking.series_id is None:
        return 0
    try:
        series_service.series_to_cancel(booking.series_id, current_user)
    except DomainError:
        return 0
    return len(series_service.coming_bookings(booking.series_id))


def _may_cancel(booking: Booking) -> bool:
    actor = current_actor()
    return (booking.status in STILL_ACTIVE and booking.end_at > utcnow() and booking.attended is None
            and actor is not None and permissions.may_cancel(actor, booking.place_id, booking.resource.place_id))


def _visible_resource_or_404(resource_id: int) -> Resource:
    try:
        return resources_service.get_resource(resource_id)
    except DomainError:
        abort(404)


def _resource_page(res: Resource, values: Mapping[str, Any] | None = None,
                   error: DomainError | None = None) -> str:
    monday = views.week_start(request.args.get("semaine"))
    places = places_service.member_places(current_user) if current_user.is_authenticated else []
    if values is None:
        values = booking_form.initial_values(res, places, request.args)
    sessions = resources_service.upcoming_sessions(res) if res.kind == "training" else []
    return render_template(
        "catalogue/resource.html",
        resource=res,
        rules=views.rules_in_french(res),
        opening_hours=views.opening_hours_lines(res),
        monday=monday,
        week_url=url_for("catalogue.resource", resource_id=res.id),
        grid=calendar_views.resource_week(res, monday) if res.kind in HOURS_KINDS else None,
        sessions=sessions,
        session_options=views.session_options(sessions),
        places=places,
        place_options=[(p.slug, p.name) for p in places],
        values=values,
        errors=booking_form.field_errors(res, error) if error else {},
        form_error=error.message if error else None,
        error_labels=booking_form.labels(res),
        suggestions=booking_form.suggestions(res, request.form, error) if error else [],
    )


def _booked_message(status: str) -> str:
    return {
        "confirmed": "Votre réservation est confirmée.",
        "pending": "Votre demande est envoyée : l'équipe de la fabrique va la valider.",
        "waitlisted": "La session est complète : vous êtes sur liste d'attente.",
    }.get(status, "Votre réservation est enregistrée.")
