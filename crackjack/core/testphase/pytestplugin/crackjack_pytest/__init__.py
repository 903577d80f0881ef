"""crackjack's pytest plugin (``plugin``) and the protocol both sides speak (``wire``).

These modules run in the tested project's environment, where crackjack may not be installed:
they import nothing but the standard library (and ``plugin`` pytest), nothing from crackjack,
and run on the project's Python, which may be older than crackjack's (3.7 and later).
"""
