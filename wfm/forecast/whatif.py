"""What-ifs on a scenario's interval volumes: surge events and channel mix shifts.

Each function takes a :class:`~wfm.scenario.Scenario` and returns a new, revalidated
one; the input is never changed. Volumes are contacts offered per interval (before
deflection), times are seconds, shares are fractions in [0, 1].

* :func:`surge` - a sudden rise on one channel that decays exponentially, e.g. a viral
  social post: the volume of the start interval is multiplied by ``peak`` and the extra
  volume halves every ``half_life`` seconds after it.
* :func:`mix_shift` - a share of one channel's volume moves to another channel, e.g.
  callers moving to in-app messaging, optionally with a different handle time there.
* :func:`surge_multipliers` - the multiplier per interval that :func:`surge` applies.

They are also sweep spec keys (see :mod:`wfm.sweep`)::

    surge: {channel: social, start: [10], peak: [3, 6], half_life_minutes: 60}
    mix_shift: {from: phone, to: messaging, share: [0, 0.2, 0.33], aht: 540}

Examples
--------
>>> import wfm
>>> from wfm.forecast import mix_shift, surge
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")
>>> viral = surge(sc, "social", start="13:00", peak=6, half_life=3600)
>>> at_one = sc.interval_labels().index("13:00")
>>> sc.channels["social"].volume[at_one], viral.channels["social"].volume[at_one]
(15.0, 90.0)
>>> shifted = mix_shift(sc, "phone", "messaging", share=0.2, aht=540)
>>> sum(sc.channels["phone"].volume), sum(shifted.channels["phone"].volume)
(2895.0, 2316.0)
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

from wfm.scenario import Scenario, ScenarioError

__all__ = ["mix_shift", "surge", "surge_multipliers"]


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ScenarioError([(path, f"must be a number (got {value!r})")])
    value = float(value)
    if not math.isfinite(value):
        raise ScenarioError([(path, f"must be a finite number (got {value})")])
    return value


def _channel(scenario: Scenario, name: Any, path: str) -> str:
    if not isinstance(name, str) or name not in scenario.channels:
        raise ScenarioError(
            [(path, f"names no channel (got {name!r}; channels: {', '.join(scenario.channels)})")]
        )
    return name


def _start_interval(scenario: Scenario, start: Any, path: str) -> int:
    """An interval index, or a clock label of ``scenario.interval_labels()``."""
    if isinstance(start, str):
        labels = scenario.interval_labels()
        if start not in labels:
            raise ScenarioError(
                [(path, f"{start!r} is not the start of an interval ({labels[0]} .. {labels[-1]}"
                        f" every {scenario.interval_minutes} min)")]
            )
        return labels.index(start)
    if isinstance(start, bool) or not isinstance(start, int | np.integer):
        if isinstance(start, float) and start.is_integer():
            start = int(start)
        else:
            raise ScenarioError(
                [(path, f"must be an interval index or a clock label 'HH:MM' (got {start!r})")]
            )
    if not 0 <= int(start) < scenario.horizon:
        raise ScenarioError(
            [(path, f"must be an interval in 0..{scenario.horizon - 1} (got {start})")]
        )
    return int(start)


def surge_multipliers(
    horizon: int, interval_seconds: float, start: int, peak: float, half_life: float
) -> np.ndarray:
    """Volume multiplier per interval of a surge.

    Parameters
    ----------
    horizon : int
        Number of intervals.
    interval_seconds : float
        Interval length, seconds.
    start : int
        Index of the first interval of the surge.
    peak : float
        Multiplier of the start interval (>= 1; 1 = no surge).
    half_life : float
        Seconds after which the extra volume has halved (> 0).

    Returns
    -------
    numpy.ndarray
        Length ``horizon``: 1 before ``start``; ``1 + (peak - 1) * 0.5 ** (k *
        interval_seconds / half_life)`` for interval ``start + k``.

    Examples
    --------
    >>> surge_multipliers(5, 1800, start=1, peak=5, half_life=1800).tolist()
    [1.0, 5.0, 3.0, 2.0, 1.5]
    """
    m = np.ones(int(horizon))
    k = np.arange(int(horizon) - int(start), dtype=float)
    m[int(start):] = 1.0 + (float(peak) - 1.0) * 0.5 ** (k * float(interval_seconds) / float(half_life))
    return m


def surge(
    scenario: Scenario,
    channel: str,
    start: int | str,
    peak: float,
    half_life: float,
) -> Scenario:
    """The scenario with a surge on one channel (a viral post, an outage elsewhere...).

    The volume of interval ``start`` is multiplied by ``peak``; after it the extra
    volume decays exponentially, halving every ``half_life`` seconds: interval
    ``start + k`` is multiplied by ``1 + (peak - 1) * 0.5 ** (k * L / half_life)`` with
    ``L`` the interval length in seconds. Intervals before ``start`` are unchanged.
    Nothing else (staff, AHT, targets) changes.

    Parameters
    ----------
    scenario : Scenario
    channel : str
        Name of the channel that surges.
    start : int or str
        First interval of the surge: its index (0-based) or its clock label as in
        ``scenario.interval_labels()``, e.g. ``"13:00"``.
    peak : float
        Volume multiplier of the start interval, >= 1 (1 = no surge).
    half_life : float
        Decay half-life of the extra volume, seconds (> 0).

    Returns
    -------
    Scenario
        A new, validated scenario.

    Raises
    ------
    ScenarioError
        Naming ``surge.channel``, ``surge.start``, ``surge.peak`` or
        ``surge.half_life`` when a value is invalid.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> viral = surge(sc, "social", start="13:00", peak=6, half_life=3600)
    >>> round(sum(viral.channels["social"].volume) / sum(sc.channels["social"].volume), 2)
    1.73
    """
    _channel(scenario, channel, "surge.channel")
    i0 = _start_interval(scenario, start, "surge.start")
    peak = _number(peak, "surge.peak")
    if peak < 1:
        raise ScenarioError([("surge.peak", f"must be >= 1, a multiplier of the volume (got {peak:g})")])
    half_life = _number(half_life, "surge.half_life")
    if half_life < 1:
        raise ScenarioError([("surge.half_life", f"must be at least 1 second (got {half_life:g})")])
    m = surge_multipliers(scenario.horizon, scenario.interval_seconds, i0, peak, half_life)
    volume = np.asarray(scenario.channels[channel].volume, float) * m
    return scenario.with_values({f"channels.{channel}.volume": volume.tolist()})


def mix_shift(
    scenario: Scenario,
    source: str,
    dest: str,
    share: float,
    aht: float | None = None,
) -> Scenario:
    """The scenario with a share of one channel's volume moved to another channel.

    In every interval ``share * volume`` contacts leave ``source`` and arrive on
    ``dest`` (at the same time of day). The moved contacts take ``aht`` seconds on the
    destination; the scenario has one AHT per channel, so the destination's AHT becomes
    the volume-weighted mean over the horizon of its own AHT and ``aht``. Moved contacts
    follow the destination's rules: its kind, patience, concurrency, deflection and
    target.

    Parameters
    ----------
    scenario : Scenario
    source : str
        Channel that loses volume.
    dest : str
        Channel that gains it (not ``source``).
    share : float
        Fraction of the source's volume that moves, in [0, 1].
    aht : float, optional
        Mean handle (session) time of the moved contacts on the destination, seconds
        (> 0). Default: the destination's own AHT (the destination's AHT is unchanged).

    Returns
    -------
    Scenario
        A new, validated scenario.

    Raises
    ------
    ScenarioError
        Naming ``mix_shift.from``, ``mix_shift.to``, ``mix_shift.share`` or
        ``mix_shift.aht`` when a value is invalid.

    Examples
    --------
    >>> import wfm
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml")
    >>> shifted = mix_shift(sc, "phone", "messaging", share=0.2, aht=540)
    >>> round(shifted.channels["messaging"].aht, 1)
    579.7
    """
    _channel(scenario, source, "mix_shift.from")
    _channel(scenario, dest, "mix_shift.to")
    if source == dest:
        raise ScenarioError([("mix_shift.to", f"must differ from mix_shift.from (both {source!r})")])
    share = _number(share, "mix_shift.share")
    if not 0 <= share <= 1:
        raise ScenarioError([("mix_shift.share", f"must be in [0, 1] (got {share:g})")])
    dst = scenario.channels[dest]
    if aht is not None:
        aht = _number(aht, "mix_shift.aht")
        if aht <= 0:
            raise ScenarioError([("mix_shift.aht", f"must be > 0 seconds (got {aht:g})")])
    src_volume = np.asarray(scenario.channels[source].volume, float)
    moved = share * src_volume
    dst_volume = np.asarray(dst.volume, float)
    changes: dict[str, Any] = {
        f"channels.{source}.volume": (src_volume - moved).tolist(),
        f"channels.{dest}.volume": (dst_volume + moved).tolist(),
    }
    if aht is not None and moved.sum() > 0:
        own, extra = dst_volume.sum(), moved.sum()
        changes[f"channels.{dest}.aht"] = (own * dst.aht + extra * aht) / (own + extra)
    return scenario.with_values(changes)
