"""Validation and parsing (model.py, dates.py), much of it property-based with hypothesis:
what a person can type for a score, a temperature or a date, and how a day's entry is merged."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, strategies as st

from pumpjournal import InputError, dates, model
from pumpjournal.model import Entry
from pumpjournal.symptoms import Context, assess
from pjtest import iso, ok, plain

NOW = date(2026, 11, 25)  # a Wednesday
STAMP = "2026-11-25T20:00:00+00:00"
LATER = "2026-11-25T21:00:00+00:00"

# Pain scores -------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10))
def test_any_whole_number_from_0_to_10_is_a_pain_score(n):
    assert model.parse_score(n) == n
    assert model.parse_score(str(n)) == n
    assert model.parse_score(f"  {n} ") == n


@given(st.integers(min_value=-10**12, max_value=10**12).filter(lambda n: not 0 <= n <= 10))
def test_whole_numbers_outside_0_to_10_are_refused(n):
    with pytest.raises(InputError, match="0 to 10"):
        model.parse_score(n)
    with pytest.raises(InputError, match="0 to 10"):
        model.parse_score(str(n))


@given(st.floats(min_value=-1000, max_value=1000).filter(lambda x: x != int(x)))
def test_scores_with_a_fraction_are_refused(x):
    with pytest.raises(InputError, match="whole number"):
        model.parse_score(x)
    with pytest.raises(InputError, match="whole number"):
        model.parse_score(repr(x))


@given(st.text().filter(lambda t: not any(ch.isdigit() for ch in t)))
@example("nan")
@example("NaN")
@example("inf")
@example("-Infinity")
@example("1" * 5000)  # digits, but as a float it is infinite
@example("")
@example("four")
@example("4/10")
def test_text_that_is_not_a_number_is_refused(text):
    with pytest.raises(InputError):
        model.parse_score(text)


@pytest.mark.parametrize("text", ["1_0", "1e1", "1E0", "٣", "３", "５", "+5", "0x5", "5.",
                                  "½", "²", "5\u200b", "inf"])
def test_numbers_only_in_ascii_digits(text):
    """int() and float() take underscores, exponents and other scripts' digits; a score,
    a count, hours and a dose are written with 0-9 only, so what is stored is what was typed."""
    for parse in (model.parse_score, model.parse_count, model.parse_hours,
                  lambda v: model.parse_decimal(v, "the dose", 0, 100)):
        with pytest.raises(InputError):
            parse(text)


@given(st.text(alphabet="0123456789.,_eE+-٣３ ", max_size=6))
def test_an_accepted_score_is_the_number_typed(text):
    try:
        score = model.parse_score(text)
    except InputError:
        return
    typed = text.strip()
    assert typed.split(".")[0].isascii() and typed.replace(".", "").isdigit()
    assert score == int(typed.split(".")[0]) and set(typed.partition(".")[2]) <= {"0"}


def test_score_error_says_what_is_accepted():
    with pytest.raises(InputError) as caught:
        model.parse_score("11", "worst pain (24 h)")
    message = str(caught.value)
    assert "worst pain (24 h)" in message and "0 to 10" in message and "'11'" in message
    assert "0 = no pain at all" in message


# Temperature (catalogue section 5) ------------------------------------------------------


@pytest.mark.parametrize("text, celsius, as_entered", [
    ("100.8F", 38.22, "100.8 F"),
    ("100.8 f", 38.22, "100.8 F"),
    ("101 °F", 38.33, "101 F"),
    ("38.2 c", 38.2, "38.2 C"),
    ("38.2C", 38.2, "38.2 C"),
    ("38.2°C", 38.2, "38.2 C"),
    ("37,9", 37.9, "37.9"),  # no unit typed: none stored
    ("37,9 c", 37.9, "37.9 C"),
    ("37.8", 37.8, "37.8"),
    ("45", 45.0, "45"),  # 45 or below without a unit: read as °C
    ("86", 30.0, "86"),  # above 45 without a unit: read as °F
    ("98.6", 37.0, "98.6"),
    ("113F", 45.0, "113 F"),
    ("30c", 30.0, "30 C"),
])
def test_temperature_forms(text, celsius, as_entered):
    got_c, got_text = model.parse_temperature(text)
    assert got_c == pytest.approx(celsius, abs=0.005)
    assert got_text == as_entered


def test_100_4_f_is_exactly_the_fever_line():
    celsius, _ = model.parse_temperature("100.4F")
    assert celsius == 38.0
    flags = assess([], celsius, NOW)
    assert {f.rule for f in flags} == {"W-TEMP", "W-INF"}
    assert not assess([], model.parse_temperature("100.3F")[0], NOW)
    assert not assess([], model.parse_temperature("37.99")[0], NOW)
    assert {f.rule for f in assess([], model.parse_temperature("38.0")[0], NOW)} == {
        "W-TEMP", "W-INF"}


@given(st.decimals(min_value=Decimal("45.01"), max_value=Decimal("85.99"), places=2))
def test_no_unit_between_45_and_86_is_refused_asking_for_a_unit(number):
    with pytest.raises(InputError, match="C or F"):
        model.parse_temperature(str(number))


@given(st.one_of(
    st.decimals(min_value=Decimal("0"), max_value=Decimal("29.99"), places=2).map(
        lambda d: f"{d}C"),
    st.decimals(min_value=Decimal("45.01"), max_value=Decimal("500"), places=2).map(
        lambda d: f"{d}C"),
    st.decimals(min_value=Decimal("0"), max_value=Decimal("85.9"), places=1).map(
        lambda d: f"{d}F"),
    st.decimals(min_value=Decimal("113.1"), max_value=Decimal("1000"), places=1).map(
        lambda d: f"{d} F"),
    st.decimals(min_value=Decimal("86"), max_value=Decimal("100000"), places=0).filter(
        lambda d: d > 113).map(str),
))
@example("120F")
@example("20C")
@example("0")
def test_temperatures_outside_a_body_range_are_refused(text):
    with pytest.raises(InputError, match="30.0-45.0"):
        model.parse_temperature(text)


@given(st.decimals(min_value=Decimal("30"), max_value=Decimal("45"), places=2))
def test_celsius_values_round_trip(value):
    for text in (str(value), f"{value}C", f"{value} °c", str(value).replace(".", ",")):
        celsius, as_entered = model.parse_temperature(text)
        assert celsius == float(value), text
        assert as_entered.endswith(" C") == (text != str(value) and "," not in text)
        assert Decimal(as_entered.removesuffix(" C")) == value
        assert model.temperature_read_as(as_entered) == (
            "°C" if not as_entered.endswith(" C") else None)


@given(st.decimals(min_value=Decimal("30"), max_value=Decimal("45"), places=2))
def test_fahrenheit_converts_to_the_same_celsius(value):
    fahrenheit = value * 9 / 5 + 32
    celsius, as_entered = model.parse_temperature(f"{fahrenheit:.4f}F")
    assert celsius == pytest.approx(float(value), abs=0.006)
    assert as_entered.endswith(" F")


@given(st.text())
@example("1" * 40)  # a huge number without a unit
@example("9" * 30 + "C")
@example("nan")
@example("inf F")
@example("38.2.1")
@example("30.0")  # no unit: kept as typed, read as °C
@example("-38")
def test_temperature_never_fails_with_anything_but_input_error(text):
    try:
        celsius, as_entered = model.parse_temperature(text)
    except InputError:
        return
    assert 30.0 <= celsius <= 45.0
    # the value as typed: with its unit when one was typed, else the number (read as °C or °F)
    assert as_entered.endswith((" C", " F")) or model.temperature_read_as(as_entered) in (
        "°C", "°F")


@pytest.mark.parametrize("text", ["hot", "38.2K", "", "°C", "38.2 CC", "thirty-eight"])
def test_temperature_not_understood(text):
    with pytest.raises(InputError, match="37.8, 38.2C or 100.8F"):
        model.parse_temperature(text)


# Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("2026-11-24", date(2026, 11, 24)),
    ("2026-1-5", date(2026, 1, 5)),
    (" 2024-02-29 ", date(2024, 2, 29)),
    ("today", NOW),
    ("TODAY", NOW),
    ("yesterday", NOW - timedelta(days=1)),
    ("Yesterday", NOW - timedelta(days=1)),
    ("3 days ago", NOW - timedelta(days=3)),
    ("3 days", NOW - timedelta(days=3)),
    ("1 day ago", NOW - timedelta(days=1)),
    ("3d", NOW - timedelta(days=3)),
    ("2w", NOW - timedelta(weeks=2)),
    ("2 weeks ago", NOW - timedelta(weeks=2)),
    ("1m", date(2026, 10, 25)),
    ("3 months ago", date(2026, 8, 25)),
    ("1y", date(2025, 11, 25)),
    ("0 days ago", NOW),
    ("monday", date(2026, 11, 23)),
    ("wednesday", date(2026, 11, 18)),  # the last one, never today
    ("last friday", date(2026, 11, 20)),
])
def test_parse_date_forms(text, expected):
    assert dates.parse_date(text, now=NOW) == expected


def test_months_back_from_the_end_of_a_month():
    assert dates.parse_date("1m", now=date(2026, 3, 31)) == date(2026, 2, 28)


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "2025-02-29", "0000-01-01",
                                  "someday", "3 fortnights ago", "", "2026/11/24",
                                  "24-11-2026", "tomorrow", "-3 days", "3.5 days ago"])
def test_parse_date_refuses_invalid_dates(text):
    with pytest.raises(InputError) as caught:
        dates.parse_date(text, now=NOW)
    assert "2026-11-24" in str(caught.value)  # says what is accepted


@given(st.dates())
def test_a_typed_date_is_from_1900_to_9000_or_refused(day):
    """Every date a person types (an entry's day, --since, --until, an event) is held to the
    years a journal stores, so no later date arithmetic can overflow."""
    if 1900 <= day.year <= 9000:
        assert dates.parse_date(day.isoformat(), now=NOW) == day
    else:
        with pytest.raises(InputError, match="too far"):
            dates.parse_date(day.isoformat(), now=NOW)


@given(st.text())
@example("99999 years")
@example("99999 months ago")
@example("99999w")
@example("9999-99-99")
@example("last ")
@example("\x00")
def test_parse_date_raises_only_input_error(text):
    try:
        day = dates.parse_date(text, now=NOW)
    except InputError:
        return
    assert isinstance(day, date)


@given(st.from_regex(r"\A(?:\d{1,6}) ?(?:d|w|m|y|day|days|week|weeks|month|months|year|years)"
                     r"(?: ago)?\Z"))
def test_relative_dates_are_in_the_past_or_refused(text):
    try:
        day = dates.parse_date(text, now=NOW)
    except InputError:
        return
    assert day <= NOW


def test_entry_dates_cannot_be_in_the_future():
    assert dates.parse_entry_date(None, now=NOW) == NOW
    assert dates.parse_entry_date("today", now=NOW) == NOW
    with pytest.raises(InputError, match="future"):
        dates.parse_entry_date("2026-11-26", now=NOW)
    with pytest.raises(InputError):
        dates.parse_entry_date("1800-01-01", now=NOW)


def test_range_must_run_forwards():
    dates.check_range(date(2026, 11, 1), date(2026, 11, 1))
    with pytest.raises(InputError):
        dates.check_range(date(2026, 11, 2), date(2026, 11, 1))


# validate_fields -------------------------------------------------------------------------


def test_validate_fields_turns_text_into_stored_values():
    values = model.validate_fields({
        "pain": "4", "worst": "6", "least": None, "symptoms": ["FEVER", "leg_numbness"],
        "temperature": "100.8F", "temperature_site": "Mouth", "sleep": "7,5", "mood": "6",
        "boluses": "2", "note": "  walked  ", "questions": ["Is this normal?", " "]})
    assert values == {
        "pain": 4, "worst": 6, "symptoms": ["fever", "leg-numbness"],
        "temperature_c": 38.22, "temperature": "100.8 F", "temperature_site": "mouth",
        "sleep": 7.5, "mood": 6, "boluses": 2, "note": "walked",
        "questions": ["Is this normal?"]}


def test_unknown_symptom_suggests_the_closest_id():
    with pytest.raises(InputError, match="did you mean leg-numbness"):
        model.validate_fields({"symptoms": ["leg-numbnes"]})


@pytest.mark.parametrize("raw", [{"sleep": "25"}, {"sleep": "nan"}, {"mood": "-1"},
                                 {"boluses": "101"}, {"temperature_site": "toe"},
                                 {"note": "x" * 5001}, {"note": "bell\x07"}, {"colour": "red"}])
def test_validate_fields_refuses(raw):
    with pytest.raises(InputError):
        model.validate_fields(raw)


def test_new_entry_needs_pain_and_consistent_scores():
    with pytest.raises(InputError, match="required"):
        model.new_entry("me", NOW, {"worst": 5}, STAMP)
    with pytest.raises(InputError, match="least"):
        model.new_entry("me", NOW, {"pain": 3, "worst": 2, "least": 5}, STAMP)
    with pytest.raises(InputError, match="average"):
        model.new_entry("me", NOW, {"pain": 3, "worst": 5, "average": 6}, STAMP)
    with pytest.raises(InputError, match="average"):
        model.new_entry("me", NOW, {"pain": 3, "least": 4, "average": 2}, STAMP)
    entry = model.new_entry("me", NOW, {"pain": 0}, STAMP)
    assert entry.pain == 0 and entry.worst is None
    assert entry.to_doc() == {"patient": "me", "date": "2026-11-25", "readings": [
        {"pain": 0, "logged_at": STAMP, "updated_at": STAMP}]}


@given(st.integers(0, 10), st.integers(0, 10), st.integers(0, 10))
def test_scores_are_consistent_exactly_when_least_le_average_le_worst(worst, least, average):
    values = {"pain": 5, "worst": worst, "least": least, "average": average}
    if least <= average <= worst:
        assert model.new_entry("me", NOW, values, STAMP).average == average
    else:
        with pytest.raises(InputError):
            model.new_entry("me", NOW, values, STAMP)


# merge: logging a day again, and edit -----------------------------------------------------


def base_entry() -> Entry:
    return model.new_entry("me", NOW, model.validate_fields({
        "pain": "4", "worst": "6", "least": "2", "average": "3",
        "symptoms": ["fever", "leg-numbness"], "temperature": "38.4",
        "temperature_site": "ear", "note": "walked to the mailbox",
        "questions": ["Is this normal?"]}), STAMP)


def test_merge_given_fields_replace_and_new_symptoms_join():
    entry = base_entry()
    merged, changes = model.merge(entry, {"pain": 5, "symptoms": ["chills", "fever"],
                                          "questions": ["When is the refill?"]}, LATER)
    assert merged.pain == 5
    assert merged.symptoms == ["fever", "chills", "leg-numbness"]  # catalogue order, no twins
    assert merged.questions == ["Is this normal?", "When is the refill?"]
    assert (merged.worst, merged.least, merged.average) == (6, 2, 3)
    assert merged.note == "walked to the mailbox" and merged.temperature_c == 38.4
    assert merged.logged_at == STAMP and merged.updated_at == LATER
    assert changes == [
        ("pain", 4, 5),
        ("symptoms", ["fever", "leg-numbness"], ["fever", "chills", "leg-numbness"]),
        ("questions", ["Is this normal?"], ["Is this normal?", "When is the refill?"])]
    assert entry.pain == 4 and entry.symptoms == ["fever", "leg-numbness"]  # not mutated


def test_merge_remove_symptom():
    merged, changes = model.merge(base_entry(), {}, LATER, remove=("fever",))
    assert merged.symptoms == ["leg-numbness"]
    assert changes == [("symptoms", ["fever", "leg-numbness"], ["leg-numbness"])]


def test_merge_clear_fields():
    merged, changes = model.merge(base_entry(), {}, LATER,
                                  clear=("note", "temperature", "symptoms", "worst"))
    assert merged.note is None and merged.symptoms == [] and merged.worst is None
    assert merged.temperature is None and merged.temperature_c is None
    assert merged.temperature_site is None
    assert merged.pain == 4 and merged.least == 2
    assert {key for key, _, _ in changes} == {"note", "temperature", "temperature_site",
                                              "symptoms", "worst"}


def test_merge_clear_then_set_keeps_the_new_value():
    merged, _ = model.merge(base_entry(), {"note": "new note"}, LATER, clear=("note",))
    assert merged.note == "new note"


def test_merge_without_changes_keeps_the_stamp():
    entry = base_entry()
    merged, changes = model.merge(entry, {"pain": 4, "symptoms": ["fever"]}, LATER)
    assert changes == [] and merged.updated_at == STAMP and merged == entry


def test_merge_refuses_scores_that_contradict():
    with pytest.raises(InputError, match="least"):
        model.merge(base_entry(), {"least": 7}, LATER)


def test_pain_cannot_be_cleared():
    with pytest.raises(InputError, match="pain"):
        model.validate_clear(["pain"])
    assert model.validate_clear(["Note", "temperature-site"]) == ["note", "temperature_site"]


@given(st.lists(st.sampled_from(["fever", "chills", "nausea", "headache", "leg-numbness",
                                 "pump-alarm"]), unique=True),
       st.lists(st.sampled_from(["fever", "chills", "nausea", "headache", "leg-numbness",
                                 "pump-alarm"]), unique=True),
       st.lists(st.sampled_from(["fever", "nausea", "pump-alarm"]), unique=True))
def test_merge_symptoms_is_a_set_union_minus_removed(first, added, removed):
    entry = model.new_entry("me", NOW, {"pain": 3, "symptoms": model.parse_symptoms(first)},
                            STAMP)
    merged, _ = model.merge(entry, {"symptoms": model.parse_symptoms(added)}, LATER,
                            remove=tuple(removed))
    assert set(merged.symptoms) == (set(first) | set(added)) - set(removed)
    assert len(merged.symptoms) == len(set(merged.symptoms))


@pytest.mark.parametrize("profile", [[], ["--name", "Sam"]], ids=["no profile", "no line set"])
def test_the_default_fever_line_is_38_c_where_log_uses_it(cli, profile):
    """The line `log` checks a temperature against when the profile sets none: 37.9 °C is
    under it, 38.0 °C on it. The library's default (symptoms.Context) is the same line."""
    if profile:
        ok(cli("profile", *profile))
    under = plain(ok(cli("log", "--pain", "3", "--temperature", "37.9", "--date", iso(2))).stdout)
    assert "W-TEMP" not in under and "[!]" not in under
    on = plain(ok(cli("log", "--pain", "3", "--temperature", "38.0", "--date", iso(1))).stdout)
    assert "W-TEMP" in on and "your fever line is 38.0 °C" in on
    assert Context().fever_c == 38.0


# The profile: one check for every way in ------------------------------------------------------

BAD_PROFILES = [  # (values given through the library, words of the refusal)
    ({"fever_threshold_c": "high", "fever_threshold_set_by": "Dr Ames"}, "not understood"),
    ({"fever_threshold_c": 41.0, "fever_threshold_set_by": "Dr Ames"}, "the fever line"),
    ({"fever_threshold_c": 37.8}, "--set-by"),
    ({"fever_threshold_set_by": "Dr Ames"}, "--set-by goes with --fever-threshold"),
    ({"low_threshold_c": 38.0}, "the low line"),
    ({"low_threshold_c": [1]}, "not understood"),
    ({"implant_date": "2999-01-01"}, "in the future"),
    ({"trial_start": "soon"}, "trial start"),
    ({"care_phone": "call me"}, "not a phone number"),
    ({"emergency_number": 911.5j}, "not a phone number"),
    ({"name": "x" * 101}, "the limit is 100"),
    ({"name": "Sam\x1b[2J"}, "name"),
    ({"drugs": ["morphine\x07"]}, "drug"),
    ({"baseline_symptoms": ["not-a-symptom"]}, "not-a-symptom"),
    ({"baseline_symptoms": ["seizure"]}, "emergency sign"),
    ({"favourite_colour": "blue"}, "unknown profile field"),
]


@pytest.mark.parametrize("values, words", BAD_PROFILES, ids=lambda v: str(v)[:40])
def test_a_profile_written_through_the_library_is_checked(journal, values, words):
    from pumpjournal import Journal

    store = Journal(journal)
    with pytest.raises(InputError, match=words.replace("(", r"\(")) as caught:
        with store.transaction() as tx:
            tx.set_profile("me", values)
    assert caught.value.exit_code == 2
    assert not journal.exists() or store.read().profile("me") == {}


@pytest.mark.parametrize("values, stored", [
    ({"fever_threshold_c": "100.4F", "fever_threshold_set_by": " Dr Ames "},
     {"fever_threshold_c": 38.0, "fever_threshold_set_by": "Dr Ames",
      "fever_threshold_set_on": NOW.isoformat()}),
    ({"fever_threshold": 37.8, "set_by": "Dr Ames", "fever_threshold_set_on": "2026-11-01"},
     {"fever_threshold_c": 37.8, "fever_threshold_set_by": "Dr Ames",
      "fever_threshold_set_on": "2026-11-01"}),
    ({"implant_date": date(2026, 11, 20), "next_refill": "2027-02-10"},
     {"implant_date": "2026-11-20", "next_refill": "2027-02-10"}),
    ({"drug": "Morphine", "care_phone": " 555-0142 "},
     {"drugs": ["Morphine"], "care_phone": "555-0142"}),
    ({"baseline_symptoms": "leg numbness, headache"},
     {"baseline_symptoms": ["leg-numbness", "headache"]}),  # in catalogue order
    ({"name": "", "initials": None}, {"name": None, "initials": None}),
])
def test_profile_values_are_stored_as_the_command_would_store_them(values, stored):
    assert model.validate_profile(values, NOW) == stored


def test_clearing_the_fever_line_clears_who_set_it_and_aliases_name_fields():
    assert model.validate_profile({}, NOW, clear=["fever-threshold", "drug", "baseline_symptom"]
                                  ) == {"fever_threshold_c": None, "fever_threshold_set_by": None,
                                        "fever_threshold_set_on": None, "drugs": None,
                                        "baseline_symptoms": None}
    with pytest.raises(InputError, match="unknown profile field"):
        model.validate_profile({}, NOW, clear=["colour"])


def test_a_baseline_symptom_adds_to_the_list_and_baseline_symptoms_replaces_it():
    current = {"baseline_symptoms": ["leg-numbness"]}
    assert model.validate_profile({"baseline_symptom": ["headache"]}, NOW, current) == {
        "baseline_symptoms": ["leg-numbness", "headache"]}
    assert model.validate_profile({"baseline_symptoms": ["headache"]}, NOW, current) == {
        "baseline_symptoms": ["headache"]}


@pytest.mark.parametrize("profile, given, stored", [
    ({"drugs": ["baclofen"]}, None, "baclofen"), ({"drugs": ["baclofen"]}, "morphine", "morphine"),
    ({"drugs": ["baclofen", "clonidine"]}, None, None), ({}, None, None), (None, None, None),
])
def test_a_dose_change_without_a_drug_is_of_the_profiles_one_medicine(profile, given, stored):
    event = model.new_event("me", "dose-change", NOW, NOW,
                            {"drug": given, "dose": "0.5", "unit": "mg/day"}, profile)
    assert event.details.get("drug") == stored


def test_events_are_filtered_by_date_in_the_library(journal):
    from pumpjournal import Event, Journal

    with Journal(journal).transaction() as tx:
        for day in ("2026-11-01", "2026-11-10", "2026-11-20"):
            tx.add_event(Event("me", "visit", day, {}))
    view = Journal(journal).read()
    assert [e.date for e in view.events("me", since=date(2026, 11, 10))] == [
        "2026-11-10", "2026-11-20"]
    assert [e.date for e in view.events("me", (), date(2026, 11, 2), date(2026, 11, 10))] == [
        "2026-11-10"]
