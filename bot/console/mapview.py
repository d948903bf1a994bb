"""The map of grids, drawn on the server as SVG from the district's polygons: no tile server,
nothing fetched. Coordinates are GCJ-02 [lng, lat]; the projection is equirectangular with the
longitude scaled by cos(latitude), plenty for a district a few kilometres across."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup, escape
from shapely.geometry import Point, Polygon

from storage.models import Region


@dataclass(frozen=True)
class Dot:
    lng: float
    lat: float
    css: str  # urgent | late | normal
    label: str
    href: str


@dataclass(frozen=True)
class Shape:
    region: Region
    css: str  # fill class: calm | busy | late
    label: str
    href: str


def grid_point(region: Region) -> tuple[float, float] | None:
    """Where a ticket without coordinates is drawn: a point inside its grid."""
    if not region.polygon or len(region.polygon) < 3:
        return None
    p = Polygon(region.polygon).representative_point()
    return p.x, p.y


def spread(lng: float, lat: float, n: int, region: Region | None) -> tuple[float, float]:
    """Tickets placed at the same grid point fan out a little so each stays clickable."""
    if n == 0:
        return lng, lat
    angle = n * 2.399963  # golden angle
    r = 0.00012 * math.sqrt(n)
    x, y = lng + r * math.cos(angle), lat + r * math.sin(angle)
    if region is not None and region.polygon and not Polygon(region.polygon).covers(Point(x, y)):
        return lng, lat
    return x, y


def render(shapes: list[Shape], dots: list[Dot], *, width: int = 900,
           height: int = 600) -> Markup:
    rings = [s.region.polygon for s in shapes if s.region.polygon]
    xs = [p[0] for ring in rings for p in ring] + [d.lng for d in dots]
    ys = [p[1] for ring in rings for p in ring] + [d.lat for d in dots]
    if not xs:
        return Markup('<p class="empty">辖区文件中没有网格边界（polygon），无法绘制地图。</p>')
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    k = math.cos(math.radians((min_y + max_y) / 2))
    span_x = max((max_x - min_x) * k, 1e-6)
    span_y = max(max_y - min_y, 1e-6)
    pad = 24
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    w = span_x * scale + 2 * pad
    h = span_y * scale + 2 * pad

    def xy(lng: float, lat: float) -> tuple[float, float]:
        return pad + (lng - min_x) * k * scale, pad + (max_y - lat) * scale

    out = [f'<svg class="map" viewBox="0 0 {w:.0f} {h:.0f}" role="img" '
           f'aria-label="网格地图" xmlns="http://www.w3.org/2000/svg">']
    # large grids first, so a special grid inside one stays on top and clickable
    for s in sorted(shapes, key=lambda s: -Polygon(s.region.polygon).area
                    if s.region.polygon else 0):
        if not s.region.polygon:
            continue
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in s.region.polygon))
        out.append(f'<a href="{escape(s.href)}"><polygon class="grid {s.css}" points="{pts}">'
                   f'<title>{escape(s.label)}</title></polygon></a>')
    for s in shapes:
        if not s.region.polygon:
            continue
        # the name along the top edge, clear of the dots drawn at the grid's centre; a special
        # grid is small and its dots fill it, so its name goes just above it, outside
        shape = Polygon(s.region.polygon)
        x, _ = xy(shape.centroid.x, shape.bounds[3])
        _, y = xy(shape.bounds[0], shape.bounds[3])
        special = s.region.grid_kind == "special"
        out.append(f'<text class="gridname{" special" if special else ""}" x="{x:.1f}" '
                   f'y="{y - 5 if special else y + 16:.1f}">{escape(s.region.name)}</text>')
    for d in dots:
        x, y = xy(d.lng, d.lat)
        out.append(f'<a href="{escape(d.href)}"><circle class="dot {d.css}" cx="{x:.1f}" '
                   f'cy="{y:.1f}" r="6"><title>{escape(d.label)}</title></circle></a>')
    out.append("</svg>")
    return Markup("".join(out))
