"""The PDF, in pure Python with fpdf2: A4, core fonts, the chart as vector drawing.

Core fonts hold Latin-1 only. ``Latin`` keeps Latin-1 text as it is, turns the usual
typographic characters into plain ones (an arrow into ->, a dash into -), strips accents it
cannot keep, and shows anything else as ``?``; the report then says so and points to the HTML
version, which shows every character.

Tables are drawn with a small grid of our own (text, fills and rules): fpdf2's ``table()``
takes about 3 ms a row (measured 2026-12 with the day table's 11 columns: 365 rows in 1.2 s,
more than the whole one-year report's 1 s target); ``benchmarks/report.py`` times the report.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, time, timezone

from ..escape import escape
from . import chart as charts
from .content import ADVICE_HEADING, TITLE, Gap, Report
from .layout import (DAY_HEADS, EPISODE_HEADS, PAIN_HEADS, Chart, Days, Episodes,
                     Facts, Figures, Items, Para, days_logged, episode_details, figure_lines,
                     num, pain_rows, readings_line, sections, weekly_rows)

MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 15.0, 14.0, 16.0
INK = (26, 26, 26)
NAVY = (22, 61, 115)
GREY = (85, 85, 85)
HEAD_FILL = (233, 239, 247)
FLAG_FILL = (251, 227, 224)
EMERGENCY_FILL = (240, 190, 183)  # darker than an URGENT row: the two never look the same
ROUTINE_FILL = (252, 241, 222)
GAP_FILL = (246, 246, 246)
PT = 72 / 25.4  # points per millimetre

PLAIN = {"\u2192": "->", "\u2190": "<-", "\u2194": "<->", "\u21d2": "=>", "\u2013": "-",
         "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2018": "'",
         "\u2019": "'", "\u201a": ",", "\u201c": '"', "\u201d": '"', "\u201e": '"',
         "\u2026": "...", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u2248": "~",
         "\u2022": "\u00b7", "\u2009": " ", "\u200b": "", "\u202f": " ", "\u2122": "(TM)",
         "\u20ac": "EUR", "\u2713": "v", "\u2714": "v", "\u2717": "x", "\u00a0": " ",
         "\u0141": "L", "\u0142": "l", "\u0110": "D", "\u0111": "d", "\u0152": "OE",
         "\u0153": "oe", "\u0131": "i", "\u0126": "H", "\u0127": "h", "\u0166": "T",
         "\u0167": "t"}


class Latin:
    """Text for the PDF's core fonts, counting the characters that could not be shown."""

    def __init__(self):
        self.lost = 0

    def __call__(self, text) -> str:
        text = escape(text, lines=True)  # control and bidi characters written out
        if text.isascii() and text.isprintable():
            return text
        out = []
        for ch in text:
            if ch == "\n" or 32 <= ord(ch) < 127 or 160 <= ord(ch) < 256:
                out.append(ch)
            elif ch == "\t":
                out.append(" ")
            elif ch in PLAIN:
                out.append(PLAIN[ch])
            else:
                base = "".join(c for c in unicodedata.normalize("NFKD", ch)
                               if not unicodedata.combining(c)
                               and (32 <= ord(c) < 127 or 160 <= ord(c) < 256))
                if not base:
                    self.lost += 1
                out.append(base or "?")
        return "".join(out)


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


class Writer:
    """Text set line by line with ``FPDF.text`` and widths from the core font's metrics:
    fpdf2's ``multi_cell`` and ``table`` take milliseconds a call, too slow for a year."""

    def __init__(self, pdf, latin):
        self.pdf, self.latin = pdf, latin
        self.size = 9.5

    def font(self, size: float, style: str = "", colour=INK) -> None:
        self.pdf.set_font("Helvetica", style, size)
        self.pdf.set_text_color(*colour)
        self.size = size

    def width(self, text: str) -> float:
        widths = self.pdf.current_font.cw
        return sum(widths.get(ch, 600) for ch in text) * self.size / 1000 / PT

    def wrap(self, text: str, width: float) -> list[str]:
        lines = []
        for part in self.latin(text).split("\n"):
            if self.width(part) <= width:
                lines.append(part)
                continue
            line = ""
            for word in part.split(" "):
                trial = f"{line} {word}" if line else word
                if line and self.width(trial) > width:
                    lines.append(line)
                    line = word
                else:
                    line = trial
                if self.width(line) > width:  # one word longer than the line: cut it
                    pieces = self.cut(line, width)
                    lines += pieces[:-1]
                    line = pieces[-1]
            lines.append(line)
        return lines

    def cut(self, word: str, width: float) -> list[str]:
        """A word too long for the line in pieces that fit, cut after a hyphen where one fits
        (W-NEURO- / SEVERE), else anywhere."""
        pieces, start = [], 0
        while self.width(word[start:]) > width:
            end = start + 1
            while end < len(word) and self.width(word[start:end + 1]) <= width:
                end += 1
            hyphen = word.rfind("-", start + 1, end)
            end = hyphen + 1 if hyphen > start and end < len(word) else end
            pieces.append(word[start:end])
            start = end
        return pieces + [word[start:]]

    def room(self, height: float) -> None:
        pdf = self.pdf
        if pdf.get_y() + height > pdf.h - MARGIN_BOTTOM:
            pdf.add_page()

    def lines(self, x: float, lines: list[str], h: float) -> None:
        """Lines from the current y, a new page whenever the page is full."""
        pdf = self.pdf
        for line in lines:
            self.room(h)
            pdf.text(x, pdf.get_y() + h * 0.5 + self.size / PT * 0.36, line)
            pdf.set_y(pdf.get_y() + h)

    def para(self, text: str, size: float = 9.5, style: str = "", h: float = 4.4,
             indent: float = 0.0, colour=INK) -> None:
        self.font(size, style, colour)
        x = MARGIN_X + indent
        self.lines(x, self.wrap(text, self.pdf.w - MARGIN_X - x), h)

    def labelled(self, label: str, text: str, label_w: float, indent: float = 0.0,
                 size: float = 9.5, h: float = 4.4) -> None:
        """``label`` in bold in a column ``label_w`` wide, ``text`` wrapped beside it."""
        pdf = self.pdf
        x = MARGIN_X + indent
        self.font(size)
        lines = self.wrap(text, pdf.w - MARGIN_X - x - label_w)
        self.room(h * min(len(lines), 2))
        self.font(size, "B")
        pdf.text(x, pdf.get_y() + h * 0.5 + size / PT * 0.36, self.latin(label))
        self.font(size)
        self.lines(x + label_w, lines, h)


def render_pdf(report: Report) -> bytes:
    from fpdf import FPDF

    latin = Latin()
    footer_text = latin(f"{TITLE} · {report.who} · {report.since} to {report.until} · "
                        f"made {report.today}")

    not_advice = latin(report.not_advice)

    class Doc(FPDF):
        def footer(self):  # on every page, the first included
            self.set_y(-14)
            self.set_font("Helvetica", "B", 7.5)
            self.set_text_color(*GREY)
            self.cell(0, 3.5, not_advice, align="C")
            self.set_y(-10.5)
            self.set_font("Helvetica", "", 7.5)
            self.cell(0, 4, f"{footer_text} · page {self.page_no()} of {{nb}}", align="C")

    pdf = Doc(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    pdf.set_title(latin(report.title))
    pdf.set_creator("pumpjournal")
    pdf.set_creation_date(datetime.combine(report.today, time(12), tzinfo=timezone.utc))
    pdf.add_page()
    width = pdf.epw
    out = Writer(pdf, latin)

    chart = charts.draw(report)
    keep = {"coming-up": 10, "chart": chart.height, "days": 30, "questions": 10, "notes": 10}

    def heading(text: str, keep: float = 20.0) -> None:
        out.room(keep + 10)
        pdf.ln(3.5)
        out.para(text, size=12.5, style="B", h=6, colour=NAVY)
        pdf.set_draw_color(*NAVY)
        pdf.set_line_width(0.4)
        pdf.line(MARGIN_X, pdf.get_y(), MARGIN_X + width, pdf.get_y())
        pdf.ln(2)

    def facts(block: Facts) -> None:
        for label, value in block.pairs:
            out.labelled(label, value, 40)

    def para(block: Para) -> None:
        if block.kind == "small":
            out.para(block.text, size=8.5, h=4)
        else:
            out.para(block.text, style=PARA_STYLE.get(block.kind, ""))

    def items(block: Items) -> None:
        for item in block.items:
            if item.label:
                mark = item.mark.strip()
                out.labelled(item.label, (f"{mark} " if mark else "") + item.text, 22)
            else:
                out.para("\u00b7 " + item.text, size=9.5, h=4.4, indent=4)

    def episodes(block: Episodes) -> None:
        pdf.ln(1)
        rows = [([ep.when, ep.level, "\n".join(episode_details(ep)), "\n".join(ep.rules)],
                 ep.urgency.lower()) for ep in block.episodes]
        grid(out, list(EPISODE_HEADS), rows, (38, 24, 96, 22), "LLLL", 9)
        pdf.ln(2)
        out.room(14)
        out.para(ADVICE_HEADING, size=10, style="B", h=5)
        for advice in block.advice:
            out.room(9)
            out.para(advice.head + ":", size=9.5, style="B", h=4.4)
            out.para(advice.text, size=9.5, h=4.4, indent=4)

    def draw(block: Chart) -> None:
        draw_chart(pdf, chart, MARGIN_X, pdf.get_y(), width / chart.width, latin)
        pdf.set_y(pdf.get_y() + chart.height * width / chart.width + 1)
        if chart.labels_left_off:
            out.para(f"{chart.labels_left_off} event labels did not fit; every event is "
                     "listed under Summary figures.", size=8.5)

    def figures(block: Figures) -> None:
        out.para(days_logged(report))
        if report.data["period"]["days_logged"]:
            pdf.ln(1)
            rows = [([word, num(st["mean"]), num(st["median"]),
                      f"{num(st['min'])}-{num(st['max'])}", str(st["n"])], None)
                    for _key, word, st in pain_rows(report)]
            grid(out, list(PAIN_HEADS), rows, (38, 18, 18, 18, 18), "LRRRR", 9.5)
            pdf.ln(2)
            heads, weeks = weekly_rows(report, 4)
            out.room(5 + 4.6 * (1 + min(len(weeks), 8)))  # the title stays with its table
            out.para("Weekly mean pain now", size=9.5, style="B", h=5)
            grid(out, heads, [(w, None) for w in weeks], (21, 11, 10.5) * (len(heads) // 3),
                 "LRR" * (len(heads) // 3), 8)
            pdf.ln(1.5)
        for label, text in figure_lines(report):
            if isinstance(text, list):
                out.room(9)
                out.para(label + ":", size=9, style="B", h=4.4)
                for item in text:
                    out.para("\u00b7 " + item, size=9, h=4.2, indent=4)
            else:
                out.font(9, "B")
                out.labelled(label + ":", text, out.width(label + ": "), size=9, h=4.4)

    def days(block: Days) -> None:
        rows = []
        for row in block.rows:
            if isinstance(row, Gap):
                rows.append(([row.text], "gap"))
                continue
            rows.append((row.cells + [", ".join(row.symptoms)], DAY_KIND.get(row.urgency)))
            if row.readings:  # a line of its own under the day, in its shade
                rows.append((["", readings_line(row)],
                             "readings" + (f":{DAY_KIND[row.urgency]}" if row.urgency else "")))
        grid(out, list(DAY_HEADS), rows,
             (19, 8.5, 10, 10, 8.5, 14, 8.5, 10, 10, 22, 59.5), "LRRRRRRRRLL", 7.8)
        pdf.ln(1)
        out.para(block.key, size=7.5, h=3.4)

    drawers = {Facts: facts, Para: para, Items: items, Episodes: episodes, Chart: draw,
               Figures: figures, Days: days}
    for n, (key, title, blocks) in enumerate(sections(report)):
        if n == 0:
            out.para(title, size=17, style="B", h=8, colour=NAVY)
            pdf.ln(1)
        elif title:
            heading(title, keep.get(key, 20.0))
        else:  # the end: not medical advice, and when it was made
            out.room(18.5)
            pdf.ln(3)
            pdf.set_draw_color(136, 136, 136)
            pdf.set_line_width(0.3)
            pdf.line(MARGIN_X, pdf.get_y(), MARGIN_X + width, pdf.get_y())
            pdf.ln(2)
        for block in blocks:
            drawers[type(block)](block)
    if latin.lost:
        out.para("Characters that this PDF's fonts cannot show appear as '?'; the HTML report "
                 "shows every character as typed.", size=8.5, h=4)
    return bytes(pdf.output())


DAY_KIND = {"ROUTINE": "routine", "URGENT": "flag", "EMERGENCY": "emergency"}  # shade by level
PARA_STYLE = {"lead": "B", "none": "I", "advice": "B"}
BOLD = ("head", "flag", "emergency")
FILLS = {"head": HEAD_FILL, "flag": FLAG_FILL, "urgent": FLAG_FILL, "emergency": EMERGENCY_FILL,
         "routine": ROUTINE_FILL}


def grid(out: Writer, heads: list[str], rows: list, widths, aligns: str, size: float) -> None:
    """A table: a shaded header (repeated on every page), a rule under each row, rows that
    never split over a page. ``rows``: (cells, kind), kind None; "flag" (bold, shaded red);
    "urgent" or "emergency" (shaded red); "routine" (shaded amber); "gap" (one italic cell
    across the table)."""
    pdf = out.pdf
    line_h = size / PT * 1.22
    pad_x, pad_y = 1.0, 0.55
    x0, total = MARGIN_X, sum(widths)
    bottom = pdf.h - MARGIN_BOTTOM
    ascent = size / PT * 0.74

    def layout(cells, kind):
        """(columns, aligns, fill, style, colour) of a row of this kind."""
        if kind == "gap":
            return [total], "L", GAP_FILL, "I", GREY
        if kind and kind.startswith("readings"):  # under its day: the date column left empty
            return ([widths[0], total - widths[0]], "LL", FILLS.get(kind.partition(":")[2]),
                    "", INK)
        return widths, aligns, FILLS.get(kind), "B" if kind in BOLD else "", INK

    def measure(cells, kind) -> float:
        cols, _, _, style, colour = layout(cells, kind)
        out.font(size, style, colour)
        return max(len(out.wrap(c, w - 2 * pad_x)) for c, w in zip(cells, cols)) * line_h \
            + 2 * pad_y

    def draw_row(cells, kind, y, keep: float = 0.0) -> float:
        """The row at ``y``; a new page first when it (and ``keep`` more: the readings line
        that goes with it) does not fit."""
        cols, col_aligns, fill, style, colour = layout(cells, kind)
        out.font(size, style, colour)
        wrapped = [out.wrap(c, w - 2 * pad_x) for c, w in zip(cells, cols)]
        height = max(len(w) for w in wrapped) * line_h + 2 * pad_y
        if y + height + keep > bottom and kind != "head":
            pdf.add_page()
            y = draw_row(heads, "head", pdf.get_y())
            out.font(size, style, colour)
        if fill:
            pdf.set_fill_color(*fill)
            pdf.rect(x0, y, total, height, style="F")
        x = x0
        for lines, w, align in zip(wrapped, cols, col_aligns):
            for n, line in enumerate(lines):
                tx = x + pad_x if align == "L" else x + w - pad_x - out.width(line)
                pdf.text(tx, y + pad_y + ascent + n * line_h, line)
            x += w
        if kind == "head":
            pdf.set_draw_color(138, 155, 180)
            pdf.set_line_width(0.3)
        else:
            pdf.set_draw_color(210, 210, 210)
            pdf.set_line_width(0.15)
        if not keep:  # a day and its readings line read as one row
            pdf.line(x0, y + height, x0 + total, y + height)
        return y + height

    out.room((line_h + 2 * pad_y) * (1 + min(len(rows), 8)))  # no header alone at the foot
    y = draw_row(heads, "head", pdf.get_y())
    for n, (cells, kind) in enumerate(rows):
        after = rows[n + 1] if n + 1 < len(rows) else None
        keep = measure(*after) if after and (after[1] or "").startswith("readings") else 0.0
        y = draw_row(cells, kind, y, keep)
    out.font(size)
    pdf.set_y(y)


def draw_chart(pdf, chart, x0: float, y0: float, scale: float, latin) -> None:
    """The chart's shapes (millimetres from its top left) drawn at (x0, y0)."""

    def X(x):
        return x0 + x * scale

    def Y(y):
        return y0 + y * scale

    for shape in chart.shapes:
        style = charts.STYLES[shape.style]
        if "fill" in style:
            pdf.set_fill_color(*_rgb(style["fill"]))
            pdf.set_text_color(*_rgb(style["fill"]))
        if "stroke" in style:
            pdf.set_draw_color(*_rgb(style["stroke"]))
            pdf.set_line_width(style["width"] * scale)
            dash = style.get("dash") or (0, 0)
            pdf.set_dash_pattern(dash[0] * scale, dash[1] * scale)
        if isinstance(shape, charts.Rect):
            pdf.rect(X(shape.x), Y(shape.y), shape.w * scale, shape.h * scale, style="F")
        elif isinstance(shape, charts.Line):
            pdf.line(X(shape.x1), Y(shape.y1), X(shape.x2), Y(shape.y2))
        elif isinstance(shape, charts.Poly):
            pdf.polyline([(X(x), Y(y)) for x, y in shape.points], style="D")
        elif isinstance(shape, charts.Dot):
            pdf.circle(X(shape.x), Y(shape.y), shape.r * scale, style="F")
        elif isinstance(shape, charts.Text):
            pdf.set_font("Helvetica", "B" if shape.bold else "", shape.size * scale * PT)
            text = latin(shape.text)
            w = pdf.get_string_width(text)
            left = X(shape.x) - (w / 2 if shape.anchor == "middle" else w
                                 if shape.anchor == "end" else 0)
            pdf.text(left, Y(shape.y), text)
    pdf.set_dash_pattern(0, 0)
    pdf.set_text_color(*INK)
