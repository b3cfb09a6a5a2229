"""The demo's resources, drawn from the hubs' templates, and their closures."""
from __future__ import annotations

import random
from datetime import date, timedelta

from hub.demo import data
from hub.demo.common import Clock, DemoHub, DemoResource
from hub.demo.store import Store
from hub.rules.finding import search_key
from models import Closure, Resource


def build_resources(store: Store, rng: random.Random, clock: Clock, hubs: list[DemoHub]) -> list[DemoResource]:
    resources = []
    for hub in hubs:
        # Trainings first: a machine's prerequisite must exist before it.
        keys = sorted(hub.templates, key=lambda k: data.RESOURCE_TEMPLATES[k].kind != "training")
        ids: dict[str, int] = {}
        for key in keys:
            t = data.RESOURCE_TEMPLATES[key]
            capacity = rng.randint(*t.capacity)
            if key == "kits_robotique" and hub is hubs[0]:
                capacity = 8
            approval = t.requires_approval or (t.kind != "training" and rng.random() < 0.1)
            prerequisite = ids.get(t.prerequisite) if t.prerequisite else None
            res = DemoResource(store.new_id(Resource), hub, t, capacity, approval, prerequisite,
                               t.weight * hub.activity)
            ids[key] = res.id
            store.add(Resource, {
                "id": res.id, "place_id": hub.place.id, "kind": t.kind, "name": t.name,
                "description": t.description, "capacity": capacity, "requires_approval": approval,
                "prerequisite_id": prerequisite,
                "opening_hours": data.OPENING_HOURS[t.hours] if t.publish_hours else None,
                "max_hours_per_week": t.max_hours_per_week,
                "min_duration_minutes": t.min_duration_minutes,
                "max_duration_minutes": t.max_duration_minutes,
                "min_notice_minutes": t.min_notice_minutes,
                "archived_at": None, "created_at": clock.long_ago,
                "search_text": search_key(t.name, t.description),
            })
            store.audit(clock.long_ago, hub.manager_id, "resource.created", Resource, res.id,
                        kind=t.kind, name=t.name)
            if t.kind != "incubation" and rng.random() < 0.25:
                _add_closure(store, rng, clock, res)
            resources.append(res)
    return resources


def _add_closure(store: Store, rng: random.Random, clock: Clock, res: DemoResource) -> None:
    if rng.random() < 0.5:
        year = clock.today.year if clock.today.month > 8 else clock.today.year - 1
        first, days, reason = date(year, 8, 1), 14, "Fermeture estivale"
    else:
        span = (clock.end_day - clock.start_day).days
        first = clock.start_day + timedelta(days=rng.randrange(span))
        days, reason = rng.randint(2, 5), "Maintenance"
    last = first + timedelta(days=days)
    res.closed_days.update(first + timedelta(days=d) for d in range(days))
    closure_id = store.new_id(Closure)
    start = clock.utc(first, 0)
    store.add(Closure, {
        "id": closure_id, "resource_id": res.id, "start_at": start, "end_at": clock.utc(last, 0),
        "reason": reason,
    })
    # Announced a month before it starts.
    store.audit(min(start - timedelta(days=30), clock.now), res.hub.manager_id, "closure.created",
                Closure, closure_id, resource=res.id, reason=reason)
