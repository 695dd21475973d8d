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
