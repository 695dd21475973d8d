"""Did it help? The figures a pump clinic asks for at a visit, from the diary: the trial
against the weeks before it, each dose change and refill against the week before it, each
month since the implant against the trial's baseline, and the patient's own impression of
change. Pure: entries, events, profile and today in, a dict out; no I/O, no printing.

Days without an entry are missing, never zero: every mean is over the days logged, and every
figure carries the number of days it rests on. Nothing here says what to do: the bands name
how large a change in pain was, as the IMMPACT recommendations word it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from math import fsum


def mean(values) -> float:
    """The mean of a non-empty list (fsum: exact enough, and far cheaper than statistics)."""
    return fsum(values) / len(values)


BASELINE_DAYS = 14  # the baseline: days logged in the 14 days before the trial started
AROUND_DAYS = 7  # a dose change or refill: the 7 days before it against days 1-7 after it
MIN_DAYS = 3  # fewer logged days than this on a side: not enough days for a comparison
SOURCE = "IMMPACT, Dworkin et al., J Pain 2008"
NOT_ENOUGH = "not enough days"
ZERO_BASELINE = "baseline pain was 0"
ITEMS = {"average": "average pain (24 h)", "pain": "pain now"}
IMPRESSION_WORDS = {1: "very much improved", 2: "much improved", 3: "a little improved",
                    4: "no change", 5: "a little worse", 6: "much worse",
                    7: "very much worse"}
IMPRESSION_AFTER_DAYS = 28  # asked from day 28 after the implant, then when 28 days old


class Logged:
    """The little of a stored day the figures use: its date, pain now (the mean of its
    scored readings), the 24-hour average, boluses and the impression of change."""

    __slots__ = ("date", "pain", "pain_mean", "average", "boluses", "impression")

    @classmethod
    def of(cls, doc: dict) -> "Logged":
        day = cls()
        day.date, day.average, day.impression = (doc["date"], doc.get("average"),
                                                  doc.get("impression"))
        readings = doc["readings"]
        if len(readings) == 1:
            day.pain = readings[0].get("pain")
            day.boluses = readings[0].get("boluses")
        else:
            scores = [r["pain"] for r in readings if r.get("pain") is not None]
            bol = [r["boluses"] for r in readings if r.get("boluses") is not None]
            day.pain = round(mean(scores), 2) if scores else None  # as Entry.pain_mean
            day.boluses = sum(bol) if bol else None
        day.pain_mean = day.pain
        return day


def band(change: float | None) -> str | None:
    """The IMMPACT band of a change in percent (unrounded; negative: less pain): ``worse``
    for any rise, ``none`` under a 10% reduction (and for no change), ``minimal`` 10-29%,
    ``moderate`` 30-49%, ``substantial`` 50% or more; None without a change."""
    if change is None:
        return None
    if change > 0:
        return "worse"
    reduction = -change
    if reduction < 10:
        return "none"
    if reduction < 30:
        return "minimal"
    if reduction < 50:
        return "moderate"
    return "substantial"


def _pain(entry, item: str):
    """A day's pain by ``item``: ``pain`` the mean of its readings' pain now, ``average``
    the day's 24-hour average; None when not logged."""
    if item == "average":
        return entry.average
    value = entry.pain_mean
    return entry.pain if value is None else value


class ByDate(list):
    """Days sorted by date, with their dates apart: a window is found by bisection, so a
    journal of many years and many refills costs a look-up per window, not a scan."""

    def __init__(self, entries):
        super().__init__(sorted(entries, key=lambda e: e.date))
        self.keys = [e.date for e in self]


def _window(entries, lo: str, hi: str) -> list:
    """The days dated ``lo`` to ``hi`` (ISO dates, inclusive)."""
    if isinstance(entries, ByDate):
        return entries[bisect_left(entries.keys, lo):bisect_right(entries.keys, hi)]
    return [e for e in entries if lo <= e.date <= hi]


def _values(entries, low: date, high: date, item: str) -> list:
    return [v for e in _window(entries, low.isoformat(), high.isoformat())
            if (v := _pain(e, item)) is not None]


def _round(value: float | None, places: int = 2):
    return None if value is None else round(value, places)


def _change(before: list, after: list) -> float | None:
    """The change in percent from the mean of ``before`` to that of ``after`` (unrounded);
    None with fewer than MIN_DAYS on a side or a mean of 0 before."""
    if len(before) < MIN_DAYS or len(after) < MIN_DAYS:
        return None
    base = mean(before)
    if base == 0:
        return None
    return (mean(after) - base) / base * 100


def _note(before: list, after: list) -> str | None:
    if len(before) < MIN_DAYS or len(after) < MIN_DAYS:
        return NOT_ENOUGH
    return ZERO_BASELINE if mean(before) == 0 else None


def _side(values: list, since: date, until: date) -> dict:
    return {"since": since.isoformat(), "until": until.isoformat(), "days": len(values),
            "mean": _round(mean(values)) if values else None}


def trial_dates(events, profile: dict, today: date) -> tuple[date, date | None] | None:
    """The latest trial: (start, end or None while it runs). From the events (the latest
    trial-start, the first trial-end on or after it), else the profile's trial dates."""
    starts = [e.day for e in events if e.kind == "trial-start"]
    if starts:
        start = max(starts)
        ends = [e.day for e in events if e.kind == "trial-end" and e.day >= start]
        return start, (min(ends) if ends else None)
    if not profile.get("trial_start"):
        return None
    start = date.fromisoformat(profile["trial_start"])
    end = profile.get("trial_end")
    end = date.fromisoformat(end) if end and end >= profile["trial_start"] else None
    return start, end


def trial(entries, events, profile: dict, today: date) -> dict | None:
    """The trial against its baseline (None: no trial recorded)."""
    dates = trial_dates(events, profile, today)
    if dates is None:
        return None
    start, end = dates
    until = max(start, min(end, today) if end else today)  # a trial not begun yet: no days
    base_low, base_high = start - timedelta(days=BASELINE_DAYS), start - timedelta(days=1)
    item = "pain"
    avg_before = _values(entries, base_low, base_high, "average")
    avg_during = _values(entries, start, until, "average")
    if len(avg_before) >= MIN_DAYS and len(avg_during) >= MIN_DAYS:
        item = "average"
    before = _values(entries, base_low, base_high, item)
    during = _values(entries, start, until, item) if start <= today else []
    change = _change(before, during)
    return {"baseline": _side(before, base_low, base_high),
            "trial": {**_side(during, start, until), "running": end is None or end > today},
            "item": item, "item_words": ITEMS[item],
            "change_pct": _round(change, 1), "band": band(change),
            "note": _note(before, during), "source": SOURCE}


def dose_detail(event) -> str | None:
    """What changed: "morphine 0.5 mg/day" for a dose change, the note of a refill."""
    details = event.details or {}
    if event.kind == "dose-change":
        parts = [str(details[k]) for k in ("drug", "dose", "unit") if details.get(k) is not None]
        return " ".join(parts) or None
    return details.get("note")


def _around(entries, low: date, high: date) -> dict:
    lo, hi = low.isoformat(), high.isoformat()
    days = _window(entries, lo, hi)
    pains = [v for e in days if (v := _pain(e, "pain")) is not None]
    boluses = [e.boluses for e in days if getattr(e, "boluses", None) is not None]
    return {"since": lo, "until": hi, "days": len(pains),
            "mean": _round(mean(pains)) if pains else None,
            "bolus_days": len(boluses),
            "boluses_per_day": _round(mean(boluses)) if boluses else None}, pains


def dose_changes(entries, events, today: date) -> list[dict]:
    """Each dose change and refill up to today: pain now and boluses a day in the 7 days
    before it against days 1-7 after it."""
    out = []
    for event in sorted((e for e in events if e.kind in ("dose-change", "refill")
                         and e.day <= today), key=lambda e: e.date):
        day = event.day
        before, pb = _around(entries, day - timedelta(days=AROUND_DAYS), day - timedelta(days=1))
        after, pa = _around(entries, day + timedelta(days=1), day + timedelta(days=AROUND_DAYS))
        change = _change(pb, pa)
        out.append({"date": event.date, "kind": event.kind, "detail": dose_detail(event),
                    "before": before, "after": after, "change_pct": _round(change, 1),
                    "band": band(change), "note": _note(pb, pa)})
    return out


def implant_date(events, profile: dict) -> date | None:
    implants = [e.day for e in events if e.kind == "implant"]
    if implants:
        return max(implants)
    return date.fromisoformat(profile["implant_date"]) if profile.get("implant_date") else None


def months(entries, implant: date | None, today: date, item: str,
           baseline: float | None) -> list[dict]:
    """Each calendar month from the implant's to today's: days logged, mean pain (by the
    trial's item) and the change against the trial's baseline mean (None without one, or
    with fewer than MIN_DAYS in the month)."""
    if implant is None or implant > today:
        return []
    sums: dict[str, list] = {}
    lo = implant.isoformat()
    hi = today.isoformat()
    for e in entries:
        if lo <= e.date <= hi and (v := _pain(e, item)) is not None:
            sums.setdefault(e.date[:7], []).append(v)
    out = []
    year, month = implant.year, implant.month
    while (year, month) <= (today.year, today.month):
        key = f"{year:04d}-{month:02d}"
        values = sums.get(key, [])
        change = None
        if baseline and len(values) >= MIN_DAYS:
            change = (mean(values) - baseline) / baseline * 100
        out.append({"month": key, "days": len(values),
                    "mean": _round(mean(values)) if values else None,
                    "change_pct": _round(change, 1), "band": band(change)})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def impression(entries, implant: date | None) -> dict:
    """The patient's global impression of change (1-7): the latest answer and its date, and
    the answers since the implant (all answers without one), oldest first."""
    lo = implant.isoformat() if implant else ""
    answers = sorted((e.date, e.impression) for e in entries  # a hand-edited value off the
                     if getattr(e, "impression", None) in IMPRESSION_WORDS)  # scale: doctor
    history = [{"date": d, "impression": v, "words": IMPRESSION_WORDS[v]}
               for d, v in answers if d >= lo]
    latest = answers[-1] if answers else None
    return {"latest": latest[1] if latest else None, "date": latest[0] if latest else None,
            "words": IMPRESSION_WORDS[latest[1]] if latest else None, "history": history}


def ask_impression(today: date, implant: date | None, last_answer: date | None,
                   visit_today: bool) -> bool:
    """Whether the interactive log asks the impression of change today: from day 28 after the
    implant, on a visit day or when the last answer is over 28 days old (or there is none)."""
    if implant is None or (today - implant).days < IMPRESSION_AFTER_DAYS:
        return False
    if visit_today:
        return True
    return last_answer is None or (today - last_answer).days > IMPRESSION_AFTER_DAYS


def outcomes(entries, events, profile: dict, today: date) -> dict:
    """Everything "Did it help?" shows: ``trial``, ``dose_changes``, ``months``,
    ``impression`` (see the README's summary --json schema)."""
    entries = ByDate(e for e in entries if e.date <= today.isoformat())
    tr = trial(entries, events, profile, today)
    implant = implant_date(events, profile)
    item = tr["item"] if tr else "pain"
    base = tr["baseline"] if tr else None
    baseline = (mean(_values(entries, date.fromisoformat(base["since"]),
                             date.fromisoformat(base["until"]), item))
                if base and base["days"] >= MIN_DAYS and base["mean"] else None)
    return {"trial": tr, "dose_changes": dose_changes(entries, events, today),
            "months": months(entries, implant, today, item, baseline),
            "months_item": item, "impression": impression(entries, implant),
            "source": SOURCE}


def shown(data: dict | None) -> bool:
    """Whether there is anything for "Did it help?" to show."""
    if not data:
        return False
    return bool(data["trial"] or data["dose_changes"] or data["months"]
                or data["impression"]["latest"] is not None)
