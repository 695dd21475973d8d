"""FHIR R4 export: a Bundle (type collection) of Patient and Observation resources.

Resources have stable urn:uuid fullUrls; an Observation's subject is its Patient's fullUrl.
Pain now and average pain: LOINC 72514-3 (0-10 verbal numeric rating), valueInteger. Body
temperature: LOINC 8310-5, UCUM Cel, valueQuantity. Symptoms: one Observation each, coded with
SNOMED CT where the catalogue marks the code as verified, else by text, valueBoolean true. The
URLs below are code-system identifiers; nothing is fetched.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import IO, Iterable

from . import symptoms as cat

LOINC, SNOMED, UCUM = "http://loinc.org", "http://snomed.info/sct", "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INSTRUMENT = "pumpjournal daily NRS v1"
PAIN = {"system": LOINC, "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}


def urn(*parts: str) -> str:
    """A stable urn:uuid for a resource, so the same journal exports the same Bundle."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "pumpjournal:" + ":".join(parts)))


def _observation(n: int, patient: str, day: str, category: str, code: dict, text: str,
                 value: dict) -> dict:
    return {"fullUrl": urn("observation", patient, day, str(n)), "resource": {
        "resourceType": "Observation", "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": category}]}],
        "code": {**({"coding": [code]} if code else {}), "text": text},
        "subject": {"reference": urn("patient", patient)}, "effectiveDateTime": day,
        **value}}


def fhir_id(patient: str) -> str:
    """The person's id where it is a valid FHIR id ([A-Za-z0-9.-]{1,64}), else a stable hash
    of it (the Patient's identifier keeps the id as written)."""
    if re.fullmatch(r"[A-Za-z0-9.-]{1,64}", patient):
        return patient
    return "pj-" + hashlib.sha256(patient.encode()).hexdigest()[:24]


def observations(entry: dict) -> list[dict]:
    patient, day = entry["patient"], entry["date"]
    found = []
    for key, text in (("pain", "pain right now"),
                      ("average", "average pain over the last 24 hours")):
        if entry[key] is not None:
            value = {"valueInteger": entry[key],
                     "method": {"text": f"{INSTRUMENT}; recall: "
                                        f"{'now' if key == 'pain' else 'last 24 hours'}"}}
            found.append(("survey", PAIN, text, value))
    if entry["temperature_c"] is not None:
        found.append(("vital-signs", {"system": LOINC, "code": "8310-5",
                                      "display": "Body temperature"}, "body temperature",
                      {"valueQuantity": {"value": entry["temperature_c"], "unit": "Cel",
                                         "system": UCUM, "code": "Cel"}}))
    for sid in entry["symptoms"]:
        symptom = cat.BY_ID.get(sid)  # an id not in the catalogue (a hand-edited journal)
        code = symptom.snomed.split(" ")[0] if symptom else ""
        coding = {"system": SNOMED, "code": code} if code else None
        found.append(("survey", coding, symptom.label if symptom else sid,
                      {"valueBoolean": True}))
    return [_observation(n, patient, day, *item) for n, item in enumerate(found)]


def write_bundle(out: IO[str], entries: Iterable[dict], patients: list[str]) -> None:
    """Stream a Bundle: one resource at a time."""
    out.write('{"resourceType": "Bundle", "type": "collection", "entry": [')
    first = True
    for patient in patients:
        resource = {"fullUrl": urn("patient", patient), "resource": {
            "resourceType": "Patient", "id": fhir_id(patient),
            "identifier": [{"system": "urn:pumpjournal:patient", "value": patient}]}}
        out.write(("" if first else ",") + "\n  " + json.dumps(resource, ensure_ascii=False))
        first = False
    for entry in entries:
        for resource in observations(entry):
            out.write(",\n  " + json.dumps(resource, ensure_ascii=False))
    out.write("\n]}\n")
