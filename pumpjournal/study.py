"""A study folder: one journal per participant, beside a small study file.

::

    DIR/study.json           {"app": "pumpjournal", "kind": "study", "schema": 2,
                              "created": "YYYY-MM-DD", "settings": {"encrypted": false}}
    DIR/<id>.json            the participant's journal: an ordinary journal holding that person
    DIR/<id>.json.lock       its lock
    DIR/backups/             every participant's backup copies (named apart by the journal's
                             own backup names)
    DIR/.cohort/<id>.json    the participant's `cohort` row, kept up to date by each write
    DIR/.import-<when>-<pid>.*   an import under way: its record (.json), lock and staged files

A command about one person reads (and locks, and rewrites) only that person's file, so its cost
does not grow with the study. Commands over everyone (cohort, export, backup, doctor) go through
the participants one at a time, so memory is bounded by the largest participant, not the study.

An import checks every row before anything is written, without holding any lock: the rows are
grouped by participant, each group is imported (``transfer.import_rows``) into a copy of that
participant's journal as it is now, and the result is staged in a file of its own. Only when
every group passed are the staged journals put in place, each under its own participant's lock
with an atomic rename, after a backup copy; a journal that changed since it was checked is
imported again under its lock. The import's record (``.import-*.json``) says which participants
are written, so a crash part-way leaves every journal old or new, and `doctor` names the import.
"""

from __future__ import annotations

import os
import re
import stat
from contextlib import ExitStack, contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

import orjson

from . import model
from .errors import InputError, JournalCorrupt, JournalError, NotWritten, PumpjournalError
from .escape import quote, shorten
from .files import atomic_writer, make_folder, others_can_write, read_regular, reason
from .lock import FileLock, lock_wait
from .store import SCHEMA_VERSION, Journal, View, corrupt, empty_data, read_raw

STUDY_FILE = "study.json"
SUMMARIES = ".cohort"
IMPORT_PREFIX = ".import-"
WORKERS = max(2, min(4, os.cpu_count() or 2))  # threads that write participants' journals
# processes that check a large import's rows (the parent is one of them), from this many rows
PROCESSES = max(1, min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                       else os.cpu_count() or 1)) if hasattr(os, "fork") else 1
PARALLEL_ROWS = 20_000
PARALLEL_JOURNALS = 50  # a cohort reads this many journals or more in several processes
# Windows refuses these as file names, in any case and before any dot ("con.x.json")
RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                      *(f"LPT{n}" for n in range(1, 10))})
HINT = "to make a study folder: pumpjournal init --study DIR"


def is_study(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a study folder: a folder holding a study file."""
    path = Path(path).expanduser()
    return path.is_dir() and os.path.lexists(path / STUDY_FILE)


def id_problem(pid: str, known: Iterable[str] = ()) -> str | None:
    """Why ``pid`` cannot name a new participant beside the ``known`` ones (None: it can).
    Ids that would be one file on another computer are refused on every computer, since a
    study folder may be copied to macOS or Windows."""
    folded = pid.casefold()
    if folded == Path(STUDY_FILE).stem:
        return f"'{pid}' is the name of the study's own file ({STUDY_FILE})"
    if pid.split(".")[0].upper() in RESERVED:
        return (f"'{pid}' is a device name on Windows (CON, PRN, AUX, NUL, COM1-COM9, "
                "LPT1-LPT9, also before a dot), so its file could not be copied there")
    other = next((p for p in known if p != pid and p.casefold() == folded), None)
    if other is not None:
        return (f"'{pid}' differs from the participant '{other}' only in letter case; on macOS "
                "and Windows they would be one file")
    return None


def refused_id(pid: str, why: str) -> InputError:
    return InputError(f"the participant id {why}; choose another id.")


class Participant(Journal):
    """A study participant's journal: an ordinary journal that holds that person only (named
    by its file), whose first write is checked against the other participants' ids, and whose
    writes keep its cohort summary up to date."""

    def __init__(self, study: "Study", pid: str):
        super().__init__(study.path_of(pid), lock_timeout=study.lock_timeout,
                         passphrase=study.passphrase,
                         require_encrypted=study.passphrase is not None or study.encrypted)
        self.study, self.id = study, pid

    def decode(self, raw: bytes | None) -> View:
        view = super().decode(raw)
        view.owner = self.id
        if raw is not None:
            others = [p for p in view.patients() if p != self.id]
            if others and others[0].casefold() == self.id.casefold():  # macOS, Windows
                raise InputError(f"the study has no participant '{self.id}'; it has "
                                 f"'{others[0]}' (ids that differ only in letter case name "
                                 f"one file on this computer); use --patient {others[0]}.")
            if others:
                raise corrupt(self.path, f"it holds records of {quote(others[0], 30)}, not "
                                         f"of '{self.id}', whose journal its name says it is (a "
                                         "participant's journal holds that person only)")
        return view

    @contextmanager
    def transaction(self, backup: str | None = None) -> Iterator[View]:
        with ExitStack() as stack:
            if not os.path.lexists(self.path):  # a new participant: named under the study lock
                stack.enter_context(self.study.naming(self.id))
            view = stack.enter_context(super().transaction(backup))
            yield view

    def after_write(self, real: Path, view: View, payload: bytes) -> None:
        self.study.keep_summary(self.id, real, view, payload)

    def own_files(self, target: Path | None = None) -> list[tuple[Path, str]]:
        if target is not None:
            self.study.check_output(target)
        return super().own_files(target)


class Study:
    """A study folder (see the module's docstring). ``Study(folder)`` reads its study file;
    ``Study.create(folder)`` makes one."""

    def __init__(self, folder: str | os.PathLike, passphrase: str | None = None,
                 lock_timeout: float | None = None):
        self.folder = Path(folder).expanduser()
        self.passphrase = passphrase
        self.lock_timeout = lock_timeout
        self.file = self.folder / STUDY_FILE
        try:
            raw = read_regular(self.file)
        except FileNotFoundError:
            raise JournalError(f"{self.folder} is a folder without a study file ({STUDY_FILE}); "
                               f"{HINT.replace('DIR', str(self.folder))}") from None
        except (OSError, InputError) as exc:
            why = reason(exc) if isinstance(exc, OSError) else "it is not a regular file"
            raise JournalError(f"the study file {self.file} cannot be read: {why}.") from None
        self.info = self._check(raw)
        self.settings = self.info["settings"]

    def _check(self, raw: bytes) -> dict:
        def bad(why: str) -> JournalCorrupt:
            return JournalCorrupt(
                f"the study file {self.file} cannot be read: {why}. It was left untouched; "
                "put back a copy of it, or write it again as "
                f'{{"app": "pumpjournal", "kind": "study", "schema": {SCHEMA_VERSION}, '
                '"settings": {}}.')

        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise bad("it is not valid JSON") from None
        if not isinstance(data, dict) or data.get("app") != "pumpjournal" \
                or data.get("kind") != "study":
            raise bad("it is not a pumpjournal study file")
        schema = data.get("schema")
        if not isinstance(schema, int) or schema < 1:
            raise bad(f"its schema {quote(schema, 20)} is not valid")
        if schema > SCHEMA_VERSION:
            raise JournalError(f"the study {self.folder} was made by a newer pumpjournal "
                               f"(schema {schema}; this one reads up to {SCHEMA_VERSION}). It "
                               "was left untouched; upgrade pumpjournal with pip install -U "
                               "pumpjournal.")
        settings = data.get("settings", {})
        if not isinstance(settings, dict) or not isinstance(settings.get("encrypted", False),
                                                            bool):
            raise bad("its settings are not an object of known values")
        data["settings"] = settings
        return data

    @staticmethod
    def create(folder: str | os.PathLike, encrypted: bool = False,
               today: date | None = None) -> bool:
        """Make a study in ``folder`` (new or empty; made 0700); False when it is a study
        already (nothing is changed then)."""
        folder = Path(folder).expanduser()
        if is_study(folder):
            Study(folder)  # a damaged study file is said, never replaced
            return False
        if os.path.lexists(folder) and not folder.is_dir():
            raise InputError(f"{folder} is a file, not a folder; give a new or empty folder "
                             "for the study.")
        if folder.is_dir():
            try:
                with os.scandir(folder) as entries:
                    if next(entries, None) is not None:
                        raise InputError(
                            f"the folder {folder} is not empty and is not a study (it has no "
                            f"{STUDY_FILE}); make a study in a new or empty folder.")
            except OSError as exc:
                raise InputError(f"cannot use the folder {folder}: {reason(exc)}.") from None
        data = {"app": "pumpjournal", "kind": "study", "schema": SCHEMA_VERSION,
                "created": (today or date.today()).isoformat(),
                "settings": {"encrypted": bool(encrypted)}}
        try:
            make_folder(folder)
            os.chmod(folder, 0o700)  # it will hold health data
            with atomic_writer(folder / STUDY_FILE, replace=False) as handle:
                handle.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        except FileExistsError:  # another process made it a moment ago
            return False
        except OSError as exc:
            raise JournalError(f"could not make the study {folder}: {reason(exc)}.") from None
        return True

    # the participants ------------------------------------------------------------------

    @property
    def encrypted(self) -> bool:
        return bool(self.settings.get("encrypted"))

    def path_of(self, pid: str) -> Path:
        return self.folder / f"{pid}.json"

    def participants(self) -> list[str]:
        """The participants' ids, sorted: every ``<id>.json`` file of the folder whose name is
        an id (the study file aside)."""
        found = []
        try:
            with os.scandir(self.folder) as entries:
                for entry in entries:
                    name = entry.name
                    if (name.endswith(".json") and name != STUDY_FILE and _is_id(name[:-5])
                            and entry.is_file()):
                        found.append(name[:-5])
        except OSError as exc:
            raise JournalError(f"the study folder {self.folder} cannot be read: "
                               f"{reason(exc)}.") from None
        return sorted(found)

    def strays(self) -> list[str]:
        """Files of the folder that look like journals but name no participant."""
        try:
            with os.scandir(self.folder) as entries:
                return sorted(e.name for e in entries if e.name.endswith(".json")
                              and e.name != STUDY_FILE and not e.name.startswith(IMPORT_PREFIX)
                              and not (_is_id(e.name[:-5]) and e.is_file()))
        except OSError:
            return []

    def participant(self, pid: str) -> Participant:
        """The participant's journal (it need not exist yet: the first write makes it)."""
        pid = model.parse_patient(pid)
        if pid.casefold() == Path(STUDY_FILE).stem:  # never read the study file as a journal
            raise refused_id(pid, id_problem(pid))
        if self.encrypted and not self.passphrase:
            raise JournalError(f"the study {self.folder} is encrypted; set "
                               "PUMPJOURNAL_PASSPHRASE to read or write it.")
        return Participant(self, pid)

    def choose(self, option: str | None) -> str:
        """The participant a command is about: --patient, else the study's only one."""
        if option:
            return model.parse_patient(option)
        people = self.participants()
        if len(people) == 1:
            return people[0]
        if not people:
            raise InputError(f"the study {self.folder} has no participants yet; choose one "
                             "with --patient ID (the first change for a new id starts that "
                             "participant's journal).")
        listed = ", ".join(people[:8]) + (", ..." if len(people) > 8 else "")
        raise InputError(f"this study holds {len(people)} people ({listed}); "
                         "choose one with --patient ID.")

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The study's own lock, held while a new participant's journal is named and made, so
        two ids that would clash cannot both be taken. Always taken before a participant's."""
        with FileLock(self.folder / (STUDY_FILE + ".lock"), lock_wait(self.lock_timeout)):
            yield

    @contextmanager
    def naming(self, pid: str) -> Iterator[None]:
        """Hold the study lock while a new participant's journal is made; refuse an id that
        would clash with another participant's (InputError, nothing written)."""
        with self.lock():
            if not os.path.lexists(self.path_of(pid)):
                why = id_problem(pid, self.participants())
                if why:
                    raise refused_id(pid, why)
            yield

    def check_output(self, target: Path) -> None:
        """Refuse an output file (export, report, rejects) in the study folder, where a .json
        file would be taken for a participant's journal, or in its backups folder."""
        where = os.path.realpath(target.parent)
        if where == os.path.realpath(self.folder / "backups"):
            raise NotWritten(f"{target} is in the study's backups folder; choose another "
                             "file name.")
        if where == os.path.realpath(self.folder) and target.name.lower().endswith(".json"):
            raise NotWritten(f"{target} is in the study folder, where a .json file is taken "
                             "for a participant's journal; choose another folder.")

    def own_files(self, target: Path | None = None) -> list[tuple[Path, str]]:
        """The study's files, which no export or rejects file may replace (see
        ``Journal.own_files``); a ``target`` in the study folder is refused outright."""
        if target is not None:
            self.check_output(target)
        files = [(self.file, "the study file")]
        for pid in self.participants():
            journal = Journal(self.path_of(pid))
            files += [(journal.path, "a participant's journal"),
                      (journal.lock_path, "a participant's lock file")]
        return files

    def open_folders(self) -> list[Path]:
        """The study folder and its backups folder, where others can write."""
        return [f for f in (self.folder, self.folder / "backups") if others_can_write(f)]

    def read_each(self) -> Iterator[tuple[str, Participant, View]]:
        """(id, journal, view) of each participant, one loaded at a time."""
        for pid in self.participants():
            journal = self.participant(pid)
            yield pid, journal, journal.read()

    # cohort, with each participant's row kept by its writes ---------------------------

    def cohort(self, today: date, since: date | None = None, until: date | None = None
               ) -> list[dict]:
        """``queries.cohort`` of every participant, in order: the same rows as one journal
        holding them all. Without a window, a participant's row comes from its summary when
        that is up to date (the journal's size, times and inode, the day and pumpjournal's
        code all as when it was made); otherwise from the journal, and the summary is
        written again (best effort)."""
        keep = since is None and until is None and not self.encrypted
        code = _code_stamp() if keep else None
        rows: dict[str, list] = {}
        stale = []
        for pid in self.participants():
            found = self._summary(self.participant(pid), today, code) if keep else None
            if found is None:
                stale.append(pid)
            else:
                rows[pid] = found
        # the journals themselves: many are read by a few processes at once
        parts = _split(stale, PROCESSES if len(stale) >= PARALLEL_JOURNALS else 1)
        children = [_Forked(self._cohort_part, part, today, since, until, keep, code)
                    for part in parts[1:]]
        try:
            rows.update(self._cohort_part(parts[0], today, since, until, keep, code))
            for child in children:
                rows.update(child.result())
        finally:
            for child in children:
                child.stop()
        return [row for pid in sorted(rows) for row in rows[pid]]

    def _cohort_part(self, pids: list, today: date, since, until, keep: bool,
                     code: str | None) -> dict[str, list]:
        return {pid: self._cohort_of(self.participant(pid), today, since, until, keep, code)
                for pid in pids}

    def _cohort_of(self, journal: Participant, today: date, since, until, keep: bool,
                   code: str | None) -> list[dict]:
        """A participant's cohort rows from its journal; kept as its summary when ``keep``
        and the journal did not change while it was read."""
        from .queries import cohort

        real = journal.real_path
        before = _stat_key(real)
        raw = read_raw(journal.path)
        found = cohort(journal.decode(raw), today, since, until)
        if keep and raw is not None and not _encrypted(raw) and _stat_key(real) == before:
            self._save_summary(journal.id, found, today, code, before)
        return found

    def _summary_path(self, pid: str) -> Path:
        return self.folder / SUMMARIES / f"{pid}.json"

    def _summary(self, journal: Participant, today: date, code: str) -> list | None:
        try:
            kept = orjson.loads(read_regular(self._summary_path(journal.id)))
            if (kept["today"] == today.isoformat() and kept["code"] == code
                    and kept["stat"] == _stat_key(journal.real_path)
                    and isinstance(kept["rows"], list)):
                return kept["rows"]
        except Exception:  # missing, damaged or stale: worked out from the journal
            pass
        return None

    def _save_summary(self, pid: str, rows: list, today: date, code: str, key) -> None:
        """Write a participant's summary, best effort (never an error: it can always be
        worked out again), without fsync: it is a cache."""
        if key is None:
            return
        data = orjson.dumps({"patient": pid, "today": today.isoformat(), "code": code,
                             "stat": key, "rows": rows})
        _write_quick(self._summary_path(pid), data)

    def keep_summary(self, pid: str, real: Path, view: View, payload: bytes) -> None:
        """After a write of a participant's journal (under its lock): its cohort row again,
        from the view just written (best effort)."""
        try:
            if self.encrypted or _encrypted(payload):
                self.drop_summary(pid)
                return
            from . import dates
            from .queries import cohort

            today = dates.today()
            self._save_summary(pid, cohort(view, today), today, _code_stamp(), _stat_key(real))
        except Exception:
            self.drop_summary(pid)

    def drop_summary(self, pid: str) -> None:
        try:
            os.unlink(self._summary_path(pid))
        except OSError:
            pass

    def rebuild_summaries(self, today: date) -> int:
        """Every participant's summary worked out again from its journal (``doctor``); the
        summaries of files no longer in the study are removed. Returns how many were kept."""
        folder = self.folder / SUMMARIES
        people = set(self.participants())
        try:
            for entry in os.scandir(folder):
                if not (entry.name.endswith(".json") and entry.name[:-5] in people):
                    os.unlink(entry.path)
        except OSError:
            pass
        for pid in people:
            self.drop_summary(pid)
        if self.encrypted:
            return 0
        code, unread = _code_stamp(), None
        for pid in sorted(people):
            try:
                self._cohort_of(self.participant(pid), today, None, None, True, code)
            except PumpjournalError as exc:  # said by doctor's own check of that journal
                unread = unread or exc
        if unread is not None:
            raise unread
        return sum(1 for pid in people if self._summary_path(pid).exists())

    # export, backup ------------------------------------------------------------------------

    def days(self, low: str = "", high: str = "9999", only: list[str] | None = None
             ) -> Iterator[dict]:
        """Every participant's stored days in the range, in export order (person, date), one
        participant loaded at a time."""
        for pid in self.participants() if only is None else only:
            view = self.participant(pid).read()
            docs = sorted((doc["date"], doc_id, doc) for doc_id, doc in view.raw_entries()
                          if low <= doc["date"] <= high)
            for *_, doc in docs:
                yield doc
            del view, docs

    def export(self, out: IO[str], fmt: str, since: date | None = None,
               until: date | None = None) -> int:
        """Every participant's readings, as ``transfer.export`` writes those of one journal
        holding them all (the same bytes); returns the rows (for FHIR: readings) written."""
        import csv

        from . import transfer

        fmt = transfer.check_format_out(fmt)
        low = since.isoformat() if since else ""
        high = until.isoformat() if until else "9999"
        count = 0

        def counted(days: Iterator[dict]) -> Iterator[dict]:
            nonlocal count
            for doc in days:
                count += len(doc["readings"])
                yield doc

        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(transfer.COLUMNS)
            writer.writerows(transfer.csv_lines(counted(self.days(low, high))))
        elif fmt == "jsonl":
            for doc in counted(self.days(low, high)):
                for row in transfer.export_rows(doc):
                    out.write(orjson.dumps(row).decode() + "\n")
        elif fmt == "json":
            out.write("[")
            n = 0
            for doc in counted(self.days(low, high)):
                for row in transfer.export_rows(doc):
                    out.write(("," if n else "") + "\n  " + orjson.dumps(row).decode())
                    n += 1
            out.write("\n]\n" if n else "]\n")
        elif fmt == "fhir":
            from .fhir import write_bundle

            people = [pid for pid in self.participants()
                      if next(self.days(low, high, [pid]), None) is not None]
            write_bundle(out, counted(self.days(low, high, people)), people)
        else:
            raise InputError(f"a whole study cannot be exported as {fmt} yet; export one "
                             "participant with --patient ID, or use csv, jsonl, json or fhir.")
        return count

    def backup(self) -> list[Path]:
        """A backup copy of every participant's journal (each read first: a journal that
        cannot be read is said, not copied)."""
        made = []
        for pid in self.participants():
            journal = self.participant(pid)
            journal.read()
            made.append(journal.backup())
        return made

    # import ------------------------------------------------------------------------------

    def import_rows(self, rows: Iterable[tuple[int, dict]], *, default_patient: str | None,
                    fmt: str | None = None, on_conflict: str = "fail",
                    mapping: dict[str, str] | None = None, ignore: Iterable[str] = (),
                    ignore_extra: bool = False, date_format=None,
                    skip_invalid: bool = False, dry_run: bool = False,
                    today: date | None = None, stamp: str | None = None,
                    progress: Callable[[int], None] | None = None,
                    rejected_rows: list | None = None, source: str = "-",
                    on_rejects: Callable | None = None, value_map=None, where=None):
        """Import rows into the study's participants (see the module's docstring); returns
        the ``transfer.ImportResult`` of them all. ``default_patient``: the participant of
        rows without one (None: the study's only participant, if it has one).
        ``on_rejects(result)`` is called before anything is written when rows were rejected
        (``skip_invalid``): it writes the reject file, and an error there stops the import
        with nothing written."""
        job = StudyImport(self, source=source, default_patient=default_patient,
                          fmt=fmt or getattr(rows, "format", "json"), on_conflict=on_conflict,
                          mapping=mapping or {}, ignore=list(ignore), ignore_extra=ignore_extra,
                          date_format=date_format, skip_invalid=skip_invalid, dry_run=dry_run,
                          today=today, stamp=stamp, value_map=value_map, where=where)
        return job.run(rows, progress, rejected_rows, on_rejects)

    def leftovers(self) -> list[Path]:
        """Staging folders of imports that are not running (killed while checking, or part-way):
        the next import removes them."""
        return sorted(p for p in self.folder.glob(f"{IMPORT_PREFIX}*.staged")
                      if not _running(p.with_suffix(".lock")))

    def imports(self) -> list[dict]:
        """The imports whose record is in the folder: each with ``source``, ``started``,
        ``participants`` (how many it writes), ``written`` (how many it has written), and
        ``running`` (its process still holds its lock)."""
        return import_records(self)


def _is_id(stem: str) -> bool:
    try:
        return model.parse_patient(stem) == stem
    except InputError:
        return False


def _encrypted(raw: bytes) -> bool:
    from .crypto import MAGIC

    return raw.startswith(MAGIC)


def _stat_key(path: Path) -> list | None:
    """What changes whenever a journal is written: its size, times and inode (a write
    replaces the file, so the inode changes too)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


_CODE: list = []


def _code_stamp() -> str:
    """The version of the code a cohort row is worked out with: the modified times of the
    modules it comes from (an upgrade or an edit makes every summary stale)."""
    if not _CODE:
        here = Path(__file__).parent
        names = ("queries", "episodes", "summary", "symptoms", "timeline", "model", "store",
                 "study")
        stamps = []
        for name in names:
            try:
                stamps.append(str(os.stat(here / f"{name}.py").st_mtime_ns))
            except OSError:
                stamps.append("-")
        _CODE.append(f"{SCHEMA_VERSION}:" + ".".join(stamps))
    return _CODE[0]


def _write_quick(path: Path, data: bytes) -> None:
    """A private file written through a new temporary file and a rename, without fsync (a
    cache: a crash may lose it, never mix it); errors are ignored."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        make_folder(path.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


def started_text(when: str) -> str:
    """An import's start time as a person reads it: 2026-12-01 10:04."""
    try:
        return datetime.fromisoformat(when).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return shorten(str(when), 30)



# Import ------------------------------------------------------------------------------------


class ImportInterrupted(JournalError):
    """Ctrl-C while an import was putting participants' journals in place."""

    exit_code = 130


class _Staged:
    """A participant's journal as the import will leave it, written to the staging folder,
    and what its file held when it was checked."""

    __slots__ = ("path", "digest", "migrate", "new", "encrypted")

    def __init__(self, path: Path, raw: bytes | None, migrate: bool, encrypted: bool):
        self.path, self.digest = path, _digest(raw)
        self.migrate, self.new, self.encrypted = migrate, raw is None, encrypted


class StudyImport:
    """One import into a study: group the rows by participant, check every group against
    its participant's journal as it is (no lock held), stage the journals it changes, then
    put them in place, each under its own lock (see the module's docstring)."""

    def __init__(self, study: Study, *, source: str, default_patient: str | None, fmt: str,
                 on_conflict: str, mapping: dict, ignore: list, ignore_extra: bool,
                 date_format, skip_invalid: bool, dry_run: bool,
                 today: date | None, stamp: str | None, value_map=None, where=None):
        from . import dates

        self.study, self.source = study, source
        self.default_patient = model.parse_patient(default_patient) if default_patient else None
        self.fmt, self.on_conflict, self.dry_run = fmt, on_conflict, dry_run
        self.skip_invalid = skip_invalid
        self.today, self.stamp = today or dates.today(), stamp or dates.now_stamp()
        self.options = dict(fmt=fmt, on_conflict=on_conflict, mapping=mapping, ignore=ignore,
                            ignore_extra=ignore_extra, date_format=date_format,
                            skip_invalid=skip_invalid, today=self.today, stamp=self.stamp,
                            value_map=value_map, where=where)  # --where: also as grouped
        from .transfer import options_value_map, options_where

        self.value_map, self.where = options_value_map(value_map), options_where(where)
        self.filtered = 0  # rows --where left out
        self.shapes: list[tuple] = []  # the key tuples rows came with
        self.columns: list[str | None] = []  # each shape's patient column
        self.groups: dict[str | None, list] = {}  # participant -> its rows, compact
        self.first: dict[str | None, int] = {}  # participant -> its first row's number
        self.base = self.lock = self.staging = self.marker = None
        self.progress_file = None
        self.done: set[str] = set()
        self.complete = False  # ran to the end: every staged journal is in place
        self.folders: set[Path] = set()  # where journals were renamed into place
        self.stop = False

    # the steps -------------------------------------------------------------------------------

    def run(self, rows, progress, rejected_rows: list | None, on_rejects):
        from .transfer import CONFLICT

        if self.on_conflict not in CONFLICT:
            raise InputError(f"--on-conflict must be one of {', '.join(CONFLICT)}.")
        known = self.study.participants()
        if self.default_patient is None and len(known) == 1:
            self.default_patient = known[0]
        try:
            if not self.dry_run:
                self._begin()
            self._group(rows, progress)
            results, staged, rejects = self._check_all(known, rejected_rows is not None)
            total = self._total(results)
            if rejected_rows is not None:
                rejected_rows.extend(row for _, row in sorted(rejects, key=lambda r: r[0]))
            failed = bool(total.conflicts) or (bool(total.errors) and not self.skip_invalid)
            if failed or self.dry_run:
                return total
            if total.errors and on_rejects is not None:
                on_rejects(total)
            self._commit(staged, results, total)
            self.complete = True
            return total
        finally:
            self._end()

    def _begin(self) -> None:
        """This import's lock (held while it runs: `doctor` tells a running import from an
        interrupted one by it) and staging folder; what dead imports left is swept first."""
        self._sweep()
        when = datetime.now().strftime("%Y%m%dT%H%M%S")
        self.base = f"{IMPORT_PREFIX}{when}-{os.getpid()}"
        self.lock = FileLock(self.study.folder / f"{self.base}.lock", 5.0)
        self.lock.__enter__()
        self.staging = self.study.folder / f"{self.base}.staged"
        try:
            os.mkdir(self.staging, 0o700)
        except OSError as exc:
            raise JournalError(f"could not make the import's staging folder {self.staging}: "
                               f"{reason(exc)}.") from None

    def _sweep(self) -> None:
        """Remove the staging folders and lock files of imports that are not running (their
        records stay, for `doctor`, until the import is run again to the end)."""
        for lock in self.study.folder.glob(f"{IMPORT_PREFIX}*.lock"):
            if _running(lock):
                continue
            _remove_tree(lock.with_suffix(".staged"))
            try:
                os.unlink(lock)
            except OSError:
                pass

    def _group(self, rows, progress) -> None:
        """Every row, pickled, under its participant (None: a row whose participant cannot be
        told; checking it gives its error)."""
        import pickle

        from .transfer import RowParser, plan_columns

        parser = RowParser(self.fmt, self.options["mapping"], set(self.options["ignore"]),
                           self.options["ignore_extra"], self.default_patient,
                           self.options["date_format"], self.today, self.stamp,
                           self.value_map, self.where)
        cell = parser.cell
        shapes: dict[tuple, int] = {}
        memo: dict = {}
        groups = self.groups
        dumps = pickle.dumps
        count = 0
        for number, raw in rows:
            count += 1
            if progress:
                progress(count)
            if self.where and not parser.keeps(raw):
                self.filtered += 1
                continue
            keys = tuple(raw)
            shape = shapes.get(keys)
            if shape is None:
                shape = shapes[keys] = len(self.shapes)
                self.shapes.append(keys)
                self.columns.append(self._patient_column(keys, plan_columns))
            column = self.columns[shape]
            if "\0bad" in raw:
                pid = None
            else:
                value = raw.get(column) if column is not None else None
                key = value if value.__class__ is str else (value.__class__, value)
                try:
                    pid = memo[key]
                except (KeyError, TypeError):
                    found = cell("patient", value, column)
                    pid = (found.get("patient", self.default_patient)
                           if found.__class__ is dict else None)
                    try:
                        memo[key] = pid
                    except TypeError:  # a list from JSON: not hashable
                        pass
            group = groups.get(pid)
            if group is None:
                group = groups[pid] = []
                self.first[pid] = number
            values = tuple(raw.values())
            try:  # a CSV row: its cells joined, a third of a pickle's cost
                text = f"{number}\x1f{shape}\x1f" + "\x1f".join(values)
                if text.count("\x1f") == len(values) + 1:
                    group.append(text)
                    continue
            except TypeError:  # not all text (JSON)
                pass
            group.append(dumps((number, shape, values), 5))
        if count == 0:
            raise InputError("there are no rows to import.")
        if count == self.filtered:
            from .transfer import _where_text

            raise InputError(f"no row matches --where {_where_text(self.where)}: all {count} "
                             "rows read were left out, so there is nothing to import.")

    def _patient_column(self, keys: tuple, plan_columns) -> str | None:
        if keys == ("\0bad",):
            return None
        opts = self.options
        cols = plan_columns(keys, opts["mapping"], set(opts["ignore"]), opts["ignore_extra"],
                            require=self.fmt == "csv", consumed=self.where)
        column = next((c for c, f in cols.fields.items() if f == "patient"), None)
        if column is None and self.fmt == "csv" and self.default_patient is None:
            raise InputError("the file has no patient column and the study holds "
                             f"{len(self.study.participants())} participants; say whose rows "
                             "these are with --patient ID.")
        return column

    def rows_of(self, pid: str | None) -> Iterator[tuple[int, dict]]:
        import pickle

        shapes = self.shapes
        for blob in self.groups[pid]:
            if blob.__class__ is str:
                number, shape, *values = blob.split("\x1f")
                yield int(number), dict(zip(shapes[int(shape)], values))
            else:
                number, shape, values = pickle.loads(blob)
                yield number, dict(zip(shapes[shape], values))

    def _check_all(self, known: list[str], keep: bool):
        """Each group imported into its participant's journal as it is now, without a lock;
        the journals that change are staged. Large imports are checked by a few processes
        (``PROCESSES``), each taking some participants. Returns ({participant: result},
        {participant: _Staged}, rejected rows as (row number, row))."""
        results: dict = {}
        staged: dict[str, _Staged] = {}
        rejects: list[tuple[int, dict]] = []
        taken, todo = list(known), []
        for pid in sorted(self.groups, key=lambda p: (p is None, self.first[p])):  # first wins
            why = None if pid is None or pid in known else id_problem(pid, taken)
            if why is None:
                todo.append(pid)
                taken.append(pid)
                continue
            rejected: list | None = [] if keep else None
            results[pid] = self._refused(pid, why, rejected)
            rejects += zip((e.row for e in results[pid].errors), rejected or ())
        parts = self._split(todo)
        children = [_Forked(self._part(part)._check_groups, part, keep) for part in parts[1:]]
        try:
            found = [self._check_groups(parts[0] if parts else [], keep)]
            found += [child.result() for child in children]
        finally:
            for child in children:
                child.stop()
        for more_results, more_staged, more_rejects in found:
            results.update(more_results)
            staged.update(more_staged)
            rejects += more_rejects
        return results, staged, rejects

    def _split(self, pids: list) -> list[list]:
        """The participants in a few parts of about as many rows each: one part, unless the
        import is large enough for more processes to pay."""
        sizes = {pid: len(self.groups[pid]) for pid in pids}
        count = PROCESSES if sum(sizes.values()) >= PARALLEL_ROWS and len(pids) > 1 else 1
        parts: list[list] = [[] for _ in range(min(count, max(1, len(pids))))]
        load = [0] * len(parts)
        for pid in sorted(pids, key=lambda p: -sizes[p]):
            n = load.index(min(load))
            parts[n].append(pid)
            load[n] += sizes[pid]
        return [part for part in parts if part] or [[]]

    def _part(self, pids: list) -> "StudyImport":
        """A copy of this import holding only ``pids``' rows, for a worker process."""
        import copy

        part = copy.copy(self)
        part.groups = {pid: self.groups[pid] for pid in pids}
        part.lock = part.progress_file = None
        return part

    def _check_groups(self, pids: list, keep: bool):
        """Check (and stage) these participants' groups, one journal loaded at a time; the
        staged journals are written by a few threads while the next group is checked."""
        from concurrent.futures import ThreadPoolExecutor

        from .transfer import import_rows

        results: dict = {}
        staged: dict[str, _Staged] = {}
        rejects: list[tuple[int, dict]] = []
        pending: list = []
        with ThreadPoolExecutor(WORKERS) as pool:
            for pid in pids:
                rejected: list | None = [] if keep else None
                if pid is None:
                    result = import_rows(View(empty_data()), self.rows_of(None),
                                         default_patient=self.default_patient, dry_run=True,
                                         rejected_rows=rejected,
                                         **self.options)
                else:
                    journal = self.study.participant(pid)
                    raw = read_raw(journal.path)  # no lock: a write replaces the file whole
                    view = journal.decode(raw)
                    result = import_rows(view, self.rows_of(pid),
                                         default_patient=self.default_patient,
                                         dry_run=self.dry_run, rejected_rows=rejected,
                                         **self.options)
                    if view.storage.changed and not self.dry_run:
                        payload = journal.encode(view.storage.data, raw)
                        target = self.staging / f"{pid}.json"
                        staged[pid] = _Staged(target, raw, view.schema_read < SCHEMA_VERSION,
                                              _encrypted(payload))
                        pending.append(pool.submit(_write_new, target, payload))
                        del payload
                        while len(pending) > 2 * WORKERS:  # a few payloads in memory at most
                            pending.pop(0).result()
                    del view, raw
                results[pid] = result
                if rejected:
                    numbers = [e.row for e in result.errors]
                    if len(numbers) != len(rejected):  # pragma: no cover - one per bad row
                        numbers = list(range(len(rejected)))
                    rejects += zip(numbers, rejected)
            for future in pending:
                future.result()
        return results, staged, rejects

    def _refused(self, pid: str, why: str, rejected: list | None):
        """The result of a group whose participant id cannot be taken: every row refused."""
        from .transfer import ERROR_COLUMN, ImportResult, RowError

        result = ImportResult(dry_run=self.dry_run)
        message = f"the participant id {why}"
        for number, raw in self.rows_of(pid):
            shape = self.shapes.index(tuple(raw))
            column = self.columns[shape] or "patient"
            result.rows += 1
            result.errors.append(RowError(number, column, pid, message))
            if rejected is not None:
                rejected.append({**{k: v for k, v in raw.items() if not k.startswith("\0")},
                                 ERROR_COLUMN: message})
        result.rejected = len(result.errors)
        return result

    def _total(self, results: dict):
        """One ImportResult for every group, as one journal holding them all would give."""
        from .transfer import ImportResult

        total = ImportResult(dry_run=self.dry_run)
        conflicts: list[str] = []
        more = 0
        for result in results.values():
            for key in ("rows", "imported", "updated", "unchanged", "skipped", "rejected",
                        "emergency", "urgent"):
                setattr(total, key, getattr(total, key) + getattr(result, key))
            total.errors += result.errors
            total.ignored_columns += [c for c in result.ignored_columns
                                      if c not in total.ignored_columns]
            total.symptom_columns.update(result.symptom_columns)
            total.rules_failed = total.rules_failed or result.rules_failed
            for text in result.conflicts:
                match = re.fullmatch(r"and (\d+) more", text)
                if match:
                    more += int(match[1])
                else:
                    conflicts.append(text)
        total.rows += self.filtered
        total.filtered = self.filtered
        total.errors.sort(key=lambda e: e.row)
        conflicts.sort(key=_row_of)  # in the file's order, as one journal names them
        if conflicts and self.on_conflict == "fail":
            count = len(conflicts) + more
            total.conflicts = conflicts[:5] + ([f"and {count - 5} more"] if count > 5 else [])
        if total.conflicts or (total.errors and not (self.skip_invalid or self.dry_run)):
            total.imported = total.updated = total.unchanged = total.skipped = 0
            total.emergency = total.urgent = 0  # nothing goes in: nothing to count
        total.warning_signs = total.emergency + total.urgent
        return total

    def _commit(self, staged: dict[str, _Staged], results: dict, total) -> None:
        """Put the staged journals in place: the new participants' in batches under the study
        lock (their ids are checked again there), then the others', by a few threads, each
        under its participant's lock. A journal that changed since it was checked is imported
        again under its lock."""
        from concurrent.futures import ThreadPoolExecutor

        if not staged:
            return
        self._record(sorted(staged))
        new = sorted(pid for pid, item in staged.items() if item.new)
        old = sorted(pid for pid, item in staged.items() if not item.new)
        again: list[str] = []
        failures: list[tuple[str, Exception]] = []

        def each(pid: str) -> None:
            if self.stop:
                return
            try:
                if self._put(pid, staged[pid]) == "changed":
                    again.append(pid)
            except Exception as exc:  # said below, with the participant
                self.stop = True
                failures.append((pid, exc))

        pool = ThreadPoolExecutor(WORKERS)
        try:
            for start in range(0, len(new), 64):
                batch = new[start:start + 64]
                with self.study.lock():
                    listed = self.study.participants()
                    ready = []
                    for pid in batch:
                        why = id_problem(pid, listed)
                        if os.path.lexists(self.study.path_of(pid)):
                            again.append(pid)  # made meanwhile: imported again below
                        elif why:
                            failures.append((pid, refused_id(pid, why)))
                            self.stop = True
                        else:
                            ready.append(pid)
                    list(pool.map(each, ready))
                    self._sync()
                if self.stop:
                    break
            if not self.stop:
                list(pool.map(each, old))
            pool.shutdown()
            for pid in sorted(again):
                if self.stop:
                    break
                try:
                    self._again(pid, results)
                except PumpjournalError as exc:
                    failures.append((pid, exc))
                    self.stop = True
        except KeyboardInterrupt:
            self.stop = True  # the threads finish the journal they are writing, no more
            pool.shutdown(cancel_futures=True)
            raise ImportInterrupted(
                f"the import was interrupted part-way: {len(self.done)} of {len(staged)} "
                "participants' journals were written (each whole); run it again with "
                "--on-conflict skip to complete it.", written=bool(self.done)) from None
        finally:
            pool.shutdown()
            try:
                self._sync()
            except OSError:  # said by the write that failed, if one did
                pass
        total.written = bool(self.done)
        if failures:
            pid, exc = failures[0]
            raise JournalError(
                f"the import stopped part-way at the participant '{pid}': "
                f"{str(exc).rstrip('.')}. {len(self.done)} of {len(staged)} participants' "
                "journals were written (each whole); run the import again with --on-conflict "
                "skip to complete it (`pumpjournal doctor` names the import until then).",
                written=bool(self.done))

    def _put(self, pid: str, item: _Staged) -> str:
        """Under the participant's lock: when its journal is still what was checked, keep a
        backup copy of it and rename the staged journal over it ("written"); else
        "changed"."""
        journal = self.study.participant(pid)
        # the journal's lock alone: the temporary copies a killed write left are removed by
        # its next ordinary change (looking for them lists the whole study folder)
        with FileLock(journal.lock_path, lock_wait(journal.lock_timeout)):
            real = journal.real_path
            raw = read_raw(real)
            if _digest(raw) != item.digest:
                return "changed"
            if raw is not None:
                if item.migrate:
                    journal.keep_backup(raw, "migrate")
                journal.keep_backup(raw, "import")
            try:
                os.replace(item.path, real)
            except OSError as exc:
                raise JournalError(f"could not write the journal {real}: {reason(exc)}. The "
                                   "journal was left as it was.") from None
            self.folders.add(real.parent)  # synced once a batch is in place
            self.study.drop_summary(pid)
            if item.new and item.encrypted:
                journal._remember()
        self._written(pid)
        return "written"

    def _sync(self) -> None:
        """Make the renames of the journals put in place so far durable (one fsync of each
        folder, rather than one per journal: each rename is atomic either way)."""
        for folder in list(self.folders):
            _sync_folder(folder)

    def _again(self, pid: str, results: dict) -> None:
        """A journal that changed after it was checked: its rows imported again, under its
        lock, against what it holds now."""
        from .transfer import import_rows

        journal = self.study.participant(pid)
        with journal.transaction(backup="import") as tx:
            result = import_rows(tx, self.rows_of(pid), default_patient=self.default_patient,
                                 **self.options)
        if result.conflicts or (result.errors and not self.skip_invalid):
            raise InputError("its journal changed while the import ran, and the rows now "
                             "conflict with it: " + "; ".join(result.conflicts[:3]))
        results[pid] = result
        self._written(pid)

    # the import's record ----------------------------------------------------------------------

    def _record(self, pending: list[str]) -> None:
        """Write the import's record before any journal changes: the source, when it started,
        its options and the participants it writes; a line is added as each is written."""
        source = self.source
        header = {"app": "pumpjournal", "kind": "import", "source": source,
                  "source_path": None if source == "-" else os.path.abspath(source),
                  "started": datetime.now().astimezone().isoformat(timespec="seconds"),
                  "pid": os.getpid(),
                  "options": {k: v for k, v in self.options.items()
                              if k not in ("today", "stamp", "mapping")},
                  "participants": pending}
        self.marker = self.study.folder / f"{self.base}.json"
        try:
            with atomic_writer(self.marker, replace=False) as handle:
                handle.write(orjson.dumps(header, default=str) + b"\n")
            self.progress_file = open(self.marker, "ab")
        except OSError as exc:
            raise JournalError(f"could not write the import's record {self.marker}: "
                               f"{reason(exc)}.") from None
        import threading

        self.record_lock = threading.Lock()

    def _written(self, pid: str) -> None:
        with self.record_lock:
            self.done.add(pid)
            self.progress_file.write(orjson.dumps({"written": pid}) + b"\n")
            self.progress_file.flush()  # a killed process loses nothing written; no fsync

    def _end(self) -> None:
        """Tidy up: the staging folder always; the record and lock of an import that ran to
        the end, and the records of earlier runs of the same file that it completed."""
        if self.progress_file is not None:
            self.progress_file.close()
        if self.staging is not None:
            _remove_tree(self.staging)
        if self.complete:
            path = None if self.source == "-" else os.path.abspath(self.source)
            for record in import_records(self.study) if path is not None else ():
                if not record["running"] and record["source_path"] == path:
                    _remove_record(Path(record["path"]))
            if self.marker is not None:
                _remove_record(self.marker)
        if self.lock is not None:
            try:
                os.unlink(self.lock.path)
            except OSError:
                pass
            self.lock.__exit__(None, None, None)


class _Forked:
    """``target(*args)`` run in a forked process, its result (or error) sent back through a
    pipe: part of an import's check (``StudyImport._check_groups``, which writes only staged
    files, never a journal) or of a cohort (``Study._cohort_part``)."""

    def __init__(self, target: Callable, *args):
        import pickle

        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child (its coverage is not collected)
            code = 0
            try:
                os.close(read)
                try:
                    data = pickle.dumps(("ok", target(*args)), 5)
                except BaseException as exc:  # sent to the parent, which raises it
                    data = pickle.dumps(("error", _portable(exc)), 5)
                with os.fdopen(write, "wb") as out:
                    out.write(data)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write)
        self.pipe = os.fdopen(read, "rb")

    def result(self):
        import pickle

        data = self.pipe.read()
        self.pipe.close()
        self._reap()
        if not data:
            raise JournalError("a process working for this one stopped before it was done; "
                               "nothing was written.")
        kind, found = pickle.loads(data)
        if kind == "error":
            raise found
        return found

    def stop(self) -> None:
        """Kill the child if it still runs (the import stopped early), and reap it."""
        if self.pid:
            try:
                os.kill(self.pid, 9)
            except OSError:
                pass
            self._reap()
        if not self.pipe.closed:
            self.pipe.close()

    def _reap(self) -> None:
        if self.pid:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = 0


def _split(pids: list, count: int) -> list[list]:
    """``pids`` in ``count`` interleaved parts (at least one, maybe empty)."""
    return [pids[n::count] for n in range(max(1, min(count, len(pids))))] or [[]]


def _portable(exc: BaseException) -> BaseException:
    """An exception that survives pickling with its message and kind (a user's mistake
    stays one)."""
    if isinstance(exc, (PumpjournalError, KeyboardInterrupt)):
        kind = type(exc) if type(exc).__module__.startswith("pumpjournal") else JournalError
        copy = kind(str(exc)) if not isinstance(exc, KeyboardInterrupt) else KeyboardInterrupt()
        return copy
    return JournalError(f"unexpected {type(exc).__name__} in a process working for this "
                        "one.")


def import_records(study: Study) -> list[dict]:
    """The imports whose record is in the study folder (see ``Study.imports``)."""
    found = []
    for path in sorted(study.folder.glob(f"{IMPORT_PREFIX}*.json")):
        try:
            lines = read_regular(path).splitlines()
            header = orjson.loads(lines[0])
            if header.get("kind") != "import":
                continue
        except Exception:  # half-written or not ours: said as such
            found.append({"path": str(path), "source": None, "source_path": None,
                          "started": None, "participants": 0, "written": 0,
                          "running": False, "damaged": True})
            continue
        written = set()
        for line in lines[1:]:
            try:
                written.add(orjson.loads(line)["written"])
            except Exception:  # a line cut short by a crash
                pass
        found.append({"path": str(path), "source": header.get("source"),
                      "source_path": header.get("source_path"),
                      "started": header.get("started"),
                      "participants": len(header.get("participants") or ()),
                      "written": len(written), "running": _running(path.with_suffix(".lock")),
                      "damaged": False})
    return found


def _running(lock: Path) -> bool:
    """Whether an import's process still holds its lock."""
    if not lock.exists():
        return False
    try:
        with FileLock(lock, 0):
            return False
    except JournalError:
        return True


def _remove_record(marker: Path) -> None:
    for path in (marker, marker.with_suffix(".lock")):
        try:
            os.unlink(path)
        except OSError:
            pass


def _remove_tree(folder: Path) -> None:
    """A staging folder and the files in it (it holds only files an import wrote)."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                os.unlink(entry.path)
        os.rmdir(folder)
    except OSError:
        pass


def _write_new(path: Path, payload: bytes) -> None:
    with atomic_writer(path, replace=False, follow_folder=False) as handle:
        handle.write(payload)


def _sync_folder(folder: Path) -> None:
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _row_of(conflict: str) -> int:
    """The row a conflict's description names ("... (row 12)")."""
    match = re.search(r"\(row (\d+)\)$", conflict)
    return int(match[1]) if match else 0


def _digest(raw: bytes | None) -> bytes | None:
    import hashlib

    return None if raw is None else hashlib.sha256(raw).digest()
