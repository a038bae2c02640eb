"""A greedy plan: the solver's starting point, so that a time limit always leaves a plan."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from wfm.scenario import ShiftRule
from wfm.scheduling.templates import ShiftTemplate

__all__ = ["coverage_of", "greedy_plan"]


def coverage_of(
    templates: Sequence[ShiftTemplate],
    counts: Sequence[int],
    zcounts: Sequence[Sequence[int]],
    req: Mapping[str, npt.NDArray[np.float64]],
) -> dict[tuple[str, int], int]:
    """Agents on the floor per ``(group, interval)`` with a requirement.

    Parameters
    ----------
    templates : sequence of ShiftTemplate
        The templates the counts refer to.
    counts : sequence of int
        Agents per template.
    zcounts : sequence of sequences of int
        Per template, agents per break placement.
    req : mapping of group name to float array
        Agents required per interval; only intervals with a requirement are counted.

    Returns
    -------
    dict of (str, int) to int
        Agents working and not on break; intervals nobody works are left out.

    Examples
    --------
    >>> import numpy as np
    >>> t = ShiftTemplate("a", 0, 4, (1, 2), 1, False, 3.0, 3.0, 0)
    >>> coverage_of([t], [3], [[1, 2]], {"a": np.ones(4)})
    {('a', 0): 3, ('a', 1): 2, ('a', 2): 1, ('a', 3): 3}
    """
    cover: dict[tuple[str, int], int] = {}
    for j, t in enumerate(templates):
        if not counts[j]:
            continue
        r = req[t.group]
        for i in range(t.start, t.end):
            if r[i] > 0:
                cover[(t.group, i)] = cover.get((t.group, i), 0) + counts[j]
        for k, c in enumerate(zcounts[j]):
            b0 = t.start + t.break_offsets[k]
            for i in range(b0, b0 + t.break_length):
                if c and r[i] > 0:
                    cover[(t.group, i)] -= c
    return cover


def greedy_plan(
    templates: Sequence[ShiftTemplate],
    need: Sequence[tuple[str, int]],
    req: Mapping[str, npt.NDArray[np.float64]],
    rule_map: Mapping[str, ShiftRule],
    ub_x: Sequence[int],
    ub_z: Sequence[int],
) -> tuple[list[int], list[list[int]]]:
    """A feasible plan, built left to right.

    Wherever the requirement is not yet covered, add agents on the latest-starting
    template that covers the interval (of those, the one covering most still-uncovered
    intervals per cost), each agent's break where coverage has most to spare, within the
    variables' bounds and the headcount.

    Parameters
    ----------
    templates : sequence of ShiftTemplate
        The block's templates.
    need : sequence of (str, int)
        ``(group, interval)`` with a requirement, visited in sorted order.
    req : mapping of group name to float array
        Agents required per interval.
    rule_map : mapping of group name to ShiftRule
        Gives ``max_agents`` per group and clock day.
    ub_x : sequence of int
        Most agents per template.
    ub_z : sequence of int
        Most agents per break placement of each template.

    Returns
    -------
    counts : list of int
        Agents per template.
    zcounts : list of list of int
        Per template, agents per break placement (summing to its count).

    Examples
    --------
    >>> import numpy as np, wfm
    >>> tpl = [ShiftTemplate("a", s, 4, (), 0, False, 4.0, 4.0, 0) for s in range(5)]
    >>> req = {"a": np.array([1.0, 1, 2, 2, 2, 2, 1, 1])}
    >>> greedy_plan(tpl, [("a", i) for i in range(8)], req, {"a": wfm.ShiftRule()},
    ...             [2] * 5, [2] * 5)
    ([1, 0, 1, 0, 1], [[], [], [], [], []])
    """
    gx = [0] * len(templates)
    gz = [[0] * len(t.break_offsets) for t in templates]
    cover: dict[tuple[str, int], float] = {}
    heads: dict[tuple[str, int], int] = {}
    by_group: dict[str, list[int]] = {}
    for j, t in enumerate(templates):
        by_group.setdefault(t.group, []).append(j)

    def useful(t: ShiftTemplate, i: int, r: npt.NDArray[np.float64]) -> float:
        # uncovered intervals from i on that one more agent on t would cover, per cost
        gain = sum(1.0 for b in range(i, t.end) if r[b] - cover.get((t.group, b), 0.0) > 1e-9)
        return gain / max(t.cost, 1e-9)

    def slack(t: ShiftTemplate, k: int, r: npt.NDArray[np.float64]) -> float:
        # what coverage has to spare where placement k's break falls
        b0 = t.start + t.break_offsets[k]
        return float(min(cover.get((t.group, b), 0.0) - r[b] for b in range(b0, b0 + t.break_length)))

    for g, i in sorted(need):
        r = req[g]
        deficit = math.ceil(float(r[i]) - cover.get((g, i), 0.0) - 1e-9)
        if deficit <= 0:
            continue
        cands = [j for j in by_group.get(g, ()) if templates[j].start <= i < templates[j].end]
        cands.sort(key=lambda j: (-templates[j].start, -useful(templates[j], i, r)))
        cap = rule_map[g].max_agents
        for j in cands:
            if deficit <= 0:
                break
            t = templates[j]
            room = ub_x[j] - gx[j]
            if cap is not None:
                room = min(room, cap - heads.get((g, t.day), 0))
            # placements whose break is not in interval i
            ks = [k for k, o in enumerate(t.break_offsets)
                  if not t.start + o <= i < t.start + o + t.break_length]
            if room <= 0 or (t.break_offsets and not ks):
                continue
            n = 0
            while n < min(deficit, room):
                if ks:
                    # the first placement with most slack, then fewest breaks so far
                    k = ks[0]
                    best = (slack(t, k, r), -gz[j][k])
                    for kk in ks[1:]:
                        key = (slack(t, kk, r), -gz[j][kk])
                        if key > best:
                            k, best = kk, key
                    if gz[j][k] >= ub_z[j]:
                        break
                    gz[j][k] += 1
                    b0 = t.start + t.break_offsets[k]
                    for b in range(b0, b0 + t.break_length):
                        cover[(g, b)] = cover.get((g, b), 0.0) - 1
                n += 1
            if n == 0:
                continue
            gx[j] += n
            heads[(g, t.day)] = heads.get((g, t.day), 0) + n
            for b in range(t.start, t.end):
                cover[(g, b)] = cover.get((g, b), 0.0) + n
            deficit -= n
    return gx, gz
