"""A score-over-time "tracker" drawn on the server as SVG (after CamCOPS' trackers): the
points joined by a line, with each severity band's upper threshold as a horizontal line."""

from __future__ import annotations

import datetime as dt
from html import escape

from waypoint.clinical.instrument import Band

W, H = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 14, 36


def _words(code: str) -> str:
    """A band's name as a person reads it: ``moderately_severe`` -> "Moderately severe"."""
    text = code.replace("_", " ")
    return text[:1].upper() + text[1:]


def tracker_svg(
    points: list[tuple[dt.datetime, int]],
    bands: tuple[Band, ...],
    max_total: int,
    title: str,
    tz: dt.tzinfo | None = None,
) -> str:
    """An accessible inline SVG; ``points`` oldest first. Returns "" for no points."""
    if not points:
        return ""
    t0, t1 = points[0][0], points[-1][0]
    span = max((t1 - t0).total_seconds(), 1.0)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(t: dt.datetime) -> float:
        return LEFT + (pw / 2 if len(points) == 1 else (t - t0).total_seconds() / span * pw)

    def y(v: float) -> float:
        return TOP + ph - v / max_total * ph

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'class="tracker" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="#fafcfd" stroke="#d6dde5"/>',
    ]
    for band in bands[:-1]:
        yy = y(band.high + 0.5)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{yy:.1f}" y2="{yy:.1f}" '
            'stroke="#c98a00" stroke-dasharray="4 3" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT + pw - 4}" y="{yy - 3:.1f}" font-size="10" '
            f'text-anchor="end" fill="#8a5300">{escape(_words(band.name))} ≤ {band.high}</text>'
        )
    for v in (0, max_total // 2, max_total):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#5b6b7c">{v}</text>'
        )
    coords = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
    parts.append(f'<polyline points="{coords}" fill="none" stroke="#0f5f73" stroke-width="2"/>')
    for t, v in points:
        local = t.astimezone(tz) if tz else t
        parts.append(
            f'<circle cx="{x(t):.1f}" cy="{y(v):.1f}" r="4" fill="#0f5f73">'
            f"<title>{local:%Y-%m-%d %H:%M}: {v}</title></circle>"
        )
    for t in {points[0][0], points[-1][0]}:
        local = t.astimezone(tz) if tz else t
        anchor = "start" if t == t0 and len(points) > 1 else "end" if t == t1 else "middle"
        parts.append(
            f'<text x="{x(t):.1f}" y="{H - 12}" font-size="11" text-anchor="{anchor}" '
            f'fill="#5b6b7c">{local:%m-%d %H:%M}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


SPARK_W, SPARK_H = 120, 28


def sparkline_svg(values: list[int], max_total: int, title: str) -> str:
    """A small trend line of ``values`` (oldest first, evenly spaced) on a 0..``max_total``
    scale, the last point marked: the face sheet's trend next to the last score. Returns
    "" for no values."""
    if not values:
        return ""
    n = len(values)
    pad = 3

    def x(i: int) -> float:
        return SPARK_W / 2 if n == 1 else pad + i * (SPARK_W - 2 * pad) / (n - 1)

    def y(v: int) -> float:
        return SPARK_H - pad - min(max(v, 0), max_total) / max(max_total, 1) * (SPARK_H - 2 * pad)

    coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SPARK_W} {SPARK_H}" '
        f'width="{SPARK_W}" height="{SPARK_H}" role="img" class="spark" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<polyline points="{coords}" fill="none" stroke="#0f5f73" stroke-width="1.5"/>'
        f'<circle cx="{x(n - 1):.1f}" cy="{y(values[-1]):.1f}" r="2.5" fill="#0f5f73"/></svg>'
    )
