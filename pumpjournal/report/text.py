"""Plain text (a terminal or an email body, 80 columns at most) and Markdown (GitHub tables).

In Markdown everything the person typed is escaped, so a note such as ``**bold**`` or
``<script>`` shows as typed, never as formatting or HTML.
"""

from __future__ import annotations

import re
import textwrap

from ..escape import escape
from .chart import text_chart
from .content import (DAY_HEADS, DAY_KEY, EPISODE_HEADS, LEFT_OUT, PAIN_ROWS, TITLE, Gap,
                      Report, episode_details, figure_lines, num, plural, weekly_rows)

WIDTH = 78


def wrap(text: str, prefix: str = "", indent: str | None = None, width: int = WIDTH) -> list:
    """``prefix`` + text wrapped to ``width``, later lines indented; newlines kept."""
    lines = []
    hang = " " * len(prefix) if indent is None else indent
    for n, part in enumerate(str(text).splitlines() or [""]):
        lines += textwrap.wrap(part, width, initial_indent=prefix if n == 0 else hang,
                               subsequent_indent=hang, break_on_hyphens=False) or [
                                   prefix if n == 0 else hang]
    return lines


def heading(text: str) -> list[str]:
    return ["", text.upper(), "-" * len(text)]


def pain_table(report: Report) -> list[list[str]]:
    rows = [["Pain (0-10)", "mean", "median", "range", "days"]]
    for key, word in PAIN_ROWS:
        st = report.data["pain"][key]
        if st:
            rows.append([word, num(st["mean"]), num(st["median"]),
                         f"{num(st['min'])}-{num(st['max'])}", str(st["n"])])
    return rows


def render_txt(report: Report) -> str:
    out = [TITLE.upper(), "=" * len(TITLE)]
    facts = list(report.facts) + ([("Care team", report.care_team)] if report.care_team else [])
    for label, value in facts:
        out += wrap(value, f"{label + ':':<22}")

    out += heading(f"Warning signs ({report.count})")
    out += wrap(report.overview)
    for ep in report.episodes:
        out.append("")
        out += wrap(f"{ep.level}  {ep.when}  {ep.rule_text}", "", " " * 4)
        for line in episode_details(ep):
            out += wrap(line, "    ", " " * 6)
    if report.advice:
        out += ["", "What the sources advise:"]
        for advice in report.advice:
            out += wrap(advice.head)
            out += wrap(advice.text, "    ")

    if report.coming_up:
        out += heading("Coming up")
        for line in report.coming_up:
            out += wrap(line, "- ", "    ")

    out += heading("Pain chart (0 = no pain, 10 = worst imaginable)")
    out += text_chart(report)

    out += heading("Summary figures")
    period = report.data["period"]
    out.append(f"{period['days_logged']} of {plural(period['days'], 'day')} logged.")
    if period["days_logged"]:
        out.append("")
        table = pain_table(report)
        for n, row in enumerate(table):
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

    out += heading("Day by day")
    out += day_table_txt(report)

    out += heading("Questions for the visit")
    if report.questions is None:
        out.append(LEFT_OUT)
    elif not report.questions:
        out.append("None noted.")
    for day, question in report.questions or []:
        out += wrap(question, f"- {day}: ", "    ")

    out += heading("Notes")
    if report.notes is None:
        out.append(LEFT_OUT)
    elif not report.notes:
        out.append("None written.")
    for day, note, flagged in report.notes or []:
        out += wrap(note, f"- {day}{' (warning sign that day)' if flagged else ''}: ", "    ")

    out += ["", "-" * WIDTH]
    out += wrap(report.not_advice)
    out += wrap(report.made)
    return escape("\n".join(line.rstrip() for line in out), lines=True) + "\n"


def _txt_row(c: list[str]) -> str:
    return (f"{c[0]:<10}{c[1]:>4}{c[2]:>4}{c[3]:>4}{c[4]:>4}{c[5]:>6}{c[6]:>4}{c[7]:>4}"
            f"{c[8]:>5} {c[9]:<10} ")


TXT_HEAD = _txt_row(["Date", "Now", "Wst", "Lst", "Avg", "Temp", "Bol", "Slp", "Mood",
                     "Warning"]) + "Symptoms"
SYMPTOM_COLUMN = len(TXT_HEAD) - len("Symptoms")


def day_table_txt(report: Report) -> list[str]:
    out = [TXT_HEAD, "-" * WIDTH]
    for row in report.rows:
        if isinstance(row, Gap):
            out.append(f"  ... {row.text}")
            continue
        head, indent = _txt_row(row.cells), " " * SYMPTOM_COLUMN
        if len(head) > SYMPTOM_COLUMN:  # several rules: the symptoms go on the next lines
            out.append(head.rstrip())
            head = indent = " " * 10
        out += wrap(", ".join(row.symptoms), head, indent)
    return out + wrap("Wst, Lst: worst, least. Slp: sleep. " + DAY_KEY)


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
    out = [f"# {TITLE}", ""]
    facts = list(report.facts) + ([("Care team", report.care_team)] if report.care_team else [])
    out += [f"- **{label}:** {md(value)}" for label, value in facts]

    out += ["", f"## Warning signs ({report.count})", "", md(report.overview)]
    if report.episodes:
        rows = [list(EPISODE_HEADS)]
        for ep in report.episodes:
            details = "<br>".join(md_cell(line) for line in episode_details(ep))
            rows.append([md_cell(ep.when), f"**{md_cell(ep.level)}**", details,
                         md_cell(ep.rule_text)])
        out += [""] + md_table(rows, "llll")
        out += ["", "**What the sources advise:**", ""]
        out += [f"- **{md(a.head)}:** {md(a.text)}" for a in report.advice]

    if report.coming_up:
        out += ["", "## Coming up", ""] + [f"- {md_item(line)}" for line in report.coming_up]

    out += ["", "## Pain chart", "",
            "Pain 0-10 (0 = no pain, 10 = the worst pain imaginable).", "", "```text"]
    out += text_chart(report)
    out += ["```", "", "## Summary figures", ""]
    period = report.data["period"]
    out.append(f"{period['days_logged']} of {plural(period['days'], 'day')} logged.")
    if period["days_logged"]:
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

    out += ["", "## Day by day", ""]
    rows = [list(DAY_HEADS)]
    for row in report.rows:
        if isinstance(row, Gap):
            rows.append([f"*{row.text}*"] + [" "] * (len(DAY_HEADS) - 1))
            continue
        cells = [md_cell(c) for c in row.cells] + [md_cell(", ".join(row.symptoms))]
        if row.flagged:
            cells[0], cells[-2] = f"**{cells[0]}**", f"**{cells[-2]}**"
        rows.append(cells)
    out += md_table(rows, "lrrrrrrrrll")
    out += ["", f"*{md(DAY_KEY)}*"]

    out += ["", "## Questions for the visit", ""]
    if report.questions is None:
        out.append(md(LEFT_OUT))
    elif not report.questions:
        out.append("None noted.")
    out += [f"- **{day}:** {md_item(q)}" for day, q in report.questions or []]

    out += ["", "## Notes", ""]
    if report.notes is None:
        out.append(md(LEFT_OUT))
    elif not report.notes:
        out.append("None written.")
    for day, note, flagged in report.notes or []:
        mark = " (warning sign that day)" if flagged else ""
        out.append(f"- **{day}**{mark}: {md_item(note)}")

    out += ["", "---", "", f"**{md(report.not_advice)}**", "", md(report.made), ""]
    return escape("\n".join(out), lines=True)
