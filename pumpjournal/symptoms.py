"""The symptom checklist and the warning-sign rules, as data plus pure functions.

Everything here comes from the clinical catalogue (version 1); every rule names its source ids
(``seed`` is the clinic's aftercare page, S1..S43 are listed in the README). pumpjournal never
diagnoses: a flag says what was logged, that a source lists it as a warning sign, and what the
source advises (contact the care team, or call emergency services).
"""

from __future__ import annotations

import difflib
import os
from collections import Counter
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import IntEnum
from typing import Iterable

from .errors import InputError
from .escape import quote

NOT_ADVICE = ("pumpjournal is not medical advice; "
              "in an emergency call your local emergency number.")


def emergency_number(profile: dict | None) -> str:
    """The profile's emergency number, or words that stand for the local one."""
    return str((profile or {}).get("emergency_number") or "").strip() or \
        "your local emergency number"


def not_advice(profile: dict | None = None) -> str:
    """The not-medical-advice line, naming the profile's emergency number when it has one."""
    return f"pumpjournal is not medical advice; in an emergency call {emergency_number(profile)}."


class Urgency(IntEnum):
    EXPECTED = 0
    ROUTINE = 1
    URGENT = 2
    EMERGENCY = 3

    @property
    def symbol(self) -> str:
        return SYMBOLS[self]

    @property
    def headline(self) -> str:
        return HEADLINES[self]


SYMBOLS = {Urgency.EMERGENCY: "[!!]", Urgency.URGENT: "[!]", Urgency.ROUTINE: "[i]",
           Urgency.EXPECTED: "[-]"}
HEADLINES = {Urgency.EMERGENCY: "Call emergency services now",
             Urgency.URGENT: "Contact your care team right away",
             Urgency.ROUTINE: "Mention this to your care team",
             Urgency.EXPECTED: "Recorded"}


@dataclass(frozen=True)
class Symptom:
    id: str
    label: str
    category: str
    alone: str  # the catalogue's "Alone" column: urgency when logged by itself
    rules: tuple[str, ...]
    snomed: str = ""

    @property
    def warning_sign(self) -> bool:
        """URGENT or EMERGENCY in some case: alone, with other signs, a drug or the watch."""
        return bool(warning_sign_when(self.id))


def _s(id, label, category, alone, rules, snomed=""):
    return Symptom(id, label, category, alone, tuple(rules.split(", ")), snomed)


# The catalogue's section 2, in its order; the daily prompt asks the first 14.
SYMPTOMS: tuple[Symptom, ...] = (
    _s("incision-redness", "Redness around an incision", "infection", "URGENT", "W-INF"),
    _s("incision-swelling", "Swelling around an incision", "infection", "URGENT", "W-INF"),
    _s("incision-drainage", "Fluid or pus leaking from an incision", "infection", "URGENT",
       "W-INF"),
    _s("fever", "Fever, or you feel feverish or hot", "infection", "URGENT",
       "W-INF, W-TEMP, W-MEN, W-WD-BAC", "386661006"),
    _s("chills", "Chills or shivering", "infection", "URGENT", "W-INF", "43724002"),
    _s("leg-numbness", "New or worse numbness in one or both legs", "neurological", "URGENT",
       "W-NEURO", "44077006 (broader)"),
    _s("leg-tingling", "New or worse tingling or pins and needles in the legs", "neurological",
       "URGENT", "W-NEURO, W-WD-BAC"),
    _s("leg-weakness", "New or worse weakness in the legs", "neurological", "URGENT", "W-NEURO",
       "26544005 (broader)"),
    _s("difficulty-walking", "New trouble walking: unsteady, legs giving way", "neurological",
       "URGENT", "W-NEURO"),
    _s("bladder-change", "New change in bladder control: leaking, or trouble passing urine",
       "neurological", "URGENT", "W-NEURO"),
    _s("bowel-change", "New change in bowel control: leaking, or not feeling the need to go",
       "neurological", "URGENT", "W-NEURO"),
    _s("incision-soreness", "Mild soreness, tenderness or pressure at an incision", "recovery",
       "EXPECTED to day 7, then ROUTINE", "W-SORE"),
    _s("headache", "Headache", "neurological", "combo; ROUTINE", "W-MEN, W-INF, W-SIDE",
       "25064002"),
    _s("nausea", "Feeling sick (nausea)", "medication", "ROUTINE", "W-SIDE, W-CSF", "422587007"),
    _s("incision-warmth", "An incision feels warm or hard", "infection", "URGENT", "W-INF"),
    _s("incision-pain-worse", "Pain at an incision that is getting worse, not better",
       "infection", "URGENT", "W-INF"),
    _s("refill-pain", "Pain during a refill that earlier refills didn't cause", "infection",
       "URGENT", "W-INJ"),
    _s("cannot-walk", "Suddenly unable to walk or stand", "neurological", "EMERGENCY",
       "W-NEURO-SEVERE", "282145008 (broader)"),
    _s("headache-upright", "Headache that is worse sitting or standing and eases lying flat",
       "neurological", "URGENT", "W-CSF, W-MEN, W-INF", "25064002 (broader)"),
    _s("stiff-neck", "Stiff neck: it hurts to put your chin to your chest", "neurological",
       "combo; ROUTINE", "W-MEN, W-SIDE", "161882006"),
    _s("light-sensitivity", "Bright light hurts your eyes", "neurological", "combo; ROUTINE",
       "W-MEN, W-SIDE"),
    _s("vomiting", "Vomiting (being sick)", "medication", "combo; ROUTINE", "W-MEN, W-CSF, W-SIDE",
       "422400008"),
    _s("confusion", "New confusion, muddled thinking or memory trouble", "neurological",
       "URGENT; baclofen: EMERGENCY", "W-MEN, W-WD-BAC, W-ZIC, W-ANY"),
    _s("hallucinations", "Seeing or hearing things that aren't there", "neurological", "URGENT",
       "W-ZIC, W-ANY"),
    _s("seizure", "A seizure (fit)", "neurological", "EMERGENCY", "W-OD", "91175000"),
    _s("very-sleepy", "Very sleepy, or hard to wake up", "medication", "EMERGENCY",
       "W-OD, W-MEN", "3006004 (broader)"),
    _s("slow-breathing", "Slow or shallow breathing (under about 10 breaths a minute)",
       "medication", "EMERGENCY", "W-OD"),
    _s("passing-out", "Fainted or passed out", "medication", "EMERGENCY", "W-OD",
       "3006004 (broader)"),
    _s("dizziness-worsening", "Dizziness or light-headedness that keeps getting worse",
       "medication", "EMERGENCY", "W-OD", "404640003 (broader)"),
    _s("dizziness", "Dizzy or light-headed", "medication",
       "ROUTINE; within 48 h of an implant, trial start, refill, dose change or surgery: URGENT",
       "W-SIDE, W-WATCH", "404640003"),
    _s("drowsy", "Sleepier than usual, but easy to wake", "medication",
       "ROUTINE; within 48 h of an implant, trial start, refill, dose change or surgery: URGENT",
       "W-SIDE, W-WATCH"),
    _s("itching", "Itching without a rash", "medication", "ROUTINE; baclofen: URGENT",
       "W-SIDE, W-WD-BAC"),
    _s("spasms-return", "Muscle stiffness or spasms coming back or worse", "medication",
       "ROUTINE; baclofen: URGENT", "W-WD-BAC, W-MASS, W-SIDE"),
    _s("rigid-muscles", "Muscles suddenly very stiff or rigid", "medication",
       "URGENT; baclofen: EMERGENCY", "W-WD-BAC, W-ANY"),
    _s("withdrawal-feeling",
       "Pain coming back, with withdrawal-like feelings (sweaty, restless, runny nose)",
       "medication", "opioid: URGENT; else ROUTINE", "W-WD-OPI, W-SIDE"),
    _s("mood-change", "Big change in mood: low, anxious, irritable", "medication",
       "ROUTINE; ziconotide: URGENT", "W-ZIC, W-SIDE", "106131003"),
    _s("constipation", "Constipation", "medication", "ROUTINE", "W-SIDE", "14760008"),
    _s("leg-swelling", "Swollen feet, ankles or legs", "medication", "ROUTINE", "W-SIDE"),
    _s("sexual-change", "Change in sex drive, erections or periods", "medication", "ROUTINE",
       "W-SIDE"),
    _s("pump-alarm", "Your pump beeped or sounded an alarm", "device", "URGENT", "W-ALARM"),
    _s("relief-fading", "Pain relief from the pump fading, even after a dose increase",
       "device", "ROUTINE", "W-MASS"),
    _s("new-pain", "New or different pain, in a new place or of a new kind", "general",
       "ROUTINE", "W-MASS"),
)
BY_ID = {s.id: s for s in SYMPTOMS}
DAILY = SYMPTOMS[:14]


@dataclass(frozen=True)
class Rule:
    id: str
    origin: str  # SEED (the clinic's page), EXT (other sources) or H (a tool heuristic)
    advice: dict  # Urgency -> advice text
    sources: tuple[str, ...]
    why: str = ""


# Each rule in a few plain words, for a clinician reading a rule code in a report.
RULE_NAMES = {
    "W-INF": "signs of infection", "W-NEURO": "new nerve or spinal cord signs",
    "W-SORE": "incision soreness", "W-TEMP": "temperature at or above the fever line",
    "W-NEURO-SEVERE": "sudden inability to walk or stand",
    "W-MEN": "signs that together can mean meningitis",
    "W-CSF": "signs of a spinal fluid leak", "W-INJ": "pain during a refill",
    "W-OD": "signs of too much medicine",
    "W-WATCH": "signs within 48 h of an implant, refill or dose change",
    "W-WD-BAC": "signs of baclofen withdrawal", "W-WD-OPI": "signs of opioid withdrawal",
    "W-ZIC": "ziconotide mental or mood effects", "W-ANY": "unexplained mental or muscle signs",
    "W-MASS": "pain relief fading or new pain (catheter tip mass)",
    "W-TREND": "average pain rising since the last visit",
    "W-SIDE": "a change to tell the care team about",
    "W-ALARM": "a pump alarm", "W-REFILL": "refill due or overdue", "W-BASE": "a known symptom",
    "W-MRI": "an MRI planned",
}


_SEED_WHY = "your clinic's aftercare advice lists {this} as {a}warning sign{s}."
_EXT_WHY = "pump and medicine safety information lists {this} as {a}warning sign{s}."
_U, _E, _R, _X = Urgency.URGENT, Urgency.EMERGENCY, Urgency.ROUTINE, Urgency.EXPECTED
_CALL = "Call emergency services now. Say you have an intrathecal pump"

RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("W-INF", "SEED", {_U: "Contact your care team right away, today. "
                               "After hours, use the on-call number."}, ("seed", "S1-S3", "S44")),
    Rule("W-NEURO", "SEED", {_U: "Contact your care team right away. If it came on suddenly or "
                                 "is getting worse fast, call emergency services."},
         ("seed", "S6", "S7", "S9")),
    Rule("W-SORE", "SEED", {
        _X: "Expected for a few days after surgery.",
        _R: "Mention it to your care team, sooner if it gets worse. Soreness usually settles "
            "within a week. Redness, swelling, fluid, fever, chills or incision pain that "
            "gets worse need a call right away."},
         ("seed",), why="your clinic's aftercare advice expects soreness for a few days and "
                        "recovery within about a week."),
    Rule("W-TEMP", "EXT", {_U: "Contact your care team right away: your temperature is at or "
                               "above {threshold}."}, ("S17", "S18")),
    Rule("W-NEURO-SEVERE", "EXT", {_E: _CALL + "."}, ("S6", "S7", "S9")),
    Rule("W-MEN", "EXT", {_E: _CALL + " and which medicine is in it. Then let your care team "
                              "know."}, ("S2", "S4", "S5", "S17", "S18"),
         why="pump and medicine safety information lists these together as warning signs of "
             "meningitis, an infection around the brain and spinal cord."),
    Rule("W-CSF", "EXT", {_U: "Contact your care team right away. Say the headache changes when "
                              "you sit up or lie down."}, ("S2", "S5", "S16")),
    Rule("W-INJ", "EXT", {_U: "Contact your care team right away. New pain during a refill can "
                              "be an early sign of infection."}, ("S9",)),
    Rule("W-OD", "EXT", {_E: "Call emergency services now. Say you have a pump and which "
                             "medicine is in it. Someone should stay with you."},
         ("S10", "S11", "S12", "S13")),
    Rule("W-WATCH", "H", {_U: "Contact your care team right away. If you get sleepier or your "
                              "breathing slows, call emergency services. Sleeping pills and "
                              "anxiety medicines add to the risk."},
         ("S10", "S11", "H: 48 h, URGENT step")),
    Rule("W-WD-BAC", "EXT", {
        _U: "Contact your care team right away: stopping baclofen suddenly can turn dangerous.",
        _E: "Call emergency services now; say it's a baclofen pump."},
         ("S2", "S12", "S14", "S15")),
    Rule("W-WD-OPI", "EXT", {_U: "Contact your care team right away. Say your pain is back along "
                                 "with withdrawal-like symptoms."}, ("S10", "S19")),
    Rule("W-ZIC", "EXT", {_U: "Contact your care team right away. If it is severe, or you think "
                              "of harming yourself, call emergency services."}, ("S20",)),
    Rule("W-ANY", "H", {_U: "Contact your care team right away. If it is severe, call emergency "
                            "services."}, ("S14", "S20")),
    Rule("W-MASS", "EXT", {
        _R: "Mention it at your next visit.",
        _U: "Contact your care team right away about the pain change and the leg, bladder or "
            "bowel change together."}, ("S6", "S7", "S8")),
    Rule("W-TREND", "H", {_R: "Mention at your next visit that your average pain is up {rise} "
                              "since {date}."}, ("S26",)),
    Rule("W-SIDE", "EXT", {_R: "Note it for your next visit; call sooner if it bothers you a lot "
                               "or gets worse."}, ("S8", "S10", "S16", "S31"),
         why="pump and medicine information lists {this} as {a}possible side effect{s} to "
             "mention."),
    Rule("W-ALARM", "EXT", {_U: "Call your care team now, even if the alarm stopped. A critical "
                                "alarm (Medtronic: two tones for 3 seconds) means the medicine "
                                "has stopped or soon will."}, ("S21", "S22")),
    Rule("W-REFILL", "EXT", {
        _R: "Check that your refill on {date} is booked; never let the pump run empty.",
        _U: "Your refill was due on {date}: contact your care team today; never let the pump "
            "run empty."}, ("S14", "S21", "S23")),
    Rule("W-BASE", "H", {_R: "Mention it at your next visit. If it is worse than usual, log it "
                             "as worse (at the question, or with --worse ID) and follow that "
                             "advice."}, ("H: baseline noted by the care team",),
         why="your care team noted {this} before the implant, and you did not mark {it} as "
             "worse than usual."),
    Rule("W-MRI", "EXT", {
        _R: "Tell the MRI staff about your pump and show your pump card.",
        _U: "Tell the MRI staff about your pump and show your pump card. Contact your care team "
            "before the scan; some pumps must be emptied first."}, ("S9", "S24")),
)}

# Drug names recorded in the profile -> the catalogue's tags (B baclofen, O opioid, Z ziconotide).
DRUG_TAGS = {
    "baclofen": "B", "lioresal": "B", "gablofen": "B",
    "morphine": "O", "infumorph": "O", "duramorph": "O", "mitigo": "O", "hydromorphone": "O",
    "dilaudid": "O", "fentanyl": "O", "sufentanil": "O", "methadone": "O", "meperidine": "O",
    "ziconotide": "Z", "prialt": "Z",
}

# Pump makers and models the catalogue knows, by the words that name them -> whether the pump
# must be emptied before an MRI (W-MRI; S9, S24). A make that names none of them is unknown.
PUMP_MAKERS = {"medtronic": False, "synchromed": False, "isomed": False,
               "flowonix": True, "prometra": True}


def pump_make_known(make: str | None) -> bool:
    """Does the recorded make name a maker the catalogue knows ("not sure", "?" do not)?"""
    text = "".join(ch for ch in str(make or "").lower() if ch.isalnum())
    return any(word in text for word in PUMP_MAKERS)


def mri_needs_care_team(make: str | None) -> bool:
    """W-MRI is URGENT for a pump that must be emptied first, and for an unknown make."""
    text = "".join(ch for ch in str(make or "").lower() if ch.isalnum())
    return not pump_make_known(make) or any(word in text for word, empty in
                                            PUMP_MAKERS.items() if empty)


# Medicines used in pumps that have no warning-sign rules of their own in the catalogue.
OTHER_DRUGS = ("bupivacaine", "clonidine", "ropivacaine")
KNOWN_DRUGS = tuple(sorted(set(DRUG_TAGS) | set(OTHER_DRUGS)))


def known_drug(name: str) -> bool:
    return any(word in KNOWN_DRUGS for word in normalise_id(name).split("-"))


INFECTION = ("incision-redness", "incision-swelling", "incision-drainage", "fever", "chills",
             "incision-warmth", "incision-pain-worse")
NEURO = ("leg-numbness", "leg-tingling", "leg-weakness", "difficulty-walking", "bladder-change",
         "bowel-change")
LOOK_BACK = timedelta(days=7)  # the 7-day rules (W-NEURO, W-MASS, W-TREND) look back this far
FEVER_C = 38.0  # the fever line when the care team set none (°C)
# W-MASS: a leg, bladder or bowel sign in the last 7 days; suddenly unable to walk is the
# stronger sign of the same kind, so it counts too (a documented choice, catalogue §3)
NEURO_FOR_MASS = NEURO + ("cannot-walk",)
OVERDOSE = ("very-sleepy", "slow-breathing", "passing-out", "dizziness-worsening", "seizure")
_HEADACHES = {"headache", "headache-upright"}
_MEN_WITH_FEVER = {"stiff-neck", "light-sensitivity", "confusion", "very-sleepy"}
_BAC_WITHDRAWAL = {"itching", "leg-tingling", "spasms-return", "fever", "confusion",
                   "rigid-muscles"}
_SIDE = {"headache", "nausea", "stiff-neck", "light-sensitivity", "vomiting", "dizziness",
         "drowsy", "itching", "spasms-return", "withdrawal-feeling", "mood-change",
         "constipation", "leg-swelling", "sexual-change"}
_WATCH_FOR_MEN = ("With fever and a headache, call emergency services if you also get a stiff "
                  "neck, bright light hurting your eyes, vomiting, confusion or great sleepiness.")
TEMPERATURE = "temperature"  # the pseudo-item for a logged temperature in a flag's items
LOW_TEMPERATURE = "low-temperature"


def baclofen_signs_text() -> str:
    """The W-WD-BAC signs in words, from the rule's own items (for the refill reminder)."""
    signs = [label(i) for i in sorted(_BAC_WITHDRAWAL, key=_item_order)]
    return "With baclofen, watch for these signs: " + "; ".join(signs) + "."


def normalise_id(text: str) -> str:
    return text.strip().lower().replace("_", "-").replace(" ", "-")


def _word_key(text: str) -> str:
    """A typed phrase as a lookup key: lower case, one '-' between words, plain apostrophes."""
    text = text.strip().lower().replace("\u2019", "'").replace("_", " ").replace("-", " ")
    return "-".join(text.split())


# The plain words people use for the checklist's items. A word that could mean more than one
# item lists them all: it is never guessed, the person is asked which (or told the ids).
ALIASES: dict[str, tuple[str, ...]] = {_word_key(word): tuple(ids.split()) for word, ids in (
    ("redness", "incision-redness"), ("red", "incision-redness"),
    ("red incision", "incision-redness"), ("red wound", "incision-redness"),
    ("swollen incision", "incision-swelling"), ("swollen wound", "incision-swelling"),
    ("swelling", "incision-swelling leg-swelling"), ("swollen", "incision-swelling leg-swelling"),
    ("drainage", "incision-drainage"), ("pus", "incision-drainage"),
    ("oozing", "incision-drainage"), ("discharge", "incision-drainage"),
    ("weeping wound", "incision-drainage"), ("weeping", "incision-drainage"),
    ("oozing wound", "incision-drainage"), ("wet wound", "incision-drainage"),
    ("leaking wound", "incision-drainage"), ("sore wound", "incision-soreness"),
    ("wound", "incision-redness incision-swelling incision-drainage incision-warmth "
              "incision-pain-worse incision-soreness"),
    ("leaking", "incision-drainage bladder-change bowel-change"),
    ("leak", "incision-drainage bladder-change bowel-change"),
    ("fever", "fever"), ("feverish", "fever"), ("high temperature", "fever"),
    ("temperature", "fever"),
    ("hot", "fever incision-warmth"),
    ("warm incision", "incision-warmth"), ("hard incision", "incision-warmth"),
    ("shivering", "chills"), ("shivers", "chills"), ("shivery", "chills"),
    ("chills", "chills"), ("chill", "chills"), ("rigors", "chills"),
    ("numbness", "leg-numbness"), ("numb", "leg-numbness"), ("numb legs", "leg-numbness"),
    ("tingling", "leg-tingling"), ("tingly", "leg-tingling"),
    ("pins and needles", "leg-tingling"),
    ("weakness", "leg-weakness"), ("weak legs", "leg-weakness"), ("weak", "leg-weakness"),
    ("trouble walking", "difficulty-walking"), ("unsteady", "difficulty-walking"),
    ("legs giving way", "difficulty-walking"),
    ("can't walk", "difficulty-walking cannot-walk"),
    ("cant walk", "difficulty-walking cannot-walk"),
    ("unable to walk", "difficulty-walking cannot-walk"),
    ("bladder", "bladder-change"), ("urine", "bladder-change"),
    ("peeing", "bladder-change"), ("pee", "bladder-change"), ("wee", "bladder-change"),
    ("weeing", "bladder-change"), ("can't pee", "bladder-change"),
    ("cant pee", "bladder-change"), ("bowel", "bowel-change"), ("bowels", "bowel-change"),
    ("incontinence", "bladder-change bowel-change"),
    ("incontinent", "bladder-change bowel-change"),
    ("dizzy", "dizziness"), ("itchy", "itching"), ("constipated", "constipation"),
    ("throwing up", "vomiting"), ("fainted", "passing-out"), ("fainting", "passing-out"),
    ("fit", "seizure"), ("confused", "confusion"), ("alarm", "pump-alarm"),
    ("beeping", "pump-alarm"),
)}


def aliases_of(sid: str) -> list[str]:
    """The plain words accepted for one item (ambiguous words included)."""
    return [word.replace("-", " ") for word, ids in ALIASES.items() if sid in ids]


class AmbiguousSymptom(InputError):
    """A word that could mean several items; ``candidates`` are their ids."""

    def __init__(self, word: str, candidates: tuple[str, ...]):
        self.word, self.candidates = word, tuple(candidates)
        named = ", ".join(f"{c} ({label(c)})" for c in self.candidates)
        super().__init__(f"{quote(word)} could mean more than one symptom: {named}; give the "
                         "id you mean.")


class UnknownSymptom(InputError):
    """A word pumpjournal does not know; ``suggestions`` are the closest ids, best first."""

    def __init__(self, word: str, suggestions: list[str]):
        self.word, self.suggestions = word, list(suggestions)
        hint = (f"did you mean {', '.join(self.suggestions)}?" if self.suggestions
                else "no symptom comes close.")
        super().__init__(f"unknown symptom {quote(word)}; {hint} `pumpjournal symptoms` lists "
                         "them all.")


_STOP = frozenset("a an and or the my in of at on to is i im it feel feeling have has had "
                  "new worse very bit some cant can't cannot dont don't not no".split())


def _vocabulary(symptom: Symptom) -> set[str]:
    words = set(symptom.id.split("-"))
    words |= set(re.findall(r"[a-z']+", symptom.label.lower()))
    for alias in aliases_of(symptom.id):
        words |= set(alias.split())
    return {w for w in words if w not in _STOP and len(w) > 1}


_VOCAB: dict[str, set[str]] = {}


def suggest(text: str, n: int = 3) -> list[str]:
    """The ids closest to the words typed, best first (``redness`` -> incision-redness):
    every word of the phrase is matched against each item's id, label and aliases, and an
    item ranks by the sum of its words' matches, so one known word in a phrase is enough."""
    typed = [w for w in re.findall(r"[a-z']+", text.lower()) if w not in _STOP]
    if not typed:
        return []
    if not _VOCAB:
        _VOCAB.update({s.id: _vocabulary(s) for s in SYMPTOMS})
    # A ratio is at most 2*len(short)/(len(a)+len(b)), so a word more than twice as long as a
    # known one cannot reach 0.7, nor the whole text 0.6 against an id a third its length:
    # those comparisons are skipped, and each distinct word is scored once. The result is the
    # same; a pasted 100,000-letter value or an imported cell of 5,000 words takes
    # milliseconds, not seconds.
    counts = Counter(typed)
    key = _word_key(text)
    phrase = f" {' '.join(re.findall(r'[a-z]+', text.lower()))} "  # a whole alias typed
    # ("pus" in "pus coming out") outranks a word shared by chance ("out": passing out)
    scores = []
    for order, symptom in enumerate(SYMPTOMS):
        vocab = _VOCAB[symptom.id]
        total = 0.0
        for word, times in counts.items():
            best = 0.0
            for known in vocab:
                ratio = difflib.SequenceMatcher(None, word, known).ratio() \
                    if len(word) <= 2 * len(known) else 0.0
                if len(word) >= 3 and len(known) >= 3 and (known.startswith(word)
                                                           or word.startswith(known)):
                    ratio = max(ratio, 0.9)
                elif len(os.path.commonprefix([word, known])) >= 4:  # weepy, weeping
                    ratio = max(ratio, 0.8)
                best = max(best, ratio)
            total += times * best if best >= 0.7 else 0.0
        whole = difflib.SequenceMatcher(None, key, symptom.id).ratio() \
            if len(key) <= 3 * len(symptom.id) else 0.0
        aliases = sum(f" {' '.join(re.findall(r'[a-z]+', a))} " in phrase
                      for a in aliases_of(symptom.id))
        score = total + aliases + (0.2 * whole if whole >= 0.6 else 0.0)
        if total >= 0.7:
            scores.append((-score, order, symptom.id))
    return [sid for *_, sid in sorted(scores)[:n]]


def lookup(text: str) -> tuple[str, ...]:
    """The item ids a typed word or id may mean: one id, several (ambiguous), or none."""
    sid = normalise_id(text)
    if sid in BY_ID:
        return (sid,)
    key = _word_key(text)
    if key in BY_ID:
        return (key,)
    return ALIASES.get(key, ())


def parse_symptom(text: str) -> str:
    """Return the catalogue id for ``text``: an id (``_`` for ``-``, any case) or a plain word
    from ALIASES. A word with several meanings raises AmbiguousSymptom, an unknown one
    UnknownSymptom with the closest ids."""
    found = lookup(text)
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousSymptom(text.strip(), found)
    raise UnknownSymptom(text.strip(), suggest(text))


# Items that can be recorded as present before the implant: never an EMERGENCY sign.
def can_be_baseline(sid: str) -> bool:
    return "EMERGENCY" not in BY_ID[sid].alone


def drug_tags(drugs: Iterable[str]) -> frozenset[str]:
    tags = set()
    for drug in drugs:
        for word in normalise_id(drug).split("-"):
            if word in DRUG_TAGS:
                tags.add(DRUG_TAGS[word])
    return frozenset(tags)


@dataclass(frozen=True)
class Context:
    """What the rules need to know besides the entry itself."""

    day0: date | None = None  # date of the latest implant or pump/catheter surgery
    day0_kind: str = "implant"
    drugs: frozenset[str] = frozenset()  # tags: B, O, Z
    drugs_known: bool = False
    fever_c: float = FEVER_C
    low_c: float | None = None
    watch: bool = False  # within 48 h of an implant, trial start, refill, dose change, surgery
    recent_neuro: bool = False  # a W-NEURO item logged in the 7 days before
    baseline: frozenset[str] = frozenset()  # items the care team noted before the implant


@dataclass(frozen=True)
class Flag:
    rule: str
    urgency: Urgency
    items: tuple[str, ...]  # symptom ids, or TEMPERATURE / LOW_TEMPERATURE
    advice: str

    @property
    def sources(self) -> tuple[str, ...]:
        return RULES[self.rule].sources

    def to_json(self) -> dict:
        return {"rule": self.rule, "urgency": self.urgency.name, "symbol": self.urgency.symbol,
                "items": list(self.items), "advice": self.advice,
                "sources": list(self.sources)}


@dataclass
class _Firing:
    ctx: Context
    flags: list[Flag] = field(default_factory=list)

    def add(self, rule_id: str, urgency: Urgency, items: Iterable[str], advice: str | None = None,
            **fmt) -> None:
        rule = RULES[rule_id]
        text = advice if advice is not None else rule.advice[urgency].format(**fmt)
        ordered = tuple(sorted(set(items), key=_item_order))
        self.flags.append(Flag(rule_id, urgency, ordered, text))


_ORDER = {s.id: n for n, s in enumerate(SYMPTOMS)}


def _item_order(item: str) -> int:
    return _ORDER.get(item, -1)


# W-SIDE items that are not side effects: they can point to too little medicine, a pump or
# catheter problem, or (with other signs) meningitis, so their "Why" stays neutral.
NOT_SIDE_EFFECTS = frozenset({"withdrawal-feeling", "spasms-return", "stiff-neck",
                              "light-sensitivity"})
_NEUTRAL_WHY = ("pump and medicine information lists {this} among the changes to tell your "
                "care team about.")


def why_text(rule: Rule, items: Iterable[str]) -> str:
    """Why a rule fired: where its sign is documented, never a diagnosis."""
    many = len(set(items)) > 1
    template = rule.why or (_SEED_WHY if rule.origin == "SEED" else _EXT_WHY)
    if rule.id == "W-SIDE" and set(items) <= NOT_SIDE_EFFECTS:
        template = _NEUTRAL_WHY
    return template.format(this="these" if many else "this", a="" if many else "a ",
                           s="s" if many else "", it="them" if many else "it")


def why_groups(flags: Iterable[Flag]) -> list[tuple[tuple[str, ...], str]]:
    """(items, reason) for the panel: one reason per wording, naming the items it is about."""
    groups: dict[str, tuple[Rule, list[str]]] = {}
    # a measured temperature is named by the rule it takes part in, before its own W-TEMP
    for flag in sorted(flags, key=lambda f: (-f.urgency, f.rule == "W-TEMP")):
        if flag.urgency <= Urgency.EXPECTED:
            continue
        rule = RULES[flag.rule]
        parts = [(rule.why or rule.origin, list(flag.items))]
        if flag.rule == "W-SIDE":
            parts = [(rule.why, [i for i in flag.items if i not in NOT_SIDE_EFFECTS]),
                     ("neutral", [i for i in flag.items if i in NOT_SIDE_EFFECTS])]
        for key, items in parts:
            if items:
                group = groups.setdefault(key, (rule, []))[1]
                group += [i for i in items if i not in group]
    out, named = [], set()
    for rule, items in groups.values():  # most urgent first; a reason adds only new signs
        if set(items) <= named:
            continue
        named |= set(items)
        ordered = sorted(items, key=_item_order)
        out.append((tuple(ordered), why_text(rule, ordered)))
    return out


def item_name(item: str) -> str:
    """An item as a list shows it, in plain words ("stiff neck", "high temperature"); ids stay
    in --json. Text that is not an item (an alarm, a planned MRI) is kept."""
    if item == TEMPERATURE:
        return "high temperature"
    if item == LOW_TEMPERATURE:
        return "low temperature"
    if item in BY_ID or item == "average-pain":
        return item.replace("-", " ")
    return item


def short_name(item: str) -> str:
    """An item in a few words, for naming it in a sentence ("incision redness")."""
    if item == TEMPERATURE:
        return "your temperature"
    if item == LOW_TEMPERATURE:
        return "your low temperature"
    return item.replace("-", " ")


def format_celsius(value: float) -> str:
    return f"{value:.1f} °C"


def alarm_advice(drugs: frozenset[str]) -> str:
    """W-ALARM's advice for a pump alarm, logged as a symptom or recorded as an event;
    ``drugs`` are the pump's drug tags (a baclofen pump: call at once)."""
    advice = RULES["W-ALARM"].advice[Urgency.URGENT]
    return advice + (" With a baclofen pump, call immediately." if "B" in drugs else "")


def assess(symptoms: Iterable[str], temperature_c: float | None, day: date,
           ctx: Context = Context(), worse: Iterable[str] = ()) -> list[Flag]:
    """Every rule that fires for one day's entry, highest urgency first. ``worse`` are the items
    marked worse than usual (they matter only for the items in ``ctx.baseline``)."""
    s = set(symptoms)
    out = _Firing(ctx)
    drugs = ctx.drugs
    hot = temperature_c is not None and temperature_c >= ctx.fever_c - 0.005
    feverish = ({"fever"} & s) | ({TEMPERATURE} if hot else set())
    fever = bool(feverish)
    headaches = s & _HEADACHES

    if hot:
        out.add("W-TEMP", _U, [TEMPERATURE], threshold=format_celsius(ctx.fever_c))

    men: set[str] = set()
    if fever and s & _MEN_WITH_FEVER:
        men |= feverish | (s & _MEN_WITH_FEVER)
    if fever and headaches and "vomiting" in s:
        men |= feverish | headaches | {"vomiting"}
    if "stiff-neck" in s and headaches:
        men |= {"stiff-neck"} | headaches
    if men:
        out.add("W-MEN", _E, men)

    infection = (s & set(INFECTION)) | feverish
    if infection:
        advice = RULES["W-INF"].advice[_U]
        if fever and headaches and not men:
            infection |= headaches
            advice += " " + _WATCH_FOR_MEN
        out.add("W-INF", _U, infection, advice)

    if s & set(NEURO):
        out.add("W-NEURO", _U, s & set(NEURO))
    if "cannot-walk" in s:
        out.add("W-NEURO-SEVERE", _E, ["cannot-walk"])

    if "incision-soreness" in s:
        days = (day - ctx.day0).days if ctx.day0 else None
        expected = days is not None and 0 <= days <= 7
        out.add("W-SORE", _X if expected else _R, ["incision-soreness"])

    if "headache-upright" in s:
        out.add("W-CSF", _U, {"headache-upright"} | (s & {"nausea", "vomiting"}))
    if "refill-pain" in s:
        out.add("W-INJ", _U, ["refill-pain"])

    overdose = s & set(OVERDOSE)
    if ("B" in drugs and ctx.low_c is not None and temperature_c is not None
            and temperature_c < ctx.low_c):
        overdose.add(LOW_TEMPERATURE)
    if overdose:
        out.add("W-OD", _E, overdose)
    if ctx.watch and s & {"drowsy", "dizziness"}:
        out.add("W-WATCH", _U, s & {"drowsy", "dizziness"})

    drug_covered: set[str] = set()
    if "B" in drugs:
        bac = (s & _BAC_WITHDRAWAL) | feverish
        if bac:
            others = bac - {"fever", TEMPERATURE}
            severe = bool({"confusion", "rigid-muscles"} & bac) or (fever and others)
            out.add("W-WD-BAC", _E if severe else _U, bac)
            drug_covered |= bac
    if "O" in drugs and "withdrawal-feeling" in s:
        out.add("W-WD-OPI", _U, ["withdrawal-feeling"])
    if "Z" in drugs and s & {"confusion", "hallucinations", "mood-change"}:
        zic = s & {"confusion", "hallucinations", "mood-change"}
        out.add("W-ZIC", _U, zic)
        drug_covered |= zic
    unexplained = (s & {"confusion", "hallucinations", "rigid-muscles"}) - drug_covered
    if unexplained:
        out.add("W-ANY", _U, unexplained)

    mass = s & ({"relief-fading", "new-pain"} | ({"spasms-return"} if "B" in drugs else set()))
    if mass:
        neuro_too = ctx.recent_neuro or bool(s & set(NEURO_FOR_MASS))
        out.add("W-MASS", _U if neuro_too else _R, mass)
    if "pump-alarm" in s:
        out.add("W-ALARM", _U, ["pump-alarm"], alarm_advice(drugs))

    covered = set().union(*(f.items for f in out.flags)) if out.flags else set()
    side = (s & _SIDE) - covered
    if side:
        out.add("W-SIDE", _R, side)
    known = (s & ctx.baseline) - set(worse)
    if known:
        out.flags = _as_baseline(out, known)
    return sorted(out.flags, key=lambda f: -f.urgency)


# Rules a known (baseline) symptom never softens: a combination, or the watch after a dose.
_KEEP_FOR_BASELINE = frozenset({"W-MEN", "W-WATCH", "W-TEMP"})


# When an item is a warning sign (URGENT or EMERGENCY), found by trying the rules themselves:
# alone; with one other item (or a fever and one other item, or a high temperature); alone
# with each drug of the pump; alone within the 48-hour watch.
WHEN_WORDS = {"alone": "yes", "other-signs": "with other signs", "baclofen": "with baclofen",
              "opioid": "with an opioid", "ziconotide": "with ziconotide",
              "watch": "within 48 h of an implant, trial start, refill, dose change or surgery"}
_PROBE_DAY = date(2000, 1, 1)


def _urgent_with(item: str, others: Iterable[str] = (), temperature: float | None = None,
                 ctx: Context = Context()) -> bool:
    return any(f.urgency >= Urgency.URGENT and item in f.items
               for f in assess({item, *others}, temperature, _PROBE_DAY, ctx))


def warning_sign_when(item: str) -> list[str]:
    """The cases (keys of WHEN_WORDS) in which ``item`` is part of an URGENT or EMERGENCY
    flag; ["alone"] when it is one on its own, [] when it never is."""
    if item not in _WHEN:
        if _urgent_with(item):
            _WHEN[item] = ["alone"]
            return _WHEN[item]
        found = []
        others = [()] + [(o,) for o in BY_ID if o != item] + [("fever", o) for o in BY_ID]
        if any(_urgent_with(item, c, t) for c in others for t in (None, 40.0)):
            found.append("other-signs")
        for key, tag in (("baclofen", "B"), ("opioid", "O"), ("ziconotide", "Z")):
            if _urgent_with(item, ctx=Context(drugs=frozenset(tag), drugs_known=True)):
                found.append(key)
        if _urgent_with(item, ctx=Context(watch=True)):
            found.append("watch")
        _WHEN[item] = found
    return _WHEN[item]


_WHEN: dict[str, list[str]] = {}


def warning_sign_words(item: str) -> str:
    """"yes", "no", or the cases joined: "with other signs or with baclofen"."""
    when = warning_sign_when(item)
    return " or ".join(WHEN_WORDS[w] for w in when) if when else "no"


def _as_baseline(out: _Firing, known: set[str]) -> list[Flag]:
    """Symptoms the care team noted before the implant (and not marked worse), logged alone,
    make one ROUTINE W-BASE flag. With any other sign that day (a combination, or a new sign
    beside them) every flag keeps its level: the known symptom counts in full."""
    others = any(f.urgency > Urgency.EXPECTED and not set(f.items) <= known for f in out.flags)
    kept = [f for f in out.flags if others or f.rule in _KEEP_FOR_BASELINE or f.urgency == _X
            or not set(f.items) <= known]
    softened = [f for f in out.flags if f not in kept]
    items = set().union(*(f.items for f in softened)) if softened else set()
    still = set().union(*(f.items for f in kept)) if kept else set()
    out.flags = kept
    if items - still:
        out.add("W-BASE", _R, items - still)
    return out.flags


def top_urgency(flags: Iterable[Flag]) -> Urgency | None:
    return max((f.urgency for f in flags), default=None)


def item_urgencies(flags: Iterable[Flag]) -> dict[str, Urgency]:
    """Each logged item with the highest urgency of the rules it took part in."""
    levels: dict[str, Urgency] = {}
    for flag in flags:
        for item in flag.items:
            levels[item] = max(levels.get(item, flag.urgency), flag.urgency)
    return dict(sorted(levels.items(), key=lambda kv: (-kv[1], _item_order(kv[0]))))


def label(item: str) -> str:
    """The plain-language label in running text ("redness around an incision")."""
    text = BY_ID[item].label
    return text[0].lower() + text[1:]
