"""The REDCap export: a CSV for REDCap's Data Import Tool, and the data dictionary to build
the project from.

The project has two instruments: ``participant`` (not repeating; ``record_id``, the
pumpjournal person id, and nothing else) and ``daily_reading``, a repeating instrument with
one instance per reading, numbered from 1 per record in time order (date, then time, a reading
without a time first). The day's own values (worst, least and average pain over 24 hours,
sleep, mood, questions) repeat on each reading of the day, as in the CSV export.

Values are REDCap's raw codes: checkboxes 0/1 in one column per choice
(``symptoms___<code>``), yes/no 1/0, dropdowns their code. A checklist id becomes its code with
``_`` for ``-`` (``leg-numbness``: ``leg_numbness``); every choice of the catalogue is a column,
so every export of every journal fits the same project. Text is written exactly as stored: the
file is for REDCap, which would keep a spreadsheet formula guard's leading ' as part of a note.
"""

from __future__ import annotations

import csv
import re
from typing import IO, Iterable, NamedTuple

from . import model
from . import symptoms as cat
from .errors import NotWritten
from .escape import quote
from .transfer import plain_cell

PARTICIPANT_FORM = "participant"
READING_FORM = "daily_reading"
REPEAT_COLUMNS = ("redcap_repeat_instrument", "redcap_repeat_instance")
DICTIONARY_COLUMNS = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min", "Text Validation Max",
    "Identifier?", "Branching Logic (Show field only if...)", "Required Field?",
    "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
    "Matrix Ranking?", "Field Annotation")
COMPLETE = "2"  # a form's status in REDCap's raw codes: 0 incomplete, 1 unverified, 2 complete
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,99}")  # REDCap's rule for a variable name
CHOICE_CODE = re.compile(r"[a-z0-9_]+")
DAY_NOTE = "The day's value, repeated on each reading of the day."


class Field(NamedTuple):
    name: str       # the REDCap variable
    column: str     # the export row's key it comes from
    kind: str       # REDCap field type: text, notes, checkbox, dropdown, yesno
    label: str
    validation: str = ""
    low: str = ""
    high: str = ""
    note: str = ""
    required: bool = False


def code(item_id: str) -> str:
    """A checklist id or site as a REDCap raw code: ``leg-numbness`` -> ``leg_numbness``."""
    return item_id.replace("-", "_")


SYMPTOM_CHOICES = tuple((code(s.id), s.id, s.label) for s in cat.SYMPTOMS)
SITE_LABELS = {"not-sure": "Not sure"}
SITE_CHOICES = tuple((code(site), site, SITE_LABELS.get(site, site.capitalize()))
                     for site in model.TEMP_SITES)

RECORD_ID = Field("record_id", "patient", "text", "Participant (pumpjournal person id)",
                  required=True)
READING_FIELDS = (
    Field("reading_date", "date", "text", "Date", "date_ymd", required=True),
    Field("reading_time", "time", "text", "Time of the reading", "time",
          note="HH:MM, 24-hour clock, local time; empty: not recorded"),
    Field("utc_offset", "utc_offset", "text", "UTC offset of that time",
          note="+HH:MM or -HH:MM"),
    Field("pain_now", "pain", "text", "Pain now (0-10)", "integer", "0", "10",
          note=model.PAIN_SCALE),
    Field("pain_worst", "worst", "text", "Worst pain in the last 24 hours (0-10)", "integer",
          "0", "10", note=DAY_NOTE),
    Field("pain_least", "least", "text", "Least pain in the last 24 hours (0-10)", "integer",
          "0", "10", note=DAY_NOTE),
    Field("pain_average", "average", "text", "Average pain in the last 24 hours (0-10)",
          "integer", "0", "10", note=DAY_NOTE),
    Field("symptoms", "symptoms", "checkbox", "Symptoms noticed"),
    Field("worse", "worse", "checkbox", "Symptoms worse than usual"),
    Field("temperature", "temperature", "text", "Temperature as typed",
          note="With its unit when one was typed (100.4 F)"),
    Field("temperature_c", "temperature_c", "text", "Temperature (degrees Celsius)", "number",
          str(model.TEMP_MIN_C), str(model.TEMP_MAX_C)),
    Field("temperature_site", "temperature_site", "dropdown", "Where the temperature was taken"),
    Field("boluses", "boluses", "text", "Patient-activated doses (boluses)", "integer", "0",
          "100"),
    Field("sleep", "sleep", "text", "Hours slept", "number", "0", "24", note=DAY_NOTE),
    Field("mood", "mood", "text", "Mood (0-10)", "integer", "0", "10",
          note="0 = very low, 10 = very good. " + DAY_NOTE),
    Field("impression", "impression", "text", "Impression of change since before the pump (1-7)",
          "integer", "1", "7", note="1 = very much improved, 4 = no change, "
          "7 = very much worse. " + DAY_NOTE),
    Field("note", "note", "notes", "Note"),
    Field("questions", "questions", "notes", "Questions for the care team",
          note="One a line. " + DAY_NOTE),
    Field("contacted", "contacted", "yesno", "Contacted the care team about these signs"),
    Field("logged_at", "logged_at", "text", "When the reading was first saved",
          note="ISO 8601 with its UTC offset; empty: not known"),
    Field("updated_at", "updated_at", "text", "When the row last changed",
          note="ISO 8601 with its UTC offset"),
)
CHOICES = {"symptoms": SYMPTOM_CHOICES, "worse": SYMPTOM_CHOICES,
           "temperature_site": SITE_CHOICES}


def _choices(field: Field) -> str:
    return " | ".join(f"{raw}, {label}" for raw, _, label in CHOICES.get(field.name, ()))


def dictionary_rows() -> list[list[str]]:
    """The data dictionary: a header of REDCap's 18 columns, then one row per field
    (``record_id`` first, on the first form)."""
    rows = [list(DICTIONARY_COLUMNS)]
    for form, field in [(PARTICIPANT_FORM, RECORD_ID)] + [(READING_FORM, f)
                                                           for f in READING_FIELDS]:
        row = dict.fromkeys(DICTIONARY_COLUMNS, "")
        row.update({
            "Variable / Field Name": field.name, "Form Name": form, "Field Type": field.kind,
            "Field Label": field.label, "Choices, Calculations, OR Slider Labels":
            _choices(field), "Field Note": field.note,
            "Text Validation Type OR Show Slider Number": field.validation,
            "Text Validation Min": field.low, "Text Validation Max": field.high,
            "Required Field?": "y" if field.required else ""})
        rows.append(list(row.values()))
    return rows


def columns() -> list[str]:
    """The import file's columns, in REDCap's order: record_id, the repeat columns, each
    form's fields (a checkbox as one column per choice) and its ``<form>_complete``."""
    found = ["record_id", *REPEAT_COLUMNS, f"{PARTICIPANT_FORM}_complete"]
    for field in READING_FIELDS:
        if field.kind == "checkbox":
            found += [f"{field.name}___{raw}" for raw, _, _ in CHOICES[field.name]]
        else:
            found.append(field.name)
    return found + [f"{READING_FORM}_complete"]


def _checkbox(field: Field):
    """A list of checklist ids as the field's 0/1 cells, one per choice."""
    index = {item: n for n, (_, item, _) in enumerate(CHOICES[field.name])}
    zeros = ["0"] * len(index)

    def cells(value) -> list[str]:
        if not value:
            return zeros
        found = zeros.copy()
        for item in value:
            if item not in index:
                raise NotWritten(f"the journal holds a {field.name} item {quote(item, 40)} "
                                 "that is not in the checklist, so REDCap has no column for "
                                 "it; `pumpjournal doctor` finds the entry.")
            found[index[item]] = "1"
        return found
    return cells


def _cell(value) -> str:
    """A value as its raw REDCap cell: empty for none, yes/no as 1/0, lists one a line."""
    return plain_cell(value, "\n")


def _site(value) -> str:
    return "" if value is None else code(value)


def write_dictionary(out: IO[str]) -> None:
    csv.writer(out, lineterminator="\n").writerows(dictionary_rows())


def write_records(out: IO[str], people: Iterable[tuple[str, Iterable[dict]]]) -> dict:
    """The import file: for each (participant, rows) of ``people`` (rows as
    ``transfer.export_rows`` gives them), a ``participant`` row, then one ``daily_reading``
    instance per row, numbered from 1. Returns {"readings", "participants"}."""
    writer = csv.writer(out, lineterminator="\n")
    header = columns()
    writer.writerow(header)
    blank = [""] * (len(header) - 5)
    plan = [(f.column, _checkbox(f) if f.kind == "checkbox" else
             _site if f.kind == "dropdown" else None) for f in READING_FIELDS]
    cell = _cell
    counts = {"readings": 0, "participants": 0}
    for person, rows in people:
        instance = 0
        for row in rows:
            if not instance:
                writer.writerow([person, "", "", COMPLETE, *blank, ""])
                counts["participants"] += 1
            instance += 1
            cells = [person, READING_FORM, str(instance), ""]
            for key, convert in plan:
                if convert is None:
                    cells.append(cell(row[key]))
                elif convert is _site:
                    cells.append(_site(row[key]))
                else:
                    cells += convert(row[key])
            cells.append(COMPLETE)
            writer.writerow(cells)
        counts["readings"] += instance
    return counts
