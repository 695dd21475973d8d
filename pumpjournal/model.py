"""Entry records and the validation every way in (log, edit, import) shares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal

from . import symptoms as catalogue
from .errors import InputError
from .escape import problem, quote

DEFAULT_PATIENT = "me"
PAIN_SCALE = "0 = no pain at all, 10 = the worst pain you can imagine"
TEMP_MIN_C, TEMP_MAX_C = Decimal("30.0"), Decimal("45.0")
TEMP_SITES = ("mouth", "ear", "forehead", "armpit", "rectum", "not-sure")
_PATIENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

# The fields a person sets, in display order, with the words used for them.
FIELD_WORDS = {
    "pain": "pain now", "worst": "worst pain (24 h)", "least": "least pain (24 h)",
    "average": "average pain (24 h)", "symptoms": "symptoms", "worse": "worse than usual",
    "temperature": "temperature", "temperature_site": "temperature site", "boluses": "boluses",
    "sleep": "hours slept", "mood": "mood",
    "impression": "impression of change since before the pump", "note": "note",
    "questions": "questions for the visit", "contacted": "contacted the care team",
}


READING_KEYS = ("time", "utc_offset", "pain", "symptoms", "worse", "temperature_c",
                "temperature", "temperature_site", "boluses", "note", "contacted", "logged_at",
                "updated_at")
# what a person gives for a reading, and for the day (recall questions over 24 hours)
READING_VALUES = frozenset(("pain", "symptoms", "worse", "temperature_c", "temperature",
                            "temperature_site", "boluses", "note", "contacted"))
DAY_VALUES = ("worst", "least", "average", "sleep", "mood", "impression", "questions")
IMPRESSION_SCALE = ("1 = very much improved, 2 = much improved, 3 = a little improved, "
                    "4 = no change, 5 = a little worse, 6 = much worse, 7 = very much worse")
_READING_LISTS = ("symptoms", "worse")


@dataclass
class Reading:
    """One reading of a day: its time (``HH:MM`` local, None when not recorded) with the
    UTC offset of then, pain now (a later reading may leave it out) and what was noticed."""

    time: str | None = None
    utc_offset: str | None = None
    pain: int | None = None
    symptoms: list[str] = field(default_factory=list)
    worse: list[str] = field(default_factory=list)
    temperature_c: float | None = None
    temperature: str | None = None
    temperature_site: str | None = None
    boluses: int | None = None
    note: str | None = None
    contacted: bool | None = None
    logged_at: str | None = None
    updated_at: str | None = None

    @property
    def order(self) -> str:
        """Its place in the day: by time, a reading without one first."""
        return self.time or ""

    @property
    def label(self) -> str:
        return self.time or "time not recorded"

    @property
    def phrase(self) -> str:
        """Which reading, in words: "at 08:00", or "without a time"."""
        return f"at {self.time}" if self.time else "without a time"

    def to_doc(self) -> dict:
        return {key: (list(value) if isinstance(value, list) else value)
                for key in READING_KEYS
                if (value := getattr(self, key)) is not None and value != []}

    def to_json(self) -> dict:
        return {key: (list(value) if isinstance(value, list) else value)
                for key in READING_KEYS for value in (getattr(self, key),)}

    @classmethod
    def from_doc(cls, doc: dict) -> "Reading":
        reading = object.__new__(cls)
        data = dict(_READING_DEFAULTS)
        data.update(doc)
        data["symptoms"] = list(data["symptoms"] or ())
        data["worse"] = list(data["worse"] or ())
        reading.__dict__ = data
        return reading


_READING_DEFAULTS = {key: None for key in READING_KEYS} | {"symptoms": (), "worse": ()}


@dataclass
class Entry:
    """One person's day: its readings, and the day's own answers (the 24-hour recall scores,
    sleep, mood, questions). The reading fields of the day (pain, symptoms, temperature...) are
    worked out from its readings (``derive``). Missing values stay None: a skipped score is
    never a 0."""

    patient: str
    date: str  # YYYY-MM-DD
    pain: int | None = None  # the latest scored reading's (by time)
    worst: int | None = None
    least: int | None = None
    average: int | None = None
    symptoms: list[str] = field(default_factory=list)
    worse: list[str] = field(default_factory=list)  # known symptoms marked worse than usual
    temperature_c: float | None = None
    temperature: str | None = None  # the value and unit as entered, e.g. "100.8 F"
    temperature_site: str | None = None
    boluses: int | None = None
    sleep: float | None = None
    mood: int | None = None
    impression: int | None = None  # global impression of change since before the pump, 1-7
    note: str | None = None
    questions: list[str] = field(default_factory=list)
    contacted: bool | None = None  # answer to "Have you contacted your care team?"
    logged_at: str | None = None
    updated_at: str | None = None
    pain_mean: float | None = None
    readings: list[Reading] = field(default_factory=list)

    def __post_init__(self):
        if not self.readings:  # built from a day's fields alone: they are its one reading
            self.readings = [Reading(**{key: getattr(self, key) for key in READING_KEYS
                                        if key not in ("time", "utc_offset")})]
        derive(self)

    @property
    def day(self) -> date:
        return date.fromisoformat(self.date)

    def to_doc(self) -> dict:
        """The stored form (schema 2): the day's own values that are present, and its
        readings in time order."""
        doc = {"patient": self.patient, "date": self.date}
        for key in DAY_VALUES:
            value = getattr(self, key)
            if value is not None and value != []:
                doc[key] = list(value) if isinstance(value, list) else value
        if self.updated_at and self.updated_at > max(  # a change of the day's own fields
                (r.updated_at or "" for r in self.readings), default=""):
            doc["updated_at"] = self.updated_at
        doc["readings"] = [r.to_doc() for r in self.readings]
        return doc

    def to_json(self) -> dict:
        """The documented JSON form: every key, null where missing."""
        out = {key: getattr(self, key) for key in ENTRY_FIELDS if key != "readings"}
        out["readings"] = [r.to_json() for r in self.readings]
        return out

    @classmethod
    def from_doc(cls, doc: dict) -> "Entry":
        """An Entry from a stored (schema 2) document, filling ``__dict__`` directly instead
        of calling the dataclass's ``__init__``: about half the time of ``Entry(**doc)``,
        some milliseconds of every read of benchmarks/run.py's 3,650-day journal."""
        entry = object.__new__(cls)
        data = dict(_DEFAULTS)
        data.update((k, v) for k, v in doc.items() if k in _DAY_SET)
        data["questions"] = list(data["questions"] or ())  # null in a hand-edited journal
        data["readings"] = [Reading.from_doc(r) for r in doc.get("readings") or ()]
        entry.__dict__ = data
        derive(entry)
        return entry

    def reading_at(self, time: str | None) -> Reading | None:
        return next((r for r in self.readings if r.time == time), None)

    def times(self) -> str:
        """The day's reading times in words, for messages."""
        return ", ".join(r.label for r in self.readings)

    def upto(self, reading: Reading) -> "Entry":
        """The day as it stood at ``reading``: its readings up to that one (by time), so the
        rules on a reading see the day's earlier readings and not the later ones."""
        return replace(self, readings=[r for r in self.readings if r.order <= reading.order])


def derive(entry: Entry) -> None:
    """Work out the day's reading fields from its readings: pain from the latest scored one
    (by time), ``pain_mean`` over the scored ones, symptoms and worse joined, the highest
    temperature (with how it was typed and where), boluses summed, notes in order, the
    earliest ``logged_at``, the latest change, and the answer about contacting the care
    team given for the day's most urgent signs."""
    readings = entry.readings
    if len(readings) > 1:
        readings.sort(key=lambda r: r.order)
    day_changed = entry.updated_at
    if len(readings) == 1:  # the common day: its one reading's values
        r = readings[0]
        entry.pain, entry.symptoms, entry.worse = r.pain, list(r.symptoms), list(r.worse)
        entry.temperature_c, entry.temperature = r.temperature_c, r.temperature
        entry.temperature_site, entry.boluses, entry.note = (r.temperature_site, r.boluses,
                                                             r.note)
        entry.contacted, entry.logged_at = r.contacted, r.logged_at
        entry.pain_mean = None if r.pain is None else float(r.pain)
        entry.updated_at = max(filter(None, (day_changed, r.updated_at)), default=None)
        return
    scored = [r.pain for r in readings if r.pain is not None]
    entry.pain = scored[-1] if scored else None
    entry.pain_mean = round(sum(scored) / len(scored), 2) if scored else None
    named = {s for r in readings for s in r.symptoms}
    worse = {s for r in readings for s in r.worse}
    entry.symptoms = [s.id for s in catalogue.SYMPTOMS if s.id in named]
    entry.worse = [s.id for s in catalogue.SYMPTOMS if s.id in worse]
    hot = max((r for r in readings if r.temperature_c is not None),
              key=lambda r: r.temperature_c, default=None)
    entry.temperature_c = hot and hot.temperature_c
    entry.temperature = hot and hot.temperature
    entry.temperature_site = hot and hot.temperature_site
    boluses = [r.boluses for r in readings if r.boluses is not None]
    entry.boluses = sum(boluses) if boluses else None
    entry.note = "\n".join(r.note for r in readings if r.note) or None
    entry.contacted = _contacted(entry)
    entry.logged_at = earliest_stamp(r.logged_at for r in readings)
    entry.updated_at = max(filter(None, [day_changed, *(r.updated_at for r in readings)]),
                           default=None)


def earliest_stamp(stamps) -> str | None:
    """The earliest of some ISO 8601 stamps (None and "" skipped), by the moment each names:
    stamps written in different UTC offsets (a day logged across a change of clock or time
    zone) are compared as instants; stamps that cannot be read so are compared as text."""
    found = [s for s in stamps if s]
    if len(found) < 2:
        return found[0] if found else None
    if len({s[19:] for s in found}) == 1:  # one offset, to the second: text order is time order
        return min(found)
    try:
        return min(found, key=lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")))
    except (TypeError, ValueError):  # a stamp without an offset beside one with, or unreadable
        return min(found)


def _contacted(entry: Entry) -> bool | None:
    """The answer given for the day's most urgent signs: each answered reading is ranked by
    the signs the day had up to it (the rules on those signs alone), the later one winning a
    tie. When every answer is the same, that answer."""
    answered = [r for r in entry.readings if r.contacted is not None]
    if len({r.contacted for r in answered}) <= 1:
        return answered[-1].contacted if answered else None

    def rank(reading: Reading) -> int:
        signs = [r for r in entry.readings if r.order <= reading.order]
        temps = [r.temperature_c for r in signs if r.temperature_c is not None]
        flags = catalogue.assess({s for r in signs for s in r.symptoms},
                                 max(temps, default=None), entry.day,
                                 worse={s for r in signs for s in r.worse})
        top = catalogue.top_urgency(flags)
        return int(top) if top is not None else -1

    best = max(range(len(answered)), key=lambda i: (rank(answered[i]), i))
    return answered[best].contacted


class Day:
    """The little the rules and the cohort need of a stored day, without a whole Entry:
    besides the day's signs and scores, ``count`` (its readings) and ``logged_at`` (the
    earliest ``logged_at`` of its readings, None when none has one)."""

    def __init__(self, doc: dict):
        self.patient, self.date = doc["patient"], doc["date"]
        self.day = date.fromisoformat(doc["date"])
        self.average = doc.get("average")
        self.impression = doc.get("impression")
        readings = doc["readings"]
        if len(readings) == 1:
            r = readings[0]
            self.pain = r.get("pain")
            self.pain_mean = None if self.pain is None else float(self.pain)
            self.symptoms = r.get("symptoms") or []
            self.worse = r.get("worse") or []
            self.temperature_c = r.get("temperature_c")
            self.boluses = r.get("boluses")
            self.logged_at = r.get("logged_at")
        else:
            entry = Entry.from_doc(doc)
            self.pain, self.pain_mean, self.symptoms, self.worse, self.temperature_c = (
                entry.pain, entry.pain_mean, entry.symptoms, entry.worse, entry.temperature_c)
            self.logged_at, self.boluses = entry.logged_at, entry.boluses
        self.readings = readings
        self.count = len(readings)


ENTRY_FIELDS = tuple(f.name for f in fields(Entry))
_DAY_SET = frozenset(("patient", "date", "updated_at") + DAY_VALUES)
_DEFAULTS = {f.name: None for f in fields(Entry)} | {"questions": ()}


# Numbers are typed with ASCII digits only: int()/float()/Decimal() would also take "1_0",
# "1e1", "inf" and other scripts' digits ("٣", "３"), none of which a person means as a score.
_WHOLE = re.compile(r"[0-9]+(?:\.0+)?")
_DECIMAL = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


def _whole(value, name: str, low: int, high: int, words: str = "") -> int:
    text = str(value).strip()
    match = _WHOLE.fullmatch(text) if len(text) <= 20 else None
    number = int(float(text)) if match else None
    if number is None or not low <= number <= high:
        raise InputError(f"{name} must be a whole number from {low} to {high}{words}; "
                         f"got {quote(value, 20)}.")
    return number


def parse_impression(value) -> int:
    """The impression of change since before the pump: a whole number from 1 to 7."""
    return _whole(value, "impression of change", 1, 7, f" ({IMPRESSION_SCALE})")


def parse_score(value, name: str = "pain") -> int:
    return _whole(value, name, 0, 10, f" ({PAIN_SCALE})")


def parse_count(value, name: str = "boluses", high: int = 100) -> int:
    return _whole(value, name, 0, high)


def _decimal(value) -> Decimal | None:
    text = str(value).strip()
    if len(text) > 20 or not _DECIMAL.fullmatch(text):
        return None
    return Decimal(text.replace(",", "."))


def parse_hours(value) -> float:
    hours = _decimal(value)
    if hours is None or not 0 <= hours <= 24:
        raise InputError(f"hours slept must be a number from 0 to 24; got {quote(value, 20)}.")
    return round(float(hours), 2)


_TEMP = re.compile(r"^([0-9]+(?:[.,][0-9]+)?)\s*(°?\s*[cf])?$", re.I)


def parse_temperature(value) -> tuple[float, str]:
    """``38.2``, ``100.8F``, ``37,9 c``, ``101 °F`` -> (°C rounded to 0.01, "as entered")."""
    text = str(value).strip()
    accepted = ("a body temperature such as 37.8, 38.2C or 100.8F "
                "(30.0-45.0 °C, 86.0-113.0 °F)")
    match = _TEMP.match(text)
    if not match:
        raise InputError(f"temperature {quote(value)} is not understood; use {accepted}.")
    number = Decimal(match.group(1).replace(",", "."))
    unit = (match.group(2) or "").replace("°", "").strip().upper()
    if not unit:
        unit = "C" if number <= 45 else "F"
    celsius = number if unit == "C" else (number - 32) * 5 / 9
    if not TEMP_MIN_C - 1 <= celsius <= TEMP_MAX_C + 1 or not (
            TEMP_MIN_C <= celsius.quantize(Decimal("0.01")) <= TEMP_MAX_C):
        hint = " (add C or F to say which)" if not match.group(2) else ""
        raise InputError(f"temperature {quote(value)} is outside the range a body can have{hint}; "
                         f"use {accepted}.")
    typed = f"{number} {unit}" if match.group(2) else f"{number}"  # the unit only if typed
    return float(celsius.quantize(Decimal("0.01"))), typed


def temperature_read_as(typed: str) -> str | None:
    """The unit a temperature typed without one was read in ("°C" or "°F"); None when the
    unit was typed (or the text is not a temperature)."""
    match = _TEMP.match(str(typed).strip())
    if not match or match.group(2):
        return None
    return "°C" if Decimal(match.group(1).replace(",", ".")) <= 45 else "°F"


def parse_site(value) -> str:
    site = catalogue.normalise_id(str(value))
    if site not in TEMP_SITES:
        raise InputError(f"temperature site {quote(value)} is not one of {', '.join(TEMP_SITES)}.")
    return site


def parse_patient(value) -> str:
    text = str(value).strip()
    if not _PATIENT.match(text):
        raise InputError(f"person id {quote(value)} is not accepted; use 1-64 letters, digits, "
                         "'.', '_' or '-', starting with a letter or digit.")
    return text


def parse_text(value, name: str = "note", limit: int = 5000, lines: bool = True) -> str | None:
    """Free text as typed or imported; refuses characters that could drive a terminal
    (tab and newline are allowed with ``lines``)."""
    text = str(value).replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise InputError(f"{name} is {len(text)} characters long; the limit is {limit}.")
    why = problem(text, lines=lines)
    if why:
        raise InputError(f"{name} {why}.")
    return text or None


def parse_question(value) -> str:
    """A question for the next visit (``ask``): plain text of up to 500 characters."""
    text = parse_text(value, "question", 500)
    if not text:
        raise InputError("the question is empty.")
    return text


def require_change(values: dict, remove=(), clear=()) -> None:
    """An edit must change something: a value, a symptom removed or a field cleared."""
    if not values and not remove and not clear:
        raise InputError("nothing to change: give at least one field, e.g. --pain 5, "
                         "--remove-symptom ID or --clear note.")


def symptom_words(values) -> list[str]:
    """The words of repeated options or ``;``/``,``-separated text, one per symptom."""
    return [part.strip() for value in values or [] for part in re.split(r"[;,]", str(value))
            if part.strip()]


def symptoms_each(values) -> tuple[list[str], list[InputError]]:
    """The ids of the words that are known (in catalogue order), and a problem per word that
    is not (unknown, or could mean several items)."""
    ids, problems = set(), []
    for word in symptom_words(values):
        try:
            ids.add(catalogue.parse_symptom(word))
        except InputError as exc:
            problems.append(exc)
    return [s.id for s in catalogue.SYMPTOMS if s.id in ids], problems


def parse_symptoms(values) -> list[str]:
    """Ids from repeated options or ``;``/``,``-separated text, in catalogue order: ids or the
    plain words of the catalogue's alias table."""
    ids, problems = symptoms_each(values)
    if problems:
        raise problems[0]
    return ids


def parse_yes_no(value, name: str = "contacted") -> bool:
    text = str(value).strip().lower()
    if text in ("yes", "y", "true", "1"):
        return True
    if text in ("no", "n", "false", "0"):
        return False
    raise InputError(f"{name} must be yes or no; got '{value}'.")


LOW_TEMPERATURE_C = 35.0  # below this a reading is more likely a mistake than a body


def temperature_note(celsius: float | None) -> str | None:
    """A word to the person when a temperature is so low it should be measured again."""
    if celsius is None or celsius >= LOW_TEMPERATURE_C:
        return None
    return (f"{celsius:.1f} °C is very low for a body temperature (below "
            f"{LOW_TEMPERATURE_C:.1f} °C): please measure again, and if it is right, or you "
            "feel very cold, drowsy or confused, call your care team or emergency services.")


def validate_fields(raw: dict) -> dict:
    """Turn raw user values (strings or numbers) into stored values. Unknown keys are errors.

    Keys: pain, worst, least, average, symptoms, worse, temperature, temperature_site,
    boluses, sleep, mood, note, questions, contacted. A value of None means "not given".
    Symptoms marked worse are symptoms of the day too.
    """
    out, problems = validate_each(raw)
    if problems:
        raise problems[0]
    return out


def validate_each(raw: dict) -> tuple[dict, list[InputError]]:
    """Like validate_fields, but every field on its own: the values that are valid, and the
    problems (so the valid warning signs of a refused entry can still be shown)."""
    out: dict = {}
    problems: list[InputError] = []
    for key, value in raw.items():
        if value is None:
            continue
        try:
            _validate_one(out, key, value)
        except InputError as exc:
            problems.append(exc)
    if out.get("worse"):
        out["symptoms"] = [s.id for s in catalogue.SYMPTOMS
                           if s.id in set(out.get("symptoms", [])) | set(out["worse"])]
    return out, problems


def _validate_one(out: dict, key: str, value) -> None:
    if key in ("pain", "worst", "least", "average"):
        out[key] = parse_score(value, FIELD_WORDS[key])
    elif key == "mood":
        out[key] = _whole(value, "mood", 0, 10, " (0 = very low, 10 = very good)")
    elif key == "impression":
        out[key] = parse_impression(value)
    elif key == "boluses":
        out[key] = parse_count(value, "boluses (patient-activated doses that day)")
    elif key == "sleep":
        out[key] = parse_hours(value)
    elif key in ("symptoms", "worse"):
        ids, problems = symptoms_each(value if isinstance(value, (list, tuple)) else [value])
        out[key] = ids
        if problems:
            raise problems[0]
    elif key == "contacted":
        out[key] = value if isinstance(value, bool) else parse_yes_no(value)
    elif key == "temperature":
        out["temperature_c"], out["temperature"] = parse_temperature(value)
    elif key == "temperature_site":
        out[key] = parse_site(value)
    elif key == "note":
        out[key] = parse_text(value)
    elif key == "questions":
        items = value if isinstance(value, (list, tuple)) else [value]
        out[key] = [q for q in (parse_text(v, "question", 500) for v in items) if q]
    else:
        raise InputError(f"unknown field {quote(key)}; the fields are "
                         f"{', '.join(FIELD_WORDS)}.")


def check_scores(worst: int | None, least: int | None, average: int | None) -> None:
    """Scores that contradict each other are asked again, never stored."""
    if worst is not None and least is not None and least > worst:
        raise InputError(f"least pain ({least}) is higher than worst pain ({worst}); "
                         "the least can be at most the worst.")
    if average is not None and worst is not None and average > worst:
        raise InputError(f"average pain ({average}) is higher than worst pain ({worst}).")
    if average is not None and least is not None and average < least:
        raise InputError(f"average pain ({average}) is lower than least pain ({least}).")


def new_entry(patient: str, day: date, values: dict, stamp: str,
              slot: tuple[str | None, str | None] = (None, None)) -> Entry:
    """A new day from validated values (see validate_fields), its first reading at ``slot``
    (time, UTC offset); pain now is required."""
    if "pain" not in values:
        raise InputError(f"--pain is required for a new entry: a whole number from 0 to 10 "
                         f"({PAIN_SCALE}).")
    empty = Entry.from_doc({"patient": patient, "date": day.isoformat()})
    return change_day(empty, values, stamp, slot)[0]


def validate_clear(names, reading: bool = False) -> list[str]:
    """Field names for edit's --clear; pain now can be cleared only from one reading
    (``reading``) of a day that has another pain score."""
    keys = []
    for name in names:
        key = str(name).strip().lower().replace("-", "_")
        if key not in FIELD_WORDS or (key == "pain" and not reading):
            raise InputError(f"cannot clear {quote(name)}; fields that can be cleared: "
                             f"{', '.join(k for k in FIELD_WORDS if k != 'pain')}"
                             + (" (and pain, from one reading named with --at)."
                                if not reading else "."))
        keys.append(key)
    return keys


def split(values) -> tuple[dict, dict]:
    """Values (or field names) of the day itself, and of a reading."""
    if isinstance(values, dict):
        return ({k: v for k, v in values.items() if k in DAY_VALUES},
                {k: v for k, v in values.items() if k not in DAY_VALUES})
    return [k for k in values if k in DAY_VALUES], [k for k in values if k not in DAY_VALUES]


def change_day(entry: Entry, values: dict, stamp: str, slot: tuple[str | None, str | None],
               *, remove: tuple[str, ...] = (), clear: tuple[str, ...] = (),
               create: bool = True
               ) -> tuple[Entry, list[tuple[str, object, object]], Reading | None, bool]:
    """Apply validated values to a day: the day's own fields to the day, the reading fields to
    its reading at ``slot``'s time (a new one with ``create``, else InputError). Returns the
    day, the changes (field, old, new), the reading touched (None: only day fields) and
    whether it is new.

    Given fields replace theirs; new symptoms and questions join the lists. Symptom ids in
    ``remove`` leave the reading; fields in ``clear`` are emptied."""
    day_values, reading_values = split(values)
    day_clear, reading_clear = split(clear)
    new = Entry.from_doc(entry.to_doc())  # a copy: ``entry`` stays as it was
    changes: list[tuple[str, object, object]] = []
    for key in day_clear:
        old = getattr(new, key)
        setattr(new, key, [] if key == "questions" else None)
        if old not in (None, []):
            changes.append((key, old, getattr(new, key)))
    for key, value in day_values.items():
        old = getattr(new, key)
        setattr(new, key, list(old) + [v for v in value if v not in old]
                if key == "questions" else value)
        if old != getattr(new, key):
            changes.append((key, old, getattr(new, key)))
    reading, added = None, False
    if reading_values or reading_clear or remove:
        reading = new.reading_at(slot[0])
        if reading is None:
            if not create:
                raise InputError(f"there is no reading at {slot[0] or 'time not recorded'} on "
                                 f"{new.date}; its readings: {new.times()}.")
            reading, added = Reading(*slot, logged_at=stamp), True
            new.readings.append(reading)
        changes += _change_reading(reading, reading_values, remove, reading_clear)
        if changes or added:
            reading.updated_at = stamp
    if changes or added:
        new.updated_at = stamp
    order = list(FIELD_WORDS)
    changes.sort(key=lambda change: order.index(change[0]))
    derive(new)
    if new.pain is None:
        raise InputError(f"the day {new.date} would have no pain score: at least one reading "
                         "keeps pain now (delete the whole day with `pumpjournal delete` "
                         "instead).")
    check_scores(new.worst, new.least, new.average)
    return new, changes, reading, added


def _change_reading(reading: Reading, values: dict, remove, clear) -> list:
    before = {key: getattr(reading, key) for key in READING_WORDS}
    for key in clear:
        setattr(reading, key, [] if key in _READING_LISTS else None)
        if key == "temperature":
            reading.temperature_c = reading.temperature_site = None
    for key, value in values.items():
        if key in _READING_LISTS:
            value = list(getattr(reading, key)) + [v for v in value
                                                   if v not in getattr(reading, key)]
        setattr(reading, key, value)
    reading.symptoms = [s.id for s in catalogue.SYMPTOMS
                        if s.id in reading.symptoms and s.id not in remove]
    reading.worse = [s.id for s in catalogue.SYMPTOMS
                     if s.id in reading.worse and s.id in reading.symptoms]
    return [(key, old, getattr(reading, key)) for key, old in before.items()
            if old != getattr(reading, key)]


READING_WORDS = tuple(k for k in FIELD_WORDS if k not in DAY_VALUES)  # in display order


def merge(entry: Entry, values: dict, stamp: str, *, remove: tuple[str, ...] = (),
          clear: tuple[str, ...] = ()) -> tuple[Entry, list[tuple[str, object, object]]]:
    """Apply validated values to a day of one reading (day fields to the day, the others to
    that reading); return the day and the changes (field, old, new)."""
    only = entry.readings[0] if len(entry.readings) == 1 else None
    if only is None and (split(values)[1] or split(clear)[1] or remove):
        raise InputError(f"{entry.date} has {len(entry.readings)} readings ({entry.times()}); "
                         "say which one with --at HH:MM (--at none: the one without a time).")
    slot = (only.time, only.utc_offset) if only else (None, None)
    new, changes, _, _ = change_day(entry, values, stamp, slot, remove=remove, clear=clear,
                                    create=False)
    return new, changes


# Profile and events: what the rules and the timeline need to know about the person's pump.

EVENT_KINDS = {
    "trial-start": "trial started", "trial-end": "trial ended", "implant": "pump implanted",
    "refill": "pump refilled", "dose-change": "dose changed", "visit": "clinic visit",
    "alarm": "pump alarm", "surgery": "pump or catheter surgery", "mri": "MRI scan",
    "removal": "pump removed",
}
SCHEDULABLE = ("visit", "refill", "mri")


@dataclass
class Event:
    patient: str
    kind: str
    date: str
    details: dict = field(default_factory=dict)
    id: int | None = None

    @property
    def day(self) -> date:
        return date.fromisoformat(self.date)

    def to_json(self) -> dict:
        return {"id": self.id, "patient": self.patient, "kind": self.kind, "date": self.date,
                "details": self.details}


def parse_decimal(value, name: str, low: float, high: float) -> float:
    number = _decimal(value)
    if number is None or not low <= number <= high:
        raise InputError(f"{name} must be a number from {low} to {high}; "
                         f"got {quote(value, 20)}.")
    return float(number)


PROFILE_FIELDS = {
    "name": "name", "initials": "initials", "trial_start": "trial start",
    "trial_end": "trial end", "implant_date": "implant date", "pump_make": "pump make",
    "drugs": "medicine(s) in the pump", "care_team": "care team", "care_phone": "care team phone",
    "after_hours_phone": "after-hours phone", "emergency_number": "emergency number",
    "fever_threshold_c": "fever line", "fever_threshold_set_by": "fever line set by",
    "fever_threshold_set_on": "fever line set on", "low_threshold_c": "low temperature line",
    "next_refill": "next refill due",
    "baseline_symptoms": "symptoms noted before the implant",
}
FEVER_RANGE_C = (37.5, 39.0)
_PHONE = re.compile(r"^[0-9+()#*.\- ]{2,30}$")


def parse_phone(value, name: str) -> str:
    text = str(value).strip()
    if not _PHONE.match(text) or not any(ch.isdigit() for ch in text):
        raise InputError(f"{name} {quote(value)} is not a phone number; use digits, spaces, "
                         "+ ( ) - . (e.g. 555-0142 or +44 20 7946 0000).")
    return text


def parse_threshold(value, name: str, low: float, high: float) -> float:
    celsius, _ = parse_temperature(value)
    if not low - 0.005 <= celsius <= high + 0.005:
        raise InputError(f"{name} must be between {low:.1f} °C and {high:.1f} °C "
                         f"({low * 9 / 5 + 32:.1f}-{high * 9 / 5 + 32:.1f} °F); "
                         f"got {quote(value)}.")
    return round(celsius, 2)


EVENT_DETAILS = {  # detail -> the kinds it belongs to
    "relief": ("trial-end",), "next_due": ("refill",), "drug": ("dose-change", "trial-start"),
    "dose": ("dose-change",), "unit": ("dose-change",), "alarm": ("alarm",),
}
RELIEF = ("yes", "partial", "no")
ALARMS = ("critical", "non-critical", "not-sure")


def alarm_words(details: dict) -> str:
    """An alarm's kind in plain words; one recorded without its kind is "not sure"."""
    return str(details.get("alarm") or "not-sure").replace("not-sure", "not sure")
DOSE_UNITS = {"mg": "mg/day", "mg/day": "mg/day", "mcg": "mcg/day", "mcg/day": "mcg/day",
              "ug": "mcg/day", "ug/day": "mcg/day", "µg": "mcg/day", "µg/day": "mcg/day"}


def parse_event_kind(value) -> str:
    kind = catalogue.normalise_id(str(value))
    if kind not in EVENT_KINDS:
        raise InputError(f"unknown event {quote(value)}; the events are {', '.join(EVENT_KINDS)}.")
    return kind


def new_event(patient: str, kind: str, day: date, today: date, details: dict,
              profile: dict | None = None) -> Event:
    """Validate an event: from 1900 on, future dates only for what can be scheduled, details
    by kind. A dose change without a drug is of the one medicine in the ``profile``, when it
    has one."""
    from .dates import in_range

    in_range(day, "the event date")
    if isinstance(details.get("next_due"), date):
        in_range(details["next_due"], "the next refill")
    drugs = (profile or {}).get("drugs") or []
    if kind == "dose-change" and details.get("drug") is None and len(drugs) == 1:
        details = {**details, "drug": drugs[0]}
    if day > today and kind not in SCHEDULABLE:
        article = "an" if kind[0] in "aeiou" else "a"
        raise InputError(f"{article} {kind} event cannot be in the future ({day.isoformat()}); "
                         f"only {', '.join(SCHEDULABLE)} can be scheduled ahead.")
    due = details.get("next_due")
    if isinstance(due, date) and due <= day:
        raise InputError(f"the next refill ({due.isoformat()}) must come after this refill "
                         f"({day.isoformat()}).")
    clean: dict = {}
    for key, value in details.items():
        if value is None:
            continue
        if kind not in EVENT_DETAILS.get(key, (kind,)):
            raise InputError(f"--{key.replace('_', '-')} belongs to "
                             f"{' or '.join(EVENT_DETAILS[key])} events, not {kind}.")
        if key == "relief":
            clean[key] = _choice(value, RELIEF, "--relief")
        elif key == "alarm":
            clean[key] = _choice(value, ALARMS, "--alarm")
        elif key == "dose":
            clean[key] = parse_decimal(value, "the new daily dose", 0, 100000)
        elif key == "unit":
            unit = str(value).strip().lower().replace(" ", "")
            if unit not in DOSE_UNITS:
                raise InputError(f"dose unit {quote(value)} is not accepted; use mg/day or "
                                 "mcg/day.")
            clean[key] = DOSE_UNITS[unit]
        elif key == "next_due":
            clean[key] = value.isoformat() if isinstance(value, date) else str(value)
        else:
            text = parse_text(value, key, 500, lines=key == "note")  # one line but a note
            if text:
                clean[key] = text
    if kind == "dose-change" and not {"dose", "unit"} <= clean.keys():
        raise InputError("a dose-change needs the new daily dose and its unit, e.g. "
                         "--dose 0.5 --unit mg/day.")
    return Event(patient, kind, day.isoformat(), clean)


def _choice(value, options: tuple[str, ...], name: str) -> str:
    text = catalogue.normalise_id(str(value))
    if text not in options:
        raise InputError(f"{name} {quote(value)} is not one of {', '.join(options)}.")
    return text


# The profile: every way in (the `profile` command, the library, the implant-date question)
# is checked by validate_profile, so no stored value can break the rules later.
_PROFILE_TEXTS = {"name": 100, "initials": 100, "pump_make": 100, "care_team": 100,
                  "fever_threshold_set_by": 100}
_PROFILE_PAST_DATES = ("trial_start", "trial_end", "implant_date")
_PROFILE_DATES = _PROFILE_PAST_DATES + ("next_refill", "fever_threshold_set_on",
                                        "implant_date_asked")
_PROFILE_PHONES = ("care_phone", "after_hours_phone", "emergency_number")
_PROFILE_WORDS = {"fever_threshold_set_by": "set by"}  # the words of its error messages
LOW_RANGE_C = (30.0, 37.0)
# Other names a person may use for a field (the options' names and --clear's words).
PROFILE_ALIASES = {"fever_threshold": "fever_threshold_c", "low_threshold": "low_threshold_c",
                   "drug": "drugs", "baseline_symptom": "baseline_symptoms",
                   "set_by": "fever_threshold_set_by"}
# Stored next to the fields a person sets, never shown as facts.
PROFILE_MARKS = ("implant_date_asked",)


def profile_field(name) -> str:
    """The stored name of a profile field given by its name, its option's name or an alias."""
    key = str(name).strip().lower().replace("-", "_")
    key = PROFILE_ALIASES.get(key, key)
    if key not in PROFILE_FIELDS and key not in PROFILE_MARKS:
        raise InputError(f"unknown profile field {quote(name)}; the fields are "
                         f"{', '.join(PROFILE_FIELDS)}.")
    return key


def validate_profile(raw: dict, today: date, current: dict | None = None,
                     clear=()) -> dict:
    """Checked profile values to merge into the stored profile; None removes a fact.

    ``raw`` holds the values given (by field name or alias); ``clear`` names fields to remove.
    A fever line needs who set it (and is dated today unless a date is given); clearing it
    clears both. ``baseline_symptom`` adds to the ``current`` list, ``baseline_symptoms``
    replaces it. Raises InputError naming the first value that is not accepted."""
    from . import dates

    given = {profile_field(key): value for key, value in raw.items()}
    added = "baseline_symptom" in {str(k).strip().lower().replace("-", "_") for k in raw}
    if given.get("fever_threshold_c") is not None and not given.get("fever_threshold_set_by"):
        raise InputError("say who on your care team set the fever line with --set-by, "
                         "e.g. --set-by 'Dr Ames'.")
    if given.get("fever_threshold_set_by") is not None and "fever_threshold_c" not in given:
        raise InputError("--set-by goes with --fever-threshold.")
    values: dict = {}
    for key, value in given.items():
        word = _PROFILE_WORDS.get(key, key.replace("_", " "))
        if value is None:
            values[key] = None
        elif key in _PROFILE_TEXTS:
            values[key] = parse_text(value, word, _PROFILE_TEXTS[key], lines=False)
        elif key in _PROFILE_DATES:
            day = dates.in_range(value if isinstance(value, date) else dates.parse_date(
                str(value), what=word), f"the {word}")
            if key in _PROFILE_PAST_DATES + PROFILE_MARKS and day > today:
                raise InputError(f"the {word} {day.isoformat()} is in the future; record it "
                                 "once it has happened (a planned visit, refill or MRI goes in "
                                 "with `pumpjournal event add`).")
            values[key] = day.isoformat()
        elif key in _PROFILE_PHONES:
            values[key] = parse_phone(value, word)
        elif key == "drugs":
            values[key] = [d for d in (parse_text(x, "drug", 60, lines=False)
                                       for x in _items(value, word)) if d]
        elif key == "fever_threshold_c":
            values[key] = parse_threshold(value, "the fever line", *FEVER_RANGE_C)
        elif key == "low_threshold_c":
            values[key] = parse_threshold(value, "the low line", *LOW_RANGE_C)
        elif key == "baseline_symptoms":
            values[key] = _baseline(_items(value, word))
    if values.get("fever_threshold_c") is not None:
        values.setdefault("fever_threshold_set_on", today.isoformat())
    for key in clear or ():
        field = profile_field(key)
        values[field] = None
        if field == "fever_threshold_c":
            values["fever_threshold_set_by"] = values["fever_threshold_set_on"] = None
    if added and values.get("baseline_symptoms") and "baseline_symptoms" not in {
            profile_field(k) for k in clear or ()}:
        had = set((current or {}).get("baseline_symptoms") or []) | set(
            values["baseline_symptoms"])
        values["baseline_symptoms"] = [s.id for s in catalogue.SYMPTOMS if s.id in had]
    return values


def _items(value, word: str) -> list:
    """A list given as a list, or as one text."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise InputError(f"{word} must be a list of names or one text.")


def _baseline(items: list) -> list[str]:
    known = parse_symptoms(items)
    refused = [sid for sid in known if not catalogue.can_be_baseline(sid)]
    if refused:
        raise InputError(f"{', '.join(refused)} ({catalogue.label(refused[0])}) is an emergency "
                         "sign, so it cannot be recorded as present before the implant: it "
                         "always needs emergency help.")
    return known


def profile_notes(values: dict) -> list[str]:
    """What the person should know about values that were accepted: a medicine or a pump make
    pumpjournal does not know."""
    notes = []
    unknown = [d for d in values.get("drugs") or [] if not catalogue.known_drug(d)]
    if unknown:
        notes.append(f"{', '.join(unknown)} is not a medicine pumpjournal knows, so no "
                     "medicine-specific warning signs are watched for it. Known: "
                     f"{', '.join(catalogue.KNOWN_DRUGS)}.")
    if values.get("pump_make") and not catalogue.pump_make_known(values["pump_make"]):
        notes.append("this make names no pump maker pumpjournal knows, so before an MRI it is "
                     "treated as unknown (contact your care team first). Known: "
                     f"{', '.join(sorted(catalogue.PUMP_MAKERS))}.")
    return notes
