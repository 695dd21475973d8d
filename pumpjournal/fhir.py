"""FHIR R4 export: a Bundle (type collection) of Patient and Observation resources.

Resources have stable urn:uuid fullUrls; an Observation's subject is its Patient's fullUrl.
A reading's Observations (pain now, temperature, symptoms) carry ``effectiveDateTime`` with the
reading's time and UTC offset where both are known, else the day's date; the day's 24-hour
recall scores (worst, least, average) keep the date.

Codes. Pain now: LOINC 72514-3 (0-10 verbal numeric rating, a point-in-time score),
valueInteger. The 24-hour worst, least and average have no LOINC code that fits (the BPI items
are a licensed instrument pumpjournal does not use, and PROMIS asks about 7 days), so each is
coded in pumpjournal's own code system ``ITEMS`` (``pain-worst-24h``, ``pain-least-24h``,
``pain-average-24h``: the linkIds of docs/catalogue.md section 6) and never with 72514-3: a
consumer selecting by code gets one kind of score. Body temperature: LOINC 8310-5, UCUM Cel,
valueQuantity. Symptoms: one Observation each, valueBoolean true, coded with the checklist id in
``ITEMS`` and with SNOMED CT where the catalogue marks the code as verified (some are broader
than the item: ``BROADER``). The URLs below are code-system identifiers; nothing is fetched.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import IO, Iterable

import orjson

from . import symptoms as cat

LOINC, SNOMED, UCUM = "http://loinc.org", "http://snomed.info/sct", "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
ITEMS = "urn:pumpjournal:item"  # pumpjournal's own codes: questionnaire linkIds, checklist ids
INSTRUMENT = "pumpjournal daily NRS v1"
PAIN = {"system": LOINC, "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
# the day's recall scores: (stored key, slot number, code in ITEMS, display, code.text)
RECALL = (
    ("worst", 1, "pain-worst-24h", "Worst pain over the last 24 hours, 0-10",
     "worst pain over the last 24 hours"),
    ("least", 2, "pain-least-24h", "Least pain over the last 24 hours, 0-10",
     "least pain over the last 24 hours"),
    ("average", 0, "pain-average-24h", "Average pain over the last 24 hours, 0-10",
     "average pain over the last 24 hours"),
)
TEMPERATURE = {"system": LOINC, "code": "8310-5", "display": "Body temperature"}
# checklist ids whose SNOMED CT code is broader than the item (the catalogue's ↑)
BROADER = tuple(s.id for s in cat.SYMPTOMS if "(broader)" in s.snomed)

_NAMESPACE = uuid.NAMESPACE_URL.bytes


def urn(*parts: str) -> str:
    """A stable urn:uuid for a resource, so the same journal exports the same Bundle: the
    name-based (version 5) UUID of ``pumpjournal:`` and the parts joined by ``:`` in the URL
    namespace, as ``uuid.uuid5`` makes it, without building a UUID object."""
    digest = bytearray(hashlib.sha1(_NAMESPACE + ("pumpjournal:" + ":".join(parts)).encode())
                       .digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _observation(slot: str, n: int, patient: str, subject: dict, day: str, when: str,
                 category: str, codings: list, text: str, value: dict) -> dict:
    return {"fullUrl": urn("observation", patient, day, slot, str(n)), "resource": {
        "resourceType": "Observation", "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": category}]}],
        "code": {**({"coding": codings} if codings else {}), "text": text},
        "subject": subject, "effectiveDateTime": when, **value}}


def effective(day: str, reading: dict) -> str:
    """When a reading was made, as a FHIR dateTime: the date, time and UTC offset
    (``2026-11-24T08:30:00+01:00``) where the time and its offset are known, else the date
    alone (FHIR wants an offset with any time)."""
    time, offset = reading.get("time"), reading.get("utc_offset")
    return f"{day}T{time}:00{offset}" if time and offset else day


def fhir_id(patient: str) -> str:
    """The person's id where it is a valid FHIR id ([A-Za-z0-9.-]{1,64}), else a stable hash
    of it (the Patient's identifier keeps the id as written)."""
    if re.fullmatch(r"[A-Za-z0-9.-]{1,64}", patient):
        return patient
    return "pj-" + hashlib.sha256(patient.encode()).hexdigest()[:24]


def _pain(value: int, recall: str) -> dict:
    return {"valueInteger": value, "method": {"text": f"{INSTRUMENT}; recall: {recall}"}}


def symptom_codings(sid: str) -> list[dict]:
    """The codings of a checklist item: its SNOMED CT code where the catalogue marks one
    verified (which may be broader than the item, see ``BROADER``), then its id in ``ITEMS``.
    An id not in the catalogue (a hand-edited journal) has none: it is told by text."""
    symptom = cat.BY_ID.get(sid)
    if symptom is None:
        return []
    code = symptom.snomed.split(" ")[0]
    return ([{"system": SNOMED, "code": code}] if code else []) + [
        {"system": ITEMS, "code": sid}]


def observations(day: dict) -> list[dict]:
    """The Observations of a stored day: its 24-hour worst, least and average pain (dated by
    the day), then each reading's pain now, temperature and symptoms (timed where the
    reading's time and offset are known). Ids stay unique and stable per reading: the reading's
    time (or "untimed": a day has at most one reading without a time) is part of each one, and
    each recall score has its own fixed number."""
    patient, date = day["patient"], day["date"]
    subject = {"reference": urn("patient", patient)}
    found = []
    for key, n, code, display, text in RECALL:
        if day.get(key) is not None:
            found.append(_observation(
                "day", n, patient, subject, date, date, "survey",
                [{"system": ITEMS, "code": code, "display": display}], text,
                _pain(day[key], "last 24 hours")))
    for reading in sorted(day["readings"], key=lambda r: r.get("time") or ""):
        slot, when = reading.get("time") or "untimed", effective(date, reading)
        items = []
        if reading.get("pain") is not None:
            items.append(("survey", [PAIN], "pain right now", _pain(reading["pain"], "now")))
        if reading.get("temperature_c") is not None:
            items.append(("vital-signs", [TEMPERATURE], "body temperature",
                          {"valueQuantity": {"value": reading["temperature_c"], "unit": "Cel",
                                             "system": UCUM, "code": "Cel"}}))
        for sid in reading.get("symptoms") or ():
            symptom = cat.BY_ID.get(sid)
            items.append(("survey", symptom_codings(sid), symptom.label if symptom else sid,
                          {"valueBoolean": True}))
        found += [_observation(slot, n, patient, subject, date, when, *item)
                  for n, item in enumerate(items)]
    return found


def patient_entry(person: str) -> dict:
    """The Bundle entry of one person's Patient resource."""
    return {"fullUrl": urn("patient", person), "resource": {
        "resourceType": "Patient", "id": fhir_id(person),
        "identifier": [{"system": "urn:pumpjournal:patient", "value": person}]}}


OPENING = '{"resourceType":"Bundle","type":"collection","entry":['


def write_bundle(out: IO[str], days: Iterable[dict], patients: list[str]) -> None:
    """Stream a Bundle of stored ``days`` (schema 2 documents) to ``out``: the opening, then
    each entry as it is made (one compact JSON resource a line, written and forgotten), then
    the closing. Memory holds one day's resources at a time, whatever the journal's size. The
    text is the compact JSON of the whole Bundle (as ``orjson.dumps`` writes it) with a line
    break before each entry and before the closing."""
    out.write(OPENING)
    sep = "\n"
    for person in patients:
        out.write(sep + orjson.dumps(patient_entry(person)).decode())
        sep = ",\n"
    for day in days:
        for resource in observations(day):
            out.write(sep + orjson.dumps(resource).decode())
            sep = ",\n"
    out.write("\n]}\n" if sep != "\n" else "]}\n")
