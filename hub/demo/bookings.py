"""One demo booking: who books, its status, its weekly quota, its row and its history.

The history is what the services would have logged for the same booking: its creation
(confirmed, pending or waitlisted), then the host's decision or the booker's
cancellation, then the attendance, by the same actors and with the same payloads.
"""
from __future__ import annotations

import bisect
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from hub.demo import data
from hub.demo.common import Clock, DemoResource
from hub.demo.places import Places
from hub.demo.store import Store
from hub.rules.capacity import is_exclusive, quota_breach
from models import Booking

Booker = tuple[int, int]  # (place id, user id)


@dataclass
class Qualified:
    """Who attended a training, by the end of their first attended session."""

    manager_id: int
    times: list[datetime] = field(default_factory=list)
    who: list[Booker] = field(default_factory=list)
    bookings: list[int] = field(default_factory=list)


class Bookings:
    def __init__(self, store: Store, rng: random.Random, clock: Clock, places: Places, progress: Any) -> None:
        self.store = store
        self.rng = rng
        self.clock = clock
        self.places = places
        self.progress = progress
        self.qualified: dict[int, Qualified] = {}
        # Active periods per (resource, place, ISO year, ISO week), for the quota rule.
        self._week_booked: dict[tuple[int, int, int, int], list[tuple[datetime, datetime]]] = defaultdict(list)

    def status(self, res: DemoResource, past: bool) -> str:
        r = self.rng.random()
        if past:
            if res.requires_approval:
                return "confirmed" if r < 0.74 else "refused" if r < 0.88 else "cancelled"
            return "confirmed" if r < 0.88 else "cancelled"
        if res.requires_approval:
            return "pending" if r < 0.45 else "confirmed" if r < 0.8 else "refused" if r < 0.9 else "cancelled"
        return "confirmed" if r < 0.9 else "cancelled"

    def booker(self, res: DemoResource, start: datetime) -> Booker | None:
        """A member of a place the resource's hub serves (or of the hub itself), or, for a
        resource with a prerequisite, someone who attended the training before `start`."""
        rng = self.rng
        if res.prerequisite_id is not None:
            qualified = self.qualified.get(res.prerequisite_id)
            n = bisect.bisect_left(qualified.times, start) if qualified else 0
            return qualified.who[rng.randrange(n)] if qualified and n else None
        hub = res.hub
        r = rng.random()
        if r < hub.internal_share or not hub.clients:
            return hub.place.id, hub.manager_id
        if r < hub.internal_share + 0.02:
            place = rng.choice(self.places.tiers_lieux)
        else:
            place = self.places.place(rng.choices(hub.clients, cum_weights=hub.cum_weights)[0])
        return place.id, rng.choice(place.users)

    def within_quota(self, res: DemoResource, place_id: int, day: date, start: datetime, end: datetime) -> bool:
        """Whether the place may still book [start, end) this week; if so, counts it."""
        limit = res.template.max_hours_per_week
        if limit is None:
            return True
        year, week, _ = day.isocalendar()
        booked = self._week_booked[(res.id, place_id, year, week)]
        if quota_breach(limit, booked, start, end) is not None:
            return False
        booked.append((start, end))
        return True

    def book(self, res: DemoResource, start: datetime, end: datetime, quantity: int, status: str,
             booker: Booker, *, past: bool, session_id: int | None = None) -> dict[str, Any]:
        rng = self.rng
        t = res.template
        now = self.clock.now
        notice = timedelta(minutes=t.min_notice_minutes or 0)
        created = min(start - notice - timedelta(hours=rng.randint(2, 21 * 24)),
                      now - timedelta(hours=rng.randint(1, 72)))
        updated = created
        attended = beneficiaries = None
        if status in ("confirmed", "refused", "cancelled"):
            updated = min(created + timedelta(hours=rng.randint(1, 48)), now)
        # Hosts decide, and bookers cancel, before the booking starts.
        decided = min(updated, start)
        if status == "confirmed" and past:
            r = rng.random()
            if r < 0.82:
                attended = True
                beneficiaries = quantity if t.kind == "training" else rng.randint(*t.beneficiaries)
            elif r < 0.92:
                attended, beneficiaries = False, 0
            if attended is not None:
                updated = min(end + timedelta(hours=rng.randint(2, 72)), now)
        row = {
            "id": self.store.new_id(Booking), "resource_id": res.id, "place_id": booker[0],
            "user_id": booker[1], "session_id": session_id, "start_at": start, "end_at": end,
            "quantity": quantity, "beneficiaries": beneficiaries, "note": rng.choice(data.BOOKING_NOTES),
            "status": status,
            "refusal_reason": rng.choice(data.REFUSAL_REASONS) if status == "refused" else None,
            "attended": attended,
            "exclusive": is_exclusive(t.kind, res.capacity),
            "created_at": created, "updated_at": max(updated, created),
        }
        self.store.add(Booking, row)
        self._history(res, row, decided)
        self.progress.update(1)
        return row

    def _history(self, res: DemoResource, row: dict[str, Any], decided: datetime) -> None:
        store = self.store
        if not store.audit_enabled:
            return
        status, booking_id, user_id = row["status"], row["id"], row["user_id"]
        manager = res.hub.manager_id
        initial = "waitlisted" if status == "waitlisted" else "pending" if res.requires_approval else "confirmed"
        store.audit(row["created_at"], user_id, "booking.created", Booking, booking_id, status=initial,
                    resource=res.id, place=self.places.place(row["place_id"]).slug, quantity=row["quantity"])
        if status == "confirmed" and initial == "pending":
            store.audit(decided, manager, "booking.confirmed", Booking, booking_id, previous="pending")
        elif status == "refused":
            store.audit(decided, manager, "booking.refused", Booking, booking_id, previous="pending",
                        reason=row["refusal_reason"] or "")
        elif status == "cancelled":
            store.audit(decided, user_id, "booking.cancelled", Booking, booking_id, previous=initial)
        if row["attended"] is not None:
            store.audit(row["updated_at"], manager, "booking.attendance", Booking, booking_id,
                        attended=row["attended"], beneficiaries=row["beneficiaries"])
