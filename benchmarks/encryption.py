"""What encryption at rest costs per command, against its floor: one scrypt key derivation.

    /path/to/venv/bin/python benchmarks/encryption.py [--runs 7] [--warmups 1]

On the 3,650-entry journal of run.py, the same commands on a plain and on an encrypted copy
(whole-process medians, output to a pipe), then the in-process cost of one key derivation with
the current settings (n=2^17, r=8, p=1) and with the older ones (n=2^15), and the one write that
upgrades an older journal. pumpjournal derives the key once per command (the key is kept for
the command's life, so a read and a write in one command share it), so an encrypted command
should cost about the plain one plus one derivation; the ratio column says how close it is.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from run import ENTRIES, build_pumpjournal, median_call, medians  # noqa: E402

PASSPHRASE = "correct horse battery staple"


def derivation(params: dict, runs: int) -> float:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    def once():
        Scrypt(salt=os.urandom(16), length=32, **params).derive(PASSPHRASE.encode())

    return median_call(once, runs, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--warmups", type=int, default=1)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="pumpjournal-bench-"))
    # the record of encrypted journals goes to the benchmark's folder, never the user's
    os.environ["PUMPJOURNAL_CONFIG_DIR"] = str(folder / "config")
    from pumpjournal import Journal, crypto, remembered

    try:
        plain, locked = folder / "plain.json", folder / "locked.json"
        build_pumpjournal(plain, ENTRIES)
        shutil.copy(plain, locked)
        env = {**os.environ, "NO_COLOR": "1", "PUMPJOURNAL_CONFIG_DIR": str(folder / "config")}
        env.pop("PUMPJOURNAL_PASSPHRASE", None)
        secret = {**env, "PUMPJOURNAL_PASSPHRASE": PASSPHRASE}
        Journal(locked).encrypt(PASSPHRASE)
        saved = {p: p.read_bytes() for p in (plain, locked)}

        def restore(path):
            return lambda: path.write_bytes(saved[path])

        base = [sys.executable, "-m", "pumpjournal"]
        commands = {}
        for label, path, environment in (("plain", plain, env), ("encrypted", locked, secret)):
            for name, extra in (("list --since 1w", ["list", "--since", "1w"]),
                                ("log --pain 4", ["log", "--pain", "4"]),
                                ("summary", ["summary"])):
                commands[(name, label)] = (base + ["--journal", str(path)] + extra, environment,
                                           restore(path))
        results = medians(commands, args.runs, args.warmups)
        current = derivation(crypto.SCRYPT, args.runs)
        older = derivation(crypto.OLDER[0], args.runs)

        old_file = folder / "older.json"

        def make_older():
            data = plain.read_bytes()
            saved_params = crypto.SCRYPT
            crypto.SCRYPT = crypto.OLDER[0]
            try:
                old_file.write_bytes(crypto.encrypt(data, "eight-ch"))
            finally:
                crypto.SCRYPT = saved_params
            remembered.remember(old_file)

        upgrade = []
        for _ in range(max(3, args.runs // 2)):
            make_older()
            crypto._keys.clear()
            began = time.perf_counter()
            with Journal(old_file, passphrase="eight-ch").transaction() as tx:
                tx.add_question("me", __import__("datetime").date.today(), "q")
            upgrade.append(time.perf_counter() - began)
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"Encryption cost on a {ENTRIES:,}-entry journal ({args.runs} runs, medians)\n")
    print(f"{'command':<18}{'plain':>9}{'encrypted':>11}{'added':>9}{'added/derivation':>18}")
    for name in ("list --since 1w", "log --pain 4", "summary"):
        a, b = results[(name, "plain")], results[(name, "encrypted")]
        print(f"{name:<18}{a:>8.3f}s{b:>10.3f}s{b - a:>8.3f}s{(b - a) / current:>17.2f}x")
    print(f"\none scrypt derivation, n=2^17 r=8 p=1 (new journals): {current:.3f} s, 128 MiB")
    print(f"one scrypt derivation, n=2^15 r=8 p=1 (older journals): {older:.3f} s, 32 MiB")
    print(f"the write that upgrades an older journal (in process, both derivations): "
          f"{statistics.median(upgrade):.3f} s")
    print("\nAn encrypted command costs its plain time plus one derivation (added/derivation "
          "near 1x);\nthe cost does not grow with the journal: decryption of 3,650 entries is "
          "a few ms.")


if __name__ == "__main__":
    main()
