"""The rules that look beyond one entry and the screens that list them, through the real
command line: the 48-hour watch (W-WATCH) from every event that starts it, MRI advice and what
is coming up, one finding as one episode, the period of summaries and reports (since the last
visit, episodes just before it, episodes that straddle it), W-TREND from a low baseline, the
baclofen refill list, incision-pain-worse, W-MASS after cannot-walk, and smaller wording.

Every date is relative to today, so the tests do not rot.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from pumpjournal import symptoms as cat
from pumpjournal.model import Event
from pjtest import NOT_ADVICE, iso, ok, pairs, plain

ODS = "call emergency services now for great sleepiness"  # the watch's W-OD line, in words


def ahead(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def flags_json(cli) -> list[dict]:
    return json.loads(ok(cli("flags", "--json")).stdout)


def text(result) -> str:
    return plain(ok(result).stdout)


def status(cli, monkeypatch) -> str:
    monkeypatch.setenv("COLUMNS", "80")
    return ok(cli()).stdout


def report(cli, fmt: str, *args: str) -> str:
    result = ok(cli("report", "--format", fmt, "--output", "-", *args))
    if fmt == "html":  # the words a browser shows
        import html

        return plain(html.unescape(re.sub(r"<style>.*?</style>|<[^>]+>", " ", result.stdout,
                                          flags=re.S)))
    if fmt == "md":  # the words a Markdown viewer shows
        return plain(result.stdout.replace("**", "").replace("\\", ""))
    if fmt != "pdf":
        return plain(result.stdout)
    from pypdf import PdfReader

    data = result.stdout_bytes
    return plain(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


# W-WATCH: every record that starts it --------------------------------------------------------

STARTS = {  # how the event is recorded, n days ago
    "profile implant date": lambda cli, n: cli("profile", "--implant-date", iso(n)),
    "profile trial start": lambda cli, n: cli("profile", "--trial-start", iso(n)),
    "implant": lambda cli, n: cli("event", "add", "implant", "--date", iso(n)),
    "surgery": lambda cli, n: cli("event", "add", "surgery", "--date", iso(n)),
    "refill": lambda cli, n: cli("event", "add", "refill", "--date", iso(n)),
    "dose-change": lambda cli, n: cli("event", "add", "dose-change", "--date", iso(n),
                                      "--dose", "1", "--unit", "mg/day"),
    "trial-start": lambda cli, n: cli("event", "add", "trial-start", "--date", iso(n)),
}


@pytest.mark.parametrize("start, day", pairs(list(STARTS), [0, 1, 2, 3], 2))
def test_log_lists_the_overdose_signs_while_the_watch_runs(cli, start, day):
    ok(STARTS[start](cli, day))
    out = text(cli("log", "--pain", "3"))  # no symptom at all
    assert (ODS in out) == (day <= 2)
    if day <= 2:
        assert f"watch until {iso(day - 2)}" in out and NOT_ADVICE in out


@pytest.mark.parametrize("start, case", pairs(
    list(STARTS), [(day, symptom) for day in (0, 2, 3) for symptom in ("drowsy", "dizziness")],
    2, (str, lambda case: f"{case[0]}-{case[1]}")))
def test_drowsy_or_dizzy_inside_the_watch_is_urgent(cli, start, case):
    day, symptom = case
    ok(STARTS[start](cli, day))
    out = text(cli("log", "--pain", "3", "--symptom", symptom))
    watch = [ep for ep in flags_json(cli) if ep["rule"] == "W-WATCH"]
    if day <= 2:
        assert "[!] URGENT" in out and "W-WATCH" in out
        assert [ep["urgency"] for ep in watch] == ["URGENT"]
    else:
        assert "[!]" not in out and watch == []


SCREENS = {
    "flags": lambda cli, mp: text(cli("flags")),
    "summary": lambda cli, mp: text(cli("summary")),
    "show": lambda cli, mp: text(cli("show", "today")),
    "status": lambda cli, mp: plain(status(cli, mp)),
}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("day, running", [(1, True), (3, False)])
def test_every_screen_lists_the_overdose_signs_while_the_watch_runs(cli, monkeypatch, screen,
                                                                    day, running):
    ok(cli("profile", "--implant-date", iso(day), "--drug", "morphine"))
    ok(cli("log", "--pain", "2"))
    out = SCREENS[screen](cli, monkeypatch)
    assert (ODS in out) == running
    if running:
        assert NOT_ADVICE in out and f"implant on {iso(day)}" in out


@pytest.mark.parametrize("args", [["show", "today", "--json"], ["flags", "--json"],
                                  ["log", "--pain", "3", "--json"]], ids=" ".join)
def test_with_json_the_watch_goes_to_stderr_and_stdout_stays_json(cli, args):
    ok(cli("profile", "--implant-date", iso(1), "--drug", "morphine"))
    ok(cli("log", "--pain", "2"))
    result = ok(cli(*args))
    json.loads(result.stdout)
    assert ODS in " ".join(result.stderr.split()) and ODS not in result.stdout


@pytest.mark.parametrize("args", [["log", "-s", "drowsy"], ["log", "--pain", "11", "-s",
                                                            "drowsy"]], ids=" ".join)
def test_a_refused_entry_is_checked_with_the_journal_and_lists_the_watch(cli, args):
    """No pain for a new day, or a typo: the panel still weighs the running watch."""
    ok(cli("event", "add", "refill", "--date", iso(1)))
    result = cli(*args)
    assert result.exit_code == 2
    out = plain(result.stdout)
    assert "[!] URGENT" in out and "W-WATCH" in out and ODS in out


def test_summary_json_names_the_running_watch(cli):
    ok(cli("event", "add", "refill", "--date", iso(1), "--next-due", ahead(60)))
    data = json.loads(ok(cli("summary", "--json")).stdout)
    assert data["watch"]["since"] == iso(1) and data["watch"]["kind"] == "refill"
    assert data["watch"]["until"] == ahead(1)
    assert any("emergency services" in line for line in data["watch"]["lines"])


@pytest.mark.parametrize("kind", ["implant", "surgery", "refill", "dose-change", "trial-start"])
def test_event_add_of_a_watch_kind_lists_the_overdose_signs(cli, kind):
    extra = ["--dose", "1", "--unit", "mg/day"] if kind == "dose-change" else []
    out = text(cli("event", "add", kind, *extra))
    assert ODS in out and NOT_ADVICE in out


@pytest.mark.parametrize("kind", ["visit", "trial-end", "removal"])
def test_other_events_start_no_watch(cli, kind):
    assert "Within 48 h" not in text(cli("event", "add", kind))


def test_event_add_json_keeps_stdout_for_json(cli):
    result = ok(cli("event", "add", "refill", "--json"))
    assert json.loads(result.stdout)["kind"] == "refill"
    assert ODS in plain(result.stderr)


def test_the_watch_runs_from_the_latest_start():
    from pumpjournal.timeline import watch_on

    events = [Event("me", "refill", iso(5)), Event("me", "dose-change", iso(0))]
    watch = watch_on({"implant_date": iso(400)}, events, date.today())
    assert (watch.since.isoformat(), watch.kind) == (iso(0), "dose-change")
    assert watch_on({"implant_date": iso(3)}, [], date.today()) is None
    assert watch_on({}, [Event("me", "refill", iso(2))], date.today()).kind == "refill"


def test_day_count_and_soreness_still_count_from_the_implant(cli):
    ok(cli("profile", "--implant-date", iso(30)))
    ok(cli("event", "add", "refill"))
    out = text(cli("log", "--pain", "3", "--symptom", "incision-soreness"))
    assert "[i] ROUTINE" in out and "day 30 after your implant" in out and ODS in out


# MRI ---------------------------------------------------------------------------------------

UNKNOWN_MAKES = [None, "not sure", "unknown", "UNKNOWN", "idk", "IDK", "?", "dont know",
                 "Don't know", "no idea", "the one in my belly", "Prometra II",
                 "Flowonix Prometra"]
KNOWN_MAKES = ["SynchroMed II", "synchromed", "Medtronic", "IsoMed"]


@pytest.mark.parametrize("make", UNKNOWN_MAKES + KNOWN_MAKES)
def test_event_add_mri_shows_the_advice_at_once(cli, make):
    if make:
        ok(cli("profile", "--pump-make", make))
    out = text(cli("event", "add", "mri", "--date", ahead(9)))
    urgent = make not in KNOWN_MAKES
    assert ("[!] URGENT:" in out) == urgent and ("[i] ROUTINE:" in out) == (not urgent)
    assert "Tell the MRI staff about your pump" in out and NOT_ADVICE in out
    assert ("some pumps must be emptied first" in out) == urgent
    (ep,) = [ep for ep in flags_json(cli) if ep["rule"] == "W-MRI"]
    assert ep["urgency"] == ("URGENT" if urgent else "ROUTINE")


def test_an_mri_recorded_after_it_happened_gives_no_before_the_scan_advice(cli):
    out = text(cli("event", "add", "mri", "--date", iso(3)))
    assert "Added event" in out and "before the scan" not in out and "URGENT" not in out
    assert not [ep for ep in flags_json(cli) if ep["rule"] == "W-MRI"]


@given(st.text(max_size=30))
def test_a_make_naming_no_known_maker_is_unknown(make):
    words = "".join(ch for ch in make.lower() if ch.isalnum())
    if not any(maker in words for maker in cat.PUMP_MAKERS):
        assert not cat.pump_make_known(make) and cat.mri_needs_care_team(make)


def test_a_planned_mri_is_coming_up_everywhere(cli, monkeypatch):
    ok(cli("profile", "--pump-make", "not sure"))
    ok(cli("event", "add", "visit", "--date", iso(10)))
    ok(cli("event", "add", "visit", "--date", ahead(20)))
    ok(cli("event", "add", "refill", "--date", iso(10), "--next-due", ahead(30)))
    ok(cli("event", "add", "mri", "--date", ahead(12)))
    ok(cli("log", "--pain", "3"))
    summary = text(cli("summary"))
    assert "Coming up:" in summary and f"MRI planned {ahead(12)}" in summary
    assert f"Next visit: {ahead(20)}" in summary and f"Next refill due: {ahead(30)}" in summary
    data = json.loads(ok(cli("summary", "--json")).stdout)
    assert data["coming_up"]["next_visit"] == ahead(20)
    assert data["coming_up"]["next_refill"] == ahead(30)
    (mri,) = data["coming_up"]["mri"]
    assert (mri["date"], mri["urgency"], mri["pump_make_known"]) == (ahead(12), "URGENT", False)
    for screen in (text(cli("flags")), plain(status(cli, monkeypatch))):
        coming = screen.split("Coming up:", 1)[1]  # under its own heading, with what to do
        assert f"MRI planned {ahead(12)}" in coming and "before the scan" in coming
        assert "Open warning signs" not in coming and "[!] URGENT" in coming
    for fmt in ("txt", "md", "html", "pdf"):
        out = report(cli, fmt)
        assert "coming up" in out.lower(), fmt
        assert f"MRI planned {ahead(12)}" in out and "emptied first" in out, fmt
        assert f"Next visit: {ahead(20)}" in out, fmt


# One finding, one episode --------------------------------------------------------------------

FINDINGS = [  # (profile, log args, the rules of the one episode, the leading rule)
    ({}, ["-t", "38.5"], {"W-INF", "W-TEMP"}, "W-INF"),
    ({}, ["-t", "101F", "-s", "chills"], {"W-INF", "W-TEMP"}, "W-INF"),
    ({}, ["-t", "38.2", "-s", "fever"], {"W-INF", "W-TEMP"}, "W-INF"),
    ({"--drug": "baclofen"}, ["-s", "fever"], {"W-INF", "W-WD-BAC"}, "W-INF"),
    ({"--drug": "baclofen"}, ["-t", "38.4"], {"W-INF", "W-TEMP", "W-WD-BAC"}, "W-INF"),
    ({}, ["-t", "38.6", "-s", "stiff-neck"], {"W-MEN", "W-INF", "W-TEMP"}, "W-MEN"),
]


@pytest.mark.parametrize("profile, args, rules, lead", FINDINGS)
def test_rules_fired_by_the_same_items_are_one_episode(cli, monkeypatch, profile, args, rules,
                                                       lead):
    if profile:
        ok(cli("profile", *[x for kv in profile.items() for x in kv]))
    for day in (2, 1):
        ok(cli("log", "--pain", "4", "--date", iso(day), *args))
    (ep,) = flags_json(cli)
    assert ep["rule"] == lead and set(ep["rules"]) == rules and ep["rules"][0] == lead
    assert ep["days_logged"] == 2
    assert {p["rule"] for p in ep["advice_by_rule"]} == rules
    screen = status(cli, monkeypatch)
    assert len(re.findall(r"\[!!?\] (URGENT|EMERGENCY) ", screen)) == 1
    assert len(json.loads(ok(cli("summary", "--json")).stdout)["episodes"]) == 1
    assert "1 warning-sign episode " in report(cli, "txt")
    assert "(0 urgent" not in text(cli("cohort"))
    assert "1 (1)" in text(cli("cohort"))


JOINED = [  # rules that share an item on a day join, over every rule they share one with
    (["-s", "fever", "-s", "stiff-neck", "-s", "incision-redness"], {"W-MEN", "W-INF"}, "W-MEN"),
    (["-t", "38.3", "-s", "confusion", "-s", "incision-redness"],
     {"W-MEN", "W-TEMP", "W-INF"}, "W-MEN"),
    (["-s", "fever", "-s", "stiff-neck", "-s", "leg-numbness"], {"W-MEN", "W-INF"}, "W-MEN"),
]


@pytest.mark.parametrize("args, rules, lead", JOINED)
def test_an_item_shared_by_two_findings_joins_them(cli, monkeypatch, args, rules, lead):
    ok(cli("log", "--pain", "3", *args))
    (ep,) = [e for e in flags_json(cli) if set(e["rules"]) & rules]
    assert ep["rule"] == lead and rules <= set(ep["rules"])
    urgent = [e for e in flags_json(cli) if e["urgency"] in ("URGENT", "EMERGENCY")]
    for screen in (ok(cli("flags")).stdout, status(cli, monkeypatch)):
        assert len(re.findall(r"\[!!?\] (URGENT|EMERGENCY)", screen)) == len(urgent), screen
    summary = json.loads(ok(cli("summary", "--json")).stdout)["episodes"]
    assert len([e for e in summary if set(e["rules"]) & rules]) == 1


def test_an_emergency_episode_says_only_its_own_action_with_the_number(cli):
    """Weaker advice ("contact your care team") under an EMERGENCY would blur what to do."""
    ok(cli("profile", "--emergency-number", "112"))
    ok(cli("log", "--pain", "6", "-s", "fever", "-s", "headache", "-s", "stiff-neck",
           "--temperature", "101.2"))
    shown = " ".join(ok(cli("flags")).stdout.split())
    assert "[!!] EMERGENCY" in shown and "Call emergency services now (112)" in shown
    assert "Contact your care team right away" not in shown
    assert "W-MEN" in shown and "W-INF" in shown and "W-TEMP" in shown  # every rule still named


def test_a_sign_alone_then_with_others_the_next_day_is_one_episode(cli):
    """The catalogue's example: a stiff neck alone one day, with a fever the next: one
    episode led by W-MEN."""
    ok(cli("log", "--pain", "3", "-s", "stiff-neck", "--date", iso(2)))
    ok(cli("log", "--pain", "3", "-s", "stiff-neck", "-s", "fever", "--date", iso(1)))
    (ep,) = flags_json(cli)
    assert ep["rule"] == "W-MEN" and (ep["first"], ep["last"]) == (iso(2), iso(1))
    assert ep["rules_by_day"][iso(2)] == ["W-SIDE"]
    assert ep["rules_by_day"][iso(1)][0] == "W-MEN"


def test_a_known_symptom_as_usual_does_not_stretch_the_next_days_finding(cli):
    ok(cli("profile", "--baseline-symptom", "leg-numbness"))
    for n in (4, 3, 2):
        ok(cli("log", "--pain", "3", "-s", "leg-numbness", "--date", iso(n)))
    ok(cli("log", "--pain", "3", "-s", "leg-numbness", "-s", "fever", "--date", iso(1)))
    urgent = [ep for ep in flags_json(cli) if ep["urgency"] == "URGENT"]
    assert urgent and {(ep["first"], ep["last"]) for ep in urgent} == {(iso(1), iso(1))}


def test_a_report_day_names_only_the_rules_that_fired_that_day(cli):
    ok(cli("log", "--pain", "3", "-s", "fever", "-s", "stiff-neck", "-s", "very-sleepy",
           "--date", iso(2)))
    ok(cli("log", "--pain", "3", "-s", "very-sleepy", "--date", iso(1)))
    text = report(cli, "txt").upper().split("DAY BY DAY")[1]  # the day rows, one after another
    first, second = re.search(f"{iso(2)} (.*?) {iso(1)} (.*?) NO ENTRY", text).groups()
    assert "W-MEN" in first and "W-OD" in first
    assert "W-MEN" not in second and "W-OD" in second


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
def test_a_report_never_calls_withdrawal_feelings_a_side_effect(cli, fmt):
    ok(cli("log", "--pain", "3", "-s", "withdrawal-feeling", "-s", "spasms-return"))
    text = report(cli, fmt)
    assert "W-SIDE" in text and "side effect" not in text


def test_different_findings_stay_apart(cli):
    ok(cli("log", "--pain", "4", "-s", "relief-fading", "-s", "leg-numbness"))
    ok(cli("log", "--pain", "4", "-s", "fever", "--date", iso(1)))
    assert sorted(ep["rule"] for ep in flags_json(cli)) == ["W-INF", "W-MASS", "W-NEURO"]


# The period of summaries and reports ---------------------------------------------------------


def fever_before_the_visit(cli) -> None:
    ok(cli("log", "--pain", "5", "-s", "fever", "-s", "chills", "--date", iso(8)))
    ok(cli("log", "--pain", "5", "-s", "leg-weakness", "--date", iso(40)))  # too long ago
    ok(cli("event", "add", "visit", "--date", iso(5), "--note", "staples out"))
    ok(cli("log", "--pain", "3", "--date", iso(2)))


def test_summary_since_the_visit_shows_the_episode_just_before_it(cli):
    fever_before_the_visit(cli)
    out = text(cli("summary"))
    assert f"since your last visit on {iso(5)}" in out
    assert "In the 30 days before this period:" in out
    assert f"[!] URGENT {iso(8)}, before this period: fever, chills (W-INF)" in out
    assert "leg-weakness" not in out and "Warning-sign episodes: none." in out
    data = json.loads(ok(cli("summary", "--json")).stdout)
    assert data["period"]["starts_at_visit"] == iso(5)
    assert [(ep["first"], ep["before_period"]) for ep in data["before_period"]] == [
        (iso(8), True)]
    assert data["episodes"] == []
    assert json.loads(ok(cli("summary", "--since", "last-visit", "--json")).stdout)[
        "before_period"]
    assert json.loads(ok(cli("summary", "--since", iso(5), "--json")).stdout)[
        "before_period"] == []


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "pdf"])
def test_reports_since_the_visit_show_the_episode_just_before_it(cli, fmt):
    fever_before_the_visit(cli)
    out = report(cli, fmt)
    assert f"since the last visit on {iso(5)}" in out
    assert f"{iso(8)}, before this period" in out
    assert "Warning signs (0)" in out or "WARNING SIGNS (0)" in out
    assert "Weakness" not in out


def test_an_episode_that_straddles_the_period_start_counts_days_inside_it(cli):
    for n in (10, 9, 7):
        ok(cli("log", "--pain", "5", "-s", "fever", "--date", iso(n)))
    out = text(cli("summary", "--since", iso(8)))
    assert (f"{iso(10)} to {iso(7)}, 1 day logged in this period (2 days before it)"
            in out)
    assert "3 days logged" not in out
    (ep,) = json.loads(ok(cli("summary", "--since", iso(8), "--json")).stdout)["episodes"]
    assert (ep["days_in_period"], ep["days_before_period"], ep["days_logged"]) == (1, 2, 3)
    for fmt in ("txt", "md", "html", "pdf"):
        assert "1 day logged in this period; 2 days before it" in report(
            cli, fmt, "--since", iso(8)), fmt


def emergency(cli) -> None:
    ok(cli("log", "--pain", "6", "-s", "fever", "-s", "stiff-neck", "-n", "Temperature rose"))


def test_emergency_never_runs_into_the_next_column_in_text(cli):
    emergency(cli)
    out = ok(cli("report", "--format", "txt", "--output", "-")).stdout
    assert "[!!] EMERGENCY" in out
    assert not re.search(r"EMERGENCY[^\s:;,)]", out)


def test_emergency_has_room_in_the_html_episode_table(cli):
    from pumpjournal.report.html import CSS

    emergency(cli)
    out = ok(cli("report", "--format", "html", "--output", "-")).stdout
    assert "[!!] EMERGENCY</td>" in out and 'tr class="emergency"' in out
    rules = {m.group(1).strip(): m.group(2) for m in re.finditer(r"([^{}]+)\{([^}]*)\}", CSS)}
    # a fixed layout with a narrow, unwrappable level column let the word overflow
    assert "fixed" not in rules.get("table.episodes", "")
    assert not any("table.episodes th:nth-child(2)" in sel for sel in rules)
    assert "tr.emergency td" in CSS  # and an EMERGENCY row looks unlike an URGENT one


def test_the_pdf_first_page_says_it_is_not_medical_advice(cli):
    from pypdf import PdfReader

    emergency(cli)
    for n in range(40):
        ok(cli("log", "--pain", "3", "-n", "a longer note " * 8, "--date", iso(n + 1)))
    data = ok(cli("report", "--format", "pdf", "--since", "6w", "--output", "-")).stdout_bytes
    pages = [plain(p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) > 1
    assert all(NOT_ADVICE in page for page in pages)


# W-TREND, the baclofen refill list, incision-pain-worse, W-MASS ------------------------------


def log_averages(cli, averages: dict[int, int]) -> None:
    for n, value in averages.items():
        ok(cli("log", "--pain", str(value), "--average", str(value), "--date", iso(n)))


@pytest.mark.parametrize("before, after, fires, words", [
    ([0, 0, 0, 0], [6, 6, 6, 6], True, "from 0 to 6"),
    ([0, 0, 0, 0], [2, 2, 2, 2], True, "from 0 to 2"),
    ([0, 0, 0, 0], [1, 1, 2, 2], False, ""),
    ([0, 1, 0, 1], [2, 3, 2, 3], True, "from 0.5 to 2.5"),
    ([0, 1, 0, 1], [2, 2, 2, 3], False, ""),
    ([1, 1, 1, 1], [1, 1, 1, 2], False, ""),
    ([1, 1, 1, 1], [1, 1, 2, 2], True, "50%"),
    ([4, 4, 4, 4], [5, 5, 5, 5], False, ""),
    ([4, 4, 4, 4], [6, 6, 6, 6], True, "50%")])
def test_trend_from_a_low_baseline(cli, before, after, fires, words):
    ok(cli("event", "add", "visit", "--date", iso(8)))
    log_averages(cli, {**dict(zip((12, 11, 10, 9), before)), **dict(zip((3, 2, 1, 0), after))})
    trend = [ep for ep in flags_json(cli) if ep["rule"] == "W-TREND"]
    assert bool(trend) == fires
    if fires:
        assert f"average pain is up {words} since {iso(8)}" in trend[-1]["advice"]


@pytest.mark.parametrize("due", [7, -3])
def test_baclofen_refill_reminder_lists_every_withdrawal_sign(cli, due):
    ok(cli("profile", "--drug", "baclofen", "--next-refill", ahead(due)))
    (ep,) = [ep for ep in flags_json(cli) if ep["rule"] == "W-REFILL"]
    for item in cat._BAC_WITHDRAWAL:
        assert cat.label(item) in ep["advice"], item
    assert "rigid" in ep["advice"]


@pytest.mark.parametrize("implant", [None, 3, 30, 400])
def test_incision_pain_getting_worse_is_urgent_on_any_day(cli, implant):
    if implant is not None:
        ok(cli("profile", "--implant-date", iso(implant)))
    out = text(cli("log", "--pain", "4", "-s", "incision-pain-worse", "-s", "incision-soreness"))
    assert "[!] URGENT: Contact your care team right away" in out
    assert "pain at an incision that is getting worse, not better" in out and "W-INF" in out
    (ep,) = [ep for ep in flags_json(cli) if ep["rule"] == "W-INF"]
    assert "S44" in ep["sources"]
    listed = {s["id"]: s for s in json.loads(ok(cli("symptoms", "--json")).stdout)}
    assert listed["incision-pain-worse"]["urgency"] == "URGENT"
    assert listed["incision-pain-worse"]["label"] == (
        "Pain at an incision that is getting worse, not better")


@pytest.mark.parametrize("earlier, urgent", [(2, True), (7, True), (8, False)])
def test_mass_counts_a_recent_cannot_walk(cli, earlier, urgent):
    ok(cli("log", "--pain", "4", "-s", "cannot-walk", "--date", iso(earlier)))
    out = text(cli("log", "--pain", "5", "-s", "relief-fading"))
    assert ("[!] URGENT" in out) == urgent and "W-MASS" in out


# Smaller wording ------------------------------------------------------------------------------


def test_one_day_is_one_day(cli):
    ok(cli("log", "--pain", "3", "--boluses", "2", "-s", "fever"))
    out = text(cli("summary"))
    assert "1 day logged" in out and "1 days" not in out
    for fmt in ("txt", "md", "html", "pdf"):
        assert "1 days" not in report(cli, fmt), fmt


def test_summary_trend_numbers_add_up(cli):
    for n, pain in ((13, 4), (12, 5), (3, 5), (2, 6), (1, 6), (0, 6)):
        ok(cli("log", "--pain", str(pain), "--date", iso(n)))
    out = text(cli("summary", "--since", iso(13)))
    first, second, change = re.search(
        r"first half ([\d.]+), second half ([\d.]+) \(([+-]?[\d.]+)\)", out).groups()
    assert round(float(second) - float(first), 2) == float(change)
    assert (first, second, change) == ("4.5", "5.75", "+1.25")


def test_a_temperature_on_day_400_is_not_called_after_pump_surgery(cli):
    ok(cli("profile", "--implant-date", iso(400)))
    out = text(cli("log", "--pain", "3", "-t", "38.4"))
    assert "[!] URGENT" in out and "after pump surgery" not in out


def test_status_shows_the_emergency_headline(cli, monkeypatch):
    ok(cli("profile", "--emergency-number", "112"))
    emergency(cli)
    line = next(line for line in status(cli, monkeypatch).splitlines() if "[!!]" in line)
    assert "EMERGENCY" in line
    assert "Call emergency services now (112)" in plain(status(cli, monkeypatch))


@pytest.mark.parametrize("args", [[], ["--alarm", "not-sure"]])
def test_an_alarm_of_unknown_kind_reads_not_sure(cli, args):
    ok(cli("event", "add", "alarm", *args))
    (ep,) = flags_json(cli)
    assert ep["items"] == ["alarm (not sure)"]
    for screen in (text(cli("event", "list")), text(cli("summary"))):  # said the same way
        assert "pump alarm (not sure)" in screen and "not-sure" not in screen


def test_cohort_ends_with_the_not_medical_advice_line_when_it_counts_episodes(cli):
    ok(cli("log", "--pain", "3"))
    assert NOT_ADVICE not in text(cli("cohort"))
    ok(cli("log", "--pain", "3", "-s", "very-sleepy"))
    assert NOT_ADVICE in text(cli("cohort"))


def test_the_report_chart_marks_an_implant_recorded_in_the_profile(cli):
    ok(cli("profile", "--implant-date", iso(5)))
    ok(cli("log", "--pain", "3", "--date", iso(4)))
    assert f"I implant {iso(5)}" in report(cli, "txt")


def test_a_one_day_report_says_1_day(cli):
    ok(cli("log", "--pain", "3"))
    for fmt in ("txt", "md", "html", "pdf"):
        out = report(cli, fmt, "--since", "today")
        assert "1 of 1 day logged" in out and "1 days" not in out, fmt


@pytest.mark.parametrize("option", ["--implant-date", "--trial-start"])
def test_profile_date_that_starts_the_watch_lists_the_overdose_signs(cli, option):
    assert ODS in text(cli("profile", option, "today"))
    assert ODS not in text(cli("profile", option, iso(5)))


def test_the_report_names_the_current_dose(cli):
    ok(cli("event", "add", "dose-change", "--drug", "morphine", "--dose", "0.5", "--unit",
           "mg/day", "--date", iso(40)))
    ok(cli("log", "--pain", "3"))
    for fmt in ("txt", "md", "html", "pdf"):
        out = report(cli, fmt)
        assert "Current dose" in out and f"morphine 0.5 mg/day since {iso(40)}" in out, fmt


@given(st.lists(st.tuples(st.integers(0, 20), st.sampled_from(
    ["implant", "surgery", "refill", "dose-change", "trial-start", "visit", "removal", "mri"])),
    max_size=6), st.one_of(st.none(), st.integers(0, 20)), st.integers(0, 20))
def test_the_watch_covers_the_day_of_each_start_and_the_two_days_after(starts, implant, day):
    from pumpjournal.timeline import WATCH_KINDS, watch_on

    base = date(2026, 11, 1)
    events = [Event("me", kind, (base + timedelta(days=n)).isoformat()) for n, kind in starts]
    profile = {"implant_date": (base + timedelta(days=implant)).isoformat()} if implant else {}
    begun = [n for n, kind in starts if kind in WATCH_KINDS] + ([implant] if implant else [])
    watch = watch_on(profile, events, base + timedelta(days=day))
    earlier = [n for n in begun if n <= day]
    assert (watch is not None) == bool(earlier and day - max(earlier) <= 2)
    if watch:
        assert watch.since == base + timedelta(days=max(earlier))
        assert watch.until == watch.since + timedelta(days=2)


@given(st.lists(st.tuples(st.lists(st.sampled_from([s.id for s in cat.SYMPTOMS]), max_size=4),
                          st.sampled_from([None, 37.0, 38.0, 39.0])), min_size=1, max_size=5),
       st.sampled_from([[], ["baclofen"], ["morphine"], ["ziconotide"]]))
def test_no_episode_repeats_another_finding(days, drugs):
    from pumpjournal.episodes import episodes
    from pumpjournal.model import Entry

    base = date(2026, 11, 1)
    entries = [Entry("me", (base + timedelta(days=n)).isoformat(), 3, symptoms=sorted(set(s)),
                     temperature_c=t) for n, (s, t) in enumerate(days)]
    found = episodes("me", entries, {"drugs": drugs}, [], base + timedelta(days=10))
    for a in found:
        assert a.rules[0] == a.rule and len(set(a.rules)) == len(a.rules)
        assert a.urgency == max(u for _, u, _ in a.advice_by_rule)
        for b in found:
            if a is not b:
                assert not (set(a.items) <= set(b.items) and set(a.days) <= set(b.days))
    # no item of a day is in two episodes
    homes: dict = {}
    for n, ep in enumerate(found):
        for day, items in ep.day_items.items():
            for item in items:
                assert homes.setdefault((day, item), n) == n, (day, item)
        assert {rule for rule, _ in ep.fired} == set(ep.rules)
    # every rule fired on a day is named by exactly one episode
    from pumpjournal.timeline import assess_entries

    for entry, flags in zip(entries, assess_entries(entries, {"drugs": drugs}, [])):
        for flag in flags:
            if flag.urgency > cat.Urgency.EXPECTED:
                named = [ep for ep in found if (flag.rule, entry.day) in ep.fired]
                assert len(named) == 1, (flag.rule, entry.day)


@pytest.mark.parametrize("make, noted", [("not sure", True), ("?", True),
                                         ("SynchroMed II", False), ("Prometra II", False)])
def test_profile_notes_a_pump_make_it_does_not_know(cli, make, noted):
    result = ok(cli("profile", "--pump-make", make))
    assert ("names no pump maker pumpjournal knows" in plain(result.stderr)) == noted


@pytest.mark.skipif(__import__("sys").platform == "win32", reason="needs a pseudo-terminal")
def test_at_a_terminal_the_watch_follows_the_question(journal):
    from pjtest import set_profile
    from test_cli_interactive import CONTACTED, Terminal

    set_profile(journal, implant_date=iso(0))
    term = Terminal(["log", "--pain", "3", "--symptom", "drowsy"], journal, cols=80)
    try:
        panel = term.expect(CONTACTED, fail_on=("Within 48 h",))
        assert "[!] URGENT" in panel
        term.answer("y")
        term.expect("Within 48 h of your implant")
        assert term.finish() == 0
    finally:
        term.close()
