"""The simulate-and-correct staffing loop: schedule to the analytic requirement, simulate
the schedule, raise the requirement where a channel misses its target, schedule again.

The loop
--------
1. Requirement: :func:`wfm.staffing.channel_requirements` plus the corrections so far
   (agents per channel per interval), shared among the groups by the group rule of
   :mod:`wfm.staffing`.
2. Schedule: :func:`wfm.scheduling.schedule` (pyomo + HiGHS) to that group requirement.
3. Check: :func:`wfm.sim.engine.simulate` of the scenario with the scheduled staff, with
   ``replications`` replications and a fresh seed each round (``seed + round - 1``).
   With the same seed every round the loop would stop on a plan that only that seed's
   luck carries (a seed that runs a few points high stays high for every staffing).
4. Judge every channel (the "meets" rule below). If all meet: done (converged). Else
   raise the channel's requirement in each interval it missed, by one agent per 10
   points of service level short of the target (at least one); when only the day
   missed, by one agent in every interval below the target. Back to 1.

It stops when every channel meets its target (``converged``), when a round's schedule
is the same as an earlier round's or the raised requirement went entirely into
shortfall (it cannot be covered any better, e.g. ``max_agents`` or no shift reaching
the intervals: see the schedule's shortfall), when ``patience`` rounds in a row neither
improve the miss score nor add agents, or after ``max_iterations`` rounds. ``reason`` says
which. A plan that did not converge returns the best round (fewest channels missed,
then lowest miss score, then cost).

The "meets" rule
----------------
A channel meets its target when both hold, on the replications pooled:

* the **day**: its service level over the horizon (the simulation summary's, pending
  deferred work left out) reaches the target with one-sided ``confidence`` (default
  95%): ``service_level - z * se >= target``, with ``se`` the standard deviation of the
  replications' day service levels over sqrt(replications), the standard deviation
  pooled over every round so far (within rounds; the binomial error with one
  replication). Without this margin the loop stops on the round whose seed happened to
  be lucky: on the baseline, phone's day service level varies by about 4 points
  from one replication to the next;
* every **interval with meaningful volume**: an interval is judged when at least
  ``min_contacts`` contacts (pooled over replications, pending ones left out) arrived in
  it; it passes when its service level is at least ``target - tolerance``, with
  ``tolerance = max(interval_tolerance, z_J * k * sqrt(target * (1 - target) / n))`` for
  ``n`` judged contacts: a binomial error, widened by the channel's overdispersion ``k``
  (the day's spread over replications against a binomial spread on the day's contacts;
  about 4 for the baseline's phone: calls in a busy spell all wait together), at the
  confidence ``z_J`` that keeps the chance of flagging any of the channel's ``J`` judged
  intervals of an on-target plan at ``1 - confidence`` (Bonferroni). Per-interval
  service levels on small volumes are noisy; this catches intervals that are short by
  more than noise. Intervals with fewer contacts count only through the day.

The miss score of a round is, summed over channels, the day's shortfall against the
target plus the contact-weighted shortfall of the judged intervals that missed.

Examples
--------
>>> import wfm
>>> res = wfm.plan(wfm.load_scenario("scenarios/baseline.yaml"), seed=0, max_iterations=2)
>>> res.stop in (StopReason.CONVERGED, StopReason.MAX_ITERATIONS)
True
>>> len(res.iterations) <= 2, res.schedule.cost > 0
(True, True)
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wfm import staffing
from wfm.checks import finite_number, whole_number
from wfm.scenario import Scenario, ShiftRule
from wfm.scheduling import Schedule, schedule
from wfm.sim.engine import SimulationResult, simulate
from wfm.stats import normal_quantile

__all__ = [
    "DEFAULT_MAX_ITERATIONS",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_TIME_LIMIT",
    "PlanResult",
    "StopReason",
    "judge",
    "plan",
]

#: Replications per simulation check, the same in the CLI, the app and the API.
DEFAULT_REPLICATIONS = 3
#: Schedule-simulate-correct rounds at most.
DEFAULT_MAX_ITERATIONS = 10
#: Solver time limit per round, seconds.
DEFAULT_TIME_LIMIT = 60.0


class StopReason(enum.StrEnum):
    """Why :func:`plan` stopped (the text of :attr:`PlanResult.reason` gives details)."""

    #: every channel meets its target
    CONVERGED = "converged"
    #: the raised requirement went entirely into shortfall: it cannot be covered better
    SHORTFALL = "shortfall"
    #: a round scheduled the same staff as an earlier round
    REPEATED = "repeated"
    #: ``patience`` rounds in a row without a better miss score
    NO_PROGRESS = "no_progress"
    #: ``max_iterations`` rounds ran without meeting every target
    MAX_ITERATIONS = "max_iterations"


@dataclass
class PlanResult:
    """What :func:`plan` returns.

    Attributes
    ----------
    scenario : Scenario
        The input scenario with every group's ``staff`` set to the planned staff, so
        ``wfm.simulate(result.scenario)`` reproduces the check.
    schedule : Schedule
        The shifts of the returned round (see :class:`wfm.scheduling.Schedule`).
    iterations : pandas.DataFrame
        One row per round: ``iteration`` (1-based), ``cost``, ``shortfall``
        (agent-intervals of requirement not covered), ``optimal``, ``gap``,
        ``solve_seconds``, ``met`` (every channel met), ``missed`` (channels missed,
        comma-separated), ``score`` (miss score, 0 when met), and per channel
        ``<channel>_service_level`` (day, pooled over replications).
    simulation : SimulationResult
        The simulation of the returned round's schedule.
    converged : bool
        True when the simulation meets every channel's target.
    reason : str
        Why the loop stopped, for people.
    stop : StopReason
        Why the loop stopped, for programs.
    checks : pandas.DataFrame
        The judgement of the returned round, one row per interval x channel:
        ``interval``, ``start``, ``channel``, ``contacts`` (judged contacts pooled over
        replications), ``service_level``, ``target``, ``tolerance``, ``judged``,
        ``met`` (True where not judged).
    outcome : pandas.DataFrame
        The judgement of the returned round per channel (see :func:`judge`):
        ``channel``, ``service_level``, ``target``, ``margin``, ``day_met``, ``judged``,
        ``missed``, ``met``, ``score``.
    requirements : pandas.DataFrame
        The group requirement of the returned round (analytic plus corrections), long:
        ``group``, ``interval``, ``start``, ``required``.
    corrections : pandas.DataFrame
        Agents added to each channel's analytic requirement, long: ``channel``,
        ``interval``, ``start``, ``added``.
    erlang_schedule : Schedule
        The first round's schedule: the pure analytic (Erlang) plan.
    erlang_simulation : SimulationResult
        How the pure analytic plan fared in the simulation.
    best_iteration : int
        The round returned (1-based).
    elapsed : float
        Wall time, seconds.
    """

    scenario: Scenario
    schedule: Schedule
    iterations: pd.DataFrame
    simulation: SimulationResult
    converged: bool
    reason: str
    stop: StopReason = StopReason.MAX_ITERATIONS
    checks: pd.DataFrame = field(default_factory=pd.DataFrame)
    outcome: pd.DataFrame = field(default_factory=pd.DataFrame)
    requirements: pd.DataFrame = field(default_factory=pd.DataFrame)
    corrections: pd.DataFrame = field(default_factory=pd.DataFrame)
    erlang_schedule: Schedule | None = None
    erlang_simulation: SimulationResult | None = None
    best_iteration: int = 1
    elapsed: float = 0.0

    @property
    def cost(self) -> float:
        """Cost of the planned shifts."""
        return self.schedule.cost


def judge(
    result: SimulationResult,
    *,
    min_contacts: float = 30,
    interval_tolerance: float = 0.05,
    confidence: float = 0.95,
    spread: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Judge every channel of a simulation against its target (the "meets" rule of the
    module docstring).

    Parameters
    ----------
    result : SimulationResult
    min_contacts : float, default 30
        Judged contacts (pooled over replications) an interval needs to be judged on its
        own.
    interval_tolerance : float, default 0.05
        Least tolerance below the target for a judged interval (a share, 0-1).
    confidence : float, default 0.95
        One-sided confidence with which the day's service level must reach the target.
    spread : mapping of channel to float, optional
        Standard deviation of one replication's day service level, per channel, to use
        instead of the spread of this result's replications (the loop pools it over its
        rounds).

    Returns
    -------
    channels : pandas.DataFrame
        One row per channel: ``channel``, ``service_level`` (day), ``target``,
        ``margin`` (``z * se`` the day's service level must clear the target by),
        ``overdispersion`` (the day's spread over a binomial spread), ``day_met``,
        ``judged`` and ``missed`` (intervals), ``met``, ``score``.
    checks : pandas.DataFrame
        One row per interval x channel (see :attr:`PlanResult.checks`).
    """
    if not 0.5 <= confidence < 1:
        raise ValueError(f"confidence must be in [0.5, 1) (got {confidence!r})")
    z = float(normal_quantile(confidence))
    reps = result.n_replications
    iv = result.intervals
    contacts = (iv["offered"] - iv["pending"]).to_numpy(float) * reps
    target = iv["target_service_level"].to_numpy(float)
    sl = iv["service_level"].to_numpy(float)
    chan = iv["channel"].to_numpy()
    judged = (contacts >= min_contacts) & np.isfinite(sl)
    tol = np.full(len(iv), np.nan)
    rows = []
    for s in result.summary.itertuples(index=False):
        day_sl = float(s.service_level)
        tgt = float(s.target_service_level)
        se = _day_se(result, s.channel, day_sl, (spread or {}).get(s.channel))
        margin = z * se
        day_met = bool(math.isnan(day_sl) or day_sl - margin >= tgt - 1e-12)
        # overdispersion: the day's spread against a binomial one on the same contacts
        n_day = float(s.offered - s.pending)
        binom = math.sqrt(day_sl * (1 - day_sl) / n_day) if n_day > 0 and 0 < day_sl < 1 else 0.0
        k = max(1.0, se * math.sqrt(reps) / binom) if binom > 0 else 1.0
        mask = chan == s.channel
        n_judged = int(judged[mask].sum())
        z_int = float(normal_quantile(1 - (1 - confidence) / max(n_judged, 1)))
        with np.errstate(divide="ignore", invalid="ignore"):
            noise = z_int * k * np.sqrt(target[mask] * (1 - target[mask]) / contacts[mask])
        tol[mask] = np.maximum(interval_tolerance, np.nan_to_num(noise, nan=1.0, posinf=1.0))
        ok = ~judged[mask] | (sl[mask] >= target[mask] - tol[mask] - 1e-12)
        short = np.where(ok, 0.0, target[mask] - sl[mask]) * contacts[mask]
        total = max(float(contacts[mask].sum()), 1.0)
        score = (0.0 if day_met else tgt + margin - day_sl) + float(short.sum() / total)
        rows.append({
            "channel": s.channel,
            "service_level": day_sl,
            "target": tgt,
            "margin": margin,
            "overdispersion": k,
            "day_met": day_met,
            "judged": n_judged,
            "missed": int((~ok).sum()),
            "met": bool(day_met and ok.all()),
            "score": score,
        })
    ok_all = ~judged | (sl >= target - tol - 1e-12)
    checks = pd.DataFrame({
        "interval": iv["interval"].to_numpy(),
        "start": iv["start"].to_numpy(),
        "channel": chan,
        "contacts": contacts,
        "service_level": sl,
        "target": target,
        "tolerance": tol,
        "judged": judged,
        "met": ok_all,
    })
    return pd.DataFrame(rows), checks


def _day_se(
    result: SimulationResult, channel: str, day_sl: float, spread: float | None = None
) -> float:
    """Standard error of a channel's day service level: the spread of one replication's
    service level (given, or of this result's replications) / sqrt(replications); with
    one replication and no spread given, the binomial error on the judged contacts."""
    if math.isnan(day_sl):
        return 0.0
    if spread is not None and math.isfinite(spread):
        return float(spread) / math.sqrt(result.n_replications)
    reps = result.replications
    sl = reps.loc[reps["channel"] == channel, "service_level"].dropna().to_numpy(float)
    if sl.size >= 2:
        return float(sl.std(ddof=1) / math.sqrt(sl.size))
    row = result.summary[result.summary["channel"] == channel].iloc[0]
    n = float(row["offered"] - row["pending"]) * result.n_replications
    return math.sqrt(max(day_sl * (1 - day_sl), 0.0) / n) if n > 0 else 0.0


def _raise(
    extra: dict[str, np.ndarray], verdict: pd.DataFrame, checks: pd.DataFrame
) -> None:
    """Add agents to the channel requirements where the simulation missed."""
    for row in verdict.itertuples(index=False):
        if row.met:
            continue
        part = checks[checks["channel"] == row.channel]
        miss = part[~part["met"]]
        if not miss.empty:
            short = (miss["target"] - miss["service_level"]).to_numpy(float)
            step = np.maximum(np.ceil(short / 0.10 - 1e-9), 1).astype(np.int64)
            extra[row.channel][miss["interval"].to_numpy(dtype=np.int64)] += step
        else:  # only the day missed: one more agent wherever the interval fell short
            low = part[(part["service_level"] < part["target"]) & (part["contacts"] > 0)]
            idx = low["interval"].to_numpy(dtype=np.int64)
            if idx.size == 0:
                idx = part.loc[part["contacts"] > 0, "interval"].to_numpy(dtype=np.int64)
            extra[row.channel][idx] += 1


def _pool(pooled: dict[str, tuple[float, int]], sim: SimulationResult) -> None:
    """Add a round's replications to the pooled within-round sum of squares per channel."""
    reps = sim.replications
    for c, part in reps.groupby("channel", sort=False):
        x = part["service_level"].dropna().to_numpy(float)
        if x.size >= 2:
            ss, dof = pooled.get(str(c), (0.0, 0))
            pooled[str(c)] = (ss + float(((x - x.mean()) ** 2).sum()), dof + x.size - 1)


def _staffed(scenario: Scenario, sched: Schedule) -> Scenario:
    staff = sched.staff()
    return scenario.with_values(
        {f"agents.{g}.staff": [int(v) for v in staff[g]] for g in scenario.group_names}
    )


def plan(
    scenario: Scenario,
    *,
    seed: int = 0,
    replications: int = DEFAULT_REPLICATIONS,
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
    time_limit: float = DEFAULT_TIME_LIMIT,
    gap: float = 0.01,
    rules: Mapping[str, ShiftRule | Mapping[str, Any]] | None = None,
    min_contacts: float = 30,
    interval_tolerance: float = 0.05,
    confidence: float = 0.95,
    patience: int = 3,
    on_round: Callable[[int, pd.Series], None] | None = None,
) -> PlanResult:
    """Plan shifts that meet every channel's target in the simulation.

    Parameters
    ----------
    scenario : Scenario
        Its ``staff`` curves only set how channels served by several groups are shared
        (see :mod:`wfm.staffing`); the plan replaces them.
    seed : int, default 0
        Round ``k`` (1-based) is simulated with seed ``seed + k - 1``.
    replications : int, default 3
        Replications per simulation check.
    max_iterations : int, default 10
        Rounds of schedule-simulate-correct at most.
    time_limit : float, default 60
        Solver time limit per round, seconds.
    gap : float, default 0.01
        Relative MIP gap per round.
    rules : mapping of group to ShiftRule or dict, optional
        Shift rules replacing the scenario's ``shifts:`` for these groups.
    min_contacts : float, default 30
        Contacts (pooled over replications) an interval needs to be judged on its own.
    interval_tolerance : float, default 0.05
        Least tolerance below the target for a judged interval.
    confidence : float, default 0.95
        One-sided confidence with which each channel's day service level must reach
        its target (see the "meets" rule).
    patience : int, default 3
        Stop after this many rounds in a row without a better miss score.
    on_round : callable, optional
        Called as ``on_round(iteration, row)`` after each round with its row of
        :attr:`PlanResult.iterations`.

    Returns
    -------
    PlanResult
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a wfm.Scenario, not {type(scenario).__name__}")
    seed = whole_number("seed", seed, minimum=0)
    replications = whole_number("replications", replications, minimum=1)
    max_iterations = whole_number("max_iterations", max_iterations, minimum=1, maximum=1000)
    patience = whole_number("patience", patience, minimum=1)
    time_limit = finite_number("time_limit", time_limit, minimum=0, strict=True)
    gap = finite_number("gap", gap, minimum=0, maximum=1)
    t_start = time.perf_counter()
    h = scenario.horizon
    base = staffing.channel_requirements(scenario)
    extra = {c: np.zeros(h, dtype=np.int64) for c in base}
    labels = scenario.interval_labels()
    rows: list[dict[str, Any]] = []
    rounds: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    pooled: dict[str, tuple[float, int]] = {}
    best = -1
    since_best = 0
    converged = False
    stop = StopReason.MAX_ITERATIONS
    reason = f"max_iterations ({max_iterations}) reached without meeting every target"
    for k in range(1, max_iterations + 1):
        chan_req = {c: base[c] + extra[c] for c in base}
        group_req = staffing.group_requirements(scenario, chan_req)
        sched = schedule(scenario, group_req, rules=rules, time_limit=time_limit, gap=gap)
        staffed = _staffed(scenario, sched)
        sim = simulate(staffed, seed=seed + k - 1, replications=replications)
        _pool(pooled, sim)
        spread = {c: math.sqrt(ss / dof) for c, (ss, dof) in pooled.items() if dof > 0}
        verdict, checks = judge(sim, min_contacts=min_contacts,
                                interval_tolerance=interval_tolerance, confidence=confidence,
                                spread=spread)
        met = bool(verdict["met"].all())
        score = float(verdict["score"].sum())
        row: dict[str, Any] = {
            "iteration": k,
            "cost": sched.cost,
            "shortfall": sched.shortfall,
            "optimal": sched.optimal,
            "gap": sched.gap,
            "solve_seconds": sched.solve_seconds,
            "met": met,
            "missed": ", ".join(verdict.loc[~verdict["met"], "channel"]),
            "score": score,
        }
        for v in verdict.itertuples(index=False):
            row[f"{v.channel}_service_level"] = v.service_level
        rows.append(row)
        rounds.append({
            "schedule": sched, "scenario": staffed, "simulation": sim, "checks": checks,
            "verdict": verdict,
            "group_req": group_req, "extra": {c: e.copy() for c, e in extra.items()},
            "key": (int((~verdict["met"]).sum()), score, sched.cost),
        })
        if on_round is not None:
            on_round(k, pd.Series(row))
        if met:
            converged = True
            stop = StopReason.CONVERGED
            best = len(rounds) - 1
            reason = f"every channel meets its target (round {k})"
            break
        # a round that added agents is progress even when its (noisy) score is not
        # better: with a few replications the day's service level of a busy voice
        # channel moves by several points from one seed to the next
        added = len(rounds) > 1 and sched.cost > rounds[-2]["schedule"].cost + 1e-9
        if best < 0 or rounds[-1]["key"] < rounds[best]["key"]:
            improved = best < 0 or score < rounds[best]["key"][1] - 1e-9
            best = len(rounds) - 1
            since_best = 0 if improved or added else since_best + 1
        else:
            since_best = 0 if added else since_best + 1
        key = tuple(np.concatenate([sched.staff()[g] for g in scenario.group_names]).tolist())
        prev = rounds[-2]["schedule"] if len(rounds) > 1 else None
        if prev is not None and sched.shortfall > prev.shortfall and sched.cost <= prev.cost + 1e-9:
            stop = StopReason.SHORTFALL
            reason = (
                f"nothing improves: the requirement raised for round {k} went entirely into"
                f" shortfall ({sched.shortfall:g} agent-intervals cannot be covered; see the"
                " schedule's coverage)"
            )
            break
        if key in seen:
            stop = StopReason.REPEATED
            short = sched.shortfall
            reason = (
                f"nothing improves: round {k} schedules the same staff as round {seen[key]}"
                + (f"; {short:g} agent-intervals of requirement cannot be covered (see the"
                   " schedule's coverage shortfall)" if short > 0 else "")
            )
            break
        seen[key] = k
        if since_best >= patience:
            stop = StopReason.NO_PROGRESS
            reason = f"nothing improves: no better miss score in the last {patience} rounds"
            if sched.shortfall > 0:
                reason += (f"; {sched.shortfall:g} agent-intervals of requirement cannot be"
                           " covered (see the schedule's coverage)")
            break
        _raise(extra, verdict, checks)
    chosen = rounds[best]
    req_df = pd.concat(
        [pd.DataFrame({"group": g, "interval": np.arange(h), "start": labels, "required": r})
         for g, r in chosen["group_req"].items()],
        ignore_index=True,
    )
    corr_df = pd.concat(
        [pd.DataFrame({"channel": c, "interval": np.arange(h), "start": labels, "added": e})
         for c, e in chosen["extra"].items()],
        ignore_index=True,
    )
    if not converged:
        reason += f"; returning round {best + 1}, the best"
    return PlanResult(
        scenario=chosen["scenario"],
        schedule=chosen["schedule"],
        iterations=pd.DataFrame(rows),
        simulation=chosen["simulation"],
        converged=converged,
        reason=reason,
        stop=stop,
        checks=chosen["checks"],
        outcome=chosen["verdict"],
        requirements=req_df,
        corrections=corr_df,
        erlang_schedule=rounds[0]["schedule"],
        erlang_simulation=rounds[0]["simulation"],
        best_iteration=best + 1,
        elapsed=time.perf_counter() - t_start,
    )
