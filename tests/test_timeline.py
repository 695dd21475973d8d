"""Recovery timeline, status screen and follow-up summary, through the real command line.

`profile` (facts, the fever line and who set it, the numbers every warning panel shows),
`event add/list/delete`, the phase on a day, the calendar rules (W-REFILL, W-MRI, W-ALARM,
W-TREND, W-WATCH, W-SORE past the first week), warning-sign episodes in `flags`, the status
screen (`pumpjournal` with no command) at 80x24, `ask`, `summary` and `demo`.

Every date is relative to today, so the tests do not rot.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date, timedelta
from pathlib import Path

import pytest

from pumpjournal import model
from pjtest import NOT_ADVICE, iso, ok, plain, refused, snapshot


def ahead(n: int) -> str:
    """The ISO date n days after today."""
    return (date.today() + timedelta(days=n)).isoformat()


def episodes(cli) -> list[dict]:
    result = ok(cli("flags", "--json"))
    return json.loads(result.stdout)


def by_rule(cli, rule: str) -> list[dict]:
    return [ep for ep in episodes(cli) if ep["rule"] == rule]


def width(line: str) -> int:
    """Columns a line takes on a terminal (wide East Asian characters count twice)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def status(cli, monkeypatch) -> str:
    """The status screen as a person sees it on an 80-column terminal without colour."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    return ok(cli()).stdout


EPISODE_KEYS = {"patient", "rule", "urgency", "symbol", "first", "last", "days_logged", "items",
                "advice", "sources", "rules", "advice_by_rule", "rules_by_day"}


# profile -------------------------------------------------------------------------------------


FULL_PROFILE = ("profile", "--name", "Pat Doe", "--implant-date", iso(30), "--drug", "morphine",
                "--pump-make", "SynchroMed II", "--care-team", "Pain clinic",
                "--care-phone", "555-0142", "--after-hours-phone", "555-0199",
                "--emergency-number", "911")


def test_profile_sets_and_shows_the_facts(cli, cli_json):
    result = ok(cli(*FULL_PROFILE))
    assert "saved" in result.stderr
    shown = ok(cli("profile")).stdout
    for text in ("Pat Doe", iso(30), "morphine", "SynchroMed II", "Pain clinic", "555-0142",
                 "555-0199", "911"):
        assert text in shown, text
    data = cli_json("profile")
    assert data["patient"] == "me"
    assert set(data) == {"patient", *model.PROFILE_FIELDS}
    assert (data["name"], data["implant_date"], data["drugs"], data["care_phone"],
            data["after_hours_phone"], data["emergency_number"]) == (
        "Pat Doe", iso(30), ["morphine"], "555-0142", "555-0199", "911")
    assert data["fever_threshold_c"] is None  # the default line is not a stored fact


def test_profile_changes_only_the_facts_given(cli, cli_json):
    ok(cli(*FULL_PROFILE))
    ok(cli("profile", "--care-phone", "555-0100"))
    data = cli_json("profile")
    assert data["care_phone"] == "555-0100"
    assert data["name"] == "Pat Doe" and data["emergency_number"] == "911"


def test_empty_profile_says_how_to_add_facts(cli):
    out = ok(cli("profile")).stdout
    assert "No profile yet" in out and "pumpjournal profile --implant-date" in out


def test_fever_threshold_records_who_set_it_and_when(cli, cli_json):
    ok(cli("profile", "--fever-threshold", "37.8", "--set-by", "Dr Ames"))
    data = cli_json("profile")
    assert data["fever_threshold_c"] == 37.8
    assert data["fever_threshold_set_by"] == "Dr Ames"
    assert data["fever_threshold_set_on"] == iso(0)
    shown = ok(cli("profile")).stdout
    assert "37.8 °C" in shown and "Dr Ames" in shown and iso(0) in shown


@pytest.mark.parametrize("value, celsius", [("37.5", 37.5), ("39.0", 39.0), ("38", 38.0),
                                            ("100.0F", 37.78), ("38,2 C", 38.2)])
def test_fever_threshold_within_the_range_is_accepted(cli, cli_json, value, celsius):
    ok(cli("profile", "--fever-threshold", value, "--set-by", "Dr Ames"))
    assert cli_json("profile")["fever_threshold_c"] == celsius


@pytest.mark.parametrize("value", ["37.4", "39.1", "40", "36", "102.5F", "hot", ""])
def test_fever_threshold_out_of_range_is_refused(cli, journal, value):
    ok(cli("profile", "--care-phone", "555-0142"))
    before = snapshot(journal)
    line = refused(cli("profile", "--fever-threshold", value, "--set-by", "Dr Ames"))
    assert "Nothing was changed" in line
    if value in ("37.4", "39.1", "40", "36", "102.5F"):
        assert "37.5" in line and "39.0" in line
    assert snapshot(journal) == before


def test_fever_threshold_needs_set_by(cli, journal):
    ok(cli("profile", "--care-phone", "555-0142"))
    before = snapshot(journal)
    line = refused(cli("profile", "--fever-threshold", "37.8"))
    assert "--set-by" in line
    refused(cli("profile", "--set-by", "Dr Ames"))  # and set-by alone means nothing
    assert snapshot(journal) == before


def test_profile_clear_removes_a_fact(cli, cli_json):
    ok(cli(*FULL_PROFILE))
    ok(cli("profile", "--clear", "care-phone"))
    data = cli_json("profile")
    assert data["care_phone"] is None and data["after_hours_phone"] == "555-0199"
    assert "555-0142" not in ok(cli("profile")).stdout


def test_clearing_the_fever_line_clears_who_set_it(cli, cli_json):
    ok(cli("profile", "--fever-threshold", "37.8", "--set-by", "Dr Ames"))
    ok(cli("profile", "--clear", "fever_threshold_c"))
    data = cli_json("profile")
    assert data["fever_threshold_c"] is None
    assert data["fever_threshold_set_by"] is None and data["fever_threshold_set_on"] is None
    # the default line is back: 37.9 is no fever any more
    out = ok(cli("log", "--pain", "2", "--temperature", "37.9")).stdout
    assert "[!]" not in out


def test_profile_clear_of_an_unknown_field_is_refused(cli, journal):
    ok(cli(*FULL_PROFILE))
    before = snapshot(journal)
    line = refused(cli("profile", "--clear", "shoe-size"))
    assert "shoe-size" in line and "care_phone" in line
    assert snapshot(journal) == before


def test_bad_phone_number_is_refused(cli, journal):
    line = refused(cli("profile", "--care-phone", "call Dr Ames"))
    assert "phone" in line
    assert not journal.exists()


# the numbers in every warning panel ---------------------------------------------------------


@pytest.fixture
def with_numbers(cli):
    ok(cli("profile", "--implant-date", iso(30), "--drug", "morphine", "--care-phone",
           "555-0142", "--after-hours-phone", "555-0199", "--emergency-number", "112"))
    return cli


@pytest.mark.parametrize("args, level", [
    (["--symptom", "nausea"], "[i] ROUTINE"),
    (["--symptom", "incision-redness"], "[!] URGENT"),
    (["--symptom", "leg-numbness"], "[!] URGENT"),
    (["--symptom", "cannot-walk"], "[!!] EMERGENCY"),
    (["--symptom", "fever", "--symptom", "stiff-neck"], "[!!] EMERGENCY"),
])
def test_every_warning_panel_shows_the_care_team_numbers(with_numbers, args, level):
    out = plain(ok(with_numbers("log", "--pain", "4", *args)).stdout)
    assert level in out
    assert "Care team: 555-0142 (after hours 555-0199)" in out
    assert "pumpjournal is not medical advice; in an emergency call 112." in out
    shown = plain(ok(with_numbers("show", "today")).stdout)  # the same panel again
    assert "Care team: 555-0142 (after hours 555-0199)" in shown


def test_emergency_headline_names_the_emergency_number(with_numbers):
    out = plain(ok(with_numbers("log", "--pain", "4", "--symptom", "cannot-walk")).stdout)
    assert "[!!] EMERGENCY: Call emergency services now (112)" in out


def test_emergency_headline_without_a_number_says_local_emergency_number(cli):
    out = plain(ok(cli("log", "--pain", "4", "--symptom", "cannot-walk")).stdout)
    assert "[!!] EMERGENCY: Call emergency services now (your local emergency number)" in out
    assert "--care-phone" in out  # and how to add the care team's number


def test_panel_shows_the_fever_line_the_care_team_set(cli):
    ok(cli("profile", "--fever-threshold", "37.6", "--set-by", "Dr Ames"))
    out = plain(ok(cli("log", "--pain", "3", "--temperature", "37.7")).stdout)
    assert "[!] URGENT" in out
    assert "your fever line is 37.6 °C" in out


# events --------------------------------------------------------------------------------------


EVENT_CASES = {
    "trial-start": (["--drug", "morphine"], {"drug": "morphine"}),
    "trial-end": (["--relief", "yes"], {"relief": "yes"}),
    "implant": ([], {}),
    "refill": (["--next-due", ahead(60)], {"next_due": ahead(60)}),
    "dose-change": (["--drug", "morphine", "--dose", "0.5", "--unit", "mg/day"],
                    {"drug": "morphine", "dose": 0.5, "unit": "mg/day"}),
    "visit": (["--note", "wound check"], {"note": "wound check"}),
    "alarm": (["--alarm", "non-critical"], {"alarm": "non-critical"}),
    "surgery": (["--note", "catheter revision"], {"note": "catheter revision"}),
    "mri": ([], {}),
    "removal": ([], {}),
}


def test_event_cases_cover_every_kind():
    assert set(EVENT_CASES) == set(model.EVENT_KINDS)


def test_readme_lists_every_event_kind():
    """The README's "Events:" paragraph names each kind `event add` takes, and no other."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    paragraph = re.search(r"^Events: (.*?)\n\n", readme, re.S | re.M)
    assert paragraph, "the README has no 'Events:' paragraph"
    named = {word for word in re.findall(r"`([^`]+)`", paragraph.group(1))
             if not word.startswith("-")}
    assert named == set(model.EVENT_KINDS)


@pytest.mark.parametrize("kind", list(EVENT_CASES))
def test_event_add_each_kind_with_its_details(cli, cli_json, kind):
    args, details = EVENT_CASES[kind]
    result = ok(cli("event", "add", kind, "--date", iso(3), *args))
    assert result.stdout.startswith("Added event 1: ")
    assert iso(3) in result.stdout and model.EVENT_KINDS[kind] in result.stdout
    (event,) = cli_json("event", "list")
    assert event == {"id": 1, "patient": "me", "kind": kind, "date": iso(3),
                     "details": details}
    listed = ok(cli("event", "list")).stdout
    assert f"1  {iso(3)}  {model.EVENT_KINDS[kind]}" in listed


def test_event_add_json_and_default_date_today(cli):
    data = json.loads(ok(cli("event", "add", "visit", "--json")).stdout)
    assert (data["kind"], data["date"], data["id"]) == ("visit", iso(0), 1)


def test_dose_change_takes_the_drug_from_the_profile(cli, cli_json):
    ok(cli("profile", "--drug", "hydromorphone"))
    ok(cli("event", "add", "dose-change", "--dose", "2", "--unit", "mcg"))
    (event,) = cli_json("event", "list")
    assert event["details"] == {"drug": "hydromorphone", "dose": 2.0, "unit": "mcg/day"}


@pytest.mark.parametrize("args, words", [
    (["dose-change", "--dose", "0.5"], ["unit"]),
    (["refill", "--relief", "yes"], ["--relief", "trial-end"]),
    (["trial-end", "--relief", "maybe"], ["yes"]),
    (["alarm", "--alarm", "loud"], ["critical"]),
    (["dose-change", "--dose", "0.5", "--unit", "ml"], ["mg/day"]),
    (["party"], ["party", "refill"]),
    (["visit", "--date", "someday"], ["someday"]),
])
def test_bad_event_is_refused_and_nothing_changes(cli, journal, args, words):
    ok(cli("log", "--pain", "3"))
    before = snapshot(journal)
    line = refused(cli("event", "add", *args))
    for word in words:
        assert word in line, line
    assert snapshot(journal) == before


def test_events_are_listed_oldest_first_and_filtered_by_kind(cli, cli_json):
    ok(cli("event", "add", "visit", "--date", ahead(5)))
    ok(cli("event", "add", "implant", "--date", iso(20)))
    ok(cli("event", "add", "refill", "--date", iso(2)))
    assert [e["kind"] for e in cli_json("event", "list")] == ["implant", "refill", "visit"]
    assert [e["kind"] for e in cli_json("event", "list", "--kind", "refill")] == ["refill"]


def test_event_list_when_there_are_none(cli):
    result = ok(cli("event", "list"))
    assert result.stdout == "" and "event add" in result.stderr
    assert json.loads(ok(cli("event", "list", "--json")).stdout) == []


def test_event_delete_with_yes(cli, cli_json):
    ok(cli("event", "add", "implant", "--date", iso(20)))
    ok(cli("event", "add", "visit", "--date", iso(2)))
    out = ok(cli("event", "delete", "1", "--yes")).stdout
    assert "Deleted event 1" in out and iso(20) in out
    assert [e["id"] for e in cli_json("event", "list")] == [2]


def test_event_delete_without_yes_or_of_an_unknown_id_changes_nothing(cli, journal):
    ok(cli("event", "add", "implant", "--date", iso(20)))
    before = snapshot(journal)
    assert "--yes" in refused(cli("event", "delete", "1"))
    assert "99" in refused(cli("event", "delete", "99", "--yes"))
    assert snapshot(journal) == before


@pytest.mark.parametrize("kind", sorted(model.EVENT_KINDS))
def test_only_visit_refill_and_mri_can_be_in_the_future(cli, cli_json, journal, kind):
    ok(cli("log", "--pain", "3"))
    before = snapshot(journal)
    result = cli("event", "add", kind, "--date", ahead(10),
                 *(["--dose", "1", "--unit", "mg/day"] if kind == "dose-change" else []))
    if kind in ("visit", "refill", "mri"):
        ok(result)
        assert [e["date"] for e in cli_json("event", "list")] == [ahead(10)]
    else:
        line = refused(result)
        assert "future" in line and "Nothing was changed" in line
        assert snapshot(journal) == before


# phase on a day ------------------------------------------------------------------------------


@pytest.mark.parametrize("implant_days_ago, expected", [
    (0, "Phase: recovery, day 0 after your implant"),
    (3, "Phase: recovery, day 3 after your implant"),
    (7, "Phase: recovery, day 7 after your implant"),
    (8, "Phase: ongoing therapy, day 8 after your implant"),
    (400, "Phase: ongoing therapy, day 400 after your implant"),
])
def test_phase_and_day_count_after_the_implant(cli, monkeypatch, implant_days_ago, expected):
    ok(cli("profile", "--implant-date", iso(implant_days_ago)))
    out = plain(status(cli, monkeypatch))
    assert f"{expected} ({iso(implant_days_ago)})" in out


def test_phase_from_an_implant_event(cli, monkeypatch):
    ok(cli("event", "add", "implant", "--date", iso(2)))
    assert "Phase: recovery, day 2 after your implant" in plain(status(cli, monkeypatch))


def test_phase_during_the_trial(cli, monkeypatch):
    ok(cli("event", "add", "trial-start", "--date", iso(2), "--drug", "morphine"))
    out = plain(status(cli, monkeypatch))
    assert "Phase: trial." in out


def test_surgery_starts_a_new_recovery(cli, monkeypatch):
    ok(cli("profile", "--implant-date", iso(200)))
    ok(cli("event", "add", "surgery", "--date", iso(4)))
    out = plain(status(cli, monkeypatch))
    assert "Phase: recovery, day 4 after your surgery" in out


def test_phase_unknown_says_how_to_add_the_implant_date(cli, monkeypatch):
    ok(cli("log", "--pain", "3"))
    out = plain(status(cli, monkeypatch))
    assert "pumpjournal profile --implant-date" in out


def test_phase_is_shown_in_the_warning_panel_as_the_day_count(cli):
    ok(cli("profile", "--implant-date", iso(5)))
    out = plain(ok(cli("log", "--pain", "4", "--symptom", "incision-drainage")).stdout)
    assert f"You logged on {iso(0)} (day 5 after your implant)" in out


# W-REFILL -----------------------------------------------------------------------------------


@pytest.mark.parametrize("days_left", [14, 7, 2, 0])
def test_refill_due_within_14_days_is_routine(cli, days_left):
    ok(cli("event", "add", "refill", "--date", iso(80), "--next-due", ahead(days_left)))
    (ep,) = by_rule(cli, "W-REFILL")
    assert (ep["urgency"], ep["symbol"]) == ("ROUTINE", "[i]")
    assert ahead(days_left) in ep["advice"] and "booked" in ep["advice"]


@pytest.mark.parametrize("days_left", [15, 60])
def test_refill_far_away_is_quiet(cli, days_left):
    ok(cli("event", "add", "refill", "--date", iso(80), "--next-due", ahead(days_left)))
    assert by_rule(cli, "W-REFILL") == []


def test_refill_date_from_the_profile_counts_too(cli):
    ok(cli("profile", "--next-refill", ahead(5)))
    (ep,) = by_rule(cli, "W-REFILL")
    assert ep["urgency"] == "ROUTINE"


def test_overdue_refill_is_urgent(cli):
    ok(cli("event", "add", "refill", "--date", iso(90), "--next-due", iso(3)))
    (ep,) = by_rule(cli, "W-REFILL")
    assert (ep["urgency"], ep["symbol"]) == ("URGENT", "[!]")
    assert iso(3) in ep["advice"] and "today" in ep["advice"]
    assert ep["sources"] == ["S14", "S21", "S23"]


def test_refill_done_after_the_due_date_is_quiet(cli):
    ok(cli("event", "add", "refill", "--date", iso(90), "--next-due", iso(3)))
    ok(cli("event", "add", "refill", "--date", iso(1)))
    assert by_rule(cli, "W-REFILL") == []


def test_an_early_refill_ends_the_overdue_warning(cli):
    """The pump was refilled five days before the date the clinic gave: that date is done with,
    so there is nothing overdue to call the care team about."""
    ok(cli("event", "add", "refill", "--date", iso(90), "--next-due", iso(3)))
    ok(cli("event", "add", "refill", "--date", iso(8)))
    assert by_rule(cli, "W-REFILL") == []


def test_new_refill_with_a_later_due_date_is_quiet(cli):
    ok(cli("event", "add", "refill", "--date", iso(90), "--next-due", iso(3)))
    ok(cli("event", "add", "refill", "--date", iso(2), "--next-due", ahead(80)))
    assert by_rule(cli, "W-REFILL") == []


def test_refill_reminder_with_baclofen_lists_withdrawal_signs(cli):
    ok(cli("profile", "--drug", "baclofen"))
    ok(cli("event", "add", "refill", "--date", iso(80), "--next-due", ahead(7)))
    (ep,) = by_rule(cli, "W-REFILL")
    assert "spasms" in ep["advice"] and "itching" in ep["advice"]


# W-MRI ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make, urgency", [("SynchroMed II", "ROUTINE"),
                                           ("Prometra II", "URGENT"),
                                           (None, "URGENT")])
def test_planned_mri_depends_on_the_pump_make(cli, make, urgency):
    if make:
        ok(cli("profile", "--pump-make", make))
    ok(cli("event", "add", "mri", "--date", ahead(10)))
    (ep,) = by_rule(cli, "W-MRI")
    assert ep["urgency"] == urgency
    assert "pump card" in ep["advice"]
    assert ("before the scan" in ep["advice"]) == (urgency == "URGENT")
    assert ep["sources"] == ["S9", "S24"]


def test_mri_in_the_past_is_quiet(cli):
    ok(cli("event", "add", "mri", "--date", iso(10)))
    assert by_rule(cli, "W-MRI") == []


# W-ALARM ----------------------------------------------------------------------------------


def test_alarm_event_is_an_urgent_episode(cli):
    result = ok(cli("event", "add", "alarm", "--alarm", "critical"))
    assert "[!] URGENT:" in result.stdout and NOT_ADVICE in result.stdout
    assert "baclofen" not in result.stdout
    (ep,) = by_rule(cli, "W-ALARM")
    assert (ep["urgency"], ep["first"], ep["last"]) == ("URGENT", iso(0), iso(0))
    assert "critical" in " ".join(ep["items"])
    assert "even if the alarm stopped" in ep["advice"]
    as_json = ok(cli("event", "add", "alarm", "--json"))
    json.loads(as_json.stdout)  # only the event on stdout; the advice beside it on stderr
    assert "[!] URGENT:" in as_json.stderr and NOT_ADVICE in as_json.stderr


def test_alarm_with_a_baclofen_pump_says_call_immediately(cli):
    ok(cli("profile", "--drug", "baclofen"))
    result = ok(cli("event", "add", "alarm", "--alarm", "not-sure", "--date", iso(1)))
    assert "With a baclofen pump, call immediately." in plain(result.stdout)
    (ep,) = by_rule(cli, "W-ALARM")
    assert "With a baclofen pump, call immediately." in ep["advice"]


# W-TREND ----------------------------------------------------------------------------------


def log_averages(cli, averages: dict[int, int]) -> None:
    for days, average in averages.items():
        ok(cli("log", "--pain", str(average), "--worst", "10", "--least", "0",
               "--average", str(average), "--date", iso(days)))


BEFORE_VISIT = {17: 3, 15: 3, 13: 3, 11: 3}  # the 7 days before a visit 10 days ago


def test_average_pain_30_percent_up_since_the_last_visit_is_routine(cli):
    ok(cli("event", "add", "visit", "--date", iso(10)))
    log_averages(cli, {**BEFORE_VISIT, 6: 4, 4: 4, 2: 4, 0: 4})  # 3 -> 4: up 33%
    (ep,) = by_rule(cli, "W-TREND")
    assert (ep["urgency"], ep["symbol"]) == ("ROUTINE", "[i]")
    assert ep["last"] == iso(0)
    assert f"up 33% since {iso(10)}" in ep["advice"]
    assert ep["sources"] == ["S26"]


def test_trend_at_exactly_30_percent_fires(cli):
    ok(cli("event", "add", "visit", "--date", iso(10)))
    log_averages(cli, {17: 5, 15: 5, 13: 5, 11: 5, 6: 6, 4: 7, 2: 6, 0: 7})  # 5 -> 6.5
    assert [ep["urgency"] for ep in by_rule(cli, "W-TREND")] == ["ROUTINE"]


def test_trend_below_30_percent_is_quiet(cli):
    ok(cli("event", "add", "visit", "--date", iso(10)))
    log_averages(cli, {**BEFORE_VISIT, 6: 4, 4: 4, 2: 4, 0: 3})  # 3 -> 3.75: up 25%
    assert by_rule(cli, "W-TREND") == []


def test_trend_needs_four_entries_after(cli):
    ok(cli("event", "add", "visit", "--date", iso(10)))
    log_averages(cli, {**BEFORE_VISIT, 4: 8, 2: 8, 0: 8})
    assert by_rule(cli, "W-TREND") == []


def test_trend_needs_four_entries_before_the_visit(cli):
    ok(cli("event", "add", "visit", "--date", iso(10)))
    log_averages(cli, {15: 3, 13: 3, 11: 3, 6: 8, 4: 8, 2: 8, 0: 8})
    assert by_rule(cli, "W-TREND") == []


def test_trend_needs_a_visit(cli):
    log_averages(cli, {**BEFORE_VISIT, 6: 8, 4: 8, 2: 8, 0: 8})
    assert by_rule(cli, "W-TREND") == []


# W-WATCH ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["refill", "dose-change", "surgery"])
@pytest.mark.parametrize("symptom", ["drowsy", "dizziness"])
def test_drowsy_or_dizzy_within_48_hours_is_urgent(cli, kind, symptom):
    extra = ["--dose", "1", "--unit", "mg/day"] if kind == "dose-change" else []
    ok(cli("event", "add", kind, "--date", iso(1), *extra))
    out = plain(ok(cli("log", "--pain", "3", "--symptom", symptom)).stdout)
    assert "[!] URGENT" in out and "W-WATCH" in out
    (ep,) = by_rule(cli, "W-WATCH")
    assert (ep["urgency"], ep["items"]) == ("URGENT", [symptom])


@pytest.mark.parametrize("kind", ["refill", "dose-change", "surgery"])
def test_drowsy_later_than_48_hours_is_routine(cli, kind):
    extra = ["--dose", "1", "--unit", "mg/day"] if kind == "dose-change" else []
    ok(cli("event", "add", kind, "--date", iso(5), *extra))
    out = plain(ok(cli("log", "--pain", "3", "--symptom", "drowsy")).stdout)
    assert "[i] ROUTINE" in out and "[!]" not in out
    assert by_rule(cli, "W-WATCH") == []
    assert [ep["urgency"] for ep in episodes(cli)] == ["ROUTINE"]


def test_watch_list_on_the_status_screen_after_a_refill(cli, monkeypatch):
    ok(cli("event", "add", "refill", "--date", iso(1), "--next-due", ahead(90)))
    out = plain(status(cli, monkeypatch))
    assert "Within 48 h of your refill" in out and "slow breathing" in out
    assert NOT_ADVICE in out


def test_no_watch_list_three_days_after(cli, monkeypatch):
    ok(cli("event", "add", "refill", "--date", iso(3), "--next-due", ahead(90)))
    assert "Within 48 h" not in plain(status(cli, monkeypatch))


# W-SORE and expected soreness -----------------------------------------------------------------


def test_soreness_past_day_7_is_routine_mention_it(cli):
    ok(cli("profile", "--implant-date", iso(9)))
    out = plain(ok(cli("log", "--pain", "3", "--symptom", "incision-soreness")).stdout)
    assert "[i] ROUTINE" in out and "Mention it" in out
    (ep,) = by_rule(cli, "W-SORE")
    assert ep["urgency"] == "ROUTINE" and "Mention it" in ep["advice"]


def test_expected_soreness_is_not_listed_by_flags(cli):
    ok(cli("profile", "--implant-date", iso(4)))
    for days in (4, 3, 2, 1, 0):
        ok(cli("log", "--pain", "5", "--symptom", "incision-soreness", "--date", iso(days)))
    assert episodes(cli) == []
    result = ok(cli("flags"))
    assert result.stdout == "" and "No warning signs" in result.stderr


# episodes ---------------------------------------------------------------------------------


def test_a_sign_on_consecutive_days_is_one_episode(cli):
    for days in (4, 3, 2):
        ok(cli("log", "--pain", "4", "--symptom", "leg-tingling", "--date", iso(days)))
    ok(cli("log", "--pain", "2", "--date", iso(1)))
    (ep,) = episodes(cli)
    assert set(ep) == EPISODE_KEYS
    assert ep == {"patient": "me", "rule": "W-NEURO", "urgency": "URGENT", "symbol": "[!]",
                  "first": iso(4), "last": iso(2), "days_logged": 3, "items": ["leg-tingling"],
                  "advice": ep["advice"], "sources": ["seed", "S6", "S7", "S9"],
                  "rules": ["W-NEURO"], "advice_by_rule": ep["advice_by_rule"],
                  "rules_by_day": {iso(d): ["W-NEURO"] for d in (4, 3, 2)}}
    assert ep["advice"].startswith("Contact your care team right away")
    out = ok(cli("flags")).stdout
    assert f"[!] URGENT {iso(4)} to {iso(2)}, 3 days logged: leg tingling (W-NEURO)" in out
    assert out.count("W-NEURO") == 2  # the episode line and its rule line, once
    assert NOT_ADVICE in out


def test_a_logged_day_without_the_sign_splits_episodes(cli):
    ok(cli("log", "--pain", "4", "--symptom", "chills", "--date", iso(4)))
    ok(cli("log", "--pain", "2", "--date", iso(3)))
    ok(cli("log", "--pain", "4", "--symptom", "chills", "--date", iso(2)))
    found = [(ep["rule"], ep["first"], ep["last"], ep["days_logged"]) for ep in episodes(cli)]
    assert found == [("W-INF", iso(4), iso(4), 1), ("W-INF", iso(2), iso(2), 1)]


def test_one_day_without_an_entry_does_not_split_an_episode(cli):
    ok(cli("log", "--pain", "4", "--symptom", "chills", "--date", iso(4)))
    ok(cli("log", "--pain", "4", "--symptom", "chills", "--date", iso(2)))
    found = [(ep["first"], ep["last"], ep["days_logged"]) for ep in episodes(cli)]
    assert found == [(iso(4), iso(2), 2)]


def test_two_days_without_an_entry_split_an_episode(cli):
    ok(cli("log", "--pain", "4", "--symptom", "chills", "--date", iso(5)))
    ok(cli("log", "--pain", "4", "--symptom", "chills", "--date", iso(2)))
    assert len(episodes(cli)) == 2


def test_items_of_an_episode_gather_over_its_days(cli):
    ok(cli("log", "--pain", "4", "--symptom", "incision-redness", "--date", iso(2)))
    ok(cli("log", "--pain", "4", "--symptom", "incision-swelling", "--date", iso(1)))
    (ep,) = episodes(cli)
    assert ep["items"] == ["incision-redness", "incision-swelling"]


def test_flags_since_limits_the_period(cli):
    ok(cli("log", "--pain", "4", "--symptom", "chills", "--date", iso(40)))
    ok(cli("log", "--pain", "4", "--symptom", "leg-weakness", "--date", iso(3)))
    recent = json.loads(ok(cli("flags", "--since", "4w", "--json")).stdout)
    assert [ep["rule"] for ep in recent] == ["W-NEURO"]
    assert [ep["rule"] for ep in episodes(cli)] == ["W-INF", "W-NEURO"]


# the status screen --------------------------------------------------------------------------


def busy_journal(cli) -> None:
    """A crowded month: profile, visit and refill ahead, an MRI, an alarm, many warning signs."""
    ok(cli("profile", "--name", "Alexandra Montgomery-Fitzwilliam", "--implant-date", iso(30),
           "--drug", "morphine", "--care-phone", "555-0142", "--after-hours-phone",
           "555-0199", "--emergency-number", "911"))
    ok(cli("event", "add", "refill", "--date", iso(1), "--next-due", ahead(12)))
    ok(cli("event", "add", "visit", "--date", ahead(5)))
    ok(cli("event", "add", "mri", "--date", ahead(9)))
    ok(cli("event", "add", "alarm", "--alarm", "critical", "--date", iso(2)))
    signs = ["fever", "leg-numbness", "nausea", "headache-upright", "drowsy", "new-pain",
             "itching", "constipation", "refill-pain", "confusion", "bladder-change",
             "incision-drainage", "vomiting", "chills"]
    for days, sign in enumerate(signs):
        ok(cli("log", "--pain", str(days % 11), "--symptom", sign, "--note", "x" * 300,
               "--date", iso(days + 1)))


def assert_fits(screen: str) -> list[str]:
    lines = screen.rstrip("\n").split("\n")
    assert len(lines) <= 24, f"{len(lines)} lines:\n{screen}"
    too_wide = [line for line in lines if width(line) > 80]
    assert too_wide == [], too_wide
    assert "\x1b[" not in screen
    return lines


def test_status_screen_fits_80_by_24_and_shows_what_matters(cli, monkeypatch):
    busy_journal(cli)
    screen = status(cli, monkeypatch)
    lines = assert_fits(screen)
    out = plain(screen)
    assert iso(0) in lines[0] and "Alexandra" in out
    assert f"Phase: ongoing therapy, day 30 after your implant ({iso(30)})" in out
    assert "Today: not logged yet. Log it with: pumpjournal log" in out
    assert f"Last entry: {iso(1)}" in out
    assert "Pain now, last 14 days:" in out
    assert f"Next visit: {ahead(5)} (in 5 days)." in out
    assert f"Next refill due: {ahead(12)} (in 12 days)." in out
    assert "Open warning signs" in out and "[!] URGENT" in out
    assert "See them in full with: pumpjournal flags" in out
    assert "pumpjournal is not medical advice; in an emergency call 911." in out


def test_status_screen_with_today_logged(cli, monkeypatch):
    ok(cli("profile", "--implant-date", iso(30)))
    ok(cli("log", "--pain", "6"))
    out = plain(status(cli, monkeypatch))
    assert "Today: logged (pain 6)" in out and "not logged yet" not in out


def test_status_pain_chart_shows_the_last_14_days_with_gaps(cli, monkeypatch):
    ok(cli("profile", "--implant-date", iso(30)))
    ok(cli("log", "--pain", "0", "--date", iso(13)))
    ok(cli("log", "--pain", "5", "--date", iso(6)))
    ok(cli("log", "--pain", "10"))
    ok(cli("log", "--pain", "9", "--date", iso(20)))  # older than the chart
    screen = status(cli, monkeypatch)
    (line,) = [line for line in screen.splitlines() if line.startswith("Pain now, last 14 days")]
    chart = line.split(": ", 1)[1].split()[0]
    assert chart == "▁" + "·" * 6 + "▅" + "·" * 5 + "█"  # 0, 5 and 10 of 10
    assert "latest 10" in line and "range 0-10" in line


def test_status_shows_warning_signs_of_the_last_7_days_only(cli, monkeypatch):
    ok(cli("profile", "--implant-date", iso(60)))
    ok(cli("log", "--pain", "4", "--symptom", "leg-weakness", "--date", iso(9)))
    ok(cli("log", "--pain", "4", "--symptom", "chills", "--date", iso(6)))
    out = plain(status(cli, monkeypatch))
    assert f"[!] URGENT {iso(6)}: chills" in out
    assert "leg-weakness" not in out


def test_status_without_warning_signs_is_calm(cli, monkeypatch):
    ok(cli("profile", "--implant-date", iso(60)))
    ok(cli("log", "--pain", "2", "--date", iso(1)))
    out = plain(status(cli, monkeypatch))
    assert "No warning signs logged in the last 7 days." in out
    assert "[!" not in out and "Next refill" not in out and "Next visit" not in out


def test_status_shows_the_next_visit_and_refill_countdown(cli, monkeypatch):
    ok(cli("profile", "--implant-date", iso(60)))
    ok(cli("event", "add", "visit", "--date", iso(20)))  # a past visit is not "next"
    ok(cli("event", "add", "visit", "--date", ahead(3)))
    ok(cli("event", "add", "visit", "--date", ahead(40)))
    ok(cli("event", "add", "refill", "--date", iso(50), "--next-due", ahead(30)))
    out = plain(status(cli, monkeypatch))
    assert f"Next visit: {ahead(3)} (in 3 days)." in out
    assert f"Next refill due: {ahead(30)} (in 4 weeks 2 days)." in out


@pytest.mark.parametrize("overdue_days", [3, 10, 40])
def test_status_shows_an_overdue_refill_as_a_warning(cli, monkeypatch, overdue_days):
    ok(cli("profile", "--implant-date", iso(200)))
    ok(cli("event", "add", "refill", "--date", iso(100), "--next-due", iso(overdue_days)))
    ok(cli("log", "--pain", "3"))
    screen = status(cli, monkeypatch)
    assert_fits(screen)
    out = plain(screen)
    assert f"Next refill due: {iso(overdue_days)}" in out
    warnings = [line for line in screen.splitlines()
                if "[!] URGENT" in line and "refill" in line]
    assert warnings, ("an overdue refill is not shown as a warning on the status screen:\n"
                      + screen)
    assert "No warning signs logged in the last 7 days." not in out


def test_status_never_hides_yesterdays_emergency_behind_older_signs(cli, monkeypatch):
    """A crowded week: the screen has room for a few lines of warning signs, but the newest
    and most urgent one must be among them (or the screen must say that more are hidden)."""
    ok(cli("profile", "--implant-date", iso(60), "--care-phone", "555-0142"))
    ok(cli("event", "add", "alarm", "--alarm", "non-critical", "--date", iso(3)))
    ok(cli("event", "add", "mri", "--date", ahead(9)))
    for days, sign in ((6, "nausea"), (5, "headache-upright"), (4, "refill-pain"),
                       (3, "confusion"), (2, "leg-numbness"), (1, "cannot-walk")):
        ok(cli("log", "--pain", "5", "--symptom", sign, "--date", iso(days)))
    screen = status(cli, monkeypatch)
    assert_fits(screen)
    assert f"[!!] EMERGENCY {iso(1)}: cannot walk" in screen, (
        "the emergency logged yesterday is not on the status screen:\n" + screen)


def test_status_on_a_wide_terminal_still_fits_80_columns(cli, monkeypatch):
    busy_journal(cli)
    monkeypatch.setenv("COLUMNS", "200")
    assert_fits(ok(cli()).stdout)


# ask, questions and the summary ----------------------------------------------------------------


def test_ask_and_log_question_both_appear_in_the_summary(cli, cli_json):
    out = ok(cli("ask", "Can the evening dose be raised?")).stdout
    assert "Saved for your next visit: Can the evening dose be raised?" in out
    ok(cli("log", "--pain", "3", "--question", "Is swimming allowed yet?", "--date", iso(2)))
    text = plain(ok(cli("summary")).stdout)
    assert "Questions for the visit:" in text
    assert "Can the evening dose be raised?" in text and "Is swimming allowed yet?" in text
    data = cli_json("summary")
    assert data["questions"] == [
        {"date": iso(2), "question": "Is swimming allowed yet?"},
        {"date": iso(0), "question": "Can the evening dose be raised?"}]


def test_ask_with_an_empty_question_is_refused(cli, journal):
    refused(cli("ask", "   "))
    assert not journal.exists()


def test_summary_since_last_visit(cli, cli_json):
    ok(cli("event", "add", "visit", "--date", iso(40)))
    ok(cli("event", "add", "visit", "--date", iso(10)))
    ok(cli("event", "add", "visit", "--date", ahead(5)))  # a future visit is not the last one
    ok(cli("log", "--pain", "7", "--date", iso(12)))
    ok(cli("log", "--pain", "3", "--date", iso(10)))
    ok(cli("log", "--pain", "5", "--date", iso(2)))
    data = cli_json("summary", "--since", "last-visit")
    assert data["period"]["since"] == iso(10) and data["period"]["until"] == iso(0)
    assert data["period"]["days"] == 11 and data["period"]["days_logged"] == 2
    assert data["pain"]["pain"]["mean"] == 4.0
    text = ok(cli("summary", "--since", "last-visit")).stdout
    assert (f"Period {iso(10)} to {iso(0)} (11 days, since your last visit on {iso(10)}).\n"
            "2 of 11 days logged; 0 on the day, 2 filled in later (median delay 6 days).") in text


def test_summary_since_last_visit_without_a_past_visit_is_refused(cli):
    ok(cli("log", "--pain", "3"))
    ok(cli("event", "add", "visit", "--date", ahead(5)))
    line = refused(cli("summary", "--since", "last-visit"))
    assert "no past visit" in line and "event add visit" in line


def test_summary_since_4_weeks(cli, cli_json):
    ok(cli("log", "--pain", "8", "--date", iso(29)))
    ok(cli("log", "--pain", "2", "--date", iso(28)))
    ok(cli("log", "--pain", "4", "--date", iso(1)))
    data = cli_json("summary", "--since", "4w")
    assert data["period"]["since"] == iso(28) and data["period"]["days"] == 29
    assert data["pain"]["pain"]["mean"] == 3.0


def test_summary_default_is_since_the_last_visit(cli, cli_json):
    ok(cli("event", "add", "visit", "--date", iso(12)))
    ok(cli("log", "--pain", "9", "--date", iso(13)))
    ok(cli("log", "--pain", "3", "--date", iso(5)))
    data = cli_json("summary")
    assert data["period"]["since"] == iso(12) and data["period"]["days_logged"] == 1


def test_summary_default_without_a_visit_is_30_days(cli, cli_json):
    ok(cli("log", "--pain", "9", "--date", iso(30)))
    ok(cli("log", "--pain", "3", "--date", iso(29)))
    data = cli_json("summary")
    assert data["period"] == {"since": iso(29), "until": iso(0), "days": 30, "days_logged": 1,
                              "starts_at_visit": None}


def test_summary_lists_episodes_events_and_the_next_refill(cli, cli_json):
    ok(cli("profile", "--name", "Pat Doe", "--implant-date", iso(20)))
    ok(cli("event", "add", "refill", "--date", iso(6), "--next-due", ahead(50)))
    ok(cli("log", "--pain", "4", "--symptom", "leg-numbness", "--note", "left foot odd",
           "--date", iso(3)))
    ok(cli("log", "--pain", "4", "--symptom", "leg-numbness", "--date", iso(2)))
    text = plain(ok(cli("summary")).stdout)
    assert "Follow-up summary: Pat Doe (me)" in text
    assert f"[!] URGENT {iso(3)} to {iso(2)}, 2 days logged: leg numbness (W-NEURO)" in text
    assert "pump refilled" in text
    assert f"Next refill due: {ahead(50)} (in 50 days)." in text
    assert "left foot odd" in text  # the note of a flagged day
    assert NOT_ADVICE in text
    data = cli_json("summary")
    assert [ep["rule"] for ep in data["episodes"]] == ["W-NEURO"]
    assert data["next_refill"] == ahead(50)


def test_summary_bad_since_is_refused(cli):
    ok(cli("log", "--pain", "3"))
    assert "whenever" in refused(cli("summary", "--since", "whenever"))


# demo --------------------------------------------------------------------------------------


def test_demo_shows_the_status_screen_and_the_summary(cli, journal):
    out = ok(cli("demo")).stdout
    assert "== Status screen" in out
    assert "Phase: ongoing therapy" in out
    assert "Follow-up summary: Sam Rivera" in out
    assert "Questions for the visit:" in out
    assert "[!] URGENT" in out
    assert not journal.exists()


def test_event_list_names_the_dates_kept_in_the_profile(cli):
    ok(cli("profile", "--implant-date", iso(30)))
    result = ok(cli("event", "list"))
    assert "No events recorded" in result.stderr
    assert f"From the profile: pump implanted {iso(30)}." in result.stderr
    assert ok(cli("event", "list", "--json")).stdout.strip() == "[]"
    assert "From the profile" not in ok(cli("event", "list", "--since", iso(10))).stderr
