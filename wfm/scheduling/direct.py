"""The covering model of one block as arrays handed straight to HiGHS (``highspy``):
LP relaxation, rounding with a repair, and the MIP only when the rounded plan is not
already proven within the gap.

Why arrays and not pyomo for large models
-----------------------------------------
On a day of a 12-group centre (about 10,000 integer columns) building the pyomo model
and handing it to HiGHS through ``appsi`` took about as long as HiGHS itself (1 s to
build the expressions, 1.7 s for appsi to walk them, 1.4 s to import pyomo), and HiGHS
spent most of its time proving a plan it had all but found: its root LP bound was
within 0.1% of the optimum on every block, but its first plans were 1-7% above it, so
it cut and branched for seconds to close a 1% gap. Here the model is built as a sparse
matrix in milliseconds; the LP relaxation gives the bound; the LP plan rounded down and
repaired (greedy fill of what is left uncovered, then dropping agents nobody needs) is
usually within 0.5% of that bound, and then no MIP is solved at all: the bound proves
it. Otherwise the MIP runs from the repaired plan. The pyomo model of
:mod:`wfm.scheduling.model` stays the documented formulation and the path of small
models; ``tests/test_scheduling_scale.py`` checks both give the same optimum.

The unit formulation
--------------------
The model of :mod:`wfm.scheduling.model` has ``x[j]`` agents per template and ``z[j, b]``
per break placement with ``sum_b z[j, b] = x[j]``. Substituting ``x[j]`` gives one
integer column per *unit*: a template without a break, or one break placement of a
template with breaks. A unit covers the intervals its shift works except its break, so
the coverage matrix ``A`` is 0/1 and the model is the covering problem::

    min  cost . y + penalty * sum u
    s.t. A y + u >= required          (one row per interval with a requirement)
         sum of y starting on a day <= max_agents   (per group and day, when set)
         0 <= y <= ub,  y integer,  u >= 0

The bound ``x[j] <= ub_x[j]`` of the pyomo model is implied (``ub_x`` is the placements'
bounds summed, capped by ``max_agents`` which the headcount row enforces), so the two
models have the same plans and the same optimum.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from wfm.scenario import ShiftRule
from wfm.scheduling.model import BlockSolution, variable_bounds
from wfm.scheduling.status import SolverStatus
from wfm.scheduling.templates import ShiftTemplate

__all__ = ["ROUNDING_THRESHOLDS", "UnitModel", "dive", "repair", "solve_block_direct", "unit_model"]

#: The LP plan is rounded up where its fractional part reaches each of these (down
#: elsewhere), each rounding repaired; the cheapest is kept.
ROUNDING_THRESHOLDS = tuple(float(v) for v in np.linspace(0.05, 0.95, 19))

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass
class UnitModel:
    """The covering model of one block in unit form (see the module docstring).

    Attributes
    ----------
    unit_template : numpy.ndarray
        Per unit, the index of its template (in the block's template list).
    unit_break : numpy.ndarray
        Per unit, its break placement (index into ``break_offsets``), -1 without one.
    cost : numpy.ndarray
        Per unit, the cost of one agent.
    ub : numpy.ndarray
        Per unit, the most agents (float; integral).
    A : scipy.sparse.csc_matrix
        Coverage: ``A[r, c] = 1`` when unit ``c`` works (not on break) in row ``r``'s
        interval.
    required : numpy.ndarray
        Per coverage row, agents required.
    day_of_unit : numpy.ndarray
        Per unit, the headcount row it counts in, -1 when its group has no
        ``max_agents``.
    caps : numpy.ndarray
        Per headcount row, ``max_agents``.
    penalty : float
        Cost per agent-interval of shortfall.
    """

    unit_template: IntArray
    unit_break: IntArray
    cost: FloatArray
    ub: FloatArray
    A: sp.csc_matrix
    required: FloatArray
    day_of_unit: IntArray
    caps: FloatArray
    penalty: float

    @property
    def n_units(self) -> int:
        """Integer columns."""
        return int(self.cost.size)

    def objective(self, y: FloatArray) -> float:
        """Cost of ``y`` plus the penalty on what it leaves uncovered."""
        short = np.maximum(self.required - self.A @ y, 0.0)
        return float(self.cost @ y + self.penalty * short.sum())

    def feasible(self, y: FloatArray) -> bool:
        """Whether ``y`` is integral and within the bounds and headcounts."""
        if np.any(y < -1e-9) or np.any(y > self.ub + 1e-9) or np.any(np.abs(y - np.round(y)) > 1e-6):
            return False
        return bool(np.all(self._heads(y) <= self.caps + 1e-9))

    def _heads(self, y: FloatArray) -> FloatArray:
        heads = np.zeros(self.caps.size)
        has = self.day_of_unit >= 0
        np.add.at(heads, self.day_of_unit[has], y[has])
        return heads

    def to_counts(
        self, y: FloatArray, templates: Sequence[ShiftTemplate]
    ) -> tuple[list[int], list[list[int]]]:
        """Agents per template and per break placement of a unit plan."""
        counts = [0] * len(templates)
        zcounts = [[0] * len(t.break_offsets) for t in templates]
        yi = np.round(y).astype(np.int64)
        for c in np.flatnonzero(yi > 0).tolist():
            j = int(self.unit_template[c])
            k = int(self.unit_break[c])
            counts[j] += int(yi[c])
            if k >= 0:
                zcounts[j][k] += int(yi[c])
        return counts, zcounts

    def from_counts(
        self, counts: Sequence[int], zcounts: Sequence[Sequence[int]]
    ) -> FloatArray:
        """The unit plan of agents per template and per break placement."""
        y = np.zeros(self.n_units)
        for c in range(self.n_units):
            j = int(self.unit_template[c])
            k = int(self.unit_break[c])
            y[c] = counts[j] if k < 0 else zcounts[j][k]
        return y


def unit_model(
    templates: Sequence[ShiftTemplate],
    need: Sequence[tuple[str, int]],
    req: Mapping[str, FloatArray],
    rule_map: Mapping[str, ShiftRule],
    penalty: float,
) -> UnitModel:
    """Build the unit-form covering model of one block.

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
        Cost per agent-interval of shortfall.

    Returns
    -------
    UnitModel

    Examples
    --------
    An 4-interval shift with a one-interval break at offset 1 or 2 (two units), and a
    two-interval shift without a break:

    >>> import numpy as np, wfm
    >>> tpl = [ShiftTemplate("a", 0, 4, (1, 2), 1, False, 3.0, 3.0, 0),
    ...        ShiftTemplate("a", 2, 2, (), 0, False, 1.0, 1.0, 0)]
    >>> m = unit_model(tpl, [("a", i) for i in range(4)], {"a": np.ones(4)},
    ...                {"a": wfm.ShiftRule()}, penalty=6.0)
    >>> m.A.toarray().astype(int)
    array([[1, 1, 0],
           [0, 1, 0],
           [1, 0, 1],
           [1, 1, 1]])
    >>> m.cost.tolist(), m.ub.tolist()
    ([3.0, 3.0, 1.0], [1.0, 1.0, 1.0])
    """
    row = {gi: n for n, gi in enumerate(need)}
    _, ub_z = variable_bounds(templates, req, rule_map)
    ub_x, _ = variable_bounds(templates, req, {g: ShiftRule() for g in rule_map})
    unit_t: list[int] = []
    unit_b: list[int] = []
    cost: list[float] = []
    ub: list[float] = []
    day_key: list[tuple[str, int] | None] = []
    rows: list[int] = []
    cols: list[int] = []
    for j, t in enumerate(templates):
        r = req[t.group]
        work = [i for i in range(t.start, t.end) if r[i] > 0]
        placements = range(len(t.break_offsets)) if t.break_offsets else [-1]
        cap = rule_map[t.group].max_agents
        for k in placements:
            c = len(unit_t)
            if k >= 0:
                b0 = t.start + t.break_offsets[k]
                on = [i for i in work if not b0 <= i < b0 + t.break_length]
                bound = ub_z[j]
            else:
                on = work
                bound = ub_x[j] if cap is None else min(ub_x[j], cap)
            rows.extend(row[(t.group, i)] for i in on)
            cols.extend([c] * len(on))
            unit_t.append(j)
            unit_b.append(k)
            cost.append(t.cost)
            ub.append(float(bound))
            day_key.append((t.group, t.day) if cap is not None else None)
    n = len(unit_t)
    A = sp.csc_matrix((np.ones(len(rows)), (np.asarray(rows, dtype=np.int64),
                                             np.asarray(cols, dtype=np.int64))),
                      shape=(len(need), n))
    days: dict[tuple[str, int], int] = {}
    day_of_unit = np.full(n, -1, dtype=np.int64)
    for c, key in enumerate(day_key):
        if key is not None:
            day_of_unit[c] = days.setdefault(key, len(days))
    caps = np.zeros(len(days))
    for (g, _d), h in days.items():
        caps[h] = float(rule_map[g].max_agents or 0)
    return UnitModel(
        unit_template=np.asarray(unit_t, dtype=np.int64),
        unit_break=np.asarray(unit_b, dtype=np.int64),
        cost=np.asarray(cost, dtype=float),
        ub=np.asarray(ub, dtype=float),
        A=A,
        required=np.asarray([float(req[g][i]) for g, i in need], dtype=float),
        day_of_unit=day_of_unit,
        caps=caps,
        penalty=float(penalty),
    )


def repair(m: UnitModel, y0: FloatArray) -> FloatArray:
    """Make a unit plan integral and feasible, cover what it can and drop agents nobody
    needs.

    From ``y0`` rounded down and clipped to the bounds and headcounts: while some row
    is short, add one agent on the unit that covers most short rows per cost (with
    room under its bound and headcount; none covering a short row: the rest is
    shortfall); then, dearest first, drop agents whose every covered row has a surplus.

    Parameters
    ----------
    m : UnitModel
        The block's model.
    y0 : numpy.ndarray
        A plan (e.g. the LP relaxation's or a previous round's), per unit.

    Returns
    -------
    numpy.ndarray
        Integral, within bounds and headcounts.

    Examples
    --------
    >>> import numpy as np, wfm
    >>> tpl = [ShiftTemplate("a", s, 2, (), 0, False, 2.0, 2.0, 0) for s in range(3)]
    >>> m = unit_model(tpl, [("a", i) for i in range(4)], {"a": np.ones(4)},
    ...                {"a": wfm.ShiftRule()}, penalty=4.0)
    >>> repair(m, np.array([0.5, 0.5, 0.5])).tolist()
    [1.0, 0.0, 1.0]
    """
    y = np.clip(np.floor(np.asarray(y0, dtype=float) + 1e-6), 0.0, m.ub)
    heads = m._heads(y)
    over = np.flatnonzero(heads > m.caps + 1e-9)
    for h in over.tolist():  # over a headcount: drop the dearest agents of that day
        for c in np.argsort(-m.cost).tolist():
            if heads[h] <= m.caps[h] + 1e-9:
                break
            if m.day_of_unit[c] == h and y[c] > 0:
                drop = min(y[c], heads[h] - m.caps[h])
                y[c] -= drop
                heads[h] -= drop
    A = m.A
    At = A.T.tocsr()
    cover = A @ y
    has_day = m.day_of_unit >= 0
    # fill: one agent at a time on the unit covering most short rows per cost
    while True:
        short = (m.required - cover) > 1e-9
        if not short.any():
            break
        gain = At @ short.astype(float)
        room = y < m.ub - 1e-9
        room[has_day] &= heads[m.day_of_unit[has_day]] < m.caps[m.day_of_unit[has_day]] - 1e-9
        score = np.where(room & (gain > 0), gain / np.maximum(m.cost, 1e-12), -1.0)
        c = int(np.argmax(score))
        if score[c] <= 0:
            break
        y[c] += 1
        cover[A.indices[A.indptr[c]:A.indptr[c + 1]]] += 1.0
        if has_day[c]:
            heads[m.day_of_unit[c]] += 1
    # prune: dearest first, drop an agent whose rows all have a surplus of at least one
    surplus = cover - np.maximum(m.required, 0.0)
    for c in np.argsort(-m.cost, kind="stable").tolist():
        if y[c] <= 0:
            continue
        rows = A.indices[A.indptr[c]:A.indptr[c + 1]]
        while y[c] > 0:
            # a row already short stays short: dropping loses penalty; only surplus rows
            if rows.size and surplus[rows].min() < 1.0 - 1e-9:
                break
            y[c] -= 1
            surplus[rows] -= 1.0
    return y


def dive(h: object, m: UnitModel, y: FloatArray, *, time_limit: float) -> FloatArray | None:
    """Fractional diving on the LP: fix the unit closest to its next whole number up to
    it, solve the LP again (a few dual simplex steps from the last basis), until the LP
    plan is integral.

    Parameters
    ----------
    h : highspy.Highs
        The solver holding the LP relaxation, solved; its bounds are changed.
    m : UnitModel
        The model.
    y : numpy.ndarray
        The LP plan (units).
    time_limit : float
        Seconds; the dive gives up (None) after it.

    Returns
    -------
    numpy.ndarray or None
        An integral plan, or None when an LP failed or time ran out.
    """
    t0 = time.perf_counter()
    n = m.n_units
    for _ in range(4 * n + 1):
        f = y - np.floor(y + 1e-6)
        frac = np.flatnonzero((f > 1e-6) & (f < 1 - 1e-6))
        if frac.size == 0:
            return np.round(y)
        if time.perf_counter() - t0 > time_limit:
            return None
        c = int(frac[np.argmax(f[frac])])
        h.changeColBounds(c, float(np.ceil(y[c])), float(m.ub[c]))  # type: ignore[attr-defined]
        h.run()  # type: ignore[attr-defined]
        if str(h.getModelStatus()) != "HighsModelStatus.kOptimal":  # type: ignore[attr-defined]
            return None
        values = _values(h, n)
        if values is None:
            return None
        y = values
    return None


def _highs(m: UnitModel, *, integer: bool, time_limit: float, gap: float, tee: bool,
           start: FloatArray | None = None,
           opts: Mapping[str, float | int | bool] | None = None) -> tuple[object, float]:
    """Run HiGHS on the model (LP relaxation or MIP); returns the solver and its wall time."""
    import highspy

    n = m.n_units
    nrow = m.required.size
    nu = nrow
    # rows: coverage, then headcount; columns: units, then one shortfall per coverage row
    has = np.flatnonzero(m.day_of_unit >= 0)
    heads = sp.csc_matrix((np.ones(has.size), (m.day_of_unit[has], has)), shape=(m.caps.size, n))
    short = sp.vstack([sp.identity(nu, format="csc"), sp.csc_matrix((m.caps.size, nu))])
    full = sp.hstack([sp.vstack([m.A, heads]), short]).tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = n + nu
    lp.num_row_ = nrow + m.caps.size
    lp.col_cost_ = np.concatenate([m.cost, np.full(nu, m.penalty)])
    lp.col_lower_ = np.zeros(n + nu)
    lp.col_upper_ = np.concatenate([m.ub, np.full(nu, highspy.kHighsInf)])
    lp.row_lower_ = np.concatenate([m.required, np.full(m.caps.size, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([np.full(nrow, highspy.kHighsInf), m.caps])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(full.indptr, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(full.indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(full.data, dtype=float)
    if integer:
        lp.integrality_ = ([highspy.HighsVarType.kInteger] * n
                           + [highspy.HighsVarType.kContinuous] * nu)
    h = highspy.Highs()
    h.setOptionValue("output_flag", bool(tee))
    h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    h.setOptionValue("mip_rel_gap", float(gap))
    h.setOptionValue("threads", 1)
    for k, v in (opts or {}).items():
        h.setOptionValue(k, v)
    h.passModel(lp)
    if integer and start is not None:
        sol = highspy.HighsSolution()
        short = np.maximum(m.required - m.A @ start, 0.0)
        sol.col_value = np.concatenate([start, short]).tolist()
        h.setSolution(sol)
    t0 = time.perf_counter()
    h.run()
    return h, time.perf_counter() - t0


def _values(h: object, n: int) -> FloatArray | None:
    sol = h.getSolution()  # type: ignore[attr-defined]
    if not sol.value_valid:
        return None
    return np.asarray(sol.col_value[:n], dtype=float)


def solve_block_direct(
    templates: Sequence[ShiftTemplate],
    need: Sequence[tuple[str, int]],
    req: Mapping[str, FloatArray],
    rule_map: Mapping[str, ShiftRule],
    *,
    penalty: float,
    time_limit: float,
    gap: float,
    tee: bool = False,
    warm: tuple[Sequence[int], Sequence[Sequence[int]]] | None = None,
) -> BlockSolution:
    """Solve one block: LP relaxation, rounding with a repair, and the MIP when needed.

    Parameters
    ----------
    templates, need, req, rule_map, penalty, time_limit, gap, tee
        As :func:`wfm.scheduling.model.solve_block`.
    warm : (counts, zcounts), optional
        A plan to start from (e.g. the last round's): repaired to this requirement, it
        is kept when it is cheaper than the rounded LP plan.

    Returns
    -------
    BlockSolution
        ``status`` is optimal when the plan is proven within ``gap`` of the bound (the
        LP relaxation's, or the MIP's), ``bound`` that bound; ``build_seconds`` is the
        model and the rounding, ``solve_seconds`` the HiGHS calls.

    Examples
    --------
    Two intervals needing 1 and 2 agents, one-interval and two-interval shifts:

    >>> import numpy as np, wfm
    >>> tpl = [ShiftTemplate("a", 0, 1, (), 0, False, 1.0, 1.0, 0),
    ...        ShiftTemplate("a", 1, 1, (), 0, False, 1.0, 1.0, 0),
    ...        ShiftTemplate("a", 0, 2, (), 0, False, 1.5, 1.5, 0)]
    >>> sol = solve_block_direct(tpl, [("a", 0), ("a", 1)], {"a": np.array([1.0, 2.0])},
    ...                          {"a": wfm.ShiftRule()}, penalty=3.0, time_limit=5, gap=0.0)
    >>> sol.counts, sol.status, sol.objective
    ([0, 1, 1], <SolverStatus.OPTIMAL: 'optimal'>, 2.5)
    """
    t0 = time.perf_counter()
    m = unit_model(templates, need, req, rule_map, penalty)
    build_s = time.perf_counter() - t0
    solve_s = 0.0
    h, s = _highs(m, integer=False, time_limit=time_limit, gap=gap, tee=tee)
    solve_s += s
    lp_y = _values(h, m.n_units)
    t1 = time.perf_counter()
    bound: float | None = None
    candidates: list[FloatArray] = []
    if lp_y is not None and str(h.getModelStatus()) == "HighsModelStatus.kOptimal":  # type: ignore[attr-defined]
        bound = float(h.getInfo().objective_function_value)  # type: ignore[attr-defined]
        candidates.extend(repair(m, np.floor(lp_y + 1.0 - th)) for th in ROUNDING_THRESHOLDS)
        build_s += time.perf_counter() - t1
        t2 = time.perf_counter()
        dived = dive(h, m, lp_y, time_limit=max(time_limit - solve_s, 0.0) / 2)
        solve_s += time.perf_counter() - t2
        t1 = time.perf_counter()
        if dived is not None:
            candidates.append(repair(m, dived))
    if warm is not None:
        candidates.append(repair(m, m.from_counts(*warm)))
    if not candidates:
        candidates.append(repair(m, np.zeros(m.n_units)))
    objs = [m.objective(y) for y in candidates]
    best_i = int(np.argmin(objs))
    best, best_obj = candidates[best_i], objs[best_i]
    build_s += time.perf_counter() - t1
    status = SolverStatus.OPTIMAL
    proven = bound is not None and _within(best_obj, bound, gap)
    if not proven:
        left = time_limit - solve_s
        status = SolverStatus.TIME_LIMIT
        if left > 0.01:
            h, s = _highs(m, integer=True, time_limit=left, gap=gap, tee=tee, start=best)
            solve_s += s
            y = _values(h, m.n_units)
            info = h.getInfo()  # type: ignore[attr-defined]
            mip_bound = float(info.mip_dual_bound)
            if math.isfinite(mip_bound):
                bound = max(bound, mip_bound) if bound is not None else mip_bound
            if y is not None:
                y = np.round(y)
                if m.feasible(y) and m.objective(y) <= best_obj + 1e-9:
                    best, best_obj = y, m.objective(y)
            status = SolverStatus.from_termination(_termination(h))
            if status is SolverStatus.OPTIMAL and not (bound is not None
                                                       and _within(best_obj, bound, gap)):
                # HiGHS's word alone is not taken: the plan kept must be within the gap
                status = SolverStatus.TIME_LIMIT
    counts, zcounts = m.to_counts(best, templates)
    return BlockSolution(
        counts=counts,
        zcounts=zcounts,
        status=status,
        objective=best_obj,
        bound=bound,
        build_seconds=build_s,
        solve_seconds=solve_s,
        n_columns=len(templates) + sum(len(t.break_offsets) for t in templates),
    )


def _within(objective: float, bound: float, gap: float) -> bool:
    """Whether ``objective`` is within the relative ``gap`` of ``bound`` (HiGHS's
    tolerances allowed for)."""
    diff = objective - bound
    return diff <= max(gap * abs(objective), 1e-6 * max(1.0, abs(objective)))


def _termination(h: object) -> str:
    """HiGHS's model status as the termination text :class:`SolverStatus` reads."""
    text = str(h.getModelStatus())  # type: ignore[attr-defined]
    return {
        "HighsModelStatus.kOptimal": "optimal",
        "HighsModelStatus.kTimeLimit": "time limit",
        "HighsModelStatus.kInfeasible": "TerminationCondition.infeasible",
        "HighsModelStatus.kUnbounded": "TerminationCondition.unbounded",
        "HighsModelStatus.kUnboundedOrInfeasible": "TerminationCondition.infeasibleOrUnbounded",
        "HighsModelStatus.kIterationLimit": "TerminationCondition.maxIterations",
        "HighsModelStatus.kObjectiveBound": "TerminationCondition.objectiveLimit",
        "HighsModelStatus.kObjectiveTarget": "TerminationCondition.objectiveLimit",
        "HighsModelStatus.kInterrupt": "TerminationCondition.interrupted",
    }.get(text, "TerminationCondition.unknown")
