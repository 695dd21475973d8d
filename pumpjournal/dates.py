"""Dates as people type them: ``2026-11-24``, ``today``, ``yesterday``, ``3 days ago``, ``2w``."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from .errors import InputError
from .escape import quote

ACCEPTED = "a date such as 2026-11-24, 'today', 'yesterday', '3 days ago' or '2w'"

_UNITS = {"d": "days", "day": "days", "days": "days",
          "w": "weeks", "wk": "weeks", "week": "weeks", "weeks": "weeks",
          "m": "months", "mo": "months", "month": "months", "months": "months",
          "y": "years", "yr": "years", "year": "years", "years": "years"}
_RELATIVE = re.compile(r"^(\d{1,5})\s*([a-z]+?)(?:\s+ago)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# how a day is stored: exactly YYYY-MM-DD in ASCII digits (fromisoformat alone also takes
# "20250303" and the week date "2025-W10-1")
STORED_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


FIRST_YEAR, LAST_YEAR = 1900, 9000  # the years a stored date may have


def in_range(day: date, what: str = "date") -> date:
    """``day`` if its year is from FIRST_YEAR to LAST_YEAR, else InputError."""
    if day.year < FIRST_YEAR:
        raise InputError(f"{what} {day.isoformat()} is too far in the past; use a year from "
                         f"{FIRST_YEAR}.")
    if day.year > LAST_YEAR:
        raise InputError(f"{what} {day.isoformat()} is too far ahead; use a year up to "
                         f"{LAST_YEAR}.")
    return day


def today() -> date:
    return date.today()


def parse_date(text: str, *, now: date | None = None, what: str = "date") -> date:
    """Return the calendar date ``text`` names, from FIRST_YEAR to LAST_YEAR; raise InputError
    saying what is accepted."""
    try:
        day = _named_day(text, now or today(), what)
    except OverflowError:  # "99999999 days ago"
        day = date.min
    return in_range(day, what)


def _named_day(text: str, now: date, what: str) -> date:
    raw = text.strip().lower()
    match = _ISO.match(raw)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            raise InputError(f"{what} {quote(text)} is not a real calendar date; "
                             f"use {ACCEPTED}.") from None
    if raw in ("today", "now"):
        return now
    if raw == "yesterday":
        return now - timedelta(days=1)
    if raw.startswith("last "):
        raw = raw[5:]
    if raw in _WEEKDAYS:  # the most recent such day before today
        back = (now.weekday() - _WEEKDAYS.index(raw)) % 7 or 7
        return now - timedelta(days=back)
    match = _RELATIVE.match(raw)
    if match and match.group(2) in _UNITS:
        amount, unit = int(match.group(1)), _UNITS[match.group(2)]
        if unit in ("days", "weeks"):
            return now - timedelta(**{unit: amount})
        from dateutil.relativedelta import relativedelta

        try:
            return now - relativedelta(**{unit: amount})
        except ValueError:
            pass
    raise InputError(f"{what} {quote(text)} is not understood; use {ACCEPTED}.")


def parse_entry_date(text: str | None, *, now: date | None = None) -> date:
    """A diary day: defaults to today, never in the future."""
    now = now or today()
    if text is None:
        return now
    day = parse_date(text, now=now)
    if day > now:
        raise InputError(f"date {day.isoformat()} is in the future; "
                         f"a journal entry can be for today ({now.isoformat()}) or earlier.")
    return in_range(day)


def check_range(since: date | None, until: date | None) -> None:
    if since and until and since > until:
        raise InputError(f"--since {since.isoformat()} is after --until {until.isoformat()}; "
                         "the start of a period must come before its end.")


def now_stamp() -> str:
    """The current local time with its UTC offset, to the second (ISO 8601)."""
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", re.ASCII)
NO_TIME = ("none", "no", "unknown", "-")


def parse_time(text) -> str | None:
    """A reading's time as ``HH:MM`` (24-hour clock; ``7:05`` is ``07:05``), or None for
    "time not recorded" (``none``)."""
    raw = str(text).strip().lower()
    if raw in NO_TIME:
        return None
    match = _TIME.fullmatch(raw)
    if not match:
        raise InputError(f"time {quote(text, 20)} is not understood; use HH:MM on the 24-hour "
                         "clock (e.g. 08:30 or 21:15), or 'none' for a reading without a time.")
    return f"{int(match[1]):02d}:{match[2]}"


def now() -> datetime:
    """The current local time, with its UTC offset."""
    return datetime.now().astimezone()


def offset_text(moment: datetime) -> str:
    """A time's UTC offset as ``+HH:MM``."""
    text = moment.strftime("%z") or "+0000"
    return f"{text[:3]}:{text[3:5]}"


def reading_slot(day: date, at: str | None, moment: datetime | None = None
                 ) -> tuple[str | None, str | None]:
    """The (time, UTC offset) of a reading of ``day``: the time ``at`` names (a time later than
    now is refused for today), else the current minute for today and "not recorded" (None)
    for an earlier day. The offset is the local one at that time."""
    moment = moment or now()
    if at is None:
        if day != moment.date():
            return None, None
        return moment.strftime("%H:%M"), offset_text(moment)
    time = parse_time(at)
    if time is None:
        return None, None
    if day == moment.date():
        if time > moment.strftime("%H:%M"):
            raise InputError(f"the time {time} today is later than now ({moment:%H:%M}); a "
                             "reading is logged once it is made.")
        return time, offset_text(moment)
    local = datetime.combine(day, datetime.strptime(time, "%H:%M").time()).astimezone()
    return time, offset_text(local)
