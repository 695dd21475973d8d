"""The status screen shown by ``pumpjournal`` with no command: plain lines that fit 80x24."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from . import symptoms as cat
from . import words
from .words import num
from .episodes import episodes, planned_mri, refill_due
from .escape import escape
from .render import daily_series, sparkline
from .summary import day_pain
from .timeline import day_zero, phase_on, watch_on

CHART_DAYS = 14
SHOWN = 5  # warning signs listed, most urgent and most recent first
MRI_SHORT = {cat.Urgency.ROUTINE: "tell the MRI staff about your pump (pumpjournal flags).",
             cat.Urgency.URGENT: "contact your care team before the scan (pumpjournal flags)."}


def status_lines(view, patient: str, today: date, path: Path) -> list[str]:
    profile, events = view.profile(patient), view.events(patient)
    # the last two weeks, and the week before the last visit (for the pain-trend rule)
    visits = [e.day for e in events if e.kind == "visit" and e.day <= today]
    start = min([today - timedelta(days=13)] + [v - timedelta(days=7) for v in visits[-1:]])
    entries = view.entries(patient, since=start) or view.entries(patient)[:1]
    who = escape(profile.get("name") or profile.get("initials") or patient)
    lines = [f"pumpjournal · {today:%A} {today.isoformat()} · {who}"]
    if not entries and not profile and not events:
        return lines + [f"No journal yet at {path}.",
                        "Log today's pain and symptoms with: pumpjournal log",
                        "See a fictional patient's journal with: pumpjournal demo"]
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

    if entries and len(entries[0].readings) > 1 and entries[0].date == today.isoformat():
        lines.append(f"Today: {today_text(entries[0])}. Add one with: pumpjournal log")
    elif entries and entries[0].date == today.isoformat():
        lines.append(f"Today: logged (pain {entries[0].pain}). "
                     "Add to it with: pumpjournal log --symptom ID")
    else:
        lines.append("Today: not logged yet. Log it with: pumpjournal log")
        if entries:
            last = entries[0]
            ago = words.days_in_words((today - last.day).days)
            lines.append(f"Last entry: {last.date} ({ago} "
                         f"ago), pain {last.pain}.")
    start = today - timedelta(days=CHART_DAYS - 1)
    recent = [e for e in entries if e.day >= start]
    if recent:
        series = daily_series([{"date": e.date, "pain": day_pain(e)} for e in recent], start,
                              today)
        known = [v for v in series if v is not None]
        what = (f"Daily mean pain, {CHART_DAYS} days"  # a day of several readings: their mean
                if any(len(e.readings) > 1 for e in recent) else
                f"Pain now, last {CHART_DAYS} days")
        lines.append(f"{what}: {sparkline(series)}  (· no entry; latest {num(known[-1])}, "
                     f"range {num(min(known))}-{num(max(known))})")

    visits = sorted(e.day for e in events if e.kind == "visit" and e.day >= today)
    if visits:
        when = words.in_days(visits[0], today, rounded=True)
        lines.append(f"Next visit: {visits[0].isoformat()} ({when}).")
    due = refill_due(profile, events)
    if due:
        late = " OVERDUE: contact your care team today" if due < today else ""
        when = words.in_days(due, today, rounded=True)
        lines.append(f"Next refill due: {due.isoformat()} ({when}){late}.")

    found = episodes(patient, entries, profile, events, today, since=today - timedelta(days=6))
    planned = [ep for ep in found if planned_mri(ep, today)]
    week = [ep for ep in found if ep not in planned]  # a planned MRI is coming up, not logged
    if planned:
        lines.append("Coming up:")
        lines += [f"  {ep.urgency.symbol} {ep.urgency.name} MRI planned {ep.first.isoformat()} "
                  f"({words.in_days(ep.first, today, rounded=True)}): {MRI_SHORT[ep.urgency]}"
                  for ep in planned]
    if week:
        lines.append("Open warning signs (last 7 days):")
        shown = sorted(week, key=lambda ep: (-ep.urgency, -ep.last.toordinal()))[:SHOWN]
        for ep in shown:
            span = ep.first.isoformat() + ("" if ep.first == ep.last else f" to {ep.last}")
            act = ""
            if ep.urgency == cat.Urgency.EMERGENCY:
                number = cat.emergency_number(profile)
                act = f". {ep.urgency.headline} ({number})."
            lines.append(f"  {ep.urgency.symbol} {ep.urgency.name} {span}: "
                         f"{escape(', '.join(cat.item_name(i) for i in ep.items))}{escape(act)}")
        more = f" ({len(week) - SHOWN} more)" if len(week) > SHOWN else ""
        lines.append(f"See them in full with: pumpjournal flags{more}")
    else:
        lines.append("No warning signs logged in the last 7 days.")
    watch = watch_on(profile, events, today)
    if watch:
        lines += watch.lines
    if found or watch:
        lines.append(cat.not_advice(profile))
    return [part for line in lines for part in (_wrapped(line) if len(line) > 79 else [line])]


def today_text(entry) -> str:
    """Today's readings on the status screen: ``3 readings (latest 20:00, pain 4)``."""
    latest = next(r for r in reversed(entry.readings) if r.pain is not None)
    at = f"latest {latest.time}, " if latest.time else "latest "
    return f"{len(entry.readings)} readings ({at}pain {entry.pain})"


def _wrapped(line: str) -> list[str]:
    """A long line at 79 columns; an item of a list keeps its later lines under its text."""
    text = line.lstrip(" ")
    lead = line[:len(line) - len(text)]
    return words.wrap(text, 79, lead, lead + "    " if lead else "")
