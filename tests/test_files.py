"""Files and the file system: backups that are the journal's own, reject files that never
replace what matters, symbolic links, pipes and devices, stale temporary copies, the demo's
folder, and clear errors for unusable paths and lock timeouts."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pumpjournal import Journal, store
from pumpjournal.errors import InputError, JournalError, JournalLocked
from pumpjournal.files import atomic_writer, temp_name

from pjtest import ENV, Child, child_env, iso, ok, refused, run_child, snapshot

ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX file system")



def log(path: Path, n: int = 1) -> None:
    """A journal with n days at ``path`` (library use)."""
    with Journal(path).transaction() as tx:
        for day in range(n):
            tx.log("me", datetime(2026, 11, 1).date() + timedelta(days=day), {"pain": 3},
                   "2026-11-01T20:00:00+00:00")


def clock(monkeypatch, times: list[datetime]) -> None:
    """Backups are stamped with these UTC times in turn."""
    queue = list(times)
    monkeypatch.setattr(store, "utc_now", lambda: queue.pop(0))


# 1. Backups are the journal's own ------------------------------------------------------------

NEIGHBOURS = ["journal.old.json", "journal.2025.json", "journal.test.json", "journal.json.json",
              "journal", "journal.000001.json", "journal.json.bak"]


@pytest.mark.parametrize("neighbour", NEIGHBOURS)
def test_backups_of_a_journal_with_a_shared_name_prefix_are_left_alone(tmp_path, neighbour):
    mine, other = Journal(tmp_path / "journal.json"), Journal(tmp_path / neighbour)
    log(other.path)
    log(mine.path)
    theirs = [other.backup() for _ in range(5)]
    made = mine.backup()
    assert made.exists(), "the backup just written was deleted"
    assert mine.backups() == [made]
    assert other.backups() == theirs and all(p.exists() for p in theirs)
    for _ in range(6):
        mine.backup()
    assert len(mine.backups()) == 5 and all(p.exists() for p in theirs)


@pytest.mark.parametrize("name", ["j" * 245 + ".json", "j" * 250 + ".json", "x[1].json",
                                  "é" * 120 + ".json", "a b*?.json"])
def test_odd_journal_names_keep_their_backups(cli, tmp_path, name):
    journal = tmp_path / name
    for n in range(7):
        ok(cli("--journal", str(journal), "log", "--pain", str(n), "--date", iso(n + 1)))
        ok(cli("--journal", str(journal), "backup"))
    assert len(Journal(journal).backups()) == 5
    assert "5 backup copies of this journal" in ok(cli("--journal", str(journal), "doctor")).stdout


def test_doctor_counts_only_the_journals_own_backups(cli, journal, tmp_path):
    neighbour = journal.with_name("journal.old.json")
    log(neighbour)
    for _ in range(3):
        Journal(neighbour).backup()
    ok(cli("log", "--pain", "3"))
    ok(cli("backup"))
    out = ok(cli("doctor")).stdout
    assert "1 backup copy of this journal" in out


STAMPS = st.lists(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                               timezones=st.just(timezone.utc)), min_size=1, max_size=12)


@given(times=STAMPS, kinds=st.lists(st.sampled_from(["manual", "import"]), min_size=12,
                                    max_size=12))
def test_backups_kept_are_the_newest_made_whatever_the_clock_says(tmp_path_factory, times,
                                                                   kinds):
    """Clocks that jump back (a flight west, the autumn clock change, a wrong clock): the copy
    just written is never pruned, and the ones kept are the last five made of that kind."""
    check_backups_under_a_clock(tmp_path_factory, times, kinds)


@pytest.mark.slow
@given(times=st.lists(st.datetimes(timezones=st.just(timezone.utc)), min_size=20, max_size=40),
    kinds=st.lists(st.sampled_from(["manual", "import"]), min_size=40, max_size=40))
def test_many_backups_under_a_wild_clock(tmp_path_factory, times, kinds):
    check_backups_under_a_clock(tmp_path_factory, times, kinds)


def check_backups_under_a_clock(tmp_path_factory, times, kinds) -> None:
    folder = tmp_path_factory.mktemp("clock")
    journal = Journal(folder / "journal.json")
    log(journal.path)
    queue = list(times)
    made: dict[str, list[Path]] = {"manual": [], "import": []}
    real = store.utc_now
    store.utc_now = lambda: queue.pop(0)
    try:
        for kind in kinds[:len(times)]:
            path = journal.keep_backup(journal.path.read_bytes(), kind)
            made[kind].append(path)
            assert path.exists(), "the copy just written was pruned"
    finally:
        store.utc_now = real
    for kind, paths in made.items():
        assert journal.backups(kind) == paths[-5:]


def test_a_clock_gone_back_keeps_the_newest_backup(cli, journal, monkeypatch):
    ok(cli("log", "--pain", "3"))
    start = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
    clock(monkeypatch, [start + timedelta(hours=n) for n in range(5)] + [start - timedelta(
        hours=17)])
    written = []
    for _ in range(6):
        written.append(Path(ok(cli("backup")).stdout.split("Backup written: ")[1].strip()))
    kept = sorted((journal.parent / "backups").iterdir())
    assert written[-1] in kept and written[0] not in kept and len(kept) == 5


def test_the_copy_an_import_keeps_survives_a_clock_gone_back(cli, journal, tmp_path,
                                                              monkeypatch):
    ok(cli("log", "--pain", "3", "--date", "2026-10-01"))
    start = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
    clock(monkeypatch, [start + timedelta(hours=n) for n in range(5)] + [start - timedelta(
        days=300)])
    for n in range(6):
        rows = tmp_path / f"rows{n}.csv"
        rows.write_text(f"date,pain\n2026-10-{n + 2:02d},4\n", encoding="utf-8")
        ok(cli("import", str(rows)))
    kept = Journal(journal).backups("import")
    assert len(kept) == 5
    # the last import's copy holds the journal as it was before that import: 6 days
    assert len(json.loads(kept[-1].read_bytes())["entries"]) == 6


def test_backups_named_by_an_older_version_count_and_go_first(tmp_path):
    journal = Journal(tmp_path / "journal.json")
    log(journal.path)
    journal.backup_folder.mkdir(mode=0o700)
    old = journal.backup_folder / "journal.2026-11-30T101010.123456.manual.json"
    old.write_bytes(journal.path.read_bytes())
    assert journal.backups() == [old]
    made = [journal.backup() for _ in range(5)]
    assert journal.backups() == made and not old.exists()


# 2. import --rejects -------------------------------------------------------------------------


@pytest.fixture
def rows(tmp_path) -> Path:
    path = tmp_path / "rows.csv"
    path.write_text("date,pain\n2026-10-01,3\n2026-10-02,99\n", encoding="utf-8")
    return path


def protected_targets(journal: Path, rows: Path) -> dict:
    """What --rejects must never replace, each with a way to name it."""
    link = journal.with_name("link.json")
    link.symlink_to(journal.name)
    hard = journal.with_name("hard.json")
    os.link(journal, hard)
    backup = Journal(journal).backup()
    return {"journal": journal, "journal by a link": link, "journal by a hard link": hard,
            "a backup": backup, "the input": rows, "the lock file":
            journal.with_name(journal.name + ".lock"), "a new file in backups":
            backup.with_name("new.csv")}


@pytest.mark.parametrize("force", [False, True])
def test_rejects_never_replace_the_journal_its_backups_or_the_input(cli, journal, rows, force):
    ok(cli("log", "--pain", "3"))
    for what, target in protected_targets(journal, rows).items():
        before = {p: snapshot(p) for p in [journal, rows, target]}
        result = cli("import", str(rows), "--skip-invalid", "--rejects", str(target),
                     *(["--force"] if force else []))
        line = refused(result, 2)
        assert "Nothing was" in line, what
        assert {p: snapshot(p) for p in before} == before, f"{what} was changed"


@pytest.mark.parametrize("command", [["export", "--output"],
                                     ["report", "--format", "md", "--output"]])
def test_reports_and_exports_never_replace_the_journal_or_its_backups(cli, journal, rows,
                                                                       command):
    ok(cli("log", "--pain", "3"))
    targets = protected_targets(journal, rows)
    del targets["the input"]
    for what, target in targets.items():
        before = {p: snapshot(p) for p in [journal, target]}
        line = refused(cli(*command, str(target), "--force"), 2)
        assert "Nothing was" in line, what
        assert {p: snapshot(p) for p in before} == before, f"{what} was changed"


def test_an_existing_rejects_file_is_replaced_only_with_force(cli, journal, rows, tmp_path):
    ok(cli("log", "--pain", "3"))
    mine = tmp_path / "fixing.csv"
    mine.write_text("half fixed\n", encoding="utf-8")
    before = snapshot(journal)
    line = refused(cli("import", str(rows), "--skip-invalid", "--rejects", str(mine)), 2)
    assert "already exists; use --force" in line
    assert mine.read_text(encoding="utf-8") == "half fixed\n" and snapshot(journal) == before
    result = cli("import", str(rows), "--skip-invalid", "--rejects", str(mine), "--force")
    assert result.exit_code == 2 and "2026-10-02,99" in mine.read_text(encoding="utf-8")
    assert stat.S_IMODE(mine.stat().st_mode) == 0o600
    assert "2026-10-01" in [e.date for e in Journal(journal).entries()]


def test_the_default_rejects_name_is_numbered_when_taken(cli, journal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ok(cli("log", "--pain", "3"))
    names = []
    for n in range(3):
        source = tmp_path / "rows.csv"
        source.write_text(f"date,pain\n2026-10-{n + 1:02d},3\n2026-09-01,99\n", encoding="utf-8")
        result = cli("import", str(source), "--skip-invalid", "--json")
        assert result.exit_code == 2, result.output
        names.append(json.loads(result.stdout)["rejects_file"])
    assert names == ["rows-rejects.csv", "rows-rejects-2.csv", "rows-rejects-3.csv"]
    assert all((tmp_path / name).exists() for name in names)


def unusable_paths(tmp_path: Path) -> dict:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    return {"a folder": tmp_path / "folder", "a missing folder": tmp_path / "nope" / "x.csv",
            "a file as folder": tmp_path / "afile" / "x.csv",
            "a name too long": tmp_path / ("x" * 300 + ".csv"),
            # a name ending in a separator names a folder, made or not: never a file by its name
            "a folder not made yet": f"{tmp_path / 'newdir'}{os.sep}",
            "the backups folder": f"{tmp_path / 'data' / 'backups'}{os.sep}", "here": "."}


def test_an_unusable_rejects_path_imports_nothing(cli, journal, rows, tmp_path):
    ok(cli("log", "--pain", "3"))
    before = snapshot(journal)
    for what, target in unusable_paths(tmp_path).items():
        line = refused(cli("import", str(rows), "--skip-invalid", "--rejects", str(target)), 2)
        assert "Nothing was" in line, what
        assert snapshot(journal) == before, f"{what}: the good rows went in anyway"
    assert not (tmp_path / "newdir").exists() and not (journal.parent / "backups").is_file()


def test_an_import_refused_for_its_conflicts_writes_no_rejects_file(cli, journal, rows,
                                                                  tmp_path, monkeypatch):
    """Nothing was changed means nothing: the second import of the same rows conflicts, so
    neither the journal nor a rejects file is written."""
    monkeypatch.chdir(tmp_path)
    assert cli("import", str(rows), "--skip-invalid").exit_code == 2  # 1 good row in, 1 rejected
    made = sorted(p.name for p in tmp_path.glob("rows-rejects*"))
    before = snapshot(journal)
    again = cli("import", str(rows), "--skip-invalid")
    assert again.exit_code == 2 and "the journal already holds these readings" in again.stderr
    assert "Nothing was changed" in again.stderr
    assert sorted(p.name for p in tmp_path.glob("rows-rejects*")) == made
    assert "Rejected rows written" not in again.stdout and snapshot(journal) == before


def test_rejects_are_written_before_the_import_commits(cli, journal, rows, tmp_path,
                                                       monkeypatch):
    """When the journal then cannot be written, the message says the rejects file was."""
    ok(cli("log", "--pain", "3"))
    before = snapshot(journal)

    def fail(path, payload):
        raise JournalError(f"could not write the journal {path}: the disk is full. The journal "
                           "was left as it was; nothing was changed.")

    monkeypatch.setattr(store, "write_file", fail)
    target = tmp_path / "bad.csv"
    line = refused(cli("import", str(rows), "--skip-invalid", "--rejects", str(target)), 1)
    assert f"the rejected rows were written to {target}" in line
    assert "The journal was not changed" in line and "Nothing was changed" not in line
    assert target.exists() and snapshot(journal) == before


# 3. A symbolic link to the journal stays one --------------------------------------------------


@posix_only
@pytest.mark.parametrize("how", ["relative", "absolute", "a chain", "a linked folder"])
def test_a_journal_that_is_a_link_stays_a_link(cli, journal, tmp_path, how):
    synced = tmp_path / "synced"
    synced.mkdir()
    target = synced / "journal.json"
    log(target)
    journal.parent.mkdir(exist_ok=True)
    if how == "relative":
        journal.symlink_to(os.path.relpath(target, journal.parent))
    elif how == "absolute":
        journal.symlink_to(target)
    elif how == "a chain":
        middle = tmp_path / "middle.json"
        middle.symlink_to(target)
        journal.symlink_to(middle)
    else:
        journal.parent.rmdir()
        journal.parent.symlink_to(synced)
    ok(cli("log", "--pain", "5", "--note", "today"))
    ok(cli("backup"))
    assert journal.is_symlink() or journal.parent.is_symlink()
    assert "today" in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert (synced / "journal.json.lock").exists() and len(list(synced.glob("backups/*"))) == 1
    if how != "a linked folder":
        assert sorted(os.listdir(journal.parent)) == ["journal.json"], "files beside the link"
    assert Journal(journal).real_path == target.resolve()


@posix_only
def test_two_paths_to_one_journal_share_one_lock(tmp_path):
    target = tmp_path / "journal.json"
    log(target)
    link = tmp_path / "other-name.json"
    link.symlink_to(target)
    with Journal(target).transaction():
        with pytest.raises(JournalLocked):
            with Journal(link, lock_timeout=0).transaction():
                pass


# 4. Stale temporary copies ------------------------------------------------------------------


def plant_stale(journal: Path) -> tuple[list[Path], list[Path]]:
    """Leftovers of crashed writes (this version's names and the older ones), and look-alikes
    of another journal that must be left alone."""
    data = journal.read_bytes()
    mine = [journal.parent / f".{journal.name}.4242.tmp",
            journal.parent / f".{journal.name}.4243.0123456789ab.tmp"]
    backups = journal.parent / "backups"
    backups.mkdir(mode=0o700, exist_ok=True)
    mine.append(backups / ".journal.000009.2026-11-01T101010.000000Z.manual.json.77."
                          "00000000abcd.tmp")
    others = [journal.parent / ".journal.old.json.4242.tmp",
              journal.parent / f".{journal.name}.notes.tmp",
              backups / ".journal.old.000001.2026-11-01T101010.000000Z.manual.json.7.tmp"]
    for path in mine + others:
        path.write_bytes(data)
    return mine, others


@pytest.mark.parametrize("write", [["log", "--pain", "4", "--date", "2026-11-20"],
                                   ["backup"], ["init", "--encrypt"],
                                   ["event", "add", "visit", "--date", "2026-11-20"]])
def test_the_next_write_removes_its_own_stale_copies_only(cli, journal, write, monkeypatch):
    ok(cli("log", "--pain", "3"))
    mine, others = plant_stale(journal)
    if write[0] == "init":
        monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", "correct horse battery staple")
    ok(cli(*write))
    assert [p for p in mine if p.exists()] == []
    assert all(p.exists() for p in others)


def test_doctor_lists_stale_copies(cli, journal):
    ok(cli("log", "--pain", "3"))
    mine, others = plant_stale(journal)
    out = ok(cli("doctor")).stdout
    assert "3 temporary copies of the journal left by an interrupted write" in out
    assert all(str(p) in out for p in mine) and not any(str(p) in out for p in others)
    assert all(p.exists() for p in mine), "doctor changes nothing"


def test_no_plain_leftover_outlives_init_encrypt(cli, journal, monkeypatch):
    ok(cli("log", "--pain", "3", "--note", "private words"))
    mine, _ = plant_stale(journal)
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", "correct horse battery staple")
    ok(cli("init", "--encrypt"))
    assert b"private words" not in journal.read_bytes()
    assert [p for p in mine if p.exists()] == [] and Journal(journal).stale_files() == []


def test_temporary_names_cannot_be_guessed():
    assert temp_name("journal.json") != temp_name("journal.json")
    assert temp_name("journal.json").startswith(f".journal.json.{os.getpid()}.")
    long = temp_name("é" * 200 + ".json")
    assert len(long.encode()) < 255


# 5. Never through a link, never into a pipe or a device ----------------------------------------


def outputs(tmp_path: Path) -> dict:
    """Each command that writes a named file, with that file's name."""
    rows = tmp_path / "rows.csv"
    rows.write_text("date,pain\n2026-10-01,3\n2026-10-02,99\n", encoding="utf-8")
    return {"report": (["report", "--format", "md", "--output"], tmp_path / "r.md"),
            "export": (["export", "--output"], tmp_path / "x.csv"),
            "rejects": (["import", str(rows), "--skip-invalid", "--rejects"],
                        tmp_path / "bad.csv")}


@posix_only
@pytest.mark.parametrize("force", [False, True])
def test_outputs_are_never_written_through_a_link(cli, journal, tmp_path, force):
    ok(cli("log", "--pain", "3", "--date", "2026-11-01"))
    decoy = tmp_path / "decoy"
    for what, (args, target) in outputs(tmp_path).items():
        decoy.write_text("keep me\n", encoding="utf-8")
        target.symlink_to(decoy)
        before = snapshot(journal)
        line = refused(cli(*args, str(target), *(["--force"] if force else [])), 2)
        assert "link" in line or "exists" in line, what
        assert decoy.read_text(encoding="utf-8") == "keep me\n", f"{what} wrote through a link"
        assert target.is_symlink() and snapshot(journal) == before
        target.unlink()


@posix_only
def test_a_fifo_or_device_output_is_refused_even_with_force(cli, journal, tmp_path):
    ok(cli("log", "--pain", "3", "--date", "2026-11-01"))
    for what, (args, target) in outputs(tmp_path).items():
        os.mkfifo(target)
        line = refused(cli(*args, str(target), "--force"), 2)
        assert "named pipe" in line, what
        assert stat.S_ISFIFO(os.lstat(target).st_mode)
        target.unlink()
        if ROOT:
            os.mknod(target, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
            line = refused(cli(*args, str(target), "--force"), 2)
            assert "device" in line
            assert stat.S_ISCHR(os.lstat(target).st_mode), f"{what} replaced the device"
            target.unlink()


def test_force_replaces_a_regular_file_through_a_new_file(cli, journal, tmp_path):
    ok(cli("log", "--pain", "3", "--date", "2026-11-01"))
    target = tmp_path / "x.csv"
    target.write_text("old\n", encoding="utf-8")
    os.chmod(target, 0o644)
    inode = target.stat().st_ino
    ok(cli("export", "--output", str(target), "--force"))
    assert target.stat().st_ino != inode and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_unusable_output_paths_are_one_line_errors(cli, journal, tmp_path):
    ok(cli("log", "--pain", "3", "--date", "2026-11-01"))
    for what, target in unusable_paths(tmp_path).items():
        for args in (["report", "--format", "md", "--output"], ["export", "--output"]):
            refused(cli(*args, str(target)), 2)
        assert not (tmp_path / "nope").exists(), what
        assert not (tmp_path / "newdir").exists(), what


@posix_only
@pytest.mark.skipif(ROOT, reason="root may write anywhere")
def test_an_output_folder_without_permission_is_a_one_line_error(cli, journal, tmp_path):
    ok(cli("log", "--pain", "3", "--date", "2026-11-01"))
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    line = refused(cli("export", "--output", str(locked / "x.csv")), 2)
    assert "permission denied" in line


FIFO_COMMANDS = [["list"], ["doctor"], ["log", "--pain", "3"], ["summary"], ["init"], ["backup"],
                 ["export"]]


def run_all_fifo_commands() -> None:
    """Every command in one real process (forked), so a command that would block on the pipe
    fails the test at the timeout instead of hanging the suite."""
    from typer.testing import CliRunner

    from pumpjournal.cli import app

    done = []
    for args in FIFO_COMMANDS:
        result = CliRunner().invoke(app, args, prog_name="pumpjournal")
        done.append([args, result.exit_code, result.output])
    print(json.dumps(done))


@posix_only
def test_a_fifo_journal_is_refused_at_once(journal):
    journal.parent.mkdir()
    os.mkfifo(journal)
    alone = run_child(["list"], child_env(journal), timeout=20)
    assert alone.returncode == 1 and "named pipe" in alone.stderr, alone.stderr
    every = Child(run_all_fifo_commands, child_env(journal), stdout=subprocess.PIPE,
                  stderr=subprocess.PIPE)
    out, err = every.communicate(timeout=30)
    assert every.returncode == 0, err
    for args, code, output in json.loads(out):
        assert code == 1, (args, output)
        assert "named pipe" in output and "unexpected" not in output, (args, output)


@posix_only
def test_a_device_journal_is_never_read(tmp_path):
    done = run_child(["--journal", "/dev/zero", "list"], {**os.environ, **ENV}, timeout=20)
    assert done.returncode == 1 and "a device, not a regular file" in done.stderr


@posix_only
@pytest.mark.parametrize("plant", ["link", "fifo", "hard link"])
def test_a_planted_lock_file_is_refused_and_followed_nowhere(cli, journal, tmp_path, plant):
    ok(cli("log", "--pain", "3", "--date", "2026-11-01"))
    lock = journal.with_name(journal.name + ".lock")
    lock.unlink()
    decoy = tmp_path / "decoy"
    decoy.write_text("alias ll='ls -l'\n", encoding="utf-8")
    if plant == "link":
        lock.symlink_to(decoy)
    elif plant == "hard link":
        os.link(decoy, lock)
    else:
        os.mkfifo(lock)
    before = snapshot(journal)
    line = refused(cli("log", "--pain", "4"), 1)
    assert "lock file" in line
    assert decoy.read_text(encoding="utf-8") == "alias ll='ls -l'\n" and snapshot(journal) == before


@posix_only
def test_a_planted_link_at_a_temporary_name_catches_nothing(cli, journal, tmp_path):
    ok(cli("log", "--pain", "3", "--date", "2026-11-01"))
    decoy = tmp_path / "decoy"
    decoy.write_text("decoy\n", encoding="utf-8")
    for pid in range(os.getpid() - 2, os.getpid() + 3):  # the old, predictable names
        (journal.parent / f".{journal.name}.{pid}.tmp").symlink_to(decoy)
    ok(cli("log", "--pain", "4", "--note", "private"))
    assert decoy.read_text(encoding="utf-8") == "decoy\n"
    assert not journal.is_symlink() and "private" in journal.read_text(encoding="utf-8")
    for what, (args, target) in outputs(tmp_path).items():
        for pid in range(os.getpid() - 2, os.getpid() + 3):
            (target.parent / f".{target.name}.{pid}.tmp").symlink_to(decoy)
        assert cli(*args, str(target)).exit_code in (0, 2)
        assert decoy.read_text(encoding="utf-8") == "decoy\n", what
        assert target.is_file() and not target.is_symlink(), what


@posix_only
def test_a_backups_folder_that_is_a_link_is_not_followed(cli, journal, tmp_path, rows):
    ok(cli("log", "--pain", "3"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (journal.parent / "backups").symlink_to(elsewhere)
    before = snapshot(journal)
    for args in (["backup"], ["import", str(rows), "--skip-invalid", "--rejects",
                              str(tmp_path / "r.csv")]):
        line = refused(cli(*args), 1)
        assert "backups folder" in line and "symbolic link" in line
        assert list(elsewhere.iterdir()) == [] and snapshot(journal) == before


@posix_only
@pytest.mark.parametrize("folder", ["journal", "backups"])
def test_a_folder_others_can_write_gets_a_warning(cli, journal, folder):
    ok(cli("log", "--pain", "3"))
    ok(cli("backup"))
    path = journal.parent if folder == "journal" else journal.parent / "backups"
    os.chmod(path, 0o777)
    warned = ok(cli("list")).stderr
    assert f"other users can write to the folder {path}" in warned
    assert f"chmod go-w {path}" in warned
    assert cli("doctor").exit_code == 1


@posix_only
def test_a_link_in_a_folder_others_can_write_gets_a_warning(cli, journal, tmp_path):
    """Someone who can write there could swap the link: the link's folder counts too."""
    ok(cli("log", "--pain", "3"))
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "j.json").symlink_to(journal)
    os.chmod(shared, 0o777)
    warned = ok(cli("--journal", str(shared / "j.json"), "list")).stderr
    assert f"other users can write to the folder {shared}" in warned


def test_an_import_from_a_device_is_refused_at_once(cli, journal):
    ok(cli("log", "--pain", "3"))
    before = snapshot(journal)
    for fmt in ("csv", "json", "jsonl"):
        line = refused(cli("import", "/dev/zero", "--format", fmt), 2)
        assert "is a device, not a file" in line and "Nothing was changed" in line
    assert snapshot(journal) == before


def test_atomic_writer_refuses_a_non_regular_target(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(InputError, match="named pipe"):
        with atomic_writer(tmp_path / "pipe") as handle:
            handle.write(b"x")
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]


# 6. The demo's folder -----------------------------------------------------------------------


@posix_only
def test_demo_writes_into_a_new_private_folder_each_run(cli, tmp_path, monkeypatch):
    import tempfile

    shared = tmp_path / "tmp"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    planted = shared / "pumpjournal-demo"
    planted.mkdir()
    os.chmod(planted, 0o777)  # made by someone else first
    monkeypatch.setenv("TMPDIR", str(shared))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again, as a new process would
    monkeypatch.delenv("PUMPJOURNAL_PATH")
    folders = []
    for _ in range(2):
        done = ok(cli("demo"))
        line = next(x for x in done.stdout.splitlines() if "new private folder" in x)
        folder = Path(line.split("new private folder, ")[1].rstrip(":"))
        assert folder.parent == shared and folder != planted
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert sorted(p.suffix for p in folder.iterdir()) == [".html", ".pdf"]
        folders.append(folder)
    assert folders[0] != folders[1] and list(planted.iterdir()) == []


# 7. Dates and event ids ---------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["log", "--pain", "3", "--date", "1899-12-31"],
    ["event", "add", "visit", "--date", "1899-12-31"],
    ["event", "add", "implant", "--date", "0001-01-01"],
    ["event", "add", "visit", "--date", "9999-12-31"],
    ["event", "add", "refill", "--date", "2026-11-01", "--next-due", "9999-12-31"],
    ["profile", "--next-refill", "9999-12-31"],
    ["profile", "--implant-date", "1850-01-01"],
])
def test_dates_outside_the_journal_years_are_refused(cli, journal, args):
    ok(cli("log", "--pain", "3"))
    before = snapshot(journal)
    refused(cli(*args), 2)
    assert snapshot(journal) == before
    for command in (["summary"], ["flags"], ["report", "--format", "txt", "--output", "-"]):
        ok(cli(*command))


def test_imported_dates_before_1900_are_row_errors(cli, journal, tmp_path):
    source = tmp_path / "old.csv"
    source.write_text("date,pain\n1899-12-31,3\n", encoding="utf-8")
    result = cli("import", str(source))
    assert result.exit_code == 2 and "1900" in result.stderr and not journal.exists()


def test_event_ids_are_never_reused(cli, cli_json, journal):
    ok(cli("log", "--pain", "3"))
    ids = [cli_json("event", "add", "visit", "--date", iso(n))["id"] for n in (3, 2, 1)]
    assert ids == [1, 2, 3]
    ok(cli("event", "delete", "3", "--yes"))
    assert cli_json("event", "add", "visit", "--date", iso(4))["id"] == 4
    for n in (1, 2, 4):
        ok(cli("event", "delete", str(n), "--yes"))
    assert cli_json("event", "add", "visit", "--date", iso(5))["id"] == 5
    assert json.loads(journal.read_bytes())["meta"]["1"]["last_event_id"] == 5


# 8. The lock timeout ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "", "10s", "nan", "inf", "-inf", "-1", "0", "1e308",
                                   "0x10", "\u0661\u0660s"])
def test_a_bad_lock_timeout_is_a_one_line_error(cli, journal, monkeypatch, value):
    ok(cli("log", "--pain", "3", "--date", "2026-11-01"))
    before = snapshot(journal)
    monkeypatch.setenv("PUMPJOURNAL_LOCK_TIMEOUT", value)
    line = refused(cli("log", "--pain", "4"), 2)
    assert "PUMPJOURNAL_LOCK_TIMEOUT" in line and "positive number" in line
    assert snapshot(journal) == before
    ok(cli("list"))  # read when a lock is taken: reading needs none


@pytest.mark.parametrize("value", ["0.5", " 3 ", "1e1", "86400"])
def test_a_good_lock_timeout_is_used(cli, monkeypatch, value):
    monkeypatch.setenv("PUMPJOURNAL_LOCK_TIMEOUT", value)
    ok(cli("log", "--pain", "4"))


def test_a_bad_lock_timeout_at_the_start_of_a_process(journal):
    """A fresh Python: a setting read while pumpjournal is imported would escape the one exit
    point as a traceback."""
    done = subprocess.run([sys.executable, "-m", "pumpjournal", "log", "--pain", "3"],
                          env=child_env(journal, PUMPJOURNAL_LOCK_TIMEOUT="10s"),
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
