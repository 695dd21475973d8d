"""Words that the terminal (render.py) and the reports (report/) both say, written once.

Pure: plain strings in and out, no printing. Each face of the product lays these words out its
own way; neither takes them from the other.
"""

from __future__ import annotations

from datetime import date

from .escape import escape

MISSING = "-"


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 day``, ``2 days``, ``0 days``; ``many`` where adding an s is wrong (entries)."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def num(value) -> str:
    """A figure as summary --json has it: 4.08 stays 4.08, 4.0 shows as 4, None as -."""
    if value is None:
        return MISSING
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def span_text(first: str, last: str) -> str:
    """One day, or ``first to last``."""
    return first if first == last else f"{first} to {last}"


def days_in_words(days: int) -> str:
    """A span of days as a person says it: ``3 days``, ``2 weeks 1 day``, ``about 3 months``."""
    if days == 0:
        return "today"
    if days == 1:
        return "1 day"
    if days < 14:
        return f"{days} days"
    if days < 60:
        weeks, rest = divmod(days, 7)
        text = f"{weeks} weeks"
        return text + (f" {plural(rest, 'day')}" if rest else "")
    if days < 730:
        return f"about {round(days / 30.44)} months"
    return f"about {days / 365.25:.1f} years".replace(".0 ", " ")


def in_days(day: date, today: date, *, rounded: bool = False) -> str:
    """``today``, ``in 3 days``, ``2 days ago``; ``rounded`` says longer spans in weeks,
    months or years (``in about 3 months``), as ``days_in_words`` does."""
    left = (day - today).days
    if left == 0:
        return "today"
    span = days_in_words(abs(left)) if rounded else plural(abs(left), "day")
    return f"in {span}" if left > 0 else f"{span} ago"


def due_text(day: date, today: date) -> str:
    """When something falls due (a refill): as ``in_days``, and ``: overdue`` once past."""
    return in_days(day, today) + (": overdue" if day < today else "")


def care_team_line(profile: dict) -> str | None:
    """The care team's name, number and after-hours number from the profile, as one line
    (``Pain clinic, 555-0142 (after hours 555-0199)``); None when the profile has none."""
    phone, after = profile.get("care_phone"), profile.get("after_hours_phone")
    team = profile.get("care_team")
    text = ", ".join(str(p) for p in (team, phone) if p)
    if after:
        text += f" (after hours {after})" if text else f"after hours {after}"
    return text or None


def event_text(ev: dict, gap: str = "  ") -> str:
    """One pump event or visit: ``2026-10-01  Refill (volume ml 20; note ...)``, escaped;
    ``gap`` goes between the date and the kind (two spaces line events up in a terminal)."""
    from .model import EVENT_KINDS, alarm_words

    details = ev.get("details") or {}
    extra = [alarm_words(details)] if ev["kind"] == "alarm" else []  # as flags says it
    extra += [value if key == "note" else f"{key.replace('_', ' ')} {value}"
              for key, value in details.items() if key != "alarm"]
    text = f"{ev['date']}{gap}{EVENT_KINDS.get(ev['kind'], ev['kind'])}"
    return escape(text + (f" ({'; '.join(str(x) for x in extra)})" if extra else ""))


def wrap(text: str, width: int, prefix: str = "", indent: str | None = None) -> list[str]:
    """``prefix`` + ``text`` wrapped to ``width``, later lines indented by ``indent`` (by
    default as far as the prefix); the text's own line breaks are kept."""
    import textwrap

    lines = []
    hang = " " * len(prefix) if indent is None else indent
    for n, part in enumerate(str(text).splitlines() or [""]):
        lines += textwrap.wrap(part, width, initial_indent=prefix if n == 0 else hang,
                               subsequent_indent=hang, break_on_hyphens=False,
                               break_long_words=False) or [
                                   prefix if n == 0 else hang]
    return lines


def screen_width() -> int:
    """The terminal's columns ($COLUMNS first), 80 when unknown."""
    import shutil

    return max(40, shutil.get_terminal_size((80, 24)).columns)


def fit(text: str, width: int) -> str:
    """Every line of ``text`` longer than ``width`` wrapped at word boundaries, its later
    lines indented as far as the line itself plus four columns (at most twelve)."""
    lines = str(text).split("\n")
    if all(len(line) <= width for line in lines):
        return text
    out = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        lead = line[:len(line) - len(line.lstrip(" "))]
        out += wrap(line.strip(" "), width, lead, " " * min(len(lead) + 4, 12))
    return "\n".join(out)


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with "..." when cut."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 3].rsplit(" ", 1)[0] if " " in text[:limit - 3] else text[:limit - 3]
    return cut.rstrip(" ,;:") + "..."


def logging_words(figures: dict, mark=None) -> str:
    """When the days were logged, as every screen and report says it (``figures``: summary
    --json's ``logging``): ``28 of 30 days logged; 25 on the day, 3 filled in later (median
    delay 2 days).``, with ``1 with the time of logging unknown`` only when there is one.
    ``mark(key, text)`` may wrap each figure (the HTML report tags them with their key)."""
    def fig(key: str) -> str:
        text = num(figures[key])
        return mark(key, text) if mark else text

    logged, window = figures["days_logged"], figures["days_in_period"]
    days = "day" if (logged if window is None else window) == 1 else "days"
    text = (f"{fig('days_logged')} of {fig('days_in_period')} {days} logged"
            if window is not None else f"{fig('days_logged')} {days} logged")
    if not logged:
        return text + "."
    parts = [f"{fig('same_day')} on the day", f"{fig('filled_in_later')} filled in later"]
    if figures["median_delay_days"] is not None:
        delay = figures["median_delay_days"]
        parts[-1] += f" (median delay {fig('median_delay_days')} day{'' if delay == 1 else 's'})"
    if figures["timing_unknown"]:
        parts.append(f"{fig('timing_unknown')} with the time of logging unknown")
    return f"{text}; {', '.join(parts)}."


def readings_text(readings: list[dict]) -> str:
    """A day's scored readings in time order (summary --json's daily ``readings``): ``08:00 3 ·
    13:30 5 · 20:00 4``; a reading without a time is ``no time 3``."""
    return " · ".join(f"{r['time'] or 'no time'} {r['pain']}" for r in readings
                      if r["pain"] is not None)


def several_readings(day: dict) -> bool:
    """Whether a daily row (summary --json) has more than one scored reading."""
    return sum(r["pain"] is not None for r in day["readings"]) > 1


OUTCOMES_TITLE = "Did it help?"
DOSE_CHANGES_SHOWN = 6  # the latest dose changes and refills the text lists
OUTCOMES_NOTE = ("What the diary shows, as figures; not a recommendation. Means are over the "
                 "days logged; a missing day is never counted as 0.")
BAND_WORDS = {"none": "under 10% lower: no important change",
              "minimal": "10-29% lower: a minimal reduction",
              "moderate": "30-49% lower: a moderate reduction",
              "substantial": "50% or more lower: a substantial reduction",
              "worse": "higher: pain rose"}


def change_words(change_pct, baseline: str, during: str) -> str:
    """``pain was 39% lower during the trial than in the baseline weeks``."""
    if change_pct == 0:
        return f"pain was the same {during} as {baseline}"
    way = "lower" if change_pct < 0 else "higher"
    return f"pain was {num(abs(change_pct))}% {way} {during} than {baseline}"


def side_words(side: dict) -> str:
    """``mean 4.33 over 3 days logged`` (``no days logged``)."""
    if not side["days"]:
        return "no days logged"
    return f"mean {num(side['mean'])} over {plural(side['days'], 'day')} logged"


def outcome_lines(data: dict | None) -> list[str]:
    """The "Did it help?" section as plain sentences (``summary --json``'s ``outcomes``):
    the trial, each dose change and refill, the months since the implant, the impression of
    change. Empty when there is nothing to show."""
    from .outcomes import IMPRESSION_WORDS, ITEMS, shown

    if not shown(data):
        return []
    lines = [OUTCOMES_NOTE]
    trial = data["trial"]
    if trial:
        base, during = trial["baseline"], trial["trial"]
        state = "running" if during.get("running") else "ended"
        lines.append(f"Trial {during['since']} to {during['until']} ({state}), "
                     f"{trial['item_words']}: {side_words(during)}; baseline "
                     f"{base['since']} to {base['until']}: {side_words(base)}.")
        if trial["change_pct"] is not None:
            lines.append(sentence(change_words(trial["change_pct"], "in the baseline weeks",
                                               "during the trial"))
                         + f" (IMMPACT band: {trial['band']}, "
                         f"{BAND_WORDS[trial['band']]}; {trial['source']}).")
        else:
            lines.append(f"No percent for the trial: {trial['note']} (at least 3 logged days "
                         "are needed on each side, and a baseline above 0).")
    if data["dose_changes"]:
        lines.append("Dose changes and refills (pain now, the 7 days before against days 1-7 "
                     "after):")
        changes = data["dose_changes"]
        if len(changes) > DOSE_CHANGES_SHOWN:
            lines.append(f"  ({plural(len(changes) - DOSE_CHANGES_SHOWN, 'earlier one')} in "
                         "summary --json; the latest follow)")
        for dc in changes[-DOSE_CHANGES_SHOWN:]:
            what = "dose change" if dc["kind"] == "dose-change" else "refill"
            detail = f" ({escape(dc['detail'])})" if dc.get("detail") else ""
            parts = []
            for word, side in (("before", dc["before"]), ("after", dc["after"])):
                bol = (f", {num(side['boluses_per_day'])} boluses a day over "
                       f"{plural(side['bolus_days'], 'day')}"
                       if side["boluses_per_day"] is not None else "")
                parts.append(f"{word} {side_words(side)}{bol}")
            tail = (f"; {change_words(dc['change_pct'], 'before', 'after')} "
                    f"({dc['band']})" if dc["change_pct"] is not None
                    else f"; {dc['note'] or 'no percent'}")
            lines.append(f"  {dc['date']} {what}{detail}: {'; '.join(parts)}{tail}.")
    logged = [m for m in data["months"] if m["days"]]
    if logged:
        against = (" against the trial baseline" if trial and any(
            m["change_pct"] is not None for m in logged) else "")
        lines.append(f"Since the implant, by month ({ITEMS[data['months_item']]}"
                     f"{against}):")
        for m in logged[-12:]:
            pct = m["change_pct"]
            change = ("" if pct is None else
                      f", {num(abs(pct))}% {'lower' if pct < 0 else 'higher'}" if pct
                      else ", the same")
            lines.append(f"  {m['month']}: mean {num(m['mean'])} over "
                         f"{plural(m['days'], 'day')}{change}")
        if len(logged) > 12:
            lines.append(f"  ({plural(len(logged) - 12, 'earlier month')} in summary --json)")
    imp = data["impression"]
    if imp["latest"] is not None:
        history = "; ".join(f"{h['date']} {h['impression']}" for h in imp["history"])
        lines.append(f"Impression of change since before the pump (1-7): {imp['latest']} "
                     f"({IMPRESSION_WORDS[imp['latest']]}) on {imp['date']}"
                     + (f"; since the implant: {history}." if history else "."))
    return lines


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
