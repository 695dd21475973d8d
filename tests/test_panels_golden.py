"""One whole panel per urgency, pinned at 80 columns (NO_COLOR=1, COLUMNS=80), through the CLI.

The profile and the days are fixed, so the text does not depend on today's date. A change to
a panel's wording shows up here as a diff of the file under tests/golden/; update the file only
when the new wording is meant.
"""

from __future__ import annotations

from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
PROFILE = ("profile", "--implant-date", "2026-11-20", "--drug", "morphine",
           "--emergency-number", "911", "--care-phone", "555-0142", "--after-hours-phone",
           "555-0199")
CASES = {
    "emergency": ("--date", "2026-11-25", "--pain", "6", "--symptom", "fever", "--symptom",
                  "stiff-neck", "--temperature", "38.6"),
    "urgent": ("--date", "2026-11-24", "--pain", "4", "--symptom", "incision-redness",
               "--symptom", "incision-soreness"),
    "routine": ("--date", "2026-11-27", "--pain", "3", "--symptom", "constipation"),
    "expected": ("--date", "2026-11-26", "--pain", "3", "--symptom", "incision-soreness"),
}


@pytest.mark.parametrize("name", CASES)
def test_the_whole_panel_at_80_columns(cli, monkeypatch, name):
    monkeypatch.setenv("COLUMNS", "80")
    assert cli(*PROFILE).exit_code == 0
    result = cli("log", *CASES[name])
    assert result.exit_code == 0, result.output
    expected = (GOLDEN / f"panel-{name}.txt").read_text(encoding="utf-8")
    assert result.stdout == expected
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
