"""Schema-1 journals, as two earlier releases wrote them, read and migrate losing nothing.

The fixtures in tests/fixtures/schema1 were written by the release at commit ebae995 and by
the release just before readings arrived (945bb3c), with what each printed for them
(tests/fixtures/schema1/README.md says how).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pumpjournal import Journal
from pjtest import ok

FIXTURES = Path(__file__).parent / "fixtures" / "schema1"
RELEASES = ["ebae995", "945bb3c"]


def expected(release: str) -> dict:
    return json.loads((FIXTURES / f"{release}.expected.json").read_text(encoding="utf-8"))


@pytest.fixture(params=RELEASES)
def old_journal(request, journal) -> tuple[str, bytes]:
    journal.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / f"{request.param}.json", journal)
    journal.chmod(0o600)
    return request.param, journal.read_bytes()


def backups(journal: Path, reason: str) -> list[Path]:
    return sorted((journal.parent / "backups").glob(f"*.{reason}.json"))


def entries_now(cli) -> list[dict]:
    found = []
    for who in ("me", "p002"):
        result = ok(cli("list", "--json", "--patient", who))
        found += json.loads(result.stdout)
    return found


def check_every_value(cli, release: str) -> None:
    """Every entry, event, profile fact and question the old release printed is there."""
    old = expected(release)
    now = {(e["patient"], e["date"]): e for e in entries_now(cli)}
    assert len(now) == len(old["entries"])
    for before in old["entries"]:
        after = now[(before["patient"], before["date"])]
        for key, value in before.items():
            if key != "flags":  # the rules have grown since; the values are what must stay
                assert after[key] == value, (release, before["date"], key)
        (reading,) = after["readings"]  # one reading whose time was not recorded
        assert reading["time"] is None and reading["utc_offset"] is None
        assert reading["pain"] == before["pain"] and after["pain_mean"] == before["pain"]
        assert reading["logged_at"] == before["logged_at"]
    events = []
    for who in ("me", "p002"):
        events += json.loads(ok(cli("event", "list", "--json", "--patient", who)).stdout)
    assert sorted(events, key=lambda e: e["id"]) == sorted(old["events"], key=lambda e: e["id"])
    for who, facts in old["profiles"].items():
        shown = json.loads(ok(cli("profile", "--json", "--patient", who)).stdout)
        for key, value in facts.items():
            assert shown.get(key) == value, (release, who, key)
    for who, questions in old["questions"].items():
        summary = json.loads(ok(cli("summary", "--json", "--patient", who, "--since",
                                    "2026-01-01")).stdout)
        assert summary["questions"] == questions


def test_a_schema_1_journal_is_read_as_it_is_and_never_rewritten_by_a_read(
        cli, journal, old_journal):
    release, raw = old_journal
    check_every_value(cli, release)
    for args in (["summary", "--patient", "me"], ["flags", "--patient", "me"], ["cohort"],
                 ["export", "--format", "csv", "--output", "-"],
                 ["show", "2026-11-24", "--patient", "me"]):
        ok(cli(*args))
    assert journal.read_bytes() == raw
    assert not (journal.parent / "backups").exists()


def test_doctor_names_the_schema_and_finds_the_old_journal_sound(cli, old_journal):
    result = ok(cli("doctor"))
    assert "schema 1" in result.stdout and "next change" in result.stdout
    assert "The journal is sound." in result.stdout


def test_the_first_write_migrates_after_a_backup_and_every_value_survives(
        cli, journal, old_journal):
    release, raw = old_journal
    ok(cli("log", "--pain", "2", "--patient", "me", "--date", "2026-12-01"))
    (copy,) = backups(journal, "migrate")
    assert copy.read_bytes() == raw  # the old journal, byte for byte
    data = json.loads(journal.read_bytes())
    assert data["meta"]["1"]["schema"] == 2
    assert all(isinstance(doc["readings"], list) and "pain" not in doc
               for doc in data["entries"].values())
    old = expected(release)
    now = {(e["patient"], e["date"]): e for e in entries_now(cli)}
    assert now[("me", "2026-12-01")]["pain"] == 2
    for before in old["entries"]:
        after = now[(before["patient"], before["date"])]
        assert all(after[k] == v for k, v in before.items() if k != "flags"), before["date"]
    result = ok(cli("doctor"))
    assert "schema 2." in result.stdout and "The journal is sound." in result.stdout
    ok(cli("log", "--pain", "3", "--patient", "me", "--date", "2026-11-30"))
    assert len(backups(journal, "migrate")) == 1  # migrated once


def test_a_migrated_journal_opens_in_the_library_with_one_untimed_reading_a_day(old_journal,
                                                                                journal):
    release, _ = old_journal
    entries = Journal(journal).entries("me")
    assert entries and all(len(e.readings) == 1 and e.readings[0].time is None
                           for e in entries)
    day = {e.date: e for e in entries}["2026-11-24"]
    before = next(e for e in expected(release)["entries"]
                  if (e["patient"], e["date"]) == ("me", "2026-11-24"))
    assert day.symptoms == before["symptoms"] and day.note == before["note"]


def test_a_schema_1_day_with_a_wrong_value_is_named_as_before(cli, journal):
    data = json.loads((FIXTURES / "945bb3c.json").read_text(encoding="utf-8"))
    doc = next(iter(data["entries"].values()))
    doc["pain"] = "four"
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text(json.dumps(data), encoding="utf-8")
    result = cli("list", "--patient", "me")
    assert result.exit_code == 1
    assert "pain value of the wrong kind" in result.stderr and "left untouched" in result.stderr
