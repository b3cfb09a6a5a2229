"""Open data, for anyone and without a token (Licence Ouverte 2.0): the places in the
"Lieux de médiation numérique" standard (CSV and JSON), the served flows (CSV), and the
page that describes them."""
from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, url_for

from hub.services import opendata

bp = Blueprint("opendata", __name__, url_prefix="/opendata")

LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


def _place_url(slug: str) -> str:
    # PUBLIC_URL, not the request's host: the files are read far from this server.
    return current_app.config["PUBLIC_URL"] + url_for("places.show", slug=slug)


def _download(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/")
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "opendata/index.html",
        coverage=opendata.coverage(),
        schema=opendata.schema(),
        columns=opendata.columns(),
        flux_columns=opendata.FLUX_COLUMNS,
        licence_url=LICENCE_URL,
    )


@bp.get("/lieux-mediation-numerique.csv")
def lieux_csv():  # type: ignore[no-untyped-def]
    return _download(opendata.lieux_csv(opendata.lieux(_place_url)), "lieux-mediation-numerique.csv")


@bp.get("/lieux-mediation-numerique.json")
def lieux_json():  # type: ignore[no-untyped-def]
    # Not jsonify: it sorts the keys, and the records keep the schema's column order.
    return Response(json.dumps(opendata.lieux(_place_url), ensure_ascii=False), mimetype="application/json")


@bp.get("/flux.csv")
def flux_csv():  # type: ignore[no-untyped-def]
    return _download(opendata.flux_csv(opendata.flux()), "flux.csv")
