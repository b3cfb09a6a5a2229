"""Pages: the network dashboard for ANCT (/reseau), and a fabrique's own figures."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from hub.errors import DomainError, Forbidden, Invalid, NotFound
from hub.reference import REGIONS
from hub.services import exports
from hub.services import network as network_service
from hub.services import qualifications
from hub.rules.network import COMPARED_FIGURES
from hub.web.access import network_readers_only
from hub.web.views import network as views

bp = Blueprint("network", __name__, url_prefix="/reseau")

# Tables each page offers for export, by name in network_service.TABLES.
PAGE_TABLES = {
    "dashboard": ["territoires", "mensuel"],
    "hubs": ["lieux"],
    "departements": ["departements", "regions"],
    "structure": ["communautes", "passerelles", "clientele-partagee", "non-desservis"],
}


def _period() -> tuple[network_service.Period, dict[str, str], dict[str, str]]:
    """The period from ?from=&to=; a bad value is flashed, shown beside its field,
    and the page falls back to all time."""
    raw = {k: request.args.get(k, "").strip() for k in ("from", "to")}
    try:
        period = network_service.parse_period(request.args)
    except Invalid as exc:
        flash("La période demandée est invalide : les chiffres portent sur toute la durée.", "error")
        return network_service.Period(), raw, exc.fields
    return period, {k: v for k, v in raw.items() if v}, {}


def _render(template: str, page: str, **context: Any) -> str:
    period, period_args, period_errors = context.pop("_period")
    return render_template(
        template,
        page=page,
        period=period,
        period_args=period_args,
        period_values=period_args | {k: request.args.get(k, "") for k in period_errors},
        period_errors=period_errors,
        exports=[(name, network_service.TABLES[name][0]) for name in PAGE_TABLES.get(page, [])],
        **context,
    )


@bp.get("")
@network_readers_only
def dashboard():  # type: ignore[no-untyped-def]
    period = _period()
    snap = network_service.snapshot(period[0])
    return _render(
        "network/dashboard.html",
        "dashboard",
        _period=period,
        summary=snap.summary(),
        top_hubs=views.with_labels(snap.hubs[:10]),
        map_data=views.map_data(snap),
        charts=views.chart_data(snap),
        tile_url=views.tile_url(),
        recognitions=qualifications.recognition_summary(),
    )


@bp.get("/lieux")
@network_readers_only
def hubs():  # type: ignore[no-untyped-def]
    period = _period()
    snap = network_service.snapshot(period[0])
    return _render("network/hubs.html", "hubs", _period=period, hubs=views.with_labels(snap.hubs),
                   columns=views.PAGE_HUB_COLUMNS, medians=snap.medians)


@bp.get("/departements")
@network_readers_only
def departements():  # type: ignore[no-untyped-def]
    period = _period()
    snap = network_service.snapshot(period[0])
    return _render(
        "network/departements.html", "departements", _period=period,
        departements=snap.departements, regions=snap.regions,
        dep_columns=views.PAGE_DEPARTEMENT_COLUMNS,
        region_columns=views.PAGE_REGION_COLUMNS,
    )


@bp.get("/region")
@network_readers_only
def region():  # type: ignore[no-untyped-def]
    period = _period()
    snap = network_service.snapshot(period[0])
    code = request.args.get("region") or "53"
    if code not in REGIONS:
        flash("Région inconnue : la Bretagne est affichée.", "error")
        code = "53"
    return _render(
        "network/region.html", "region", _period=period,
        region=REGIONS[code], regions=sorted(REGIONS.values(), key=lambda r: r.name),
        elements=views.region_elements(snap, code),
    )


@bp.get("/structure")
@network_readers_only
def structure():  # type: ignore[no-untyped-def]
    period = _period()
    snap = network_service.snapshot(period[0])
    found = snap.communities
    return _render(
        "network/structure.html", "structure", _period=period,
        communities=views.community_rows(snap, found["communities"][:30]),
        communities_total=len(found["communities"]),
        bridging=views.with_labels(found["bridging_hubs"][:50]),
        bridging_total=len(found["bridging_hubs"]),
        shared=snap.shared_clientele[:50],
        shared_total=len(snap.shared_clientele),
        unserved=views.with_labels(snap.unserved[:100]),
        unserved_total=len(snap.unserved),
    )


@bp.get("/methode")
def method():  # type: ignore[no-untyped-def]
    return render_template("network/method.html", page="method")


@bp.get("/export/<table>.<fmt>")
@network_readers_only
def export(table: str, fmt: str):  # type: ignore[no-untyped-def]
    if table not in network_service.TABLES or fmt not in ("csv", "json"):
        abort(404)
    period, _, errors = _period()
    if errors:
        return redirect(url_for("network.dashboard"))
    snap = network_service.snapshot(period)
    columns, rows = network_service.table(snap, table)
    return _download(columns, rows, f"reseau-{table}", fmt, snap.period)


def _download(columns, rows, filename: str, fmt: str, period):  # type: ignore[no-untyped-def]
    if fmt == "csv":
        return Response(
            exports.table_csv(columns, rows),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
        )
    response = jsonify({"items": rows, "total": len(rows), "period": period.as_dict()})
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.json"'
    return response


@bp.get("/mon-lieu")
@login_required
def my_hubs():  # type: ignore[no-untyped-def]
    places = network_service.managed_hubs(current_user)
    if len(places) == 1:
        return redirect(url_for("network.my_hub", slug=places[0].slug))
    return render_template("network/my_hubs.html", page="mine", places=places)


@bp.get("/mon-lieu/<slug>")
@login_required
def my_hub(slug: str):  # type: ignore[no-untyped-def]
    try:
        place = network_service.may_read_hub(current_user, slug)
    except NotFound:
        abort(404)
    except Forbidden:
        abort(403)
    period = _period()
    snap = network_service.snapshot(period[0])
    try:
        figures = network_service.hub_with_medians(snap, slug)
    except DomainError:
        figures = None
    fmt = request.args.get("format")
    if fmt in ("csv", "json") and figures is not None:
        rows = views.comparison_rows(figures)
        return _download(views.COMPARISON_COLUMNS, rows, f"reseau-{slug}", fmt, snap.period)
    return _render(
        "network/my_hub.html", "mine", _period=period, place=place, figures=figures,
        rows=views.comparison_rows(figures) if figures else [],
        compared=COMPARED_FIGURES,
    )
