"""What crackjack knows of each tool it runs: how the project configures it, and so how the tool
must be called for the project (the ``adapt`` of a built-in ``Command``)."""
