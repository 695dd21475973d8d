"""The `report` command as a caregiver runs it."""

from __future__ import annotations

import os
import stat

import pytest


@pytest.fixture
def logged(cli):
    assert cli("profile", "--name", "Robin Example").exit_code == 0
    assert cli("log", "--pain", "4", "--worst", "6", "--least", "2", "--date", "3 days ago",
               "--symptom", "incision-redness", "--note", "**bold** <b>x</b>").exit_code == 0
    assert cli("log", "--pain", "3", "--date", "yesterday").exit_code == 0


def test_report_without_output_names_the_file_and_prints_its_path(cli, logged, tmp_path,
                                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("report", "--format", "html")
    assert result.exit_code == 0, result.output
    path = tmp_path / result.stdout.strip()
    assert path.name.startswith("pumpjournal-report-me-") and path.suffix == ".html"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    html = path.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "**bold** &lt;b&gt;x&lt;/b&gt;" in html
    again = cli("report", "--format", "html")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert cli("report", "--format", "html", "--force").exit_code == 0


@pytest.mark.parametrize("fmt", ["pdf", "html", "md", "txt"])
def test_every_format_writes_to_a_named_file(cli, logged, tmp_path, fmt):
    target = tmp_path / f"visit.{fmt}"
    result = cli("report", "--output", str(target))
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(b"%PDF") if fmt == "pdf" else b"Robin Example" in data


def test_report_to_stdout_and_redacted(cli, logged):
    result = cli("report", "--format", "md", "--output", "-", "--redact")
    assert result.exit_code == 0
    assert "Robin" not in result.stdout and "bold" not in result.stdout
    assert "incision" in result.stdout.lower()


def test_bad_format_is_refused(cli, logged, tmp_path):
    result = cli("report", "--format", "docx", "--output", str(tmp_path / "x.docx"))
    assert result.exit_code == 2 and "pdf" in result.stderr
    assert not os.path.exists(tmp_path / "x.docx")
