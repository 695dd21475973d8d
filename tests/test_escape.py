"""Text never drives the terminal, and no message repeats a person's free text.

Control characters, bidirectional overrides and bytes that are not UTF-8 are refused where
they are typed, are row errors in an import, and are shown escaped wherever text from a file
(a hand-edited or received journal, an import cell) reaches the terminal.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given, strategies as st

from pumpjournal import Event, Journal
from pumpjournal.escape import escape, problem, quote
from pumpjournal.model import Entry
from pjtest import ENV, Child, iso, ok, pairs, pumpjournal, refused, run_child, snapshot

# what a terminal acts on: ESC (CSI, OSC), the 8-bit CSI, NEL, DEL, bidi overrides and
# isolates, the line separator, and a byte that was not UTF-8 (as Python decodes argv)
HOSTILE = {"ESC": "\x1b[2J\x1b[31m", "OSC title": "\x1b]0;owned\x07", "C1 CSI": "\x9b2J",
           "NEL": "a\x85b", "DEL": "a\x7fb", "RLO": "\u202eexe.txt", "LRI": "\u2066x\u2069",
           "PDF bidi": "\u202c", "ALM": "\u061c", "line separator": "a\u2028b",
           "backspace": "ab\x08\x08", "carriage return": "ok\rXX", "NUL": "a\x00b",
           "not UTF-8": "bad \udcff\udcfe bytes"}
UNSAFE = [chr(c) for c in (*range(0, 9), *range(11, 32), *range(0x7F, 0xA0))] + list(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def raw_unsafe(text: str) -> list[str]:
    """The characters in output that could drive a terminal (newline and tab are fine)."""
    return [ch for ch in text if ch in UNSAFE or 0xD800 <= ord(ch) <= 0xDFFF]


def no_raw(result) -> None:
    assert raw_unsafe(result.stdout) == [], result.stdout
    assert raw_unsafe(result.stderr) == [], result.stderr


def one_line_error(result, code: int = 2) -> str:
    """A refused command (pjtest.refused) whose output holds no raw control character."""
    line = refused(result, code)
    no_raw(result)
    return line


# the escaping function ----------------------------------------------------------------------


@given(st.text())
def test_escaped_text_has_nothing_a_terminal_acts_on(text):
    assert raw_unsafe(escape(text)) == []
    assert "\n" not in escape(text)
    kept = escape(text, lines=True)
    assert raw_unsafe(kept) == [] and kept.count("\n") == text.count("\n")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Cf"))))
def test_plain_text_is_shown_as_it_is(text):
    assert escape(text) == text and problem(text) is None


def test_escapes_say_which_character_it_was():
    assert escape("\x1b[2J") == "\\x1b[2J"
    assert escape("\u202eexe") == "\\u202eexe"
    assert escape("bad \udcff") == "bad \\xff"
    assert escape("a\nb\tc") == "a\\nb\\tc" and escape("a\nb\tc", lines=True) == "a\nb\tc"
    assert quote("9" * 5000) == "'" + "9" * 39 + "…'"


# typed text is refused ----------------------------------------------------------------------

NOTE_OPTIONS = [["log", "--pain", "3", "--note"], ["log", "--pain", "3", "--question"],
                ["ask"], ["event", "add", "visit", "--note"]]
ONE_LINE_OPTIONS = [["event", "add", "dose-change", "--dose", "1", "--unit", "mg/day", "--drug"],
                    ["profile", "--name"], ["profile", "--initials"], ["profile", "--care-team"],
                    ["profile", "--pump-make"], ["profile", "--drug"],
                    ["profile", "--fever-threshold", "38", "--set-by"]]
TEXT_OPTIONS = NOTE_OPTIONS + ONE_LINE_OPTIONS


# every option with two kinds of hostile text by default, in turn, so each kind is tried; every
# pair under -m slow (one text check serves every option)
@pytest.mark.parametrize("args, name", pairs(TEXT_OPTIONS, list(HOSTILE), 2, (" ".join, str)))
def test_typed_text_that_could_drive_the_terminal_is_refused(cli, journal, args, name):
    ok(cli("log", "--pain", "2", "--date", iso(3)))
    before = snapshot(journal)
    line = one_line_error(cli(*args, "fine " + HOSTILE[name]), 2)
    assert "plain text" in line and "Nothing was changed" in line
    assert snapshot(journal) == before


@pytest.mark.parametrize("args", NOTE_OPTIONS, ids=" ".join)
def test_a_note_may_hold_newlines_and_tabs_where_a_note_has_them(cli, args):
    ok(cli(*args, "line one\tcolumn\nline two"))


@pytest.mark.parametrize("args", ONE_LINE_OPTIONS, ids=" ".join)
@pytest.mark.parametrize("space", ["\t", "\n"], ids=["tab", "newline"])
def test_a_one_line_value_refuses_tabs_and_newlines(cli, journal, args, space):
    """A name, a medicine or a pump make is one line: a newline in it would start a new line
    of every screen and report that shows it."""
    line = one_line_error(cli(*args, f"Dr{space}Ames"), 2)
    assert "plain text" in line and "Nothing was changed" in line
    assert not journal.exists()


NUMBER_OPTIONS = [["log", "--pain"], ["log", "--pain", "3", "--temperature"],
                  ["log", "--pain", "3", "--date"], ["log", "--pain", "3", "--symptom"],
                  ["profile", "--care-phone"], ["profile", "--implant-date"],
                  ["event", "add"], ["list", "--since"], ["export", "--format"],
                  ["report", "--format"], ["profile", "--clear"], ["event", "delete"],
                  ["list", "--limit"], ["import", "-", "--format"], ["show"]]


@pytest.mark.parametrize("args, name", pairs(NUMBER_OPTIONS, ["ESC", "C1 CSI", "RLO", "not UTF-8"],
                                             1, (" ".join, str)))
def test_a_refused_value_is_quoted_escaped_and_short(cli, journal, args, name):
    value = HOSTILE[name] + "x" * 100_000
    line = one_line_error(cli(*args, value), 2)
    assert len(line) < 600, len(line)
    if "Input should be" not in line:  # Typer's own message names the option, not the value
        assert escape(HOSTILE[name])[:10].lower() in line.lower()
    assert not journal.exists()


NOT_UTF8_ARGS = [["log", "--pain", "3", "--note"], ["ask"], ["profile", "--name"],
                 ["log", "--pain"]]


@pytest.mark.parametrize("args, fresh", [
    # a fresh Python decodes the command line at its start; a forked child is given the
    # bytes as that start makes them (os.fsdecode)
    pytest.param(NOT_UTF8_ARGS[0], True, id="log --pain 3 --note"),
    *[pytest.param(args, False, id=" ".join(args) + " (forked)") for args in NOT_UTF8_ARGS[1:]],
    *[pytest.param(args, True, id=" ".join(args), marks=pytest.mark.slow)
      for args in NOT_UTF8_ARGS[1:]]])
def test_bytes_that_are_not_utf8_in_a_real_command_line_are_a_clear_error(journal, args, fresh):
    env = {**ENV, "PUMPJOURNAL_PATH": str(journal), "PATH": "/usr/bin:/bin",
           "HOME": str(journal.parent)}
    if fresh:
        done = subprocess.run([sys.executable, "-m", "pumpjournal", *args,
                               b"\xff\xfe bad bytes"], env=env, capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=60)
    else:
        done = run_child([*args, b"\xff\xfe bad bytes"], env, text=False)
    err = done.stderr.decode("utf-8")  # what pumpjournal prints is UTF-8 text, always
    assert done.returncode == 2, err
    assert err.startswith("Error: ") and err.count("\n") == 1 and "unexpected" not in err
    assert not journal.exists()


# stored text is shown escaped ---------------------------------------------------------------

EVIL = "\x1b[2J\x1b]0;t\x07\x9b31m \u202eexe.txt \x85"


@pytest.fixture
def received(journal):
    """A journal from someone else, with terminal controls in every text it holds."""
    with Journal(journal).transaction() as tx:
        # written past the checks of set_profile, as a file made elsewhere can hold anything
        tx.profile_table.insert({"patient": "me", "name": "Sam" + EVIL, "initials": "S" + EVIL,
                              "pump_make": "Pump" + EVIL, "care_team": "Team" + EVIL,
                              "care_phone": "555" + EVIL, "after_hours_phone": "556" + EVIL,
                              "emergency_number": "911" + EVIL, "drugs": ["morphine" + EVIL],
                              "implant_date": iso(20),
                              "fever_threshold_set_by": "Dr" + EVIL})
        for n in (0, 1, 2):
            tx.save_entry(Entry("me", iso(n), 8, note=f"note {n}{EVIL}\nsecond{EVIL}",
                                symptoms=["fever", "severe-headache"], temperature_c=39.0,
                                temperature="39" + EVIL, questions=["ask" + EVIL],
                                logged_at="2026-01-01T00:00:00+00:00",
                                updated_at="2026-01-01T00:00:00+00:00"))
        tx.add_event(Event("me", "visit", iso(5), {"note": "visit" + EVIL}))
        tx.questions_table.insert({"patient": "me", "date": iso(1), "question": "question" + EVIL})
    return journal


SCREENS = [["list"], ["show", iso(0)], [], ["summary"], ["flags"], ["profile"],
           ["event", "list"], ["doctor"], ["cohort"], ["log", "--pain", "9", "--symptom",
                                                       "fever"],
           ["edit", iso(1), "--pain", "7"], ["report", "--format", "txt", "--output", "-"],
           ["report", "--format", "md", "--output", "-"],
           ["report", "--format", "html", "--output", "-"], ["list", "--json"],
           ["summary", "--json"], ["profile", "--json"], ["event", "list", "--json"]]


@pytest.mark.parametrize("args", SCREENS, ids=lambda a: " ".join(a) or "status")
def test_text_from_a_received_journal_is_shown_escaped(received, cli, args):
    result = cli(*args)
    assert result.exit_code in (0, 1), result.output  # doctor exits 1: the text is not valid
    assert "unexpected" not in result.output
    no_raw(result)
    shows_text = "--json" not in args and args[:1] not in (["doctor"], ["edit"], ["flags"],
                                                            ["cohort"])
    if shows_text:  # the text is there, written out
        assert "\\x1b" in result.stdout and "\\u202e" in result.stdout, result.stdout


def test_json_output_keeps_the_values_exactly(received, cli):
    result = ok(cli("show", iso(0), "--json"))
    no_raw(result)
    assert json.loads(result.stdout)["note"] == f"note 0{EVIL}\nsecond{EVIL}"


# imports: a row error, never the text -------------------------------------------------------


@pytest.mark.parametrize("name, column", pairs(list(HOSTILE), ["note", "questions"]))
def test_an_import_cell_with_terminal_controls_is_a_row_error(cli, journal, tmp_path, name,
                                                              column):
    rows = tmp_path / "rows.json"
    secret = "PRIVATE-WORDS " + HOSTILE[name]
    rows.write_text(json.dumps([{"date": iso(2), "pain": 3, column: secret},
                                {"date": iso(1), "pain": 4}]))
    result = cli("import", str(rows))
    assert result.exit_code == 2 and "unexpected" not in result.output
    no_raw(result)
    assert "row 1" in result.stderr and "plain text" in result.stderr
    assert "PRIVATE-WORDS" not in result.output
    assert not journal.exists()
    data = json.loads(cli("import", str(rows), "--json").stdout)
    assert data["errors"][0]["value"] is None


@pytest.mark.parametrize("name", ["ESC", "C1 CSI", "RLO", "OSC title"])
def test_an_import_cell_is_quoted_escaped_and_short(cli, journal, tmp_path, name):
    rows = tmp_path / "rows.csv"
    rows.write_text(f"date,pain\n{iso(1)},{HOSTILE[name]}ALL ENTRIES DELETED{'x' * 5000}\n")
    result = cli("import", str(rows))
    assert result.exit_code == 2
    no_raw(result)
    assert escape(HOSTILE[name]) in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 400


def test_import_never_quotes_a_note_even_when_it_is_too_long(cli, tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"date": iso(1), "pain": 3, "note": "SECRET " * 2000}) + "\n")
    result = cli("import", str(rows), "--json")
    assert result.exit_code == 2
    assert "SECRET" not in result.output and len(result.stdout) < 2000


# error messages -------------------------------------------------------------------------------


def test_the_unexpected_message_quotes_nothing_and_asks_for_no_traceback(cli, journal,
                                                                         monkeypatch):
    from pumpjournal import queries

    def broken(*args, **kwargs):
        raise ValueError("Invalid isoformat string: 'PROFILE-SECRET-TEXT'")

    monkeypatch.setattr(queries, "summary_data", broken)
    ok(cli("log", "--pain", "3"))
    result = cli("summary")
    assert result.exit_code == 1
    assert "PROFILE-SECRET-TEXT" not in result.output
    assert "--debug" in result.stderr and "report it" not in result.stderr
    assert "health data" in result.stderr


def test_a_hand_edited_record_is_named_without_its_text(cli, journal):
    ok(cli("log", "--pain", "3"))
    data = json.loads(journal.read_bytes())
    data["events"] = {"1": {"patient": "me", "kind": "SECRET-KIND " * 50, "date": "x" * 200}}
    journal.write_bytes(json.dumps(data).encode())
    result = cli("list")
    assert result.exit_code == 1
    assert max(len(line) for line in result.stderr.splitlines()) < 500


@pytest.mark.parametrize("column", ["logged_at", "updated_at", "temperature_site", "contacted",
                                    "symptoms", "patient", "mood", "sleep"])
def test_every_import_column_gives_a_short_escaped_row_error(cli, journal, tmp_path, column):
    rows = tmp_path / "rows.jsonl"
    value = "\x1b[2J" + "PRIVATE " * 5000
    rows.write_text(json.dumps({"date": iso(1), "pain": 3, column: value}) + "\n")
    result = cli("import", str(rows))
    assert result.exit_code == 2 and "unexpected" not in result.output
    no_raw(result)
    assert "row 1" in result.stderr
    assert max(len(line) for line in result.stderr.splitlines()) < 400
    assert not journal.exists()


def test_doctor_names_a_hand_edited_event_short_and_escaped(cli, journal):
    ok(cli("log", "--pain", "3"))
    data = json.loads(journal.read_bytes())
    data["events"] = {"1": {"patient": "me", "kind": "\x1b[2J" + "K" * 500,
                            "date": "2026-01-01", "details": {}}}
    journal.write_bytes(json.dumps(data).encode())
    result = cli("doctor")
    assert result.exit_code == 1
    no_raw(result)
    assert "\\x1b[2J" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) < 300


@pytest.mark.slow
@pytest.mark.parametrize("args", TEXT_OPTIONS, ids=" ".join)
def test_every_unsafe_character_is_refused_in_every_text_option(cli, journal, args):
    ok(cli("log", "--pain", "2", "--date", iso(3)))
    before = snapshot(journal)
    for ch in UNSAFE + ["\udc80", "\udcff", "\ud800"]:
        if ch in "\n\t":
            continue
        result = cli(*args, f"text {ch} more")
        assert result.exit_code == 2, (repr(ch), result.output)
        no_raw(result)
    assert snapshot(journal) == before


@pytest.mark.slow
@given(st.text(max_size=30))
def test_any_typed_note_is_stored_as_typed_or_refused(text):
    """Either the note is kept exactly and every screen shows it without raw controls, or the
    command is refused with exit 2 and nothing is stored."""
    import tempfile
    from pathlib import Path

    from typer.testing import CliRunner

    from pumpjournal.cli import app

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "j.json"
        env = {**ENV, "PUMPJOURNAL_PATH": str(path),
               "PUMPJOURNAL_CONFIG_DIR": str(Path(folder) / "config")}
        runner = CliRunner(env=env)
        result = runner.invoke(app, ["log", "--pain", "3", "--note", text])
        assert "unexpected" not in result.output
        if result.exit_code == 2:
            assert not path.exists()
            return
        assert result.exit_code == 0, result.output
        stored = Journal(path).entries()[0].note
        assert stored == (text.replace("\r\n", "\n").strip() or None)
        for args in (["list"], ["show", "today"], ["summary"], []):
            shown = runner.invoke(app, args)
            assert raw_unsafe(shown.stdout) == [] and raw_unsafe(shown.stderr) == []


def test_an_export_to_a_terminal_shows_controls_escaped_and_to_a_pipe_keeps_them(received):
    import os
    import pty

    env = {**os.environ, **ENV, "PUMPJOURNAL_PATH": str(received)}
    args = ["export", "--format", "csv"]  # real processes, forked from the test run
    piped = run_child(args, env, text=False)
    assert piped.returncode == 0 and "\x1b[2J" in piped.stdout.decode()
    main, terminal = pty.openpty()
    child = Child(pumpjournal(args), env, stdout=terminal)
    os.close(terminal)
    shown = b""
    while True:  # read while it writes: a full terminal buffer would stop it
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(main)
    assert child.wait(timeout=60) == 0
    text = shown.decode()
    assert "\\x1b[2J" in text and raw_unsafe(text.replace("\r", "")) == []
