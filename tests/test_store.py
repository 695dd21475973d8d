"""Data safety of the journal file: what a person sees when the file is damaged, the disk is full
or the folder is read-only, and what the storage promises (private files, one write per change).

Every damaged-journal case runs the real command in a separate process (`python -m pumpjournal`),
so "no traceback" and "one line on stderr" are checked exactly as a user would see them.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from pumpjournal import Journal, model
from pumpjournal import store as store_module
from pjtest import Child, child_env, ok, pumpjournal
from pumpjournal.errors import JournalError

STAMP = "2026-01-01T09:00:00+00:00"
COMMANDS = {"log": ["log", "--pain", "3"], "list": ["list"]}


# helpers -----------------------------------------------------------------------------------


def start(args: list[str], journal: Path, env: dict | None = None) -> Child:
    """pumpjournal in a real process (forked from the test run), stdin closed."""
    return Child(pumpjournal(args), child_env(journal, **(env or {})),
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(process: Child) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def file_state(path: Path):
    """What a person could compare: the bytes (or folder listing), the modification time and
    the mode (pjtest.snapshot is the bytes alone)."""
    info = path.stat()
    content = sorted(os.listdir(path)) if path.is_dir() else path.read_bytes()
    return content, info.st_mtime_ns, stat.S_IMODE(info.st_mode)


def temp_files(journal: Path) -> list[str]:
    return sorted(p.name for p in journal.parent.glob(f".{journal.name}.*.tmp"))


def build(journal: Path, days: int = 5) -> None:
    with Journal(journal).transaction() as tx:
        for n in range(days):
            tx.log("me", date(2025, 3, 1) + timedelta(days=n),
                   {"pain": n % 11, "note": f"day {n}", "symptoms": ["headache"]}, STAMP)


def put(journal: Path, content: bytes) -> None:
    """A journal file as pumpjournal would have left it: private (0600), in a private folder."""
    journal.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    journal.write_bytes(content)
    journal.chmod(0o600)


def assert_one_error_line(err: str, journal: Path) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one error line, got:\n{err}"
    line = lines[0]
    assert line.startswith("Error: "), line
    assert str(journal) in line, f"the message does not name the journal file: {line}"
    assert "Traceback" not in err
    assert not line.startswith("Error: unexpected"), f"reported as a bug in pumpjournal: {line}"
    return line


# damaged journals ---------------------------------------------------------------------------


def _valid_journal_bytes(tmp_path: Path) -> bytes:
    source = tmp_path / "source" / "journal.json"
    build(source, days=6)
    return source.read_bytes()


CORRUPT_CASES = {
    "empty file": lambda good: b"",
    "only whitespace": lambda good: b"\n  \n",
    "truncated JSON": lambda good: good[: len(good) // 2],
    "truncated to one byte": lambda good: good[:1],
    "not JSON": lambda good: b"2025-03-01 pain 4, walked to the mailbox\n",
    "binary junk": lambda good: bytes(range(256)) * 4,
    "JSON list": lambda good: b'[{"date": "2025-03-01", "pain": 4}]',
    "JSON string": lambda good: b'"journal"',
    "dict without meta table": lambda good: json.dumps(
        {"entries": {"1": {"patient": "me", "date": "2025-03-01", "pain": 4}}}).encode(),
    "TinyDB default format": lambda good: b'{"_default": {}}',
    "meta of another app": lambda good: b'{"meta": {"1": {"app": "other", "schema": 1}}}',
    "newer schema version": lambda good: json.dumps(
        {"meta": {"1": {"app": "pumpjournal", "schema": 99}}, "entries": {}}).encode(),
}


def _check_refused(name: str, code: int, out: str, err: str, journal: Path, case: str):
    assert code == 1, f"{name}: exit {code}\n{err}"
    assert out == "", f"{name} printed results for a damaged journal: {out!r}"
    line = assert_one_error_line(err, journal)
    if case == "newer schema version":
        assert "newer" in line


@pytest.mark.parametrize("case", list(CORRUPT_CASES))
def test_damaged_journal_is_refused_and_left_untouched(tmp_path, journal, cli, case):
    put(journal, CORRUPT_CASES[case](_valid_journal_bytes(tmp_path)))
    before = file_state(journal)
    for name, args in {**COMMANDS, "show": ["show", "2025-03-01"],
                       "delete": ["delete", "2025-03-01", "--yes"],
                       "edit": ["edit", "2025-03-01", "--pain", "2"], "status": []}.items():
        result = cli(*args)
        _check_refused(name, result.exit_code, result.stdout, result.stderr, journal, case)
    assert file_state(journal) == before, "the damaged journal was changed"
    assert temp_files(journal) == []


@pytest.mark.parametrize("case", ["truncated JSON"] + [
    pytest.param(case, marks=pytest.mark.slow)
    for case in ("empty file", "TinyDB default format", "newer schema version")])
def test_damaged_journal_in_a_real_process(tmp_path, journal, case):
    """The same, as a separate process: exactly what a person sees on the terminal."""
    put(journal, CORRUPT_CASES[case](_valid_journal_bytes(tmp_path)))
    before = file_state(journal)
    # both commands at once: the reader and the writer must each refuse
    running = {name: start(args, journal) for name, args in COMMANDS.items()}
    for name, process in running.items():
        _check_refused(name, *finish(process), journal, case)
    assert file_state(journal) == before, "the damaged journal was changed"
    assert temp_files(journal) == []


def test_journal_path_that_is_a_folder_is_refused(journal, cli):
    journal.parent.mkdir(mode=0o700)
    journal.mkdir(mode=0o755)  # an ordinary folder, made by someone by mistake
    (journal / "keep.txt").write_text("not mine")
    before = file_state(journal)
    for name, args in COMMANDS.items():
        result = cli(*args)
        assert result.exit_code == 1, f"{name}: exit {result.exit_code}\n{result.stderr}"
        assert result.stdout == ""
        line = assert_one_error_line(result.stderr, journal)
        assert "folder" in line
    assert file_state(journal) == before
    assert (journal / "keep.txt").read_text() == "not mine"


def test_record_without_required_fields_is_reported_as_damaged_file(journal, cli):
    """A journal whose entry lacks its date and person (hand-edited, or a bad import)."""
    put(journal, json.dumps({"meta": {"1": {"app": "pumpjournal", "schema": 1}},
                             "entries": {"1": {"pain": 3}}}).encode())
    before = file_state(journal)
    for name, args in COMMANDS.items():
        result = cli(*args)
        assert result.exit_code == 1, f"{name}: exit {result.exit_code}\n{result.stderr}"
        assert_one_error_line(result.stderr, journal)
    assert file_state(journal) == before


def test_doctor_names_a_record_without_required_fields(cli, journal):
    """`pumpjournal doctor` is the way out the messages give; it must name the bad entry."""
    put(journal, json.dumps({"meta": {"1": {"app": "pumpjournal", "schema": 1}},
                             "entries": {"1": {"pain": 3}}}).encode())
    before = file_state(journal)
    result = cli("doctor")
    assert not result.stderr.startswith("Error: unexpected"), result.stderr
    assert result.exit_code == 1, result.output
    assert "entry 1" in result.stdout, result.stdout
    assert file_state(journal) == before


def test_way_out_named_for_a_damaged_journal_exists(cli, journal):
    """The message points at commands (backup, doctor); a person who tries them must find them."""
    put(journal, b"{")
    result = cli("list")
    assert result.exit_code == 1
    named = re.findall(r"`pumpjournal (\w+)", result.stderr)
    assert named, result.stderr
    for command in named:
        help_result = cli(command, "--help")
        assert help_result.exit_code == 0, (
            f"the error message tells the person to run `pumpjournal {command}`, which does not "
            f"exist: {help_result.output.strip()}")


@pytest.mark.parametrize("day", ["2025-W10-1", "2025-W10", "2025-061", "20250303",
                                 "2025-03-0\u0663", "2025-3-3", "2025-03-03\n", "2025_03_03",
                                 "2025-02-30"])
def test_stored_date_that_is_not_yyyy_mm_dd_is_a_damaged_journal(journal, day):
    """A hand-edited date must be exactly YYYY-MM-DD: a week date or an ordinal date that
    Python's fromisoformat would take is refused by the load check, with the file untouched."""
    from pumpjournal import JournalCorrupt

    put(journal, json.dumps({"meta": {"1": {"app": "pumpjournal", "schema": 1}},
                             "entries": {"1": {"patient": "me", "date": day, "pain": 3}}}).encode())
    before = journal.read_bytes()
    with pytest.raises(JournalCorrupt, match="entry 1"):
        Journal(journal).read()
    assert journal.read_bytes() == before


def test_damaged_journal_is_refused_by_the_library(journal):
    from pumpjournal import JournalCorrupt

    put(journal, b'{"_default": {}}')
    with pytest.raises(JournalCorrupt, match=re.escape(str(journal))):
        Journal(journal).read()
    with pytest.raises(JournalCorrupt):
        with Journal(journal).transaction() as tx:
            tx.log("me", date(2025, 3, 1), {"pain": 3}, STAMP)
    assert journal.read_bytes() == b'{"_default": {}}'


# a new journal -------------------------------------------------------------------------------


def test_new_journal_is_private_in_new_private_folders(cli, tmp_path, open_umask):
    journal = tmp_path / "home" / "share" / "pumpjournal" / "journal.json"
    result = cli("--journal", str(journal), "log", "--pain", "3", "--date", "2025-03-01")
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    for folder in (tmp_path / "home", tmp_path / "home" / "share", journal.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for other in journal.parent.iterdir():  # the lock file holds no health data, but stays private
        assert stat.S_IMODE(other.stat().st_mode) & 0o077 == 0, other
    assert [e.date for e in Journal(journal).entries()] == ["2025-03-01"]


def test_new_journal_mode_stays_private_after_rewrites(cli, journal, open_umask):
    for n in range(3):
        assert cli("log", "--pain", str(n), "--date", f"2025-03-0{n + 1}").exit_code == 0
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    assert temp_files(journal) == []


def test_reading_a_missing_journal_creates_nothing(cli, journal):
    result = cli("list")
    assert result.exit_code == 0
    assert "No entries yet" in result.stderr
    assert not journal.parent.exists()


# failed writes -------------------------------------------------------------------------------


def _fail_with(code: int):
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize("call", ["replace", "fsync"])
def test_disk_full_changes_nothing(cli, journal, monkeypatch, call):
    assert cli("log", "--pain", "3", "--date", "2025-03-01").exit_code == 0
    before = file_state(journal)
    monkeypatch.setattr(os, call, _fail_with(errno.ENOSPC))
    result = cli("log", "--pain", "7", "--date", "2025-03-02", "--note", "after the refill")
    monkeypatch.undo()
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    line = assert_one_error_line(result.stderr, journal)
    assert "disk is full" in line
    assert "nothing was changed" in line.lower()
    assert file_state(journal) == before
    assert temp_files(journal) == []
    assert [e.date for e in Journal(journal).entries()] == ["2025-03-01"]


def test_disk_full_on_a_new_journal_leaves_no_file(cli, journal, monkeypatch):
    monkeypatch.setattr(os, "fsync", _fail_with(errno.ENOSPC))
    result = cli("log", "--pain", "3", "--date", "2025-03-01")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "disk is full" in result.stderr
    assert not journal.exists()
    assert temp_files(journal) == []


def test_read_only_when_writing_the_new_file(cli, journal, monkeypatch):
    """The lock file is there from earlier use; creating the new journal copy fails."""
    assert cli("log", "--pain", "3", "--date", "2025-03-01").exit_code == 0
    before = file_state(journal)
    real_open = os.open

    def open_(path, flags, *args, **kwargs):
        if str(path).endswith(".tmp"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    result = cli("log", "--pain", "5", "--date", "2025-03-02")
    monkeypatch.undo()
    assert result.exit_code == 1
    line = assert_one_error_line(result.stderr, journal)
    assert "read-only" in line
    assert file_state(journal) == before
    assert temp_files(journal) == []


def _simulate_read_only_folder(monkeypatch, folder: Path) -> None:
    """What a read-only file system (a write-protected stick, a read-only mount) does: every
    open for writing or creating in the folder fails with EROFS; reading still works."""
    real_open, real_mkdir = os.open, os.mkdir
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC

    def open_(path, flags, *args, **kwargs):
        if Path(path).parent == folder and flags & writing:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    def mkdir(path, *args, **kwargs):
        if Path(path).parent == folder.parent:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "mkdir", mkdir)


def test_read_only_folder_reads_but_refuses_writes_clearly(cli, journal, monkeypatch):
    assert cli("log", "--pain", "3", "--date", "2025-03-01").exit_code == 0
    before = file_state(journal)
    _simulate_read_only_folder(monkeypatch, journal.parent)
    listed = cli("list", "--json")
    written = cli("log", "--pain", "5", "--date", "2025-03-02")
    monkeypatch.undo()
    assert listed.exit_code == 0, listed.output
    assert [e["date"] for e in json.loads(listed.stdout)] == ["2025-03-01"]
    assert written.exit_code == 1, written.output
    line = assert_one_error_line(written.stderr, journal)
    assert "read-only" in line
    assert file_state(journal) == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads every file")
@pytest.mark.parametrize("where", ["option", "environment"])
def test_unreadable_journal_is_exit_1_however_it_is_named(cli, journal, monkeypatch, where):
    """An unreadable journal is a journal that cannot be read (exit 1), whether it is named by
    --journal or by PUMPJOURNAL_PATH, never a usage error."""
    assert cli("log", "--pain", "3").exit_code == 0
    journal.chmod(0o000)
    try:
        if where == "option":
            monkeypatch.delenv("PUMPJOURNAL_PATH")
            listed = cli("--journal", str(journal), "list")
        else:
            listed = cli("list")
    finally:
        journal.chmod(0o600)
    assert listed.exit_code == 1, listed.output
    assert "permission denied" in assert_one_error_line(listed.stderr, journal)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root ignores folder permissions")
def test_folder_without_write_permission(cli, journal):
    assert cli("log", "--pain", "3", "--date", "2025-03-01").exit_code == 0
    before = file_state(journal)
    journal.parent.chmod(0o500)
    try:
        listed = cli("list", "--json")
        written = cli("log", "--pain", "5", "--date", "2025-03-02")
    finally:
        journal.parent.chmod(0o700)
    assert listed.exit_code == 0
    assert written.exit_code == 1, written.output
    line = assert_one_error_line(written.stderr, journal)
    assert "permission denied" in line
    assert file_state(journal)[:2] == before[:2]
    assert temp_files(journal) == []


# the library: one write per transaction -----------------------------------------------------


@pytest.fixture
def count_writes(monkeypatch):
    calls: list[Path] = []
    real = store_module.write_file

    def counting(path, payload):
        calls.append(Path(path))
        return real(path, payload)

    monkeypatch.setattr(store_module, "write_file", counting)
    return calls


def test_transaction_writes_once_for_many_changes(journal, count_writes):
    book = Journal(journal)
    with book.transaction() as tx:
        for n in range(120):
            tx.log("me", date(2024, 1, 1) + timedelta(days=n), {"pain": n % 11}, STAMP)
        tx.set_profile("me", {"implant_date": "2024-01-01"})
        tx.delete_entry("me", date(2024, 1, 1))
    assert count_writes == [journal]
    entries = Journal(journal).entries()
    assert len(entries) == 119
    assert entries[-1].date == "2024-01-02"


def test_transaction_without_changes_does_not_write(journal, count_writes):
    build(journal)
    count_writes.clear()
    before = file_state(journal)
    with Journal(journal).transaction() as tx:
        tx.entries()
        tx.log("me", date(2025, 3, 2), {"pain": 1}, STAMP)  # what it already says
    assert count_writes == []
    assert file_state(journal) == before


def test_failed_transaction_changes_nothing(journal, count_writes):
    build(journal)
    count_writes.clear()
    before = file_state(journal)
    with pytest.raises(RuntimeError):
        with Journal(journal).transaction() as tx:
            tx.log("me", date(2025, 4, 1), {"pain": 9}, STAMP)
            raise RuntimeError("an import fails halfway")
    assert count_writes == []
    assert file_state(journal) == before


def test_cli_log_writes_once_and_list_never(cli, journal, count_writes):
    assert cli("log", "--pain", "4", "--symptom", "fever", "--date", "2025-03-01").exit_code == 0
    assert count_writes == [journal]
    count_writes.clear()
    for args in (["list"], ["list", "--json"], ["show", "2025-03-01"], []):
        assert cli(*args).exit_code == 0, args
    assert cli("log", "--pain", "4", "--date", "2025-03-01").exit_code == 0  # unchanged
    assert count_writes == []


def test_library_reads_what_the_cli_wrote(cli, journal):
    assert cli("log", "--pain", "4", "--worst", "6", "--symptom", "fever", "--temperature",
               "100.8F", "--date", "2025-03-01").exit_code == 0
    (entry,) = Journal(journal).entries()
    assert (entry.date, entry.pain, entry.worst, entry.symptoms, entry.temperature_c) == (
        "2025-03-01", 4, 6, ["fever"], 38.22)
    assert entry.least is None  # a skipped score is missing, never 0


# hand-edited journals: sound means usable by every command ---------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402



def _base_journal(path: Path) -> dict:
    from pumpjournal import Event

    today = date.today()
    with Journal(path).transaction() as tx:
        tx.set_profile("me", {"implant_date": (today - timedelta(days=40)).isoformat(),
                              "drugs": ["morphine"], "name": "Jane", "care_phone": "555-0100",
                              "fever_threshold_c": 38.2, "fever_threshold_set_by": "Dr A",
                              "next_refill": (today + timedelta(days=20)).isoformat(),
                              "baseline_symptoms": ["headache"]})
        tx.log("me", today - timedelta(days=3), {
            "pain": 4, "worst": 6, "least": 2, "average": 3, "symptoms": ["fever", "headache"],
            "worse": ["headache"],
            "temperature_c": 38.5, "temperature": "38.5 C", "note": "seed", "questions": ["q?"],
            "sleep": 7.0, "mood": 5, "boluses": 1}, STAMP)
        tx.log("me", today - timedelta(days=2), {"pain": 2}, STAMP)
        tx.add_event(Event("me", "visit", (today - timedelta(days=5)).isoformat()))
        tx.add_event(Event("me", "refill", (today - timedelta(days=6)).isoformat(),
                           {"next_due": (today + timedelta(days=30)).isoformat()}))
        tx.add_event(Event("me", "dose-change", (today - timedelta(days=1)).isoformat(),
                           {"dose": 1.0, "unit": "mg/day", "drug": "morphine"}))
        tx.add_question("me", today - timedelta(days=1), "A question?")
    return json.loads(path.read_bytes())


FIELDS = {  # every field the load check knows, so a new field is fuzzed the day it is added
    "entries": sorted(store_module._DAY_TYPES)
               + [f"readings.{key}" for key in sorted(store_module._READING_TYPES)],
    "profile": ["patient"] + sorted(store_module._PROFILE_CHECKS),
    "events": ["kind", "date", "patient", "details"]
              + [f"details.{key}" for key in sorted(store_module._DETAIL_CHECKS)],
    "questions": ["date", "question", "patient"],
}
DAYS = ["0001-01-01", "1899-12-31", "1900-01-01", "2026-02-30", "9000-12-31", "9999-12-31",
        (date.today() - timedelta(days=10)).isoformat(),
        (date.today() + timedelta(days=10)).isoformat(), "2026-1-1", "20261101"]
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20),
                    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
                    st.sampled_from(DAYS + ["fever", "visit", "me", "morphine", "mg/day", "yes",
                                            "critical", "oral", "37.5 C"]))
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3),
                   st.dictionaries(st.text(max_size=4), SCALARS, max_size=2))
EDITS = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(sorted(FIELDS)), st.integers(0, 2),
              st.integers(0, 20), VALUES),
    st.tuples(st.just("drop"), st.sampled_from(sorted(FIELDS)), st.integers(0, 2),
              st.integers(0, 20), st.none()),
    st.tuples(st.just("id"), st.sampled_from(sorted(FIELDS)), st.integers(0, 2),
              st.integers(0, 0), st.sampled_from(["abc", "0", "-1", "1.5", "", " 1", "01",
                                                  "٣", "99999999999999999999"])),
)


def _edit(data: dict, change) -> None:
    op, table, record, field_no, value = change
    docs = data[table]
    if not docs:
        return
    key = sorted(docs)[record % len(docs)]
    if op == "id":
        docs[value] = docs.pop(key)
        return
    field = FIELDS[table][field_no % len(FIELDS[table])]
    doc = docs[key]
    if field.startswith(("details.", "readings.")):
        inner, field = field.split(".")
        doc = doc.get(inner)
        if isinstance(doc, list) and doc:
            doc = doc[record % len(doc)]
        if not isinstance(doc, dict):
            return
    if op == "drop":
        doc.pop(field, None)
    else:
        doc[field] = value


READS = [[], ["list"], ["list", "--json"], ["summary"], ["summary", "--json"], ["flags"],
         ["cohort"], ["event", "list"], ["profile"], ["export", "--format", "csv"],
         ["export", "--format", "json"], ["export", "--format", "fhir"],
         ["report", "--format", "md", "--output", "-"],
         ["report", "--format", "txt", "--output", "-"]]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(EDITS, min_size=1, max_size=3))
def test_a_journal_doctor_calls_sound_works_with_every_command(cli, journal, tmp_path_factory,
                                                               changes):
    """Sound (doctor exit 0) means list, show, summary, flags, report, export and cohort all
    run; a journal a command cannot use is refused by the load check, with the record named,
    never an "unexpected" error."""
    check_edited_journal(cli, journal, tmp_path_factory, changes)


@pytest.mark.slow
@settings(max_examples=1500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(EDITS, min_size=1, max_size=5))
def test_many_edited_journals_doctor_calls_sound_work_with_every_command(
        cli, journal, tmp_path_factory, changes):
    check_edited_journal(cli, journal, tmp_path_factory, changes)


def check_edited_journal(cli, journal, tmp_path_factory, changes) -> None:
    base = tmp_path_factory.getbasetemp() / "base-journal.json"
    if not base.exists():
        _base_journal(base)
    data = json.loads(base.read_bytes())
    for change in changes:
        _edit(data, change)
    raw = json.dumps(data, ensure_ascii=False).encode("utf-8", "surrogatepass")
    journal.parent.mkdir(exist_ok=True)
    journal.write_bytes(raw)
    doctor = cli("doctor")
    assert doctor.exit_code in (0, 1) and "unexpected" not in doctor.output
    shown = [doc["date"] for doc in data["entries"].values()
             if isinstance(doc.get("date"), str) and doc.get("patient") == "me"][:1]
    for args in READS + [["show", day] for day in shown]:
        result = cli(*args)
        assert "unexpected" not in result.output, (args, result.output)
        if doctor.exit_code == 0:
            assert result.exit_code == 0, (args, result.output)
        elif result.exit_code == 1:
            assert "cannot be read" in result.stderr, (args, result.stderr)
        assert journal.read_bytes() == raw
    if doctor.exit_code == 0:  # a sound journal takes writes too
        for args in [["edit", day, "--pain", "5", "--symptom", "headache"] for day in shown] + [
                ["log", "--pain", "3", "--symptom", "fever", "--contacted", "no"]]:
            result = cli(*args)
            assert result.exit_code == 0, (args, result.output)


@pytest.mark.parametrize("field", ["pain", "worst", "least", "average", "mood", "boluses",
                                   "sleep", "temperature_c"])
def test_numbers_out_of_range_in_a_hand_edited_journal_break_no_command(cli, journal,
                                                                         tmp_path, field):
    """doctor names them; every other command still runs."""
    data = _base_journal(tmp_path / "base.json")
    for value in (-13, 10**6):
        for doc in data["entries"].values():
            (doc if field in model.DAY_VALUES else doc["readings"][0])[field] = value
        journal.parent.mkdir(exist_ok=True)
        journal.write_bytes(json.dumps(data).encode())
        assert cli("doctor").exit_code == 1
        for args in READS:
            result = cli(*args)
            assert "unexpected" not in result.output, (args, value, result.output)
            assert result.exit_code == 0, (args, value, result.output)


def test_a_question_added_through_the_library_is_checked_as_ask_checks_it(journal):
    from pumpjournal import InputError

    for bad in ("", "   ", "\x1b[2J wipe", "x" * 501):
        with pytest.raises(InputError):
            with Journal(journal).transaction() as tx:
                tx.add_question("me", date.today(), bad)
    assert not journal.exists()


# the seal: a journal as pumpjournal wrote it skips the per-record check, nothing else does


def test_a_byte_edit_of_a_sealed_journal_is_still_checked_in_full(cli, journal):
    ok(cli("log", "--pain", "4", "--date", "yesterday"))
    raw = journal.read_bytes()
    assert b'"sealed":' in raw  # pumpjournal's own write
    edited = raw.replace(b'"pain":4', b'"pain":"4"', 1)  # the same layout, a wrong kind
    assert edited != raw
    journal.write_bytes(edited)
    result = cli("list")
    assert result.exit_code == 1 and "pain value of the wrong kind" in result.stderr
    assert journal.read_bytes() == edited


@pytest.mark.parametrize("write", [
    lambda tx: tx.entries_table.insert({"patient": "me", "date": "2026-01-02",
                                        "readings": [{"pain": "high"}]}),
    lambda tx: tx.profile_table.insert({"patient": "me", "drugs": "morphine"}),
    lambda tx: tx.questions_table.insert({"patient": "me", "date": "someday",
                                          "question": "?"}),
])
def test_a_library_write_of_a_record_of_the_wrong_kind_is_refused_and_writes_nothing(
        cli, journal, write):
    ok(cli("log", "--pain", "4", "--date", "yesterday"))
    before = journal.read_bytes()
    with pytest.raises(JournalError, match="was not written"):
        with Journal(journal).transaction() as tx:
            write(tx)
    assert journal.read_bytes() == before
    ok(cli("list"))
