"""Reports for caregivers: what a clinician reads in each format, what is escaped or left out,
how the file is written, and (with Chromium) how the HTML prints on A4 and Letter."""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import stat
import subprocess
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pumpjournal import Journal, demo, queries, report
from pumpjournal.errors import InputError
from pumpjournal.report import chart as chart_mod
from pumpjournal.report.content import num
from pumpjournal.report.html import PAPER_MARK
from pumpjournal.report.text import md
from pumpjournal.symptoms import NOT_ADVICE, not_advice

TODAY = date(2026, 11, 25)
SINCE, UNTIL = "2026-09-15", "2026-10-20"
HOSTILE = "<script>alert(1)</script> **bold** [x](http://evil) _it_ `code` #1 | pipe & co"
HOSTILE_QUESTION = "- <img src=x onerror=alert(1)> is 1. a list?"
SECTIONS = ["Warning signs", "Did it help?", "Pain chart", "Summary figures", "Day by day",
            "Questions for the visit", "Notes", NOT_ADVICE]


def sections_of(view) -> list[str]:
    """The section headings in reading order; the last line names the profile's number."""
    return SECTIONS[:-1] + [not_advice(view.profile("sam"))]


def flat(text: str) -> str:
    return " ".join(text.split())


def readable(fmt: str, data: bytes) -> str:
    """What a reader sees, whitespace made single spaces: PDF text, HTML text, or the text."""
    if fmt == "pdf":
        return " ".join(pdf_pages(data))
    if fmt == "html":
        return flat("".join(parse(data.decode()).text))
    return flat(data.decode())


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [flat(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture
def demo_view(tmp_path):
    return demo.build(tmp_path / "d.json").read()


def make(view, fmt: str, redact: bool = False, patient: str = "sam", since=SINCE,
         until=UNTIL) -> bytes:
    return report.build(view, patient, TODAY, since, until, fmt, redact)


@pytest.fixture
def hostile_view(tmp_path):
    """A person whose name, notes and questions try to become markup."""
    journal = Journal(tmp_path / "h.json")
    with journal.transaction() as tx:
        tx.set_profile("kim", {"name": "Kim <b>Lee</b>", "initials": "K.L.",
                               "care_phone": "555-0100"})
        for n, pain in ((0, 4), (1, 5), (4, 6)):
            day = date(2026, 10, 1) + timedelta(days=n)
            values = {"pain": pain, "worst": pain + 2, "least": pain - 2, "note": HOSTILE}
            if n == 1:
                values.update(symptoms=["fever"], temperature_c=38.5, temperature="38.5 C",
                              questions=[HOSTILE_QUESTION])
            tx.log("kim", day, values, f"{day.isoformat()}T20:00:00+00:00")
    return journal.read()


def hostile(view, fmt: str, redact: bool = False) -> bytes:
    return report.build(view, "kim", TODAY, "2026-10-01", "2026-10-07", fmt, redact)


# What the clinician reads -------------------------------------------------------------------

def test_pdf_holds_key_figures_and_flagged_dates(demo_view):
    data = make(demo_view, "pdf")
    assert data.startswith(b"%PDF-")
    text = " ".join(pdf_pages(data))
    figures = queries.summary_data(demo_view, "sam", TODAY, SINCE, UNTIL)
    assert f"{figures['period']['days_logged']} of 36 days logged" in text
    mean = num(figures["pain"]["pain"]["mean"])  # the mean of each day's readings
    assert mean == "3.88" and mean in text  # 58.17 over 15 days
    for ep in figures["episodes"]:
        assert ep["first"] in text and ep["rule"] in text
    assert "[!] URGENT" in text and "Belly incision looks pinker" in text
    line = not_advice(demo_view.profile("sam"))  # the line names the profile's number
    assert "Sam Rivera (sam)" in text and line in text
    assert "Made on 2026-11-25" in text and "15 Sep" in text  # the chart's axis
    body = text.replace(line, "", text.count(line) - 1)  # page footers
    sections = sections_of(demo_view)
    assert [body.index(s) for s in sections] == sorted(body.index(s) for s in sections)
    assert all(line in " ".join(page.split()) for page in pdf_pages(data))


def test_every_format_keeps_the_order_clinicians_read_in(demo_view):
    for fmt in ("html", "md", "txt"):
        text = make(demo_view, fmt).decode()
        if fmt == "txt":
            text = text.replace("\n", " ")
            found = [text.upper().index(s.upper()) for s in SECTIONS[:-1]]
        else:
            found = [text.index(s) for s in SECTIONS[:-1]]
        found.append(text.index("pumpjournal is not medical advice"))
        assert found == sorted(found), fmt
        assert text.index("Sam Rivera") < found[0]


class Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.keys: dict[str, str] = {}
        self._key: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        self._key = attrs.get("data-k")

    def handle_data(self, data):
        self.text.append(data)
        if self._key:
            self.keys[self._key] = data
            self._key = None


def parse(page: str) -> Tags:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser


def assert_self_contained(page: str) -> None:
    parsed = parse(page)
    names = {tag for tag, _ in parsed.tags}
    assert not names & {"script", "img", "link", "iframe", "object", "embed", "a", "base",
                        "form", "image", "use", "foreignobject"}
    for tag, attrs in parsed.tags:
        for name, value in attrs.items():
            assert name not in ("src", "href", "xlink:href", "srcset", "action", "style",
                                "background", "poster")
            assert not name.startswith("on"), (tag, name)
            assert "//" not in (value or ""), (tag, name, value)
    lowered = page.lower()
    for bad in ("http://", "https://", "url(", "@import", "<script", "javascript:"):
        assert bad not in lowered


def test_html_is_one_self_contained_file(demo_view):
    page = make(demo_view, "html").decode()
    assert_self_contained(page)
    assert "//" not in page  # no address of any kind
    assert page.count("<svg") == 1 and "<style>" in page
    assert "@page" in page and "@media print" in page and PAPER_MARK in page
    assert "table-header-group" in page and "break-inside: avoid" in page


def test_html_numbers_match_the_summary_figures(demo_view):
    figures = queries.summary_data(demo_view, "sam", TODAY, SINCE, UNTIL)
    keys = parse(make(demo_view, "html").decode()).keys
    # the days logged of the days, on the day and filled in later (the demo fills one in the
    # next morning: with its median delay); four figures of each score
    assert {k for k in keys if k.startswith("logging.")} == {
        "logging.days_logged", "logging.days_in_period", "logging.same_day",
        "logging.filled_in_later", "logging.median_delay_days"}
    assert len(keys) == 5 + 4 * 5
    for key, shown in keys.items():
        value = figures
        for part in key.split("."):
            value = value[part]
        assert shown == num(value), key


def test_chart_shows_gaps_not_zero_and_marks_events(tmp_path):
    journal = Journal(tmp_path / "g.json")
    with journal.transaction() as tx:
        for n in (0, 1, 2, 6, 7):  # days 3-5 missing
            day = date(2026, 10, 1) + timedelta(days=n)
            tx.log("me", day, {"pain": 6, "worst": 8, "least": 4}, "2026-10-09T10:00:00+00:00")
        from pumpjournal import Event

        tx.add_event(Event("me", "refill", "2026-10-02", {}))
        tx.add_event(Event("me", "dose-change", "2026-10-07", {"dose": 1.0, "unit": "mg/day"}))
    made = report.prepare(journal.read(), "me", TODAY, "2026-10-01", "2026-10-08")
    drawn = chart_mod.draw(made)
    lines = [s for s in drawn.shapes if s[0] == "poly"]
    assert len(lines) == 2  # two runs of days, never joined across the gap
    zero = max(s[3] for s in drawn.shapes if s[0] == "line" and s[1] == "axis")
    assert all(y < zero - 1 for s in lines for _, y in s[2])
    texts = [s[4] for s in drawn.shapes if s[0] == "text"]
    assert "refill" in texts and "dose change" in texts
    assert "no entry for 3 days (2026-10-04 to 2026-10-06)" in made.render("txt").decode()
    assert "no entry for 1 day (2026-10-09" not in made.render("txt").decode()
    plot = chart_mod.text_chart(made)
    row_six = next(line for line in plot if line.startswith("  6 |"))
    assert row_six[5:].startswith("***") and "*" not in row_six[5 + 3 * 3:5 + 3 * 6]


def test_a_crowded_chart_labels_events_by_letter(tmp_path):
    journal = Journal(tmp_path / "c.json")
    with journal.transaction() as tx:
        from pumpjournal import Event

        for n in range(0, 60, 2):
            day = date(2026, 8, 1) + timedelta(days=n)
            tx.log("me", day, {"pain": 3}, "2026-10-09T10:00:00+00:00")
            tx.add_event(Event("me", "visit", day.isoformat(), {}))
            tx.add_event(Event("me", "refill", day.isoformat(), {}))
    made = report.prepare(journal.read(), "me", TODAY, "2026-08-01", "2026-09-29")
    drawn = chart_mod.draw(made)
    texts = [s[4] for s in drawn.shapes if s[0] == "text"]
    assert "V+R" in texts and not any("visit" == t for t in texts)
    assert any("R refill" in t and "V visit" in t for t in texts)  # the key
    for s in drawn.shapes:  # every label inside the drawing
        if s[0] == "text":
            width = chart_mod.text_width(s[4], s[5])
            left = s[2] - {"start": 0, "middle": width / 2, "end": width}[s[6]]
            assert -0.01 <= left and left + width <= drawn.width + 0.01, s


def test_text_fits_80_columns_and_markdown_tables_are_whole(demo_view, hostile_view):
    from markdown_it import MarkdownIt

    for view, build in ((demo_view, make), (hostile_view, hostile)):
        text = build(view, "txt").decode()
        assert max(len(line) for line in text.splitlines()) <= 80
        rendered = MarkdownIt("commonmark").enable("table").render(build(view, "md").decode())
        tables = re.findall(r"<table>.*?</table>", rendered, re.S)
        assert len(tables) >= 3
        for table in tables:
            rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
            widths = {len(re.findall(r"<t[hd][ >]", row)) for row in rows}
            assert len(widths) == 1, table[:300]


def test_empty_period_still_makes_every_format(demo_view):
    for fmt in report.FORMATS:
        data = make(demo_view, fmt, since="2026-11-01", until="2026-11-20")
        text = readable(fmt, data)
        assert "0 of 20 days logged" in text and "no entry for 20 days" in text
        assert "No warning signs were logged" in text


# What the person typed -----------------------------------------------------------------------

def test_hostile_text_is_shown_as_typed_in_html(hostile_view):
    page = hostile(hostile_view, "html").decode()
    assert_self_contained(page)
    parsed = parse(page)
    shown = "".join(parsed.text)
    assert HOSTILE in shown and HOSTILE_QUESTION in shown and "Kim <b>Lee</b>" in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>Lee</b>" not in page


def test_hostile_text_is_shown_as_typed_in_markdown(hostile_view):
    from markdown_it import MarkdownIt

    text = hostile(hostile_view, "md").decode()
    assert "<script>" not in text and "**bold**" not in text
    assert r"\<script\>alert(1)\</script\>" in text and r"\*\*bold\*\*" in text
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered and "<img" not in rendered and "<a " not in rendered
    assert "<strong>bold</strong>" not in rendered and "<em>it</em>" not in rendered
    assert "<code>code</code>" not in rendered
    plain = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert HOSTILE in plain and HOSTILE_QUESTION in plain and "Kim <b>Lee</b>" in plain


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
               max_size=60))
def test_markdown_escape_shows_any_line_as_typed(text):
    from markdown_it import MarkdownIt

    line = " ".join(text.split())
    if not line:
        return
    rendered = MarkdownIt("commonmark").render(md(line)).strip()
    assert rendered.startswith("<p>") and rendered.endswith("</p>"), rendered
    assert html.unescape(rendered[3:-4]) == line


def test_pdf_shows_what_latin_1_cannot_as_a_visible_mark(tmp_path):
    journal = Journal(tmp_path / "u.json")
    with journal.transaction() as tx:
        tx.set_profile("zoe", {"name": "Zoë Łukasz 山田"})
        tx.log("zoe", date(2026, 10, 1), {"pain": 3, "note": "better → walking 😀 “ok” 38°"},
               "2026-10-01T10:00:00+00:00")
    data = report.build(journal.read(), "zoe", TODAY, "2026-10-01", "2026-10-01", "pdf")
    text = " ".join(pdf_pages(data))
    assert "Zoë Lukasz ?? (zoe)" in text
    assert 'better -> walking ? "ok" 38°' in text
    assert "Characters that this PDF's fonts cannot show appear as '?'" in text
    clean = report.build(journal.read(), "zoe", TODAY, "2026-10-02", "2026-10-03", "pdf",
                         redact=True)
    assert "fonts cannot show" not in " ".join(pdf_pages(clean))


# Redaction -------------------------------------------------------------------------------------

def test_redacted_reports_leave_out_name_notes_and_questions(demo_view):
    figures = queries.summary_data(demo_view, "sam", TODAY, SINCE, UNTIL)
    for fmt in report.FORMATS:
        data = make(demo_view, fmt, redact=True)
        text = readable(fmt, data)
        for secret in ("Sam", "Rivera", "Belly incision", "incision stay pink", "wound check",
                       "Implant day", "555-0142"):
            assert secret not in text, (fmt, secret)
        assert not re.search(r"\bsam\b", text, re.I), fmt
        assert "(left out: redacted)" in text.replace("\\", "")
        assert "patient" in text and "2026-09-19" in text and "W-INF" in text
        assert num(figures["pain"]["pain"]["mean"]) in text
        if fmt == "pdf":
            from pypdf import PdfReader

            assert "Sam" not in str(PdfReader(io.BytesIO(data)).metadata)
    name = report.prepare(demo_view, "sam", TODAY, SINCE, UNTIL, redact=True).default_name("pdf")
    assert name == "pumpjournal-report-patient-2026-09-15-to-2026-10-20-made-2026-11-25.pdf"


def test_redacted_hostile_report_has_no_typed_text(hostile_view):
    for fmt in ("html", "md", "txt"):
        text = hostile(hostile_view, fmt, redact=True).decode()
        assert "alert" not in text and "Kim" not in text and "K.L." not in text


# Names and files ------------------------------------------------------------------------------

def test_default_name_says_who_which_period_and_when():
    name = report.default_name("sam", date(2026, 9, 15), date(2026, 10, 20), TODAY, "pdf")
    assert name == "pumpjournal-report-sam-2026-09-15-to-2026-10-20-made-2026-11-25.pdf"
    assert report.default_name("Ann.B_2", date(2026, 1, 1), date(2026, 1, 2), TODAY,
                               "markdown").startswith("pumpjournal-report-ann-b-2-2026-01-01")


def test_unknown_format_is_a_clear_error(demo_view):
    with pytest.raises(InputError, match="not one of pdf, html, md, txt"):
        make(demo_view, "docx")


def test_save_creates_0600_and_never_overwrites_without_force(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "r.pdf"
        report.save(path, b"first", force=False)
        assert path.read_bytes() == b"first"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        with pytest.raises(InputError, match="already exists; use --force") as caught:
            report.save(path, b"second", force=False)
        assert caught.value.ending == "Nothing was written."  # the error type says it
        assert path.read_bytes() == b"first"
        path.chmod(0o644)
        report.save(path, b"third", force=True)
        assert path.read_bytes() == b"third"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert sorted(p.name for p in tmp_path.iterdir()) == ["r.pdf"]  # no temp files left
        with pytest.raises(InputError, match="does not exist"):
            report.save(tmp_path / "missing" / "r.pdf", b"x", force=False)
        with pytest.raises(InputError, match="is a folder"):
            report.save(tmp_path, b"x", force=True)
    finally:
        os.umask(old)


# In a real browser -----------------------------------------------------------------------------

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(tmp_path: Path, *args: str) -> None:
    profile = tmp_path / "chromium-profile"
    subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", *args],
                   check=True, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)


needs_browser = pytest.mark.skipif(BROWSER is None, reason="chromium is not installed "
                                   "(apt-get install chromium); the HTML tests need a real browser")


def html_page(tmp_path: Path, paper: str):
    """The report of the demo journal plus a word too long for any line, as HTML with the paper
    size pinned: (the report, its HTML file). The report leaves the paper to the print dialog; here
    the size is pinned by putting ``size: A4;`` or ``size: letter;`` where the ``/* paper */``
    mark stands in @page."""
    demo.build(tmp_path / "d.json")
    with Journal(tmp_path / "d.json").transaction() as tx:
        tx.log("sam", date(2026, 10, 9), {"pain": 3, "note": "x" * 300},
               "2026-10-09T10:00:00+00:00")
    made = report.prepare(Journal(tmp_path / "d.json").read(), "sam", TODAY, SINCE, UNTIL)
    source = tmp_path / f"{paper}.html"
    source.write_text(made.render("html").decode().replace(PAPER_MARK, f"size: {paper};"),
                      encoding="utf-8")
    return made, source


@pytest.fixture(scope="module")
def on_a4(tmp_path_factory):
    """The page on A4, printed to PDF and shown on a 1240x1754 screen by one run of the
    browser: (the report, its folder, the PDF, the screenshot)."""
    folder = tmp_path_factory.mktemp("browser")
    made, source = html_page(folder, "A4")
    printed, shot = folder / "A4.pdf", folder / "screen.png"
    run_chromium(folder, f"--print-to-pdf={printed}", "--no-pdf-header-footer",
                 f"--screenshot={shot}", "--window-size=1240,1754", source.as_uri())
    return made, folder, printed, shot


@needs_browser
@pytest.mark.parametrize("paper, width, height", [
    ("A4", 595.3, 841.9), pytest.param("letter", 612, 792, marks=pytest.mark.slow)])
def test_html_prints_whole_on_the_paper(request, tmp_path, paper, width, height):
    """Printed by a real browser: every day's row whole on one page, text inside the margins,
    full size, the chart labelled, the sections in order (A4 by default; letter under -m slow,
    the same checks on another paper)."""
    from pypdf import PdfReader

    if paper == "A4":
        made, folder, printed, _ = request.getfixturevalue("on_a4")
    else:
        folder = tmp_path
        made, source = html_page(folder, paper)
        printed = folder / f"{paper}.pdf"
        run_chromium(folder, f"--print-to-pdf={printed}", "--no-pdf-header-footer",
                     source.as_uri())
    demo_view = Journal(folder / "d.json").read()
    rows = [r for r in made.rows if hasattr(r, "cells")]
    pages = PdfReader(printed).pages
    assert 2 <= len(pages) <= 4
    texts, sizes_first = [], None
    for sheet in pages:
        box = sheet.mediabox
        assert abs(float(box.width) - width) < 2 and abs(float(box.height) - height) < 2
        starts, sizes = [], {}

        def visit(text, cm, tm, font, size, starts=starts, sizes=sizes):
            if text.strip():
                starts.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                               tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))
                sizes[text.strip()] = size * tm[0] * cm[0]

        texts.append(flat(sheet.extract_text(visitor_text=visit)))
        sizes_first = sizes if sizes_first is None else sizes_first
        margin = 15 * 72 / 25.4  # the CSS margin, 15 mm, in points
        for x, y in starts:  # every piece of text starts inside the printable area
            assert margin * 0.8 <= x <= width - margin, (paper, x)
            assert 0 < y < height, (paper, y)
    # printed at full size: nothing too wide made the browser shrink the page to fit
    assert pages[0] and 15 <= next(v for k, v in sizes_first.items()
                                   if k.startswith("Pain pump recovery report")) <= 19
    for row in rows:  # every day's row whole on one page
        line = " ".join(row.cells[:9])
        assert sum(line in t for t in texts) == 1, (paper, line)
    whole = " ".join(texts)
    chart_page = next(t for t in texts if "Pain chart" in t)
    for label in ("15 Sep", "20 Oct", "implant", "refill + visit",
                  "blank = no entry that day (not 0)"):
        assert label in chart_page, (paper, label)
    sections = sections_of(demo_view)
    assert [whole.index(s) for s in sections] == sorted(whole.index(s) for s in sections)


@needs_browser
def test_html_shows_whole_on_screen(on_a4):
    """On screen in a real browser: the page is drawn, the chart's bars too, and nothing spills
    out sideways."""
    from PIL import Image

    shot = on_a4[3]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1240, 1754)
    colours = image.getcolors(maxcolors=1 << 24)
    ink = sum(n for n, rgb in colours if sum(rgb) < 600)
    assert ink > 0.02 * 1240 * 1754  # not blank
    band = sum(n for n, rgb in colours
               if all(abs(c - want) < 8 for c, want in zip(rgb, (0xB9, 0xD0, 0xEA))))
    assert band > 2000  # the chart's worst-to-least bars were drawn
    beside = image.crop((1080, 0, 1200, 1754)).getextrema()  # right of the page, left of the
    assert all(low > 245 for low, _ in beside)  # scrollbar: nothing spills out sideways


def test_every_format_says_did_it_help_with_the_trial_figure(demo_view):
    for fmt in ("txt", "md", "html"):
        text = " ".join(make(demo_view, fmt).decode().replace("\\", "").split())
        assert "40.2% lower during the trial than in the baseline weeks" in text, fmt
        assert "IMMPACT, Dworkin et al., J Pain 2008" in text, fmt
        assert "morphine 0.6 mg/day" in text, fmt
    text = " ".join(" ".join(pdf_pages(make(demo_view, "pdf"))).split())
    assert "40.2% lower during the trial" in text and "Did it help?" in text


def test_the_chart_shades_the_baseline_and_the_trial(demo_view):
    from pumpjournal.report import chart as charts

    spans = report.prepare(demo_view, "sam", TODAY, "2026-08-15", UNTIL).chart_spans
    assert spans == [(date(2026, 8, 17), date(2026, 8, 30), "baseline"),
                     (date(2026, 8, 31), date(2026, 9, 3), "trial")]
    html = make(demo_view, "html", since="2026-08-15").decode()
    assert charts.STYLES["trial"]["fill"] in html and charts.STYLES["baseline"]["fill"] in html
    assert "the 14 days before the trial (baseline)" in html
    text = make(demo_view, "txt", since="2026-08-15").decode()
    assert "  B |  bbbbbbbbbbbbbbTTTT\n" in text  # 2026-08-17..30, then 2026-08-31..09-03
    assert "B row: b the 14 days before the trial (baseline), T the trial" in text
    # a period after the trial shades nothing
    assert charts.STYLES["trial"]["fill"] not in make(demo_view, "html").decode()
