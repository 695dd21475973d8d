"""The `report` command as a caregiver runs it."""

from __future__ import annotations

import os
import stat

import pytest
from pjtest import ok


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


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_a_redacted_report_leaves_out_the_emergency_number(cli, logged, fmt):
    """The not-advice line names the profile's number; redacted, it names no number."""
    ok(cli("profile", "--emergency-number", "0800 555 0177"))
    assert "0800 555 0177" in ok(cli("report", "--format", fmt, "--output", "-")).stdout
    redacted = " ".join(ok(cli("report", "--format", fmt, "--output", "-", "--redact"))
                        .stdout.split())  # the text report wraps its lines
    assert "0800 555 0177" not in redacted and "your local emergency number" in redacted


def test_bad_format_is_refused(cli, logged, tmp_path):
    result = cli("report", "--format", "docx", "--output", str(tmp_path / "x.docx"))
    assert result.exit_code == 2 and "pdf" in result.stderr
    assert not os.path.exists(tmp_path / "x.docx")


# Each urgency its own shade and word; words for the clinician --------------------------------

def three_levels(cli) -> None:
    from pjtest import iso

    cli("profile", "--name", "Alex Morgan")
    for n, args in ((3, ["-s", "constipation"]), (2, ["-s", "incision-redness"]),
                    (1, ["-s", "cannot-walk"])):
        assert cli("log", "--pain", "4", "--date", iso(n), *args).exit_code == 0


def report_of(cli, fmt: str, *args: str) -> str:
    result = cli("report", "--format", fmt, "--output", "-", *args)
    assert result.exit_code == 0, result.stderr
    if fmt != "pdf":
        return result.stdout
    import io

    from pypdf import PdfReader

    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(result.stdout_bytes)).pages)


def test_html_day_rows_differ_by_urgency_in_class_and_words(cli):
    import re

    three_levels(cli)
    page = report_of(cli, "html")
    rows = re.findall(r'<tr class="flagged (\w+)">(.*?)</tr>', page, re.S)
    assert [level for level, _ in rows] == ["routine", "urgent", "emergency"]
    for (level, cells), word in zip(rows, ("[i] ROUTINE", "[!] URGENT", "[!!] EMERGENCY")):
        assert word in cells, level
    shades = {level: re.search(rf"tr\.{level} td {{ background: (#\w+)", page).group(1)
              for level in ("routine", "urgent", "emergency")}
    assert len(set(shades.values())) == 3


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "pdf"])
def test_reports_say_the_day_level_and_name_each_rule_in_words(cli, fmt):
    import re

    three_levels(cli)
    text = re.sub(r"<style>.*?</style>|<[^>]+>", "", report_of(cli, fmt), flags=re.S)
    text = " ".join(text.replace("**", "").split())  # the words a reader sees
    for word in ("ROUTINE W-SIDE", "URGENT W-INF", "EMERGENCY W-NEURO-SEVERE"):
        # a PDF cell wraps its words, and the text read back may take them apart
        assert all(w in text for w in word.split()) if fmt == "pdf" else word in text, word
    for code in ("W-SIDE", "W-INF", "W-NEURO-SEVERE"):
        from pumpjournal.symptoms import RULE_NAMES

        assert f"{code}: {RULE_NAMES[code]}" in text, code
    assert "Source advice to the patient: Contact your care team right away" in text
    assert "What the sources advise the patient to do" in text


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "pdf"])
@pytest.mark.parametrize("people, patient, shown", [
    (["me"], None, "Alex Morgan"), (["sam"], "sam", "Alex Morgan (sam)"),
    (["me", "sam"], "me", "Alex Morgan (me)")])
def test_the_person_id_is_shown_only_when_it_tells_something(cli, fmt, people, patient,
                                                             shown):
    import re

    for who in people:
        assert cli("profile", "--patient", who, "--name", "Alex Morgan").exit_code == 0
        assert cli("log", "--patient", who, "--pain", "4").exit_code == 0
    text = report_of(cli, fmt, *(["--patient", patient] if patient else []))
    text = " ".join(re.sub(r"<[^>]+>", " ", text).replace("**", "").split())
    assert re.search(r"Person:? " + re.escape(shown) + r"(?! \()", text), text[:300]
