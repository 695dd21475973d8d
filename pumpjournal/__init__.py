"""pumpjournal: a recovery journal for people living with an implanted intrathecal pain pump.

Library use::

    from pumpjournal import Journal, import_rows, read_rows, export
    journal = Journal("study.json")
    with journal.transaction() as tx, open("diary.csv", newline="") as rows:
        result = import_rows(tx, read_rows(rows, "csv"), default_patient="p001")
    export(journal.read(), sys.stdout, "csv")

    from pumpjournal import check          # the warning signs of one day, no journal needed
    check(["fever", "stiff-neck"], 38.4, date.today()).flags
"""

from .errors import InputError, JournalCorrupt, JournalError, PumpjournalError
from .model import Entry, Event
from .store import Journal

__all__ = ["Entry", "Event", "InputError", "Journal", "JournalCorrupt", "JournalError",
           "PumpjournalError", "check", "export", "import_rows", "read_rows"]


def __getattr__(name: str):
    """The bulk functions load on first use, so the daily commands start fast."""
    if name in ("import_rows", "read_rows", "export"):
        from . import transfer

        return getattr(transfer, name)
    if name == "check":
        from .checks import check

        return check
    raise AttributeError(f"module 'pumpjournal' has no attribute '{name}'")
