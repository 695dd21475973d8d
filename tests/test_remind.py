"""`pumpjournal remind`: whether today is logged (exit 0, 1, or 2 when it cannot tell), the
desktop notification that never carries health data, and `remind install` / `uninstall`, which
write (or print) what runs it each day and never run systemctl or change a crontab.

No test depends on this machine having systemctl, notify-send or osascript: fake ones in a
folder of the test's own, put first (or alone) on PATH, write down how they were called.
XDG_CONFIG_HOME is the test's own (conftest.own_home), so the systemd user folder is too.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from pumpjournal import crypto
from pumpjournal import remind as rm
from pjtest import ENV, Child, child_env, ok, pumpjournal, refused

PASSPHRASE = "correct horse battery"
TODAY = date.today().isoformat()
# what a diary day can hold that must never reach a notification
SECRETS = ("marmalade-secret", "Rosalind", "fever", "leg-numbness")
NOTIFIED = ["--app-name=pumpjournal", rm.TITLE, rm.BODY]


@pytest.fixture
def fake_bin(tmp_path, monkeypatch) -> Path:
    """A folder that is all of PATH: fake notify-send, osascript and systemctl in it record
    their arguments (each call: the arguments NUL-separated, then END)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("notify-send", "osascript", "systemctl"):
        fake(folder, name)
    monkeypatch.setenv("PATH", str(folder))
    return folder


def fake(folder: Path, name: str, body: str = "") -> Path:
    script = folder / name
    record = folder / f"{name}.calls"
    script.write_text(f"#!/bin/sh\nprintf '%s\\0' \"$@\" >> '{record}'\n"
                      f"printf 'END\\n' >> '{record}'\n{body}")
    script.chmod(0o755)
    return script


def calls(folder: Path, name: str) -> list[list[str]]:
    record = folder / f"{name}.calls"
    if not record.exists():
        return []
    return [call.split("\0")[:-1] for call in record.read_text().split("END\n")[:-1]]


@pytest.fixture
def desktop(monkeypatch, fake_bin):
    """A Linux desktop session: notify-send can reach it."""
    monkeypatch.setattr(rm, "system", lambda: "linux")
    for var in rm.SESSION:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    return fake_bin


@pytest.fixture
def units(own_home) -> Path:
    """The systemd user folder (XDG_CONFIG_HOME is the test's own)."""
    return own_home / ".config" / "systemd" / "user"


@pytest.fixture
def linux(monkeypatch, fake_bin):
    """Linux with systemctl on the PATH (a fake that records any call)."""
    monkeypatch.setattr(rm, "system", lambda: "linux")
    return fake_bin


def exec_args(service: str) -> list[str]:
    """The arguments systemd runs for ExecStart=: words split on spaces, "double quotes" with
    \\-escapes inside, then %% and $$ as one % and $."""
    line = next(x for x in service.splitlines() if x.startswith("ExecStart="))[10:]
    args, i = [], 0
    while i < len(line):
        if line[i] == " ":
            i += 1
            continue
        word = ""
        if line[i] == '"':
            i += 1
            while line[i] != '"':
                if line[i] == "\\":
                    i += 1
                word += line[i]
                i += 1
            i += 1
        else:
            while i < len(line) and line[i] != " ":
                word += line[i]
                i += 1
        args.append(word.replace("%%", "%").replace("$$", "$"))
    return args


def cron_args(line: str) -> list[str]:
    """The arguments sh runs for a crontab line (after cron turns \\% back into %)."""
    fields = line.split(" ", 5)
    assert fields[2:5] == ["*", "*", "*"], line
    return shlex.split(fields[5].replace("\\%", "%"))


def own_command(journal: Path) -> list[str]:
    return [os.path.abspath(sys.executable), "-m", "pumpjournal", "remind", "--notify",
            "--journal", str(journal)]


def no_traceback(result) -> None:
    assert "Traceback" not in result.output and "unexpected" not in result.output


# Is today logged? --------------------------------------------------------------------------


def test_today_logged_is_exit_0(cli):
    ok(cli("log", "--pain", "3"))
    result = cli("remind")
    assert result.exit_code == 0
    assert result.stdout == f"Today ({TODAY}) is logged.\n"
    assert result.stderr == ""


def test_today_not_logged_is_exit_1_with_the_command_that_logs_it(cli):
    ok(cli("log", "--pain", "3", "--date", "yesterday"))
    result = cli("remind")
    assert result.exit_code == 1
    assert result.stdout == f"Today ({TODAY}) is not logged yet. Log it with: pumpjournal log\n"
    no_traceback(result)


@pytest.mark.parametrize("where", ["remind", "root"])
def test_the_log_command_names_a_journal_given_by_option(cli, tmp_path, where):
    other = tmp_path / "my diary.json"
    args = ["remind", "--journal", str(other)] if where == "remind" else [
        "--journal", str(other), "remind"]
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stdout.rstrip().endswith(
        f"Log it with: pumpjournal log --journal {shlex.quote(str(other))}")
    # and that command logs today where remind looks
    ok(cli("log", "--pain", "2", "--journal", str(other)))
    assert cli(*args).exit_code == 0


def test_a_missing_journal_is_not_logged_and_is_not_created(cli, journal):
    assert not journal.parent.exists()
    for args in (["remind"], ["remind", "--json"], ["remind", "--quiet"]):
        assert cli(*args).exit_code == 1
    assert not journal.exists() and not journal.parent.exists()


def test_logged_for_another_day_or_another_person_is_not_today(cli):
    ok(cli("log", "--pain", "3", "--date", "yesterday", "--patient", "p1"))
    ok(cli("log", "--pain", "3", "--patient", "p2"))
    assert cli("remind", "--patient", "p2").exit_code == 0
    result = cli("remind", "--patient", "p1")
    assert result.exit_code == 1
    assert result.stdout.rstrip().endswith("Log it with: pumpjournal log --patient p1")
    assert f"Today ({TODAY}) is not logged yet for p1." in result.stdout
    # two people and no --patient: bad usage, not an answer
    line = refused(cli("remind"))
    assert "--patient" in line


DAMAGED = {
    "not JSON": b"{\"meta\": {",
    "empty": b"",
    "JSON, not a journal": b"{\"hello\": \"world\"}",
    "encrypted, cut short": crypto.MAGIC + b"{\"kdf\"",
}


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_journal_cannot_tell_exit_2(cli, journal, content):
    journal.parent.mkdir()
    journal.write_bytes(content)
    journal.chmod(0o600)
    result = cli("remind")
    line = refused(result, 2, journal, content)
    assert line.startswith("Error: cannot tell whether today is logged: ")
    assert str(journal) in line


def test_a_folder_where_the_journal_should_be_cannot_tell(cli, journal):
    journal.mkdir(parents=True)
    line = refused(cli("remind"), 2)
    assert line.startswith("Error: cannot tell whether today is logged: ") and "folder" in line


@pytest.fixture
def encrypted(cli, journal, monkeypatch):
    """An encrypted journal holding today's entry; PUMPJOURNAL_PASSPHRASE unset after."""
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    ok(cli("init", "--encrypt"))
    ok(cli("log", "--pain", "3"))
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    assert journal.read_bytes().startswith(crypto.MAGIC)
    return journal


def test_encrypted_without_the_passphrase_cannot_tell(cli, encrypted):
    line = refused(cli("remind"), 2)
    assert line == (f"Error: cannot tell whether today is logged: the journal {encrypted} is "
                    "encrypted and PUMPJOURNAL_PASSPHRASE is not set (remind never asks for "
                    "the passphrase).")


def test_encrypted_with_the_passphrase_answers(cli, encrypted, monkeypatch):
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    assert cli("remind").stdout == f"Today ({TODAY}) is logged.\n"
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", "not the passphrase at all")
    line = refused(cli("remind"), 2)
    assert line.startswith("Error: cannot tell whether today is logged: wrong passphrase")


def test_at_a_terminal_it_never_asks_for_the_passphrase(encrypted):
    """A shell prompt runs it at a terminal: it answers at once, never waits for a key."""
    master, slave = os.openpty()
    env = child_env(encrypted)
    env.pop("PUMPJOURNAL_PASSPHRASE", None)
    child = Child(pumpjournal(["remind"]), env, tty=slave)
    os.close(slave)
    try:
        code = child.wait(timeout=20)
    finally:
        child.kill()
        child.wait()
    shown = b""
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        shown += data
    os.close(master)
    assert code == 2
    assert b"cannot tell" in shown and b"Passphrase" not in shown


def test_quiet_prints_nothing_and_answers_by_exit_code(cli, journal):
    assert (cli("remind", "-q").exit_code, cli("remind", "-q").output) == (1, "")
    ok(cli("log", "--pain", "3"))
    result = cli("remind", "--quiet")
    assert (result.exit_code, result.output) == (0, "")
    journal.write_bytes(b"damaged")
    result = cli("remind", "--quiet")
    assert (result.exit_code, result.output) == (2, "")


def test_json_answers_on_stdout_only(cli):
    result = cli("remind", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"date": TODAY, "logged": False, "patient": "me"}
    ok(cli("log", "--pain", "3", "--patient", "p7"))
    result = cli("remind", "--json")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout) == {"date": TODAY, "logged": True, "patient": "p7"}


@pytest.mark.parametrize("args", [["remind", "--quiet", "--json"],
                                  ["remind", "--notify", "install"],
                                  ["remind", "--json", "uninstall"]])
def test_options_that_do_not_fit_together_are_bad_usage(cli, args, units):
    line = refused(cli(*args), 2)
    assert "--quiet or --json, not both" in line or "of `pumpjournal remind` itself" in line
    assert not units.exists()


# Notifications -----------------------------------------------------------------------------


@pytest.fixture
def yesterday_with_secrets(cli):
    """A journal whose person has a name and logged yesterday a note and warning signs, and
    nothing today."""
    ok(cli("profile", "--name", "Rosalind"))
    ok(cli("log", "--pain", "8", "--symptom", "fever", "--symptom", "leg-numbness",
           "--temperature", "38.6", "--note", "marmalade-secret", "--date", "yesterday"))


def test_notify_sends_fixed_words_without_health_data(cli, desktop, yesterday_with_secrets):
    result = cli("remind", "--notify")
    assert result.exit_code == 1
    assert "is not logged yet" in result.stdout and result.stderr == ""
    sent = calls(desktop, "notify-send")
    assert sent == [NOTIFIED]
    words = " ".join(sent[0])
    assert not any(secret.lower() in words.lower() for secret in SECRETS)
    assert not any(ch.isdigit() for ch in words)  # no pain score, temperature or date


def test_notify_stays_quiet_when_today_is_logged(cli, desktop):
    ok(cli("log", "--pain", "3"))
    assert cli("remind", "--notify").exit_code == 0
    assert calls(desktop, "notify-send") == []


def test_notify_without_a_desktop_session_says_so_on_stderr(cli, desktop, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS")
    result = cli("remind", "--notify")
    assert result.exit_code == 1
    assert result.stderr == ("No desktop notification was shown: there is no desktop session "
                             "here (DISPLAY, WAYLAND_DISPLAY and DBUS_SESSION_BUS_ADDRESS are "
                             "not set).\n")
    assert calls(desktop, "notify-send") == []
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")  # any one of them is a session
    assert cli("remind", "--notify").stderr == ""
    assert calls(desktop, "notify-send") == [NOTIFIED]


def test_notify_when_the_notifier_fails_or_is_missing(cli, desktop):
    fake(desktop, "notify-send", "echo 'cannot reach the bus' >&2\nexit 3\n")
    result = cli("remind", "--notify")
    assert result.exit_code == 1
    assert result.stderr == ("No desktop notification was shown: notify-send failed (exit 3): "
                             "cannot reach the bus.\n")
    (desktop / "notify-send").unlink()
    result = cli("remind", "--notify")
    assert result.exit_code == 1
    assert "No desktop notification was shown: notify-send was not found" in result.stderr
    assert cli("remind", "--notify", "--quiet").output == ""


def test_notify_on_macos_uses_osascript_without_health_data(cli, fake_bin, monkeypatch,
                                                             yesterday_with_secrets):
    monkeypatch.setattr(rm, "system", lambda: "darwin")
    for var in rm.SESSION:
        monkeypatch.delenv(var, raising=False)
    assert cli("remind", "--notify").exit_code == 1
    assert calls(fake_bin, "notify-send") == []
    [[flag, script]] = calls(fake_bin, "osascript")
    assert flag == "-e"
    assert script == (f'display notification "{rm.BODY}" with title "{rm.TITLE}"')
    assert not any(secret.lower() in script.lower() for secret in SECRETS)


def test_notify_on_an_encrypted_journal_reminds_without_reading_it(cli, desktop, encrypted):
    result = cli("remind", "--notify")
    assert result.exit_code == 2
    assert "encrypted" in result.stderr
    assert calls(desktop, "notify-send") == [[NOTIFIED[0], rm.TITLE, rm.ENCRYPTED_BODY]]


def test_notify_on_a_damaged_journal_says_to_check_it(cli, desktop, journal):
    journal.parent.mkdir()
    journal.write_bytes(b"{")
    journal.chmod(0o600)
    assert cli("remind", "--notify").exit_code == 2
    assert calls(desktop, "notify-send") == [[NOTIFIED[0], rm.UNREADABLE_TITLE,
                                              rm.UNREADABLE_BODY]]


# install -----------------------------------------------------------------------------------


def test_install_writes_a_timer_and_prints_the_one_command(cli, linux, units, journal):
    result = cli("remind", "install", "--at", "20:00", "--at", "09:00", "--at", "9:00")
    assert result.exit_code == 0, result.output
    assert result.stdout == rm.ENABLE + "\n"
    assert f"Wrote {units / rm.SERVICE}\n" in result.stderr
    assert f"Wrote {units / rm.TIMER}\n" in result.stderr
    assert "09:00 and 20:00" in result.stderr
    timer = (units / rm.TIMER).read_text()
    assert [x for x in timer.splitlines() if x.startswith("OnCalendar=")] == [
        "OnCalendar=*-*-* 09:00:00", "OnCalendar=*-*-* 20:00:00"]
    assert "Persistent=false" in timer and "WantedBy=timers.target" in timer
    service = (units / rm.SERVICE).read_text()
    assert exec_args(service) == own_command(journal)
    for path in (units / rm.SERVICE, units / rm.TIMER):
        assert path.read_text().startswith(rm.MARKER)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert calls(linux, "systemctl") == []  # never run: the person runs the printed command
    assert not journal.exists()


def test_install_defaults_to_20_00_and_an_absolute_journal_path(cli, linux, units, tmp_path,
                                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    ok(cli("remind", "install", "--journal", "diary.json"))
    assert "OnCalendar=*-*-* 20:00:00\n" in (units / rm.TIMER).read_text()
    assert exec_args((units / rm.SERVICE).read_text()) == own_command(tmp_path / "diary.json")


def test_install_again_updates_its_own_files(cli, linux, units):
    ok(cli("remind", "install", "--at", "07:30"))
    result = ok(cli("remind", "install", "--at", "21:45"))
    assert f"Updated {units / rm.SERVICE}\n" in result.stderr
    assert f"Updated {units / rm.TIMER}\n" in result.stderr
    timer = (units / rm.TIMER).read_text()
    assert "21:45:00" in timer and "07:30" not in timer
    assert result.stdout == rm.ENABLE + "\n"


def test_install_refuses_a_file_it_did_not_write_unless_forced(cli, linux, units):
    units.mkdir(parents=True)
    theirs = b"[Timer]\nOnCalendar=daily\n"
    (units / rm.TIMER).write_bytes(theirs)
    line = refused(cli("remind", "install"), 2)
    assert line == (f"Error: {units / rm.TIMER} exists and was not written by pumpjournal; use "
                    "--force to replace it. Nothing was written.")
    assert (units / rm.TIMER).read_bytes() == theirs
    assert not (units / rm.SERVICE).exists()  # checked before anything was written
    result = ok(cli("remind", "install", "--force"))
    assert f"Updated {units / rm.TIMER}" in result.stderr
    assert (units / rm.TIMER).read_text().startswith(rm.MARKER)


@pytest.mark.parametrize("bad", ["25:00", "12:60", "9", "noon", "09:00:00", "-1:00", ""])
def test_install_refuses_a_time_that_is_not_hh_mm(cli, linux, units, bad):
    line = refused(cli("remind", "install", "--at", "08:00", "--at", bad), 2)
    assert "is not a time of day; give HH:MM from 00:00 to 23:59" in line
    assert line.endswith("Nothing was written.")
    assert not units.exists()


PATHS = ["with space/diary.json", "dollar $HOME/diary.json", "percent %h 100%/diary.json",
         'quote "q"/diary.json', "apostrophe it's/diary.json", "back\\slash/diary.json",
         "ünïcode/dïary.json"]


@pytest.mark.parametrize("name", PATHS)
def test_the_installed_command_names_the_journal_exactly(cli, linux, units, tmp_path, name):
    path = tmp_path / name
    ok(cli("remind", "install", "--journal", str(path)))
    assert exec_args((units / rm.SERVICE).read_text()) == own_command(path)
    [line] = ok(cli("remind", "install", "--print", "--journal", str(path))).stdout.splitlines()
    assert cron_args(line) == own_command(path)


@pytest.mark.parametrize("name", ["line\nbreak.json", "escape\x1b[31m.json", "bidi\u202e.json"])
def test_a_journal_path_a_timer_cannot_hold_is_refused(cli, linux, units, tmp_path, name):
    line = refused(cli("remind", "install", "--journal", str(tmp_path / name)), 2)
    assert "a timer or crontab line cannot hold it" in line
    assert not units.exists()


def test_install_print_gives_crontab_lines_and_writes_nothing(cli, linux, units, journal):
    result = ok(cli("remind", "install", "--print", "--at", "21:05", "--at", "08:00"))
    command = " ".join(shlex.quote(a) for a in own_command(journal))
    assert result.stdout == f"0 8 * * * {command}\n5 21 * * * {command}\n"
    assert "crontab -e" in result.stderr
    assert "Nothing was written" not in result.output
    assert not units.exists() and calls(linux, "systemctl") == []


@pytest.mark.parametrize("where", ["no systemctl", "macOS"])
def test_without_systemd_install_prints_crontab_lines(cli, fake_bin, units, monkeypatch,
                                                      where, journal):
    if where == "no systemctl":
        monkeypatch.setattr(rm, "system", lambda: "linux")
        (fake_bin / "systemctl").unlink()
    else:
        monkeypatch.setattr(rm, "system", lambda: "darwin")  # a systemctl on PATH is not used
    result = ok(cli("remind", "install", "--at", "09:00"))
    assert [cron_args(x) for x in result.stdout.splitlines()] == [own_command(journal)]
    assert result.stdout.startswith("0 9 * * * ")
    assert "crontab -e" in result.stderr
    assert not units.exists()


def test_install_notes_a_journal_it_cannot_check(cli, linux, encrypted):
    result = ok(cli("remind", "install"))
    assert "the journal is encrypted" in result.stderr
    assert "it will remind you at each time" in result.stderr


# uninstall ---------------------------------------------------------------------------------


def test_uninstall_removes_only_its_own_files(cli, linux, units):
    ok(cli("remind", "install"))
    mine = units / rm.SERVICE
    other = units / "backup.timer"
    other.write_text("[Timer]\nOnCalendar=daily\n")
    result = ok(cli("remind", "uninstall"))
    assert f"Removed {mine}\n" in result.stderr and f"Removed {units / rm.TIMER}\n" in result.stderr
    assert not mine.exists() and not (units / rm.TIMER).exists()
    assert other.read_text() == "[Timer]\nOnCalendar=daily\n"
    assert calls(linux, "systemctl") == []


def test_uninstall_leaves_a_file_of_the_same_name_it_did_not_write(cli, linux, units):
    ok(cli("remind", "install"))
    (units / rm.TIMER).write_text("[Timer]\nOnCalendar=weekly\n")  # someone else's now
    result = ok(cli("remind", "uninstall"))
    assert not (units / rm.SERVICE).exists()
    assert (units / rm.TIMER).read_text() == "[Timer]\nOnCalendar=weekly\n"
    assert f"{units / rm.TIMER} was not written by pumpjournal; it was left as it is." in \
        result.stderr


def test_uninstall_with_nothing_there(cli, linux, units):
    result = ok(cli("remind", "uninstall"))
    assert result.stdout == ""
    assert "Nothing to remove" in result.stderr
    assert rm.CRON_COMMAND in result.stderr and "crontab -e" in result.stderr


def test_uninstall_of_a_switched_on_timer_prints_the_command_that_stops_it(cli, linux, units):
    ok(cli("remind", "install"))
    wants = units / "timers.target.wants"
    wants.mkdir()
    (wants / rm.TIMER).symlink_to(units / rm.TIMER)  # what `systemctl --user enable` makes
    result = cli("remind", "uninstall")
    assert result.exit_code == 1
    assert result.stdout == rm.DISABLE + "\n"
    assert "Nothing was removed." in result.stderr
    assert (units / rm.SERVICE).exists() and (units / rm.TIMER).exists()
    (wants / rm.TIMER).unlink()  # the person ran it
    ok(cli("remind", "uninstall"))
    assert not (units / rm.SERVICE).exists() and not (units / rm.TIMER).exists()
    assert calls(linux, "systemctl") == []


def test_every_remind_command_has_help_with_examples(cli):
    for args in (["remind"], ["remind", "install"], ["remind", "uninstall"]):
        result = ok(cli(*args, "--help"))
        assert "Examples" in result.stdout and "$ pumpjournal remind" in result.stdout


# A real installation, end to end -----------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the systemd route is Linux's")
def test_the_installed_timer_command_reminds_a_real_process(journal, fake_bin, units, cli):
    """`python -m pumpjournal remind install` writes the unit; the command in its ExecStart=,
    run as systemd would run it, notifies while today is not logged, and not after."""
    env = child_env(journal, PATH=str(fake_bin), **ENV)
    for var in rm.SESSION:
        env.pop(var, None)
    env.pop("PUMPJOURNAL_PASSPHRASE", None)
    done = subprocess.run([sys.executable, "-m", "pumpjournal", "remind", "install", "--at",
                           "08:15"], env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert (done.returncode, done.stdout) == (0, rm.ENABLE + "\n"), done.stderr
    args = exec_args((units / rm.SERVICE).read_text())
    assert Path(args[0]).is_absolute() and args[-1] == str(journal)

    ok(cli("profile", "--name", "Rosalind"))
    ok(cli("log", "--pain", "8", "--symptom", "fever", "--note", "marmalade-secret",
           "--date", "yesterday"))
    session = {**env, "PUMPJOURNAL_PATH": "/nonexistent/other.json",  # the unit names its own
               "DBUS_SESSION_BUS_ADDRESS": "unix:path=/nonexistent/bus"}
    run = subprocess.run(args, env=session, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=60)
    assert run.returncode == 1, run.stderr
    assert calls(fake_bin, "notify-send") == [NOTIFIED]

    ok(cli("log", "--pain", "2"))
    run = subprocess.run(args, env=session, capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, timeout=60)
    assert (run.returncode, run.stdout) == (0, f"Today ({TODAY}) is logged.\n")
    assert len(calls(fake_bin, "notify-send")) == 1
    assert calls(fake_bin, "systemctl") == []


@pytest.mark.parametrize("thing", ["folder", "link"])
def test_install_never_replaces_a_folder_or_link_even_forced(cli, linux, units, tmp_path,
                                                             thing):
    units.mkdir(parents=True)
    target = units / rm.TIMER
    if thing == "folder":
        target.mkdir()
    else:
        (tmp_path / "elsewhere.timer").write_text(rm.MARKER + "\n")
        target.symlink_to(tmp_path / "elsewhere.timer")
    line = refused(cli("remind", "install", "--force"), 2)
    assert "not a regular file" in line and line.endswith("Nothing was written.")
    assert not (units / rm.SERVICE).exists()
    assert (tmp_path / "elsewhere.timer").exists() if thing == "link" else target.is_dir()


def test_install_where_the_config_folder_cannot_be(cli, linux, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "a-file"))
    line = refused(cli("remind", "install"), 2)
    assert "a part of the path is not a folder" in line and line.endswith("Nothing was written.")
    assert "Nothing to remove" in ok(cli("remind", "uninstall")).stderr
