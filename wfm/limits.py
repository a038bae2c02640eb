"""Size limits, checked before any work starts.

A scenario, a run, a sweep or an uploaded file larger than these limits is refused with
a :class:`wfm.errors.LimitError` naming the field, the value and the limit, instead of
running until memory or patience runs out. The defaults leave room for a large real
centre (a year of 15-minute intervals, tens of thousands of agents, hundreds of
thousands of contacts a day) and refuse what no centre needs (a billion agents, 1e7
contacts in one interval).

============================  ===========  =================================================
limit                         default      what it bounds
============================  ===========  =================================================
``max_file_bytes``            20,000,000   a scenario or sweep spec file (YAML)
``max_yaml_nodes``            2,000,000    values in a YAML document, aliases expanded
``max_yaml_depth``            40           nesting of lists and mappings in a YAML document
``max_intervals``             35,136       a scenario's horizon (366 days of 15 minutes)
``max_interval_channels``     250,000      intervals x channels (the results' rows: memory)
``max_channels``              200          channels in a scenario
``max_groups``                500          agent groups in a scenario
``max_agents``                100,000      agents on duty at once, all groups together
``max_volume_per_interval``   200,000      contacts offered in one interval (all channels)
``max_contacts``              50,000,000   contacts offered over the horizon (one replication)
``max_replications``          1,000        replications of one run or sweep point
``max_grid_points``           100,000      points of one sweep
============================  ===========  =================================================

Raising a limit: set the environment variable ``WFM_<NAME>`` (``WFM_MAX_AGENTS=250000``),
or in Python::

    from wfm import limits
    with limits.raised(max_contacts=200_000_000):
        wfm.simulate(big, seed=1)

Examples
--------
>>> current().max_agents
100000
>>> with raised(max_agents=250_000):
...     current().max_agents
250000
>>> check("staff", 10**9, "max_agents")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
wfm.errors.LimitError: too large: staff: 1,000,000,000 is more than the limit of 100,000 ...
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wfm.errors import InputError, LimitError

__all__ = ["Limits", "check", "current", "raised"]


@dataclass(frozen=True)
class Limits:
    """The size limits (see the module docstring for each)."""

    max_file_bytes: int = 20_000_000
    max_yaml_nodes: int = 2_000_000
    max_yaml_depth: int = 40
    max_intervals: int = 366 * 96
    max_interval_channels: int = 250_000
    max_channels: int = 200
    max_groups: int = 500
    max_agents: int = 100_000
    max_volume_per_interval: float = 200_000
    max_contacts: float = 50_000_000
    max_replications: int = 1_000
    max_grid_points: int = 100_000


#: What each limit counts, for messages.
UNITS = {
    "max_file_bytes": "bytes",
    "max_yaml_nodes": "values in a YAML document (aliases expanded)",
    "max_yaml_depth": "levels of nesting",
    "max_intervals": "intervals",
    "max_interval_channels": "interval x channel cells (about 15 KB of memory each)",
    "max_channels": "channels",
    "max_groups": "agent groups",
    "max_agents": "agents on duty at once",
    "max_volume_per_interval": "contacts in one interval",
    "max_contacts": "contacts over the horizon",
    "max_replications": "replications",
    "max_grid_points": "sweep points",
}


def _from_environment() -> Limits:
    values: dict[str, Any] = {}
    for f in dataclasses.fields(Limits):
        raw = os.environ.get(f"WFM_{f.name.upper()}")
        if raw is None:
            continue
        name = f"WFM_{f.name.upper()}"
        try:
            number = float(raw)
        except ValueError:
            raise InputError([(name, f"must be a number (got {raw[:40]!r})")]) from None
        if not number > 0 or number == float("inf"):
            raise InputError([(name, f"must be a positive number (got {raw[:40]!r})")])
        whole = f.type in ("int", int)
        if whole and not number.is_integer():
            raise InputError([(name, f"must be a whole number (got {raw[:40]!r})")])
        values[f.name] = int(number) if whole else number
    return Limits(**values)


_CURRENT: contextvars.ContextVar[Limits | None] = contextvars.ContextVar("wfm_limits", default=None)


def current() -> Limits:
    """The limits in force: those set by :func:`raised`, else the defaults with any
    ``WFM_<NAME>`` environment variable applied."""
    lim = _CURRENT.get()
    return lim if lim is not None else _from_environment()


@contextlib.contextmanager
def raised(**changes: float) -> Iterator[Limits]:
    """Run a block with some limits changed, e.g. ``raised(max_agents=250_000)``.

    Raises
    ------
    TypeError
        A name that is not a limit.
    """
    names = {f.name for f in dataclasses.fields(Limits)}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise TypeError(f"not a limit: {', '.join(unknown)} (limits: {', '.join(sorted(names))})")
    token = _CURRENT.set(dataclasses.replace(current(), **changes))  # type: ignore[arg-type]
    try:
        yield current()
    finally:
        _CURRENT.reset(token)


def _show(value: float) -> str:
    if isinstance(value, int) and abs(value) >= 10**18:
        return f"a number of {len(str(abs(value)))} digits"
    v = float(value)
    return f"{v:,.0f}" if v.is_integer() and abs(v) < 1e18 else f"{v:.4g}"


def check(field: str, value: float, limit: str, source: str | None = None) -> None:
    """Raise :class:`LimitError` when ``value`` exceeds the limit named ``limit``.

    Parameters
    ----------
    field : str
        The field path shown in the message (``channels.phone.volume[3]``).
    value : float
    limit : str
        A field name of :class:`Limits`.
    source : str, optional
        The file, for the message.
    """
    bound = getattr(current(), limit)
    if value > bound:
        raise LimitError(
            [
                (
                    field,
                    f"{_show(value)} is more than the limit of {_show(bound)} {UNITS[limit]}"
                    f" ({limit}; raise it with WFM_{limit.upper()} or wfm.limits.raised)",
                )
            ],
            source,
        )
