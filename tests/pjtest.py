"""Small helpers shared by the test modules (plain functions, no fixtures)."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import threading
import time
import traceback
from datetime import date, timedelta
from pathlib import Path
from subprocess import DEVNULL, PIPE

from pumpjournal import Event, Journal

# the environment of every run of the CLI: no colour, a fixed width, a plain terminal
ENV = {"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
# scrypt at the product's cost (n=2^17) takes about 0.5 s a key: tests derive keys at this
# cheap cost instead (conftest.cheap_kdf in-process, CHEAP_KDF_CHILD in a real process), by
# replacing the module's constants for the test only; nothing a user can set lowers the cost
CHEAP_SCRYPT = {"n": 2**4, "r": 8, "p": 1}
CHEAP_OLDER = ({"n": 2**3, "r": 8, "p": 1},)
CHEAP_KDF_CHILD = f"""
import sys
from pumpjournal import crypto
crypto.SCRYPT, crypto.OLDER = {CHEAP_SCRYPT!r}, {CHEAP_OLDER!r}
crypto.WRITTEN = (crypto.SCRYPT, *crypto.OLDER)
from pumpjournal.cli import main
main()
"""  # run as [sys.executable, "-c", CHEAP_KDF_CHILD, *args]: pumpjournal with those args
BOX = "│╭╮╰╯─┃━"
HEADLINE = re.compile(r"\[!{1,2}\] (?:EMERGENCY|URGENT): |\[i\] ROUTINE: ")
NOT_ADVICE = "pumpjournal is not medical advice; in an emergency call your local emergency number."


def plain(text: str) -> str:
    """Output with the panel's box drawing removed and all whitespace runs made one space, so
    a sentence the panel wrapped over two lines can still be found."""
    for ch in BOX:
        text = text.replace(ch, " ")
    return " ".join(text.split())


def panel_count(text: str) -> int:
    """How many boxed panels were printed."""
    return text.count("╭")


def headline_count(text: str) -> int:
    """How many panel headlines ("[!] URGENT: ...") were printed."""
    return len(HEADLINE.findall(text))


def days_ago(n: int) -> date:
    return date.today() - timedelta(days=n)


def iso(n: int) -> str:
    """The ISO date n days before today."""
    return days_ago(n).isoformat()


def set_profile(path: Path, patient: str = "me", **values) -> None:
    with Journal(path).transaction() as tx:
        tx.set_profile(patient, values)


def add_event(path: Path, kind: str, day: date, patient: str = "me") -> None:
    with Journal(path).transaction() as tx:
        tx.add_event(Event(patient, kind, day.isoformat()))


def snapshot(path: Path) -> bytes | None:
    """The journal's bytes, or None when it does not exist."""
    return path.read_bytes() if path.exists() else None


def ok(result):
    """A command that succeeded (exit 0); returns its result."""
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


_UNSET = object()


def refused(result, code: int = 2, journal: Path | None = None, before=_UNSET,
            panel: bool = False) -> str:
    """A refused command as a person sees it: the exit code, one line on stderr that starts
    "Error: ", no traceback and no "unexpected" error, nothing on stdout (only the warning
    panel of the valid signs typed, with ``panel``), and, given ``journal`` and ``before``
    (a ``snapshot``), the journal byte for byte as it was. Returns the line."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.output and "Error: unexpected" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    if panel:
        assert "[!] URGENT" in result.stdout, result.stdout
    else:
        assert result.stdout == "", result.stdout
    if journal is not None and before is not _UNSET:
        assert snapshot(journal) == before, "refused, but the journal changed"
    return lines[0]


def doctor_found(result) -> str:
    """`pumpjournal doctor` finding problems: exit 1, its report on stdout (returned), no error
    line (a warning may come on stderr), no traceback. (A refused command is ``refused``.)"""
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.output and "Error: " not in result.output, result.output
    assert result.stdout.strip(), "doctor found problems but named none"
    return result.stdout


def child_env(journal: Path, **extra: str) -> dict:
    """The environment of a real pumpjournal process on ``journal``."""
    env = {**os.environ, **ENV, "PUMPJOURNAL_PATH": str(journal)}
    env.pop("PUMPJOURNAL_DEBUG", None)
    return {**env, **extra}


# Real processes without a Python start --------------------------------------------------------
#
# A fresh `python -m pumpjournal` costs about 0.15 s of CPU before it does anything (the
# interpreter, Typer, pydantic). A child forked from the test run is just as real a process (its
# own pid, file descriptors, terminal, signals, locks and exit status) and has pumpjournal
# imported already. Tests about locking, killing, terminals and closed stdin use a `Child`;
# tests about the start of a process (settings read at import, `python -m`) start a fresh one.

MAXFD = 4096
LIVE: set = set()  # children not yet reaped; conftest kills those a test left running


class Child:
    """``target()`` run in a forked child of the test process, like ``subprocess.Popen``:
    ``stdin``/``stdout``/``stderr`` are ``PIPE``, ``DEVNULL`` or a file descriptor; ``tty``
    (a pty's slave) makes that terminal the child's stdin, stdout, stderr and controlling
    terminal. The child's exit status is what ``target`` returns or raises as SystemExit."""

    def __init__(self, target, env: dict, *, stdin=DEVNULL, stdout=DEVNULL, stderr=DEVNULL,
                 tty: int | None = None, new_session: bool = False, text: bool = True,
                 cwd=None):
        self.args = getattr(target, "args", target)
        self.returncode = None
        self.stdin = self.stdout = self.stderr = None
        opened, parent_ends, fds = [], [], []
        for n, how in enumerate((stdin, stdout, stderr)):
            if tty is not None:
                fds.append(tty)
            elif n == 2 and how == subprocess.STDOUT:
                fds.append(fds[1])
            elif how == PIPE:
                r, w = os.pipe()
                mine, theirs = (w, r) if n == 0 else (r, w)
                fds.append(theirs)
                opened.append(theirs)
                parent_ends.append((n, mine))
            elif how == DEVNULL:
                fd = os.open(os.devnull, os.O_RDWR)
                fds.append(fd)
                opened.append(fd)
            else:
                fds.append(how)
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - the child
            _child(target, env, fds, tty is not None, new_session or tty is not None, cwd)
        for fd in opened:
            os.close(fd)
        for n, fd in parent_ends:
            mode = ("w" if n == 0 else "r") + ("" if text else "b")
            setattr(self, ("stdin", "stdout", "stderr")[n],
                    os.fdopen(fd, mode, encoding="utf-8" if text else None))
        self._pidfd = os.pidfd_open(self.pid) if hasattr(os, "pidfd_open") else None
        LIVE.add(self)

    def poll(self):
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
                LIVE.discard(self)
                if self._pidfd is not None:
                    os.close(self._pidfd)
                    self._pidfd = None
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise subprocess.TimeoutExpired(self.args, timeout)
            if self._pidfd is not None:
                select.select([self._pidfd], [], [], left)
            else:
                time.sleep(0.002)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def communicate(self, input=None, timeout: float | None = None):
        """Write ``input``, read stdout and stderr to their ends, wait; like Popen's."""
        got: dict = {}

        def drain(name, stream):
            got[name] = stream.read()
            stream.close()

        readers = [threading.Thread(target=drain, args=(name, stream), daemon=True)
                   for name, stream in (("out", self.stdout), ("err", self.stderr)) if stream]
        for reader in readers:
            reader.start()
        if self.stdin:
            try:
                if input:
                    self.stdin.write(input)
                self.stdin.close()
            except BrokenPipeError:
                pass
        self.wait(timeout)
        for reader in readers:
            reader.join(timeout)
        return got.get("out"), got.get("err")


def _child(target, env, fds, tty: bool, new_session: bool, cwd) -> None:  # pragma: no cover
    code = 1
    try:
        if cwd is not None:
            os.chdir(cwd)
        if new_session:
            os.setsid()
        for n, fd in enumerate(fds):
            if fd != n:
                os.dup2(fd, n)
        if tty:
            import fcntl
            import termios

            fcntl.ioctl(0, termios.TIOCSCTTY, 0)
        os.closerange(3, MAXFD)
        os.environ.clear()
        if any(isinstance(key, bytes) for key in env):
            os.environb.update(env)
        else:
            os.environ.update(env)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _without_readline()
        # the standard streams a Python started on these descriptors would have
        sys.stdin = sys.__stdin__ = open(0, "r", encoding="utf-8", closefd=False)
        sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False,
                                           buffering=1 if os.isatty(1) else -1)
        sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", closefd=False,
                                           errors="backslashreplace", buffering=1)
        try:
            code = target()
        except SystemExit as exc:
            code = exc.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
    except KeyboardInterrupt:  # as Python does: the traceback, then death by SIGINT
        traceback.print_exc()
        _flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
    except BaseException:
        traceback.print_exc()
        code = 1
    finally:
        _flush()
        os._exit(code)


def _without_readline() -> None:  # pragma: no cover - the child
    """input() at a terminal as in a fresh `python -m pumpjournal`, which never loads GNU
    readline. The test run has it loaded (pytest imports it), and readline's wait for a key
    misses a Ctrl-C that comes just before the wait starts; with the hook unset, CPython
    reads the terminal with its own reader."""
    if "readline" not in sys.modules:
        return
    try:
        import ctypes

        ctypes.c_void_p.in_dll(ctypes.pythonapi, "PyOS_ReadlineFunctionPointer").value = None
    except (AttributeError, ValueError, OSError):
        pass


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


class pumpjournal:  # noqa: N801 - reads as the command: pumpjournal(["log", "--pain", "3"])
    """A target for `Child`: the pumpjournal command with ``args``, as `python -m pumpjournal`
    runs it (arguments that are bytes become text as Python's own start makes them)."""

    def __init__(self, args):
        self.args = [os.fsdecode(a) for a in args]

    def __call__(self):
        from pumpjournal import crypto
        from pumpjournal.cli import main

        crypto._keys.clear()  # keys the test run derived: a new process has none
        sys.argv = ["pumpjournal", *self.args]
        main()


def run_child(args, env: dict, input: str | None = None, timeout: float = 60,
              text: bool = True, cwd=None) -> subprocess.CompletedProcess:
    """The pumpjournal command in a forked child, stdin closed (or ``input``), stdout and
    stderr read: like ``subprocess.run(..., capture_output=True)``."""
    child = Child(pumpjournal(args), env, stdin=PIPE if input is not None else DEVNULL,
                  stdout=PIPE, stderr=PIPE, text=text, cwd=cwd)
    try:
        out, err = child.communicate(input, timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        raise
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def pairs(firsts, seconds, per_first: int = 1, ids=(str, str)) -> list:
    """Every (first, second) pair of a table whose cases differ little, as pytest params: by
    default ``per_first`` seconds for each first, taking turns so that every second is tried
    when ``len(firsts) * per_first >= len(seconds)``; the other pairs run under -m slow."""
    import pytest

    assert len(firsts) * per_first >= len(seconds), "some second would run only under slow"
    params = []
    for i, first in enumerate(firsts):
        chosen = {(i * per_first + j) % len(seconds) for j in range(per_first)}
        for k, second in enumerate(seconds):
            params.append(pytest.param(
                first, second, id=f"{ids[0](first)}-{ids[1](second)}",
                marks=() if k in chosen else (pytest.mark.slow,)))
    return params
