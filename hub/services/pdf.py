"""The yearly reports as PDF: HTML templates (templates/reports/) rendered by WeasyPrint.

The fonts (the DSFR's Marianne, loaded from static/vendor/dsfr/fonts by file:// URLs) and
the stylesheet are parsed once per process and shared by every render: the CLI renders
hundreds of reports, and parsing them is most of a small report's cost.
"""
from __future__ import annotations

import atexit
import logging
import threading
from pathlib import Path
from typing import Any

from flask import current_app

from hub.reference import REGIONS, departement
from hub.rules import labels
from hub.services import charts
from hub.services.reports import report_filename

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_shared: dict[str, Any] = {}
# Let go of the fonts while the interpreter can still run their finalizer.
atexit.register(_shared.clear)


# WeasyPrint is imported where it renders: loading it (Pango, fontconfig) takes seconds,
# which every process that never renders a report (the worker, each test app) would pay.


def _stylesheet() -> tuple[Any, Any]:
    """(font configuration, parsed stylesheet), built on first use."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    with _lock:
        if "css" not in _shared:
            fonts = Path(current_app.static_folder or "static") / "vendor" / "dsfr" / "fonts"
            css = current_app.jinja_env.get_template("reports/pdf.css").render(
                fonts=fonts.resolve().as_uri()
            )
            font_config = FontConfiguration()
            _shared["fonts"] = font_config
            _shared["css"] = CSS(string=css, font_config=font_config)
        return _shared["fonts"], _shared["css"]


def _render(template: str, **context: Any) -> bytes:
    from weasyprint import HTML

    font_config, css = _stylesheet()
    html = current_app.jinja_env.get_template(template).render(
        charts=charts, labels=labels, departement_name=_departement_name, **context
    )
    return HTML(string=html, base_url=str(current_app.root_path)).write_pdf(
        stylesheets=[css], font_config=font_config
    )


def _departement_name(code: str) -> str:
    found = departement(code)
    return found.name if found else code


def _month_rows(monthly: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(labels.month_label(row["month"]), row) for row in monthly]


def _kind_rows(by_kind: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return [(labels.label(labels.RESOURCE_KIND, kind), row) for kind, row in by_kind.items()]


def place_report_pdf(report: dict[str, Any]) -> bytes:
    host = report["host"]
    return _render(
        "reports/place.pdf.html",
        report=report,
        place=report["place"],
        host=host,
        booker=report["booker"],
        month_rows=_month_rows(host["monthly"]),
        kind_rows=_kind_rows(host["by_kind"]),
        monthly_svg=charts.monthly_bars(host["monthly"]),
        territory_svg=charts.territory_shares(host["by_territory"]),
        map_svg=charts.places_map(host["served_places"], report["place"]),
    )


def network_report_pdf(report: dict[str, Any], served_places: list[dict[str, Any]]) -> bytes:
    national = report["national"]
    return _render(
        "reports/network.pdf.html",
        report=report,
        national=national,
        regions=report["regions"],
        region_names={code: r.name for code, r in REGIONS.items()},
        month_rows=_month_rows(national["monthly"]),
        kind_rows=_kind_rows(national["by_kind"]),
        monthly_svg=charts.monthly_bars(national["monthly"]),
        territory_svg=charts.territory_shares(national["by_territory"]),
        map_svg=charts.places_map(served_places),
    )


# ---------------------------------------------------------------- many reports at once


def start_worker(app: Any) -> None:
    """A process of `flask reports`' pool: renders inside the app, for its templates."""
    app.app_context().push()


def warm_up() -> None:
    """Parse the fonts and stylesheet (once per process, before the first report)."""
    _stylesheet()


def write_report(task: tuple[str, dict[str, Any], Any, Path]) -> str:
    """Render one report of `flask reports` and write it under its name; the name."""
    kind, report, served, out_dir = task
    body = network_report_pdf(report, served) if kind == "network" else place_report_pdf(report)
    name = report_filename(report, "pdf")
    (out_dir / name).write_bytes(body)
    return name
