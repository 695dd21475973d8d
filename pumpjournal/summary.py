"""Follow-up summary figures: entries in, numbers out. Pure: no I/O, no printing.

Days without an entry are missing, never zero pain: every mean is over the days logged. A day
counts once, whatever its number of readings: its pain now is the mean of its scored readings
(``day_pain``), so a day logged three times weighs no more than a day logged once.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from statistics import mean, median

from . import symptoms as cat
from .episodes import Episode, refill_due
from .model import Entry, Event

SCORES = ("pain", "worst", "least", "average")
BEFORE_DAYS = 30  # episodes that ended this many days before a period that starts at a visit


def stats(values: list[float]) -> dict | None:
    if not values:
        return None
    return {"n": len(values), "mean": round(mean(values), 2), "median": median(values),
            "min": min(values), "max": max(values)}


def _mean(values: list) -> float | None:
    return round(mean(values), 2) if values else None


def _whole(value):
    """4.0 as 4 (a median of an even count of whole numbers), other values as they are."""
    return int(value) if value == int(value) else value


def day_pain(entry) -> float | int | None:
    """A day's pain now as figures over days take it: the mean of its scored readings
    (``pain_mean``), a whole number when it is one (a day of one reading: its pain)."""
    value = entry.pain_mean
    return entry.pain if value is None else _whole(value)


def readings_json(entry: Entry) -> list[dict]:
    """A day's readings in time order as the summary lists them: time (None: not recorded)
    and pain now (None: that reading gave none)."""
    return [{"time": r.time, "pain": r.pain} for r in entry.readings]


def logged_late(day: str, stamp: str | None) -> int | None:
    """How many days after ``day`` (YYYY-MM-DD) it was first logged, from the ``logged_at``
    ``stamp`` (ISO 8601): its own date (the first ten characters: the date in the UTC offset it
    was written in) minus the day. 0: on the day, and also for a stamp dated the day before (a
    stamp another program wrote in UTC, or a clock a little off: not filled in later); None: no
    stamp, one whose date cannot be read, or one dated earlier still (it cannot be right)."""
    if not stamp:
        return None
    local = stamp[:10]
    if local == day:
        return 0
    try:
        late = (date.fromisoformat(local) - date.fromisoformat(day)).days
    except ValueError:
        return None
    return None if late < -1 else max(late, 0)


def logging_figures(days, window: int | None) -> dict:
    """When the days were logged. ``days``: (date, earliest logged_at, readings) of each day
    logged; ``window``: the days in the period (None: no period). Keys as ``summary --json``'s
    ``logging``; the cohort renames them (``queries.cohort``)."""
    same = later = unknown = readings = 0
    delays = []
    for day, stamp, count in days:
        readings += count
        late = logged_late(day, stamp)
        if late is None:
            unknown += 1
        elif late == 0:
            same += 1
        else:
            later += 1
            delays.append(late)
    logged = same + later + unknown
    return {"days_in_period": window, "days_logged": logged,
            "share_logged": round(logged / window, 3) if window else None,
            "same_day": same, "filled_in_later": later, "timing_unknown": unknown,
            "median_delay_days": _whole(median(delays)) if delays else None,
            "readings": readings,
            "readings_per_day": round(readings / logged, 2) if logged else None}


def weeks(since: date, until: date, entries: list[Entry]) -> list[dict]:
    """Week-by-week means of pain now (each day the mean of its readings) and average pain,
    weeks counted from ``since``."""
    out = []
    start = since
    while start <= until:
        end = min(start + timedelta(days=6), until)
        week = [e for e in entries if start.isoformat() <= e.date <= end.isoformat()]
        out.append({"start": start.isoformat(), "end": end.isoformat(), "days_logged": len(week),
                    "pain_mean": _mean([day_pain(e) for e in week]),
                    "average_mean": _mean([e.average for e in week if e.average is not None])})
        start = end + timedelta(days=1)
    return out


def episode_json(ep: Episode, since: date, until: date, before: bool = False) -> dict:
    """An episode as summary --json lists it: with the days logged inside the period, and
    the days logged outside it (an episode that straddles the period's start or end)."""
    inside = sum(since <= d <= until for d in ep.days)
    return {**ep.to_json(), "days_in_period": inside,
            "days_before_period": sum(d < since for d in ep.days),
            "days_after_period": sum(d > until for d in ep.days), "before_period": before}


def coming_up(profile: dict, events: list[Event], today: date) -> dict:
    """What is coming up after today: the next visit, the next refill due and every planned
    MRI with its W-MRI advice (URGENT for a pump that must be emptied, or an unknown make)."""
    from .episodes import event_flag

    visits = sorted(e.day for e in events if e.kind == "visit" and e.day >= today)
    due = refill_due(profile, events)
    mris = []
    for event in sorted((e for e in events if e.kind == "mri" and e.day >= today),
                        key=lambda e: e.date):
        flag = event_flag(profile, event)
        mris.append({"date": event.date, "rule": flag.rule, "urgency": flag.urgency.name,
                     "symbol": flag.urgency.symbol, "advice": flag.advice,
                     "pump_make_known": cat.pump_make_known(profile.get("pump_make"))})
    return {"next_visit": visits[0].isoformat() if visits else None,
            "next_refill": due.isoformat() if due else None, "mri": mris}


def summarise(entries: list[Entry], events: list[Event], episodes: list[Episode],
              profile: dict, since: date, until: date, questions: list[dict] = (), *,
              today: date | None = None, visit: date | None = None,
              before: list[Episode] = ()) -> dict:
    """The figures a clinician reads at a follow-up visit, for one person and one period.
    ``visit``: the period starts at this visit; ``before``: the episodes that ended in the
    30 days before it."""
    entries = sorted((e for e in entries if since.isoformat() <= e.date <= until.isoformat()),
                     key=lambda e: e.date)
    days = (until - since).days + 1
    half = since + timedelta(days=days // 2)
    first = [day_pain(e) for e in entries if e.day < half]
    second = [day_pain(e) for e in entries if e.day >= half]
    trend = {"first_half": {"from": since.isoformat(),
                            "to": (half - timedelta(days=1)).isoformat(),
                            "pain_mean": _mean(first), "days_logged": len(first)},
             "second_half": {"from": half.isoformat(), "to": until.isoformat(),
                             "pain_mean": _mean(second), "days_logged": len(second)},
             "change": (round(mean(second) - mean(first), 2) if first and second else None)}
    counts = Counter(s for e in entries for s in e.symptoms)
    flagged_days = {d for ep in episodes for d in ep.days}
    in_period = [e for e in events if since <= e.day <= until]
    boluses = [e.boluses for e in entries if e.boluses is not None]
    asked = [{"date": e.date, "question": q} for e in entries for q in e.questions]
    asked += [q for q in questions if since.isoformat() <= q["date"] <= until.isoformat()]
    due = refill_due(profile, events)
    return {
        "patient": entries[0].patient if entries else None,
        "period": {"since": since.isoformat(), "until": until.isoformat(), "days": days,
                   "days_logged": len(entries),
                   "starts_at_visit": visit.isoformat() if visit else None},
        "logging": logging_figures(((e.date, e.logged_at, len(e.readings)) for e in entries),
                                   days),
        "pain": {key: stats([value for e in entries
                             if (value := day_pain(e) if key == "pain" else getattr(e, key))
                             is not None])
                 for key in SCORES},
        "trend": trend,
        "weeks": weeks(since, until, entries),
        "daily": [{"date": e.date, "pain": e.pain, "pain_mean": e.pain_mean, "worst": e.worst,
                   "least": e.least, "readings": readings_json(e)} for e in entries],
        "symptoms": [{"id": sid, "label": cat.BY_ID[sid].label, "days": counts[sid]}
                     for sid in (s.id for s in cat.SYMPTOMS) if counts[sid]],
        "episodes": [episode_json(ep, since, until) for ep in episodes],
        "before_period": [episode_json(ep, since, until, True) for ep in before],
        "boluses": ({"days_logged": len(boluses), "total": sum(boluses),
                     "mean_per_day": _mean(boluses)} if boluses else None),
        "events": [ev.to_json() for ev in in_period],
        "sleep_hours": stats([e.sleep for e in entries if e.sleep is not None]),
        "mood": stats([e.mood for e in entries if e.mood is not None]),
        "flagged_notes": [{"date": e.date, "note": e.note} for e in entries
                          if e.note and e.day in flagged_days],
        "contacted_care_team": [{"date": e.date, "contacted": e.contacted} for e in entries
                                if e.contacted is not None],
        "questions": sorted(asked, key=lambda q: q["date"]),
        "next_refill": due.isoformat() if due else None,
        "coming_up": coming_up(profile, events, today or until),
        "not_advice": cat.not_advice(profile),
    }


def default_since(events: list[Event], today: date) -> date:
    """The last visit before today, else 30 days ago (today included)."""
    visits = [e.day for e in events if e.kind == "visit" and e.day < today]
    return max(visits) if visits else today - timedelta(days=29)
