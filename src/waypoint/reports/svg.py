"""The dashboard's charts drawn on the server as SVG: bars (stacked or side by side) and
lines over a shared x axis, a y axis with three gridlines, and a legend. No script and no
external resource; the SVG has a ``viewBox`` and no fixed width, so it scales down to a
phone's width, and its title and description name what it shows (the table under it
holds the numbers)."""

from __future__ import annotations

import math
from html import escape

from .selectors import Chart

W, H = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 14, 40
LEGEND_ROW = 18
MAX_LABELS = 12  # x labels written (every n-th label when there are more points)

PALETTE = (
    "#0f5f73",
    "#2b9a6b",
    "#c77c0e",
    "#6b4fa0",
    "#9aa7b4",
    "#b3261e",
    "#3d7dca",
    "#8a6d3b",
    "#d36ba6",
    "#4f5d2f",
    "#5b6b7c",
)
EMPHASIS = {"fentanyl": "#b3261e", "xylazine": "#6b4fa0"}
LINE_COLOURS = ("#1d2a36", "#b3261e", "#c77c0e", "#2b9a6b")


def _nice_max(value: float) -> float:
    """A round top for the y axis at or above ``value``."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * exp >= value:
            return step * exp
    return 10 * exp


def _fmt(v: float, unit: str) -> str:
    if unit == "$":
        return f"${v:,.0f}"
    if unit == "%":
        return f"{v:.0f}%"
    return f"{v:,.0f}" if v == int(v) else f"{v:,.1f}"


def chart_svg(c: Chart) -> str:
    """The chart as an inline SVG element."""
    n = len(c.labels)
    names = [name for name, _ in c.bars] + [name for name, _ in c.lines]
    per_row = 3
    legend_rows = math.ceil(len(names) / per_row) if names else 0
    height = H + legend_rows * LEGEND_ROW
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    if c.stacked and c.bars:
        bar_top = max((sum(b[1][i] for b in c.bars) for i in range(n)), default=0.0)
    else:
        bar_top = max((v for _, vals in c.bars for v in vals), default=0.0)
    line_top = max((v for _, vals in c.lines for v in vals if v is not None), default=0.0)
    top = c.y_max if c.y_max is not None else _nice_max(max(bar_top, line_top) * 1.05)
    slot = pw / max(n, 1)

    def y(v: float) -> float:
        return TOP + ph - min(v, top) / top * ph

    def cx(i: int) -> float:
        return LEFT + slot * (i + 0.5)

    title = escape(c.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" role="img" '
        f'class="dashboard-chart" id="chart-{c.key}" aria-labelledby="chart-{c.key}-title '
        f'chart-{c.key}-desc">',
        f'<title id="chart-{c.key}-title">{title}</title>',
        f'<desc id="chart-{c.key}-desc">{escape(c.description)} The table below the chart '
        "holds every number.</desc>",
        f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="#fafcfd" stroke="#d6dde5"/>',
    ]
    for frac in (0.5, 1.0):
        gy = y(top * frac)
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{gy:.1f}" y2="{gy:.1f}" stroke="#e3e8ee"/>'
        )
    for frac in (0.0, 0.5, 1.0):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(top * frac) + 4:.1f}" font-size="11" '
            f'text-anchor="end" fill="#5b6b7c">{escape(_fmt(top * frac, c.unit))}</text>'
        )
    step = max(1, math.ceil(n / MAX_LABELS))
    for i in range(0, n, step):
        parts.append(
            f'<text x="{cx(i):.1f}" y="{TOP + ph + 16}" font-size="10" text-anchor="middle" '
            f'fill="#5b6b7c">{escape(c.labels[i])}</text>'
        )
    colours: dict[str, str] = {}
    if c.bars:
        groups = 1 if c.stacked else len(c.bars)
        width = max(0.6, min(28.0, slot * 0.8 / groups))
        base = [0.0] * n
        for k, (name, values) in enumerate(c.bars):
            colour = PALETTE[k % len(PALETTE)]
            colours[name] = colour
            rects = []
            for i, v in enumerate(values):
                if not v:
                    continue
                if c.stacked:
                    x0, lo, hi = cx(i) - width / 2, base[i], base[i] + v
                    base[i] = hi
                else:
                    x0, lo, hi = cx(i) - groups * width / 2 + k * width, 0.0, v
                rects.append(
                    f'<rect x="{x0:.1f}" y="{y(hi):.1f}" width="{width:.1f}" '
                    f'height="{max(0.0, y(lo) - y(hi)):.1f}"/>'
                )
            parts.append(
                f'<g class="bars" fill="{colour}" data-series="{escape(name)}">'
                + "".join(rects)
                + "</g>"
            )
    for k, (name, values) in enumerate(c.lines):
        colour = EMPHASIS.get(name) or (
            LINE_COLOURS[k % len(LINE_COLOURS)]
            if not c.emphasis
            else PALETTE[(k + 2) % len(PALETTE)]
        )
        colours[name] = colour
        bold = name in c.emphasis or not c.emphasis
        width = 3.0 if bold else 1.4
        dash = ' stroke-dasharray="6 4"' if name == "Monthly budget" else ""
        segments: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                segments.append([])
                continue
            segments[-1].append(f"{cx(i):.1f},{y(v):.1f}")
        paths = [
            f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" '
            f'stroke-width="{width}"{dash}/>'
            for seg in segments
            if len(seg) > 1
        ]
        dots = (
            [
                f'<circle cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5" fill="{colour}"/>'
                for seg in segments
                for p in seg
            ]
            if n <= 40
            else []
        )
        parts.append(
            f'<g class="line" data-series="{escape(name)}">' + "".join(paths + dots) + "</g>"
        )
    for j, name in enumerate(names):
        lx = LEFT + (j % per_row) * (pw / per_row)
        ly = H + (j // per_row) * LEGEND_ROW
        parts.append(
            f'<rect x="{lx:.1f}" y="{ly - 9}" width="12" height="10" '
            f'fill="{colours.get(name, "#5b6b7c")}"/>'
            f'<text x="{lx + 16:.1f}" y="{ly}" font-size="11" fill="#1d2a36">'
            f"{escape(name[:40])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
