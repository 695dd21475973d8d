"""Research-scale benchmark: a 100,000-row cohort (100 people x 1,000 days).

    python benchmarks/cohort.py [--runs 3] [--people 100] [--days 1000] [--cohort-only]

``--cohort-only`` writes the journal directly (schema 2, the same rows, one day in five with
three readings, and ``logged_at`` stamps: most on the day, some days later, some missing) and
times `cohort --json` alone, without import and export.

Prints whole-process median wall times and peak memory (max RSS) for: importing the CSV into an
empty journal, re-importing it with --on-conflict skip, exporting as CSV, JSONL, FHIR, Parquet
(where pyarrow is installed) and REDCap, and `cohort --json`; beside the floor measured in the
same run (plain Python reading the CSV and writing the same rows as JSON) and, where installed,
`sqlite-utils insert --csv` of the same file.
Targets: import within 2.5x of the floor, peak memory under 400 MB, export within 2x of the floor
(Parquet and REDCap within 1.5x of the CSV export), re-import no slower than the first import,
cohort --json under 3 s. The FHIR export writes many times the CSV's bytes (a resource for each
value), so it has no time target; its peak memory should stay at the CSV export's: the Bundle is
written one resource at a time.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

PY = sys.executable
FLOOR = """
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.DictReader(f))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(rows, f)
"""
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
took = time.perf_counter() - start
print(took, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""
SYMPTOMS = ["", "", "", "", "", "headache", "nausea", "incision-soreness", "constipation",
            "fever", "leg-numbness;difficulty-walking", "dizziness"]


def make_csv(path: Path, people: int, days: int) -> None:
    rng = random.Random(7)
    start = date.today() - timedelta(days=days + 1)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["participant_id", "date", "pain", "worst", "least", "average",
                      "symptoms", "temperature", "sleep", "mood", "note"])
        for person in range(people):
            for day in range(days):
                pain = rng.randint(0, 10)
                worst, least = min(10, pain + rng.randint(0, 3)), max(0, pain - rng.randint(0, 3))
                out.writerow([f"p{person:03d}", (start + timedelta(days=day)).isoformat(), pain,
                              worst, least, pain, rng.choice(SYMPTOMS),
                              rng.choice(["", "", "", "37.2", "99.1F"]),
                              rng.choice(["", "7", "6.5"]), rng.choice(["", "5", "7"]),
                              rng.choice(["", "", "walked", "=SUM(1)", "tired after refill"])])


def write_journal(path: Path, people: int, days: int) -> int:
    """A schema-2 journal of the benchmark's cohort written directly (no import): one day in
    five holds three readings; the first reading's ``logged_at`` is on the day for most days,
    one to three days later for some, missing for a few. Returns the readings written."""
    import json

    rng = random.Random(7)
    start = date.today() - timedelta(days=days + 1)
    entries, readings = {}, 0
    for person in range(people):
        for n in range(days):
            day = start + timedelta(days=n)
            pain = rng.randint(0, 10)
            doc = {"patient": f"p{person:03d}", "date": day.isoformat(),
                   "worst": min(10, pain + 2), "least": max(0, pain - 2), "average": pain}
            late = rng.choices((0, 1, 3, None), (80, 10, 5, 5))[0]
            times = ("08:00", "13:00", "20:00") if rng.random() < 0.2 else ("20:00",)
            doc["readings"] = []
            for k, time in enumerate(times):
                reading = {"time": time, "utc_offset": "-06:00",
                           "pain": max(0, min(10, pain + k - 1))}
                if rng.random() < 0.1:
                    reading["symptoms"] = [rng.choice(SYMPTOMS[5:]).split(";")[0]]
                if late is not None:
                    stamp = f"{day + timedelta(days=late)}T{time}:30-06:00"
                    reading["logged_at"] = reading["updated_at"] = stamp
                doc["readings"].append(reading)
            readings += len(times)
            entries[str(len(entries) + 1)] = doc
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = {"meta": {"1": {"app": "pumpjournal", "schema": 2}}, "entries": entries,
            "events": {}, "profile": {}, "questions": {}}
    path.write_text(json.dumps(data), encoding="utf-8")
    path.chmod(0o600)
    return readings


def measure(cmd: list[str], env: dict, before=None) -> tuple[float, float]:
    """(seconds, peak MB) of one whole-process run; ``before`` prepares each run."""
    if before:
        before()
    done = subprocess.run([PY, "-c", MEASURE, *cmd], env=env, capture_output=True, text=True,
                          check=True)
    took, rss_kb, code = done.stdout.split()
    if code not in ("0",):
        raise SystemExit(f"{' '.join(cmd)} exited {code}")
    return float(took), int(rss_kb) / 1024


def median_of(runs: int, cmd, env, before=None) -> tuple[float, float]:
    results = [measure(cmd, env, before) for _ in range(runs)]
    return (statistics.median(r[0] for r in results), max(r[1] for r in results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--cohort-only", action="store_true",
                        help="write the journal directly and time `cohort --json` alone")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pj-bench-"))
    try:
        if args.cohort_only:
            journal = work / "j" / "journal.json"
            readings = write_journal(journal, args.people, args.days)
            env = {**os.environ, "PUMPJOURNAL_PATH": str(journal), "NO_COLOR": "1"}
            raw = [PY, "-c", "import json, sys; json.load(open(sys.argv[1]))", str(journal)]
            floor = median_of(args.runs, raw, env)
            took, peak = median_of(args.runs, [PY, "-m", "pumpjournal", "cohort", "--json"],
                                   env)
            print(f"{args.people * args.days:,} days, {readings:,} readings, "
                  f"{journal.stat().st_size / 1e6:.1f} MB journal; median of {args.runs} "
                  "whole-process runs")
            print(f"floor (json.load of the journal) {floor[0]:.2f} s; cohort --json "
                  f"{took:.2f} s ({took / floor[0]:.1f}x floor), peak {peak:.0f} MB; "
                  f"target < 3 s {'PASS' if took < 3 else 'MISS'}")
            return
        source = work / "cohort.csv"
        make_csv(source, args.people, args.days)
        journal = work / "j" / "journal.json"
        env = {**os.environ, "PUMPJOURNAL_PATH": str(journal), "NO_COLOR": "1"}
        rows = args.people * args.days
        print(f"{rows:,} rows, {source.stat().st_size / 1e6:.1f} MB CSV; "
              f"median of {args.runs} whole-process runs\n")

        def fresh():
            shutil.rmtree(journal.parent, ignore_errors=True)

        floor = median_of(args.runs, [PY, "-c", FLOOR, str(source), str(work / "f.json")], env)
        results = {"floor (csv -> json, plain Python)": floor}
        search = f"{Path(PY).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        sqlite = shutil.which("sqlite-utils", path=search)
        if sqlite:
            def fresh_db():
                (work / "db.db").unlink(missing_ok=True)
            results["sqlite-utils insert --csv"] = median_of(
                args.runs, [sqlite, "insert", str(work / "db.db"), "diary", str(source), "--csv"],
                env, fresh_db)
        pj = [PY, "-m", "pumpjournal"]
        results["import (empty journal)"] = median_of(args.runs, pj + ["import", str(source)],
                                                      env, fresh)
        results["re-import --on-conflict skip"] = median_of(
            args.runs, pj + ["import", str(source), "--on-conflict", "skip"], env)
        results["export --format csv"] = median_of(
            args.runs, pj + ["export", "--format", "csv", "--output", "-"], env)
        results["export --format jsonl"] = median_of(
            args.runs, pj + ["export", "--format", "jsonl", "--output", "-"], env)
        results["export --format fhir"] = median_of(
            args.runs, pj + ["export", "--format", "fhir", "--output", "-"], env)
        parquet = work / "parquet"
        has_pyarrow = subprocess.run([PY, "-c", "import pyarrow"],
                                     capture_output=True).returncode == 0
        if has_pyarrow:  # a folder: removed before each run, so each writes it anew
            results["export --format parquet"] = median_of(
                args.runs, pj + ["export", "--format", "parquet", "--output", str(parquet)],
                env, lambda: shutil.rmtree(parquet, ignore_errors=True))
        results["export --format redcap"] = median_of(
            args.runs, pj + ["export", "--format", "redcap", "--output", "-"], env)
        results["cohort --json"] = median_of(args.runs, pj + ["cohort", "--json"], env)

        base = floor[0]
        targets = {"import (empty journal)": ("<= 2.5x floor, < 400 MB",
                                              lambda t, m: t <= 2.5 * base and m < 400),
                   "re-import --on-conflict skip": (
                       "<= first import",
                       lambda t, m: t <= results["import (empty journal)"][0] * 1.05),
                   "export --format csv": ("<= 2x floor", lambda t, m: t <= 2 * base),
                   "export --format jsonl": ("<= 2x floor", lambda t, m: t <= 2 * base),
                   "export --format fhir": (
                       "peak <= 1.1x the CSV export's",
                       lambda t, m: m <= 1.1 * results["export --format csv"][1]),
                   # the format's own cost on top of reading the journal: against CSV's
                   "export --format parquet": (
                       "<= 1.5x csv export",
                       lambda t, m: t <= 1.5 * results["export --format csv"][0]),
                   "export --format redcap": (
                       "<= 1.5x csv export",
                       lambda t, m: t <= 1.5 * results["export --format csv"][0]),
                   "cohort --json": ("< 3 s", lambda t, m: t < 3)}
        print(f"{'command':<34}{'median s':>9}{'x floor':>9}{'peak MB':>9}  target")
        for name, (took, peak) in results.items():
            goal, ok = targets.get(name, ("", None))
            verdict = "" if ok is None else ("PASS" if ok(took, peak) else "MISS")
            print(f"{name:<34}{took:>9.2f}{took / base:>9.2f}{peak:>9.0f}  {goal} {verdict}")
        if not sqlite:
            print("\nsqlite-utils not installed (pip install sqlite-utils) - peer skipped.")
        if not has_pyarrow:
            print("pyarrow not installed (pip install 'pumpjournal[parquet]') - Parquet "
                  "export skipped.")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
