"""Text that must never drive a terminal: the one place that decides what is shown escaped.

Control characters (C0, DEL, C1 such as the 8-bit CSI U+009B), bidirectional overrides and
isolates, line and paragraph separators and lone surrogates (bytes that were not UTF-8) can
move the cursor, recolour or clear the screen, or make text display as something other than
what was typed. Typed text holding them is refused (``problem``); text from a file or a
received journal is shown with them written out (``escape``): ESC as ``\\x1b``, U+202E as
``\\u202e``, a byte that was not UTF-8 as ``\\xff``.
"""

from __future__ import annotations

import re

# bidi embeddings, overrides and isolates; the marks that reorder text; separators that end a
# line without a newline
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
SEPARATORS = "\u2028\u2029"
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI}{SEPARATORS}\ud800-\udfff]")
_UNSAFE_INLINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}{SEPARATORS}\ud800-\udfff]")


def _written(match: re.Match) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as Python keeps it
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return {9: "\\t", 10: "\\n", 13: "\\r"}.get(code, f"\\x{code:02x}")
    return f"\\u{code:04x}"


def escape(text, lines: bool = False) -> str:
    """``text`` with every character that could drive a terminal written out. With ``lines``
    newlines and tabs are kept (a note of several lines); otherwise they are written out too."""
    text = str(text)
    return (_UNSAFE_INLINE if lines else _UNSAFE).sub(_written, text)


def shorten(value, limit: int = 40) -> str:
    """``value`` escaped and cut to ``limit`` characters (an ellipsis marks the cut)."""
    text = escape(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def quote(value, limit: int = 40) -> str:
    """A value for an error message: escaped, shortened to ``limit`` characters, in quotes.
    Use it only for numbers, dates, ids and names of things, never for a person's free text."""
    return f"'{shorten(value, limit)}'"


def problem(text: str, lines: bool = True) -> str | None:
    """Why typed ``text`` cannot be stored, or None when it can: it holds a character that
    could drive a terminal (tab and newline are allowed with ``lines``)."""
    found = (_UNSAFE_INLINE if lines else _UNSAFE).search(text)
    if found is None:
        return None
    if 0xD800 <= ord(found.group()) <= 0xDFFF:
        return "contains bytes that are not UTF-8 text; use plain text"
    if found.group() in "\t\n":
        return f"contains a tab or line break ({_written(found)}); use plain text on one line"
    return (f"contains a control or text-direction character ({_written(found)}); use plain "
            "text")


def json_safe(text: str) -> str:
    """JSON text with the characters json.dumps leaves as they are (C1, bidi, separators,
    lone surrogates) written as \\u escapes: the same JSON value, safe to print."""
    return re.sub(f"[\x7f-\x9f{BIDI}{SEPARATORS}\ud800-\udfff]",
                  lambda m: f"\\u{ord(m.group()):04x}", text)
