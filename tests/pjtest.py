"""Small helpers shared by the test modules (plain functions, no fixtures)."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

from pumpjournal import Event, Journal

# the environment of every run of the CLI: no colour, a fixed width, a plain terminal
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
# scrypt at the product's cost (n=2^17) takes about 0.5 s a key: tests derive keys at this
# cheap cost instead (conftest.cheap_kdf in-process, CHEAP_KDF_CHILD in a real process), by
# replacing the module's constants for the test only; nothing a user can set lowers the cost
CHEAP_SCRYPT = {"n": 2**4, "r": 8, "p": 1}
CHEAP_OLDER = ({"n": 2**3, "r": 8, "p": 1},)
CHEAP_KDF_CHILD = f"""
import sys
from pumpjournal import crypto
crypto.SCRYPT, crypto.OLDER = {CHEAP_SCRYPT!r}, {CHEAP_OLDER!r}
crypto.WRITTEN = (crypto.SCRYPT, *crypto.OLDER)
from pumpjournal.cli import main
main()
"""  # run as [sys.executable, "-c", CHEAP_KDF_CHILD, *args]: pumpjournal with those args
BOX = "│╭╮╰╯─┃━"
HEADLINE = re.compile(r"\[!{1,2}\] (?:EMERGENCY|URGENT): |\[i\] ROUTINE: ")
NOT_ADVICE = "pumpjournal is not medical advice; in an emergency call your local emergency number."


def plain(text: str) -> str:
    """Output with the panel's box drawing removed and all whitespace runs made one space, so
    a sentence the panel wrapped over two lines can still be found."""
    for ch in BOX:
        text = text.replace(ch, " ")
    return " ".join(text.split())


def panel_count(text: str) -> int:
    """How many boxed panels were printed."""
    return text.count("╭")


def headline_count(text: str) -> int:
    """How many panel headlines ("[!] URGENT: ...") were printed."""
    return len(HEADLINE.findall(text))


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)


def iso(n: int) -> str:
    """The ISO date n days before today."""
    return days_ago(n).isoformat()


def set_profile(path: Path, patient: str = "me", **values) -> None:
    with Journal(path).transaction() as tx:
        tx.set_profile(patient, values)


def add_event(path: Path, kind: str, day: date, patient: str = "me") -> None:
    with Journal(path).transaction() as tx:
        tx.add_event(Event(patient, kind, day.isoformat()))


def snapshot(path: Path) -> bytes | None:
    """The journal's bytes, or None when it does not exist."""
    return path.read_bytes() if path.exists() else None


def ok(result):
    """A command that succeeded (exit 0); returns its result."""
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


_UNSET = object()


def refused(result, code: int = 2, journal: Path | None = None, before=_UNSET,
            panel: bool = False) -> str:
    """A refused command as a person sees it: the exit code, one line on stderr that starts
    "Error: ", no traceback and no "unexpected" error, nothing on stdout (only the warning
    panel of the valid signs typed, with ``panel``), and, given ``journal`` and ``before``
    (a ``snapshot``), the journal byte for byte as it was. Returns the line."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.output and "Error: unexpected" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    if panel:
        assert "[!] URGENT" in result.stdout, result.stdout
    else:
        assert result.stdout == "", result.stdout
    if journal is not None and before is not _UNSET:
        assert snapshot(journal) == before, "refused, but the journal changed"
    return lines[0]


def child_env(journal: Path, **extra: str) -> dict:
    """The environment of a real pumpjournal process on ``journal``."""
    env = {**os.environ, **ENV, "PUMPJOURNAL_PATH": str(journal)}
    env.pop("PUMPJOURNAL_DEBUG", None)
    return {**env, **extra}
