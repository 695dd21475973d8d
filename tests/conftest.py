"""Shared fixtures: a journal in a temporary folder, and two ways to run the real CLI."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from pumpjournal.cli import app
import pjtest
from pjtest import CHEAP_OLDER, CHEAP_SCRYPT, ENV, child_env, run_child

_BUILT: dict = {}


def _built_command(typer_app):
    """typer.main.get_command, built once per app object."""
    key = id(typer_app)
    if key not in _BUILT:
        _BUILT[key] = (typer_app, typer.main.get_command(typer_app))
    return _BUILT[key][1]


def pytest_runtest_teardown(item):
    """A child process a test left running (it failed half-way) is killed, not orphaned."""
    for child in list(pjtest.LIVE):
        child.kill()
        child.wait(timeout=30)


# pytest's own tmp_path and mktemp number each new folder by listing the whole base folder,
# which holds a folder for every test run so far: about 1.5 ms a test by the end of the run.
# These folders are numbered by a counter instead, in one folder each.
_NUMBERS = itertools.count()
_UNSAFE = re.compile(r"[\W]")


def _folder(factory, kind: str, name: str = "", make: bool = True) -> Path:
    parents = factory.__dict__.setdefault("_pj_parents", {})
    if kind not in parents:
        parents[kind] = factory.mktemp(kind, numbered=False)
    path = parents[kind] / f"{next(_NUMBERS)}{name}"
    if make:
        path.mkdir()
    return path


@pytest.fixture
def tmp_path(request, tmp_path_factory) -> Path:
    """A new empty folder for the test (pytest's tmp_path, made without the listing)."""
    return _folder(tmp_path_factory, "tests", "-" + _UNSAFE.sub("_", request.node.name)[:30])


@pytest.fixture(autouse=True)
def own_home(tmp_path_factory, monkeypatch) -> Path:
    """Every test gets its own HOME and XDG folders, so no test reads or writes the real
    user's config or data folders (pumpjournal's record of encrypted journals lives there).
    The folder is made when something is written there (most tests write nothing), or by
    ``private_home``."""
    home = _folder(tmp_path_factory, "homes", make=False)  # beside tmp_path, not inside it
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                      ("XDG_CACHE_HOME", ".cache"), ("XDG_STATE_HOME", ".local/state")):
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.delenv("PUMPJOURNAL_CONFIG_DIR", raising=False)
    return home


@pytest.fixture
def private_home(own_home) -> Path:
    """The test's own HOME (see own_home), made."""
    own_home.mkdir(exist_ok=True)
    return own_home


# In-process tests derive keys at pjtest's cheap scrypt cost; tests marked real_kdf use the
# product's (as does every real process not started with pjtest.CHEAP_KDF_CHILD).


@pytest.fixture(autouse=True)
def cheap_kdf(request, monkeypatch):
    if request.node.get_closest_marker("real_kdf"):
        return
    from pumpjournal import crypto

    monkeypatch.setattr(crypto, "SCRYPT", CHEAP_SCRYPT)
    monkeypatch.setattr(crypto, "OLDER", CHEAP_OLDER)
    monkeypatch.setattr(crypto, "WRITTEN", (CHEAP_SCRYPT, *CHEAP_OLDER))


@pytest.fixture(autouse=True)
def steady_clock(monkeypatch):
    """The time of a reading logged today is the current minute: in-process tests keep the
    minute their test started in, so logging today twice always names the same reading
    (a test that needs another time sets ``dates.now`` itself)."""
    from pumpjournal import dates

    start = dates.now().replace(second=0, microsecond=0)
    monkeypatch.setattr(dates, "now", lambda: start)
    return start


@pytest.fixture
def open_umask():
    """The most permissive umask, so the modes checked are the ones pumpjournal asks for."""
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.fixture
def journal(tmp_path) -> Path:
    """Path of a journal that does not exist yet, in a private temporary folder."""
    return tmp_path / "data" / "journal.json"


@pytest.fixture
def cli(journal, monkeypatch):
    """Run the CLI in-process: cli("log", "--pain", "4") -> Result (stdout, stderr, exit_code)."""
    monkeypatch.setenv("PUMPJOURNAL_PATH", str(journal))
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    # Building the Click command from the Typer app takes most of an in-process run; build it
    # once per session (Click commands are stateless between invocations).
    monkeypatch.setattr(typer.testing, "_get_command", _built_command)

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False,
                             prog_name="pumpjournal")

    return run


@pytest.fixture
def cli_json(cli):
    """Run a command with --json and return the parsed stdout (asserting exit 0)."""

    def run(*args: str):
        result = cli(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


def run_process(args: list[str], journal: Path, *, fresh: bool = True,
                **kwargs) -> subprocess.CompletedProcess:
    """Run the CLI as a separate process, stdin closed: a fresh ``python -m pumpjournal``, or
    with ``fresh=False`` a child forked from the test run (pjtest.Child: a real process
    without the interpreter's start)."""
    env = child_env(journal, **kwargs.pop("env", {}))
    timeout = kwargs.pop("timeout", 60)
    if not fresh:
        assert not kwargs, kwargs
        return run_child(args, env, timeout=timeout)
    return subprocess.run([sys.executable, "-m", "pumpjournal", *args], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=timeout, **kwargs)


@pytest.fixture(params=["forked", pytest.param("started", marks=pytest.mark.slow)])
def proc(journal, request):
    """Run the CLI in a real process: proc("list", "--json") -> CompletedProcess. By default a
    child forked from the test run; under -m slow also a fresh `python -m pumpjournal`."""
    fresh = request.param == "started"

    def run(*args: str, **kwargs):
        return run_process(list(args), journal, fresh=fresh, **kwargs)

    return run


# Hypothesis: no example database on disk (nothing written outside tests/), no per-example
# deadline (the first call of a parser may import dateutil). The default run draws a few
# examples per property ("ci"); HYPOTHESIS_PROFILE=full draws many (use it with -m slow).
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", database=None, deadline=None, max_examples=10)
settings.register_profile("full", database=None, deadline=None, max_examples=300)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
