"""Small helpers shared by the test modules (plain functions, no fixtures)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from pumpjournal import Event, Journal

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
