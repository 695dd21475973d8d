"""FHIR R4 export: a Bundle (type collection) of Patient and Observation resources.

Resources have stable urn:uuid fullUrls; an Observation's subject is its Patient's fullUrl.
A reading's Observations (pain now, temperature, symptoms) carry ``effectiveDateTime`` with the
reading's time and UTC offset where both are known, else the day's date; the day's own 24-hour
average keeps the date. Pain now and average pain: LOINC 72514-3 (0-10 verbal numeric rating),
valueInteger. Body
temperature: LOINC 8310-5, UCUM Cel, valueQuantity. Symptoms: one Observation each, coded with
SNOMED CT where the catalogue marks the code as verified, else by text, valueBoolean true. The
URLs below are code-system identifiers; nothing is fetched.
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
INSTRUMENT = "pumpjournal daily NRS v1"
PAIN = {"system": LOINC, "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}


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
                 category: str, code: dict, text: str, value: dict) -> dict:
    return {"fullUrl": urn("observation", patient, day, slot, str(n)), "resource": {
        "resourceType": "Observation", "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": category}]}],
        "code": {**({"coding": [code]} if code else {}), "text": text},
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


def observations(day: dict) -> list[dict]:
    """The Observations of a stored day: its 24-hour average pain (dated by the day), then
    each reading's pain now, temperature and symptoms (timed where the reading's time and
    offset are known). Ids stay unique and stable per reading: the reading's time (or
    "untimed": a day has at most one reading without a time) is part of each one."""
    patient, date = day["patient"], day["date"]
    subject = {"reference": urn("patient", patient)}
    found = []
    if day.get("average") is not None:
        found.append(_observation("day", 0, patient, subject, date, date, "survey", PAIN,
                                  "average pain over the last 24 hours",
                                  _pain(day["average"], "last 24 hours")))
    for reading in sorted(day["readings"], key=lambda r: r.get("time") or ""):
        slot, when = reading.get("time") or "untimed", effective(date, reading)
        items = []
        if reading.get("pain") is not None:
            items.append(("survey", PAIN, "pain right now", _pain(reading["pain"], "now")))
        if reading.get("temperature_c") is not None:
            items.append(("vital-signs", {"system": LOINC, "code": "8310-5",
                                          "display": "Body temperature"}, "body temperature",
                          {"valueQuantity": {"value": reading["temperature_c"], "unit": "Cel",
                                             "system": UCUM, "code": "Cel"}}))
        for sid in reading.get("symptoms") or ():
            symptom = cat.BY_ID.get(sid)  # an id not in the catalogue (a hand-edited journal)
            code = symptom.snomed.split(" ")[0] if symptom else ""
            coding = {"system": SNOMED, "code": code} if code else None
            items.append(("survey", coding, symptom.label if symptom else sid,
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
