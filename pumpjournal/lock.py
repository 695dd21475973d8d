"""The journal's inter-process lock (flock on ``<journal>.lock``, POSIX only) and how long to
wait for it. Below the store and the record of encrypted journals, which both take it."""

from __future__ import annotations

import errno
import math
import os
import stat
import time
from pathlib import Path

from .errors import InputError, JournalError, JournalLocked
from .files import O_NOFOLLOW, O_NONBLOCK, kind, make_folder, reason

LOCK_TIMEOUT = 10.0  # seconds; PUMPJOURNAL_LOCK_TIMEOUT changes it
MAX_LOCK_TIMEOUT = 86400.0


def lock_wait(value: float | None = None) -> float:
    """Seconds to wait for the lock: ``value``, else $PUMPJOURNAL_LOCK_TIMEOUT, else 10. Read
    when a lock is taken; anything but a positive finite number is an InputError."""
    if value is None:
        text = os.environ.get("PUMPJOURNAL_LOCK_TIMEOUT")
        if text is None:
            return LOCK_TIMEOUT
        try:
            value = float(text.strip())
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and 0 < value <= MAX_LOCK_TIMEOUT):
            shown = text[:20].encode("ascii", "backslashreplace").decode()
            raise InputError(f"PUMPJOURNAL_LOCK_TIMEOUT {shown!r} is not a number of seconds; "
                             f"use a positive number up to {MAX_LOCK_TIMEOUT:g}, such as 10.")
        return value
    value = float(value)
    if not (math.isfinite(value) and 0 <= value <= MAX_LOCK_TIMEOUT):
        raise InputError(f"the lock timeout must be 0 to {MAX_LOCK_TIMEOUT:g} seconds.")
    return value


class FileLock:
    """An exclusive lock on ``<journal>.lock`` (flock, POSIX only), holding the owner's pid for
    the timeout message. The file is opened without following a link and must be a regular
    file of its own."""

    def __init__(self, path: Path, timeout: float):
        self.path, self.timeout, self.fd = path, timeout, None

    def __enter__(self):
        try:
            make_folder(self.path.parent)
            # never through a link, never blocking on a pipe; a regular file only
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o600)
            info = os.fstat(self.fd)
            mode = info.st_mode
        except OSError as exc:
            if exc.errno == errno.ELOOP or os.path.islink(self.path):
                raise JournalError(f"the journal's lock file {self.path} is a symbolic link; "
                                   "pumpjournal does not follow it. Remove the link.") from None
            raise JournalError(f"could not open the journal's lock file {self.path}: "
                               f"{reason(exc)}.") from None
        if not stat.S_ISREG(mode) or info.st_nlink > 1:  # a hard link would write elsewhere
            os.close(self.fd)
            what = kind(mode) if not stat.S_ISREG(mode) else "a second name of another file"
            raise JournalError(f"the journal's lock file {self.path} is {what}, not a "
                               "regular file of its own; remove it.")
        deadline, pause = time.monotonic() + self.timeout, 0.002
        while not self._try():
            if time.monotonic() >= deadline:
                holder = os.pread(self.fd, 32, 0).decode(errors="replace").strip() or "unknown"
                os.close(self.fd)
                raise JournalLocked(
                    f"the journal is in use by another pumpjournal process (pid {holder}); "
                    f"waited {self.timeout:g} s; try again when it ends.")
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        pid = str(os.getpid()).ljust(12).encode()  # one write of a fixed width: a process
        os.pwrite(self.fd, pid, 0)  # that reads it sees the old pid or the new, never a mix
        if os.fstat(self.fd).st_size > len(pid):
            os.ftruncate(self.fd, len(pid))
        return self

    def _try(self) -> bool:
        import fcntl  # POSIX only (Linux, macOS), as the README says

        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def __exit__(self, *exc):
        os.close(self.fd)  # closing the descriptor releases the lock
