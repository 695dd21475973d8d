"""One self-contained HTML file: inline CSS and an inline SVG chart; no scripts, no links, no
external requests. Everything the person typed goes through ``esc``.

Printing: ``@page`` sets margins only, so the paper is the one chosen in the print dialog (A4
or Letter); the content is at most 180 mm wide, which fits both. The ``/* paper */`` comment
inside ``@page`` is the place to pin a size (``size: A4;`` or ``size: letter;``): the browser
test does that by string replacement.
"""

from __future__ import annotations

import html

from ..escape import escape
from ..words import logging_words
from . import chart as charts
from .content import ADVICE_HEADING, Gap, Report
from .layout import (DAY_HEADS, EPISODE_HEADS, PAIN_HEADS, Chart, Days, Episodes,
                     Facts, Figures, Items, Para, episode_details, figure_lines, num,
                     pain_rows, readings_line, sections, weekly_rows)

PAPER_MARK = "/* paper */"

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { font: 10pt/1.35 "Helvetica Neue", Helvetica, Arial, "Liberation Sans",
  "DejaVu Sans", sans-serif; color: #1a1a1a; background: #fff;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; }
main { max-width: 180mm; margin: 0 auto; padding: 10mm 4mm; }
h1 { font-size: 17pt; margin: 0 0 2.5mm; color: #163d73; }
h2 { font-size: 12.5pt; margin: 6mm 0 2mm; padding-bottom: .8mm; color: #163d73;
  border-bottom: .4mm solid #163d73; break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10.5pt; margin: 0 0 1mm; break-after: avoid; page-break-after: avoid; }
p { margin: 1mm 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .5mm 4mm; margin: 0; }
dl.facts dt { font-weight: 700; }
dl.facts dd { margin: 0; }
table.episodes td { border-left: 0; }
table.episodes tr.urgent td:first-child, table.episodes tr.emergency td:first-child {
  border-left: 2mm solid #c0392b; }
table.episodes tr.routine td:first-child { border-left: 2mm solid #b7791f; }
/* automatic layout: a column is never narrower than its longest word, so the level
   ("[!!] EMERGENCY") never runs into the next column, on screen or in print */
table.episodes { table-layout: auto; }
table.episodes th:nth-child(1) { width: 23%; }
table.episodes th:nth-child(4) { width: 11%; }
table.episodes td.when { font-weight: 700; }
table.episodes td.level, table.episodes td.rule { white-space: nowrap; font-weight: 700;
  overflow-wrap: normal; padding-right: 3mm; }
table.episodes tr.urgent td.level, table.episodes tr.emergency td.level { color: #a02b1f; }
table.episodes tr.emergency td { background: #f6d3cf; }
table.episodes tr.emergency td.level { color: #7a1409; }
table.episodes tr.emergency td:first-child { border-left: 3.5mm solid #7a1409; }
ul.advice { margin: 1mm 0; padding-left: 4mm; }
ul.advice li { margin: .8mm 0; break-inside: avoid; page-break-inside: avoid; }
.overview { font-weight: 700; }
.side { display: flex; flex-wrap: wrap; gap: 2mm 8mm; align-items: flex-start; }
.side h3 { margin: 1mm 0 0; font-size: 9.5pt; }
table.weeks { width: auto; font-size: 8.2pt; font-variant-numeric: tabular-nums; }
table.weeks td:nth-child(3n), table.weeks th:nth-child(3n) { padding-right: 4mm; }
.none { color: #333; font-style: italic; }
.chart { break-inside: avoid; page-break-inside: avoid; margin: 1mm 0 2mm; }
.chart svg { display: block; width: 100%; height: auto; }
.chart svg text { font-family: inherit; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm; }
th, td { padding: .5mm 1.4mm; border-bottom: .2mm solid #d8d8d8; text-align: right;
  vertical-align: top; }
th { background: #e9eff7; border-bottom: .3mm solid #8a9bb4; font-weight: 700;
  white-space: nowrap; }
.l { text-align: left; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.pain { width: auto; break-inside: avoid; page-break-inside: avoid; }
table.days { font-size: 8.2pt; font-variant-numeric: tabular-nums; }
table.days td.date, table.days td.warn span { white-space: nowrap; }
table.days tr.flagged td { font-weight: 700; }
table.days tr.routine td { background: #fdf3d8; }
table.days tr.urgent td { background: #fbe3e0; }
table.days tr.emergency td { background: #f0beb7; }
table.days tr.readings td { padding-top: 0; color: #333; }
table.days tr:has(+ tr.readings) td { border-bottom: 0; }
table.days tr.gap td { color: #555; font-style: italic; text-align: left; background: #f6f6f6;
  padding-top: .2mm; padding-bottom: .2mm; }
ul.figures { margin: 1mm 0; padding-left: 4mm; }
ul.figures li, ul.items li { margin: .6mm 0; }
ul.figures li li, ul.items li { break-inside: avoid; page-break-inside: avoid; }
ul.items { margin: 1mm 0; padding-left: 4mm; }
td, dd, li, p { overflow-wrap: anywhere; }
.typed { white-space: pre-line; }
.nw { white-space: nowrap; }
.key { font-size: 8pt; color: #444; }
footer { margin-top: 6mm; padding-top: 2mm; border-top: .3mm solid #888; font-size: 9pt;
  break-inside: avoid; page-break-inside: avoid; }
footer .advice { font-weight: 700; }
@page { margin: 14mm 15mm; /* paper */ }
@media print {
  html { font-size: 9.5pt; }
  main { max-width: none; padding: 0; }
}
"""


def esc(text) -> str:
    """Text for HTML: markup characters escaped; ``://`` written so that no address appears
    in the file, even when a note holds one."""
    return html.escape(escape(text, lines=True), quote=True).replace("://", "&#58;//")


def svg(chart: charts.Chart, title: str) -> str:
    out = [f'<svg viewBox="0 0 {chart.width:g} {chart.height:.1f}" role="img" '
           f'aria-label="{esc(title)}" preserveAspectRatio="xMidYMin meet">',
           f"<title>{esc(title)}</title>"]
    for shape in chart.shapes:
        style = charts.STYLES[shape.style]
        paint = ""
        if "fill" in style:
            paint += f' fill="{style["fill"]}"'
        if "stroke" in style:
            paint += f' stroke="{style["stroke"]}" stroke-width="{style["width"]:g}"'
            if "dash" in style:
                paint += f' stroke-dasharray="{style["dash"][0]:g} {style["dash"][1]:g}"'
        if isinstance(shape, charts.Text):
            weight = ' font-weight="700"' if shape.bold else ""
            out.append(f'<text x="{shape.x:.2f}" y="{shape.y:.2f}" font-size="{shape.size:g}" '
                       f'text-anchor="{shape.anchor}"{weight}{paint}>{esc(shape.text)}</text>')
        else:
            out.append(f"{SVG[type(shape)](shape)}{paint}/>")
    out.append("</svg>")
    return "\n".join(out)


SVG = {  # a shape's element, without its paint
    charts.Rect: lambda s: f'<rect x="{s.x:.2f}" y="{s.y:.2f}" width="{s.w:.2f}" '
                           f'height="{s.h:.2f}"',
    charts.Line: lambda s: f'<line x1="{s.x1:.2f}" y1="{s.y1:.2f}" x2="{s.x2:.2f}" '
                           f'y2="{s.y2:.2f}"',
    charts.Poly: lambda s: '<polyline points="' + " ".join(
        f"{x:.2f},{y:.2f}" for x, y in s.points) + '" fill="none" stroke-linejoin="round"',
    charts.Dot: lambda s: f'<circle cx="{s.x:.2f}" cy="{s.y:.2f}" r="{s.r:g}"',
}


def _table(heads: list[str], rows: list[list[str]], css: str, left: set[int]) -> list[str]:
    """Rows of already-escaped cells."""
    def td(n: int, cell: str, tag: str) -> str:
        return f"<{tag}{' class=l' if n in left else ''}>{cell}</{tag}>"

    out = [f'<table class="{css}">', "<thead><tr>"
           + "".join(td(n, esc(h), "th") for n, h in enumerate(heads)) + "</tr></thead><tbody>"]
    out += ["<tr>" + "".join(td(n, c, "td") for n, c in enumerate(row)) + "</tr>"
            for row in rows]
    return out + ["</tbody></table>"]


def render_html(report: Report) -> str:
    out = ["<!doctype html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(report.title)}</title>",
           f"<style>{CSS}</style>", "</head>", "<body>", "<main>"]
    for n, (key, title, blocks) in enumerate(sections(report)):
        if n == 0:
            out += ["<header>", f"<h1>{esc(title)}</h1>"]
            end = "</header>"
        elif title:
            out += [f'<section id="{key}"{SECTION_CLASS.get(key, "")}>',
                    f"<h2>{esc(title)}</h2>"]
            end = "</section>"
        else:
            out.append("<footer>")
            end = "</footer>"
        for block in blocks:
            out += HTML[type(block)](block)
        out.append(end)
    out += ["</main>", "</body>", "</html>", ""]
    return "\n".join(out)


SECTION_CLASS = {"chart": ' class="chart"'}
PARA_CLASS = {"lead": ' class="overview"', "none": ' class="none"', "advice": ' class="advice"'}


def _html_facts(block: Facts) -> list[str]:
    return (['<dl class="facts">']
            + [f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in block.pairs]
            + ["</dl>"])


def _html_para(block: Para) -> list[str]:
    return [f"<p{PARA_CLASS.get(block.kind, '')}>{esc(block.text)}</p>"]


def _html_items(block: Items) -> list[str]:
    out = ['<ul class="items">']
    for item in block.items:
        label = ""
        if item.label:
            label = (f"<b>{esc(item.label)}</b>{esc(item.mark)}: " if item.mark
                     else f"<b>{esc(item.label)}:</b> ")
        out.append(f'<li>{label}<span class="typed">{esc(item.text)}</span></li>')
    return out + ["</ul>"]


def _html_episodes(block: Episodes) -> list[str]:
    out = ['<table class="episodes">', "<thead><tr>"
           + "".join(f"<th class=l>{esc(h)}</th>" for h in EPISODE_HEADS)
           + "</tr></thead><tbody>"]
    for ep in block.episodes:
        details = "<br>".join(f'<span class="typed">{esc(line)}</span>'
                              for line in episode_details(ep))
        when = " ".join(f"<span class=nw>{esc(word)}</span>" for word in ep.when.split())
        out.append(f'<tr class="{ep.urgency.lower()}"><td class="l when">{when}</td>'
                   f'<td class="l level">{esc(ep.level)}</td><td class="l">{details}</td>'
                   f'<td class="l rule">{"<br>".join(esc(r) for r in ep.rules or [ep.rule])}'
                   '</td></tr>')
    out += ["</tbody></table>", f'<h3>{ADVICE_HEADING}</h3>', '<ul class="advice">']
    out += [f'<li class="{a.urgency.lower()}"><b>{esc(a.head)}:</b> {esc(a.text)}</li>'
            for a in block.advice]
    return out + ["</ul>"]


def _html_chart(block: Chart) -> list[str]:
    report = block.report
    chart = charts.draw(report)
    out = [svg(chart, f"Daily pain from {report.since} to {report.until}")]
    if chart.labels_left_off:
        out.append(f"<p>{chart.labels_left_off} event labels did not fit; every event is "
                   "listed under Summary figures.</p>")
    return out


def _html_figures(block: Figures) -> list[str]:
    report = block.report
    period = report.data["period"]
    tagged = logging_words(report.data["logging"],
                           lambda key, text: f'<span data-k="logging.{key}">{esc(text)}</span>')
    out = [f"<p>{tagged}</p>"]
    if period["days_logged"]:
        out += ['<div class="side">', '<table class="pain">', "<thead><tr>"
                + "".join(f"<th{' class=l' if n == 0 else ''}>{esc(h)}</th>"
                          for n, h in enumerate(PAIN_HEADS)) + "</tr></thead><tbody>"]
        for key, word, st in pain_rows(report):
            out.append(f"<tr><td class=l>{word}</td>"
                       f'<td data-k="pain.{key}.mean">{num(st["mean"])}</td>'
                       f'<td data-k="pain.{key}.median">{num(st["median"])}</td>'
                       f'<td><span data-k="pain.{key}.min">{num(st["min"])}</span>-'
                       f'<span data-k="pain.{key}.max">{num(st["max"])}</span></td>'
                       f'<td data-k="pain.{key}.n">{st["n"]}</td></tr>')
        out.append("</tbody></table>")
        heads, rows = weekly_rows(report, 4)
        out += ['<div class="weekly"><h3>Weekly mean pain now</h3>']
        out += _table(heads, [[esc(c) for c in row] for row in rows], "weeks",
                      set(range(0, len(heads), 3)))
        out += ["</div>", "</div>"]
    out.append('<ul class="figures">')
    for label, text in figure_lines(report):
        if isinstance(text, list):
            items = "".join(f"<li>{esc(item)}</li>" for item in text)
            out.append(f"<li><b>{esc(label)}:</b><ul>{items}</ul></li>")
        else:
            out.append(f"<li><b>{esc(label)}:</b> {esc(text)}</li>")
    return out + ["</ul>"]


def _html_days(block: Days) -> list[str]:
    out = ['<table class="days">',
           "<thead><tr>" + "".join(f"<th{' class=l' if h in LEFT else ''}>{esc(h)}</th>"
                                   for h in DAY_HEADS) + "</tr></thead><tbody>"]
    for row in block.rows:
        if isinstance(row, Gap):
            out.append(f'<tr class="gap"><td colspan="{len(DAY_HEADS)}">{esc(row.text)}'
                       "</td></tr>")
            continue
        cells = [esc(c) for c in row.cells + [", ".join(row.symptoms)]]
        if row.flagged:  # the level stays on one line; the rules after it may wrap
            symbol, name, rules = row.cells[9].split(" ", 2) + [""] * (
                2 - row.cells[9].count(" "))
            cells[9] = f"<span>{esc(symbol)} {esc(name)}</span> {esc(rules)}".rstrip()
        tds = "".join(f"<td{CELL_CLASS.get(h, '')}>{c}</td>" for h, c in zip(DAY_HEADS, cells))
        level = f' class="flagged {row.urgency.lower()}"' if row.flagged else ""
        out.append(f"<tr{level}>{tds}</tr>")
        if row.readings:  # under the day, in its shade
            shade = f" {row.urgency.lower()}" if row.flagged else ""
            out.append(f'<tr class="readings{shade}"><td></td><td class=l colspan='
                       f'"{len(DAY_HEADS) - 1}">{esc(readings_line(row))}</td></tr>')
    return out + ["</tbody></table>", f'<p class="key">{esc(block.key)}</p>']


HTML = {Facts: _html_facts, Para: _html_para, Items: _html_items, Episodes: _html_episodes,
        Chart: _html_chart, Figures: _html_figures, Days: _html_days}
LEFT = {"Date", "Warning", "Symptoms"}
CELL_CLASS = {"Date": ' class="l date"', "Warning": ' class="l warn"', "Symptoms": " class=l"}
