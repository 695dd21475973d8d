"""Private, atomic files: the journal, its backups, reports, exports and reject files.

A file is written to a new temporary file in its folder (created exclusively, mode 0600, never
through a symbolic link), flushed and fsynced, renamed over the target, and the folder is
fsynced: a crash leaves the old file or the new, never a mix. Only a missing name or a regular
file is ever replaced: a symbolic link, a pipe or a device at the target is refused. Folders that
do not exist yet are created 0700.

Temporary files are named ``.<name>.<pid>.<random>.tmp``, so the journal can recognise (and,
under its lock, remove) the ones a crashed write left behind.
"""

from __future__ import annotations

import errno
import io
import os
import re
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterable, Iterator

from .errors import InputError, NotWritten, OutputFailed
from .escape import quote

REASONS = {errno.ENOSPC: "the disk is full", errno.EROFS: "the folder is read-only",
           errno.EACCES: "permission denied", errno.EPERM: "permission denied",
           errno.EDQUOT: "the disk quota is used up", errno.ENAMETOOLONG: "the name is too long",
           errno.ENOTDIR: "a part of the path is not a folder",
           errno.ELOOP: "it is a symbolic link (or too many links)",
           errno.ENOENT: "the folder does not exist"}
# errors that say the path cannot be used (bad input: exit 2), not that the disk failed
PATH_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.ENAMETOOLONG, errno.ENOTDIR,
                         errno.ELOOP, errno.ENOENT, errno.EISDIR, errno.EROFS, errno.EEXIST})
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
# Linux and macOS: every step relative to one open folder, so a folder swapped for a link
# mid-write cannot redirect it. Elsewhere (Windows) the same steps by path.
AT = O_DIRECTORY != 0 and all(f in os.supports_dir_fd for f in (
    os.open, os.stat, os.rename, os.unlink, os.link))


def reason(exc: OSError) -> str:
    return REASONS.get(exc.errno, exc.strerror or str(exc))


def kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


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


def others_can_write(folder: Path) -> bool:
    """True when people other than the owner can create or replace files in ``folder``."""
    try:
        return os.name != "nt" and bool(os.stat(folder).st_mode & 0o022)
    except OSError:
        return False


# Temporary names ---------------------------------------------------------------------------


def _temp_stem(name: str) -> str:
    """The file's name in its temporary names; a long name is shortened (with a hash, so two
    long names stay apart) to keep the temporary name within the file system's limit."""
    if len(name.encode("utf-8", "surrogateescape")) <= 150:
        return name
    # 40 characters are at most 160 bytes; with the hash, the pid, the random part and the
    # suffixes a temporary or backup name stays within 255 bytes
    import hashlib

    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{name[:40]}~{digest}"


def temp_name(name: str) -> str:
    return f".{_temp_stem(name)}.{os.getpid()}.{os.urandom(6).hex()}.tmp"


def temp_pattern(name: str) -> re.Pattern:
    """The temporary names of ``name`` (this version's, and the older ``.<name>.<pid>.tmp``)."""
    return re.compile(rf"\.{re.escape(_temp_stem(name))}\.\d+(?:\.[0-9a-f]{{12}})?\.tmp")


def temp_files(folder: Path, names: Iterable[str] = (), match=None) -> list[Path]:
    """Temporary files in ``folder`` that belong to one of ``names`` (or whose name ``match``
    accepts)."""
    patterns = [temp_pattern(n) for n in names]
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.name.endswith(".tmp"):
            continue
        if any(p.fullmatch(entry.name) for p in patterns) or (match and match(entry.name)):
            found.append(folder / entry.name)
    return sorted(found)


def remove_files(paths: Iterable[Path]) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except OSError:
            pass


# Reading -----------------------------------------------------------------------------------


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file (the first ``limit`` of them). A pipe or device is refused
    at once (it is never read: a FIFO would hang, /dev/zero never ends). Raises OSError, and
    InputError for a file that is not regular."""
    fd = os.open(path, os.O_RDONLY | O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise InputError(f"{path} is {kind(mode)}, not a regular file.")
        with os.fdopen(fd, "rb") as handle:
            fd = None
            return handle.read() if limit is None else handle.read(limit)
    finally:
        if fd is not None:
            os.close(fd)


# Writing -----------------------------------------------------------------------------------


class _Folder:
    """An open folder: names inside it are created, checked and renamed relative to it."""

    def __init__(self, folder: Path, follow: bool):
        self.path = folder
        self.fd = None
        if AT:
            self.fd = os.open(folder, os.O_RDONLY | O_DIRECTORY | (0 if follow else O_NOFOLLOW))
        elif not follow and folder.is_symlink():
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(folder))

    def at(self, name: str) -> tuple[str, dict]:
        return (name, {"dir_fd": self.fd}) if self.fd is not None else (str(self.path / name), {})

    def lstat(self, name: str):
        target, kw = self.at(name)
        try:
            return os.stat(target, follow_symlinks=False, **kw)
        except FileNotFoundError:
            return None

    def create(self, name: str) -> int:
        target, kw = self.at(name)
        return os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | O_NOFOLLOW, 0o600, **kw)

    def unlink(self, name: str) -> None:
        target, kw = self.at(name)
        try:
            os.unlink(target, **kw)
        except FileNotFoundError:
            pass

    def rename(self, src: str, dst: str) -> None:
        if self.fd is None:
            os.replace(self.path / src, self.path / dst)
        else:
            os.replace(src, dst, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def link_new(self, src: str, dst: str) -> None:
        """Put ``src`` at ``dst`` only if nothing (not even a link) is there."""
        try:
            if self.fd is None:
                os.link(self.path / src, self.path / dst)
            else:
                os.link(src, dst, src_dir_fd=self.fd, dst_dir_fd=self.fd, follow_symlinks=False)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: check, then rename
            if self.lstat(dst) is not None:
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), dst) from None
            self.rename(src, dst)

    def sync(self) -> None:
        if os.name == "nt":
            return
        fd = self.fd if self.fd is not None else os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            if fd != self.fd:
                os.close(fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)


def _check_replaceable(folder: _Folder, name: str) -> None:
    info = folder.lstat(name)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise NotWritten(f"{folder.path / name} is {kind(info.st_mode)}, not a regular file; "
                         "pumpjournal replaces only regular files.")


@contextmanager
def atomic_writer(path: Path, replace: bool = True,
                  follow_folder: bool = True) -> Iterator[IO[bytes]]:
    """Yield a binary handle; on success its content replaces ``path`` atomically (0600).
    With ``replace=False`` an existing file is never replaced (FileExistsError), even if another
    process creates it meanwhile. Only a regular file is ever replaced (InputError otherwise).
    With ``follow_folder=False`` the folder itself must not be a symbolic link. On any error the
    target is untouched and the temporary file removed. Raises OSError."""
    make_folder(path.parent)
    folder = _Folder(path.parent, follow_folder)
    try:
        name, tmp = path.name, temp_name(path.name)
        if replace:
            _check_replaceable(folder, name)
        fd = folder.create(tmp)
        try:
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            if replace:
                _check_replaceable(folder, name)
                folder.rename(tmp, name)
            else:
                folder.link_new(tmp, name)
        finally:
            folder.unlink(tmp)
        folder.sync()
    finally:
        folder.close()


def output_path(text: str, what: str = "--output") -> Path:
    """The file a person named for pumpjournal to write. A name ending in a folder separator
    names a folder, never a file to create under the folder's name."""
    if text.endswith(("/", os.sep)) or text in (".", ".."):
        raise NotWritten(f"{what} {quote(text)} names a folder; name a file in it instead.")
    return Path(text).expanduser()


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` are one file: the same resolved path, or the same inode."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _refused(message: str) -> InputError:
    return NotWritten(message)


def check_new(path: Path, force: bool, protected: Iterable[tuple[Path, str]] = ()) -> None:
    """Refuse, before anything is written, an output path that cannot be used: a folder, a
    link, a pipe or device, a missing or unwritable folder, a name too long, an existing file
    without ``force``, or one of the ``protected`` (path, what it is) files even with it."""
    for other, what in protected:
        if same_file(path, other):
            raise _refused(f"{path} is {what}; choose another file name.")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise _refused(f"cannot write {path}: {reason(exc)}.") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise _refused(f"{path} is a folder; give a file name.")
        if stat.S_ISLNK(info.st_mode):
            raise _refused(f"{path} is a symbolic link; pumpjournal does not write through "
                             "links: give the file's own path, or another name.")
        if not stat.S_ISREG(info.st_mode):
            raise _refused(f"{path} is {kind(info.st_mode)}, not a regular file; give "
                             "another file name.")
        if not force:
            raise _refused(f"{path} already exists; use --force to replace it.")
    check_folder(path)


def check_folder(path: Path) -> None:
    """The folder ``path`` would be written in exists, is a folder and can be written to."""
    folder = path.parent
    try:
        folder_mode = os.stat(folder).st_mode
    except FileNotFoundError:
        raise _refused(f"the folder {folder} does not exist; create it first or choose "
                       "another name.") from None
    except OSError as exc:
        raise _refused(f"cannot write {path}: {reason(exc)}.") from None
    if not stat.S_ISDIR(folder_mode):
        raise _refused(f"cannot write {path}: {folder} is not a folder.")
    if os.name != "nt" and not os.access(folder, os.W_OK | os.X_OK):
        raise _refused(f"cannot write {path}: permission denied in {folder}.")


def output_error(path: Path, exc: OSError, what: str = "") -> Exception:
    """The error for a failed write of an output file: a path that cannot be used is bad input
    (exit 2); a disk that fails is exit 1. Either way nothing was written."""
    label = f"the {what} {path}" if what else str(path)
    if isinstance(exc, FileExistsError):
        return NotWritten(f"{path} already exists; use --force to replace it.")
    if exc.errno in PATH_ERRNOS:
        return NotWritten(f"cannot write {label}: {reason(exc)}.")
    return OutputFailed(f"could not write {label}: {reason(exc)}.")


@contextmanager
def private_text(path: Path, force: bool = False,
                 protected: Iterable[tuple[Path, str]] = ()) -> Iterator[IO[str]]:
    """A UTF-8 text file created 0600, written atomically; refuses to replace without force,
    and never replaces one of ``protected``."""
    check_new(path, force, protected)
    try:
        with atomic_writer(path, replace=force) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            yield text
            text.flush()
            text.detach()
    except OSError as exc:
        raise output_error(path, exc) from None


def numbered(path: Path, n: int) -> Path:
    """``rows-rejects.csv``, ``rows-rejects-2.csv``, ``rows-rejects-3.csv``, ..."""
    return path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")


def write_private(path: Path, data: bytes, force: bool = False, renumber: bool = False,
                  protected: Iterable[tuple[Path, str]] = ()) -> Path:
    """Write ``data`` to a new private file, atomically, and return its path. An existing file
    is replaced only with ``force`` (and never one of ``protected``); with ``renumber`` a taken
    name gives way to the next free numbered one."""
    protected = list(protected)
    for n in range(1, 10_000):
        target = numbered(path, n)
        try:
            check_new(target, force and not renumber, protected)
        except InputError:
            if renumber and os.path.lexists(target):
                continue
            raise
        try:
            with atomic_writer(target, replace=force and not renumber) as handle:
                handle.write(data)
            return target
        except FileExistsError:
            if renumber:
                continue
            raise output_error(target, FileExistsError()) from None
        except OSError as exc:
            raise output_error(target, exc) from None
    raise InputError(f"too many files named like {path}; choose another name.")
