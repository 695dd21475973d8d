"""Encryption that cannot be undone in silence, and a header that cannot make a command hang.

pumpjournal remembers which journals are encrypted (a record in the config folder, private to
each test through conftest's ``private_home``): a plain file at such a path is refused, a
missing one is made encrypted or refused. The key-derivation settings in the header are checked
against the ones pumpjournal writes before any key is derived.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from pumpjournal import Journal, JournalCorrupt, crypto, remembered
from pumpjournal.model import new_entry
from pjtest import (CHEAP_KDF_CHILD, ENV, Child, iso, ok, pairs, pumpjournal, refused, run_child,
                    snapshot)

PASSPHRASE = "correct horse battery"


@pytest.fixture
def encrypted(cli, journal, monkeypatch):
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE", raising=False)
    ok(cli("log", "--pain", "3", "--note", "secret-note-xyz", "--date", iso(1)))
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    ok(cli("init", "--encrypt"))
    assert journal.read_bytes().startswith(crypto.MAGIC)
    return journal


def plain_journal(path: Path) -> bytes:
    """A sound plain journal, as someone else might make and swap in."""
    other = path.parent / "planted.json"
    with Journal(other).transaction() as tx:
        tx.save_entry(new_entry("me", date.fromisoformat(iso(0)), {"pain": 1, "note": "planted"},
                                "2026-01-01T00:00:00+00:00"))
    raw = other.read_bytes()
    other.unlink()
    return raw


def record(home: Path) -> dict:
    return json.loads((home / ".config" / "pumpjournal" / remembered.NAME).read_text())


COMMANDS = [["list"], ["log", "--pain", "7", "--note", "new secret"], [], ["summary"],
            ["show", iso(0)], ["export", "--format", "csv"], ["backup"], ["flags"],
            ["edit", iso(0), "--pain", "2"], ["profile", "--name", "Sam"], ["event", "list"],
            ["ask", "a question?"], ["report", "--format", "md", "--output", "-"],
            ["import", "-", "--format", "csv"]]


def _id(args):
    return " ".join(args) or "status"


# the record --------------------------------------------------------------------------------


def test_init_encrypt_remembers_the_journal_privately(encrypted, private_home):
    folder = private_home / ".config" / "pumpjournal"
    assert record(private_home)["encrypted"] == [os.path.realpath(encrypted)]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / remembered.NAME).stat().st_mode) == 0o600


def test_pumpjournal_config_dir_is_honoured(cli, journal, monkeypatch, tmp_path, private_home):
    monkeypatch.setenv("PUMPJOURNAL_CONFIG_DIR", str(tmp_path / "conf"))
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    ok(cli("init", "--encrypt"))
    assert json.loads((tmp_path / "conf" / remembered.NAME).read_text())["encrypted"] == [
        os.path.realpath(journal)]
    assert not (private_home / ".config" / "pumpjournal").exists()


@pytest.mark.parametrize("args, passphrase", pairs(
    COMMANDS, [True, False], 1, (_id, lambda p: "passphrase set" if p else "no passphrase")))
def test_a_plain_file_swapped_in_for_an_encrypted_journal_is_refused(
        encrypted, cli, monkeypatch, args, passphrase):
    planted = plain_journal(encrypted)
    encrypted.write_bytes(planted)
    if not passphrase:
        monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    result = cli(*args, input="date,pain\n2026-01-02,3\n")
    line = refused(result, 1)
    assert "was encrypted" in line and "plain text" in line
    assert "init --decrypt" in line and "backups" in line and "init --encrypt" in line
    assert "planted" not in result.output
    assert encrypted.read_bytes() == planted


def test_doctor_reports_the_swapped_plain_file(encrypted, cli):
    encrypted.write_bytes(plain_journal(encrypted))
    result = cli("doctor")
    assert result.exit_code == 1
    assert "was encrypted" in result.stdout and "init --decrypt" in result.stdout


def test_the_library_refuses_the_swapped_plain_file_too(encrypted):
    encrypted.write_bytes(plain_journal(encrypted))
    with pytest.raises(Exception, match="was encrypted"):
        Journal(encrypted).read()


def test_a_symlinked_journal_shares_its_record_with_its_target(cli, journal, tmp_path,
                                                               monkeypatch):
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    ok(cli("init", "--encrypt"))
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    link = tmp_path / "link.json"
    link.symlink_to(journal)
    assert remembered.is_encrypted(journal) and remembered.is_encrypted(link)
    journal.write_bytes(plain_journal(journal))
    for path in (journal, link):
        line = refused(cli("--journal", str(path), "list"), 1)
        assert "was encrypted" in line


@pytest.mark.parametrize("passphrase", [True, False], ids=["passphrase set", "no passphrase"])
def test_a_symlink_to_a_plain_file_swapped_in_for_an_encrypted_journal_is_refused(
        encrypted, cli, monkeypatch, tmp_path, passphrase):
    """The record names the path as given too, so a link put there leads nowhere plain."""
    planted = tmp_path / "elsewhere" / "plain.json"
    planted.parent.mkdir()
    planted.write_bytes(plain_journal(encrypted))
    planted.chmod(0o600)
    before = planted.read_bytes()
    encrypted.unlink()
    encrypted.symlink_to(planted)
    if not passphrase:
        monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    line = refused(cli("log", "--pain", "7", "--note", "new secret"), 1)
    assert "was encrypted" in line
    assert planted.read_bytes() == before


def test_a_link_first_used_after_encryption_is_remembered_too(encrypted, cli, monkeypatch,
                                                              tmp_path):
    """Daily use through a link records the link's path; a plain file swapped in behind the
    link later is refused, with or without the passphrase."""
    link = tmp_path / "link.json"
    link.symlink_to(encrypted)
    ok(cli("--journal", str(link), "log", "--pain", "5"))
    planted = tmp_path / "plain.json"
    planted.write_bytes(plain_journal(encrypted))
    planted.chmod(0o600)
    before = planted.read_bytes()
    link.unlink()
    link.symlink_to(planted)
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    line = refused(cli("--journal", str(link), "log", "--pain", "7", "--note", "new secret"), 1)
    assert "was encrypted" in line and "this path is a link" in line
    assert planted.read_bytes() == before


def test_a_missing_encrypted_journal_is_made_encrypted_again(encrypted, cli):
    encrypted.unlink()
    ok(cli("log", "--pain", "5", "--note", "after the loss"))
    assert encrypted.read_bytes().startswith(crypto.MAGIC)
    assert b"after the loss" not in encrypted.read_bytes()
    assert "after the loss" in ok(cli("list")).stdout


@pytest.mark.parametrize("args", [["log", "--pain", "5"], ["init"], ["profile", "--name", "x"],
                                  ["import", "-", "--format", "csv"]], ids=_id)
def test_a_missing_encrypted_journal_without_a_passphrase_is_not_made_plain(
        encrypted, cli, monkeypatch, args):
    encrypted.unlink()
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    line = refused(cli(*args, input="date,pain\n2026-01-02,3\n"), 1)
    assert "was encrypted" in line and "PUMPJOURNAL_PASSPHRASE" in line
    assert "init --decrypt" in line
    assert not encrypted.exists()


def test_an_encrypted_journal_made_before_the_record_is_remembered_when_opened(
        encrypted, cli, private_home):
    (private_home / ".config" / "pumpjournal" / remembered.NAME).unlink()
    ok(cli("list"))
    assert record(private_home)["encrypted"] == [os.path.realpath(encrypted)]


def test_a_damaged_record_is_a_clear_error(encrypted, cli, private_home, monkeypatch):
    (private_home / ".config" / "pumpjournal" / remembered.NAME).write_text("{not json")
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    other = encrypted.parent / "other.json"
    line = refused(cli("--journal", str(other), "log", "--pain", "3"), 1)
    assert "record of encrypted journals" in line and "damaged" in line
    assert not other.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_pipe_planted_as_the_record_is_refused_at_once(encrypted, cli, private_home,
                                                        monkeypatch):
    """The record is read like the journal: a FIFO there would hang every command."""
    path = private_home / ".config" / "pumpjournal" / remembered.NAME
    path.unlink()
    os.mkfifo(path)
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    other = encrypted.parent / "other.json"
    line = refused(cli("--journal", str(other), "log", "--pain", "3"), 1)
    assert "record of encrypted journals" in line and "not a regular file" in line
    assert "move it away" in line and not other.exists()


# the passphrase set: plain journals are refused --------------------------------------------


@pytest.mark.parametrize("args", COMMANDS, ids=_id)
def test_with_the_passphrase_set_a_plain_journal_is_refused(cli, journal, monkeypatch, args):
    ok(cli("log", "--pain", "3", "--note", "plain"))
    before = journal.read_bytes()
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    line = refused(cli(*args, input="date,pain\n2026-01-02,3\n"), 1)
    assert "not encrypted" in line and "PUMPJOURNAL_PASSPHRASE" in line
    assert "init --encrypt" in line
    assert journal.read_bytes() == before


def test_with_the_passphrase_set_init_encrypt_and_demo_still_work(cli, journal, monkeypatch):
    ok(cli("log", "--pain", "3", "--note", "plain-note"))
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    assert "fictional patient" in ok(cli("demo")).stdout
    ok(cli("init", "--encrypt"))
    assert b"plain-note" not in journal.read_bytes()
    assert "plain-note" in ok(cli("list")).stdout


def test_with_the_passphrase_set_a_new_journal_is_made_encrypted(cli, journal, monkeypatch,
                                                                 private_home):
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", PASSPHRASE)
    ok(cli("log", "--pain", "3", "--note", "first-note"))
    assert journal.read_bytes().startswith(crypto.MAGIC)
    assert record(private_home)["encrypted"] == [os.path.realpath(journal)]
    other = journal.parent / "other.json"
    assert "encrypted journal" in ok(cli("--journal", str(other), "init")).stdout
    assert other.read_bytes().startswith(crypto.MAGIC)


@pytest.mark.parametrize("args", [["log", "--pain", "3"], ["init"], ["profile", "--name", "x"]],
                         ids=_id)
def test_a_new_journal_refused_for_its_short_passphrase_leaves_no_folder_or_lock(
        cli, tmp_path, monkeypatch, args):
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", "short")
    folder = tmp_path / "new-folder"
    line = refused(cli("--journal", str(folder / "j.json"), *args), 2)
    assert "at least 12 characters" in line and "Nothing was changed" in line
    assert not folder.exists()


# turning encryption off on purpose ---------------------------------------------------------


def test_init_decrypt_writes_plain_text_and_forgets_the_record(encrypted, cli, monkeypatch,
                                                               private_home):
    result = ok(cli("init", "--decrypt"))
    assert "plain text" in result.stdout
    assert "Warning:" in result.stderr and "anyone who can read" in result.stderr
    assert b"secret-note-xyz" in encrypted.read_bytes()
    assert record(private_home)["encrypted"] == []
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    assert "secret-note-xyz" in ok(cli("list")).stdout


def test_init_decrypt_forgets_every_path_used_for_the_journal(encrypted, cli, monkeypatch,
                                                               tmp_path, private_home):
    link = tmp_path / "link.json"
    link.symlink_to(encrypted)
    ok(cli("--journal", str(link), "list"))  # the link's path is recorded on its first use
    ok(cli("init", "--decrypt"))
    assert record(private_home)["encrypted"] == []
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    assert "secret-note-xyz" in ok(cli("--journal", str(link), "list")).stdout


def test_init_decrypt_needs_the_passphrase(encrypted, cli, monkeypatch):
    before = encrypted.read_bytes()
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", "not the passphrase")
    assert "wrong passphrase" in refused(cli("init", "--decrypt"), 1)
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    assert "PUMPJOURNAL_PASSPHRASE" in refused(cli("init", "--decrypt"), 1)
    assert encrypted.read_bytes() == before


def test_init_decrypt_accepts_a_plain_file_put_there_on_purpose(encrypted, cli, monkeypatch):
    planted = plain_journal(encrypted)
    encrypted.write_bytes(planted)
    monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    result = ok(cli("init", "--decrypt"))
    assert "no longer expects" in result.stdout and "Warning:" in result.stderr
    assert encrypted.read_bytes() == planted
    assert "planted" in ok(cli("list")).stdout


def test_init_decrypt_of_a_plain_journal_is_refused(cli, journal):
    ok(cli("log", "--pain", "3"))
    before = journal.read_bytes()
    assert "not encrypted" in refused(cli("init", "--decrypt"), 2)
    assert journal.read_bytes() == before


# the header's key-derivation settings --------------------------------------------------------


def _with_header(raw: bytes, change) -> bytes:
    line, body = raw[len(crypto.MAGIC):].split(b"\n", 1)
    header = json.loads(line)
    change(header)
    return crypto.MAGIC + json.dumps(header).encode() + b"\n" + body


def _scrypt(**values):
    return lambda header: header["scrypt"].update(values)


HEADERS = {
    "p=100000": _scrypt(p=100000), "p=4096": _scrypt(p=4096), "n=2^20": _scrypt(n=2**20),
    "n=2^22": _scrypt(n=2**22), "r=2^20": _scrypt(r=2**20), "n=2^64": _scrypt(n=2**64),
    "n=-1": _scrypt(n=-1), "n as text": _scrypt(n="131072"), "n=2^17.0": _scrypt(n=2.0**17),
    "p=true": _scrypt(p=True), "an extra setting": _scrypt(maxmem=2**40),
    "no settings": lambda h: h.pop("scrypt"), "settings a list": lambda h: h.update(scrypt=[1]),
    "another kdf": lambda h: h.update(kdf="pbkdf2"),
    "nested settings": lambda h: h.update(scrypt={"n": {"n": 1}}),
    "salt of 1 byte": lambda h: h.update(salt=base64.b64encode(b"x").decode()),
    "nonce not base64": lambda h: h.update(nonce="!!!"),
}


@pytest.mark.parametrize("case", list(HEADERS))
def test_a_changed_header_is_a_clear_error_before_any_key_is_derived(encrypted, cli,
                                                                     monkeypatch, case):
    tampered = _with_header(encrypted.read_bytes(), HEADERS[case])
    encrypted.write_bytes(tampered)
    derived = []
    monkeypatch.setattr(crypto, "_key", lambda *args: derived.append(args) or b"0" * 32)
    for args in (["list"], ["log", "--pain", "9"]):
        line = refused(cli(*args), 1)
        assert "damaged" in line and str(encrypted) in line
    result = cli("doctor")
    assert result.exit_code == 1 and "damaged" in result.stdout
    assert derived == []
    assert encrypted.read_bytes() == tampered


@pytest.mark.parametrize("header", [b"[" * 100000 + b"]" * 100000, b"{" * 5000, b"x" * 5000,
                                    b'{"kdf": "scrypt"' + b" " * 100000 + b"}"],
                         ids=["100,000 deep", "unclosed", "5,000 bytes", "100 KB of spaces"])
def test_a_huge_or_deep_header_is_a_clear_error(encrypted, cli, header):
    encrypted.write_bytes(crypto.MAGIC + header + b"\nbody")
    line = refused(cli("list"), 1)
    assert "damaged" in line


@pytest.mark.parametrize("size,passphrase", [
    (1, False), (10, False), (len(crypto.MAGIC) - 1, False), (1, True),
    (len(crypto.MAGIC) - 1, True), (len(crypto.MAGIC), True), (60, True)])
def test_an_encrypted_journal_cut_short_is_reported_damaged(encrypted, cli, monkeypatch, size,
                                                             passphrase):
    """Cut anywhere in its first lines, even inside the first, it is an encrypted journal that
    is damaged: not 'not JSON', not 'replaced by plain text'. (Cut in the body, the cipher
    cannot tell a cut from a wrong passphrase: its message says both.)"""
    cut = encrypted.read_bytes()[:size]
    encrypted.write_bytes(cut)
    if not passphrase:
        monkeypatch.delenv("PUMPJOURNAL_PASSPHRASE")
    for args in (["list"], ["log", "--pain", "9"]):
        line = refused(cli(*args), 1)
        assert "encrypted journal" in line and "damaged" in line, line
        assert "plain text" not in line and "JSON" not in line
    assert encrypted.read_bytes() == cut


@given(st.dictionaries(st.sampled_from(["n", "r", "p", "x"]),
                       st.one_of(st.integers(), st.floats(), st.booleans(), st.text(max_size=3),
                                 st.none()), max_size=4))
def test_settings_other_than_the_written_ones_never_reach_scrypt(params):
    if params in crypto.WRITTEN:
        return
    salt, nonce = base64.b64encode(b"s" * 16).decode(), base64.b64encode(b"n" * 12).decode()
    header = {"cipher": "AES-256-GCM", "kdf": "scrypt", "scrypt": params, "salt": salt,
              "nonce": nonce}
    raw = crypto.MAGIC + json.dumps(header).encode() + b"\n" + b"\0" * 40
    with pytest.raises(JournalCorrupt, match="not ones pumpjournal writes"):
        crypto.decrypt(raw, PASSPHRASE, "j.json")


# the cost: settings, upgrades, one derivation per command ------------------------------------


@pytest.mark.real_kdf
def test_new_journals_use_owasps_scrypt_minimum(encrypted):
    line = encrypted.read_bytes()[len(crypto.MAGIC):].split(b"\n", 1)[0]
    params = json.loads(line)["scrypt"]
    assert params["n"] >= 2**17 and params["r"] >= 8 and params["p"] >= 1
    assert crypto.OLDER == ({"n": 2**15, "r": 8, "p": 1},)  # still read, then upgraded


def _older_journal(path: Path, passphrase: str, monkeypatch) -> None:
    """A journal as pumpjournal wrote it before (crypto.OLDER: n=2^15 in the product), with an
    8-character passphrase."""
    with Journal(path).transaction() as tx:
        tx.add_question("me", date.fromisoformat(iso(1)), "an older question")
    plain = path.read_bytes()
    with monkeypatch.context() as m:
        m.setattr(crypto, "SCRYPT", crypto.OLDER[0])
        path.write_bytes(crypto.encrypt(plain, passphrase))


def _n(path: Path) -> int:
    return json.loads(path.read_bytes()[len(crypto.MAGIC):].split(b"\n", 1)[0])["scrypt"]["n"]


def test_an_older_journal_opens_and_is_upgraded_on_its_next_write(cli, journal, monkeypatch):
    journal.parent.mkdir(parents=True)
    _older_journal(journal, "eight-ch", monkeypatch)
    assert _n(journal) == crypto.OLDER[0]["n"]
    monkeypatch.setenv("PUMPJOURNAL_PASSPHRASE", "eight-ch")
    ok(cli("list"))
    assert _n(journal) == crypto.OLDER[0]["n"]  # reading changes nothing
    ok(cli("log", "--pain", "4", "--note", "after the upgrade"))
    assert _n(journal) == crypto.SCRYPT["n"]
    crypto._keys.clear()
    assert "after the upgrade" in ok(cli("list")).stdout


from cryptography.hazmat.primitives.kdf.scrypt import Scrypt as _Scrypt  # noqa: E402


class _Counting:
    calls = 0

    def __init__(self, **kwargs):
        self.inner = _Scrypt(**kwargs)

    def derive(self, data):
        _Counting.calls += 1
        return self.inner.derive(data)


@pytest.mark.parametrize("args", [["log", "--pain", "6", "--symptom", "fever"], ["list"],
                                  ["edit", iso(1), "--pain", "2"], ["backup"], []], ids=_id)
def test_the_key_is_derived_once_per_command(encrypted, cli, monkeypatch, args):
    import cryptography.hazmat.primitives.kdf.scrypt as module

    monkeypatch.setattr(module, "Scrypt", _Counting)
    _Counting.calls = 0
    crypto._keys.clear()
    ok(cli(*args))
    assert _Counting.calls == 1


def test_a_read_of_an_encrypted_journal_leaves_it_byte_for_byte(encrypted, cli):
    before = snapshot(encrypted)
    for args in (["list"], ["summary"], ["export", "--format", "json"], ["doctor"]):
        ok(cli(*args))
    assert snapshot(encrypted) == before


def test_a_passphrase_with_bytes_that_are_not_utf8_works(journal, tmp_path, private_home):
    """A Latin-1 terminal's passphrase reaches pumpjournal as bytes; it encrypts and opens."""
    import subprocess
    import sys

    env = {**ENV, "PATH": "/usr/bin:/bin", "HOME": str(private_home),
           "XDG_CONFIG_HOME": str(private_home / ".config")}
    env_b = {k.encode(): v.encode() for k, v in env.items()}
    env_b[b"PUMPJOURNAL_PASSPHRASE"] = b"caf\xe9 au lait, sans sucre"
    env_b[b"PUMPJOURNAL_PATH"] = str(journal).encode()
    # the first command in a fresh Python (which decodes the environment at its start), the
    # others in processes forked from the test run with the same bytes in their environment
    done = subprocess.run([sys.executable, "-c", CHEAP_KDF_CHILD, "init", "--encrypt"],
                          env=env_b, capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr
    for args in (["log", "--pain", "3"], ["list"]):
        done = run_child(args, env_b, text=False)
        assert done.returncode == 0, done.stderr
    assert journal.read_bytes().startswith(crypto.MAGIC)


@pytest.mark.real_kdf
def test_too_little_memory_for_the_key_is_a_clear_error(encrypted, cli, monkeypatch):
    import cryptography.hazmat.primitives.kdf.scrypt as module

    class Starved:
        def __init__(self, **kwargs):
            pass

        def derive(self, data):
            raise MemoryError("Not enough memory to derive key.")

    monkeypatch.setattr(module, "Scrypt", Starved)
    crypto._keys.clear()
    before = encrypted.read_bytes()
    line = refused(cli("list"), 1)
    assert "not enough memory" in line and "128 MiB" in line
    assert encrypted.read_bytes() == before


def test_journals_encrypted_at_the_same_time_are_all_remembered(tmp_path, private_home):
    """The record is changed under a lock: processes that encrypt at once lose no entry."""
    import subprocess

    env = {**os.environ, **ENV, "PUMPJOURNAL_PASSPHRASE": PASSPHRASE}
    paths = [tmp_path / f"j{n}.json" for n in range(3)]
    children = [Child(pumpjournal(["--journal", str(p), "init", "--encrypt"]), env,
                      stderr=subprocess.PIPE) for p in paths]  # forked: the test's cheap KDF
    for child in children:
        assert child.wait(timeout=120) == 0, child.stderr.read()
    assert sorted(record(private_home)["encrypted"]) == sorted(os.path.realpath(p)
                                                               for p in paths)
