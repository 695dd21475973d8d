"""The symptom checklist and the warning-sign rules, as data plus pure functions.

Everything here comes from the clinical catalogue (version 1); every rule names its source ids
(``seed`` is the clinic's aftercare page, S1..S43 are listed in the README). pumpjournal never
diagnoses: a flag says what was logged, that a source lists it as a warning sign, and what the
source advises (contact the care team, or call emergency services).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from datetime import date
from enum import IntEnum
from typing import Iterable

from .errors import InputError

CATALOGUE_VERSION = 1
NOT_ADVICE = ("pumpjournal is not medical advice; "
              "in an emergency call your local emergency number.")


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
        """URGENT or EMERGENCY alone (or with the pump's drug), or part of a combination."""
        return any(word in self.alone for word in ("URGENT", "EMERGENCY", "combo"))


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
    _s("headache", "Headache", "neurological", "combo; ROUTINE", "W-MEN, W-SIDE", "25064002"),
    _s("nausea", "Feeling sick (nausea)", "medication", "ROUTINE", "W-SIDE", "422587007"),
    _s("incision-warmth", "An incision feels warm or hard", "infection", "URGENT", "W-INF"),
    _s("incision-pain-worse", "Pain at an incision that is getting worse, not better",
       "infection", "URGENT", "W-INF"),
    _s("refill-pain", "Pain during a refill that earlier refills didn't cause", "infection",
       "URGENT", "W-INJ"),
    _s("cannot-walk", "Suddenly unable to walk or stand", "neurological", "EMERGENCY",
       "W-NEURO-SEVERE", "282145008 (broader)"),
    _s("headache-upright", "Headache that is worse sitting or standing and eases lying flat",
       "neurological", "URGENT", "W-CSF, W-MEN", "25064002 (broader)"),
    _s("stiff-neck", "Stiff neck: it hurts to put your chin to your chest", "neurological",
       "combo; ROUTINE", "W-MEN, W-SIDE", "161882006"),
    _s("light-sensitivity", "Bright light hurts your eyes", "neurological", "combo; ROUTINE",
       "W-MEN, W-SIDE"),
    _s("vomiting", "Vomiting (being sick)", "medication", "combo; ROUTINE", "W-MEN, W-SIDE",
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
       "ROUTINE; within 48 h of a refill, dose change or surgery: URGENT", "W-SIDE, W-WATCH",
       "404640003"),
    _s("drowsy", "Sleepier than usual, but easy to wake", "medication",
       "ROUTINE; within 48 h of a refill, dose change or surgery: URGENT",
       "W-SIDE, W-WATCH, W-MEN"),
    _s("itching", "Itching without a rash", "medication", "ROUTINE; baclofen: URGENT",
       "W-SIDE, W-WD-BAC"),
    _s("spasms-return", "Muscle stiffness or spasms coming back or worse", "medication",
       "ROUTINE; baclofen: URGENT", "W-WD-BAC, W-MASS"),
    _s("rigid-muscles", "Muscles suddenly very stiff or rigid", "medication",
       "URGENT; baclofen: EMERGENCY", "W-WD-BAC, W-ANY"),
    _s("withdrawal-feeling",
       "Pain coming back, with withdrawal-like feelings (sweaty, restless, runny nose)",
       "medication", "opioid: URGENT; else ROUTINE", "W-WD-OPI"),
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


def parse_symptom(text: str) -> str:
    """Return the catalogue id for ``text`` (``_`` for ``-`` and any case accepted)."""
    sid = normalise_id(text)
    if sid in BY_ID:
        return sid
    close = difflib.get_close_matches(sid, BY_ID, n=3, cutoff=0.5)
    hint = (f"did you mean {', '.join(close)}?" if close
            else "run `pumpjournal symptoms` for the list")
    raise InputError(f"unknown symptom '{text}'; {hint}")


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
    fever_c: float = 38.0
    low_c: float | None = None
    watch: bool = False  # within 48 h after a refill, dose change or surgery
    recent_neuro: bool = False  # a W-NEURO item logged in the 7 days before


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


def why_text(rule: Rule, items: Iterable[str]) -> str:
    """Why a rule fired: where its sign is documented, never a diagnosis."""
    many = len(set(items)) > 1
    template = rule.why or (_SEED_WHY if rule.origin == "SEED" else _EXT_WHY)
    return template.format(this="these" if many else "this", a="" if many else "a ",
                           s="s" if many else "")


def format_celsius(value: float) -> str:
    return f"{value:.1f} °C"


def assess(symptoms: Iterable[str], temperature_c: float | None, day: date,
           ctx: Context = Context()) -> list[Flag]:
    """Every rule that fires for one day's entry, highest urgency first."""
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
        advice = RULES["W-ALARM"].advice[_U]
        if "B" in drugs:
            advice += " With a baclofen pump, call immediately."
        out.add("W-ALARM", _U, ["pump-alarm"], advice)

    covered = set().union(*(f.items for f in out.flags)) if out.flags else set()
    side = (s & _SIDE) - covered
    if side:
        out.add("W-SIDE", _R, side)
    return sorted(out.flags, key=lambda f: -f.urgency)


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
