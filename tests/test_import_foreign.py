"""Other apps' exports through the real command line.

The recipes are read from the README's "Importing other apps' exports" block and run as written
on the samples in tests/fixtures/foreign (so the documented options are the tested ones); the
formats the README says cannot be imported are shown to fail loudly, never to import nothing
or the wrong thing. Then the options those recipes rest on, each on small files of its own:
--value-map, --where, and the rule that a file leaving no row to import is an error.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pjtest import ok, snapshot

FOREIGN = Path(__file__).resolve().parent / "fixtures" / "foreign"
README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "**Importing other apps' exports.**"


def readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    return text[start:text.index("\nExport streams one row per reading", start)]


def readme_recipes() -> dict[str, list[list[str]]]:
    """The recipe block's commands, as argument lists, grouped into recipes: the commands up to
    and including each `pumpjournal import`, keyed by the file it imports (a second recipe for
    the same file gets "#2")."""
    block = re.search(r"^```sh\n(.*?)^```", readme_section(), re.S | re.M).group(1)
    commands, pending = [], ""
    for line in block.splitlines():
        if line.lstrip().startswith("#") or not line.strip():
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        commands.append(shlex.split(pending + line))
        pending = ""
    assert not pending, "a recipe ends with a line continuation"
    recipes: dict[str, list[list[str]]] = {}
    steps: list[list[str]] = []
    for command in commands:
        steps.append(command)
        if command[:2] == ["pumpjournal", "import"]:
            name = command[2]
            key = name if name not in recipes else f"{name}#2"
            recipes[key] = steps
            steps = []
    assert not steps, f"commands after the last import: {steps}"
    return recipes


RECIPES = readme_recipes()


def exported(cli, journal: Path) -> list[dict]:
    """The journal as `export --format jsonl` shows it: one row per reading."""
    result = ok(cli("--journal", str(journal), "export", "--format", "jsonl"))
    return [json.loads(line) for line in result.stdout.splitlines()]


def summary(result) -> dict:
    found = {}
    for line in result.stdout.split("Import summary:", 1)[1].splitlines():
        label, sep, value = line.strip().partition(": ")
        if sep:
            found[label] = value
    return found


def picked(rows: list[dict], *keys: str) -> list[tuple]:
    return [tuple(row[k] for k in keys) for row in rows]


EXPECTED = {
    "pfpd.csv": lambda rows, counts: (
        counts["Imported"] == "4"
        and picked(rows, "patient", "date", "pain", "mood", "note") == [
            ("p1", "2026-11-20", 6, None, "First day home, incision sore"),
            ("p1", "2026-11-21", 4, None, None),
            ("p1", "2026-11-23", 3, None, 'Walked to the shop, "much better"'),
            ("p1", "2026-11-24", 8, None, "Headache when standing up")]),
    "pfpd.csv#2": lambda rows, counts: (
        picked(rows, "date", "pain", "mood") == [
            ("2026-11-20", 6, 3), ("2026-11-21", 4, 5), ("2026-11-23", 3, 7),
            ("2026-11-24", 8, 0)]),
    "redcap-raw.csv": lambda rows, counts: (
        (counts["Rows read"], counts["Filtered out (--where)"], counts["Imported"])
        == ("7", "3", "4")
        and picked(rows, "patient", "date", "pain", "worst", "least", "average", "symptoms",
                   "temperature_c", "sleep", "note") == [
            ("101", "2026-11-20", 5, 7, 3, 5, ["headache"], 37.1, 6.5, "first diary day"),
            ("101", "2026-11-21", 4, 6, 3, 4, [], None, 7.0, None),
            ("101", "2026-11-22", 7, 9, 5, 7, ["fever", "headache"], 38.4, 4.0,
             "fever, called clinic"),
            ("102", "2026-11-20", 3, 4, 2, 3, ["nausea"], None, 8.0, None)]),
    "redcap-label.csv": lambda rows, counts: (
        (counts["Rows read"], counts["Filtered out (--where)"], counts["Imported"])
        == ("3", "0", "3")
        and picked(rows, "patient", "date", "pain", "symptoms") == [
            ("101", "2026-11-20", 5, ["headache"]), ("101", "2026-11-21", 4, []),
            ("102", "2026-11-20", 3, ["nausea"])]),
    "ccpt-repaired.csv": lambda rows, counts: (
        counts["Imported"] == "3"
        and picked(rows, "patient", "date", "time", "pain", "note") == [
            ("c1", "2026-11-20", "08:00", 6, "first day home"),
            ("c1", "2026-11-20", "19:30", 7, None),
            ("c1", "2026-11-21", "09:15", 5, "better")]),
}


def test_the_readme_has_a_recipe_for_each_sample_that_imports():
    assert set(RECIPES) == set(EXPECTED)
    table = readme_section()
    for name in ("flaredown.csv", "bearable.csv"):
        row = next(line for line in table.splitlines() if f"(`{name}`)" in line)
        assert row.split("|")[2].strip() == "no", row


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_a_readme_recipe_imports_its_sample(recipe, cli, tmp_path, monkeypatch):
    """Each recipe runs as the README writes it (in a folder holding the samples), exits 0 and
    stores what the export holds."""
    work = tmp_path / "work"
    shutil.copytree(FOREIGN, work)
    monkeypatch.chdir(work)
    journal = tmp_path / "study.json"
    for command in RECIPES[recipe]:
        if command[0] == "python3":  # python3 -c CODE < IN > OUT
            assert command[1] == "-c" and command[3] == "<" and command[5] == ">", command
            with open(command[4], "rb") as source, open(command[6], "wb") as target:
                subprocess.run([sys.executable, "-c", command[2]], stdin=source,
                               stdout=target, check=True)
            continue
        assert command[:2] == ["pumpjournal", "import"], command
        result = cli("--journal", str(journal), *command[1:])
        assert result.exit_code == 0, (result.stdout, result.stderr)
        counts = summary(result)
        assert counts["Rejected"] == "0", result.stdout
        assert EXPECTED[recipe](exported(cli, journal), counts), (result.stdout,
                                                                  exported(cli, journal))


def test_the_crisiscore_step_gives_the_repaired_file(tmp_path):
    """The README's one-line repair of the CrisisCore export makes the repaired sample."""
    step = next(c for c in RECIPES["ccpt-repaired.csv"] if c[0] == "python3")
    with open(FOREIGN / "ccpt.csv", "rb") as source:
        made = subprocess.run([sys.executable, "-c", step[2]], stdin=source,
                              capture_output=True, check=True).stdout
    assert made.rstrip(b"\n") == (FOREIGN / "ccpt-repaired.csv").read_bytes().rstrip(b"\n")


def test_the_crisiscore_export_as_it_is_stops_and_says_why(cli, journal):
    result = cli("import", str(FOREIGN / "ccpt.csv"), "--patient", "c1", "--json")
    assert result.exit_code == 2 and result.stdout == ""
    assert "one line holding the two characters \\n" in result.stderr
    assert "Importing other apps' exports" in result.stderr
    assert not journal.exists()


def test_flaredown_fails_loudly_naming_the_columns_read_by_name(cli, journal):
    """Its Headache and Nausea (0-4 severities) are read as checklist items by their names; the
    error says so rather than leaving the person to guess."""
    result = cli("import", str(FOREIGN / "flaredown.csv"), "--map", "Fibromyalgia=pain",
                 "--ignore-extra")
    assert result.exit_code == 2
    assert "row 2, column Headache '2': use 1 or 0" in result.stderr
    assert "read as the symptom headache by its name" in result.stderr
    assert "row 5, column Headache '4'" in result.stderr
    assert "row 5, column Nausea '2'" in result.stderr  # every bad cell of the row
    assert not journal.exists()
    unmapped = cli("import", str(FOREIGN / "flaredown.csv"))
    assert unmapped.exit_code == 2
    assert "('Headache', 'Nausea' are read as 0/1 symptom columns by name)" in unmapped.stderr


@pytest.mark.parametrize("extra", [[], ["--where", "category=Symptom"]],
                         ids=["every row", "symptoms only"])
def test_bearable_long_form_fails_loudly(cli, journal, extra):
    result = cli("import", str(FOREIGN / "bearable.csv"), "--patient", "b1",
                 "--map", "date formatted=date", "--ignore-column", "date",
                 "--map", "rating/amount=pain", "--ignore-extra", *extra)
    assert result.exit_code == 2
    assert "same person and date as row" in result.stderr
    assert not journal.exists()


# --value-map ---------------------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


def test_a_value_map_is_exact_after_stripping_and_case_counts(cli, journal, tmp_path):
    source = write(tmp_path, "x.csv", "date,pain,fever\n2025-03-01,4, Checked \n"
                   "2025-03-02,5,checked\n2025-03-03,5,Checked!\n")
    result = cli("import", str(source), "--value-map", " fever : Checked = 1 ")
    assert result.exit_code == 2
    assert "row 2" not in result.stderr
    assert "row 3, column fever 'checked': use 1 or 0" in result.stderr
    assert "row 4, column fever 'Checked!'" in result.stderr
    assert not journal.exists()


def test_a_column_value_map_wins_over_star_and_to_may_empty_a_cell(cli, journal, tmp_path):
    source = write(tmp_path, "x.csv", "date,pain,mood,note\n2025-03-01,none,none,n/a\n")
    ok(cli("import", str(source), "--value-map", "*:none=0", "--value-map", "mood:none=5",
           "--value-map", "note:n/a="))
    (row,) = exported(cli, journal)
    assert (row["pain"], row["mood"], row["note"]) == (0, 5, None)


def test_a_value_map_reads_json_numbers_as_json_writes_them(cli, journal, tmp_path):
    source = write(tmp_path, "x.jsonl", json.dumps({"date": "2025-03-01", "pain": 3,
                                                    "contacted": True}) + "\n")
    ok(cli("import", str(source), "--value-map", "pain:3=4", "--value-map", "contacted:true=0"))
    (row,) = exported(cli, journal)
    assert (row["pain"], row["contacted"]) == (4, False)


@pytest.mark.parametrize("given, words", [
    ("fever=1", "is not COLUMN:FROM=TO"),
    ("fever:=1", "is not COLUMN:FROM=TO"),
    (":Checked=1", "is not COLUMN:FROM=TO"),
    ("fever:Checked", "is not COLUMN:FROM=TO"),
    ("Fevr:Checked=1", "--value-map names the column 'Fevr', which the file does not have"),
])
def test_a_value_map_that_cannot_be_used_is_refused(cli, journal, tmp_path, given, words):
    source = write(tmp_path, "x.csv", "date,pain,fever\n2025-03-01,4,Checked\n")
    result = cli("import", str(source), "--value-map", given)
    assert result.exit_code == 2 and words in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and not journal.exists()


def test_two_meanings_for_one_value_are_refused(cli, journal, tmp_path):
    source = write(tmp_path, "x.csv", "date,pain,fever\n2025-03-01,4,Checked\n")
    result = cli("import", str(source), "--value-map", "fever:Checked=1",
                 "--value-map", "fever:Checked=0")
    assert result.exit_code == 2
    assert "reads 'Checked' in 'fever' as both '1' and '0'" in result.stderr


# --where -------------------------------------------------------------------------------------


WHERE = ("id,event,form,date,pain\n"
         "1,base,,2025-03-01,\n"         # row 2: an enrolment row, no diary values
         "1,daily,diary,2025-03-02,4\n"  # row 3
         "1,daily,diary,2025-03-03,5\n"  # row 4
         "2,daily,visit,2025-03-02,9\n"  # row 5
         "2,weekly,diary,2025-03-04,2\n"  # row 6
         "2,daily,diary,2025-03-05,x\n")  # row 7: a bad cell in a row that is kept


def test_where_keeps_any_value_of_a_column_and_every_column_given(cli, cli_json, journal,
                                                                  tmp_path):
    source = write(tmp_path, "w.csv", WHERE)
    result = cli("import", str(source), "--map", "id=patient", "--where", "form=diary",
                 "--where", "event=daily", "--where", "event=weekly", "--skip-invalid",
                 "--rejects", str(tmp_path / "r.csv"))
    assert result.exit_code == 2  # row 7 is kept by the filter, and bad
    counts = summary(result)
    assert (counts["Rows read"], counts["Filtered out (--where)"], counts["Imported"],
            counts["Rejected"]) == ("6", "2", "3", "1")
    assert "row 7, column pain 'x'" in result.stderr
    assert "row 2" not in result.stderr and "row 5" not in result.stderr
    assert picked(exported(cli, journal), "patient", "date") == [
        ("1", "2025-03-02"), ("1", "2025-03-03"), ("2", "2025-03-04")]
    # the columns it reads are not unknown columns, and show as ignored
    assert counts["Ignored columns"] == "event, form"


def test_where_reads_the_cells_as_they_are_and_an_empty_value_matches_an_empty_cell(
        cli, cli_json, journal, tmp_path):
    source = write(tmp_path, "w.csv", "id,form,date,pain\n1,,2025-03-01,3\n"
                   "1, diary ,2025-03-02,4\n1,Diary,2025-03-03,5\n")
    report = cli_json("import", str(source), "--map", "id=patient", "--where", "form=",
                      "--where", "form=diary", "--value-map", "form:Diary=diary")
    assert (report["rows"], report["filtered"], report["imported"]) == (3, 1, 2)
    assert [r["date"] for r in exported(cli, journal)] == ["2025-03-01", "2025-03-02"]


def test_where_also_reads_an_ignored_column(cli, journal, tmp_path):
    source = write(tmp_path, "w.csv", WHERE)
    ok(cli("import", str(source), "--map", "id=patient", "--ignore-column", "form",
           "--ignore-column", "event", "--where", "form=visit"))
    assert picked(exported(cli, journal), "patient", "pain") == [("2", 9)]


@pytest.mark.parametrize("given, words", [
    ("form", "is not COLUMN=VALUE"),
    ("=diary", "is not COLUMN=VALUE"),
    ("*=diary", "is not COLUMN=VALUE"),
    ("from=diary", "--where names the column 'from', which the file does not have"),
])
def test_a_where_that_cannot_be_used_is_refused(cli, journal, tmp_path, given, words):
    source = write(tmp_path, "w.csv", WHERE)
    result = cli("import", str(source), "--map", "id=patient", "--where", given)
    assert result.exit_code == 2 and words in result.stderr, result.stderr
    assert not journal.exists()


def test_where_in_json_rows_keeps_rows_by_a_key_some_rows_lack(cli, cli_json, journal,
                                                                tmp_path):
    rows = [{"date": "2025-03-01", "pain": 3, "kind": "diary"},
            {"date": "2025-03-02", "pain": 4},
            {"date": "2025-03-03", "pain": 5, "kind": "other", "junk": 1}]
    source = write(tmp_path, "w.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    report = cli_json("import", str(source), "--where", "kind=diary", "--where", "kind=")
    assert (report["filtered"], report["imported"]) == (1, 2)


# no rows: exit 2, never "imported 0" ----------------------------------------------------------


NO_ROWS = {
    "a header only": ("h.csv", "patient,date,pain\n", [], "the file has a header but no rows"),
    "a header and blank lines": ("h.csv", "date,pain\n\n,\n", [],
                                 "the file has a header but no rows"),
    "a header naming neither date nor pain": (
        "h.csv", "Datum,Schmerz\n", ["--ignore-extra"], "the file has no date or pain column"),
    "a header with an unknown column": ("h.csv", "date,pain,mystery\n", [],
                                        "'mystery' maps to no field"),
    "an empty JSON array": ("e.json", "[]", [], "the file holds no rows"),
    "an empty JSONL file": ("e.jsonl", "\n\n", [], "the file holds no rows"),
    "rows all filtered out": (
        "w.csv", WHERE, ["--map", "id=patient", "--ignore-column", "form",
                         "--where", "event=monthly", "--where", "event=yearly"],
        "no row matches --where event='monthly' or 'yearly': all 6 rows read were left out"),
}


@pytest.mark.parametrize("case", list(NO_ROWS))
def test_a_file_that_leaves_no_row_to_import_is_an_error(cli, journal, tmp_path, case):
    name, text, options, words = NO_ROWS[case]
    ok(cli("log", "--pain", "2", "--date", "2025-02-01"))
    before = snapshot(journal)
    for extra in ([], ["--json"], ["--dry-run"]):
        result = cli("import", str(write(tmp_path, name, text)), *options, *extra)
        assert result.exit_code == 2, (case, extra, result.stdout, result.stderr)
        assert words in result.stderr, result.stderr
        assert result.stdout == "" and "Imported" not in result.stderr
        assert snapshot(journal) == before


def test_no_rows_into_no_journal_creates_none(cli, journal, tmp_path):
    result = cli("import", str(write(tmp_path, "h.csv", "date,pain\n")))
    assert result.exit_code == 2 and not journal.exists()
    assert not journal.parent.exists() or not any(journal.parent.iterdir())


# What the new messages show of a file never drives the terminal ---------------------------


HOSTILE = "\x1b[2J\x1b]0;title\x07\u202e"
HOSTILE_CASES = {
    "--where value": ("w.csv", WHERE, ["--map", "id=patient", "--ignore-extra",
                                       "--where", f"event={HOSTILE}"]),
    "--where column": ("w.csv", WHERE, ["--where", f"ev{HOSTILE}=x"]),
    "--value-map": ("w.csv", WHERE, ["--value-map", f"ev{HOSTILE}"]),
    "--value-map column": ("w.csv", WHERE, ["--value-map", f"ev{HOSTILE}:a=b"]),
    "an unknown header": ("h.csv", f"date,pain,x{HOSTILE}\n2025-03-01,3,1\n", []),
    "a symptom column's cell": ("s.csv", f"date,pain,Headache\n2025-03-01,3,{HOSTILE}\n", []),
    "a long cell": ("l.csv", f"date,pain\n2025-03-01,{HOSTILE}{'9' * 3000}\n", []),
    "two date formats": ("d.csv", f"date,pain\n03/04/2025{HOSTILE},3\n",
                         ["--date-format", f"%m/%d/%Y{HOSTILE}",
                          "--date-format", f"%d/%m/%Y{HOSTILE}"]),
    "an ignored column": ("i.csv", f"date,pain,x{HOSTILE}\n2025-03-01,3,1\n",
                          ["--ignore-extra"]),
}


@pytest.mark.parametrize("case", list(HOSTILE_CASES))
def test_cells_and_names_in_import_messages_are_shown_escaped(cli, tmp_path, case):
    name, text, options = HOSTILE_CASES[case]
    result = cli("import", str(write(tmp_path, name, text)), *options)
    assert "Traceback" not in result.output
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in result.stdout and raw not in result.stderr, (case, result.output)
    assert "\\x1b" in result.output or "\\u202e" in result.output, result.output
