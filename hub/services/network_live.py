"""What one network snapshot leaves to the next under a stream of bookings: the
per-process mirrors of the all-time aggregates, the running sums of the flows, and the
serialized graph, so that a booking costs what it changed.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import current_app

from hub.rules.flow_index import FlowIndex
from hub.rules.network import Flow, PlaceInfo
from hub.services.analytics_mirror import MonthsMirror, TotalsMirror

_lock = threading.Lock()


@dataclass
class Carry:
    """What a snapshot leaves to the next one of the same period over the same places:
    under a stream of bookings each snapshot lives for one booking, and most of what it
    computes (hub figures, serialized links) is the same as the last one's."""

    places: dict[int, PlaceInfo]
    places_digest: str = ""
    hubs: dict[int, tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    nodes: str | None = None
    unserved: tuple[frozenset[int], list[dict[str, Any]]] | None = None
    territory_of: dict[int, str] | None = None
    # The running sums of the all-time flows (`FlowIndex`) and their version.
    index: FlowIndex | None = None
    index_version: int = 0
    index_lock: threading.Lock = field(default_factory=threading.Lock)

    def with_index(self, flows: list[Flow], version: int, use: Callable[[FlowIndex], Any]) -> Any:
        """`use` on the running sums brought to `version` (moved forward by the mirror's
        changes since the last version they held, or started from `flows`)."""
        with self.index_lock:
            index = self.index
            if index is not None and self.index_version != version:
                changes = (totals_mirror().changes(self.index_version, version)
                           if self.index_version < version else None)
                if changes is None:
                    index = None
                else:
                    for old, new in changes:
                        index.move(old, new)
                    self.index_version = version
            if index is None:
                if self.index is not None and self.index_version > version:
                    # An older snapshot than the sums: its own, from its flows.
                    return use(FlowIndex(self.places, flows))
                index = self.index = FlowIndex(self.places, flows)
                self.index_version = version
            return use(index)


def totals_mirror() -> TotalsMirror:
    with _lock:
        return current_app.extensions.setdefault("network_totals", TotalsMirror())


def months_mirror() -> MonthsMirror:
    with _lock:
        return current_app.extensions.setdefault("network_months", MonthsMirror())


def dumps(value: Any) -> str:
    # As Flask's JSON provider writes a response (sorted keys, compact, ASCII).
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def link_text(places: dict[int, PlaceInfo], flow: Flow) -> str:
    return dumps({
        "source": places[flow.host].slug, "target": places[flow.place].slug,
        "bookings": flow.bookings, "beneficiaries": flow.beneficiaries, "hours": flow.hours,
    })


def links_by_host(places: dict[int, PlaceInfo], index: FlowIndex) -> str:
    """The links' text host by host, each host's kept with the running sums until one of
    its flows moves: a booking costs one host's links."""
    rendered = index.rendered
    for host in index.moved_hosts:
        rendered.pop(host, None)
    index.moved_hosts = set()
    texts = []
    for host in sorted(index.by_host):
        if host not in places:
            continue
        text = rendered.get(host)
        if text is None:
            out = index.by_host[host]
            text = rendered[host] = ",".join(link_text(places, out[p]) for p in sorted(out) if p in places)
        if text:
            texts.append(text)
    return ",".join(texts)


def graph_json(snap: Any, links: str | None) -> str:
    """`snap`'s whole graph as the text `jsonify(nx.node_link_data(graph, edges="links"))`
    writes; `links`: the links' text when the running sums gave it."""
    places = snap.places
    carry = snap.carry if snap.carry is not None else Carry({})
    if carry.nodes is None:
        carry.nodes = ",".join(
            dumps({"id": p.slug, "name": p.name, "kind": p.kind, "departement": p.departement,
                   "region": p.region, "territory": p.territory, "lat": p.lat, "lon": p.lon})
            for _, p in sorted(places.items())
        )
    if links is None:
        links = ",".join(
            link_text(places, flow) for flow in sorted(snap.flows, key=lambda f: (f.host, f.place))
            if flow.host != flow.place and flow.host in places and flow.place in places
        )
    graph = dumps({"period": snap.period.as_dict(), "region": None})
    return (f'{{"directed":true,"graph":{graph},"links":[{links}],'
            f'"multigraph":false,"nodes":[{carry.nodes}]}}\n')
