"""The warning panel at log time: never held back by the journal, the patient's own words,
symptoms known from before the implant, panels a person can act on, the care-team answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pumpjournal import Journal
from pumpjournal import render
from pumpjournal import symptoms as cat
from pumpjournal.checks import check
from pumpjournal.store import FileLock
from pjtest import NOT_ADVICE, Child, child_env, days_ago, iso, ok, plain, pumpjournal, snapshot

FEVER_AND_STIFF_NECK = ("log", "--pain", "3", "--symptom", "fever", "--symptom", "stiff-neck")


def panel(result) -> str:
    """The panel of a `log` (the text after its "Logged ..." line), as plain text."""
    return plain(result.stdout.split("\n", 1)[1])


# A warning never waits for the journal --------------------------------------------------------


def _damaged(journal, monkeypatch):
    journal.parent.mkdir(parents=True, exist_ok=True)
    journal.write_text("not json")
    os.chmod(journal, 0o600)


def _folder(journal, monkeypatch):
    journal.mkdir(parents=True)


def _locked(journal, monkeypatch):
    journal.parent.mkdir(parents=True, exist_ok=True)
    monkeypatch.setattr("pumpjournal.lock.LOCK_TIMEOUT", 0.2)
    lock = FileLock(journal.with_name(journal.name + ".lock"), 5)
    lock.__enter__()
    monkeypatch.setattr(sys.modules[__name__], "_held", lock, raising=False)


def _full_disk(journal, monkeypatch):
    from pumpjournal.errors import JournalError

    def full(path, payload):
        raise JournalError(f"could not write the journal {path}: no space left on device.")

    monkeypatch.setattr("pumpjournal.store.write_file", full)


BROKEN = {"damaged": _damaged, "a folder": _folder, "locked": _locked}


@pytest.mark.parametrize("breaks", BROKEN.values(), ids=BROKEN.keys())
def test_the_panel_comes_even_when_the_journal_cannot_be_read(cli, journal, monkeypatch,
                                                              breaks):
    breaks(journal, monkeypatch)
    before = snapshot(journal) if journal.is_file() else None
    result = cli(*FEVER_AND_STIFF_NECK)
    assert result.exit_code == 1
    text = plain(result.stdout)
    assert text.startswith("[!!] EMERGENCY: Call emergency services now")
    assert "Checked from what you typed alone" in text and "were not checked" in text
    assert NOT_ADVICE in text
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "the entry was NOT saved" in lines[0]
    if before is not None:
        assert snapshot(journal) == before


FEVER = ("--symptom", "fever", "--temperature", "39.2")
REFUSED_ENTRIES = {  # (how the entry is refused, the command, what the panel may name)
    "date not understood": (None, ["log", "--pain", "3", "--date", "2daysago", *FEVER],
                            "You typed (not saved):"),
    "pain out of range": (None, ["log", "--pain", "13", "--date", "yesterday", *FEVER],
                          f"You typed for {iso(1)} (not saved):"),
    "edit out of range": (None, ["edit", "today", "--pain", "13", *FEVER],
                          f"You typed for {iso(0)} (not saved):"),
    "journal damaged": (_damaged, ["log", "--pain", "3", *FEVER],
                        f"You typed for {iso(0)} (not saved):"),
    "disk full": (_full_disk, ["log", "--pain", "3", *FEVER],
                  f"You typed for {iso(0)} (not saved):"),
}


@pytest.mark.parametrize("breaks, args, said", REFUSED_ENTRIES.values(),
                         ids=REFUSED_ENTRIES.keys())
def test_the_panel_of_a_refused_entry_never_says_it_was_logged(cli, journal, monkeypatch,
                                                                breaks, args, said):
    ok(cli("log", "--pain", "2"))
    if breaks:
        breaks(journal, monkeypatch)
    result = cli(*args)
    assert result.exit_code in (1, 2), result.output
    text = plain(result.stdout)
    assert "[!] URGENT" in text and said in text, text
    assert "You logged" not in text and "Logged" not in text


def test_the_panel_comes_when_the_disk_is_full_with_the_profile(cli, journal, monkeypatch):
    ok(cli("profile", "--emergency-number", "112"))
    before = snapshot(journal)
    _full_disk(journal, monkeypatch)
    result = cli(*FEVER_AND_STIFF_NECK)
    assert result.exit_code == 1
    text = plain(result.stdout)
    assert "[!!] EMERGENCY: Call emergency services now (112)" in text
    assert "typed alone" not in text  # the journal could be read: every rule was checked
    assert "NOT saved" in result.stderr and "no space left" in result.stderr
    assert snapshot(journal) == before


UNSAVED = {"damaged": _damaged, "locked": _locked, "disk full": _full_disk}


UNSAVED_COMMANDS = {  # (the command, what it shows first, its one-line error)
    "edit": (["edit", "today", "--symptom", "cannot-walk"],
             "[!!] EMERGENCY: Call emergency services now", "the entry was NOT saved"),
    "event add": (["event", "add", "mri", "--date", iso(-5)],  # in five days
                  "[!] URGENT: Tell the MRI staff about your pump", "the event was NOT saved"),
}


@pytest.mark.parametrize("breaks", UNSAVED.values(), ids=UNSAVED.keys())
@pytest.mark.parametrize("args, shown, error", UNSAVED_COMMANDS.values(),
                         ids=UNSAVED_COMMANDS.keys())
def test_edit_and_event_add_warn_when_the_journal_cannot_be_saved(cli, journal, monkeypatch,
                                                                   breaks, args, shown, error):
    ok(cli("log", "--pain", "2"))
    breaks(journal, monkeypatch)
    before = snapshot(journal)
    result = cli(*args)
    assert result.exit_code == 1
    assert plain(result.stdout).startswith(shown)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and error in lines[0]
    assert snapshot(journal) == before


@pytest.mark.parametrize("args", [["log", "--pain", "3", "--symptom", "fever"],
                                  ["edit", "today", "--symptom", "fever"]], ids=" ".join)
def test_an_unsaved_change_to_a_logged_day_shows_what_was_typed(cli, journal, monkeypatch,
                                                                args):
    """The day's saved temperature and redness are not 'typed', and never break the panel."""
    ok(cli("log", "--pain", "2", "--temperature", "37.2", "--symptom", "incision-redness"))
    _full_disk(journal, monkeypatch)
    result = cli(*args)
    assert result.exit_code == 1 and "unexpected" not in result.output
    text = plain(result.stdout)
    assert f"You typed for {iso(0)} (not saved):" in text and "fever" in text
    assert "redness" not in text and "37.2" not in text
    assert "NOT saved" in result.stderr and "no space left" in result.stderr


def test_the_overdose_watch_is_listed_when_the_entry_cannot_be_saved(cli, journal,
                                                                     monkeypatch):
    ok(cli("profile", "--implant-date", "today", "--drug", "morphine"))
    _full_disk(journal, monkeypatch)
    result = cli("log", "--pain", "3")
    assert result.exit_code == 1 and "NOT saved" in result.stderr
    text = plain(result.stdout)
    assert "Within 48 h of your implant" in text and "call emergency services now" in text


def test_panel_first_then_one_line_not_saved_in_a_real_process(journal):
    journal.mkdir(parents=True)  # a folder where the journal should be
    done = Child(pumpjournal(FEVER_AND_STIFF_NECK), child_env(journal),
                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # one stream, in order
    out, _ = done.communicate(timeout=60)
    assert done.returncode == 1
    lines = out.strip().splitlines()
    assert "[!!] EMERGENCY" in lines[1]
    assert lines[-1].startswith("Error: the entry was NOT saved")
    assert sum("NOT saved" in line for line in lines) == 1


def test_with_json_the_panel_goes_to_stderr(cli, journal):
    journal.mkdir(parents=True)
    result = cli(*FEVER_AND_STIFF_NECK, "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert "[!!] EMERGENCY" in result.stderr and "NOT saved" in result.stderr


REFUSED = {
    "pain 11": (["--pain", "11", "--symptom", "fever"], "[!] URGENT", "pain"),
    "unknown word": (["--pain", "3", "--symptom", "fever", "--symptom", "xyzzy"], "[!] URGENT",
                     "xyzzy"),
    "word with two meanings": (["--pain", "3", "--symptom", "swelling", "--symptom",
                                "cannot-walk"], "[!!] EMERGENCY", "leg-swelling"),
    "bad mood": (["--pain", "3", "--temperature", "38.6", "--mood", "12"], "[!] URGENT",
                 "mood"),
    "future date": (["--pain", "3", "--symptom", "seizure", "--date", "2099-01-01"],
                    "[!!] EMERGENCY", "future"),
}


@pytest.mark.parametrize("args, level, words", REFUSED.values(), ids=REFUSED.keys())
def test_a_refused_entry_still_shows_the_valid_signs(cli, journal, args, level, words):
    ok(cli("log", "--pain", "2", "--date", "yesterday"))
    before = snapshot(journal)
    result = cli("log", *args)
    assert result.exit_code == 2
    assert plain(result.stdout).startswith(level)
    (line,) = result.stderr.strip().splitlines()
    assert words in line and "Nothing was changed" in line
    assert snapshot(journal) == before


def test_a_refused_entry_without_signs_shows_no_panel(cli, journal):
    result = cli("log", "--pain", "11")
    assert result.exit_code == 2 and result.stdout == ""
    assert not journal.exists()


def test_a_rules_error_never_prevents_the_save(cli, journal, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in a rule")

    monkeypatch.setattr(cat, "assess", broken)
    result = ok(cli("log", "--pain", "4", "--symptom", "fever"))
    assert "could not be checked" in plain(result.stdout)
    assert "contact your care team" in plain(result.stdout)
    assert Journal(journal).read().entry("me", days_ago(0)).symptoms == ["fever"]


# The patient's own words ----------------------------------------------------------------------

WORDS = {"redness": "incision-redness", "red": "incision-redness",
         "drainage": "incision-drainage", "pus": "incision-drainage", "fever": "fever",
         "shivering": "chills", "shivers": "chills", "chills": "chills",
         "numbness": "leg-numbness", "numb": "leg-numbness", "tingling": "leg-tingling",
         "pins and needles": "leg-tingling", "Pins_And_Needles": "leg-tingling",
         "weakness": "leg-weakness", "weak legs": "leg-weakness",
         "trouble walking": "difficulty-walking", "bladder": "bladder-change",
         "urine": "bladder-change", "bowel": "bowel-change"}


def test_every_plain_word_is_in_the_symptom_list(cli_json):
    aliases = {i["id"]: i["aliases"] for i in cli_json("symptoms")}
    for word, sid in WORDS.items():
        assert cat._word_key(word).replace("-", " ") in aliases[sid], word


@pytest.mark.parametrize("word, sid", WORDS.items(), ids=WORDS.keys())
def test_plain_words_are_logged_as_their_item(cli, cli_json, word, sid):
    result = ok(cli("log", "--pain", "3", "--symptom", word))
    assert "[!] URGENT" in result.stdout
    assert cli_json("show", "today")["symptoms"] == [sid]


AMBIGUOUS = {"swelling": {"incision-swelling", "leg-swelling"},
             "swollen": {"incision-swelling", "leg-swelling"},
             "leaking": {"incision-drainage", "bladder-change", "bowel-change"},
             "hot": {"fever", "incision-warmth"},
             "incontinence": {"bladder-change", "bowel-change"},
             "can't walk": {"difficulty-walking", "cannot-walk"}}


@pytest.mark.parametrize("word, ids", AMBIGUOUS.items(), ids=AMBIGUOUS.keys())
def test_a_word_with_two_meanings_is_never_guessed(cli, journal, word, ids):
    result = cli("log", "--pain", "3", "--symptom", word)
    assert result.exit_code == 2
    for sid in ids:
        assert sid in result.stderr
    assert not journal.exists()


@pytest.mark.parametrize("typed, first", [("reddness", "incision-redness"),
                                          ("numbnes", "leg-numbness"),
                                          ("shiverring", "chills"),
                                          ("bladdr", "bladder-change"),
                                          ("tinglin legs", "leg-tingling"),
                                          # one known word in a phrase is enough
                                          ("hurts to pee", "bladder-change"),
                                          ("cant wee properly", "bladder-change"),
                                          ("my wound is weepy", "incision-drainage"),
                                          ("sore wound area", "incision-soreness"),
                                          ("numb foot", "leg-numbness"),
                                          ("feeling sicky", "nausea"),
                                          # a whole alias outranks a word shared by chance
                                          ("pus coming out", "incision-drainage"),
                                          ("pins and needles in feet", "leg-tingling")])
def test_suggestions_are_ranked_by_the_words_typed(cli, journal, typed, first):
    result = cli("log", "--pain", "3", "--symptom", typed)
    assert result.exit_code == 2 and not journal.exists()
    assert f"did you mean {first}" in result.stderr
    assert result.stderr.strip().endswith("Nothing was changed.")


@pytest.mark.parametrize("typed, sid", [("cant pee", "bladder-change"), ("pee", "bladder-change"),
                                       ("wee", "bladder-change"),
                                       ("wet wound", "incision-drainage"),
                                       ("oozing", "incision-drainage"),
                                       ("weeping", "incision-drainage")])
def test_everyday_words_for_the_signs_are_accepted(cli, typed, sid):
    ok(cli("log", "--pain", "3", "--symptom", typed))
    assert json.loads(ok(cli("show", "today", "--json")).stdout)["symptoms"] == [sid]


def test_a_wound_is_asked_about_never_guessed(cli, journal):
    result = cli("log", "--pain", "3", "--symptom", "wound")
    assert result.exit_code == 2 and not journal.exists()
    assert "incision-redness" in result.stderr and "incision-drainage" in result.stderr


def test_a_word_nothing_comes_close_to_gets_no_suggestion(cli, journal):
    result = cli("log", "--pain", "3", "--symptom", "xyzzy")
    assert result.exit_code == 2 and "no symptom comes close" in result.stderr


@given(st.sampled_from(sorted(cat.ALIASES)))
def test_every_alias_resolves_or_names_all_its_candidates(key):
    ids = cat.ALIASES[key]
    word = key.replace("-", " ")
    if len(ids) == 1:
        assert cat.parse_symptom(word) == ids[0]
    else:
        with pytest.raises(cat.AmbiguousSymptom) as exc:
            cat.parse_symptom(word)
        assert set(exc.value.candidates) == set(ids)
        assert all(sid in str(exc.value) for sid in ids)


# Symptoms present before the implant ----------------------------------------------------------


def test_baseline_symptoms_in_the_profile(cli, cli_json):
    ok(cli("profile", "--baseline-symptom", "leg-numbness", "--baseline-symptom", "headache"))
    ok(cli("profile", "--baseline-symptom", "numb"))  # plain words too; adds, no repeats
    assert cli_json("profile")["baseline_symptoms"] == ["leg-numbness", "headache"]
    assert "before the implant" in ok(cli("profile")).stdout
    ok(cli("profile", "--clear", "baseline-symptoms"))
    assert cli_json("profile")["baseline_symptoms"] is None


@pytest.mark.parametrize("sid", [s.id for s in cat.SYMPTOMS if "EMERGENCY" in s.alone])
def test_emergency_items_cannot_be_baseline(cli, journal, sid):
    result = cli("profile", "--baseline-symptom", sid)
    assert result.exit_code == 2
    assert "emergency sign" in result.stderr and sid in result.stderr
    assert not journal.exists()


KNOWN = ["leg-numbness", "leg-tingling", "difficulty-walking", "bladder-change", "headache",
         "stiff-neck", "incision-redness", "itching"]


@pytest.mark.parametrize("sid", KNOWN)
def test_a_known_symptom_alone_is_routine_and_worse_gets_its_full_urgency(cli, cli_json, sid):
    ok(cli("profile", "--baseline-symptom", sid, "--drug", "baclofen"))
    alone = cat.assess([sid], None, days_ago(0), cat.Context(drugs=frozenset("B")))
    text = panel(ok(cli("log", "--pain", "3", "--symptom", sid)))
    assert text.startswith("[i] ROUTINE") and "before the implant" in text
    assert cli_json("show", "today")["flags"][0]["rule"] == "W-BASE"
    ok(cli("log", "--pain", "3", "--date", "yesterday", "--worse", sid))
    shown = cli_json("show", "yesterday")
    assert shown["worse"] == [sid] and shown["symptoms"] == [sid]
    assert shown["flags"][0]["urgency"] == cat.top_urgency(alone).name


def test_a_known_symptom_still_counts_in_combinations(cli):
    ok(cli("profile", "--baseline-symptom", "stiff-neck", "--baseline-symptom",
           "leg-numbness"))
    text = panel(ok(cli("log", "--pain", "3", "--symptom", "stiff-neck", "--symptom",
                        "fever")))
    assert text.startswith("[!!] EMERGENCY") and "W-MEN" in text
    text = panel(ok(cli("log", "--pain", "3", "--date", "yesterday", "--symptom",
                        "leg-numbness", "--symptom", "leg-weakness")))
    assert text.startswith("[!] URGENT") and "W-NEURO" in text


@pytest.mark.parametrize("other", [["--symptom", "fever"], ["--symptom", "constipation"],
                                   ["--temperature", "38.6"]], ids=" ".join)
def test_a_known_symptom_logged_with_another_sign_counts_in_full(cli, cli_json, other):
    """Only logged alone is a known symptom softened to W-BASE; beside a new sign it counts."""
    ok(cli("profile", "--baseline-symptom", "leg-numbness"))
    ok(cli("log", "--pain", "3", "--symptom", "leg-numbness", *other))
    rules = {f["rule"]: f["urgency"] for f in cli_json("show", "today")["flags"]}
    assert rules.get("W-NEURO") == "URGENT" and "W-BASE" not in rules


# Panels a person can act on -------------------------------------------------------------------

SIGNS = [s.id for s in cat.SYMPTOMS]


@given(st.lists(st.sampled_from(SIGNS), min_size=1, max_size=8, unique=True),
       st.sampled_from([None, 38.6, 37.0]), st.sampled_from(["", "B", "O", "Z"]))
def test_an_urgent_panel_fits_or_ends_with_its_headline(items, temperature, drugs):
    ctx = cat.Context(drugs=frozenset(drugs), drugs_known=bool(drugs))
    flags = cat.assess(items, temperature, days_ago(0), ctx)
    top = cat.top_urgency(flags)
    if top is None or top < cat.Urgency.ROUTINE:
        return
    profile = {"emergency_number": "911"}
    lines = render.panel_lines(flags, days_ago(0), temperature, ctx, profile, 76)
    head = render.headline(top, profile)
    assert lines[0] == head
    if top >= cat.Urgency.URGENT:
        assert len(lines) + 2 <= render.PANEL_LINES or lines[-1] == head
        what = " ".join(lines).split("What to do:")[1].split("Why:")[0]
        assert "Expected for a few days" not in what
    # one action: "contact your care team right away" at most once besides the headline
    body = " ".join(" ".join(lines[1:-1] if lines[-1] == head else lines[1:]).split())
    assert body.lower().count("contact your care team right away") <= 1
    assert "[-] Expected" not in body


@pytest.mark.parametrize("sid", ["withdrawal-feeling", "spasms-return", "stiff-neck"])
def test_no_side_effect_words_for_signs_that_are_not_side_effects(cli, sid):
    text = panel(ok(cli("log", "--pain", "3", "--symptom", sid)))
    assert text.startswith("[i] ROUTINE")
    assert "side effect" not in text


def test_why_lines_name_the_sign_they_are_about(cli):
    text = panel(ok(cli("log", "--pain", "3", "--symptom", "fever", "--symptom",
                        "hallucinations")))
    assert "Why: Fever: your clinic's aftercare advice lists this" in text
    assert "Hallucinations: pump and medicine safety information lists this" in text


def test_at_80_columns_the_emergency_headline_is_the_last_line(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    ok(cli("profile", "--emergency-number", "911"))
    result = ok(cli("log", "--pain", "6", "--symptom", "fever", "--symptom", "headache",
                    "--symptom", "stiff-neck", "--symptom", "leg-tingling",
                    "--temperature", "101.2"))
    lines = result.stdout.strip().splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "[!!] EMERGENCY: Call emergency services now (911)" in lines[-2]
    assert "[!!] EMERGENCY: Call emergency services now (911)" in lines[2]
    assert "What to do: Call emergency services now (911)" in plain(result.stdout)


def test_edit_that_adds_a_sign_shows_the_panel(cli):
    ok(cli("log", "--pain", "3"))
    result = ok(cli("edit", "today", "--symptom", "leg-numbness"))
    assert "leg-numbness" in result.stdout
    assert plain(result.stdout).split("leg-numbness", 1)[1].strip().startswith("[!] URGENT")
    assert NOT_ADVICE in plain(result.stdout)
    as_json = ok(cli("edit", "today", "--symptom", "cannot-walk", "--json"))
    assert json.loads(as_json.stdout)["flags"][0]["urgency"] == "EMERGENCY"
    assert "[!!] EMERGENCY" in as_json.stderr
    quiet = ok(cli("edit", "today", "--note", "evening"))
    assert "[!" not in quiet.stdout  # a note alone does not repeat the panel


def test_show_json_puts_the_panel_on_stderr(cli):
    ok(cli("log", "--pain", "3", "--symptom", "fever"))
    result = ok(cli("show", "today", "--json"))
    assert json.loads(result.stdout)["flags"]
    assert "[!] URGENT" in result.stderr and "[!] URGENT" not in result.stdout
    assert "[!] URGENT" in ok(cli("show", "today")).stdout


def test_soreness_without_a_surgery_date_says_how_to_record_it(cli):
    text = panel(ok(cli("log", "--pain", "3", "--symptom", "incision-soreness")))
    assert text.startswith("[i] ROUTINE")
    assert "pumpjournal profile --implant-date DATE" in text


def test_a_very_low_temperature_is_questioned(cli, cli_json):
    result = ok(cli("log", "--pain", "3", "--temperature", "30"))
    assert "very low" in result.stderr and "measure again" in result.stderr
    assert cli_json("show", "today")["temperature_c"] == 30.0
    assert "very low" not in ok(cli("log", "--pain", "3", "--date", "yesterday",
                                    "--temperature", "36.4")).stderr


# The care team answer -------------------------------------------------------------------------


def test_contacted_is_recorded_kept_and_corrected(cli, cli_json):
    ok(cli("log", "--pain", "4", "--symptom", "incision-redness", "--contacted", "yes"))
    assert cli_json("show", "today")["contacted"] is True
    ok(cli("log", "--pain", "3", "--note", "evening"))  # a later update keeps the yes
    assert cli_json("show", "today")["contacted"] is True
    ok(cli("edit", "today", "--contacted", "no"))
    assert cli_json("show", "today")["contacted"] is False
    ok(cli("edit", "today", "--clear", "contacted"))
    assert cli_json("show", "today")["contacted"] is None
    bad = cli("log", "--pain", "3", "--contacted", "maybe")
    assert bad.exit_code == 2 and "yes or no" in bad.stderr


def test_the_text_summary_shows_the_answers(cli):
    ok(cli("log", "--pain", "4", "--symptom", "fever", "--contacted", "yes",
           "--date", "yesterday"))
    ok(cli("log", "--pain", "4", "--symptom", "fever", "--contacted", "no"))
    text = plain(ok(cli("summary", "--since", "3 days ago")).stdout)
    assert f"Contacted the care team: {iso(1)}: yes; {iso(0)}: no" in text


@pytest.mark.parametrize("answer, level, expected, never", [
    (False, cat.Urgency.EMERGENCY, "Call emergency services now (911)", "Please contact"),
    (False, cat.Urgency.URGENT, "Contact your care team right away", "next visit"),
    (False, cat.Urgency.ROUTINE, "Mention it at your next visit", "call"),
    (True, cat.Urgency.ROUTINE, "Saved for your visit summary.", "call"),
])
def test_the_reply_never_gives_weaker_advice(answer, level, expected, never):
    items = {cat.Urgency.EMERGENCY: ["seizure"], cat.Urgency.URGENT: ["fever"],
             cat.Urgency.ROUTINE: ["constipation"]}[level]
    flags = check(items, None, days_ago(0)).flags
    reply = render.contacted_reply(flags, {"emergency_number": "911"}, answer)
    assert expected in reply and never not in reply.lower().replace("call emergency", "")


def test_read_only_errors_do_not_say_nothing_was_changed(cli):
    for args in (["show", "yesterday"], ["list", "--since", "soon"], ["flags", "--since", "x"],
                 ["summary", "--since", "x"]):
        result = cli(*args)
        assert result.exit_code == 2, args
        assert "Nothing was changed" not in result.stderr, args
    assert "Nothing was changed" in cli("log", "--pain", "x").stderr


def test_the_check_is_a_library_step_that_needs_no_journal():
    from datetime import date

    from pumpjournal import check as check_signs

    day = date(2026, 11, 25)
    alone = check_signs(["fever", "stiff-neck"], None, day)
    assert alone.top is cat.Urgency.EMERGENCY and not alone.complete
    assert "were not checked" in alone.notes()[0]
    known = check_signs(["leg-numbness"], None, day,
                        profile={"baseline_symptoms": ["leg-numbness"]}, history=[])
    assert known.complete and [f.rule for f in known.flags] == ["W-BASE"]
    worse = check_signs(["leg-numbness"], None, day, ["leg-numbness"],
                        profile={"baseline_symptoms": ["leg-numbness"]})
    assert worse.top is cat.Urgency.URGENT
    with_drug = check_signs(["itching"], None, day, profile={"drugs": ["baclofen"]})
    assert with_drug.top is cat.Urgency.URGENT
    assert check_signs(["itching"], None, day).top is cat.Urgency.ROUTINE


def test_a_refused_edit_shows_the_valid_signs_and_changes_nothing(cli, journal):
    ok(cli("profile", "--drug", "baclofen"))
    ok(cli("log", "--pain", "3"))
    before = snapshot(journal)
    result = cli("edit", "today", "--symptom", "itching", "--pain", "11")
    assert result.exit_code == 2
    text = plain(result.stdout)
    assert text.startswith("[!] URGENT") and "W-WD-BAC" in text  # the profile was used
    assert "typed alone" not in text
    assert snapshot(journal) == before


@given(st.sampled_from(SIGNS), st.data())
def test_an_id_with_a_letter_missing_is_suggested_first(sid, data):
    spot = data.draw(st.integers(0, len(sid) - 1))
    typo = sid[:spot] + sid[spot + 1:]
    if cat.lookup(typo):
        return
    with pytest.raises(cat.UnknownSymptom) as exc:
        cat.parse_symptom(typo)
    assert exc.value.suggestions[0] == sid


# The not-medical-advice line names the profile's emergency number ---------------------------

SCREENS_WITH_THE_LINE = [  # every command that ends with the line for one person
    ("log", "--pain", "3", "-s", "fever", "--date", iso(1)),
    ("list",), ("flags",), ("summary",), ("show", iso(1)), (),
    ("event", "add", "mri", "--date", iso(-10)),
    ("report", "--format", "txt", "--output", "-"),
    ("report", "--format", "md", "--output", "-"),
    ("report", "--format", "html", "--output", "-"),
]


@pytest.mark.parametrize("args", SCREENS_WITH_THE_LINE, ids=" ".join)
@pytest.mark.parametrize("number", ["911", "112"])
def test_the_not_advice_line_names_the_emergency_number(cli, args, number):
    ok(cli("profile", "--emergency-number", number))
    ok(cli("log", "--pain", "3", "-s", "fever", "--date", iso(1)))
    said = plain(ok(cli(*args)).stdout.replace("**", ""))
    assert f"not medical advice; in an emergency call {number}." in said
    assert "your local emergency number" not in said.split("not medical advice")[-1][:60]


def test_without_a_number_the_line_says_the_local_number(cli):
    ok(cli("log", "--pain", "3", "-s", "fever"))
    assert NOT_ADVICE in plain(ok(cli("flags")).stdout)


# Plain names on the screens that list episodes; the on-call number only where known --------

NAMED = [  # (symptoms logged, the ids kept in --json, the plain names shown)
    (["stiff-neck", "fever"], ["fever", "stiff-neck"], ["fever, stiff neck"]),
    (["difficulty-walking"], ["difficulty-walking"], ["difficulty walking"]),
    (["incision-redness", "leg-numbness"], ["incision-redness"], ["incision redness"]),
]


@pytest.mark.parametrize("symptoms, ids, names", NAMED)
def test_flags_and_status_name_items_in_plain_words(cli, monkeypatch, symptoms, ids, names):
    monkeypatch.setenv("COLUMNS", "80")
    ok(cli("log", "--pain", "3", *[x for s in symptoms for x in ("-s", s)]))
    found = json.loads(ok(cli("flags", "--json")).stdout)
    assert any(set(ids) <= set(ep["items"]) for ep in found)
    for screen in (ok(cli("flags")).stdout, ok(cli()).stdout, ok(cli("summary")).stdout):
        listed = [line for line in screen.splitlines() if "[!" in line or "[i]" in line]
        for sid in (s for s in symptoms if "-" in s):
            assert not any(f" {sid}" in line or f":{sid}" in line for line in listed), screen
        for name in names:
            assert name in plain(screen)


@pytest.mark.parametrize("numbers, said, unsaid", [
    (["--care-phone", "555-0142"], "Ask your clinic for its after-hours number.",
     "use the on-call number"),
    ([], "Ask your clinic for its after-hours number.", "use the on-call number"),
    (["--after-hours-phone", "555-0199"], "After hours, use the on-call number (555-0199).", None),
])
def test_the_on_call_number_is_offered_only_when_known(cli, numbers, said, unsaid):
    if numbers:
        ok(cli("profile", *numbers))
    for out in (ok(cli("log", "--pain", "3", "-s", "incision-redness")).stdout,
                ok(cli("flags")).stdout, ok(cli("show", "today")).stdout):
        assert said in plain(out)
        assert unsaid is None or unsaid not in plain(out)
