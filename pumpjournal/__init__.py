"""pumpjournal: a recovery journal for people living with an implanted intrathecal pain pump.

Library use::

    from pumpjournal import Journal
    journal = Journal("journal.json")
    for entry in journal.entries(since=date(2026, 11, 1)):
        print(entry.date, entry.pain, entry.symptoms)
"""

from .errors import InputError, JournalCorrupt, JournalError, PumpjournalError
from .model import Entry, Event
from .store import Journal

__all__ = ["Entry", "Event", "InputError", "Journal", "JournalCorrupt", "JournalError",
           "PumpjournalError"]
