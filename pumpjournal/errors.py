"""The one family of errors the domain raises; only the CLI turns them into exit codes.

No message says "Nothing was changed." itself: an error carries whether anything was written
(``written``) and the ending that fits it (``ending``), and the command line's one exit point
adds that ending when the refused command was going to write (never for a command that only
reads, where it would say nothing)."""

from __future__ import annotations


class PumpjournalError(Exception):
    """Base class. ``exit_code`` is what the command line exits with; ``written`` is True when
    something was written before the error (then no "nothing was changed" ending is added)."""

    exit_code = 1
    ending: str | None = "Nothing was changed."

    def __init__(self, *args, written: bool = False):
        super().__init__(*args)
        self.written = written

    def ending_for(self, writes: bool) -> str | None:
        """What the exit point adds to the message of a command that ``writes`` (or not)."""
        return self.ending if writes and not self.written else None


class InputError(PumpjournalError, ValueError):
    """Bad input from a person or a file: nothing was changed (exit 2)."""

    exit_code = 2


class NotWritten(InputError):
    """An output file that cannot be written where it was asked for (a folder, a link, an
    existing file without --force): nothing was written (exit 2)."""

    ending = "Nothing was written."


class JournalError(PumpjournalError):
    """The journal (or a file of pumpjournal's) could not be read or written (exit 1)."""

    exit_code = 1


class OutputFailed(JournalError):
    """An output file (report, export, rejected rows) the disk failed to write (exit 1)."""

    ending = "Nothing was written."


class JournalCorrupt(JournalError):
    """The journal file exists but cannot be understood. It is never overwritten; the message
    says so (it was left untouched), so no other ending is added."""

    ending = None


class JournalLocked(JournalError):
    """Another process holds the journal's lock for longer than the wait allows."""
