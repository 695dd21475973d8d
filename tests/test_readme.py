"""The README's Python examples run as written."""

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


@pytest.mark.parametrize("code", PYTHON_BLOCKS, ids=lambda c: c.splitlines()[0][:40])
def test_a_readme_python_example_runs(code, tmp_path, monkeypatch):
    """Each example runs in a fresh folder holding the small diary it may read."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PUMPJOURNAL_PATH", str(tmp_path / "journal.json"))
    (tmp_path / "diary.csv").write_text(DIARY, encoding="utf-8")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    made = {p.name for p in tmp_path.iterdir()} - {"diary.csv"}
    assert made or printed.getvalue(), "the example neither printed nor wrote anything"


def test_the_library_example_imports_and_exports_the_diary(tmp_path, monkeypatch):
    code = next(c for c in PYTHON_BLOCKS if "import_rows" in c and "out.jsonl" in c)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "diary.csv").write_text(DIARY, encoding="utf-8")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    summary = ast.literal_eval(printed.getvalue().strip().splitlines()[0])
    assert summary["imported"] == 2 and summary["written"], summary
    rows = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(r)["pain"] for r in rows] == [4, 6]
