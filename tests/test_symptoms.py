"""The warning-sign rules (symptoms.assess) and how `log` shows them: the seed signs, combined
signs, expected soreness, the fever line, drug rules, and the catalogue's own consistency."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from pumpjournal import symptoms as cat
from pumpjournal.symptoms import Context, Urgency, assess, drug_tags, top_urgency
from pjtest import (NOT_ADVICE, add_event, days_ago, headline_count, iso, ok, panel_count,
                    plain, set_profile)

DAY = date(2026, 11, 25)
CATALOGUE = Path(__file__).resolve().parents[1] / "docs" / "catalogue.md"

SEED_SIGNS = {
    "incision-redness": "W-INF", "incision-swelling": "W-INF", "incision-drainage": "W-INF",
    "fever": "W-INF", "chills": "W-INF",
    "leg-numbness": "W-NEURO", "leg-tingling": "W-NEURO", "leg-weakness": "W-NEURO",
    "difficulty-walking": "W-NEURO", "bladder-change": "W-NEURO", "bowel-change": "W-NEURO",
}

NO_DRUG = Context()
BACLOFEN = Context(drugs=frozenset("B"), drugs_known=True)
OPIOID = Context(drugs=frozenset("O"), drugs_known=True)
ZICONOTIDE = Context(drugs=frozenset("Z"), drugs_known=True)


def rules(flags) -> dict[str, Urgency]:
    return {f.rule: f.urgency for f in flags}


def logged(cli, *args) -> str:
    """`log --pain 3 ARGS`: exit 0; its stdout."""
    return ok(cli("log", "--pain", "3", *args)).stdout


# The seed warning signs ---------------------------------------------------------------------


@pytest.mark.parametrize("item, rule", SEED_SIGNS.items())
def test_each_seed_sign_is_urgent(item, rule):
    flags = assess([item], None, DAY)
    assert top_urgency(flags) == Urgency.URGENT
    flag = next(f for f in flags if f.rule == rule)
    assert flag.urgency == Urgency.URGENT and item in flag.items
    assert flag.advice.lower().startswith("contact your care team right away")
    assert "seed" in flag.sources
    assert "aftercare advice" in cat.why_text(cat.RULES[rule], flag.items)


@pytest.mark.parametrize("celsius", [38.0, 38.01, 38.4, 40.5])
def test_temperature_at_or_above_the_fever_line_counts_as_fever(celsius):
    flags = assess([], celsius, DAY)
    assert rules(flags) == {"W-TEMP": Urgency.URGENT, "W-INF": Urgency.URGENT}
    assert "38.0 °C" in next(f for f in flags if f.rule == "W-TEMP").advice


@pytest.mark.parametrize("celsius", [36.5, 37.9, 37.99])
def test_temperature_below_the_fever_line_is_not_flagged(celsius):
    assert assess([], celsius, DAY) == []


SEED_LOGS = [(["--symptom", item], rule) for item, rule in SEED_SIGNS.items()] + [
    (["--temperature", "38.0"], "W-INF"), (["--temperature", "100.4F"], "W-TEMP")]


@pytest.mark.parametrize("args, rule", SEED_LOGS, ids=[" ".join(a) for a, _ in SEED_LOGS])
def test_log_shows_each_seed_sign_as_urgent(cli, args, rule):
    result = ok(cli("log", "--pain", "3", *args))
    out = result.stdout
    text = plain(out)
    assert "[!] URGENT" in out
    assert "[!!]" not in out
    assert "contact your care team right away" in text.lower()
    assert rule in text
    assert "seed" in text
    assert NOT_ADVICE in text
    assert panel_count(out) == 1 and headline_count(out) == 1
    assert "\x1b[" not in out


def test_log_never_fails_because_of_a_flag_and_json_lists_it(cli):
    result = ok(cli("log", "--pain", "3", "--symptom", "incision-drainage", "--json"))
    data = json.loads(result.stdout)
    assert [(f["rule"], f["urgency"], f["symbol"]) for f in data["flags"]] == [
        ("W-INF", "URGENT", "[!]")]
    assert data["flags"][0]["items"] == ["incision-drainage"]
    assert data["flags"][0]["sources"] == ["seed", "S1-S3", "S44"]


# Combined signs: meningitis (W-MEN) --------------------------------------------------------


@pytest.mark.parametrize("items, celsius", [
    (["fever", "stiff-neck"], None),
    (["fever", "light-sensitivity"], None),
    (["fever", "confusion"], None),
    (["fever", "very-sleepy"], None),
    (["stiff-neck"], 38.6),  # a high temperature counts as fever
    (["fever", "headache", "vomiting"], None),
    (["fever", "headache-upright", "vomiting"], None),
    (["headache", "vomiting"], 39.0),
    (["stiff-neck", "headache"], None),  # no fever needed
    (["stiff-neck", "headache-upright"], None),
    (["fever", "headache", "stiff-neck"], None),
])
def test_meningitis_combinations_are_emergencies(items, celsius):
    flags = assess(items, celsius, DAY)
    assert top_urgency(flags) == Urgency.EMERGENCY
    men = next(f for f in flags if f.rule == "W-MEN")
    assert men.urgency == Urgency.EMERGENCY
    assert "emergency services" in men.advice.lower()
    assert "meningitis" in cat.why_text(cat.RULES["W-MEN"], men.items)


@pytest.mark.parametrize("items", [["fever", "headache"], ["fever", "vomiting"],
                                   ["headache", "vomiting"], ["stiff-neck"], ["headache"],
                                   ["light-sensitivity"], ["fever", "headache-upright"]])
def test_partial_combinations_are_not_emergencies(items):
    flags = assess(items, None, DAY)
    assert "W-MEN" not in rules(flags)
    assert top_urgency(flags) < Urgency.EMERGENCY


def test_fever_with_headache_stays_urgent_and_lists_signs_to_watch():
    flags = assess(["fever", "headache"], None, DAY)
    assert rules(flags) == {"W-INF": Urgency.URGENT}
    assert set(flags[0].items) == {"fever", "headache"}
    assert "stiff neck" in flags[0].advice and "emergency services" in flags[0].advice


def test_log_meningitis_signs_show_one_emergency_panel(cli):
    out = logged(cli, "--symptom", "fever", "--symptom", "headache", "--symptom", "stiff-neck")
    text = plain(out)
    assert "[!!] EMERGENCY" in out
    assert "Call emergency services now" in text
    assert "meningitis" in text
    assert "W-MEN" in text and "W-INF" in text
    assert panel_count(out) == 1
    assert headline_count(out) == 1
    assert "[!] URGENT:" not in out  # the lower rule is inside the one panel, not a headline
    assert NOT_ADVICE in text


def test_log_fever_and_headache_is_one_urgent_panel(cli):
    out = logged(cli, "--symptom", "fever,headache")
    text = plain(out)
    assert "[!] URGENT" in out and "[!!]" not in out and "EMERGENCY" not in out
    assert "stiff neck" in text
    assert panel_count(out) == 1 and headline_count(out) == 1


def test_several_rules_show_one_panel_at_the_highest_urgency(cli):
    out = logged(cli, "--symptom", "fever", "--symptom", "leg-numbness", "--symptom", "nausea",
                 "--temperature", "38.4")
    text = plain(out)
    assert panel_count(out) == 1 and headline_count(out) == 1
    assert "[!] URGENT" in out
    for rule in ("W-TEMP", "W-INF", "W-NEURO", "W-SIDE"):
        assert rule in text, rule
    assert "[i] feeling sick (nausea)" in text  # the lower item keeps its own symbol
    assert "38.4 °C" in text
    assert text.count(NOT_ADVICE) == 1


def test_several_emergencies_still_one_panel(cli):
    out = logged(cli, "--symptom", "cannot-walk,slow-breathing,fever,stiff-neck")
    text = plain(out)
    # one panel; a long one repeats its headline as its last line, so it stays on screen
    assert panel_count(out) == 1 and headline_count(out) in (1, 2)
    if headline_count(out) == 2:
        assert out.strip().splitlines()[-2].strip("│ ").startswith("[!!] EMERGENCY")
    for rule in ("W-NEURO-SEVERE", "W-OD", "W-MEN", "W-INF"):
        assert rule in text


# Incision soreness (W-SORE) ------------------------------------------------------------------


@pytest.mark.parametrize("day", [0, 1, 3, 7])
def test_soreness_in_the_first_week_is_expected(day):
    flags = assess(["incision-soreness"], None, DAY, Context(day0=DAY - timedelta(days=day)))
    assert rules(flags) == {"W-SORE": Urgency.EXPECTED}


@pytest.mark.parametrize("day", [8, 12, 60])
def test_soreness_from_day_8_is_routine(day):
    flags = assess(["incision-soreness"], None, DAY, Context(day0=DAY - timedelta(days=day)))
    assert rules(flags) == {"W-SORE": Urgency.ROUTINE}


def test_soreness_without_an_implant_date_is_routine():
    assert rules(assess(["incision-soreness"], None, DAY)) == {"W-SORE": Urgency.ROUTINE}


@given(st.one_of(st.none(), st.integers(-30, 400)), st.sampled_from([Context(), BACLOFEN,
                                                                     OPIOID, ZICONOTIDE]))
def test_soreness_alone_is_never_a_warning_panel(day, base):
    ctx = Context(day0=None if day is None else DAY - timedelta(days=day), drugs=base.drugs)
    flags = assess(["incision-soreness"], None, DAY, ctx)
    assert top_urgency(flags) in (Urgency.EXPECTED, Urgency.ROUTINE)


@pytest.mark.parametrize("day", [0, 3, 7])
def test_log_soreness_after_an_implant_in_the_profile_is_recorded_quietly(cli, journal, day):
    set_profile(journal, implant_date=iso(day))
    out = logged(cli, "--symptom", "incision-soreness")
    lines = [line for line in out.splitlines() if line.startswith("[-] Recorded:")]
    assert len(lines) == 1
    assert "soreness" in lines[0] and f"(day {day})" in lines[0]
    assert "expected" in lines[0]
    assert panel_count(out) == 0
    for word in ("URGENT", "EMERGENCY", "ROUTINE", "[!", "[i]"):
        assert word not in out


def test_log_soreness_after_an_implant_event_is_recorded_quietly(cli, journal):
    add_event(journal, "implant", days_ago(5))
    out = logged(cli, "--symptom", "incision_soreness")
    assert out.count("[-] Recorded:") == 1 and "(day 5)" in out
    assert panel_count(out) == 0 and "URGENT" not in out


def test_log_soreness_on_day_8_is_routine(cli, journal):
    set_profile(journal, implant_date=iso(8))
    out = logged(cli, "--symptom", "incision-soreness")
    text = plain(out)
    assert "[i] ROUTINE" in out and "W-SORE" in text
    assert "[-] Recorded" not in out
    assert "[!" not in out
    assert panel_count(out) == 1


def test_log_soreness_with_no_implant_date_is_routine(cli):
    out = logged(cli, "--symptom", "incision-soreness")
    assert "[i] ROUTINE" in out and "[-] Recorded" not in out and "[!" not in out


def test_expected_soreness_never_hides_a_fever(cli, journal):
    set_profile(journal, implant_date=iso(2))
    out = logged(cli, "--symptom", "incision-soreness", "--symptom", "fever")
    text = plain(out)
    assert "[!] URGENT" in out and "W-INF" in text
    assert panel_count(out) == 1
    assert "[-] mild soreness" in text  # still listed, under its own symbol
    assert "(day 2 after your implant)" in text


# The fever line (W-TEMP) ---------------------------------------------------------------------


def test_custom_fever_line_in_assess():
    ctx = Context(fever_c=37.5)
    flags = assess([], 37.6, DAY, ctx)
    assert rules(flags) == {"W-TEMP": Urgency.URGENT, "W-INF": Urgency.URGENT}
    assert "37.5 °C" in next(f for f in flags if f.rule == "W-TEMP").advice
    assert assess([], 37.4, DAY, ctx) == []
    assert assess([], 38.2, DAY, Context(fever_c=38.5)) == []


def test_log_uses_the_fever_line_from_the_profile(cli, journal):
    out = logged(cli, "--temperature", "37.6")
    assert "URGENT" not in out and panel_count(out) == 0

    set_profile(journal, fever_threshold_c=37.5, fever_threshold_set_by="Dr Ames")
    out = logged(cli, "--temperature", "37.6", "--date", "yesterday")
    text = plain(out)
    assert "[!] URGENT" in out and "W-TEMP" in text
    assert "37.5 °C" in text and "38.0 °C" not in text


def test_log_with_a_higher_fever_line_does_not_flag_38_2(cli, journal):
    set_profile(journal, fever_threshold_c=38.5, fever_threshold_set_by="Dr Ames")
    out = logged(cli, "--temperature", "38.2")
    assert "W-TEMP" not in out and "URGENT" not in out


# Drug rules ----------------------------------------------------------------------------------


def test_drug_names_map_to_tags():
    assert drug_tags(["baclofen"]) == {"B"}
    assert drug_tags(["Lioresal Intrathecal"]) == {"B"}
    assert drug_tags(["morphine", "Baclofen"]) == {"O", "B"}
    assert drug_tags(["Prialt"]) == {"Z"}
    assert drug_tags(["bupivacaine"]) == frozenset()


@pytest.mark.parametrize("items, urgency", [
    (["itching"], Urgency.URGENT),
    (["leg-tingling"], Urgency.URGENT),
    (["spasms-return"], Urgency.URGENT),
    (["fever"], Urgency.URGENT),
    (["confusion"], Urgency.EMERGENCY),
    (["rigid-muscles"], Urgency.EMERGENCY),
    (["fever", "itching"], Urgency.EMERGENCY),
    (["itching", "spasms-return"], Urgency.URGENT),
])
def test_baclofen_withdrawal(items, urgency):
    flags = assess(items, None, DAY, BACLOFEN)
    assert rules(flags)["W-WD-BAC"] == urgency
    assert "W-ANY" not in rules(flags)
    advice = next(f for f in flags if f.rule == "W-WD-BAC").advice.lower()
    assert "baclofen" in advice


def test_baclofen_high_temperature_with_another_sign_is_an_emergency():
    assert rules(assess(["itching"], 38.3, DAY, BACLOFEN))["W-WD-BAC"] == Urgency.EMERGENCY


@pytest.mark.parametrize("ctx", [NO_DRUG, OPIOID, ZICONOTIDE])
def test_baclofen_rule_needs_baclofen(ctx):
    assert "W-WD-BAC" not in rules(assess(["itching", "spasms-return", "fever"], None, DAY, ctx))


def test_opioid_withdrawal():
    assert rules(assess(["withdrawal-feeling"], None, DAY, OPIOID)) == {
        "W-WD-OPI": Urgency.URGENT}
    for ctx in (NO_DRUG, BACLOFEN, ZICONOTIDE):
        assert rules(assess(["withdrawal-feeling"], None, DAY, ctx)) == {
            "W-SIDE": Urgency.ROUTINE}


@pytest.mark.parametrize("item", ["confusion", "hallucinations", "mood-change"])
def test_ziconotide_signs(item):
    flags = rules(assess([item], None, DAY, ZICONOTIDE))
    assert flags["W-ZIC"] == Urgency.URGENT
    assert "W-ANY" not in flags


@pytest.mark.parametrize("item", ["confusion", "hallucinations", "rigid-muscles"])
@pytest.mark.parametrize("ctx", [NO_DRUG, OPIOID], ids=["no drug", "opioid"])
def test_w_any_when_no_drug_rule_applies(item, ctx):
    flags = rules(assess([item], None, DAY, ctx))
    assert flags["W-ANY"] == Urgency.URGENT
    assert not {"W-WD-BAC", "W-ZIC"} & set(flags)


def test_mood_change_without_ziconotide_is_routine():
    assert rules(assess(["mood-change"], None, DAY)) == {"W-SIDE": Urgency.ROUTINE}


def test_log_baclofen_confusion_is_an_emergency(cli, journal):
    set_profile(journal, drugs=["baclofen"])
    out = logged(cli, "--symptom", "confusion")
    text = plain(out)
    assert "[!!] EMERGENCY" in out and "W-WD-BAC" in text and "baclofen" in text
    assert "W-ANY" not in text
    assert "profile --drug" not in text  # the drug is known
    assert panel_count(out) == 1


def test_log_ziconotide_hallucinations(cli, journal):
    set_profile(journal, drugs=["Prialt"])
    out = logged(cli, "--symptom", "hallucinations")
    assert "[!] URGENT" in out and "W-ZIC" in plain(out) and "W-ANY" not in plain(out)


def test_log_without_a_drug_uses_w_any_and_suggests_adding_the_drug(cli):
    out = logged(cli, "--symptom", "rigid-muscles")
    text = plain(out)
    assert "[!] URGENT" in out and "W-ANY" in text
    assert "pumpjournal profile --drug" in text


# Overdose signs (W-OD), side effects (W-SIDE), mass (W-MASS) and others ----------------------


@pytest.mark.parametrize("item", cat.OVERDOSE)
@pytest.mark.parametrize("ctx", [NO_DRUG, BACLOFEN, OPIOID, ZICONOTIDE],
                         ids=["no drug", "baclofen", "opioid", "ziconotide"])
def test_overdose_signs_are_emergencies_whatever_the_drug(item, ctx):
    flags = assess([item], None, DAY, ctx)
    assert rules(flags)["W-OD"] == Urgency.EMERGENCY
    assert top_urgency(flags) == Urgency.EMERGENCY
    assert "emergency services" in next(f for f in flags if f.rule == "W-OD").advice


def test_baclofen_low_temperature_line_feeds_w_od():
    ctx = Context(drugs=frozenset("B"), drugs_known=True, low_c=35.5)
    flags = assess([], 35.0, DAY, ctx)
    assert rules(flags) == {"W-OD": Urgency.EMERGENCY}
    assert flags[0].items == (cat.LOW_TEMPERATURE,)
    assert assess([], 35.0, DAY, Context(low_c=35.5)) == []  # only for baclofen


def test_log_overdose_sign(cli):
    out = logged(cli, "--symptom", "slow-breathing")
    text = plain(out)
    assert "[!!] EMERGENCY" in out and "W-OD" in text
    assert "Someone should stay with you" in text
    assert NOT_ADVICE in text


@pytest.mark.parametrize("item", ["nausea", "constipation", "leg-swelling", "sexual-change",
                                  "headache", "stiff-neck", "light-sensitivity", "vomiting",
                                  "dizziness", "drowsy", "itching", "mood-change"])
def test_routine_items_get_w_side(item):
    assert rules(assess([item], None, DAY)) == {"W-SIDE": Urgency.ROUTINE}


def test_log_routine_item_shows_a_routine_panel(cli):
    out = logged(cli, "--symptom", "constipation")
    text = plain(out)
    assert "[i] ROUTINE" in out and "Mention this to your care team" in text
    assert "W-SIDE" in text and "[!" not in out
    assert NOT_ADVICE in text


@pytest.mark.parametrize("item", ["new-pain", "relief-fading"])
def test_mass_rule(item):
    assert rules(assess([item], None, DAY)) == {"W-MASS": Urgency.ROUTINE}
    assert rules(assess([item], None, DAY, Context(recent_neuro=True)))["W-MASS"] == (
        Urgency.URGENT)
    assert rules(assess([item, "bladder-change"], None, DAY))["W-MASS"] == Urgency.URGENT


def test_spasms_return_counts_for_mass_only_with_baclofen():
    assert "W-MASS" not in rules(assess(["spasms-return"], None, DAY))
    assert rules(assess(["spasms-return"], None, DAY, BACLOFEN))["W-MASS"] == Urgency.ROUTINE


def test_log_mass_is_urgent_after_a_neuro_sign_in_the_week_before(cli):
    ok(cli("log", "--pain", "4", "--symptom", "leg-weakness", "--date", iso(3)))
    out = logged(cli, "--symptom", "new-pain")
    text = plain(out)
    assert "[!] URGENT" in out and "W-MASS" in text
    assert "W-NEURO" not in text  # only today's items are listed


def test_log_mass_is_routine_when_the_neuro_sign_is_older_than_a_week(cli):
    ok(cli("log", "--pain", "4", "--symptom", "leg-weakness", "--date", iso(9)))
    out = logged(cli, "--symptom", "relief-fading")
    assert "[i] ROUTINE" in out and "W-MASS" in plain(out) and "[!" not in out


def test_log_mass_looks_back_not_forward(cli):
    ok(cli("log", "--pain", "4", "--symptom", "new-pain", "--date", iso(3)))
    ok(cli("log", "--pain", "4", "--symptom", "leg-weakness"))
    entries = json.loads(ok(cli("list", "--json")).stdout)
    earlier = next(e for e in entries if e["date"] == iso(3))
    assert [(f["rule"], f["urgency"]) for f in earlier["flags"]] == [("W-MASS", "ROUTINE")]


def test_watch_window_makes_drowsiness_urgent():
    assert rules(assess(["drowsy"], None, DAY, Context(watch=True)))["W-WATCH"] == (
        Urgency.URGENT)
    assert "W-WATCH" not in rules(assess(["drowsy"], None, DAY))


def test_log_dizziness_the_day_after_a_refill_is_urgent(cli, journal):
    add_event(journal, "refill", days_ago(1))
    out = logged(cli, "--symptom", "dizziness")
    assert "[!] URGENT" in out and "W-WATCH" in plain(out)


@pytest.mark.parametrize("item, rule, urgency", [
    ("cannot-walk", "W-NEURO-SEVERE", Urgency.EMERGENCY),
    ("headache-upright", "W-CSF", Urgency.URGENT),
    ("refill-pain", "W-INJ", Urgency.URGENT),
    ("pump-alarm", "W-ALARM", Urgency.URGENT),
    ("incision-warmth", "W-INF", Urgency.URGENT),
])
def test_other_single_signs(item, rule, urgency):
    flags = assess([item], None, DAY)
    assert rules(flags)[rule] == urgency
    assert top_urgency(flags) == urgency


def test_pump_alarm_with_baclofen_says_call_immediately():
    advice = next(f for f in assess(["pump-alarm"], None, DAY, BACLOFEN)
                  if f.rule == "W-ALARM").advice
    assert "immediately" in advice
    assert "immediately" not in assess(["pump-alarm"], None, DAY)[0].advice


def test_no_symptoms_no_flags():
    assert assess([], None, DAY) == []
    assert top_urgency([]) is None


@given(st.lists(st.sampled_from([s.id for s in cat.SYMPTOMS]), unique=True),
       st.one_of(st.none(), st.floats(30, 45)),
       st.sampled_from([NO_DRUG, BACLOFEN, OPIOID, ZICONOTIDE]))
def test_every_flag_is_well_formed(items, celsius, ctx):
    flags = assess(items, celsius, DAY, ctx)
    assert [f.urgency for f in flags] == sorted((f.urgency for f in flags), reverse=True)
    for flag in flags:
        assert flag.rule in cat.RULES and flag.sources and flag.advice and flag.items
        assert set(flag.items) <= set(items) | {cat.TEMPERATURE, cat.LOW_TEMPERATURE}
    # every warning sign logged alone as URGENT/EMERGENCY shows up at that level or higher
    for item in items:
        alone = cat.BY_ID[item].alone.split(";")[0]
        if alone in ("URGENT", "EMERGENCY"):
            assert top_urgency(flags) >= Urgency[alone], item


# The catalogue itself ------------------------------------------------------------------------


def test_every_rule_has_sources_and_advice():
    for rule in cat.RULES.values():
        assert rule.sources and all(s.strip() for s in rule.sources), rule.id
        assert rule.advice, rule.id
        assert rule.origin in ("SEED", "EXT", "H"), rule.id
        for urgency, text in rule.advice.items():
            if urgency == Urgency.EMERGENCY:
                assert "emergency services" in text.lower(), rule.id
            if urgency == Urgency.URGENT:
                assert "care team" in text.lower(), rule.id


def test_seed_rules_cite_the_seed():
    for rule_id in ("W-INF", "W-NEURO", "W-SORE"):
        assert cat.RULES[rule_id].origin == "SEED"
        assert "seed" in cat.RULES[rule_id].sources


def test_every_symptom_rule_exists():
    for symptom in cat.SYMPTOMS:
        assert symptom.rules, symptom.id
        for rule in symptom.rules:
            assert rule in cat.RULES, (symptom.id, rule)


def test_symptom_ids_are_unique_kebab_case():
    ids = [s.id for s in cat.SYMPTOMS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", i) for i in ids)
    assert len(cat.DAILY) == 14


def _table(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def test_code_matches_the_catalogue_document():
    text = CATALOGUE.read_text(encoding="utf-8")
    checklist = [r for r in _table(text.split("## 2.")[1].split("## 3.")[0])
                 if re.fullmatch(r"[a-z-]+", r[0]) and r[0] != "id"]
    assert [r[0] for r in checklist] == [s.id for s in cat.SYMPTOMS]
    for row in checklist:
        symptom = cat.BY_ID[row[0]]
        assert row[1] == symptom.label, row[0]
        assert row[2] == symptom.category, row[0]
        assert tuple(x.strip() for x in row[4].split(",")) == symptom.rules, row[0]

    def tokens(s: str) -> set[str]:
        return {t.strip() for t in re.split(r"[;,]", s.replace("–", "-")) if t.strip()}

    rule_rows = [r for r in _table(text.split("## 3.")[1].split("## 4.")[0])
                 if r[0].strip("*").startswith("W-")]
    assert {r[0].strip("*") for r in rule_rows} == set(cat.RULES)
    for row in rule_rows:
        rule = cat.RULES[row[0].strip("*")]
        assert tokens(row[-1]) == tokens(", ".join(rule.sources)), rule.id


def test_suggestions_for_a_long_value_compare_only_words_that_could_match(monkeypatch):
    """A pasted 100,000-letter value or an imported cell of 5,000 words is answered "no
    symptom comes close" without comparing the huge text letter by letter, and a word repeated
    costs what it costs once: the error comes at once, as for a short word."""
    import difflib

    seen: list[int] = []

    class Counting(difflib.SequenceMatcher):
        def __init__(self, isjunk=None, a="", b="", autojunk=True):
            seen.append(max(len(a), len(b)))
            super().__init__(isjunk, a, b, autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", Counting)
    assert cat.suggest("private") == []
    once, seen[:] = len(seen), []
    assert cat.suggest("private " * 5000) == []
    assert len(seen) <= once
    seen.clear()
    assert cat.suggest("\x1b[31m" + "x" * 100_000) == []
    assert max(seen, default=0) < 200
    assert cat.suggest("feverrrr " * 3000)[:1] == ["fever"]


# When an item is a warning sign, and the rules each row names ---------------------------

WHEN = [  # (item, what `symptoms` says, the JSON cases)
    ("fever", "yes", ["alone"]),
    ("cannot-walk", "yes", ["alone"]),
    ("relief-fading", "with other signs", ["other-signs"]),
    ("new-pain", "with other signs", ["other-signs"]),
    ("stiff-neck", "with other signs", ["other-signs"]),
    ("nausea", "with other signs", ["other-signs"]),
    ("itching", "with baclofen", ["baclofen"]),
    ("withdrawal-feeling", "with an opioid", ["opioid"]),
    ("mood-change", "with ziconotide", ["ziconotide"]),
    ("drowsy", "within 48 h of an implant, trial start, refill, dose change or surgery", ["watch"]),
    ("constipation", "no", []),
    ("incision-soreness", "no", []),
]


@pytest.mark.parametrize("item, words, when", WHEN)
def test_symptoms_says_truthfully_when_an_item_is_a_warning_sign(cli, item, words, when):
    shown = {s["id"]: s for s in json.loads(ok(cli("symptoms", "--json")).stdout)}[item]
    assert shown["warning_sign_when"] == when and shown["warning_sign"] == bool(when)
    lines = ok(cli("symptoms")).stdout.splitlines()
    (row,) = [n for n, line in enumerate(lines) if line.split()[:1] == [item]]
    said = " ".join(" ".join(lines[row:row + 3]).split()[2:])
    assert said.startswith(words + " " + cat.BY_ID[item].label), said


def test_each_catalogue_row_names_the_rules_its_item_fires():
    """Every rule an item takes part in, in any case tried (alone, with one other item or a
    fever and one other, a high temperature, each drug, the watch, a recent neurological sign,
    soon after the implant) is on its row, and every rule on the row fires with it (a fever's
    W-TEMP fires from the temperature reading)."""
    contexts = [Context(), Context(watch=True), Context(recent_neuro=True),
                Context(day0=date(2026, 11, 1))] + [
        Context(drugs=frozenset(t), drugs_known=True) for t in "BOZ"]
    ids = [s.id for s in cat.SYMPTOMS]
    companions = [()] + [(o,) for o in ids] + [("fever", o) for o in ids]
    for symptom in cat.SYMPTOMS:
        fired = {f.rule for ctx in contexts for c in companions for t in (None, 39.0)
                 for f in assess({symptom.id, *c}, t, date(2026, 11, 1), ctx)
                 if symptom.id in f.items}
        fired |= {"W-TEMP"} if symptom.id == "fever" else set()
        assert fired == set(symptom.rules), symptom.id
