"""The interactive `log` (and `delete`), answered through a pseudo-terminal.

Each test runs pumpjournal in a real process with stdin, stdout and stderr on the slave side of
a pty (its controlling terminal), so the program sees a terminal and asks its questions. By
default the process is forked from the test run (pjtest.Child: no Python start); the first test,
and every test under -m slow, start a fresh `python -m pumpjournal` instead. The test reads the
prompts from the master side and types the answers. Every read has a timeout, so a prompt that
never comes (or a program that hangs) fails the test instead of stalling the run.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from datetime import date

import pytest

from pumpjournal import Journal
from pumpjournal import symptoms as cat
from pjtest import Child, pumpjournal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

TIMEOUT = 8.0  # seconds to wait for one prompt; a healthy prompt comes in well under one

PAIN = "How much pain do you have right now?"
WORST = "how bad was your pain at its highest?"
LEAST = "how low did your pain get?"
AVERAGE = "which number best fits your pain overall?"
CHECKLIST = "have you had any of these, new or worse?"
ANYTHING = "Anything else?"
TEMPERATURE = "Your temperature"
NOTE = "A note for today"
CONTACTED = "Have you contacted your care team?"
SITE = "Where did you take it?"
IMPLANT = "When was your pump implanted?"
IMPRESSION = "Since before the pump, how are your pain and your life overall?"


class Terminal:
    """A pumpjournal process on a pseudo-terminal: expect() a prompt, answer() it."""

    def __init__(self, args: list[str], journal, cols: int = 100, fresh: bool = False):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
        env = {**os.environ, "PUMPJOURNAL_PATH": str(journal), "NO_COLOR": "1",
               "TERM": "dumb", "COLUMNS": str(cols)}
        env.pop("PUMPJOURNAL_DEBUG", None)
        if fresh:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pumpjournal", *args], stdin=slave, stdout=slave,
                stderr=slave, env=env, close_fds=True, start_new_session=True)
        else:
            self.process = Child(pumpjournal(args), env, tty=slave)
        os.close(slave)
        self.text = ""  # everything the program wrote (and the terminal echoed)
        self.seen = 0  # how far expect() has matched

    def _read(self, wait: float) -> bool:
        """Read what is available within ``wait`` seconds; False at end of output."""
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the program closed the terminal (it exited)
            return False
        if not data:
            return False
        self.text += data.decode("utf-8", errors="replace").replace("\r", "")
        return True

    def expect(self, pattern: str, *, timeout: float = TIMEOUT, fail_on: tuple = ()) -> str:
        """Wait until ``pattern`` (plain text) appears after the last match; return the text
        between the two matches. Fails at once if a ``fail_on`` text appears first."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.text.find(pattern, self.seen)
            tail = self.text[self.seen:]
            for bad in fail_on:
                spot = tail.find(bad)
                if spot != -1 and (found == -1 or self.seen + spot < found):
                    pytest.fail(f"got {bad!r} before {pattern!r}:\n{self.text}")
            if found != -1:
                between = self.text[self.seen:found]
                self.seen = found + len(pattern)
                return between
            left = deadline - time.monotonic()
            if left <= 0 or not self._read(min(left, 0.5)):
                if self.text.find(pattern, self.seen) != -1:
                    continue
                pytest.fail(f"no {pattern!r} within {timeout} s; the terminal shows:\n"
                            f"{self.text}")

    def interrupt(self) -> None:
        """Ctrl-C once the program waits for a key, as a person's comes. A signal that lands
        while the program is still on its way to the read (just after the prompt) comes before
        the read starts, and Python's reader would not see it until a key came."""
        stat = f"/proc/{self.process.pid}/stat"
        if not os.path.exists(stat):
            time.sleep(0.2)
        deadline = time.monotonic() + TIMEOUT
        while os.path.exists(stat) and time.monotonic() < deadline:
            try:
                with open(stat) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "S":  # asleep: reading
                        break
            except OSError:
                break
        self.process.send_signal(signal.SIGINT)

    def answer(self, text: str) -> None:
        os.write(self.master, (text + "\r").encode())

    def ask(self, prompt: str, reply: str, **kw) -> None:
        self.expect(prompt, **kw)
        self.answer(reply)

    def finish(self, timeout: float = TIMEOUT) -> int:
        """Read to the end of the output and return the exit code."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._read(0.2):
            if self.process.poll() is not None:
                while self._read(0.05) and select.select([self.master], [], [], 0)[0]:
                    pass
                break
        try:
            return self.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pytest.fail(f"the program did not end; the terminal shows:\n{self.text}")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)
        os.close(self.master)


@pytest.fixture(params=["forked", pytest.param("started", marks=pytest.mark.slow)])
def terminal(journal, request):
    """terminal("log", ...) -> a Terminal; forked by default, a fresh Python under -m slow."""
    started: list[Terminal] = []

    def start(*args: str, **kw) -> Terminal:
        term = Terminal(list(args), journal, fresh=request.param == "started", **kw)
        started.append(term)
        return term

    yield start
    for term in started:
        term.close()


def stored(journal, day: date | None = None, patient: str = "me"):
    return Journal(journal).read().entry(patient, day or date.today())


def answer_checklist(term: Terminal, yes: set[str]) -> None:
    """The daily yes/no checklist: 'y' for the labels in ``yes``, Enter (= no) otherwise."""
    term.expect(CHECKLIST)
    for symptom in cat.DAILY:
        term.expect(symptom.label)
        term.expect("[y/N]")
        term.answer("y" if symptom.id in yes else "")


def answer_pain_only(term: Terminal, pain: str, yes: set[str]) -> None:
    """Pain now, the three 24-hour scores skipped, and the checklist."""
    term.ask(PAIN, pain)
    for question in (WORST, LEAST, AVERAGE):
        term.ask(question, "")
    answer_checklist(term, yes)


@pytest.mark.parametrize("terminal", ["started", "forked"], indirect=True)
def test_interactive_log_full_answers(terminal, journal):
    term = terminal("log")
    intro = term.expect(PAIN)
    assert "Optional questions: press Enter to skip" in intro
    assert "0 = no pain at all, 10 = the worst pain you can imagine" in intro
    term.answer("4")
    # least higher than worst: asked again, nothing stored from the first try
    term.ask(WORST, "3")
    term.ask(LEAST, "7")
    term.ask(AVERAGE, "3")
    complaint = term.expect(WORST)
    assert "least pain (7) is higher than worst pain (3)" in complaint
    assert "again" in complaint
    term.answer("6")
    term.ask(LEAST, "2")
    term.ask(AVERAGE, "3")
    answer_checklist(term, {"incision-redness"})
    term.ask(ANYTHING, "")
    term.ask(TEMPERATURE, "100.8F")
    term.ask(SITE, "mouth")
    term.ask(NOTE, "walked to the mailbox")
    panel = term.expect(CONTACTED)
    assert "[!] URGENT" in panel and "W-INF" in panel and "W-TEMP" in panel
    assert "redness around an incision" in panel
    assert "not medical advice" in panel
    term.answer("y")
    term.ask(IMPLANT, "")
    assert term.finish() == 0

    entry = stored(journal)
    assert entry is not None
    assert (entry.pain, entry.worst, entry.least, entry.average) == (4, 6, 2, 3)
    assert entry.symptoms == ["incision-redness"]
    assert entry.temperature == "100.8 F" and entry.temperature_site == "mouth"
    assert entry.temperature_c == pytest.approx(38.22, abs=0.01)
    assert entry.note == "walked to the mailbox"
    assert entry.contacted is True


def test_interactive_log_enter_skips_and_nothing_is_asked_after_a_quiet_day(terminal, journal):
    term = terminal("log")
    # a bad answer to the required question is explained and asked again
    term.ask(PAIN, "eleven")
    term.expect("whole number from 0 to 10")
    term.ask(PAIN, "")  # required: Enter does not skip it
    answer_pain_only(term, "2", set())
    term.ask(ANYTHING, "")
    term.ask(TEMPERATURE, "")
    term.ask(NOTE, "")
    term.ask(IMPLANT, "")
    assert term.finish() == 0
    assert CONTACTED not in term.text
    assert f"Logged {date.today().isoformat()} for me: pain 2." in term.text

    entry = stored(journal)
    assert entry.pain == 2
    # skipped answers stay missing, never 0
    assert entry.worst is None and entry.least is None and entry.average is None
    assert entry.symptoms == [] and entry.temperature_c is None and entry.note is None
    assert entry.contacted is None


def test_interactive_bad_temperature_is_asked_again(terminal, journal):
    term = terminal("log")
    answer_pain_only(term, "3", set())
    term.ask(ANYTHING, "")
    term.ask(TEMPERATURE, "60")
    complaint = term.expect(TEMPERATURE)
    assert "C or F" in complaint
    term.answer("37.2")
    term.ask(SITE, "")
    term.ask(NOTE, "")
    term.ask(IMPLANT, "")
    assert term.finish() == 0
    entry = stored(journal)
    assert entry.temperature_c == 37.2 and entry.temperature == "37.2"


def test_interactive_anything_else_takes_symptom_ids(terminal, journal):
    """'Anything else? Symptom ids separated by commas' accepts ids such as pump-alarm."""
    term = terminal("log")
    answer_pain_only(term, "3", set())
    term.ask(ANYTHING, "pump-alarm, constipation")
    term.ask(TEMPERATURE, "", fail_on=("unknown symptom",))
    term.ask(NOTE, "")
    term.ask(CONTACTED, "n")
    term.ask(IMPLANT, "")
    assert term.finish() == 0
    assert stored(journal).symptoms == ["constipation", "pump-alarm"]


def test_interactive_emergency_and_contacted_no(terminal, journal):
    term = terminal("log")
    answer_pain_only(term, "6", {"fever", "headache"})
    term.ask(ANYTHING, "")
    term.ask(TEMPERATURE, "")
    term.ask(NOTE, "")
    panel = term.expect(CONTACTED)
    assert "[!] URGENT" in panel and "[!!]" not in panel  # fever + headache alone: URGENT
    assert "stiff neck" in panel  # lists the signs to watch for
    term.answer("")  # Enter = no
    reply = term.expect(IMPLANT)
    term.answer("")
    assert term.finish() == 0
    assert "contact your care team right away" in reply.lower()
    entry = stored(journal)
    assert entry.symptoms == ["fever", "headache"]
    assert entry.contacted is False


def test_options_at_a_terminal_ask_only_for_the_missing_pain(terminal, journal):
    term = terminal("log", "--symptom", "leg-weakness", "--note", "legs gave way on stairs")
    term.ask(PAIN, "5", timeout=TIMEOUT)
    panel = term.expect(CONTACTED)
    assert WORST not in term.text and CHECKLIST not in term.text
    assert "[!] URGENT" in panel and "W-NEURO" in panel
    term.answer("y")
    term.ask(IMPLANT, "")
    assert term.finish() == 0
    entry = stored(journal)
    assert entry.pain == 5 and entry.symptoms == ["leg-weakness"]
    assert entry.note == "legs gave way on stairs" and entry.contacted is True


def test_interrupt_while_asking_stores_nothing(terminal, journal):
    term = terminal("log")
    term.ask(PAIN, "4")
    term.expect(WORST)
    term.interrupt()
    code = term.finish()
    assert code == 130
    assert "nothing was changed" in term.text.lower()
    assert "Traceback" not in term.text
    assert not journal.exists()


def test_delete_asks_first_at_a_terminal(terminal, journal, cli):
    cli("log", "--pain", "4")
    term = terminal("delete", "today")
    shown = term.expect(f"Delete the entry for {date.today().isoformat()}?")
    assert "pain 4" in shown
    term.answer("n")
    assert term.finish() == 0
    assert "Kept it" in term.text
    assert stored(journal) is not None

    term = terminal("delete", "today")
    term.ask("Delete the entry for", "y")
    assert term.finish() == 0
    assert re.search(r"Deleted the entry for \d{4}-\d{2}-\d{2}", term.text)
    assert stored(journal) is None


# Words, known symptoms, the questions after a panel --------------------------------------------


def quiet_rest(term: Terminal, note: str = "") -> None:
    """Anything else, temperature and note skipped."""
    term.ask(ANYTHING, "")
    term.ask(TEMPERATURE, "")
    term.ask(NOTE, note)


def test_a_word_with_two_meanings_is_asked_about(terminal, journal):
    term = terminal("log", "--pain", "3", "--symptom", "swelling", "--note", "kept")
    asked = term.expect("Which one?")
    assert "incision-swelling" in asked and "leg-swelling" in asked
    term.answer("1")
    term.ask(CONTACTED, "y")
    term.ask(IMPLANT, "")
    assert term.finish() == 0
    entry = stored(journal)
    assert entry.symptoms == ["incision-swelling"] and entry.note == "kept"


def test_an_unknown_word_is_asked_again_and_the_entry_is_kept(terminal, journal):
    term = terminal("log")
    answer_pain_only(term, "5", set())
    term.ask(ANYTHING, "reddness, nausea")
    offered = term.expect("Which one?")
    assert offered.index("incision-redness") < offered.find("1)") + 40  # offered first
    term.answer("1")
    term.ask(TEMPERATURE, "")
    term.ask(NOTE, "")
    panel = term.expect(CONTACTED)
    assert "[!] URGENT" in panel
    term.answer("y")
    term.ask(IMPLANT, "")
    assert term.finish() == 0
    entry = stored(journal)
    assert entry.pain == 5 and entry.symptoms == ["incision-redness", "nausea"]


def log_known_numbness(terminal, worse: str, *args: str):
    """Log leg numbness at a terminal, answering "worse than usual?" with ``worse``; returns
    the terminal and the panel shown before "contacted?"."""
    term = terminal(*args)
    answer_pain_only(term, "3", {"leg-numbness"})
    term.ask(ANYTHING, "")
    term.ask("Is it worse than usual? [y/N]", worse)
    term.ask(TEMPERATURE, "")
    term.ask(NOTE, "")
    return term, term.expect(CONTACTED)


def test_a_known_symptom_asks_worse_than_usual(terminal, journal, cli):
    cli("profile", "--baseline-symptom", "leg-numbness", "--implant-date", "2026-01-01")
    term, panel = log_known_numbness(terminal, "", "log")
    assert "[i] ROUTINE" in panel and "before the implant" in panel
    assert "[!]" not in panel
    term.answer("n")
    reply = term.expect(IMPRESSION)  # over 28 days after the implant, never answered
    term.answer("")
    assert term.finish() == 0
    assert "Mention it at your next visit" in reply and "call" not in reply.lower()
    assert stored(journal).worse == []

    term, panel = log_known_numbness(terminal, "y", "log", "--date", "yesterday")
    assert "[!] URGENT" in panel and "W-NEURO" in panel
    term.answer("y")
    term.ask(IMPRESSION, "")
    assert term.finish() == 0
    assert stored(journal, date.fromordinal(date.today().toordinal() - 1)).worse == [
        "leg-numbness"]


def test_after_an_emergency_no_repeats_the_call_and_the_headline_waits_with_the_question(
        terminal, journal, cli):
    cli("profile", "--emergency-number", "911", "--implant-date", "2026-01-01")
    term = terminal("log", "--pain", "6", "--symptom", "fever", "--symptom", "headache",
                    "--symptom", "stiff-neck", "--symptom", "leg-tingling", "--temperature",
                    "101.2", cols=80)
    before = term.expect(CONTACTED)
    last_lines = before.strip().splitlines()
    assert last_lines[-1].startswith("[!!] EMERGENCY: Call emergency services now (911)")
    assert len(before.strip().splitlines()) > 20  # the top has scrolled away at 80x24
    term.answer("n")
    assert term.finish() == 0
    reply = term.text[term.seen:]
    assert "Call emergency services now (911)" in reply
    assert "Please contact your care team" not in reply
    assert stored(journal).contacted is False


def test_a_yes_is_not_asked_again_on_the_same_day(terminal, journal, cli):
    cli("profile", "--implant-date", "2026-01-01")
    term = terminal("log", "--pain", "4", "--symptom", "incision-redness")
    term.ask(CONTACTED, "y")
    assert term.finish() == 0
    term = terminal("log", "--pain", "3", "--note", "evening")
    assert term.finish() == 0
    assert CONTACTED not in term.text and "[!] URGENT" in term.text
    assert stored(journal).contacted is True


def test_ctrl_c_after_the_entry_is_saved_says_it_is_saved(terminal, journal, cli):
    cli("profile", "--implant-date", "2026-01-01")
    term = terminal("log", "--pain", "4", "--symptom", "incision-swelling")
    term.expect(CONTACTED)
    term.interrupt()
    assert term.finish() == 130
    after = term.text[term.seen:].lower()
    assert "is saved" in after and "nothing was changed" not in after
    assert stored(journal).symptoms == ["incision-swelling"]


def test_ctrl_c_after_a_warning_sign_answered_yes_says_what_to_do(terminal, journal):
    term = terminal("log")
    term.ask(PAIN, "4")
    for question in (WORST, LEAST, AVERAGE):
        term.ask(question, "")
    term.expect(CHECKLIST)
    term.ask(cat.DAILY[0].label, "")
    term.ask(cat.DAILY[1].label, "")
    term.ask(cat.DAILY[2].label, "y")  # fluid or pus leaking from an incision
    term.expect(cat.DAILY[3].label)
    term.expect("[y/N]")
    term.interrupt()
    assert term.finish() == 130
    assert "[!] URGENT: Contact your care team right away" in term.text
    assert "fluid or pus leaking" in term.text
    assert not journal.exists()


def test_the_implant_date_is_asked_once(terminal, journal, cli):
    term = terminal("log", "--pain", "3", "--symptom", "incision-soreness")
    term.ask(CONTACTED, "n")
    term.ask(IMPLANT, "3 days ago")
    assert term.finish() == 0
    assert "Implant date saved" in term.text
    facts = Journal(journal).read().profile("me")
    assert facts["implant_date"] == date.fromordinal(date.today().toordinal() - 3).isoformat()
    term = terminal("log", "--pain", "3", "--symptom", "incision-soreness", "--date",
                    "yesterday")
    assert term.finish() == 0
    assert IMPLANT not in term.text and "expected for a few days" in term.text


def test_enter_skips_the_implant_date_and_it_is_not_asked_again(terminal, journal):
    term = terminal("log", "--pain", "3")
    term.ask(IMPLANT, "")
    assert term.finish() == 0
    assert "pumpjournal profile --implant-date" in term.text[term.seen:]
    term = terminal("log", "--pain", "3", "--date", "yesterday")
    assert term.finish() == 0
    assert IMPLANT not in term.text


def test_a_yes_no_question_explains_what_it_accepts(terminal, journal, cli):
    cli("profile", "--implant-date", "2026-01-01")
    term = terminal("log", "--pain", "4", "--symptom", "chills")
    term.ask(CONTACTED, "maybe")
    term.expect("Please answer y or n (Enter = no).")
    term.ask(CONTACTED, "y")
    assert term.finish() == 0
    assert "invalid input" not in term.text.lower()
    assert stored(journal).contacted is True


def test_a_second_log_of_the_day_shows_the_day_and_asks_a_new_reading(terminal, journal, cli):
    cli("profile", "--implant-date", "2026-01-01")
    cli("log", "--pain", "3", "--worst", "6", "--at", "00:00")
    term = terminal("log")
    intro = term.expect(PAIN)
    assert "so far" in intro and "00:00  pain 3" in intro
    assert WORST not in term.text  # the 24-hour scores are the day's, asked once
    term.answer("5")
    term.ask("Anything new or worse since your last reading (00:00)?", "y")
    term.expect("Which of these?")
    for symptom in cat.DAILY:
        term.expect(symptom.label)
        term.expect("[y/N]")
        term.answer("y" if symptom.id == "fever" else "")
    term.ask(ANYTHING, "")
    term.ask(TEMPERATURE, "")
    term.ask("A note for this reading", "after lunch")
    term.ask(CONTACTED, "y")
    assert term.finish() == 0
    assert "Added a reading to" in term.text
    entry = stored(journal)
    first, second = entry.readings
    assert (first.time, first.pain, first.symptoms) == ("00:00", 3, [])
    assert (second.pain, second.symptoms, second.note) == (5, ["fever"], "after lunch")
    assert second.contacted is True and first.contacted is None
    assert (entry.pain, entry.pain_mean, entry.worst) == (5, 4.0, 6)


def test_a_quick_later_reading_asks_pain_temperature_and_a_note(terminal, journal, cli):
    cli("profile", "--implant-date", "2026-01-01")
    cli("log", "--pain", "3", "--at", "00:00")
    term = terminal("log")
    term.ask(PAIN, "")  # a later reading may leave pain out
    term.ask("Anything new or worse since your last reading (00:00)?", "")
    term.ask(TEMPERATURE, "38.6")
    term.ask(SITE, "")
    term.ask("A note for this reading", "")
    term.expect("URGENT")
    term.ask(CONTACTED, "")
    assert term.finish() == 0
    entry = stored(journal)
    assert [r.pain for r in entry.readings] == [3, None]
    assert entry.pain == 3 and entry.temperature_c == 38.6
    assert entry.readings[1].contacted is False


def test_at_a_terminal_a_broken_journal_still_asks_and_warns(terminal, journal):
    journal.parent.mkdir(parents=True)
    journal.write_text("not json")
    os.chmod(journal, 0o600)
    term = terminal("log")
    answer_pain_only(term, "6", {"fever"})
    term.ask(ANYTHING, "stiff neck")
    term.ask(TEMPERATURE, "")
    term.ask(NOTE, "")
    assert term.finish() == 1
    assert "[!!] EMERGENCY" in term.text and "typed alone" in term.text
    assert "NOT saved" in term.text
    assert journal.read_text() == "not json"


def test_a_known_symptom_given_as_an_option_is_asked_about_too(terminal, journal, cli):
    cli("profile", "--baseline-symptom", "headache", "--baseline-symptom", "leg-tingling",
        "--implant-date", "2026-01-01")
    term = terminal("log", "--pain", "3", "--symptom", "leg-tingling", "--symptom", "nausea")
    term.ask("Is it worse than usual? [y/N]", "y")
    panel = term.expect(CONTACTED)
    assert "[!] URGENT" in panel and "W-NEURO" in panel
    term.answer("y")
    assert term.finish() == 0
    assert stored(journal).worse == ["leg-tingling"]
    term = terminal("log", "--pain", "3", "--date", "yesterday", "--symptom", "headache",
                    "--worse", "leg-tingling")  # --worse given: nothing more is asked
    panel = term.expect(CONTACTED)
    assert "worse than usual?" not in term.text
    term.answer("y")
    assert term.finish() == 0


@pytest.mark.parametrize("answer, level, worse", [("y", "[!] URGENT", ["leg-numbness"]),
                                                   ("", "[i] ROUTINE", [])])
def test_edit_at_a_terminal_asks_about_a_known_symptom_too(terminal, journal, cli, answer,
                                                          level, worse):
    cli("profile", "--baseline-symptom", "leg-numbness", "--implant-date", "2026-01-01")
    cli("log", "--pain", "3")
    term = terminal("edit", "today", "--symptom", "leg-numbness", cols=80)
    term.ask("Is it worse than usual? [y/N]", answer)  # whole on one line at 80 columns
    assert term.finish() == 0
    assert level in term.text
    assert stored(journal).worse == worse


def test_an_interactive_log_fits_80_columns(terminal, journal):
    from test_cli_columns import assert_fits

    first = terminal("log", "--pain", "4", "-s", "cannot-walk", "-s", "leg-swelling", cols=80)
    first.ask(CONTACTED, "no")
    first.ask(IMPLANT, "")
    assert first.finish() == 0
    again = terminal("log", "--pain", "5", "-s", "incision-redness", "-s", "leg-swelling",
                     "-s", "difficulty-walking", cols=80)
    again.ask(CONTACTED, "no")
    assert again.finish() == 0
    yesterday = date.fromordinal(date.today().toordinal() - 1).isoformat()
    checklist = terminal("log", "--date", yesterday, cols=80)
    checklist.ask(PAIN, "3")
    for question in (WORST, LEAST, AVERAGE):
        checklist.ask(question, "")
    checklist.expect(CHECKLIST)
    for s in cat.DAILY:  # a long label wraps: its first words, then the [y/N]
        checklist.expect(s.label[:20])
        checklist.ask("[y/N]", "")
    for question in (ANYTHING, TEMPERATURE, NOTE):
        checklist.ask(question, "")
    assert checklist.finish() == 0
    for term in (first, again, checklist):
        assert_fits(term.text)


def quiet_day(term: Terminal, impression: str | None) -> None:
    """A day's questions answered with pain 2 and nothing else; then the impression of change
    (``impression``: its answer, None: it must not be asked)."""
    answer_pain_only(term, "2", set())
    term.ask(ANYTHING, "")
    term.ask(TEMPERATURE, "")
    if impression is None:
        term.ask(NOTE, "")
        assert term.finish() == 0
        assert IMPRESSION not in term.text
    else:
        term.ask(NOTE, "")
        intro = term.expect(IMPRESSION)
        assert "1 = very much improved" in intro and "7 = very much worse" in intro
        term.answer(impression)
        assert term.finish() == 0


def test_the_impression_of_change_is_asked_from_day_28_after_the_implant(terminal, journal,
                                                                          cli):
    today = date.today()
    cli("profile", "--implant-date",
        date.fromordinal(today.toordinal() - 28).isoformat())
    quiet_day(terminal("log"), "2")
    assert stored(journal).impression == 2
    # answered today: not asked again on a later reading the same day, nor tomorrow's
    cli("log", "--pain", "3", "--date", "yesterday")
    assert stored(journal, date.fromordinal(today.toordinal() - 1)).impression is None


def test_the_impression_of_change_is_not_asked_before_day_28(terminal, journal, cli):
    cli("profile", "--implant-date",
        date.fromordinal(date.today().toordinal() - 27).isoformat())
    quiet_day(terminal("log"), None)


def test_enter_skips_the_impression_of_change(terminal, journal, cli):
    cli("profile", "--implant-date",
        date.fromordinal(date.today().toordinal() - 60).isoformat())
    quiet_day(terminal("log"), "")
    assert stored(journal).impression is None


def test_an_answer_under_28_days_old_is_not_asked_again_except_on_a_visit_day(terminal,
                                                                              journal, cli):
    today = date.today()
    cli("profile", "--implant-date", date.fromordinal(today.toordinal() - 90).isoformat())
    cli("log", "--pain", "4", "--impression", "3", "--date",
        date.fromordinal(today.toordinal() - 10).isoformat())
    quiet_day(terminal("log"), None)
    cli("event", "add", "visit", "--date", "yesterday")
    quiet_day(terminal("log", "--date", "yesterday"), "3")  # the visit day
    assert stored(journal, date.fromordinal(today.toordinal() - 1)).impression == 3
