"""The yearly reports' charts as inline SVG, drawn in Python (vector in the PDF, no
JavaScript): monthly activity bars, shares by territory, a map of the places served.

The map projects latitude/longitude onto the outline of metropolitan France
(hub/reference/france.geojson, read once): an equirectangular projection at the
latitude of the mainland's middle, which keeps shapes at this scale.
"""
from __future__ import annotations

import json
import math
import threading
from html import escape
from pathlib import Path
from typing import Any, Iterable

from hub.rules import labels

BLUE = "#000091"        # DSFR blue France
BLUE_LIGHT = "#6a6af4"
GREY = "#929292"
GREY_LIGHT = "#eeeeee"
RED = "#e1000f"
TERRITORY_COLOURS = {"qpv": "#000091", "rural": "#18753c", "urbain": "#b34000"}
MONTH_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août",
               "sept.", "oct.", "nov.", "déc.")

_OUTLINE = Path(__file__).resolve().parent.parent / "reference" / "france.geojson"
# Mainland France and Corsica, in degrees: the map's frame.
LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = -5.3, 9.7, 41.3, 51.15
_COS = math.cos(math.radians((LAT_MIN + LAT_MAX) / 2))
MAP_WIDTH = 440.0
MAP_HEIGHT = MAP_WIDTH * (LAT_MAX - LAT_MIN) / ((LON_MAX - LON_MIN) * _COS)
SIMPLIFY_PX = 2.0
_outline_lock = threading.Lock()
_outline_path: str | None = None


def number(value: float | int | None, digits: int = 0) -> str:
    """French digits: thin spaces between thousands, a decimal comma; None as a dash."""
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}" if digits else f"{round(value):,}"
    return text.replace(",", "\u202f").replace(".", ",")


def percent(share: float | None, digits: int = 0) -> str:
    return "—" if share is None else f"{number(share * 100, digits)} %"


def _svg(width: float, height: float, body: Iterable[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def monthly_bars(monthly: list[dict[str, Any]], key: str = "beneficiaries",
                 title: str = "Bénéficiaires par mois") -> str:
    """One bar per month, its value above it; the axis names the months."""
    width, height, left, bottom, top = 480.0, 190.0, 8.0, 26.0, 18.0
    values = [row[key] for row in monthly]
    peak = max(values, default=0) or 1
    slot = (width - 2 * left) / max(len(values), 1)
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" '
            f'stroke="{GREY}" stroke-width="0.8"/>']
    for i, (row, value) in enumerate(zip(monthly, values)):
        bar = (height - bottom - top) * value / peak
        x = left + i * slot + slot * 0.15
        body.append(f'<rect x="{x:.1f}" y="{height - bottom - bar:.1f}" width="{slot * 0.7:.1f}" '
                    f'height="{bar:.1f}" fill="{BLUE}"/>')
        cx = left + (i + 0.5) * slot
        body.append(f'<text x="{cx:.1f}" y="{height - bottom - bar - 4:.1f}" font-size="8" '
                    f'text-anchor="middle">{number(value)}</text>')
        month = int(row["month"][5:7])
        body.append(f'<text x="{cx:.1f}" y="{height - bottom + 12:.1f}" font-size="8" '
                    f'text-anchor="middle">{MONTH_SHORT[month - 1]}</text>')
    return _svg(width, height, body, title)


def territory_shares(by_territory: dict[str, dict[str, Any]], key: str = "beneficiaries",
                     title: str = "Bénéficiaires par territoire des lieux servis") -> str:
    """One horizontal bar per territory, as a share of the total, labelled in words."""
    width, row_height, label_width = 480.0, 26.0, 190.0
    total = sum(row[key] for row in by_territory.values())
    body = []
    for i, (territory, row) in enumerate(by_territory.items()):
        share = row[key] / total if total else None
        y = 6 + i * row_height
        bar = (width - label_width - 70) * (share or 0)
        colour = TERRITORY_COLOURS.get(territory, GREY)
        body.append(f'<text x="0" y="{y + 13:.1f}" font-size="9">'
                    f'{escape(labels.label(labels.TERRITORY, territory))}</text>')
        body.append(f'<rect x="{label_width}" y="{y + 3:.1f}" width="{width - label_width - 70:.1f}" '
                    f'height="13" fill="{GREY_LIGHT}"/>')
        body.append(f'<rect x="{label_width}" y="{y + 3:.1f}" width="{bar:.1f}" height="13" fill="{colour}"/>')
        body.append(f'<text x="{width - 64:.1f}" y="{y + 13:.1f}" font-size="9">{percent(share)}</text>')
    return _svg(width, 12 + row_height * len(by_territory), body, title)


def project(lat: float, lon: float) -> tuple[float, float]:
    """(x, y) on the map of mainland France, north up."""
    x = (lon - LON_MIN) / (LON_MAX - LON_MIN) * MAP_WIDTH
    y = (LAT_MAX - lat) / (LAT_MAX - LAT_MIN) * MAP_HEIGHT
    return x, y


def on_map(lat: float, lon: float) -> bool:
    return LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX


def _rings(geometry: dict[str, Any]) -> Iterable[list[list[float]]]:
    if geometry["type"] == "Polygon":
        yield from geometry["coordinates"]
    elif geometry["type"] == "MultiPolygon":
        for polygon in geometry["coordinates"]:
            yield from polygon


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker: the fewest points within `tolerance` of the line (iterative)."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            x, y = points[i]
            # A closed ring starts and ends on one point: measure from that point.
            distance = (abs(dy * (x - x1) - dx * (y - y1)) / norm if norm
                        else math.hypot(x - x1, y - y1))
            if distance > worst:
                worst, index = distance, i
        if worst > tolerance and index > 0:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [p for p, kept in zip(points, keep) if kept]


def outline_path() -> str:
    """The départements of mainland France and Corsica as one SVG path, projected,
    simplified to what the eye sees at this size (WeasyPrint draws every point of every
    report: the full outline cost seconds each), computed once."""
    global _outline_path
    with _outline_lock:
        if _outline_path is None:
            features = json.loads(_OUTLINE.read_text(encoding="utf-8"))["features"]
            parts = []
            for feature in features:
                if str(feature["properties"].get("code", "")).startswith("97"):
                    continue
                for ring in _rings(feature["geometry"]):
                    projected = _simplify([project(lat, lon) for lon, lat in ring], SIMPLIFY_PX)
                    points: list[str] = []
                    for x, y in projected:
                        point = f"{round(x)} {round(y)}"
                        if not points or points[-1] != point:
                            points.append(point)
                    if len(points) >= 3:
                        parts.append("M" + "L".join(points) + "Z")
            _outline_path = "".join(parts)
        return _outline_path


def places_map(served: list[dict[str, Any]], host: dict[str, Any] | None = None,
               title: str = "Carte des lieux servis") -> str:
    """The places served (dots, by territory colour) and the host (a red square) on the
    outline of France; places off the mainland are counted below the map."""
    body = [f'<path d="{outline_path()}" fill="{GREY_LIGHT}" stroke="#bbbbbb" stroke-width="0.4"/>']
    outside = 0
    # One path of small squares per colour, one point per pixel: the network's map has
    # thousands of places, and WeasyPrint's cost grows with the number of SVG elements.
    marks: dict[str, set[tuple[int, int]]] = {}
    for place in served:
        if not on_map(place["lat"], place["lon"]):
            outside += 1
            continue
        x, y = project(place["lat"], place["lon"])
        colour = TERRITORY_COLOURS.get(place.get("territory", ""), BLUE_LIGHT)
        marks.setdefault(colour, set()).add((round(x), round(y)))
    for colour, points in marks.items():
        d = "".join(f"M{x - 2} {y - 2}h4v4h-4z" for x, y in sorted(points))
        body.append(f'<path d="{d}" fill="{colour}" fill-opacity="0.8"/>')
    if host is not None and on_map(host["lat"], host["lon"]):
        x, y = project(host["lat"], host["lon"])
        body.append(f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{RED}" '
                    f'stroke="white" stroke-width="1"/>')
    height = MAP_HEIGHT + 16
    legend = [(colour, labels.label(labels.TERRITORY, t)) for t, colour in TERRITORY_COLOURS.items()]
    x = 0.0
    for colour, name in legend:
        body.append(f'<circle cx="{x + 4:.1f}" cy="{MAP_HEIGHT + 9:.1f}" r="3" fill="{colour}"/>')
        body.append(f'<text x="{x + 10:.1f}" y="{MAP_HEIGHT + 12:.1f}" font-size="8">{escape(name)}</text>')
        x += 130
    if outside:
        height += 14
        body.append(f'<text x="0" y="{height - 3:.1f}" font-size="8">Hors de la carte (outre-mer) : '
                    f'{number(outside)} lieu{"x" if outside > 1 else ""} servi{"s" if outside > 1 else ""}.</text>')
    return _svg(MAP_WIDTH, height, body, title)
