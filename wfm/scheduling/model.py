"""The covering model of one block, in pyomo, solved by HiGHS (``appsi_highs``).

``x[j]`` (integer) agents work template ``j``; ``z[j, b]`` (integer) of them take their
break in placement ``b`` (``sum_b z[j, b] = x[j]``); ``u[g, t] >= 0`` is the shortfall
of group ``g`` in interval ``t``. For every interval with a requirement::

    sum_{j of g working t} x[j] - sum_{(j, b) of g on break in t} z[j, b] + u[g, t]
        >= required[g, t]

per group and clock day with ``max_agents``, ``sum of x[j] starting that day <=
max_agents``, and the objective is ``sum_j cost[j] x[j] + penalty * sum u``.

HiGHS starts from the greedy plan of :mod:`wfm.scheduling.greedy`, so that a time limit
still leaves a plan. Its answer is checked: when the objective it reports is not that of
the plan it returns (HiGHS 1.16.0 can return its MIP start as proven optimal with the
objective of the presolved problem, without the presolve's offset), the block is solved
again without the start.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from wfm.scenario import ShiftRule
from wfm.scheduling.greedy import coverage_of, greedy_plan
from wfm.scheduling.status import SolverStatus
from wfm.scheduling.templates import ShiftTemplate

__all__ = ["BlockSolution", "HighsRun", "run_highs", "solve_block", "variable_bounds"]


@dataclass
class BlockSolution:
    """The plan of one block and how the solver fared.

    Attributes
    ----------
    counts : list of int
        Agents per template (all 0 when the solver found no plan).
    zcounts : list of list of int
        Per template, agents per break placement.
    status : SolverStatus
        The solver's termination.
    objective : float or None
        Objective (cost + penalty x shortfall) of the plan; None when there is none.
    bound : float or None
        The solver's best lower bound on the objective; None when unknown.
    build_seconds : float
        Wall time to build the model (and the greedy start), seconds.
    solve_seconds : float
        Wall time of the solver call, seconds.
    n_columns : int
        Integer variables (templates and break placements).
    """

    counts: list[int]
    zcounts: list[list[int]]
    status: SolverStatus
    objective: float | None
    bound: float | None
    build_seconds: float
    solve_seconds: float
    n_columns: int


def variable_bounds(
    templates: Sequence[ShiftTemplate],
    req: Mapping[str, npt.NDArray[np.float64]],
    rule_map: Mapping[str, ShiftRule],
) -> tuple[list[int], list[int]]:
    """Upper bounds on the agents per template and per break placement.

    With R the largest requirement a template covers, more than R agents on one
    template without a break (or on one break placement) is never needed: one of them
    could go home and the others alone still cover R wherever that one worked. A
    template with breaks gets R per placement. Both are capped by ``max_agents``. The
    bounds are valid for some optimum.

    Parameters
    ----------
    templates : sequence of ShiftTemplate
        The block's templates.
    req : mapping of group name to float array
        Agents required per interval.
    rule_map : mapping of group name to ShiftRule
        Gives ``max_agents``.

    Returns
    -------
    ub_x : list of int
        Most agents per template.
    ub_z : list of int
        Most agents per break placement of each template.

    Examples
    --------
    >>> import numpy as np, wfm
    >>> t = ShiftTemplate("a", 0, 4, (1, 2), 1, False, 3.0, 3.0, 0)
    >>> variable_bounds([t], {"a": np.array([1.0, 2.5, 2, 1])}, {"a": wfm.ShiftRule()})
    ([6], [3])
    """
    ub_z: list[int] = []
    ub_x: list[int] = []
    for t in templates:
        r = math.ceil(float(req[t.group][t.start:t.end].max()) - 1e-9)
        cap = rule_map[t.group].max_agents
        r = min(r, cap) if cap is not None else r
        ub_z.append(r)
        rx = r * max(len(t.break_offsets), 1)
        ub_x.append(rx if cap is None else min(rx, cap))
    return ub_x, ub_z


def solve_block(
    templates: Sequence[ShiftTemplate],
    need: Sequence[tuple[str, int]],
    req: Mapping[str, npt.NDArray[np.float64]],
    rule_map: Mapping[str, ShiftRule],
    *,
    penalty: float,
    time_limit: float,
    gap: float,
    tee: bool = False,
    start: tuple[Sequence[int], Sequence[Sequence[int]]] | None = None,
) -> BlockSolution:
    """Build the model of one block, start it from the greedy plan and solve it.

    Parameters
    ----------
    templates : sequence of ShiftTemplate
        The block's templates.
    need : sequence of (str, int)
        ``(group, interval)`` with a requirement in the block: one coverage row each.
    req : mapping of group name to float array
        Agents required per interval.
    rule_map : mapping of group name to ShiftRule
        Gives ``max_agents`` (headcount rows).
    penalty : float
        Objective cost per agent-interval of shortfall.
    time_limit : float
        Solver time limit, seconds.
    gap : float
        Relative MIP gap at which HiGHS stops.
    tee : bool, default False
        Show the solver's log.
    start : (counts, zcounts), optional
        A plan (agents per template and per break placement) to start from instead of
        the greedy one when it is cheaper, once repaired to this requirement (see
        :func:`wfm.scheduling.direct.repair`).

    Returns
    -------
    BlockSolution
        Break counts of a template always add up to its count.

    Examples
    --------
    Two intervals needing 1 and 2 agents, one-interval and two-interval shifts:

    >>> import numpy as np, wfm
    >>> tpl = [ShiftTemplate("a", 0, 1, (), 0, False, 1.0, 1.0, 0),
    ...        ShiftTemplate("a", 1, 1, (), 0, False, 1.0, 1.0, 0),
    ...        ShiftTemplate("a", 0, 2, (), 0, False, 1.5, 1.5, 0)]
    >>> sol = solve_block(tpl, [("a", 0), ("a", 1)], {"a": np.array([1.0, 2.0])},
    ...                   {"a": wfm.ShiftRule()}, penalty=3.0, time_limit=5, gap=0.0)
    >>> sol.counts, sol.status, sol.objective
    ([0, 1, 1], <SolverStatus.OPTIMAL: 'optimal'>, 2.5)
    """
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    t0 = time.perf_counter()
    model = pyo.ConcreteModel(name="shifts")
    nx = len(templates)
    ub_x, ub_z = variable_bounds(templates, req, rule_map)
    model.x = pyo.Var(range(nx), domain=pyo.NonNegativeIntegers,
                      bounds=lambda m, j: (0, ub_x[j]))
    zindex = [(j, k) for j, t in enumerate(templates) for k in range(len(t.break_offsets))]
    model.z = pyo.Var(range(len(zindex)), domain=pyo.NonNegativeIntegers,
                      bounds=lambda m, i: (0, ub_z[zindex[i][0]]))
    model.u = pyo.Var(range(len(need)), domain=pyo.NonNegativeReals)

    # coverage rows: per (group, interval) the +x and -z terms
    rows: dict[tuple[str, int], tuple[list[float], list[Any]]] = {gi: ([], []) for gi in need}
    x, z, u = model.x, model.z, model.u
    for j, t in enumerate(templates):
        r = req[t.group]
        for i in range(t.start, t.end):
            if r[i] > 0:
                c, v = rows[(t.group, i)]
                c.append(1.0)
                v.append(x[j])
    zofj: dict[int, list[int]] = {}
    for zi, (j, k) in enumerate(zindex):
        t = templates[j]
        zofj.setdefault(j, []).append(zi)
        r = req[t.group]
        b0 = t.start + t.break_offsets[k]
        for i in range(b0, b0 + t.break_length):
            if r[i] > 0:
                c, v = rows[(t.group, i)]
                c.append(-1.0)
                v.append(z[zi])
    model.cover = pyo.ConstraintList()
    for n, gi in enumerate(need):
        c, v = rows[gi]
        expr = LinearExpression(constant=0.0, linear_coefs=[*c, 1.0], linear_vars=[*v, u[n]])
        model.cover.add(expr >= float(req[gi[0]][gi[1]]))
    model.breaks = pyo.ConstraintList()
    for j, zis in zofj.items():
        expr = LinearExpression(constant=0.0, linear_coefs=[1.0] * len(zis) + [-1.0],
                                linear_vars=[z[zi] for zi in zis] + [x[j]])
        model.breaks.add(expr == 0)
    model.headcount = pyo.ConstraintList()
    by_day: dict[tuple[str, int], list[int]] = {}
    for j, t in enumerate(templates):
        if rule_map[t.group].max_agents is not None:
            by_day.setdefault((t.group, t.day), []).append(j)
    for (g, _day), js in by_day.items():
        expr = LinearExpression(constant=0.0, linear_coefs=[1.0] * len(js),
                                linear_vars=[x[j] for j in js])
        model.headcount.add(expr <= rule_map[g].max_agents)
    model.cost = pyo.Objective(
        expr=LinearExpression(
            constant=0.0,
            linear_coefs=[t.cost for t in templates] + [penalty] * len(need),
            linear_vars=[x[j] for j in range(nx)] + [u[n] for n in range(len(need))],
        ),
        sense=pyo.minimize,
    )

    # a greedy plan as the MIP start, so that a time limit always leaves a plan
    gx, gz = greedy_plan(templates, need, req, rule_map, ub_x, ub_z)
    if start is not None:
        from wfm.scheduling.direct import repair, unit_model

        um = unit_model(templates, need, req, rule_map, penalty)
        warm_y = repair(um, um.from_counts(*start))
        if um.objective(warm_y) < um.objective(um.from_counts(gx, gz)) - 1e-9:
            gx, gz = um.to_counts(warm_y, templates)
    for j in range(nx):
        x[j].set_value(gx[j])
    for zi, (j, k) in enumerate(zindex):
        z[zi].set_value(gz[j][k])
    cover = coverage_of(templates, gx, gz, req)
    for n, gi in enumerate(need):
        u[n].set_value(max(float(req[gi[0]][gi[1]]) - cover.get(gi, 0), 0.0))
    build_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    run = run_highs(model, time_limit=time_limit, gap=gap, tee=tee, warmstart=True)
    if run.objective is not None and not _agrees(run.objective, float(pyo.value(model.cost))):
        # HiGHS 1.16.0 can return its MIP start, with the start's objective in the
        # presolved space (without the presolve's offset), as proven optimal when it is
        # not. The loaded plan's objective then differs from the one reported: solve
        # again without the start. Should that find nothing in the time left, the loaded
        # start stands, with its true objective and no known bound.
        left = time_limit - (time.perf_counter() - t1)
        again = (run_highs(model, time_limit=left, gap=gap, tee=tee, warmstart=False)
                 if left > 0 else None)
        if again is not None and again.objective is not None:
            run = again
        else:
            status = again.status if again is not None else SolverStatus.TIME_LIMIT
            run = HighsRun(status, float(pyo.value(model.cost)), None)
    solve_s = time.perf_counter() - t1
    counts = [0] * nx
    zcounts = [[0] * len(t.break_offsets) for t in templates]
    if run.objective is not None:
        counts = [int(round(pyo.value(x[j]) or 0.0)) for j in range(nx)]
        for zi, (j, k) in enumerate(zindex):
            zcounts[j][k] = int(round(pyo.value(z[zi]) or 0.0))
        # the rounded break counts must add up to the shift's count
        for j, t in enumerate(templates):
            if t.break_offsets:
                diff = counts[j] - sum(zcounts[j])
                if diff:
                    zcounts[j][0] = max(zcounts[j][0] + diff, 0)
                    counts[j] = sum(zcounts[j])
    return BlockSolution(
        counts=counts,
        zcounts=zcounts,
        status=run.status,
        objective=run.objective,
        bound=run.bound,
        build_seconds=build_s,
        solve_seconds=solve_s,
        n_columns=nx + len(zindex),
    )


@dataclass(frozen=True)
class HighsRun:
    """One HiGHS run: its status, the objective of the plan it loaded into the model
    (None when it found none) and its best bound (None when unknown)."""

    status: SolverStatus
    objective: float | None
    bound: float | None


def run_highs(model: Any, *, time_limit: float, gap: float, tee: bool, warmstart: bool) -> HighsRun:
    """Solve ``model`` with a fresh ``appsi_highs`` solver and load its plan, if any.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        The block's model; with ``warmstart`` its variables' values are the MIP start.
    time_limit : float
        Seconds.
    gap : float
        Relative MIP gap.
    tee : bool
        Show the solver's log.
    warmstart : bool
        Pass the variables' values to HiGHS as a MIP start.

    Returns
    -------
    HighsRun
        The model's variables hold the plan when ``objective`` is not None, and are left
        as they were otherwise.
    """
    import pyomo.environ as pyo

    opt = pyo.SolverFactory("appsi_highs")
    opt.config.mip_gap = float(gap)
    res = opt.solve(model, tee=tee, load_solutions=False, timelimit=float(time_limit),
                    warmstart=warmstart)
    ub_obj = res.problem.upper_bound
    lb_obj = res.problem.lower_bound
    has_solution = ub_obj is not None and math.isfinite(float(ub_obj))
    if has_solution:
        opt.load_vars()
    bound = float(lb_obj) if lb_obj is not None and math.isfinite(float(lb_obj)) else None
    return HighsRun(SolverStatus.from_termination(str(res.solver.termination_message)),
                float(ub_obj) if has_solution else None, bound)


def _agrees(reported: float, evaluated: float) -> bool:
    """Whether the objective HiGHS reports is that of the plan it returned (to 1e-6
    relative, well above HiGHS's feasibility tolerances on these small integer data)."""
    return abs(reported - evaluated) <= 1e-6 * max(1.0, abs(evaluated))
