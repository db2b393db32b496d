"""Small inline SVG charts for the report: no script, no library, every label escaped.

>>> svg = line_chart("t", ["2020-1", "2020-2"], {"a": [1.0, 2.0]})
>>> svg.startswith("<svg") and "2020-2" in svg
True
"""

from __future__ import annotations

import math
from html import escape

__all__ = ["line_chart", "paired_bars"]

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 560, 220, 64, 30, 26, 40  # PAD_R: half the last x label
COLOURS = ("#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa")


def _fmt(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.1f}G"
    if a >= 1e6:
        return f"{v / 1e6:.1f}M"
    if a >= 1e3:
        return f"{v / 1e3:.1f}k"
    return f"{v:.0f}" if a >= 10 else f"{v:.2g}"


def _frame(title: str, top: float) -> list[str]:
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
           f'height="{H}" role="img" aria-label="{escape(title)}">',
           f'<text x="{PAD_L}" y="16" font-size="13" font-weight="600">{escape(title)}</text>',
           f'<line x1="{PAD_L}" y1="{H - PAD_B}" x2="{W - PAD_R}" y2="{H - PAD_B}" '
           'stroke="#9e9e9e"/>',
           f'<line x1="{PAD_L}" y1="{PAD_T}" x2="{PAD_L}" y2="{H - PAD_B}" stroke="#9e9e9e"/>']
    for frac in (0.0, 0.5, 1.0):
        y = H - PAD_B - frac * (H - PAD_T - PAD_B)
        out.append(f'<text x="{PAD_L - 6}" y="{y + 4:.1f}" font-size="10" '
                   f'text-anchor="end">{escape(_fmt(top * frac))}</text>')
    return out


def line_chart(title: str, labels: list[str], series: dict[str, list[float | None]]) -> str:
    """One line per series over shared x labels; missing values break the line."""
    values = [v for vs in series.values() for v in vs if v is not None and math.isfinite(v)]
    top = max(values) if values else 1.0
    top = top if top > 0 else 1.0
    n = max(len(labels), 1)
    step = (W - PAD_L - PAD_R) / max(n - 1, 1)
    out = _frame(title, top)

    def y(v):
        return H - PAD_B - v / top * (H - PAD_T - PAD_B)

    for k, (name, vs) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        runs, run = [], []
        for i, v in enumerate(vs):
            if v is None or not math.isfinite(v):
                if run:
                    runs.append(run)
                run = []
            else:
                run.append(f"{PAD_L + i * step:.1f},{y(v):.1f}")
        if run:
            runs.append(run)
        for r in runs:
            if len(r) == 1:
                cx, cy = r[0].split(",")
                out.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{colour}"/>')
            else:
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                           f'points="{" ".join(r)}"/>')
        out.append(f'<text x="{W - PAD_R}" y="{16 + 13 * k}" font-size="11" text-anchor="end" '
                   f'fill="{colour}">{escape(name)}</text>')
    every = max(1, math.ceil(n / 8))
    for i, lab in enumerate(labels):
        if i % every == 0 or i == n - 1:
            out.append(f'<text x="{PAD_L + i * step:.1f}" y="{H - PAD_B + 14}" font-size="10" '
                       f'text-anchor="middle">{escape(lab)}</text>')
    out.append("</svg>")
    return "".join(out)


def paired_bars(title: str, labels: list[str], a: list[float], b: list[float],
                names: tuple[str, str]) -> str:
    """Two bars per label (e.g. value per carat in and out of each hub)."""
    values = [v for v in (*a, *b) if v is not None and math.isfinite(v)]
    top = max(values) if values else 1.0
    top = top if top > 0 else 1.0
    n = max(len(labels), 1)
    slot = (W - PAD_L - PAD_R) / n
    bar = slot * 0.38
    out = _frame(title, top)
    for i, lab in enumerate(labels):
        x0 = PAD_L + i * slot + slot * 0.1
        for k, v in enumerate((a[i], b[i])):
            if v is None or not math.isfinite(v):
                continue
            h = v / top * (H - PAD_T - PAD_B)
            out.append(f'<rect x="{x0 + k * bar:.1f}" y="{H - PAD_B - h:.1f}" width="{bar:.1f}" '
                       f'height="{h:.1f}" fill="{COLOURS[k]}"><title>{escape(lab)}: '
                       f'{escape(names[k])} {escape(_fmt(v))}</title></rect>')
        out.append(f'<text x="{x0 + bar:.1f}" y="{H - PAD_B + 14}" font-size="9" '
                   f'text-anchor="middle">{escape(lab)}</text>')
    for k, name in enumerate(names):
        out.append(f'<text x="{W - PAD_R}" y="{16 + 13 * k}" font-size="11" text-anchor="end" '
                   f'fill="{COLOURS[k]}">{escape(name)}</text>')
    out.append("</svg>")
    return "".join(out)
