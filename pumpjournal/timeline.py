"""The pump's timeline: day 0, phase on a date, and the context the warning-sign rules need."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from . import symptoms
from .model import Entry, Event

RECOVERY_DAYS = 7  # the seed: "recovery typically takes a few days to a week"
WATCH_DAYS = 2  # W-WATCH: the day of the event and the two days after it
SURGERY_KINDS = ("implant", "surgery")
# W-WATCH: overdose is most likely after the first dose, a refill, a dose change or surgery
WATCH_KINDS = ("implant", "surgery", "refill", "dose-change", "trial-start")
OVERDOSE_WORDS = {"very-sleepy": "great sleepiness (hard to wake)",
                  "slow-breathing": "slow breathing", "passing-out": "fainting or passing out",
                  "dizziness-worsening": "worsening dizziness", "seizure": "a seizure"}
WATCH_WORDS = {"implant": "implant", "surgery": "pump or catheter surgery", "refill": "refill",
               "dose-change": "dose change", "trial-start": "trial start"}


def _fact_day(profile: dict, key: str) -> date | None:
    value = profile.get(key)
    return date.fromisoformat(value) if value else None


def day_zero(profile: dict, events: Iterable[Event], day: date) -> tuple[date | None, str]:
    """The latest implant or pump/catheter surgery on or before ``day`` (and which it was)."""
    best: tuple[date | None, str] = (None, "implant")
    implant = _fact_day(profile, "implant_date")
    if implant and implant <= day:
        best = (implant, "implant")
    for event in events:
        if event.kind in SURGERY_KINDS and event.day <= day and (best[0] is None
                                                                  or event.day >= best[0]):
            best = (event.day, "implant" if event.kind == "implant" else "surgery")
    return best


def watch_starts(profile: dict, events: Iterable[Event]) -> list[tuple[date, str]]:
    """Every record that starts a 48-hour watch, oldest first: (day, kind). The profile's
    implant and trial dates count as the events they stand for."""
    starts = [(e.day, e.kind) for e in events if e.kind in WATCH_KINDS]
    for key, kind in (("implant_date", "implant"), ("trial_start", "trial-start")):
        day = _fact_day(profile, key)
        if day:
            starts.append((day, kind))
    return sorted(starts)


@dataclass(frozen=True)
class Watch:
    """A 48-hour watch running on ``day``: since ``since`` (its ``kind``), to ``until``."""

    day: date
    since: date
    kind: str
    until: date

    @property
    def lines(self) -> list[str]:
        """What every screen shows while the watch runs (W-WATCH: the W-OD signs)."""
        signs = [OVERDOSE_WORDS.get(i) or symptoms.label(i) for i in symptoms.OVERDOSE]
        what = WATCH_WORDS.get(self.kind, self.kind)
        return [f"Within 48 h of your {what} on {self.since.isoformat()} (overdose watch until "
                f"{self.until.isoformat()}): call emergency services now for "
                + ", ".join(signs[:-1]) + f" or {signs[-1]}.",
                "Sleepier than usual, or dizzy: contact your care team right away."]

    def to_json(self) -> dict:
        return {"rule": "W-WATCH", "since": self.since.isoformat(), "kind": self.kind,
                "until": self.until.isoformat(), "lines": self.lines}


def watch_on(profile: dict, events: Iterable[Event], day: date) -> Watch | None:
    """Is a 48-hour watch running on ``day``, since which event, and what to show: the latest
    record that starts one, on ``day`` or up to two days before it. Every screen asks this."""
    found = [s for s in watch_starts(profile, events) if s[0] <= day]
    if not found or (day - found[-1][0]).days > WATCH_DAYS:
        return None
    since, kind = found[-1]
    return Watch(day, since, kind, since + timedelta(days=WATCH_DAYS))


def phase_on(profile: dict, events: list[Event], day: date) -> str:
    """``trial``, ``recovery``, ``ongoing therapy``, ``before the trial``, ``pump removed`` or
    ``unknown`` (no dates recorded yet)."""
    day0, _ = day_zero(profile, events, day)
    removals = [e.day for e in events if e.kind == "removal" and e.day <= day]
    if removals and (day0 is None or max(removals) >= day0):
        return "pump removed"
    if day0 is not None:
        return "recovery" if (day - day0).days <= RECOVERY_DAYS else "ongoing therapy"
    starts = [e.day for e in events if e.kind == "trial-start"]
    starts += [d for d in [_fact_day(profile, "trial_start")] if d]
    ends = [e.day for e in events if e.kind == "trial-end"]
    ends += [d for d in [_fact_day(profile, "trial_end")] if d]
    started = [d for d in starts if d <= day]
    if started:
        ended = [d for d in ends if max(started) <= d < day]
        return "after the trial" if ended else "trial"
    if starts:
        return "before the trial"
    return "unknown"


def neuro_days(entries: Iterable[Entry]) -> set[date]:
    """The days on which a W-NEURO item (or cannot-walk) was logged, for W-MASS."""
    neuro = set(symptoms.NEURO_FOR_MASS)
    return {e.day for e in entries if neuro.intersection(e.symptoms)}


class Contexts:
    """The rules' context for any day of one person, computed once (bisect per day)."""

    def __init__(self, profile: dict, events: list[Event], neuro: set[date]):
        drugs = profile.get("drugs") or []
        self.tags, self.drugs_known = symptoms.drug_tags(drugs), bool(drugs)
        self.fever_c = float(profile.get("fever_threshold_c") or symptoms.FEVER_C)
        self.low_c = profile.get("low_threshold_c")
        surgeries = [(e.day, "implant" if e.kind == "implant" else "surgery")
                     for e in events if e.kind in SURGERY_KINDS]
        implant = _fact_day(profile, "implant_date")
        if implant:
            surgeries.append((implant, "implant"))
        surgeries.sort()
        self.surgeries, self.surgery_days = surgeries, [d for d, _ in surgeries]
        self.watch = {start + timedelta(days=n) for start, _ in watch_starts(profile, events)
                      for n in range(WATCH_DAYS + 1)}
        self.neuro = neuro
        self.baseline = frozenset(profile.get("baseline_symptoms") or [])
        self.made: dict[tuple, symptoms.Context] = {}

    def at(self, day: date) -> symptoms.Context:
        """The context of ``day``; days that share a surgery, a watch and recent leg signs
        share one (benchmarks/tricks.py, two runs: the flags of cohort.py's 100,000 entries
        take 0.43-0.54 s with this memo and 0.69-0.70 s without)."""
        index = bisect_right(self.surgery_days, day)
        recent = bool(self.neuro) and any(day - timedelta(days=n) in self.neuro
                                          for n in range(1, symptoms.LOOK_BACK.days + 1))
        key = (index, day in self.watch, recent)
        if key not in self.made:
            day0, kind = self.surgeries[index - 1] if index else (None, "implant")
            self.made[key] = symptoms.Context(
                day0=day0, day0_kind=kind, drugs=self.tags, drugs_known=self.drugs_known,
                fever_c=self.fever_c, low_c=self.low_c, watch=key[1], recent_neuro=recent,
                baseline=self.baseline)
        return self.made[key]

    def assess(self, entry: Entry, memo: dict) -> list[symptoms.Flag]:
        """The entry's flags; entries with the same symptoms, temperature and context share
        them (the day matters only to incision soreness). benchmarks/tricks.py: the flags of
        cohort.py's 100,000 entries take 0.43-0.54 s with ``memo``, 0.73-0.90 s without."""
        if not entry.symptoms and entry.temperature_c is None:
            return []
        ctx = self.at(entry.day)
        sore = "incision-soreness" in entry.symptoms
        worse = tuple(getattr(entry, "worse", ()) or ())
        key = (tuple(entry.symptoms), entry.temperature_c, ctx, entry.date if sore else None,
               worse)
        if key not in memo:
            memo[key] = symptoms.assess(entry.symptoms, entry.temperature_c, entry.day, ctx,
                                        worse)
        return memo[key]


def context_for(profile: dict, events: list[Event], neuro: set[date],
                day: date) -> symptoms.Context:
    """What the rules need for an entry on ``day``; ``neuro`` is neuro_days() of the person."""
    return Contexts(profile, events, neuro).at(day)


def assess_entries(entries: list[Entry], profile: dict, events: list[Event],
                   history: Iterable[Entry] | None = None) -> list[list[symptoms.Flag]]:
    """The flags of each entry (one person's), in the same order. ``history`` is the person's
    entries the 7-day rules may look back on (defaults to ``entries``)."""
    contexts = Contexts(profile, events, neuro_days(entries if history is None else history))
    memo: dict = {}
    return [contexts.assess(e, memo) for e in entries]
