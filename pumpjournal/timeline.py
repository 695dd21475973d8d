"""The pump's timeline: day 0, phase on a date, and the context the warning-sign rules need."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable

from . import symptoms
from .model import Entry, Event

RECOVERY_DAYS = 7  # the seed: "recovery typically takes a few days to a week"
WATCH_DAYS = 2  # W-WATCH: 48 h after a refill, dose change or surgery
SURGERY_KINDS = ("implant", "surgery")


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
    """The days on which a W-NEURO item was logged."""
    neuro = set(symptoms.NEURO)
    return {e.day for e in entries if neuro.intersection(e.symptoms)}


def context_for(profile: dict, events: list[Event], neuro: set[date],
                day: date) -> symptoms.Context:
    """What the rules need for an entry on ``day``; ``neuro`` is neuro_days() of the person."""
    day0, kind = day_zero(profile, events, day)
    drugs = profile.get("drugs") or []
    watch = any(e.kind in ("refill", "dose-change", "surgery", "implant")
                and 0 <= (day - e.day).days <= WATCH_DAYS for e in events)
    recent_neuro = any(day - timedelta(days=n) in neuro for n in range(1, 8))
    return symptoms.Context(
        day0=day0, day0_kind=kind, drugs=symptoms.drug_tags(drugs), drugs_known=bool(drugs),
        fever_c=float(profile.get("fever_threshold_c") or 38.0),
        low_c=profile.get("low_threshold_c"), watch=watch, recent_neuro=recent_neuro)


def assess_entries(entries: list[Entry], profile: dict, events: list[Event],
                   history: Iterable[Entry] | None = None) -> list[list[symptoms.Flag]]:
    """The flags of each entry (one person's), in the same order. ``history`` is the person's
    entries the 7-day rules may look back on (defaults to ``entries``)."""
    neuro = neuro_days(entries if history is None else history)
    return [symptoms.assess(e.symptoms, e.temperature_c, e.day,
                            context_for(profile, events, neuro, e.day)) for e in entries]
