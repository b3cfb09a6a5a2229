"""The hubs' recognition graph: which hub trusts which hub's trainings.

Pure: built from rows already read. An edge A -> B means a training hosted by A accepts a
qualification from a training hosted by B (A trusts B); its `weight` counts such pairs.
Recognitions between two trainings of one hub are no edge between hubs.
"""
from __future__ import annotations

from typing import Any, Iterable

import networkx as nx

# (place id, slug, name, kind, region)
HubRow = tuple[int, str, str, str, str | None]


def recognition_graph(hubs: Iterable[HubRow], pairs: Iterable[tuple[int, int]]) -> nx.DiGraph:
    """`pairs` are (host of the recognising training, host of the recognised one)."""
    graph = nx.DiGraph()
    for place_id, slug, name, kind, region in hubs:
        graph.add_node(slug, id=place_id, name=name, kind=kind, region=region)
    slugs = {data["id"]: node for node, data in graph.nodes(data=True)}
    for truster, trusted in pairs:
        if truster == trusted or truster not in slugs or trusted not in slugs:
            continue
        a, b = slugs[truster], slugs[trusted]
        if graph.has_edge(a, b):
            graph[a][b]["weight"] += 1
        else:
            graph.add_edge(a, b, weight=1)
    return graph


def summary(graph: nx.DiGraph) -> dict[str, Any]:
    """Figures of the graph: how many hubs take part, how often trust is mutual, and the
    groups of hubs linked by recognition (weakly connected components of 2 hubs or more)."""
    linked = graph.subgraph([n for n in graph if graph.degree(n) > 0])
    components = sorted((sorted(c) for c in nx.weakly_connected_components(linked)),
                        key=lambda c: (-len(c), c))
    mutual = sum(1 for a, b in graph.edges if graph.has_edge(b, a)) // 2
    return {
        "hubs": graph.number_of_nodes(),
        "hubs_linked": linked.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "recognitions": int(sum(w for _, _, w in graph.edges(data="weight"))),
        "mutual_pairs": mutual,
        "reciprocity": round(nx.reciprocity(graph), 4) if graph.number_of_edges() else 0.0,
        "components": len(components),
        "largest_component": len(components[0]) if components else 0,
        "component_members": components,
    }


def node_link(graph: nx.DiGraph) -> dict[str, Any]:
    """The graph in networkx node-link JSON, its summary in `graph`."""
    data = nx.node_link_data(graph, edges="links")
    data["graph"] = summary(graph)
    return data
