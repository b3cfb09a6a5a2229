"""Builds the demo network table by table: accounts, places, resources, then bookings."""
from __future__ import annotations

import random
import sys
from datetime import date

from tqdm import tqdm

from hub.demo.bookings import Bookings
from hub.demo.common import DEMO_PASSWORD, Clock, Scale
from hub.demo.fill import Filler
from hub.demo.loans import add_loans
from hub.demo.places import Places
from hub.demo.resources import build_resources
from hub.demo.store import Store
from hub.services.accounts import hash_password


def build(scale: Scale, seed: int, today: date, progress: bool) -> dict[str, int]:
    """Write the network's rows (flushed, not committed); the row count of each table."""
    # One generator for every draw, in a fixed order: the seed decides everything.
    rng = random.Random(seed)
    clock = Clock(scale, today)
    store = Store(audit=scale.audit)
    places = Places(store, rng, clock, scale, hash_password(DEMO_PASSWORD))
    places.build_users()
    places.build_places()
    resources = build_resources(store, rng, clock, places.hubs)
    store.flush()
    with tqdm(total=scale.bookings, unit=" réservations", disable=not progress, file=sys.stderr,
              mininterval=0.5) as bar:
        bookings = Bookings(store, rng, clock, places, bar)
        Filler(bookings, scale).run(resources)
        add_loans(store, bookings, clock, places.hubs)
    return store.finish({"scale": scale.name, "seed": seed, "today": today.isoformat(),
                         "bookings": store.counts["bookings"]})
