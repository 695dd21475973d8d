"""Which journals are encrypted, remembered so that encryption cannot be undone in silence.

A plain file swapped in for an encrypted journal would otherwise be read, and every later
entry written in plain text. The record is a small JSON file in the user's config folder
(``$PUMPJOURNAL_CONFIG_DIR``, else the platform's: ``~/.config/pumpjournal`` on Linux), mode
0600 in a 0700 folder, replaced atomically under a lock. Journals are named by their real path
(symlinks resolved), so every path to one journal shares its record, and by the path as given,
so a symlink swapped in for an encrypted journal is refused too.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .errors import InputError, JournalError

NAME = "encrypted-journals.json"


def folder() -> Path:
    given = os.environ.get("PUMPJOURNAL_CONFIG_DIR")
    if given:
        return Path(given).expanduser()
    if sys.platform.startswith("linux"):  # platformdirs' own rule, without its 2 ms import
        base = os.environ.get("XDG_CONFIG_HOME", "")
        return Path(base if base.strip() else os.path.expanduser("~/.config")) / "pumpjournal"
    from platformdirs import user_config_path

    return user_config_path("pumpjournal", appauthor=False)


def record_path() -> Path:
    return folder() / NAME


def keys(path) -> set[str]:
    """The journal's real path and the path as given: a symlink later put where an encrypted
    journal was, pointing at a plain file, still names a remembered path."""
    given = Path(path).expanduser()
    return {os.path.realpath(given), os.path.abspath(given)}


def _problem(why: str) -> JournalError:
    return JournalError(f"pumpjournal's record of encrypted journals {record_path()} {why}. "
                        "It lists the journals that must stay encrypted; "
                        "fix it, or move it away if you know which of your journals are "
                        "encrypted.")


def load() -> set[str]:
    """The real paths of the journals known to be encrypted."""
    from .files import read_regular

    try:
        raw = read_regular(record_path())  # a pipe planted there is refused, never waited on
    except FileNotFoundError:
        return set()
    except OSError as exc:
        raise _problem(f"cannot be read ({exc.strerror})") from None
    except InputError:  # a pipe, a device: refused, never read
        raise _problem("is not a regular file") from None
    try:
        paths = json.loads(raw)["encrypted"]
        if isinstance(paths, list) and all(isinstance(p, str) for p in paths):
            return set(paths)
    except (ValueError, TypeError, KeyError, RecursionError):
        pass
    raise _problem("is damaged")


def is_encrypted(path) -> bool:
    return not keys(path).isdisjoint(load())


def fully_remembered(path) -> bool:
    """Both the real path and the path as given are in the record (a new link to an
    encrypted journal is added on its first use)."""
    return keys(path) <= load()


def remember(path) -> None:
    _change(keys(path), add=True)


def forget(path) -> None:
    """Forget the journal by every path recorded for it (links used earlier too)."""
    real = os.path.realpath(Path(path).expanduser())
    _change(keys(path) | {p for p in load() if os.path.realpath(p) == real}, add=False)


def _change(names: set[str], add: bool) -> None:
    from .files import atomic_writer, reason
    from .lock import FileLock, lock_wait

    target = record_path()
    try:
        with FileLock(target.with_name(NAME + ".lock"), lock_wait()):
            paths = load()
            if (names <= paths) if add else paths.isdisjoint(names):
                return
            paths = paths | names if add else paths - names
            data = json.dumps({"encrypted": sorted(paths)}, indent=1)  # ASCII: any file name
            with atomic_writer(target) as handle:
                handle.write(data.encode() + b"\n")
    except OSError as exc:
        raise JournalError(f"could not update pumpjournal's record of encrypted journals "
                           f"{target}: {reason(exc)} (PUMPJOURNAL_CONFIG_DIR can name another "
                           "folder of yours).") from None
