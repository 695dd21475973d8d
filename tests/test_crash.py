"""A writing process killed at a random instant (SIGKILL: no clean-up, like a power cut for the
process) leaves the old journal or the new one, never a mix.

A child process logs days in order, one transaction per day, onto a journal of a few hundred
entries; it is killed after a random 0-30 ms (or, aimed, the moment its temporary copy exists),
then the next child carries on from where the journal is. After every kill the journal must
open, `list --json` must work, and the entries must be exactly days 1..k, each complete, with k
never going down. Leftover temporary files (`.journal.json.*.tmp`) from a killed write may stay
in the folder until the next write, which removes them; they must never be taken for the
journal.
"""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from pumpjournal import Journal
from pjtest import Child, child_env, pumpjournal

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

FIRST_DAY = date(2000, 1, 1)
STAMP = "2026-01-01T09:00:00+00:00"
PREFILLED = 300

def values(n):
    """What day n (1-based) holds; the writers write exactly this."""
    return {"pain": n % 11, "worst": min(10, n % 11 + 2), "least": max(0, n % 11 - 2),
            "symptoms": ["fever", "headache"] if n % 7 == 0 else ["headache"],
            "sleep": 6.5, "mood": n % 10,
            "note": f"day {n}: walked to the mailbox and back; " + "x" * (n % 90),
            "questions": [f"question for day {n}"]}


def write_days(path: Path) -> None:
    """The writer (run in a child process): logs the next day, one transaction a day."""
    journal = Journal(path)
    print("ready", flush=True)
    for _ in range(100000):
        with journal.transaction() as tx:
            n = len(tx.entries_table) + 1
            tx.log("me", FIRST_DAY + timedelta(days=n - 1), values(n), STAMP)


def writer_temp_files(journal: Path, pid: int) -> list[str]:
    """The temporary copies process ``pid`` has written and not yet renamed."""
    prefix = f".{journal.name}.{pid}."
    return [name for name in os.listdir(journal.parent) if name.startswith(prefix)]


def prefill(journal: Path) -> None:
    with Journal(journal).transaction() as tx:
        for n in range(1, PREFILLED + 1):
            tx.log("me", FIRST_DAY + timedelta(days=n - 1), values(n), STAMP)


def check_journal(journal: Path, at_least: int, cli, *, full: bool = False) -> int:
    """The journal opens and holds days 1..k, each complete; returns k."""
    raw = journal.read_bytes()
    json.loads(raw)  # a person can open it too
    entries = sorted(Journal(journal).read().entries(), key=lambda e: e.date)
    k = len(entries)
    assert k >= at_least, f"the journal lost entries: {at_least} -> {k}"
    for n, entry in enumerate(entries, start=1):
        assert entry.date == (FIRST_DAY + timedelta(days=n - 1)).isoformat(), (
            f"entry {n} is {entry.date}: days are missing or out of order")
        expected = values(n)
        got = {key: getattr(entry, key) for key in expected}
        assert got == expected, f"day {n} is not what was written: {got}"
    args = ["list", "--json"] if full else ["list", "--json", "--limit", "2"]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [e["date"] for e in listed] == [e.date for e in entries[::-1]][:len(listed)]
    return k


def kill_writers(journal: Path, cli, kills: int, seed: int, max_delay: float = 0.030,
                 aimed: int = 0) -> dict:
    """``kills`` writers killed at a random instant each, then up to ``aimed`` more, each
    killed the moment it has a temporary copy on disk (between writing the copy and renaming
    it over the journal), until one such kill lands. Writers are processes forked from the
    test run (pjtest.Child), so they start writing at once."""
    rng = random.Random(seed)
    k = check_journal(journal, PREFILLED, cli)
    stats = {"kills": 0, "progress": 0, "mid_write": 0, "no_progress": 0}
    for n in range(kills + aimed):
        if n >= kills and stats["mid_write"]:
            break
        child = Child(functools.partial(write_days, journal), child_env(journal),
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        if n < kills:
            time.sleep(rng.uniform(0, max_delay))  # the random instant of the crash
        else:
            deadline = time.monotonic() + 10
            while not writer_temp_files(journal, child.pid) and time.monotonic() < deadline:
                pass  # a busy wait: the copy exists for a few milliseconds
        if child.poll() is not None:
            pytest.fail(f"the writer stopped by itself: {child.stderr.read()}")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
        stats["kills"] += 1
        if writer_temp_files(journal, child.pid):
            stats["mid_write"] += 1  # killed between writing the copy and renaming it
        new_k = check_journal(journal, k, cli)
        stats["progress"] += new_k - k
        stats["no_progress"] += new_k == k
        k = new_k
    check_journal(journal, k, cli, full=True)
    return stats


def assert_temp_files_are_not_the_journal(journal: Path, cli) -> None:
    """Plant a half-written temporary file under every likely name; the journal is unaffected,
    and a further write still works and leaves its own name clean."""
    k = check_journal(journal, PREFILLED, cli)
    planted = journal.parent / f".{journal.name}.{os.getpid()}.tmp"
    planted.write_bytes(journal.read_bytes()[:100])
    assert check_journal(journal, k, cli) == k
    result = cli("log", "--pain", "2", "--date", (FIRST_DAY + timedelta(days=k)).isoformat())
    assert result.exit_code == 0, result.output
    assert len(Journal(journal).entries()) == k + 1
    assert not planted.exists()  # the write removed the leftovers of the killed writers
    assert Journal(journal).stale_files() == []
    listed = cli("list", "--json")
    assert listed.exit_code == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == k + 1


def test_killed_writer_leaves_old_or_new_journal(journal, cli):
    """A few kills at random instants, at least one of them mid-write (aimed at the moment a
    temporary copy exists if no random one was): after each one the journal is the old one or
    the new one (checked in kill_writers), and a planted temporary file is never taken for the
    journal."""
    prefill(journal)
    stats = kill_writers(journal, cli, kills=4, seed=20261125, aimed=20)
    assert stats["kills"] >= 4
    assert stats["mid_write"] > 0, f"no kill landed between writing and renaming: {stats}"
    assert_temp_files_are_not_the_journal(journal, cli)


@pytest.mark.slow
def test_killed_writer_many_instants(journal, cli):
    """Many kills: some land mid-write (the temporary copy written, not yet renamed over the
    journal), so old-or-new is checked where it is hardest, and some writes complete."""
    prefill(journal)
    stats = kill_writers(journal, cli, kills=400, seed=7, max_delay=0.060)
    assert stats["mid_write"] > 0, f"no kill landed between writing and renaming: {stats}"
    assert stats["progress"] > 0, f"no write ever completed: the kills tested nothing: {stats}"
    assert_temp_files_are_not_the_journal(journal, cli)


CLI_LOOP = r'''
import os, subprocess, sys
from datetime import date, timedelta
from pumpjournal import Journal

os.setpgrp()  # so the test can kill this loop and the command it is running together
path = sys.argv[1]
print("ready", flush=True)
while True:
    n = len(Journal(path).entries()) + 1
    subprocess.run([sys.executable, "-m", "pumpjournal", "log", "--pain", str(n % 11),
                    "--note", f"day {n}", "--date",
                    (date(2000, 1, 1) + timedelta(days=n - 1)).isoformat()],
                   check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
'''


@pytest.mark.slow
def test_killed_cli_log_leaves_old_or_new_journal(journal, cli):
    """The real `pumpjournal log` command killed at random instants of its run."""
    journal.parent.mkdir(mode=0o700)
    rng = random.Random(3)
    k = 0
    for _ in range(40):
        loop = subprocess.Popen([sys.executable, "-c", CLI_LOOP, str(journal)],
                                env=child_env(journal), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert loop.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.2, 1.2))  # one command takes about half a second to run
        os.killpg(loop.pid, signal.SIGKILL)
        loop.wait(timeout=30)
        loop.stdout.close()
        loop.stderr.close()
        if journal.exists():
            entries = sorted(Journal(journal).entries(), key=lambda e: e.date)
            assert len(entries) >= k
            for n, entry in enumerate(entries, start=1):
                assert (entry.date, entry.pain, entry.note) == (
                    (FIRST_DAY + timedelta(days=n - 1)).isoformat(), n % 11, f"day {n}")
            k = len(entries)
            result = cli("list", "--json")
            assert result.exit_code == 0, result.output
            assert len(json.loads(result.stdout)) == k
    assert k > 0


def edit_day_one(path: Path) -> None:
    """The editor (run in a child process): edits day 1 over and over."""
    journal, day = Journal(path), date(2000, 1, 1)
    print("ready", flush=True)
    for n in range(1, 100000):
        with journal.transaction() as tx:
            tx.edit("me", day, {"pain": n % 11, "note": f"edit {n}"}, "2026-01-01T09:00:00+00:00")


@pytest.mark.parametrize("kills", [pytest.param(3, id="3 kills"),
                                   pytest.param(25, id="25 kills", marks=pytest.mark.slow)])
def test_killed_editor_leaves_a_whole_edit(journal, cli, kills):
    """Edits of one day, killed at random instants: the day always holds one whole edit (its
    pain and note from the same edit), and the other days are untouched."""
    prefill(journal)
    rng = random.Random(11)
    for _ in range(kills):
        child = Child(functools.partial(edit_day_one, journal), child_env(journal),
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(rng.uniform(0, 0.03))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
        entries = sorted(Journal(journal).read().entries(), key=lambda e: e.date)
        assert len(entries) == PREFILLED
        first = entries[0]
        if first.note.startswith("edit "):
            assert first.pain == int(first.note.split()[1]) % 11, first
        else:
            assert (first.pain, first.note) == (values(1)["pain"], values(1)["note"])
        later = entries[1]
        assert later.note == values(2)["note"]


def import_file(path: Path, rows: int) -> None:
    lines = ["patient,date,pain,worst,least,symptoms,note"]
    for n in range(rows):
        day = date(1990, 1, 1) + timedelta(days=n % 3000)
        lines.append(f"p{n // 3000},{day.isoformat()},{n % 11},10,0,headache,row {n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("kills, rows", [
    pytest.param(3, 2_000, id="3 kills, 2,000 rows"),
    pytest.param(50, 10_000, id="50 kills, 10,000 rows", marks=pytest.mark.slow)])
def test_killed_import_leaves_old_or_new(journal, cli, tmp_path, kills, rows):
    """An import is one write: killed at any instant it leaves the journal as it was (300
    entries) or with all the new rows, never part of them. The 3 kills hit `pumpjournal
    import` of 2,000 rows in processes forked from the test run; the 50 kills, fresh
    `python -m pumpjournal` processes importing 10,000 rows (the first kill of each run comes
    before any write)."""
    fresh = kills > 3
    prefill(journal)
    source = tmp_path / "rows.csv"
    import_file(source, rows)
    before = journal.read_bytes()
    rng = random.Random(3)
    outcomes = set()
    for n in range(kills):
        journal.write_bytes(before)
        if fresh:
            child = subprocess.Popen([sys.executable, "-m", "pumpjournal", "import",
                                      str(source)], env=child_env(journal),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            child = Child(pumpjournal(["import", str(source)]), child_env(journal))
        # the first kill comes while the command is still starting or reading, before any
        # write
        time.sleep((0.05 if fresh else 0.01) if n == 0 else rng.uniform(0.05, rows / 6_000))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        count = len(Journal(journal).read().entries())
        assert count in (PREFILLED, PREFILLED + rows), f"a part of the import: {count}"
        outcomes.add(count)
        assert cli("list", "--json", "--limit", "1", "--patient", "me").exit_code == 0
    assert PREFILLED in outcomes, "no kill landed before the write: the test tested nothing"
