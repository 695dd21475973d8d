"""The pain chart, drawn once as shapes in millimetres for both the SVG (HTML) and the PDF,
and as characters for plain text and Markdown.

Daily pain now is a line with dots; worst to least over 24 hours is a light bar behind each
day; a day of several readings is a vertical range from its lowest to its highest reading, its
dot (on the line) at their mean; a day without an entry is a gap (never 0); events (refills,
dose changes, visits...) are dashed lines labelled above the plot, by word when the words fit
and by letter (with a key) when they do not; warning-sign episodes are red marks under the
axis; the trial's baseline weeks and the trial itself are shaded (a row of b and T in text).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

from ..words import wrap
from .content import Report

WIDTH = 180.0  # mm: fits the printable width of A4 and of Letter
LEFT, RIGHT = 8.0, 1.0
PLOT_H = 58.0
FONT = 2.7  # mm, about 7.7 pt
ROW_H = 3.6
LABEL_ROWS = 3
CHAR_W = 0.56  # average glyph width as a share of the font size (sans-serif, generous)

STYLES = {
    "band": {"fill": "#b9d0ea"},
    "baseline": {"fill": "#eeeeee"},
    "trial": {"fill": "#e3f0dc"},
    "pain": {"stroke": "#163d73", "width": 0.55},
    "range": {"stroke": "#163d73", "width": 0.35},
    "dot": {"fill": "#163d73"},
    "grid": {"stroke": "#d5d5d5", "width": 0.2},
    "axis": {"stroke": "#555555", "width": 0.3},
    "event": {"stroke": "#666666", "width": 0.3, "dash": (1.2, 0.8)},
    "flag": {"fill": "#c0392b"},
    "text": {"fill": "#222222"},
    "muted": {"fill": "#555555"},
}


# Events on the chart: a word when the labels fit, else a letter (with a key).
EVENT_WORD = {"trial-start": "trial", "trial-end": "trial end", "implant": "implant",
              "refill": "refill", "dose-change": "dose change", "visit": "visit",
              "alarm": "ALARM", "surgery": "surgery", "mri": "MRI", "removal": "pump removed"}
EVENT_CODE = {"trial-start": "T", "trial-end": "E", "implant": "I", "refill": "R",
              "dose-change": "D", "visit": "V", "alarm": "A", "surgery": "S", "mri": "M",
              "removal": "X"}


# The shapes, in millimetres from the chart's top left; ``kind`` first, so each reads as
# ("text", style, x, y, ...) too. ``style`` is a key of STYLES.

class Rect(NamedTuple):
    kind: str
    style: str
    x: float
    y: float
    w: float
    h: float


class Line(NamedTuple):
    kind: str
    style: str
    x1: float
    y1: float
    x2: float
    y2: float


class Poly(NamedTuple):
    kind: str
    style: str
    points: list[tuple[float, float]]


class Dot(NamedTuple):
    kind: str
    style: str
    x: float
    y: float
    r: float


class Text(NamedTuple):
    kind: str
    style: str
    x: float
    y: float  # the baseline
    text: str
    size: float
    anchor: str  # start, middle or end
    bold: bool


@dataclass
class Chart:
    width: float
    height: float
    shapes: list[Rect | Line | Poly | Dot | Text] = field(default_factory=list)
    labels_left_off: int = 0

    def rect(self, style, x, y, w, h):
        self.shapes.append(Rect("rect", style, x, y, w, h))

    def line(self, style, x1, y1, x2, y2):
        self.shapes.append(Line("line", style, x1, y1, x2, y2))

    def poly(self, style, points):
        self.shapes.append(Poly("poly", style, points))

    def dot(self, style, x, y, r):
        self.shapes.append(Dot("dot", style, x, y, r))

    def text(self, style, x, y, text, size=FONT, anchor="start", bold=False):
        """``y`` is the baseline; ``anchor`` start, middle or end."""
        self.shapes.append(Text("text", style, x, y, text, size, anchor, bold))


def day_label(day: date) -> str:
    """A short axis label: 15 Sep."""
    return f"{day.day} {day.strftime('%b')}"


def text_width(text: str, size: float = FONT) -> float:
    return len(text) * size * CHAR_W


def _series(report: Report) -> dict[date, dict]:
    return {date.fromisoformat(d["date"]): d for d in report.data["daily"]}


def _now(d: dict) -> float:
    """A day's point on the chart: the mean of its readings (a day of one: its pain now)."""
    return d["pain"] if d.get("pain_mean") is None else d["pain_mean"]


def _spread(d: dict) -> tuple[int, int] | None:
    """(lowest, highest) of a day of several scored readings, else None."""
    scores = [r["pain"] for r in d.get("readings") or () if r["pain"] is not None]
    return (min(scores), max(scores)) if len(scores) > 1 else None


def _events_by_day(report: Report) -> dict[date, list[str]]:
    grouped: dict[date, list[str]] = {}
    for day, kind in report.chart_events:
        if report.since <= day <= report.until and kind not in grouped.setdefault(day, []):
            grouped[day].append(kind)
    return grouped


def _place_labels(labels: list[tuple[float, str]], low: float, high: float):
    """Rows for event labels so that no label covers another label or another's line.
    Returns [(row, start, end, x, text)] (row -1: no room) and how many got no room."""
    placed: list[tuple[int, float, float, float, str]] = []
    left_off = 0
    for x, text in labels:
        w = text_width(text)
        start = min(max(x - w / 2, low), high - w)
        end = start + w
        for row in range(LABEL_ROWS):
            clash = False
            for prow, ps, pe, px, _ in placed:
                if prow == row and start - 1.0 < pe and ps < end + 1.0:
                    clash = True
                elif prow > row and start - 0.6 <= px <= end + 0.6:
                    clash = True
                elif prow < row and ps - 0.6 <= x <= pe + 0.6:
                    clash = True
            if not clash:
                placed.append((row, start, end, x, text))
                break
        else:
            placed.append((-1, 0.0, 0.0, x, text))
            left_off += 1
    return placed, left_off


def _ticks(since: date, days: int) -> list[tuple[int, str]]:
    """(day index, label): days or weeks for short periods, months for long ones."""
    if days > 92:
        months, day, last = [], since, since + timedelta(days=days - 1)
        while day <= last:
            if day.day == 1:
                months.append(day)
            day += timedelta(days=1)
        every = max(1, math.ceil(len(months) / 12))
        out = []
        for n, month in enumerate(months[::every]):
            text = month.strftime("%b") + (f" {month.year}" if month.month == 1 or n == 0
                                           else "")
            out.append(((month - since).days, text))
        return out
    step = next(s for s in (1, 2, 3, 7, 14, 21, 28) if days / s <= 9)
    return [(i, day_label(since + timedelta(days=i))) for i in range(0, days, step)]


def draw(report: Report) -> Chart:
    since, until = report.since, report.until
    days = (until - since).days + 1
    dw = (WIDTH - LEFT - RIGHT) / days

    def x_of(day: date) -> float:
        return LEFT + ((day - since).days + 0.5) * dw

    # Event labels first: how many rows they need decides where the plot starts.
    grouped = sorted(_events_by_day(report).items())
    placed, left_off = _place_labels(
        [(x_of(day), " + ".join(EVENT_WORD.get(k, k) for k in kinds)) for day, kinds in grouped],
        0.5, WIDTH - 0.5)
    codes_used: list[str] = []
    if left_off or any(p[0] > 1 for p in placed):  # too crowded for words: letters
        placed, left_off = _place_labels(
            [(x_of(day), "+".join(EVENT_CODE.get(k, "?") for k in kinds))
             for day, kinds in grouped], 0.5, WIDTH - 0.5)
        codes_used = list(dict.fromkeys(k for _, kinds in grouped for k in kinds))
    rows = 1 + max([p[0] for p in placed] + [-1])
    top = 1.0 + rows * ROW_H + (2.2 if rows else 0.0)
    bottom = top + PLOT_H
    chart = Chart(WIDTH, 0.0, labels_left_off=left_off)

    def y_of(score: float) -> float:
        return bottom - score / 10 * PLOT_H

    for first, last, kind in report.chart_spans:  # behind everything: the trial's weeks
        chart.rect(kind, x_of(first) - dw / 2, top, (last - first).days * dw + dw,
                   bottom - top)
    for score in range(0, 11, 2):
        chart.line("grid" if score else "axis", LEFT, y_of(score), WIDTH - RIGHT, y_of(score))
        chart.text("muted", LEFT - 1.4, y_of(score) + FONT * 0.35, str(score), anchor="end")
    chart.line("axis", LEFT, top, LEFT, bottom)
    for row, _start, _end, x, _text in placed:  # under the data, so the data stays readable
        chart.line("event", x, top if row < 0 else top - 1.3 - row * ROW_H, x, bottom)

    series = _series(report)
    bw = min(dw * 0.86, 6.0)
    for day, d in sorted(series.items()):
        if d["worst"] is not None and d["least"] is not None:
            y1, y2 = y_of(d["worst"]), y_of(d["least"])
            if y2 - y1 < 0.5:
                y1, y2 = (y1 + y2) / 2 - 0.25, (y1 + y2) / 2 + 0.25
            chart.rect("band", x_of(day) - bw / 2, y1, bw, y2 - y1)

    ranges = 0
    cap = min(bw / 2, 0.9)
    for day, d in sorted(series.items()):  # a day of several readings: lowest to highest
        spread = _spread(d)
        if spread:
            x, low, high = x_of(day), y_of(spread[0]), y_of(spread[1])
            chart.line("range", x, high, x, low)
            chart.line("range", x - cap, high, x + cap, high)
            chart.line("range", x - cap, low, x + cap, low)
            ranges += 1

    runs: list[list[date]] = []  # days logged one after another: joined by the line
    for day in sorted(series):
        if runs and (day - runs[-1][-1]).days == 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    radius = 0.85 if dw >= 2 else 0.6
    for run in runs:
        points = [(x_of(d), y_of(_now(series[d]))) for d in run]
        if len(run) > 1:
            chart.poly("pain", points)
        if len(run) == 1 or dw >= 1.6:
            for x, y in points:
                chart.dot("dot", x, y, radius)

    for row, start, _end, _x, text in placed:
        if row >= 0:
            chart.text("text", start, top - 2.2 - row * ROW_H, text)

    strip = bottom + 0.9
    for first, last in report.chart_flags:
        if last < since or first > until:
            continue
        x1, x2 = x_of(first) - bw / 2, x_of(last) + bw / 2
        if x2 - x1 < 1.4:
            x1, x2 = (x1 + x2) / 2 - 0.7, (x1 + x2) / 2 + 0.7
        chart.rect("flag", x1, strip, x2 - x1, 2.0)

    base = strip + 2.0 + FONT + 0.6
    for i, text in _ticks(since, days):
        x = LEFT + (i + 0.5) * dw
        chart.line("axis", x, bottom, x, bottom + 0.8)
        w = text_width(text)
        chart.text("muted", min(max(x, w / 2 + 0.3), WIDTH - w / 2 - 0.3), base, text,
                   anchor="middle")

    key = ", ".join(f"{EVENT_CODE.get(k, '?')} {EVENT_WORD.get(k, k)}" for k in codes_used)
    chart.height = _legend(chart, base + 2.2, key, ranges > 0,
                           [kind for _, _, kind in report.chart_spans]) + 1.0
    return chart


SPAN_WORDS = {"baseline": "the 14 days before the trial (baseline)", "trial": "the trial"}


def _legend(chart: Chart, top: float, codes: str, ranges: bool = False,
            spans: list[str] = ()) -> float:
    """Draw the key, wrapping as needed; return the bottom of the last line."""
    items = [("band", "worst to least pain (24 h)"), ("pain", "pain now")]
    items += [(kind, SPAN_WORDS[kind]) for kind in spans]
    if ranges:
        items.append(("range", "a day's readings, lowest to highest (dot: their mean)"))
    items += [("event", "pump event or visit" + (f" ({codes})" if codes else "")),
              ("flag", "warning sign (see above)"), (None, "blank = no entry that day (not 0)")]
    x, y = 0.0, top + FONT
    for kind, text in items:
        need = (6.0 if kind else 0.0) + text_width(text) + 4.0
        if x + need > WIDTH and x > 0:
            x, y = 0.0, y + FONT + 1.6
        mid = y - FONT * 0.35
        if kind in ("band", "baseline", "trial"):
            chart.rect(kind, x, mid - 1.5, 4.5, 3.0)
        elif kind == "pain":
            chart.line("pain", x, mid, x + 4.5, mid)
            chart.dot("dot", x + 2.25, mid, 0.7)
        elif kind == "range":
            chart.line("range", x + 2.25, mid - 1.6, x + 2.25, mid + 1.6)
            chart.line("range", x + 1.35, mid - 1.6, x + 3.15, mid - 1.6)
            chart.line("range", x + 1.35, mid + 1.6, x + 3.15, mid + 1.6)
            chart.dot("dot", x + 2.25, mid, 0.7)
        elif kind == "event":
            chart.line("event", x + 2.25, mid - 1.6, x + 2.25, mid + 1.6)
        elif kind == "flag":
            chart.rect("flag", x, mid - 1.0, 4.5, 2.0)
        chart.text("text", x + (6.0 if kind else 0.0), y, text)
        x += need
    return y + 1.0


# Characters: for plain text and Markdown (a fenced block), 76 columns at most.

def text_chart(report: Report, width: int = 68) -> list[str]:
    since, until = report.since, report.until
    days = (until - since).days + 1
    per = max(1, math.ceil(days / width))  # days in one column (long periods)
    wide = max(1, min(3, width // days))  # columns for one day (short periods)
    cols = math.ceil(days / per)
    series = _series(report)
    columns = []
    for c in range(cols):
        span = [since + timedelta(days=c * per + k) for k in range(per)]
        logged = [series[d] for d in span if d in series]
        if not logged:
            columns.append(None)
            continue
        now = round(sum(_now(d) for d in logged) / len(logged))
        worst = [d["worst"] for d in logged if d["worst"] is not None]
        least = [d["least"] for d in logged if d["least"] is not None]
        spreads = [spread for d in logged if (spread := _spread(d))]
        columns.append((now, max(worst) if worst else None, min(least) if least else None,
                        (min(s[0] for s in spreads), max(s[1] for s in spreads)) if spreads
                        else None))

    def cell(col, score) -> str:
        if col is None:
            return " "
        if col[0] == score:
            return "*"
        if col[3] is not None and col[3][0] <= score <= col[3][1]:
            return "|"
        if col[1] is not None and col[2] is not None and col[2] <= score <= col[1]:
            return ":"
        return " "

    lines = [f"{score:>3} |" + "".join(cell(col, score) * wide for col in columns).rstrip()
             for score in range(10, -1, -1)]
    lines.append("    +" + "-" * (cols * wide))

    def col_of(day: date) -> int:
        return (day - since).days // per

    marks = [" "] * (cols * wide)
    key = []
    for day, kinds in sorted(_events_by_day(report).items()):
        c = col_of(day) * wide
        codes = [EVENT_CODE.get(k, "?") for k in kinds]
        marks[c] = codes[0] if len(codes) == 1 and marks[c] in (" ", codes[0]) else "+"
        words = " + ".join(EVENT_WORD.get(k, k) for k in kinds)
        key.append(f"{codes[0] if len(codes) == 1 else '+'} {words} {day.isoformat()}")
    warn = [" "] * (cols * wide)
    for first, last in report.chart_flags:
        for n in range((last - first).days + 1):
            day = first + timedelta(days=n)
            if since <= day <= until:
                for k in range(wide):
                    warn[col_of(day) * wide + k] = "!"
    if "".join(warn).strip():
        lines.append("  ! |" + "".join(warn).rstrip())
    if key:
        lines.append("  E |" + "".join(marks).rstrip())
    trial = [" "] * (cols * wide)
    for first, last, kind in report.chart_spans:  # b baseline weeks, T the trial
        for n in range((last - first).days + 1):
            for k in range(wide):
                trial[col_of(first + timedelta(days=n)) * wide + k] = (
                    "T" if kind == "trial" else "b")
    if "".join(trial).strip():
        lines.append("  B |" + "".join(trial).rstrip())
    axis = [" "] * (5 + cols * wide + 6)
    last_end = -2
    for i, text in _ticks(since, days):
        c = 5 + (i // per) * wide
        if c > last_end + 1 and c + len(text) <= len(axis):
            axis[c:c + len(text)] = text
            last_end = c + len(text)
    lines.append("".join(axis).rstrip())
    what = "the day" if per == 1 else f"{per} days (mean)"
    lines.append(f"* pain now for {what}   : worst to least (24 h)")
    if any(col and col[3] for col in columns):
        lines.append("| a day's readings, lowest to highest (* then is their mean)")
    lines.append("blank = no entry (not 0)" + ("   ! warning sign (see Warning signs)"
                                               if "".join(warn).strip() else ""))
    if "".join(trial).strip():
        lines.append("B row: b " + SPAN_WORDS["baseline"] + ", T " + SPAN_WORDS["trial"])
    if key:
        used = dict.fromkeys(k for _, k in report.chart_events)
        if len(key) > 6:
            text = ("E events: " + ", ".join(f"{EVENT_CODE.get(k, '?')} {EVENT_WORD.get(k, k)}"
                                             for k in used)
                    + "; + several on one day. Listed under Summary figures.")
        else:
            text = "E events: " + "; ".join(key)
        lines += wrap(text, 76, "", "  ")
    return lines

