"""Hand planned shifts to the engine as agents: a :class:`~wfm.scheduling.Schedule` or
a :class:`~wfm.scheduling.Roster` turned into the scenario's ``roster:`` of each group.

A staff curve tells the engine how many agents are on duty in each interval; a roster
tells it who comes and goes when, to the minute. Simulated as a roster, an agent whose
break or shift end comes while it holds a contact finishes it first, so the simulation
sees the plan as the floor will live it (and a break that starts mid-interval where the
scenario's intervals are longer than the shift grid). Groups the plan does not cover
keep their ``staff``.

Examples
--------
>>> import wfm
>>> from wfm.scheduling import schedule
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")
>>> plan = schedule(sc, {"voice": [2] * 8 + [0] * 16}, time_limit=5, gap=0.0)
>>> rostered = with_shifts(sc, plan)
>>> rostered.to_dict()["agents"][0]["roster"]
[{'start': '08:00', 'end': '12:00', 'breaks': [], 'count': 2}]
>>> staff = wfm.simulate(rostered, seed=1).groups.query("group == 'voice'")["staff"]
>>> staff.head(9).tolist()
[2, 2, 2, 2, 2, 2, 2, 2, 0]
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from wfm.scenario import Scenario
from wfm.scheduling.result import Schedule
from wfm.scheduling.roster import Roster
from wfm.scheduling.templates import clock_labeler

__all__ = ["roster_entries", "with_shifts"]


def _label_minutes(scenario: Scenario) -> Any:
    start = scenario.start_seconds // 60

    def label(minute: int) -> str:
        day, rem = divmod(start + minute, 24 * 60)
        text = f"{rem // 60:02d}:{rem % 60:02d}"
        return text if day == 0 else f"d{day + 1} {text}"

    return label


def roster_entries(scenario: Scenario, plan: Schedule | Roster) -> dict[str, list[dict[str, Any]]]:
    """The plan's shifts as ``roster:`` entries per group, in the scenario format.

    Parameters
    ----------
    scenario : Scenario
        The scenario the plan was made for (its start clock and interval).
    plan : Schedule or Roster
        Shifts per template and break placement (:func:`wfm.scheduling.schedule`), or
        every agent's week (:func:`wfm.scheduling.weekly_roster`).

    Returns
    -------
    dict of str to list of dict
        ``{group: [{"start", "end", "breaks" (if any), "count"}, ...]}``, clock times
        ``"HH:MM"`` or ``"dN HH:MM"``; identical shifts are merged into one entry with
        their ``count``. Groups without shifts are left out.

    Examples
    --------
    >>> import wfm
    >>> from wfm.scheduling import schedule
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> roster_entries(sc, schedule(sc, {"voice": [3] * 4 + [0] * 20}, time_limit=5))
    {'voice': [{'start': '08:00', 'end': '12:00', 'count': 3}]}
    """
    if not isinstance(plan, Schedule | Roster):
        raise TypeError(f"plan must be a wfm Schedule or Roster, not {type(plan).__name__}")
    rows: list[tuple[str, str, str, tuple[tuple[str, str], ...], int]] = []
    breaks: tuple[tuple[str, str], ...]
    if isinstance(plan, Schedule):
        lab = clock_labeler(scenario)
        for s in plan.shifts.itertuples(index=False):
            breaks = () if s.break_start is None else ((str(s.break_start), str(s.break_end)),)
            rows.append((str(s.group), lab(int(s.start_interval)), lab(int(s.end_interval)),
                         breaks, int(s.count)))
    else:
        lab = _label_minutes(scenario)
        for s in plan.shifts.itertuples(index=False):
            if pd.isna(s.break_start_minute):
                breaks = ()
            else:
                breaks = ((lab(int(s.break_start_minute)), lab(int(s.break_end_minute))),)
            rows.append((str(s.group), lab(int(s.start_minute)), lab(int(s.end_minute)), breaks, 1))
    merged: dict[str, dict[tuple[str, str, tuple[tuple[str, str], ...]], int]] = {}
    for group, start, end, breaks, count in rows:
        if count <= 0:
            continue
        key = (start, end, breaks)
        merged.setdefault(group, {})
        merged[group][key] = merged[group].get(key, 0) + count
    out: dict[str, list[dict[str, Any]]] = {}
    for group, entries in merged.items():
        out[group] = []
        for (start, end, breaks), count in entries.items():
            entry: dict[str, Any] = {"start": start, "end": end}
            if breaks:
                entry["breaks"] = [list(b) for b in breaks]
            entry["count"] = count
            out[group].append(entry)
    return out


def with_shifts(scenario: Scenario, plan: Schedule | Roster) -> Scenario:
    """The scenario with every group the plan covers given as its roster of agents.

    Parameters
    ----------
    scenario : Scenario
    plan : Schedule or Roster
        See :func:`roster_entries`.

    Returns
    -------
    Scenario
        A new, validated scenario: each group with shifts in the plan has a ``roster:``
        (its ``staff`` dropped); a group the plan covers with no shift at all gets
        ``staff: 0``; the other groups keep their ``staff`` or ``roster``.

    Examples
    --------
    See the module's examples.
    """
    entries = roster_entries(scenario, plan)
    covered = set(plan.coverage["group"].astype(str)) if len(plan.coverage) else set()
    data = scenario.to_dict()
    for g in data["agents"]:
        name = str(g["group"])
        if name in entries:
            g.pop("staff", None)
            g["roster"] = entries[name]
        elif name in covered:
            g.pop("roster", None)
            g["staff"] = 0
    return Scenario.from_dict(data)
