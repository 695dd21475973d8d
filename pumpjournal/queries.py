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
    high = dates.parse_date(until, what="--until") if until else today
    dates.check_range(low, high)
    episodes = person_episodes(view, who, today, low, high)
    return summarise(view.entries(who, low, high), events, episodes, view.profile(who), low,
                     high, view.questions(who))
