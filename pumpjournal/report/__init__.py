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

import errno
import os
import re
from datetime import date
from pathlib import Path

from ..errors import InputError, JournalError
from .content import Report, make

FORMATS = ("pdf", "html", "md", "txt")
REDACTED_LABEL = "patient"

__all__ = ["FORMATS", "REDACTED_LABEL", "Report", "build", "default_name", "prepare", "save"]


def check_format(fmt: str) -> str:
    value = str(fmt).strip().lower().lstrip(".")
    value = {"markdown": "md", "text": "txt", "htm": "html"}.get(value, value)
    if value not in FORMATS:
        raise InputError(f"report format '{fmt}' is not one of {', '.join(FORMATS)}.")
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
                REDACTED_LABEL)


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


def save(path: Path, data: bytes, force: bool = False) -> None:
    """Write a report readable only by its owner (0600), atomically: a temporary file in the
    same folder, flushed and fsynced, then renamed into place. An existing file is replaced
    only with ``force``; otherwise InputError, and nothing is written."""
    path = Path(path).expanduser()
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name for the report. "
                         "Nothing was written.")
    if not force and path.exists():
        raise InputError(f"{path} already exists; use --force to replace it, or choose "
                         "another name with --output. Nothing was written.")
    folder = path.parent
    if not folder.is_dir():
        raise InputError(f"the folder {folder} does not exist; create it first or choose "
                         "another --output. Nothing was written.")
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if force:
                os.replace(tmp, path)
            else:
                _link_new(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        _fsync_folder(folder)
    except FileExistsError:
        raise InputError(f"{path} already exists; use --force to replace it, or choose "
                         "another name with --output. Nothing was written.") from None
    except OSError as exc:
        why = {errno.ENOSPC: "the disk is full", errno.EROFS: "the folder is read-only",
               errno.EACCES: "permission denied", errno.EDQUOT: "the disk quota is used up"}
        reason = why.get(exc.errno, exc.strerror or str(exc))
        raise JournalError(f"could not write the report {path}: {reason}. "
                           "Nothing was written.") from None


def _link_new(tmp: Path, path: Path) -> None:
    """Put ``tmp`` at ``path`` only if nothing is there, even if another process races us."""
    try:
        os.link(tmp, path)  # fails with FileExistsError if the name was taken meanwhile
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(tmp, path)


def _fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
