"""Several readings a day: log --at, the day worked out from its readings, rules on each
reading with the day's earlier ones, and edit/delete of one reading."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from pumpjournal import Journal, checks, dates, model
from pjtest import ok

YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
STAMP = "2026-01-01T09:00:00+00:00"


@pytest.fixture
def noon(monkeypatch):
    """Today at 12:00 local time."""
    moment = datetime.combine(date.today(), datetime.min.time()).replace(hour=12).astimezone()
    monkeypatch.setattr(dates, "now", lambda: moment)
    return moment


def day(cli_json, when: str = "today") -> dict:
    return cli_json("show", when)


def refused(result) -> str:
    assert result.exit_code == 2, result.output
    return result.stderr


def test_each_log_of_today_is_a_reading_at_its_minute(cli, cli_json, noon):
    ok(cli("log", "--pain", "3"))
    noon_reading = day(cli_json)["readings"]
    assert [(r["time"], r["pain"]) for r in noon_reading] == [("12:00", 3)]
    assert noon_reading[0]["utc_offset"] == dates.offset_text(noon)
    result = ok(cli("log", "--pain", "5", "--at", "08:15"))
    assert "Added a reading to" in result.stdout and "08:15  pain 5" in result.stdout
    assert "The day so far: pain 3 at the latest reading, mean 4 over 2" in result.stdout
    result = ok(cli("log", "--pain", "6"))  # the same minute: that reading changes
    assert "(the reading at 12:00)" in result.stdout and "pain now: 3 -> 6" in result.stdout
    shown = day(cli_json)
    assert [(r["time"], r["pain"]) for r in shown["readings"]] == [("08:15", 5), ("12:00", 6)]
    assert shown["pain"] == 6 and shown["pain_mean"] == 5.5


def test_an_earlier_day_without_at_has_one_reading_without_a_time(cli, cli_json):
    ok(cli("log", "--pain", "3", "--date", "yesterday"))
    result = ok(cli("log", "--pain", "4", "--date", "yesterday"))
    assert "pain now: 3 -> 4" in result.stdout
    ok(cli("log", "--pain", "6", "--date", "yesterday", "--at", "21:00"))
    shown = day(cli_json, YESTERDAY)
    assert [(r["time"], r["utc_offset"], r["pain"]) for r in shown["readings"]][0] == (
        None, None, 4)
    assert [r["time"] for r in shown["readings"]] == [None, "21:00"]
    assert shown["pain"] == 6  # the untimed reading counts as the earliest


@pytest.mark.parametrize("at", ["12:01", "23:59"])
def test_a_time_later_than_now_today_is_refused_and_nothing_written(cli, journal, noon, at):
    line = refused(cli("log", "--pain", "3", "--at", at))
    assert "later than now" in line and "Nothing was changed" in line
    assert not journal.exists()
    ok(cli("log", "--pain", "3", "--at", at, "--date", "yesterday"))  # another day: fine


@pytest.mark.parametrize("at", ["25:00", "8", "noon", "12:60", "٠٨:٠٠"])
def test_a_time_not_understood_is_a_clear_error(cli, journal, at):
    line = refused(cli("log", "--pain", "3", "--at", at, "--date", "yesterday"))
    assert "HH:MM" in line and "Nothing was changed" in line
    assert not journal.exists()


def test_the_day_is_worked_out_from_its_readings(cli, cli_json, noon):
    ok(cli("log", "--pain", "4", "--at", "07:00", "--symptom", "headache", "--temperature",
           "37.9", "--temperature-site", "ear", "--boluses", "1", "--note", "morning",
           "--worst", "7"))
    ok(cli("log", "--at", "11:00", "--symptom", "nausea", "--temperature", "38.3",
           "--temperature-site", "mouth", "--boluses", "2", "--note", "late morning"))
    ok(cli("log", "--pain", "2", "--at", "09:00", "--temperature", "37.1"))
    shown = day(cli_json)
    assert shown["pain"] == 2  # the latest reading with a pain score (09:00)
    assert shown["pain_mean"] == 3.0
    assert shown["symptoms"] == model.parse_symptoms(["nausea", "headache"])  # catalogue order
    assert (shown["temperature_c"], shown["temperature_site"]) == (38.3, "mouth")
    assert shown["boluses"] == 3
    assert shown["note"] == "morning\nlate morning"
    assert shown["worst"] == 7
    times = [r["time"] for r in shown["readings"]]
    assert times == ["07:00", "09:00", "11:00"]
    assert shown["logged_at"] == min(r["logged_at"] for r in shown["readings"])
    assert shown["updated_at"] == max(r["updated_at"] for r in shown["readings"])


def test_day_fields_alone_change_the_day_and_add_no_reading(cli, cli_json, noon):
    ok(cli("log", "--pain", "4", "--at", "08:00"))
    result = ok(cli("log", "--sleep", "6.5", "--average", "3", "--question", "Why?",
                    "--json"))
    data = json.loads(result.stdout)
    assert data["action"] == "updated" and data["reading"] is None
    shown = day(cli_json)
    assert len(shown["readings"]) == 1
    assert (shown["sleep"], shown["average"], shown["questions"]) == (6.5, 3, ["Why?"])


def test_a_new_day_still_needs_pain_now(cli, journal):
    line = refused(cli("log", "--symptom", "fever", "--at", "00:00"))
    assert "--pain is required" in line
    assert not journal.exists()


def test_log_json_says_a_reading_was_added(cli, noon):
    ok(cli("log", "--pain", "4", "--at", "08:00"))
    data = json.loads(ok(cli("log", "--symptom", "chills", "--at", "10:00", "--json")).stdout)
    assert data["action"] == "added"
    assert data["reading"]["time"] == "10:00" and data["reading"]["pain"] is None
    assert data["reading"]["symptoms"] == ["chills"]
    assert [r["time"] for r in data["entry"]["readings"]] == ["08:00", "10:00"]


def test_a_morning_fever_and_an_evening_stiff_neck_are_one_emergency(cli, cli_json, noon):
    first = ok(cli("log", "--pain", "3", "--temperature", "38.6", "--at", "07:30"))
    assert "URGENT" in first.stdout and "EMERGENCY" not in first.stdout
    second = ok(cli("log", "--symptom", "stiff-neck", "--at", "11:45"))
    assert "EMERGENCY" in second.stdout and "W-MEN" in second.stdout
    assert "You logged on" in second.stdout and "at 11:45" in second.stdout
    listed = cli_json("list")
    assert "W-MEN" in {f["rule"] for f in listed[0]["flags"]}


def test_a_reading_is_checked_with_the_readings_before_it_only(cli, noon):
    ok(cli("log", "--pain", "3", "--symptom", "stiff-neck", "--at", "11:00"))
    earlier = ok(cli("log", "--temperature", "38.6", "--at", "07:00"))
    assert "W-MEN" not in earlier.stdout and "URGENT" in earlier.stdout


def test_contacted_alone_goes_to_the_latest_reading(cli, cli_json, noon):
    ok(cli("log", "--pain", "3", "--at", "08:00", "--symptom", "chills"))
    ok(cli("log", "--pain", "4", "--at", "10:00", "--symptom", "fever"))
    ok(cli("log", "--contacted", "yes"))
    shown = day(cli_json)
    assert [r["contacted"] for r in shown["readings"]] == [None, True]
    assert shown["contacted"] is True and len(shown["readings"]) == 2


def test_a_later_more_urgent_sign_asks_about_the_care_team_again(journal, noon):
    def log(at, values):
        return checks.log_day(Journal(journal), None, date.today(), model.validate_fields(
            values), STAMP, at=at)

    first = log("07:00", {"pain": 3, "symptoms": ["fever"]})
    assert first.ask_contacted()
    checks.record_contacted(Journal(journal), "me", date.today(), True, STAMP, "07:00")
    assert not log("08:00", {"symptoms": ["chills"]}).ask_contacted()  # as urgent: answered
    third = log("09:00", {"symptoms": ["stiff-neck"]})
    assert third.check.top.name == "EMERGENCY" and third.ask_contacted()
    checks.record_contacted(Journal(journal), "me", date.today(), False, STAMP, "09:00")
    entry = Journal(journal).read().entry("me", date.today())
    assert [r.contacted for r in entry.readings] == [True, None, False]
    assert entry.contacted is False  # the answer given for the day's most urgent sign


def test_edit_of_a_day_of_several_readings_names_the_reading(cli, cli_json, noon):
    ok(cli("log", "--pain", "4", "--at", "08:00"))
    ok(cli("log", "--pain", "6", "--at", "10:30"))
    line = refused(cli("edit", "today", "--pain", "5"))
    assert "2 readings (08:00, 10:30)" in line and "--at" in line
    ok(cli("edit", "today", "--mood", "6"))  # the day's own field needs no --at
    result = ok(cli("edit", "today", "--at", "08:00", "--pain", "5", "--note", "better"))
    assert "(the reading at 08:00)" in result.stdout and "pain now: 4 -> 5" in result.stdout
    line = refused(cli("edit", "today", "--at", "09:00", "--pain", "5"))
    assert "no reading at 09:00" in line and "08:00, 10:30" in line
    shown = day(cli_json)
    assert [(r["time"], r["pain"], r["note"]) for r in shown["readings"]] == [
        ("08:00", 5, "better"), ("10:30", 6, None)]
    assert shown["mood"] == 6


def test_edit_at_none_names_the_reading_without_a_time(cli, cli_json):
    ok(cli("log", "--pain", "4", "--date", "yesterday"))
    ok(cli("log", "--pain", "6", "--date", "yesterday", "--at", "20:00"))
    ok(cli("edit", "yesterday", "--at", "none", "--symptom", "headache"))
    ok(cli("edit", "yesterday", "--at", "20:00", "--clear", "pain"))
    shown = day(cli_json, YESTERDAY)
    assert [(r["time"], r["pain"], r["symptoms"]) for r in shown["readings"]] == [
        (None, 4, ["headache"]), ("20:00", None, [])]
    line = refused(cli("edit", "yesterday", "--at", "none", "--clear", "pain"))
    assert "no pain score" in line


def test_delete_at_removes_one_reading_and_the_last_one_takes_the_day(cli, cli_json, noon):
    ok(cli("log", "--pain", "4", "--at", "08:00"))
    ok(cli("log", "--symptom", "nausea", "--at", "10:30"))
    line = refused(cli("delete", "today", "--at", "08:00", "--yes"))
    assert "only pain score" in line
    result = ok(cli("delete", "today", "--at", "10:30", "--yes"))
    assert "Deleted the reading at 10:30" in result.stdout
    assert [r["time"] for r in day(cli_json)["readings"]] == ["08:00"]
    line = refused(cli("delete", "today", "--at", "09:00", "--yes"))
    assert "no reading at 09:00" in line
    result = ok(cli("delete", "today", "--at", "08:00", "--yes"))
    assert "only reading" in result.stdout
    assert cli_json("list") == []


def test_readings_survive_a_reload_through_the_library(cli, journal, noon):
    ok(cli("log", "--pain", "4", "--at", "08:00", "--symptom", "headache"))
    ok(cli("log", "--pain", "2", "--at", "11:00"))
    (entry,) = Journal(journal).entries()
    assert [(r.time, r.pain, r.symptoms) for r in entry.readings] == [
        ("08:00", 4, ["headache"]), ("11:00", 2, [])]
    assert entry.pain == 2 and entry.pain_mean == 3.0 and entry.symptoms == ["headache"]
    raw = json.loads(journal.read_bytes())
    assert raw["meta"]["1"]["schema"] == 2
    (doc,) = raw["entries"].values()
    assert "pain" not in doc and len(doc["readings"]) == 2


@pytest.mark.parametrize("change", [
    lambda doc: doc["readings"].append(dict(doc["readings"][0])),  # two at the same time
    lambda doc: doc["readings"][0].update(time="8:00"),
    lambda doc: doc["readings"][0].update(utc_offset="UTC"),
    lambda doc: doc["readings"][0].pop("pain"),  # no reading with pain now
    lambda doc: doc.update(readings=[]),
    lambda doc: doc.update(readings="08:00"),
])
def test_a_hand_edited_day_with_broken_readings_is_refused_and_kept(cli, journal, change):
    ok(cli("log", "--pain", "4", "--at", "00:00"))
    data = json.loads(journal.read_bytes())
    change(next(iter(data["entries"].values())))
    raw = json.dumps(data).encode()
    journal.write_bytes(raw)
    result = cli("list")
    assert result.exit_code == 1 and "cannot be read" in result.stderr
    assert "entry 1" in result.stderr
    assert cli("log", "--pain", "3").exit_code == 1
    assert journal.read_bytes() == raw
