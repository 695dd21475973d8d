"""Checking one day's warning signs: a domain step that needs no journal.

The rules take the person's profile, events and earlier days when they are known. When the
journal cannot be read (damaged, locked, a folder, a full or read-only disk), the signs that
were typed are still checked on their own, and the check says which rules could not run. An
error inside the rules never stops an entry from being saved: the check says so instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from . import symptoms as cat

# What the rules could not look at when only the typed signs are known.
NOT_CHECKED = ("rules that need your profile or earlier days were not checked (your "
               "medicine's own signs, the 48-hour watch after surgery, a refill or a dose "
               "change, your fever line, expected soreness, symptoms noted before the implant, "
               "recent leg, bladder or bowel signs).")
RULES_FAILED = ("the warning-sign rules could not be checked because of an error in "
                "pumpjournal; if you logged a symptom that worries you, contact your care team.")


@dataclass
class Check:
    """The flags of one day, the context they were worked out in, and what was left out."""

    flags: list[cat.Flag] = field(default_factory=list)
    ctx: cat.Context = field(default_factory=cat.Context)
    complete: bool = True  # False: the profile and earlier days were not known
    failed: bool = False  # the rules raised an error (the flags may be missing)

    @property
    def top(self) -> cat.Urgency | None:
        return cat.top_urgency(self.flags)

    def notes(self) -> list[str]:
        """Sentences for the panel about what this check could not cover."""
        notes = []
        if not self.complete:
            notes.append("Checked from what you typed alone: " + NOT_CHECKED)
        if self.failed:
            notes.append("Note: " + RULES_FAILED)
        return notes


def check(symptoms: Iterable[str], temperature_c: float | None, day: date,
          worse: Iterable[str] = (), *, profile: dict | None = None, events: Iterable = (),
          history: Iterable | None = None) -> Check:
    """The flags for the signs of one day. ``profile`` None: nothing but the typed signs is
    known. ``history`` is the person's entries of the 7 days up to ``day``. Never raises."""
    symptoms, worse = list(symptoms), list(worse)
    if profile is not None:
        try:
            from .timeline import Contexts, neuro_days

            ctx = Contexts(profile, list(events), neuro_days(history or [])).at(day)
            return Check(cat.assess(symptoms, temperature_c, day, ctx, worse), ctx)
        except Exception:  # a rules error: fall back on the typed signs, and say so
            found = check(symptoms, temperature_c, day, worse)
            found.failed = True
            return found
    try:
        return Check(cat.assess(symptoms, temperature_c, day, cat.Context(), worse),
                     complete=False)
    except Exception:
        return Check(complete=False, failed=True)


def check_entry(view, entry) -> Check:
    """The flags of a stored entry, with the person's profile, events and the week before."""
    try:
        week = view.entries(entry.patient, entry.day - timedelta(days=7), entry.day)
        profile, events = view.profile(entry.patient), view.events(entry.patient)
    except Exception:
        found = check(entry.symptoms, entry.temperature_c, entry.day, entry.worse)
        found.failed = True
        return found
    return check(entry.symptoms, entry.temperature_c, entry.day, entry.worse, profile=profile,
                 events=events, history=week)


def check_values(values: dict, day: date, view=None, patient: str | None = None) -> Check:
    """The flags of typed values (validated fields) alone, with the person's facts when a
    readable ``view`` is given."""
    symptoms, worse = values.get("symptoms") or [], values.get("worse") or []
    temperature_c = values.get("temperature_c")
    if view is not None and patient is not None:
        try:
            week = view.entries(patient, day - timedelta(days=7), day)
            return check(symptoms, temperature_c, day, worse, profile=view.profile(patient),
                         events=view.events(patient), history=week)
        except Exception:
            pass
    return check(symptoms, temperature_c, day, worse)
