"""The speed tricks that stay, each timed with and without it (in-process, on cohort.py's
100,000-row cohort: 100 people x 1,000 days). The figures are cited beside each trick.

    python benchmarks/tricks.py [--runs 3]

- the row-parse memo (transfer.RowParser): a dry-run import of the cohort;
- the rules' memos (timeline.Contexts.at and .assess): the flags of every entry of the cohort;
- the seal (store.sealed): a read (parse and checks) of the cohort's journal with and without.

Dropped as not paying here: model.Day's __slots__ (building 100,000: 0.09 s with, 0.08 s
without; 20.5 MiB against 25.1 MiB, under 3% of the import's 178 MB peak) and csv_cells'
``__class__ is`` tests (0.28 s against 0.29 s with isinstance for 100,000 rows).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import cohort  # noqa: E402  (its CSV maker)

from pumpjournal import Journal, model, timeline, transfer  # noqa: E402
from pumpjournal.store import View, empty_data, load  # noqa: E402

STAMP = "2026-01-01T00:00:00+00:00"


def median(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        gc.disable()  # as the CLI runs (cli.main)
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
        gc.enable()
    return statistics.median(times)


def imported(source: Path, dry_run: bool) -> View:
    view = View(empty_data())
    with open(source, newline="", encoding="utf-8") as handle:
        transfer.import_rows(view, transfer.read_rows(handle, "csv"), default_patient=None,
                             dry_run=dry_run, today=date.today(), stamp=STAMP)
    return view


class _NoMemo(dict):
    def __getitem__(self, key):
        raise KeyError(key)

    def __setitem__(self, key, value):
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "cohort.csv"
        cohort.make_csv(source, 100, 1000)
        rows = []

        with_memo = median(runs, lambda: imported(source, True))
        plan = transfer.RowParser.plan

        def no_memo(self, keys):
            cols, steps, several = plan(self, keys)
            return cols, [(c, n, _NoMemo()) for c, n, _ in steps], several

        transfer.RowParser.plan = no_memo
        without = median(runs, lambda: imported(source, True))
        transfer.RowParser.plan = plan
        rows.append(("row-parse memo: import --dry-run of 100,000 rows", with_memo, without))

        docs = list(imported(source, False).documents("entries").values())
        people: dict[str, list] = {}
        for doc in docs:
            people.setdefault(doc["patient"], []).append(model.Day(doc))

        def assess_all():
            for days in people.values():
                timeline.assess_entries(days, {}, [])

        both = median(runs, assess_all)
        contexts = timeline.Contexts
        assess, at = contexts.assess, contexts.at
        contexts.assess = lambda self, entry, memo: assess(self, entry, {})
        no_assess = median(runs, assess_all)
        contexts.assess = assess

        def fresh_at(self, day):
            self.made = {}
            return at(self, day)

        contexts.at = fresh_at
        no_context = median(runs, assess_all)
        contexts.at = at
        rows.append(("rules' assess memo: flags of 100,000 entries", both, no_assess))
        rows.append(("rules' context memo: flags of 100,000 entries", both, no_context))

        journal = Path(folder) / "cohort.json"
        with Journal(journal).transaction() as tx:
            tx.write_entries(docs)
        raw = journal.read_bytes()
        sealed = median(runs, lambda: load(journal, raw))
        unsealed = raw.replace(b'"sealed":', b'"unsealed":', 1)  # the same records, no seal
        rows.append(("the seal: a read of the 100,000-entry journal", sealed,
                     median(runs, lambda: load(journal, unsealed))))

    print(f"median of {runs} in-process runs\n")
    print(f"{'trick':<50} {'with s':>7} {'without s':>10} {'ratio':>6}")
    for name, fast, slow in rows:
        print(f"{name:<50} {fast:7.2f} {slow:10.2f} {slow / fast:6.2f}")


if __name__ == "__main__":
    main()
