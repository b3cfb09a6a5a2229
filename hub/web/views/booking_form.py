"""The booking form of a resource page: what it starts with, how an incubation's days
become the service's period, and what it shows when the service refuses."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Mapping

from flask import url_for

from hub.errors import DomainError, QuotaExceeded, Unavailable
from hub.rules.calendar import HOURS_KINDS
from hub.rules.validation import Fields
from hub.services import resources as resources_service
from hub.timeutil import PARIS
from hub.web.views.calendar import local_value
from hub.web.views.catalogue import WEEK_DAYS, week_start
from models import Place, Resource

SUGGESTIONS = 3


@dataclass
class Suggestion:
    start: datetime
    end: datetime
    url: str

    @property
    def start_value(self) -> str:
        return local_value(self.start)

    @property
    def end_value(self) -> str:
        return local_value(self.end)

    @property
    def label(self) -> str:
        start, end = self.start.astimezone(PARIS), self.end.astimezone(PARIS)
        day = f"{WEEK_DAYS[start.weekday()]} {start:%d/%m}"
        if end.date() == start.date():
            return f"{day}, {start:%H:%M}–{end:%H:%M}"
        return f"{day} {start:%H:%M} au {WEEK_DAYS[end.weekday()].lower()} {end:%d/%m %H:%M}"


def labels(resource: Resource) -> dict[str, str]:
    """The form's field names as the error summary names them."""
    days = resource.kind == "incubation"
    return {
        "place": "Lieu", "session": "Session", "start": "Premier jour" if days else "Début",
        "end": "Dernier jour" if days else "Fin", "quantity": "Quantité",
        "beneficiaries": "Bénéficiaires", "note": "Motivation" if days else "Message",
    }


def initial_values(resource: Resource, places: list[Place], args: Mapping[str, Any]) -> dict[str, Any]:
    """One place to book for is the usual case: chosen already. A link may choose the
    session (?session=) or the period (?debut=&fin=, from a suggested slot)."""
    values: dict[str, Any] = {"quantity": "1"}
    if len(places) == 1:
        values["place"] = places[0].slug
    if args.get("session"):
        values["session"] = args["session"]
    for arg, name in (("debut", "start"), ("fin", "end")):
        if args.get(arg):
            values[name] = str(args[arg])[:16]
    return values


def data_of(resource: Resource, form: Mapping[str, Any]) -> dict[str, Any]:
    """The form as the booking service reads it. An incubation is asked by days: from the
    first day's midnight to the midnight after the last day (Paris time)."""
    data = dict(form.items())
    if resource.kind == "incubation":
        for name, extra in (("start", 0), ("end", 1)):
            day = _day(data.get(name))
            if day is not None:
                data[name] = datetime.combine(day + timedelta(days=extra), time(), tzinfo=PARIS).isoformat()
    return data


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value.strip()) != 10:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def field_errors(resource: Resource, exc: DomainError) -> dict[str, str]:
    """Put a conflict (slot taken, quota used up) beside the time the member chose."""
    if exc.fields:
        return dict(exc.fields)
    if isinstance(exc, (Unavailable, QuotaExceeded)):
        return {"session" if resource.kind == "training" else "start": exc.message}
    return {}


def suggestions(resource: Resource, form: Mapping[str, Any], exc: DomainError) -> list[Suggestion]:
    """When the chosen slot is taken: the next free ones of the same length."""
    if not isinstance(exc, Unavailable) or resource.kind not in HOURS_KINDS:
        return []
    f = Fields(form)
    start, end = f.datetime("start"), f.datetime("end")
    quantity = f.integer("quantity", minimum=1, maximum=resource.capacity, default=1) or 1
    if start is None or end is None or end <= start:
        return []
    found = resources_service.next_free_slots(resource, start, end - start, quantity, count=SUGGESTIONS)
    return [
        Suggestion(a, b, url_for("catalogue.resource", resource_id=resource.id,
                                 semaine=week_start(a.astimezone(PARIS).date().isoformat()).isoformat(),
                                 debut=local_value(a), fin=local_value(b)) + "#booking")
        for a, b in found
    ]
