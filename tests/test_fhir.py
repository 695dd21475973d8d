"""The FHIR Bundle writer as a library (`pumpjournal.fhir`): it streams (one resource a write,
the days read as it goes, memory flat whatever the journal's size) and what it streams is the
JSON of the whole Bundle. The command-line FHIR tests are in test_transfer.py."""

from __future__ import annotations

import json
import tracemalloc
import uuid
from datetime import date, timedelta

import orjson
from hypothesis import given
from hypothesis import strategies as st

from pumpjournal import fhir
from pumpjournal import symptoms as cat


def day(patient: str, n: int, **values) -> dict:
    """A stored (schema 2) day: day ``n`` after 2025-03-01, with readings and day values."""
    doc = {"patient": patient, "date": (date(2025, 3, 1) + timedelta(days=n)).isoformat(),
           "readings": values.pop("readings", [{"time": "08:00", "utc_offset": "+01:00",
                                                 "pain": n % 11}])}
    return doc | values


DAYS = [
    day("p1", 0, average=5, worst=8, least=2, readings=[
        {"time": "08:30", "utc_offset": "+01:00", "pain": 4, "temperature_c": 38.2,
         "symptoms": ["fever", "chills"]},
        {"pain": 2},  # no time
        {"time": "21:00", "pain": 6, "symptoms": ["not-in-the-catalogue"]}]),
    day("p1", 1),
    day("sub_02 ü", 0, average=3, readings=[{"symptoms": ["incision-soreness"]}]),
]


class Recorder:
    """A text stream that keeps each write apart."""

    def __init__(self):
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    @property
    def text(self) -> str:
        return "".join(self.writes)


def whole_bundle(days: list[dict], patients: list[str]) -> dict:
    """The Bundle built in memory at once: what the streamed text must be."""
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [fhir.patient_entry(p) for p in patients]
            + [r for d in days for r in fhir.observations(d)]}


def bundle_text(days: list[dict], patients: list[str]) -> str:
    out = Recorder()
    fhir.write_bundle(out, iter(days), patients)
    return out.text


def test_the_streamed_text_is_the_json_of_the_whole_bundle():
    patients = ["p1", "sub_02 ü"]
    text = bundle_text(DAYS, patients)
    bundle = whole_bundle(DAYS, patients)
    assert json.loads(text) == bundle
    # byte for byte the compact dump of the whole Bundle, with a line break before each
    # entry and before the closing (JSON strings never hold a raw line break)
    assert text.replace("\n", "") == orjson.dumps(bundle).decode()
    lines = text.splitlines()
    assert len(lines) == 2 + len(bundle["entry"])
    assert "ü" in text  # UTF-8, not \u escapes


def test_an_empty_bundle_and_a_bundle_without_patients_are_valid_json():
    assert json.loads(bundle_text([], [])) == whole_bundle([], [])
    # days without their Patients (a library caller's choice): still one valid array
    assert json.loads(bundle_text(DAYS, [])) == whole_bundle(DAYS, [])
    assert json.loads(bundle_text([], ["p1"])) == whole_bundle([], ["p1"])


def test_each_resource_is_written_as_it_is_made_while_the_days_are_read():
    out = Recorder()
    entries_before: list[int] = []

    def days():
        for doc in DAYS * 5:
            entries_before.append(len(out.writes))  # writes made before this day was read
            yield doc

    fhir.write_bundle(out, days(), ["p1", "sub_02 ü"])
    per_day = [len(fhir.observations(d)) for d in DAYS * 5]
    # the opening, one write a Patient, then one a resource of each earlier day
    assert entries_before == [1 + 2 + sum(per_day[:k]) for k in range(len(per_day))]
    assert len(out.writes) == 1 + 2 + sum(per_day) + 1
    for text in out.writes[1:-1]:  # each write in between is one entry, nothing more
        assert isinstance(json.loads(text.lstrip(",\n")), dict)


def test_memory_stays_flat_as_the_journal_grows():
    """Days made on the fly and written to nowhere: the writer's peak memory is the same for
    200 days as for 4,000 (it keeps no resource once written)."""

    class Sink:
        def write(self, text: str) -> int:
            return len(text)

    def peak(count: int) -> int:
        days = (day(f"p{n % 7}", n, average=4, worst=7, least=1) for n in range(count))
        tracemalloc.start()
        fhir.write_bundle(Sink(), days, [f"p{n}" for n in range(7)])
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(200), peak(4000)
    assert large < small * 1.5 + 20_000, (small, large)


@given(st.lists(st.text(min_size=0, max_size=30), min_size=1, max_size=5))
def test_urn_is_the_uuid5_of_the_parts(parts):
    expected = uuid.uuid5(uuid.NAMESPACE_URL, "pumpjournal:" + ":".join(parts))
    assert fhir.urn(*parts) == f"urn:uuid:{expected}"


# Codes: a consumer selects by coding ---------------------------------------------------------

PAIN_NOW = ("http://loinc.org", "72514-3")
RECALL = {key: (fhir.ITEMS, f"pain-{key}-24h") for key in ("worst", "least", "average")}


def coded(observations: list[dict], system: str, code: str) -> list[dict]:
    """What a FHIR consumer gets by selecting on one coding (system and code)."""
    return [o for o in observations
            if {"system": system, "code": code} in [
                {"system": c["system"], "code": c["code"]} for c in o["code"].get("coding", [])]]


def test_selecting_by_coding_tells_pain_now_from_the_24_hour_scores(cli, journal, tmp_path):
    rows = ("patient,date,time,utc_offset,pain,worst,least,average\n"
            "p1,2025-03-01,08:00,+01:00,3,8,1,5\n"
            "p1,2025-03-01,20:00,+01:00,5,8,1,5\n"   # the day's values repeat on each row
            "p1,2025-03-02,,,4,,,4\n"                # pain now equal to the average
            "p2,2025-03-01,09:00,-05:00,7,9,2,6\n"
            "p2,2025-03-02,09:00,-05:00,2,7,,\n"     # worst alone of the three
            "p2,2025-03-02,15:00,-05:00,,7,,\n")     # a later reading without pain now
    source = tmp_path / "s.csv"
    source.write_text(rows)
    assert cli("import", str(source)).exit_code == 0
    bundle = json.loads(cli("export", "--format", "fhir").stdout)
    observations = [e["resource"] for e in bundle["entry"]
                    if e["resource"]["resourceType"] == "Observation"]

    now = coded(observations, *PAIN_NOW)
    assert [(o["effectiveDateTime"], o["valueInteger"]) for o in now] == [
        ("2025-03-01T08:00:00+01:00", 3), ("2025-03-01T20:00:00+01:00", 5),
        ("2025-03-02", 4), ("2025-03-01T09:00:00-05:00", 7), ("2025-03-02T09:00:00-05:00", 2)]
    assert {o["code"]["text"] for o in now} == {"pain right now"}
    assert {o["method"]["text"] for o in now} == {"pumpjournal daily NRS v1; recall: now"}

    found = {key: [(o["effectiveDateTime"], o["valueInteger"]) for o in coded(observations, *c)]
             for key, c in RECALL.items()}
    assert found == {
        "average": [("2025-03-01", 5), ("2025-03-02", 4), ("2025-03-01", 6)],  # once a day
        "worst": [("2025-03-01", 8), ("2025-03-01", 9), ("2025-03-02", 7)],
        "least": [("2025-03-01", 1), ("2025-03-01", 2)]}
    for key, c in RECALL.items():
        chosen = coded(observations, *c)
        assert {o["code"]["text"] for o in chosen} == {f"{key} pain over the last 24 hours"}
        assert {o["method"]["text"] for o in chosen} == {
            "pumpjournal daily NRS v1; recall: last 24 hours"}
        assert not coded(chosen, *PAIN_NOW)
    # every pain score is in exactly one selection
    scores = [o for o in observations if "valueInteger" in o]
    assert len(scores) == len(now) + sum(len(v) for v in found.values())


def test_every_checklist_item_has_its_own_code_and_its_snomed_code_where_verified():
    ids = [s.id for s in cat.SYMPTOMS]
    doc = day("p1", 0, readings=[{"time": "09:00", "utc_offset": "+00:00", "symptoms": ids}])
    observations = [r["resource"] for r in fhir.observations(doc)]
    for symptom in cat.SYMPTOMS:
        (one,) = coded(observations, fhir.ITEMS, symptom.id)
        assert one["code"]["text"] == symptom.label and one["valueBoolean"] is True
        snomed = [c["code"] for c in one["code"]["coding"] if c["system"] == fhir.SNOMED]
        assert snomed == ([symptom.snomed.split(" ")[0]] if symptom.snomed else [])
    # broader SNOMED codes are shared; the item's own code tells them apart
    assert set(fhir.BROADER) == {s.id for s in cat.SYMPTOMS if "(broader)" in s.snomed}
    (sleepy,) = coded(observations, fhir.ITEMS, "very-sleepy")
    assert len(coded(observations, fhir.SNOMED, "3006004")) == 2  # very-sleepy, passing-out
    assert sleepy in coded(observations, fhir.SNOMED, "3006004")


def test_an_unknown_symptom_id_is_told_by_text_only():
    doc = day("p1", 0, readings=[{"symptoms": ["made-up"]}])
    (one,) = [r["resource"] for r in fhir.observations(doc)]
    assert one["code"] == {"text": "made-up"}


def test_no_symptoms_and_a_checklist_not_asked_look_the_same():
    """The journal keeps no "asked, none ticked": both days have no symptom Observations."""
    asked = day("p1", 0, readings=[{"time": "08:00", "pain": 3, "symptoms": []}])
    not_asked = day("p1", 0, readings=[{"time": "08:00", "pain": 3}])
    assert fhir.observations(asked) == fhir.observations(not_asked)
