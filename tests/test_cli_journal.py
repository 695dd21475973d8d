"""The daily journal through the real command line: log, list/history, show, edit, delete,
symptoms, demo, the status screen, errors and exit codes, and where the journal lives.

Most tests run the Typer app in-process (the ``cli`` fixture, stdin not a terminal); a few run
``python -m pumpjournal`` as a separate process (``proc``) where a real process matters: a
closed stdin, the environment, HOME.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from pumpjournal import Journal
from pumpjournal import symptoms as cat
from pumpjournal.cli import app
from pjtest import NOT_ADVICE, iso, ok, plain, refused, run_child, set_profile, snapshot

ENTRY_KEYS = {"patient", "date", "pain", "worst", "least", "average", "symptoms", "worse",
              "temperature_c", "temperature", "temperature_site", "boluses", "sleep", "mood",
              "impression", "note", "questions", "contacted", "logged_at", "updated_at",
              "pain_mean",
              "readings"}
READING_KEYS = {"time", "utc_offset", "pain", "symptoms", "worse", "temperature_c",
                "temperature", "temperature_site", "boluses", "note", "contacted", "logged_at",
                "updated_at"}
FLAG_KEYS = {"rule", "urgency", "symbol", "items", "advice", "sources"}
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2}|Z)$")

FULL_LOG = ("log", "--pain", "4", "--worst", "6", "--least", "2", "--average", "3",
            "--symptom", "fever", "--symptom", "leg-numbness", "--temperature", "38.4",
            "--note", "walked to the mailbox", "--date", "yesterday")



# log -----------------------------------------------------------------------------------------


def test_log_with_every_option_is_stored_and_shown(cli, cli_json, journal):
    result = ok(cli(*FULL_LOG))
    assert f"Logged {iso(1)} for me: pain 4 (worst 6, least 2, average 3)." in result.stdout

    entry = cli_json("show", "yesterday")
    assert entry["date"] == iso(1)
    assert (entry["pain"], entry["worst"], entry["least"], entry["average"]) == (4, 6, 2, 3)
    assert entry["symptoms"] == ["fever", "leg-numbness"]
    assert entry["temperature_c"] == 38.4
    assert entry["temperature"] == "38.4"  # as typed; temperature_c holds the reading in °C
    assert entry["note"] == "walked to the mailbox"
    assert entry["patient"] == "me"
    assert STAMP.match(entry["logged_at"]) and STAMP.match(entry["updated_at"])
    assert {f["rule"] for f in entry["flags"]} >= {"W-INF", "W-NEURO", "W-TEMP"}
    # nothing for today was created by a --date yesterday entry
    assert [e["date"] for e in cli_json("list")] == [iso(1)]


def test_log_same_day_again_updates_and_shows_old_to_new(cli, cli_json):
    ok(cli(*FULL_LOG))
    result = ok(cli("log", "--date", "yesterday", "--pain", "5", "--symptom", "chills",
                    "--note", "a better day"))
    out = result.stdout
    assert f"Updated {iso(1)} for me:" in out
    assert "pain now: 4 -> 5" in out
    assert "symptoms: fever, leg-numbness -> fever, chills, leg-numbness" in out
    assert "note: walked to the mailbox -> a better day" in out
    # fields not given are not listed as changed
    assert "worst" not in out.split("╭")[0]

    entries = cli_json("list")
    assert len(entries) == 1
    entry = entries[0]
    assert entry["pain"] == 5
    assert (entry["worst"], entry["least"], entry["average"]) == (6, 2, 3)
    assert entry["symptoms"] == ["fever", "chills", "leg-numbness"]
    assert entry["temperature_c"] == 38.4
    assert entry["note"] == "a better day"


def test_log_same_values_again_changes_nothing(cli, cli_json, journal):
    ok(cli("log", "--pain", "3", "--symptom", "nausea"))
    before = snapshot(journal)
    result = ok(cli("log", "--pain", "3", "--symptom", "nausea"))
    assert "Nothing to change: the entry for" in result.stdout
    assert snapshot(journal) == before
    data = cli_json("log", "--pain", "3")
    assert data["action"] == "unchanged" and data["changes"] == []


def test_log_without_pain_and_without_terminal_is_refused(cli, journal):
    result = cli("log", "--symptom", "fever")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "--pain is required" in line and "Nothing was changed" in line
    assert "[!] URGENT" in result.stdout  # the sign typed is still checked
    assert not journal.exists()


def test_log_without_pain_in_a_real_process_does_not_hang(proc, journal):
    done = proc("log", timeout=20)  # stdin is /dev/null; a prompt would wait forever
    assert done.returncode == 2, done.stderr
    assert "--pain" in done.stderr and "Nothing was changed" in done.stderr
    assert done.stdout == ""
    assert not journal.exists()


@pytest.mark.parametrize("option, value", [
    ("--pain", "1_0"), ("--pain", "1e1"), ("--pain", "٣"), ("--pain", "３"),
    ("--boluses", "1_0"), ("--sleep", "7e0"), ("--mood", "٥")])
def test_numbers_in_other_forms_are_refused_and_nothing_is_written(cli, journal, option, value):
    args = ("log", option, value) if option == "--pain" else ("log", "--pain", "3", option, value)
    line = refused(cli(*args))
    assert "Nothing was changed" in line
    assert not journal.exists()


@pytest.mark.parametrize("typed, stored", [("7", 7), (" 7 ", 7), ("07", 7), ("7.0", 7)])
def test_an_accepted_pain_is_the_number_typed(cli_json, typed, stored):
    assert cli_json("log", "--pain", typed)["entry"]["pain"] == stored


@pytest.mark.parametrize("command", [
    ["summary"], ["summary", "--json"], ["report", "--format", "md", "--output", "-"],
    ["list"], ["flags"], ["cohort"], ["export", "--output", "-"]])
@pytest.mark.parametrize("since", ["0001-01-01", "0001-01-08", "1899-12-31"])
def test_a_period_from_before_1900_is_refused_in_one_line(cli, command, since):
    ok(cli("log", "--pain", "3"))
    line = refused(cli(*command, "--since", since))
    assert "too far in the past" in line and "unexpected" not in line


def test_log_updating_a_day_needs_no_pain(cli, cli_json):
    ok(cli("log", "--pain", "3"))
    ok(cli("log", "--symptom", "nausea"))
    entry = cli_json("show", "today")
    assert entry["pain"] == 3 and entry["symptoms"] == ["nausea"]


def test_missing_scores_are_stored_as_missing_not_zero(cli, cli_json, journal):
    ok(cli("log", "--pain", "0"))
    entry = cli_json("show", "today")
    assert entry["pain"] == 0
    assert entry["worst"] is None and entry["least"] is None and entry["average"] is None
    assert entry["mood"] is None and entry["sleep"] is None
    stored = json.loads(journal.read_text())
    doc = next(iter(stored["entries"].values()))
    assert doc["readings"][0]["pain"] == 0 and "worst" not in doc and "average" not in doc
    assert not any(key in doc["readings"][0] for key in ("worst", "average", "mood"))


def test_log_json_prints_only_the_documented_object(cli):
    result = ok(cli("log", "--pain", "4", "--symptom", "fever", "--json"))
    data = json.loads(result.stdout)  # the whole of stdout is one JSON document
    assert set(data) == {"action", "entry", "reading", "changes", "flags"}
    assert data["action"] == "created"
    assert set(data["entry"]) == ENTRY_KEYS
    assert data["entry"]["symptoms"] == ["fever"]
    assert data["flags"] and all(set(f) == FLAG_KEYS for f in data["flags"])
    assert {f["rule"] for f in data["flags"]} == {"W-INF"}
    assert data["flags"][0]["urgency"] == "URGENT" and data["flags"][0]["symbol"] == "[!]"
    # the warning still reaches the person, on stderr
    assert "[!] URGENT" in result.stderr

    again = json.loads(ok(cli("log", "--pain", "6", "--json")).stdout)
    assert again["action"] == "updated"
    assert again["changes"] == [{"field": "pain", "old": 4, "new": 6}]


# list / history --------------------------------------------------------------------------


@pytest.fixture
def five_days(cli):
    """Entries today and 1, 3, 10 and 20 days ago; pain = days ago % 10."""
    for n in (3, 0, 20, 1, 10):
        ok(cli("log", "--pain", str(n % 10), "--date", iso(n)))
    return cli


def dates_listed(cli, *args) -> list[str]:
    result = ok(cli("list", *args, "--json"))
    return [e["date"] for e in json.loads(result.stdout)]


def test_list_is_newest_first(five_days):
    assert dates_listed(five_days) == [iso(0), iso(1), iso(3), iso(10), iso(20)]
    text = ok(five_days("list")).stdout
    positions = [text.index(iso(n)) for n in (0, 1, 3, 10, 20)]
    assert positions == sorted(positions)


@pytest.mark.parametrize("args, expected", [
    (("--since", "2w"), [0, 1, 3, 10]),
    (("--since", "3 days ago"), [0, 1, 3]),
    (("--since", "yesterday"), [0, 1]),
    (("--until", "yesterday"), [1, 3, 10, 20]),
    (("--since", "ISO10", "--until", "ISO1"), [1, 3, 10]),
    (("--since", "ISO3", "--until", "ISO3"), [3]),
    (("--since", "today"), [0]),
])
def test_list_since_and_until(five_days, args, expected):
    args = tuple(iso(int(a[3:])) if a.startswith("ISO") else a for a in args)
    assert dates_listed(five_days, *args) == [iso(n) for n in expected]


def test_list_since_after_until_is_refused(five_days):
    line = refused(five_days("list", "--since", "today", "--until", "yesterday"))
    assert "Nothing was changed" not in line  # a read-only command changes nothing anyway


def test_list_with_a_bad_date_is_refused(five_days):
    line = refused(five_days("list", "--since", "the other day"))
    assert "the other day" in line and "Nothing was changed" not in line


def test_history_is_the_same_as_list(five_days):
    for args in ((), ("--since", "2w"), ("--json",)):
        assert ok(five_days("history", *args)).stdout == ok(five_days("list", *args)).stdout


def test_list_marks_warning_signs_with_words_and_symbols(cli):
    ok(cli("log", "--pain", "3", "--symptom", "incision-redness", "--date", "yesterday"))
    ok(cli("log", "--pain", "2"))
    result = ok(cli("list"))
    out = result.stdout
    assert "\x1b[" not in out  # NO_COLOR: no escape codes, the meaning is in the text
    assert "[!] URGENT" in out
    flagged = [line for line in out.splitlines() if "[!] URGENT" in line]
    assert len(flagged) == 1 and "incision redness" in flagged[0] and "W-INF" in flagged[0]
    assert NOT_ADVICE in out
    assert out.index(iso(0)) < out.index("[!] URGENT")  # the flag is under yesterday's entry


def test_list_of_a_quiet_journal_has_no_warning_words(cli):
    ok(cli("log", "--pain", "2"))
    out = ok(cli("list")).stdout
    assert "[!" not in out and "URGENT" not in out and NOT_ADVICE not in out


def test_list_empty_journal_says_how_to_start(cli):
    result = ok(cli("list"))
    assert result.stdout == ""
    assert "pumpjournal log" in result.stderr
    assert json.loads(ok(cli("list", "--json")).stdout) == []


def test_list_json_schema(cli, cli_json):
    ok(cli(*FULL_LOG))
    ok(cli("log", "--pain", "1"))
    entries = cli_json("list")
    assert len(entries) == 2
    for entry in entries:
        assert set(entry) == ENTRY_KEYS | {"flags"}
        for flag in entry["flags"]:
            assert set(flag) == FLAG_KEYS
            assert flag["urgency"] in ("EMERGENCY", "URGENT", "ROUTINE", "EXPECTED")
            assert flag["sources"]
    quiet = entries[0]
    assert quiet["date"] == iso(0) and quiet["flags"] == []
    assert quiet["symptoms"] == [] and quiet["questions"] == []
    assert quiet["temperature_c"] is None and quiet["note"] is None
    flagged = entries[1]
    assert {"W-INF", "W-NEURO", "W-TEMP"} <= {f["rule"] for f in flagged["flags"]}
    inf = next(f for f in flagged["flags"] if f["rule"] == "W-INF")
    assert "seed" in inf["sources"] and "fever" in inf["items"]


# show ------------------------------------------------------------------------------------


def test_show_a_day_in_full(cli):
    ok(cli(*FULL_LOG))
    result = ok(cli("show", iso(1)))
    out = result.stdout
    assert out.startswith(iso(1))
    assert "pain 4 (worst 6, least 2, average 3)" in out
    assert "note: walked to the mailbox" in out
    assert "temperature as entered: 38.4 (read as °C)" in out
    assert "[!] URGENT" in out and NOT_ADVICE in plain(out)


def test_show_a_missing_day_is_refused(cli, journal):
    ok(cli("log", "--pain", "2"))
    line = refused(cli("show", "yesterday"))
    assert iso(1) in line and "Nothing was changed" not in line
    assert f"pumpjournal log --date {iso(1)}" in line


# edit ------------------------------------------------------------------------------------


def test_edit_changes_only_the_given_field(cli, cli_json):
    ok(cli(*FULL_LOG))
    before = cli_json("show", iso(1))
    result = ok(cli("edit", iso(1), "--pain", "5"))
    assert f"Changed {iso(1)} for me:" in result.stdout
    assert "pain now: 4 -> 5" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 2
    after = cli_json("show", iso(1))
    assert after["pain"] == 5 and after["pain_mean"] == 5.0
    for key in ENTRY_KEYS - {"pain", "pain_mean", "updated_at", "readings"}:
        assert after[key] == before[key], key
    (old,), (new,) = before["readings"], after["readings"]
    for key in READING_KEYS - {"pain", "updated_at"}:
        assert new[key] == old[key], key


def test_edit_remove_symptom_and_clear(cli, cli_json):
    ok(cli(*FULL_LOG))
    result = ok(cli("edit", "yesterday", "--remove-symptom", "fever", "--clear", "note"))
    assert "symptoms: fever, leg-numbness -> leg-numbness" in result.stdout
    assert "note: walked to the mailbox -> (none)" in result.stdout
    entry = cli_json("show", "yesterday")
    assert entry["symptoms"] == ["leg-numbness"]
    assert entry["note"] is None
    assert entry["pain"] == 4 and entry["temperature_c"] == 38.4


def test_edit_clear_temperature_clears_the_celsius_value_too(cli, cli_json):
    ok(cli(*FULL_LOG))
    ok(cli("edit", "yesterday", "--clear", "temperature"))
    entry = cli_json("show", "yesterday")
    assert entry["temperature"] is None and entry["temperature_c"] is None
    assert "W-TEMP" not in {f["rule"] for f in entry["flags"]}


def test_edit_json(cli):
    ok(cli("log", "--pain", "4", "--note", "x"))
    data = json.loads(ok(cli("edit", "today", "--mood", "7", "--json")).stdout)
    assert set(data) == {"action", "entry", "reading", "changes", "flags"}
    assert data["action"] == "updated"
    assert data["changes"] == [{"field": "mood", "old": None, "new": 7}]


def test_edit_of_a_missing_day_is_refused(cli, journal):
    ok(cli("log", "--pain", "4"))
    before = snapshot(journal)
    line = refused(cli("edit", "yesterday", "--pain", "5"))
    assert "no entry" in line and iso(1) in line and "Nothing was changed" in line
    assert snapshot(journal) == before


def test_edit_with_nothing_to_change_is_refused(cli, journal):
    ok(cli("log", "--pain", "4"))
    before = snapshot(journal)
    line = refused(cli("edit", "today"))
    assert "Nothing was changed" in line
    assert snapshot(journal) == before


def test_edit_cannot_clear_pain(cli, journal):
    ok(cli("log", "--pain", "4"))
    before = snapshot(journal)
    line = refused(cli("edit", "today", "--clear", "pain"))
    assert "pain" in line and "Nothing was changed" in line
    assert snapshot(journal) == before


# delete ----------------------------------------------------------------------------------


def test_delete_with_yes_removes_the_entry(cli, cli_json):
    ok(cli("log", "--pain", "4", "--date", "yesterday"))
    ok(cli("log", "--pain", "2"))
    result = ok(cli("delete", iso(1), "--yes"))
    assert f"Deleted the entry for {iso(1)}" in result.stdout
    assert [e["date"] for e in cli_json("list")] == [iso(0)]


def test_delete_without_yes_and_without_terminal_keeps_the_entry(cli, cli_json, journal):
    ok(cli("log", "--pain", "4"))
    before = snapshot(journal)
    line = refused(cli("delete", "today"))
    assert "--yes" in line and "Nothing was changed" in line
    assert snapshot(journal) == before
    assert len(cli_json("list")) == 1


def test_delete_a_missing_day_is_refused(cli, journal):
    ok(cli("log", "--pain", "4"))
    before = snapshot(journal)
    refused(cli("delete", "yesterday", "--yes"))
    assert snapshot(journal) == before


# symptoms --------------------------------------------------------------------------------


def test_symptoms_lists_ids_labels_and_categories(cli):
    out = ok(cli("symptoms")).stdout
    for s in cat.SYMPTOMS:
        assert re.search(rf"^{re.escape(s.id)}\s+{s.category}\s", out, re.M), s.id
        assert s.label in plain(out)
    assert "URGENT" in out and "EMERGENCY" in out


def test_symptoms_json(cli_json):
    items = cli_json("symptoms")
    assert [i["id"] for i in items] == [s.id for s in cat.SYMPTOMS]
    for item in items:
        assert set(item) == {"id", "label", "category", "warning_sign", "warning_sign_when",
                             "urgency", "rules", "daily", "snomed", "aliases", "can_be_baseline"}
    by_id = {i["id"]: i for i in items}
    assert by_id["fever"]["warning_sign"] is True and by_id["fever"]["daily"] is True
    assert by_id["fever"]["category"] == "infection" and "W-INF" in by_id["fever"]["rules"]
    assert by_id["constipation"]["warning_sign"] is False
    assert by_id["pump-alarm"]["daily"] is False
    assert sum(i["daily"] for i in items) == 14


@pytest.mark.parametrize("spelling", ["LEG_NUMBNESS", "leg_numbness", "Leg-Numbness"])
def test_symptom_ids_accept_underscores_and_any_case(cli, cli_json, spelling):
    ok(cli("log", "--pain", "3", "--symptom", spelling))
    assert cli_json("show", "today")["symptoms"] == ["leg-numbness"]
    ok(cli("edit", "today", "--remove-symptom", spelling.swapcase()))
    assert cli_json("show", "today")["symptoms"] == []


def test_symptoms_separated_by_commas(cli, cli_json):
    ok(cli("log", "--pain", "3", "--symptom", "nausea,constipation"))
    assert cli_json("show", "today")["symptoms"] == ["nausea", "constipation"]


# bad input: exit 2, one line, nothing changed -------------------------------------------

BAD_LOGS = {
    "pain 11": (["--pain", "11"], ["pain", "0 to 10"]),
    "pain -1": (["--pain", "-1"], ["0 to 10"]),
    "pain 4.5": (["--pain", "4.5"], ["whole number"]),
    "pain words": (["--pain", "four"], ["whole number"]),
    "pain nan": (["--pain", "nan"], ["whole number"]),
    "pain inf": (["--pain", "inf"], ["whole number"]),
    "worst 12": (["--pain", "4", "--worst", "12"], ["worst"]),
    "least > worst": (["--pain", "4", "--worst", "3", "--least", "5"], ["least"]),
    "31 February": (["--pain", "4", "--date", "2026-02-30"], ["2026-02-30"]),
    "future date": (["--pain", "4", "--date", "2099-01-01"], ["future"]),
    "unknown date": (["--pain", "4", "--date", "someday"], ["someday"]),
    "unknown symptom": (["--pain", "4", "--symptom", "feverr"], ["did you mean fever"]),
    "misspelt symptom": (["--pain", "4", "--symptom", "leg-numbnes"],
                         ["did you mean leg-numbness"]),
    "temperature hot": (["--pain", "4", "--temperature", "hot"], ["temperature 'hot'"]),
    "temperature 60 no unit": (["--pain", "4", "--temperature", "60"], ["C or F"]),
    "temperature 120F": (["--pain", "4", "--temperature", "120F"], ["120F"]),
    "temperature 20C": (["--pain", "4", "--temperature", "20C"], ["20C"]),
    "temperature too many digits": (["--pain", "4", "--temperature", "1" * 40],
                                    ["temperature"]),
    "temperature site": (["--pain", "4", "--temperature", "38", "--temperature-site", "toe"],
                         ["mouth"]),
    "mood 11": (["--pain", "4", "--mood", "11"], ["mood"]),
    "sleep 25": (["--pain", "4", "--sleep", "25"], ["0 to 24"]),
    "control characters": (["--pain", "4", "--note", "a\x1b[31mred"], ["control"]),
    "bad person id": (["--pain", "4", "--patient", "../x"], ["person id"]),
}


@pytest.mark.parametrize("args, words", BAD_LOGS.values(), ids=BAD_LOGS.keys())
@pytest.mark.parametrize("existing", [False, True], ids=["new journal", "existing journal"])
def test_bad_input_is_refused_and_nothing_changes(cli, journal, args, words, existing):
    if existing:
        ok(cli("log", "--pain", "2", "--symptom", "nausea", "--note", "before"))
    before = snapshot(journal)
    result = cli("log", *args)
    # a valid warning sign typed with the mistake is still shown (the temperature of 38)
    line = refused(result, panel="--temperature" in args and "38" in args)
    assert line.startswith("Error: ")
    assert "Nothing was changed" in line
    for word in words:
        assert word in line, line
    assert snapshot(journal) == before  # byte for byte, or still absent


def test_bad_edit_is_refused_and_nothing_changes(cli, journal):
    ok(cli("log", "--pain", "2", "--worst", "5"))
    before = snapshot(journal)
    for args in (["--pain", "11"], ["--temperature", "60"], ["--least", "7"],
                 ["--remove-symptom", "feverr"], ["--clear", "colour"]):
        line = refused(cli("edit", "today", *args))
        assert "Nothing was changed" in line, args
        assert snapshot(journal) == before, args


# where the journal lives -----------------------------------------------------------------


def test_journal_option_before_and_after_the_command(cli, journal, tmp_path):
    other = tmp_path / "elsewhere" / "mine.json"
    ok(cli("--journal", str(other), "log", "--pain", "6", "--note", "before"))
    ok(cli("log", "--journal", str(other), "--pain", "7", "--date", "yesterday"))
    assert other.exists() and not journal.exists()  # PUMPJOURNAL_PATH was not used
    for args in (("--journal", str(other), "list", "--json"),
                 ("list", "--journal", str(other), "--json"),
                 ("-j", str(other), "list", "--json"),
                 ("list", "-j", str(other), "--json")):
        entries = json.loads(ok(cli(*args)).stdout)
        assert [(e["date"], e["pain"]) for e in entries] == [(iso(0), 6), (iso(1), 7)], args
    assert json.loads(ok(cli("list", "--json")).stdout) == []  # the env journal is empty


def test_journal_from_environment_in_a_real_process(proc, journal):
    done = proc("log", "--pain", "3", "--note", "from env")
    assert done.returncode == 0, done.stderr
    assert journal.exists()
    shown = proc("show", "today", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["note"] == "from env"


def test_journal_option_beats_environment_in_a_real_process(proc, journal, tmp_path):
    other = tmp_path / "other.json"
    done = proc("--journal", str(other), "log", "--pain", "3")
    assert done.returncode == 0, done.stderr
    assert other.exists() and not journal.exists()
    listed = proc("list", "--journal", str(other), "--json")
    assert [e["pain"] for e in json.loads(listed.stdout)] == [3]


def test_new_journal_is_private(cli, journal):
    ok(cli("log", "--pain", "3"))
    assert journal.stat().st_mode & 0o777 == 0o600
    assert journal.parent.stat().st_mode & 0o777 == 0o700


# demo ------------------------------------------------------------------------------------


def clean_env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PUMPJOURNAL", "XDG_"))}
    env.update({"HOME": str(home), "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"})
    return env


def test_demo_writes_nothing_to_the_real_journal(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    done = run_child(["demo"], clean_env(home), cwd=tmp_path)  # forked, a clean environment
    assert done.returncode == 0, done.stderr
    assert "care team" in done.stdout
    assert "fictional" in done.stdout
    assert "[!] URGENT" in done.stdout
    assert "pumpjournal is not medical advice; in an emergency call 911." in plain(done.stdout)
    found = [p for p in home.rglob("*") if "pumpjournal" in p.name.lower()]
    assert found == []
    assert not (home / ".local" / "share" / "pumpjournal").exists()


def test_demo_leaves_the_configured_journal_alone(proc, journal):
    done = proc("demo")
    assert done.returncode == 0, done.stderr
    assert "care team" in done.stdout
    assert not journal.exists() and not journal.parent.exists()


@pytest.mark.parametrize("fresh", [False, pytest.param(True, marks=pytest.mark.slow)],
                         ids=["forked", "started"])
def test_default_journal_is_in_the_user_data_folder(tmp_path, fresh):
    home = tmp_path / "home"
    home.mkdir()
    if fresh:
        done = subprocess.run([sys.executable, "-m", "pumpjournal", "log", "--pain", "2"],
                              env=clean_env(home), capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=60, cwd=tmp_path)
    else:  # a forked process with a clean environment
        done = run_child(["log", "--pain", "2"], clean_env(home), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    if sys.platform.startswith("linux"):
        assert (home / ".local" / "share" / "pumpjournal" / "journal.json").exists()


# several people --------------------------------------------------------------------------


def test_a_journal_with_two_people_needs_patient(cli, journal):
    ok(cli("log", "--pain", "3", "--patient", "a"))
    ok(cli("log", "--pain", "7", "--patient", "b", "--symptom", "fever"))
    line = refused(cli("list"))
    assert "2 people" in line and "a, b" in line and "--patient" in line
    only_a = json.loads(ok(cli("list", "--patient", "a", "--json")).stdout)
    assert [(e["patient"], e["pain"]) for e in only_a] == [("a", 3)]
    only_b = ok(cli("list", "--patient", "b")).stdout
    assert "pain 7" in only_b and "pain 3" not in only_b and "[!] URGENT" in only_b
    assert ok(cli("show", "today", "--patient", "a")).stdout.startswith(iso(0))
    refused(cli("show", "today"))
    refused(cli("log", "--pain", "1"))


# status screen ---------------------------------------------------------------------------


def test_status_on_an_empty_journal(cli, journal):
    result = ok(cli())
    out = result.stdout
    assert iso(0) in out
    assert "No journal yet" in out and str(journal) in out
    assert "pumpjournal log" in out and "pumpjournal demo" in out
    assert not journal.exists()  # looking does not create a journal


def test_status_on_a_filled_journal(cli, journal):
    set_profile(journal, implant_date=iso(3))
    ok(cli("log", "--pain", "5", "--symptom", "incision-swelling", "--date", "yesterday"))
    out = plain(ok(cli()).stdout)
    assert iso(0) in out
    assert "recovery, day 3 after your implant" in out
    assert "Today: not logged yet" in out and "pumpjournal log" in out
    assert f"Last entry: {iso(1)} (1 day ago), pain 5." in out
    assert f"[!] URGENT {iso(1)}" in out and "incision swelling" in out
    assert NOT_ADVICE in out
    assert "\x1b[" not in out

    ok(cli("log", "--pain", "2"))
    out = plain(ok(cli()).stdout)
    assert "Today: logged (pain 2)" in out
    assert "Today: not logged yet" not in out


def test_status_without_warning_signs(cli):
    ok(cli("log", "--pain", "2", "--date", "yesterday"))
    out = plain(ok(cli()).stdout)
    assert "No warning signs logged in the last 7 days." in out
    assert "[!" not in out and "URGENT" not in out


# help ------------------------------------------------------------------------------------

COMMANDS = sorted(typer.main.get_command(app).commands)


def command_paths(command=None, path=()):
    """Every command as its words after `pumpjournal`: [], ["log"], ["event", "add"], ..."""
    command = command or typer.main.get_command(app)
    yield list(path)
    for name, sub in getattr(command, "commands", {}).items():
        yield from command_paths(sub, path + (name,))


ALL_COMMANDS = list(command_paths())


README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_command_is_covered():
    """Every command of the Typer app, found by walking it (groups and their commands too), is
    in the table the help tests run over, and the README's examples or command names (its code
    blocks and `code` spans) name it."""
    walked = {" ".join(path) for path in command_paths()}
    assert walked == {" ".join(c) for c in ALL_COMMANDS}
    assert {"log", "event add", "event delete"} <= walked  # the walk reaches into groups
    text = README.read_text(encoding="utf-8")
    code = " ".join(re.findall(r"^```.*?^```", text, re.S | re.M) + re.findall(r"`[^`\n]+`", text))
    unnamed = [c for c in sorted(walked - {""})
               if not re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", code)]
    assert unnamed == [], f"commands the README never names: {unnamed}"


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: " ".join(c) or "pumpjournal")
def test_help_has_examples(cli, command):
    out = ok(cli(*command, "--help")).stdout
    assert "Example" in out
    shown = {"history": "list"}  # an alias shares the help of the command it names
    assert "$ pumpjournal " + " ".join(shown.get(c, c) for c in command) in out


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: " ".join(c) or "pumpjournal")
def test_every_option_and_argument_has_help(command):
    found = typer.main.get_command(app)
    for name in command:
        found = found.commands[name]
    missing = [p.name for p in found.params if not getattr(p, "help", None)]
    assert missing == [], f"pumpjournal {' '.join(command)}: no help for {missing}"


@pytest.mark.parametrize("args, where", [
    (["event", "add"], "pumpjournal event add --help"),
    (["event", "add", "visit", "--nope"], "pumpjournal event add --help"),
    (["log", "--bogus"], "pumpjournal log --help"),
    (["--bogus"], "pumpjournal --help"),
    (["--journal"], "pumpjournal --help"),
    (["lgo"], "pumpjournal --help"),
    (["list", "--limit", "0"], "pumpjournal list --help"),
    (["list", "--bogus"], "pumpjournal list --help"),
    (["log", "--pain"], "pumpjournal log --help"),
    (["event", "add", "visit", "--date"], "pumpjournal event add --help"),
])
def test_usage_errors_are_one_line_naming_the_real_command(cli, args, where):
    line = refused(cli(*args))
    assert line.startswith("Error: ") and line.endswith(f"See: {where}")
    assert re.search(r"[.!?] See: ", line), line  # a sentence, then the hint


def test_a_group_without_its_subcommand_shows_its_help(cli):
    result = ok(cli("event"))
    assert "event add" in plain(result.stdout) and "Error" not in result.stderr


@pytest.mark.parametrize("args", [["-h"], ["log", "-h"], ["event", "add", "-h"]])
def test_dash_h_is_help(cli, args):
    assert "Example" in ok(cli(*args)).stdout


def test_list_help_shows_every_symbol(cli):
    """The legend in `list --help` names each symbol: [!!] emergency, [!] urgent, [i] routine."""
    out = ok(cli("list", "--help")).stdout
    assert "[!!] emergency" in plain(out)
    assert "[!] urgent" in plain(out)
    assert "[i] routine" in plain(out)


def test_commands_suggested_in_output_exist(cli, journal):
    """Every `pumpjournal COMMAND ...` the tool tells a person to run is a real command."""
    ok(cli("log", "--pain", "3", "--symptom", "fever"))
    texts = [ok(cli()).stdout, ok(cli("log", "--pain", "3", "--symptom", "chills")).stdout,
             ok(cli("show", "today")).stdout]
    suggested = set()
    for text in texts:
        suggested |= set(re.findall(r"`pumpjournal ([a-z-]+)", plain(text)))
        suggested |= set(re.findall(r"with: pumpjournal ([a-z-]+)", plain(text)))
    assert suggested, texts
    missing = sorted(c for c in suggested if c not in COMMANDS)
    assert missing == [], f"output suggests commands that do not exist: {missing}"


@pytest.mark.parametrize("typed, stored, shown", [
    ("30", "30", "30 (read as °C)"),
    ("38.40", "38.40", "38.40 (read as °C)"),
    ("100.8", "100.8", "100.8 (read as °F)"),
    ("37,9", "37.9", "37.9 (read as °C)"),
    ("100.8F", "100.8 F", "100.8 F"),
    ("38.2 c", "38.2 C", "38.2 C"),
    ("101 °F", "101 F", "101 F"),
])
def test_a_temperature_is_shown_as_typed_with_the_unit_it_was_read_in(cli, cli_json, typed,
                                                                       stored, shown):
    ok(cli("log", "--pain", "3", "--temperature", typed))
    assert cli_json("show", "today")["temperature"] == stored
    out = ok(cli("show", "today")).stdout
    assert f"temperature as entered: {shown}" in out
    assert "C (read" not in out and " C C" not in out


# "Nothing was changed." once, and only where a command writes -------------------------------

READ_REFUSALS = [["list", "--since", "nonsense"], ["history", "--until", "nonsense"],
                 ["show", "nonsense"], ["flags", "--since", "nonsense"],
                 ["summary", "--since", "nonsense"], ["cohort", "--since", "nonsense"],
                 ["event", "list", "--since", "nonsense"], ["event", "list", "--kind", "party"]]
WRITE_REFUSALS = [["log", "--pain", "11"], ["edit", "today", "--pain", "11"],
                  ["edit", "today"], ["delete", "today"], ["delete", "nonsense"],
                  ["profile", "--care-phone", "call me"], ["profile", "--set-by", "Dr Ames"],
                  ["ask", " "], ["event", "add", "party"], ["event", "delete", "1"],
                  ["import", "no-such-file.csv"],
                  ["export", "--format", "xls", "--output", "entries.xls"],
                  ["init", "--encrypt", "--decrypt"], ["report", "--since", "nonsense"],
                  ["report", "--output", "."], ["export", "--output", "."]]


@pytest.mark.parametrize("args", READ_REFUSALS + WRITE_REFUSALS, ids=" ".join)
def test_nothing_was_changed_is_said_once_by_commands_that_write(cli, args):
    if args[0] in ("edit", "delete", "event") and args[1:2] != ["list"]:
        ok(cli("log", "--pain", "3"))
        ok(cli("event", "add", "visit"))
    result = cli(*args)
    assert result.exit_code == 2, result.output
    line = refused(result)
    said = line.lower().count("nothing was")
    assert said == (1 if args in WRITE_REFUSALS else 0), line
    if args[-1] == ".":
        assert line.endswith("Nothing was written.")


# A command that can write says it only when this invocation was going to write: showing a
# profile, a report or an export to stdout and a dry run write nothing.
READ_ONLY_USES = [["profile", "-P", "bad id!"], ["report", "--output", "-", "-P", "bad id!"],
                  ["export", "--output", "-", "-P", "bad id!"],
                  ["export", "--format", "xls"], ["import", "no-such-file.csv", "--dry-run"]]
WRITING_USES = [["profile", "-P", "bad id!", "--care-phone", "555-0100"],
                ["report", "-P", "bad id!"], ["export", "--output", "x.csv", "-P", "bad id!"],
                ["import", "no-such-file.csv"]]


@pytest.mark.parametrize("args", READ_ONLY_USES + WRITING_USES, ids=" ".join)
def test_nothing_was_changed_follows_what_the_invocation_writes(cli, args):
    ok(cli("log", "--pain", "3"))
    line = refused(cli(*args))
    assert line.lower().count("nothing was") == (args in WRITING_USES), line


def test_a_damaged_record_of_encrypted_journals_says_nothing_was_changed_only_on_writes(
        cli, monkeypatch, tmp_path):
    """The record is read by every command; a read-only one has nothing to leave unchanged."""
    monkeypatch.setenv("PUMPJOURNAL_CONFIG_DIR", str(tmp_path / "conf"))
    ok(cli("log", "--pain", "3"))
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "encrypted-journals.json").write_text("{not json")
    for args in (["list"], ["show", "today"], ["summary"], ["flags"]):
        line = refused(cli(*args), 1)
        assert "is damaged" in line and "nothing was" not in line.lower(), (args, line)
    for args in (["log", "--pain", "4"], ["edit", "today", "--pain", "5"],
                 ["ask", "Is this fine?"]):
        line = refused(cli(*args), 1)
        assert "is damaged" in line and line.count("Nothing was changed.") == 1, (args, line)


# Warning panels: stdout in text mode, stderr with --json (stdout stays pure JSON) -------------

PANEL_COMMANDS = [  # (set-up commands, the command, words of its warning)
    ([], ["log", "--pain", "4", "--symptom", "fever", "--temperature", "39"], "[!] URGENT:"),
    ([["log", "--pain", "4", "--symptom", "fever", "--temperature", "39"]],
     ["show", "today"], "[!] URGENT:"),
    ([["log", "--pain", "4"]], ["edit", "today", "--symptom", "fever", "--temperature", "39"],
     "[!] URGENT:"),
    ([], ["event", "add", "alarm", "--alarm", "critical"], "[!] URGENT:"),
    ([], ["event", "add", "refill"], "overdose watch"),
    ([], ["profile", "--implant-date", "today"], "overdose watch"),
]


@pytest.mark.parametrize("setup, args, words", PANEL_COMMANDS, ids=lambda v: " ".join(v[:3])
                         if isinstance(v, list) and v and isinstance(v[0], str) else None)
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_warnings_go_to_one_stream_for_every_command(cli, setup, args, words, as_json):
    for command in setup:
        ok(cli(*command))
    result = ok(cli(*args, *(["--json"] if as_json else [])))
    if as_json:
        json.loads(result.stdout)
        assert words in plain(result.stderr) and words not in result.stdout
    else:
        assert words in plain(result.stdout)


# Settings from the environment: checked when used, a bad one is one line and exit 2 ----------

@pytest.mark.parametrize("name, value", [
    ("PUMPJOURNAL_LOCK_TIMEOUT", "soon"), ("PUMPJOURNAL_LOCK_TIMEOUT", "-1"),
    ("PUMPJOURNAL_LOCK_TIMEOUT", "nan"), ("PUMPJOURNAL_LOCK_TIMEOUT", "1e9"),
    ("PUMPJOURNAL_DEBUG", "maybe"),
])
@pytest.mark.parametrize("args", [["log", "--pain", "3"], ["profile", "--name", "Sam"]],
                         ids=" ".join)
def test_a_bad_setting_is_one_line_and_exit_2(proc, journal, name, value, args):
    result = proc(*args, env={name: value})
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert name in result.stderr and "Traceback" not in result.stderr
    assert not journal.exists()


@pytest.mark.parametrize("name, value", [("PUMPJOURNAL_LOCK_TIMEOUT", " 2.5 "),
                                         ("PUMPJOURNAL_DEBUG", "0")])
def test_a_good_setting_is_taken(proc, name, value):
    assert proc("log", "--pain", "3", env={name: value}).returncode == 0


def test_a_setting_a_command_does_not_use_is_not_read(proc):
    assert proc("list", env={"PUMPJOURNAL_LOCK_TIMEOUT": "soon"}).returncode == 0
    assert proc("list", env={"PUMPJOURNAL_DEBUG": "maybe"}).returncode == 2


def test_the_real_command_line_shows_the_status_the_help_and_each_command(journal):
    """`pumpjournal` builds only what it runs (the status screen: no command's options); the
    help still lists every command, and a command still runs with its own options."""
    from conftest import run_process

    done = run_process(["log", "--pain", "4", "--date", "yesterday"], journal)
    assert done.returncode == 0, done.stderr
    status = run_process([], journal)
    assert status.returncode == 0 and "Last entry:" in status.stdout
    shown = run_process(["--help"], journal, env={"COLUMNS": "100"})
    assert shown.returncode == 0
    for command in ("log", "list", "summary", "report", "import", "export", "remind"):
        assert f" {command} " in shown.stdout, command
    wrong = run_process(["lgo"], journal)
    assert wrong.returncode == 2 and "No such command" in wrong.stderr


def test_log_and_edit_take_the_impression_of_change(cli, journal):
    ok(cli("log", "--pain", "4", "--impression", "3"))
    day = Journal(journal).read().entries("me")[0]
    assert day.impression == 3 and len(day.readings) == 1
    ok(cli("edit", "today", "--impression", "2"))
    assert Journal(journal).read().entries("me")[0].impression == 2
    for bad in ("0", "8", "2.5", "much better"):
        result = cli("log", "--pain", "4", "--impression", bad)
        assert result.exit_code == 2 and "whole number from 1 to 7" in result.stderr
    assert Journal(journal).read().entries("me")[0].impression == 2
    ok(cli("edit", "today", "--clear", "impression"))
    assert Journal(journal).read().entries("me")[0].impression is None
