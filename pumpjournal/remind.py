"""Daily reminders: a desktop notification that carries no health data, and the files that run
`pumpjournal remind --notify` at set times of day.

Where systemd runs the user's session (Linux with ``systemctl``), ``install`` writes a user
service and timer into the systemd user folder; elsewhere, or when asked, it gives the crontab
lines to add by hand. Nothing here runs systemctl or changes a crontab: the command line prints
the one command that switches the timer on (or off), and the person runs it.

The files hold no health data, but they name the journal's path, so they are written 0600,
atomically, and only over a file that carries ``MARKER`` (one pumpjournal wrote) unless forced.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from .errors import JournalError, NotWritten
from .escape import problem, quote
from .files import atomic_writer, kind, output_error, read_regular, reason

MARKER = "# Written by pumpjournal remind install"
SERVICE = "pumpjournal-remind.service"
TIMER = "pumpjournal-remind.timer"
DEFAULT_TIME = "20:00"
ENABLE = f"systemctl --user daemon-reload && systemctl --user enable --now {TIMER}"
DISABLE = f"systemctl --user disable --now {TIMER}"
# The one command that runs it, as it stands in a crontab line (uninstall names it).
CRON_COMMAND = "-m pumpjournal remind --notify"

# A notification can show on a locked screen: its words are fixed, and never hold a name, a
# symptom, a pain score, a note or the journal's path.
TITLE = "pumpjournal: time for today's diary entry"
BODY = "Run: pumpjournal log"
ENCRYPTED_BODY = "The journal is encrypted, so the reminder cannot check it. If today is not " \
                 "logged yet, run: pumpjournal log"
UNREADABLE_TITLE = "pumpjournal: the reminder could not read your journal"
UNREADABLE_BODY = "Run: pumpjournal doctor"

SESSION = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
NOTIFY_TIMEOUT = 10  # seconds
_TIME = re.compile(r"(\d{1,2}):(\d{2})")


def system() -> str:
    """The platform, as ``sys.platform`` names it ("linux", "darwin", ...)."""
    return sys.platform


# Times of day ------------------------------------------------------------------------------


def parse_times(values) -> list[tuple[int, int]]:
    """(hour, minute) for each ``HH:MM`` given, sorted, each once; DEFAULT_TIME when none."""
    found = set()
    for value in values or [DEFAULT_TIME]:
        match = _TIME.fullmatch(str(value).strip())
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise NotWritten(f"--at {quote(value, 20)} is not a time of day; give HH:MM from "
                             "00:00 to 23:59, for example --at 09:00 (repeat --at for more "
                             "than one time).")
        found.add((int(match[1]), int(match[2])))
    return sorted(found)


def time_text(times) -> str:
    """09:00, 14:30 and 20:00."""
    shown = [f"{h:02d}:{m:02d}" for h, m in times]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


# What the timer or crontab runs ------------------------------------------------------------


def own_command(journal: Path, patient: str | None = None) -> list[str]:
    """This installation of pumpjournal (its own Python, as it runs now) checking ``journal``
    and notifying: the command a timer or crontab line runs."""
    python = sys.executable
    if not python:
        raise NotWritten("cannot tell which Python runs pumpjournal (sys.executable is empty), "
                         "so there is no command to schedule.")
    # the path as it is, links kept: a venv's python is a link whose target has no pumpjournal
    args = [os.path.abspath(python), "-m", "pumpjournal", "remind", "--notify",
            "--journal", os.path.abspath(journal)]
    if patient:
        args += ["--patient", patient]
    for arg in args:
        why = problem(arg, lines=False)
        if why:
            raise NotWritten(f"the path {quote(arg)} {why}: a timer or crontab line cannot "
                             "hold it; use a journal path without it (--journal).")
    return args


def systemd_word(arg: str) -> str:
    """One argument of an ExecStart= line: double-quoted unless plain, with ``\\`` and ``"``
    escaped inside quotes, and ``%`` and ``$`` doubled (systemd expands them even in quotes)."""
    if not re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", arg):
        arg = '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return arg.replace("%", "%%").replace("$", "$$")


def unit_files(args: list[str], times) -> dict[str, str]:
    """The service that runs ``args`` once, and the timer that starts it at ``times``."""
    head = (f"{MARKER}; `pumpjournal remind uninstall` removes it.\n"
            "# It holds no health data. The notification says only that it is time to log.\n")
    service = (head + "\n[Unit]\nDescription=pumpjournal: remind me to log today's diary "
               "entry\n\n[Service]\nType=oneshot\n"
               f"ExecStart={' '.join(systemd_word(a) for a in args)}\n"
               "# exit 1 means today is not logged yet: a reminder, not a failure\n"
               "SuccessExitStatus=1\n")
    calendar = "".join(f"OnCalendar=*-*-* {h:02d}:{m:02d}:00\n" for h, m in times)
    timer = (head + f"\n[Unit]\nDescription=pumpjournal: daily diary reminder at "
             f"{time_text(times)}\n\n[Timer]\n{calendar}Persistent=false\n\n"
             "[Install]\nWantedBy=timers.target\n")
    return {SERVICE: service, TIMER: timer}


def crontab_lines(args: list[str], times) -> list[str]:
    """One crontab line per time. cron passes the command to sh, and turns an unescaped ``%``
    into a line break: each ``%`` is written ``\\%``."""
    if any("\\%" in arg for arg in args):
        raise NotWritten("a path holds a backslash before a %, which a crontab line cannot "
                         "hold; use a journal path without it (--journal).")
    command = " ".join(shlex.quote(a) for a in args).replace("%", "\\%")
    return [f"{m} {h} * * * {command}" for h, m in times]


# systemd files -----------------------------------------------------------------------------


def has_systemd() -> bool:
    """Linux with systemctl on the PATH: a systemd user timer can run the reminder."""
    return system().startswith("linux") and shutil.which("systemctl") is not None


def unit_folder() -> Path:
    """The systemd user folder: $XDG_CONFIG_HOME/systemd/user, else ~/.config/systemd/user
    (a relative $XDG_CONFIG_HOME is ignored, as the XDG rules say)."""
    config = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(config) if os.path.isabs(config) else Path.home() / ".config"
    return base / "systemd" / "user"


def ours(path: Path) -> bool | None:
    """None when nothing is at ``path``; True when it is a file pumpjournal wrote (it carries
    MARKER); False for anything else there (another file, a link, a folder)."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):  # writing there says why it cannot
        return None
    except OSError as exc:
        raise JournalError(f"cannot look at {path}: {reason(exc)}.") from None
    if not stat.S_ISREG(info.st_mode):
        return False
    try:
        text = read_regular(path, 64 * 1024).decode("utf-8", "replace")
    except OSError as exc:
        raise JournalError(f"cannot read {path}: {reason(exc)}.") from None
    return any(line.startswith(MARKER) for line in text.splitlines())


def install(folder: Path, files: dict[str, str], force: bool = False
            ) -> list[tuple[Path, bool]]:
    """Write ``files`` (name: text) into ``folder``: (path, True when it replaced pumpjournal's
    own file) for each. A file of the same name that pumpjournal did not write is replaced
    only with ``force``; every name is checked before anything is written."""
    found = {}
    for name in files:
        path = folder / name
        found[name] = ours(path)
        if found[name] is False:
            mode = os.lstat(path).st_mode
            if not stat.S_ISREG(mode):  # never replaced, even with --force
                raise NotWritten(f"{path} is {kind(mode)}, not a regular file; pumpjournal "
                                 "replaces only regular files.")
            if not force:
                raise NotWritten(f"{path} exists and was not written by pumpjournal; use "
                                 "--force to replace it.")
    done = []
    for name, text in files.items():
        path = folder / name
        try:
            with atomic_writer(path) as handle:
                handle.write(text.encode("utf-8"))
        except OSError as exc:
            error = output_error(path, exc)
            if done:  # the service was written, the timer not: say so, and how to finish
                raise type(error)(f"{error} {done[0][0]} was written; run the same command "
                                  "again to finish.", written=True) from None
            raise error from None
        done.append((path, found[name] is not None))
    return done


def installed(folder: Path) -> tuple[list[Path], list[Path]]:
    """(pumpjournal's own reminder files in ``folder``, files of the same names it did not
    write)."""
    mine, others = [], []
    for name in (SERVICE, TIMER):
        kind = ours(folder / name)
        if kind is not None:
            (mine if kind else others).append(folder / name)
    return mine, others


def switched_on(folder: Path) -> bool:
    """The timer is enabled: `systemctl --user enable` linked it into timers.target.wants."""
    return os.path.lexists(folder / "timers.target.wants" / TIMER)


def uninstall(paths: list[Path]) -> list[Path]:
    """Remove ``paths`` (pumpjournal's own files, from ``installed``); the ones removed."""
    removed = []
    for path in paths:
        try:
            os.unlink(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise JournalError(f"could not remove {path}: {reason(exc)}"
                               + (f" ({removed[0]} was removed)." if removed else ".")
                               ) from None
        removed.append(path)
    return removed


# Notifications -----------------------------------------------------------------------------


def applescript_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def notify(title: str, body: str) -> str | None:
    """Show a desktop notification; None when it was shown, else why not, in plain words.
    ``notify-send`` (where a desktop session is: one of SESSION set) or, on macOS,
    ``osascript``; run without a shell, given NOTIFY_TIMEOUT seconds."""
    if system() == "darwin":
        name = "osascript"
        tool = shutil.which(name)
        if tool is None:
            return "osascript was not found"
        args = [tool, "-e", f"display notification {applescript_text(body)} with title "
                            f"{applescript_text(title)}"]
    else:
        name = "notify-send"
        if not any(os.environ.get(var) for var in SESSION):
            return "there is no desktop session here (DISPLAY, WAYLAND_DISPLAY and " \
                   "DBUS_SESSION_BUS_ADDRESS are not set)"
        tool = shutil.which(name)
        if tool is None:
            return "notify-send was not found (it comes with libnotify: the package is " \
                   "libnotify-bin or libnotify)"
        args = [tool, "--app-name=pumpjournal", title, body]
    try:
        done = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=NOTIFY_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return f"{name} did not finish within {NOTIFY_TIMEOUT} seconds"
    except OSError as exc:
        return f"{name} could not be started ({reason(exc)})"
    if done.returncode != 0:
        said = [line for line in done.stderr.decode("utf-8", "replace").splitlines()
                if line.strip()]
        return f"{name} failed (exit {done.returncode})" + (
            f": {said[-1].strip()[:200]}" if said else "")
    return None
