"""Reports for caregivers and clinicians: one period of one person's journal as PDF, HTML,
Markdown or plain text.

Every format says the same things in the same order: who and which period; the warning-sign
episodes with the documented advice; a pain chart; the summary figures (the numbers of
``pumpjournal summary --json``); a day-by-day table; the questions for the visit; the notes;
the not-medical-advice line and the date the report was made.

Library use::

    from pumpjournal import Journal, report
    view = Journal("journal.json").read()
    made = report.prepare(view, "me", date.today(), "last-visit", None, redact=False)
    report.save(Path(made.default_name("pdf")), made.render("pdf"), force=False)

``build()`` is the one-call form of ``prepare(...).render(fmt)``.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from ..errors import InputError
from ..escape import quote
from ..files import atomic_writer, check_new, output_error
from .content import Report, make

FORMATS = ("pdf", "html", "md", "txt")
REDACTED_LABEL = "patient"

__all__ = ["FORMATS", "REDACTED_LABEL", "Report", "build", "default_name", "prepare", "save"]


def check_format(fmt: str) -> str:
    value = str(fmt).strip().lower().lstrip(".")
    value = {"markdown": "md", "text": "txt", "htm": "html"}.get(value, value)
    if value not in FORMATS:
        raise InputError(f"report format {quote(fmt)} is not one of {', '.join(FORMATS)}.")
    return value


def prepare(view, patient: str, today: date, since: str | None, until: str | None,
            redact: bool = False) -> Report:
    """Work out what the report says (figures, episodes, rows), once for any format.

    ``since``/``until`` are read as ``pumpjournal summary`` reads them (``last-visit``, a date,
    ``4w``; default: since the last visit, or the last 30 days, until today).
    """
    from .. import queries

    data = queries.summary_data(view, patient, today, since, until)
    low = date.fromisoformat(data["period"]["since"])
    high = date.fromisoformat(data["period"]["until"])
    entries = view.entries(patient, low, high)
    return make(data, entries, view.profile(patient), patient, today, redact,
                REDACTED_LABEL, view.events(patient, ("dose-change",)))


def build(view, patient: str, today: date, since: str | None, until: str | None, fmt: str,
          redact: bool = False) -> bytes:
    """The report as bytes in ``fmt`` (one of FORMATS)."""
    fmt = check_format(fmt)
    return prepare(view, patient, today, since, until, redact).render(fmt)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or REDACTED_LABEL


def default_name(patient_label: str, since: date, until: date, today: date, fmt: str) -> str:
    """``pumpjournal-report-sam-2026-09-15-to-2026-10-20-made-2026-11-25.pdf``.

    Pass the person's id, or ``REDACTED_LABEL`` for a redacted report (``Report.default_name``
    does that choice for you).
    """
    return (f"pumpjournal-report-{_slug(patient_label)}-{since.isoformat()}-to-"
            f"{until.isoformat()}-made-{today.isoformat()}.{check_format(fmt)}")


def save(path: Path, data: bytes, force: bool = False, protected=()) -> None:
    """Write a report readable only by its owner (0600), atomically: a new temporary file in
    the same folder, flushed and fsynced, then renamed into place. An existing file is replaced
    only with ``force`` and only when it is a regular file, never one of ``protected`` ((path,
    what it is) pairs); otherwise InputError, and nothing is written."""
    path = Path(path).expanduser()
    check_new(path, force, protected)
    try:
        with atomic_writer(path, replace=force) as handle:
            handle.write(data)
    except OSError as exc:
        raise output_error(path, exc, "report") from None
