"""Reports for caregivers and clinicians: one period of one person's journal as PDF, HTML,
Markdown or plain text.

Every format says the same things in the same order (``layout.SECTIONS``): who and which
period; the warning-sign episodes with the documented advice; what is coming up; a pain chart;
the summary figures (the numbers of ``pumpjournal summary --json``); a day-by-day table; the
questions for the visit; the notes; the not-medical-advice line and the date it was made.

Library use::

    from pumpjournal import Journal, report
    view = Journal("journal.json").read()
    made = report.prepare(view, "me", date.today(), "last-visit", None, redact=False)
    report.save(Path(made.default_name("pdf")), made.render("pdf"), force=False)

``build()`` is the one-call form of ``prepare(...).render(fmt)``.

The package is a straight line: ``content`` works out what the report says (and imports
nothing from here); ``layout`` holds the order of the sections and what the formats share;
``chart`` draws the pain chart as shapes; ``text`` (txt, md), ``html`` and ``pdf`` each draw
``layout.sections()``. This module picks the renderer, imported only when used (fpdf2 is
heavy).
"""

from __future__ import annotations

import importlib
import re
from datetime import date
from pathlib import Path

from ..errors import InputError
from ..escape import quote
from ..files import atomic_writer, check_new, output_error
from . import content

FORMATS = ("pdf", "html", "md", "txt")
# format -> (module, function): the renderer, imported on first use
RENDERERS = {"pdf": ("pdf", "render_pdf"), "html": ("html", "render_html"),
             "md": ("text", "render_md"), "txt": ("text", "render_txt")}
REDACTED_LABEL = "patient"

__all__ = ["FORMATS", "REDACTED_LABEL", "Report", "build", "default_name", "prepare", "render",
           "save"]


class Report(content.Report):
    """A report's content (see ``content.Report``) with what a caller does with it."""

    def render(self, fmt: str) -> bytes:
        return render(self, fmt)

    def default_name(self, fmt: str) -> str:
        return default_name(self.label, self.since, self.until, self.today, fmt)


def render(report: content.Report, fmt: str) -> bytes:
    """The report laid out in ``fmt`` (one of FORMATS)."""
    module, function = RENDERERS[check_format(fmt)]
    made = getattr(importlib.import_module(f".{module}", __name__), function)(report)
    return made if isinstance(made, bytes) else made.encode("utf-8")


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
    made = content.make(data, entries, view.profile(patient), patient, today, redact,
                        REDACTED_LABEL, view.events(patient, ("dose-change",)),
                        several=len(view.patients()) > 1)
    return Report(**vars(made))


def build(view, patient: str, today: date, since: str | None, until: str | None, fmt: str,
          redact: bool = False) -> bytes:
    """The report as bytes in ``fmt`` (one of FORMATS)."""
    fmt = check_format(fmt)
    return render(prepare(view, patient, today, since, until, redact), fmt)


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
