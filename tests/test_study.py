"""Study folders: one journal per participant (``pumpjournal init --study DIR``).

Every command that takes --journal takes a study folder too, as it takes a journal of several
people; a write for one participant reads, locks and rewrites only that participant's file; an
import checks every row before anything is written and writes each participant's journal
atomically; cohort, export and doctor go through the participants one at a time.
"""

from __future__ import annotations

import csv
import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest

from pumpjournal import Journal, queries
from pumpjournal.store import SCHEMA_VERSION
from pumpjournal.study import Study
from pjtest import iso, ok, refused, snapshot

ROWS = [  # participant, date, time, pain, symptoms
    ("p1", iso(10), "08:00", "3", ""), ("p1", iso(10), "20:00", "5", "fever"),
    ("p1", iso(9), "", "4", ""), ("p2", iso(10), "", "6", "headache"),
    ("p2", iso(8), "", "2", ""), ("p3", iso(7), "09:15", "7", "stiff-neck;fever"),
]


def write_csv(path: Path, rows=ROWS, header=("participant_id", "date", "time", "pain",
                                            "symptoms")) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


def files_of(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every participant file's bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.glob("*.json"))
            if p.name != "study.json"}


@pytest.fixture
def study(tmp_path, cli, monkeypatch) -> Path:
    """A new, empty study folder; the CLI (``cli``) uses it as its journal."""
    folder = tmp_path / "study"
    monkeypatch.setenv("PUMPJOURNAL_PATH", str(folder))
    ok(cli("init", "--study", str(folder)))
    return folder


@pytest.fixture
def filled(study, cli, tmp_path) -> Path:
    """The study with ROWS imported (three participants)."""
    ok(cli("import", str(write_csv(tmp_path / "rows.csv"))))
    return study


# Making a study ------------------------------------------------------------------------------


def test_init_study_makes_a_private_folder_with_its_study_file(tmp_path, cli, open_umask):
    folder = tmp_path / "trial"
    result = ok(cli("init", "--study", str(folder)))
    assert f"Created the study {folder}" in result.stdout
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    info = json.loads((folder / "study.json").read_text())
    assert info["app"] == "pumpjournal" and info["kind"] == "study"
    assert info["schema"] == SCHEMA_VERSION and info["settings"] == {"encrypted": False}
    assert info["created"] == date.today().isoformat()
    assert stat.S_IMODE((folder / "study.json").stat().st_mode) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["study.json"]


def test_init_study_on_an_existing_study_changes_nothing(study, cli):
    before = (study / "study.json").read_bytes(), sorted(os.listdir(study))
    result = ok(cli("init", "--study", str(study)))
    assert "exists already; nothing was changed" in result.stderr
    result = ok(cli("--journal", str(study), "init"))  # the study given as the journal
    assert "exists already" in result.stderr
    assert ((study / "study.json").read_bytes(), sorted(os.listdir(study))) == before


def test_init_study_in_an_empty_folder_that_exists(tmp_path, cli):
    folder = tmp_path / "empty"
    folder.mkdir(mode=0o755)
    ok(cli("init", "--study", str(folder)))
    assert (folder / "study.json").exists()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.parametrize("what", ["a file", "a folder of other files"])
def test_init_study_refuses_a_file_or_a_folder_that_is_not_empty(tmp_path, cli, what):
    target = tmp_path / "x"
    if what == "a file":
        target.write_text("hello")
    else:
        target.mkdir()
        (target / "journal.json").write_text("{}")
    before = sorted(os.listdir(tmp_path)), snapshot(target) if target.is_file() else None
    line = refused(cli("init", "--study", str(target)))
    assert ("is a file, not a folder" in line) == (what == "a file")
    assert ("not empty and is not a study" in line) == (what != "a file")
    assert line.endswith("Nothing was changed.")
    assert (sorted(os.listdir(tmp_path)), snapshot(target) if target.is_file() else None) \
        == before
    assert not (target / "study.json").exists() if target.is_dir() else True


def test_a_folder_without_a_study_file_is_refused_with_the_hint(tmp_path, cli):
    folder = tmp_path / "plain"
    folder.mkdir()
    for args in (["list"], ["log", "--pain", "3"], ["cohort"], ["export"]):
        result = cli("--journal", str(folder), *args)
        assert result.exit_code == 1, (args, result.output)
        assert "is a folder, not a file" in result.stderr
        assert f"to make a study folder: pumpjournal init --study {folder}" in result.stderr
    assert os.listdir(folder) == []


def test_a_damaged_study_file_is_said_and_left_as_it_was(study, cli):
    (study / "study.json").write_text('{"app": "pumpjournal"')
    before = snapshot(study / "study.json")
    for args in (["list", "--patient", "p1"], ["log", "--patient", "p1", "--pain", "3"],
                 ["cohort"], ["init", "--study", str(study)]):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "the study file" in result.stderr and "cannot be read" in result.stderr
    assert snapshot(study / "study.json") == before
    assert sorted(os.listdir(study)) == ["study.json"]


def test_a_study_of_a_newer_pumpjournal_is_refused(study, cli):
    info = json.loads((study / "study.json").read_text())
    (study / "study.json").write_text(json.dumps({**info, "schema": SCHEMA_VERSION + 1}))
    result = cli("list", "--patient", "p1")
    assert result.exit_code == 1 and "newer pumpjournal" in result.stderr


# Participants' ids -----------------------------------------------------------------------


CLASHES = [("P1", "differs from the participant 'p1' only in letter case"),
           ("CON", "device name on Windows"), ("con", "device name on Windows"),
           ("con.x", "device name on Windows"), ("Lpt9", "device name on Windows"),
           ("nul.txt", "device name on Windows"), ("COM1", "device name on Windows"),
           ("study", "the study's own file"), ("Study", "the study's own file"),
           ("-bad", "is not accepted"), ("a b", "is not accepted")]


@pytest.mark.parametrize("pid, why", CLASHES, ids=[c[0] for c in CLASHES])
def test_a_participant_id_that_would_clash_is_refused(study, cli, pid, why):
    ok(cli("log", "--patient", "p1", "--pain", "3"))
    before = files_of(study), sorted(os.listdir(study))
    line = refused(cli("log", "--patient", pid, "--pain", "4"))
    assert why in line and line.endswith("Nothing was changed."), line
    assert (files_of(study), sorted(os.listdir(study))) == before


def test_ids_that_clash_in_an_import_are_row_errors(study, cli, tmp_path):
    source = write_csv(tmp_path / "ids.csv", [("p1", iso(3), "", "3", ""),
                                              ("P1", iso(3), "", "4", ""),
                                              ("CON", iso(3), "", "5", "")])
    result = cli("import", str(source))
    assert result.exit_code == 2
    assert "row 3, column participant_id 'P1': the participant id 'P1' differs" in result.stderr
    assert "row 4, column participant_id 'CON'" in result.stderr
    assert files_of(study) == {}
    result = cli("import", str(source), "--skip-invalid", "--rejects",
                 str(tmp_path / "bad.csv"))
    assert result.exit_code == 2
    assert sorted(files_of(study)) == ["p1.json"]
    rejected = list(csv.DictReader(open(tmp_path / "bad.csv", encoding="utf-8")))
    assert [r["participant_id"] for r in rejected] == ["P1", "CON"]
    assert all("the participant id" in r["_error"] for r in rejected)


def test_a_participant_file_holding_someone_else_is_refused_untouched(study, cli):
    ok(cli("log", "--patient", "p1", "--pain", "3"))
    os.replace(study / "p1.json", study / "p2.json")  # p2's file now holds p1's records
    before = snapshot(study / "p2.json")
    for args in (["list", "--patient", "p2"], ["log", "--patient", "p2", "--pain", "5"]):
        result = cli(*args)
        assert result.exit_code == 1, result.output
        assert "holds records of 'p1', not of 'p2'" in result.stderr
    assert snapshot(study / "p2.json") == before
    result = cli("doctor")
    assert result.exit_code == 1 and "holds records of 'p1'" in result.stdout


# Commands on one participant --------------------------------------------------------------


def test_commands_about_one_person_take_the_participant(filled, cli, cli_json):
    entries = cli_json("list", "--patient", "p1")
    assert [e["date"] for e in entries] == [iso(9), iso(10)]
    assert {e["patient"] for e in entries} == {"p1"}
    assert [len(e["readings"]) for e in entries] == [1, 2]
    summary = cli_json("summary", "--patient", "p2", "--since", iso(30))
    assert summary["patient"] == "p2" and summary["period"]["days_logged"] == 2
    flags = cli_json("flags", "--patient", "p3")
    assert flags and {f["patient"] for f in flags} == {"p3"}
    report = ok(cli("report", "--patient", "p1", "--format", "md", "--output", "-"))
    assert "**Person:** p1" in report.stdout
    show = cli_json("show", iso(7), "--patient", "p3")
    assert show["symptoms"] == ["stiff-neck", "fever"] or set(show["symptoms"]) == {
        "stiff-neck", "fever"}


@pytest.mark.parametrize("args", [["list"], ["summary"], ["flags"], ["show", "today"],
                                  ["report", "--format", "md", "--output", "-"],
                                  ["log", "--pain", "4"], ["profile"], ["event", "list"],
                                  ["ask", "why?"], ["delete", "today", "--yes"]])
def test_several_participants_without_patient_asks_to_choose_one(filled, cli, args):
    before = files_of(filled)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert ("Error: this study holds 3 people (p1, p2, p3); choose one with --patient ID."
            in result.stderr)
    assert "Traceback" not in result.output
    assert files_of(filled) == before


def test_the_only_participant_needs_no_patient(study, cli, cli_json):
    ok(cli("log", "--patient", "only", "--pain", "4", "--date", "yesterday"))
    ok(cli("log", "--pain", "5"))  # the study's only participant
    assert [e["patient"] for e in cli_json("list")] == ["only", "only"]
    assert sorted(files_of(study)) == ["only.json"]
    assert cli_json("summary")["patient"] == "only"


def test_an_empty_study_asks_for_a_participant(study, cli):
    line = refused(cli("log", "--pain", "4"))
    assert "has no participants yet; choose one with --patient ID" in line
    assert os.listdir(study) == ["study.json"]


def test_a_participant_not_in_the_study_reads_as_empty_and_is_not_made(filled, cli):
    result = ok(cli("list", "--patient", "p9"))
    assert "No entries yet" in result.stderr
    assert not (filled / "p9.json").exists() and not (filled / "p9.json.lock").exists()


WRITES = [["log", "--patient", "p2", "--pain", "4"],
          ["log", "--patient", "p2", "--pain", "1", "--date", iso(10)],
          ["edit", iso(8), "--patient", "p2", "--pain", "5"],
          ["delete", iso(8), "--patient", "p2", "--yes"],
          ["event", "add", "refill", "--patient", "p2"],
          ["profile", "--patient", "p2", "--care-phone", "555-0142"],
          ["ask", "Can the dose change?", "--patient", "p2"]]


@pytest.mark.parametrize("args", WRITES, ids=lambda a: " ".join(a[:2]))
def test_a_write_touches_only_its_participants_file(filled, cli, args):
    before = files_of(filled)
    ok(cli(*args))
    after = files_of(filled)
    assert after["p2.json"] != before["p2.json"]
    assert {k: v for k, v in after.items() if k != "p2.json"} == {
        k: v for k, v in before.items() if k != "p2.json"}
    assert Journal(filled / "p2.json").patients() == ["p2"]


def test_a_write_for_a_new_participant_makes_its_file(filled, cli, cli_json, open_umask):
    ok(cli("log", "--patient", "p4", "--pain", "2"))
    assert stat.S_IMODE((filled / "p4.json").stat().st_mode) == 0o600
    assert [e["pain"] for e in cli_json("list", "--patient", "p4")] == [2]
    assert [r["patient"] for r in cli_json("cohort")] == ["p1", "p2", "p3", "p4"]


def test_an_event_id_is_the_participants_own(filled, cli, cli_json):
    first = cli_json("event", "add", "visit", "--patient", "p1")
    other = cli_json("event", "add", "visit", "--patient", "p2")
    assert first["id"] == other["id"] == 1
    ok(cli("event", "delete", "1", "--patient", "p1", "--yes"))
    assert cli_json("event", "list", "--patient", "p2")[0]["id"] == 1
    assert cli_json("event", "list", "--patient", "p1") == []


def test_backups_of_participants_go_in_the_studys_backups_folder(filled, cli):
    result = ok(cli("backup"))
    assert "3 participant journals" in result.stdout
    names = sorted(os.listdir(filled / "backups"))
    assert [n.split(".")[0] for n in names] == ["p1", "p2", "p3"]
    assert all(n.endswith(".manual.json") for n in names)
    assert Journal(filled / "p2.json").backups("manual")


@pytest.mark.parametrize("name", ["p9.json", "x.JSON"])
def test_an_output_file_in_the_study_folder_is_refused(filled, cli, name):
    before = sorted(os.listdir(filled))
    for args in (["export", "--output", str(filled / name)],
                 ["export", "--patient", "p1", "--output", str(filled / name)],
                 ["report", "--patient", "p1", "--format", "html", "--output",
                  str(filled / name)]):
        line = refused(cli(*args))
        assert "is in the study folder" in line, line
    assert sorted(os.listdir(filled)) == before


# Import ----------------------------------------------------------------------------------


def stored(folder: Path) -> dict[str, list]:
    """Each participant's days: (date, [(time, pain)])."""
    found = {}
    for pid in Study(folder).participants():
        view = Journal(folder / f"{pid}.json").read()
        found[pid] = sorted((e.date, [(r.time, r.pain) for r in e.readings])
                            for e in view.entries())
    return found


def test_import_writes_each_participants_journal(filled, cli_json):
    assert stored(filled) == {
        "p1": [(iso(10), [("08:00", 3), ("20:00", 5)]), (iso(9), [(None, 4)])],
        "p2": [(iso(10), [(None, 6)]), (iso(8), [(None, 2)])],
        "p3": [(iso(7), [("09:15", 7)])]}
    assert not [n for n in os.listdir(filled) if n.startswith(".import-")]
    assert cli_json("list", "--patient", "p3")[0]["flags"]


def test_import_summary_counts_as_one_journal_would(study, cli, tmp_path):
    source = write_csv(tmp_path / "rows.csv")
    as_study = json.loads(ok(cli("import", str(source), "--json")).stdout)
    single = tmp_path / "one.json"
    as_one = json.loads(ok(cli("--journal", str(single), "import", str(source),
                               "--json")).stdout)
    assert as_study == as_one
    assert as_study["imported"] == len(ROWS) and as_study["written"]


def test_import_is_all_or_nothing(filled, cli, tmp_path):
    before = files_of(filled)
    rows = [("p1", iso(5), "", "3", ""), ("p4", iso(5), "", "2", ""),
            ("p2", iso(5), "", "eleven", ""), ("p5", "2026-02-30", "", "1", "")]
    result = cli("import", str(write_csv(tmp_path / "bad.csv", rows)))
    assert result.exit_code == 2
    assert "row 4, column pain 'eleven'" in result.stderr
    assert "row 5, column date '2026-02-30'" in result.stderr
    assert "Nothing was written." in result.stdout
    assert files_of(filled) == before
    assert not (filled / "p4.json").exists() and not (filled / "p5.json").exists()
    assert not [n for n in os.listdir(filled) if n.startswith(".import-")]


def test_import_with_skip_invalid_writes_the_good_rows(filled, cli, tmp_path):
    rows = [("p1", iso(5), "", "3", ""), ("p4", iso(5), "", "2", ""),
            ("p2", iso(5), "", "eleven", "")]
    rejects = tmp_path / "fix.csv"
    result = cli("import", str(write_csv(tmp_path / "bad.csv", rows)), "--skip-invalid",
                 "--rejects", str(rejects), "--json")
    assert result.exit_code == 2
    summary = json.loads(result.stdout)
    assert (summary["imported"], summary["rejected"]) == (2, 1)
    assert summary["rejects_file"] == str(rejects)
    assert [r["pain"] for r in csv.DictReader(open(rejects, encoding="utf-8"))] == ["eleven"]
    days = stored(filled)
    assert (iso(5), [(None, 3)]) in days["p1"] and days["p4"] == [(iso(5), [(None, 2)])]
    assert iso(5) not in [d for d, _ in days["p2"]]


def test_import_conflicts_fail_skip_and_update(filled, cli, tmp_path):
    before = files_of(filled)
    rows = [("p1", iso(10), "08:00", "9", ""), ("p2", iso(4), "", "1", ""),
            ("p9", iso(4), "", "1", "")]
    source = write_csv(tmp_path / "again.csv", rows)
    result = cli("import", str(source))
    assert result.exit_code == 2
    assert f"p1 {iso(10)}, the reading at 08:00 (row 2)" in result.stderr
    assert files_of(filled) == before and not (filled / "p9.json").exists()
    summary = json.loads(ok(cli("import", str(source), "--on-conflict", "skip",
                                "--json")).stdout)
    assert (summary["imported"], summary["skipped"]) == (2, 1)
    assert stored(filled)["p1"][0] == (iso(10), [("08:00", 3), ("20:00", 5)])
    assert stored(filled)["p9"] == [(iso(4), [(None, 1)])]
    summary = json.loads(ok(cli("import", str(source), "--on-conflict", "update",
                                "--json")).stdout)
    assert (summary["updated"], summary["unchanged"]) == (1, 2)
    assert stored(filled)["p1"][0] == (iso(10), [("08:00", 9), ("20:00", 5)])
    assert Journal(filled / "p1.json").backups("import")


def test_an_import_keeps_a_backup_of_each_journal_it_changes(filled, cli, tmp_path):
    source = write_csv(tmp_path / "more.csv", [("p1", iso(2), "", "3", "")])
    ok(cli("import", str(source)))
    assert len(Journal(filled / "p1.json").backups("import")) == 1
    assert not Journal(filled / "p2.json").backups("import")


def test_import_rows_without_a_patient_column(study, cli, tmp_path):
    source = write_csv(tmp_path / "one.csv", [(iso(3), "4")], header=("date", "pain"))
    line = refused(cli("import", str(source)))
    assert "no patient column" in line and "--patient ID" in line
    ok(cli("import", str(source), "--patient", "solo"))
    ok(cli("import", str(write_csv(tmp_path / "two.csv", [(iso(2), "5")],
                                   header=("date", "pain")))))
    assert stored(study) == {"solo": [(iso(3), [(None, 4)]), (iso(2), [(None, 5)])]}


def test_a_dry_run_writes_nothing(filled, cli, tmp_path):
    before = files_of(filled), sorted(os.listdir(filled))
    result = ok(cli("import", str(write_csv(tmp_path / "n.csv", [("p7", iso(1), "", "3", "")])),
                    "--dry-run"))
    assert "Would import: 1" in result.stdout and "Dry run" in result.stdout
    assert (files_of(filled), sorted(os.listdir(filled))) == before


def test_import_json_rows_into_a_study(study, cli, tmp_path):
    source = tmp_path / "rows.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in [
        {"patient": "a1", "date": iso(2), "pain": 3}, {"patient": "a2", "date": iso(2),
                                                       "pain": 4},
        [1, 2], {"date": iso(2), "pain": 1}]) + "\n")
    result = cli("import", str(source))
    assert result.exit_code == 2
    assert "row 3: not an object but list" in result.stderr
    assert "row 4, column patient: this journal holds several people" in result.stderr
    assert files_of(study) == {}


def test_a_large_import_is_checked_by_several_processes(study, cli, tmp_path, monkeypatch):
    from pumpjournal import study as study_module

    monkeypatch.setattr(study_module, "PARALLEL_ROWS", 1)
    monkeypatch.setattr(study_module, "PROCESSES", 3)
    rows = [(f"q{n % 7}", iso(1 + n // 7), "", str(n % 11), "") for n in range(70)]
    rows.append(("q3", "not a date", "", "3", ""))
    source = write_csv(tmp_path / "many.csv", rows)
    result = cli("import", str(source))
    assert result.exit_code == 2 and "row 72, column date" in result.stderr
    assert files_of(study) == {}
    summary = json.loads(ok(cli("import", str(write_csv(tmp_path / "ok.csv", rows[:-1])),
                                "--json")).stdout)
    assert summary["imported"] == 70
    assert sum(len(days) for days in stored(study).values()) == 70


# Cohort ---------------------------------------------------------------------------------------


def one_journal(folder: Path, target: Path) -> Journal:
    """A single journal holding every participant of the study, built from the files."""
    with Journal(target).transaction() as tx:
        for pid in Study(folder).participants():
            view = Journal(folder / f"{pid}.json").read()
            tx.write_entries([dict(doc) for _, doc in view.raw_entries()])
            for event in view.events():
                tx.add_event(event)
            if view.profile(pid):
                tx.set_profile(pid, view.profile(pid))
    return Journal(target)


@pytest.fixture
def rich(filled, cli):
    """The filled study with a profile, events and a question for some participants."""
    ok(cli("profile", "--patient", "p1", "--implant-date", iso(20), "--drug", "baclofen"))
    ok(cli("event", "add", "refill", "--patient", "p2", "--date", iso(9)))
    ok(cli("event", "add", "visit", "--patient", "p3", "--date", iso(30)))
    ok(cli("ask", "Is this normal?", "--patient", "p3"))
    return filled


def test_cohort_of_a_study_equals_the_same_journal_in_one_file(rich, cli_json, tmp_path):
    single = one_journal(rich, tmp_path / "one.json")
    today = date.today()
    assert cli_json("cohort") == queries.cohort(single.read(), today)
    per_file = [row for pid in Study(rich).participants()
                for row in queries.cohort(Journal(rich / f"{pid}.json").read(), today)]
    assert cli_json("cohort") == per_file
    window = ["--since", iso(9), "--until", iso(8)]
    assert cli_json("cohort", *window) == queries.cohort(
        single.read(), today, date.fromisoformat(iso(9)), date.fromisoformat(iso(8)))


def test_cohort_summaries_are_kept_by_writes_and_go_stale_after_an_outside_change(
        filled, cli, cli_json):
    summaries = filled / ".cohort"
    assert not summaries.exists()  # an import leaves them to the next cohort
    first = cli_json("cohort")
    assert sorted(os.listdir(summaries)) == ["p1.json", "p2.json", "p3.json"]
    assert stat.S_IMODE(summaries.stat().st_mode) == 0o700
    ok(cli("log", "--patient", "p2", "--pain", "9"))  # through pumpjournal: kept at once
    kept = json.loads((summaries / "p2.json").read_text())
    assert kept["rows"][0]["days_logged"] == 3
    # an outside change (a copy put back, an edit by hand): the summary no longer matches
    data = json.loads((filled / "p3.json").read_text())
    (doc,) = data["entries"].values()
    doc["readings"][0]["pain"] = 1
    (filled / "p3.json").write_text(json.dumps(data))
    rows = cli_json("cohort")
    assert rows[2]["mean_pain"] == 1 and first[2]["mean_pain"] == 7
    assert rows[1]["days_logged"] == 3
    assert rows == [r for pid in ("p1", "p2", "p3")
                    for r in queries.cohort(Journal(filled / f"{pid}.json").read(),
                                            date.today())]


def test_a_damaged_summary_is_worked_out_again(filled, cli_json):
    expected = cli_json("cohort")
    (filled / ".cohort" / "p1.json").write_text("{not json")
    assert cli_json("cohort") == expected
    json.loads((filled / ".cohort" / "p1.json").read_text())  # written again


def test_a_summary_from_another_day_is_not_used(filled, cli_json, monkeypatch):
    expected = cli_json("cohort")
    path = filled / ".cohort" / "p1.json"
    kept = json.loads(path.read_text())
    kept["rows"][0]["mean_pain"] = 99
    kept["today"] = iso(1)
    path.write_text(json.dumps(kept))
    assert cli_json("cohort") == expected


# Export ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "fhir"])
def test_export_of_a_study_equals_export_of_one_journal(rich, cli, tmp_path, fmt):
    single = one_journal(rich, tmp_path / "one.json")
    as_study = ok(cli("export", "--format", fmt)).stdout
    as_one = ok(cli("--journal", str(single.path), "export", "--format", fmt)).stdout
    assert as_study == as_one
    window = ["--since", iso(9), "--until", iso(8)]
    assert ok(cli("export", "--format", fmt, *window)).stdout == ok(
        cli("--journal", str(single.path), "export", "--format", fmt, *window)).stdout
    one = ok(cli("export", "--format", fmt, "--patient", "p2")).stdout
    assert one == ok(cli("--journal", str(single.path), "export", "--format", fmt,
                         "--patient", "p2")).stdout


def test_export_of_a_study_to_a_file_and_back_into_another_study(rich, cli, tmp_path):
    out = tmp_path / "all.csv"
    result = ok(cli("export", "--output", str(out)))
    assert "Exported 6 readings" in result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    other = tmp_path / "other"
    ok(cli("init", "--study", str(other)))
    ok(cli("--journal", str(other), "import", str(out)))
    assert ok(cli("--journal", str(other), "export")).stdout == out.read_text()


def test_export_of_an_empty_study(study, cli):
    assert ok(cli("export", "--format", "json")).stdout == "[]\n"
    assert ok(cli("export", "--format", "csv")).stdout.count("\n") == 1


# Doctor ---------------------------------------------------------------------------------


def test_doctor_on_a_sound_study_rebuilds_the_summaries(filled, cli):
    (filled / ".cohort").mkdir(exist_ok=True)
    (filled / ".cohort" / "gone.json").write_text("{}")
    result = ok(cli("doctor"))
    assert f"Study: {filled}" in result.stdout
    assert "3 participants; 5 entries" in result.stdout
    assert "cohort summaries worked out again for 3 participants" in result.stdout
    assert "The study is sound." in result.stdout
    assert sorted(os.listdir(filled / ".cohort")) == ["p1.json", "p2.json", "p3.json"]


def test_doctor_names_what_is_wrong_in_a_study(filled, cli):
    (filled / "bad name.json").write_text("{}")
    (filled / "notes.json").write_text("{}")
    entries = json.loads((filled / "p2.json").read_text())
    next(iter(entries["entries"].values()))["readings"][0]["pain"] = 12
    (filled / "p2.json").write_text(json.dumps(entries))
    os.chmod(filled / "p1.json", 0o644)
    result = cli("doctor")
    assert result.exit_code == 1
    out = " ".join(result.stdout.split())
    assert "bad name.json is in the study folder but is not a participant's journal" in out
    assert "notes: the journal" in out and "not a pumpjournal journal" in out
    assert "p2: entry" in out and "pain" in out
    assert "p1: the journal can be read by other users; fix with: chmod 600" in out
    assert "No journal was changed." in out


# An import part-way: other writers, a lock held too long, a crash ---------------------------

PEOPLE = [f"a{n}" for n in range(1, 7)]


def crowd(folder: Path, cli, tmp_path) -> tuple[Path, dict]:
    """Six participants with ten days each; returns an import file of five more days each
    (one new participant too) and the study's days before it."""
    old = [(pid, iso(40 - d), "", str(d % 11), "") for pid in PEOPLE for d in range(10)]
    ok(cli("import", str(write_csv(tmp_path / "old.csv", old))))
    new = [(pid, iso(20 - d), "", str((d + 3) % 11), "fever" if d == 2 else "")
           for pid in PEOPLE + ["a7"] for d in range(5)]
    return write_csv(tmp_path / "new.csv", new), stored(folder)


def old_or_new(folder: Path, before: dict, source: Path) -> dict[str, str]:
    """Each participant's journal is exactly as before the import, or exactly as after it."""
    rows = list(csv.DictReader(open(source, encoding="utf-8")))
    states = {}
    for pid, days in stored(folder).items():
        added = sorted((r["date"], [(None, int(r["pain"]))]) for r in rows
                       if r["participant_id"] == pid)
        if days == before.get(pid, []):
            states[pid] = "old"
        else:
            assert days == sorted(before.get(pid, []) + added), f"{pid} is a mix"
            states[pid] = "new"
    return states


def wait_for(check, timeout: float = 30.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.005)
    raise AssertionError("timed out waiting")


def written_so_far(folder: Path) -> int:
    records = Study(folder).imports()
    return records[0]["written"] if records else 0


def test_a_participant_locked_too_long_stops_the_import_part_way(study, cli, tmp_path,
                                                                monkeypatch):
    from pumpjournal.lock import FileLock

    source, before = crowd(study, cli, tmp_path)
    monkeypatch.setenv("PUMPJOURNAL_LOCK_TIMEOUT", "1")
    with FileLock(Journal(study / "a4.json").lock_path, 1):
        result = cli("import", str(source))
    assert result.exit_code == 1, result.output
    line = " ".join(result.stderr.split())
    assert "the import stopped part-way at the participant 'a4'" in line
    assert "of 7 participants' journals were written (each whole)" in line
    assert "run the import again with --on-conflict skip" in line
    assert "Nothing was changed" not in line
    states = old_or_new(study, before, source)
    assert states["a4"] == "old" and "new" in states.values()
    found = " ".join(cli("doctor").stdout.split())
    assert f"an import of {source} started" in found and "was interrupted" in found
    assert "run it again with --on-conflict skip to complete it" in found
    ok(cli("import", str(source), "--on-conflict", "skip"))
    assert set(old_or_new(study, before, source).values()) == {"new"}
    assert not [n for n in os.listdir(study) if n.startswith(".import-")]
    assert "The study is sound." in ok(cli("doctor")).stdout


def test_writers_for_other_participants_are_not_blocked_by_an_import(study, cli, tmp_path):
    from pjtest import Child, child_env, pumpjournal, run_child
    from pumpjournal.lock import FileLock

    source, before = crowd(study, cli, tmp_path)
    env = child_env(study, PUMPJOURNAL_LOCK_TIMEOUT="60")
    held = FileLock(Journal(study / "a4.json").lock_path, 1)
    with held:  # the import gets as far as a4, and waits for it
        child = Child(pumpjournal(["import", str(source)]), env)
        wait_for(lambda: written_so_far(study) == 6)
        quick = child_env(study, PUMPJOURNAL_LOCK_TIMEOUT="2")
        for pid in ("a2", "a9"):  # one the import wrote, one it does not know
            done = run_child(["log", "--patient", pid, "--pain", "3"], quick)
            assert done.returncode == 0, done.stderr
        with FileLock(Journal(study / "a2.json").lock_path, 0):
            pass  # free
        assert child.poll() is None  # still waiting for a4
    assert child.wait(timeout=60) == 0
    days = stored(study)
    assert len(days["a2"]) == 16 and len(days["a4"]) == 15 and len(days["a9"]) == 1
    assert not [n for n in os.listdir(study) if n.startswith(".import-")]


def test_an_import_killed_part_way_leaves_every_journal_old_or_new(study, cli, tmp_path):
    import signal

    from pjtest import Child, child_env, pumpjournal
    from pumpjournal.lock import FileLock

    source, before = crowd(study, cli, tmp_path)
    env = child_env(study, PUMPJOURNAL_LOCK_TIMEOUT="60")
    with FileLock(Journal(study / "a4.json").lock_path, 1):
        child = Child(pumpjournal(["import", str(source)]), env)
        wait_for(lambda: written_so_far(study) == 6)
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    states = old_or_new(study, before, source)
    assert states["a4"] == "old" and list(states.values()).count("new") == 6
    result = cli("doctor")
    assert result.exit_code == 1
    found = " ".join(result.stdout.split())
    assert (f"an import of {source} started" in found and "was interrupted: 6 of 7 "
            "participants written; run it again with --on-conflict skip to complete it"
            in found), found
    summary = json.loads(ok(cli("import", str(source), "--on-conflict", "skip",
                                "--json")).stdout)
    assert (summary["imported"], summary["skipped"]) == (5, 30)
    assert set(old_or_new(study, before, source).values()) == {"new"}
    assert not [n for n in os.listdir(study) if n.startswith(".import-")]
    assert "The study is sound." in ok(cli("doctor")).stdout


@pytest.mark.slow
def test_imports_killed_at_random_instants_leave_journals_old_or_new(study, cli, tmp_path):
    """Over many kills at random moments (checking, staging, writing), every journal is old
    or new, and a run with --on-conflict skip completes the import."""
    import random
    import shutil
    import signal
    import time

    from pjtest import Child, child_env, pumpjournal

    source, before = crowd(study, cli, tmp_path)
    pristine = tmp_path / "pristine"
    shutil.copytree(study, pristine)
    env = child_env(study)
    rng = random.Random(11)
    states = set()
    for n in range(60):
        shutil.rmtree(study)
        shutil.copytree(pristine, study)
        child = Child(pumpjournal(["import", str(source)]), env)
        time.sleep(rng.uniform(0, 0.08))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        found = old_or_new(study, before, source)
        states.add(tuple(sorted(found.values())))
        if n % 6 == 0:
            ok(cli("import", str(source), "--on-conflict", "skip"))
            assert set(old_or_new(study, before, source).values()) == {"new"}
            assert "The study is sound." in ok(cli("doctor")).stdout
    assert len(states) > 1, states  # some kills landed part-way


# Encryption, the library ------------------------------------------------------------------

PASSPHRASE = "correct horse battery"


def test_an_encrypted_study_encrypts_every_participants_journal(tmp_path, cli, cli_json,
                                                                monkeypatch, private_home):
    from pumpjournal.crypto import MAGIC

    folder = tmp_path / "secret"
    monkeypatch.setenv("PUMPJOURNAL_PATH", str(folder))
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    assert "Created the encrypted study" in ok(cli("init", "--study", str(folder))).stdout
    assert json.loads((folder / "study.json").read_text())["settings"] == {"encrypted": True}
    ok(cli("log", "--patient", "e1", "--pain", "4"))
    ok(cli("import", str(write_csv(tmp_path / "rows.csv"))))
    for pid in ("e1", "p1", "p2", "p3"):
        assert (folder / f"{pid}.json").read_bytes().startswith(MAGIC), pid
    rows = cli_json("cohort")
    assert [r["patient"] for r in rows] == ["e1", "p1", "p2", "p3"]
    assert not (folder / ".cohort").exists()  # no summary in plain text beside them
    assert "p3" in ok(cli("export")).stdout
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    for args in (["list", "--patient", "e1"], ["log", "--patient", "e9", "--pain", "3"],
                 ["cohort"]):
        result = cli(*args)
        assert result.exit_code == 1
        assert "is encrypted; set PUMPJOURNAL_PASSPHRASE" in result.stderr
    assert not (folder / "e9.json").exists()


def test_init_study_encrypted_needs_a_passphrase(tmp_path, cli, monkeypatch):
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE", raising=False)
    line = refused(cli("init", "--study", str(tmp_path / "s"), "--encrypt"))
    assert "set PUMPJOURNAL_PASSPHRASE" in line
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", "short")
    assert "at least" in refused(cli("init", "--study", str(tmp_path / "s")))
    assert not (tmp_path / "s").exists()


def test_the_library_reads_and_writes_a_study(tmp_path):
    from pumpjournal.transfer import read_rows

    folder = tmp_path / "lib"
    assert Study.create(folder) and not Study.create(folder)
    study = Study(folder)
    with study.participant("p1").transaction() as tx:
        tx.log("p1", date.fromisoformat(iso(3)), {"pain": 4}, "2026-01-01T09:00:00+00:00")
    with open(write_csv(tmp_path / "rows.csv"), newline="", encoding="utf-8") as rows:
        result = study.import_rows(read_rows(rows, "csv"), default_patient=None,
                                   on_conflict="skip")
    assert result.imported == len(ROWS) and result.written
    assert study.participants() == ["p1", "p2", "p3"]
    assert [r["days_logged"] for r in study.cohort(date.today())] == [3, 2, 1]
    out = io_text()
    assert study.export(out, "jsonl") == len(ROWS) + 1
    assert study.participant("p2").read().patients() == ["p2"]
    with pytest.raises(Exception, match="choose one with --patient"):
        study.choose(None)


def io_text():
    import io

    return io.StringIO()


def test_a_default_reject_file_is_not_made_in_the_study_folder(filled, cli, monkeypatch,
                                                              tmp_path):
    source = tmp_path / "rows.json"
    source.write_text(json.dumps([{"patient": "p1", "date": iso(2), "pain": 3},
                                  {"patient": "p1", "date": iso(1), "pain": 99}]))
    monkeypatch.chdir(filled)
    before = files_of(filled), sorted(os.listdir(filled))
    line = refused(cli("import", str(source), "--skip-invalid"))
    assert "is in the study folder" in line
    assert (files_of(filled), sorted(os.listdir(filled))) == before


def test_cohort_reads_many_journals_in_several_processes(rich, cli, cli_json, monkeypatch):
    import shutil

    from pumpjournal import study as study_module

    expected = [r for pid in ("p1", "p2", "p3")
                for r in queries.cohort(Journal(rich / f"{pid}.json").read(), date.today())]
    monkeypatch.setattr(study_module, "PARALLEL_JOURNALS", 1)
    monkeypatch.setattr(study_module, "PROCESSES", 3)
    shutil.rmtree(rich / ".cohort", ignore_errors=True)
    assert cli_json("cohort") == expected
    assert sorted(os.listdir(rich / ".cohort")) == ["p1.json", "p2.json", "p3.json"]
    shutil.rmtree(rich / ".cohort")
    (rich / "p3.json").write_text("{")  # read by a child process
    result = cli("cohort")
    assert result.exit_code == 1 and "p3.json cannot be read: it is not valid JSON" in \
        " ".join(result.stderr.split())
    assert (rich / "p3.json").read_text() == "{"


def test_import_into_a_study_takes_where_and_value_maps_as_one_journal_would(study, cli,
                                                                              tmp_path):
    rows = [("p1", iso(10), "", "3", "Checked", "daily"), ("p1", iso(9), "", "4", "Unchecked",
                                                              "baseline"),
            ("p2", iso(10), "", "6", "Checked", "daily"), ("p3", iso(8), "", "2", "", "baseline")]
    source = write_csv(tmp_path / "foreign.csv", rows,
                       ("participant_id", "date", "time", "pain", "fever", "event"))
    options = ["--where", "event=daily", "--value-map", "fever:Checked=1",
               "--value-map", "fever:Unchecked=0", "--json"]
    as_study = json.loads(ok(cli("import", str(source), *options)).stdout)
    as_one = json.loads(ok(cli("--journal", str(tmp_path / "one.json"), "import", str(source),
                               *options)).stdout)
    assert as_study == as_one
    assert (as_study["rows"], as_study["filtered"], as_study["imported"]) == (4, 2, 2)
    assert stored(study) == {"p1": [(iso(10), [(None, 3)])], "p2": [(iso(10), [(None, 6)])]}
    assert Journal(study / "p1.json").read().entries()[0].symptoms == ["fever"]
    line = refused(cli("import", str(source), "--where", "event=never"))
    assert "no row matches --where" in line
