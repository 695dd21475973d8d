"""Private, atomic files: the journal, its backups, reports, exports and reject files.

A file is written to a temporary name in its folder (mode 0600), flushed and fsynced, renamed
over the target, and the folder is fsynced: a crash leaves the old file or the new, never a mix.
Folders that do not exist yet are created 0700.
"""

from __future__ import annotations

import errno
import io
import os
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from .errors import InputError, JournalError

REASONS = {errno.ENOSPC: "the disk is full", errno.EROFS: "the folder is read-only",
           errno.EACCES: "permission denied", errno.EPERM: "permission denied",
           errno.EDQUOT: "the disk quota is used up"}


def reason(exc: OSError) -> str:
    return REASONS.get(exc.errno, exc.strerror or str(exc))


def make_folder(folder: Path) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for each in reversed(missing):
        try:
            os.mkdir(each, 0o700)
        except FileExistsError:  # another process made it a moment ago
            if not each.is_dir():
                raise


def fsync_folder(folder: Path) -> None:
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_writer(path: Path, replace: bool = True) -> Iterator[IO[bytes]]:
    """Yield a binary handle; on success its content replaces ``path`` atomically (0600).
    With ``replace=False`` an existing file is never replaced (FileExistsError), even if another
    process creates it meanwhile. On any error the target is untouched and the temporary file
    removed. Raises OSError."""
    folder = path.parent
    make_folder(folder)
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            _link_new(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_folder(folder)


def _link_new(tmp: Path, path: Path) -> None:
    """Put ``tmp`` at ``path`` only if nothing is there."""
    try:
        os.link(tmp, path)  # FileExistsError if the name is taken, even by a racing process
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename
        if path.exists():
            raise FileExistsError(path) from None
        os.replace(tmp, path)


def check_new(path: Path, force: bool) -> None:
    if path.is_dir():
        raise InputError(f"{path} is a folder; give a file name.")
    if path.exists() and not force:
        raise InputError(f"{path} already exists; use --force to replace it.")


@contextmanager
def private_text(path: Path, force: bool = False) -> Iterator[IO[str]]:
    """A UTF-8 text file created 0600, written atomically; refuses to replace without force."""
    check_new(path, force)
    try:
        with atomic_writer(path, replace=force) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            yield text
            text.flush()
            text.detach()
    except FileExistsError:
        raise InputError(f"{path} already exists; use --force to replace it.") from None
    except OSError as exc:
        raise JournalError(f"could not write {path}: {reason(exc)}. Nothing was written.") \
            from None


def write_private(path: Path, data: bytes, force: bool = True) -> None:
    """Write ``data`` to a new private file (see private_text)."""
    check_new(path, force)
    try:
        with atomic_writer(path) as handle:
            handle.write(data)
    except OSError as exc:
        raise JournalError(f"could not write {path}: {reason(exc)}. Nothing was written.") \
            from None
