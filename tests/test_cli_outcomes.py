"""`summary` shows "Did it help?": the trial, dose changes, months and the impression."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from pjtest import ok

TODAY = date.today()


def ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def build(cli) -> None:
    # baseline 8, 6, 7 (mean 7); trial 4, 5, 3 (mean 4): 42.9% lower, moderate
    for n, pain in ((25, 8), (24, 6), (22, 7), (20, 4), (19, 5), (17, 3),
                    (14, 6), (12, 6), (9, 6), (6, 3), (4, 3), (2, 3)):
        ok(cli("log", "--pain", str(pain), "--date", ago(n)))
    ok(cli("log", "--pain", "3", "--date", ago(6), "--boluses", "2"))
    ok(cli("log", "--pain", "3", "--date", ago(4), "--boluses", "4", "--impression", "2"))
    ok(cli("event", "add", "trial-start", "--date", ago(20)))
    ok(cli("event", "add", "trial-end", "--date", ago(17), "--relief", "yes"))
    ok(cli("event", "add", "dose-change", "--date", ago(8), "--drug", "morphine", "--dose",
           "0.5", "--unit", "mg/day"))


def test_summary_json_has_the_outcomes(cli):
    build(cli)
    data = json.loads(ok(cli("summary", "--json")).stdout)["outcomes"]
    trial = data["trial"]
    assert trial["baseline"] == {"since": ago(34), "until": ago(21), "days": 3, "mean": 7}
    assert trial["trial"]["days"] == 3 and trial["trial"]["mean"] == 4
    assert trial["item"] == "pain" and trial["change_pct"] == -42.9
    assert trial["band"] == "moderate" and "Dworkin" in trial["source"]
    (dose,) = data["dose_changes"]
    assert dose["kind"] == "dose-change" and dose["detail"] == "morphine 0.5 mg/day"
    assert dose["before"]["days"] == 3 and dose["before"]["mean"] == 6
    assert dose["after"]["days"] == 3 and dose["after"]["mean"] == 3
    assert dose["after"]["boluses_per_day"] == 3 and dose["after"]["bolus_days"] == 2
    assert dose["change_pct"] == -50.0 and dose["band"] == "substantial"
    assert data["months"] == []  # no implant
    assert data["impression"]["latest"] == 2 and data["impression"]["date"] == ago(4)


def test_summary_text_says_what_the_diary_shows(cli):
    build(cli)
    text = " ".join(ok(cli("summary")).stdout.split())
    assert "Did it help?" in text and "not a recommendation" in text
    assert ("Pain was 42.9% lower during the trial than in the baseline weeks (IMMPACT band: "
            "moderate") in text
    assert "IMMPACT, Dworkin et al., J Pain 2008" in text
    assert "mean 4 over 3 days logged; baseline" in text
    assert "dose change (morphine 0.5 mg/day)" in text and "pain was 50% lower after" in text
    assert "Impression of change since before the pump (1-7): 2 (much improved)" in text
    for word in ("should", "recommend you", "increase the dose"):
        assert word not in text


def test_too_few_days_say_so_and_give_no_band(cli):
    ok(cli("log", "--pain", "6", "--date", ago(10)))
    ok(cli("log", "--pain", "3", "--date", ago(3)))
    ok(cli("event", "add", "trial-start", "--date", ago(5)))
    data = json.loads(ok(cli("summary", "--json")).stdout)["outcomes"]["trial"]
    assert data["change_pct"] is None and data["band"] is None
    assert data["note"] == "not enough days" and data["trial"]["running"]
    text = " ".join(ok(cli("summary")).stdout.split())
    assert "No percent for the trial: not enough days" in text


def test_no_trial_no_events_no_section(cli):
    ok(cli("log", "--pain", "4"))
    assert "Did it help?" not in ok(cli("summary")).stdout
    data = json.loads(ok(cli("summary", "--json")).stdout)["outcomes"]
    assert data["trial"] is None and data["dose_changes"] == [] and data["months"] == []
    assert data["impression"] == {"latest": None, "date": None, "words": None, "history": []}


@pytest.mark.parametrize("value", [0, 8, -1, 99])
def test_a_hand_edited_impression_off_the_scale_breaks_no_summary_and_doctor_names_it(
        cli, journal, value):
    ok(cli("log", "--pain", "4", "--impression", "3", "--date", "yesterday"))
    data = json.loads(journal.read_bytes())
    next(iter(data["entries"].values()))["impression"] = value
    journal.write_text(json.dumps(data))
    for args in (["summary"], ["summary", "--json"], ["report", "--format", "txt",
                                                     "--output", "-"]):
        result = cli(*args)
        assert result.exit_code == 0 and "unexpected" not in result.output, (args, result.output)
    doctor = cli("doctor")
    assert doctor.exit_code == 1 and "impression" in doctor.stdout
