"""Which format a command means by a file: --format when given, else the file's name.

One rule per direction. A file that is read must say its format (by --format or its name's
suffix); a file that is written takes its name's format when the name has a known one, else
the command's default. Each family of formats (import, export, report) brings its own check,
which knows its names and aliases and words the refusal.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Callable

from .errors import InputError


def _from_name(name: str | None, check: Callable[[str], str]) -> str | None:
    """The format the file's name says, or None when it says none that ``check`` knows."""
    suffix = PurePath(name).suffix if name and name != "-" else ""
    try:
        return check(suffix) if suffix else None
    except InputError:
        return None


def to_read(name: str | None, given: str | None, check: Callable[[str], str],
            formats: tuple[str, ...]) -> str:
    """The format of a file to read (``name`` None or ``-``: stdin, which needs --format)."""
    found = check(given) if given else _from_name(name, check)
    if found is None:
        raise InputError(f"cannot tell the format from the file name; give --format "
                         f"{', '.join(formats[:-1])} or {formats[-1]} (reading from - always "
                         "needs it).")
    return found


def to_write(name: str | None, given: str | None, check: Callable[[str], str],
             default: str) -> str:
    """The format of a file to write: --format, else the name's, else ``default``."""
    return check(given) if given else (_from_name(name, check) or default)
