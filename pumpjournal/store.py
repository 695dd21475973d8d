"""The Journal: TinyDB behind an atomic, locked file storage.

* Reads take no lock: a write replaces the whole file in one rename, so a reader sees the old
  journal or the new one, never a mix.
* Every read-modify-write holds an inter-process lock on ``<journal>.lock`` and writes once,
  however many records it changes (an import of 100,000 rows is one write).
* A write goes to a temporary file in the same folder, is flushed and fsynced, replaces the
  journal with ``os.replace`` and the folder is fsynced. New files are 0600, new folders 0700.
* A file that cannot be understood raises JournalCorrupt and is never written to.
* A journal path that is a symbolic link stays one: the file it points to is the journal
  (``Journal.real_path``), and its lock, temporary files and backups sit beside that file.
"""

from __future__ import annotations

import os
import re
import stat
import zlib
from contextlib import contextmanager
from datetime import date, datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Iterator

import orjson
from tinydb import TinyDB, where
from tinydb.storages import Storage

from . import dates, model
from .dates import FIRST_YEAR, LAST_YEAR, STORED_DAY
from .errors import InputError, JournalCorrupt, JournalError
from .crypto import MAGIC
from .escape import quote, shorten
from .files import (atomic_writer, kind, others_can_write, read_regular, reason,
                    remove_files, temp_files)
from .lock import FileLock, lock_wait
from .model import Entry, Event

SCHEMA_VERSION = 2  # 2: a day holds readings (schema 1: one flat record a day)
TABLES = ("meta", "entries", "events", "profile", "questions")
WAY_OUT = ("restore a copy from the backups folder next to the journal (`pumpjournal backup` "
           "makes one), or see what is wrong with `pumpjournal doctor`")


class MemoryStorage(Storage):
    """TinyDB's storage for one loaded journal; the Journal writes it to disk in one go."""

    def __init__(self, data: dict):
        self.data = data
        self.changed = False

    def read(self):
        return self.data

    def write(self, data):
        self.data = data
        self.changed = True


def _refused(path: Path, why: str) -> JournalError:
    return JournalError(f"the change to the journal {path} was not written: {why}. The "
                        "journal was left as it was.")


def corrupt(path: Path, why: str) -> JournalCorrupt:
    return JournalCorrupt(f"the journal {path} cannot be read: {why}. It was left untouched; "
                          f"{WAY_OUT}.")


def read_raw(path: Path) -> bytes | None:
    """The journal file's bytes, or None when there is no journal yet. A pipe or a device is
    refused at once, never read."""
    try:
        return read_regular(path)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise JournalError(f"the journal path {path} is a folder, not a file; give a file name "
                           "with --journal or PUMPJOURNAL_PATH; to make a study folder: "
                           f"pumpjournal init --study {path}") from None
    except InputError:
        mode = os.stat(path).st_mode
        raise JournalError(f"the journal path {path} is {kind(mode)}, not a regular file; "
                           "give a journal file with --journal or PUMPJOURNAL_PATH.") from None
    except OSError as exc:
        raise JournalError(f"the journal {path} cannot be read: {reason(exc)}.") from None


def check_shape(path: Path, raw: bytes) -> dict:
    """The journal's data, checked and brought to this schema (see ``load``)."""
    return load(path, raw)[0]


def load(path: Path, raw: bytes) -> tuple[dict, int]:
    """The journal's data, its shape and record types checked and brought to this schema in
    memory, and the schema it was written in."""
    if not raw.strip():
        raise corrupt(path, "the file is empty (it may have been truncated)")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise corrupt(path, f"it is not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(t, dict) for t in data.values()):
        raise corrupt(path, "it is JSON but not a pumpjournal journal")
    meta = data.get("meta", {}).get("1")
    if not isinstance(meta, dict) or meta.get("app") != "pumpjournal":
        raise corrupt(path, "it is JSON but not a pumpjournal journal (no schema version)")
    version = meta.get("schema")
    if not isinstance(version, int) or version < 1:
        raise corrupt(path, f"its schema version {quote(version)} is not valid")
    if not isinstance(meta.get("last_event_id", 0), int) or meta.get("last_event_id", 0) < 0:
        raise corrupt(path, "its last event id is not a whole number")
    if version > SCHEMA_VERSION:
        raise JournalError(f"the journal {path} was written by a newer pumpjournal (schema "
                           f"{version}; this one reads up to {SCHEMA_VERSION}). It was left "
                           "untouched; upgrade pumpjournal with pip install -U pumpjournal.")
    for table in TABLES[1:]:
        if not all(isinstance(doc, dict) for doc in data.get(table, {}).values()):
            raise corrupt(path, f"its {table} table holds records that are not objects")
    written_in = migrate(data)
    if not sealed(raw, meta):
        check_records(path, data)
    return data, written_in


# A journal as pumpjournal wrote it carries, in its meta record, the CRC-32 of every byte after
# that record ("sealed"). When the bytes still match, the records are the ones pumpjournal
# checked before writing them, so the per-record type check is skipped: 20 ms of each read
# of a 10-year journal of three readings a day (benchmarks/run.py), for a 1.3 ms CRC. Any
# other change (a hand edit, another program, an older release) fails the match, and the
# journal is checked in full.
SEAL = "sealed"
_HEAD = b'{"meta":{"1":'


def dump(data: dict) -> bytes:
    """The journal's bytes: the meta record first, sealed with the CRC-32 of the rest."""
    rest = orjson.dumps({name: table for name, table in data.items() if name != "meta"})
    body = rest[1:]  # the tables after the meta record, and the closing brace
    meta = data.setdefault("meta", {}).setdefault("1", {})
    meta[SEAL] = zlib.crc32(body)
    head = orjson.dumps({"meta": data["meta"]})
    return head if body == b"}" else head[:-1] + b"," + body


def sealed(raw: bytes, meta: dict) -> bool:
    """The bytes after the meta record are exactly those pumpjournal wrote (see ``dump``)."""
    seal = meta.get(SEAL)
    if seal.__class__ is not int or not raw.startswith(_HEAD):
        return False
    end = raw.find(b"}},", len(_HEAD))
    if end < 0 or raw.find(b"{", len(_HEAD) + 1, end) >= 0:  # the meta record is flat
        return False
    return zlib.crc32(raw[end + 3:]) == seal


_DAY_TYPES = {"patient": (str,), "date": (str,), "worst": (int,), "least": (int,),
              "average": (int,), "mood": (int,), "impression": (int,), "sleep": (int, float),
              "questions": (list,),
              "updated_at": (str,), "readings": (list,)}
_READING_TYPES = {"time": (str,), "utc_offset": (str,), "pain": (int,), "symptoms": (list,),
                  "worse": (list,), "temperature_c": (int, float), "temperature": (str,),
                  "temperature_site": (str,), "boluses": (int,), "note": (str,),
                  "contacted": (bool,), "logged_at": (str,), "updated_at": (str,)}


def _kinds(types: dict, required=()) -> dict:
    """The types each field may have; optional fields may be missing or null."""
    return {key: frozenset(kinds + ((type(None),) if key not in required else ()))
            for key, kinds in types.items()}


_DAY_KINDS = _kinds(_DAY_TYPES, ("patient", "date", "readings"))
_READING_KINDS = _kinds(_READING_TYPES)
_DAY_LISTS = ("questions",)
_READING_LISTS = ("symptoms", "worse")
_CLOCK = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)
_OFFSET = re.compile(r"[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)
READING_KEYS = frozenset(_READING_TYPES) - {"time", "utc_offset"}


def migrate(data: dict) -> int:
    """Bring a loaded journal to this schema in memory; returns the schema it was written
    in. Schema 1 kept one flat record a day: each becomes a day with one reading whose time
    is not recorded (the day's own fields stay on the day)."""
    meta = data["meta"]["1"]
    version = meta["schema"]
    if version == 1:
        for doc in data.get("entries", {}).values():
            reading = {key: doc.pop(key) for key in list(doc) if key in READING_KEYS}
            doc.pop("readings", None)  # never in schema 1: not carried over unchecked
            if reading.get("updated_at") and reading["updated_at"] == doc.get("updated_at"):
                del doc["updated_at"]
            doc["readings"] = [reading]
        data["meta"]["1"] = {**meta, "schema": SCHEMA_VERSION}
    return version


def _wrong(value, kinds) -> bool:
    return value.__class__ not in kinds


def _fast_sound(docs: dict) -> bool:
    """Every day and reading has the right keys and types (one pass per field)."""
    days = docs.values()
    if not set(chain.from_iterable(days)) <= _DAY_KINDS.keys():
        return False
    if not all({doc.get(key).__class__ for doc in days} <= _DAY_KINDS[key]
               for key in _DAY_KINDS):
        return False
    readings = [r for doc in days for r in doc["readings"]]
    if not readings or not all(r.__class__ is dict for r in readings):
        return not days
    if not set(chain.from_iterable(readings)) <= _READING_KINDS.keys():
        return False
    if not all({r.get(key).__class__ for r in readings} <= _READING_KINDS[key]
               for key in _READING_KINDS):
        return False
    return (all(_CLOCK.fullmatch(t) for t in {r.get("time") for r in readings} - {None})
            and all(_OFFSET.fullmatch(t) for t in {r.get("utc_offset") for r in readings}
                    - {None})
            and all(_texts(r.get(key)) for r in readings for key in _READING_LISTS)
            and _days([doc["date"] for doc in days])
            and all(_texts(doc.get("questions")) for doc in days)
            and all(rs[0].get("pain") is not None if len(rs) == 1 else _readings_sound(rs)
                    for doc in days for rs in (doc["readings"],)))


def _readings_sound(readings: list) -> bool:
    """At least one reading, one with pain, and no two at the same time."""
    return bool(readings) and len({r.get("time") for r in readings}) == len(readings) and any(
        r.get("pain") is not None for r in readings)


_DAYS = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2})*", re.ASCII)


def _days(values: list[str]) -> bool:
    """Every value is a stored day (see ``_day``), checked in a few passes over them all:
    0.4 ms for 3,650 days against 2.4 ms one at a time."""
    try:
        return (_DAYS.fullmatch("".join(values)) is not None
                and len("".join(values)) == 10 * len(values)
                and all(map(date.fromisoformat, values))
                and (not values or (min(values) >= f"{FIRST_YEAR:04d}"
                                    and max(values) < f"{LAST_YEAR + 1:04d}")))
    except ValueError:
        return False


def _entry_problem(doc: dict) -> str | None:
    """What is wrong with one stored day, in words (None: nothing)."""
    if doc.get("patient").__class__ is not str or not _day(doc.get("date")):
        return "a patient or date value of the wrong kind"
    bad = next((key for key, value in doc.items() if key not in _DAY_KINDS
                or _wrong(value, _DAY_KINDS[key])), None)
    if bad or not _texts(doc.get("questions")):
        return f"a {bad or 'questions'} value of the wrong kind"
    readings = doc.get("readings")
    if not readings:
        return "no readings"
    for n, reading in enumerate(readings, 1):
        if reading.__class__ is not dict:
            return f"a reading {n} that is not an object"
        bad = next((key for key, value in reading.items() if key not in _READING_KINDS
                    or _wrong(value, _READING_KINDS[key])), None)
        bad = bad or next((key for key in _READING_LISTS if not _texts(reading.get(key))), None)
        for key, pattern in (("time", _CLOCK), ("utc_offset", _OFFSET)):
            value = reading.get(key)
            if value.__class__ is str and not pattern.fullmatch(value):
                bad = bad or key
        if bad:
            return f"a {bad} value of the wrong kind" + (
                f" (reading {n})" if len(readings) > 1 else "")
    if not any(r.get("pain") is not None for r in readings):
        return "a pain value of the wrong kind (no reading has pain now)"
    if len({r.get("time") for r in readings}) != len(readings):
        return "two readings at the same time"
    return None


def _day(value) -> bool:
    try:
        return (STORED_DAY.fullmatch(value) is not None and date.fromisoformat(value) is not None
                and FIRST_YEAR <= int(value[:4]) <= LAST_YEAR)
    except (TypeError, ValueError):
        return False


def _texts(value) -> bool:
    """None, or a list of strings."""
    return value is None or (value.__class__ is list and all(v.__class__ is str for v in value))


def _number(value) -> bool:
    return value.__class__ in (int, float)


def _doc_id(key) -> bool:
    return key.__class__ is str and key.isdigit() and key.isascii() and int(key) >= 1 \
        and str(int(key)) == key


_PROFILE_CHECKS = {  # field -> (the check, what it should be)
    **{key: (_day, "a date (YYYY-MM-DD)") for key in (
        "trial_start", "trial_end", "implant_date", "next_refill", "fever_threshold_set_on")},
    "drugs": (_texts, "a list of medicine names"),
    "baseline_symptoms": (_texts, "a list of symptom ids"),
    **{key: (_number, "a number") for key in ("fever_threshold_c", "low_threshold_c")},
    **{key: (lambda v: v.__class__ is str, "text") for key in (
        "name", "initials", "pump_make", "care_team", "care_phone", "after_hours_phone",
        "emergency_number", "fever_threshold_set_by")},
}
_DETAIL_CHECKS = {
    "next_due": (_day, "a date (YYYY-MM-DD)"), "dose": (_number, "a number"),
    **{key: (lambda v: v.__class__ is str, "text") for key in (
        "drug", "unit", "relief", "alarm", "note")},
}


def check_records(path: Path, data: dict, fail=None) -> None:
    """Every record has the types the commands rely on; values are checked by `doctor`.
    Entries are checked a field at a time over all of them (fast), and only when something
    is wrong one by one, to name the record. A read of a journal not sealed by pumpjournal
    (see ``sealed``) pays for this check: on the 100,000-row cohort of benchmarks/cohort.py
    about 0.5 s; ``run.py`` prints its share of a read ("so the checks after parsing cost
    about"). A write checks the records it did not validate itself (``View.check_before_
    write``). ``fail`` makes the error (default: ``corrupt``)."""
    fail = fail or corrupt
    for table in TABLES[1:]:
        bad_id = next((key for key in data.get(table, {}) if not _doc_id(key)), None)
        if bad_id is not None:
            raise fail(path, f"its {table} table has a record id that is not a whole number "
                                f"from 1 ({bad_id[:20]!r})")
    docs = data.get("entries", {})
    if not _fast_sound(docs):
        for doc_id, doc in docs.items():
            bad = _entry_problem(doc)
            if bad:
                raise fail(path, f"entry {doc_id} ({shorten(doc.get('patient'), 20)}, "
                                    f"{shorten(doc.get('date'), 20)}) has {bad}")
    for doc_id, doc in data.get("events", {}).items():
        if (not isinstance(doc.get("kind"), str) or not isinstance(doc.get("patient"), str)
                or not _day(doc.get("date")) or not isinstance(doc.get("details", {}), dict)):
            raise fail(path, f"event {doc_id} (kind {quote(doc.get('kind'), 20)}, date "
                                f"{quote(doc.get('date'), 20)}) lacks a kind, person or valid "
                                f"date (from {FIRST_YEAR})")
        for key, value in doc.get("details", {}).items():
            check, what = _DETAIL_CHECKS.get(key, (lambda v: True, ""))
            if value is not None and not check(value):
                raise fail(path, f"event {doc_id} ({quote(doc['kind'], 20)}, {doc['date']}) "
                                    f"has a {key} that is not {what}")
    for doc_id, doc in data.get("profile", {}).items():
        if not isinstance(doc.get("patient"), str):
            raise fail(path, f"profile {doc_id} names no person")
        for key, value in doc.items():
            check, what = _PROFILE_CHECKS.get(key, (lambda v: True, ""))
            if value is not None and not check(value):
                raise fail(path, f"the profile of {doc['patient']} has a {key} that is not "
                                    f"{what}" + (f" (from {FIRST_YEAR})" if "date" in what else ""))
    for doc_id, doc in data.get("questions", {}).items():
        if (not isinstance(doc.get("patient"), str) or not _day(doc.get("date"))
                or not isinstance(doc.get("question"), str)):
            raise fail(path, f"question {doc_id} lacks a person, a valid date or its text")


def empty_data() -> dict:
    data = {name: {} for name in TABLES}
    data["meta"] = {"1": {"app": "pumpjournal", "schema": SCHEMA_VERSION}}
    return data


def write_file(path: Path, payload: bytes) -> None:
    """Replace the journal with ``payload`` atomically: old or new content, never a mix."""
    try:
        with atomic_writer(path) as handle:
            handle.write(payload)
    except OSError as exc:
        raise JournalError(f"could not write the journal {path}: {reason(exc)}. "
                           "The journal was left as it was.") from None


class View:
    """One loaded state of the journal, with queries and (inside a transaction) changes."""

    def __init__(self, data: dict):
        self.storage = MemoryStorage(data)
        self.db = TinyDB(storage=lambda: self.storage)  # one storage, no file handle
        self.entries_table = self.db.table("entries", cache_size=0)
        self.events_table = self.db.table("events", cache_size=0)
        self.profile_table = self.db.table("profile", cache_size=0)
        self.questions_table = self.db.table("questions", cache_size=0)
        self.schema_read = SCHEMA_VERSION  # the schema of the file it was read from
        # the person a study participant's journal belongs to (None: an ordinary journal,
        # whose people are the ones it holds); queries.choose_patient answers with it
        self.owner: str | None = None
        # The stored entries known to be sound, by id(): those read from a checked (or sealed)
        # file and those stored by this view's own methods, which validate what they store.
        # A write checks every other entry first (see ``check_before_write``).
        self.trusted: dict[int, dict] = {}

    def trust(self, doc_ids) -> None:
        table = self.documents("entries")
        self.trusted.update((id(doc), doc) for doc in map(table.get, map(str, doc_ids))
                            if doc is not None)

    def check_before_write(self, path: Path) -> None:
        """The records this write would store, checked as a read checks them: the entries
        not known to be sound (a library user's own table writes) and the small tables. A
        record of the wrong kind is refused here, so a sealed journal is a checked one."""
        entries = self.documents("entries")
        fresh = {key: doc for key, doc in entries.items() if self.trusted.get(id(doc)) is not doc}
        check_records(path, {**self.storage.data, "entries": fresh}, _refused)

    # queries
    def patients(self) -> list[str]:
        people = {doc["patient"] for doc in self.documents("entries").values()}
        people |= {doc["patient"] for doc in self.profile_table}
        people |= {doc["patient"] for doc in self.events_table}
        return sorted(people)

    def documents(self, table: str) -> dict:
        """The stored documents of ``table`` by doc id (a string), as TinyDB keeps them in this
        view's storage: the one way past TinyDB's Table, for bulk reads only; never change
        them (writes go through the tables). On a 100,000-row cohort (the size
        benchmarks/cohort.py imports) reading them takes about 0.2 s, against 0.3 s for
        ``Table.all()``, which wraps each one in a new Document."""
        return self.storage.data.get(table, {})

    def raw_entries(self):
        """(doc id, stored document) pairs for bulk reads (see ``documents``)."""
        for doc_id, doc in self.documents("entries").items():
            yield int(doc_id), doc

    def entries(self, patient: str | None = None, since: date | None = None,
                until: date | None = None) -> list[Entry]:
        """Entries in the range (inclusive), newest first."""
        low = since.isoformat() if since else ""
        high = until.isoformat() if until else "9999"
        found = [Entry.from_doc(doc) for doc in self.documents("entries").values()
                 if (patient is None or doc["patient"] == patient)
                 and low <= doc["date"] <= high]
        found.sort(key=lambda e: (e.date, e.patient), reverse=True)
        return found

    def _find(self, patient: str, day: str) -> tuple[int, dict] | None:
        """The stored (id, document) of a person's day; one scan, no copies (the documents
        themselves, not ``raw_entries``: a 10-year journal is scanned a few times a `log`)."""
        return next(((int(doc_id), doc) for doc_id, doc in self.documents("entries").items()
                     if doc["date"] == day and doc["patient"] == patient), None)

    def entry(self, patient: str, day: date) -> Entry | None:
        found = self._find(patient, day.isoformat())
        return Entry.from_doc(found[1]) if found else None

    def profile(self, patient: str) -> dict:
        doc = self.profile_table.get(where("patient") == patient)
        return {k: v for k, v in (doc or {}).items() if k != "patient"}

    def events(self, patient: str | None = None, kinds: tuple[str, ...] = (),
               since: date | None = None, until: date | None = None) -> list[Event]:
        """Events (of these kinds) dated in the range (inclusive), oldest first."""
        low = since.isoformat() if since else ""
        high = until.isoformat() if until else "9999"
        found = [Event(doc["patient"], doc["kind"], doc["date"], doc.get("details", {}),
                       doc.doc_id)
                 for doc in self.events_table
                 if (patient is None or doc["patient"] == patient)
                 and (not kinds or doc["kind"] in kinds) and low <= str(doc["date"]) <= high]
        found.sort(key=lambda e: (e.date, e.id))
        return found

    def questions(self, patient: str) -> list[dict]:
        """Questions for the next visit asked with `ask` (entries hold their own)."""
        return sorted(({"date": d["date"], "question": d["question"]}
                       for d in self.questions_table if d["patient"] == patient),
                      key=lambda q: q["date"])

    # changes
    def add_question(self, patient: str, day: date, text: str) -> None:
        """A question for the next visit, checked as `pumpjournal ask` checks it."""
        self.questions_table.insert({"patient": patient, "date": day.isoformat(),
                                     "question": model.parse_question(text)})

    def save_entry(self, entry: Entry) -> None:
        """Store the entry as the person's only one that day (a new one, or in place)."""
        doc = entry.to_doc()
        found = self._find(entry.patient, entry.date)
        if found is None:
            self.trust([self.entries_table.insert(doc)])
        else:
            def replace(stored: dict) -> None:
                stored.clear()
                stored.update(doc)

            self.entries_table.update(replace, doc_ids=[found[0]])
            self.trust([found[0]])

    def write_entries(self, docs: list[dict], replace: list[int] = ()) -> None:
        """A batch of entries (an import) as one change: remove the entries ``replace`` names
        by doc id, then insert ``docs``, stored entry documents already checked row by row
        (``transfer.RowParser``). The transaction then writes the journal once for all of
        them: TinyDB's ``insert_multiple``, never one rewrite per row."""
        if replace:
            self.entries_table.remove(doc_ids=list(replace))
        self.trust(self.entries_table.insert_multiple(docs))

    def log(self, patient: str, day: date, values: dict, stamp: str, at: str | None = None):
        """Add a reading to the person's day, or update the one at the same time: (entry,
        changes, created). See ``add_reading``."""
        return self.add_reading(patient, day, values, stamp, at)[:3]

    def add_reading(self, patient: str, day: date, values: dict, stamp: str,
                    at: str | None = None):
        """Log validated values for a person's day: (entry, changes, created, reading, added).

        The reading fields make a reading at ``at`` (``HH:MM``, or ``none``: time not
        recorded), by default at the current minute for today and untimed for an earlier
        day; a reading already at that time is updated. The day's own fields (the 24-hour
        scores, sleep, mood, questions) change the day; given alone they add no reading. A
        new day needs pain now. ``contacted`` given alone goes to the day's latest reading."""
        existing = self.entry(patient, day)
        slot = dates.reading_slot(day, at)
        if existing is None:
            entry = model.new_entry(patient, day, values, stamp, slot)
            self.save_entry(entry)
            return entry, [], True, entry.readings[0], True
        if at is None and values.keys() == {"contacted"}:
            last = existing.readings[-1]
            slot = (last.time, last.utc_offset)
        entry, changes, reading, added = model.change_day(existing, values, stamp, slot)
        if changes or added:
            self.save_entry(entry)
        return entry, changes, False, reading, added

    def edit(self, patient: str, day: date, values: dict, stamp: str,
             remove: tuple[str, ...] = (), clear: tuple[str, ...] = (), at: str | None = None):
        """Change a day: the reading ``at`` names (``HH:MM``, or ``none`` for the one without a
        time), else the day's own fields and its only reading. (entry, changes)."""
        model.require_change(values, remove, clear)
        existing = self.require_entry(patient, day)
        if at is None:
            entry, changes = model.merge(existing, values, stamp, remove=remove, clear=clear)
        else:
            time = dates.parse_time(at)
            entry, changes, _, _ = model.change_day(existing, values, stamp, (time, None),
                                                    remove=remove, clear=clear, create=False)
        if changes:
            self.save_entry(entry)
        return entry, changes

    def delete_entry(self, patient: str, day: date) -> Entry:
        entry = self.require_entry(patient, day)
        self.entries_table.remove(doc_ids=[self._find(patient, day.isoformat())[0]])
        return entry

    def delete_reading(self, patient: str, day: date, at: str, stamp: str):
        """Remove the reading ``at`` names: (the day as it was, the reading, the day now or
        None when it was the day's only reading and the day went with it)."""
        entry = self.require_entry(patient, day)
        time = dates.parse_time(at)
        reading = entry.reading_at(time)
        if reading is None:
            raise InputError(f"there is no reading at {time or 'time not recorded'} on "
                             f"{day.isoformat()}; its readings: {entry.times()}.")
        if len(entry.readings) == 1:
            self.delete_entry(patient, day)
            return entry, reading, None
        left = model.Entry.from_doc(entry.to_doc())
        left.readings = [r for r in left.readings if r.time != reading.time]
        left.updated_at = stamp
        model.derive(left)
        if left.pain is None:
            raise InputError(f"the reading {reading.phrase} holds the day's only pain score; "
                             f"delete the whole day with `pumpjournal delete {day.isoformat()}`, "
                             "or give another reading its pain first.")
        self.save_entry(left)
        return entry, reading, left

    def require_entry(self, patient: str, day: date) -> Entry:
        entry = self.entry(patient, day)
        if entry is None:
            raise InputError(f"there is no entry on {day.isoformat()} for '{patient}'; "
                             "`pumpjournal list` shows the days logged, and `pumpjournal log "
                             f"--date {day.isoformat()}` logs that day.")
        return entry

    def set_profile(self, patient: str, values: dict, clear=(), today: date | None = None
                    ) -> dict:
        """Merge ``values`` into the person's profile; a value of None (or a field named in
        ``clear``) removes that fact. Every value is checked as `pumpjournal profile` checks
        it (``model.validate_profile``): a bad one is an InputError and nothing changes."""
        current = self.profile(patient)
        values = model.validate_profile(values, today or date.today(), current, clear)
        for key, value in values.items():
            if value is None:
                current.pop(key, None)
            else:
                current[key] = value
        self.profile_table.remove(where("patient") == patient)
        self.profile_table.insert({"patient": patient, **current})
        return current

    def add_event(self, event: Event) -> Event:
        """Store the event under a new id: higher than any id this journal ever gave, so an id
        from an earlier `event list` never names a different event (the last id given is kept
        in the meta table)."""
        from tinydb.table import Document

        meta = self.db.table("meta", cache_size=0)
        last = (meta.get(doc_id=1) or {}).get("last_event_id", 0)
        event.id = max([last, *(int(k) for k in self.documents("events"))]) + 1
        self.events_table.insert(Document({"patient": event.patient, "kind": event.kind,
                                           "date": event.date, "details": event.details},
                                          doc_id=event.id))
        if meta.contains(doc_id=1):
            meta.update({"last_event_id": event.id}, doc_ids=[1])
        else:
            meta.insert(Document({"last_event_id": event.id}, doc_id=1))
        return event

    def delete_event(self, patient: str, event_id: int) -> Event:
        match = [e for e in self.events(patient) if e.id == event_id]
        if not match:
            raise InputError(f"there is no event with id {event_id} for '{patient}'; "
                             "`pumpjournal event list` shows the ids.")
        self.events_table.remove(doc_ids=[event_id])
        return match[0]


BACKUPS_KEPT = 5
_STAMP = r"\d{4}-\d\d-\d\dT\d{6}(?:\.\d{6})?"


class Journal:
    """A journal file. ``Journal(path).read()`` for queries, ``with journal.transaction()``
    to change it (locked, written once, atomically). ``passphrase`` opens an encrypted one.

    ``path`` is the path as given; ``real_path`` the file it resolves to (through symbolic
    links), which is the one written, locked and backed up."""

    def __init__(self, path: str | os.PathLike, lock_timeout: float | None = None,
                 passphrase: str | None = None, require_encrypted: bool = False):
        self.path = Path(path).expanduser()
        self.lock_timeout = None if lock_timeout is None else lock_wait(lock_timeout)
        self.passphrase = passphrase
        # a plain journal is refused when this is set (the CLI sets it when
        # PUMPJOURNAL_PASSPHRASE is), as it is at a path remembered as encrypted
        self.require_encrypted = require_encrypted

    def must_be_encrypted(self) -> bool:
        from . import remembered

        return self.require_encrypted or remembered.is_encrypted(self.path)

    def _refuse_plain(self) -> JournalError:
        from . import remembered

        if remembered.is_encrypted(self.path):
            where = (f"the backups folder beside the encrypted journal (this path is a link "
                     f"and now leads to {self.real_path})" if self.path.is_symlink()
                     else str(self.backup_folder))
            return JournalError(
                f"the journal {self.path} was encrypted, but the file there now is plain text: "
                "someone or something replaced it. It was not read. Restore an "
                f"encrypted copy from {where}; if you put this plain file there on "
                "purpose, encrypt it with `pumpjournal init --encrypt`, or turn encryption off "
                "for this journal with `pumpjournal init --decrypt`.")
        return JournalError(
            f"the journal {self.path} is not encrypted, but PUMPJOURNAL_PASSPHRASE is set. "
            "It was not read. Encrypt it with `pumpjournal init --encrypt`, or "
            "unset PUMPJOURNAL_PASSPHRASE to use it as a plain journal.")

    def _new_payload(self, plain: bytes | None) -> bytes | None:
        """The first contents of a journal that does not exist yet: encrypted when it must be
        (a passphrase is needed then), else plain. With None, only check that it can be."""
        from .crypto import check_passphrase, encrypt

        if not self.must_be_encrypted():
            return plain
        if not self.passphrase:
            raise JournalError(
                f"there is no journal at {self.path}, and pumpjournal remembers that the journal "
                "there was encrypted; a new one is made encrypted only. "
                f"Restore a copy from {self.backup_folder}, set PUMPJOURNAL_PASSPHRASE to start "
                "a new encrypted journal, or run `pumpjournal init --decrypt` to stop expecting "
                "encryption there.")
        check_passphrase(self.passphrase)
        return None if plain is None else encrypt(plain, self.passphrase, path=self.path)

    def _remember(self) -> None:
        """Note that this journal is encrypted (best effort on reads: the file is the proof)."""
        from . import remembered

        try:
            if not remembered.fully_remembered(self.path):
                remembered.remember(self.path)
        except JournalError:
            pass

    @property
    def real_path(self) -> Path:
        """The journal file itself: ``path`` with every symbolic link resolved."""
        return Path(os.path.realpath(self.path))

    @property
    def lock_path(self) -> Path:
        """``<journal>.lock`` beside the journal file (a very long name shortened, with a
        hash, to stay within the file system's limit)."""
        from .files import _temp_stem

        real = self.real_path
        long = len(real.name.encode("utf-8", "surrogateescape")) > 250
        return real.with_name((_temp_stem(real.name) if long else real.name) + ".lock")

    @property
    def exists(self) -> bool:
        return self.path.exists()

    @property
    def encrypted(self) -> bool:

        try:
            return read_regular(self.path, len(MAGIC)) == MAGIC
        except (OSError, InputError):
            return False

    def exposed(self) -> bool:
        """True when people other than the owner can read the journal file."""
        try:
            mode = self.path.stat().st_mode
            return os.name != "nt" and stat.S_ISREG(mode) and bool(mode & 0o077)
        except OSError:
            return False

    def open_folders(self) -> list[Path]:
        """The journal's folder and its backups folder, where others can write (they could
        plant links or swap the journal there)."""
        folders = dict.fromkeys([self.path.expanduser().absolute().parent,  # a link's folder
                                 self.real_path.parent, self.backup_folder])
        return [folder for folder in folders if others_can_write(folder)]

    def decode(self, raw: bytes | None) -> View:
        """A view of the journal's contents (``raw``; None: no journal yet), brought to this
        schema in memory: it is written in it only with the first change."""
        from .crypto import decrypt, is_encrypted

        if raw is None:
            return View(empty_data())
        if is_encrypted(raw):
            raw = decrypt(raw, self.passphrase, self.path)
            data, version = load(self.path, raw)
            self._remember()
        elif self.must_be_encrypted():
            raise self._refuse_plain()
        else:
            data, version = load(self.path, raw)
        view = View(data)
        view.schema_read = version
        view.trusted = {id(doc): doc for doc in data.get("entries", {}).values()}  # checked
        return view

    def encode(self, data: dict, previous: bytes | None) -> bytes:
        from .crypto import encrypt, is_encrypted

        plain = dump(data)
        if previous is None:
            return self._new_payload(plain)
        if is_encrypted(previous):
            return encrypt(plain, self.passphrase, previous, self.path)
        return plain

    def read(self) -> View:
        return self.decode(read_raw(self.path))

    @contextmanager
    def locked(self) -> Iterator[Path]:
        """Hold the journal's lock; yield the journal file's own path. Temporary copies that
        an interrupted write left behind are removed first: they are only ever made under this
        lock, so any there now are stale."""
        with FileLock(self.lock_path, lock_wait(self.lock_timeout)):
            remove_files(self.stale_files())
            yield self.real_path

    @contextmanager
    def transaction(self, backup: str | None = None) -> Iterator[View]:
        """Lock, load, yield the view, and write it once if it changed. With ``backup`` (a
        reason such as "import"), a copy of the old journal is kept first."""
        self._check_new()
        with self.locked() as real:
            raw = read_raw(real)
            if raw is None:
                self._new_payload(None)  # refuse a plain journal where one must be encrypted
            view = self.decode(raw)
            yield view
            if view.storage.changed:
                view.check_before_write(self.path)
                if raw is not None and view.schema_read < SCHEMA_VERSION:
                    self.keep_backup(raw, "migrate")  # the old format, kept as it was
                if backup and raw is not None:
                    self.keep_backup(raw, backup)
                payload = self.encode(view.storage.data, raw)
                write_file(real, payload)
                if raw is None and payload.startswith(MAGIC):
                    self._remember()
                self.after_write(real, view, payload)

    def after_write(self, real: Path, view: View, payload: bytes) -> None:
        """Called under the lock once a transaction has written the journal (``real``, now
        holding ``payload``). Nothing here; a study's participant keeps its cohort summary
        up to date (``study.Participant``)."""

    def _check_new(self) -> None:
        """A journal that does not exist yet and cannot be made (no passphrase where it must be
        encrypted, a short one) is refused before any folder or lock file is made."""
        if not os.path.lexists(self.path):
            self._new_payload(None)

    def stale_files(self) -> list[Path]:
        """Temporary copies of the journal or of its backups left by an interrupted write."""
        real = self.real_path
        found = temp_files(real.parent, [real.name])
        own = self._backup_name()

        def own_temp(name: str) -> bool:
            match = re.fullmatch(r"\.(.+)\.\d+(?:\.[0-9a-f]{12})?\.tmp", name)
            return bool(match and own.fullmatch(match[1]))

        return found + temp_files(self.backup_folder, match=own_temp)

    def own_files(self, target: Path | None = None) -> list[tuple[Path, str]]:
        """The journal's own files, which no report, export or rejects file may replace, even
        with --force: the journal (by any path) and its lock, as (path, what it is). A
        ``target`` in the backups folder is refused outright (InputError)."""
        if target is not None and os.path.realpath(target.parent) == os.path.realpath(
                self.backup_folder):
            raise InputError(f"{target} is in the journal's backups folder; choose another "
                             "file name.")
        return [(self.path, "the journal"), (self.real_path, "the journal"),
                (self.lock_path, "the journal's lock file")]

    @property
    def backup_folder(self) -> Path:
        return self.real_path.parent / "backups"

    def _backup_name(self) -> re.Pattern:
        """This journal's backup names, and no other's: ``<stem>.<sequence>.<UTC time>Z.
        <reason><suffix>`` (and the older ``<stem>.<local time>.<reason><suffix>``)."""
        real = self.real_path
        return re.compile(rf"{re.escape(_stem(real))}\.(?:(?P<seq>\d{{6,}})\.{_STAMP}Z|"
                          rf"(?P<old>{_STAMP}))\.(?P<reason>[a-z]+){re.escape(real.suffix)}")

    def backups(self, reason: str | None = None) -> list[Path]:
        """This journal's backup copies, oldest first (by their sequence number, whatever the
        clock said), optionally only those kept for ``reason``."""
        pattern = self._backup_name()
        found = []
        try:
            names = [e.name for e in os.scandir(self.backup_folder) if e.is_file(
                follow_symlinks=False)]
        except OSError:
            return []
        for name in names:
            match = pattern.fullmatch(name)
            if match and (reason is None or match["reason"] == reason):
                found.append((int(match["seq"] or 0), match["old"] or "", name))
        return [self.backup_folder / name for *_, name in sorted(found)]

    def keep_backup(self, raw: bytes, reason: str) -> Path:
        """A copy in backups/ next to the journal (0600, created new, never through a link);
        the last few per reason are kept. Names carry a sequence number and the UTC time, so
        they sort in the order they were made whatever the clock or time zone did. Called
        under the journal's lock (``transaction``, ``backup``), like every write of its files."""
        folder = self.backup_folder
        if folder.is_symlink():
            raise JournalError(f"the backups folder {folder} is a symbolic link; pumpjournal "
                               "does not follow it, so no copy was made. Make it a "
                               "real folder.")
        if folder.exists() and not folder.is_dir():
            raise JournalError(f"{folder} is not a folder, so no backup copy was made.")
        pattern = self._backup_name()
        real = self.real_path
        last = max((int(m["seq"] or 0) for m in map(pattern.fullmatch, _names(folder)) if m),
                   default=0)
        now = utc_now().astimezone(timezone.utc).replace(tzinfo=None)
        stamp = now.isoformat(timespec="microseconds").replace(":", "") + "Z"  # 4-digit year
        for seq in range(last + 1, last + 100):
            target = folder / f"{_stem(real)}.{seq:06d}.{stamp}.{reason}{real.suffix}"
            try:
                with atomic_writer(target, replace=False, follow_folder=False) as handle:
                    handle.write(raw)
                break
            except FileExistsError:
                continue
            except InputError as exc:
                raise JournalError(f"no backup copy was made: {exc}") from None
            except OSError as exc:
                raise JournalError(f"could not write the backup copy {target}: "
                                   f"{why(exc)}.") from None
        else:  # pragma: no cover - a hundred names taken at once
            raise JournalError(f"could not name a new backup copy in {folder}.")
        kept = self.backups(reason)
        remove_files(p for p in kept[:-BACKUPS_KEPT] if p != target)
        return target

    def backup(self) -> Path:
        """Keep a copy of the journal as it is now (the last few manual copies are kept)."""
        if read_raw(self.path) is None:  # no lock file (or folder) made for nothing
            raise InputError(f"there is no journal at {self.path} to back up yet.")
        with self.locked() as real:
            raw = read_raw(real)
            if raw is None:
                raise InputError(f"there is no journal at {self.path} to back up yet.")
            return self.keep_backup(raw, "manual")

    def create(self) -> bool:
        """Write an empty journal if there is none; False when one exists already."""
        self._check_new()
        with self.locked() as real:
            if real.exists():
                if not stat.S_ISREG(os.stat(real).st_mode):
                    read_raw(real)  # a folder, pipe or device: refused, never read
                return False
            payload = self._new_payload(dump(empty_data()))
            write_file(real, payload)
            if payload.startswith(MAGIC):
                self._remember()
            return True

    def encrypt(self, passphrase: str) -> None:
        """Encrypt the journal (a new one if it does not exist) with ``passphrase``, and
        remember that it is encrypted; plain temporary copies left by interrupted writes are
        removed under the lock first."""
        from . import remembered
        from .crypto import check_passphrase, encrypt, is_encrypted

        check_passphrase(passphrase)
        with self.locked() as real:
            raw = read_raw(real)
            if raw is not None and is_encrypted(raw):
                raise InputError(f"the journal {self.path} is encrypted already.")
            data = empty_data() if raw is None else check_shape(self.path, raw)
            self.passphrase = passphrase
            payload = encrypt(dump(data), passphrase, path=self.path)
            known = remembered.is_encrypted(self.path)
            remembered.remember(self.path)  # first: a plain file is never left unguarded
            try:
                write_file(real, payload)
            except JournalError:
                if not known:
                    remembered.forget(self.path)
                raise

    def decrypt(self) -> str:
        """Turn encryption off on purpose: write the journal as plain text and forget that it
        was encrypted. Returns "decrypted", or "forgotten" when the file was plain already or
        missing (only the record changed)."""
        from . import remembered
        from .crypto import decrypt, is_encrypted

        with self.locked() as real:
            raw = read_raw(real)
            if raw is None or not is_encrypted(raw):
                if not remembered.is_encrypted(self.path):
                    raise InputError(f"the journal {self.path} is not encrypted"
                                     + (" (there is no journal there)." if raw is None else "."))
                if raw is not None:
                    check_shape(self.path, raw)
                remembered.forget(self.path)
                return "forgotten"
            plain = decrypt(raw, self.passphrase, self.path)
            check_shape(self.path, plain)
            write_file(real, plain)
            remembered.forget(self.path)
            return "decrypted"

    # Conveniences for library use: each reads the file once.
    def entries(self, patient: str | None = None, since: date | str | None = None,
                until: date | str | None = None) -> list[Entry]:
        """Entries newest first; ``since``/``until`` are dates or ISO strings (inclusive)."""
        def day(value):
            return date.fromisoformat(value) if isinstance(value, str) else value

        return self.read().entries(patient, day(since), day(until))

    def patients(self) -> list[str]:
        return self.read().patients()

    def import_rows(self, rows, *, patient: str | None = None, **options):
        """Import rows as `pumpjournal import` does (``transfer.import_into``): checked
        without the lock, then merged into the journal as it is then and written once, after
        a backup copy. Returns the ImportResult; bad rows are in its ``errors``."""
        from .transfer import import_into

        return import_into(self, rows, patient=patient, **options)


def _stem(path: Path) -> str:
    """The journal's name in its backup names: a very long one shortened (with a hash, so two
    long names stay apart) to leave room for the sequence number and time."""
    from .files import _temp_stem

    name = path.stem
    return name if len(name.encode("utf-8", "surrogateescape")) <= 150 else _temp_stem(name)


def utc_now() -> datetime:
    """The time in backup names (UTC: no time zone or clock change moves it)."""
    return datetime.now(timezone.utc)


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


why = reason  # keep_backup's argument is called reason
