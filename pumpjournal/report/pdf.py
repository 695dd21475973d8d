"""The PDF, in pure Python with fpdf2: A4, core fonts, the chart as vector drawing.

Core fonts hold Latin-1 only. ``Latin`` keeps Latin-1 text as it is, turns the usual
typographic characters into plain ones (an arrow into ->, a dash into -), strips accents it
cannot keep, and shows anything else as ``?``; the report then says so and points to the HTML
version, which shows every character.

Tables are drawn with a small grid of our own (text, fills and rules): fpdf2's ``table()``
takes about 7 ms a row, too slow for a year of days.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, time, timezone

from .chart import STYLES, draw
from .content import DAY_KEY, LEFT_OUT, PAIN_ROWS, TITLE, Gap, Report, figure_lines, num

MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 15.0, 14.0, 16.0
INK = (26, 26, 26)
NAVY = (22, 61, 115)
RED = (192, 57, 43)
AMBER = (183, 121, 31)
GREY = (85, 85, 85)
HEAD_FILL = (233, 239, 247)
FLAG_FILL = (251, 227, 224)
GAP_FILL = (246, 246, 246)
PT = 72 / 25.4  # points per millimetre

PLAIN = {"\u2192": "->", "\u2190": "<-", "\u2194": "<->", "\u21d2": "=>", "\u2013": "-",
         "\u2014": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2018": "'",
         "\u2019": "'", "\u201a": ",", "\u201c": '"', "\u201d": '"', "\u201e": '"',
         "\u2026": "...", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=", "\u2248": "~",
         "\u2022": "\u00b7", "\u2009": " ", "\u200b": "", "\u202f": " ", "\u2122": "(TM)",
         "\u20ac": "EUR", "\u2713": "v", "\u2714": "v", "\u2717": "x", "\u00a0": " "}


class Latin:
    """Text for the PDF's core fonts, counting the characters that could not be shown."""

    def __init__(self):
        self.lost = 0

    def __call__(self, text) -> str:
        text = str(text)
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


def render_pdf(report: Report) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    latin = Latin()
    footer_text = latin(f"{TITLE} · {report.who} · {report.since} to {report.until} · "
                        f"made {report.today}")

    class Doc(FPDF):
        def footer(self):
            self.set_y(-11)
            self.set_font("Helvetica", "", 7.5)
            self.set_text_color(*GREY)
            self.cell(0, 4, f"{footer_text} · page {self.page_no()} of {{nb}}", align="C")

    pdf = Doc(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    pdf.set_title(latin(report.title))
    pdf.set_creator("pumpjournal")
    pdf.set_creation_date(datetime.combine(report.today, time(12), tzinfo=timezone.utc))
    pdf.add_page()
    width = pdf.epw

    def font(size: float, style: str = "", colour=INK) -> None:
        pdf.set_font("Helvetica", style, size)
        pdf.set_text_color(*colour)

    def room(height: float) -> None:
        if pdf.get_y() + height > pdf.h - MARGIN_BOTTOM:
            pdf.add_page()

    def heading(text: str, keep: float = 20.0) -> None:
        room(keep + 10)
        pdf.ln(3.5)
        font(12.5, "B", NAVY)
        pdf.cell(width, 6, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_draw_color(*NAVY)
        pdf.set_line_width(0.4)
        pdf.line(MARGIN_X, pdf.get_y(), MARGIN_X + width, pdf.get_y())
        pdf.ln(2)

    def para(text: str, size: float = 9.5, style: str = "", h: float = 4.4,
             indent: float = 0.0) -> None:
        font(size, style)
        pdf.set_x(MARGIN_X + indent)
        pdf.multi_cell(width - indent, h, latin(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def labelled(label: str, text: str, label_w: float, indent: float = 0.0,
                 size: float = 9.5, h: float = 4.4) -> None:
        """``label`` in bold in a column of ``label_w``, ``text`` wrapped beside it."""
        room(h)
        pdf.set_x(MARGIN_X + indent)
        font(size, "B")
        pdf.cell(label_w, h, latin(label))
        font(size)
        pdf.multi_cell(width - indent - label_w, h, latin(text), new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)

    # Who and which period
    font(17, "B", NAVY)
    pdf.cell(width, 8, latin(TITLE), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    facts = list(report.facts) + ([("Care team", report.care_team)] if report.care_team else [])
    for label, value in facts:
        labelled(label, value, 40)

    # Warning signs first
    heading(f"Warning signs ({len(report.episodes)})")
    if not report.episodes:
        para("No warning signs were logged in this period.", style="I")
    for ep in report.episodes:
        logged = f", {ep.days_logged} days logged" if ep.days_logged > 1 else ""
        rows = [("Logged", "; ".join(ep.items)), ("Advice", ep.advice)]
        rows += [(f"Note {day}", note) for day, note in ep.notes]
        if ep.contacted:
            rows.append(("Contacted care team", "; ".join(ep.contacted)))
        rows.append(("Rule", f"{ep.rule} (sources {ep.sources})"))
        title = latin(f"{ep.symbol} {ep.urgency} {ep.span}{logged}: {ep.headline}")
        font(9.5)
        lines = sum(len(pdf.multi_cell(width - 40, 4.4, latin(t), dry_run=True,
                                       output="LINES")) for _, t in rows)
        room(lines * 4.4 + 12)
        top = pdf.get_y()
        pdf.ln(1.2)
        pdf.set_x(MARGIN_X + 4)
        font(10.5, "B")
        pdf.multi_cell(width - 5, 5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for label, text in rows:
            labelled(label, text, 36, indent=4)
        pdf.ln(1.2)
        pdf.set_fill_color(*(AMBER if ep.urgency == "ROUTINE" else RED))
        pdf.rect(MARGIN_X, top, 2.0, pdf.get_y() - top, style="F")
        pdf.ln(2)

    # The chart
    chart = draw(report)
    heading("Pain chart (0 = no pain, 10 = the worst pain imaginable)", keep=chart.height)
    draw_chart(pdf, chart, MARGIN_X, pdf.get_y(), width / chart.width, latin)
    pdf.set_y(pdf.get_y() + chart.height * width / chart.width + 1)
    if chart.labels_left_off:
        para(f"{chart.labels_left_off} event labels did not fit; every event is listed under "
             "Summary figures.", size=8.5)

    # The figures
    data = report.data
    period = data["period"]
    heading("Summary figures")
    para(f"{period['days_logged']} of {period['days']} days logged.")
    if period["days_logged"]:
        pdf.ln(1)
        rows = []
        for key, word in PAIN_ROWS:
            st = data["pain"][key]
            if st:
                rows.append(([word, num(st["mean"]), num(st["median"]),
                              f"{num(st['min'])}-{num(st['max'])}", str(st["n"])], None))
        grid(pdf, ["Pain (0-10)", "mean", "median", "range", "days"], rows,
             (38, 18, 18, 18, 18), "LRRRR", 9.5, latin)
        pdf.ln(1.5)
    for label, text in figure_lines(report):
        room(9)
        font(9, "B")
        pdf.cell(width, 4.4, latin(label + ":"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        for item in text if isinstance(text, list) else [text]:
            para(("\u00b7 " if isinstance(text, list) else "") + item, size=9, h=4.2,
                 indent=4)

    # Day by day
    heading("Day by day", keep=30)
    heads = ["Date", "Now", "Worst", "Least", "Avg", "Temp °C", "Bol.", "Sleep", "Mood",
             "Warning", "Symptoms"]
    rows = []
    for row in report.rows:
        if isinstance(row, Gap):
            rows.append(([row.text], "gap"))
        else:
            rows.append((row.cells + [", ".join(row.symptoms)], "flag" if row.flagged else None))
    grid(pdf, heads, rows, (19, 8.5, 10, 10, 8.5, 14, 8.5, 10, 10, 22, 59.5), "LRRRRRRRRLL",
         7.8, latin)
    pdf.ln(1)
    para(DAY_KEY, size=7.5, h=3.4)

    # Questions and notes
    heading("Questions for the visit", keep=10)
    if report.questions is None:
        para(LEFT_OUT, style="I")
    elif not report.questions:
        para("None noted.", style="I")
    for day, question in report.questions or []:
        labelled(day, question, 22)
    heading("Notes", keep=10)
    if report.notes is None:
        para(LEFT_OUT, style="I")
    elif not report.notes:
        para("None written.", style="I")
    for day, note, on_flag in report.notes or []:
        labelled(day, ("(warning sign that day) " if on_flag else "") + note, 22)

    # Not medical advice, and when it was made
    room(22)
    pdf.ln(4)
    pdf.set_draw_color(136, 136, 136)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN_X, pdf.get_y(), MARGIN_X + width, pdf.get_y())
    pdf.ln(2)
    para(report.not_advice, size=9.5, style="B")
    para(report.made, size=8.5, h=4)
    if latin.lost:
        para(f"{latin.lost} character(s) that this PDF's fonts cannot show appear as '?'; the "
             "HTML report shows every character as typed.", size=8.5, h=4)
    return bytes(pdf.output())


def _wrap(pdf, text: str, width: float) -> list[str]:
    if pdf.get_string_width(text) <= width:
        return [text]
    lines, line = [], ""
    for word in text.split(" "):
        trial = f"{line} {word}" if line else word
        if line and pdf.get_string_width(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return lines + [line]


def grid(pdf, heads: list[str], rows: list, widths, aligns: str, size: float, latin) -> None:
    """A table: a shaded header (repeated on every page), one rule under each row, rows that
    never split over a page. ``rows``: (cells, kind), kind None, "flag" (bold, shaded) or
    "gap" (one italic cell across the table)."""
    line_h = size / PT * 1.22
    pad_x, pad_y = 1.0, 0.55
    x0, total = pdf.l_margin, sum(widths)
    bottom = pdf.h - pdf.b_margin
    ascent = size / PT * 0.74

    def put(cells: list[str], y: float, style: str) -> float:
        pdf.set_font("Helvetica", style, size)
        wrapped = [_wrap(pdf, latin(c), w - 2 * pad_x) for c, w in zip(cells, widths)]
        height = max(len(w) for w in wrapped) * line_h + 2 * pad_y
        return height, wrapped

    def draw_row(wrapped, y, height, fill) -> None:
        if fill:
            pdf.set_fill_color(*fill)
            pdf.rect(x0, y, total, height, style="F")
        x = x0
        for lines, w, align in zip(wrapped, widths, aligns):
            for n, line in enumerate(lines):
                tx = x + pad_x if align == "L" else x + w - pad_x - pdf.get_string_width(line)
                pdf.text(tx, y + pad_y + ascent + n * line_h, line)
            x += w
        pdf.line(x0, y + height, x0 + total, y + height)

    def header() -> float:
        y = pdf.get_y()
        pdf.set_text_color(*INK)
        height, wrapped = put(heads, y, "B")
        pdf.set_draw_color(138, 155, 180)
        pdf.set_line_width(0.3)
        draw_row(wrapped, y, height, HEAD_FILL)
        pdf.set_draw_color(210, 210, 210)
        pdf.set_line_width(0.15)
        return y + height

    y = header()
    for cells, kind in rows:
        if kind == "gap":
            pdf.set_font("Helvetica", "I", size)
            wrapped = [[latin(cells[0])]]
            height, row_widths, row_aligns = line_h + 2 * pad_y, [total], "L"
        else:
            height, wrapped = put(cells, y, "B" if kind == "flag" else "")
            row_widths, row_aligns = widths, aligns
        if y + height > bottom:
            pdf.add_page()
            y = header()
        pdf.set_text_color(*(GREY if kind == "gap" else INK))
        fill = {"gap": GAP_FILL, "flag": FLAG_FILL}.get(kind)
        if fill:
            pdf.set_fill_color(*fill)
            pdf.rect(x0, y, total, height, style="F")
        x = x0
        for lines, w, align in zip(wrapped, row_widths, row_aligns):
            for n, line in enumerate(lines):
                tx = x + pad_x if align == "L" else x + w - pad_x - pdf.get_string_width(line)
                pdf.text(tx, y + pad_y + ascent + n * line_h, line)
            x += w
        pdf.line(x0, y + height, x0 + total, y + height)
        y += height
    pdf.set_text_color(*INK)
    pdf.set_y(y)


def draw_chart(pdf, chart, x0: float, y0: float, scale: float, latin) -> None:
    """The chart's shapes (millimetres from its top left) drawn at (x0, y0)."""

    def X(x):
        return x0 + x * scale

    def Y(y):
        return y0 + y * scale

    for shape in chart.shapes:
        kind, style = shape[0], STYLES[shape[1]]
        if "fill" in style:
            pdf.set_fill_color(*_rgb(style["fill"]))
            pdf.set_text_color(*_rgb(style["fill"]))
        if "stroke" in style:
            pdf.set_draw_color(*_rgb(style["stroke"]))
            pdf.set_line_width(style["width"] * scale)
            dash = style.get("dash") or (0, 0)
            pdf.set_dash_pattern(dash[0] * scale, dash[1] * scale)
        if kind == "rect":
            _, _, x, y, w, h = shape
            pdf.rect(X(x), Y(y), w * scale, h * scale, style="F")
        elif kind == "line":
            _, _, x1, y1, x2, y2 = shape
            pdf.line(X(x1), Y(y1), X(x2), Y(y2))
        elif kind == "poly":
            pdf.polyline([(X(x), Y(y)) for x, y in shape[2]], style="D")
        elif kind == "dot":
            _, _, x, y, r = shape
            pdf.circle(X(x), Y(y), r * scale, style="F")
        elif kind == "text":
            _, _, x, y, text, size, anchor, bold = shape
            pdf.set_font("Helvetica", "B" if bold else "", size * scale * PT)
            text = latin(text)
            w = pdf.get_string_width(text)
            left = X(x) - (w / 2 if anchor == "middle" else w if anchor == "end" else 0)
            pdf.text(left, Y(y), text)
    pdf.set_dash_pattern(0, 0)
    pdf.set_text_color(*INK)
