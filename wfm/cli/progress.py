"""Progress bars of long CLI work (the library reports progress through callbacks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from wfm.cli.console import escape

__all__ = ["replications_bar", "sweep_bar"]


@contextmanager
def replications_bar(
    console: Console, total: int, show: bool = True
) -> Iterator[Callable[[int, int], None] | None]:
    """A transient bar of replications done; yields the ``progress(done, total)`` callback
    for :func:`wfm.simulate` (None when not shown)."""
    if not show:
        yield None
        return
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("simulating", total=total)

        def update(done: int, tot: int) -> None:
            bar.update(task, completed=done, total=tot)

        yield update


@contextmanager
def sweep_bar(console: Console, name: str) -> Iterator[Callable[[int, int, int], None]]:
    """A bar of sweep points done, failures and ETA; yields the ``progress(done, total,
    failed)`` callback for :func:`wfm.sweep` (points run now; resumed ones not counted)."""
    label = escape(name)
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("points"), TextColumn("[red]{task.fields[failed]} failed"),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        console=console, transient=False,
    ) as bar:
        task = bar.add_task(label, total=None, failed=0)

        def update(done: int, tot: int, failed: int) -> None:
            bar.update(task, completed=done, total=tot, failed=failed)

        yield update
