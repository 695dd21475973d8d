"""The command line: parse, prompt, call the domain, render.

The rules live below: profile checks in ``model``, logging a day and its warning signs in
``checks``, flag and period queries in ``queries``, import sources and formats in ``transfer``
and ``formats``. What stays here is when to ask a question, and how results and messages are
worded and which stream they go to.

stdout carries results: text, or JSON with --json. Warning panels, the overdose watch and an
alarm's advice are results in text mode (stdout, with what they are about); with --json they
go to stderr, so stdout stays pure JSON. Prompts, messages and errors go to stderr. Exit
codes: 0 done, 1 the journal could not be read or written, 2 bad usage or input, 130
interrupted. Only this module turns errors into messages.
"""

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from . import checks, dates, formats, model, queries, render, words
from . import symptoms as cat
from .crypto import MIN_PASSPHRASE
from .errors import InputError, JournalError, PumpjournalError
from .escape import escape, json_safe, quote
from .files import output_path
from .render import temperature_text, wrap
from .store import Journal
from .words import fit, screen_width

EXAMPLES = "\n\n[b]Examples[/b]\n\n"


def examples(*lines: str) -> str:
    return EXAMPLES + "\n\n".join(f"  $ {line}" for line in lines)


_USAGE_ERROR = typer.BadParameter.__mro__[1]  # Click's UsageError, as Typer vendors it


# The commands that write (the journal, or a file). A refusal by one of them ends with its
# error's ``ending`` ("Nothing was changed.", or "Nothing was written." for an output file),
# unless the error says something was written; the exit point adds it, so no message says it
# itself. A command that only reads never says it, and neither does an invocation of one of
# these that only reads (``reads_only``: a profile shown, a report to stdout, a dry run).
WRITES = frozenset({"log", "edit", "delete", "profile", "ask", "import", "export", "report",
                    "init", "backup", "event add", "event delete",
                    "remind install"})  # it writes the timer's files (never the journal)


def command_name(ctx) -> str:
    """The command a group is running, as typed after `pumpjournal` (``event add``)."""
    return " ".join(ctx.command_path.split()[1:] + [ctx.invoked_subcommand or ""]).strip()


def reads_only(ctx) -> None:
    """Said first by a command of WRITES whose invocation writes nothing (it shows, or writes
    to stdout): its refusals then do not say that nothing was changed."""
    ctx.find_root().obj["reads_only"] = True


def writes(ctx) -> bool:
    """Whether the command being run was going to write the journal or a file."""
    return command_name(ctx) in WRITES and not (ctx.find_root().obj or {}).get("reads_only")


class Group(TyperGroup):
    """Turns the domain's errors, Ctrl-C and a closed pipe into one line and an exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PumpjournalError as exc:
            if debugging(ctx):
                raise
            ending = exc.ending_for(writes(ctx))
            say(f"Error: {exc}" + (f" {ending}" if ending else ""))
            raise typer.Exit(exc.exit_code) from None
        except (KeyboardInterrupt, typer.Abort):
            if debugging(ctx):
                raise
            say("\nInterrupted; nothing was changed.")
            raise typer.Exit(130) from None
        except typer.Exit:
            raise
        except _USAGE_ERROR as exc:
            if debugging(ctx):
                raise
            usage_error(exc, ctx)
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None
        except Exception as exc:  # a bug: no traceback (it could hold health data) unless --debug
            if debugging(ctx) or type(exc).__module__.startswith("typer"):
                raise
            say(f"Error: unexpected {type(exc).__name__} (a fault in pumpjournal, not in what "
                "you did). Your journal is whole: a change is either saved completely or not at "
                "all. To see where it happened, run the command again with --debug; the "
                "traceback can show your health data, so keep it to yourself.")
            raise typer.Exit(1) from None


    def parse_args(self, ctx, args):
        """Usage errors of the top level (``pumpjournal --bogus``) are one line too."""
        try:
            return super().parse_args(ctx, args)
        except _USAGE_ERROR as exc:
            usage_error(exc, ctx)


def usage_error(exc, ctx) -> None:
    """One line naming what was wrong and the help of the command it belongs to."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # `pumpjournal event`: its help was shown
        raise typer.Exit(0) from None
    if exc.ctx is not None:
        where = exc.ctx.command_path
    else:  # an option without its value names no context: the command being parsed
        where = " ".join([ctx.command_path] + [ctx.invoked_subcommand or ""]).strip()
    text = shorten_quoted(" ".join(exc.format_message().split()))
    if not text.endswith((".", "!", "?")):
        text += "."
    say(f"Error: {text} See: {where} --help")
    raise typer.Exit(2) from None


HELP_OPTIONS = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    cls=Group, invoke_without_command=True, context_settings=HELP_OPTIONS,
    no_args_is_help=False, add_completion=False, pretty_exceptions_show_locals=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    help="A recovery journal for people living with an implanted intrathecal pain pump.\n\n"
         "Log pain and symptoms each day; pumpjournal points out the documented warning signs "
         "the moment you log them and tells you to contact your care team. It is not medical "
         "advice; in an emergency call your local emergency number." + examples(
             "pumpjournal log", "pumpjournal log --pain 4 --symptom fever --note 'tired'",
             "pumpjournal list --since 2w", "pumpjournal demo"),
)


def debugging(ctx) -> bool:
    root = ctx.find_root()
    return bool((root.obj or {}).get("debug")) or debug_setting(strict=False)


# Settings from the environment are read when used, so a bad one is an error of the command
# that uses it (one line, exit 2), never a traceback at start-up.
_ON, _OFF = ("1", "yes", "true", "on"), ("", "0", "no", "false", "off")


def debug_setting(strict: bool = True) -> bool:
    """PUMPJOURNAL_DEBUG: 1 shows tracebacks (as --debug does)."""
    text = os.environ.get("PUMPJOURNAL_DEBUG", "").strip().lower()
    if strict and text not in _ON + _OFF:
        raise InputError(f"PUMPJOURNAL_DEBUG must be 1 or 0; got {quote(text, 20)}.")
    return text in _ON


def say(message: str) -> None:
    """A message for the person (stderr), never mixed with results; text that could drive
    the terminal is shown escaped."""
    print(escape(message, lines=True), file=sys.stderr)


def tell(message: str) -> None:
    """A message for the person (stderr) in the flow of a conversation at the terminal,
    wrapped at word boundaries to the screen (an error stays one line: ``say``)."""
    say(fit(message, screen_width()))


def out(text: str = "") -> None:
    print(escape(text, lines=True))


def screen(text: str = "") -> None:
    """A result for reading on the screen (entries, warning signs, summaries): long lines
    wrap at word boundaries with a hanging indent to the terminal's width."""
    print(fit(escape(text, lines=True), screen_width()))


def asking(text: str) -> str:
    """A question's text, wrapped so that it and the answer typed after it fit the screen."""
    return fit(text, screen_width() - 12)


def emit_json(data) -> None:
    sys.stdout.write(json_safe(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def shorten_quoted(text: str, limit: int = 40) -> str:
    """A usage error quotes the value as typed: keep only the start of a long one."""
    import re

    return re.sub(r"'([^']{%d,})'" % (limit + 1), lambda m: quote(m.group(1), limit), text)


def interactive() -> bool:
    return sys.stdin.isatty()


def console(stderr: bool = False):
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


# Options shared by commands -----------------------------------------------------------------

JournalOpt = Annotated[Optional[Path], typer.Option(
    "--journal", "-j", metavar="PATH", show_default=False, readable=False,  # the store says why
    help="Journal file, or a study folder (init --study). Default: $PUMPJOURNAL_PATH, else "
    "journal.json in your user data folder.")]
PatientOpt = Annotated[Optional[str], typer.Option(
    "--patient", "-P", metavar="ID", help="Whose entries, in a journal that holds several people.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (schema in the README).")]
SinceOpt = Annotated[Optional[str], typer.Option(
    "--since", metavar="WHEN", help="From this day: 2026-11-24, yesterday, '3 days ago', 2w.")]
UntilOpt = Annotated[Optional[str], typer.Option(
    "--until", metavar="WHEN", help="Up to this day (same forms as --since).")]
DateArg = Annotated[str, typer.Argument(
    metavar="DATE", help="The day: 2026-11-24, today, yesterday, '3 days ago'.")]

# The fields of a day's entry, shared by `log` and `edit`.
PainOpt = Annotated[Optional[str], typer.Option("--pain", "-p", metavar="0-10", help=(
    "Pain right now: 0 = no pain at all, 10 = the worst pain you can imagine."))]
WorstOpt = Annotated[Optional[str], typer.Option(
    metavar="0-10", help="Worst pain over the last 24 hours.")]
LeastOpt = Annotated[Optional[str], typer.Option(
    metavar="0-10", help="Least pain over the last 24 hours.")]
AverageOpt = Annotated[Optional[str], typer.Option(
    metavar="0-10", help="Average pain over the last 24 hours.")]
SymptomOpt = Annotated[Optional[list[str]], typer.Option(
    "--symptom", "-s", metavar="ID",
    help="A symptom id from `pumpjournal symptoms`, or plain words such as pus, shivers or "
    "'pins and needles' (repeat it, or separate with commas).")]
TemperatureOpt = Annotated[Optional[str], typer.Option(
    "--temperature", "-t", metavar="TEMP",
    help="Body temperature: 37.8, 38.2C or 100.8F (stored in °C).")]
SiteOpt = Annotated[Optional[str], typer.Option(
    metavar="SITE", help=f"Where it was taken: {', '.join(model.TEMP_SITES)}.")]
BolusesOpt = Annotated[Optional[str], typer.Option(
    metavar="N", help="Patient-activated doses (boluses) taken that day.")]
SleepOpt = Annotated[Optional[str], typer.Option(metavar="HOURS", help="Hours slept.")]
MoodOpt = Annotated[Optional[str], typer.Option(
    metavar="0-10", help="Mood: 0 = very low, 10 = very good.")]
ImpressionOpt = Annotated[Optional[str], typer.Option(
    metavar="1-7", help="Since before the pump, your pain and life overall are: 1 very much "
    "improved, 2 much improved, 3 a little improved, 4 no change, 5 a little worse, 6 much "
    "worse, 7 very much worse.")]
NoteOpt = Annotated[Optional[str], typer.Option("--note", "-n", metavar="TEXT",
                                                help="A free note.")]
QuestionOpt = Annotated[Optional[list[str]], typer.Option(
    "--question", "-q", metavar="TEXT", help="A question for your next visit (repeatable).")]
WorseOpt = Annotated[Optional[list[str]], typer.Option(
    "--worse", metavar="ID", help="A symptom your care team noted before the implant that "
    "is worse than usual that day (repeatable; it is logged as a symptom too).")]
ContactedOpt = Annotated[Optional[str], typer.Option(
    "--contacted", metavar="yes|no", help="Whether you have contacted your care team about "
    "the day's warning signs.")]

AtOpt = Annotated[Optional[str], typer.Option(
    "--at", metavar="HH:MM", help="The reading's time (24-hour clock; 'none': a reading "
    "without a time).")]


def entry_fields(pain, worst, least, average, symptom, worse, temperature, temperature_site,
                 boluses, sleep, mood, note, question, contacted, impression=None) -> dict:
    """The entry options as typed, by field name (None: not given)."""
    return {"pain": pain, "worst": worst, "least": least, "average": average,
            "symptoms": symptom, "worse": worse, "temperature": temperature,
            "temperature_site": temperature_site, "boluses": boluses, "sleep": sleep,
            "mood": mood, "impression": impression, "note": note, "questions": question,
            "contacted": contacted}


def journal_path(ctx: typer.Context, option: Path | None) -> Path:
    root = (ctx.find_root().obj or {})
    chosen = option or root.get("journal") or os.environ.get("PUMPJOURNAL_PATH")
    if chosen:
        return Path(chosen).expanduser()
    from platformdirs import user_data_path

    return user_data_path("pumpjournal", appauthor=False) / "journal.json"


def warn_open(journal) -> None:
    """Warn when others can read the journal, or write to its folders."""
    if journal.exposed():
        say(f"Warning: other users can read your journal {journal.path}; "
            f"fix it with: chmod 600 {journal.path}")
    for folder in journal.open_folders():
        say(f"Warning: other users can write to the folder {folder}, so they could swap or "
            f"plant files there; fix it with: chmod go-w {folder}")


def open_study(ctx: typer.Context, option: Path | None, warn: bool = True):
    """The study at --journal when it names a study folder (see ``study``), else None."""
    path = journal_path(ctx, option)
    if not (path.is_dir() and os.path.lexists(path / "study.json")):  # study.is_study
        return None  # a journal: the study module is not even loaded
    from .study import Study

    passphrase = os.environ.get("PUMPJOURNAL_PASSPHRASE") or None
    found = Study(path, passphrase=passphrase)
    if found.encrypted and passphrase is None and interactive():
        found.passphrase = typer.prompt("Passphrase", hide_input=True, err=True)
    for folder in found.open_folders() if warn else ():
        say(f"Warning: other users can write to the folder {folder}, so they could swap or "
            f"plant files there; fix it with: chmod go-w {folder}")
    return found


def journal_at(ctx: typer.Context, option: Path | None, patient: str | None = None):
    """The journal at --journal; in a study folder, the journal of the participant --patient
    names (else of its only participant)."""
    found = open_study(ctx, option, warn=False)
    if found is not None:
        return found.participant(found.choose(patient))
    passphrase = os.environ.get("PUMPJOURNAL_PASSPHRASE") or None
    return Journal(journal_path(ctx, option), passphrase=passphrase,
                   require_encrypted=passphrase is not None)


def open_journal(ctx: typer.Context, option: Path | None, patient: str | None = None):
    """The journal (in a study, the participant's: see ``journal_at``), with its passphrase
    when it is encrypted; warns when others can read it."""
    journal = journal_at(ctx, option, patient)
    warn_open(journal)
    if journal.passphrase is None and interactive() and journal.encrypted:
        journal.passphrase = typer.prompt("Passphrase", hide_input=True, err=True)
    return journal


def parse_range(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    low = dates.parse_date(since, what="--since") if since else None
    high = dates.parse_date(until, what="--until") if until else None
    dates.check_range(low, high)
    return low, high


def print_panel(found, day: date | None, temperature_c, profile: dict, *,
                stderr: bool = False, saved: bool = True) -> None:
    """The warning-sign panel of a check (ROUTINE and above), the one-line EXPECTED record, and
    any note on rules that could not be checked. ``saved`` False: the signs were typed for an
    entry that was not saved (``day`` None: its date was not understood)."""
    top = found.top
    if top is None and not found.failed:
        return  # nothing to show: Rich's console costs `log` about 20 ms to import
    con = console(stderr)
    if top is None or top == cat.Urgency.EXPECTED:
        if top is not None:
            line = escape(render.expected_line(found.flags, day, found.ctx, saved))
            con.print("\n".join(render.wrap([("", line)], min(con.width, 100))),
                      markup=False)
        for note in found.notes() if top is not None or found.failed else ():
            con.print(escape(note), markup=False)
        return
    from rich.panel import Panel
    from rich.text import Text

    style = {cat.Urgency.EMERGENCY: "bold red", cat.Urgency.URGENT: "red",
             cat.Urgency.ROUTINE: "blue"}[top]
    width = min(con.width, 100) - 4
    lines = [escape(line) for line in render.panel_lines(
        found.flags, day, temperature_c, found.ctx, profile, width, tuple(found.notes()),
        found.complete, saved, found.time)]
    body = Text(lines[0] + "\n", style="bold")
    body.append("\n".join(lines[1:]))
    con.print(Panel(body, border_style=style, expand=False))


def print_entry_panel(view, entry, *, stderr: bool = False) -> None:
    found = checks.check_entry(view, entry)
    print_panel(found, entry.day, entry.temperature_c, view.profile(entry.patient),
                stderr=stderr)


def print_watch(watch, *, stderr: bool = False, note: bool = True,
                profile: dict | None = None) -> None:
    """The overdose signs while a 48-hour watch runs, then (``note``) the not-medical-advice
    line."""
    if watch is None:
        return
    lines = wrap([("", line) for line in watch.lines], 79) + (
        [cat.not_advice(profile)] if note else [])
    print(escape("\n".join(lines), lines=True), file=sys.stderr if stderr else sys.stdout)


# Status screen -----------------------------------------------------------------------------


@app.callback()
def main_callback(
    ctx: typer.Context,
    journal: JournalOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
):
    """Without a command: today's status (phase, last entry, open warning signs)."""
    ctx.obj = {"journal": journal, "debug": debug}
    debug_setting()
    if version:
        from importlib.metadata import version as pkg_version

        out(f"pumpjournal {pkg_version('pumpjournal')}")
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        show_status(ctx, journal)


def show_status(ctx: typer.Context, journal_opt: Path | None) -> None:
    from . import status

    journal = open_journal(ctx, journal_opt)
    view = journal.read()
    patient = queries.choose_patient(view, None)
    screen("\n".join(status.status_lines(view, patient, dates.today(), journal.path)))


# Daily journal -----------------------------------------------------------------------------


def _ask(text: str, parse, *, optional: bool = True):
    """Ask until the answer parses; Enter skips an optional question."""
    while True:
        answer = typer.prompt(asking(text), default="", show_default=False, err=True).strip()
        if not answer and optional:
            return None
        try:
            return parse(answer)
        except InputError as exc:
            tell(f"  {exc}")


def yes_no(text: str) -> bool:
    """A y/N question; Enter is no, anything else is asked again in plain words."""
    while True:
        answer = typer.prompt(asking(f"{text} [y/N]"), default="", show_default=False,
                              err=True).strip().lower()
        if answer in ("", "n", "no"):
            return False
        if answer in ("y", "yes"):
            return True
        say("  Please answer y or n (Enter = no).")


def choose_symptom(word: str) -> str | None:
    """The id a typed word means, asked at a terminal when it could mean several items or is
    not known (with the closest ids, best first). Enter leaves the word out."""
    while True:
        try:
            return cat.parse_symptom(word)
        except cat.AmbiguousSymptom as exc:
            options = list(exc.candidates)
            say(f"  '{word}' could mean more than one symptom:")
        except cat.UnknownSymptom as exc:
            options = exc.suggestions
            say(f"  '{word}' is not a symptom pumpjournal knows." +
                (" The closest:" if options else " `pumpjournal symptoms` lists them all."))
        for n, sid in enumerate(options, 1):
            tell(f"    {n}) {sid}: {cat.BY_ID[sid].label}")
        answer = typer.prompt(asking("  Which one? A number, an id or other words (Enter to "
                                     "leave it out)"), default="", show_default=False,
                              err=True).strip()
        if not answer:
            say(f"  Left out '{word}'.")
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(options):
            return options[int(answer) - 1]
        word = answer


def choose_symptoms(values) -> list[str]:
    """Every typed symptom word as an id, asking about the unclear ones (at a terminal)."""
    chosen = (choose_symptom(word) for word in model.symptom_words(values))
    return [sid for sid in dict.fromkeys(chosen) if sid]


def ask_unclear_symptoms(raw: dict) -> None:
    """At a terminal, the typed symptom words of ``raw`` (entry_fields) as ids: an unclear
    word is asked about, never thrown away. Without a terminal they are left as typed."""
    if interactive():
        for key in ("symptoms", "worse"):
            if raw[key]:
                raw[key] = choose_symptoms(raw[key])


def changes_json(changes) -> list[dict]:
    """The "changes" of log --json and edit --json: what each changed field was and is."""
    return [{"field": key, "old": old, "new": new} for key, old, new in changes]


def interrupted_with_signs(answers: list[str]) -> None:
    """Ctrl-C in the questions after a warning sign was answered: say what to do anyway."""
    found = checks.check(answers, None, dates.today())
    if found.top is not None and found.top >= cat.Urgency.URGENT:
        names = ", ".join(cat.label(i) for i in answers)
        say(f"\nYou answered yes to {names}. {render.headline(found.top, {})}. Nothing was "
            "saved; run `pumpjournal log` again to record it.")


def ask_worse(symptoms, baseline) -> list[str]:
    """Of the ``symptoms`` logged, those the care team noted before the implant
    (``baseline``) that are worse than usual, asked one by one."""
    known = [sid for sid in symptoms if sid in baseline]
    if known:
        say("Your care team noted this before the implant:" if len(known) == 1 else
            "Your care team noted these before the implant:")
    worse = []
    for sid in known:  # the label on its own line: the question stays whole at 80 columns
        say(f"  {cat.BY_ID[sid].label}.")
        if yes_no("  Is it worse than usual?"):
            worse.append(sid)
    return worse


def prompt_entry(day: date, existing=None, baseline=frozenset(), at: str | None = None
                 ) -> dict:
    """The daily questions, on a terminal. Returns validated values. With ``existing`` (the
    day is logged already) the questions of a reading (``at``: its time, see ``log``)."""
    answers: list[str] = []
    try:
        if existing is not None:
            return _prompt_reading(day, existing, baseline, answers, at)
        return _prompt_entry(day, baseline, answers)
    except (KeyboardInterrupt, typer.Abort):
        interrupted_with_signs(answers)
        raise


def _prompt_entry(day: date, baseline, answers: list[str]) -> dict:
    say(f"Entry for {day.isoformat()}. Optional questions: press Enter to skip.")
    say(f"Pain scale: {model.PAIN_SCALE}.")
    raw: dict = {"pain": _ask("How much pain do you have right now? (0-10)",
                              model.parse_score, optional=False)}
    questions = (("worst", "Over the last 24 hours, how bad was your pain at its highest?"),
                 ("least", "Over the last 24 hours, how low did your pain get?"),
                 ("average", "Over the last 24 hours, which number best fits your pain overall?"))
    while True:
        for key, text in questions:
            raw[key] = _ask(text, lambda v, k=key: model.parse_score(v, k))
        try:
            model.check_scores(raw["worst"], raw["least"], raw["average"])
            break
        except InputError as exc:
            say(f"  {exc} Please answer these again.")
    tell("Since yesterday, have you had any of these, new or worse? (y/n, Enter = no)")
    _ask_checklist(raw, baseline, answers)
    return _ask_rest(raw, "A note for today")


def _ask_checklist(raw: dict, baseline, answers: list[str]) -> None:
    """The checklist, anything else, and which known symptoms are worse than usual."""
    for s in cat.DAILY:
        if yes_no(f"  {s.label}"):
            answers.append(s.id)
    text = typer.prompt(asking("Anything else? Describe it in a few words or give symptom ids, "
                               "separated by commas (e.g. stiff neck, vomiting; Enter for "
                               "none)"), default="", show_default=False, err=True).strip()
    answers += [sid for sid in choose_symptoms([text]) if sid not in answers]
    raw["symptoms"] = list(answers)
    raw["worse"] = ask_worse(answers, baseline)


def _ask_rest(raw: dict, note: str) -> dict:
    """The temperature (and where it was taken) and a note; the answers, validated."""
    raw["temperature"] = _ask("Your temperature, if you took it (e.g. 37.8 or 100.1F)",
                              lambda v: model.parse_temperature(v) and v)
    if raw["temperature"]:
        raw["temperature_site"] = _ask(f"Where did you take it? ({', '.join(model.TEMP_SITES)};"
                                       " Enter to skip)", model.parse_site)
    raw["note"] = _ask(note, lambda v: model.parse_text(v))
    return model.validate_fields(raw)


def _prompt_reading(day: date, existing, baseline, answers: list[str], at: str | None
                    ) -> dict:
    """A later reading of a day logged already: the day so far, then pain now, anything new
    since the last reading, temperature and a note (the 24-hour questions are the day's,
    answered once; `pumpjournal edit` changes them)."""
    say(f"{day.isoformat()} so far:")
    say("\n".join(render.reading_lines(existing, False, "  ")))
    same = existing.reading_at(dates.reading_slot(day, at)[0])
    say((f"This adds to the reading {same.phrase}" if same else "A new reading")
        + f"; press Enter to skip a question. Pain scale: {model.PAIN_SCALE}.")
    raw: dict = {"pain": _ask("How much pain do you have right now? (0-10)", model.parse_score,
                              optional=True)}
    last = existing.readings[-1].label
    if yes_no(f"Anything new or worse since your last reading ({last})?"):
        tell("Which of these? (y/n, Enter = no)")
        _ask_checklist(raw, baseline, answers)
    return _ask_rest(raw, "A note for this reading")


@app.command(help="Record a reading: how you are now (or another day's with --date).\n\n"
             "A day holds one or more readings, each at its time: the current minute for "
             "today, --at HH:MM for another time, and no time for an earlier day without "
             "--at. A reading at the same time (or a second one without a time) is updated and "
             "what changed is shown. The 24-hour scores, sleep, mood and questions belong to "
             "the day: given alone they change the day and add no reading.\n\n"
             "With no options at a terminal it asks the questions (on a day already logged: "
             "the day so far, then pain now, anything new, temperature and a note); with "
             "options it asks only what is missing or unclear (pain now for a new day, a "
             "symptom word with two meanings, whether a symptom noted before the implant is "
             "worse than usual), and without a terminal never. A warning panel is shown even "
             "when the entry cannot be saved." + examples(
                 "pumpjournal log",
                 "pumpjournal log --pain 4 --worst 6 --least 2 --average 3",
                 "pumpjournal log --pain 5 --symptom fever --temperature 100.8F --date yesterday",
                 "pumpjournal log --symptom 'stiff neck' --temperature 38.4 --at 20:30",
                 "pumpjournal log --pain 3 --note 'walked to the mailbox' --json",
                 "pumpjournal log --pain 4 --symptom 'pins and needles' --contacted yes",
                 "pumpjournal log --pain 3 --worse leg-numbness"))
def log(
    ctx: typer.Context,
    pain: PainOpt = None, worst: WorstOpt = None, least: LeastOpt = None,
    average: AverageOpt = None, symptom: SymptomOpt = None, temperature: TemperatureOpt = None,
    temperature_site: SiteOpt = None, boluses: BolusesOpt = None, sleep: SleepOpt = None,
    mood: MoodOpt = None, impression: ImpressionOpt = None, note: NoteOpt = None,
    question: QuestionOpt = None, worse: WorseOpt = None, contacted: ContactedOpt = None,
    day: Annotated[Optional[str], typer.Option(
        "--date", "-d", metavar="DATE", help="The day (default today): 2026-11-24, yesterday, "
        "'3 days ago'.")] = None,
    at: AtOpt = None,
    patient: PatientOpt = None,
    journal: JournalOpt = None,
    as_json: JsonOpt = False,
):
    raw = entry_fields(pain, worst, least, average, symptom, worse, temperature,
                       temperature_site, boluses, sleep, mood, note, question, contacted,
                       impression)
    given = any(v is not None for v in raw.values())
    problems: list[InputError] = []
    dated = True
    try:
        when = dates.parse_entry_date(day)
    except InputError as exc:  # the signs are still checked, as of today, and shown undated
        when, problems, dated = dates.today(), [exc], False
    if at is not None and not problems:
        try:
            dates.reading_slot(when, at)  # a time not understood, or later than now today
        except InputError as exc:
            problems.append(exc)
    ask_unclear_symptoms(raw)
    values, more = model.validate_each(raw)
    problems += more
    asking = interactive() and ("pain" not in values or (
        bool(values.get("symptoms")) and worse is None))
    store, view, broken = readable_journal(ctx, journal, need_view=bool(problems) or asking,
                                           patient=patient)
    if problems:  # nothing is written; the valid signs typed are still checked
        show_typed_panel(values, when, view, patient, as_json, dated)
        raise problems[0]
    existing, profile_now, prompted = None, {}, False
    if asking and view is not None:
        who = queries.choose_patient(view, patient)
        existing, profile_now = view.entry(who, when), view.profile(who)
    baseline = frozenset(profile_now.get("baseline_symptoms") or [])
    if "pain" not in values and interactive():  # a new day's entry needs pain now: ask it
        if existing is None and given:
            values["pain"] = _ask("How much pain do you have right now? (0-10)",
                                  model.parse_score, optional=False)
        elif existing is None or not given:
            values = prompt_entry(when, existing, baseline, at)
            given, prompted = False, existing is None
    if given and asking and worse is None:  # a known symptom typed as an option: worse?
        values["worse"] = ask_worse(values.get("symptoms", []), baseline)
    done = save_entry_or_warn(store, broken, patient, when, values, as_json, at=at)
    report_logged(done, as_json)
    note_low_temperature(values)
    try:
        if interactive() and not as_json:
            after_logging(store, done, "contacted" in values, prompted)
    finally:  # after any question, so it never pushes the panel's headline away; and shown
        print_watch(done.watch, stderr=as_json, profile=done.profile,  # even when one fails
                    note=quiet(done.check))


def readable_journal(ctx, option, need_view: bool, patient: str | None = None):
    """(journal, its view or None, the error that stops it being read or None)."""
    try:
        store = open_journal(ctx, option, patient)
    except (PumpjournalError, OSError) as exc:  # a study asks for --patient: said after the panel
        return None, None, exc
    if not need_view:
        return store, None, None
    try:
        return store, store.read(), None
    except (JournalError, OSError) as exc:
        return store, None, exc


def show_typed_panel(values: dict, when: date, view, patient, as_json: bool,
                     dated: bool = True) -> None:
    """The panel for the signs typed, before an error: with the person's facts if readable.
    It never says they were logged (``dated`` False: the date typed was not understood)."""
    who, profile = None, {}
    if view is not None:
        try:
            who = queries.choose_patient(view, patient)
            profile = view.profile(who)
        except PumpjournalError:
            view = None
    found = checks.check_values(values, when, view, who)
    print_panel(found, when if dated else None, values.get("temperature_c"), profile,
                stderr=as_json, saved=False)
    if view is not None:  # the 48-hour watch is listed whatever was typed
        print_watch(checks.watch_today(view, who), stderr=as_json, profile=profile,
                    note=quiet(found))


def save_entry_or_warn(store, broken, patient, when: date, values: dict, as_json: bool,
                       **change):
    """Save the day's values (``change``: log_day's remove, clear and edit for `edit`); when
    the journal cannot be read or written, show the panel from what is known (the typed signs
    at least) and the 48-hour watch, then fail with why it was NOT saved (exit 1)."""
    try:
        if store is None:
            raise broken
        return checks.log_day(store, patient, when, values, dates.now_stamp(), **change)
    except InputError:  # refused (no pain for a new day, no entry to edit): checked with
        view = None  # the person's facts where the journal can be read
        try:
            view = store.read() if store is not None else None
        except (JournalError, OSError):
            pass
        show_typed_panel(values, when, view, patient, as_json)
        raise
    except checks.NotSaved as exc:
        print_panel(exc.check, when, values.get("temperature_c"), exc.profile, stderr=as_json,
                    saved=False)
        print_watch(exc.watch, stderr=as_json, profile=exc.profile, note=quiet(exc.check))
        raise not_saved("entry", exc) from None
    except (JournalError, OSError) as exc:
        print_panel(checks.check_values(values, when), when, values.get("temperature_c"), {},
                    stderr=as_json, saved=False)
        raise not_saved("entry", exc) from None


def not_saved(what: str, exc: Exception) -> JournalError:
    """The error of a journal that could not be read or written, saying ``what`` was NOT
    saved, with the ending of ``exc`` (a damaged journal's says it was left untouched)."""
    if isinstance(exc, JournalError):
        error = JournalError(f"the {what} was NOT saved: {exc}")
        error.ending = exc.ending
        return error
    return JournalError(f"the {what} was NOT saved: {getattr(exc, 'strerror', None) or exc}")


def quiet(found) -> bool:
    """No panel with its not-advice line was shown for ``found``: the watch says the line."""
    return (found.top or cat.Urgency.EXPECTED) <= cat.Urgency.EXPECTED


def note_low_temperature(values: dict) -> None:
    note = model.temperature_note(values.get("temperature_c"))
    if note:
        say(f"Note: {note}")


def after_logging(store, done, answered: bool, prompted: bool = False) -> None:
    """The questions after a saved entry: whether the care team was contacted (not again once
    answered yes), once per journal the implant date, and after a day's questions
    (``prompted``) the impression of change when it is due (``outcomes.ask_impression``).
    Ctrl-C keeps the saved entry."""
    entry, found, profile = done.entry, done.check, done.profile
    head = render.question_headline(found.flags, profile)
    try:
        if not answered and done.ask_contacted():
            if head:
                tell(head)
            answer = yes_no("Have you contacted your care team?")
            reading = done.reading or entry.readings[-1]
            if answer or reading.contacted is None:
                checks.record_contacted(store, entry.patient, entry.day, answer,
                                        dates.now_stamp(), reading.time)
            tell(render.contacted_reply(found.flags, profile, answer))
        if found.complete and found.ctx.day0 is None and not profile.get("implant_date") \
                and not profile.get("implant_date_asked"):
            ask_implant_date(store, entry.patient, head)
        if prompted:
            ask_impression(store, entry.patient, entry.day)
    except (KeyboardInterrupt, typer.Abort):
        say(f"\nInterrupted; the entry for {entry.date} is saved.")
        raise typer.Exit(130) from None
    except PumpjournalError as exc:  # the entry is saved: never "Nothing was changed."
        say(f"The entry for {entry.date} is saved; this answer was not.")
        exc.written = True
        raise


def ask_impression(store, who: str, day: date) -> None:
    """The global impression of change since before the pump (1-7, Enter to skip), when it is
    due on ``day``: from day 28 after the implant, on a visit day or when the last answer is
    over 28 days old."""
    from .outcomes import ask_impression as due, implant_date

    view = store.read()
    events = view.events(who)
    entries = view.entries(who, until=day)
    if any(e.date == day.isoformat() and e.impression is not None for e in entries):
        return
    last = max((e.day for e in entries if e.impression is not None), default=None)
    visit = any(e.kind == "visit" and e.day == day for e in events)
    if not due(day, implant_date(events, view.profile(who)), last, visit):
        return
    say(f"Impression of change: {model.IMPRESSION_SCALE}.")
    answer = _ask("Since before the pump, how are your pain and your life overall? (1-7; "
                  "Enter to skip)", model.parse_impression)
    if answer is not None:
        checks.log_day(store, who, day, {"impression": answer}, dates.now_stamp())


def ask_implant_date(store, who: str, head: str | None) -> None:
    """Once per journal: the implant date, so the first week's soreness counts as expected."""
    if head:
        tell(head)

    def parse(text: str) -> str:  # checked as `pumpjournal profile --implant-date` checks it
        return model.validate_profile({"implant_date": text}, dates.today())["implant_date"]

    day = _ask("When was your pump implanted? (e.g. 2026-11-20 or '3 days ago'; Enter to "
               "skip)", parse)
    values = {"implant_date_asked": dates.today().isoformat()}
    if day is not None:
        values["implant_date"] = day
    with store.transaction() as tx:
        tx.set_profile(who, values)
    say(f"Implant date saved: {day}." if day else
        "Skipped. Add it any time with: pumpjournal profile --implant-date DATE")


def unchanged_text(entry) -> str:
    return (f"Nothing to change: the entry for {entry.date} ({entry.patient}) already holds "
            f"what you gave ({render.scores_text(entry)}).")


def report_logged(done, as_json) -> None:
    entry, changes, created, found = done.entry, done.changes, done.created, done.check
    profile, reading = done.profile, done.reading
    temperature_c = entry.upto(reading).temperature_c if reading else entry.temperature_c
    if as_json:
        action = ("created" if created else "added" if done.added else
                  "updated" if changes else "unchanged")
        emit_json({"action": action, "entry": entry.to_json(),
                   "reading": reading.to_json() if reading else None,
                   "changes": changes_json(changes),
                   "flags": [f.to_json() for f in found.flags]})
        print_panel(found, entry.day, temperature_c, profile, stderr=True)
        return
    several = len(entry.readings) > 1
    if created:
        screen(f"Logged {entry.date} for {entry.patient}: {render.scores_text(entry)}.")
    elif done.added:
        before = {s for r in entry.readings if r.order < reading.order for s in r.symptoms}
        screen(f"Added a reading to {entry.date} for {entry.patient}: "
               f"{render.reading_line(reading, before)}")
        day_changes = [c for c in changes if c[0] in model.DAY_VALUES]
        if day_changes:
            screen("\n".join(render.changes_text(day_changes)))
        screen(render.day_so_far(entry))
    elif changes:
        at = f" (the reading {reading.phrase})" if several and reading else ""
        out(f"Updated {entry.date} for {entry.patient}{at}:")
        screen("\n".join(render.changes_text(changes)))
    else:
        out(unchanged_text(entry))
    print_panel(found, entry.day, temperature_c, profile)


def list_entries(
    ctx: typer.Context, since: SinceOpt = None, until: UntilOpt = None,
    patient: PatientOpt = None, journal: JournalOpt = None, as_json: JsonOpt = False,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", "-n", min=1, help="Show at most this many (the newest).")] = None,
):
    low, high = parse_range(since, until)
    view = open_journal(ctx, journal, patient).read()
    who = queries.choose_patient(view, patient)
    entries = view.entries(who, low, high)[:limit]
    flags = checks.entry_flags(view, who, entries)
    if as_json:
        emit_json([{**e.to_json(), "flags": [f.to_json() for f in fl]}
                   for e, fl in zip(entries, flags)])
        return
    if not entries:
        say("No entries in that period." if (low or high) else
            "No entries yet. Log today's with: pumpjournal log")
        return
    lines = []
    for entry, fl in zip(entries, flags):
        lines += render.entry_lines(entry, fl)
    screen("\n".join(lines))
    if any(cat.top_urgency(fl) or 0 for fl in flags):
        screen(cat.not_advice(view.profile(who)))


LIST_HELP = ("Show entries, newest first, with warning signs marked in words and symbols "
             "(\\[!!] emergency, \\[!] urgent, \\[i] routine)." + examples(
                 "pumpjournal list", "pumpjournal list --since 2w",
                 "pumpjournal list --since 2026-11-01 --until yesterday --json"))
app.command("list", help=LIST_HELP)(list_entries)
app.command("history", help="Same as `list`. " + LIST_HELP)(list_entries)


@app.command(help="Show one day's entry in full, with its warning signs." + examples(
    "pumpjournal show yesterday", "pumpjournal show 2026-11-24 --json"))
def show(ctx: typer.Context, day: DateArg, patient: PatientOpt = None,
         journal: JournalOpt = None, as_json: JsonOpt = False):
    when = dates.parse_date(day)
    view = open_journal(ctx, journal, patient).read()
    who = queries.choose_patient(view, patient)
    entry = view.require_entry(who, when)
    found = checks.check_entry(view, entry)  # the rules run once for the entry and its panel
    flags, profile = found.flags, view.profile(who)
    if as_json:
        emit_json({**entry.to_json(), "flags": [f.to_json() for f in flags]})
    else:
        screen("\n".join(render.entry_lines(entry, flags, full=True)))
    print_panel(found, entry.day, entry.temperature_c, profile, stderr=as_json)
    print_watch(checks.watch_today(view, who, entry.day), profile=profile, stderr=as_json,
                note=quiet(found))


@app.command(help="Change an entry: only the fields you give change.\n\n"
             "--symptom adds to the day's symptoms, --remove-symptom takes one away, --clear "
             "empties a field. On a day of several readings, --at HH:MM names the reading to "
             "change (--at none: the one without a time); without --at only the day's own "
             "fields (the 24-hour scores, sleep, mood, questions) can change." + examples(
                 "pumpjournal edit 2026-11-24 --pain 5",
                 "pumpjournal edit yesterday --remove-symptom fever --clear temperature",
                 "pumpjournal edit today --at 08:00 --note 'felt better after lunch'"))
def edit(
    ctx: typer.Context,
    day: DateArg,
    pain: PainOpt = None, worst: WorstOpt = None, least: LeastOpt = None,
    average: AverageOpt = None, symptom: SymptomOpt = None,
    remove_symptom: Annotated[Optional[list[str]], typer.Option(
        "--remove-symptom", metavar="ID", help="Remove a symptom.")] = None,
    temperature: TemperatureOpt = None, temperature_site: SiteOpt = None,
    boluses: BolusesOpt = None, sleep: SleepOpt = None, mood: MoodOpt = None,
    impression: ImpressionOpt = None,
    note: NoteOpt = None, question: QuestionOpt = None, worse: WorseOpt = None,
    contacted: ContactedOpt = None,
    clear: Annotated[Optional[list[str]], typer.Option(
        metavar="FIELD", help="Empty a field: worst, least, average, symptoms, worse, "
        "temperature, boluses, sleep, mood, impression, note, questions, contacted (and "
        "pain, of one reading named with --at, when another reading has one).")] = None,
    at: AtOpt = None,
    patient: PatientOpt = None,
    journal: JournalOpt = None,
    as_json: JsonOpt = False,
):
    when = dates.parse_date(day)
    raw = entry_fields(pain, worst, least, average, symptom, worse, temperature,
                       temperature_site, boluses, sleep, mood, note, question, contacted,
                       impression)
    ask_unclear_symptoms(raw)
    values, problems = model.validate_each(raw)
    if problems:
        view = readable_journal(ctx, journal, need_view=True, patient=patient)[1]
        show_typed_panel(values, when, view, patient, as_json)
        raise problems[0]
    removed = tuple(model.parse_symptoms(remove_symptom))
    cleared = tuple(model.validate_clear(clear or [], reading=at is not None))
    if at is not None:
        dates.parse_time(at)
    model.require_change(values, removed, cleared)
    asking = interactive() and bool(values.get("symptoms")) and worse is None
    store, view, broken = readable_journal(ctx, journal, need_view=asking, patient=patient)
    if asking and view is not None:  # a known symptom added at a terminal: worse than usual?
        marked = ask_worse(values["symptoms"], view.profile(
            queries.choose_patient(view, patient)).get("baseline_symptoms") or [])
        if marked:
            values["worse"] = marked
    done = save_entry_or_warn(store, broken, patient, when, values, as_json, remove=removed,
                              clear=cleared, edit=True, at=at)
    entry, changes, found, profile = done.entry, done.changes, done.check, done.profile
    signs_changed = any(k in ("symptoms", "worse", "temperature") for k, _, _ in changes)
    if as_json:
        emit_json({"action": "updated" if changes else "unchanged", "entry": entry.to_json(),
                   "reading": done.reading.to_json() if done.reading else None,
                   "changes": changes_json(changes),
                   "flags": [f.to_json() for f in found.flags]})
    elif changes:
        reading = done.reading if len(entry.readings) > 1 else None
        at = f" (the reading {reading.phrase})" if reading else ""
        out(f"Changed {entry.date} for {entry.patient}{at}:")
        screen("\n".join(render.changes_text(changes)))
    else:
        out(unchanged_text(entry))
    if signs_changed:  # the same panel as `log` for the day's warning signs
        temperature_c = (entry.upto(done.reading).temperature_c if done.reading else
                         entry.temperature_c)
        print_panel(found, entry.day, temperature_c, profile, stderr=as_json)
    note_low_temperature(values)


@app.command(help="Delete one day's entry, or one of its readings with --at. Asks first at "
             "a terminal; --yes for scripts." + examples(
                 "pumpjournal delete 2026-11-24", "pumpjournal delete yesterday --yes",
                 "pumpjournal delete today --at 08:00"))
def delete(
    ctx: typer.Context, day: DateArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    at: Annotated[Optional[str], typer.Option(
        "--at", metavar="HH:MM", help="Delete only the reading at this time ('none': the one "
        "without a time).")] = None,
    patient: PatientOpt = None, journal: JournalOpt = None,
):
    when = dates.parse_date(day)
    time = dates.parse_time(at) if at is not None else None
    store = open_journal(ctx, journal, patient)
    view = store.read()
    who = queries.choose_patient(view, patient)
    entry = view.require_entry(who, when)
    reading = entry.reading_at(time) if at is not None else None
    if at is not None and reading is None:
        raise InputError(f"there is no reading at {time or 'time not recorded'} on "
                         f"{entry.date}; its readings: {entry.times()}.")
    what = (f"the reading {reading.phrase} of {entry.date}" if reading else
            f"the entry for {entry.date}")
    if not yes:
        if not interactive():
            raise InputError("delete needs --yes when not run at a terminal.")
        say("\n".join(render.entry_lines(entry, [])))
        if not typer.confirm(f"Delete {what}?", default=False, err=True):
            say("Kept it; nothing was changed.")
            return
    with store.transaction() as tx:
        if reading is None:
            tx.delete_entry(who, when)
            left = None
        else:
            left = tx.delete_reading(who, when, at, dates.now_stamp())[2]
    gone = " It was the day's only reading, so the day's entry went with it." if (
        reading is not None and left is None) else ""
    out(f"Deleted {what} ({entry.patient}).{gone}")


@app.command(help="List the symptom checklist: id, plain-language label, category, and "
             "whether it is a warning sign and how urgent.\n\nIds are accepted with '_' "
             "for '-' and in any case." + examples("pumpjournal symptoms",
                                                   "pumpjournal symptoms --json"))
def symptoms(as_json: JsonOpt = False):
    if as_json:
        emit_json([{"id": s.id, "label": s.label, "category": s.category,
                    "warning_sign": s.warning_sign,
                    "warning_sign_when": cat.warning_sign_when(s.id),
                    "urgency": s.alone, "rules": list(s.rules),
                    "daily": s in cat.DAILY, "snomed": s.snomed or None,
                    "aliases": cat.aliases_of(s.id),
                    "can_be_baseline": cat.can_be_baseline(s.id)} for s in cat.SYMPTOMS])
        return
    screen("\n".join(render.symptom_lines()))
    tell("\nThe daily prompt asks the first 14; log the others with --symptom ID or in plain "
        "words (redness, pus, shivers, pins and needles, weak legs, ...). A word that could "
        "mean two items is asked about, never guessed.")


@app.command(help="Show a fictional patient's journal (trial, implant and recovery, with one "
             "documented warning sign): the entries, the warning panel, the status screen and "
             "the follow-up summary. Your own journal is not touched." + examples(
                 "pumpjournal demo"))
def demo():
    import tempfile

    from . import demo as demo_data, status

    with tempfile.TemporaryDirectory(prefix="pumpjournal-demo-") as folder:
        journal = demo_data.build(Path(folder) / "demo.json")
        view = journal.read()
        who, last = demo_data.PATIENT, demo_data.period()[1]
        out(f"pumpjournal demo: the journal of {demo_data.NAME}, a fictional patient.")
        out("Nothing is written to your own journal.\n")
        entries = view.entries(who)
        flags = checks.entry_flags(view, who, entries)
        out("== Entries (pumpjournal list) ==")
        for entry, fl in list(zip(entries, flags))[::-1]:
            out("\n".join(render.entry_lines(entry, fl)))
        for entry, fl in list(zip(entries, flags))[::-1]:
            if (cat.top_urgency(fl) or 0) >= cat.Urgency.URGENT:
                out(f"\n== What {demo_data.NAME} saw when logging {entry.date} ==")
                print_entry_panel(view, entry)
        out(f"\n== Status screen on {last.isoformat()} (pumpjournal) ==")
        out("\n".join(status.status_lines(view, who, last, journal.path)))
        out(f"\n== Follow-up summary (pumpjournal summary --since {demo_data.IMPLANT}) ==")
        data = queries.summary_data(view, who, last, demo_data.IMPLANT, None)
        out("\n".join(render.summary_lines(data, demo_data.NAME, last)))
        from . import report

        # a new private folder (0700) made for this run: nobody can plant files in it first
        reports_folder = Path(tempfile.mkdtemp(prefix="pumpjournal-demo-reports-"))
        made = report.prepare(view, who, dates.today(), demo_data.IMPLANT, last.isoformat())
        written = []
        for fmt in ("html", "pdf"):
            target = reports_folder / made.default_name(fmt)
            report.save(target, made.render(fmt))
            written.append(str(target))
        out("\n== The caregiver's report (pumpjournal report) ==")
        out(f"Written to a new private folder, {reports_folder}:\n  " + "\n  ".join(written))
        out("\nStart your own journal with: pumpjournal log")


# Timeline: profile and events -----------------------------------------------------------

@app.command(help="Show or set your facts: implant date, pump, medicine, care team numbers, "
             "emergency number and the fever line your care team set.\n\n"
             "With no options it shows the profile. Every warning panel shows the numbers you "
             "give here." + examples(
                 "pumpjournal profile",
                 "pumpjournal profile --implant-date 2026-11-20 --drug morphine "
                 "--care-phone 555-0142 --after-hours-phone 555-0199 --emergency-number 911",
                 "pumpjournal profile --fever-threshold 37.8 --set-by 'Dr Ames'",
                 "pumpjournal profile --clear initials"))
def profile(
    ctx: typer.Context,
    name: Annotated[Optional[str], typer.Option(help="Your name (optional).")] = None,
    initials: Annotated[Optional[str], typer.Option(help="Or just initials.")] = None,
    trial_start: Annotated[Optional[str], typer.Option(
        metavar="DATE", help="The day the trial started (not in the future).")] = None,
    trial_end: Annotated[Optional[str], typer.Option(
        metavar="DATE", help="The day the trial ended (not in the future).")] = None,
    implant_date: Annotated[Optional[str], typer.Option(
        metavar="DATE", help="The day the pump was implanted (not in the future).")] = None,
    pump_make: Annotated[Optional[str], typer.Option(
        metavar="MAKE", help="e.g. SynchroMed II, Prometra II.")] = None,
    drug: Annotated[Optional[list[str]], typer.Option(
        "--drug", metavar="NAME", help="Medicine in the pump (repeat for a mix); replaces the "
        "list. Baclofen, opioids and ziconotide have their own warning signs.")] = None,
    care_team: Annotated[Optional[str], typer.Option(
        metavar="NAME", help="Your care team or clinic, as warning panels should name it.")
    ] = None,
    care_phone: Annotated[Optional[str], typer.Option(
        metavar="NUMBER", help="The care team's phone number, shown in every warning panel.")
    ] = None,
    after_hours_phone: Annotated[Optional[str], typer.Option(
        metavar="NUMBER", help="The number to call out of hours.")] = None,
    emergency_number: Annotated[Optional[str], typer.Option(
        metavar="NUMBER", help="Your local emergency number, e.g. 911, 112 or 999.")] = None,
    fever_threshold: Annotated[Optional[str], typer.Option(
        metavar="TEMP", help="The fever line your care team gave (37.5-39.0 °C; default "
        "38.0 °C / 100.4 °F). Needs --set-by.")] = None,
    set_by: Annotated[Optional[str], typer.Option(
        metavar="WHO", help="Who on the care team set the fever line.")] = None,
    low_threshold: Annotated[Optional[str], typer.Option(
        metavar="TEMP", help="A low temperature line, if your care team set one "
        "(baclofen pumps).")] = None,
    next_refill: Annotated[Optional[str], typer.Option(
        metavar="DATE", help="When the next refill is due (may be in the future).")] = None,
    baseline_symptom: Annotated[Optional[list[str]], typer.Option(
        "--baseline-symptom", metavar="ID", help="A symptom your care team noted before the "
        "implant (repeatable; adds to the list). Logged later, it is asked whether it is worse "
        "than usual. Emergency signs cannot be one.")] = None,
    clear: Annotated[Optional[list[str]], typer.Option(metavar="FIELD",
                                                       help="Remove a fact.")] = None,
    patient: PatientOpt = None, journal: JournalOpt = None, as_json: JsonOpt = False,
):
    given = {"name": name, "initials": initials, "pump_make": pump_make,
             "care_team": care_team, "trial_start": trial_start, "trial_end": trial_end,
             "implant_date": implant_date, "next_refill": next_refill,
             "care_phone": care_phone, "after_hours_phone": after_hours_phone,
             "emergency_number": emergency_number, "drugs": drug,
             "fever_threshold_c": fever_threshold, "fever_threshold_set_by": set_by,
             "low_threshold_c": low_threshold, "baseline_symptom": baseline_symptom or None}
    raw = {key: value for key, value in given.items() if value is not None}
    if not raw and not clear:
        reads_only(ctx)  # it only shows the profile
    values = model.validate_profile(raw, dates.today(), clear=clear or ())
    store = open_journal(ctx, journal, patient)
    who = queries.choose_patient(store.read(), patient)
    if values:
        with store.transaction() as tx:
            facts = tx.set_profile(who, raw, clear or (), dates.today())
            starts = {"implant_date", "trial_start"} & set(values)
            watch = checks.watch_today(tx, who) if starts else None
        say(f"Profile of {who} saved.")
        for note in model.profile_notes(values):
            say(f"Note: {note}")
        print_watch(watch, stderr=as_json, profile=facts)
    else:
        facts = store.read().profile(who)
    if as_json:
        emit_json({"patient": who, **{k: facts.get(k) for k in model.PROFILE_FIELDS}})
        return
    shown = [f"{model.PROFILE_FIELDS[k]}: {profile_value(k, v)}"
             for k, v in facts.items() if k in model.PROFILE_FIELDS and v is not None]
    out("\n".join([f"Profile of {who}:"] + ["  " + line for line in shown]) if shown else
        f"No profile yet for {who}. Add facts with options, e.g. "
        "pumpjournal profile --implant-date 2026-11-20 --care-phone 555-0142")


def profile_value(key: str, value) -> str:
    if isinstance(value, list):
        return escape(", ".join(map(str, value)))
    return temperature_text(value) if key.endswith("_c") else escape(value)


event_app = typer.Typer(cls=Group, no_args_is_help=True, context_settings=HELP_OPTIONS, help=(
    "Record what happens around the pump: trial, implant, refills, dose changes, visits, "
    "alarms, surgery, MRI, removal." + examples(
        "pumpjournal event add implant --date 2026-11-20",
        "pumpjournal event add refill --next-due 2027-02-10",
        "pumpjournal event list")))
app.add_typer(event_app, name="event")


@event_app.command("add", help="Add an event. KIND is one of: " + ", ".join(model.EVENT_KINDS)
                   + ". Only visit, refill and mri can be in the future." + examples(
                       "pumpjournal event add trial-end --relief yes",
                       "pumpjournal event add dose-change --drug morphine --dose 0.5 "
                       "--unit mg/day",
                       "pumpjournal event add visit --date 2026-12-15 --note 'refill and review'",
                       "pumpjournal event add alarm --alarm critical"))
def event_add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(metavar="KIND", help="What happened.")],
    day: Annotated[Optional[str], typer.Option("--date", "-d", metavar="DATE",
                                               help="When (default today).")] = None,
    relief: Annotated[Optional[str], typer.Option(
        help="trial-end: did the trial give meaningful relief? yes, partial or no.")] = None,
    next_due: Annotated[Optional[str], typer.Option(
        metavar="DATE", help="refill: the next refill date the clinic gave.")] = None,
    drug: Annotated[Optional[str], typer.Option(help="dose-change: which medicine.")] = None,
    dose: Annotated[Optional[str], typer.Option(help="dose-change: new daily dose.")] = None,
    unit: Annotated[Optional[str], typer.Option(help="dose-change: mg/day or mcg/day.")] = None,
    alarm: Annotated[Optional[str], typer.Option(
        help="alarm: critical, non-critical or not-sure.")] = None,
    note: Annotated[Optional[str], typer.Option(
        "--note", "-n", metavar="TEXT", help="A note about the event.")] = None,
    patient: PatientOpt = None, journal: JournalOpt = None, as_json: JsonOpt = False,
):
    what = model.parse_event_kind(kind)
    today = dates.today()
    when = dates.parse_date(day) if day else today
    due = dates.parse_date(next_due, what="--next-due") if next_due else None
    details = {"relief": relief, "next_due": due, "drug": drug, "dose": dose, "unit": unit,
               "alarm": alarm, "note": note}
    event, profile, events, read = None, {}, [], False
    try:
        store = open_journal(ctx, journal, patient)
        with store.transaction() as tx:
            who = queries.choose_patient(tx, patient)
            profile, events, read = tx.profile(who), tx.events(who), True
            event = tx.add_event(model.new_event(who, what, when, today, details, profile))
    except (JournalError, OSError) as exc:  # the advice never waits for the journal
        if event is None:
            event = model.new_event(patient or model.DEFAULT_PATIENT, what, when, today,
                                    details, profile)
        show_event_advice(profile, events + [event], event, stderr=as_json, read=read)
        raise not_saved("event", exc) from None
    if as_json:
        emit_json(event.to_json())
    else:
        screen(f"Added event {event.id}: {render.event_text(event.to_json())}")
    show_event_advice(profile, events + [event], event, stderr=as_json)


def show_event_advice(profile: dict, events: list, event, *, stderr: bool,
                      read: bool = True) -> None:
    """An alarm's or an MRI's advice (W-ALARM, W-MRI) and, after an event that starts one, the
    48-hour watch (W-WATCH), as soon as the event is recorded (or typed, when it could not
    be saved)."""
    from .episodes import event_flag  # the rules' modules load only where they are needed
    from .timeline import WATCH_KINDS

    flag = event_flag(profile, event, dates.today())
    if flag is not None:
        text = wrap([(f"{flag.urgency.symbol} {flag.urgency.name}: ", flag.advice)]
                    + ([] if read else [("", TYPED_ALONE)]), 79)
        text.append(cat.not_advice(profile))
        print(escape("\n".join(text), lines=True), file=sys.stderr if stderr else sys.stdout)
    if event.kind in WATCH_KINDS:
        print_watch(checks.watch_of(profile, events), stderr=stderr, profile=profile)


TYPED_ALONE = ("Checked from what you typed alone: the journal could not be read, so your "
               "profile (pump make, medicines) was not checked.")


@event_app.command("list", help="List events, oldest first." + examples(
    "pumpjournal event list", "pumpjournal event list --kind refill --json"))
def event_list(
    ctx: typer.Context,
    kind: Annotated[Optional[list[str]], typer.Option(metavar="KIND",
                                                      help="Only these kinds.")] = None,
    since: SinceOpt = None, until: UntilOpt = None,
    patient: PatientOpt = None, journal: JournalOpt = None, as_json: JsonOpt = False,
):
    kinds = tuple(model.parse_event_kind(k) for k in kind or [])
    low, high = parse_range(since, until)
    view = open_journal(ctx, journal, patient).read()
    who = queries.choose_patient(view, patient)
    found = [e.to_json() for e in view.events(who, kinds, low, high)]
    if as_json:
        emit_json(found)
        return
    if found:
        out("\n".join(f"{e['id']:>4}  {render.event_text(e)}" for e in found))
    else:
        say("No events recorded. Add one with: pumpjournal event add KIND")
    marks = queries.profile_marks(view.profile(who), low, high)
    if marks and not kinds:
        say("From the profile: " + "; ".join(marks) + ".")


@event_app.command("delete", help="Delete an event by its id (from `event list`)." + examples(
    "pumpjournal event delete 3 --yes"))
def event_delete(
    ctx: typer.Context,
    event_id: Annotated[int, typer.Argument(
        metavar="ID", help="The event's id, as `pumpjournal event list` shows it.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    patient: PatientOpt = None, journal: JournalOpt = None,
):
    store = open_journal(ctx, journal, patient)
    who = queries.choose_patient(store.read(), patient)
    if not yes:
        if not interactive():
            raise InputError("event delete needs --yes when not run at a terminal.")
        if not typer.confirm(f"Delete event {event_id}?", default=False, err=True):
            say("Kept it; nothing was changed.")
            return
    with store.transaction() as tx:
        event = tx.delete_event(who, event_id)
    out(f"Deleted event {event_id}: {render.event_text(event.to_json())}")


# Over time: flags and the follow-up summary --------------------------------------------------


@app.command(help="List every warning-sign episode (routine and above) with its first and last "
             "day, urgency, rule, sources and advice. Expected soreness is recorded, not "
             "listed." + examples("pumpjournal flags", "pumpjournal flags --since 4w --json"))
def flags(
    ctx: typer.Context, since: SinceOpt = None, until: UntilOpt = None,
    patient: PatientOpt = None, journal: JournalOpt = None, as_json: JsonOpt = False,
):
    low, high = parse_range(since, until)
    view = open_journal(ctx, journal, patient).read()
    who = queries.choose_patient(view, patient)
    data = queries.flags_data(view, who, dates.today(), low, high)
    watch = checks.watch_today(view, who)
    if as_json:  # the array of episodes; a running watch is said on stderr, as for log
        emit_json(data["all"])
        print_watch(watch, stderr=True, profile=view.profile(who))
        return
    if not data["logged"]:
        say("No warning signs logged in that period." if (low or high) else
            "No warning signs logged.")
    else:
        screen("\n".join(render.episode_lines(data["logged"], profile=view.profile(who))))
    coming = render.coming_up_lines({"coming_up": {"mri": data["mri"]}}, dates.today())
    if coming:
        screen("\n".join(coming))
    print_watch(watch, note=False)
    if data["all"] or watch:
        screen(cat.not_advice(view.profile(who)))


@app.command(help="The follow-up summary for a visit, on one screen: pain figures and trend, "
             "symptoms, warning-sign episodes, pump events, sleep and mood, notes on flagged "
             "days and your questions.\n\nWithout --since it covers the time since the last "
             "visit, or the last 30 days." + examples(
                 "pumpjournal summary", "pumpjournal summary --since last-visit",
                 "pumpjournal summary --since 4w --json"))
def summary(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option(
        metavar="WHEN", help="last-visit, a date, or a span such as 4w.")] = None,
    until: UntilOpt = None,
    patient: PatientOpt = None, journal: JournalOpt = None, as_json: JsonOpt = False,
):
    view = open_journal(ctx, journal, patient).read()
    who = queries.choose_patient(view, patient)
    data = queries.summary_data(view, who, dates.today(), since, until)
    if as_json:
        emit_json({**data, "patient": who})
        return
    facts = view.profile(who)
    name = facts.get("name") or facts.get("initials")
    screen("\n".join(render.summary_lines(data, f"{name} ({who})" if name else who,
                                       dates.today())))


@app.command(help="Note a question for your next visit; the summary lists it." + examples(
    "pumpjournal ask 'Can the evening dose be raised?'"))
def ask(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(
        metavar="QUESTION", help="The question, in your own words (quote it).")],
    patient: PatientOpt = None, journal: JournalOpt = None,
):
    text = model.parse_question(question)
    store = open_journal(ctx, journal, patient)
    with store.transaction() as tx:
        who = queries.choose_patient(tx, patient)
        tx.add_question(who, dates.today(), text)
    out(f"Saved for your next visit: {text}")


# Caregivers: the report ------------------------------------------------------------------


@app.command("report", help="Write a report for an appointment: warning signs first, a pain "
             "chart, the summary figures, a day-by-day table, questions and notes.\n\n"
             "Without --output it is written to this folder under a name with the person, "
             "period and date, and its path is printed. Reports are created readable only by "
             "you (0600)." + examples(
                 "pumpjournal report --format pdf",
                 "pumpjournal report --since 4w --format html --output visit.html",
                 "pumpjournal report --format md --redact --output -"))
def make_report(
    ctx: typer.Context,
    since: Annotated[Optional[str], typer.Option(
        metavar="WHEN", help="last-visit, a date, or a span such as 4w (default: since the "
        "last visit, else 30 days).")] = None,
    until: UntilOpt = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", metavar="pdf|html|md|txt",
        help="Default: from --output's name, else pdf.")] = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE|-", help="Where to write it; - for stdout.")] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing file.")] = False,
    redact: Annotated[bool, typer.Option(
        help="Leave out name, initials, phone numbers, care team, pump make, notes and "
        "questions. Dates stay.")] = False,
    patient: PatientOpt = None, journal: JournalOpt = None,
):
    from . import report

    if output == "-":
        reads_only(ctx)
    fmt = formats.to_write(output, fmt, report.check_format, "pdf")
    store = open_journal(ctx, journal, patient)
    view = store.read()
    who = queries.choose_patient(view, patient)
    made = report.prepare(view, who, dates.today(), since, until, redact)
    data = made.render(fmt)
    if output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = output_path(output) if output else Path(made.default_name(fmt))
    report.save(path, data, force, protected=store.own_files(path))
    out(str(path))


# Researchers: import, export, cohort ---------------------------------------------------------


def progress_counter():
    """A Rich progress display on a terminal (stderr); nothing when piped."""
    if not sys.stderr.isatty():
        return None, None
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                   console=console(stderr=True), transient=True)
    task = bar.add_task("Checking rows", total=None)
    return bar, (lambda n: bar.update(task, description=f"Checking row {n:,}")
                 if n % 500 == 0 else None)


@app.command("import", help=(
    "Import readings from CSV, JSON or JSONL (FILE or - for stdin), checked with the same rules "
    "as `log`. Nothing is written if any row is bad, unless --skip-invalid.\n\n"
    "One row is one reading (`--template` prints a sample): patient (or participant_id), "
    "date, time (HH:MM; empty: not recorded), utc_offset (+HH:MM), pain (needed on a new "
    "day's first row), symptoms (ids or plain words separated by ;; a word with two meanings "
    "is a row error naming both) or one 0/1 column per symptom id, worse, temperature, "
    "temperature_site, boluses, note, contacted; and the day's own worst, least, average, "
    "sleep, mood, questions, which the rows of one day must agree on (or leave empty). Exit 0 "
    "when every row went in, 2 when rows were rejected or no row was left to import.") + examples(
        "pumpjournal import --template > diary.csv",
        "pumpjournal import diary.csv --dry-run",
        "pumpjournal import export.csv --delimiter ';' --date-format %d.%m.%Y "
        "--map 'Pain score=pain' --ignore-column Comments",
        "pumpjournal import redcap.csv --where redcap_event_name=daily_arm_1 "
        "--map sx___1=fever --value-map '*:Checked=1' --value-map '*:Unchecked=0'",
        "pumpjournal import study.jsonl --skip-invalid --rejects fix-me.jsonl --json",
        "cat rows.csv | pumpjournal import - --format csv --on-conflict skip"))
def import_entries(
    ctx: typer.Context,
    source: Annotated[Optional[str], typer.Argument(
        metavar="FILE|-", help="The file to import, or - to read stdin.")] = None,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", metavar="csv|json|jsonl", help="Default: from the file name.")] = None,
    mapping: Annotated[Optional[list[str]], typer.Option(
        "--map", metavar="COLUMN=FIELD", help="Read a column as a field (repeatable).")] = None,
    ignore_column: Annotated[Optional[list[str]], typer.Option(
        metavar="NAME", help="Drop a column (repeatable).")] = None,
    ignore_extra: Annotated[bool, typer.Option(
        help="Drop every column that maps to no field, and empty cells past the header's "
        "last column.")] = False,
    value_map: Annotated[Optional[list[str]], typer.Option(
        "--value-map", metavar="COLUMN:FROM=TO", help="Read the cell FROM as TO in COLUMN (as "
        "the header names it; * for every column) before checking, e.g. '*:Checked=1'. Exact "
        "match after stripping spaces; case counts (repeatable).")] = None,
    where: Annotated[Optional[list[str]], typer.Option(
        "--where", metavar="COLUMN=VALUE", help="Import only rows whose cell in COLUMN is "
        "VALUE (exact, case counts; repeatable: any VALUE of one column, every column given); "
        "the other rows are counted as filtered out.")] = None,
    date_format: Annotated[Optional[list[str]], typer.Option(
        metavar="FORMAT", help="strptime format of the dates, e.g. %d.%m.%y or %m/%d/%Y "
        "(repeatable: a date two formats read differently is a row error). Default: "
        "YYYY-MM-DD.")] = None,
    delimiter: Annotated[str, typer.Option(metavar="CHAR", help="CSV delimiter.")] = ",",
    on_conflict: Annotated[str, typer.Option(
        metavar="fail|skip|update", help="When the journal has a reading at that time "
        "already, or other values for that day (skip: a new reading still goes in).")
    ] = "fail",
    skip_invalid: Annotated[bool, typer.Option(
        help="Import the good rows; write the bad ones to the --rejects file.")] = False,
    rejects: Annotated[Optional[str], typer.Option(
        metavar="FILE", help="Where bad rows go with --skip-invalid (default: "
        "<name>-rejects.<format> in the current folder, or a numbered name when that "
        "exists).")] = None,
    force: Annotated[bool, typer.Option(
        help="Replace an existing --rejects file (never the journal, a backup or the input)."
    )] = False,
    dry_run: Annotated[bool, typer.Option(help="Check and report; write nothing.")] = False,
    template: Annotated[bool, typer.Option(
        "--template", help="Print a sample CSV with every column and exit.")] = False,
    patient: Annotated[Optional[str], typer.Option(
        "--patient", "-P", metavar="ID", help="The person, for files without a patient "
        "column.")] = None,
    journal: JournalOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the import summary as JSON.")
                       ] = False,
):
    from contextlib import nullcontext

    from . import transfer

    if template:
        sys.stdout.write(transfer.template())
        return
    if dry_run:
        reads_only(ctx)
    if not source:
        raise InputError("give a FILE to import, or - for stdin (`--template` prints a "
                         "sample).")
    kind = formats.to_read(source, fmt, transfer.check_format_in, transfer.FORMATS_IN)
    options = dict(fmt=kind, on_conflict=on_conflict,
                   mapping=transfer.parse_mapping(mapping or []),
                   value_map=transfer.parse_value_maps(value_map or []),
                   where=transfer.parse_where(where or []),
                   ignore=ignore_column or [], ignore_extra=ignore_extra,
                   date_format=date_format or None, skip_invalid=skip_invalid, dry_run=dry_run)
    study = open_study(ctx, journal)
    store = open_journal(ctx, journal) if study is None else study
    stream = transfer.open_input(source)
    bar, tick = progress_counter() if not as_json else (None, None)
    rejected_rows: list | None = [] if skip_invalid and not dry_run else None
    written = None

    def write_rejects(result) -> None:
        """Under the lock, before the import commits, and only when it will: an import
        refused for its conflicts writes nothing at all."""
        nonlocal written
        if rejected_rows and not result.conflicts:
            written = transfer.write_import_rejects(
                store, source, rejects, force, rejected_rows, kind, delimiter)
            result.rejects_file = str(written)

    try:
        with stream, (bar or nullcontext()):
            rows = transfer.read_rows(stream, kind, delimiter,
                                      name="standard input" if source == "-" else source)
            if study is not None:  # each participant's journal written on its own
                def keep_rejects(result):
                    nonlocal written
                    if not rejects:  # the default name, in this folder: not in the study's
                        study.check_output(Path(f"{Path(source).stem}-rejects.{kind}"))
                    written = transfer.write_import_rejects(
                        study, source, rejects, force, rejected_rows, kind, delimiter)
                    result.rejects_file = str(written)

                result = study.import_rows(rows, default_patient=patient, source=source,
                                           on_rejects=keep_rejects, progress=tick,
                                           rejected_rows=rejected_rows, **options)
            else:
                # the rows are checked without the journal's lock; it is held only to merge
                # them into the journal as it is then and write it once
                result = transfer.import_into(store, rows, patient=patient, backup="import",
                                              progress=tick, rejected_rows=rejected_rows,
                                              before_write=write_rejects, **options)
    except PumpjournalError as exc:
        if written is not None:  # the journal was not changed, but the rejects file was made
            error = type(exc)(f"{exc} The journal was not changed; the rejected rows were "
                              f"written to {written}.", written=True)
            raise error from None
        raise
    report_import(result, as_json, skip_invalid, filtering=bool(where))


def report_import(result, as_json: bool, skip_invalid: bool, filtering: bool = False
                  ) -> None:
    failed = bool(result.conflicts) or (bool(result.errors) and not skip_invalid)
    if as_json:
        emit_json({**result.to_json(), "conflicts": result.conflicts})
    for error in result.errors[:50]:
        say(f"  {error}")
    if len(result.errors) > 50:
        say(f"  ... and {len(result.errors) - 50} more problems (in {result.rejected} rows in "
            "all).")
    if result.conflicts:
        say("Error: the journal already holds these readings or day values: "
            f"{'; '.join(result.conflicts)}. Use --on-conflict skip or update. "
            "Nothing was changed.")
    elif failed:
        say(f"Error: {result.rejected} of {result.rows} rows have problems (listed above). "
            "Nothing was changed; fix them, or use --skip-invalid to import the good rows.")
    if not as_json:
        would = result.dry_run
        lines = [f"Rows read: {result.rows}"]
        if filtering:
            lines.append(f"Filtered out (--where): {result.filtered}")
        lines += [f"{'Would import' if would else 'Imported'}: {result.imported}",
                  f"{'Would update' if would else 'Updated'}: {result.updated}",
                  f"Skipped (already there): {result.skipped}",
                  f"Unchanged: {result.unchanged}", f"Rejected: {result.rejected}",
                  f"Entries with warning signs: {result.warning_signs} (EMERGENCY "
                  f"{result.emergency}, URGENT {result.urgent})"]
        if result.ignored_columns:
            lines.append("Ignored columns: " + ", ".join(
                escape(column) for column in result.ignored_columns))
        if result.symptom_columns:  # bound by their names: say so (a 0-4 scale would not fit)
            lines.append("Read as 0/1 symptom columns: " + ", ".join(
                f"{escape(column)} as {sid}" for column, sid in result.symptom_columns.items()))
        if result.rejects_file:
            lines.append(f"Rejected rows written to {result.rejects_file} (fix and import it).")
        if result.dry_run:
            lines.append("Dry run: nothing was written.")
        elif failed:
            lines.append("Nothing was written.")
        out("Import summary:")
        out("\n".join("  " + line for line in lines))
    if result.rules_failed:
        say("Note: " + checks.RULES_FAILED)
    if result.warning_signs:
        (say if as_json else out)(("Warning signs were imported: `pumpjournal flags` lists "
                                   "them. " if not result.dry_run else "") + cat.NOT_ADVICE)
    if failed or result.errors:
        raise typer.Exit(2)


@app.command(help="Export entries as CSV, JSONL, JSON (one row per reading, with the day's "
             "own values on each), a FHIR R4 Bundle, a Parquet dataset (a folder, one "
             "sub-folder per participant; needs pip install 'pumpjournal\\[parquet]') or a "
             "REDCap import file, oldest first. Without --output it writes to stdout. CSV "
             "cells that begin with = + - @ are written so spreadsheets do not run them, "
             "unless --no-formula-guard; the other formats carry text exactly as stored."
             + examples(
                 "pumpjournal export --format csv --output diary.csv",
                 "pumpjournal export --format jsonl --patient p001 --since 2026-01-01",
                 "pumpjournal export --format fhir --output bundle.json",
                 "pumpjournal export --format parquet --output exports/study",
                 "pumpjournal export --format redcap --output records.csv "
                 "--data-dictionary dictionary.csv"))
def export(
    ctx: typer.Context,
    fmt: Annotated[Optional[str], typer.Option(
        "--format", "-f", metavar="csv|jsonl|json|fhir|parquet|redcap",
        help="Default: from --output's name, else csv.")] = None,
    output: Annotated[str, typer.Option(
        "--output", "-o", metavar="FILE|DIR|-", help="File to write (created 0600), - for "
        "stdout, or for parquet a new or empty folder (created 0700).")] = "-",
    force: Annotated[bool, typer.Option(
        help="Replace an existing file (for parquet: a folder holding an earlier Parquet "
        "export, replaced whole).")] = False,
    since: SinceOpt = None, until: UntilOpt = None,
    patient: Annotated[Optional[str], typer.Option(
        "--patient", "-P", metavar="ID", help="Only this person (default: everyone).")] = None,
    no_formula_guard: Annotated[bool, typer.Option(
        "--no-formula-guard", help="CSV: write text exactly as stored, without the leading ' "
        "that keeps spreadsheets from running a cell as a formula (for analysis tools).")
    ] = False,
    data_dictionary: Annotated[Optional[str], typer.Option(
        "--data-dictionary", metavar="FILE", help="With --format redcap: also write REDCap's "
        "data dictionary for the file (created 0600), to build the project from.")] = None,
    journal: JournalOpt = None,
):
    from . import transfer
    from .files import private_text

    if output == "-" and data_dictionary is None:
        reads_only(ctx)
    fmt = formats.to_write(output, fmt, transfer.check_format_out, "csv")
    if data_dictionary is not None and fmt != "redcap":
        raise InputError("--data-dictionary goes with --format redcap (it describes a REDCap "
                         "import file).")
    if no_formula_guard and fmt != "csv":
        raise InputError("--no-formula-guard goes with --format csv (only CSV carries the "
                         "guard).")
    if fmt == "parquet":
        from . import parquet_out

        folder = parquet_out.output_folder(output)
        parquet_out.check_available()  # the install hint before the journal is read
    low, high = parse_range(since, until)
    who = model.parse_patient(patient) if patient else None
    study = open_study(ctx, journal) if who is None else None
    if study is not None:  # everyone's: a participant at a time, memory as for the largest
        export_study(study, output, fmt, force, low, high)
        return
    store = open_journal(ctx, journal, who)
    view = store.read()
    transfer.check_person(view, who)  # before any output file is made
    if fmt == "parquet":
        protected = store.own_files(folder) + [(store.backup_folder, "the journal's "
                                                "backups folder")]
        done = parquet_out.write_dataset(folder, transfer.people_rows(view, who, low, high),
                                         force=force, protected=protected)
        say(f"Exported {words.plural(done['readings'], 'reading')} of "
            f"{words.plural(done['participants'], 'participant')} to {output} (Parquet, a "
            "folder per participant).")
        return
    if fmt == "redcap":
        from . import redcap

        def write(stream) -> int:
            return redcap.write_records(stream, transfer.people_rows(view, who, low, high))[
                "readings"]
        dictionary = output_path(data_dictionary, "--data-dictionary") if data_dictionary \
            else None
    else:
        def write(stream) -> int:
            return transfer.export(view, stream, fmt, who, low, high,
                                   formula_guard=not no_formula_guard)
        dictionary = None
    if dictionary is not None:
        from .files import check_new

        protected = store.own_files(dictionary)
        if output != "-":
            protected.append((output_path(output), "the export file"))
        check_new(dictionary, force, protected)
    if output == "-" and sys.stdout.isatty():  # a person reads it: controls written out
        import io

        buffer = io.StringIO()
        count = write(buffer)
        sys.stdout.write(escape(buffer.getvalue(), lines=True))
    elif output == "-":  # a pipe or a file: the data exactly as stored
        count = write(sys.stdout)
    else:
        target = output_path(output)
        with private_text(target, force, store.own_files(target)) as stream:
            count = write(stream)
        say(f"Exported {words.plural(count, 'reading')} to {output}.")
    if dictionary is not None:
        from .redcap import write_dictionary

        try:
            with private_text(dictionary, force, store.own_files(dictionary)) as stream:
                write_dictionary(stream)
        except PumpjournalError as exc:
            exc.written = output != "-"  # the records file is there already
            raise
        say(f"Wrote the REDCap data dictionary to {data_dictionary}.")


def export_study(study, output: str, fmt: str, force: bool, low, high) -> None:
    """`export` of every participant of a study (see ``export``)."""
    from .files import private_text

    if output == "-" and sys.stdout.isatty():
        import io

        buffer = io.StringIO()
        study.export(buffer, fmt, low, high)
        sys.stdout.write(escape(buffer.getvalue(), lines=True))
    elif output == "-":
        study.export(sys.stdout, fmt, low, high)
    else:
        target = output_path(output)
        with private_text(target, force, study.own_files(target)) as stream:
            count = study.export(stream, fmt, low, high)
        say(f"Exported {words.plural(count, 'reading')} to {output}.")


@app.command(help="One line per person in the journal: days logged, first and last day, mean "
             "pain and warning-sign episodes; under it, how many days of the window were "
             "logged, how many on the day and how many filled in later." + examples(
                 "pumpjournal cohort", "pumpjournal cohort --since 2026-01-01 --json"))
def cohort(
    ctx: typer.Context, since: SinceOpt = None, until: UntilOpt = None,
    journal: JournalOpt = None, as_json: JsonOpt = False,
):
    low, high = parse_range(since, until)
    study = open_study(ctx, journal)
    rows = (study.cohort(dates.today(), low, high) if study is not None else
            queries.cohort(open_journal(ctx, journal).read(), dates.today(), low, high))
    if as_json:
        emit_json(rows)
        return
    if not rows:
        say("The journal holds nobody yet.")
        return
    width = max(8, *(len(r["patient"]) for r in rows))
    lines = [f"{'person':<{width}}  {'days':>5}  {'first':<10}  {'last':<10}  {'mean pain':>9}"
             f"  episodes (urgent+)"]
    for r in rows:
        mean_pain = "-" if r["mean_pain"] is None else f"{r['mean_pain']:.1f}"
        lines.append(f"{r['patient']:<{width}}  {r['days_logged']:>5}  {r['first'] or '-':<10}"
                     f"  {r['last'] or '-':<10}  {mean_pain:>9}  {r['episodes']}"
                     f" ({r['urgent_episodes']})")
        if r["days_logged"]:
            lines.append("  " + render.cohort_timing(r))
    screen("\n".join(lines))
    if any(r["episodes"] for r in rows):
        screen(cat.NOT_ADVICE)


# Keeping the journal safe ------------------------------------------------------------------


@app.command(help="Check the journal: it can be read, its format is known, every entry is "
             "valid and no day is entered twice. Exit 0 when sound, 1 when not." + examples(
                 "pumpjournal doctor", "pumpjournal --journal old.json doctor"))
def doctor(ctx: typer.Context, journal: JournalOpt = None):
    from .doctor import check, check_study
    from .study import is_study

    path = journal_path(ctx, journal)
    if is_study(path):
        problems, notes = check_study(path, os.environ.get("PUMPJOURNAL_PASSPHRASE") or None,
                                      dates.today())
        doctor_said(f"Study: {path}", "The study is sound.", problems, notes,
                    f"No journal was changed. Way out: restore a participant's copy from "
                    f"{path}/backups (copy it over that participant's journal), fix the entries "
                    "named above with `pumpjournal edit --patient ID` or `pumpjournal delete "
                    "--patient ID`, or move files that are not participants' journals out of "
                    "the folder.")
        return
    store = open_journal(ctx, journal)
    problems, notes = check(store, dates.today())
    doctor_said(f"Journal: {store.path}", "The journal is sound.", problems, notes,
                f"The journal was not changed. Way out: restore a copy from "
                f"{store.backup_folder} (copy it over the journal), or fix the entries named "
                "above with `pumpjournal edit` or `pumpjournal delete`.")


def doctor_said(head: str, sound: str, problems: list[str], notes: list[str],
                way_out: str) -> None:
    """What `doctor` found: its notes, then sound (exit 0) or the problems and the way out
    (exit 1)."""
    out(head)
    out("\n".join("  " + note for note in notes))
    if not problems:
        out(sound)
        return
    out(f"{words.plural(len(problems), 'problem')} found:")
    out("\n".join(f"  - {p}" for p in problems[:100]))
    out(way_out)
    raise typer.Exit(1)


@app.command(help="Keep a dated copy of the journal in the backups folder next to it (0600; "
             "the last five copies are kept). Imports keep a copy of their own first." +
             examples("pumpjournal backup"))
def backup(ctx: typer.Context, journal: JournalOpt = None):
    study = open_study(ctx, journal)
    if study is not None:
        made = study.backup()
        out(f"Backups written: {words.plural(len(made), 'participant journal')}, in "
            f"{study.folder / 'backups'}")
        return
    store = open_journal(ctx, journal)
    store.read()  # refuse to copy what cannot be read, and say why
    out(f"Backup written: {store.backup()}")


@app.command(help="Create a journal, optionally encrypted at rest (AES-256-GCM, key from your "
             "passphrase by scrypt). The passphrase is asked at a terminal, or read from "
             f"PUMPJOURNAL_PASSPHRASE; it needs at least {MIN_PASSPHRASE} characters. An existing "
             "plain journal "
             "is encrypted in place, and pumpjournal then refuses a plain file at that path."
             "\n\n--decrypt turns encryption off on purpose: it writes the journal as plain "
             "text and stops expecting it to be encrypted." +
             "\n\n--study DIR makes a study folder instead: one journal per participant "
             "(DIR/<id>.json, made by the first change for that id) beside a study file; give "
             "DIR as --journal to every command, with --patient ID." +
             examples("pumpjournal init", "pumpjournal init --encrypt",
                      "PUMPJOURNAL_PASSPHRASE=... pumpjournal --journal study.json init "
                      "--encrypt", "pumpjournal init --decrypt",
                      "pumpjournal init --study trial-2027"))
def init(
    ctx: typer.Context,
    encrypt: Annotated[bool, typer.Option("--encrypt", help="Encrypt the journal.")] = False,
    decrypt: Annotated[bool, typer.Option(
        "--decrypt", help="Turn encryption off: write the journal as plain text.")] = False,
    study: Annotated[Optional[Path], typer.Option(
        "--study", metavar="DIR", help="Make a study folder: one journal per participant "
        "(encrypted when PUMPJOURNAL_PASSPHRASE is set).")] = None,
    journal: JournalOpt = None,
):
    if encrypt and decrypt:
        raise InputError("give --encrypt or --decrypt, not both.")
    passphrase = os.environ.get("PUMPJOURNAL_PASSPHRASE") or None
    from .study import is_study

    if study is not None or is_study(journal_path(ctx, journal)):
        init_study(study or journal_path(ctx, journal), encrypt, decrypt, passphrase,
                   study is None)
        return
    if decrypt:
        store = open_journal(ctx, journal)
        store.require_encrypted = False
        if store.decrypt() == "decrypted":
            out(f"The journal {store.path} is now plain text, as you asked.")
            say(f"Warning: anyone who can read {store.path} can now read your journal. Backups "
                "made while it was encrypted stay encrypted. Encrypt it again with "
                "`pumpjournal init --encrypt`.")
        else:
            out(f"pumpjournal no longer expects the journal {store.path} to be encrypted.")
            say("Warning: a plain journal at that path is now accepted without a word.")
        return
    if not encrypt:
        store = Journal(journal_path(ctx, journal), passphrase=passphrase,
                        require_encrypted=passphrase is not None)
        if store.create():
            out(f"Created the {'encrypted ' if store.encrypted else ''}journal {store.path}.")
        else:
            say(f"The journal {store.path} exists already; nothing was changed.")
        return
    store = Journal(journal_path(ctx, journal))
    if not passphrase:
        if not interactive():
            raise InputError("set PUMPJOURNAL_PASSPHRASE, or run at a terminal to be asked "
                             "for a passphrase.")
        passphrase = typer.prompt(f"New passphrase ({MIN_PASSPHRASE} characters or more)",
                                  hide_input=True,
                                  confirmation_prompt="Repeat it", err=True)
    store.encrypt(passphrase)
    out(f"The journal {store.path} is encrypted. Keep the passphrase safe: without it the "
        "journal cannot be read.")
    if store.backup_folder.exists():
        say(f"Backups made before encryption in {store.backup_folder} are not encrypted; "
            "delete them if that matters.")


def init_study(path: Path, encrypt: bool, decrypt: bool, passphrase: str | None,
               given_as_journal: bool) -> None:
    """`init --study DIR`, and `init` of a --journal that is a study already."""
    from .crypto import check_passphrase
    from .study import Study, is_study

    path = path.expanduser()
    if is_study(path):
        if given_as_journal and (encrypt or decrypt):
            raise InputError(f"{path} is a study folder; encrypting or decrypting a whole study "
                             "is not supported (make a new study with PUMPJOURNAL_PASSPHRASE "
                             "set, and import the old one's export into it).")
        Study(path)  # a damaged study file is said, never replaced
        say(f"The study {path} exists already; nothing was changed.")
        return
    if decrypt:
        raise InputError("--decrypt works on a journal, not with --study.")
    encrypted = encrypt or passphrase is not None
    if encrypted:
        if not passphrase:
            raise InputError("set PUMPJOURNAL_PASSPHRASE to make an encrypted study (every "
                             "participant's journal is encrypted with it).")
        check_passphrase(passphrase)
    if Study.create(path, encrypted):
        out(f"Created the {'encrypted ' if encrypted else ''}study {path}. A participant's "
            f"journal is made by the first change for them: pumpjournal --journal {path} log "
            f"--patient ID, or pumpjournal --journal {path} import FILE.")
    else:
        say(f"The study {path} exists already; nothing was changed.")


# Reminders ---------------------------------------------------------------------------------
# `pumpjournal remind` answers one question for scripts and shell prompts by its exit code: 0
# today is logged, 1 it is not, 2 pumpjournal cannot tell (or bad usage). It never asks for
# anything and never creates the journal. `remind install` writes the files that run it each
# day with --notify (or prints crontab lines); `remind uninstall` removes them. Neither runs
# systemctl nor changes a crontab: they print the command for the person to run.


QuietOpt = Annotated[bool, typer.Option(
    "--quiet", "-q", help="Print nothing: the exit code is the answer (for a shell prompt).")]
NotifyOpt = Annotated[bool, typer.Option(
    "--notify", help="When today is not logged, also show a desktop notification. It says "
    "only that it is time to log: no name, pain or symptoms.")]

remind_app = typer.Typer(cls=Group, invoke_without_command=True, no_args_is_help=False,
                         context_settings=HELP_OPTIONS)
app.add_typer(remind_app, name="remind")


@remind_app.callback(help=(
    "Say whether today is logged. Exit 0 when it is; 1 when it is not (or there is no journal "
    "yet), with the command that logs it; 2 when pumpjournal cannot tell: the journal cannot "
    "be read, or it is encrypted and PUMPJOURNAL_PASSPHRASE is not set. It never asks "
    "anything and never creates the journal, so scripts and shell prompts can use it.\n\n"
    "`remind install` runs `remind --notify` at set times each day." + examples(
        "pumpjournal remind", "pumpjournal remind --quiet || echo 'diary: not logged today'",
        "pumpjournal remind --json", "pumpjournal remind --notify",
        "pumpjournal remind install --at 09:00 --at 20:00", "pumpjournal remind uninstall")))
def remind(
    ctx: typer.Context,
    journal: JournalOpt = None,
    patient: PatientOpt = None,
    quiet: QuietOpt = False,
    as_json: Annotated[bool, typer.Option(
        "--json", help='Print {"date", "logged", "patient"} as JSON.')] = False,
    notify: NotifyOpt = False,
):
    if ctx.invoked_subcommand is not None:
        stray = [name for name, given in (("--quiet", quiet), ("--json", as_json),
                                          ("--notify", notify)) if given]
        if stray:
            what = "is an option" if len(stray) == 1 else "are options"
            raise InputError(f"{' and '.join(stray)} {what} of `pumpjournal remind` itself, "
                             f"not of `remind {ctx.invoked_subcommand}`.")
        return
    if quiet and as_json:
        raise InputError("give --quiet or --json, not both.")
    try:
        logged, who, today = remind_check(ctx, journal, patient, quiet, notify)
    except typer.Exit:
        raise
    except Exception as exc:  # a fault: "cannot tell" (2), never "not logged" (1)
        if debugging(ctx):
            raise
        if not quiet:
            say(f"Error: cannot tell whether today is logged: unexpected {type(exc).__name__} "
                "(a fault in pumpjournal, not in what you did); run it again with --debug "
                "to see where.")
        raise typer.Exit(2) from None
    if as_json:
        emit_json({"date": today.isoformat(), "logged": logged, "patient": who})
    elif not quiet:
        whose = f" for {who}" if patient else ""
        if logged:
            out(f"Today ({today.isoformat()}) is logged{whose}.")
        else:
            import shlex

            given = journal or (ctx.find_root().obj or {}).get("journal")
            command = "pumpjournal log" + (
                f" --journal {shlex.quote(str(given))}" if given else "") + (
                f" --patient {who}" if patient else "")
            out(f"Today ({today.isoformat()}) is not logged yet{whose}. Log it with: {command}")
    if not logged and notify:
        from . import remind as rm

        remind_notify(rm.TITLE, rm.BODY, quiet)
    raise typer.Exit(0 if logged else 1)


def remind_check(ctx, option: Path | None, patient: str | None, quiet: bool, notify: bool):
    """(logged, the person, today); exit 2 with one line when the journal cannot tell. The
    journal is opened as open_journal opens it, with its warnings, but never with a prompt."""
    from . import remind as rm
    from .files import reason

    passphrase = os.environ.get("PUMPJOURNAL_PASSPHRASE") or None
    try:
        store = journal_at(ctx, option, patient)  # in a study: the participant's journal
    except PumpjournalError as exc:
        if not quiet:
            say(f"Error: cannot tell whether today is logged: {exc}")
        raise typer.Exit(2) from None
    if not quiet:
        warn_open(store)
    today = dates.today()
    if passphrase is None and store.encrypted:
        remind_cannot_tell(f"the journal {store.path} is encrypted and PUMPJOURNAL_PASSPHRASE "
                           "is not set (remind never asks for the passphrase).", quiet,
                           (rm.TITLE, rm.ENCRYPTED_BODY) if notify else None)
    try:
        view = store.read()
        who = queries.choose_patient(view, patient)
    except InputError as exc:
        if not quiet:
            say(f"Error: {exc}")
        raise typer.Exit(2) from None
    except (JournalError, OSError) as exc:
        why = str(exc) if isinstance(exc, JournalError) else (
            f"the journal {store.path} cannot be read: {reason(exc)}.")
        remind_cannot_tell(why, quiet,
                           (rm.UNREADABLE_TITLE, rm.UNREADABLE_BODY) if notify else None)
    return view.entry(who, today) is not None, who, today


def remind_cannot_tell(why: str, quiet: bool, notification: tuple[str, str] | None) -> None:
    if not quiet:
        say(f"Error: cannot tell whether today is logged: {why}")
    if notification:
        remind_notify(*notification, quiet)
    raise typer.Exit(2)


def remind_notify(title: str, body: str, quiet: bool) -> None:
    from . import remind as rm

    why = rm.notify(title, body)
    if why and not quiet:
        say(f"No desktop notification was shown: {why}.")


@remind_app.command("install", help=(
    "Remind you each day at the times you choose, when today is not logged: a desktop "
    "notification that says only that it is time to log (no name, pain or symptoms).\n\n"
    "With systemd (Linux) it writes a user timer and service to ~/.config/systemd/user "
    "($XDG_CONFIG_HOME/systemd/user) and prints the one command that switches them on; it "
    "never runs systemctl itself. Run again, it updates its own files. Elsewhere (macOS), or "
    "with --print, it prints crontab lines to add with `crontab -e`; it never changes your "
    "crontab." + examples(
        "pumpjournal remind install", "pumpjournal remind install --at 09:00 --at 20:00",
        "pumpjournal remind install --print",
        "pumpjournal --journal ~/pain.json remind install --at 21:30")))
def remind_install(
    ctx: typer.Context,
    at: Annotated[Optional[list[str]], typer.Option(
        "--at", metavar="HH:MM", help="A time of day, 00:00 to 23:59 (repeatable; default "
        "20:00).")] = None,
    journal: JournalOpt = None,
    patient: PatientOpt = None,
    print_lines: Annotated[bool, typer.Option(
        "--print", help="Print crontab lines to add instead of writing systemd files.")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Replace files of the same names that pumpjournal did not "
        "write.")] = False,
):
    from . import remind as rm

    outer = ctx.parent.params if ctx.parent is not None else {}
    cron = print_lines or not rm.has_systemd()
    if cron:
        reads_only(ctx)
    times = rm.parse_times(at)
    patient = patient or outer.get("patient")
    patient = model.parse_patient(patient) if patient else None
    path = Path(os.path.abspath(journal_path(ctx, journal or outer.get("journal"))))
    args = rm.own_command(path, patient)
    if cron:
        lines = rm.crontab_lines(args, times)
    else:
        folder = rm.unit_folder()
        for file, updated in rm.install(folder, rm.unit_files(args, times), force):
            say(f"{'Updated' if updated else 'Wrote'} {file}")
    store = Journal(path)
    if not store.exists:
        say(f"Note: there is no journal at {path} yet; the reminder counts today as not "
            "logged until you log there.")
    elif store.encrypted:
        say("Note: the journal is encrypted, and the reminder does not know the passphrase, so "
            "it cannot see whether today is logged: it will remind you at each time.")
    if cron:
        say(f"Add these lines to your crontab to be reminded at {rm.time_text(times)} (open "
            "it with `crontab -e`, paste them, save); pumpjournal does not change your "
            "crontab itself:")
        out("\n".join(lines))
        if rm.system().startswith("linux"):
            say("On Linux, cron runs without your desktop session: the reminder's words go "
                "to cron's mail instead of a notification (a systemd timer can notify).")
        return
    say(f"The timer reminds you at {rm.time_text(times)} each day when today is not logged in "
        f"{path}. Switch it on (or apply a change) with:")
    out(rm.ENABLE)


@remind_app.command("uninstall", help=(
    "Remove the reminder files that `remind install` wrote, and only those. When the timer "
    "is switched on, it prints the command that switches it off, and removes nothing until "
    "that has run. For crontab lines it says which lines to delete." + examples(
        "pumpjournal remind uninstall")))
def remind_uninstall():
    from . import remind as rm

    folder = rm.unit_folder()
    mine, others = rm.installed(folder)
    for path in others:
        say(f"{path} was not written by pumpjournal; it was left as it is.")
    if mine and rm.switched_on(folder):
        out(rm.DISABLE)
        say("The reminder timer is switched on: switch it off first with the command above, "
            "then run `pumpjournal remind uninstall` again. Nothing was removed.")
        raise typer.Exit(1)
    for path in rm.uninstall(mine):
        say(f"Removed {path}")
    if not mine:
        say(f"Nothing to remove: pumpjournal's reminder files are not in {folder}.")
    if not mine or not rm.has_systemd():
        say("If you added pumpjournal's lines to your crontab, delete the lines that run "
            f"`{rm.CRON_COMMAND}` (open it with `crontab -e`).")


def asked_command(args: list[str]) -> str | None:
    """The command named on the command line, after the global options."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--journal", "-j"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def only(name: str | None, args: list[str]) -> None:
    """Typer turns every registered command into a Click command before it runs one; keep
    just the one asked for (none for the status screen, unless help is asked for). Unknown
    names keep all, for Click's message."""
    # perf: benchmarks/run.py "Typer command tree, pumpjournal (21 commands)" measured about
    # 7 ms against 0.1 ms for the 2-command floor app: the whole tree would cost every run.
    if name is None:
        if not {"--help", "-h"} & set(args):
            app.registered_commands, app.registered_groups = [], []
        return
    keep = [c for c in app.registered_commands
            if (c.name or c.callback.__name__.replace("_", "-")) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if keep or groups:
        app.registered_commands, app.registered_groups = keep, groups


def main() -> None:
    # A command is a short-lived process whose records hold no reference cycles: the cyclic
    # garbage collector's passes over a 100,000-entry journal would cost about a second.
    import gc

    gc.disable()
    only(asked_command(sys.argv[1:]), sys.argv[1:])
    app(prog_name="pumpjournal")


if __name__ == "__main__":
    main()
