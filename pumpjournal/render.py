"""Words for the terminal: entries, changes and warning-sign panels as plain text.

Meaning never rides on colour: every warning sign carries its symbol and its urgency in words.
The CLI boxes the flag text with Rich; everything here is plain strings, so it reads the same
piped, in a file or with NO_COLOR.
"""

from __future__ import annotations

from datetime import date

from . import symptoms as cat
from . import words
from .escape import escape
from .model import FIELD_WORDS, Entry, temperature_read_as
from .symptoms import NOT_ADVICE, Flag, Urgency
from .words import due_text, event_text, in_days, plural


def fahrenheit(celsius: float) -> float:
    return celsius * 9 / 5 + 32


def temperature_text(celsius: float) -> str:
    return f"{celsius:.1f} °C ({fahrenheit(celsius):.1f} °F)"


def scores_text(entry: Entry) -> str:
    parts = [f"pain {entry.pain}"]
    extra = [f"{word} {value}" for word, value in (("worst", entry.worst),
             ("least", entry.least), ("average", entry.average)) if value is not None]
    if extra:
        parts.append("(" + ", ".join(extra) + ")")
    return " ".join(parts)


def value_text(key: str, value) -> str:
    if value is None or value == []:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return escape(", ".join(value) if key in ("symptoms", "worse") else " | ".join(value))
    return escape(value)


def changes_text(changes: list[tuple[str, object, object]]) -> list[str]:
    return [f"  {FIELD_WORDS[key]}: {value_text(key, old)} -> {value_text(key, new)}"
            for key, old, new in changes]


def day_phrase(day: date, ctx: cat.Context) -> str:
    if ctx.day0 is None or day < ctx.day0:
        return ""
    return f" (day {(day - ctx.day0).days} after your {ctx.day0_kind})"


def item_text(item: str, temperature_c: float | None, ctx: cat.Context) -> str:
    if item == cat.TEMPERATURE:
        return (f"temperature {temperature_text(temperature_c)}; your fever line is "
                f"{ctx.fever_c:.1f} °C")
    if item == cat.LOW_TEMPERATURE:
        return (f"temperature {temperature_text(temperature_c)}; below the low line of "
                f"{ctx.low_c:.1f} °C your care team set")
    return cat.label(item)


def care_team_text(profile: dict) -> str:
    if not profile.get("care_phone") and not profile.get("after_hours_phone"):
        return ("Care team: use the number your clinic gave you "
                "(add it with `pumpjournal profile --care-phone NUMBER`).")
    return escape(f"Care team: {words.care_team_line(profile)}")


def headline(level: Urgency, profile: dict) -> str:
    text = f"{level.symbol} {level.name}: {level.headline}"
    if level is Urgency.EMERGENCY:
        text += f" ({escape(cat.emergency_number(profile))})"
    return text


def expected_line(flags: list[Flag], day: date | None, ctx: cat.Context,
                  saved: bool = True) -> str:
    """The one line for signs expected after surgery; ``saved`` False: they were typed for an
    entry that was not saved (``day`` None: its date was not understood)."""
    items = ", ".join(cat.label(i) for f in flags for i in f.items)
    days = f" (day {(day - ctx.day0).days})" if day and ctx.day0 and day >= ctx.day0 else ""
    said = "Recorded" if saved else "Typed, not saved"
    return f"[-] {said}: {items}{days}, expected for a few days."


def logged_line(day: date | None, ctx: cat.Context, saved: bool = True,
                time: str | None = None) -> str:
    """What the panel is about: the day logged (``time``: the reading, on a day of several),
    or the signs typed for an entry that was not saved (never "you logged" then; ``day``
    None when its date was not understood)."""
    if saved:
        at = f" at {time}" if time and time[0].isdigit() else (
            ", the reading without a time," if time else "")
        return f"You logged on {day.isoformat()}{at}{day_phrase(day, ctx)}:"
    return (f"You typed for {day.isoformat()}{day_phrase(day, ctx)} (not saved):" if day
            else "You typed (not saved):")


PANEL_LINES = 20  # an URGENT or EMERGENCY panel longer than this repeats its headline last


ON_CALL = "After hours, use the on-call number."


def advice_text(text: str, profile: dict) -> str:
    """A rule's advice for this person: the on-call number only where the profile has one."""
    if ON_CALL not in text:
        return text
    after = profile.get("after_hours_phone")
    said = (f"After hours, use the on-call number ({escape(after)})." if after else
            "Ask your clinic for its after-hours number.")
    return text.replace(ON_CALL, said)


def action_text(flags: list[Flag], profile: dict) -> str:
    """The panel's one thing to do: the advice of its most urgent rule (a measured temperature
    gives way to the rule that names the sign), with the emergency number where it says call."""
    top = cat.top_urgency(flags)
    first = [f for f in flags if f.urgency == top]
    chosen = next((f for f in first if f.rule != "W-TEMP"), first[0])
    return urgent_text(chosen.advice, top, profile)


def urgent_text(advice: str, level: Urgency, profile: dict) -> str:
    """A rule's advice for this person, with the emergency number where an EMERGENCY says
    call."""
    text = advice_text(advice, profile)
    if level is Urgency.EMERGENCY:
        text = text.replace("Call emergency services now", "Call emergency services now "
                            f"({escape(cat.emergency_number(profile))})", 1)
    return text


def panel_lines(flags: list[Flag], day: date | None, temperature_c: float | None,
                ctx: cat.Context, profile: dict, width: int = 76, notes: tuple[str, ...] = (),
                complete: bool = True, saved: bool = True, time: str | None = None
                ) -> list[str]:
    """A warning panel (ROUTINE and above), worded as the catalogue's section 4 shows: the
    headline, what was logged, the one thing to do, why (naming the signs), the care team, the
    rules and the not-medical-advice line. An URGENT or EMERGENCY panel longer than
    PANEL_LINES (with its frame) ends with its headline again, so it is on screen at the end."""
    top = cat.top_urgency(flags)
    head = headline(top, profile)
    rows = [("", logged_line(day, ctx, saved, time))]
    for item, level in cat.item_urgencies(flags).items():
        mark = "-" if level == top else level.symbol
        rows.append((f"  {mark} ", item_text(item, temperature_c, ctx)))
    rows.append(("What to do: ", action_text(flags, profile)))
    for n, (items, why) in enumerate(cat.why_groups(flags)):
        names = ", ".join(cat.short_name(i) for i in items)
        rows.append(("Why: " if n == 0 else "     ", f"{sentence(names)}: {why}"))
    rows.append(("", care_team_text(profile)))
    if complete and not ctx.drugs_known:
        rows.append(("", "Add your pump's medicine (`pumpjournal profile --drug NAME`) so its "
                         "own warning signs are watched too."))
    if complete and ctx.day0 is None and any(f.rule == "W-SORE" for f in flags):
        rows.append(("", "Record your implant date with `pumpjournal profile --implant-date "
                         "DATE`: soreness in the first week after surgery is then recorded as "
                         "expected."))
    rows += [("", note) for note in notes]
    rules = [f"{f.rule} · {', '.join(f.sources)}" for f in flags]
    rows.append(("Rule " if len(rules) == 1 else "Rules: ", "; ".join(rules)))
    rows.append(("", cat.not_advice(profile)))
    lines = wrap([("", head)], width) + wrap(rows, width, hang=12)
    if top >= Urgency.URGENT and len(lines) + 2 > PANEL_LINES:
        lines += wrap([("", head)], width)
    return lines


def question_headline(flags: list[Flag], profile: dict) -> str | None:
    """The headline repeated above each question after an URGENT or EMERGENCY panel."""
    top = cat.top_urgency(flags)
    return headline(top, profile) if top is not None and top >= Urgency.URGENT else None


def contacted_reply(flags: list[Flag], profile: dict, answer: bool) -> str:
    """What follows the answer to "Have you contacted your care team?": never weaker advice
    than the panel's own, and never a request to call after a ROUTINE panel."""
    top = cat.top_urgency(flags)
    text = "Saved for your visit summary."
    if top is Urgency.EMERGENCY:
        number = cat.emergency_number(profile)
        return text + (f" If you have not called emergency services yet, call now ({number})."
                       if answer else " " + action_text(flags, profile))
    if answer:
        return text
    if top is Urgency.URGENT:
        phones = care_team_text(profile)
        return f"{text} {action_text(flags, profile)} {phones}"
    return f"{text} Mention it at your next visit."


def wrap(rows: list[tuple[str, str]], width: int, hang: int = 6) -> list[str]:
    """Lines of ``prefix + text`` wrapped to ``width`` with a hanging indent (at most
    ``hang`` columns)."""
    return [line for prefix, text in rows
            for line in words.wrap(text, width, prefix, " " * min(len(prefix), hang))]


def day_scores_text(entry: Entry) -> str:
    """A day's scores for the lists: as ``scores_text``; a day of several readings gives the
    mean of its scored readings and how many: ``pain 4 (mean of 3 readings; worst 6)``, or,
    with one score among them, ``pain 4 (2 readings)``."""
    if len(entry.readings) < 2:
        return scores_text(entry)
    scored = sum(r.pain is not None for r in entry.readings)
    extra = [f"{word} {value}" for word, value in (("worst", entry.worst),
             ("least", entry.least), ("average", entry.average)) if value is not None]
    if scored < 2:  # one pain score among several readings: no mean to speak of
        inside = plural(len(entry.readings), "reading")
        value = entry.pain
    else:
        inside, value = f"mean of {plural(scored, 'reading')}", words.num(entry.pain_mean)
    return f"pain {value} ({inside}" + (f"; {', '.join(extra)}" if extra else "") + ")"


def stamp_text(logged: str | None, changed: str | None, day: str | None = None) -> str:
    """``logged 2026-12-05T20:31:07-06:00, last changed ...``; with ``day``, a stamp dated after
    it says so: ``(filled in 1 day later)``."""
    if not logged:
        text = "logged at a time not recorded"
    else:
        text = f"logged {logged}"
        if day and logged[:10] > day:
            try:
                late = (date.fromisoformat(logged[:10]) - date.fromisoformat(day)).days
                text += f" (filled in {plural(late, 'day')} later)"
            except ValueError:
                pass
    if changed and changed != logged:
        text += f", last changed {changed}"
    return escape(text)


def reading_line(reading, before: set[str]) -> str:
    """One reading of a day of several, for `list`: its time, pain now, the signs it added to
    the day (``before``: those of the day's earlier readings), temperature, boluses and the
    start of its note."""
    parts = [reading.label]
    if reading.pain is not None:
        parts.append(f"pain {reading.pain}")
    new = [s for s in reading.symptoms if s not in before]
    if new:
        word = "new" if before else "symptoms"
        parts.append(f"{word}: " + escape(", ".join(cat.item_name(s) for s in new)))
    if reading.temperature_c is not None:
        parts.append(temperature_text(reading.temperature_c))
    if reading.boluses is not None:
        parts.append(f"boluses {reading.boluses}")
    if reading.note:
        parts.append("note: " + escape(words.clip((reading.note.splitlines() or [""])[0], 50)))
    return "  ".join(parts)


def reading_lines(entry: Entry, full: bool, pad: str) -> list[str]:
    """The readings of a day of several: one line each in `list`; in `show` each with all it
    holds and its own logged and changed stamps."""
    lines, before = [], set()
    for r in entry.readings:
        if not full:
            lines.append(pad + reading_line(r, before))
            before.update(r.symptoms)
            continue
        head = [f"pain {r.pain}"] if r.pain is not None else ["no pain score"]
        if r.temperature_c is not None:
            head.append(temperature_text(r.temperature_c))
        lines.append(f"{pad}reading {r.label}: {', '.join(head)}")
        inner = pad * 2
        if r.symptoms:
            lines.append(f"{inner}symptoms: "
                         f"{escape(', '.join(cat.item_name(s) for s in r.symptoms))}")
        if r.worse:
            lines.append(f"{inner}worse than usual: "
                         f"{escape(', '.join(cat.item_name(s) for s in r.worse))}")
        if r.temperature:
            site = f", {r.temperature_site}" if r.temperature_site else ""
            read_as = temperature_read_as(r.temperature)
            typed = r.temperature + (f" (read as {read_as})" if read_as else "")
            lines.append(f"{inner}temperature as entered: {escape(typed + site)}")
        if r.boluses is not None:
            lines.append(f"{inner}boluses {r.boluses}")
        if r.note:
            lines.append(f"{inner}note: {escape(r.note, lines=True)}")
        if r.contacted is not None:
            lines.append(f"{inner}contacted the care team: {'yes' if r.contacted else 'no'}")
        lines.append(inner + stamp_text(r.logged_at, r.updated_at, entry.date))
    return lines


def entry_lines(entry: Entry, flags: list[Flag], *, full: bool = False,
                with_patient: bool = False) -> list[str]:
    """One entry: a line of scores, then its warning signs, symptoms and note, indented. A day
    of several readings lists them under it (``reading_lines``), each with its own note."""
    several = len(entry.readings) > 1
    head = escape(entry.date + (f"  {entry.patient}" if with_patient else ""))
    parts = [head, day_scores_text(entry)]
    if entry.temperature_c is not None:
        parts.append(temperature_text(entry.temperature_c))
    lines = ["  ".join(parts)]
    pad = " " * 4
    top = cat.top_urgency(flags)
    if top is not None and top > Urgency.EXPECTED:
        rules = ", ".join(dict.fromkeys(f.rule for f in flags if f.urgency > Urgency.EXPECTED))
        signs = [i for i, lvl in cat.item_urgencies(flags).items() if lvl > Urgency.EXPECTED]
        names = escape(", ".join(cat.item_name(i) for i in signs))
        what = "warning sign" if top >= Urgency.URGENT else "mention at your next visit"
        lines.append(f"{pad}{top.symbol} {top.name} {what}: {names} ({rules})")
    if entry.symptoms:
        lines.append(f"{pad}symptoms: "  # in plain words, as every screen names them
                     f"{escape(', '.join(cat.item_name(s) for s in entry.symptoms))}")
    extra = [f"{word} {value}" for word, value in (
        ("boluses", entry.boluses), ("slept", f"{entry.sleep:g} h" if entry.sleep is not None
                                     else None), ("mood", entry.mood)) if value is not None]
    if extra:
        lines.append(pad + ", ".join(extra))
    if several:
        lines += reading_lines(entry, full, pad)
    elif entry.note:
        note = escape(entry.note, lines=True) if full else escape(
            words.clip((entry.note.splitlines() or [""])[0], 100))
        lines.append(f"{pad}note: {note}")
    if full and several:
        lines += [f"{pad}question for the visit: {escape(q)}" for q in entry.questions]
        lines.append(pad + stamp_text(entry.logged_at, entry.updated_at))
    elif full:
        if entry.temperature:
            site = f", {entry.temperature_site}" if entry.temperature_site else ""
            read_as = temperature_read_as(entry.temperature)
            typed = entry.temperature + (f" (read as {read_as})" if read_as else "")
            lines.append(f"{pad}temperature as entered: {escape(typed + site)}")
        lines += [f"{pad}question for the visit: {escape(q)}" for q in entry.questions]
        if entry.contacted is not None:
            lines.append(f"{pad}contacted the care team: {'yes' if entry.contacted else 'no'}")
        lines.append(f"{pad}logged {entry.logged_at}, last changed {entry.updated_at}")
    return lines


def day_so_far(entry: Entry) -> str:
    """The day in one line: pain now, the mean of its readings and each reading's pain."""
    scored = [r for r in entry.readings if r.pain is not None]
    each = " · ".join(f"{r.label} {r.pain}" for r in scored)
    mean = f"{entry.pain_mean:g}" if entry.pain_mean is not None else "-"
    return (f"The day so far: pain {entry.pain} at the latest reading, mean {mean} over "
            f"{plural(len(scored), 'scored reading')} ({each}).")


BARS = "▁▂▃▄▅▆▇█"
BEFORE_WORDS = "30 days"


def sparkline(values: list[float | None]) -> str:
    """0-10 scores as bars; a missing day is a dot (never drawn as 0)."""
    return "".join("·" if v is None else BARS[max(0, min(7, round(v * 7 / 10)))] for v in values)


def daily_series(daily: list[dict], since: date, until: date, key: str = "pain") -> list:
    by_day = {d["date"]: d.get(key, d.get("pain")) for d in daily}
    days = (until - since).days + 1
    return [by_day.get(date.fromordinal(since.toordinal() + n).isoformat()) for n in range(days)]


def episode_line(ep) -> str:
    """One episode: symbol, level, days, items and rules. In a period (summary) the days
    logged count inside the period; days outside it are named as such."""
    span = ep["first"] if ep["first"] == ep["last"] else f"{ep['first']} to {ep['last']}"
    outside = ep.get("days_before_period", 0) + ep.get("days_after_period", 0)
    if ep.get("before_period"):
        logged = (f", {plural(ep['days_logged'], 'day')} logged" if ep["days_logged"] > 1 else "")
        logged += ", before this period"
    elif outside:
        parts = [f"{plural(ep[key], 'day')} {word} it" for key, word in (
            ("days_before_period", "before"), ("days_after_period", "after")) if ep[key]]
        logged = (f", {plural(ep['days_in_period'], 'day')} logged in this period "
                  f"({' and '.join(parts)})")
    else:
        logged = f", {plural(ep['days_logged'], 'day')} logged" if ep["days_logged"] > 1 else ""
    items = ", ".join(cat.item_name(i) for i in ep["items"])
    rules = ", ".join(ep.get("rules") or [ep["rule"]])
    return escape(f"{ep['symbol']} {ep['urgency']} {span}{logged}: {items} ({rules})")


def episode_lines(episodes: list[dict], *, full: bool = True,
                  profile: dict | None = None) -> list[str]:
    lines = []
    for ep in episodes:
        lines.append(episode_line(ep))
        if full:
            parts = ep.get("advice_by_rule") or [{"rule": ep["rule"], "advice": ep["advice"]}]
            # what to do is the most urgent rule's: weaker advice would blur it
            level = Urgency[ep["urgency"]]
            advice = list(dict.fromkeys(
                urgent_text(part["advice"], level, profile or {}) for part in parts
                if part.get("urgency", ep["urgency"]) == ep["urgency"]))
            rules = "; ".join(f"{part['rule']} · {', '.join(cat.RULES[part['rule']].sources)}"
                              for part in parts)
            lines += wrap([("    ", text) for text in advice]
                          + [("    ", ("Rule " if len(parts) == 1 else "Rules ") + rules)], 76)
    return lines


def coming_up_lines(data: dict, today: date) -> list[str]:
    """The next visit, the next refill due and planned MRIs (summary --json's coming_up)."""
    soon = data.get("coming_up") or {}
    lines = []
    if soon.get("next_visit"):
        lines.append(f"  Next visit: {soon['next_visit']} "
                     f"({in_days(date.fromisoformat(soon['next_visit']), today)}).")
    if soon.get("next_refill"):
        due = date.fromisoformat(soon["next_refill"])
        lines.append(f"  Next refill due: {soon['next_refill']} ({due_text(due, today)}).")
    for mri in soon.get("mri", []):
        lines += wrap([(f"  {mri['symbol']} {mri['urgency']} MRI planned {mri['date']} "
                        f"({in_days(date.fromisoformat(mri['date']), today)}): ",
                        mri["advice"])], 78)
    return (["Coming up:"] + lines) if lines else []


def _fmt(value) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


SEVERAL_SHOWN = 10  # days of several readings the summary lists, the latest


def several_lines(days: list[dict]) -> list[str]:
    """The days of several readings (summary --json's daily rows), the latest
    SEVERAL_SHOWN: each day's readings and their mean."""
    lines = ["Days of several readings (time and pain now):"]
    lines += wrap([(f"  {d['date']}  ", f"{words.readings_text(d['readings'])} "
                                        f"(mean {words.num(d['pain_mean'])})")
                   for d in days[-SEVERAL_SHOWN:]], 78, hang=14)
    if len(days) > SEVERAL_SHOWN:
        lines.append(f"  ({plural(len(days) - SEVERAL_SHOWN, 'earlier day')}: "
                     "pumpjournal list shows every reading)")
    return lines


def cohort_timing(row: dict) -> str:
    """A cohort row's logging, under the person's line: ``28 of 30 days logged; 25 on the day,
    3 filled in later (median delay 2 days); 1.4 readings a day.``"""
    text = words.logging_words({
        "days_in_period": row["days_in_window"], "days_logged": row["days_logged"],
        "same_day": row["days_logged_same_day"], "filled_in_later": row["days_filled_in_later"],
        "median_delay_days": row["median_delay_days"],
        "timing_unknown": row["days_timing_unknown"]})
    per = row["readings_per_day"]
    if per is not None and per != 1:
        text = f"{text[:-1]}; {words.num(float(per))} readings a day."
    return text


def summary_lines(data: dict, who: str, today: date) -> list[str]:
    period = data["period"]
    since, until = date.fromisoformat(period["since"]), date.fromisoformat(period["until"])
    visit = period.get("starts_at_visit")
    start = f", since your last visit on {visit}" if visit else ""
    lines = [f"Follow-up summary: {escape(who)}",
             f"Period {period['since']} to {period['until']} ({plural(period['days'], 'day')}"
             f"{start}).", words.logging_words(data["logging"])]
    several = [d for d in data["daily"] if words.several_readings(d)]
    if not period["days_logged"]:
        lines.append("No entries in this period.")
    else:
        if several:
            lines.append("Pain now: each day counts once, as the mean of its readings.")
        lines.append(f"{'Pain (0-10)':<22}{'mean':>6}{'median':>8}{'range':>8}{'days':>6}")
        for key, word in (("pain", "now"), ("worst", "worst (24 h)"),
                          ("least", "least (24 h)"), ("average", "average (24 h)")):
            st = data["pain"][key]
            if st:
                lines.append(f"  {word:<20}{st['mean']:>6g}{_fmt(st['median']):>8}"
                             f"{str(st['min']) + '-' + str(st['max']):>8}{st['n']:>6}")
        trend = data["trend"]
        if trend["change"] is not None:
            lines.append(f"Trend of pain now: first half {_fmt(trend['first_half']['pain_mean'])}"
                         f", second half {_fmt(trend['second_half']['pain_mean'])} "
                         f"({'+' if trend['change'] > 0 else ''}{_fmt(trend['change'])}).")
        if period["days"] <= 70:
            lines.append("Daily pain now (· = no entry):")
            lines.append("  " + sparkline(daily_series(data["daily"], since, until,
                                                        "pain_mean")))
        if several:
            lines += several_lines(several)
        weekly = [w for w in data["weeks"] if w["pain_mean"] is not None]
        if weekly:
            lines.append("Weekly mean pain now: " + sparkline([w["pain_mean"]
                                                               for w in data["weeks"]]))
            lines += wrap([("  ", "; ".join(f"{w['start'][5:]} {w['pain_mean']:.1f}"
                                             for w in weekly[-12:]))], 76)
    if data["symptoms"]:
        lines += wrap([("Symptoms (days): ", ", ".join(f"{escape(s['id'])} {s['days']}"
                                                       for s in data["symptoms"]))], 76)
    if data["episodes"]:
        lines.append("Warning-sign episodes:")
        lines += ["  " + episode_line(ep) for ep in data["episodes"]]
    else:
        lines.append("Warning-sign episodes: none.")
    if data.get("before_period"):
        lines.append(f"In the {BEFORE_WORDS} before this period:")
        lines += ["  " + episode_line(ep) for ep in data["before_period"]]
    found = words.outcome_lines(data.get("outcomes"))
    if found:
        lines.append(f"{words.OUTCOMES_TITLE}")
        lines += wrap([("    ", line[2:]) if line.startswith("  ") else ("  ", line)
                       for line in found], 78)
    if data["boluses"]:
        b = data["boluses"]
        lines.append(f"Boluses: {b['total']} on {plural(b['days_logged'], 'day')} logged "
                     f"(mean {b['mean_per_day']:g} a day).")
    if data["events"]:
        lines.append("Pump events:")
        lines += ["  " + event_text(ev) for ev in data["events"]]
    extra = []
    if data["sleep_hours"]:
        extra.append(f"sleep mean {data['sleep_hours']['mean']:g} h")
    if data["mood"]:
        extra.append(f"mood mean {data['mood']['mean']:g}/10")
    if extra:
        lines.append("Also: " + ", ".join(extra) + ".")
    if data.get("contacted_care_team"):
        lines += wrap([("Contacted the care team: ", "; ".join(
            f"{c['date']}: {'yes' if c['contacted'] else 'no'}"
            for c in data["contacted_care_team"]))], 76)
    if data["flagged_notes"]:
        lines.append("Notes on flagged days:")
        lines += wrap([(f"  {n['date']}: ", escape(n["note"])) for n in data["flagged_notes"]],
                      76)
    if data["questions"]:
        lines.append("Questions for the visit:")
        lines += wrap([("  - ", escape(q["question"])) for q in data["questions"]], 76)
    lines += coming_up_lines(data, today)
    watch = data.get("watch")
    if watch:
        lines += wrap([("", line) for line in watch["lines"]], 78)
    if data["episodes"] or data.get("before_period") or watch or any(
            mri["urgency"] != "ROUTINE" for mri in (data.get("coming_up") or {}).get("mri", [])):
        lines.append(data.get("not_advice") or NOT_ADVICE)
    return lines


def symptom_lines(width: int = 80) -> list[str]:
    """The catalogue's items: id, category, whether (and when) it is a warning sign, the label
    and the urgency, wrapped to ``width``."""
    pad = max(len(s.id) for s in cat.SYMPTOMS) + 2
    lines = [f"{'id':<{pad}}{'category':<14}warning sign (URGENT or EMERGENCY)"]
    for s in cat.SYMPTOMS:
        lines += words.wrap(cat.warning_sign_words(s.id), width,
                            f"{s.id:<{pad}}{s.category:<14}", " " * (pad + 14))
        lines += words.wrap(s.label, width, " " * pad, " " * pad)
        lines += words.wrap(f"urgency: {s.alone}", width, " " * pad, " " * (pad + 2))
    return lines
