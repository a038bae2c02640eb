"""The consoles the CLI prints to, and the one way it reports an error.

User text (channel names, file names, values in messages) is always escaped, so a name
such as ``[/]`` prints as itself instead of breaking rich's markup.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

__all__ = ["EXIT", "console", "err_console", "escape", "fail"]

# a report printed to a file or a pipe is not cut to rich's 80-column default
console = Console() if sys.stdout.isatty() else Console(width=140)
err_console = Console(stderr=True)

#: Exit codes of every command (shown in ``wfm --help`` and docs/guides/cli.md).
EXIT = {
    0: "success",
    1: "wfm plan: the plan did not converge (the best round is still written and shown)",
    2: "invalid input: a bad scenario, sweep spec, option or value, or beyond a size limit",
    3: "wfm sweep: some points failed (the others are saved; see the error column)",
    4: "the output folder or file cannot be written (checked before the work starts)",
    70: "internal error (a bug: please report it; WFM_DEBUG=1 shows the traceback)",
    130: "interrupted (Ctrl-C); wfm sweep keeps the finished points: rerun to resume",
}


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: <message>`` on stderr (one clear message) and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)
