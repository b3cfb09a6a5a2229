"""Pages: the "Rapport annuel" page (/rapports) and its downloads.

Managers see their own places; ANCT and admins the network and any fabrique. The files
are the API's (hub.services.reports and hub.services.pdf), reached with the session.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, render_template, request
from flask_login import current_user, login_required

from hub.errors import Forbidden, Invalid, NotFound
from hub.rules import labels, permissions
from hub.services import network as network_service
from hub.services import pdf, reports
from hub.web.access import current_actor, network_readers_only

bp = Blueprint("reports", __name__, url_prefix="/rapports")


def _year() -> int:
    """?annee=, or the current year when absent or invalid (flashed)."""
    raw = request.args.get("annee")
    if raw in (None, ""):
        return reports.default_year()
    try:
        return reports.parse_year(raw)
    except Invalid as exc:
        flash(f"{exc.fields['year']} Le rapport de l'année en cours est affiché.", "error")
        return reports.default_year()


def _place(slug: str) -> Any:
    try:
        return network_service.may_read_hub(current_user, slug)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)


def _year_of_file(year: int) -> int:
    try:
        return reports.parse_year(year)
    except Invalid:
        abort(404)


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("")
@login_required
def index():  # type: ignore[no-untyped-def]
    actor = current_actor()
    reads_network = actor is not None and permissions.may_read_network(actor)
    year = _year()
    if reads_network:
        choices = [(p.slug, p.name) for p in reports.report_fabriques()]
    else:
        choices = [(p.slug, p.name) for p in network_service.managed_hubs(current_user)]
    slug = request.args.get("lieu") or (choices[0][0] if len(choices) == 1 and not reads_network else "")
    report = network = None
    if slug:
        place = _place(slug)
        report = reports.place_report(reports.read_year(year, host=place), place)
    elif reads_network:
        network = reports.network_report(reports.read_year(year))
    return render_template(
        "reports/index.html", page="reports", year=year, years=reports.years_offered(),
        choices=choices, slug=slug, report=report, network=network,
        reads_network=reads_network, month_label=labels.month_label,
    )


@bp.get("/lieux/<slug>/<int:year>.<fmt>")
@login_required
def place_file(slug: str, year: int, fmt: str):  # type: ignore[no-untyped-def]
    if fmt not in ("pdf", "csv", "json"):
        abort(404)
    place = _place(slug)
    report = reports.place_report(reports.read_year(_year_of_file(year), host=place), place)
    name = reports.report_filename(report, fmt)
    if fmt == "pdf":
        return _download(pdf.place_report_pdf(report), "application/pdf", name)
    if fmt == "csv":
        return _download(reports.place_report_csv(report), "text/csv", name)
    response = jsonify(report)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/reseau/<int:year>.<fmt>")
@network_readers_only
def network_file(year: int, fmt: str):  # type: ignore[no-untyped-def]
    if fmt not in ("pdf", "json"):
        abort(404)
    data = reports.read_year(_year_of_file(year))
    report = reports.network_report(data)
    name = reports.report_filename(report, fmt)
    if fmt == "pdf":
        return _download(pdf.network_report_pdf(report, reports.network_served_places(data)),
                         "application/pdf", name)
    response = jsonify(report)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
