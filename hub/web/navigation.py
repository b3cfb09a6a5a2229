"""The header's links, for every page."""
from __future__ import annotations

from typing import Any

from flask import request, url_for

from hub.rules import permissions
from hub.services import places as places_service
from hub.web.access import current_actor


def navigation() -> dict[str, Any]:
    """The header's links for the current user's roles, and the pending badge."""
    links = [("Accueil", "main.home"), ("Catalogue", "catalogue.index")]
    manages: list[int] = []
    actor = current_actor()
    reads_network = actor is not None and permissions.may_read_network(actor)
    if actor is not None:
        links.append(("Mes réservations", "catalogue.my_bookings"))
        links.append(("Mes qualifications", "sharing.my_qualifications"))
        links.append(("Mes lieux", "places.mine"))
        manages = [p for p in actor.places if permissions.may_run_hub(actor, p)]
        if manages:
            links.append(("Gestion", "manage.index"))
            if not reads_network:
                links.append(("Mon effet réseau", "network.my_hubs"))
        if reads_network:
            links.append(("Réseau", "network.dashboard"))
        if manages or reads_network:
            links.append(("Rapport annuel", "reports.index"))
        if permissions.may_supervise_mail(actor):
            links.append(("Envois", "outbox.index"))
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
