"""Research-scale benchmark: a 100,000-row cohort (100 people x 1,000 days).

    python benchmarks/cohort.py [--runs 3] [--people 100] [--days 1000] [--cohort-only]
    python benchmarks/cohort.py --study [--people 1000] [--days 1000] [--runs 3]

``--study`` (opt-in, takes minutes) measures a study folder of 1,000 participants x 1,000
days instead (``study_bench``): the import of every row into an empty study against the
floor, one `log` into a participant against the same `log` into a one-person journal of that
participant's size, `cohort --json` against DuckDB over the JSONL export (when DuckDB is
installed), and peak memory. Targets: import within 1.5x the floor and under 1 GB, `log`
within 1.25x and under 200 MB, `cohort --json` within 2x of DuckDB.

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


def cohort_days(people: int, days: int):
    """(person, stored day) of the benchmark's cohort: one day in five holds three readings;
    the first reading's ``logged_at`` is on the day for most days, one to three days later
    for some, missing for a few."""
    rng = random.Random(7)
    start = date.today() - timedelta(days=days + 1)
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
            yield doc["patient"], doc


def save_journal(path: Path, docs: list[dict]) -> None:
    import json

    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = {"meta": {"1": {"app": "pumpjournal", "schema": 2}},
            "entries": {str(n): doc for n, doc in enumerate(docs, 1)},
            "events": {}, "profile": {}, "questions": {}}
    path.write_text(json.dumps(data), encoding="utf-8")
    path.chmod(0o600)


def write_journal(path: Path, people: int, days: int) -> int:
    """A schema-2 journal of the benchmark's cohort written directly (no import; see
    ``cohort_days``). Returns the readings written."""
    docs = [doc for _, doc in cohort_days(people, days)]
    save_journal(path, docs)
    return sum(len(doc["readings"]) for doc in docs)


def write_study(folder: Path, people: int, days: int) -> int:
    """The same cohort as a study folder: one journal per participant, written directly."""
    from itertools import groupby

    from pumpjournal.study import Study

    Study.create(folder)
    readings = 0
    for person, items in groupby(cohort_days(people, days), key=lambda item: item[0]):
        docs = [doc for _, doc in items]
        save_journal(folder / f"{person}.json", docs)
        readings += sum(len(doc["readings"]) for doc in docs)
    return readings


MEASURE_TREE = """
import os, resource, subprocess, sys, time
PAGE = os.sysconf("SC_PAGE_SIZE")
def rss(pid):
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0
def kids(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return []
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
tree = 0
while child.poll() is None:
    tree = max(tree, sum(rss(p) for p in [child.pid] + kids(child.pid)))
    time.sleep(0.02)
took = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(took, usage, tree // 1024, child.returncode)
"""


def measure_tree(cmd: list[str], env: dict, before=None) -> tuple[float, float, float]:
    """(seconds, peak MB of its largest process, peak MB of it and its child processes
    together, sampled every 20 ms on Linux, else 0) of one whole-process run. The sum counts
    pages a forked worker shares with its parent twice: an upper bound."""
    if before:
        before()
    done = subprocess.run([PY, "-c", MEASURE_TREE, *cmd], env=env, capture_output=True,
                          text=True, check=True)
    took, rss_kb, tree_kb, code = done.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(cmd)} exited {code}: {done.stderr[-500:]}")
    return float(took), int(rss_kb) / 1024, int(tree_kb) / 1024


def median_tree(runs: int, cmd, env, before=None) -> tuple[float, float, float]:
    results = [measure_tree(cmd, env, before) for _ in range(runs)]
    return median_of_tree(results)


def median_of_tree(results: list) -> tuple[float, float, float]:
    """The median time and the highest peaks of several runs."""
    return (statistics.median(r[0] for r in results), max(r[1] for r in results),
            max(r[2] for r in results))


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


# The figures of `cohort --json` that are SQL: days logged, first and last day, mean pain over
# days (each day's mean of its readings), readings, readings a day, and when the days were
# logged (the day's first reading's logged_at: on the day, later, unknown). The episodes (the
# warning-sign rules) are pumpjournal's own and have no SQL here.
DUCKDB_SQL = (
    "WITH r AS (SELECT * FROM read_json('{path}', columns={{'patient': 'VARCHAR', "
    "'date': 'DATE', 'time': 'VARCHAR', 'pain': 'INTEGER', 'logged_at': 'VARCHAR'}})), "
    "d AS (SELECT patient, date, avg(pain) AS pain, count(*) AS readings, "
    "arg_min(logged_at, coalesce(time, '')) AS logged FROM r GROUP BY patient, date) "
    "SELECT patient, count(*) AS days_logged, min(date) AS first, max(date) AS last, "
    "round(avg(pain), 2) AS mean_pain, sum(readings) AS readings, "
    "round(sum(readings) / count(*), 2) AS readings_per_day, "
    "count(*) FILTER (WHERE logged IS NULL) AS timing_unknown, "
    "count(*) FILTER (WHERE substr(logged, 1, 10) <= CAST(date AS VARCHAR)) AS same_day, "
    "count(*) FILTER (WHERE substr(logged, 1, 10) > CAST(date AS VARCHAR)) AS later "
    "FROM d GROUP BY patient ORDER BY patient")
DUCKDB = f"""
import sys, duckdb
rows = duckdb.sql({DUCKDB_SQL!r}.format(path=sys.argv[1])).fetchall()
assert rows
"""


def study_bench(args, work: Path) -> None:
    """The --study run: a people x days study folder (by default 1,000 x 1,000: a million
    rows). How each cost grows: import with the rows (every participant's journal is written
    once); `log` with the one participant's journal only, never the study; `cohort --json`
    with the participants (one summary file each when they are up to date, else every
    journal); memory with the largest participant (import: plus the rows of the file, held
    compact)."""
    import shutil

    from pumpjournal.study import Study

    import compileall

    import pumpjournal

    # compiled once, as an installed package is: a stale .pyc costs every run its compile
    compileall.compile_dir(Path(pumpjournal.__file__).parent, quiet=1)
    people, days, runs = args.people, args.days, args.runs
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PUMPJOURNAL_PASSPHRASE", None)
    pj = [PY, "-m", "pumpjournal"]
    source = work / "study.csv"
    make_csv(source, people, days)
    folder = work / "study"
    readings = write_study(folder, people, days)
    size = sum(p.stat().st_size for p in folder.glob("*.json")) / 1e6
    print(f"study: {people:,} participants x {days:,} days, {readings:,} readings, "
          f"{size:.0f} MB of journals (written directly); import source: {people * days:,} "
          f"rows, {source.stat().st_size / 1e6:.1f} MB CSV; median of {runs} whole-process "
          "runs\n", flush=True)
    results = {}

    # import of every row into an empty study, against the floor of the same rows
    floor = median_tree(runs, [PY, "-c", FLOOR, str(source), str(work / "f.json")], env)
    empty = work / "empty"

    def fresh():
        shutil.rmtree(empty, ignore_errors=True)
        Study.create(empty)

    imported = median_tree(runs, pj + ["--journal", str(empty), "import", str(source)], env,
                           fresh)
    results["floor (csv -> json, plain Python)"] = floor
    results["import into an empty study"] = imported
    assert len(Study(empty).participants()) == people
    shutil.rmtree(empty, ignore_errors=True)

    # one log into a participant, and into a one-person journal of that participant's size
    one = work / "one" / "journal.json"
    one.parent.mkdir(mode=0o700)
    kept = (folder / "p000.json").read_bytes()
    log = ["log", "--patient", "p000", "--pain", "4", "--symptom", "headache"]

    def restore():
        (folder / "p000.json").write_bytes(kept)
        one.write_bytes(kept)

    study_log, single_log = [], []
    for _ in range(max(runs, 5)):  # interleaved; each run really writes
        study_log.append(measure_tree(pj + ["--journal", str(folder), *log], env, restore))
        single_log.append(measure_tree(pj + ["--journal", str(one), *log], env, restore))
    restore()
    results["log into a participant"] = median_of_tree(study_log)
    results["log into a one-person journal"] = median_of_tree(single_log)

    # cohort --json against DuckDB over the JSONL export, in the same run
    jsonl = work / "study.jsonl"
    results["export --format jsonl (everyone)"] = median_tree(
        1, pj + ["--journal", str(folder), "export", "--format", "jsonl", "--output",
                 str(jsonl), "--force"], env)
    results["cohort --json (summaries stale)"] = median_tree(
        runs, pj + ["--journal", str(folder), "cohort", "--json"], env,
        lambda: shutil.rmtree(folder / ".cohort", ignore_errors=True))
    results["cohort --json (summaries kept)"] = median_tree(
        runs, pj + ["--journal", str(folder), "cohort", "--json"], env)
    try:
        import duckdb  # noqa: F401

        results["DuckDB over the JSONL export"] = median_tree(
            runs, [PY, "-c", DUCKDB, str(jsonl)], env)
    except ImportError:
        pass

    base = floor[0]
    duck = results.get("DuckDB over the JSONL export", (None,))[0]
    single = results["log into a one-person journal"][0]
    targets = {
        "import into an empty study": (
            "<= 1.5x floor, < 1 GB",
            lambda t, m, tree: t <= 1.5 * base and max(m, tree) < 1024),
        "log into a participant": (
            "<= 1.25x one-person log, < 200 MB",
            lambda t, m, tree: t <= 1.25 * single and max(m, tree) < 200),
        "cohort --json (summaries kept)": (
            "<= 2x DuckDB", (lambda t, m, tree: t <= 2 * duck) if duck else None),
        "cohort --json (summaries stale)": ("(first of a day, or after an import)", None),
    }
    print(f"{'command':<36}{'median s':>9}{'x floor':>8}{'peak MB':>9}{'tree MB':>9}  target")
    for name, (took, peak, tree) in results.items():
        goal, ok = targets.get(name, ("", None))
        verdict = "" if ok is None else ("PASS" if ok(took, peak, tree) else "MISS")
        print(f"{name:<36}{took:>9.2f}{took / base:>8.2f}{peak:>9.0f}{tree:>9.0f}  "
              f"{goal} {verdict}".rstrip())
    print(f"\nlog into a participant: {results['log into a participant'][0] / single:.2f}x "
          "the one-person journal's")
    if duck:
        for name in ("cohort --json (summaries kept)", "cohort --json (summaries stale)"):
            print(f"{name}: {results[name][0] / duck:.2f}x DuckDB")
    else:
        print("DuckDB is not installed (pip install duckdb): the cohort target is not checked.")
    print("peak MB: the largest process; tree MB: the process and its children together "
          "(sampled; pages a forked worker shares with its parent counted twice).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--people", type=int, default=None,
                        help="people (default 100; with --study 1,000)")
    parser.add_argument("--days", type=int, default=1000)
    parser.add_argument("--cohort-only", action="store_true",
                        help="write the journal directly and time `cohort --json` alone")
    parser.add_argument("--study", action="store_true",
                        help="a study folder of 1,000 participants x 1,000 days (opt-in; "
                        "takes minutes): import, log, cohort against DuckDB, peak memory")
    args = parser.parse_args()
    if args.people is None:
        args.people = 1000 if args.study else 100
    work = Path(tempfile.mkdtemp(prefix="pj-bench-"))
    try:
        if args.study:
            study_bench(args, work)
            return
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
