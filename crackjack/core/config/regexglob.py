"""The globs that match exactly what a pre-commit regular expression matches (``re.search`` on
the path), for the few shapes that have them; None for every other regular expression.

================  ================  ==============================================
regex             globs             why they are the same
================  ================  ==============================================
``^setup\\.py$``   ``/setup.py``     the whole path
``^docs/``        ``docs/``         every path under the folder ``docs``
``\\.py$``         ``*.py``          a path ends so exactly when its basename does
``^(a|b)/``       ``a/``, ``b/``    one group of alternatives, each of these shapes
================  ================  ==============================================
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[A-Za-z0-9_/~ -]")
_ESCAPED = frozenset(".-_/~ +#%@,=:")
_GROUP = re.compile(r"^([^()|]*)\((?:\?:)?([^()]*)\)([^()|]*)$")


def globs_for(regex: str) -> tuple[str, ...] | None:
    """The globs matching just the paths ``regex`` matches, or None when there are none."""
    alternatives = _alternatives(regex)
    if not alternatives:
        return None
    globs = [_glob(alternative) for alternative in alternatives]
    return None if any(glob is None for glob in globs) else tuple(g for g in globs if g)


def _alternatives(regex: str) -> list[str] | None:
    """``regex`` as plain alternatives (no groups), or None for what is more than that."""
    if "[" in regex or "\\|" in regex:
        return None
    if "(" not in regex:
        return regex.split("|")
    group = _GROUP.match(regex)
    if group is None:
        return None
    head, inner, tail = group.groups()
    return [head + choice + tail for choice in inner.split("|")]


def _glob(alternative: str) -> str | None:
    anchored = alternative.startswith("^")
    body = alternative.removeprefix("^")
    ends = body.endswith("$") and not body.endswith("\\$")
    literal = _literal(body.removesuffix("$") if ends else body)
    if not literal:
        return None
    if anchored and ends and not literal.endswith("/"):
        return "/" + literal.removeprefix("/")
    if anchored and not ends and literal.endswith("/") and literal != "/":
        return literal
    if not anchored and ends and "/" not in literal:
        return "*" + literal
    return None


def _literal(source: str) -> str | None:
    """The text ``source`` matches when it is plain text (escaped punctuation allowed)."""
    text: list[str] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source) and source[i + 1] in _ESCAPED:
            text.append(source[i + 1])
            i += 2
        elif _PLAIN.fullmatch(char):
            text.append(char)
            i += 1
        else:
            return None
    return "".join(text)
