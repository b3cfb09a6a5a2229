"""The shape of the demo network: where the national hubs sit, and which hubs each
tiers-lieu books from (the profile of a hub decides how its bookings spread)."""
from __future__ import annotations

import random
from collections import defaultdict

from hub.demo import data
from hub.demo.common import LEGAL_FORMS, LEGAL_WEIGHTS, SERVICE_RADIUS_KM, Commune, DemoHub, DemoPlace
from hub.geo import haversine_km


def national_hub_specs(rng: random.Random, communes: list[Commune], count: int) -> list[data.HubSpec]:
    """`count` hubs over every département, alternately in a préfecture's QPV and in the
    countryside."""
    by_dep: dict[str, list[Commune]] = defaultdict(list)
    for c in communes:
        by_dep[c.departement].append(c)
    prefectures = {c.departement: c for c in communes if c.insee in data.PREFECTURES}
    deps = sorted(by_dep)
    rng.shuffle(deps)
    chosen = deps + [rng.choice(deps) for _ in range(count - len(deps))]
    specs = []
    for i, dep in enumerate(chosen[:count]):
        territory = "qpv" if i % 2 == 0 else "rural"
        commune = prefectures[dep] if territory == "qpv" else rng.choice(by_dep[dep])
        kind = "fabrique_numerique" if rng.random() < 0.3 else "fabrique"
        specs.append(data.HubSpec(
            commune.insee, kind, territory,
            legal_form=rng.choices(LEGAL_FORMS, LEGAL_WEIGHTS)[0],
        ))
    return specs


def serve(rng: random.Random, hubs: list[DemoHub], tiers_lieux: list[DemoPlace], *,
          konk: DemoHub, member_place: DemoPlace) -> None:
    """Each tiers-lieu books mostly from one to three hubs near it; a few from none.
    Fills each hub's clients and their cumulative weights."""
    for place in tiers_lieux:
        candidates = []
        for hub in hubs:
            # Cheap box test before the great-circle distance.
            if abs(hub.place.lat - place.lat) > 0.6 or abs(hub.place.lon - place.lon) > 0.9:
                continue
            km = haversine_km(place.lat, place.lon, hub.place.lat, hub.place.lon)
            if km <= SERVICE_RADIUS_KM:
                candidates.append((km, hub.place.id, hub))
        if place is member_place:
            served_by = [konk]
        elif not candidates or rng.random() < 0.08:
            continue
        else:
            candidates.sort(key=lambda t: (t[0], t[1]))
            k = rng.choice((1, 1, 2, 2, 3))
            served_by = [h for _, _, h in rng.sample(candidates[:k + 1], min(k, len(candidates)))]
        for hub in served_by:
            if hub.profile == "internal":
                continue
            hub.clients.append(place.id)
            hub.weights.append(1.0 if hub.profile != "mixed" else rng.lognormvariate(0, 1))
    for hub in hubs:
        if hub.profile == "dominated" and hub.clients:
            hub.weights[rng.randrange(len(hub.weights))] = 4 * sum(hub.weights) + 1
        total = 0.0
        for w in hub.weights:
            total += w
            hub.cum_weights.append(total)
