"""The pytest plugin crackjack ships: how pytest reports each test's outcome to crackjack.

crackjack runs a project's tests as ``<python> -m pytest -p crackjack_pytest <args>`` with
``PLUGIN_DIR`` prepended to ``PYTHONPATH``, and passes the write end of a pipe to the child
(``pass_fds``), naming it in ``CRACKJACK_REPORT_FD``. The plugin writes one JSON object per line
to that pipe (collected, start, report, finished, deselected, coverage, session_finished), so
crackjack never scrapes pytest's terminal output. ``CRACKJACK_SHARD="K/N"`` makes the plugin keep
only the K-th of N duration-balanced shards of the collected tests.

The plugin runs in the project's environment, where crackjack may not be installed: the module
``crackjack_pytest`` imports nothing but the standard library and pytest. This package does not
import pytest: crackjack imports it to find the plugin.
"""

from __future__ import annotations

from pathlib import Path

from crackjack.core.testphase.options import TestPlugin

PLUGIN_DIR: Path = Path(__file__).parent
PLUGIN_NAME = "crackjack_pytest"
REPORT_FD_ENV = "CRACKJACK_REPORT_FD"
SHARD_ENV = "CRACKJACK_SHARD"

PLUGIN = TestPlugin(
    folder=PLUGIN_DIR, name=PLUGIN_NAME, report_env=REPORT_FD_ENV, shard_env=SHARD_ENV
)
