"""Optional encryption at rest: AES-256-GCM with a key from the passphrase by scrypt.

File layout: a magic line, one line of JSON header (KDF parameters, salt, nonce), then the
ciphertext with its authentication tag; the header is authenticated too. A wrong passphrase or
any change to the file fails authentication: it is reported, never read as garbage. The header's
key-derivation settings are checked against the ones pumpjournal writes before a key is
derived, so a changed header cannot make a command hang or run out of memory.
"""

from __future__ import annotations

import base64
import json
import os

from .errors import InputError, JournalCorrupt, JournalError
from .escape import shorten

MAGIC = b"PUMPJOURNAL-ENCRYPTED-1\n"
# OWASP's password-storage minimum for scrypt: 128 MiB and about 0.5 s per key derivation
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
OLDER = ({"n": 2**15, "r": 8, "p": 1},)  # written before; read, and upgraded on the next write
WRITTEN = (SCRYPT, *OLDER)  # the only settings a journal is opened with
MIN_PASSPHRASE = 12
_HEADER_MAX = 1024  # bytes; the header pumpjournal writes is about 200
_keys: dict[tuple[str, bytes, str], bytes] = {}


def is_encrypted(raw: bytes) -> bool:
    """An encrypted journal, or one cut short inside its first line (then reported damaged)."""
    return raw.startswith(MAGIC) or (0 < len(raw) < len(MAGIC) and MAGIC.startswith(raw))


def check_passphrase(passphrase: str) -> None:
    """A passphrase for a new encrypted journal (older journals keep opening with theirs)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise InputError(f"the passphrase must be at least {MIN_PASSPHRASE} characters long "
                         "(a few words are easier to remember than symbols).")


def _key(passphrase: str, salt: bytes, params: dict) -> bytes:
    """The key, derived once per passphrase, salt and settings in a process."""
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    cache = (passphrase, salt, json.dumps(params, sort_keys=True))
    if cache not in _keys:
        # bytes that were not UTF-8 (a Latin-1 terminal) count as the bytes typed
        secret = passphrase.encode("utf-8", "surrogateescape")
        try:
            _keys[cache] = Scrypt(salt=salt, length=32, **params).derive(secret)
        except MemoryError:
            need = 128 * params["r"] * params["n"] // 2**20
            raise JournalError(f"there is not enough memory to derive the journal's key "
                               f"(scrypt needs about {need} MiB); the journal was not "
                               "read.") from None
    return _keys[cache]


def _damaged(path, why: str) -> JournalCorrupt:
    return JournalCorrupt(f"the encrypted journal {path} is damaged ({why}). It was left "
                          "untouched; restore a backup.")


def _bytes(value, size: int, what: str, path) -> bytes:
    try:
        decoded = base64.b64decode(value, validate=True) if isinstance(value, str) else b""
    except ValueError:
        decoded = b""
    if len(decoded) != size:
        raise _damaged(path, f"its {what} is not valid")
    return decoded


def _header(raw: bytes, path) -> tuple[dict, bytes, bytes, bytes, bytes]:
    """(settings, header line, body, salt, nonce), checked against what pumpjournal writes
    before any key is derived: a changed header is an error, never a long or huge derivation."""
    line, newline, _ = raw[len(MAGIC):len(MAGIC) + _HEADER_MAX + 1].partition(b"\n")
    if not newline:
        raise _damaged(path, "its header cannot be read")
    body = raw[len(MAGIC) + len(line) + 1:]
    try:
        header = json.loads(line)
    except (ValueError, RecursionError):
        raise _damaged(path, "its header cannot be read") from None
    if not isinstance(header, dict) or header.get("cipher") != "AES-256-GCM" or \
            header.get("kdf") != "scrypt":
        raise _damaged(path, "its header names a cipher pumpjournal does not use")
    params = header.get("scrypt")
    if not (isinstance(params, dict) and all(type(v) is int for v in params.values())
            and params in WRITTEN):
        shown = ", ".join(f"{shorten(k, 8)}={shorten(v, 24)}" for k, v in params.items()) \
            if isinstance(params, dict) else shorten(params, 24)
        raise _damaged(path, f"its key-derivation settings (scrypt {shown}) are not ones "
                             "pumpjournal writes, so the file was changed")
    salt = _bytes(header.get("salt"), 16, "salt", path)
    nonce = _bytes(header.get("nonce"), 12, "nonce", path)
    return params, line, body, salt, nonce


def encrypt(plain: bytes, passphrase: str, previous: bytes | None = None, path="") -> bytes:
    """Encrypt with a fresh nonce. The salt and settings of ``previous`` are kept when they are
    the current ones (the key derived to read it serves again); a journal written with older
    settings gets a new salt and the current settings (one more derivation, once)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if previous and is_encrypted(previous):
        params, _, _, salt, _ = _header(previous, path)
        if params != SCRYPT:
            salt, params = os.urandom(16), SCRYPT
    else:
        salt, params = os.urandom(16), SCRYPT
    nonce = os.urandom(12)
    header = {"cipher": "AES-256-GCM", "kdf": "scrypt", "scrypt": params,
              "salt": base64.b64encode(salt).decode(), "nonce": base64.b64encode(nonce).decode()}
    line = json.dumps(header, sort_keys=True).encode()
    cipher = AESGCM(_key(passphrase, salt, params)).encrypt(nonce, plain, line)
    return MAGIC + line + b"\n" + cipher


def decrypt(raw: bytes, passphrase: str | None, path) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    params, line, body, salt, nonce = _header(raw, path)
    if not passphrase:
        raise JournalError(f"the journal {path} is encrypted: set PUMPJOURNAL_PASSPHRASE or run "
                           "at a terminal to be asked for the passphrase.")
    try:
        return AESGCM(_key(passphrase, salt, params)).decrypt(nonce, body, line)
    except InvalidTag:
        raise JournalError(f"wrong passphrase for the journal {path} (or the file was "
                           "changed); it was not read.") from None
    except ValueError:  # a body too short to hold the authentication tag
        raise _damaged(path, "it is too short") from None
