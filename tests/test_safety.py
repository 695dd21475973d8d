"""It loses nothing and lets no one in: `doctor`, `backup`, backups before an import, the
warning for a journal others can read, encryption at rest, no network use, and fuzzing of every
option that takes a value (a person's mistake is exit 2 with the journal untouched, never a crash).

Damaged-file handling of ordinary commands, private modes of new files, full disks, locks and
crashes are in test_store.py, test_concurrency.py and test_crash.py.
"""

from __future__ import annotations

import json
import socket
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pumpjournal import Journal
from pumpjournal import dates as dates_module
from pumpjournal.crypto import MAGIC
from pjtest import child_env, doctor_found, iso, ok, refused, run_child, snapshot

PASSPHRASE = "correct horse battery"


def command_id(args: list[str]) -> str:
    return " ".join(args) or "status"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def ahead(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def fill(cli) -> None:
    """A small, sound journal: profile, events, entries with warning signs, a question."""
    ok(cli("profile", "--implant-date", iso(20), "--drug", "morphine", "--care-phone",
           "555-0142"))
    ok(cli("event", "add", "refill", "--date", iso(6), "--next-due", ahead(80)))
    ok(cli("log", "--pain", "4", "--worst", "6", "--least", "2", "--average", "3",
           "--symptom", "fever", "--temperature", "38.4", "--note", "hot", "--date", iso(2)))
    ok(cli("log", "--pain", "3", "--symptom", "nausea", "--date", iso(1)))
    ok(cli("log", "--pain", "2", "--question", "When is the next refill?"))


def put_json(journal: Path, data: dict) -> bytes:
    """Write the journal by hand, as a person with a text editor would (mode kept 0600)."""
    raw = json.dumps(data, indent=1).encode()
    journal.write_bytes(raw)
    journal.chmod(0o600)
    return raw


@pytest.fixture
def no_passphrase(monkeypatch):
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE", raising=False)


# doctor ---------------------------------------------------------------------------------------


def test_doctor_on_a_sound_journal(cli, journal, no_passphrase):
    fill(cli)
    before = snapshot(journal)
    result = ok(cli("doctor"))
    assert "The journal is sound." in result.stdout
    assert str(journal) in result.stdout
    assert "3 entries" in result.stdout and "not encrypted" in result.stdout
    assert result.stderr == ""
    assert snapshot(journal) == before


def _break_pain(data):
    doc = data["entries"]["1"]
    doc["readings"][0]["pain"] = 11
    return f"entry 1 ({doc['patient']}, {doc['date']})", ["pain", "11"]


def _break_symptom(data):
    doc = data["entries"]["2"]
    doc["readings"][0]["symptoms"] = ["frobnitz"]
    return f"entry 2 ({doc['patient']}, {doc['date']})", ["unknown symptom", "frobnitz"]


def _duplicate(data):
    entries = data["entries"]
    copy = dict(entries["2"], readings=[dict(entries["2"]["readings"][0], pain=9)])
    entries["7"] = copy
    return f"entry 7 ({copy['patient']}, {copy['date']})", ["second entry", "entry 2"]


def _future(data):
    doc = data["entries"]["3"]
    doc["date"] = ahead(30)
    return f"entry 3 ({doc['patient']}, {ahead(30)})", ["future"]


BROKEN = {"pain 11": _break_pain, "unknown symptom": _break_symptom,
          "same person and day twice": _duplicate, "future date": _future}


@pytest.mark.parametrize("case", list(BROKEN))
def test_doctor_names_an_invalid_entry_and_the_way_out(cli, journal, no_passphrase, case):
    fill(cli)
    data = json.loads(journal.read_bytes())
    where, words = BROKEN[case](data)
    raw = put_json(journal, data)
    result = cli("doctor")
    doctor_found(result)
    out = result.stdout
    assert "1 problem found:" in out, out
    (problem,) = [line for line in out.splitlines() if line.startswith("  - ")]
    assert where in problem, problem
    for word in words:
        assert word in problem, problem
    assert "The journal was not changed." in out
    assert str(journal.parent / "backups") in out
    assert "pumpjournal edit" in out and "pumpjournal delete" in out
    assert "The journal is sound." not in out
    assert journal.read_bytes() == raw


def test_doctor_lists_every_problem_at_once(cli, journal, no_passphrase):
    fill(cli)
    data = json.loads(journal.read_bytes())
    wheres = [BROKEN[case](data)[0] for case in ("same person and day twice", "pain 11",
                                                  "unknown symptom", "future date")]
    raw = put_json(journal, data)
    result = cli("doctor")
    doctor_found(result)
    out = result.stdout
    assert "4 problems found:" in out
    problems = [line for line in out.splitlines() if line.startswith("  - ")]
    assert len(problems) == 4
    for where in wheres:
        assert any(where in line for line in problems), where
    assert journal.read_bytes() == raw


def _date_format(data):
    doc = data["entries"]["1"]
    day = date.fromisoformat(doc["date"])
    doc["date"] = day.strftime("%d-%m-%Y")
    return f"entry 1 ({doc['patient']}, {doc['date']})", [doc["date"]]


def _pain_as_text(data):
    doc = data["entries"]["1"]
    doc["readings"][0]["pain"] = "4"
    return f"entry 1 ({doc['patient']}, {doc['date']})", ["pain"]


def _event_without_kind(data):
    del data["events"]["1"]["kind"]
    return "event 1", ["kind"]


def _event_date(data):
    data["events"]["1"]["date"] = "someday"
    return "event 1", ["someday"]


# (an entry without its person or date is in test_store.py)
HAND_EDITED = {"date as DD-MM-YYYY": _date_format,
               "pain as text": _pain_as_text, "event without a kind": _event_without_kind,
               "event date not a date": _event_date}


@pytest.mark.parametrize("case", list(HAND_EDITED))
def test_doctor_names_other_hand_edited_mistakes(cli, journal, no_passphrase, case):
    """Mistakes a person makes editing the file by hand are named, never an internal error."""
    fill(cli)
    data = json.loads(journal.read_bytes())
    where, words = HAND_EDITED[case](data)
    raw = put_json(journal, data)
    result = cli("doctor")
    doctor_found(result)
    problems = [line for line in result.stdout.splitlines() if line.startswith("  - ")]
    assert problems, result.output
    assert any(where in line and all(w in line for w in words) for line in problems), problems
    assert "The journal was not changed." in result.stdout
    assert journal.read_bytes() == raw


READERS = [["list"], [], ["summary"], ["flags"], ["export", "--format", "csv"], ["cohort"]]


@pytest.mark.parametrize("case", list(BROKEN) + list(HAND_EDITED))
def test_read_commands_on_a_hand_edited_journal_never_fail_as_a_bug(cli, journal,
                                                                    no_passphrase, case):
    """Each either works or says clearly that the journal cannot be read (exit 1, naming the
    file); never 'unexpected KeyError'. And nothing is written."""
    fill(cli)
    data = json.loads(journal.read_bytes())
    (BROKEN.get(case) or HAND_EDITED[case])(data)
    raw = put_json(journal, data)
    bugs = []
    for args in READERS:
        result = cli(*args)
        if result.exit_code != 0 and (result.exit_code != 1 or str(journal) not in result.stderr
                                      or "Error: unexpected" in result.stderr):
            bugs.append(f"{command_id(args)}: exit {result.exit_code}: {result.stderr.strip()}")
    assert bugs == [], "\n".join(bugs)
    assert journal.read_bytes() == raw


GOOD_META = {"1": {"app": "pumpjournal", "schema": 1}}
UNREADABLE = {
    "empty": (b"", ["empty"]),
    "not JSON": (b"2025-03-01 pain 4, walked to the mailbox\n", ["not valid JSON"]),
    "truncated": (b'{"meta": {"1": {"app": "pumpjournal", "sch', ["not valid JSON"]),
    "JSON list": (b'[{"date": "2025-03-01", "pain": 4}]', ["not a pumpjournal journal"]),
    "TinyDB default": (b'{"_default": {"1": {"pain": 4}}}', ["not a pumpjournal journal"]),
    "entries not objects": (json.dumps({"meta": GOOD_META, "entries": {"1": 4}}).encode(),
                            ["entries"]),
    "newer schema": (json.dumps({"meta": {"1": {"app": "pumpjournal", "schema": 7}},
                                 "entries": {}}).encode(), ["newer", "upgrade"]),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_doctor_on_an_unreadable_file(cli, journal, no_passphrase, case):
    raw, words = UNREADABLE[case]
    journal.parent.mkdir(mode=0o700, parents=True)
    journal.write_bytes(raw)
    journal.chmod(0o600)
    result = cli("doctor")
    doctor_found(result)
    out = result.stdout
    assert "1 problem found:" in out
    (problem,) = [line for line in out.splitlines() if line.startswith("  - ")]
    assert str(journal) in problem
    for word in words:
        assert word in problem, problem
    assert "not changed" in out and "backups" in out
    assert journal.read_bytes() == raw
    assert sorted(p.name for p in journal.parent.iterdir()) == ["journal.json"]


def test_doctor_without_a_journal(cli, journal, no_passphrase):
    result = cli("doctor")
    doctor_found(result)
    assert "there is no journal at" in result.stdout and str(journal) in result.stdout
    assert not journal.exists()


def test_doctor_counts_the_backup_copies(cli, journal, no_passphrase):
    fill(cli)
    ok(cli("backup"))
    out = ok(cli("doctor")).stdout
    assert "1 backup cop" in out and str(journal.parent / "backups") in out
    assert "The journal is sound." in out


# backup ---------------------------------------------------------------------------------------


def backups(journal: Path, kind: str = "*") -> list[Path]:
    return sorted((journal.parent / "backups").glob(f"{journal.stem}.*.{kind}.json"))


def written_path(result) -> Path:
    prefix = "Backup written: "
    (line,) = [line for line in result.stdout.splitlines() if line.startswith(prefix)]
    return Path(line[len(prefix):].strip())


def test_backup_writes_a_dated_private_copy(cli, journal, no_passphrase, open_umask):
    fill(cli)
    raw = journal.read_bytes()
    result = ok(cli("backup"))
    copy = written_path(result)
    assert copy.parent == journal.parent / "backups"
    assert copy.exists() and copy.read_bytes() == raw
    assert iso(0) in copy.name
    assert mode(copy) == 0o600
    assert mode(copy.parent) == 0o700
    assert backups(journal, "manual") == [copy]
    assert journal.read_bytes() == raw  # the journal itself is untouched


def test_a_backup_can_be_restored(cli, journal, no_passphrase):
    fill(cli)
    copy = written_path(ok(cli("backup")))
    ok(cli("delete", iso(1), "--yes"))
    journal.write_bytes(copy.read_bytes())
    assert iso(1) in [e["date"] for e in json.loads(ok(cli("list", "--json")).stdout)]


@pytest.fixture
def ticking_clock(monkeypatch):
    """Each timestamp one second after the last, as when backups are made days apart."""
    start = [0]

    def stamp():
        start[0] += 1
        minutes, seconds = divmod(start[0], 60)
        return f"2026-11-25T10:{minutes:02d}:{seconds:02d}+00:00"

    monkeypatch.setattr(dates_module, "now_stamp", stamp)


@pytest.fixture
def frozen_clock(monkeypatch):
    """Every timestamp the same second, as when a script makes several backups in a row."""
    monkeypatch.setattr(dates_module, "now_stamp", lambda: "2026-11-25T10:00:00+00:00")


def seven_backups(cli, journal) -> tuple[list[bytes], list[Path]]:
    states, reported = [], []
    for n in range(7):
        ok(cli("log", "--pain", str(n), "--note", f"state {n}"))
        states.append(journal.read_bytes())
        reported.append(written_path(ok(cli("backup"))))
    return states, reported


def test_only_the_last_five_backups_are_kept(cli, journal, no_passphrase, ticking_clock):
    states, reported = seven_backups(cli, journal)
    kept = backups(journal, "manual")
    assert len(kept) == 5
    assert sorted(p.read_bytes() for p in kept) == sorted(states[2:])
    assert reported[-1].exists()


def test_the_last_five_backups_are_kept_when_made_in_the_same_second(cli, journal,
                                                                     no_passphrase,
                                                                     frozen_clock):
    states, reported = seven_backups(cli, journal)
    kept = backups(journal, "manual")
    assert len(kept) == 5
    assert reported[-1].exists(), (
        f"`backup` said it wrote {reported[-1].name}, but that copy was deleted at once; kept: "
        f"{[p.name for p in kept]}")
    assert sorted(p.read_bytes() for p in kept) == sorted(states[2:]), (
        "the copies kept are not the five newest")


def test_backups_of_each_kind_are_kept_apart(cli, journal, tmp_path, no_passphrase,
                                             ticking_clock):
    ok(cli("log", "--pain", "3", "--date", iso(30)))
    for _ in range(6):
        ok(cli("backup"))
    for n in range(2):
        rows = tmp_path / f"rows{n}.csv"
        rows.write_text(f"patient,date,pain\nme,{iso(20 + n)},4\n")
        ok(cli("import", str(rows)))
    assert len(backups(journal, "manual")) == 5
    assert len(backups(journal, "import")) == 2


def test_an_import_keeps_a_backup_first(cli, journal, tmp_path, no_passphrase, open_umask):
    fill(cli)
    before = journal.read_bytes()
    rows = tmp_path / "diary.csv"
    rows.write_text(f"patient,date,pain,symptoms\nme,{iso(10)},5,\nme,{iso(9)},6,chills\n")
    ok(cli("import", str(rows)))
    (copy,) = backups(journal, "import")
    assert copy.read_bytes() == before
    assert mode(copy) == 0o600 and mode(copy.parent) == 0o700
    assert journal.read_bytes() != before


@pytest.mark.parametrize("args", [["--dry-run"], []], ids=["dry run", "refused rows"])
def test_an_import_that_writes_nothing_keeps_no_backup(cli, journal, tmp_path, no_passphrase,
                                                       args):
    fill(cli)
    before = journal.read_bytes()
    rows = tmp_path / "diary.csv"
    pain = "5" if args else "55"
    rows.write_text(f"patient,date,pain\nme,{iso(10)},{pain}\n")
    result = cli("import", str(rows), *args)
    assert result.exit_code == (0 if args else 2), result.output
    assert backups(journal) == []
    assert journal.read_bytes() == before


def test_backup_without_a_journal_is_refused(cli, journal, no_passphrase):
    line = refused(cli("backup"), 2)
    assert "no journal" in line
    assert not journal.parent.exists()


def test_backup_of_a_damaged_journal_is_refused_and_copies_nothing(cli, journal, no_passphrase):
    journal.parent.mkdir(mode=0o700, parents=True)
    journal.write_bytes(b"{not json")
    journal.chmod(0o600)
    line = refused(cli("backup"), 1)
    assert str(journal) in line
    assert not (journal.parent / "backups").exists()
    assert journal.read_bytes() == b"{not json"


# a journal others can read --------------------------------------------------------------------


@pytest.mark.parametrize("file_mode", [0o644, 0o640, 0o604], ids=oct)
@pytest.mark.parametrize("args", [["list"], ["log", "--pain", "4", "--date", "yesterday"], [],
                                  ["summary"], ["flags"]], ids=command_id)
def test_a_journal_others_can_read_is_a_one_line_warning(cli, journal, no_passphrase, args,
                                                          file_mode):
    fill(cli)
    journal.chmod(file_mode)
    result = ok(cli(*args))
    warnings = [line for line in result.stderr.splitlines() if "chmod 600" in line]
    assert len(warnings) == 1, result.stderr
    assert str(journal) in warnings[0]
    assert "chmod 600" not in result.stdout
    if args == ["list"]:
        assert iso(1) in result.stdout  # and it still does its work


def test_a_private_journal_gives_no_warning(cli, journal, no_passphrase):
    fill(cli)
    assert mode(journal) == 0o600
    assert "chmod" not in ok(cli("list")).stderr


def test_doctor_reports_a_journal_others_can_read(cli, journal, no_passphrase):
    fill(cli)
    journal.chmod(0o644)
    result = cli("doctor")
    doctor_found(result)
    assert f"chmod 600 {journal}" in result.stdout


# encryption at rest ---------------------------------------------------------------------------


@pytest.fixture
def encrypted(cli, journal, monkeypatch):
    """A journal made with `init --encrypt`, with an entry logged afterwards."""
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    result = ok(cli("init", "--encrypt"))
    assert "encrypted" in result.stdout
    ok(cli("log", "--pain", "4", "--symptom", "incision-redness", "--note", "secret-note-xyz",
           "--question", "Is the pink skin normal?", "--date", iso(1)))
    ok(cli("profile", "--name", "Robin Quayle-Secret", "--care-phone", "555-0142"))
    return journal


def test_init_encrypt_leaves_no_plaintext_on_disk(encrypted, cli, open_umask):
    raw = encrypted.read_bytes()
    assert raw.startswith(MAGIC)
    for secret in (b"secret-note-xyz", b"Is the pink skin", b"Robin", b"Quayle",
                   b"incision-redness", iso(1).encode(), b"555-0142", b'"pain"', b"patient",
                   b"logged_at"):
        assert secret not in raw, secret
    leftovers = [p for p in encrypted.parent.rglob("*")
                 if p.is_file() and b"secret-note-xyz" in p.read_bytes()]
    assert leftovers == []


def test_encrypted_journal_works_with_the_right_passphrase(encrypted, cli):
    out = ok(cli("list")).stdout
    assert "secret-note-xyz" in out and "[!] URGENT" in out
    assert "Robin Quayle-Secret" in ok(cli("profile")).stdout
    assert "encrypted." in ok(cli("doctor")).stdout
    entry = json.loads(ok(cli("show", iso(1), "--json")).stdout)
    assert entry["note"] == "secret-note-xyz"


def test_the_library_opens_an_encrypted_journal_with_the_passphrase(encrypted):
    (entry,) = Journal(encrypted, passphrase=PASSPHRASE).entries()
    assert entry.note == "secret-note-xyz"


@pytest.mark.parametrize("args", [["list"], ["log", "--pain", "9"], [], ["summary"],
                                  ["export", "--format", "csv"], ["doctor"], ["backup"],
                                  ["edit", "yesterday", "--pain", "1"]], ids=command_id)
def test_a_wrong_passphrase_is_a_clear_error_and_changes_nothing(encrypted, cli, monkeypatch,
                                                                 args):
    before = encrypted.read_bytes()
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", "not the passphrase")
    result = cli(*args)
    if args == ["doctor"]:
        assert "wrong passphrase" in doctor_found(result)
    else:
        line = refused(result, 1)
        assert "wrong passphrase" in line and str(encrypted) in line
    assert "secret-note-xyz" not in result.output
    assert encrypted.read_bytes() == before
    assert not (encrypted.parent / "backups").exists()


@pytest.mark.parametrize("args", [["list"], ["log", "--pain", "9"], []], ids=command_id)
def test_no_passphrase_and_no_terminal_names_the_variable(encrypted, cli, monkeypatch, args):
    before = encrypted.read_bytes()
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    line = refused(cli(*args), 1)
    assert "PUMPJOURNAL_PASSPHRASE" in line and "encrypted" in line
    assert encrypted.read_bytes() == before


def test_no_passphrase_in_a_real_process_does_not_wait_for_one(encrypted, monkeypatch):
    before = encrypted.read_bytes()
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    done = run_child(["list"], child_env(encrypted), timeout=30)  # stdin closed
    assert done.returncode == 1, done.stderr
    assert "PUMPJOURNAL_PASSPHRASE" in done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert encrypted.read_bytes() == before


def test_encrypting_an_encrypted_journal_is_refused(encrypted, cli):
    before = encrypted.read_bytes()
    line = refused(cli("init", "--encrypt"), 2)
    assert "encrypted already" in line
    assert encrypted.read_bytes() == before


@pytest.mark.parametrize("existing", [False, True], ids=["no journal", "plain journal"])
def test_a_new_passphrase_shorter_than_12_is_refused(cli, journal, monkeypatch, existing):
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE", raising=False)
    if existing:
        fill(cli)
    before = snapshot(journal)
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", "12345678901")
    line = refused(cli("init", "--encrypt"), 2)
    assert "12 characters" in line
    assert snapshot(journal) == before


def test_init_encrypt_without_a_passphrase_and_no_terminal_is_refused(cli, journal,
                                                                      no_passphrase):
    line = refused(cli("init", "--encrypt"), 2)
    assert "PUMPJOURNAL_PASSPHRASE" in line
    assert not journal.exists()


def test_init_encrypt_encrypts_an_existing_plain_journal(cli, journal, monkeypatch):
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE", raising=False)
    ok(cli("log", "--pain", "3", "--note", "secret-note-xyz"))
    assert b"secret-note-xyz" in journal.read_bytes()
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    ok(cli("init", "--encrypt"))
    assert b"secret-note-xyz" not in journal.read_bytes()
    assert "secret-note-xyz" in ok(cli("list")).stdout


def test_backups_of_an_encrypted_journal_stay_encrypted(encrypted, cli):
    copy = written_path(ok(cli("backup")))
    assert copy.read_bytes() == encrypted.read_bytes()
    assert b"secret-note-xyz" not in copy.read_bytes()


def _flip(raw: bytes, index: int) -> bytes:
    return raw[:index] + bytes([raw[index] ^ 0x01]) + raw[index + 1:]


def _tamper_cases(raw: bytes) -> dict[str, bytes]:
    header_end = raw.index(b"\n", len(MAGIC))
    body = header_end + 1
    nonce = raw.index(b'"nonce": "') + len(b'"nonce": "')
    salt = raw.index(b'"salt": "') + len(b'"salt": "')
    cipher = raw.index(b"AES-256-GCM")
    return {
        "first ciphertext byte": _flip(raw, body),
        "middle ciphertext byte": _flip(raw, (body + len(raw)) // 2),
        "last byte (the tag)": _flip(raw, len(raw) - 1),
        "nonce": raw[:nonce] + (b"B" if raw[nonce:nonce + 1] == b"A" else b"A")
        + raw[nonce + 1:],
        "salt": raw[:salt] + (b"B" if raw[salt:salt + 1] == b"A" else b"A") + raw[salt + 1:],
        "cipher name in the header": raw[:cipher] + b"AES-128-GCM" + raw[cipher + 11:],
        "magic line": _flip(raw, 3),
        "truncated": raw[:-20],
        "header only": raw[:body],
        "extra byte appended": raw + b"\x00",
    }


def test_a_tampered_byte_is_a_clear_error_never_garbled_data(encrypted, cli):
    original = encrypted.read_bytes()
    cases = _tamper_cases(original)
    for name, tampered in cases.items():
        assert tampered != original, name
        encrypted.write_bytes(tampered)
        for args in (["list"], ["log", "--pain", "9"], ["export", "--format", "jsonl"]):
            result = cli(*args)
            line = refused(result, 1)
            assert str(encrypted) in line, (name, line)
            assert any(word in line for word in ("changed", "damaged", "cannot be read",
                                                 "not read")), (name, line)
            assert "secret-note-xyz" not in result.output, name
            assert encrypted.read_bytes() == tampered, (name, args)
    encrypted.write_bytes(original)
    assert "secret-note-xyz" in ok(cli("list")).stdout


# no network -----------------------------------------------------------------------------------


@pytest.fixture
def network_attempts(monkeypatch):
    attempts: list[str] = []

    def refuse(name):
        def blocked(*args, **kwargs):
            attempts.append(name)
            raise OSError(f"pumpjournal tried to use the network ({name})")

        return blocked

    monkeypatch.setattr(socket.socket, "__init__", refuse("socket.socket()"))
    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket, "create_connection", refuse("socket.create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("socket.getaddrinfo"))
    return attempts


def test_no_command_opens_a_network_connection(cli, journal, tmp_path, monkeypatch,
                                               network_attempts):
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    rows = tmp_path / "rows.csv"
    rows.write_text(f"patient,date,pain,symptoms\nme,{iso(40)},5,fever\nme,{iso(39)},4,\n")
    other = tmp_path / "secret" / "journal.json"
    commands = [
        ["profile", "--implant-date", iso(50), "--drug", "baclofen", "--care-phone", "555-0142"],
        ["log", "--pain", "4", "--symptom", "fever", "--temperature", "38.5", "--note", "n"],
        ["log", "--pain", "3", "--date", "yesterday", "--question", "q?"],
        ["edit", "yesterday", "--pain", "2"],
        ["list"], ["list", "--json"], ["show", "today"], [],
        ["event", "add", "refill", "--date", iso(3), "--next-due", ahead(40)],
        ["event", "add", "mri", "--date", ahead(5)], ["event", "list"],
        ["ask", "Can the dose go up?"], ["flags"], ["flags", "--json"],
        ["summary"], ["summary", "--json"], ["cohort"], ["symptoms"],
        ["export", "--format", "csv", "--output", str(tmp_path / "out.csv")],
        ["export", "--format", "fhir", "--output", str(tmp_path / "out.fhir.json")],
        ["export", "--format", "jsonl"],
        ["import", str(rows)],
        ["demo"], ["doctor"], ["backup"],
        ["--journal", str(other), "init", "--encrypt"],
        ["--journal", str(other), "log", "--pain", "1"],
        ["--journal", str(other), "list"],
        ["delete", "yesterday", "--yes"],
    ]
    for args in commands:
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    assert network_attempts == []
    assert (tmp_path / "out.fhir.json").exists()


# fuzzing every option that takes a value --------------------------------------------------


SURPRISES = [
    "", " ", "0", "10", "11", "-1", "+3", "4.0", "4.5", "4,5", "1e1", "1e400", "nan", "inf",
    "-inf", "0x10", "٣", "３", "1_0", "1" * 5000, "9" * 50, "37.8", "38,2 C", "100.4F",
    "100.4 °F", "45", "46", "113F", "-40C", "°C", "C", "today", "yesterday", "tomorrow",
    "3 days ago", "2w", "99999 weeks", "99999 days ago", "99999 months", "99999 years",
    "0000-01-01", "0001-01-01", "1899-12-31", "1900-01-01", "9999-12-31", "2026-02-30",
    "2026-13-01", "last monday", "sunday", "fever", "Fever", "leg_numbness", "fever;chills",
    "fever,,;", ";", ",", "mouth", "not-sure", "NOT_SURE", "note", "symptoms", "pain",
    "\x00", "\x1b[31mred", "a\nb", "a\r\nb", "\t", "\u202eevil", "🙂", "x" * 6000,
    "--pain", "-", "=", "'", '"', "\\", "%s", "{}", "{0}", "null", "None", "true",
]

# The default run tries one or two values of each kind above (on half the options of a table,
# see short_half); -m slow tries them all on every option.
SHORT = ["", " ", "10", "11", "-1", "+3", "4.0", "4,5", "1e1", "nan", "0x10", "٣", "３", "1_0",
         "9" * 50, "38,2 C", "100.4F", "yesterday", "tomorrow", "99999 years", "0000-01-01",
         "2026-02-30", "fever", "fever;chills", ",", "\x00", "\x1b[31mred", "a\nb", "\u202eevil",
         "🙂", "x" * 6000, "--pain", "{0}", "null"]
assert set(SHORT) <= set(SURPRISES)
# tried on every option by default: the numbers a parser could wrongly take, and the text no
# option may take
EVERY_OPTION = ["", "1_0", "1e1", "٣", "３", "\x00", "\x1b[31mred", "\u202eevil"]
assert set(EVERY_OPTION) <= set(SHORT)


def short_half(option: str, options: list[str]) -> list[str]:
    """By default an option of a table takes EVERY_OPTION and every other short value, the
    options of the table in turn (so each value is tried on half of them)."""
    turn = options.index(option) % 2
    return [v for n, v in enumerate(SHORT) if n % 2 == turn or v in EVERY_OPTION]


@pytest.fixture(params=["short", pytest.param("all", marks=pytest.mark.slow)])
def surprises(request) -> list[str]:
    return SHORT if request.param == "short" else SURPRISES


VALUES = st.one_of(st.sampled_from(SURPRISES), st.text(max_size=40),
                   st.integers().map(str), st.floats().map(str),
                   st.from_regex(r"\A-?[0-9]{1,3}([.,][0-9]{0,3})?\s?(°?[CcFf])?\Z"),
                   st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}\Z"))


def baseline(cli, journal) -> bytes:
    """A journal with an entry for today and a week ago, a profile and an event."""
    ok(cli("profile", "--implant-date", iso(20), "--drug", "morphine"))
    ok(cli("event", "add", "visit", "--date", iso(10)))
    ok(cli("log", "--pain", "5", "--worst", "7", "--least", "2", "--average", "4",
           "--symptom", "nausea", "--note", "before"))
    ok(cli("log", "--pain", "3", "--date", iso(7)))
    return journal.read_bytes()


# What each option must do with a value, worked out here without pumpjournal's parsers:
# numbers are ASCII digits only (no sign, underscore, exponent, "٣" or "３"), in range, and
# stored as the number typed; free text is stored as typed (trimmed) unless it holds a
# character that could drive a terminal. Every option refuses a NUL, an escape sequence and a
# right-to-left override.
import re  # noqa: E402
import unicodedata  # noqa: E402
from decimal import Decimal  # noqa: E402

_ASCII_WHOLE = re.compile(r"[0-9]+(?:\.0+)?", re.ASCII)
_ASCII_DECIMAL = re.compile(r"[0-9]+(?:[.,][0-9]+)?", re.ASCII)
NUMBERS = {"--pain": (0, 10), "--worst": (0, 10), "--least": (0, 10), "--average": (0, 10),
           "--mood": (0, 10), "--boluses": (0, 100)}
TEXTS = {"--note": "note", "--question": "questions"}
ALWAYS_REFUSED = ["\x00", "\x1b[31mred", "\u202eevil"]


def expected(option: str | None, value: str):
    """None when the value must be refused; else the stored value it must give, or ANY
    when this table does not say (a date, a symptom, a temperature)."""
    text = value.strip()
    if any(bad in value for bad in ALWAYS_REFUSED):
        return None
    if option in NUMBERS:
        low, high = NUMBERS[option]
        if len(text) > 20 or not _ASCII_WHOLE.fullmatch(text):
            return None
        return int(Decimal(text)) if low <= int(Decimal(text)) <= high else None
    if option == "--sleep":
        if len(text) > 20 or not _ASCII_DECIMAL.fullmatch(text):
            return None
        hours = Decimal(text.replace(",", "."))
        return round(float(hours), 2) if 0 <= hours <= 24 else None
    if option in TEXTS:
        typed = value.replace("\r\n", "\n").strip()
        if len(typed) > (500 if option == "--question" else 5000) or any(
                unsafe(ch) for ch in typed):
            return None
        return ANY if not typed else typed
    return ANY


ANY = object()
DIRECTION = {"LEFT-TO-RIGHT MARK", "RIGHT-TO-LEFT MARK", "ARABIC LETTER MARK",
             "LEFT-TO-RIGHT EMBEDDING", "RIGHT-TO-LEFT EMBEDDING", "POP DIRECTIONAL FORMATTING",
             "LEFT-TO-RIGHT OVERRIDE", "RIGHT-TO-LEFT OVERRIDE", "LEFT-TO-RIGHT ISOLATE",
             "RIGHT-TO-LEFT ISOLATE", "FIRST STRONG ISOLATE", "POP DIRECTIONAL ISOLATE"}


def unsafe(ch: str) -> bool:
    """A control character (not tab or newline), a line or paragraph separator, a lone
    surrogate or a text-direction control: text that could drive a terminal."""
    return (unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") and ch not in "\t\n") \
        or unicodedata.name(ch, "") in DIRECTION


def stored(journal: Path, option: str):
    entry = Journal(journal).read().entry("me", date.today())
    if option == "--question":
        return entry.questions[-1] if entry.questions else None
    return getattr(entry, option.lstrip("-").replace("-", "_"))


def check_outcome(result, journal: Path, before: bytes, args: list[str],
                  option: str | None = None, value: str | None = None) -> None:
    where = f"{args!r:.300}"
    assert result.exit_code in (0, 2), (where, result.exit_code, result.output[-2000:])
    assert "Traceback" not in result.output, where
    assert "Error: unexpected" not in result.output, (where, result.output[-2000:])
    want = ANY if value is None else expected(option, value)
    if result.exit_code == 2:
        assert journal.read_bytes() == before, f"{where}: refused, but the journal changed"
        assert "Error" in result.stderr or "Usage" in result.output, where
        # a number in range may still be refused when it contradicts another score
        assert want is None or want is ANY or option in ("--worst", "--least", "--average"), \
            f"{where}: refused, but it is a value this option accepts"
        return
    assert want is not None, f"{where}: accepted, but this option must refuse it"
    Journal(journal).read()  # what was stored can be read back
    if want is not ANY:
        assert stored(journal, option) == want, (where, stored(journal, option))


def fuzz(cli, journal, surprises, make_args, option: str | None = None) -> None:
    """Run the command for every surprising value, then for random ones; each run starts from
    the same journal. ``option`` names the option the value goes to, for the expected outcome
    (None: only "refused and unchanged, or accepted and readable")."""
    before = baseline(cli, journal)

    def attempt(value: str) -> None:
        journal.write_bytes(before)
        args = make_args(value)
        check_outcome(cli(*args), journal, before, args, option, value)

    for value in surprises:
        attempt(value)

    # a few random draws by default, the profile's full count with every surprise
    draws = settings.default.max_examples if surprises is SURPRISES else 3

    @settings(max_examples=draws)
    @given(value=VALUES)
    def random_values(value):
        attempt(value)

    random_values()


LOG_OPTIONS = ["--pain", "--worst", "--least", "--average", "--symptom", "--temperature",
               "--temperature-site", "--boluses", "--sleep", "--mood", "--note", "--question",
               "--date"]


@pytest.mark.parametrize("option", LOG_OPTIONS)
def test_fuzz_log_options(cli, journal, no_passphrase, surprises, option):
    if surprises is SHORT:
        surprises = short_half(option, LOG_OPTIONS)
    pain = [] if option == "--pain" else ["--pain", "4"]
    fuzz(cli, journal, surprises, lambda value: ["log", *pain, f"{option}={value}"], option)


EDIT_OPTIONS = [o for o in LOG_OPTIONS if o != "--date"] + ["--remove-symptom", "--clear"]


@pytest.mark.parametrize("option", EDIT_OPTIONS)
def test_fuzz_edit_options(cli, journal, no_passphrase, surprises, option):
    """`edit` shares its options and their parsing with `log`: by default each edit option
    takes the other half of the short values from its `log` option's (short_half)."""
    if surprises is SHORT:
        surprises = short_half(option, [None] + EDIT_OPTIONS)
    fuzz(cli, journal, surprises, lambda value: ["edit", "today", f"{option}={value}"], option)


def test_fuzz_edit_day(cli, journal, no_passphrase, surprises):
    fuzz(cli, journal, surprises, lambda value: ["edit", "--note", "changed", "--", value])


def test_fuzz_profile_fever_threshold(cli, journal, no_passphrase, surprises):
    fuzz(cli, journal, surprises, lambda value: ["profile", f"--fever-threshold={value}",
                                      "--set-by", "Dr Ames"])


@pytest.mark.parametrize("kind", ["visit", "implant", "refill"])
def test_fuzz_event_add_date(cli, journal, no_passphrase, surprises, kind):
    fuzz(cli, journal, surprises, lambda value: ["event", "add", kind, f"--date={value}"])


# A stored profile the checks would refuse (a hand-edited or older file) ------------------------

HAND_EDITED_PROFILES = [  # values of the right kind that the profile checks refuse
    {"fever_threshold_c": 45.0, "fever_threshold_set_by": "Dr Ames"},
    {"fever_threshold_c": 37.8},
    {"low_threshold_c": 38.5},
    {"implant_date": "2999-01-01"},
    {"trial_start": "2099-01-01"},  # (a date not written YYYY-MM-DD is refused on load,
    #                                  and so is baseline_symptoms that is not a list)
    {"baseline_symptoms": ["not-a-symptom"]},
    {"baseline_symptoms": ["seizure"]},
    {"care_phone": "call me"},
    {"name": "x" * 300},
]


def test_a_stored_profile_with_text_for_a_list_is_a_journal_that_cannot_be_read(cli, journal):
    """A value of the wrong kind is refused on load (the store's check), not by the profile
    checks: the journal is left as it is and the message names the field."""
    ok(cli("log", "--pain", "3", "--date", "yesterday"))
    data = json.loads(journal.read_bytes())  # a hand edit: the library refuses to write it
    data["profile"]["1"] = {"patient": "me", "baseline_symptoms": "fever"}
    journal.write_text(json.dumps(data))
    before = snapshot(journal)
    result = cli("log", "--pain", "4")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "baseline_symptoms that is not a list of symptom ids" in result.stderr
    assert snapshot(journal) == before


@pytest.mark.parametrize("facts", HAND_EDITED_PROFILES, ids=lambda f: ",".join(f))
def test_a_bad_stored_profile_never_stops_a_log_and_doctor_names_it(cli, journal, facts,
                                                                   no_passphrase):
    from pumpjournal import Journal

    with Journal(journal).transaction() as tx:  # past set_profile's checks, as a file can be
        tx.profile_table.insert({"patient": "me", "name": "Secret Name", **facts})
    result = cli("log", "--pain", "4", "--temperature", "38.6", "--symptom", "fever")
    assert result.exit_code == 0, result.output
    assert "Logged" in result.stdout and "Traceback" not in result.output
    assert [e.pain for e in Journal(journal).read().entries("me")] == [4]
    found = cli("doctor")
    assert found.exit_code == 1, found.stdout
    field = next(k for k in facts if k != "fever_threshold_set_by")
    assert f"--clear {field}" in found.stdout
    assert "Secret Name" not in found.stdout and "high" not in found.stdout
