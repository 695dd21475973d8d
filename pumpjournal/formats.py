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


def _suffix(name: str | None) -> str:
    return PurePath(name).suffix if name and name != "-" else ""


def to_read(name: str | None, given: str | None, check: Callable[[str], str],
            formats: tuple[str, ...]) -> str:
    """The format of a file to read (``name`` None or ``-``: stdin, which needs --format)."""
    if given:
        return check(given)
    if _suffix(name):
        try:
            return check(_suffix(name))
        except InputError:
            pass
    raise InputError(f"cannot tell the format from the file name; give --format "
                     f"{', '.join(formats[:-1])} or {formats[-1]} (reading from - always "
                     "needs it).")


def to_write(name: str | None, given: str | None, check: Callable[[str], str],
             default: str) -> str:
    """The format of a file to write: --format, else the name's, else ``default``."""
    if given:
        return check(given)
    if _suffix(name):
        try:
            return check(_suffix(name))
        except InputError:
            pass
    return default
