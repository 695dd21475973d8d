"""Checking one day's warning signs: a domain step that needs no journal.

The rules take the person's profile, events and earlier days when they are known. When the
journal cannot be read (damaged, locked, a folder, a full or read-only disk), the signs that
were typed are still checked on their own, and the check says which rules could not run. An
error inside the rules never stops an entry from being saved: the check says so instead.

Logging a day (``log_day``) is one operation for the command line and the library alike: it
saves the day, then evaluates the rules on what was saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from . import dates
from . import symptoms as cat
from .errors import JournalError

# What the rules could not look at when only the typed signs are known.
NOT_CHECKED = ("rules that need your profile or earlier days were not checked (your "
               "medicine's own signs, the 48-hour watch after surgery, a refill or a dose "
               "change, your fever line, expected soreness, symptoms noted before the implant, "
               "recent leg, bladder or bowel signs).")
RULES_FAILED = ("the warning-sign rules could not be checked because of an error in "
                "pumpjournal; if you logged a symptom that worries you, contact your care team.")
LOOK_BACK = cat.LOOK_BACK  # the 7-day rules look back this far (one home: symptoms.py)


@dataclass
class Check:
    """The flags of one day, the context they were worked out in, and what was left out."""

    flags: list[cat.Flag] = field(default_factory=list)
    ctx: cat.Context = field(default_factory=cat.Context)
    complete: bool = True  # False: the profile and earlier days were not known
    failed: bool = False  # the rules raised an error (the flags may be missing)
    time: str | None = None  # the reading the check is about, on a day of several

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
            from .timeline import context_for, neuro_days

            ctx = context_for(profile, list(events), neuro_days(history or []), day)
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


def check_reading(view, entry, reading) -> Check:
    """The flags of a day as it stood at ``reading`` (its earlier readings too: a morning fever
    and an evening stiff neck are one sign), naming the reading's time on a day of several."""
    found = check_entry(view, entry.upto(reading) if reading is not None else entry)
    if reading is not None and len(entry.readings) > 1:
        found.time = reading.label
    return found


def check_entry(view, entry) -> Check:
    """The flags of a stored entry, with the person's profile, events and the week before."""
    try:
        week = view.entries(entry.patient, entry.day - LOOK_BACK, entry.day)
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
            week = view.entries(patient, day - LOOK_BACK, day)
            return check(symptoms, temperature_c, day, worse, profile=view.profile(patient),
                         events=view.events(patient), history=week)
        except Exception:
            pass
    return check(symptoms, temperature_c, day, worse)


# Logging a day: save first, then evaluate ------------------------------------------------------

@dataclass
class Logged:
    """A day written to the journal and what its rules found on what was saved."""

    entry: object  # model.Entry
    changes: list  # (field, old, new)
    created: bool
    check: Check
    profile: dict
    watch: object = None  # timeline.Watch running today, or None
    reading: object = None  # the model.Reading logged or changed (None: only the day's fields)
    added: bool = False  # the reading is new
    answered: object = None  # the most urgent level the care team was said contacted about

    def ask_contacted(self) -> bool:
        """Whether to ask "Have you contacted your care team?": a sign above EXPECTED, not
        answered yes for this reading, nor for an earlier one at this level or above."""
        top = self.check.top
        if top is None or top <= cat.Urgency.EXPECTED:
            return False
        mine = self.reading.contacted if self.reading is not None else self.entry.contacted
        return mine is not True and (self.answered is None or top > self.answered)


class NotSaved(JournalError):
    """The journal could not be read or written: nothing was saved. ``check`` holds the flags
    of the values given (with the person's facts when they were read)."""

    def __init__(self, why: str, check: Check, profile: dict, cause: Exception | None = None,
                 watch=None):
        super().__init__(why)
        self.check, self.profile, self.watch = check, profile, watch
        if isinstance(cause, JournalError):
            self.ending = cause.ending  # a damaged journal's message says it was left untouched


def log_day(journal, patient: str | None, day: date, values: dict, stamp: str, *,
            remove: tuple[str, ...] = (), clear: tuple[str, ...] = (), edit: bool = False,
            today: date | None = None, at: str | None = None) -> Logged:
    """Add a reading to a person's day, or update one (``at``: its time, see
    ``View.add_reading``; ``edit``: change an existing day or the reading ``at`` names), save
    it, then evaluate the warning-sign rules on the day as it stood at that reading.

    The rules run after the write and never raise, so an error in them (or in a stored
    profile) cannot keep an entry from being saved; the check says so instead. Bad values are
    an InputError; a journal that cannot be read or written is NotSaved."""
    from .queries import choose_patient

    view = entry = None
    try:
        with journal.transaction() as tx:
            view = tx
            who = choose_patient(tx, patient)
            if edit:
                entry, changes = tx.edit(who, day, values, stamp, remove, clear, at)
                created, added = False, False
                reading = (entry.reading_at(dates.parse_time(at)) if at is not None else
                           entry.readings[0] if len(entry.readings) == 1 else None)
            else:
                entry, changes, created, reading, added = tx.add_reading(who, day, values,
                                                                         stamp, at)
    except (JournalError, OSError) as exc:
        why = str(exc) if isinstance(exc, JournalError) else (exc.strerror or str(exc))
        if entry is None:
            raise NotSaved(why, check_values(values, day), {}, exc) from exc
        # the journal was read: what was typed is checked with its facts, and the watch shown
        found = check_values(values, day, view, entry.patient)
        raise NotSaved(why, found, _profile(view, entry.patient), exc,
                       watch_today(view, entry.patient, today)) from exc
    return Logged(entry, changes, created, check_reading(view, entry, reading),
                  _profile(view, entry.patient), watch_today(view, entry.patient, today),
                  reading, added, _answered(view, entry, reading))


def _answered(view, entry, reading) -> cat.Urgency | None:
    """The most urgent level of the day's signs the care team was said contacted about, at
    its readings other than ``reading``."""
    levels = [check_entry(view, entry.upto(r)).top for r in entry.readings
              if r is not reading and r.contacted is True]
    return max((level for level in levels if level is not None), default=None)


def record_contacted(journal, patient: str, day: date, answer: bool, stamp: str,
                     time: str | None = None) -> bool:
    """Record whether the care team was contacted about the signs of a day's reading (at
    ``time``, None: the one without a time); False when it is gone (deleted meanwhile)."""
    with journal.transaction() as tx:
        entry = tx.entry(patient, day)
        if entry is None or entry.reading_at(time) is None:
            return False
        tx.add_reading(patient, day, {"contacted": answer}, stamp, at=time or "none")
    return True


def watch_today(view, patient: str, today: date | None = None):
    """The 48-hour watch running on ``today``, or None (also when the stored facts cannot be
    read: the watch never stops a save)."""
    try:
        return watch_of(view.profile(patient), view.events(patient), today)
    except Exception:
        return None


def watch_of(profile: dict, events: list, today: date | None = None):
    """The 48-hour watch these facts start, running on ``today``, or None (also when they
    cannot be used: the watch never turns a saved change into an error)."""
    from .timeline import watch_on

    try:
        return watch_on(profile, events, today or dates.today())
    except Exception:
        return None


def _profile(view, patient: str) -> dict:
    try:
        return view.profile(patient)
    except Exception:
        return {}


def entry_flags(view, patient: str, entries: list) -> list[list[cat.Flag]]:
    """Each entry's flags (one person's entries); the 7-day rules look back on the week before
    the earliest one."""
    from .timeline import assess_entries

    if not entries:
        return []
    first = min(e.day for e in entries) - LOOK_BACK
    last = max(e.day for e in entries)
    history = view.entries(patient, first, last)
    return assess_entries(entries, view.profile(patient), view.events(patient), history)
