"""Where pinned environments live: ``$CRACKJACK_HOME/envs``, else the user cache
(``$XDG_CACHE_HOME/crackjack/envs``, by default ``~/.cache/crackjack/envs``).

Inside, ``<key>`` is a symlink to the folder the environment was built in (``<key>.<random>``),
made only once that environment is complete; ``.locks/<key>.lock`` serialises its builds."""

from __future__ import annotations

import os
from pathlib import Path

from crackjack.core.files.fsutil import user_cache_home

HOME_ENV = "CRACKJACK_HOME"
LOCKS = ".locks"


def envs_home() -> Path | None:
    """The folder of every pinned environment; None with neither a crackjack home nor a
    user cache to put it in."""
    home = os.environ.get(HOME_ENV, "")
    if os.path.isabs(home):
        return Path(home) / "envs"
    cache = user_cache_home()
    return None if cache is None else cache / "crackjack" / "envs"
