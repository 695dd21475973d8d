"""Files built to break a parser are clear errors, and reports leave no live links.

Deeply nested JSON, integers too long to convert, lone surrogates, duplicate CSV columns and
duplicate JSON keys, objects where text belongs and time stamps without an offset are each a
one-line error (a row error where it is a row), exit 2, with nothing changed.
"""

from __future__ import annotations

import json

import pytest

from pumpjournal import Journal
from pjtest import iso, pairs, snapshot


def _deep(n: int) -> str:
    return "[" * n + "]" * n


BIG = "9" * 5000
# name -> (file name, content, "file" for a one-line file error or "row" for a row error)
CASES = {
    "JSON nested 100,000 deep": ("deep.json", _deep(100_000), "file"),
    "JSON note nested deep": ("deep2.json", f'[{{"date":"{iso(1)}","pain":3,"note":'
                              f'{_deep(50_000)}}}]', "file"),
    "JSONL line nested deep": ("deep.jsonl", f'{{"date":"{iso(2)}","pain":2}}\n'
                               + _deep(100_000) + "\n", "row"),
    "JSON pain of 5,000 digits": ("big.json", f'[{{"date":"{iso(1)}","pain":{BIG}}}]', "file"),
    "JSONL pain of 5,000 digits": ("big.jsonl", f'{{"date":"{iso(1)}","pain":{BIG}}}\n', "row"),
    "CSV pain of 5,000 digits": ("big.csv", f"date,pain\n{iso(1)},{BIG}\n", "row"),
    "JSON boluses 1e400": ("inf.json", f'[{{"date":"{iso(1)}","pain":3,"boluses":1e400}}]',
                           "row"),
    "JSON lone surrogate in a note": ("s.json", f'[{{"date":"{iso(1)}","pain":3,'
                                      '"note":"\\ud800"}]', "row"),
    "JSONL lone surrogate in a question": ("s.jsonl", f'{{"date":"{iso(1)}","pain":3,'
                                           '"questions":["\\udfff?"]}\n', "row"),
    "JSON lone surrogate in the patient": ("p.json", f'[{{"date":"{iso(1)}","pain":3,'
                                           '"patient":"\\ud83d"}]', "row"),
    "JSON lone surrogate in a column name": ("k.json", f'[{{"date":"{iso(1)}","pain":3,'
                                             '"\\ud800":"1"}]', "file"),
    "CSV pain twice": ("twice.csv", f"date,pain,pain\n{iso(1)},3,9\n", "file"),
    "CSV note twice": ("note.csv", f"date,pain,note,note\n{iso(1)},3,a,b\n", "file"),
    "CSV date twice, spaced": ("date.csv", f"date,pain, date\n{iso(1)},3,{iso(2)}\n", "file"),
    # silent choices are row errors too: a key given twice, an object where text belongs, a
    # time stamp without its offset
    "JSON pain twice": ("k2.json", f'[{{"date":"{iso(1)}","pain":11,"pain":3}}]', "row"),
    "JSONL pain twice": ("k2.jsonl", f'{{"date":"{iso(1)}","pain":3,"pain":3}}\n', "row"),
    "JSON object as a note": ("o.json", f'[{{"date":"{iso(1)}","pain":3,"note":{{"a":1}}}}]',
                              "row"),
    "JSON questions not text": ("q.json", f'[{{"date":"{iso(1)}","pain":3,'
                                '"questions":[null,1,{}]}]', "row"),
    "JSON logged_at a bare date": ("t.json", f'[{{"date":"{iso(1)}","pain":3,'
                                   '"logged_at":"2026-11-20"}]', "row"),
    "JSON logged_at without offset": ("t2.json", f'[{{"date":"{iso(1)}","pain":3,'
                                      '"logged_at":"2026-11-20T10:00:00"}]', "row"),
    "CSV quote never closed": ("q1.csv", f"date,pain,note\n{iso(2)},2,ok\n{iso(1)},3,\"open\n",
                               "file"),
    "CSV text after a closing quote": ("q2.csv", f'date,pain,note\n{iso(1)},3,"a"b"\n',
                                       "file"),
    "CSV logged_at in year 1": ("t.csv", f"date,pain,logged_at\n{iso(1)},3,"
                                "0001-01-01T00:00:00+00:00\n", "row"),
}


# each file strict or with --skip-invalid by default, in turn; both for every file under -m slow
@pytest.mark.parametrize("case, skip", pairs(
    list(CASES), [False, True], 1, (str, lambda skip: "skip-invalid" if skip else "strict")))
def test_a_hostile_import_file_is_a_clear_error_and_changes_nothing(cli, journal, tmp_path,
                                                                    case, skip):
    cli("log", "--pain", "1", "--date", iso(10))
    before = snapshot(journal)
    name, content, kind = CASES[case]
    source = tmp_path / name
    source.write_text(content, encoding="utf-8", errors="surrogatepass")
    args = ["import", str(source)] + (["--skip-invalid", "--rejects",
                                       str(tmp_path / ("rej." + name.rsplit(".")[-1]))]
                                      if skip else [])
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "unexpected" not in result.output and "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.strip()]
    if kind == "file":
        assert len(errors) == 1 and errors[0].startswith("Error: "), result.stderr
        assert "Nothing was changed" in errors[0]
        assert result.stdout == ""
        assert snapshot(journal) == before
    else:
        assert any(line.strip().startswith("row ") for line in errors), result.stderr
        if not skip:
            assert snapshot(journal) == before
    assert len(result.stderr) < 2000  # nothing of the file is repeated at length


def test_a_json_import_error_does_not_quote_the_file(cli, tmp_path):
    source = tmp_path / "broken.json"
    source.write_text('[{"date": "2026-01-01", "pain": 3, "note": "PRIVATE WORDS" ')
    result = cli("import", str(source))
    assert result.exit_code == 2 and "PRIVATE" not in result.output
    assert "not valid JSON" in result.stderr


def test_rejects_of_a_json_import_keep_text_that_was_not_utf8(cli, journal, tmp_path):
    source = tmp_path / "s.jsonl"
    source.write_text(f'{{"date":"{iso(1)}","pain":3,"note":"\\ud800"}}\n'
                      f'{{"date":"{iso(2)}","pain":4}}\n')
    rejects = tmp_path / "rej.jsonl"
    result = cli("import", str(source), "--skip-invalid", "--rejects", str(rejects))
    assert result.exit_code == 2 and "unexpected" not in result.output
    (row,) = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert row["note"] == "\ud800"
    assert [e.date for e in Journal(journal).entries()] == [iso(2)]


# reports ------------------------------------------------------------------------------------

URL_NOTES = ["see http://evil.example/x", "https://evil.com/track.png", "www.evil.com",
             "mail me: someone@evil.com", "evil.com/login", "ftp://evil.org/f",
             "[click](https://evil.com)", "<https://evil.com>", "HTTPS://EVIL.COM"]


@pytest.fixture
def url_journal(cli, journal):
    cli("profile", "--pump-make", "SerialNo-12345", "--name", "Robin", "--implant-date",
        iso(30))
    for n, note in enumerate(URL_NOTES):
        cli("log", "--pain", "3", "--symptom", "fever", "--date", iso(n), "--note", note,
            "--question", note)
    return journal


def test_markdown_reports_show_addresses_as_text_not_links(url_journal, cli):
    from markdown_it import MarkdownIt

    pytest.importorskip("linkify_it")
    result = cli("report", "--format", "md", "--output", "-", "--since", iso(20))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "https\\://evil" in text and "://" not in text.replace("\\://", "")
    for renderer in (MarkdownIt("gfm-like"), MarkdownIt("commonmark").enable("linkify")):
        renderer.options["linkify"] = True
        rendered = renderer.render(text)
        assert "<a " not in rendered and "href" not in rendered, rendered
        for note in ("see http://evil.example/x", "www.evil.com", "someone@evil.com"):
            assert note in rendered


@pytest.mark.parametrize("fmt", ["md", "txt", "html"])
def test_redacted_reports_leave_out_the_pump_make_and_keep_dates(url_journal, cli, fmt):
    result = cli("report", "--format", fmt, "--output", "-", "--redact", "--since", iso(20))
    assert result.exit_code == 0
    assert "SerialNo" not in result.stdout and "Robin" not in result.stdout
    assert iso(30) in result.stdout  # the implant date stays: --redact keeps dates
    full = cli("report", "--format", fmt, "--output", "-", "--since", iso(20)).stdout
    assert "SerialNo" in full


def test_redacted_pdf_leaves_out_the_pump_make(url_journal, cli, tmp_path):
    import io

    from pypdf import PdfReader

    out = tmp_path / "r.pdf"
    assert cli("report", "--format", "pdf", "--output", str(out), "--redact").exit_code == 0
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.read_bytes())).pages)
    assert "SerialNo" not in text and "Robin" not in text
