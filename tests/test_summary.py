"""The follow-up summary, checked against figures worked out by hand."""

from __future__ import annotations

from datetime import date

from pumpjournal.episodes import episodes
from pumpjournal.model import Entry, Event
from pumpjournal.summary import default_since, summarise

P = "me"


def entry(day: str, pain: int, **kw) -> Entry:
    return Entry(patient=P, date=day, pain=pain, **kw)


# Ten days, 2026-11-01..10, four of them logged (days without an entry are gaps, not zero).
ENTRIES = [
    entry("2026-11-01", 6, worst=8, least=4, average=6, sleep=6.0, mood=4),
    entry("2026-11-02", 4, worst=6, least=2, average=4, boluses=2),
    entry("2026-11-07", 3, worst=5, least=1, average=3, symptoms=["fever"], note="hot at night",
          boluses=1),
    entry("2026-11-08", 2, worst=3, least=1, average=2, symptoms=["constipation"],
          questions=["Is the fever related?"], sleep=8.0, mood=7),
]
EVENTS = [Event(P, "refill", "2026-11-05", {"next_due": "2027-01-20"}, 1),
          Event(P, "visit", "2026-10-20", {}, 2)]


def run(since="2026-11-01", until="2026-11-10"):
    low, high = date.fromisoformat(since), date.fromisoformat(until)
    eps = episodes(P, ENTRIES, {}, EVENTS, high, low, high)
    return summarise(ENTRIES, EVENTS, eps, {}, low, high,
                     [{"date": "2026-11-09", "question": "When is the next refill?"}])


def test_period_counts_days_logged_out_of_days():
    data = run()
    assert data["period"] == {"since": "2026-11-01", "until": "2026-11-10", "days": 10,
                              "days_logged": 4, "starts_at_visit": None}


def test_pain_figures_are_over_logged_days_only():
    pain = run()["pain"]
    # (6 + 4 + 3 + 2) / 4 = 3.75; median of 2,3,4,6 = 3.5
    assert pain["pain"] == {"n": 4, "mean": 3.75, "median": 3.5, "min": 2, "max": 6}
    # worst 8,6,5,3 -> mean 5.5, median 5.5
    assert pain["worst"] == {"n": 4, "mean": 5.5, "median": 5.5, "min": 3, "max": 8}
    assert pain["least"]["mean"] == 2.0


def test_trend_compares_first_and_second_half():
    trend = run()["trend"]
    # halves: 11-01..11-05 (6, 4 -> 5.0) and 11-06..11-10 (3, 2 -> 2.5)
    assert trend["first_half"]["pain_mean"] == 5.0
    assert trend["second_half"]["pain_mean"] == 2.5
    assert trend["change"] == -2.5


def test_weeks_and_gaps():
    weeks = run()["weeks"]
    assert [(w["start"], w["pain_mean"]) for w in weeks] == [
        ("2026-11-01", 4.33), ("2026-11-08", 2.0)]  # (6+4+3)/3, then 2


def test_symptoms_episodes_events_notes_questions():
    data = run()
    assert {s["id"]: s["days"] for s in data["symptoms"]} == {"fever": 1, "constipation": 1}
    rules = [(e["rule"], e["first"]) for e in data["episodes"]]
    assert ("W-INF", "2026-11-07") in rules and ("W-SIDE", "2026-11-08") in rules
    assert [e["kind"] for e in data["events"]] == ["refill"]  # the visit is before the period
    assert data["flagged_notes"] == [{"date": "2026-11-07", "note": "hot at night"}]
    assert [q["question"] for q in data["questions"]] == [
        "Is the fever related?", "When is the next refill?"]
    assert data["boluses"] == {"days_logged": 2, "total": 3, "mean_per_day": 1.5}
    assert data["sleep_hours"]["mean"] == 7.0 and data["mood"]["mean"] == 5.5
    assert data["next_refill"] == "2027-01-20"


def test_an_empty_period_has_no_figures_not_zeros():
    data = run("2026-12-01", "2026-12-07")
    assert data["period"]["days_logged"] == 0
    assert data["pain"]["pain"] is None and data["trend"]["change"] is None


def test_default_period_starts_at_the_last_visit_else_30_days():
    assert default_since(EVENTS, date(2026, 11, 25)) == date(2026, 10, 20)
    assert default_since([], date(2026, 11, 25)) == date(2026, 10, 27)


def test_summary_command_json_matches(cli, cli_json):
    for e in ENTRIES:
        args = ["log", "--pain", str(e.pain), "--date", e.date]
        if e.worst is not None:
            args += ["--worst", str(e.worst), "--least", str(e.least)]
        assert cli(*args).exit_code == 0
    data = cli_json("summary", "--since", "2026-11-01", "--until", "2026-11-10")
    assert data["pain"]["pain"]["mean"] == 3.75
    assert data["period"]["days_logged"] == 4
    text = cli("summary", "--since", "2026-11-01", "--until", "2026-11-10").stdout
    assert "4 of 10 days logged" in text and "3.75" in text  # as the report shows it


def test_a_day_of_readings_2_and_6_counts_once_as_4():
    from pumpjournal.model import Reading

    day = Entry(patient=P, date="2026-11-03", readings=[
        Reading("08:00", pain=2, logged_at="2026-11-03T08:05:00-06:00"),
        Reading("20:00", pain=6, logged_at="2026-11-05T09:00:00-06:00")])
    other = entry("2026-11-04", 7, logged_at="2026-11-06T09:00:00-06:00")
    low, high = date(2026, 11, 3), date(2026, 11, 6)
    data = summarise([day, other], [], [], {}, low, high)
    assert day.pain == 6 and day.pain_mean == 4.0
    assert data["pain"]["pain"] == {"n": 2, "mean": 5.5, "median": 5.5, "min": 4, "max": 7}
    assert data["weeks"][0]["pain_mean"] == 5.5
    assert data["logging"] == {"days_in_period": 4, "days_logged": 2, "share_logged": 0.5,
                               "same_day": 1, "filled_in_later": 1, "timing_unknown": 0,
                               "median_delay_days": 2, "readings": 3, "readings_per_day": 1.5}
