"""Report speed: whole-process time to make a report of a one-year journal, per format.

    .venv/bin/python benchmarks/report.py [--runs 7]

Builds a 365-entry journal (with events, symptoms, notes and questions) through the library
in a temporary folder, then times, as separate processes with this interpreter,

    python -m pumpjournal report --format X --output DIR/r.X --force --since FIRST --until LAST

for each format, and prints medians against floors measured in the same run: the interpreter
starting (`python -c pass`) and reading the journal (`Journal(path).read()`). When the CLI has
no `report` command yet, it times the library equivalent (`report.build` + `report.save`) in
a `python -c` process instead, and says so. Target: under 1 s for every format.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from pumpjournal import Event, Journal  # noqa: E402
from pumpjournal.report import FORMATS  # noqa: E402

PATIENT = "me"
LIBRARY = """
import sys
from datetime import date
from pathlib import Path
from pumpjournal import Journal, report
path, fmt, out, since, until = sys.argv[1:6]
view = Journal(path).read()
data = report.build(view, "me", date.today(), since, until, fmt)
report.save(Path(out), data, force=True)
"""
READ = "import sys; from pumpjournal import Journal; Journal(sys.argv[1]).read()"


def make_year(path: Path, last: date, days: int = 365) -> tuple[date, date]:
    """A journal of ``days`` daily entries ending on ``last``, built through the library."""
    first = last - timedelta(days=days - 1)
    journal = Journal(path)
    with journal.transaction() as tx:
        tx.set_profile(PATIENT, {"name": "Alex Example", "implant_date": first.isoformat(),
                                 "pump_make": "SynchroMed II", "drugs": ["morphine"],
                                 "care_phone": "555-0142"})
        for n in range(0, days, 28):
            day = first + timedelta(days=n)
            tx.add_event(Event(PATIENT, "refill", day.isoformat(),
                               {"next_due": (day + timedelta(days=28)).isoformat()}))
            tx.add_event(Event(PATIENT, "visit", day.isoformat(), {"note": "refill visit"}))
        for n in range(45, days, 90):
            tx.add_event(Event(PATIENT, "dose-change", (first + timedelta(days=n)).isoformat(),
                               {"dose": 0.5 + n / 1000, "unit": "mg/day"}))
        for n in range(days):
            day = first + timedelta(days=n)
            pain = 3 + (n * 7) % 5 // 2 + (2 if n % 60 < 5 else 0)
            values = {"pain": pain, "worst": min(10, pain + 2), "least": max(0, pain - 2),
                      "average": pain, "sleep": 6 + n % 3, "mood": 5 + n % 4,
                      "boluses": n % 3}
            if n % 45 == 10:
                values["symptoms"] = ["constipation"]
            if n % 120 == 30:
                values["symptoms"] = ["fever", "headache"]
                values.update(temperature_c=38.4, temperature="38.4 C")
            if n % 7 == 0:
                values["note"] = f"Week {n // 7}: walked {n % 5 + 1} km, slept fairly."
            if n % 50 == 0:
                values["questions"] = ["Can the evening dose be raised?"]
            tx.log(PATIENT, day, values, f"{day.isoformat()}T20:30:00+00:00")
    return first, last


def median_time(cmd: list[str], runs: int, env: dict) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr.decode()}")
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "year.json"
        first, last = make_year(path, date.today() - timedelta(days=1))
        env = {**os.environ, "PUMPJOURNAL_PATH": str(path), "NO_COLOR": "1"}
        has_cli = subprocess.run([py, "-m", "pumpjournal", "report", "--help"], env=env,
                                 capture_output=True).returncode == 0
        print(f"one-year journal: 365 entries, {first} to {last}; {args.runs} runs each; "
              f"{'the CLI command' if has_cli else 'library equivalent (no CLI command yet)'}")
        floor = median_time([py, "-c", "pass"], args.runs, env)
        read = median_time([py, "-c", READ, str(path)], args.runs, env)
        print(f"{'python -c pass':<34}{floor * 1000:8.0f} ms")
        print(f"{'read the journal':<34}{read * 1000:8.0f} ms")
        worst = 0.0
        for fmt in FORMATS:
            out = folder / f"r.{fmt}"
            if has_cli:
                cmd = [py, "-m", "pumpjournal", "report", "--format", fmt, "--output",
                       str(out), "--force", "--since", first.isoformat(), "--until",
                       last.isoformat()]
            else:
                cmd = [py, "-c", LIBRARY, str(path), fmt, str(out), first.isoformat(),
                       last.isoformat()]
            took = median_time(cmd, args.runs, env)
            worst = max(worst, took)
            size = out.stat().st_size
            print(f"{'report --format ' + fmt:<34}{took * 1000:8.0f} ms  "
                  f"{took / read:5.1f}x read  {size / 1024:7.0f} KiB")
        print(f"slowest {worst * 1000:.0f} ms: {'within' if worst < 1 else 'OVER'} the 1 s target")


if __name__ == "__main__":
    main()
