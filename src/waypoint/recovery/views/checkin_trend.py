"""The check-in trend drawn on the server as inline SVG (no script, nothing from another
host): one small chart per answer (craving, PHQ-2 total, meetings, days since use), each on
its own scale, the check-ins placed by their time; a check-in asking for help is ringed in
red on every chart. The table under it on the chart holds the same numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ..models import CheckIn

WIDTH = 640
PANEL_HEIGHT = 78
LEFT = 150  # room for the series' name
RIGHT = 16
TOP_PAD = 10
BOTTOM_PAD = 14
HELP_COLOR = "#b3261e"

# (label, value of a check-in, the scale's top or None for "the largest value")
Series = tuple[str, Callable[[CheckIn], int | None], int | None, str]
SERIES: tuple[Series, ...] = (
    ("Craving (0–10)", lambda c: c.craving, 10, "#1f5f99"),
    ("PHQ-2 total (0–6)", lambda c: c.phq2_total, 6, "#7a4fa0"),
    ("Meetings, past week", lambda c: c.meetings, None, "#2e7d32"),
    ("Days since use", lambda c: c.days_since_use, None, "#8a5a00"),
)


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def trend_svg(rows: Sequence[CheckIn], tz: dt.tzinfo) -> SafeString:
    """The trend of ``rows`` (oldest first) as one ``<svg>``; empty when there is none."""
    if not rows:
        return mark_safe("")
    times = [c.submitted_at.timestamp() for c in rows]
    t0, t1 = min(times), max(times)
    plot_w = WIDTH - LEFT - RIGHT

    def x_of(t: float) -> float:
        if t1 == t0:
            return LEFT + plot_w / 2
        return LEFT + (t - t0) / (t1 - t0) * plot_w

    first = rows[0].submitted_at.astimezone(tz).date().isoformat()
    last = rows[-1].submitted_at.astimezone(tz).date().isoformat()
    height = PANEL_HEIGHT * len(SERIES) + 18
    out = [
        f'<svg class="checkin-trend" id="checkin-trend" role="img" '
        f'aria-labelledby="checkin-trend-title checkin-trend-desc" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">',
        '<title id="checkin-trend-title">Check-in trend</title>',
        f'<desc id="checkin-trend-desc">{len(rows)} check-ins from {first} to {last}: '
        "craving, PHQ-2 total, meetings in the past week and days since use; the table "
        "below gives every value.</desc>",
    ]
    for i, (label, value_of, top, color) in enumerate(SERIES):
        y0 = i * PANEL_HEIGHT
        base = y0 + PANEL_HEIGHT - BOTTOM_PAD
        span = PANEL_HEIGHT - TOP_PAD - BOTTOM_PAD
        values = [value_of(c) for c in rows]
        known = [v for v in values if v is not None]
        scale_top = top if top is not None else max([*known, 1])
        out.append(
            f'<text x="4" y="{_fmt(y0 + PANEL_HEIGHT / 2)}" fill="#222">{escape(label)}</text>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{_fmt(y0 + TOP_PAD + 4)}" text-anchor="end" '
            f'fill="#666" font-size="10">{scale_top}</text>'
            f'<text x="{LEFT - 6}" y="{_fmt(base)}" text-anchor="end" fill="#666" '
            f'font-size="10">0</text>'
        )
        out.append(
            f'<line x1="{LEFT}" y1="{_fmt(base)}" x2="{WIDTH - RIGHT}" y2="{_fmt(base)}" '
            f'stroke="#bbb" stroke-width="1"/>'
        )
        if not known:
            out.append(
                f'<text x="{LEFT + 8}" y="{_fmt(base - span / 2)}" fill="#666">not answered</text>'
            )
            continue
        points = []
        for c, t, v in zip(rows, times, values, strict=True):
            if v is None:
                continue
            y = base - min(v, scale_top) / scale_top * span
            points.append((x_of(t), y, v, c))
        if len(points) > 1:
            path = " ".join(f"{_fmt(px)},{_fmt(py)}" for px, py, _v, _c in points)
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for px, py, v, c in points:
            day = c.submitted_at.astimezone(tz).date().isoformat()
            out.append(
                f'<circle cx="{_fmt(px)}" cy="{_fmt(py)}" r="3.5" fill="{color}">'
                f"<title>{day}: {escape(label)} {v}</title></circle>"
            )
            if c.need_help:
                out.append(
                    f'<circle class="need-help" cx="{_fmt(px)}" cy="{_fmt(py)}" r="7" '
                    f'fill="none" stroke="{HELP_COLOR}" stroke-width="2"/>'
                )
    foot = PANEL_HEIGHT * len(SERIES) + 12
    out.append(
        f'<text x="{LEFT}" y="{foot}" fill="#666" font-size="10">{first}</text>'
        f'<text x="{WIDTH - RIGHT}" y="{foot}" text-anchor="end" fill="#666" '
        f'font-size="10">{last}</text>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - numbers, dates and fixed labels, escaped
