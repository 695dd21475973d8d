"""The bundled demo journal: a fictional patient's trial, implant and recovery.

It is built from the tables below into a temporary file each time, so it always matches the
current journal format. It holds one documented warning sign (redness and swelling at the
incision on day 4 after the implant, noticed over the day's three readings), the expected
soreness of the first days, and a day filled in the next morning.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from . import model
from .model import Event
from .store import Journal

PATIENT = "sam"
NAME = "Sam Rivera"
IMPLANT = "2026-09-15"
PROFILE = {
    "name": NAME, "implant_date": "2026-09-15", "trial_start": "2026-08-31",
    "trial_end": "2026-09-03", "pump_make": "SynchroMed II", "drugs": ["morphine"],
    "care_team": "Pain clinic (fictional)", "care_phone": "555-0142",
    "after_hours_phone": "555-0199", "emergency_number": "911",
}
EVENTS = [
    ("trial-start", "2026-08-31", {"drug": "morphine"}),
    ("trial-end", "2026-09-03", {"relief": "yes", "note": "pain down by about half"}),
    ("implant", "2026-09-15", {}),
    ("visit", "2026-09-22", {"note": "wound check"}),
    ("dose-change", "2026-09-29", {"drug": "morphine", "dose": 0.6, "unit": "mg/day"}),
    ("refill", "2026-10-20", {"next_due": "2027-01-12"}),
    ("visit", "2026-10-20", {"note": "refill and dose review"}),
]
# date, pain now, worst, least, average, symptoms, temperature, note
DAYS = [
    ("2026-08-20", 8, 9, 7, 8, [], None, None),
    ("2026-08-24", 7, 9, 6, 7, [], None, None),
    ("2026-08-28", 7, 9, 6, 7, [], None, "Baseline week before the trial."),
    ("2026-08-30", 7, 8, 6, 7, [], None, None),
    ("2026-09-01", 5, 7, 4, 5, [], None, "First trial day: less pain by evening."),
    ("2026-09-02", 4, 6, 3, 4, [], None, None),
    ("2026-09-03", 4, 5, 3, 4, [], None, "Trial catheter out. Clinic says the trial worked."),
    ("2026-09-08", 7, 8, 6, 7, [], None, None),
    ("2026-09-15", 6, 8, 5, 6, ["incision-soreness"], None, "Implant day. Home by evening."),
    ("2026-09-16", 5, 7, 4, 5, ["incision-soreness"], None, None),
    ("2026-09-17", 5, 6, 4, 5, ["incision-soreness"], "37.1", None),
    ("2026-09-18", 4, 6, 3, 4, ["incision-soreness"], "37.3", "Short walk round the block."),
    ("2026-09-19", 5, 6, 4, 5, ["incision-redness", "incision-swelling", "incision-soreness"],
     "37.6", "Belly incision looks pinker and puffy. Called the clinic."),
    ("2026-09-20", 4, 5, 3, 4, ["incision-soreness"], "37.2", "Clinic checked it: seen Monday."),
    ("2026-09-22", 4, 5, 3, 4, [], "36.9", "Wound check went fine."),
    ("2026-09-25", 3, 5, 2, 3, [], None, None),
    ("2026-09-27", 4, 5, 3, 4, [], None, None),
    ("2026-09-29", 3, 4, 2, 3, [], None, "Back to gentle gardening."),
    ("2026-10-01", 3, 4, 2, 3, [], None, None),
    ("2026-10-03", 2, 3, 1, 2, [], None, None),
    ("2026-10-06", 3, 4, 2, 3, [], None, None),
    ("2026-10-13", 4, 5, 3, 4, ["constipation"], None, None),
    ("2026-10-20", 3, 4, 2, 3, [], None, "Refill day."),
]


# Earlier readings of some days (the day's row above is its 20:30 reading): date, time, pain
# now, symptoms, temperature, note
READINGS = [
    ("2026-09-01", "09:00", 6, [], None, "Trial dose started at 8."),
    ("2026-09-19", "08:30", 4, ["incision-soreness"], "37.2", None),
    ("2026-09-19", "14:00", 5, ["incision-redness"], "37.4", "Redness around the belly cut."),
    ("2026-10-20", "10:15", 4, [], None, "Before the refill."),
]
OFFSET = "-05:00"
# Boluses (doses given with the hand-held programmer) on the days around the dose change
BOLUSES = {"2026-09-22": 3, "2026-09-25": 2, "2026-09-27": 3, "2026-10-01": 1,
           "2026-10-03": 1, "2026-10-06": 2}
# The impression of change since before the pump (1-7): day 28 after the implant, a visit
IMPRESSIONS = {"2026-10-13": 3, "2026-10-20": 2}
LATE = {"2026-09-16": "2026-09-17T09:10:00-05:00"}  # filled in the next morning


def _values(pain, symptoms, temperature, note) -> dict:
    values = {"pain": pain, "symptoms": symptoms, "note": note}
    if temperature:
        values.update(temperature_c=float(temperature), temperature=f"{temperature} C")
    return {key: value for key, value in values.items() if value not in (None, [])}


def build(path: Path) -> Journal:
    """Write the demo journal to ``path`` (a new file) and return it: each day's evening
    reading, and on a few days earlier readings too."""
    journal = Journal(path)
    with journal.transaction() as tx:
        tx.set_profile(PATIENT, PROFILE)
        for kind, day, details in EVENTS:
            tx.add_event(Event(PATIENT, kind, day, details))
        for day, pain, worst, least, average, symptoms, temperature, note in DAYS:
            stamp = LATE.get(day, f"{day}T20:30:00{OFFSET}")
            values = {"worst": worst, "least": least, "average": average,
                      **_values(pain, symptoms, temperature, note)}
            if day in BOLUSES:
                values["boluses"] = BOLUSES[day]
            if day in IMPRESSIONS:
                values["impression"] = IMPRESSIONS[day]
            entry = model.new_entry(PATIENT, date.fromisoformat(day), values, stamp,
                                    ("20:30", OFFSET))
            for when, time, *reading in READINGS:
                if when == day:
                    entry = model.change_day(entry, _values(*reading),
                                             f"{day}T{time}:00{OFFSET}", (time, OFFSET))[0]
            tx.save_entry(entry)
        tx.log(PATIENT, date(2026, 9, 19), {"questions": [
            "How long should the incision stay pink?"]}, "2026-09-19T21:00:00-05:00")
    return journal


def period() -> tuple[date, date]:
    """The demo's days, first and last."""
    return date.fromisoformat(DAYS[0][0]), date.fromisoformat(DAYS[-1][0])
