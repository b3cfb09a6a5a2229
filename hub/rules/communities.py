"""Communities of the served-flow network: groups of départements whose places serve
each other, found with Louvain (pure Python, deterministic), and the hubs that bridge them.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Mapping

from hub.rules.network import Flow, PlaceInfo, served_pairs

LOUVAIN_MAX_SWEEPS = 100


def louvain(weights: Mapping[tuple[str, str], float], resolution: float = 1.0) -> list[set[str]]:
    """Louvain communities (Blondel et al., 2008) of a small undirected weighted graph
    given by its edges {(a, b): weight} (a == b: a self-loop).

    Deterministic without a seed: nodes are visited in sorted order and a node moves to
    the community of greatest gain, the smallest on ties. Pure Python on purpose: the
    graph has about a hundred nodes, where networkx's general version spends its time
    in bookkeeping (0.2 s on the national départements, this one a few milliseconds).
    """
    nodes = sorted({n for pair in weights for n in pair})
    index = {n: i for i, n in enumerate(nodes)}
    adj: list[dict[int, float]] = [defaultdict(float) for _ in nodes]
    for (a, b), w in weights.items():
        if w <= 0:
            continue
        i, j = index[a], index[b]
        adj[i][j] += w
        if i != j:
            adj[j][i] += w
    members: list[set[str]] = [{n} for n in nodes]
    # A self-loop counts twice in its node's degree, once in the total weight m.
    m = sum(w for w in weights.values() if w > 0)
    if m <= 0:
        return members
    while True:
        size = len(adj)
        degree = [sum(a.values()) + a.get(i, 0.0) for i, a in enumerate(adj)]
        community = list(range(size))
        total = degree[:]
        moved = False
        for _ in range(LOUVAIN_MAX_SWEEPS):
            changed = False
            for i in range(size):
                own, k = community[i], degree[i]
                links: dict[int, float] = {}
                for j, w in adj[i].items():
                    if j != i:
                        c = community[j]
                        links[c] = links.get(c, 0.0) + w
                total[own] -= k
                scale = resolution * k / (2.0 * m)
                best, best_gain = own, links.get(own, 0.0) - total[own] * scale
                for c, w in sorted(links.items()):
                    gain = w - total[c] * scale
                    if gain > best_gain + 1e-12:
                        best, best_gain = c, gain
                total[best] += k
                if best != own:
                    community[i] = best
                    changed = moved = True
            if not changed:
                break
        if not moved:
            return members
        labels = {c: x for x, c in enumerate(sorted(set(community)))}
        merged: list[dict[int, float]] = [defaultdict(float) for _ in labels]
        grouped: list[set[str]] = [set() for _ in labels]
        for i, a in enumerate(adj):
            ci = labels[community[i]]
            grouped[ci] |= members[i]
            for j, w in a.items():
                cj = labels[community[j]]
                # An edge inside a community is seen from both ends: half from each.
                merged[ci][cj] += w if (ci != cj or i == j) else w / 2.0
        adj, members = merged, grouped


def communities(places: Mapping[int, PlaceInfo], flows: Iterable[Flow]) -> dict[str, Any]:
    """Communities of départements: Louvain (`louvain`) on the undirected graph of the
    départements weighted by the beneficiaries their places serve each other (a flow
    inside one département is a self-loop), and the hubs that serve places in two
    communities or more.

    A place belongs to its département's community; only places touched by a flow with
    beneficiaries are listed (an isolated place exchanges with nobody). Communities are
    numbered from 1, largest (in places) first.

    Why départements and not places: Louvain over ~4,000 places and ~16,000 flows costs
    about half a second, and every booking may move it, so the figure could not be both
    current and fast; over about a hundred départements it costs milliseconds, always
    on the current flows, and the groups read as territories ("bassins") an ANCT reader
    can act on.
    """
    flows = list(flows)
    weights: dict[tuple[str, str], float] = defaultdict(float)
    touched: set[int] = set()
    for flow in flows:
        if flow.host == flow.place or flow.beneficiaries <= 0:
            continue
        host, served = places.get(flow.host), places.get(flow.place)
        if host is None or served is None:
            continue
        touched.add(flow.host)
        touched.add(flow.place)
        a, b = host.departement, served.departement
        weights[(a, b) if a <= b else (b, a)] += flow.beneficiaries
    return communities_of(places, weights, touched, served_pairs(flows))


def communities_of(places: Mapping[int, PlaceInfo], weights: Mapping[tuple[str, str], float],
                    touched: set[int], serving: Mapping[int, set[int]]) -> dict[str, Any]:
    if not touched:
        return {"communities": [], "bridging_hubs": []}
    found = louvain(weights)
    group_of = {dep: index for index, deps in enumerate(found) for dep in deps}
    members_of: dict[int, list[int]] = defaultdict(list)
    for pid in touched:
        members_of[group_of[places[pid].departement]].append(pid)
    slugs = {pid: places[pid].slug for pid in touched}
    ordered = sorted(members_of.values(), key=lambda m: (-len(m), min(slugs[p] for p in m)))
    community_of = {pid: index + 1 for index, members in enumerate(ordered) for pid in members}
    result = []
    for index, members in enumerate(ordered):
        deps: dict[str, int] = defaultdict(int)
        for pid in members:
            deps[places[pid].departement] += 1
        result.append(
            {
                "id": index + 1,
                "size": len(members),
                "hubs": sorted(slugs[p] for p in members if places[p].is_hub_kind),
                "places": sorted(slugs[p] for p in members),
                "departements": [
                    code for code, _ in sorted(deps.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
            }
        )
    bridging = []
    for host_id, targets in serving.items():
        linked = sorted({community_of[s] for s in targets if s in community_of})
        if len(linked) >= 2:
            host = places[host_id]
            bridging.append(
                {
                    "slug": host.slug,
                    "name": host.name,
                    "kind": host.kind,
                    "departement": host.departement,
                    "community": community_of.get(host_id),
                    "communities": len(linked),
                    "community_ids": linked,
                }
            )
    bridging.sort(key=lambda h: (-h["communities"], h["slug"]))
    return {"communities": result, "bridging_hubs": bridging}
