"""The ``wfm`` command line: the typer app and every console table and progress bar.

Library modules print nothing; everything a terminal shows is built here.
"""

from __future__ import annotations

from wfm.cli.main import app, main

__all__ = ["app", "main"]
