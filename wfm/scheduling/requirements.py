"""The requirement a schedule covers: agents per interval per group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from wfm.scenario import Scenario

__all__ = ["RequirementInput", "group_requirements"]

RequirementInput: TypeAlias = pd.DataFrame | Mapping[str, Any]
"""A requirement as :func:`wfm.scheduling.schedule` accepts it."""


def group_requirements(
    scenario: Scenario, requirements: RequirementInput | None
) -> dict[str, npt.NDArray[np.float64]]:
    """Agents required per interval per group, one float array per group.

    Parameters
    ----------
    scenario : Scenario
        Gives the horizon and the groups.
    requirements : DataFrame or mapping or None
        The long DataFrame of :func:`wfm.staffing.requirements` (its ``level == "group"``
        rows), a DataFrame with columns ``group, interval, required``, or ``{group:
        per-interval agents}`` (a number means every interval). None: the requirement of
        :func:`wfm.staffing.requirements`.

    Returns
    -------
    dict of str to numpy.ndarray
        Every group of the scenario (in its order after those given), agents per
        interval (length horizon); 0 for groups and intervals left out.

    Raises
    ------
    ValueError
        For a group that is not in the scenario, values that are not finite numbers
        >= 0, a wrong length or an interval outside the horizon (the message names
        ``requirements[<group>]`` and the problem), or missing DataFrame columns.
    TypeError
        For a requirement of another type.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> req = group_requirements(sc, {"voice": 2})
    >>> list(req), req["voice"][:3], req["digital"][:3]
    (['voice', 'blended', 'digital'], array([2., 2., 2.]), array([0., 0., 0.]))
    >>> group_requirements(sc, {"voice": [1, 2]})
    Traceback (most recent call last):
    ...
    ValueError: requirements['voice']: has 2 values but the horizon is 24
    """
    H = scenario.horizon
    groups = scenario.group_names
    if requirements is None:
        from wfm.staffing import requirements as staffing_requirements

        requirements = staffing_requirements(scenario)
    if isinstance(requirements, pd.DataFrame):
        df = requirements
        if "level" in df.columns:
            df = df[df["level"] == "group"].rename(columns={"name": "group"})
        missing = {"group", "interval", "required"} - set(df.columns)
        if missing:
            raise ValueError(
                "requirements: a DataFrame needs columns group, interval, required (or the"
                f" long format of wfm.staffing.requirements); missing {', '.join(sorted(missing))}"
            )
        data: dict[str, Any] = {}
        for g, part in df.groupby("group", sort=False):
            arr = np.zeros(H)
            idx = part["interval"].to_numpy(dtype=np.int64)
            if idx.size and (idx.min() < 0 or idx.max() >= H):
                raise ValueError(f"requirements: group {g!r} has an interval outside 0..{H - 1}")
            arr[idx] = part["required"].to_numpy(dtype=float)
            data[str(g)] = arr
        requirements = data
    if not isinstance(requirements, Mapping):
        raise TypeError(
            "requirements must be a DataFrame, a mapping of group to per-interval agents or None,"
            f" not {type(requirements).__name__}"
        )
    out: dict[str, npt.NDArray[np.float64]] = {}
    for g, values in requirements.items():
        if g not in groups:
            raise ValueError(
                f"requirements: {g!r} names no agent group (groups: {', '.join(groups)})"
            )
        arr = np.asarray(values, dtype=float)
        if arr.ndim == 0:
            arr = np.full(H, float(arr))
        if arr.shape != (H,):
            raise ValueError(f"requirements[{g!r}]: has {arr.size} values but the horizon is {H}")
        bad = np.flatnonzero(~np.isfinite(arr) | (arr < 0))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"requirements[{g!r}]: must be finite numbers >= 0 (got {arr[i]:g} at interval {i})"
            )
        out[g] = arr
    for g in groups:
        out.setdefault(g, np.zeros(H))
    return out
