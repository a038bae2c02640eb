"""The consoles the CLI prints to, and the one way it reports an error.

User text (channel names, file names, values in messages) is always escaped, so a name
such as ``[/]`` prints as itself instead of breaking rich's markup.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape as _markup_escape

from wfm.errors import InputError

__all__ = ["EXIT", "console", "err_console", "escape", "fail", "guarded"]

F = TypeVar("F", bound=Callable[..., Any])

class _Console(Console):
    """rich's console, but a closed output (``wfm run ... | head``) is exit code 4 with
    one line on stderr, not rich's silent exit code 1 (which means "not converged")."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        with contextlib.suppress(Exception):
            err_console.print("[bold red]error:[/] the output was closed before wfm finished"
                              " writing it (broken pipe)", highlight=False)
        raise SystemExit(4)


# a report printed to a file or a pipe is not cut to rich's 80-column default
console = _Console() if sys.stdout.isatty() else _Console(width=140)
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


# control characters (an ESC starts a terminal escape sequence: clear the screen, set the
# title...) are shown as visible codes, never sent to the terminal; tab and newline stay
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0, 9), *range(11, 32), 127)}


def escape(text: str) -> str:
    r"""User text made safe to print: rich markup escaped and control characters shown as
    ``\x1b`` instead of being sent to the terminal.

    >>> escape("[/]phone") == r"\[/]phone"
    True
    >>> "\x1b" in escape("\x1b[2Jred"), escape("\x1b[2Jred").startswith(r"\x1b")
    (False, True)
    """
    return _markup_escape(str(text).translate(_CONTROLS))


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: <message>`` on stderr (one clear message) and exit with ``code``."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def guarded(func: F) -> F:
    """Turn every error a user can cause into one line and its exit code: 2 for bad
    input, 4 for a file the system refused, 130 when interrupted, 70 for a bug (one
    line, or the traceback with ``WFM_DEBUG=1``)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except typer.Exit:
            raise
        except (InputError, ValueError) as exc:
            fail(str(exc), 2)
        except OSError as exc:
            fail(str(exc), 4)
        except KeyboardInterrupt:
            err_console.print("[yellow]interrupted[/]", highlight=False)
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug: one line, unless asked for the traceback
            if os.environ.get("WFM_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set WFM_DEBUG=1 to see the"
                 " traceback, and please report it)", 70)

    return wrapper  # type: ignore[return-value]
