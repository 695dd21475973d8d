"""Check a journal: it parses, its schema is known, every record is valid, no duplicates."""

from __future__ import annotations

from datetime import date

from . import model
from .store import SCHEMA_VERSION
from .errors import InputError, PumpjournalError
from .escape import quote, shorten
from .words import plural


def check(journal, today: date, tally: dict | None = None) -> tuple[list[str], list[str]]:
    """(problems, notes). No problems means the journal is sound. With ``tally`` (a study's
    participant), the counts are added to it and only the notes out of the ordinary are
    returned (an old schema, temporary copies left behind), and the folders are not checked
    (the study's check does that once)."""
    problems: list[str] = []
    notes: list[str] = []
    if not journal.exists:
        return [f"there is no journal at {journal.path}"], notes
    try:
        view = journal.read()
    except PumpjournalError as exc:
        return [str(exc)], _stale(journal)
    if journal.exposed():
        problems.append(f"the journal can be read by other users; fix with: chmod 600 "
                        f"{journal.path}")
    for folder in journal.open_folders() if tally is None else ():
        problems.append(f"other users can write to the folder {folder}; fix with: chmod go-w "
                        f"{folder}")
    seen: dict[tuple[str, str], int] = {}
    count = 0
    for doc_id, doc in view.raw_entries():
        count += 1
        where = (f"entry {doc_id} ({shorten(doc.get('patient'), 30)}, "
                 f"{shorten(doc.get('date'), 30)})")
        try:
            _check_entry(doc, today)
        except (InputError, KeyError, TypeError, ValueError) as exc:
            problems.append(f"{where}: {str(exc).rstrip('.')}")
        key = (doc.get("patient"), doc.get("date"))
        if key in seen:
            problems.append(f"{where}: a second entry for the same person and day "
                            f"(entry {seen[key]})")
        seen[key] = doc_id
    if view.schema_read < SCHEMA_VERSION:
        notes.append(f"schema {view.schema_read}: read as schema {SCHEMA_VERSION} (a day holds "
                     "readings); the next change writes it in schema "
                     f"{SCHEMA_VERSION}, after a backup copy.")
    else:
        notes.append(f"schema {SCHEMA_VERSION}.")
    for event in view.events():
        if event.kind not in model.EVENT_KINDS:
            problems.append(f"event {event.id}: unknown kind {quote(event.kind, 30)}")
        try:
            date.fromisoformat(event.date)
        except (TypeError, ValueError):
            problems.append(f"event {event.id}: date {quote(event.date, 30)} is not YYYY-MM-DD")
    people = view.patients()
    for who in people:
        problems += _profile_problems(who, view.profile(who), today)
    events = len(view.events())
    if tally is not None:
        for key, n in (("entries", count), ("events", events), ("encrypted", journal.encrypted),
                       ("backups", len(journal.backups()))):
            tally[key] = tally.get(key, 0) + n
        old = notes if view.schema_read < SCHEMA_VERSION else []  # the schema note if old
        return problems, old + _stale(journal)
    notes.append(f"{plural(count, 'entry', 'entries')}, {plural(events, 'event')}, "
                 f"{plural(len(people), 'person', 'people')}; "
                 f"{'encrypted' if journal.encrypted else 'not encrypted'}.")
    backups = journal.backups()
    notes.append(f"{plural(len(backups), 'backup copy', 'backup copies')} of this "
                 f"journal in {journal.backup_folder}" if backups else
                 "no backup copies yet (`pumpjournal backup` makes one).")
    return problems, notes + _stale(journal)


def _stale(journal) -> list[str]:
    """A note on the temporary copies interrupted writes left behind, if there are any."""
    stale = journal.stale_files()
    if not stale:
        return []
    size = sum(_size(p) for p in stale)
    return [f"{plural(len(stale), 'temporary copy', 'temporary copies')} of the journal "
            f"left by an interrupted write ({_megabytes(size)}): "
            f"{', '.join(str(p) for p in stale[:5])}{' ...' if len(stale) > 5 else ''}; the "
            "next change to the journal removes them, or delete them."]


def _check_entry(doc: dict, today: date) -> None:
    model.parse_patient(doc["patient"])
    day = date.fromisoformat(doc["date"])
    if day > today:
        raise InputError(f"the date {day} is in the future")
    checked = model.validate_fields({key: doc[key] for key in model.DAY_VALUES
                                     if doc.get(key) is not None})
    model.check_scores(checked.get("worst"), checked.get("least"), checked.get("average"))
    several = len(doc["readings"]) > 1
    for reading in doc["readings"]:
        try:
            _check_reading(reading)
        except InputError as exc:
            if not several:
                raise
            raise InputError(f"the reading at {reading.get('time') or 'time not recorded'}: "
                             f"{exc}") from None


def _check_reading(reading: dict) -> None:
    values = {key: reading[key] for key in ("pain", "boluses", "note", "temperature_site")
              if reading.get(key) is not None}
    values["symptoms"] = reading.get("symptoms") or []
    checked = model.validate_fields(values)
    if reading.get("temperature_c") is not None:
        model.parse_temperature(f"{reading['temperature_c']} C")
    if checked["symptoms"] != list(reading.get("symptoms") or []):
        raise InputError("its symptom list is not in catalogue order or has repeats")


def _profile_problems(who: str, facts: dict, today: date) -> list[str]:
    """Stored profile values the profile command would refuse, by field (the values are not
    quoted: they can be free text)."""
    problems = []
    for key, value in facts.items():
        if key in ("fever_threshold_set_by", "fever_threshold_set_on"):
            continue  # checked with the fever line
        raw = {key: value}
        if key == "fever_threshold_c":
            raw.update((k, facts.get(k)) for k in ("fever_threshold_set_by",
                                                   "fever_threshold_set_on"))
        word = model.PROFILE_FIELDS.get(key)
        if word is None:
            continue  # a field this version does not know is left alone
        try:  # sound: accepted, and stored in the form the checks store it
            sound = model.validate_profile(raw, today).get(key) == value
        except InputError:
            sound = False
        if not sound:
            problems.append(f"profile of {shorten(who, 30)}: the {word} is not a value "
                            "pumpjournal accepts; set it again with `pumpjournal profile` or "
                            f"remove it with `pumpjournal profile --clear {key}`")
    return problems


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{max(1, round(size / 1000))} KB"


def _size(path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def check_study(folder, passphrase: str | None, today: date) -> tuple[list[str], list[str]]:
    """(problems, notes) of a study folder: its study file, every participant's journal (as
    ``check`` checks a journal, one loaded at a time), ids that would clash, files that are not
    participants' journals, and imports interrupted part-way. The participants' cohort
    summaries are worked out again from their journals (they are a cache, never a journal)."""
    from .study import Study, id_problem, started_text

    try:
        study = Study(folder, passphrase=passphrase)
    except PumpjournalError as exc:
        return [str(exc)], []
    problems: list[str] = []
    notes = [f"study file {study.file}: schema {study.info['schema']}, made "
             f"{shorten(study.info.get('created'), 20)}; "
             f"{'encrypted' if study.encrypted else 'not encrypted'}."]
    for folder_open in study.open_folders():
        problems.append(f"other users can write to the folder {folder_open}; fix with: chmod "
                        f"go-w {folder_open}")
    people = study.participants()
    tally: dict = {}
    for pid in people:
        why = id_problem(pid, people)
        if why:
            problems.append(f"{pid}: the participant id {why}; rename the file and the records "
                            "in it (or import its export under another id)")
        try:
            journal = study.participant(pid)
        except PumpjournalError as exc:
            problems.append(str(exc))
            break
        found, more = check(journal, today, tally)
        problems += [f"{pid}: {p}" for p in found]
        notes += [f"{pid}: {n}" for n in more]
    for name in study.strays():
        problems.append(f"{name} is in the study folder but is not a participant's journal "
                        "(those are named <id>.json); move it out of the folder")
    for record in study.imports():
        when = started_text(record["started"])
        if record["damaged"]:
            problems.append(f"the import record {record['path']} cannot be read; delete it "
                            "when no import is running")
        elif record["running"]:
            notes.append(f"an import of {record['source']} started {when} is running: "
                         f"{record['written']} of {record['participants']} participants "
                         "written so far.")
        else:
            problems.append(f"an import of {record['source']} started {when} was interrupted: "
                            f"{record['written']} of {record['participants']} participants "
                            "written; run it again with --on-conflict skip to complete it "
                            f"(its record {record['path']} goes when it completes; delete it "
                            "if you will not)")
    for folder_left in study.leftovers():
        notes.append(f"an import that stopped left its staged journals in {folder_left} (they "
                     "were never put in place); the next import removes them, or delete it.")
    notes.append(f"{plural(len(people), 'participant')}; "
                 f"{plural(tally.get('entries', 0), 'entry', 'entries')}, "
                 f"{plural(tally.get('events', 0), 'event')}; "
                 f"{plural(tally.get('encrypted', 0), 'journal')} encrypted; "
                 f"{plural(tally.get('backups', 0), 'backup copy', 'backup copies')} in "
                 f"{study.folder / 'backups'}.")
    try:
        kept = study.rebuild_summaries(today)
        notes.append(f"cohort summaries worked out again for {plural(kept, 'participant')}."
                     if not study.encrypted else
                     "no cohort summaries are kept: the study is encrypted.")
    except PumpjournalError:
        notes.append("the cohort summaries were not all worked out again: a journal cannot "
                     "be read.")
    return problems, notes
