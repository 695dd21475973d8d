"""Bulk import and export for researchers: CSV, JSON, JSONL in; CSV, JSON, JSONL, FHIR out
(Parquet and REDCap out: ``parquet_out`` and ``redcap``, fed by ``people_rows``).

One row is one reading: a person, a date, the reading's time (empty: not recorded) and what was
noticed then, with the day's own values (the 24-hour scores, sleep, mood, questions) repeated on
each row of the day. Every row is validated with the same rules as ``log``, first on its own
without the journal (``check_rows``), then against the journal's days (``merge_rows``). By
default nothing is written if any row is bad; ``import_into`` checks the rows without the
journal's lock and holds it only to merge them into the journal as it is then and write it
once. Exports stream: one row at a time from the loaded journal, never a second copy of it.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time as dt_time
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

from . import model
from . import symptoms as cat
from .dates import STORED_DAY, in_range, parse_time
from .errors import InputError
from .queries import choose_patient
from .escape import json_safe, quote, shorten

FORMATS_IN = ("csv", "json", "jsonl")
FORMATS_OUT = ("csv", "jsonl", "json", "fhir", "parquet", "redcap")
STREAM_FORMATS = ("csv", "jsonl", "json", "fhir")  # what ``export`` writes to a text stream
CONFLICT = ("fail", "skip", "update")
# The columns of an export (and of the import template), in order: one row per reading; the
# day's own values (worst, least, average, sleep, mood, impression, questions) repeat on each
# of its rows.
COLUMNS = ("patient", "date", "time", "utc_offset", "pain", "worst", "least", "average",
           "symptoms", "worse", "temperature", "temperature_c", "temperature_site", "boluses",
           "sleep", "mood", "impression", "note", "questions", "contacted", "logged_at",
           "updated_at")
ALIASES = {"participant_id": "patient", "participant": "patient", "patient_id": "patient",
           "subject": "patient", "subject_id": "patient", "day": "date", "pain_now": "pain",
           "pain_worst": "worst", "pain_least": "least", "pain_average": "average",
           "temp": "temperature", "question": "questions", "notes": "note",
           "reading_time": "time", "time_of_reading": "time", "offset": "utc_offset",
           "tz_offset": "utc_offset", "timezone_offset": "utc_offset", "pgic": "impression",
           "impression_of_change": "impression"}
DAY_VALUES = model.DAY_VALUES
READING_KEYS = model.READING_KEYS  # a stored reading's keys, in order
ERROR_COLUMN = "_error"  # written in reject files; ignored on import
ROW_COLUMN = "_row"  # the source row of a rejected row, in reject files; ignored on import
REJECT_COLUMNS = (ROW_COLUMN, ERROR_COLUMN)
# The longest cell each field takes (characters; a list: items): a longer one is a row error,
# found before anything else reads it. A note's limit is the model's, counted after its line
# ends become \n, so here only a note over twice as long is cut short.
CELL_LIMITS = {"note": 5000, "questions": 10000}
CELL_LIMIT = 1000
# csv's own limit on a field (128 KiB by default) would stop the whole file at one long cell;
# raised (never lowered) so a long cell reaches the row check above. 2**31 - 1 fits a C long
# everywhere (sys.maxsize does not, on Windows).
CSV_FIELD_LIMIT = 2**31 - 1
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FREE_TEXT = ("note", "questions")  # a row error never quotes these cells (health data)
QUESTION_SEP = "\n"
_TRUE, _FALSE = {"1", "yes", "y", "true", "x"}, {"0", "no", "n", "false", ""}


@dataclass
class RowError:
    row: int
    column: str
    value: object
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {shorten(self.column, 40)}" if self.column else "")
        value = "" if self.value is None else f" {quote(self.value, 40)}"
        return f"{where}{value}: {self.message}"

    def reject_text(self) -> str:
        """The problem as the reject file's ``_error`` says it (its row is in ``_row``)."""
        return (f"column {shorten(self.column, 40)}: " if self.column else "") + self.message

    def to_json(self) -> dict:
        value = self.value
        if not (value is None or isinstance(value, (bool, int, float))):
            value = str(value)[:100]  # the rejects file holds the whole row
        return {"row": self.row, "column": self.column, "value": value,
                "error": self.message}


@dataclass
class ImportResult:
    """What an import did, counted in rows (readings); the warning signs are counted in days."""

    rows: int = 0  # rows read, those --where filtered out included
    filtered: int = 0  # rows --where left out (not errors)
    imported: int = 0  # rows that added a reading (to a new day or to a day already there)
    updated: int = 0  # rows that changed a reading or the day's values already there
    unchanged: int = 0  # rows equal to what is stored (--on-conflict update)
    skipped: int = 0  # rows whose reading is there already (--on-conflict skip)
    rejected: int = 0  # rows (a row may have several problems, each in ``errors``)
    warning_signs: int = 0  # days (entries) with an URGENT or EMERGENCY sign, as imported
    emergency: int = 0  # of them, days whose top level is EMERGENCY
    urgent: int = 0  # and URGENT
    ignored_columns: list[str] = field(default_factory=list)
    symptom_columns: dict[str, str] = field(default_factory=dict)  # column -> symptom id (0/1)
    errors: list[RowError] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    rejects_file: str | None = None
    rules_failed: bool = False  # the warning signs could not be counted (rows still went in)

    def to_json(self) -> dict:
        return {"rows": self.rows, "filtered": self.filtered, "imported": self.imported,
                "updated": self.updated,
                "unchanged": self.unchanged, "skipped": self.skipped,
                "rejected": self.rejected, "warning_signs": self.warning_signs,
                "emergency": self.emergency, "urgent": self.urgent,
                "ignored_columns": self.ignored_columns,
                "symptom_columns": self.symptom_columns,
                "errors": [e.to_json() for e in self.errors], "written": self.written,
                "dry_run": self.dry_run, "rejects_file": self.rejects_file}


# Reading ------------------------------------------------------------------------------------


def _check_format(given: str, formats: tuple[str, ...], what: str) -> str:
    """A format named by --format or a file's suffix (``ndjson`` is jsonl)."""
    fmt = str(given).strip().lower().lstrip(".")
    fmt = {"ndjson": "jsonl"}.get(fmt, fmt)
    if fmt not in formats:
        raise InputError(f"unknown {what} format {quote(given)}; use {', '.join(formats)}.")
    return fmt


def check_format_in(given: str) -> str:
    return _check_format(given, FORMATS_IN, "import")


def check_format_out(given: str) -> str:
    return _check_format(given, FORMATS_OUT, "export")


# Opening an import source ---------------------------------------------------------------

def open_input(source: str):
    """A text stream for a file or - (stdin), reading UTF-8 with or without a byte-order mark."""
    if source == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
    try:
        stream = open(source, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError(f"no such file: {source}.") from None
    except IsADirectoryError:
        raise InputError(f"{source} is a folder, not a file.") from None
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}.") from None
    mode = os.fstat(stream.fileno()).st_mode
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):  # /dev/zero would be read without end
        stream.close()
        raise InputError(f"{source} is a device, not a file; give a file, or - for standard "
                         "input.")
    return stream


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``--map COLUMN=FIELD`` pairs as {column: field}."""
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise InputError(f"--map {quote(pair)} is not COLUMN=FIELD (e.g. --map "
                             "'Pain score=pain').")
        mapping[column.strip()] = target.strip()
    return mapping


def import_patient(view, option: str | None) -> str | None:
    """The person for rows without a patient column (None: the journal holds several)."""
    try:
        return choose_patient(view, option)
    except InputError:
        if option:
            raise
        return None


class Rows:
    """The records of a file, with the format they came in (CSV cells are all text) and, once
    read, a CSV file's ``header`` (checked even when no row follows it)."""

    def __init__(self, records: Iterator[tuple[int, dict]], fmt: str):
        self.records, self.format = records, fmt
        self.header: list[str] | None = None

    def __iter__(self):
        return self.records


def read_rows(stream, fmt: str, delimiter: str = ",", name: str | None = None) -> Rows:
    """(row number as a person would count it, raw values) for each record in ``stream``, an
    open text file (``open(path, newline="")``) or a path, read as UTF-8 with or without a
    byte-order mark. Text that is not UTF-8, or CSV that cannot be read, is an InputError
    naming ``name`` (by default the file's name), raised as the rows are read."""
    fmt = check_format_in(fmt)
    if isinstance(stream, (str, os.PathLike)):
        path = os.fspath(stream)
        opened = open_input(path)
        rows = read_rows(opened, fmt, delimiter, name or path)
        rows.records = _closing(rows.records, opened)
        return rows
    if name is None:
        name = getattr(stream, "name", None)
        name = name if isinstance(name, str) and not name.startswith("<") else "the input"
    rows = Rows(iter(()), fmt)
    rows.records = _readable(_records(stream, fmt, delimiter, rows), name)
    return rows


def _closing(records, stream):
    """The records of a file read_rows opened itself, closing it when they end."""
    with stream:
        yield from records


def _readable(records: Iterator[tuple[int, dict]], name: str) -> Iterator[tuple[int, dict]]:
    """The records, with a decoding or CSV error turned into an InputError for a person."""
    try:
        yield from records
    except UnicodeDecodeError:
        raise InputError(f"{name} is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in a "
                         "spreadsheet).") from None
    except csv.Error as exc:
        raise InputError(f"{name} is not readable CSV: {exc}.") from None


ONE_LINE = ("the file is one line holding the two characters \\n where its rows should end "
            "(CrisisCore pain-tracker writes its CSV so); turn them into line ends first, as "
            "the README's \"Importing other apps' exports\" shows.")


def _csv_records(reader, into: Rows, one_line: bool) -> Iterator[tuple[int, dict]]:
    header = next(reader, None)
    if header is None:
        raise InputError("the file is empty: a CSV import needs a header row naming the "
                         "columns (see `pumpjournal import --template`).")
    header = [h.lstrip("\ufeff").strip() for h in header]
    twice = next((h for n, h in enumerate(header) if h and h in header[:n]), None)
    if twice is not None:
        if one_line:
            raise InputError(ONE_LINE)
        raise InputError(f"the header names the column {quote(twice)} twice, so it is not "
                         "clear which cells to use; rename or remove one of them.")
    into.header = header
    found = False
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        found = True
        if len(row) > len(header):
            yield number, {"\0extra": row[len(header):], **dict(zip(header, row))}
        else:
            yield number, dict(zip(header, row))
    if one_line and not found:
        raise InputError(ONE_LINE)


def _records(stream: IO[str], fmt: str, delimiter: str, into: Rows
             ) -> Iterator[tuple[int, dict]]:
    if fmt == "csv":
        if len(delimiter) != 1:
            raise InputError(f"--delimiter must be one character; got {quote(delimiter)}.")
        if csv.field_size_limit() < CSV_FIELD_LIMIT:
            csv.field_size_limit(CSV_FIELD_LIMIT)  # a long cell is a row error (RowParser)
        # the first line, looked at once: a file of one line holding "\n" is a known export
        first = stream.readline()
        one_line = "\\n" in first
        # strict: a stray or unclosed quote is an error, never a cell quietly read some way
        reader = csv.reader(itertools.chain((first,), stream) if first else stream,
                            delimiter=delimiter, strict=True)
        try:
            yield from _csv_records(reader, into, one_line)
        except csv.Error as exc:  # a quote out of place (other errors: _readable)
            if one_line and reader.line_num <= 1:
                raise InputError(ONE_LINE) from None
            if "end of data" not in str(exc) and '"' not in str(exc):
                raise
            what = ("a quote is never closed" if "end of data" in str(exc)
                    else "a quote is not where a cell starts or ends")
            raise InputError(f"the CSV is broken at line {reader.line_num}: {what}. Put quotes "
                             "around the whole cell and write a quote inside it twice "
                             "(\"\").") from None
    elif fmt == "jsonl":
        for number, line in enumerate(stream, start=1):
            if line.strip():
                yield number, _json_object(line, number)
    else:
        text = stream.read().lstrip("\ufeff")
        try:
            data = json.loads(text, object_pairs_hook=_pairs) if text.strip() else None
        except (ValueError, RecursionError) as exc:
            raise InputError(f"the file is not valid JSON ({_json_problem(exc)}).") from None
        if isinstance(data, dict) and isinstance(data.get("entries"), list):
            data = data["entries"]
        if not isinstance(data, list):
            raise InputError("a JSON import is an array of objects, one per reading "
                             "(or JSONL: one object per line).")
        for number, item in enumerate(data, start=1):
            yield number, item if isinstance(item, dict) else {"\0bad": item}


def _json_problem(exc: Exception) -> str:
    """What is wrong with JSON text, in words that quote none of it."""
    if isinstance(exc, RecursionError):
        return "it is nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    return "it holds a number too long to read"  # int() refuses more than 4,300 digits


def _pairs(pairs: list) -> dict:
    """A JSON object; one that names a key twice is a row problem, never "the last one wins"."""
    item = dict(pairs)
    if len(item) < len(pairs):
        seen: set = set()
        twice = next(k for k, _ in pairs if k in seen or seen.add(k))
        return {"\0bad": f"the key {quote(twice)} is given twice"}
    return item


def _json_object(line: str, number: int) -> dict:
    try:
        item = json.loads(line, object_pairs_hook=_pairs)
    except (ValueError, RecursionError) as exc:
        return {"\0bad": f"not valid JSON ({_json_problem(exc)})"}
    return item if isinstance(item, dict) else {"\0bad": item}


@dataclass
class Columns:
    """How the file's columns map to entry fields; built once from the first row's keys."""

    fields: dict[str, str]  # column -> field
    wide: dict[str, str]  # column -> symptom id (one 0/1 column per symptom)
    ignored: list[str]


def plan_columns(names: Iterable[str], mapping: dict[str, str], ignore: set[str],
                 ignore_extra: bool, require: bool = True, consumed: Iterable[str] = ()
                 ) -> Columns:
    """Map column names to fields. ``require``: a CSV header must name date and pain.
    ``consumed``: columns an option reads (--where), never unknown: dropped unless they
    name a field."""
    fields, wide, ignored, unknown = {}, {}, [], []
    for name in names:
        if name.startswith("\0"):
            continue
        key = mapping.get(name, name).strip()
        norm = key.lower().replace(" ", "_")
        norm = ALIASES.get(norm, norm)
        if name in ignore or name in REJECT_COLUMNS or norm in REJECT_COLUMNS:
            if name not in REJECT_COLUMNS:
                ignored.append(name)
        elif norm in COLUMNS:
            if norm in fields.values():
                raise InputError(f"two columns map to the field '{norm}'; rename one with "
                                 "--map or drop it with --ignore-column.")
            fields[name] = norm
        elif cat.normalise_id(key) in cat.BY_ID:
            wide[name] = cat.normalise_id(key)
        elif ignore_extra or name in consumed:
            ignored.append(name)
        else:
            unknown.append(name)
    if unknown:
        bound = ""
        if wide:  # columns read as checklist items by their names are named too
            bound = (f" ({', '.join(quote(c) for c in wide)} {'are' if len(wide) > 1 else 'is'}"
                     f" read as 0/1 symptom column{'s' if len(wide) > 1 else ''} by name)")
        raise InputError(
            f"column{'s' if len(unknown) > 1 else ''} {', '.join(quote(u) for u in unknown)} "
            f"map{'' if len(unknown) > 1 else 's'} to no field{bound}. Known fields: "
            f"{', '.join(COLUMNS)}, or a symptom id as a 0/1 column. Rename with "
            "--map COLUMN=FIELD, or drop with --ignore-column NAME or --ignore-extra.")
    if require and ("pain" not in fields.values() or "date" not in fields.values()):
        missing = [f for f in ("date", "pain") if f not in fields.values()]
        raise InputError(f"the file has no {' or '.join(missing)} column; every day needs "
                         "a date and pain now on its first reading (rename a column with --map "
                         "COLUMN=FIELD).")
    return Columns(fields, wide, ignored)


def _unformula(value: str) -> str:
    """Undo export's protection of cells that begin like a spreadsheet formula."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START + ("'",):
        return value[1:]
    return value


def _questions(value) -> list:
    """A list, or one question per line; a CSV cell holding a JSON list (questions that span
    lines) is read as that list."""
    if isinstance(value, list):
        if not all(isinstance(q, str) for q in value):
            raise InputError("questions must be text: a list of strings, or one per line")
        return value
    text = _text(value, "questions")
    if text.startswith("["):
        try:
            items = json.loads(text)
            if isinstance(items, list) and all(isinstance(q, str) for q in items):
                return items
        except ValueError:
            pass
    return text.split(QUESTION_SEP)


def _stamp(value) -> str:
    """A time stamp as stored: ISO 8601 with its UTC offset, in the years a journal holds."""
    try:
        stamp = datetime.fromisoformat(_text(value, "the time stamp"))
    except ValueError:  # its message would repeat the whole cell
        stamp = None
    if stamp is None or stamp.tzinfo is None:
        raise InputError("not an ISO 8601 date and time with its offset, e.g. "
                         "2026-11-24T20:15:00+01:00")
    in_range(stamp.date(), "the time stamp")
    return stamp.isoformat()


_OFFSET_IN = re.compile(r"([+-])([01][0-9]|2[0-3]):?([0-5][0-9])", re.ASCII)


def parse_offset(value) -> str:
    """A reading's UTC offset as stored, ``+HH:MM``: from ``+01:00``, ``-0500`` or ``Z``."""
    text = _text(value, "utc_offset").strip()
    if text.upper() in ("Z", "UTC"):
        return "+00:00"
    match = _OFFSET_IN.fullmatch(text)
    if not match:
        raise InputError("a UTC offset is +HH:MM or -HH:MM (e.g. +01:00 or -05:00), or Z for "
                         "UTC")
    return f"{match[1]}{match[2]}:{match[3]}"


def _text(value, name: str) -> str:
    """A cell meant as text: a JSON object, list or true/false there is a row problem, never
    stored as its Python spelling."""
    if isinstance(value, (dict, list, bool)):
        raise InputError(f"{name} must be text, not {type(value).__name__}")
    return str(value)


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("use 1 or 0 (yes/no, true/false)")


_DAY_FIELDS = frozenset(("patient", "date") + DAY_VALUES)  # the rest is the reading's


class RowParser:
    """Rows to checked values (one reading and the day's own values), with the same rules as
    `log`. Each distinct cell value of a column is checked once: a 100,000-row diary repeats
    its scores, dates, times and symptoms. CSV rows share the header's columns; JSON objects
    may each have their own keys.

    ``value_map`` ({column: {from: to}}, "*" for every column) reads a cell as another value
    before it is checked; ``where`` ({column: values}) keeps only rows whose cell is one of
    the values (``keeps``). Both compare the cell exactly (case counts) after stripping its
    surrounding spaces, and see the file's own cells. ``default_patient`` may be a callable,
    asked once, when a row without a patient needs it."""

    def __init__(self, fmt: str, mapping: dict[str, str], ignore: set[str], ignore_extra: bool,
                 default_patient, date_format, today: date, stamp: str,
                 value_map: dict[str, dict[str, str]] | None = None,
                 where: dict[str, frozenset[str]] | None = None):
        self.csv = fmt == "csv"
        self.options = (mapping, ignore, ignore_extra)
        self._default = default_patient
        self.default_used = False  # whether rows were given the default person
        self.date_format, self.today, self.stamp = date_format, today, stamp
        self.plans: dict[tuple, tuple[Columns, list, bool]] = {}
        self.memos: dict[tuple[str, str], dict] = {}
        self.ignored: list[str] = []
        self.wide: dict[str, str] = {}  # column -> symptom id, for the summary
        value_map = value_map or {}
        self.star = value_map.get("*", {})
        self.value_maps = {c: {**self.star, **m} for c, m in value_map.items() if c != "*"}
        self.where = where or {}
        self.named = list(dict.fromkeys([*self.where, *self.value_maps]))  # columns named
        self.seen: set = set()  # every column met (JSON: checked once all rows are read)

    @property
    def default_patient(self) -> str | None:
        if callable(self._default):
            self._default = self._default()
        self.default_used = True
        return self._default

    def plan(self, keys: tuple) -> tuple[Columns, list, bool]:
        if keys in self.plans:
            return self.plans[keys]
        if self.csv:  # a column an option names that is not there is the first problem
            self.check_named(keys)
        else:
            self.seen.update(keys)
        cols = plan_columns(keys, *self.options, require=self.csv, consumed=self.where)
        if self.csv and "patient" not in cols.fields.values() and self.default_patient is None:
            raise InputError("the file has no patient column and this journal holds several "
                             "people; say whose rows these are with --patient ID.")
        names = set(cols.fields.values())
        steps = [(column, name) for column, name in cols.fields.items()
                 if not (name == "temperature_c" and "temperature" in names)]
        steps += [(column, "wide:" + sid) for column, sid in cols.wide.items()]
        plan = [(column, name, self.memos.setdefault((column, name), {}))
                for column, name in steps]
        several = sum(n == "symptoms" or n.startswith("wide:") for _, n, _ in plan) > 1
        self.ignored += [c for c in cols.ignored if c not in self.ignored]
        self.wide.update(cols.wide)
        self.plans[keys] = (cols, plan, several)
        return self.plans[keys]

    def check_named(self, keys) -> None:
        """Every column --value-map or --where names is one of ``keys`` (the file's)."""
        missing = [c for c in self.named if c not in keys]
        if missing:
            option = "--where" if missing[0] in self.where else "--value-map"
            raise InputError(f"{option} names the column {quote(missing[0])}, which the file "
                             "does not have; a column is named as in the file's header.")

    def keeps(self, raw: dict) -> bool:
        """Whether --where keeps the row (a row that is not one, or has more cells than the
        header, is kept: it is a row error whatever the filter)."""
        if "\0bad" in raw or ("\0extra" in raw and not self._extra_empty(raw)):
            return True
        if self.csv:
            self.plan(tuple(raw))  # the header's problems (a --where column missing) first
        else:
            self.seen.update(raw)
        for column, values in self.where.items():
            if cell_text(raw.get(column)) not in values:
                return False
        return True

    def _extra_empty(self, raw: dict) -> bool:
        """Cells past the header's last column that hold nothing, with --ignore-extra."""
        return self.options[2] and not any(str(c).strip() for c in raw["\0extra"])

    def cell(self, name: str, value, column: str = "") -> dict | str:
        """The stored fields for one cell ({} when empty), or the problem as text."""
        if column in self.value_maps or self.star:
            to = self.value_maps.get(column, self.star).get(cell_text(value))
            if to is not None:
                value = to
        if isinstance(value, str):
            value = value.strip()
            if self.csv and value[:1] == "'":
                value = _unformula(value)
        if value is None or value == "" or value == []:
            return {}
        field_name = "a symptom column" if name.startswith("wide:") else name
        limit = CELL_LIMITS.get(name, CELL_LIMIT)
        if isinstance(value, (str, list)) and len(value) > (2 * limit if name == "note"
                                                              else limit):
            what = "items" if isinstance(value, list) else "characters"
            return f"{field_name} is {len(value)} {what} long; the limit is {limit}"
        try:
            return self._check(name, value)
        except (InputError, ValueError) as exc:
            if name.startswith("wide:"):
                return (f"{_message(exc)}: the column is read as the symptom {name[5:]} by its "
                        "name; if it means something else, --map or --ignore-column it, or "
                        "read its values with --value-map")
            return _message(exc)

    def _check(self, name: str, value) -> dict:
        if name.startswith("wide:"):
            return {"symptoms": [name[5:]]} if _flag(value) else {}
        if name == "patient":
            return {"patient": model.parse_patient(value)}
        if name == "date":
            return {"date": parse_import_date(value, self.date_format, self.today).isoformat()}
        if name == "time":
            if isinstance(value, dt_time) and not (value.second or value.microsecond):
                value = value.strftime("%H:%M")
            time = parse_time(_text(value, "time"))
            return {} if time is None else {"time": time}
        if name == "utc_offset":
            return {"utc_offset": parse_offset(value)}
        if name in ("symptoms", "worse"):
            items = value if isinstance(value, list) else re.split(r"[;,]", str(value))
            ids = model.parse_symptoms(items)
            return {name: ids} if ids else {}  # an empty list is a cell left empty
        if name == "questions":
            found = model.validate_fields({"questions": _questions(value)})
            return found if found["questions"] else {}
        if name == "temperature_c":
            return model.validate_fields({"temperature": f"{value} C"})
        if name == "contacted":
            return {name: value if isinstance(value, bool) else _flag(value)}
        if name in ("logged_at", "updated_at"):
            return {name: _stamp(value)}
        if name == "note":
            value = _text(value, name)
        return model.validate_fields({name: value})

    def __call__(self, raw: dict, number: int) -> tuple[dict, dict, Columns]:
        """One row's checked values, as the day (patient, date and the day's own values) and
        the reading (its time, offset and values, as stored), and the columns it came in;
        problems raise _RowProblem naming each (every bad cell of the row, not only the
        first). Pain now is checked for the day as a whole (``import_rows``): a later reading
        may leave it out."""
        if "\0bad" in raw:
            bad = raw["\0bad"]
            raise _RowProblem(number, "", None, bad if isinstance(bad, str)
                              else f"not an object but {type(bad).__name__}")
        if "\0extra" in raw and not self._extra_empty(raw):
            empty = not any(str(c).strip() for c in raw["\0extra"])
            raise _RowProblem(number, "", None, "more cells than the header has columns" + (
                " (the extra cells are empty; --ignore-extra drops them)" if empty else ""))
        cols, plan, several = self.plan(tuple(raw))
        day: dict = {"patient": None}  # the person first, as every day is stored
        doc: dict = {}  # the reading
        symptoms: list[str] = []
        problems: list[RowError] = []
        for column, name, memo in plan:
            value = raw.get(column)
            # the memo holds one parse per distinct cell: benchmarks/tricks.py, a dry-run
            # import of cohort.py's 100,000 rows takes 1.2 s with it and 3.7-3.9 s without. A
            # non-text value is keyed with its type, so JSON true and 1 never share a slot
            # (True == 1 in Python)
            key = value if value.__class__ is str else (value.__class__, value)
            try:
                found = memo[key]
            except KeyError:
                found = self.cell(name, value, column)
                if value.__class__ is not str or len(value) <= CELL_LIMIT:
                    memo[key] = found  # never a long cell: it would stay in memory
            except TypeError:  # a list from JSON: not hashable, not memoised
                found = self.cell(name, value, column)
            if found.__class__ is str:
                problems.append(_problem(number, column, None if name in FREE_TEXT else value,
                                         found))
            elif "symptoms" in found:
                symptoms += found["symptoms"]
            elif found:
                (day if name in _DAY_FIELDS else doc).update(found)
        if doc.get("worse"):  # a symptom marked worse is a symptom of the day
            several = several or not set(doc["worse"]) <= set(symptoms)
            symptoms += [sid for sid in doc["worse"] if sid not in symptoms]
        if symptoms:
            doc["symptoms"] = ([s.id for s in cat.SYMPTOMS if s.id in symptoms]
                               if several else symptoms)
        bad = {e.column for e in problems}
        if day["patient"] is None and _column_of(cols, "patient") not in bad:
            day["patient"] = self.default_patient
            if day["patient"] is None:
                problems.append(RowError(number, "patient", None, (
                    "this journal holds several people; give each row a patient, or say "
                    "whose rows these are with --patient ID")))
        if "date" not in day and _column_of(cols, "date") not in bad:
            problems.append(RowError(number, _column_of(cols, "date"), None,
                                     "a date is required"))
        if "utc_offset" in doc and "time" not in doc and _column_of(cols, "time") not in bad:
            column = _column_of(cols, "utc_offset")
            problems.append(_problem(number, column, raw.get(column), "a UTC offset belongs to "
                                     "a reading's time; give the time too, or leave the offset "
                                     "empty"))
        if "least" in day or "average" in day:
            try:
                model.check_scores(day.get("worst"), day.get("least"), day.get("average"))
            except InputError as exc:
                column = _column_of(cols, "least")
                problems.append(_problem(number, column, raw.get(column), _message(exc)))
        if problems:
            raise _RowProblem(problems)
        # a row without logged_at leaves the reading's timing unknown (never the import's
        # time); updated_at is the import's time unless given
        doc.setdefault("updated_at", doc.get("logged_at") or self.stamp)
        return day, doc, cols


def cell_text(value) -> str:
    """A cell as --where and --value-map compare it: text without its surrounding spaces;
    empty for a cell left empty; a JSON number or true/false as JSON writes it."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return json.dumps(value)
    if isinstance(value, (date, dt_time)):
        return value.isoformat()
    return str(value)


def _plain(value):
    """A value from a library row as a cell: NaN, None, pandas' NA and NaT are a cell left
    empty; a numpy number or flag is the Python one; dates and times stay (each field reads
    them: a date's day, a time stamp's ISO text)."""
    kind = value.__class__
    if kind is str or kind is int or kind is bool or kind is list or kind is dict:
        return value
    if value is None:
        return None
    if kind is float:
        return None if value != value else value
    if kind.__name__ in ("NAType", "NaTType"):
        return None
    try:
        if value != value:  # NaN of any kind
            return None
    except (TypeError, ValueError):
        pass
    dtype = getattr(value, "dtype", None)
    if dtype is not None and getattr(value, "shape", None) == () and hasattr(value, "item"):
        if dtype.kind == "M":  # numpy datetime64: as a datetime
            return value.astype("datetime64[us]").item()
        return value.item()  # a numpy scalar: its Python value
    if isinstance(value, tuple):
        return list(value)
    return value


def _mapping(item) -> bool:
    return isinstance(item, Mapping) or (hasattr(item, "keys") and hasattr(item, "__getitem__")
                                         and not isinstance(item, (str, bytes)))


def library_rows(rows) -> Iterator[tuple[int, dict]]:
    """The rows a program gives, as (number, values): a mapping is numbered from 1 in the
    order given, a (number, mapping) pair (``read_rows``' own) keeps its number. Keys become
    text; values become cells (``_plain``)."""
    for position, item in enumerate(rows, start=1):
        number = position
        if (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], int)
                and not isinstance(item[0], bool) and _mapping(item[1])):
            number, item = item
        if not _mapping(item):
            yield number, {"\0bad": f"not a mapping of column to value but "
                                    f"{type(item).__name__}"}
            continue
        pairs = item.items() if hasattr(item, "items") else ((k, item[k]) for k in item.keys())
        yield number, {str(k): _plain(v) for k, v in pairs}


class _RowProblem(InputError):
    """A row's problems (``errors``: one or more RowError, each naming its column)."""

    def __init__(self, row, column: str = "", value=None, message: str = ""):
        if isinstance(row, list):
            self.errors = row
        else:
            self.errors = [_problem(row, column, value, message)]
        super().__init__(self.errors[0].message)
        self.error = self.errors[0]


def _problem(row: int, column: str, value, message: str) -> RowError:
    """A RowError whose value is kept short (a long cell is shown by its start only)."""
    if value.__class__ is str and len(value) > 200:
        value = value[:200]
    return RowError(row, column, value, message)


def _message(exc: Exception) -> str:
    return str(exc).rstrip(".")


def _column_of(cols: Columns, name: str) -> str:
    return next((c for c, f in cols.fields.items() if f == name), name)


def parse_import_date(value, date_format, today: date) -> date:
    """A date cell: ``YYYY-MM-DD``, or in ``date_format`` (strptime; several: each is tried,
    and a date two of them read as different days is refused, never guessed); a date or
    datetime (from a program's rows) is its day."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        day = _read_date(str(value).strip(), date_format)
    if day > today:
        raise InputError(f"the date is in the future (today is {today.isoformat()})")
    if day.year < 1900:
        raise InputError("the date is too far in the past; use a year from 1900")
    return day


def _read_date(text: str, date_format) -> date:
    formats = [date_format] if isinstance(date_format, str) else list(date_format or ())
    if not formats:
        if not STORED_DAY.fullmatch(text):
            raise InputError("dates are YYYY-MM-DD (ISO 8601); give --date-format for others, "
                             "e.g. --date-format %d.%m.%Y")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InputError("not a real calendar date") from None
    found: dict[date, str] = {}
    for given in formats:
        try:
            found.setdefault(datetime.strptime(text, given).date(), given)
        except ValueError:
            pass
    if not found:
        if len(formats) == 1:
            raise InputError(f"date does not match --date-format {shorten(formats[0])}")
        raise InputError("date matches none of the --date-format given ("
                         f"{', '.join(shorten(f) for f in formats)})")
    if len(found) > 1:
        readings = " or ".join(f"{day.isoformat()} ({shorten(given)})"
                               for day, given in found.items())
        raise InputError(f"the date could be {readings}; give only the --date-format that "
                         "fits, or split the file")
    return next(iter(found))


# what a row may change in a reading already stored (--on-conflict update)
_READING_VALUES = frozenset(READING_KEYS) - {"time", "logged_at", "updated_at"}
_SCORES = ("least", "average", "worst")
_GIVEN = frozenset(DAY_VALUES)


_NO_PAIN = f"pain now is required for the day's first reading ({model.PAIN_SCALE})"


def _same(stored: dict, head: dict, reading: dict, row: dict) -> bool:
    """Whether a row would change nothing of its stored day and reading (--on-conflict
    update): every value it gives is the stored one."""
    for key, value in head.items():
        if key in _GIVEN and value != [] and stored.get(key) != value:
            return False
    for key, value in row.items():
        if key in _READING_VALUES and value != [] and reading.get(key) != value:
            return False
    return True


def _order(reading: dict) -> str:
    """A reading's place in its day: by time, the one without a time first."""
    return reading.get("time") or ""


def _slot(time: str | None) -> str:
    return f"the reading at {time}" if time else "the reading without a time"


class _Day:
    """One person's day as an import builds it: the stored day (None: a new one) with the
    file's accepted rows applied in the order they come. The stored document is never changed
    in place: a day that changes becomes a new document, which replaces the stored one in the
    import's one write. (A new day's first row does not need one: see ``import_rows``.)"""

    __slots__ = ("doc_id", "stored", "values", "readings", "times", "given", "pain", "bare",
                 "stamp", "changed")

    def __init__(self, found: tuple[int, dict] | None):
        self.doc_id, self.stored = found or (None, None)
        self.values: dict | None = None  # the day's own values, once a row changed them
        self.readings: list | None = None  # its readings, once a row changed them
        self.times: dict = {}  # time -> the accepted row that gave it
        self.given: list = []  # (row, day values) of the accepted rows that gave some
        self.pain = self.stored is not None  # a stored day has pain now already
        self.bare: list = []  # (row, pain column) of a new day's rows without pain now
        self.stamp = None  # when the rows last changed the day's own values
        self.changed = False

    def current(self) -> tuple[dict, list]:
        """The day's own values (those given) and readings as the rows left them so far."""
        if self.values is None:
            stored = self.stored
            self.values = ({k: stored[k] for k in DAY_VALUES
                            if stored.get(k) not in (None, [])} if stored is not None else {})
            self.readings = list(stored["readings"]) if stored is not None else []
        return self.values, self.readings

    def take(self, number: int, head: dict, row: dict, cols: Columns, mode: str) -> str:
        """Apply one checked row (``head``: its patient, date and day values; ``row``: its
        reading). Returns what happened: "imported" (a reading added), "updated",
        "unchanged", "skipped", or a conflict's description (--on-conflict fail). A row that
        cannot go in raises _RowProblem and changes nothing."""
        time = row.get("time")
        if time in self.times:
            named = "time" in cols.fields.values()
            column = _column_of(cols, "time" if named else "date")
            value = time if named else head["date"]
            if time is not None:
                raise _RowProblem(number, column, value, f"same person, date and time as row "
                                  f"{self.times[time]}; a day holds one reading at a time")
            raise _RowProblem(number, column, value, f"same person and date as row "
                              f"{self.times[time]}, and neither gives a time; give each "
                              "reading of a day its own time (a time column, HH:MM)")
        given = {k: v for k, v in head.items() if k in _GIVEN and v != []}
        for earlier, gave in self.given if given else ():
            key = next((k for k, v in given.items() if k in gave and gave[k] != v), None)
            if key is not None:
                free = key in FREE_TEXT
                raise _RowProblem(
                    number, _column_of(cols, key), None if free else given[key],
                    f"{model.FIELD_WORDS[key]} differs from row {earlier}"
                    + ("" if free else f" ({quote(gave[key], 20)})")
                    + ", the same person and date; a day has one value: give the same one or "
                    "leave the cell empty")
        stored = self.stored
        there = None
        for reading in self.readings if self.readings is not None else (
                stored["readings"] if stored is not None else ()):
            if reading.get("time") == time:
                there = reading
                break
        if there is not None and mode != "update":
            self._keep(number, time, given)
            if mode == "skip":
                return "skipped"
            return f"{head['patient']} {head['date']}, {_slot(time)} (row {number})"
        clash = ([k for k, v in given.items() if stored.get(k) not in (None, [], v)]
                 if stored is not None else ())
        if clash and mode == "fail":
            self._keep(number, time, given)
            return (f"{head['patient']} {head['date']}, a different {', '.join(clash)} "
                    f"(row {number})")
        values, readings = self.current()
        new = {k: v for k, v in given.items()
               if values.get(k) != v and not (mode == "skip" and k in clash)}
        if new:
            values = {**values, **new}
            if not new.keys().isdisjoint(_SCORES):
                try:
                    model.check_scores(values.get("worst"), values.get("least"),
                                       values.get("average"))
                except InputError as exc:
                    key = next(k for k in _SCORES if k in new)
                    raise _RowProblem(number, _column_of(cols, key), new[key],
                                      _message(exc)) from None
        if there is None:
            reading = row
            outcome = "imported"
        else:  # --on-conflict update: the row's values replace the reading's
            reading = dict(there)
            reading.update((k, v) for k, v in row.items() if k in _READING_VALUES and v != [])
            if reading == there:
                reading = there
            else:
                reading["updated_at"] = row["updated_at"]
            outcome = "updated" if new or reading is not there else "unchanged"
        self._keep(number, time, given)
        if new:
            self.values = values
            self.stamp = max(self.stamp or "", row["updated_at"])
            self.changed = True
        if reading is not there:
            if there is None:
                readings.append(reading)
            else:
                readings[readings.index(there)] = reading
            self.changed = True
        if "pain" in row:
            self.pain = True
        elif stored is None:
            self.bare.append((number, _column_of(cols, "pain")))
        return outcome

    def _keep(self, number: int, time: str | None, given: dict) -> None:
        """Remember an accepted row's time and day values, for the rows after it."""
        self.times[time] = number
        if given:
            self.given.append((number, given))

    def doc(self, patient: str, day: str) -> dict:
        """The day as it will be stored: its own values, its readings in time order, and its
        own ``updated_at`` only when its values changed after every reading."""
        values, readings = self.current()
        doc = {"patient": patient, "date": day}
        for key in DAY_VALUES:
            if key in values:
                doc[key] = values[key]
        if len(readings) > 1:
            readings.sort(key=_order)
        stamps = [s for s in ((self.stored or {}).get("updated_at"), self.stamp) if s]
        if stamps and max(stamps) > max((r.get("updated_at") or "" for r in readings),
                                        default=""):
            doc["updated_at"] = max(stamps)
        doc["readings"] = readings
        return doc


@dataclass
class CheckedRows:
    """Rows checked one by one, before the journal is looked at (``check_rows``)."""

    rows: int = 0  # read, those --where left out included
    filtered: int = 0
    # (row number, day values, reading, columns, the row as it came or None): rows whose
    # cells are all good, in file order; the row is kept only for a reject file
    accepted: list = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejects: dict[int, dict] = field(default_factory=dict)  # bad rows as they came
    ignored: list[str] = field(default_factory=list)
    wide: dict[str, str] = field(default_factory=dict)
    default_patient: str | None = None
    default_used: bool = False


def options_value_map(value_map) -> dict[str, dict[str, str]]:
    """``value_map`` as {column: {from: to}}: given so, or as ``--value-map`` texts."""
    if not value_map:
        return {}
    if isinstance(value_map, Mapping):
        found: dict[str, dict[str, str]] = {}
        for column, pairs in value_map.items():
            if not isinstance(pairs, Mapping):
                raise InputError(f"the value map of {quote(column)} is not a mapping of "
                                 "FROM to TO.")
            found[str(column).strip()] = {str(k).strip(): str(v).strip()
                                          for k, v in pairs.items()}
        return found
    return parse_value_maps(value_map)


def parse_value_maps(pairs: Iterable[str]) -> dict[str, dict[str, str]]:
    """``--value-map COLUMN:FROM=TO`` texts as {column: {from: to}} ("*": every column).
    COLUMN ends at the first ':' and FROM at the first '=' after it; each is stripped."""
    maps: dict[str, dict[str, str]] = {}
    for pair in pairs:
        column, colon, rest = pair.partition(":")
        source, equals, target = rest.partition("=")
        column, source, target = column.strip(), source.strip(), target.strip()
        if not colon or not equals or not column or not source:
            raise InputError(f"--value-map {quote(pair)} is not COLUMN:FROM=TO (e.g. "
                             "--value-map 'sx___1:Checked=1', or '*:Checked=1' for every "
                             "column; FROM is not empty).")
        known = maps.setdefault(column, {})
        if known.get(source, target) != target:
            raise InputError(f"--value-map reads {quote(source)} in {quote(column)} as both "
                             f"{quote(known[source])} and {quote(target)}; give one.")
        known[source] = target
    return maps


def options_where(where) -> dict[str, frozenset[str]]:
    """``where`` as {column: the values kept}: given so (a value or several), or as
    ``--where`` texts."""
    if not where:
        return {}
    if isinstance(where, Mapping):
        found = {}
        for column, values in where.items():
            if isinstance(values, (str, int, float)) or values is None:
                values = [values]
            found[str(column).strip()] = frozenset(cell_text(v) for v in values)
        return found
    return parse_where(where)


def parse_where(pairs: Iterable[str]) -> dict[str, frozenset[str]]:
    """``--where COLUMN=VALUE`` texts as {column: values}: several on one column keep a row
    whose cell is any of them; on different columns, a row must match each."""
    found: dict[str, set[str]] = {}
    for pair in pairs:
        column, equals, value = pair.partition("=")
        if not equals or not column.strip() or column.strip() == "*":
            raise InputError(f"--where {quote(pair)} is not COLUMN=VALUE (e.g. --where "
                             "redcap_event_name=daily_arm_1; an empty VALUE keeps the rows "
                             "whose cell is empty).")
        found.setdefault(column.strip(), set()).add(value.strip())
    return {column: frozenset(values) for column, values in found.items()}


def _where_text(where: dict[str, frozenset[str]]) -> str:
    return " and ".join(f"{shorten(column)}=" + " or ".join(quote(v) for v in sorted(values))
                        for column, values in where.items())


def check_rows(rows, *, default_patient, fmt: str | None = None,
               mapping: dict[str, str] | None = None, ignore: Iterable[str] = (),
               ignore_extra: bool = False, date_format=None, value_map=None, where=None,
               today: date | None = None, stamp: str | None = None,
               progress: Callable[[int], None] | None = None,
               keep: bool = False) -> CheckedRows:
    """Check every row on its own, without the journal: its cells (every bad one is named),
    and --where. ``rows``: ``read_rows``' records, or any iterable of mappings (numbered from
    1) or (number, mapping) pairs. ``keep``: keep the rows as they came, for a reject file.
    A file or filter that leaves no row, or a header without date or pain, is an
    InputError."""
    from .dates import now_stamp

    if isinstance(rows, (str, bytes, os.PathLike)):
        raise InputError("import takes rows (mappings, e.g. a list of dicts), not a file name; "
                         "read a file with read_rows(path, \"csv\").")
    fmt = fmt or getattr(rows, "format", "json")
    source = rows if isinstance(rows, Rows) else library_rows(rows)
    where = options_where(where)
    parse = RowParser(fmt, mapping or {}, set(ignore), ignore_extra, default_patient,
                      date_format, today or date.today(), stamp or now_stamp(),
                      options_value_map(value_map), where)
    checked = CheckedRows()
    accepted, errors = checked.accepted, checked.errors
    canon: dict = {}  # one copy of each cell text among the rows kept for a reject file
    keys_of: dict = {}
    count = filtered = 0
    for number, raw in source:
        count += 1
        if progress:
            progress(count)
        if where and not parse.keeps(raw):
            filtered += 1
            continue
        try:
            head, row, cols = parse(raw, number)
        except _RowProblem as problem:
            errors.extend(problem.errors)
            if keep:
                checked.rejects[number] = raw
            continue
        if keep:
            keys = tuple(raw)
            keys = keys_of.setdefault(keys, keys)
            kept = (keys, tuple(canon.setdefault(v, v) if v.__class__ is str else v
                                for v in raw.values()))
        else:
            kept = None
        accepted.append((number, head, row, cols, kept))
    checked.rows, checked.filtered = count, filtered
    header = getattr(rows, "header", None)
    if header is not None and count == filtered:  # a header without date or pain says so
        parse.check_named(header)
        plan_columns(header, *parse.options, require=True, consumed=parse.where)
    if not parse.csv:
        parse.check_named(parse.seen)
    if count == filtered:
        if count == 0:
            raise InputError("the file has a header but no rows: there is nothing to import."
                             if header is not None else
                             "the file holds no rows: there is nothing to import."
                             if isinstance(rows, Rows) else "there are no rows to import.")
        raise InputError(f"no row matches --where {_where_text(where)}: all {count} rows "
                         "read were left out, so there is nothing to import.")
    checked.ignored, checked.wide = parse.ignored, dict(parse.wide)
    if parse.default_used:
        checked.default_used, checked.default_patient = True, parse.default_patient
    return checked


def import_rows(view, rows, *, default_patient: str | None, fmt: str | None = None,
                on_conflict: str = "fail", mapping: dict[str, str] | None = None,
                ignore: Iterable[str] = (), ignore_extra: bool = False,
                date_format=None, skip_invalid: bool = False,
                dry_run: bool = False, today: date | None = None, stamp: str | None = None,
                progress: Callable[[int], None] | None = None,
                rejected_rows: list | None = None, value_map=None, where=None
                ) -> ImportResult:
    """Validate every row, then change ``view`` (inside a transaction) in one batch.

    ``rows``: ``read_rows``' records, a list of dicts (``DataFrame.to_dict("records")``: NaN
    and None are empty cells, numpy numbers are numbers, a date or Timestamp is its day in
    ``date`` and its ISO text in ``logged_at``), or (number, dict) pairs. A row is one reading
    of a person's day (``time`` empty: not recorded), with the day's own values (worst,
    least, average, sleep, mood, questions), which the rows of one day must agree on. A row
    whose reading (person, date and time) is in the journal, or whose day values differ from
    the stored day's, is a conflict, settled by ``on_conflict``: "fail" (nothing written),
    "skip" (the stored reading and day values stay; a new reading still goes in) or "update"
    (the row's values replace them). A new day needs pain now on one of its rows.
    ``value_map`` ({column: {from: to}}, "*" for every column) and ``where`` ({column: value
    or values}) work as ``--value-map`` and ``--where``; ``date_format`` may be a list.

    Raises nothing for bad rows: they are in ``result.errors`` (every problem of a row), and
    ``result.rejected`` counts the rows; the caller decides. Raises InputError when no row is
    left to import. The view is changed only when no row is bad (or ``skip_invalid``) and no
    conflict fails the import. ``rejected_rows`` receives the bad rows as they came, each with
    ``_row`` and ``_error``. (``Journal.import_rows`` checks the rows before it takes the
    journal's lock and keeps a backup copy: use it on a journal file.)
    """
    _check_conflict_mode(on_conflict)
    checked = check_rows(rows, default_patient=default_patient, fmt=fmt, mapping=mapping,
                         ignore=ignore, ignore_extra=ignore_extra, date_format=date_format,
                         value_map=value_map, where=where, today=today, stamp=stamp,
                         progress=progress, keep=rejected_rows is not None)
    result, changed = merge_rows(view, checked, on_conflict=on_conflict,
                                 skip_invalid=skip_invalid, dry_run=dry_run,
                                 rejected_rows=rejected_rows)
    count_warnings(result, view, changed)
    return result


def import_into(journal, rows, *, patient: str | None = None, backup: str | None = "import",
                on_conflict: str = "fail", skip_invalid: bool = False, dry_run: bool = False,
                rejected_rows: list | None = None,
                before_write: Callable[[ImportResult], None] | None = None,
                **options) -> ImportResult:
    """Import ``rows`` into the journal file ``journal`` (a ``Journal``), as `pumpjournal
    import` does: every row is checked first without the journal's lock (the journal is read
    unlocked only when a row needs its one person, or to report why nothing can go in); then,
    under the lock, the journal is read again, conflicts are found in that fresh state, and the
    rows are merged and written once, after a ``backup`` copy. So a `log` made while the rows
    were checked is never lost, and never waits for the checking. ``patient``: the person of
    rows without one (None: the journal's only person). ``before_write(result)`` runs under
    the lock before the write (the command line writes its reject file there). Other options
    as ``import_rows``."""
    _check_conflict_mode(on_conflict)
    snapshot = []

    def unlocked():
        if not snapshot:
            snapshot.append(journal.read())
        return snapshot[0]

    checked = check_rows(rows, default_patient=lambda: import_patient(unlocked(), patient),
                         keep=rejected_rows is not None, **options)
    flags = dict(on_conflict=on_conflict, skip_invalid=skip_invalid, dry_run=dry_run,
                 rejected_rows=rejected_rows)
    if dry_run or (checked.errors and not skip_invalid):  # nothing will be written
        view = unlocked()
        result, changed = merge_rows(view, checked, **flags)
    else:
        with journal.transaction(backup=backup) as view:
            if checked.default_used and import_patient(view, patient) != checked.default_patient:
                raise InputError("the journal changed while the rows were checked: the person "
                                 "of rows without one is no longer clear; say whose rows "
                                 "these are with --patient ID.")
            result, changed = merge_rows(view, checked, **flags)
            if before_write is not None:
                before_write(result)
    count_warnings(result, view, changed)  # after the lock: it reads only
    return result


def _check_conflict_mode(on_conflict: str) -> None:
    if on_conflict not in CONFLICT:
        raise InputError(f"--on-conflict must be one of {', '.join(CONFLICT)}.")


def count_warnings(result: ImportResult, view, changed: list) -> None:
    """The days with warning signs among those the import changed; an error in the rules (or
    a stored profile) never stops an import, it is noted."""
    try:
        result.emergency, result.urgent = _count_warnings(view, changed)
    except Exception:
        result.rules_failed = True
    result.warning_signs = result.emergency + result.urgent


def merge_rows(view, checked: CheckedRows, *, on_conflict: str = "fail",
               skip_invalid: bool = False, dry_run: bool = False,
               rejected_rows: list | None = None) -> tuple[ImportResult, list]:
    """Merge checked rows into ``view`` as it is now: the day rules (one reading a time, day
    values that agree, pain now on a new day), conflicts with the stored days, and one batch
    write to the view when it may (see ``import_rows``). Returns the result and the days
    changed (for ``count_warnings``)."""
    result = ImportResult(dry_run=dry_run, rows=checked.rows, filtered=checked.filtered)
    existing = {(doc["patient"], doc["date"]): (doc_id, doc)
                for doc_id, doc in view.raw_entries()}
    # person and day -> a _Day, or the day's first row (see below), or None: nothing to write
    days: dict[tuple[str, str], _Day | tuple | None] = {}
    conflicts: list[str] = []
    errors: list[RowError] = []
    rejects: dict[int, tuple] = {}  # kept rows (as check_rows keeps them) rejected here
    keep = rejected_rows is not None
    bare_rows: dict[int, tuple] = {}  # kept rows without pain now of new days
    counts = {"imported": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    imported = skipped = unchanged = 0  # the first rows of days (below)
    skip = on_conflict == "skip"
    for item in checked.accepted:
        number, head, row, cols, raw = item
        try:
            key = (head["patient"], head["date"])
            day = days.get(key)
            if day is None:
                # The first row of a day is kept as it is when nothing can clash with it: a
                # new day's (it goes in) and one whose reading is stored, with skip (it is
                # skipped) or with update and nothing new (unchanged). A second row of the
                # day makes the day a _Day, which takes the first row again. In-process, a
                # dry-run import of benchmarks/cohort.py's 100,000 rows (one a day) takes
                # 1.3 s so and 2.2 s with a _Day for every day; their re-import with skip
                # 0.9 s and 1.0 s, with update 1.0 s and 1.5 s.
                found = existing.get(key)
                if found is None:
                    days[key] = item
                    imported += 1
                    continue
                if on_conflict != "fail":
                    stored = found[1]
                    time = row.get("time")
                    for reading in stored["readings"]:
                        if reading.get("time") == time:
                            break
                    else:
                        reading = None
                    if reading is not None and (skip or _same(stored, head, reading, row)):
                        days[key] = item
                        if skip:
                            skipped += 1
                        else:
                            unchanged += 1
                        continue
                day = days[key] = _Day(found)
            elif day.__class__ is tuple:
                first = day
                day = days[key] = _Day(existing.get(key))
                day.take(*first[:4], on_conflict)  # counted already
                if keep and day.stored is None and "pain" not in first[2]:
                    bare_rows[first[0]] = first[4]
            outcome = day.take(number, head, row, cols, on_conflict)
        except _RowProblem as problem:
            errors.extend(problem.errors)
            if keep:
                rejects[number] = raw
            continue
        if outcome in counts:
            counts[outcome] += 1
        else:
            conflicts.append(outcome)
        if keep and day.stored is None and "pain" not in row:
            bare_rows[number] = raw
    counts["imported"] += imported
    counts["skipped"] += skipped
    counts["unchanged"] += unchanged
    for key, day in days.items():  # a new day needs pain now on one of its rows
        if day.__class__ is tuple:
            number, head, row, cols, raw = day
            if key in existing:  # skipped
                days[key] = None
            elif "pain" not in row:
                errors.append(RowError(number, _column_of(cols, "pain"), None, _NO_PAIN))
                if keep:
                    rejects[number] = raw
                counts["imported"] -= 1
                days[key] = None
            continue
        if day.stored is None and not day.pain and day.bare:
            first = day.bare[0][0]
            for number, column in day.bare:
                errors.append(RowError(number, column, None, (
                    _NO_PAIN if number == first else "pain now is required for the day's "
                    f"first reading, and no row of this person and date has it (see row "
                    f"{first})")))
                if keep:
                    rejects[number] = bare_rows[number]
            counts["imported"] -= len(day.bare)
            day.changed = False
    result.errors = sorted(checked.errors + errors, key=lambda e: e.row)
    if keep:
        messages: dict[int, list[str]] = {}
        for error in result.errors:
            messages.setdefault(error.row, []).append(error.reject_text())
        for number, texts in messages.items():
            raw = checked.rejects.get(number)
            if raw is None:
                raw = dict(zip(*rejects[number]))
            rejected_rows.append({**{k: v for k, v in raw.items() if not k.startswith("\0")},
                                  ROW_COLUMN: number, ERROR_COLUMN: " | ".join(texts)})
    result.rejected = len({e.row for e in result.errors})
    result.ignored_columns = checked.ignored
    result.symptom_columns = checked.wide
    if conflicts and on_conflict == "fail":
        result.conflicts = conflicts[:5] + (
            [f"and {len(conflicts) - 5} more"] if len(conflicts) > 5 else [])
        return result, []
    if result.errors and not (skip_invalid or dry_run):
        return result, []
    result.imported, result.updated = counts["imported"], counts["updated"]
    result.unchanged, result.skipped = counts["unchanged"], counts["skipped"]
    new_docs, replace_ids, changed = [], [], []
    for (patient, day_text), day in days.items():
        if day.__class__ is tuple:  # a new day of one row: its day values and its reading
            doc, reading = day[1], day[2]
            doc["readings"] = [reading]
            new_docs.append(doc)
            if "symptoms" in reading or "temperature_c" in reading:
                changed.append(model.Day(doc))
            continue
        if day is None or not day.changed:
            continue
        doc = day.doc(patient, day_text)
        new_docs.append(doc)
        if day.doc_id is not None:
            replace_ids.append(day.doc_id)
        if any(r.get("symptoms") or r.get("temperature_c") is not None
               for r in doc["readings"]):
            changed.append(model.Day(doc))
    if not dry_run and new_docs:
        view.write_entries(new_docs, replace_ids)  # one batch: the transaction writes once
        result.written = True
    return result, changed


def _count_warnings(view, entries: list[model.Day]) -> tuple[int, int]:
    """Days (entries, as imported: every reading of the day) whose top sign is EMERGENCY,
    and URGENT (one pass per person)."""
    from .timeline import assess_entries

    by_person: dict[str, list[model.Day]] = {}
    for entry in entries:
        by_person.setdefault(entry.patient, []).append(entry)
    emergency = urgent = 0
    for person, items in by_person.items():
        items.sort(key=lambda e: e.date)
        for flags in assess_entries(items, view.profile(person), view.events(person)):
            top = cat.top_urgency(flags) or 0
            emergency += top == cat.Urgency.EMERGENCY
            urgent += top == cat.Urgency.URGENT
    return emergency, urgent


def template() -> str:
    """A small sample CSV showing every column (also shipped as data/import-sample.csv)."""
    from importlib.resources import files

    return files("pumpjournal").joinpath("data/import-sample.csv").read_text(encoding="utf-8")


# Writing ------------------------------------------------------------------------------------


def safe_cell(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula (a leading ' is doubled, so import
    can take exactly one away)."""
    return "'" + value if value and value[0] in FORMULA_START + ("'",) else value


def _cell(value) -> str:
    """One value as a CSV cell: empty for None, 1/0 for true/false, a number as written, text
    that begins like a spreadsheet formula with a leading ' (``safe_cell``)."""
    if value is None:
        return ""
    kind = value.__class__
    if kind is str:
        return "'" + value if value[:1] in _RISKY else value
    if kind is bool:
        return "1" if value else "0"
    if kind is list:
        return safe_cell(";".join(value))
    return str(value)


def plain_cell(value, sep: str = ";") -> str:
    """``_cell`` without the formula guard (``--no-formula-guard``, REDCap): text exactly as
    stored, yes/no as 1/0, a list joined with ``sep``."""
    if value is None:
        return ""
    kind = value.__class__
    if kind is str:
        return value
    if kind is bool:
        return "1" if value else "0"
    if kind is list:
        return sep.join(value)
    return str(value)


def _questions_cell(value, guard: Callable[[str], str] = safe_cell) -> str:
    """Questions one per line; as a JSON list when one of them spans lines."""
    if not value:
        return ""
    if any("\n" in q for q in value):
        return guard(json.dumps(value, ensure_ascii=False))
    return guard(QUESTION_SEP.join(value))


def _plain_questions_cell(value) -> str:
    return _questions_cell(value, str)


def csv_cells(row: dict) -> list[str]:
    """One row (``export_rows``) as the export's CSV cells."""
    return [_questions_cell(row.get(key)) if key == "questions"
            else (_offset(row.get(key)) if key == "utc_offset" else _cell(row.get(key)))
            for key in COLUMNS]


def _offset(value) -> str:
    """A UTC offset (+HH:MM, checked when stored) is written as it is: it cannot run
    anything, and analysis tools read it as ISO 8601. Anything else is a cell like others."""
    if value is not None and _STORED_OFFSET.fullmatch(value):
        return value
    return _cell(value)


def _row_changed(reading: str | None, day: str | None) -> str | None:
    """An export row's last change: its reading's, or the day's own values' when later."""
    return day if day and (reading is None or day > reading) else reading


def csv_lines(docs: Iterable[dict], formula_guard: bool = True) -> Iterator[list[str]]:
    """The CSV cells of stored days, one list per reading (in ``export_rows``' order), made
    straight from the stored documents, the day's cells once a day. In-process, the CSV
    export of benchmarks/cohort.py's 100,000 rows takes 0.47 s so and 0.68 s through
    ``export_rows`` and ``csv_cells``. Without ``formula_guard`` text is written exactly as
    stored (for analysis tools, which would keep the guard's leading ')."""
    cell = _cell if formula_guard else plain_cell
    questions_cell = _questions_cell if formula_guard else _plain_questions_cell
    for doc in docs:
        readings = doc["readings"]
        if len(readings) > 1:
            readings = sorted(readings, key=_order)
        patient, day = cell(doc["patient"]), cell(doc["date"])
        worst, least, average = cell(doc.get("worst")), cell(doc.get("least")), cell(
            doc.get("average"))
        sleep, mood = cell(doc.get("sleep")), cell(doc.get("mood"))
        impression = cell(doc.get("impression"))
        questions = questions_cell(doc.get("questions"))
        day_changed = doc.get("updated_at")
        for r in readings:
            get = r.get
            updated = _row_changed(get("updated_at"), day_changed)
            yield [patient, day, cell(get("time")), _offset(get("utc_offset")),
                   cell(get("pain")), worst, least, average, cell(get("symptoms")),
                   cell(get("worse")), cell(get("temperature")), cell(get("temperature_c")),
                   cell(get("temperature_site")), cell(get("boluses")), sleep, mood,
                   impression, cell(get("note")), questions, cell(get("contacted")),
                   cell(get("logged_at")), cell(updated)]


_RISKY = frozenset(FORMULA_START + ("'",))
_STORED_OFFSET = re.compile(r"[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]", re.ASCII)


def check_person(view, patient: str | None) -> None:
    """An export of one person needs that person in the journal (None: everyone)."""
    if patient is not None and patient not in view.patients():
        people = ", ".join(view.patients()[:8]) or "nobody yet"
        raise InputError(f"this journal has no person '{patient}'; it holds: {people}.")


def _day_bound(value, name: str) -> date | None:
    """An export bound as a date: a date, a datetime's day, or ``YYYY-MM-DD`` text."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str) and STORED_DAY.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"{name} {quote(value)} is not a date; give a date or YYYY-MM-DD text.")


def export_rows(doc: dict) -> Iterator[dict]:
    """A stored day as export rows, one per reading in time order (the one without a time
    first), each with every column (``COLUMNS``): the reading's values, the day's own values
    repeated, and ``updated_at`` the row's last change (its reading's, or the day's own values'
    when they changed later)."""
    readings = doc["readings"]
    if len(readings) > 1:
        readings = sorted(readings, key=_order)
    patient, day = doc["patient"], doc["date"]
    worst, least, average = doc.get("worst"), doc.get("least"), doc.get("average")
    sleep, mood, questions = doc.get("sleep"), doc.get("mood"), doc.get("questions") or []
    day_changed = doc.get("updated_at")
    for r in readings:
        get = r.get
        updated = _row_changed(get("updated_at"), day_changed)
        yield {"patient": patient, "date": day, "time": get("time"),
               "utc_offset": get("utc_offset"), "pain": get("pain"), "worst": worst,
               "least": least, "average": average, "symptoms": get("symptoms") or [],
               "worse": get("worse") or [], "temperature": get("temperature"),
               "temperature_c": get("temperature_c"),
               "temperature_site": get("temperature_site"), "boluses": get("boluses"),
               "sleep": sleep, "mood": mood, "impression": doc.get("impression"),
               "note": get("note"), "questions": questions,
               "contacted": get("contacted"), "logged_at": get("logged_at"),
               "updated_at": updated}


def export(view, out: IO[str], fmt: str, patient: str | None = None,
           since: date | str | None = None, until: date | str | None = None,
           formula_guard: bool = True) -> int:
    """Write one row per reading (oldest first: by person, date, then time, a reading without
    a time first) to ``out``; return how many rows (for FHIR: readings). ``since`` and
    ``until`` (inclusive) are dates or ``YYYY-MM-DD`` text. A ``patient`` the journal does not
    hold is an InputError, raised before anything is written. CSV cells that begin like a
    spreadsheet formula get a leading ' unless ``formula_guard`` is False; the other formats
    carry text exactly as stored."""
    fmt = check_format_out(fmt)
    if fmt not in STREAM_FORMATS:
        raise InputError(f"{fmt} is not written to a stream; use pumpjournal.parquet_out."
                         "write_dataset or pumpjournal.redcap.write_records with people_rows.")
    since, until = _day_bound(since, "since"), _day_bound(until, "until")
    check_person(view, patient)
    import orjson

    low = since.isoformat() if since else ""
    high = until.isoformat() if until else "9999"
    # the stored documents themselves, in order: no copy of the journal is made
    keys = sorted((doc["patient"], doc["date"], doc_id, doc) for doc_id, doc in view.raw_entries()
                  if (patient is None or doc["patient"] == patient) and low <= doc["date"] <= high)
    count = sum(len(doc["readings"]) for *_, doc in keys)

    def rows() -> Iterator[dict]:
        for *_, doc in keys:
            yield from export_rows(doc)

    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(csv_lines((doc for *_, doc in keys), formula_guard))
    elif fmt == "jsonl":
        for row in rows():
            out.write(orjson.dumps(row).decode() + "\n")
    elif fmt == "json":
        out.write("[")
        for n, row in enumerate(rows()):
            out.write(("," if n else "") + "\n  " + orjson.dumps(row).decode())
        out.write("\n]\n" if keys else "]\n")
    else:
        from .fhir import write_bundle

        write_bundle(out, (doc for *_, doc in keys), sorted({k[0] for k in keys}))
    return count


def people_rows(view, patient: str | None = None, since: date | str | None = None,
                until: date | str | None = None) -> Iterator[tuple[str, Iterator[dict]]]:
    """The export's rows person by person: (person, that person's ``export_rows`` in the
    export's order), people in order, only those with a day in the range (dates or
    ``YYYY-MM-DD`` text). What the per-participant exporters (Parquet, REDCap) take, so they
    hold one person's rows at a time. A ``patient`` the journal does not hold is an
    InputError, raised at once."""
    check_person(view, patient)
    since, until = _day_bound(since, "since"), _day_bound(until, "until")
    low = since.isoformat() if since else ""
    high = until.isoformat() if until else "9999"
    days: dict[str, list] = {}
    for doc_id, doc in view.raw_entries():
        if (patient is None or doc["patient"] == patient) and low <= doc["date"] <= high:
            days.setdefault(doc["patient"], []).append((doc["date"], doc_id, doc))
    return _people(days)


def _people(days: dict[str, list]) -> Iterator[tuple[str, Iterator[dict]]]:
    for person in sorted(days):
        found = sorted(days.pop(person), key=lambda k: k[:2])
        yield person, (row for *_, doc in found for row in export_rows(doc))


def write_rejects(path, rows: list[dict], fmt: str, delimiter: str = ",", force: bool = False,
                  renumber: bool = False, protected=()):
    """The rejected rows as they came, plus an _error column, ready to fix and import; returns
    the path written. An existing file is replaced only with ``force``, never one of
    ``protected`` ((path, what it is) pairs: the journal, its backups, the input); with
    ``renumber`` a taken name gives way to a numbered one (``x-rejects-2.csv``)."""
    from .files import write_private

    buffer = io.StringIO()
    if fmt == "csv":
        columns = list(dict.fromkeys(k for row in rows for k in row))
        writer = csv.DictWriter(buffer, columns, delimiter=delimiter, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: safe_cell(v) if isinstance(v, str) else v for k, v in row.items()}
                         for row in rows)
    elif fmt == "jsonl":
        buffer.writelines(json_safe(json.dumps(row, ensure_ascii=False)) + "\n" for row in rows)
    else:  # json_safe: text that was not UTF-8 (lone surrogates) kept as \u escapes
        buffer.write(json_safe(json.dumps(rows, ensure_ascii=False, indent=2)))
    return write_private(Path(path), buffer.getvalue().encode("utf-8"), force=force,
                         renumber=renumber, protected=protected)


def write_import_rejects(journal, source: str, rejects: str | None, force: bool, rows: list,
                         fmt: str, delimiter: str = ",") -> Path:
    """The rejected rows of an import of ``source`` (a file name, or - for stdin) to
    ``rejects``, or by default to ``<name>-rejects.<format>`` in the current folder (numbered
    when that name is taken); never over the journal's own files or the input file."""
    from .files import output_path

    target = output_path(rejects, "--rejects") if rejects else None
    protected = journal.own_files(target)
    if source != "-":
        protected.append((Path(source), "the file being imported"))
    stem = "stdin" if source == "-" else Path(source).stem
    return write_rejects(target or Path(f"{stem}-rejects.{fmt}"), rows, fmt, delimiter,
                         force=force, renumber=target is None, protected=protected)
