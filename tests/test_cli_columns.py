"""At 80 columns no line of the screens that list entries and warning signs is longer than the
screen, and none breaks a word in two: long lines wrap at word boundaries with a hanging
indent. Through the real command line (in process, and on a pseudo-terminal for the
questions of an interactive `log`)."""

from __future__ import annotations

import re

import pytest

from pumpjournal import symptoms as cat
from pjtest import BOX, iso

NOTE = ("a very long note that goes on and on about the day, the walking, the stairs and "
        "the communication with the clinic about the incision and the medicine")
QUESTION = "Can the evening dose be raised a little, or should we wait until the next visit?"


def vocabulary() -> set[str]:
    """Words the output may hold: ids, labels, advice, the note and question typed."""
    text = " ".join([s.id + " " + s.label for s in cat.SYMPTOMS]
                    + [a for r in cat.RULES.values() for a in r.advice.values()]
                    + [NOTE, QUESTION, cat.NOT_ADVICE, " ".join(cat.RULES)])
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z'-]*", text)}


WORDS = vocabulary()


def assert_fits(text: str, width: int = 80) -> None:
    lines = [line for line in text.replace("\r", "").split("\n")]
    for line in lines:
        assert len(line) <= width, f"{len(line)} columns: {line!r}"
    stripped = [line.strip(BOX + " ") for line in lines]
    for a, b in zip(stripped, stripped[1:]):
        if not a or not b:
            continue
        tail = re.findall(r"[A-Za-z][A-Za-z'-]*$", a)
        head = re.findall(r"^[A-Za-z'-]+", b)
        if tail and head:
            joined = (tail[0] + head[0]).lower()
            split = joined in WORDS and not (tail[0].lower() in WORDS
                                             and head[0].lower() in WORDS)
            assert not split, f"a word broken over two lines: {a!r} / {b!r}"


@pytest.fixture
def long_journal(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert cli("profile", "--name", "Alexandra Montgomery-Fitzwilliam", "--implant-date",
               iso(6), "--drug", "baclofen", "--care-phone", "555-0142",
               "--emergency-number", "911").exit_code == 0
    assert cli("event", "add", "visit", "--date", iso(5)).exit_code == 0
    signs = ["fever", "stiff-neck", "leg-numbness", "incision-redness", "leg-swelling",
             "difficulty-walking", "bladder-change"]
    assert cli("log", "--pain", "3", "--date", iso(3), "-t", "38.6", "--note", NOTE,
               *[x for s in signs for x in ("-s", s)]).exit_code == 0
    assert cli("log", "--pain", "5", "-s", "relief-fading", "-s", "new-pain", "-s",
               "constipation", "--question", QUESTION).exit_code == 0
    return cli


COMMANDS = [("summary",), ("list",), ("flags",), (), ("show", "today"), ("show", iso(3)),
            ("symptoms",), ("log", "--pain", "4", "--date", iso(3), "-s", "leg-weakness"),
            ("event", "add", "mri", "--date", iso(-9)), ("cohort",)]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "status")
def test_no_line_is_longer_than_80_columns_or_breaks_a_word(long_journal, args):
    result = long_journal(*args)
    assert result.exit_code == 0, result.stderr
    assert_fits(result.stdout)
    assert_fits(result.stderr)


def test_the_checks_find_what_they_look_for():
    with pytest.raises(AssertionError):
        assert_fits("x" * 81)
    with pytest.raises(AssertionError):
        assert_fits("Call emergency services now (911). Say you have an intrathecal pump and cal\n"
                    "l now")
    with pytest.raises(AssertionError):
        assert_fits("swelling in the leg-swelli\nng")
    assert_fits("leg-swelling and\n    incision-redness")


@pytest.mark.parametrize("args", [("list",), ("show", iso(2)), ("summary",), ("cohort",), ()],
                         ids=lambda a: " ".join(a) or "status")
def test_days_of_several_readings_fit_80_columns(long_journal, journal, args):
    from datetime import date

    from pumpjournal import Journal, model

    day = date.fromisoformat(iso(2))
    signs = ["fever", "stiff-neck", "leg-numbness", "incision-redness", "leg-swelling"]
    with Journal(journal).transaction() as tx:
        for n, (time, pain) in enumerate((("07:15", 2), ("12:40", 6), ("22:05", 4))):
            values = {"pain": pain, "symptoms": signs[n:n + 3], "temperature": "38.9",
                      "boluses": 12, "note": NOTE}
            tx.add_reading("me", day, model.validate_fields(values),
                           f"{iso(1)}T09:0{n}:00-06:00", at=time)
    result = long_journal(*args)
    assert result.exit_code == 0, result.stderr
    assert_fits(result.stdout)
    assert_fits(result.stderr)
