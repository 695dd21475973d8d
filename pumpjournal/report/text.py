"""Plain text (a terminal or an email body, 80 columns at most) and Markdown (GitHub tables).

In Markdown everything the person typed is escaped, so a note such as ``**bold**`` or
``<script>`` shows as typed, never as formatting or HTML.
"""

from __future__ import annotations

import re
import textwrap

from .chart import text_chart
from .content import DAY_KEY, LEFT_OUT, PAIN_ROWS, TITLE, DayRow, Gap, Report, figure_lines, num

WIDTH = 78


def wrap(text: str, prefix: str = "", indent: str | None = None, width: int = WIDTH) -> list:
    lines = []
    hang = " " * len(prefix) if indent is None else indent
    for n, part in enumerate(str(text).splitlines() or [""]):
        lines += textwrap.wrap(part, width, initial_indent=prefix if n == 0 else hang,
                               subsequent_indent=hang, break_on_hyphens=False,
                               break_long_words=True) or [prefix if n == 0 else hang]
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
    for label, value in report.facts:
        out += wrap(value, f"{label + ':':<22}")
    if report.care_team:
        out += wrap(report.care_team, f"{'Care team:':<22}")

    out += heading(f"Warning signs ({len(report.episodes)})")
    if not report.episodes:
        out.append("No warning signs were logged in this period.")
    for ep in report.episodes:
        logged = f", {ep.days_logged} days logged" if ep.days_logged > 1 else ""
        out += wrap(f"{ep.symbol} {ep.urgency} {ep.span}{logged}: {ep.headline}")
        out += wrap("; ".join(ep.items), "    Logged: ", " " * 12)
        out += wrap(ep.advice, "    Advice: ", " " * 12)
        for day, note in ep.notes:
            out += wrap(note, f"    Note {day}: ", " " * 8)
        if ep.contacted:
            out += wrap("; ".join(ep.contacted), "    Contacted care team: ", " " * 8)
        out += wrap(f"{ep.rule} (sources {ep.sources})", "    Rule: ", " " * 10)

    out += heading("Pain chart (0 = no pain, 10 = worst imaginable)")
    out += text_chart(report)

    out += heading("Summary figures")
    period = report.data["period"]
    out.append(f"{period['days_logged']} of {period['days']} days logged.")
    if period["days_logged"]:
        table = pain_table(report)
        out.append(f"{table[0][0]:<16}{table[0][1]:>7}{table[0][2]:>8}{table[0][3]:>8}"
                   f"{table[0][4]:>6}")
        for row in table[1:]:
            out.append(f"  {row[0]:<14}{row[1]:>7}{row[2]:>8}{row[3]:>8}{row[4]:>6}")
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
        out += wrap(note, f"- {day}{' [warning sign]' if flagged else ''}: ", "    ")

    out += ["", "-" * WIDTH]
    out += wrap(report.not_advice)
    out += wrap(report.made)
    return "\n".join(line.rstrip() for line in out) + "\n"


def _txt_row(c: list[str]) -> str:
    return (f"{c[0]:<10}{c[1]:>4}{c[2]:>4}{c[3]:>4}{c[4]:>4}{c[5]:>6}{c[6]:>4}{c[7]:>4}"
            f"{c[8]:>5} {c[9]:<10} ")


TXT_HEAD = _txt_row(["Date", "Now", "Wst", "Lst", "Avg", "Temp", "Bol", "Slp", "Mood",
                     "Warning"]) + "Symptoms"


def day_table_txt(report: Report) -> list[str]:
    out = [TXT_HEAD, "-" * WIDTH]
    for row in report.rows:
        if isinstance(row, Gap):
            out.append(f"  ... {row.text}")
            continue
        head = _txt_row(row.cells)
        syms = ", ".join(row.symptoms)
        if len(head) > 57:  # several rules: the symptoms go on the next lines
            out.append(head.rstrip())
            head = ""
        out += wrap(syms, head, " " * 57)
    return out + wrap("Wst, Lst: worst, least. Slp: sleep. " + DAY_KEY)


# Markdown ---------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
_MD_LEADING = re.compile(r"^([-+=]|\d+(?=[.)]))")


def md(text) -> str:
    """Escape text the person typed for Markdown (CommonMark and GitHub): one paragraph, every
    character shown as typed. Lines are kept apart with hard line breaks."""
    lines = []
    for line in str(text).splitlines() or [""]:
        line = _MD_SPECIAL.sub(r"\\\1", line.strip())
        match = _MD_LEADING.match(line)
        if match:  # "- x", "+ x", "1. x", "===" would start a list or a heading
            end = match.end()
            line = (line[:end] + "\\" + line[end:]) if line[:1].isdigit() else "\\" + line
        lines.append(line)
    return "\\\n".join(lines)


def md_cell(text) -> str:
    """A table cell: one line, Markdown characters and the column bar escaped."""
    text = " ".join(str(text).split())
    return _MD_SPECIAL.sub(r"\\\1", text) if text else " "


def md_table(rows: list[list[str]], align: str) -> list[str]:
    sep = {"l": "---", "r": "---:", "c": ":---:"}
    out = ["| " + " | ".join(rows[0]) + " |",
           "|" + "|".join(sep[a] for a in align) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return out


def render_md(report: Report) -> str:
    out = [f"# {TITLE}", ""]
    for label, value in report.facts:
        out.append(f"- **{label}:** {md(value)}")
    if report.care_team:
        out.append(f"- **Care team:** {md(report.care_team)}")

    out += ["", f"## Warning signs ({len(report.episodes)})", ""]
    if not report.episodes:
        out.append("No warning signs were logged in this period.")
    for ep in report.episodes:
        logged = f", {ep.days_logged} days logged" if ep.days_logged > 1 else ""
        out += [f"### {md(ep.symbol)} {ep.urgency} {ep.span}{logged}: {ep.headline}", "",
                f"- **Logged:** {md('; '.join(ep.items))}",
                f"- **Advice:** {md(ep.advice)}"]
        for day, note in ep.notes:
            out.append(f"- **Note {day}:** {md(note)}".replace("\\\n", "\\\n  "))
        if ep.contacted:
            out.append(f"- **Contacted care team:** {md('; '.join(ep.contacted))}")
        out += [f"- **Rule:** {ep.rule} (sources {md(ep.sources)})", ""]

    out += ["", "## Pain chart", "",
            "Pain 0-10 (0 = no pain, 10 = the worst pain imaginable).", "", "```text"]
    out += text_chart(report)
    out += ["```", "", "## Summary figures", ""]
    period = report.data["period"]
    out.append(f"{period['days_logged']} of {period['days']} days logged.")
    if period["days_logged"]:
        out += [""] + md_table(pain_table(report), "lrrrr")
    out.append("")
    for label, text in figure_lines(report):
        if isinstance(text, list):
            out.append(f"- **{label}:**")
            out += [f"  - {md(item)}" for item in text]
        else:
            out.append(f"- **{label}:** {md(text)}")

    out += ["", "## Day by day", ""]
    head = ["Date", "Now", "Worst", "Least", "Avg", "Temp °C", "Bol.", "Sleep", "Mood",
            "Warning", "Symptoms"]
    rows = [head]
    for row in report.rows:
        if isinstance(row, Gap):
            rows.append([f"*{row.text}*"] + [" "] * (len(head) - 1))
        else:
            assert isinstance(row, DayRow)
            cells = [md_cell(c) for c in row.cells]
            if row.flagged:
                cells[0] = f"**{cells[0]}**"
            rows.append(cells + [md_cell(", ".join(row.symptoms))])
    out += md_table(rows, "lrrrrrrrrll")
    out += ["", f"*{md(DAY_KEY)}*"]

    out += ["", "## Questions for the visit", ""]
    if report.questions is None:
        out.append(md(LEFT_OUT))
    elif not report.questions:
        out.append("None noted.")
    for day, question in report.questions or []:
        out.append(f"- **{day}:** {md(question)}".replace("\\\n", "\\\n  "))

    out += ["", "## Notes", ""]
    if report.notes is None:
        out.append(md(LEFT_OUT))
    elif not report.notes:
        out.append("None written.")
    for day, note, flagged in report.notes or []:
        mark = " (warning sign that day)" if flagged else ""
        out.append(f"- **{day}**{mark}: {md(note)}".replace("\\\n", "\\\n  "))

    out += ["", "---", "", f"**{md(report.not_advice)}**", "", md(report.made), ""]
    return "\n".join(out)
