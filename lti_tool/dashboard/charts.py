"""Server-rendered SVG bar charts: no script, readable by screen readers, AA contrast.

Why SVG from the server: the dashboard runs in an LMS iframe where a charting library would be one more
script to trust and to load; a bar chart is a few rectangles. Each chart is an ``img`` whose name is its
title and whose description states every number, and the page puts the same figures in a table right
after it (the chart is never the only way to read them). Bars are #0a4fb5 on white (7.2:1, over the 3:1
WCAG 2.2 asks of graphics), labels #1b1b1b (17:1); a withheld figure draws no bar and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

BAR = "#0a4fb5"
TEXT = "#1b1b1b"
GRID = "#6b6b6b"
LABEL_WIDTH = 260
BAR_WIDTH = 300
ROW_HEIGHT = 26


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: withheld (the text says why)
    text: str  # the value as the reader reads it: "42 %", "12 learners", "fewer than 5 learners"


def bar_chart(chart_id: str, title: str, bars: list[Bar], maximum: float | None = None) -> Markup:
    """A horizontal bar chart; ``maximum`` is the full bar (default: the largest value)."""
    shown = [b.value for b in bars if b.value is not None]
    top = maximum if maximum else (max(shown) if shown else 1.0) or 1.0
    height = ROW_HEIGHT * len(bars) + 10
    width = LABEL_WIDTH + BAR_WIDTH + 170
    description = "; ".join(f"{b.label}: {b.text}" for b in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ldai-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" aria-labelledby="{chart_id}-t {chart_id}-d" focusable="false">',
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>',
        f'<line x1="{LABEL_WIDTH}" y1="0" x2="{LABEL_WIDTH}" y2="{height - 5}" stroke="{GRID}" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        y = 5 + index * ROW_HEIGHT
        label = bar.label if len(bar.label) <= 38 else bar.label[:37] + "…"
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" fill="{TEXT}" font-size="13">{escape(label)}</text>')
        length = 0.0 if bar.value is None else max(0.0, min(1.0, bar.value / top)) * BAR_WIDTH
        if length:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW_HEIGHT - 8}" fill="{BAR}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 16}" fill="{TEXT}" font-size="13">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
