"""Warning signs over time: episodes of daily flags, and the rules that watch the calendar.

A rule that fires on several logged days in a row is one episode, from its first to its last
day (days without an entry of up to one day between them do not break it; a logged day without
the sign ends it). Expected soreness is recorded, never an episode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from . import symptoms as cat
from .model import Entry, Event, alarm_words
from .symptoms import Flag, Urgency
from .timeline import assess_entries
from .words import num

MAX_GAP_DAYS = 2
TREND_LOW_BASELINE, TREND_LOW_RISE = 1.0, 2.0  # W-TREND from a baseline mean below 1 (H)
REFILL_REMINDERS = (14, 7, 2)


@dataclass
class Episode:
    patient: str
    rule: str
    urgency: Urgency
    first: date
    last: date
    items: list[str] = field(default_factory=list)
    advice: str = ""
    days: list[date] = field(default_factory=list)
    # other rules fired by the same items on the same days: (rule, urgency, advice)
    also: list[tuple[str, Urgency, str]] = field(default_factory=list)
    # the items that fired a rule of this episode, day by day
    day_items: dict[date, set[str]] = field(default_factory=dict)
    # (rule, day) for every rule of this episode on each day it fired
    fired: set[tuple[str, date]] = field(default_factory=set)

    @property
    def rules(self) -> list[str]:
        """Every rule of this finding, the most urgent (``rule``) first."""
        return list(dict.fromkeys([self.rule] + [rule for rule, _, _ in self.also]))

    @property
    def advice_by_rule(self) -> list[tuple[str, Urgency, str]]:
        """Each rule's most urgent advice, the leading rule's first."""
        parts: dict[str, tuple[str, Urgency, str]] = {self.rule: (self.rule, self.urgency,
                                                                  self.advice)}
        for part in self.also:
            if part[0] not in parts or part[1] > parts[part[0]][1]:
                parts[part[0]] = part
        return list(parts.values())

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for rule in self.rules for s in cat.RULES[rule].sources))

    def to_json(self) -> dict:
        return {"patient": self.patient, "rule": self.rule, "rules": self.rules,
                "urgency": self.urgency.name, "symbol": self.urgency.symbol,
                "first": self.first.isoformat(), "last": self.last.isoformat(),
                "days_logged": len(self.days), "items": self.items, "advice": self.advice,
                "advice_by_rule": [{"rule": r, "urgency": u.name, "advice": a}
                                   for r, u, a in self.advice_by_rule],
                "sources": list(self.sources),
                "rules_by_day": {day.isoformat(): [rule for rule in self.rules
                                                   if (rule, day) in self.fired]
                                 for day in sorted(self.days)}}


def one_finding(found: list[Episode]) -> list[Episode]:
    """One finding, one episode: episodes that share an item and a logged day join, and the
    joining carries on over every episode joined (a temperature at or above the line fires
    W-TEMP and W-INF; a fever with a stiff neck and a red incision fires W-MEN and W-INF: one
    episode each). So an item is in one episode only over the days it lasts, and every rule
    fired on a day is named by exactly one episode. The most urgent rule leads; ``rules``
    names all."""
    order = {rule: n for n, rule in enumerate(cat.RULES)}  # ties: the catalogue's order
    parent = list(range(len(found)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for ep in found:
        ep.fired = ep.fired or {(ep.rule, day) for day in ep.days}
    # join until nothing more joins: a joined episode's items and days may meet another's
    groups = [[ep] for ep in found]
    while True:
        seen: dict[tuple[date, str], int] = {}
        for n, group in enumerate(groups):
            items = {i for ep in group for day_items in ep.day_items.values() for i in day_items}
            for day in {d for ep in group for d in ep.day_items}:
                for item in items:
                    parent[root(n)] = root(seen.setdefault((day, item), n))
        # and over consecutive days (a stiff neck alone, then with a fever), but never from a
        # known symptom as usual (W-BASE): a week of it is not a week of the next day's finding
        for (day, item), n in list(seen.items()):
            later = seen.get((day + timedelta(days=1), item))
            if later is not None and not (_known_only(groups[n])
                                          or _known_only(groups[later])):
                parent[root(n)] = root(later)
        joined: dict[int, list[Episode]] = {}
        for n, group in enumerate(groups):
            joined.setdefault(root(n), []).extend(group)
        if len(joined) == len(groups):
            break
        groups = list(joined.values())
        parent = list(range(len(groups)))
    kept = []
    for group in groups:
        group.sort(key=lambda e: (-e.urgency, order[e.rule], e.first))
        lead = group[0]
        lead.fired = set().union(*(ep.fired for ep in group))
        for ep in group[1:]:
            lead.also += ep.advice_by_rule
            lead.first, lead.last = min(lead.first, ep.first), max(lead.last, ep.last)
            lead.days = sorted(set(lead.days) | set(ep.days))
            lead.items += [i for i in ep.items if i not in lead.items]
            for day, items in ep.day_items.items():
                lead.day_items.setdefault(day, set()).update(items)
        lead.also = [part for part in lead.also if part[0] != lead.rule]
        lead.also.sort(key=lambda part: (-part[1], order[part[0]]))
        kept.append(lead)
    return kept


def _known_only(group: list[Episode]) -> bool:
    return all(ep.rule == "W-BASE" and not ep.also for ep in group)


def planned_mri(episode: Episode, today: date) -> bool:
    """An MRI not yet done: shown under "Coming up", not among the signs logged."""
    return episode.rule == "W-MRI" and episode.first >= today


def trend_flag(by_day: dict[date, Entry], visits: list[date], day: date) -> Flag | None:
    """W-TREND: the 7-day mean of average pain >= 30% above the 7 days before the last visit
    (at least 4 entries with an average in each window)."""
    before = [v for v in visits if v <= day]
    if not before:
        return None
    visit = before[-1]

    def window(end: date) -> list[int]:
        days = (by_day.get(end - timedelta(days=n)) for n in range(7))
        return [e.average for e in days if e is not None and e.average is not None]

    now, then = window(day), window(visit - timedelta(days=1))
    if len(now) < 4 or len(then) < 4:
        return None
    mean_now, mean_then = sum(now) / len(now), sum(then) / len(then)
    if mean_then < TREND_LOW_BASELINE:  # a percentage of almost nothing means nothing (H)
        if mean_now - mean_then < TREND_LOW_RISE:
            return None
        rise = f"from {num(float(mean_then))} to {num(float(mean_now))}"
    elif mean_now < mean_then * 1.3:
        return None
    else:
        rise = f"{round((mean_now / mean_then - 1) * 100)}%"
    advice = cat.RULES["W-TREND"].advice[Urgency.ROUTINE].format(rise=rise,
                                                                 date=visit.isoformat())
    return Flag("W-TREND", Urgency.ROUTINE, ("average-pain",), advice)


def refill_due(profile: dict, events: list[Event]) -> date | None:
    """The next refill date the clinic gave: from the latest refill, else the profile."""
    return _refill_source(profile, events)[0]


def _refill_source(profile: dict, events: list[Event]) -> tuple[date | None, date | None]:
    """(next refill due, the day that date was given: its refill event, or None)."""
    refills = [e for e in events if e.kind == "refill"]
    for event in reversed(refills):
        if event.details.get("next_due"):
            return date.fromisoformat(event.details["next_due"]), event.day
    due = profile.get("next_refill")
    return (date.fromisoformat(due) if due else None), None


UNKNOWN_MAKE = ("Your pump make is not recorded or not one pumpjournal knows; record it with "
                "`pumpjournal profile --pump-make MAKE` (it is on your pump card).")


def event_flag(profile: dict, event: Event, today: date | None = None) -> Flag | None:
    """The flag an alarm (W-ALARM) or a planned MRI (W-MRI) raises; with ``today``, an MRI
    before it is not planned any more and raises none (its advice is for before the scan)."""
    if event.kind == "mri" and today is not None and event.day < today:
        return None
    if event.kind == "alarm":
        advice = cat.alarm_advice(cat.drug_tags(profile.get("drugs") or []))
        kind = alarm_words(event.details)
        return Flag("W-ALARM", Urgency.URGENT, (f"alarm ({kind})",), advice)
    if event.kind == "mri":
        make = profile.get("pump_make")
        level = Urgency.URGENT if cat.mri_needs_care_team(make) else Urgency.ROUTINE
        advice = cat.RULES["W-MRI"].advice[level]
        if not cat.pump_make_known(make):
            advice += " " + UNKNOWN_MAKE
        return Flag("W-MRI", level, (f"MRI planned {event.date}",), advice)
    return None


def calendar_flags(profile: dict, events: list[Event], today: date) -> list[tuple[date, Flag]]:
    """Flags that come from events, not from an entry: alarms, refills due, planned MRIs."""
    found: list[tuple[date, Flag]] = []
    baclofen = "B" in cat.drug_tags(profile.get("drugs") or [])
    for event in events:
        if event.kind == "alarm" or (event.kind == "mri" and event.day >= today):
            found.append((event.day, event_flag(profile, event)))
    due, given_on = _refill_source(profile, events)
    if due is not None:
        # a refill after the one that set the date (or, for the profile's date, in the
        # weeks before it) means the pump was refilled: early refills count
        since = given_on + timedelta(days=1) if given_on else due - timedelta(days=28)
        refilled = any(e.kind == "refill" and e.day >= since for e in events)
        left = (due - today).days
        level = None
        if left < 0 and not refilled:
            level = Urgency.URGENT
        elif 0 <= left <= max(REFILL_REMINDERS) and not refilled:
            level = Urgency.ROUTINE
        if level is not None:
            advice = cat.RULES["W-REFILL"].advice[level].format(date=due.isoformat())
            if baclofen:
                advice += " " + cat.baclofen_signs_text()
            found.append((today, Flag("W-REFILL", level, (f"refill due {due}",), advice)))
    return found


def episodes(patient: str, entries: list[Entry], profile: dict, events: list[Event],
             today: date, since: date | None = None,
             until: date | None = None) -> list[Episode]:
    """Every episode (ROUTINE and above) of one person, oldest first, overlapping the period."""
    ordered = sorted(entries, key=lambda e: e.date)
    flags = assess_entries(ordered, profile, events)
    by_day = {e.day: e for e in ordered}
    visits = sorted(e.day for e in events if e.kind == "visit" and e.day <= today)
    done: list[Episode] = []
    open_: dict[str, Episode] = {}
    for entry, day_flags in zip(ordered, flags):
        trend = trend_flag(by_day, visits, entry.day) if visits else None
        firing = {f.rule: f for f in day_flags + ([trend] if trend else [])
                  if f.urgency > Urgency.EXPECTED}
        for rule in list(open_):
            if rule not in firing:
                done.append(open_.pop(rule))
        for rule, flag in firing.items():
            current = open_.get(rule)
            if current and (entry.day - current.last).days <= MAX_GAP_DAYS:
                current.last = entry.day
                current.days.append(entry.day)
                current.items += [i for i in flag.items if i not in current.items]
                current.day_items[entry.day] = set(flag.items)
                if flag.urgency > current.urgency:
                    current.urgency, current.advice = flag.urgency, flag.advice
                continue
            if current:
                done.append(current)
            open_[rule] = Episode(patient, rule, flag.urgency, entry.day, entry.day,
                                  list(flag.items), flag.advice, [entry.day],
                                  day_items={entry.day: set(flag.items)})
    done += open_.values()
    for day, flag in calendar_flags(profile, events, today):
        done.append(Episode(patient, flag.rule, flag.urgency, day, day, list(flag.items),
                            flag.advice, [day]))
    low, high = since or date.min, until or date.max
    chosen = [ep for ep in one_finding(done) if ep.last >= low and ep.first <= high]
    return sorted(chosen, key=lambda ep: (ep.first, -ep.urgency, ep.rule))
