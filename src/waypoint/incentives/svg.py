"""The incentive timeline drawn on the server as SVG: one bar per test event of a plan (the
award, its bonus on top), the streak above each bar, and a positive or missed test as a red
mark at the baseline with a dashed line: the reset. No script, no external resource."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

W, H = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 18, 34
MAX_POINTS = 60

COLOURS = {"award": "#0f5f73", "bonus": "#2b9a6b", "reset": "#b3261e", "incomplete": "#9aa7b4"}


@dataclass(frozen=True)
class Point:
    on: dt.date
    outcome: str  # negative | positive | missed | incomplete
    value_cents: int  # credited without the bonus
    bonus_cents: int
    streak: int


def _money(cents: int) -> str:
    return f"${cents / 100:,.2f}"


def timeline_svg(points: list[Point], title: str = "Awards per test") -> str:
    """An accessible inline SVG of the last ``MAX_POINTS`` events, oldest first; "" for none."""
    if not points:
        return ""
    points = points[-MAX_POINTS:]
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    top_cents = max([p.value_cents + p.bonus_cents for p in points] + [250])
    scale_max = ((top_cents * 23 // 20 + 499) // 500) * 500  # headroom, round dollars
    slot = pw / len(points)
    bar = max(2.0, min(28.0, slot * 0.6))

    def y(cents: float) -> float:
        return TOP + ph - cents / scale_max * ph

    def cx(i: int) -> float:
        return LEFT + slot * (i + 0.5)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'class="tracker" id="incentive-timeline" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="#fafcfd" stroke="#d6dde5"/>',
    ]
    for v in (0, scale_max // 2, scale_max):
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#5b6b7c">{_money(v)}</text>'
        )
    for i, p in enumerate(points):
        x = cx(i)
        label = f"{p.on:%Y-%m-%d}: {p.outcome}"
        if p.outcome == "negative":
            base_top = y(p.value_cents)
            label += f", {_money(p.value_cents + p.bonus_cents)}"
            if p.bonus_cents:
                label += f" (bonus {_money(p.bonus_cents)})"
            label += f", streak {p.streak}"
            parts.append(
                f'<rect class="award" x="{x - bar / 2:.1f}" y="{base_top:.1f}" width="{bar:.1f}" '
                f'height="{y(0) - base_top:.1f}" fill="{COLOURS["award"]}">'
                f"<title>{escape(label)}</title></rect>"
            )
            if p.bonus_cents:
                b_top = y(p.value_cents + p.bonus_cents)
                parts.append(
                    f'<rect class="bonus" x="{x - bar / 2:.1f}" y="{b_top:.1f}" '
                    f'width="{bar:.1f}" height="{base_top - b_top:.1f}" '
                    f'fill="{COLOURS["bonus"]}"><title>{escape(label)}</title></rect>'
                )
            if slot >= 12:
                parts.append(
                    f'<text x="{x:.1f}" y="{y(p.value_cents + p.bonus_cents) - 3:.1f}" '
                    f'font-size="10" text-anchor="middle" fill="#1d2b36">{p.streak}</text>'
                )
        elif p.outcome in ("positive", "missed"):
            parts.append(
                f'<line class="reset" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{y(0):.1f}" '
                f'stroke="{COLOURS["reset"]}" stroke-dasharray="3 3" stroke-width="1"/>'
            )
            mark = "×" if p.outcome == "positive" else "○"
            parts.append(
                f'<text class="reset" x="{x:.1f}" y="{y(0) - 3:.1f}" font-size="14" '
                f'text-anchor="middle" fill="{COLOURS["reset"]}">{mark}'
                f"<title>{escape(label)}: reset</title></text>"
            )
        else:
            parts.append(
                f'<circle class="incomplete" cx="{x:.1f}" cy="{y(0) - 4:.1f}" r="3" '
                f'fill="{COLOURS["incomplete"]}"><title>{escape(label)}</title></circle>'
            )
    first, last = points[0].on, points[-1].on
    parts.append(
        f'<text x="{LEFT}" y="{H - 12}" font-size="11" text-anchor="start" '
        f'fill="#5b6b7c">{first:%Y-%m-%d}</text>'
    )
    if len(points) > 1:
        parts.append(
            f'<text x="{LEFT + pw}" y="{H - 12}" font-size="11" text-anchor="end" '
            f'fill="#5b6b7c">{last:%Y-%m-%d}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
