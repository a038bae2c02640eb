"""The result of :func:`wfm.scheduling.schedule`: :class:`Schedule` and its DataFrames."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.scenario import Scenario
from wfm.scheduling.status import SolverStatus
from wfm.scheduling.templates import ShiftTemplate, clock_labeler

__all__ = ["SHIFT_COLUMNS", "Schedule", "build_schedule"]

SHIFT_COLUMNS = ["group", "start_interval", "end_interval", "start", "end", "break_start",
                 "break_end", "paid_break", "paid_hours", "count", "cost"]
"""Columns of :attr:`Schedule.shifts`, in order."""


@dataclass
class Schedule:
    """The shifts chosen, the coverage they give and how the solver fared.

    Attributes
    ----------
    shifts : pandas.DataFrame
        One row per shift and break placement worked by at least one agent. Columns:
        ``group``, ``start_interval``, ``end_interval`` (interval index just after the
        last one worked), ``start``, ``end`` (clock labels), ``break_start``,
        ``break_end`` (clock labels; None without a break), ``paid_break`` (bool),
        ``paid_hours`` (hours per agent), ``count`` (agents), ``cost`` (for all
        ``count`` agents).
    coverage : pandas.DataFrame
        One row per interval x group: ``interval``, ``start`` (clock label), ``group``,
        ``required`` (agents), ``scheduled`` (agents on shift and not on break),
        ``shortfall`` (agents, ``max(required - scheduled, 0)``).
    cost : float
        Total cost of the shifts (without the shortfall penalty).
    status : SolverStatus
        A string enum: ``"optimal"`` (proven within ``gap``), ``"time limit"``, ``"no
        requirement"`` (nothing to schedule), ``"no shift can cover the requirement"``,
        or the solver's other termination. A plain string given here is converted.
    optimal : bool
        True when the solver proved the plan within the requested relative gap.
    gap : float
        Relative gap ``(objective - bound) / objective`` of the plan's objective (cost +
        penalty x shortfall) to the solver's best bound; 0 when proven optimal exactly,
        inf when no bound is known.
    solve_seconds : float
        Wall time of the solver calls, seconds.
    objective : float
        Cost + penalty x shortfall.
    bound : float
        The solver's best lower bound on ``objective``.
    penalty : float
        Penalty per agent-interval of shortfall.
    n_templates : int
        Shift templates offered to the solver (start x length, per group).
    n_columns : int
        Integer variables of the model (templates and break placements).
    build_seconds : float
        Wall time to build the model, seconds.
    blocks : int
        Independent blocks the model was solved in (0 when nothing was solved).
    unsolved_blocks : int
        Blocks for which the solver found no plan in time; their requirement is left as
        shortfall and ``status_text`` says so.
    reused_blocks : int
        Blocks whose model was that of a block of the ``warm_start`` schedule, proven
        there: its plan was kept without solving again (:func:`wfm.scheduling.schedule`).

    Examples
    --------
    >>> import wfm
    >>> from wfm.scheduling import schedule
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> plan = schedule(sc, {"voice": [2] * 8 + [0] * 16}, time_limit=5, gap=0.0)
    >>> plan.status, plan.cost, plan.shortfall
    (<SolverStatus.OPTIMAL: 'optimal'>, 8.0, 0.0)
    >>> plan.shifts[["group", "start", "end", "break_start", "paid_hours", "count", "cost"]]
       group  start    end break_start  paid_hours  count  cost
    0  voice  08:00  12:00        None         4.0      2   8.0
    >>> plan.summary()[["group", "agents", "paid_hours", "cost", "shortfall"]]
         group  agents  paid_hours  cost  shortfall
    0    voice       2         8.0   8.0        0.0
    1  blended       0         0.0   0.0        0.0
    2  digital       0         0.0   0.0        0.0
    """

    shifts: pd.DataFrame
    coverage: pd.DataFrame
    cost: float
    status: SolverStatus
    optimal: bool
    gap: float
    solve_seconds: float
    objective: float = math.nan
    bound: float = math.nan
    penalty: float = math.nan
    n_templates: int = 0
    n_columns: int = 0
    build_seconds: float = 0.0
    blocks: int = 0
    unsolved_blocks: int = 0
    reused_blocks: int = 0
    #: The plan of each block proven within its gap, keyed by the block's model (its
    #: templates, the agents it needs where, its groups' rules, the penalty and the gap):
    #: a schedule warm-started from this one keeps such a block's plan as it is when its
    #: model has not changed, instead of solving it again.
    block_plans: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False,
                                                     compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.status, SolverStatus):
            try:
                self.status = SolverStatus(self.status)
            except ValueError:
                known = ", ".join(repr(str(s)) for s in SolverStatus)
                raise ValueError(
                    f"status: {self.status!r} is not a solver status (one of {known})"
                ) from None

    @property
    def status_text(self) -> str:
        """The status, followed by ``": no solution for k of n blocks (left uncovered)"``
        when the solver found no plan for some blocks in time."""
        if not self.unsolved_blocks:
            return str(self.status)
        return (f"{self.status}: no solution for {self.unsolved_blocks} of {self.blocks} blocks"
                " (left uncovered)")

    def staff(self) -> dict[str, npt.NDArray[np.int64]]:
        """Scheduled agents per interval per group.

        Returns
        -------
        dict of str to numpy.ndarray
            ``{group: int array of length horizon}``: agents on shift and not on break.
        """
        out: dict[str, npt.NDArray[np.int64]] = {}
        for g, part in self.coverage.groupby("group", sort=False):
            out[str(g)] = part.sort_values("interval")["scheduled"].to_numpy(dtype=np.int64)
        return out

    @property
    def shortfall(self) -> float:
        """Agent-intervals of requirement left uncovered."""
        return float(self.coverage["shortfall"].sum())

    def summary(self) -> pd.DataFrame:
        """One row per group.

        Returns
        -------
        pandas.DataFrame
            Columns ``group``, ``agents`` (shifts worked), ``paid_hours`` (hours),
            ``cost``, ``required`` and ``scheduled`` (agent-intervals), ``shortfall``
            (agent-intervals) and ``short_intervals`` (intervals with any shortfall).
        """
        rows = []
        for g, cov in self.coverage.groupby("group", sort=False):
            sh = self.shifts[self.shifts["group"] == g]
            rows.append({
                "group": g,
                "agents": int(sh["count"].sum()),
                "paid_hours": float((sh["paid_hours"] * sh["count"]).sum()),
                "cost": float(sh["cost"].sum()),
                "required": float(cov["required"].sum()),
                "scheduled": int(cov["scheduled"].sum()),
                "shortfall": float(cov["shortfall"].sum()),
                "short_intervals": int((cov["shortfall"] > 0).sum()),
            })
        return pd.DataFrame(rows)


def build_schedule(
    scenario: Scenario,
    req: Mapping[str, npt.NDArray[np.float64]],
    templates: Sequence[ShiftTemplate],
    counts: Sequence[int],
    zcounts: Sequence[Sequence[int]],
    *,
    status: SolverStatus,
    optimal: bool,
    gap: float,
    solve_seconds: float,
    bound: float,
    penalty: float,
    n_templates: int,
    n_columns: int,
    build_seconds: float,
    blocks: int = 0,
    unsolved_blocks: int = 0,
    reused_blocks: int = 0,
) -> Schedule:
    """The :class:`Schedule` of a plan given as agents per template and break placement.

    Parameters
    ----------
    scenario : Scenario
        Gives the horizon, the labels and the group order.
    req : mapping of group name to float array
        Agents required per interval, one array of length horizon per group.
    templates : sequence of ShiftTemplate
        The templates the counts refer to.
    counts : sequence of int
        Agents per template (may be empty when ``templates`` is).
    zcounts : sequence of sequences of int
        Per template, agents per break placement (summing to the template's count).
    status, optimal, gap, solve_seconds, bound, penalty, n_templates, n_columns, \
build_seconds, blocks, unsolved_blocks, reused_blocks
        Copied to the :class:`Schedule` (see there; seconds for times).

    Returns
    -------
    Schedule
        Shifts sorted by group (scenario order), start, end and break start; coverage
        per group and interval; cost and objective recomputed from the plan.
    """
    H = scenario.horizon
    lab = clock_labeler(scenario)
    groups = scenario.group_names
    scheduled = {g: np.zeros(H, dtype=np.int64) for g in groups}
    rows = []
    for j, t in enumerate(templates):
        n = counts[j] if counts else 0
        if n <= 0:
            continue
        scheduled[t.group][t.start:t.end] += n
        placements: list[tuple[int | None, int]]
        if t.break_offsets:
            placements = [(k, c) for k, c in enumerate(zcounts[j]) if c > 0]
        else:
            placements = [(None, n)]
        for k, c in placements:
            bs: str | None
            be: str | None
            if k is None:
                bs = be = None
            else:
                b0 = t.start + t.break_offsets[k]
                scheduled[t.group][b0:b0 + t.break_length] -= c
                bs, be = lab(b0), lab(b0 + t.break_length)
            rows.append({
                "group": t.group,
                "start_interval": t.start,
                "end_interval": t.end,
                "start": lab(t.start),
                "end": lab(t.end),
                "break_start": bs,
                "break_end": be,
                "paid_break": t.paid_break,
                "paid_hours": t.paid_hours,
                "count": int(c),
                "cost": float(c * t.cost),
            })
    shifts = pd.DataFrame(rows, columns=SHIFT_COLUMNS)
    for col in ("group", "start", "end", "break_start", "break_end"):
        shifts[col] = pd.Series(list(shifts[col]), index=shifts.index, dtype=object)
    if len(shifts):
        order = {g: i for i, g in enumerate(groups)}
        shifts = shifts.sort_values(
            ["group", "start_interval", "end_interval", "break_start"],
            key=lambda s: s.map(order) if s.name == "group" else s,
        ).reset_index(drop=True)
    for col in ("break_start", "break_end"):  # keep None (not NaN) where there is no break
        shifts[col] = pd.Series(
            [v if isinstance(v, str) else None for v in shifts[col]], index=shifts.index,
            dtype=object,
        )
    shifts = shifts.astype({"start_interval": "int64", "end_interval": "int64", "count": "int64",
                            "cost": "float64", "paid_hours": "float64", "paid_break": "bool"})
    labels = scenario.interval_labels()
    cov = []
    for g in groups:
        r = req[g]
        s = scheduled[g]
        cov.append(pd.DataFrame({
            "interval": np.arange(H),
            "start": labels,
            "group": g,
            "required": r,
            "scheduled": s,
            "shortfall": np.maximum(r - s, 0.0),
        }))
    coverage = pd.concat(cov, ignore_index=True)
    cost = float(shifts["cost"].sum())
    objective = cost + penalty * float(coverage["shortfall"].sum())
    return Schedule(
        shifts=shifts,
        coverage=coverage,
        cost=cost,
        status=status,
        optimal=optimal,
        gap=gap,
        solve_seconds=solve_seconds,
        objective=objective,
        bound=bound,
        penalty=penalty,
        n_templates=n_templates,
        n_columns=n_columns,
        build_seconds=build_seconds,
        blocks=blocks,
        unsolved_blocks=unsolved_blocks,
        reused_blocks=reused_blocks,
    )
