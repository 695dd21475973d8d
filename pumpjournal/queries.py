"""Questions asked of one loaded journal, shared by the commands and the reports."""

from __future__ import annotations

from datetime import date, timedelta

from . import dates
from .errors import InputError
from .escape import quote


def planned_mri(episode, today: date) -> bool:
    from .episodes import planned_mri as planned

    return planned(episode, today)


def person_days(view, who: str) -> list:
    """The light ``model.Day`` of each day the person logged (as `cohort` uses): building a
    whole Entry of every day of a 10-year journal cost the summary about 15 ms."""
    from .model import Day

    return [Day(doc) for doc in view.documents("entries").values() if doc["patient"] == who]


def person_episodes(view, who: str, today: date, since=None, until=None, days=None):
    """The person's warning-sign episodes (``days``: ``person_days``, when made already)."""
    from .episodes import episodes

    days = person_days(view, who) if days is None else days
    return episodes(who, days, view.profile(who), view.events(who), today, since, until)


def summary_data(view, who: str, today: date, since: str | None, until: str | None) -> dict:
    from .summary import default_since, summarise

    from .summary import BEFORE_DAYS
    from .timeline import watch_on

    events = view.events(who)
    visits = [e.day for e in events if e.kind == "visit" and e.day < today]
    visit = None  # the period starts at the last visit: by default, or --since last-visit
    if since and since.strip().lower() in ("last-visit", "last visit"):
        if not visits:
            raise InputError("no past visit is recorded; add one with `pumpjournal event add "
                             "visit --date DATE`, or give --since DATE.")
        since = max(visits).isoformat()
        visit = max(visits)
    elif not since and visits:
        visit = max(visits)
    low = dates.parse_date(since, what="--since") if since else default_since(events, today)
    high = min(dates.parse_date(until, what="--until"), today) if until else today
    dates.check_range(low, high)
    profile = view.profile(who)
    days = person_days(view, who)  # one pass for the episodes and "Did it help?"
    found = person_episodes(view, who, today, low - timedelta(days=BEFORE_DAYS), None, days)
    before = [ep for ep in found if visit and ep.last < low] if visit else []
    during = [ep for ep in found if ep.last >= low and ep.first <= high
              and not planned_mri(ep, today)]  # planned: coming up
    data = summarise(view.entries(who, low, high), events, during, profile, low, high,
                     view.questions(who), today=today, visit=visit, before=before)
    watch = watch_on(profile, events, today) if high == today else None
    data["watch"] = watch.to_json() if watch else None
    data["outcomes"] = outcomes_data(view, who, events, profile, high, days)
    return data


def outcomes_data(view, who: str, events, profile: dict, until: date, days=None) -> dict:
    """``outcomes.outcomes`` for one person as of ``until``: over every day logged (a
    light ``outcomes.Logged`` each, or the ``person_days`` given), as the trial baseline and
    the months since the implant may lie outside the summary's period."""
    from .outcomes import Logged, outcomes

    if days is None:
        days = [Logged.of(doc) for _, doc in view.raw_entries() if doc["patient"] == who]
    return outcomes(days, events, profile, until)


def flags_data(view, who: str, today: date, low: date | None, high: date | None) -> dict:
    """What `flags` shows: the episodes (``all``, as --json prints them), those of signs
    logged (a planned MRI is not one) and the MRIs coming up (unless the period ended before
    today)."""
    from .summary import coming_up

    found = person_episodes(view, who, today, low, high)
    return {"all": [ep.to_json() for ep in found],
            "logged": [ep.to_json() for ep in found if not planned_mri(ep, today)],
            "mri": [] if high and high < today else coming_up(
                view.profile(who), view.events(who), today)["mri"]}


PROFILE_MARKS = (("trial_start", "trial started"), ("trial_end", "trial ended"),
                 ("implant_date", "pump implanted"))


def profile_marks(profile: dict, low: date | None, high: date | None) -> list[str]:
    """The trial and implant dates kept in the profile (they count as those events do), in
    the period: "pump implanted 2026-10-01"."""
    return [f"{words} {profile[key]}" for key, words in PROFILE_MARKS if profile.get(key)
            and (low is None or profile[key] >= low.isoformat())
            and (high is None or profile[key] <= high.isoformat())]


def choose_patient(view, option: str | None) -> str:
    """The person a command is about: --patient, else the journal's only person. A study
    participant's journal (``view.owner``) is about its participant, even while it is
    empty."""
    from .model import DEFAULT_PATIENT, parse_patient

    owner = getattr(view, "owner", None)
    if owner is not None:
        if option and parse_patient(option) != owner:
            raise InputError(f"this is the journal of the participant '{owner}'; "
                             f"--patient {quote(option)} names someone else.")
        return owner
    if option:
        return parse_patient(option)
    people = view.patients()
    if len(people) > 1:
        listed = ", ".join(people[:8]) + (", ..." if len(people) > 8 else "")
        raise InputError(f"this journal holds {len(people)} people ({listed}); "
                         "choose one with --patient ID.")
    return people[0] if people else DEFAULT_PATIENT


def cohort(view, today: date, since: date | None = None, until: date | None = None) -> list:
    """One row per person: days logged, first and last day, mean pain (over days, each the
    mean of its readings), episodes, and when the days were logged (``summary.logging_figures``
    over the person's window: ``since`` or the first day logged, to ``until`` or the last day
    logged; ``until`` after ``today`` counts to today). One pass over the journal, then one
    pass per person."""
    from . import symptoms as cat
    from .episodes import episodes
    from .model import Day
    from .summary import logging_figures

    low = since.isoformat() if since else ""
    high = until.isoformat() if until else "9999"
    end = min(until, today) if until else None
    by_person: dict[str, list] = {person: [] for person in view.patients()}
    for _, doc in view.raw_entries():
        if low <= doc["date"] <= high:
            by_person[doc["patient"]].append(Day(doc))
    rows = []
    for person, entries in by_person.items():
        found = episodes(person, entries, view.profile(person), view.events(person), today,
                         since, until)
        pains = [e.pain_mean for e in entries]
        first = min((e.date for e in entries), default=None)
        last = max((e.date for e in entries), default=None)
        start = since or (date.fromisoformat(first) if first else None)
        stop = end or (date.fromisoformat(last) if last else None)
        window = max(0, (stop - start).days + 1) if start and stop else 0
        timing = logging_figures(((e.date, e.logged_at, e.count) for e in entries), window)
        rows.append({
            "patient": person, "days_logged": len(entries), "first": first, "last": last,
            "mean_pain": round(sum(pains) / len(pains), 2) if pains else None,
            "episodes": len(found),
            "urgent_episodes": sum(ep.urgency >= cat.Urgency.URGENT for ep in found),
            "emergency_episodes": sum(ep.urgency == cat.Urgency.EMERGENCY for ep in found),
            "days_in_window": window, "share_logged": timing["share_logged"],
            "days_logged_same_day": timing["same_day"],
            "days_filled_in_later": timing["filled_in_later"],
            "median_delay_days": timing["median_delay_days"],
            "days_timing_unknown": timing["timing_unknown"],
            "readings": timing["readings"], "readings_per_day": timing["readings_per_day"]})
    return rows
