"""The status screen shown by ``pumpjournal`` with no command: plain lines that fit 80x24."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from . import symptoms as cat
from .dates import days_in_words
from .timeline import assess_entries, day_zero, phase_on


def status_lines(view, patient: str, today: date, path: Path) -> list[str]:
    profile, events = view.profile(patient), view.events(patient)
    entries = view.entries(patient)
    who = profile.get("name") or profile.get("initials") or patient
    lines = [f"pumpjournal · {today:%A} {today.isoformat()} · {who}"]
    if not entries and not profile and not events:
        lines += [f"No journal yet at {path}.",
                  "Log today's pain and symptoms with: pumpjournal log",
                  "See a fictional patient's journal with: pumpjournal demo"]
        return lines
    day0, kind = day_zero(profile, events, today)
    phase = phase_on(profile, events, today)
    if day0:
        lines.append(f"Phase: {phase}, day {(today - day0).days} after your {kind} "
                     f"({day0.isoformat()}).")
    elif phase == "unknown":
        lines.append("Phase: not known yet; add your implant date with "
                     "`pumpjournal profile --implant-date DATE`.")
    else:
        lines.append(f"Phase: {phase}.")
    logged_today = bool(entries) and entries[0].date == today.isoformat()
    if logged_today:
        lines.append(f"Today: logged (pain {entries[0].pain}). "
                     "Add to it with: pumpjournal log --symptom ID")
    else:
        lines.append("Today: not logged yet. Log it with: pumpjournal log")
        if entries:
            last = entries[0]
            ago = days_in_words((today - last.day).days)
            lines.append(f"Last entry: {last.date} ({ago} ago), pain {last.pain}.")
    week = [e for e in entries if e.day >= today - timedelta(days=6)]
    open_signs = []
    for entry, flags in zip(week, assess_entries(week, profile, events, entries)):
        top = cat.top_urgency(flags)
        if top is not None and top > cat.Urgency.EXPECTED:
            items = [i for i, lvl in cat.item_urgencies(flags).items()
                     if lvl > cat.Urgency.EXPECTED]
            open_signs.append(f"  {top.symbol} {top.name} {entry.date}: {', '.join(items)}")
    if open_signs:
        lines.append("Warning signs logged in the last 7 days:")
        lines += open_signs[:6]
        lines.append(cat.NOT_ADVICE)
    else:
        lines.append("No warning signs logged in the last 7 days.")
    return lines
