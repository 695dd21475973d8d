"""Whole-process speed of pumpjournal against a floor and a peer, measured in the same run.

    /path/to/venv/bin/python benchmarks/run.py [--runs 15] [--warmups 2] [--jrnl PATH] [--imports]

Run it with the venv's own interpreter (not a version-manager shim): every command below is
started with ``sys.executable``. See benchmarks/README.md for what is measured and the targets.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ENTRIES = 3650
FLOOR_APP = textwrap.dedent('''
    import typer

    app = typer.Typer(add_completion=False)


    @app.command()
    def hello(name: str = "world"):
        """Say hello."""
        print(f"hello {name}")


    @app.command()
    def bye():
        """Say bye."""
        print("bye")


    if __name__ == "__main__":
        app()
''')
NOTES = ["walked to the mailbox and back", "tired after the refill visit", "slept badly, "
         "leg cramps at night", "good day, cooked dinner", "pain worse in the evening",
         "physio exercises done", "incision itchy but dry", "visited my sister",
         "rain all day, stayed in", ""]


# measuring ---------------------------------------------------------------------------------


def timed(cmd: list[str], env: dict, before=None) -> float:
    if before:
        before()
    began = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed ({done.returncode}): {' '.join(cmd)}\n"
                         f"{done.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def medians(commands: dict, runs: int, warmups: int) -> dict[str, float]:
    """Median wall time of each command. The commands take turns, one run each per round, so
    a change in machine load during the benchmark touches them all alike."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(warmups + runs):
        for name, (cmd, env, before) in commands.items():
            elapsed = timed(cmd, env, before)
            if round_ >= warmups:
                samples[name].append(elapsed)
    return {name: statistics.median(values) for name, values in samples.items()}


def median_call(fn, runs: int, warmups: int) -> float:
    for _ in range(warmups):
        fn()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


# the journals ------------------------------------------------------------------------------


def realistic_days(days: int) -> list[tuple[date, dict]]:
    """Ten years of days ending yesterday, with the fields people fill in (validated values)."""
    from pumpjournal import model

    rng = random.Random(42)
    first = date.today() - timedelta(days=days)
    out = []
    for n in range(days):
        pain = rng.randint(1, 8)
        values = {"pain": pain, "worst": min(10, pain + rng.randint(0, 3)),
                  "least": max(0, pain - rng.randint(0, 3)),
                  "sleep": rng.choice([5, 5.5, 6, 6.5, 7, 7.5, 8]), "mood": rng.randint(2, 9),
                  "boluses": rng.randint(0, 4)}
        values["average"] = (values["worst"] + values["least"]) // 2
        if rng.random() < 0.15:
            values["symptoms"] = rng.sample(["headache", "nausea", "constipation", "drowsy",
                                             "itching"], rng.randint(1, 2))
        if rng.random() < 0.1:
            values["temperature"] = f"{rng.choice([36.6, 36.9, 37.2, 37.5])}"
        note = rng.choice(NOTES)
        if note:
            values["note"] = note
        out.append((first + timedelta(days=n), model.validate_fields(values)))
    return out


READING_TIMES = ("08:00", "14:00", "21:00")


def build_pumpjournal(path: Path, days: int, readings: int = 1) -> None:
    """The journal, written through the library in one transaction (one write). With
    ``readings`` 3, each day has readings at 08:00, 14:00 and 21:00: the day's values on the
    first, then pain now (and a note on the last) on the others."""
    from pumpjournal import Journal, model

    rng = random.Random(7)
    rows = realistic_days(days)
    with Journal(path).transaction() as tx:
        tx.set_profile("me", {"implant_date": rows[0][0].isoformat()})
        docs = []
        for day, values in rows:
            stamp = datetime(day.year, day.month, day.day, 21, 0).astimezone().isoformat()
            times = READING_TIMES[:readings] if readings > 1 else (None,)
            entry = model.new_entry("me", day, values, stamp, (times[0], "+00:00"
                                                               if times[0] else None))
            for time in times[1:]:
                later = {"pain": max(0, min(10, values["pain"] + rng.randint(-2, 2)))}
                if time == times[-1] and rng.random() < 0.5:
                    later["note"] = rng.choice(NOTES) or "evening"
                entry = model.change_day(entry, later, stamp, (time, "+00:00"))[0]
            docs.append(entry.to_doc())
        # tx.log() per day would do the same, but it costs O(entries) each (see --bulk)
        tx.write_entries(docs)


def bulk_log_costs(sizes=(250, 500, 1000)) -> list[tuple[int, float]]:
    """Seconds to log N days with tx.log() in one transaction, for a few N."""
    from pumpjournal import Journal

    out = []
    for size in sizes:
        rows = realistic_days(size)
        with tempfile.TemporaryDirectory() as tmp:
            began = time.perf_counter()
            with Journal(Path(tmp) / "journal.json").transaction() as tx:
                for day, values in rows:
                    tx.log("me", day, values, "2026-01-01T21:00:00+00:00")
            out.append((size, time.perf_counter() - began))
    return out


def build_jrnl(folder: Path, days: int, jrnl: str) -> tuple[dict, Path]:
    """A jrnl config in a private HOME/XDG_CONFIG_HOME and a journal in jrnl's text format."""
    home, config = folder / "home", folder / "config" / "jrnl"
    home.mkdir(parents=True)
    config.mkdir(parents=True)
    journal = folder / "journal.txt"
    version = subprocess.run([jrnl, "--version"], capture_output=True, text=True,
                             env={**os.environ, "HOME": str(home)}).stdout
    found = re.search(r"v?(\d+\.\d+(?:\.\d+)?)", version)
    (config / "jrnl.yaml").write_text(textwrap.dedent(f'''\
        colors: {{body: none, date: none, tags: none, title: none}}
        default_hour: 9
        default_minute: 0
        editor: ''
        encrypt: false
        highlight: false
        indent_character: '|'
        journals:
          default:
            journal: {journal}
        linewrap: 79
        tagsymbols: '#@'
        template: false
        timeformat: '%F %r'
        version: '{found.group(1) if found else "4.6"}'
        '''))
    rng = random.Random(42)
    today = date.today()
    first = today - timedelta(days=days)
    lines = []
    for n in range(days):
        day = first + timedelta(days=n)
        pain = rng.randint(1, 8)
        note = rng.choice(NOTES) or "nothing to add"
        lines.append(f"[{day.isoformat()} 09:00:00 PM] Pain {pain}, worst {min(10, pain + 2)}."
                     f" Slept {rng.choice([5, 6, 7, 8])} hours, mood {rng.randint(2, 9)}.\n"
                     f"{note.capitalize()}. @pump\n")
    journal.write_text("\n".join(lines))
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(folder / "config"),
           "XDG_DATA_HOME": str(folder / "data"), "NO_COLOR": "1", "TERM": "dumb"}
    # check that jrnl reads the file as the entries written
    shown = subprocess.run([jrnl, "-n", "100000", "--format", "dates"], env=env,
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
    counted = sum(int(m) for m in re.findall(r",\s*(\d+)\s*$", shown.stdout, re.M))
    if shown.returncode != 0 or counted != days:
        raise SystemExit(f"jrnl did not read the generated journal ({counted} of {days} "
                         f"entries; exit {shown.returncode}): {shown.stderr[-1000:]}")
    return env, journal


# in-process cost of reading the journal ------------------------------------------------------


def load_costs(path: Path, runs: int, warmups: int) -> list[tuple[str, float]]:
    import json

    import orjson
    from tinydb import TinyDB

    from pumpjournal import Journal
    from pumpjournal.store import check_shape, read_raw

    week_ago = date.today() - timedelta(weeks=1)
    raw = path.read_bytes()
    data = orjson.loads(raw)

    def tinydb_default():
        with TinyDB(path, access_mode="r") as db:
            db.table("entries").all()

    return [
        ("read the file (bytes)", median_call(path.read_bytes, runs, warmups)),
        ("orjson.loads", median_call(lambda: orjson.loads(raw), runs, warmups)),
        ("json.loads (stdlib)", median_call(lambda: json.loads(raw), runs, warmups)),
        ("read + orjson + shape check",
         median_call(lambda: check_shape(path, read_raw(path)), runs, warmups)),
        ("Journal.read() (+ TinyDB view)", median_call(lambda: Journal(path).read(), runs,
                                                       warmups)),
        ("Journal.read().entries(since=1w)", median_call(
            lambda: Journal(path).read().entries(since=week_ago), runs, warmups)),
        ("Journal.read().entries() (all, as Entry)", median_call(
            lambda: Journal(path).read().entries(), runs, warmups)),
        ("orjson.dumps (the write side)", median_call(lambda: orjson.dumps(data), runs,
                                                      warmups)),
        ("TinyDB default JSONStorage, all entries", median_call(tinydb_default, runs, warmups)),
    ]


def command_tree_costs(floor_app: Path, runs: int, warmups: int) -> list[tuple[str, float]]:
    """Typer builds the whole command tree on every start, before running one command."""
    import runpy

    import typer.main

    from pumpjournal.cli import app

    floor = runpy.run_path(str(floor_app), run_name="floor")["app"]  # the file guards app()
    pumpjournal_commands = len(typer.main.get_command(app).commands)
    return [
        ("Typer command tree, floor app (2 commands)",
         median_call(lambda: typer.main.get_command(floor), runs, warmups)),
        (f"Typer command tree, pumpjournal ({pumpjournal_commands} commands)",
         median_call(lambda: typer.main.get_command(app), runs, warmups)),
    ]


def import_report(env: dict, top: int = 15) -> list[str]:
    """The heaviest imports of `pumpjournal list --since 1w` (python -X importtime)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "pumpjournal", "list",
                           "--since", "1w"], env=env, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if match:
            rows.append((int(match.group(2)), len(match.group(3)), match.group(4)))
    total = sum(cum for cum, depth, _ in rows if depth == 1)
    shown = sorted((r for r in rows if r[1] <= 3), reverse=True)[:top]
    out = [f"  all imports: {total / 1e6:.3f} s (sum of top-level cumulative times)"]
    out += [f"  {cum / 1e6:7.3f} s  {'  ' * (depth - 1)}{name}" for cum, depth, name in shown]
    return out


# main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per command (median)")
    parser.add_argument("--warmups", type=int, default=2, help="untimed runs first")
    parser.add_argument("--entries", type=int, default=ENTRIES, help="days in each journal")
    parser.add_argument("--jrnl", metavar="PATH", help="the jrnl executable (default: on PATH)")
    parser.add_argument("--bulk", action="store_true",
                        help="also time logging many days with tx.log() in one transaction")
    parser.add_argument("--imports", action="store_true",
                        help="also list the heaviest imports of `pumpjournal list`")
    args = parser.parse_args()
    runs, warmups = args.runs, args.warmups
    python = sys.executable
    jrnl = args.jrnl or shutil.which("jrnl")
    if jrnl and not Path(jrnl).exists():
        raise SystemExit(f"--jrnl {jrnl}: no such file")

    print(f"python {sys.version.split()[0]} at {python}")
    print(f"{runs} timed runs after {warmups} warm-ups; medians of whole-process wall time; "
          f"{args.entries:,} entries per journal\n")

    with tempfile.TemporaryDirectory(prefix="pumpjournal-bench-") as tmp:
        folder = Path(tmp)
        floor_app = folder / "floor_app.py"
        floor_app.write_text(FLOOR_APP)
        journal = folder / "pj" / "journal.json"
        build_pumpjournal(journal, args.entries)
        pristine = journal.read_bytes()
        three = folder / "pj3" / "journal.json"
        build_pumpjournal(three, args.entries, readings=3)
        three_pristine = three.read_bytes()

        def restore_journal():  # untimed: every `log` run adds today's entry to the same file
            journal.write_bytes(pristine)

        def restore_three():
            three.write_bytes(three_pristine)

        env = {**os.environ, "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100",
               "PUMPJOURNAL_PATH": str(journal)}
        env.pop("PUMPJOURNAL_DEBUG", None)
        # an installed package has its bytecode compiled; let this one cache its own too
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        pj = [python, "-m", "pumpjournal"]
        env3 = {**env, "PUMPJOURNAL_PATH": str(three)}

        commands = {
            "python -c pass": ([python, "-c", "pass"], env, None),
            "floor: 2-command Typer app": ([python, str(floor_app), "hello"], env, None),
            "import pumpjournal.cli only": ([python, "-c", "import pumpjournal.cli"], env, None),
            "pumpjournal log --pain 4": (pj + ["log", "--pain", "4"], env, restore_journal),
            "pumpjournal list --since 1w": (pj + ["list", "--since", "1w"], env, None),
            "pumpjournal summary": (pj + ["summary"], env, None),
            "pumpjournal (status screen)": (pj, env, None),
            "3 a day: log --pain 4": (pj + ["log", "--pain", "4"], env3, restore_three),
            "3 a day: list --since 1w": (pj + ["list", "--since", "1w"], env3, None),
            "3 a day: status screen": (pj, env3, None),
        }
        jrnl_note = "jrnl not found: pip install jrnl (or give --jrnl PATH) to compare"
        if jrnl:
            jenv, jfile = build_jrnl(folder / "jrnl", args.entries, jrnl)
            jpristine = jfile.read_bytes()
            commands["jrnl add an entry"] = (
                [jrnl, "Pain 4, worst 6. Walked to the mailbox. @pump"], jenv,
                lambda: jfile.write_bytes(jpristine))
            commands["jrnl -n 10"] = ([jrnl, "-n", "10"], jenv, None)
            jrnl_note = f"jrnl: {jrnl}"
        results = medians(commands, runs, warmups)

        floor = results["floor: 2-command Typer app"]
        peers = {"pumpjournal log --pain 4": "jrnl add an entry",
                 "pumpjournal list --since 1w": "jrnl -n 10"}
        header = (f"{'command':<30} {'median s':>9} {'x floor':>8} {'x jrnl':>7}  "
                  f"{'target':<34} result")
        print(header)
        print("-" * len(header))
        misses = 0
        for name, seconds in results.items():
            peer = peers.get(name)
            vs_jrnl = seconds / results[peer] if peer in results else None
            target, verdict = "", ""
            limit = (1.4 if name.startswith("3 a day") else 1.3 if name == "pumpjournal summary"
                     else 1.25 if (peer or name == "pumpjournal (status screen)") else None)
            if limit:
                within = seconds <= limit * floor
                faster = vs_jrnl is None or vs_jrnl < 1
                target = f"<= {limit}x floor" + (", < jrnl" if vs_jrnl is not None else "")
                verdict = "PASS" if within and faster else "MISS"
                misses += verdict == "MISS"
            print(f"{name:<30} {seconds:9.3f} {seconds / floor:7.2f}x "
                  f"{f'{vs_jrnl:.2f}x' if vs_jrnl is not None else '-':>7}  {target:<34} "
                  f"{verdict}")
        print(f"\n{jrnl_note}")

        print(f"\nIn-process cost of loading the {args.entries:,}-entry journal "
              f"({len(pristine) / 1024:.0f} KiB; "
              f"{len(three_pristine) / 1024:.0f} KiB with three readings a day), medians:")
        costs = load_costs(journal, max(4 * runs, 40), warmups)
        for name, seconds in costs:
            print(f"  {name:<46} {seconds * 1000:8.2f} ms")
        by_name = dict(costs)
        checks = by_name["read + orjson + shape check"] - by_name["orjson.loads"]
        print(f"  {'so the checks after parsing cost about':<46} {checks * 1000:8.2f} ms")

        print("\nIn-process cost of building the command line, medians:")
        for name, seconds in command_tree_costs(floor_app, max(4 * runs, 40), warmups):
            print(f"  {name:<46} {seconds * 1000:8.2f} ms")

        if args.bulk:
            print("\nLogging N days with tx.log() in one transaction (library, one run each):")
            for size, seconds in bulk_log_costs():
                print(f"  {size:>6,} days {seconds:8.2f} s  ({seconds / size * 1000:.2f} ms a day)")

        if args.imports or misses:
            print("\nHeaviest imports of `pumpjournal list --since 1w` (python -X importtime, "
                  "cumulative, one run):")
            print("\n".join(import_report(env)))


if __name__ == "__main__":
    main()
