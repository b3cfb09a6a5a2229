"""The demo's loans: a kit the first hub lends out, in each state a loan goes through
(returned, out, overdue), so that pages and the API show them from the first run."""
from __future__ import annotations

from datetime import timedelta

from hub.demo import data
from hub.demo.bookings import Bookings
from hub.demo.common import Clock, DemoHub, DemoResource
from hub.demo.store import Store
from models import Booking, Resource

KIT = data.ResourceTemplate(
    "loan", "Malle de prêt robotique",
    "Robots pédagogiques et cartes micro:bit pour une classe, prêtés quelques jours aux lieux voisins.",
    (3, 3), 24 * 60, "tue_sat", publish_hours=False, beneficiaries=(8, 24),
)


def add_loans(store: Store, bookings: Bookings, clock: Clock, hubs: list[DemoHub]) -> None:
    """After the other bookings: draws from the generator after them leave those alone."""
    hub = hubs[0]
    res = DemoResource(store.new_id(Resource), hub, KIT, 3, False, None, 1.0)
    store.add(Resource, {
        "id": res.id, "place_id": hub.place.id, "kind": "loan", "name": KIT.name,
        "description": KIT.description, "capacity": 3, "requires_approval": False, "prerequisite_id": None,
        "opening_hours": None, "max_hours_per_week": None, "min_duration_minutes": None,
        "max_duration_minutes": None, "min_notice_minutes": None, "archived_at": None,
        "created_at": clock.long_ago,
    })
    store.audit(clock.long_ago, hub.manager_id, "resource.created", Resource, res.id, kind="loan", name=KIT.name)
    store.flush()
    day = timedelta(days=1)
    now = clock.now.replace(minute=0, second=0, microsecond=0)
    for start, end, status in ((now - 30 * day, now - 23 * day, "returned"),
                               (now - 12 * day, now - 2 * day, "out"),   # overdue
                               (now - 2 * day, now + 3 * day, "out")):
        booker = bookings.booker(res, start)
        if booker is None or booker[0] == hub.place.id:
            continue
        row = bookings.book(res, start, end, 1, status, booker, past=end <= clock.now)
        row["checked_out_at"] = start
        row["returned_at"] = end - timedelta(hours=3) if status == "returned" else None
        row["return_condition"] = "Complet, une batterie à recharger." if status == "returned" else None
        place = bookings.places.place(booker[0]).slug
        store.audit(start, hub.manager_id, "booking.out", Booking, row["id"], previous="confirmed",
                    resource=res.id, place=place)
        if status == "returned":
            store.audit(row["returned_at"], hub.manager_id, "booking.returned", Booking, row["id"],
                        previous="out", resource=res.id, place=place, overdue=False,
                        condition=row["return_condition"])
    store.flush()
