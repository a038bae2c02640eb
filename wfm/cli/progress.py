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
    bar = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("points"), TextColumn("[red]{task.fields[failed]} failed"),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        console=console, transient=False,
    )
    task = bar.add_task(escape(name), total=None, failed=0)
    started = False

    def update(done: int, tot: int, failed: int) -> None:
        nonlocal started
        if not started:  # shown from the first finished point: no empty bar before an error
            bar.start()
            started = True
        bar.update(task, completed=done, total=tot, failed=failed)

    try:
        yield update
    finally:
        if started:
            bar.stop()
