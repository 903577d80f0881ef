"""The one place that maps outcomes and failures to exit codes and one-line messages."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable

from crackjack.core.errors import ConfigError, CrackjackError, RepositoryStateError
from crackjack.core.run.results import RunResult

OK = 0
FAILED = 1
USAGE = 2
INTERNAL = 3


class CommandLineError(Exception):
    """A command line the parser refused, with the parser's message (``cli/app.py`` turns
    Typer's exceptions into this one, so this module needs no Typer)."""


def exit_code(result: RunResult) -> int:
    if result.interrupted_by is not None:
        return 128 + result.interrupted_by
    return FAILED if result.failed else OK


def _say(message: str) -> None:
    for line in message.splitlines() or [""]:
        print(f"crackjack: {line}", file=sys.stderr)


def guarded(run: Callable[[], int]) -> int:
    """Run the command; turn every failure into a message on stderr and an exit code."""
    try:
        return run()
    except (ConfigError, RepositoryStateError) as exc:
        _say(str(exc))
        return USAGE
    except CrackjackError as exc:
        _say(str(exc))
        return INTERNAL
    except CommandLineError as exc:
        _say(f"{exc} (see crackjack --help)")
        return USAGE
    except KeyboardInterrupt:
        return 128 + signal.SIGINT
    except Exception:
        import tempfile
        import traceback

        with tempfile.NamedTemporaryFile(
            "w", prefix="crackjack-crash-", suffix=".log", delete=False
        ) as log:
            traceback.print_exc(file=log)
        _say(f"internal error: {sys.exc_info()[1]!r}; details in {log.name}, please report it")
        return INTERNAL
