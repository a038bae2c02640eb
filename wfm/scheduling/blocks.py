"""The covering model's independent blocks.

Two intervals with a requirement are in the same block when a template covers both or
when their templates share a headcount row (same group and clock day, with
``max_agents``). Blocks share no variable and no row, so solving each on its own is
exact.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wfm.scenario import ShiftRule
from wfm.scheduling.templates import ShiftTemplate

__all__ = ["Block", "split_blocks"]


@dataclass(frozen=True)
class Block:
    """One independent part of the model.

    Attributes
    ----------
    templates : list of int
        Indices (into the template list given to :func:`split_blocks`) of the block's
        templates.
    need : list of (str, int)
        ``(group, interval)`` of every interval with a requirement the block covers.
    """

    templates: list[int]
    need: list[tuple[str, int]]


def split_blocks(
    req: Mapping[str, npt.NDArray[np.float64]],
    templates: Sequence[ShiftTemplate],
    rule_map: Mapping[str, ShiftRule],
) -> list[Block]:
    """Split the model into independent blocks (exact).

    Parameters
    ----------
    req : mapping of group name to float array
        Agents required per interval (length horizon) per group.
    templates : sequence of ShiftTemplate
        Each covers at least one interval with a requirement.
    rule_map : mapping of group name to ShiftRule
        Gives ``max_agents`` (a headcount row links a group's templates of one day).

    Returns
    -------
    list of Block
        In the order of each block's first template. A required interval no template
        reaches is in no block (it is shortfall whatever the solver does).

    Examples
    --------
    >>> import numpy as np, wfm
    >>> from wfm.scheduling.templates import ShiftTemplate
    >>> req = {"a": np.array([1.0, 1.0, 0.0, 0.0, 2.0, 2.0])}
    >>> tpl = [ShiftTemplate("a", s, 2, (), 0, False, 2.0, 2.0, 0) for s in (0, 4)]
    >>> split_blocks(req, tpl, {"a": wfm.ShiftRule()})
    [Block(templates=[0], need=[('a', 0), ('a', 1)]), Block(templates=[1], need=[('a', 4), ('a', 5)])]
    >>> len(split_blocks(req, tpl, {"a": wfm.ShiftRule(max_agents=3)}))   # one headcount row
    1
    """
    need = [(g, i) for g, r in req.items() for i in np.flatnonzero(r > 0).tolist()]
    node = {gi: n for n, gi in enumerate(need)}
    parent = list(range(len(need)))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra

    first: list[int] = []
    day_anchor: dict[tuple[str, int], int] = {}
    for t in templates:
        r = req[t.group]
        covered = [node[(t.group, i)] for i in range(t.start, t.end) if r[i] > 0]
        for n in covered[1:]:
            union(covered[0], n)
        first.append(covered[0])
        if rule_map[t.group].max_agents is not None:
            key = (t.group, t.day)
            if key in day_anchor:
                union(day_anchor[key], covered[0])
            else:
                day_anchor[key] = covered[0]
    by_root: dict[int, Block] = {}
    for j, n in enumerate(first):
        by_root.setdefault(find(n), Block([], [])).templates.append(j)
    for gi, n in node.items():
        root = find(n)
        if root in by_root:  # requirement no template reaches stays as shortfall
            by_root[root].need.append(gi)
    return list(by_root.values())
