"""Questions asked of one loaded journal, shared by the commands and the reports."""

from __future__ import annotations

from datetime import date

from . import dates
from .errors import InputError


def person_episodes(view, who: str, today: date, since=None, until=None):
    from .episodes import episodes

    return episodes(who, view.entries(who), view.profile(who), view.events(who), today,
                    since, until)


def summary_data(view, who: str, today: date, since: str | None, until: str | None) -> dict:
    from .summary import default_since, summarise

    events = view.events(who)
    if since and since.strip().lower() in ("last-visit", "last visit"):
        visits = [e.day for e in events if e.kind == "visit" and e.day < today]
        if not visits:
            raise InputError("no past visit is recorded; add one with `pumpjournal event add "
                             "visit --date DATE`, or give --since DATE.")
        since = max(visits).isoformat()
    low = dates.parse_date(since, what="--since") if since else default_since(events, today)
    high = min(dates.parse_date(until, what="--until"), today) if until else today
    dates.check_range(low, high)
    episodes = person_episodes(view, who, today, low, high)
    return summarise(view.entries(who, low, high), events, episodes, view.profile(who), low,
                     high, view.questions(who))


def choose_patient(view, option: str | None) -> str:
    """The person a command is about: --patient, else the journal's only person."""
    from .model import DEFAULT_PATIENT, parse_patient

    if option:
        return parse_patient(option)
    people = view.patients()
    if len(people) > 1:
        listed = ", ".join(people[:8]) + (", ..." if len(people) > 8 else "")
        raise InputError(f"this journal holds {len(people)} people ({listed}); "
                         "choose one with --patient ID.")
    return people[0] if people else DEFAULT_PATIENT


def cohort(view, today: date, since: date | None = None, until: date | None = None) -> list:
    """One row per person: days logged, first and last day, mean pain, episodes.
    One pass over the journal, then one pass per person."""
    from . import symptoms as cat
    from .episodes import episodes

    from .model import Day

    low = since.isoformat() if since else ""
    high = until.isoformat() if until else "9999"
    by_person: dict[str, list] = {person: [] for person in view.patients()}
    for _, doc in view.raw_entries():
        if low <= doc["date"] <= high:
            by_person[doc["patient"]].append(Day(doc))
    rows = []
    for person, entries in by_person.items():
        found = episodes(person, entries, view.profile(person), view.events(person), today,
                         since, until)
        pains = [e.pain for e in entries]
        rows.append({
            "patient": person, "days_logged": len(entries),
            "first": min((e.date for e in entries), default=None),
            "last": max((e.date for e in entries), default=None),
            "mean_pain": round(sum(pains) / len(pains), 2) if pains else None,
            "episodes": len(found),
            "urgent_episodes": sum(ep.urgency >= cat.Urgency.URGENT for ep in found),
            "emergency_episodes": sum(ep.urgency == cat.Urgency.EMERGENCY for ep in found)})
    return rows
