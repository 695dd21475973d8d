"""The README's Python examples run as written (one that uses pandas, when pandas is
installed: pumpjournal does not need it)."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
PYTHON_BLOCKS = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"),
                           re.S | re.M)
DIARY = "participant_id,date,pain,symptoms\np001,2026-11-20,4,\np001,2026-11-21,6,fever\n"


def test_the_readme_has_python_examples():
    assert PYTHON_BLOCKS


def needs(code: str) -> None:
    """Skip an example that imports a package pumpjournal does not depend on, when it is
    not installed."""
    for name in re.findall(r"^(?:import|from) (pandas|numpy)\b", code, re.M):
        pytest.importorskip(name)


def run_example(code: str) -> str:
    """The example's printed output."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    return printed.getvalue()


@pytest.mark.parametrize("code", PYTHON_BLOCKS, ids=lambda c: c.splitlines()[0][:40])
def test_a_readme_python_example_runs(code, tmp_path, monkeypatch):
    """Each example runs in a fresh folder holding the small diary it may read."""
    needs(code)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PUMPJOURNAL_PATH", str(tmp_path / "journal.json"))
    (tmp_path / "diary.csv").write_text(DIARY, encoding="utf-8")
    printed = run_example(code)
    made = {p.name for p in tmp_path.iterdir()} - {"diary.csv"}
    assert made or printed, "the example neither printed nor wrote anything"
    said = re.findall(r"^print\(.*\)\s+# (.+)$", code, re.M)
    if said:  # an example that says in a comment what it prints prints that
        assert printed.splitlines() == said


def test_the_library_example_imports_and_exports_the_diary(tmp_path, monkeypatch):
    code = next(c for c in PYTHON_BLOCKS if "import_rows" in c and "out.jsonl" in c)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "diary.csv").write_text(DIARY, encoding="utf-8")
    summary = ast.literal_eval(run_example(code).strip().splitlines()[0])
    assert summary["imported"] == 2 and summary["written"], summary
    rows = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(r)["pain"] for r in rows] == [4, 6]
    # a second import keeps the same backup copy of the journal as the command line does
    (tmp_path / "diary.csv").write_text("participant_id,date,pain\np001,2026-11-22,3\n",
                                        encoding="utf-8")
    assert ast.literal_eval(run_example(code).splitlines()[0])["imported"] == 1
    backups = list((tmp_path / "backups").iterdir())
    assert len(backups) == 1 and ".import." in backups[0].name


def test_the_readme_examples_cover_the_library_rows():
    """The library's row kinds each have a running example: a file, plain dicts, pandas."""
    code = "\n".join(PYTHON_BLOCKS)
    for shown in ("read_rows(\"diary.csv\", \"csv\")", "float(\"nan\")", "datetime(",
                  "to_dict(\"records\")", "since=\"2026-11-01\""):
        assert shown in code, shown
