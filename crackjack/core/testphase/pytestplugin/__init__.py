"""The folder crackjack puts on pytest's ``PYTHONPATH``: it holds only the ``crackjack_pytest``
package, so the tested project's environment sees nothing else of crackjack's."""

from __future__ import annotations

from pathlib import Path

FOLDER: Path = Path(__file__).parent
MODULE = "crackjack_pytest.plugin"
"""What crackjack gives pytest's ``-p``."""
