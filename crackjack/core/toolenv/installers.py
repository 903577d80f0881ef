"""How an environment is made and filled: with ``uv`` when it is on ``PATH`` (``uv venv``, then
``uv pip install --python``), else with ``python -m venv`` and the new environment's ``pip``."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from crackjack.core.process.programs import on_path
from crackjack.core.toolenv.spec import EnvSpec, python_label
from crackjack.core.valueclass import value

Argv = tuple[str, ...]

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_PREFIX = re.compile(r"^(?:ERROR:|error:|Caused by:|cause:|[\u00d7\u2570\u2500\u25b6\u2502 ]+)\s*")


@value(eq=True)
class Installer:
    """``name`` (``uv`` or ``pip``) and, for uv, where it is."""

    name: str
    uv: str | None = None

    def steps(self, spec: EnvSpec, folder: Path) -> tuple[Argv, ...] | str:
        """The commands that make the environment of ``spec`` at ``folder`` and install its
        requirements, or why they cannot (no such Python)."""
        python = folder / "bin" / "python"
        venv: Argv
        install: Argv
        if self.uv is not None:
            asked = sys.executable if spec.python == python_label(None) else spec.python
            venv = (self.uv, "venv", "--quiet", "--no-project", "--python", asked, str(folder))
            install = (self.uv, "pip", "install", "--quiet", "--python", str(python))
        else:
            base = _base_python(spec.python)
            if base is None:
                return f"python {spec.python} not found on PATH (python{spec.python})"
            venv = (base, "-m", "venv", str(folder))
            install = (str(python), "-m", "pip", "install", "--quiet", "--no-input",
                       "--disable-pip-version-check")  # fmt: skip
        return (venv, (*install, *spec.requires)) if spec.requires else (venv,)


def installer() -> Installer:
    uv = on_path("uv")
    return Installer("uv", uv) if uv else Installer("pip")


def _base_python(label: str) -> str | None:
    """The interpreter a ``python -m venv`` environment is made from."""
    if label == python_label(None):
        return sys.executable
    if "/" in label:
        return label
    return on_path(f"python{label}")


def reason(output: str) -> str:
    """The installer's own reason for failing, in one line: its last word on it."""
    lines = [_ANSI.sub("", line).strip() for line in output.splitlines()]
    said = [_PREFIX.sub("", line) for line in lines if line]
    last = next((line for line in reversed(said) if line), "")
    text = last or "no reason given"
    return text if len(text) <= 300 else text[:297] + "..."
