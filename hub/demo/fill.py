"""Fills each resource's calendar: machines and spaces slot by slot up to their capacity,
trainings session by session up to their seats (then the waitlist), incubations in
lanes of long stays. Capacity is never oversold, by construction, and the checks are
the rules the booking service applies (peak use, weekly quota)."""
from __future__ import annotations

from datetime import datetime, timedelta

from hub.demo.bookings import Bookings, Qualified
from hub.demo.common import DemoResource, Scale
from hub.demo.schedule import blocks
from hub.demo.store import CHUNK
from hub.rules.capacity import peak_use
from models import ACTIVE_STATUSES, Booking, Qualification, TrainingSession


class Filler:
    def __init__(self, bookings: Bookings, scale: Scale) -> None:
        self.b = bookings
        self.store = bookings.store
        self.rng = bookings.rng
        self.clock = bookings.clock
        self.scale = scale

    def run(self, resources: list[DemoResource]) -> None:
        """The network's bookings, shared between resources by weight; trainings first,
        so that a machine's prerequisite has its attendees."""
        trainings = [r for r in resources if r.template.kind == "training"]
        incubations = [r for r in resources if r.template.kind == "incubation"]
        others = [r for r in resources if r.template.kind in ("machine", "space")]
        remaining = self.scale.bookings
        remaining_weight = sum(r.weight for r in trainings + others)
        for group in (trainings, incubations, others):
            for res in group:
                if res.template.kind == "incubation":
                    made = self._incubation(res)
                else:
                    quota = round(remaining * res.weight / remaining_weight) if remaining_weight else 0
                    remaining_weight -= res.weight
                    made = self._training(res, quota) if res.template.kind == "training" else self._slots(res, quota)
                remaining -= made
            if group is trainings:
                self._grant_qualifications()
        self.store.flush(qualifications=True)

    def _maybe_flush(self) -> None:
        # Only between slots: a session row is complete (seats_taken) once its slot is done.
        if self.store.pending(Booking) >= CHUNK:
            self.store.flush()

    def _slots(self, res: DemoResource, quota: int) -> int:
        """Machines and spaces: per slot, active quantities up to the capacity."""
        rng, b = self.rng, self.b
        made = 0
        for day, first, last in blocks(rng, self.clock, res, quota):
            self._maybe_flush()
            if made >= quota:
                break
            start, end = self.clock.utc(day, first), self.clock.utc(day, last)
            past = day < self.clock.today
            active: list[tuple[datetime, datetime, int]] = []
            for _ in range(1 if res.capacity == 1 else rng.randint(1, 3)):
                free = res.capacity - peak_use(active)
                if free == 0 or made >= quota:
                    break
                booker = b.booker(res, start)
                if booker is None:
                    break
                status = b.status(res, past)
                quantity = rng.randint(1, min(res.template.max_quantity, free))
                if status in ACTIVE_STATUSES:
                    if not b.within_quota(res, booker[0], day, start, end):
                        continue
                    active.append((start, end, quantity))
                b.book(res, start, end, quantity, status, booker, past=past)
                made += 1
                # Someone else takes a slot that was refused or cancelled.
                if res.capacity == 1 and status not in ACTIVE_STATUSES and made < quota and rng.random() < 0.4:
                    other = b.booker(res, start)
                    if other is not None and b.within_quota(res, other[0], day, start, end):
                        b.book(res, start, end, 1, "confirmed", other, past=past)
                        made += 1
                        active.append((start, end, 1))
        return made

    def _training(self, res: DemoResource, quota: int) -> int:
        """Sessions filled seat by seat; a full session puts later requests on its waitlist."""
        rng, b, clock, store = self.rng, self.b, self.clock, self.store
        made = 0
        # user id -> (end of the first attended session, place id, booking id)
        attendance: dict[int, tuple[datetime, int, int]] = {}
        sessions = max(1, quota // max(1, res.capacity // 2))
        for day, first, last in blocks(rng, clock, res, sessions):
            self._maybe_flush()
            if made >= quota:
                break
            start, end = clock.utc(day, first), clock.utc(day, last)
            past = day < clock.today
            session_id = store.new_id(TrainingSession)
            seats = res.capacity
            target = seats if rng.random() < 0.3 else rng.randint(1, seats)
            taken = 0
            session_row = {
                "id": session_id, "resource_id": res.id, "start_at": start, "end_at": end, "seats": seats,
                "seats_taken": 0, "created_at": min(start - timedelta(days=30), clock.now),
            }
            store.add(TrainingSession, session_row)
            store.audit(session_row["created_at"], res.hub.manager_id, "session.created", TrainingSession,
                        session_id, resource=res.id, seats=seats)
            for _ in range(2 * seats):
                if taken >= target or made >= quota:
                    break
                booker = b.booker(res, start)
                if booker is None:
                    break
                status = b.status(res, past)
                quantity = rng.randint(1, min(res.template.max_quantity, target - taken))
                if status in ACTIVE_STATUSES:
                    taken += quantity
                row = b.book(res, start, end, quantity, status, booker, past=past, session_id=session_id)
                made += 1
                if row["attended"]:
                    seen = attendance.get(booker[1])
                    if seen is None or end < seen[0]:
                        attendance[booker[1]] = (end, booker[0], row["id"])
            if taken == seats:
                for _ in range(rng.randint(1, 3)):
                    booker = b.booker(res, start)
                    if booker is None or made >= quota:
                        break
                    b.book(res, start, end, 1, "waitlisted", booker, past=past, session_id=session_id)
                    made += 1
            session_row["seats_taken"] = taken
        qualified = Qualified(res.hub.manager_id)
        for at, place_id, user_id, booking_id in sorted(
                (end, place_id, user_id, booking_id) for user_id, (end, place_id, booking_id) in attendance.items()):
            qualified.times.append(at)
            qualified.who.append((place_id, user_id))
            qualified.bookings.append(booking_id)
        b.qualified[res.id] = qualified
        return made

    def _grant_qualifications(self) -> None:
        """Attending a session qualifies, as the service records it when the host notes
        the attendance."""
        store = self.store
        for training_id, qualified in self.b.qualified.items():
            for at, (_, user_id), booking_id in zip(qualified.times, qualified.who, qualified.bookings):
                qualification_id = store.new_id(Qualification)
                store.add(Qualification, {
                    "id": qualification_id, "user_id": user_id, "training_id": training_id,
                    "granted_by_id": None, "source": "attendance", "created_at": at,
                })
                store.audit(at, qualified.manager_id, "qualification.granted", Qualification, qualification_id,
                            training=training_id, user=user_id, booking=booking_id)

    def _incubation(self, res: DemoResource) -> int:
        """Long stays, one lane per incubatee place: lanes never overlap themselves."""
        rng, b, clock = self.rng, self.b, self.clock
        made = 0
        for _ in range(res.capacity):
            self._maybe_flush()
            day = clock.start_day + timedelta(days=rng.randint(0, 45))
            while True:
                last = day + timedelta(weeks=rng.choice((4, 6, 8, 12)))
                if last >= clock.end_day:
                    break
                start, end = clock.utc(day, 9 * 60), clock.utc(last, 18 * 60)
                booker = b.booker(res, start)
                if booker is not None:
                    past = last < clock.today
                    if day < clock.today <= last:
                        status = "confirmed"
                    else:
                        status = b.status(res, past)
                    b.book(res, start, end, 1, status, booker, past=past)
                    made += 1
                    if status not in ACTIVE_STATUSES:
                        # The lane stays free: another place gets the same period.
                        continue
                day = last + timedelta(days=rng.randint(1, 21))
        return made
