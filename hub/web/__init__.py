"""HTML pages: thin blueprints, one module per area, rendering templates/<area>/."""
from __future__ import annotations

from urllib.parse import urlparse
from typing import Any

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from hub.rules import permissions
from hub.timeutil import local
from hub.web.access import forget_actor

ERROR_TITLES = {
    400: "Requête invalide",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non permise",
    413: "Requête trop volumineuse",
    429: "Trop de tentatives",
}


def register_web(app: Flask) -> None:
    from hub.web import account, auth, calendar, catalogue, communes, main, manage, network, outbox, places

    for module in (main, auth, account, places, catalogue, manage, network, calendar, communes, outbox):
        app.register_blueprint(module.bp)
    app.before_request(forget_actor)

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        return {"nav": navigation()}

    @app.template_filter("local")
    def _local(value, fmt: str = "%d/%m/%Y %H:%M"):  # type: ignore[no-untyped-def]
        return local(value).strftime(fmt) if value else ""


def http_error_page(error: HTTPException):  # type: ignore[no-untyped-def]
    code = error.code or 500
    template = f"errors/{code}.html" if code in (403, 404) else "errors/generic.html"
    title = ERROR_TITLES.get(code, "Erreur")
    return render_template(template, code=code, title=title), code


def internal_error_page():  # type: ignore[no-untyped-def]
    return render_template("errors/500.html"), 500


def navigation() -> dict[str, Any]:
    """The header's links for the current user's roles, and the pending badge."""
    from flask import request, url_for

    from hub.services import places as places_service
    from hub.web.access import current_actor

    links = [("Accueil", "main.home"), ("Catalogue", "catalogue.index")]
    manages: list[int] = []
    actor = current_actor()
    reads_network = actor is not None and permissions.may_read_network(actor)
    if actor is not None:
        links.append(("Mes réservations", "catalogue.my_bookings"))
        links.append(("Mes lieux", "places.mine"))
        manages = [p for p in actor.places if permissions.may_run_hub(actor, p)]
        if manages:
            links.append(("Gestion", "manage.index"))
            if not reads_network:
                links.append(("Mon effet réseau", "network.my_hubs"))
        if reads_network:
            links.append(("Réseau", "network.dashboard"))
    items = []
    for label, endpoint in links:
        try:
            url = url_for(endpoint)
        except Exception:  # an area not built yet  # noqa: BLE001
            continue
        items.append({"label": label, "url": url, "current": request.path == url})
    return {
        "links": items,
        "manages": bool(manages),
        # Buttons and sections a page shows only to those who may use them.
        "may_label": actor is not None and permissions.may_label(actor),
        "reads_network": reads_network,
        "pending": places_service.pending_requests_count(manages),
    }


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 for ch in target):
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc:
        return None
    return target


def next_or(default: str) -> str:
    """The form's or query's `next` target if it is on this site, else `default`."""
    from flask import request

    return safe_next(request.form.get("next") or request.args.get("next")) or default
