"""A day of several readings as the read commands show it (list, show, summary, the status
screen, cohort), figures over days that count such a day once (the mean of its readings), and
when each day was logged (on the day, filled in later, or not known)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pumpjournal import Journal, model
from pjtest import iso, ok


def add(path, day: str, pain, stamp: str | None = None, at: str | None = None,
        patient: str = "me", **values) -> None:
    """One reading through the library, logged at ``stamp`` (default: on the day, 21:00 in
    UTC-06:00, which is the next day in UTC)."""
    if pain is not None:
        values["pain"] = pain
    with Journal(path).transaction() as tx:
        tx.add_reading(patient, date.fromisoformat(day), model.validate_fields(values),
                       stamp or f"{day}T21:00:00-06:00", at=at)


def forget_logged_at(path, day: str) -> None:
    """Remove ``logged_at`` from a day's readings, as a hand-written or imported schema-2
    journal may hold it."""
    data = json.loads(path.read_text(encoding="utf-8"))
    for doc in data["entries"].values():
        if doc["date"] == day:
            for reading in doc["readings"]:
                reading.pop("logged_at", None)
    path.write_text(json.dumps(data), encoding="utf-8")


D1, D2, D3 = "2026-11-02", "2026-11-03", "2026-11-04"


@pytest.fixture
def several(journal):
    """D1: one reading (3). D2: readings 2 at 08:00 and 6 at 20:00, a fever at 13:30 without a
    pain score. D3: one reading (7), logged two days later."""
    add(journal, D1, 3)
    add(journal, D2, 2, f"{D2}T08:01:00-06:00", "08:00")
    add(journal, D2, None, f"{D2}T13:31:00-06:00", "13:30", symptoms=["fever"],
        temperature="38.4", note="hot after lunch")
    add(journal, D2, 6, f"{D2}T20:02:00-06:00", "20:00")
    add(journal, D3, 7, "2026-11-06T09:00:00-06:00")
    return journal


# Figures over days: a day counts once, as the mean of its readings -----------------------------

def test_summary_means_take_each_day_once_as_the_mean_of_its_readings(cli, cli_json, several):
    data = cli_json("summary", "--since", D1, "--until", D3)
    # days 3, mean(2, 6) = 4, and 7: (3 + 4 + 7) / 3, not (3 + 2 + 6 + 7) / 4
    assert data["pain"]["pain"] == {"n": 3, "mean": 4.67, "median": 4, "min": 3, "max": 7}
    day = next(d for d in data["daily"] if d["date"] == D2)
    assert day["pain"] == 6 and day["pain_mean"] == 4.0
    assert day["readings"] == [{"time": "08:00", "pain": 2}, {"time": "13:30", "pain": None},
                               {"time": "20:00", "pain": 6}]
    assert next(d for d in data["daily"] if d["date"] == D1)["readings"] == [
        {"time": None, "pain": 3}]
    assert sum(w["days_logged"] for w in data["weeks"]) == 3
    text = ok(cli("summary", "--since", D1, "--until", D3)).stdout
    assert "Pain now: each day counts once, as the mean of its readings." in text
    assert f"  {D2}  08:00 2 · 20:00 6 (mean 4)" in text
    assert "  now                   4.67       4     3-7     3" in text


def test_trend_halves_and_cohort_mean_pain_use_the_day_means(cli_json, journal):
    add(journal, D1, 2, at="08:00")
    add(journal, D1, 6, at="20:00")
    add(journal, D3, 1)
    trend = cli_json("summary", "--since", D1, "--until", D3)["trend"]
    assert trend["first_half"]["pain_mean"] == 4 and trend["second_half"]["pain_mean"] == 1
    assert trend["change"] == -3
    (row,) = cli_json("cohort")
    assert row["mean_pain"] == 2.5 and row["readings"] == 3 and row["readings_per_day"] == 1.5


def test_a_summary_of_one_reading_days_has_no_readings_lines(cli, journal):
    add(journal, D1, 3)
    add(journal, D2, 5)
    text = ok(cli("summary", "--since", D1, "--until", D3)).stdout
    assert "readings" not in text and "  now                      4       4     3-5     2" in text


# list and show --------------------------------------------------------------------------------

def test_list_shows_a_line_per_reading_under_a_day_of_several(cli, several):
    lines = ok(cli("list")).stdout.splitlines()
    start = lines.index(f"{D2}  pain 4 (mean of 2 readings)  38.4 °C (101.1 °F)")
    day = lines[start:start + 6]
    assert day[1].startswith("    [!] URGENT warning sign")
    assert day[2] == "    symptoms: fever"
    assert day[3:] == ["    08:00  pain 2",
                       "    13:30  symptoms: fever  38.4 °C (101.1 °F)  note: hot after lunch",
                       "    20:00  pain 6"]
    assert f"{D1}  pain 3" in lines and f"{D3}  pain 7" in lines  # one reading: as before
    assert lines[lines.index(f"{D1}  pain 3") + 1].startswith("pumpjournal is not medical")


def test_a_day_with_one_pain_score_among_its_readings_has_no_mean(cli, journal):
    add(journal, D1, 3, at="08:00")
    add(journal, D1, None, at="12:00", symptoms=["nausea"])
    lines = ok(cli("list")).stdout.splitlines()
    assert lines[0] == f"{D1}  pain 3 (2 readings)"
    assert lines[3:5] == ["    08:00  pain 3", "    12:00  symptoms: nausea"]


def test_list_marks_the_signs_a_later_reading_added(cli, journal):
    add(journal, D1, 2, at="08:00", symptoms=["headache"])
    add(journal, D1, 4, at="12:00", symptoms=["headache", "nausea"])
    lines = ok(cli("list")).stdout.splitlines()
    assert "    08:00  pain 2  symptoms: headache" in lines
    assert "    12:00  pain 4  new: nausea" in lines


def test_list_json_has_the_readings_and_the_day_mean(cli_json, several):
    day = next(e for e in cli_json("list") if e["date"] == D2)
    assert day["pain"] == 6 and day["pain_mean"] == 4.0
    assert [(r["time"], r["pain"]) for r in day["readings"]] == [("08:00", 2), ("13:30", None),
                                                                  ("20:00", 6)]
    assert day["readings"][0]["logged_at"] == f"{D2}T08:01:00-06:00"


def test_show_lists_each_reading_with_its_own_stamps(cli, several):
    out = ok(cli("show", D2)).stdout
    assert ("    reading 08:00: pain 2\n"
            f"        logged {D2}T08:01:00-06:00\n"
            "    reading 13:30: no pain score, 38.4 °C (101.1 °F)\n"
            "        symptoms: fever\n"
            "        temperature as entered: 38.4 (read as °C)\n"
            "        note: hot after lunch\n"
            f"        logged {D2}T13:31:00-06:00\n"
            "    reading 20:00: pain 6\n"
            f"        logged {D2}T20:02:00-06:00\n"
            f"    logged {D2}T08:01:00-06:00, last changed {D2}T20:02:00-06:00") in out


def test_show_names_a_reading_without_a_time_and_one_filled_in_later(cli, journal):
    add(journal, D1, 3)  # an earlier day without --at: time not recorded
    add(journal, D1, 5, "2026-11-04T07:00:00-06:00", "21:00")
    out = ok(cli("show", D1)).stdout
    assert "    reading time not recorded: pain 3\n" in out
    assert "        logged 2026-11-04T07:00:00-06:00 (filled in 2 days later)\n" in out
    assert "    time not recorded  pain 3" in ok(cli("list")).stdout


def test_show_of_a_one_reading_day_is_as_before(cli, journal):
    add(journal, D1, 3, note="walked")
    assert ok(cli("show", D1)).stdout == (
        f"{D1}  pain 3\n    note: walked\n    logged {D1}T21:00:00-06:00, last changed "
        f"{D1}T21:00:00-06:00\n")


# The status screen ------------------------------------------------------------------------------

def test_status_says_how_many_readings_today_and_charts_day_means(cli, journal):
    add(journal, iso(1), 2, at="08:00")
    add(journal, iso(1), 6, at="20:00")
    add(journal, iso(0), 5, at="none")  # time not recorded
    add(journal, iso(0), 1)  # now
    out = ok(cli()).stdout
    assert "Today: 2 readings (latest " in out and ", pain 1). Add one with: pumpjournal log" \
        in out
    assert "Daily mean pain, 14 days: " in out and "(· no entry; latest 3, range 3-4)" in out


def test_status_of_one_reading_days_is_as_before(cli, journal):
    add(journal, iso(1), 2)
    add(journal, iso(0), 5)
    out = ok(cli()).stdout
    assert "Today: logged (pain 5). Add to it with: pumpjournal log --symptom ID" in out
    assert "Pain now, last 14 days: " in out and "(· no entry; latest 5, range 2-5)" in out


# When each day was logged ----------------------------------------------------------------------

@pytest.fixture
def timed(journal):
    """p1: D1 logged on the day (21:00 in UTC-06:00, the next day in UTC); D2 two days later;
    2026-11-05 four days later; 2026-11-06 without logged_at; 2026-11-07 first logged on the
    day, a second reading a day later. p2: one day, three days late."""
    add(journal, D1, 3, patient="p1")
    add(journal, D2, 4, "2026-11-05T10:00:00-06:00", patient="p1")
    add(journal, "2026-11-05", 5, "2026-11-09T10:00:00+01:00", patient="p1")
    add(journal, "2026-11-06", 6, patient="p1")
    forget_logged_at(journal, "2026-11-06")
    add(journal, "2026-11-07", 2, "2026-11-07T08:00:00-06:00", "08:00", patient="p1")
    add(journal, "2026-11-07", 4, "2026-11-08T08:00:00-06:00", "20:00", patient="p1")
    add(journal, D1, 1, "2026-11-05T12:00:00+00:00", patient="p2")
    return journal


def test_cohort_counts_days_logged_on_the_day_later_and_unknown(cli_json, timed):
    rows = {r["patient"]: r for r in cli_json("cohort")}
    p1 = rows["p1"]
    assert {k: p1[k] for k in (
        "days_in_window", "days_logged", "share_logged", "days_logged_same_day",
        "days_filled_in_later", "median_delay_days", "days_timing_unknown", "readings",
        "readings_per_day")} == {
        "days_in_window": 6, "days_logged": 5, "share_logged": 0.833,
        "days_logged_same_day": 2, "days_filled_in_later": 2, "median_delay_days": 3,
        "days_timing_unknown": 1, "readings": 6, "readings_per_day": 1.2}
    p2 = rows["p2"]
    assert (p2["days_in_window"], p2["share_logged"], p2["days_filled_in_later"],
            p2["median_delay_days"], p2["days_timing_unknown"]) == (1, 1.0, 1, 3, 0)


def test_cohort_window_is_since_and_until_with_until_clipped_to_today(cli_json, journal):
    add(journal, iso(3), 4)
    (row,) = cli_json("cohort", "--since", iso(9), "--until", iso(-5))
    assert row["days_in_window"] == 10 and row["share_logged"] == 0.1
    (row,) = cli_json("cohort", "--since", iso(9))
    assert row["days_in_window"] == 7  # to the last day logged
    (row,) = cli_json("cohort", "--since", iso(2))
    assert row["days_logged"] == 0 and row["days_in_window"] == 0
    assert row["share_logged"] is None and row["median_delay_days"] is None
    assert row["readings_per_day"] is None


def test_cohort_text_says_when_the_days_were_logged(cli, timed):
    lines = ok(cli("cohort")).stdout.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("p1 "))
    assert " ".join(" ".join(lines[at + 1:at + 3]).split()) == (
        "5 of 6 days logged; 2 on the day, 2 filled in later (median delay 3 days), 1 with "
        "the time of logging unknown; 1.2 readings a day.")
    p2 = lines[lines.index(next(x for x in lines if x.startswith("p2 "))) + 1]
    assert p2 == ("  1 of 1 day logged; 0 on the day, 1 filled in later (median delay 3 "
                  "days).")


def test_summary_says_when_the_days_were_logged(cli, cli_json, timed):
    data = cli_json("summary", "--patient", "p1", "--since", D1, "--until", "2026-11-10")
    assert data["logging"] == {
        "days_in_period": 9, "days_logged": 5, "share_logged": 0.556, "same_day": 2,
        "filled_in_later": 2, "timing_unknown": 1, "median_delay_days": 3, "readings": 6,
        "readings_per_day": 1.2}
    text = ok(cli("summary", "--patient", "p1", "--since", D1, "--until", "2026-11-10")).stdout
    assert ("5 of 9 days logged; 2 on the day, 2 filled in later (median delay 3 days), 1 with "
            "the time of logging unknown.") in " ".join(text.split())
    text = ok(cli("summary", "--patient", "p2", "--since", D1, "--until", D2)).stdout
    assert "1 of 2 days logged; 0 on the day, 1 filled in later (median delay 3 days).\n" in text


@pytest.mark.parametrize("stamp, late", [
    ("2026-11-02T23:59:59-06:00", 0), ("2026-11-03T05:59:59Z", 1),  # its own offset's date
    ("2026-11-01T23:00:00+00:00", 0),  # the day before (a stamp written in UTC): not later
    ("2026-10-31T23:00:00+00:00", None), ("0001-01-01T00:00:00", None),  # cannot be right
    ("2026-11-12T08:00:00", 10), (None, None), ("", None), ("yesterday", None)])
def test_a_day_is_late_by_the_date_of_its_stamp_in_its_own_offset(stamp, late):
    from pumpjournal.summary import logged_late

    assert logged_late(D1, stamp) == late


def test_the_earliest_stamp_of_a_day_is_by_the_moment_not_the_text():
    assert model.earliest_stamp(["2026-11-03T00:30:00+01:00", "2026-11-02T23:45:00+00:00"]) \
        == "2026-11-03T00:30:00+01:00"  # 23:30 UTC, before 23:45 UTC
    assert model.earliest_stamp([None, "2026-11-02T08:00:00-06:00", ""]) \
        == "2026-11-02T08:00:00-06:00"
    assert model.earliest_stamp([]) is None


# The report --------------------------------------------------------------------------------------

def report_text(cli, fmt: str, *args: str) -> str:
    """What a reader of the report sees, whitespace made single spaces (PDF: its text)."""
    import io
    import re

    result = ok(cli("report", "--format", fmt, "--output", "-", *args))
    if fmt == "pdf":
        from pypdf import PdfReader

        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(result.stdout_bytes)).pages)
    else:
        text = re.sub(r"<style>.*?</style>|<[^>]+>", " ", result.stdout, flags=re.S)
        text = text.replace("&middot;", "·").replace("\\.", ".")
    return " ".join(text.split())


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "pdf"])
def test_every_report_format_shows_a_days_readings_and_when_days_were_logged(cli, several,
                                                                              fmt):
    text = report_text(cli, fmt, "--since", D1, "--until", "2026-11-05")
    assert "3 of 4 days logged; 2 on the day, 1 filled in later (median delay 2 days)." in text
    if fmt == "md":  # the readings in the Now cell, one a line
        assert "mean 4 08:00 2 20:00 6" in text
    else:
        assert "Readings: 08:00 2 · 20:00 6 (mean 4)" in text
    assert "Now on a day of several readings: their mean" in text
    assert "with the time of logging unknown" not in text


def test_the_report_says_how_many_days_have_no_time_of_logging(cli, several):
    forget_logged_at(several, D1)
    text = report_text(cli, "txt", "--since", D1, "--until", D3)
    assert ("3 of 3 days logged; 1 on the day, 1 filled in later (median delay 2 days), 1 "
            "with the time of logging unknown.") in text


def test_the_chart_draws_a_days_readings_as_a_range_with_the_mean_on_the_line(several):
    from pumpjournal import report
    from pumpjournal.report import chart

    made = report.prepare(Journal(several).read(), "me", date(2026, 11, 25), D1, D3)
    drawn = chart.draw(made)
    ranges = [s for s in drawn.shapes if s.style == "range"]
    legend = [s for s in drawn.shapes if s.kind == "text" and "lowest to highest" in s.text]
    assert len(legend) == 1
    vertical = [s for s in ranges if s.x1 == s.x2 and s.y1 != s.y2]
    bars = [s for s in vertical if s.y2 - s.y1 > 5]  # the day's range (the legend's is short)
    assert len(bars) == 1
    (bar,) = bars
    line = next(s for s in drawn.shapes if s.kind == "poly")
    ((x1, y1), (x2, y2), (x3, y3)) = line.points  # three days in a row: 3, mean 4, 7
    assert x2 == bar.x1 and bar.y1 < y2 < bar.y2
    # 0-10 runs up the plot: 2 (the lowest) to 6 (the highest) is 4 tenths of its height
    step = (y1 - y3) / 4  # from 3 to 7
    assert round(bar.y2 - bar.y1, 6) == round(4 * step, 6)
    assert round(y1 - y2, 6) == round(step, 6)  # the dot at the mean, 4
    svg = made.render("html").decode()
    assert "a day&#x27;s readings, lowest to highest (dot: their mean)" in svg
    text = made.render("txt").decode().splitlines()
    rows = {line[:3].strip(): line[5:] for line in text if line[3:5] == " |"}
    column = rows["4"].index("*")  # D2 is the chart's second day
    assert [rows[str(n)][column] for n in (6, 5, 3, 2)] == ["|"] * 4
    assert "| a day's readings, lowest to highest (* then is their mean)" in text


def test_a_report_of_one_reading_days_has_no_readings_lines_or_range(cli, journal):
    add(journal, D1, 3)
    add(journal, D2, 5)
    for fmt in ("txt", "html"):
        text = report_text(cli, fmt, "--since", D1, "--until", D2)
        assert "Readings:" not in text and "several readings" not in text, fmt
        assert "lowest to highest" not in text and "2 of 2 days logged; 2 on the day" in text
