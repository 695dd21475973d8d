"""Shared fixtures: a journal in a temporary folder, and two ways to run the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pumpjournal.cli import app

BASE_ENV = {"NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}


@pytest.fixture
def journal(tmp_path) -> Path:
    """Path of a journal that does not exist yet, in a private temporary folder."""
    return tmp_path / "data" / "journal.json"


@pytest.fixture
def cli(journal, monkeypatch):
    """Run the CLI in-process: cli("log", "--pain", "4") -> Result (stdout, stderr, exit_code)."""
    monkeypatch.setenv("PUMPJOURNAL_PATH", str(journal))
    for key, value in BASE_ENV.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return run


@pytest.fixture
def cli_json(cli):
    """Run a command with --json and return the parsed stdout (asserting exit 0)."""

    def run(*args: str):
        result = cli(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


def run_process(args: list[str], journal: Path, **kwargs) -> subprocess.CompletedProcess:
    """Run the installed CLI as a separate process (python -m pumpjournal), stdin closed."""
    env = {**os.environ, **BASE_ENV, "PUMPJOURNAL_PATH": str(journal)}
    env.update(kwargs.pop("env", {}))
    return subprocess.run([sys.executable, "-m", "pumpjournal", *args], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=kwargs.pop("timeout", 60), **kwargs)


@pytest.fixture
def proc(journal):
    """Run the CLI in a real subprocess: proc("list", "--json") -> CompletedProcess."""

    def run(*args: str, **kwargs):
        return run_process(list(args), journal, **kwargs)

    return run
