"""Plain text (a terminal or an email body, 80 columns at most) and Markdown (GitHub tables).

In Markdown everything the person typed is escaped, so a note such as ``**bold**`` or
``<script>`` shows as typed, never as formatting or HTML.
"""

from __future__ import annotations

import re

from .. import words
from ..escape import escape
from .chart import text_chart
from .content import ADVICE_HEADING, Gap, Report
from .layout import (DAY_HEADS, EPISODE_HEADS, PAIN_HEADS, Chart, Days, Episodes,
                     Facts, Figures, Items, Para, days_logged, episode_details, figure_lines,
                     num, pain_rows, readings_line, sections, weekly_rows)

WIDTH = 78


def wrap(text: str, prefix: str = "", indent: str | None = None) -> list[str]:
    return words.wrap(text, WIDTH, prefix, indent)


def pain_table(report: Report) -> list[list[str]]:
    return [list(PAIN_HEADS)] + [[word, num(st["mean"]), num(st["median"]),
                                  f"{num(st['min'])}-{num(st['max'])}", str(st["n"])]
                                 for _key, word, st in pain_rows(report)]


def render_txt(report: Report) -> str:
    out = []
    for n, (_id, title, blocks) in enumerate(sections(report)):
        if n == 0:
            out += [title.upper(), "=" * len(title)]
        elif title:
            out += ["", title.upper(), "-" * len(title)]
        else:
            out += ["", "-" * WIDTH]
        for block in blocks:
            out += TXT[type(block)](block)
    return escape("\n".join(line.rstrip() for line in out), lines=True) + "\n"


def _txt_facts(block: Facts) -> list[str]:
    return [line for label, value in block.pairs for line in wrap(value, f"{label + ':':<22}")]


def _txt_para(block: Para) -> list[str]:
    return wrap(block.text)


def _txt_items(block: Items) -> list[str]:
    return [line for item in block.items for line in wrap(
        item.text, f"- {item.label}{item.mark}: " if item.label else "- ", "    ")]


def _txt_episodes(block: Episodes) -> list[str]:
    out = []
    for ep in block.episodes:
        out.append("")
        out += wrap(f"{ep.level}  {ep.when}  {ep.rule_text}", "", " " * 4)
        for line in episode_details(ep):
            out += wrap(line, "    ", " " * 6)
    out += ["", ADVICE_HEADING + ":"]
    for advice in block.advice:
        out += wrap(advice.head)
        out += wrap(advice.text, "    ")
    return out


def _txt_chart(block: Chart) -> list[str]:
    return text_chart(block.report)


def _txt_figures(block: Figures) -> list[str]:
    report = block.report
    out = [days_logged(report)]
    if report.data["period"]["days_logged"]:
        out.append("")
        for n, row in enumerate(pain_table(report)):
            out.append(f"{'' if n == 0 else '  '}{row[0]:<{16 if n == 0 else 14}}"
                       f"{row[1]:>7}{row[2]:>8}{row[3]:>8}{row[4]:>6}")
        out += ["", "Weekly mean pain now:"]
        heads, rows = weekly_rows(report, 3)
        for row in [heads] + rows:
            groups = [f"{row[i]:<10} {row[i + 1]:>5} {row[i + 2]:>4}"
                      for i in range(0, len(row), 3)]
            out.append(" | ".join(groups).rstrip())
    for label, text in figure_lines(report):
        if isinstance(text, list):
            out.append(f"{label}:")
            for item in text:
                out += wrap(item, "  - ", "    ")
        else:
            out += wrap(text, f"{label}: ", "    ")
    return out


def _txt_day_start(c: list[str]) -> str:
    """A day's date and figures; each figure keeps a space before it, however wide (boluses
    12, sleep 10.5)."""
    return c[0].ljust(10) + "".join(" " + value.rjust(width - 1) for value, width in zip(
        c[1:9], (4, 4, 4, 4, 6, 4, 4, 5))) + " "


def _txt_row(c: list[str]) -> str:
    return f"{_txt_day_start(c)}{c[9]:<10} "


TXT_HEAD = _txt_row(["Date", "Now", "Wst", "Lst", "Avg", "Temp", "Bol", "Slp", "Mood",
                     "Warning"]) + "Symptoms"
SYMPTOM_COLUMN = len(TXT_HEAD) - len("Symptoms")


def _txt_days(block: Days) -> list[str]:
    out = [TXT_HEAD, "-" * WIDTH]
    for row in block.rows:
        if isinstance(row, Gap):
            out.append(f"  ... {row.text}")
            continue
        head, indent = _txt_row(row.cells), " " * SYMPTOM_COLUMN
        if len(row.cells[9]) > 10:  # several rules: they wrap in the warning column, and
            out += words.wrap(row.cells[9], WIDTH, _txt_day_start(row.cells),  # the symptoms
                              " " * (SYMPTOM_COLUMN - 11))  # go on the next lines
            head = indent = " " * 10
        out += wrap(", ".join(row.symptoms), head, indent)
        if row.readings:
            out += wrap(readings_line(row), " " * 11, " " * 13)
    return out + wrap("Wst, Lst: worst, least. Slp: sleep. " + block.key)


TXT = {Facts: _txt_facts, Para: _txt_para, Items: _txt_items, Episodes: _txt_episodes,
       Chart: _txt_chart, Figures: _txt_figures, Days: _txt_days}


# Markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&@])")
# what makes a renderer turn text into a link: a scheme's "://", a dot inside a domain name
_MD_LINKISH = re.compile(r"(:(?=//)|\.(?=\w))")


def _md_escape(text: str) -> str:
    """Markdown characters escaped, and addresses broken up with escapes (which render
    invisibly), so that no renderer makes a link of what the person typed."""
    return _MD_LINKISH.sub(r"\\\1", _MD_SPECIAL.sub(r"\\\1", text))


_MD_LEADING = re.compile(r"^([-+=]|\d+(?=[.)]))")


def md(text) -> str:
    """Escape text the person typed for Markdown (CommonMark and GitHub): every character
    shows as typed. Lines are kept apart with hard line breaks (a backslash at the end)."""
    lines = []
    for line in str(text).splitlines() or [""]:
        line = _md_escape(line.strip())
        match = _MD_LEADING.match(line)
        if match:  # "- x", "+ x", "1. x", "===" would start a list or a heading
            end = match.end()
            line = (line[:end] + "\\" + line[end:]) if line[:1].isdigit() else "\\" + line
        lines.append(line)
    return "\\\n".join(lines)


def md_item(text) -> str:
    """Escaped text inside a list item: continued lines indented under the item."""
    return md(text).replace("\\\n", "\\\n  ")


def md_cell(text) -> str:
    """A table cell: one line, Markdown characters and the column bar escaped."""
    text = " ".join(str(text).split())
    return _md_escape(text) if text else " "


def md_table(rows: list[list[str]], align: str) -> list[str]:
    sep = {"l": "---", "r": "---:"}
    return (["| " + " | ".join(rows[0]) + " |", "|" + "|".join(sep[a] for a in align) + "|"]
            + ["| " + " | ".join(r) + " |" for r in rows[1:]])


def render_md(report: Report) -> str:
    out = []
    for n, (_id, title, blocks) in enumerate(sections(report)):
        if n == 0:
            out += [f"# {title}"]
        elif title:
            out += ["", f"## {title}"]
        else:
            out += ["", "---"]
        for block in blocks:
            out += [""] + MD[type(block)](block)
    return escape("\n".join(out + [""]), lines=True)


def _md_facts(block: Facts) -> list[str]:
    return [f"- **{label}:** {md(value)}" for label, value in block.pairs]


def _md_para(block: Para) -> list[str]:
    return [f"**{md(block.text)}**" if block.kind == "advice" else md(block.text)]


def _md_items(block: Items) -> list[str]:
    return [f"- {_md_label(item)}{md_item(item.text)}" for item in block.items]


def _md_label(item) -> str:
    if not item.label:
        return ""
    return f"**{item.label}**{item.mark}: " if item.mark else f"**{item.label}:** "


def _md_episodes(block: Episodes) -> list[str]:
    rows = [list(EPISODE_HEADS)]
    for ep in block.episodes:
        details = "<br>".join(md_cell(line) for line in episode_details(ep))
        rows.append([md_cell(ep.when), f"**{md_cell(ep.level)}**", details,
                     md_cell(ep.rule_text)])
    return (md_table(rows, "llll") + ["", f"**{ADVICE_HEADING}:**", ""]
            + [f"- **{md(a.head)}:** {md(a.text)}" for a in block.advice])


def _md_chart(block: Chart) -> list[str]:
    return ["```text"] + text_chart(block.report) + ["```"]


def _md_figures(block: Figures) -> list[str]:
    report = block.report
    out = [days_logged(report)]
    if report.data["period"]["days_logged"]:
        out += [""] + md_table(pain_table(report), "lrrrr")
        heads, rows = weekly_rows(report, 3)
        out += ["", "Weekly mean pain now:", ""] + md_table([heads] + rows, "lrr" * (
            len(heads) // 3))
    out.append("")
    for label, text in figure_lines(report):
        if isinstance(text, list):
            out.append(f"- **{label}:**")
            out += [f"  - {md_item(item)}" for item in text]
        else:
            out.append(f"- **{label}:** {md_item(text)}")
    return out


def _md_days(block: Days) -> list[str]:
    rows = [list(DAY_HEADS)]
    for row in block.rows:
        if isinstance(row, Gap):
            rows.append([f"*{row.text}*"] + [" "] * (len(DAY_HEADS) - 1))
            continue
        cells = [md_cell(c) for c in row.cells] + [md_cell(", ".join(row.symptoms))]
        if row.readings:  # the mean, then each reading on a line of its own in the cell
            cells[1] = "<br>".join([f"mean {cells[1]}"] + [
                md_cell(r) for r in row.readings.split(" · ")])
        if row.flagged:
            cells[0], cells[-2] = f"**{cells[0]}**", f"**{cells[-2]}**"
        rows.append(cells)
    return md_table(rows, "lrrrrrrrrll") + ["", f"*{md(block.key)}*"]


MD = {Facts: _md_facts, Para: _md_para, Items: _md_items, Episodes: _md_episodes,
      Chart: _md_chart, Figures: _md_figures, Days: _md_days}
