"""The report's shape: one list of sections drawn by every format, a package without import
cycles, and the words the terminal and the reports share said once."""

from __future__ import annotations

import ast
import io
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pumpjournal import Event, Journal, report, words
from pumpjournal.report import chart as charts
from pumpjournal.report import layout

from pjtest import plain

PACKAGE = Path(report.__file__).parent
TODAY = date(2026, 10, 20)
SINCE, UNTIL = "2026-09-29", "2026-10-20"


# The import graph ------------------------------------------------------------------------

def imports_of(path: Path) -> set[str]:
    """Modules of report/ that ``path`` imports, at the top or inside functions, plus what
    it imports outside report/ (as "outside:NAME")."""
    here = path.stem
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                names = [node.module.split(".")[0]] if node.module else [
                    a.name for a in node.names]
                for name in names:
                    found.add(name if (PACKAGE / f"{name}.py").exists() else "__init__")
            elif node.level == 2:
                found |= ({f"outside:{node.module.split('.')[0]}"} if node.module
                          else {f"outside:{a.name}" for a in node.names})
            elif (node.module or "").startswith("pumpjournal.report"):
                found.add((node.module.split(".") + ["__init__"])[2])
            elif (node.module or "").startswith("pumpjournal"):
                found.add(f"outside:{(node.module.split('.') + [''])[1]}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("pumpjournal.report."):
                    found.add(alias.name.split(".")[2])
    found.discard(here)
    return found


def report_graph() -> dict[str, set[str]]:
    graph = {p.stem: imports_of(p) for p in PACKAGE.glob("*.py")}
    # the package imports its renderers by name from a table (lazily): those are edges too
    graph["__init__"] |= {module for module, _ in report.RENDERERS.values()}
    return graph


def test_every_report_module_imports():
    import importlib

    for path in PACKAGE.glob("*.py"):
        name = "pumpjournal.report" + ("" if path.stem == "__init__" else f".{path.stem}")
        importlib.import_module(name)


def test_the_report_package_has_no_import_cycle_not_even_inside_functions():
    graph = {k: {m for m in v if not m.startswith("outside:")} for k, v in report_graph().items()}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        assert node not in path, "import cycle: " + " -> ".join(path + [node])
        if node in done:
            return
        for target in graph[node]:
            visit(target, path + [node])
        done.add(node)

    for node in graph:
        visit(node, [])
    assert graph["content"] == set(), "content.py imports nothing from report/"
    assert not any("__init__" in graph[m] for m in graph if m != "__init__")


def test_reports_take_nothing_from_the_terminal_renderer():
    for module, targets in report_graph().items():
        assert "outside:render" not in targets, module
        assert "outside:cli" not in targets, module


def test_the_detector_sees_imports_hidden_in_functions(tmp_path, monkeypatch):
    # the old shape: content imported the package and the terminal renderer inside functions
    (tmp_path / "content.py").write_text("def f():\n    from . import default_name\n"
                                         "    from .. import render\n")
    (tmp_path / "__init__.py").write_text("from .content import Report\n")
    monkeypatch.setitem(imports_of.__globals__, "PACKAGE", tmp_path)
    assert imports_of(tmp_path / "content.py") == {"__init__", "outside:render"}
    assert imports_of(tmp_path / "__init__.py") == {"content"}


# Every format draws the one list of sections --------------------------------------------

def journal_with(tmp_path, *, notes: bool, refill_today: bool = False) -> Journal:
    journal = Journal(tmp_path / "j.json")
    with journal.transaction() as view:
        view.set_profile("me", {"name": "Robin Example", "care_phone": "555-0142",
                                **({"next_refill": TODAY.isoformat()} if refill_today else {})})
        for n in range(6):
            values = {"pain": 3 + n % 3, "worst": 6, "least": 2}
            if notes and n == 1:
                values.update(note="# not a heading\n## nor this",
                              questions=["Can the dose go down?"])
            if n == 2:
                values["symptoms"] = ["incision-redness"]
            view.log("me", TODAY - timedelta(days=n * 2), values, "2026-10-20T09:00:00+00:00")
        view.add_event(Event(patient="me", kind="refill",
                             date=(TODAY - timedelta(days=5)).isoformat()))
    return journal


def expected_titles(made) -> list[str]:
    return [title for _id, title, _blocks in layout.sections(made) if title]


class Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2"):
            self._in, self.found = True, self.found + [""]

    def handle_endtag(self, tag):
        if tag in ("h1", "h2"):
            self._in = False

    def handle_data(self, data):
        if self._in:
            self.found[-1] += data


def drawn_titles(made, fmt: str) -> list[str]:
    data = made.render(fmt)
    if fmt == "txt":
        lines = data.decode().splitlines()
        return [line for line, under in zip(lines, lines[1:])
                if line and under and set(under) in ({"-"}, {"="}) and len(under) == len(line)]
    if fmt == "md":
        return [re.sub(r"^#+ ", "", line) for line in data.decode().splitlines()
                if re.match(r"#{1,6} ", line)]
    if fmt == "html":
        parser = Headings()
        parser.feed(data.decode())
        return parser.found
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    where, found = 0, []
    for title in expected_titles(made):  # each title, after the one before it
        at = text.find(title, where)
        if at >= 0:
            found.append(title)
            where = at + len(title)
    return found


CASES = {"notes and a refill due today": dict(notes=True, refill_today=True, redact=False),
         "nothing written": dict(notes=False, redact=False),
         "redacted": dict(notes=True, redact=True)}


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "pdf"])
@pytest.mark.parametrize("case", list(CASES))
def test_every_format_draws_exactly_the_sections_in_order(tmp_path, fmt, case):
    options = dict(CASES[case])
    redact = options.pop("redact")
    made = report.prepare(journal_with(tmp_path, **options).read(), "me", TODAY, SINCE, UNTIL,
                          redact=redact)
    titles = expected_titles(made)
    assert titles[0] == "Pain pump recovery report" and "Notes" in titles
    if fmt == "txt":
        titles = [t.upper() for t in titles]
    assert drawn_titles(made, fmt) == titles
    text = plain(made.render(fmt).decode("latin-1") if fmt == "pdf" else
                 made.render(fmt).decode())
    if fmt != "pdf":  # the untitled end comes last: not medical advice
        assert text.rindex("not medical advice") > text.rindex(titles[-1])


def test_a_section_is_added_or_moved_in_one_place(tmp_path, monkeypatch):
    made = report.prepare(journal_with(tmp_path, notes=True).read(), "me", TODAY, SINCE, UNTIL)
    moved = list(layout.SECTIONS)
    notes = next(s for s in moved if s.id == "notes")
    moved.remove(notes)
    moved.insert(1, notes)
    moved.insert(2, layout.Section("extra", "Also", lambda r: [layout.Para("said once")]))
    monkeypatch.setattr(layout, "SECTIONS", moved)
    for fmt in ("txt", "md", "html", "pdf"):
        titles = drawn_titles(made, fmt)
        if fmt == "pdf":
            assert titles == expected_titles(made)
            continue
        warnings = f"warning signs ({made.count})"
        assert [t.lower() for t in titles[1:4]] == ["notes", "also", warnings]
        assert "said once" in made.render(fmt).decode()


@pytest.mark.parametrize("fmt", ["txt", "md", "html"])
@pytest.mark.parametrize("notes, redact, questions, written", [
    (False, False, "None noted.", "None written."),
    (True, True, "(left out: redacted)", "(left out: redacted)"),
    (True, False, "Can the dose go down?", "not a heading"),
])
def test_questions_and_notes_say_none_left_out_or_the_list(tmp_path, fmt, notes, redact,
                                                           questions, written):
    made = report.prepare(journal_with(tmp_path, notes=notes).read(), "me", TODAY, SINCE, UNTIL,
                          redact=redact)
    text = made.render(fmt).decode().replace("\\", "")
    start = text.upper().index("QUESTIONS FOR THE VISIT")
    middle = text.upper().index("NOTES", start)
    end = text.index("not medical advice", middle)
    assert questions in text[start:middle]
    assert written in text[middle:end]


# Words shared by the terminal and the reports --------------------------------------------

def test_a_refill_due_today_says_today_in_the_report_and_the_summary(cli, journal):
    assert cli("profile", "--next-refill", "today", "--care-phone", "555-0142").exit_code == 0
    assert cli("log", "--pain", "3").exit_code == 0
    summary = plain(cli("summary").stdout)
    assert "(today)" in summary and "in 0 days" not in summary
    for fmt in ("txt", "md", "html"):
        result = cli("report", "--format", fmt, "--output", "-")
        assert result.exit_code == 0, result.output
        text = result.stdout
        assert "in 0 days" not in text
        assert re.search(r"Next refill due:?\W+\d{4}-\d\d-\d\d \(today\)", text), fmt


@pytest.mark.parametrize("values, line", [
    ({"care_phone": "555-0142"}, "555-0142"),
    ({"care_phone": "555-0142", "after_hours_phone": "555-0199"},
     "555-0142 (after hours 555-0199)"),
    ({"care_team": "Pain clinic", "care_phone": "555-0142"}, "Pain clinic, 555-0142"),
    ({"care_team": "Pain clinic", "after_hours_phone": "555-0199"},
     "Pain clinic (after hours 555-0199)"),
    ({"after_hours_phone": "555-0199"}, "after hours 555-0199"),
])
def test_the_care_team_line_is_the_same_in_a_warning_panel_and_the_report(cli, values, line):
    args = [a for key, value in values.items() for a in (f"--{key.replace('_', '-')}", value)]
    assert cli("profile", *args).exit_code == 0
    panel = plain(cli("log", "--pain", "4", "--symptom", "incision-redness").stdout)
    assert f"Care team: {line}" in " ".join(panel.split())
    made = cli("report", "--format", "txt", "--output", "-").stdout
    assert re.search(r"Care team:\s+" + re.escape(line), made)


@pytest.mark.parametrize("n, text", [(0, "0 days"), (1, "1 day"), (2, "2 days"),
                                     (31, "31 days")])
def test_plural(n, text):
    assert words.plural(n, "day") == text


@pytest.mark.parametrize("offset, text", [(0, "today"), (1, "in 1 day"), (9, "in 9 days"),
                                          (-1, "1 day ago: overdue"),
                                          (-3, "3 days ago: overdue")])
def test_due_text(offset, text):
    assert words.due_text(TODAY + timedelta(days=offset), TODAY) == text


def test_one_wrapper_keeps_line_breaks_and_indents():
    assert words.wrap("one two three\nfour", 9, "- ", "  ") == ["- one two", "  three",
                                                                "  four"]
    assert words.wrap("", 20, "- ") == ["- "]


def test_chart_shapes_are_named(tmp_path):
    made = report.prepare(journal_with(tmp_path, notes=False).read(), "me", TODAY, SINCE, UNTIL)
    drawn = charts.draw(made)
    kinds = {type(s).__name__: s for s in drawn.shapes}
    assert {"Rect", "Line", "Dot", "Text"} <= set(kinds)  # Poly: days logged in a row
    for shape in drawn.shapes:
        assert shape.style in charts.STYLES and shape[0] == shape.kind
    assert any(s.text == "refill" for s in drawn.shapes if isinstance(s, charts.Text))


@pytest.mark.parametrize("days, text", [(14, "2 weeks"), (15, "2 weeks 1 day"),
                                        (16, "2 weeks 2 days"), (22, "3 weeks 1 day")])
def test_durations_count_their_days_with_plural(days, text):
    assert words.days_in_words(days) == text


@pytest.mark.parametrize("count, said", [(1, "Exported 1 reading to"),
                                         (2, "Exported 2 readings to")])
def test_export_counts_entries_in_words(cli, tmp_path, count, said):
    for n in range(count):
        assert cli("log", "--pain", "3", "--date", f"{n + 1} days ago").exit_code == 0
    result = cli("export", "--output", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert said in result.stderr


def package_graph() -> dict[str, set[str]]:
    """The modules of pumpjournal/ (report/ as one node) and the ones each imports, at the
    top or inside functions."""
    top = PACKAGE.parent
    graph: dict[str, set[str]] = {}
    for path in [*top.glob("*.py"), *PACKAGE.glob("*.py")]:
        node = "report" if path.parent == PACKAGE else path.stem
        level = 2 if node == "report" else 1
        for item in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(item, ast.ImportFrom) and item.level == level:
                names = [item.module.split(".")[0]] if item.module else [
                    a.name for a in item.names]
            elif isinstance(item, ast.ImportFrom) and (item.module or "").startswith(
                    "pumpjournal."):
                names = [item.module.split(".")[1]]
            else:
                continue
            graph.setdefault(node, set()).update(
                n for n in names if n != node and ((top / f"{n}.py").exists() or n == "report"))
    return graph


def test_the_package_has_no_import_cycle_not_even_inside_functions():
    """Arrows point down only: from the command line to the domain to the storage."""
    graph = package_graph()
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        assert node not in path, "import cycle: " + " -> ".join(path + [node])
        if node in done:
            return
        for target in sorted(graph.get(node, ())):
            visit(target, path + [node])
        done.add(node)

    for node in sorted(graph):
        visit(node, [])
    assert "cli" not in set().union(*(v for k, v in graph.items() if k != "__main__"))


# The day table: figures apart, rules whole ----------------------------------------------------

MANY_RULES = ["-s", "cannot-walk", "-s", "fever", "-s", "stiff-neck", "-s", "very-sleepy",
              "-s", "leg-weakness", "--temperature", "39"]


def test_the_text_day_table_keeps_figures_apart_and_fits_the_width(cli):
    from pjtest import iso, ok

    ok(cli("log", "--pain", "5", "--boluses", "12", "--sleep", "10.5", "--mood", "7",
           "--date", iso(2)))
    ok(cli("log", "--pain", "5", *MANY_RULES, "--date", iso(1)))
    text = ok(cli("report", "--format", "txt", "--output", "-")).stdout
    (row,) = [line for line in text.splitlines() if line.startswith(iso(2))]
    assert row.split()[-3:] == ["12", "10.5", "7"]
    assert max(len(line) for line in text.splitlines()) <= 78
    assert "W-NEURO-SEVERE" in text


def test_the_pdf_cuts_a_long_rule_id_after_a_hyphen_not_inside_a_word(cli):
    from pypdf import PdfReader

    from pjtest import iso, ok

    ok(cli("log", "--pain", "5", *MANY_RULES, "--date", iso(1)))
    data = ok(cli("report", "--format", "pdf", "--output", "-")).stdout_bytes
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    pieces = re.findall(r"W-NEURO-\s*(\S+)", text)
    assert pieces and all(p.startswith("SEVERE") for p in pieces), pieces
