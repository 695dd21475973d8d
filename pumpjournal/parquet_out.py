"""The Parquet export: a Hive-partitioned dataset, one folder per participant.

    DIR/participant=p001/part-0.parquet
    DIR/participant=p002/part-0.parquet

One row per reading, the columns of the CSV export without ``patient``: the participant is
the partition (the folder's name), not a column inside the files. Every file has the same
schema (``SCHEMA``), so a column a participant never filled in still has its type. DuckDB,
Polars, pandas (pyarrow) and Spark read the folder as one table with a ``participant``
column.

pyarrow is an optional extra (``pip install 'pumpjournal[parquet]'``), imported only here and
only when the export runs. The dataset is built in a temporary folder beside DIR and renamed
into place at the end, so DIR is never half written; one participant's rows are in memory at
a time (in batches of ``BATCH`` rows). Folders are 0700, files 0600.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import sys
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError, NotWritten, OutputFailed
from .escape import quote
from .files import PATH_ERRNOS, check_folder, kind, reason, same_file, temp_name

INSTALL = "pip install 'pumpjournal[parquet]'"
PARTITION = "participant"
FILE_NAME = "part-{n}.parquet"
BATCH = 65_536  # rows per row group: one participant's rows are written in batches this size
_PART_DIR = re.compile(re.escape(PARTITION) + r"=[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_PART_FILE = re.compile(r"part-\d+\.parquet")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)

# (column, Arrow type name, what it holds): the export's columns without ``patient``
COLUMNS = (
    ("date", "date32", "the day (a date)"),
    ("time", "string", "the reading's time, HH:MM on the 24-hour clock; null: not recorded"),
    ("utc_offset", "string", "the offset of that time, +HH:MM"),
    ("pain", "int8", "pain now, 0-10"),
    ("worst", "int8", "the day's worst pain over 24 hours, 0-10 (on each reading of the day)"),
    ("least", "int8", "the day's least pain over 24 hours, 0-10 (on each reading of the day)"),
    ("average", "int8", "the day's average pain over 24 hours, 0-10 (on each reading of the "
                        "day)"),
    ("symptoms", "list<string>", "checklist ids noticed at the reading"),
    ("worse", "list<string>", "checklist ids that got worse"),
    ("temperature", "string", "the temperature as typed (37.9, 100.4F)"),
    ("temperature_c", "double", "the temperature in degrees Celsius"),
    ("temperature_site", "string", "where it was taken"),
    ("boluses", "int16", "patient-activated doses"),
    ("sleep", "double", "hours slept (the day's)"),
    ("mood", "int8", "mood 0-10 (the day's)"),
    ("impression", "int8", "impression of change since before the pump, 1-7 (the day's)"),
    ("note", "string", "the reading's note, exactly as written"),
    ("questions", "list<string>", "the day's questions for the care team"),
    ("contacted", "bool", "whether the care team was contacted about the signs"),
    ("logged_at", "timestamp[us, UTC]", "when the reading was first saved; null: not known"),
    ("updated_at", "timestamp[us, UTC]", "the row's last change"),
)


def _pyarrow():
    """pyarrow and pyarrow.parquet, or the error that says how to install them."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise NotWritten(f"the Parquet export needs pyarrow, which is not installed; install "
                         f"it with: {INSTALL}") from None
    return pyarrow, pyarrow.parquet


def check_available() -> None:
    """Raise the install hint now (before a journal is read) when pyarrow is missing."""
    _pyarrow()


def schema():
    """The Arrow schema of every file (without the partition column)."""
    pa, _ = _pyarrow()
    types = {"date32": pa.date32(), "string": pa.string(), "int8": pa.int8(),
             "int16": pa.int16(), "double": pa.float64(), "bool": pa.bool_(),
             "list<string>": pa.list_(pa.string()),
             "timestamp[us, UTC]": pa.timestamp("us", tz="UTC")}
    return pa.schema([pa.field(name, types[kind], metadata={"description": about})
                      for name, kind, about in COLUMNS],
                     metadata={"pumpjournal": "one row per reading; partitioned by "
                                              "participant"})


def _table(pa, schema, rows: list[dict]):
    """One batch of export rows as a table of ``schema``; text dates and stamps are cast by
    Arrow (ISO 8601 with an offset becomes UTC). A value that does not fit its column (a
    journal edited by hand: pain 300) is an InputError naming the column."""
    from operator import itemgetter

    columns = zip(*map(itemgetter(*schema.names), rows))  # the rows turned into columns
    arrays = []
    for field, values in zip(schema, columns):
        try:
            if pa.types.is_date(field.type) or pa.types.is_timestamp(field.type):
                arrays.append(pa.array(values, pa.string()).cast(field.type))
            else:
                arrays.append(pa.array(values, field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            raise NotWritten(f"the journal holds a {field.name} value that does not fit the "
                             f"Parquet column ({field.type}); `pumpjournal doctor` finds the "
                             "entry.") from None
    return pa.Table.from_arrays(arrays, schema=schema)


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


# The output folder ---------------------------------------------------------------------------


def output_folder(text: str) -> Path:
    """The folder a person named for the dataset (a trailing / is fine: it is a folder)."""
    if text == "-":
        raise InputError("a Parquet export is a folder of files, not a stream; give "
                         "--output DIR (a new or empty folder).")
    path = Path(text.rstrip("/" + os.sep) or text).expanduser()
    if path.name in ("", ".", ".."):
        raise NotWritten(f"--output {quote(text)} cannot be replaced by a new folder; name a "
                         "new or empty folder, e.g. exports/study.")
    return path


def is_export(folder: Path) -> bool:
    """True when ``folder`` holds only what this export writes: ``participant=ID`` folders
    with ``part-N.parquet`` files in them. Only such a folder is replaced by --force."""
    try:
        with os.scandir(folder) as top:
            for entry in top:
                if not (_PART_DIR.fullmatch(entry.name) and entry.is_dir(follow_symlinks=False)):
                    return False
                with os.scandir(entry.path) as inner:
                    for item in inner:
                        if not (_PART_FILE.fullmatch(item.name)
                                and item.is_file(follow_symlinks=False)):
                            return False
    except OSError:
        return False
    return True


def check_target(target: Path, force: bool, protected: Iterable[tuple[Path, str]] = ()) -> bool:
    """Refuse, before anything is written, a folder that cannot take the dataset. Returns
    True when an earlier export is there to be replaced (with ``force``)."""
    for other, what in protected:
        if same_file(target, other):
            raise NotWritten(f"{target} is {what}; choose another folder.")
        if os.path.realpath(other).startswith(os.path.realpath(target).rstrip(os.sep) + os.sep):
            raise NotWritten(f"{target} holds {what}; choose another folder.")
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise NotWritten(f"cannot write {target}: {reason(exc)}.") from None
    replace = False
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise NotWritten(f"{target} is a symbolic link; pumpjournal does not write "
                             "through links: give the folder's own path, or another name.")
        if not stat.S_ISDIR(info.st_mode):
            raise NotWritten(f"{target} is {_what(info.st_mode)}; a Parquet export is a folder: "
                             "give a new or empty folder.")
        try:
            empty = not any(os.scandir(target))
        except OSError as exc:
            raise NotWritten(f"cannot write {target}: {reason(exc)}.") from None
        if not empty:
            if not is_export(target):
                raise NotWritten(f"{target} holds files that are not a pumpjournal Parquet "
                                 "export; pumpjournal replaces only a folder it wrote, even "
                                 "with --force: give a new or empty folder.")
            if not force:
                raise NotWritten(f"{target} already holds a Parquet export; use --force to "
                                 "replace it.")
            replace = True
    check_folder(target)
    return replace


def _what(mode: int) -> str:
    return "a file" if stat.S_ISREG(mode) else kind(mode)


def _fsync_folder(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where the
    system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        call = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_cwd, exchange = -100, 2
    if call(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _put_in_place(built: Path, target: Path, replace: bool) -> Path | None:
    """Rename the finished dataset to ``target``. An earlier export there (``replace``) is
    swapped out in one step where the system can (else in two renames, a moment apart) and
    its path returned, to be removed."""
    if not replace:
        os.rename(built, target)  # over a missing or empty folder; a folder filled meanwhile
        return None               # makes this fail (ENOTEMPTY), and nothing is replaced
    if _exchange(built, target):
        return built
    old = target.with_name(temp_name(target.name))
    os.rename(target, old)
    try:
        os.rename(built, target)
    except OSError:
        os.rename(old, target)
        raise
    return old


# Writing -------------------------------------------------------------------------------------


def write_dataset(target: Path, people: Iterable[tuple[str, Iterable[dict]]], *,
                  force: bool = False, protected: Iterable[tuple[Path, str]] = ()) -> dict:
    """Write the dataset to the folder ``target``: for each (participant, rows) of ``people``
    (rows as ``transfer.export_rows`` gives them; a participant without rows gets no folder),
    ``participant=ID/part-0.parquet``. ``target`` must be new or empty, or with ``force`` an
    earlier export (``is_export``); never one of ``protected``. Returns {"readings",
    "participants"}. Raises InputError (bad target, pyarrow missing: nothing written) or
    OutputFailed (the disk failed: nothing written)."""
    pa, pq = _pyarrow()
    target = Path(target)
    replace = check_target(target, force, list(protected))
    fields = schema()
    built = target.with_name(temp_name(target.name))
    counts = {"readings": 0, "participants": 0}
    old = None
    try:
        os.mkdir(built, 0o700)
        for person, rows in people:
            written = _write_person(pa, pq, fields, built, person, rows)
            counts["readings"] += written
            counts["participants"] += written > 0
        _fsync_folder(built)
        old = _put_in_place(built, target, replace)
        _fsync_folder(target.parent)
    except OSError as exc:
        raise _failed(target, exc) from None
    finally:
        for leftover in (built, old):
            if leftover is not None and os.path.lexists(leftover):
                shutil.rmtree(leftover, ignore_errors=True)
    return counts


def _write_person(pa, pq, fields, root: Path, person: str, rows: Iterable[dict]) -> int:
    """One participant's folder and file (none without rows); returns the rows written."""
    written, writer, handle = 0, None, None
    try:
        for batch in _batches(rows, BATCH):
            if writer is None:
                folder = root / f"{PARTITION}={person}"
                os.mkdir(folder, 0o700)
                fd = os.open(folder / FILE_NAME.format(n=0),
                             os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
                handle = os.fdopen(fd, "wb")
                writer = pq.ParquetWriter(handle, fields)
            writer.write_table(_table(pa, fields, batch))
            written += len(batch)
        if writer is not None:
            writer.close()
            writer = None
            handle.flush()
            os.fsync(handle.fileno())
            _fsync_folder(folder)
    finally:
        if writer is not None:
            writer.close()
        if handle is not None:
            handle.close()
    return written


def _failed(target: Path, exc: OSError) -> Exception:
    if exc.errno == errno.ENOTEMPTY or exc.errno == errno.EEXIST:
        return NotWritten(f"{target} was filled by something else while the export ran; "
                          "nothing was replaced.")
    if exc.errno in PATH_ERRNOS:
        return NotWritten(f"cannot write {target}: {reason(exc)}.")
    return OutputFailed(f"could not write {target}: {reason(exc)}.")
