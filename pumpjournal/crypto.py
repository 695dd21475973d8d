"""Optional encryption at rest: AES-256-GCM with a key from the passphrase by scrypt.

File layout: a magic line, one line of JSON header (KDF parameters, salt, nonce), then the
ciphertext with its authentication tag; the header is authenticated too. A wrong passphrase or
any change to the file fails authentication: it is reported, never read as garbage.
"""

from __future__ import annotations

import base64
import json
import os

from .errors import JournalCorrupt, JournalError

MAGIC = b"PUMPJOURNAL-ENCRYPTED-1\n"
SCRYPT = {"n": 2**15, "r": 8, "p": 1}  # about 32 MB and 0.1-0.2 s per key derivation
_keys: dict[tuple[str, bytes, str], bytes] = {}


def is_encrypted(raw: bytes) -> bool:
    return raw.startswith(MAGIC)


def _key(passphrase: str, salt: bytes, params: dict) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    cache = (passphrase, salt, json.dumps(params, sort_keys=True))
    if cache not in _keys:
        _keys[cache] = Scrypt(salt=salt, length=32, **params).derive(passphrase.encode())
    return _keys[cache]


def _header(raw: bytes, path) -> tuple[dict, bytes, bytes]:
    try:
        line, body = raw[len(MAGIC):].split(b"\n", 1)
        header = json.loads(line)
        return header, line, body
    except ValueError:
        raise JournalCorrupt(f"the encrypted journal {path} is damaged (its header cannot be "
                             "read). It was left untouched; restore a backup.") from None


def encrypt(plain: bytes, passphrase: str, previous: bytes | None = None) -> bytes:
    """Encrypt with a fresh nonce; keep the salt of ``previous`` (same key, no new KDF)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if previous and is_encrypted(previous):
        old, _, _ = _header(previous, "")
        salt, params = base64.b64decode(old["salt"]), old["scrypt"]
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

    if not passphrase:
        raise JournalError(f"the journal {path} is encrypted: set PUMPJOURNAL_PASSPHRASE or run "
                           "at a terminal to be asked for the passphrase.")
    header, line, body = _header(raw, path)
    try:
        key = _key(passphrase, base64.b64decode(header["salt"]), header["scrypt"])
        return AESGCM(key).decrypt(base64.b64decode(header["nonce"]), body, line)
    except InvalidTag:
        raise JournalError(f"wrong passphrase for the journal {path} (or the file was "
                           "changed). Nothing was read or changed.") from None
    except (KeyError, TypeError, ValueError):
        raise JournalCorrupt(f"the encrypted journal {path} is damaged. It was left untouched; "
                             "restore a backup.") from None
