"""What a report says, worked out once for every format: plain values, no markup.

The renderers (text.py for txt and md, html.py, pdf.py) only lay these values out; escaping
what the person typed is their job, since it differs by format.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from .. import symptoms as cat
from ..model import DEFAULT_PATIENT, Entry
from ..symptoms import NOT_ADVICE, Urgency
from ..words import (MISSING, care_team_line, due_text, event_text, num, plural,
                     readings_text, several_readings, span_text)

TITLE = "Pain pump recovery report"
ADVICE_HEADING = "What the sources advise the patient to do"
TO_PATIENT = "Source advice to the patient: "  # the advice speaks to the patient, not the reader


@dataclass
class Episode:
    symbol: str
    urgency: str
    span: str
    days_logged: int
    items: list[str]
    rule: str
    notes: list[tuple[str, str]] = field(default_factory=list)  # typed by the person
    contacted: list[str] = field(default_factory=list)
    advice: str = ""  # only when the rule words its advice for each episode
    rules: list[str] = field(default_factory=list)  # every rule of this finding, rule first
    before: bool = False  # ended in the 30 days before a period that starts at a visit
    outside: str = ""  # the days logged outside the period, in words

    @property
    def when(self) -> str:
        if self.before:
            more = f" ({plural(self.days_logged, 'day')} logged)" if self.days_logged > 1 else ""
            return self.span + more + ", before this period"
        if self.outside:
            return f"{self.span} ({plural(self.days_logged, 'day')} logged in this period; " \
                   f"{self.outside})"
        more = f" ({plural(self.days_logged, 'day')} logged)" if self.days_logged > 1 else ""
        return self.span + more

    @property
    def rule_text(self) -> str:
        return ", ".join(self.rules or [self.rule])

    @property
    def level(self) -> str:
        return f"{self.symbol} {self.urgency}"


@dataclass
class Advice:
    symbol: str
    urgency: str
    rule: str
    text: str
    sources: str

    @property
    def head(self) -> str:
        return f"{self.symbol} {self.rule} ({self.urgency}; sources {self.sources})"


@dataclass
class DayRow:
    date: str
    cells: list[str]  # as DAY_HEADS without Symptoms
    symptoms: list[str]
    flagged: bool
    urgency: str = ""  # the day's highest warning-sign level (ROUTINE and above), else ""
    rules: list[str] = field(default_factory=list)
    readings: str = ""  # a day of several scored readings: "08:00 3 · 13:30 5 · 20:00 4"


@dataclass
class Gap:
    first: str
    last: str
    days: int

    @property
    def text(self) -> str:
        span = span_text(self.first, self.last)
        return f"no entry for {plural(self.days, 'day')} ({span})"


@dataclass
class Report:
    """One report's content; ``data`` is the summary figures (as ``pumpjournal summary --json``
    prints them; redacted: no id, notes or questions)."""

    who: str
    label: str
    since: date
    until: date
    today: date
    data: dict
    facts: list[tuple[str, str]]
    care_team: str | None
    episodes: list[Episode]
    advice: list[Advice]
    rows: list  # DayRow and Gap, oldest first
    questions: list[tuple[str, str]] | None  # None when redacted
    notes: list[tuple[str, str, bool]] | None  # (date, note, on a flagged day); None: redacted
    events: list[str]
    chart_events: list[tuple[date, str]]  # (day, kind)
    chart_flags: list[tuple[date, date]]
    coming_up: list[str] = field(default_factory=list)  # next visit, refill due, planned MRIs
    chart_spans: list[tuple[date, date, str]] = field(default_factory=list)  # baseline, trial

    @property
    def count(self) -> int:
        """Warning-sign episodes in the period (those before it are listed, not counted)."""
        return sum(not ep.before for ep in self.episodes)

    @property
    def title(self) -> str:
        return f"{TITLE}: {self.who}, {self.since.isoformat()} to {self.until.isoformat()}"

    @property
    def overview(self) -> str:
        before = len(self.episodes) - self.count
        earlier = (f" {plural(before, 'more episode')} ended in the 30 days before this "
                   "period; listed last, marked \"before this period\"." if before else "")
        if not self.count:
            return "No warning signs were logged in this period." + earlier
        counts = Counter(ep.urgency for ep in self.episodes if not ep.before)
        levels = ", ".join(f"{counts[u.name]} {u.name}" for u in sorted(Urgency, reverse=True)
                           if counts[u.name])
        return (f"{plural(self.count, 'warning-sign episode')} ({levels}), oldest first."
                + earlier + " What the sources advise the patient to do follows the list.")

    @property
    def made(self) -> str:
        return (f"Made on {self.today.isoformat()} by pumpjournal from the person's own journal "
                "entries. Days without an entry are missing, never counted as pain 0; every "
                "mean is over the days logged.")

    @property
    def not_advice(self) -> str:
        return self.data.get("not_advice") or NOT_ADVICE

def item_label(item: str, entries: list[Entry]) -> str:
    if item in cat.BY_ID:
        return cat.BY_ID[item].label
    temps = [e.temperature_c for e in entries if e.temperature_c is not None]
    if item == cat.TEMPERATURE:
        top = f" (highest {max(temps):.1f} °C)" if temps else ""
        return f"Temperature at or above the fever line{top}"
    if item == cat.LOW_TEMPERATURE:
        low = f" (lowest {min(temps):.1f} °C)" if temps else ""
        return f"Temperature below the low line{low}"
    if item == "average-pain":
        return ("Average pain up by 30% or more since the last visit (from a mean below 1: "
                "by 2 points or more)")
    return item[0].upper() + item[1:]


def profile_facts(profile: dict) -> list[tuple[str, str]]:
    facts = []
    if profile.get("pump_make"):
        facts.append(("Pump", str(profile["pump_make"])))
    if profile.get("drugs"):
        facts.append(("Medicine in the pump", ", ".join(map(str, profile["drugs"]))))
    if profile.get("implant_date"):
        facts.append(("Implanted", str(profile["implant_date"])))
    if profile.get("trial_start"):
        trial = str(profile["trial_start"])
        if profile.get("trial_end"):
            trial += f" to {profile['trial_end']}"
        facts.append(("Trial", trial))
    return facts


def redact_data(data: dict, label: str) -> dict:
    """The figures with the person's id, free-text notes, questions and phone numbers taken
    out."""
    out = dict(data)
    out["patient"] = label
    out["episodes"] = [{**ep, "patient": label} for ep in data["episodes"]]
    out["before_period"] = [{**ep, "patient": label} for ep in data.get("before_period", [])]
    out["events"] = [{**ev, "patient": label,
                      "details": {k: v for k, v in (ev.get("details") or {}).items()
                                  if k != "note"}} for ev in data["events"]]
    if data.get("outcomes"):  # a refill's detail is its free-text note
        out["outcomes"] = {**data["outcomes"], "dose_changes": [
            {**dc, "detail": dc["detail"] if dc["kind"] == "dose-change" else None}
            for dc in data["outcomes"]["dose_changes"]]}
    out["flagged_notes"] = []
    out["questions"] = []
    out["not_advice"] = NOT_ADVICE  # the profile's emergency number is a phone number too
    return out


def day_rows(entries: list[Entry], since: date, until: date,
             flags: dict[str, tuple[Urgency, list[str]]]) -> list:
    """The day table's rows, oldest first, with a Gap for each run of days without an entry.
    A day of several scored readings shows their mean under Now, and its readings."""
    rows: list = []
    expected = since
    for entry in entries:
        if entry.day > expected:
            rows.append(Gap(expected.isoformat(), (entry.day - timedelta(days=1)).isoformat(),
                            (entry.day - expected).days))
        temp = MISSING if entry.temperature_c is None else f"{entry.temperature_c:.1f}"
        sleep = MISSING if entry.sleep is None else f"{entry.sleep:g}"
        level, rules = flags.get(entry.date, (None, []))
        flag = f"{level.symbol} {level.name} {', '.join(rules)}" if level else ""
        readings = [{"time": r.time, "pain": r.pain} for r in entry.readings]
        several = several_readings({"readings": readings})
        now = f"{entry.pain_mean:.1f}".removesuffix(".0") if several else num(entry.pain)
        cells = [entry.date, now, num(entry.worst), num(entry.least),
                 num(entry.average), temp, num(entry.boluses), sleep, num(entry.mood), flag]
        rows.append(DayRow(entry.date, cells, list(entry.symptoms), bool(flag),
                           level.name if level else "", list(rules),
                           readings_text(readings) if several else ""))
        expected = entry.day + timedelta(days=1)
    if expected <= until:
        rows.append(Gap(expected.isoformat(), until.isoformat(), (until - expected).days + 1))
    return rows


def current_dose(doses: list, until: date) -> str | None:
    """The latest dose change on or before the period's end: "morphine 0.5 mg/day since
    2026-11-30"."""
    made = [e for e in doses if e.kind == "dose-change" and e.day <= until]
    if not made:
        return None
    last = max(made, key=lambda e: e.date)
    what = " ".join(str(last.details[k]) for k in ("drug", "dose", "unit") if last.details.get(k))
    return f"{what} since {last.date}"


def make(data: dict, entries: list[Entry], profile: dict, patient: str, today: date,
         redact: bool, redacted_label: str, doses: list = (), several: bool = False) -> Report:
    """The report's content. The person's id is shown beside the name only when it tells
    something: not the default id, or a journal that holds several people."""
    since = date.fromisoformat(data["period"]["since"])
    until = date.fromisoformat(data["period"]["until"])
    entries = sorted(entries, key=lambda e: e.date)
    name = profile.get("name") or profile.get("initials")
    if redact:
        who = label = redacted_label
        data = redact_data(data, redacted_label)
    else:
        show_id = several or patient != DEFAULT_PATIENT
        who = (f"{name} ({patient})" if show_id else str(name)) if name else patient
        label = patient
        data = {**data, "patient": patient}  # as summary --json prints it
    period = data["period"]
    visit = period.get("starts_at_visit")
    facts = [("Person", who + (" (name, initials, pump make, notes and questions left out)"
                               if redact else "")),
             ("Period", f"{period['since']} to {period['until']} "
                        f"({plural(period['days'], 'day')}; "
                        f"{plural(period['days_logged'], 'day')} logged)"
                        + (f", since the last visit on {visit}" if visit else ""))]
    # the pump make is free text (it may hold a serial number): a redacted report leaves it out
    facts += profile_facts({k: v for k, v in profile.items() if k != "pump_make"} if redact
                           else profile)
    dose = current_dose(list(doses), until)
    if dose:
        facts.append(("Current dose", dose))
    if data["next_refill"]:
        when = due_text(date.fromisoformat(data["next_refill"]), today)
        facts.append(("Next refill due", f"{data['next_refill']} ({when})"))
    facts.append(("Report made", today.isoformat()))

    by_date = {e.date: e for e in entries}
    contacted = {c["date"]: c["contacted"] for c in data["contacted_care_team"]}
    episodes, advice, flags, chart_flags = [], {}, {}, []
    noted: set[str] = set()  # a day's note goes with the first episode on that day only
    listed = data["episodes"] + data.get("before_period", [])
    for ep in listed:
        logged = [e for d, e in by_date.items() if ep["first"] <= d <= ep["last"]]
        notes = [] if redact else [(e.date, e.note) for e in logged
                                   if e.note and e.date not in noted]
        noted.update(day for day, _ in notes)
        level = Urgency[ep["urgency"]]
        outside = [f"{plural(ep[key], 'day')} {word} it" for key, word in (
            ("days_before_period", "before"), ("days_after_period", "after"))
            if ep.get(key) and not ep.get("before_period")]
        episodes.append(Episode(
            ep["symbol"], ep["urgency"], span_text(ep["first"], ep["last"]),
            ep["days_logged"] if ep.get("before_period") or not outside
            else ep["days_in_period"],
            [item_label(i, logged) for i in ep["items"]], ep["rule"],
            notes,
            [f"{d}: {'yes' if contacted[d] else 'no'}" for d in sorted(contacted)
             if ep["first"] <= d <= ep["last"]],
            rules=list(ep.get("rules") or [ep["rule"]]), before=bool(ep.get("before_period")),
            outside=" and ".join(outside)))
        for part in ep.get("advice_by_rule") or [ep]:
            advice.setdefault((part["rule"], part["urgency"]), []).append(part["advice"])
        if ep.get("before_period"):
            continue
        levels = {part["rule"]: Urgency[part["urgency"]]
                  for part in ep.get("advice_by_rule") or [ep]}
        for entry in logged:  # a day names the rules that fired on it, at their level
            fired = ep.get("rules_by_day", {}).get(entry.date) or [ep["rule"]]
            top, rules = flags.get(entry.date, (Urgency.EXPECTED, []))
            flags[entry.date] = (max([top] + [levels.get(r, level) for r in fired]),
                                 list(dict.fromkeys(rules + fired)))
        chart_flags.append((max(since, date.fromisoformat(ep["first"])),
                            min(until, date.fromisoformat(ep["last"]))))
    advice_list = []
    for (rule, urgency), texts in advice.items():
        if len(set(texts)) > 1:  # worded for each episode (a date, a rise in %): show it there
            for ep, raw in zip(episodes, listed):
                if (raw["rule"], raw["urgency"]) == (rule, urgency):
                    ep.advice = TO_PATIENT + raw["advice"]
            text = "as worded for each episode above."
        else:
            text = TO_PATIENT + texts[0]
        level = Urgency[urgency]
        advice_list.append(Advice(level.symbol, urgency, rule, text,
                                  ", ".join(cat.RULES[rule].sources)))
    advice_list.sort(key=lambda a: (-Urgency[a.urgency], a.rule))

    return Report(
        who=who, label=label, since=since, until=until, today=today,
        data=data, facts=facts, care_team=None if redact else care_team_line(profile),
        episodes=episodes, advice=advice_list,
        rows=day_rows(entries, since, until, flags),
        questions=None if redact else [(q["date"], q["question"]) for q in data["questions"]],
        notes=None if redact else [(e.date, e.note, e.date in flags) for e in entries
                                   if e.note],
        events=[event_text(ev, gap=" ") for ev in data["events"]],
        chart_events=chart_events(data, profile, since, until),
        chart_flags=chart_flags, coming_up=coming_up_lines(data, today),
        chart_spans=chart_spans(data, since, until))


def chart_spans(data: dict, since: date, until: date) -> list[tuple[date, date, str]]:
    """The trial's baseline weeks and the trial itself, as (first, last, "baseline" or
    "trial") within the period, for the chart to shade."""
    trial = (data.get("outcomes") or {}).get("trial")
    if not trial:
        return []
    spans = []
    for key in ("baseline", "trial"):
        first = max(since, date.fromisoformat(trial[key]["since"]))
        last = min(until, date.fromisoformat(trial[key]["until"]))
        if first <= last:
            spans.append((first, last, key))
    return spans


def chart_events(data: dict, profile: dict, since: date, until: date) -> list[tuple[date, str]]:
    """The events to mark on the chart; an implant date recorded only in the profile counts
    as the implant it stands for."""
    marks = [(date.fromisoformat(ev["date"]), ev["kind"]) for ev in data["events"]]
    implant = profile.get("implant_date")
    if implant and since.isoformat() <= implant <= until.isoformat() and not any(
            kind == "implant" for _, kind in marks):
        marks = sorted(marks + [(date.fromisoformat(implant), "implant")])
    return marks


def coming_up_lines(data: dict, today: date) -> list[str]:
    """What is coming up after the report: the next visit, the next refill due and planned
    MRIs with the advice for them (W-MRI)."""
    soon = data.get("coming_up") or {}

    def when(day: str) -> str:
        return due_text(date.fromisoformat(day), today)

    lines = []
    if soon.get("next_visit"):
        lines.append(f"Next visit: {soon['next_visit']} ({when(soon['next_visit'])})")
    if soon.get("next_refill"):
        lines.append(f"Next refill due: {soon['next_refill']} ({when(soon['next_refill'])})")
    for mri in soon.get("mri", []):
        lines.append(f"{mri['symbol']} {mri['urgency']}: MRI planned {mri['date']} "
                     f"({when(mri['date'])}). {mri['advice']}")
    return lines
