"""Running sums of the flows, moved flow by flow, for the network's figures under a
stream of bookings (see `FlowIndex`)."""
from __future__ import annotations

from collections import defaultdict
from fractions import Fraction
from typing import Any, Iterable, Mapping

from hub.rules.communities import communities_of
from hub.rules.network import (
    TERRITORIES,
    Flow,
    PlaceInfo,
    coverage_by_departement,
    hub_item,
    ranked,
)


class _Providers(Mapping[int, int]):
    """place -> how many hubs serve it, read from the index's sets."""

    def __init__(self, served_by: Mapping[int, set[int]]) -> None:
        self._served_by = served_by

    def __getitem__(self, place: int) -> int:
        found = self._served_by.get(place)
        if found is None:
            raise KeyError(place)
        return len(found)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._served_by)

    def __len__(self) -> int:
        return len(self._served_by)


class FlowIndex:
    """The sums that `territory_breakdown`, `coverage_by_departement`, `communities` and
    the network's totals fold over the flows, kept as running sums moved flow by flow
    (`move(old, new)`): under a stream of bookings, one flow changes between two reads,
    and the figures cost what changed, not the 16,000 flows.

    Hours are summed as exact fractions, so the result does not depend on the order the
    flows came and went in: any process, whatever its history, answers the same.
    """

    def __init__(self, places: Mapping[int, PlaceInfo], flows: Iterable[Flow] = ()) -> None:
        self.places = places
        self.territory_places = {t: [0, 0] for t in TERRITORIES}
        for place in places.values():
            row = self.territory_places.get(place.territory)
            if row is not None:
                row[0] += 1
                row[1] += place.kind == "tiers_lieu"
        # bookings, beneficiaries, verified, hours, incubation hours: every flow.
        self.totals: list[Any] = [0, 0, 0, Fraction(0), Fraction(0)]
        self._served: dict[int, int] = defaultdict(int)  # place -> flows with beneficiaries
        self.served = 0
        self.territory = {t: [0, 0, Fraction(0)] for t in TERRITORIES}
        self._territory_served: dict[int, int] = defaultdict(int)
        self.territory_served: dict[str, int] = defaultdict(int)
        self.received: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.provided: dict[str, int] = defaultdict(int)
        self._departement_served: dict[int, int] = defaultdict(int)
        self.departement_served: dict[str, int] = defaultdict(int)
        self.weights: dict[tuple[str, str], int] = defaultdict(int)
        self._touched: dict[int, int] = defaultdict(int)
        self.serving: dict[int, set[int]] = defaultdict(set)
        # For `hub_metrics`: each host's flows, each place's serving hosts, the hubs whose
        # figures a move may have changed, and the figures of the others.
        self.by_host: dict[int, dict[int, Flow]] = defaultdict(dict)
        self.served_by: dict[int, set[int]] = defaultdict(set)
        self.hub_kind_ids = {pid for pid, place in places.items() if place.is_hub_kind}
        self.dirty: set[int] = set(self.hub_kind_ids)
        self.items: dict[int, dict[str, Any]] = {}
        # For whoever renders the flows host by host: the hosts moved since it last
        # looked, and what it rendered of each (kept here, so it matches these sums).
        self.moved_hosts: set[int] = set()
        self.rendered: dict[int, Any] = {}
        for flow in flows:
            self._add(flow, 1)

    def move(self, old: Flow | None, new: Flow | None) -> None:
        if old is not None:
            self._add(old, -1)
        if new is not None:
            self._add(new, 1)

    @staticmethod
    def _count(counts: dict[int, int], key: int, sign: int) -> int:
        """Moves a count; +1/-1 when `key` starts/stops counting, else 0."""
        before = counts[key]
        counts[key] = before + sign
        if counts[key] == 0:
            del counts[key]
        return (before == 0) - (before + sign == 0)

    def _add(self, flow: Flow, sign: int) -> None:
        totals = self.totals
        totals[0] += sign * flow.bookings
        totals[1] += sign * flow.beneficiaries
        totals[2] += sign * flow.verified
        totals[3] += sign * Fraction(flow.hours)
        totals[4] += sign * Fraction(flow.incubation_hours)
        has_beneficiaries = flow.beneficiaries > 0
        if has_beneficiaries:
            self.served += self._count(self._served, flow.place, sign)
        if flow.host == flow.place:
            return
        self.dirty.add(flow.host)
        self.moved_hosts.add(flow.host)
        if sign > 0:
            self.by_host[flow.host][flow.place] = flow
        else:
            out = self.by_host[flow.host]
            if out.get(flow.place) is flow or out.get(flow.place) == flow:
                del out[flow.place]
            if not out:
                del self.by_host[flow.host]
        if has_beneficiaries:
            # Whether a place has one provider or more moves the others' sole-provider share.
            self.dirty.update(self.served_by[flow.place])
            if sign > 0:
                self.serving[flow.host].add(flow.place)
                self.served_by[flow.place].add(flow.host)
            else:
                self.serving[flow.host].discard(flow.place)
                if not self.serving[flow.host]:
                    del self.serving[flow.host]
                self.served_by[flow.place].discard(flow.host)
            if not self.served_by[flow.place]:
                del self.served_by[flow.place]
        place, host = self.places.get(flow.place), self.places.get(flow.host)
        if place is None:
            return
        row = self.territory.get(place.territory)
        if row is not None:
            row[0] += sign * flow.bookings
            row[1] += sign * flow.beneficiaries
            row[2] += sign * Fraction(flow.hours)
            if has_beneficiaries:
                self.territory_served[place.territory] += self._count(
                    self._territory_served, flow.place, sign)
        if host is None:
            return
        received = self.received[place.departement]
        received[0] += sign * flow.bookings
        received[1] += sign * flow.beneficiaries
        self.provided[host.departement] += sign * flow.beneficiaries
        if has_beneficiaries:
            self.departement_served[place.departement] += self._count(
                self._departement_served, flow.place, sign)
            a, b = host.departement, place.departement
            self.weights[(a, b) if a <= b else (b, a)] += sign * flow.beneficiaries
            self._count(self._touched, flow.host, sign)
            self._count(self._touched, flow.place, sign)

    def hub_metrics(self) -> list[dict[str, Any]]:
        """What `hub_metrics(places, flows)` gives (all time: no activation), computing
        again only the hubs a move touched."""
        places = self.places
        providers = _Providers(self.served_by)
        for hub_id in self.dirty:
            if hub_id in places and (hub_id in self.hub_kind_ids or hub_id in self.by_host):
                flows = self.by_host.get(hub_id, {})
                out = [flows[p] for p in sorted(flows) if p in places]
                self.items[hub_id] = hub_item(
                    places, places[hub_id], out, self.serving.get(hub_id, set()), providers, None)
            else:
                self.items.pop(hub_id, None)
        self.dirty = set()
        return ranked([dict(item) for item in self.items.values()])

    def territory_breakdown(self) -> dict[str, dict[str, Any]]:
        """What `territory_breakdown(places, flows)` gives."""
        total = sum(row[1] for row in self.territory.values())
        return {
            t: {"places": self.territory_places[t][0], "tiers_lieux": self.territory_places[t][1],
                "places_served": self.territory_served.get(t, 0), "bookings": row[0],
                "beneficiaries": row[1], "hours": float(row[2]),
                "beneficiaries_share": row[1] / total if total else None}
            for t, row in self.territory.items()
        }

    def coverage_by_departement(self, hubs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """What `coverage_by_departement(places, flows, hubs)` gives."""
        rows = coverage_by_departement(self.places, (), hubs)
        for row in rows:
            code = row["code"]
            received = self.received.get(code)
            if received is not None:
                row["bookings"], row["beneficiaries"] = received
            row["beneficiaries_provided"] = self.provided.get(code, 0)
            row["places_served"] = self.departement_served.get(code, 0)
        return rows

    def communities(self) -> dict[str, Any]:
        """What `communities(places, flows)` gives."""
        weights = {pair: w for pair, w in self.weights.items() if w > 0}
        return communities_of(self.places, weights, set(self._touched), self.serving)

    def served_places(self) -> set[int]:
        """The places some flow with beneficiaries reached (the summary's)."""
        return set(self._served)
