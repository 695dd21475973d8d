"""What every report format shares: the order of the sections, what each section says, and the
words and tables that the renderers draw.

``SECTIONS`` is the report, top to bottom: (id, title, builder). A builder turns a Report into
blocks (facts, a paragraph, a list, the episode table, the chart, the figures, the day table),
or None to leave its section out. The renderers (text.py for txt and md, html.py, pdf.py) walk
``sections(report)`` and only know how to draw a title and each kind of block, so every format
says the same things in the same order; a section is added or moved here, in one place.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

from .. import symptoms as cat
from ..words import OUTCOMES_TITLE, logging_words, num, outcome_lines, plural
from .content import TITLE, Advice, DayRow, Episode, Gap, Report

__all__ = ["SECTIONS", "sections", "num", "plural"]  # num, plural: for the renderers too

LEFT_OUT = "(left out: redacted)"
CHART_TITLE = "Pain chart (0 = no pain, 10 = the worst pain imaginable)"
PAIN_HEADS = ("Pain (0-10)", "mean", "median", "range", "days")
PAIN_ROWS = (("pain", "Pain now"), ("worst", "Worst (24 h)"), ("least", "Least (24 h)"),
             ("average", "Average (24 h)"))
DAY_HEADS = ("Date", "Now", "Worst", "Least", "Avg", "Temp °C", "Bol.", "Sleep", "Mood",
             "Warning", "Symptoms")
DAY_KEY = ("Now, Worst, Least, Avg: pain now and the worst, least and average pain over 24 "
           "hours, 0-10. Temp in °C. Bol.: boluses (doses given with the hand-held "
           "programmer). Sleep in hours. Mood 0-10. - = not logged. Days without an entry "
           "are shown as such, never as 0.")
SEVERAL_KEY = (" Now on a day of several readings: their mean, with its readings (time and "
               "pain now) listed under it.")
EPISODE_HEADS = ("When", "Level", "What was logged", "Rule")
FLAGGED_DAY = " (warning sign that day)"


# The blocks a section is made of -----------------------------------------------------------

class Facts(NamedTuple):
    """Labelled values: ``Period: 2026-09-15 to 2026-10-20 (...)``."""
    pairs: list[tuple[str, str]]


class Para(NamedTuple):
    """A paragraph. ``kind``: "" plain; "lead" the section's headline; "none" there is
    nothing to list; "advice" the not-medical-advice line; "small" a footnote."""
    text: str
    kind: str = ""


class Item(NamedTuple):
    """One list item: ``label`` (a date, in bold where the format has bold), ``mark`` right
    after it, then the text (typed by the person, for questions and notes)."""
    label: str
    text: str
    mark: str = ""


class Items(NamedTuple):
    items: list[Item]


class Episodes(NamedTuple):
    """The warning-sign episodes as a table, then what the sources advise."""
    episodes: list[Episode]
    advice: list[Advice]


class Chart(NamedTuple):
    report: Report


class Figures(NamedTuple):
    """Days logged, the pain table, the weekly means and ``figure_lines``."""
    report: Report


class Days(NamedTuple):
    """The day-by-day table: DayRow and Gap, oldest first, and its key."""
    rows: list[DayRow | Gap]

    @property
    def key(self) -> str:
        """DAY_KEY, then the Warning column's levels and each rule code in it in words."""
        codes = list(dict.fromkeys(r for row in self.rows if isinstance(row, DayRow)
                                   for r in row.rules))
        key = DAY_KEY + (SEVERAL_KEY if any(isinstance(row, DayRow) and row.readings
                                            for row in self.rows) else "")
        if not codes:
            return key
        named = "; ".join(f"{c}: {cat.RULE_NAMES.get(c, c)}" for c in codes)
        return (key + " Warning: the day's highest level ([!!] EMERGENCY, [!] URGENT, "
                "[i] ROUTINE) and its rules (" + named + ").")


# The sections, in the order clinicians read them -------------------------------------------

def facts(report: Report) -> list[tuple[str, str]]:
    """Who, which period, the pump and the care team."""
    return list(report.facts) + ([("Care team", report.care_team)] if report.care_team else [])


def listed(values: list | None, none: str, item: Callable) -> list:
    """A list the person wrote: None means left out (redacted), [] means none was written."""
    if values is None:
        return [Para(LEFT_OUT, "none")]
    if not values:
        return [Para(none, "none")]
    return [Items([item(value) for value in values])]


def _warnings(report: Report) -> list:
    if not report.episodes:
        return [Para(report.overview, "none")]
    return [Para(report.overview, "lead"), Episodes(report.episodes, report.advice)]


def _outcomes(report: Report) -> list | None:
    """Did it help? The trial, dose changes, months and impression, as the summary says
    them; left out when there is nothing to show."""
    found = outcome_lines(report.data.get("outcomes"))
    if not found:
        return None
    blocks, items = [Para(found[0], "lead")], []
    for line in found[1:]:
        if line.startswith("  "):
            items.append(Item("", line.strip()))
            continue
        if items:
            blocks.append(Items(items))
            items = []
        blocks.append(Para(line))
    if items:
        blocks.append(Items(items))
    return blocks


def _coming_up(report: Report) -> list | None:
    return [Items([Item("", line) for line in report.coming_up])] if report.coming_up else None


class Section(NamedTuple):
    id: str
    title: str  # "{count}": the warning-sign episodes in the period; "": no title (the end)
    blocks: Callable[[Report], list | None]


SECTIONS = [
    Section("head", TITLE, lambda r: [Facts(facts(r))]),
    Section("warnings", "Warning signs ({count})", _warnings),
    Section("outcomes", OUTCOMES_TITLE, _outcomes),
    Section("coming-up", "Coming up", _coming_up),
    Section("chart", CHART_TITLE, lambda r: [Chart(r)]),
    Section("figures", "Summary figures", lambda r: [Figures(r)]),
    Section("days", "Day by day", lambda r: [Days(r.rows)]),
    Section("questions", "Questions for the visit",
            lambda r: listed(r.questions, "None noted.", lambda q: Item(q[0], q[1]))),
    Section("notes", "Notes", lambda r: listed(
        r.notes, "None written.", lambda n: Item(n[0], n[1], FLAGGED_DAY if n[2] else ""))),
    Section("end", "", lambda r: [Para(r.not_advice, "advice"), Para(r.made, "small")]),
]


def sections(report: Report) -> list[tuple[str, str, list]]:
    """(id, title, blocks) of the sections this report shows, in order; the first is the
    report's own title."""
    out = []
    for section in SECTIONS:
        blocks = section.blocks(report)
        if blocks is not None:
            out.append((section.id, section.title.format(count=report.count), blocks))
    return out


# What the blocks hold, worded once for every format -----------------------------------------

def signed(value: float) -> str:
    return ("+" if value > 0 else "") + num(float(value))


def pain_rows(report: Report) -> list[tuple[str, str, dict]]:
    """(key, word, figures) of the pain scores logged at all, in the order of PAIN_ROWS."""
    return [(key, word, report.data["pain"][key]) for key, word in PAIN_ROWS
            if report.data["pain"][key]]


def days_logged(report: Report) -> str:
    """``28 of 30 days logged; 25 on the day, 3 filled in later.`` (``words.logging_words``)."""
    return logging_words(report.data["logging"])


def readings_line(row: DayRow) -> str:
    """The line under a day of several readings: ``Readings: 08:00 3 · 20:00 5 (mean 4)``."""
    return f"Readings: {row.readings} (mean {row.cells[1]})"


def episode_details(ep: Episode) -> list[str]:
    """The lines of an episode's "What was logged" cell: the signs, the notes of those days
    and whether the person contacted the care team."""
    lines = ["; ".join(ep.items)]
    if ep.advice:
        lines.append(f"Advice: {ep.advice}")
    lines += [f"Note {day}: {note}" for day, note in ep.notes]
    if ep.contacted:
        lines.append("Contacted the care team: " + "; ".join(ep.contacted))
    return lines


def weekly_rows(report: Report, groups: int) -> tuple[list[str], list[list[str]]]:
    """Weekly means of pain now as a table of ``groups`` side-by-side (week, mean, days)."""
    weeks = [(w["start"], num(w["pain_mean"]), str(w["days_logged"]))
             for w in report.data["weeks"]]
    groups = max(1, min(groups, len(weeks) // 3))  # at least three rows
    per = -(-len(weeks) // groups)
    heads = ["Week from", "Mean", "Days"] * groups
    rows = []
    for r in range(per):
        row = []
        for g in range(groups):
            n = g * per + r
            row += list(weeks[n]) if n < len(weeks) else ["", "", ""]
        rows.append(row)
    return heads, rows


def figure_lines(report: Report) -> list[tuple[str, str | list[str]]]:
    """The figures besides the pain table and the weekly means, for every format: (heading,
    text) pairs, where a list of texts is shown as a list."""
    data = report.data
    out: list[tuple[str, str | list[str]]] = []
    trend = data["trend"]
    if trend["change"] is not None:
        first, second = trend["first_half"], trend["second_half"]
        out.append(("Trend of pain now",
                    f"first half ({first['from']} to {first['to']}) mean "
                    f"{num(first['pain_mean'])} over {plural(first['days_logged'], 'day')} "
                    f"logged; second half ({second['from']} to {second['to']}) mean "
                    f"{num(second['pain_mean'])} over {plural(second['days_logged'], 'day')} "
                    "logged; "
                    f"change {signed(trend['change'])}"))
    if data["boluses"]:
        b = data["boluses"]
        out.append(("Boluses", f"{b['total']} on {plural(b['days_logged'], 'day')} logged "
                               f"(mean {num(b['mean_per_day'])} a day)"))
    for key, word, unit in (("sleep_hours", "Sleep", " h"), ("mood", "Mood (0-10)", "")):
        st = data[key]
        if st:
            out.append((word, f"mean {num(st['mean'])}{unit}, median {num(st['median'])}, "
                              f"range {num(st['min'])}-{num(st['max'])}, "
                              f"{plural(st['n'], 'day')}"))
    if data["symptoms"]:
        out.append(("Symptoms (days logged)",
                    [f"{plural(s['days'], 'day')}: {s['label']} ({s['id']})"
                     for s in data["symptoms"]]))
    if data["contacted_care_team"]:
        out.append(("Contacted the care team",
                    [f"{c['date']}: {'yes' if c['contacted'] else 'no'}"
                     for c in data["contacted_care_team"]]))
    if report.events:
        out.append(("Pump events and visits", list(report.events)))
    return out
