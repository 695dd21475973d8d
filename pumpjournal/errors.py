"""The one family of errors the domain raises; only the CLI turns them into exit codes."""

from __future__ import annotations


class PumpjournalError(Exception):
    """Base class. ``exit_code`` is what the command line exits with."""

    exit_code = 1


class InputError(PumpjournalError, ValueError):
    """Bad input from a person or a file: nothing was changed (exit 2). ``ending`` is what the
    command line adds when the refused command is one that writes."""

    exit_code = 2
    ending = "Nothing was changed."


class NotWritten(InputError):
    """An output file that cannot be written where it was asked for (a folder, a link, an
    existing file without --force): nothing was written (exit 2)."""

    ending = "Nothing was written."


class JournalError(PumpjournalError):
    """The journal could not be read or written (exit 1)."""

    exit_code = 1


class JournalCorrupt(JournalError):
    """The journal file exists but cannot be understood. It is never overwritten."""


class JournalLocked(JournalError):
    """Another process holds the journal's lock for longer than the wait allows."""
