"""HTML pages: thin blueprints, one module per area, rendering templates/<area>/.

This package only wires; the pages' shared helpers have modules of their own (access,
forms, navigation, redirects, errors, views)."""
from __future__ import annotations

from typing import Any

from flask import Flask

from hub.rules import labels
from hub.timeutil import local
from hub.web.access import forget_actor
from hub.web.navigation import navigation


def register_web(app: Flask) -> None:
    from hub.web import (account, auth, calendar, catalogue, communes, legal, main, manage, network,
                         notifications, opendata, outbox, places, reports)

    for module in (main, auth, account, notifications, places, catalogue, manage, network, calendar, communes,
                   outbox, legal, opendata, reports):
        app.register_blueprint(module.bp)
    app.before_request(forget_actor)
    from hub.web import sharing

    app.register_blueprint(sharing.bp)

    @app.context_processor
    def _navigation() -> dict[str, Any]:
        return {"nav": navigation(), "booking_status_labels": labels.BOOKING_STATUS}

    app.add_template_filter(labels.month_label, "month_label")

    @app.template_filter("local")
    def _local(value, fmt: str = "%d/%m/%Y %H:%M"):  # type: ignore[no-untyped-def]
        return local(value).strftime(fmt) if value else ""
