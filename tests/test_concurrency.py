"""Several processes using one journal at once: a patient logging while a caregiver reads or a
script writes. Nothing logged may be lost, and a reader never sees a half-written journal.

The first test starts real `pumpjournal log` processes (forked from the test run by default,
fresh `python -m pumpjournal` processes in its slow case). The longer runs use worker processes
that each drive the real CLI code in-process (Typer's CliRunner) many times, so the locking
between processes is exercised hundreds of times without paying a Python start for every
command; the slowest run starts a fresh Python for every command.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from pumpjournal import Journal
from pumpjournal.store import FileLock
from pjtest import Child, child_env, pumpjournal, run_child

START = date(2025, 1, 1)


def start_cli(args: list[str], journal: Path, fresh: bool = False, **extra: str):
    """pumpjournal in a real process: forked from the test run (pjtest.Child), or ``fresh``."""
    env = child_env(journal, **extra)
    if not fresh:
        return Child(pumpjournal(args), env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.Popen([sys.executable, "-m", "pumpjournal", *args], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def journal_dates(journal: Path) -> list[str]:
    return sorted(e.date for e in Journal(journal).entries())


# 8 real processes -----------------------------------------------------------------------------


@pytest.mark.parametrize("count", [pytest.param(3, id="3 processes"),
                                   pytest.param(8, id="8 processes", marks=pytest.mark.slow)])
def test_processes_log_at_once(journal, cli, count):
    journal.parent.mkdir(mode=0o700)
    days = [(START + timedelta(days=n)).isoformat() for n in range(count)]
    fresh = count > 3  # the slow case starts a fresh Python for each
    writers = [start_cli(["log", "--pain", str(n), "--note", f"writer {n}", "--date", day],
                         journal, fresh) for n, day in enumerate(days)]
    # a caregiver's reads while they write: a real process, and many in-process reads
    reader = start_cli(["list", "--json"], journal, fresh)
    seen, reads = 0, 0
    while any(w.poll() is None for w in writers):
        if journal.exists():
            result = cli("list", "--json")
            assert result.exit_code == 0, result.output
            count = len(json.loads(result.stdout))
            assert count >= seen, "entries disappeared while others were logging"
            seen, reads = count, reads + 1
    for n, writer in enumerate(writers):
        out, err = writer.communicate(timeout=60)
        assert writer.returncode == 0, f"writer {n}: {err}"
        assert f"Logged {days[n]}" in out
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert isinstance(json.loads(out), list)

    assert journal_dates(journal) == days
    listed = json.loads(cli("list", "--json").stdout)
    assert sorted((e["date"], e["pain"], e["note"]) for e in listed) == [
        (day, n, f"writer {n}") for n, day in enumerate(days)]


# workers driving the CLI many times ----------------------------------------------------------

def log_and_list(path: str, worker: int, days: int) -> None:
    """A writer (run in a child process): logs ``days`` days, listing after each one."""
    from typer.testing import CliRunner

    from pumpjournal.cli import app

    runner = CliRunner()
    start = date(2020, 1, 1) + timedelta(days=worker * days)
    mine, seen = set(), 0

    def fail(why):
        sys.exit(f"worker {worker}: {why}")

    for i in range(days):
        day = (start + timedelta(days=i)).isoformat()
        r = runner.invoke(app, ["--journal", path, "log", "--pain", str((worker + i) % 11),
                                "--symptom", "headache", "--note", f"w{worker} d{i}",
                                "--date", day])
        if r.exit_code != 0:
            fail(f"log {day} exited {r.exit_code}: {r.output}")
        mine.add(day)
        r = runner.invoke(app, ["--journal", path, "list", "--json"])
        if r.exit_code != 0:
            fail(f"list exited {r.exit_code}: {r.output}")
        try:
            entries = json.loads(r.stdout)
        except ValueError as exc:
            fail(f"list --json did not parse ({exc}): {r.stdout[:200]!r}")
        if len(entries) < seen:
            fail(f"entries went from {seen} to {len(entries)}")
        seen = len(entries)
        shown = {e["date"] for e in entries if (e["note"] or "").startswith(f"w{worker} ")}
        if shown != mine:
            fail(f"after logging {day}, list shows {sorted(mine - shown)} missing")
    print(json.dumps({"worker": worker, "seen": seen}))


def keep_reading(path: str, stop: str) -> None:
    """A caregiver (run in a child process): lists until ``stop`` exists."""
    from typer.testing import CliRunner

    from pumpjournal.cli import app

    runner = CliRunner()
    reads = 0
    while True:
        done = os.path.exists(stop)
        if os.path.exists(path):
            r = runner.invoke(app, ["--journal", path, "list", "--json", "--limit", "3"])
            if r.exit_code != 0:
                sys.exit(f"list exited {r.exit_code}: {r.output}")
            try:
                json.loads(r.stdout)
            except ValueError as exc:
                sys.exit(f"list --json did not parse ({exc})")
            r = runner.invoke(app, ["--journal", path, "list", "--since", "2019-12-01"])
            if r.exit_code != 0:
                sys.exit(f"list exited {r.exit_code}: {r.output}")
            reads += 1
        if done:
            break
    print(json.dumps({"reads": reads}))


def run_workers(journal: Path, tmp_path: Path, workers: int, days: int) -> None:
    journal.parent.mkdir(mode=0o700)
    stop = tmp_path / "writers-done"
    env = child_env(journal)
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    readers = [Child(functools.partial(keep_reading, str(journal), str(stop)), env,
                     **pipes)]  # a caregiver reading all the while
    procs = [Child(functools.partial(log_and_list, str(journal), w, days), env, **pipes)
             for w in range(workers)]
    results = [p.communicate(timeout=600) for p in procs]
    stop.touch()
    read_results = [r.communicate(timeout=120) for r in readers]
    for p, (_out, err) in zip(procs, results):
        assert p.returncode == 0, err[-2000:]
    for r, (out, err) in zip(readers, read_results):
        assert r.returncode == 0, err[-2000:]
        assert json.loads(out)["reads"] > 0

    expected = sorted((date(2020, 1, 1) + timedelta(days=n)).isoformat()
                      for n in range(workers * days))
    entries = Journal(journal).entries()
    assert sorted(e.date for e in entries) == expected
    for e in entries:
        worker, i = divmod((e.day - date(2020, 1, 1)).days, days)
        assert (e.pain, e.note, e.symptoms) == ((worker + i) % 11, f"w{worker} d{i}",
                                               ["headache"])
    assert list(journal.parent.glob(".journal.json.*.tmp")) == []


def test_three_workers_log_four_days_each_with_reads_between(journal, tmp_path):
    run_workers(journal, tmp_path, workers=3, days=4)


@pytest.mark.slow
def test_eight_workers_log_ten_days_each_with_reads_between(journal, tmp_path):
    run_workers(journal, tmp_path, workers=8, days=10)


@pytest.mark.slow
def test_eight_workers_log_fifty_days_each(journal, tmp_path):
    run_workers(journal, tmp_path, workers=8, days=50)


DRIVER = r'''
import json, subprocess, sys
from datetime import date, timedelta

worker, days = int(sys.argv[1]), int(sys.argv[2])
for i in range(days):
    day = (date(2020, 1, 1) + timedelta(days=worker * days + i)).isoformat()
    for args in (["log", "--pain", str(i % 11), "--date", day], ["list", "--json"]):
        done = subprocess.run([sys.executable, "-m", "pumpjournal", *args],
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            sys.exit(f"worker {worker}: {' '.join(args)} exited {done.returncode}: "
                     f"{done.stderr}")
    json.loads(done.stdout)
'''


@pytest.mark.slow
def test_eight_real_processes_log_ten_days_each(journal):
    """The same with a fresh `python -m pumpjournal` for every command (slow: 160 starts)."""
    journal.parent.mkdir(mode=0o700)
    procs = [subprocess.Popen([sys.executable, "-c", DRIVER, str(w), "10"],
                              env=child_env(journal), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for w in range(8)]
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err[-2000:]
    assert journal_dates(journal) == sorted(
        (date(2020, 1, 1) + timedelta(days=n)).isoformat() for n in range(80))


# the lock ------------------------------------------------------------------------------------


def test_lock_held_too_long_names_the_holder_and_changes_nothing(journal, cli):
    assert cli("log", "--pain", "3", "--date", "2025-03-01").exit_code == 0
    before = journal.read_bytes(), journal.stat().st_mtime_ns
    with FileLock(journal.with_name(journal.name + ".lock"), 30):
        began = time.monotonic()
        blocked = run_child(["log", "--pain", "8", "--date", "2025-03-02"],
                            child_env(journal, PUMPJOURNAL_LOCK_TIMEOUT="0.5"))
    waited = time.monotonic() - began
    assert blocked.returncode == 1, blocked.stderr
    assert blocked.stdout == ""
    lines = blocked.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), blocked.stderr
    assert "Traceback" not in blocked.stderr
    assert f"pid {os.getpid()}" in lines[0]
    assert "nothing was changed" in lines[0].lower()
    assert waited < 8, "PUMPJOURNAL_LOCK_TIMEOUT=0.5 was not honoured"
    assert (journal.read_bytes(), journal.stat().st_mtime_ns) == before
    # once the lock is free, the same command works
    again = cli("log", "--pain", "8", "--date", "2025-03-02")
    assert again.exit_code == 0, again.output
    assert journal_dates(journal) == ["2025-03-01", "2025-03-02"]


def _holds_open(pid: int, path: Path) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path)
                   for fd in os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to see the wait")
def test_writer_waits_for_a_short_lock_instead_of_failing(journal, cli):
    """A lock held briefly (another person's write) only delays a command."""
    assert cli("log", "--pain", "3", "--date", "2025-03-01").exit_code == 0
    lock_path = journal.with_name(journal.name + ".lock")
    with FileLock(lock_path, 30):
        writer = start_cli(["log", "--pain", "6", "--date", "2025-03-02"], journal,
                           PUMPJOURNAL_LOCK_TIMEOUT="30")
        deadline = time.monotonic() + 30  # until the writer is waiting on the lock
        while (writer.poll() is None and not _holds_open(writer.pid, lock_path)
               and time.monotonic() < deadline):
            time.sleep(0.005)
        assert writer.poll() is None, "the writer did not wait for the lock"
    out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    assert "Logged 2025-03-02" in out
    assert journal_dates(journal) == ["2025-03-01", "2025-03-02"]


def test_two_first_uses_at_the_same_moment_both_succeed(cli, journal, monkeypatch):
    """Two commands on a journal whose folder does not exist yet: the other process creates the
    folder between this one's check and its mkdir. Both must succeed."""
    real_mkdir = os.mkdir

    def racing_mkdir(path, *args, **kwargs):
        if not os.path.exists(path):
            real_mkdir(path, 0o700)  # the other process got there first
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "mkdir", racing_mkdir)
    result = cli("log", "--pain", "3", "--date", "2025-03-01")
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert journal_dates(journal) == ["2025-03-01"]
