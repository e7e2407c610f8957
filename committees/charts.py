"""Bar charts of scores (an audit's criteria; the criteria of each product in a report), drawn on the server as SVG.
Plain data in, markup out.

Server-made so it works without JavaScript, prints in the PDF and passes CSP (no inline styles: only
SVG presentation attributes). Bars sit in labelled rows (products) and numbered columns (criteria) with
their values written on them, so nothing depends on colour; the page puts the same numbers in a table
next to it for screen readers.
"""

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

ROW = 22
WIDTH = 720
# Alternating column fills, both ≥ 3:1 against white (WCAG 1.4.11 non-text contrast).
FILLS = ("#0b6e4f", "#1f4e99")


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def score_bars_svg(bars: Sequence[tuple[str, str | None]], *, title: str, description: str, scale_label: str,
                   chart_id: str = "score-bars", no_score: str = "—") -> str:
    """One audit's criterion scores as horizontal bars on a 0–100 scale: [(criterion title, score or None), ...].

    A single series, so no colour carries meaning: each bar has its criterion written beside it and its score
    written on it, and the scale is labelled at 0, 25, 50, 75 and 100; in grey on paper it reads the same.
    The page puts the same numbers in a table for screen readers (the SVG is one labelled image)."""
    label_width, plot_left, plot_right, row = 250, 258, WIDTH - 16, 30
    plot = plot_right - plot_left
    top = 22
    bottom = top + row * max(len(bars), 1)
    height = bottom + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" font-family="sans-serif" class="score-chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for tick in (0, 25, 50, 75, 100):
        x = plot_left + plot * tick / 100
        dashes = "" if tick in (0, 100) else ' stroke-dasharray="3 3"'
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{bottom}" stroke="#adb5bd"{dashes}/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 16}" font-size="12" text-anchor="middle" '
                     f'fill="#212529">{tick}</text>')
    parts.append(f'<text x="{plot_left + plot / 2:.1f}" y="{bottom + 34}" font-size="12" text-anchor="middle" '
                 f'fill="#212529">{escape(scale_label)}</text>')
    for index, (criterion, score) in enumerate(bars):
        y = top + index * row
        baseline = y + row / 2 + 4
        parts.append(f'<text x="{label_width}" y="{baseline:.1f}" font-size="12" text-anchor="end" '
                     f'fill="#212529">{escape(_short(criterion, 38))}</text>')
        if score is None:
            parts.append(f'<text x="{plot_left + 4}" y="{baseline:.1f}" font-size="12" fill="#495057">'
                         f'{escape(no_score)}</text>')
            continue
        value = min(max(float(Decimal(score)), 0.0), 100.0)
        width = plot * value / 100
        parts.append(f'<rect x="{plot_left}" y="{y + 5}" width="{width:.1f}" height="{row - 10}" '
                     f'fill="{FILLS[0]}" stroke="#212529" stroke-width="0.5"/>')
        # White on the bar when it is long enough to hold the number, dark beside it otherwise.
        inside = width > 40
        parts.append(f'<text x="{(plot_left + width - 4) if inside else (plot_left + width + 4):.1f}" '
                     f'y="{baseline:.1f}" font-size="12" font-weight="bold" '
                     f'text-anchor="{"end" if inside else "start"}" '
                     f'fill="{"#ffffff" if inside else "#212529"}">{escape(score)}</text>')
    parts.append("</svg>")
    return "".join(parts)


# --- Grouped bar chart (issue 16): one group per product, one bar per criterion ------------------------------
# Each criterion's bars carry their own fill *and* pattern (solid, stripes, dots, cross-hatch...), named in the
# key, so the chart reads the same printed in grey; every bar has a dark outline (≥ 3:1 on white) and its value.
PATTERNS = (
    ("#0b6e4f", ""),
    ("#1f4e99", '<path d="M0 6 L6 0" stroke="#ffffff" stroke-width="1.5"/>'),
    ("#6a3d9a", '<circle cx="3" cy="3" r="1.3" fill="#ffffff"/>'),
    ("#8a4b08", '<path d="M0 6 L6 0 M0 0 L6 6" stroke="#ffffff" stroke-width="1.2"/>'),
    ("#495057", '<path d="M0 3 L6 3" stroke="#ffffff" stroke-width="1.5"/>'),
    ("#a4133c", '<path d="M3 0 L3 6" stroke="#ffffff" stroke-width="1.5"/>'),
)
BAR = 13
GROUP_GAP = 12
TICKS = (0, 25, 50, 75, 100)


def grouped_bar_chart_svg(criteria: Sequence[str], products: Sequence[tuple[str, Sequence[str | None]]], *,
                          title: str, description: str, scale_label: str, chart_id: str = "grouped-chart",
                          no_score: str = "—") -> str:
    """Horizontal grouped bars on a 0–100 scale: a group per product (in the order given, e.g. ranked), a bar per
    criterion (each product's scores in `criteria` order), values written at the bar ends, ticks every 25."""
    label_width, right = 200, 44
    plot = WIDTH - label_width - right
    key_rows = len(criteria)
    top = 34
    group_height = max(len(criteria), 1) * BAR + GROUP_GAP
    plot_bottom = top + group_height * len(products)
    height = plot_bottom + 10 + ROW * key_rows
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" font-family="sans-serif" class="report-chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        "<defs>",
    ]
    for c in range(len(criteria)):
        fill, marks = PATTERNS[c % len(PATTERNS)]
        parts.append(f'<pattern id="{chart_id}-p{c}" width="6" height="6" patternUnits="userSpaceOnUse">'
                     f'<rect width="6" height="6" fill="{fill}"/>{marks}</pattern>')
    parts.append("</defs>")
    parts.append(f'<text x="{label_width}" y="12" font-size="11" fill="#212529">{escape(scale_label)}</text>')
    for tick in TICKS:
        x = label_width + plot * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{plot_bottom}" stroke="#ced4da"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 8}" font-size="11" text-anchor="middle" fill="#212529">'
                     f'{tick}</text>')
    for p, (name, scores) in enumerate(products):
        y0 = top + p * group_height
        middle = y0 + (group_height - GROUP_GAP) / 2 + 4
        parts.append(f'<text x="{label_width - 6}" y="{middle:.1f}" font-size="12" text-anchor="end" '
                     f'fill="#212529">{escape(_short(name))}</text>')
        for c, score in enumerate(scores):
            y = y0 + c * BAR
            if score is None:
                parts.append(f'<text x="{label_width + 3}" y="{y + BAR - 3}" font-size="10" fill="#495057">'
                             f'{escape(no_score)}</text>')
                continue
            width = plot * float(Decimal(score)) / 100
            parts.append(f'<rect x="{label_width}" y="{y + 1}" width="{width:.1f}" height="{BAR - 2}" '
                         f'fill="url(#{chart_id}-p{c})" stroke="#212529" stroke-width="0.6"/>')
            parts.append(f'<text x="{label_width + width + 3:.1f}" y="{y + BAR - 3}" font-size="10" '
                         f'fill="#212529">{escape(str(score))}</text>')
    parts.append(f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{plot_bottom}" stroke="#212529"/>')
    for c, criterion in enumerate(criteria):
        y = plot_bottom + 10 + c * ROW
        parts.append(f'<rect x="0" y="{y + 3}" width="28" height="{ROW - 8}" fill="url(#{chart_id}-p{c})" '
                     f'stroke="#212529" stroke-width="0.6"/>')
        parts.append(f'<text x="36" y="{y + ROW - 7}" font-size="12" fill="#212529">{escape(_short(criterion, 90))}'
                     f'</text>')
    parts.append("</svg>")
    return "".join(parts)
