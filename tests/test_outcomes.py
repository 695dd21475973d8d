"""Did it help? figures from hand-made days (outcomes.py)."""

from datetime import date
from types import SimpleNamespace

import pytest

from pumpjournal import outcomes as oc
from pumpjournal.model import Event


def day(d, pain, average=None, boluses=None, impression=None):
    return SimpleNamespace(date=d, pain=pain, pain_mean=None if pain is None else float(pain),
                           average=average, boluses=boluses, impression=impression)


def ev(kind, d, **details):
    return Event("me", kind, d, details)


TRIAL = [ev("trial-start", "2026-03-15"), ev("trial-end", "2026-03-18")]
BASE = [day("2026-03-01", 8), day("2026-03-05", 6), day("2026-03-14", 7)]  # mean 7
DURING = [day("2026-03-15", 4), day("2026-03-16", 5), day("2026-03-18", 3)]  # mean 4


@pytest.mark.parametrize("change,expected", [
    (None, None), (0.0, "none"), (0.1, "worse"), (25.0, "worse"), (-9.99, "none"),
    (-10.0, "minimal"), (-29.99, "minimal"), (-30.0, "moderate"), (-49.9, "moderate"),
    (-50.0, "substantial"), (-100.0, "substantial")])
def test_band(change, expected):
    assert oc.band(change) == expected


def test_trial_against_baseline_pain_now():
    # baseline 7, trial 4: (4 - 7) / 7 = -42.857...% -> moderate
    t = oc.trial(BASE + DURING, TRIAL, {}, date(2026, 4, 1))
    assert t["baseline"] == {"since": "2026-03-01", "until": "2026-03-14", "days": 3,
                             "mean": 7}
    assert t["trial"]["days"] == 3 and t["trial"]["mean"] == 4
    assert t["trial"]["until"] == "2026-03-18" and not t["trial"]["running"]
    assert t["item"] == "pain" and t["change_pct"] == -42.9 and t["band"] == "moderate"
    assert t["note"] is None and t["source"] == oc.SOURCE


def test_trial_uses_average_when_logged_on_both_sides():
    days = [day(d, 9, average=a) for d, a in
            (("2026-03-02", 8), ("2026-03-03", 8), ("2026-03-04", 8),
             ("2026-03-15", 4), ("2026-03-16", 4), ("2026-03-17", 4))]
    t = oc.trial(days, TRIAL, {}, date(2026, 4, 1))
    assert t["item"] == "average" and t["change_pct"] == -50.0 and t["band"] == "substantial"


def test_band_from_unrounded_value():
    # baseline 10, 10, 10; trial 7, 7, 7.0003 -> -29.99%: minimal, though it shows -30.0
    base = [day(f"2026-03-0{i}", 10) for i in (2, 3, 4)]
    during = [day("2026-03-15", 7), day("2026-03-16", 7), day("2026-03-17", 7)]
    during[2].pain_mean = 7.0003
    t = oc.trial(base + during, TRIAL, {}, date(2026, 4, 1))
    assert t["change_pct"] == -30.0 and t["band"] == "minimal"


def test_fewer_than_three_days_is_not_enough():
    t = oc.trial(BASE[:2] + DURING, TRIAL, {}, date(2026, 4, 1))
    assert t["change_pct"] is None and t["band"] is None and t["note"] == oc.NOT_ENOUGH
    assert t["baseline"]["days"] == 2 and t["baseline"]["mean"] == 7


def test_baseline_of_zero_gives_no_percent():
    base = [day(f"2026-03-0{i}", 0) for i in (2, 3, 4)]
    t = oc.trial(base + DURING, TRIAL, {}, date(2026, 4, 1))
    assert t["change_pct"] is None and t["band"] is None and t["note"] == oc.ZERO_BASELINE


def test_running_trial_counts_to_today():
    events = [ev("trial-start", "2026-03-15")]
    days = BASE + DURING + [day("2026-03-20", 2)]
    t = oc.trial(days, events, {}, date(2026, 3, 16))
    assert t["trial"]["until"] == "2026-03-16" and t["trial"]["running"]
    assert t["trial"]["days"] == 2  # the days after today are not counted
    assert t["change_pct"] is None and t["note"] == oc.NOT_ENOUGH


def test_no_trial():
    assert oc.trial(BASE, [], {}, date(2026, 4, 1)) is None
    data = oc.outcomes(BASE, [], {}, date(2026, 4, 1))
    assert data["trial"] is None and data["months"] == [] and not oc.shown(data)


def test_profile_dates_and_latest_trial():
    t = oc.trial(BASE + DURING, [], {"trial_start": "2026-03-15", "trial_end": "2026-03-18"},
                 date(2026, 4, 1))
    assert t["change_pct"] == -42.9
    events = TRIAL + [ev("trial-start", "2026-05-01")]
    assert oc.trial_dates(events, {}, date(2026, 6, 1)) == (date(2026, 5, 1), None)


def test_dose_change_before_and_after():
    events = [ev("dose-change", "2026-05-10", drug="morphine", dose=0.5, unit="mg/day"),
              ev("refill", "2026-05-20", note="20 ml")]
    days = [day("2026-05-03", 6, boluses=2), day("2026-05-05", 6, boluses=4),
            day("2026-05-09", 9), day("2026-05-10", 1),  # the day itself is not counted
            day("2026-05-11", 4, boluses=1), day("2026-05-14", 5, boluses=1),
            day("2026-05-17", 3), day("2026-05-18", 0)]  # day 8: outside
    found = oc.dose_changes(days, events, date(2026, 5, 21))
    first = found[0]
    assert first["detail"] == "morphine 0.5 mg/day" and first["kind"] == "dose-change"
    assert first["before"]["days"] == 3 and first["before"]["mean"] == 7
    assert first["before"]["boluses_per_day"] == 3 and first["before"]["bolus_days"] == 2
    assert first["after"]["days"] == 3 and first["after"]["mean"] == 4
    assert first["after"]["boluses_per_day"] == 1
    assert first["change_pct"] == -42.9 and first["band"] == "moderate"
    second = found[1]
    assert second["detail"] == "20 ml" and second["after"]["days"] == 0
    assert second["change_pct"] is None and second["note"] == oc.NOT_ENOUGH


def test_months_against_baseline():
    events = TRIAL + [ev("implant", "2026-04-20")]
    days = BASE + DURING + [day("2026-04-21", 6), day("2026-04-25", 5), day("2026-04-28", 4),
                            day("2026-06-02", 3.5)]
    data = oc.outcomes(days, events, {}, date(2026, 6, 10))
    assert [m["month"] for m in data["months"]] == ["2026-04", "2026-05", "2026-06"]
    april, may, june = data["months"]
    assert april["days"] == 3 and april["mean"] == 5 and april["change_pct"] == -28.6
    assert may == {"month": "2026-05", "days": 0, "mean": None, "change_pct": None,
                   "band": None}
    assert june["days"] == 1 and june["change_pct"] is None  # one day: no percent


def test_months_without_baseline_have_no_percent():
    days = [day("2026-04-21", 6), day("2026-04-25", 5), day("2026-04-28", 4)]
    data = oc.outcomes(days, [ev("implant", "2026-04-20")], {}, date(2026, 4, 30))
    assert data["months"][0]["mean"] == 5 and data["months"][0]["change_pct"] is None


def test_impression_latest_and_history_since_implant():
    days = [day("2026-01-01", 5, impression=5), day("2026-05-20", 4, impression=3),
            day("2026-06-20", 4, impression=2), day("2026-06-21", 4)]
    got = oc.impression(days, date(2026, 4, 20))
    assert got["latest"] == 2 and got["date"] == "2026-06-20"
    assert got["words"] == "much improved"
    assert [h["date"] for h in got["history"]] == ["2026-05-20", "2026-06-20"]


@pytest.mark.parametrize("today,last,visit,asked", [
    (date(2026, 5, 17), None, True, False),  # day 27 after the implant: too soon
    (date(2026, 5, 18), None, False, True),  # day 28, never answered
    (date(2026, 6, 1), date(2026, 5, 18), False, False),  # answered 14 days ago
    (date(2026, 6, 1), date(2026, 5, 18), True, True),  # a visit day
    (date(2026, 6, 15), date(2026, 5, 18), False, False),  # 28 days old: not over 28
    (date(2026, 6, 16), date(2026, 5, 18), False, True),  # 29 days old
])
def test_when_the_impression_is_asked(today, last, visit, asked):
    assert oc.ask_impression(today, date(2026, 4, 20), last, visit) is asked


def test_impression_never_asked_without_implant():
    assert not oc.ask_impression(date(2026, 6, 1), None, None, True)


def test_logged_reads_a_stored_day_as_an_entry_does():
    from pumpjournal.model import Entry

    docs = [{"patient": "me", "date": "2026-05-01", "average": 4, "impression": 3,
             "readings": [{"time": "08:00", "pain": 4, "boluses": 1},
                          {"time": "12:00", "boluses": 2},
                          {"time": "20:00", "pain": 5}, {"time": "21:00", "pain": 6}]},
            {"patient": "me", "date": "2026-05-02", "readings": [{"pain": 7}]}]
    for doc in docs:
        got, entry = oc.Logged.of(doc), Entry.from_doc(doc)
        assert (got.date, got.pain_mean, got.average, got.boluses, got.impression) == (
            entry.date, entry.pain_mean, entry.average, entry.boluses, entry.impression)


def test_sorted_and_unsorted_days_give_the_same_figures():
    events = TRIAL + [ev("implant", "2026-04-20"), ev("refill", "2026-03-10", note="x")]
    days = list(reversed(BASE + DURING + [day("2026-04-21", 6)]))
    today = date(2026, 5, 1)
    assert oc.outcomes(days, events, {}, today) == oc.outcomes(list(reversed(days)), events,
                                                               {}, today)
    assert oc.dose_changes(days, events, today) == oc.dose_changes(oc.ByDate(days), events,
                                                                   today)


def test_the_text_lists_the_latest_six_dose_changes():
    from pumpjournal.words import outcome_lines

    events = [ev("refill", f"2026-{m:02d}-10", note=f"refill {m}") for m in range(1, 10)]
    lines = outcome_lines(oc.outcomes([], events, {}, date(2026, 12, 1)))
    listed = [line for line in lines if "refill (refill" in line]
    assert len(listed) == 6 and "2026-04-10" in listed[0] and "2026-09-10" in listed[-1]
    assert any("3 earlier ones in summary --json" in line for line in lines)
