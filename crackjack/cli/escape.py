"""The one place text from outside crackjack (file names, hook output) is made safe to print.

A file name or a hook's output may hold control characters: a newline in a name would start a
line that reads like crackjack's own (a forged verdict), and escape sequences, carriage returns,
backspaces or bidirectional overrides can rewrite what the terminal shows. Each such character is
printed as a Python-style escape (``\\n``, ``\\x1b``, ``\\u202e``) instead.
"""

from __future__ import annotations

_CONTROLS = (
    *range(0x20),  # C0, with ESC
    0x7F,  # DEL
    *range(0x80, 0xA0),  # C1
    *range(0x202A, 0x202F),  # bidirectional embeddings and overrides
    *range(0x2066, 0x206A),  # bidirectional isolates
)
_ESCAPED = {code: repr(chr(code))[1:-1] for code in _CONTROLS}
_NAMES = str.maketrans(_ESCAPED)
_LINES = str.maketrans({code: text for code, text in _ESCAPED.items() if code not in (9, 10)})


def safe_name(text: str) -> str:
    """A file name (or anything else meant to be one line), every control character escaped."""
    return text.translate(_NAMES)


def safe_lines(text: str) -> str:
    """Output lines, control characters escaped except tab and newline (a CRLF ends a line)."""
    return text.replace("\r\n", "\n").translate(_LINES)
