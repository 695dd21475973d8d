"""Words for the terminal: entries, changes and warning-sign panels as plain text.

Meaning never rides on colour: every warning sign carries its symbol and its urgency in words.
The CLI boxes the flag text with Rich; everything here is plain strings, so it reads the same
piped, in a file or with NO_COLOR.
"""

from __future__ import annotations

from datetime import date

from . import symptoms as cat
from .model import FIELD_WORDS, Entry
from .symptoms import NOT_ADVICE, Flag, Urgency


def fahrenheit(celsius: float) -> float:
    return celsius * 9 / 5 + 32


def temperature_text(celsius: float) -> str:
    return f"{celsius:.1f} °C ({fahrenheit(celsius):.1f} °F)"


def scores_text(entry: Entry) -> str:
    parts = [f"pain {entry.pain}"]
    extra = [f"{word} {value}" for word, value in (("worst", entry.worst),
             ("least", entry.least), ("average", entry.average)) if value is not None]
    if extra:
        parts.append("(" + ", ".join(extra) + ")")
    return " ".join(parts)


def value_text(key: str, value) -> str:
    if value is None or value == []:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(value) if key == "symptoms" else " | ".join(value)
    return str(value)


def changes_text(changes: list[tuple[str, object, object]]) -> list[str]:
    return [f"  {FIELD_WORDS[key]}: {value_text(key, old)} -> {value_text(key, new)}"
            for key, old, new in changes]


def day_phrase(day: date, ctx: cat.Context) -> str:
    if ctx.day0 is None or day < ctx.day0:
        return ""
    return f" (day {(day - ctx.day0).days} after your {ctx.day0_kind})"


def item_text(item: str, temperature_c: float | None, ctx: cat.Context) -> str:
    if item == cat.TEMPERATURE:
        return (f"temperature {temperature_text(temperature_c)}; your fever line is "
                f"{ctx.fever_c:.1f} °C")
    if item == cat.LOW_TEMPERATURE:
        return (f"temperature {temperature_text(temperature_c)}; below the low line of "
                f"{ctx.low_c:.1f} °C your care team set")
    return cat.label(item)


def care_team_text(profile: dict) -> str:
    phone, after = profile.get("care_phone"), profile.get("after_hours_phone")
    team = profile.get("care_team")
    if not phone and not after:
        return ("Care team: use the number your clinic gave you "
                "(add it with `pumpjournal profile --care-phone NUMBER`).")
    text = "Care team: " + (f"{team}, " if team else "") + (phone or "")
    if after:
        text += f" (after hours {after})" if phone else f"after hours {after}"
    return text


def headline(level: Urgency, profile: dict) -> str:
    text = f"{level.symbol} {level.name}: {level.headline}"
    if level is Urgency.EMERGENCY:
        text += f" ({profile.get('emergency_number') or 'your local emergency number'})"
    return text


def flag_title(flags: list[Flag], profile: dict) -> str | None:
    top = cat.top_urgency(flags)
    return None if top is None else headline(top, profile)


def expected_line(flags: list[Flag], day: date, ctx: cat.Context) -> str:
    items = ", ".join(cat.label(i) for f in flags for i in f.items)
    days = f" (day {(day - ctx.day0).days})" if ctx.day0 and day >= ctx.day0 else ""
    return f"[-] Recorded: {items}{days}, expected for a few days."


def flag_body(flags: list[Flag], entry: Entry, ctx: cat.Context, profile: dict,
              width: int = 76) -> list[str]:
    """The panel's lines below its headline, worded as the catalogue's section 4 shows."""
    top = cat.top_urgency(flags)
    rows = [("", f"You logged on {entry.date}{day_phrase(entry.day, ctx)}:")]
    for item, level in cat.item_urgencies(flags).items():
        mark = "-" if level == top else level.symbol
        rows.append((f"  {mark} ", item_text(item, entry.temperature_c, ctx)))
    reasons: dict[str, set] = {}  # one sentence per kind of source, over all its items
    for flag in flags:
        if flag.urgency > Urgency.EXPECTED:
            rule = cat.RULES[flag.rule]
            reasons.setdefault(rule.why or rule.origin == "SEED", set()).update(flag.items)
    for n, (kind, items) in enumerate(reasons.items()):
        rule = next(cat.RULES[f.rule] for f in flags
                    if (cat.RULES[f.rule].why or cat.RULES[f.rule].origin == "SEED") == kind)
        rows.append(("Why: " if n == 0 else "     ", cat.why_text(rule, items)))
    advice = list(dict.fromkeys((f.urgency, f.advice) for f in flags))
    if len(advice) == 1:
        rows.append(("What to do: ", advice[0][1]))
    else:
        rows.append(("", "What to do:"))
        rows += [(f"  {level.symbol} ", text) for level, text in advice]
    rows.append(("", care_team_text(profile)))
    if not ctx.drugs_known and top >= Urgency.ROUTINE:
        rows.append(("", "Add your pump's medicine with `pumpjournal profile --drug NAME` so "
                         "its own warning signs are watched too."))
    rules = [f"{f.rule} · {', '.join(f.sources)}" for f in flags]
    rows.append(("Rule " if len(rules) == 1 else "Rules: ", "; ".join(rules)))
    rows.append(("", NOT_ADVICE))
    return wrap(rows, width)


def wrap(rows: list[tuple[str, str]], width: int) -> list[str]:
    """Lines of ``prefix + text`` wrapped to ``width`` with a hanging indent."""
    import textwrap

    lines = []
    for prefix, text in rows:
        lines += textwrap.wrap(text, width, initial_indent=prefix,
                               subsequent_indent=" " * min(len(prefix), 6),
                               break_on_hyphens=False) or [prefix]
    return lines


def entry_lines(entry: Entry, flags: list[Flag], *, full: bool = False,
                with_patient: bool = False) -> list[str]:
    """One entry: a line of scores, then its warning signs, symptoms and note, indented."""
    head = entry.date + (f"  {entry.patient}" if with_patient else "")
    parts = [head, scores_text(entry)]
    if entry.temperature_c is not None:
        parts.append(temperature_text(entry.temperature_c))
    lines = ["  ".join(parts)]
    pad = " " * 4
    top = cat.top_urgency(flags)
    if top is not None and top > Urgency.EXPECTED:
        rules = ", ".join(dict.fromkeys(f.rule for f in flags if f.urgency > Urgency.EXPECTED))
        signs = [i for i, lvl in cat.item_urgencies(flags).items() if lvl > Urgency.EXPECTED]
        names = ", ".join("temperature" if i in (cat.TEMPERATURE, cat.LOW_TEMPERATURE)
                          else i for i in signs)
        what = "warning sign" if top >= Urgency.URGENT else "mention at your next visit"
        lines.append(f"{pad}{top.symbol} {top.name} {what}: {names} ({rules})")
    if entry.symptoms:
        lines.append(f"{pad}symptoms: {', '.join(entry.symptoms)}")
    extra = [f"{word} {value}" for word, value in (
        ("boluses", entry.boluses), ("slept", f"{entry.sleep:g} h" if entry.sleep is not None
                                     else None), ("mood", entry.mood)) if value is not None]
    if extra:
        lines.append(pad + ", ".join(extra))
    if entry.note:
        note = entry.note if full else entry.note.splitlines()[0][:100]
        lines.append(f"{pad}note: {note}")
    if full:
        if entry.temperature:
            site = f", {entry.temperature_site}" if entry.temperature_site else ""
            lines.append(f"{pad}temperature as entered: {entry.temperature}{site}")
        lines += [f"{pad}question for the visit: {q}" for q in entry.questions]
        if entry.contacted is not None:
            lines.append(f"{pad}contacted the care team: {'yes' if entry.contacted else 'no'}")
        lines.append(f"{pad}logged {entry.logged_at}, last changed {entry.updated_at}")
    return lines
