"""The simulate-and-correct staffing loop: schedule to the analytic requirement, simulate
the schedule, raise the requirement where a channel misses its target and take agents
away where it beats it with room to spare, schedule again; return the cheapest round
that met every target.

The loop
--------
1. Requirement: :func:`wfm.staffing.channel_requirements` plus the raises so far
   (agents per channel per interval), shared among the groups by the pooled group rule
   of :mod:`wfm.staffing` (``pooling=True``, the default: the raises are shared as the
   summed rule shares a channel, one agent of a raise being one agent of some group) or
   the summed rule (``pooling=False``), less the agents taken away group by group.
2. Schedule: :func:`wfm.scheduling.schedule` (pyomo + HiGHS) to that group requirement,
   warm-started from the last round's schedule with ``warm_start=True``.
3. Check: :func:`wfm.sim.engine.simulate` of the scenario with the scheduled staff, with
   ``replications`` replications and a fresh seed each round (``seed + round - 1``).
   With the same seed every round the loop would stop on a plan that only that seed's
   luck carries (a seed that runs a few points high stays high for every staffing).
   With ``sequential=True`` the first replication is judged alone first (the
   sequential check, below).
4. Judge every channel (the "meets" rule below) and correct:

   * **raise** a channel that missed, in each interval it missed, by one agent per 10
     points of service level short of the target (at least one); when only the day
     missed, by one agent in every interval below the target; with ``escalate=True``
     (voice and chat) at least the agents the Erlang curve through the observed service
     level needs to reach the target plus twice the day's margin, times ``f = 2 ** (n -
     1)`` for a channel that missed ``n`` rounds in a row (at most ``ESCALATE_MAX``),
     and a day-only miss by agents where the curves gain most until the day's predicted
     service level reaches the target plus ``1 + f`` margins;
   * **take away** (``trim=True``, the default) by the removal rule below;
   * **undo** a removal the round blames (below) instead of raising anything.

   Back to 1.

The removal rule
----------------
Agents are taken away from channel ``c`` in interval ``t`` only when all of these hold:

* ``c`` met its target this round (the "meets" rule: the day's service level reaches
  the target with one-sided ``confidence`` on the pooled spread, every judged interval
  within its tolerance);
* interval ``t`` is judged (``min_contacts``) and its service level clears the target by
  the interval's tolerance (the same Bonferroni-widened binomial tolerance a miss is
  judged by; ``min(target + tolerance, 100%)``, so every contact in target clears it);
* the analytic model does not predict the removal to drop the interval below the
  target: for voice and chat the observed service level is read as a point of the
  Erlang curve (``wfm.erlang.service_level``, ``chat_service_level``; all contacts in
  target read as ``1 - 0.5 / n``), and ``k`` agents go only if the curve ``k`` agents
  lower still reaches the target; deferred and social work is never planned below its
  analytic requirement (less would leave work pending at the end of the horizon, which
  the service level does not count), so only its raises can go;
* the channel's day, with the predicted service levels of the intervals cut and the
  observed ones elsewhere, still reaches the target with the round's margin
  (``z * se``, the meets rule's); the cuts predicted lowest are dropped until it does;
* ``k`` is at most the cell's step (half the analytic requirement at first, halved at
  every undo) and never takes the cell's net correction below the lowest allowed level
  (below);
* the agent comes out of a group that serves ``c`` whose every channel met its target
  this round and clears it in ``t`` (the one taking the largest share of ``c`` among
  them): taking a blended agent away when its other channel is short would starve it.

**No oscillation.** A level that missed is never planned again: when a channel misses
in an interval, its lowest allowed net correction there becomes one above the level
that missed. A round after a removal that misses any channel served by a group that
gave an agent up blames those removals: they are undone, their cells may never again go
below the level before the removal, their step is halved, and nothing is raised that
round (the next round is the last state that met, less the removals not blamed).

The stopping rule
-----------------
* A round that meets every target and leaves nothing to correct (no raise, removal or
  undo), or after which ``patience`` rounds in a row found no cheaper round meeting
  every target, is **confirmed**: its schedule is simulated again with a fresh seed and
  ``CONFIRM_FACTOR`` (3) times the replications, judged by the meets rule plus a
  second day margin, that of a check of the same size on new seeds (``z * se`` with the
  larger of the pooled spread and the confirmation's own). If it meets: stop,
  **converged**, returning the confirmation round (the same schedule). A schedule
  scheduled again that meets with a second seed also counts as confirmed. If the
  confirmation misses, the round is refuted and the confirmation's misses are raised as
  any round's.
* Before any round met every target the safeguards of the add-only loop stand: stop
  when a round's schedule is the same as an earlier round's, when the raised
  requirement went entirely into shortfall (it cannot be covered any better, e.g.
  ``max_agents`` or no shift reaching the intervals: see the schedule's shortfall), or
  after ``patience`` rounds in a row that neither improved the miss score nor added
  agents to the groups serving a missed channel.
* After ``max_iterations`` rounds.

``reason`` says which. A plan is **converged** only if the round returned met every
target in its own simulation: the confirmed round; else the cheapest round that met
every target and was not refuted (then, should every such round have been refuted, the
cheapest that met), with ``reason`` saying it was not confirmed. A plan where no round
met every target returns the best round (fewest channels missed, then lowest miss
score, then cost), not converged.

The sequential check
--------------------
With ``sequential=True``, once every judged channel has a pooled spread, a round or a
confirmation first simulates ``SEQUENTIAL_FIRST`` (1) replication and judges it as the
full check would be judged (contacts scaled to the full number of replications, the
full check's day margin). A channel's verdict is **clear** when its
day and each interval are at least a band from their thresholds, the band being how
far the other replications could move the full check's mean (``z_b * s * sqrt((R - r)
/ (R r))``, ``z_b`` at one-sided confidence ``1 - (1 - confidence) / BAND_SHARE``). The
round stops there when a channel **surely misses** (the round fails, or the
confirmation is refuted, whatever the rest say: a confirmation's second margin only
makes a miss surer; unclear channels are then not trimmed, and raised when they
missed but not made floors or blamed on removals). Otherwise the full check goes on
from that replication with the same seed (replication ``r`` of ``R`` runs on the same
stream whatever ``R``, see :class:`wfm.sim.engine.Replications`), so it is not
simulated twice. No round meets every target, and no confirmation holds, on fewer than
its full replications. With ``workers`` the full check's replications start at once,
so on two cores the first look costs no wall time.

At scale (``escalate=True``) a miss is raised unless an undone removal of a group
serving the channel explains it; a channel that met last round and surely misses now
blames every removal of last round; a schedule repeating a round that met, now missed
and raised, refutes it and the loop goes on. ``confirm_first=True`` confirms every
round that meets every target at once.

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

Money, FTE and the lower bound
------------------------------
:attr:`PlanResult.costs` (:func:`plan_costs`) turns the returned shifts into paid hours,
FTE and money per group: shifts are agents on the phones (net, as ``staff``), so each
shift's paid hours are divided by ``1 - shrinkage`` (the group's ``shrinkage``, averaged
over the intervals the shift spans), FTE are paid hours over ``fte_hours`` per 7-day
week (default 40) scaled to the clock days of the horizon, money is paid hours x the
shift rule's ``cost_per_hour``, in the scenario's ``currency``. Daily shifts have no
weekly hours, so the roster's overtime premium does not apply.
:attr:`PlanResult.lower_bound` (:func:`lower_bound`) is the LP relaxation of the shift
model on the work alone: no plan that does the work its targets need costs less.

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
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from wfm import erlang, staffing
from wfm.checks import finite_number, whole_number
from wfm.scenario import Scenario, ShiftRule
from wfm.scheduling import Schedule, build_templates, schedule, shift_rules
from wfm.scheduling.roster import horizon_days
from wfm.sim.engine import Replications, SimulationResult
from wfm.sim.parallel import warm_up
from wfm.stats import normal_quantile

__all__ = [
    "COST_COLUMNS",
    "DEFAULT_FTE_HOURS",
    "DEFAULT_MAX_ITERATIONS",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_TIME_LIMIT",
    "PlanResult",
    "StopReason",
    "judge",
    "lower_bound",
    "plan",
    "plan_costs",
]

#: Replications per simulation check, the same in the CLI, the app and the API.
DEFAULT_REPLICATIONS = 3
#: Schedule-simulate-correct rounds at most.
DEFAULT_MAX_ITERATIONS = 15
#: Solver time limit per round, seconds.
DEFAULT_TIME_LIMIT = 60.0
#: A confirmation round simulates the schedule with this many times the replications.
CONFIRM_FACTOR = 3
#: The sequential check (``plan(sequential=True)``): a round (not a confirmation) first
#: simulates this many replications and stops there when a channel surely misses.
SEQUENTIAL_FIRST = 1
#: The sequential check's band is drawn at one-sided confidence ``1 - (1 - confidence)
#: / BAND_SHARE`` (98.75% one-sided, z = 2.24, for the default 95%): an early verdict
#: must hold at a quarter of the loop's error rate.
BAND_SHARE = 4
#: The escalation (``plan(escalate=True)``): a channel that missed ``n`` rounds in a row
#: is raised by ``2 ** (n - 1)`` times the step, at most this many times.
ESCALATE_MAX = 4
#: Paid hours of one full-time equivalent per 7-day week.
DEFAULT_FTE_HOURS = 40.0
#: Columns of :attr:`PlanResult.costs` (see :func:`plan_costs`).
COST_COLUMNS = ["group", "agents", "shift_hours", "shift_cost", "shrinkage", "paid_hours", "fte",
                "wage", "cost", "currency"]


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
        comma-separated), ``score`` (miss score, 0 when met), ``added``, ``removed`` and
        ``undone`` (agent-intervals of channel requirement the round's result raised,
        took away, and gave back after a removal it blamed, for the next round),
        ``confirms`` (the round a confirmation re-simulates, 0 otherwise),
        ``replications`` (simulated; fewer than the check's when the sequential check
        stopped the round early), ``unclear`` (channels whose early verdict was not
        clear, comma-separated), and per channel ``<channel>_service_level`` (day,
        pooled over replications).
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
        Agents added to each channel's analytic requirement (negative: taken away by
        the removal rule), long: ``channel``, ``interval``, ``start``, ``added``.
    erlang_schedule : Schedule
        The first round's schedule: the pure analytic (Erlang) plan.
    erlang_simulation : SimulationResult
        How the pure analytic plan fared in the simulation.
    best_iteration : int
        The round returned (1-based).
    elapsed : float
        Wall time, seconds.
    costs : pandas.DataFrame
        Paid hours, FTE and money of the returned schedule, one row per group and a last
        ``total`` row (columns in :func:`plan_costs`): ``group``, ``agents``,
        ``shift_hours``, ``shift_cost``, ``shrinkage``, ``paid_hours``, ``fte``,
        ``wage``, ``cost``, ``currency``. Without shrinkage ``cost`` equals
        ``shift_cost``.
    lower_bound : float
        A lower bound on :attr:`cost` of any plan that does the work its targets need
        (:func:`lower_bound`: LP relaxation of the shift model on the work, no queueing
        margin), money; NaN when not computed.
    currency : str or None
        The scenario's ``currency`` (ISO 4217), None when it states none.
    fte_hours : float
        Paid hours of one FTE per 7-day week used for ``costs``.
    pooling, trim : bool
        Whether the pooled group rule and the removal rule were used.
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
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    lower_bound: float = math.nan
    currency: str | None = None
    fte_hours: float = DEFAULT_FTE_HOURS
    pooling: bool = True
    trim: bool = True

    @property
    def cost(self) -> float:
        """Money of the planned shifts (:attr:`Schedule.cost`: paid hours of the shifts x
        ``cost_per_hour``, shrinkage not included), in :attr:`currency`."""
        return self.schedule.cost

    def _total(self, column: str) -> float:
        if self.costs.empty:
            return math.nan
        return float(self.costs[column].iloc[-1])

    @property
    def paid_hours(self) -> float:
        """Hours paid, shrinkage included (the ``total`` row of :attr:`costs`)."""
        return self._total("paid_hours")

    @property
    def fte(self) -> float:
        """Full-time equivalents paid, shrinkage included (the ``total`` row of
        :attr:`costs`): paid hours / (``fte_hours`` x days / 7)."""
        return self._total("fte")

    @property
    def paid_cost(self) -> float:
        """Money paid, shrinkage included (the ``total`` row of :attr:`costs`)."""
        return self._total("cost")

    @property
    def lower_bound_gap(self) -> float:
        """How far :attr:`cost` is above :attr:`lower_bound`, percent of the cost
        (``100 * (cost - lower_bound) / cost``); NaN without a bound."""
        if not math.isfinite(self.lower_bound) or self.cost <= 0:
            return math.nan
        return 100.0 * (self.cost - self.lower_bound) / self.cost


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
    return _judge(result, min_contacts=min_contacts, interval_tolerance=interval_tolerance,
                  confidence=confidence, spread=spread)


def _judge(
    result: SimulationResult,
    *,
    min_contacts: float,
    interval_tolerance: float,
    confidence: float,
    spread: Mapping[str, float] | None,
    project: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`judge`; with ``project`` (more replications than the result has), the
    verdict that ``project`` replications would be judged by, read from this result's
    first ones (the sequential check of :func:`plan`): contacts scaled to ``project``
    replications (which intervals are judged, their tolerance), the day's margin that of
    ``project`` replications, and per channel whether the verdict is **clear**: every
    quantity at least ``band`` from its threshold, the band being how far the other
    ``project - r`` replications could still move it: ``z_b * s * sqrt((project - r) /
    (project * r))`` for a per-replication spread ``s``, ``z_b`` at one-sided confidence
    ``1 - (1 - confidence) / BAND_SHARE`` for the day (the larger of it and the
    Bonferroni ``z_J`` for the intervals). The channels frame then has ``band``
    (the day's) and ``clear``, the checks frame ``band`` per interval."""
    z = float(normal_quantile(confidence))
    z_band = float(normal_quantile(1 - (1 - confidence) / BAND_SHARE))
    reps = result.n_replications
    n_at = reps if project is None else max(int(project), reps)
    scale = n_at / reps
    left = n_at - reps
    iv = result.intervals
    contacts = (iv["offered"] - iv["pending"]).to_numpy(float) * reps
    proj = contacts * scale
    target = iv["target_service_level"].to_numpy(float)
    sl = iv["service_level"].to_numpy(float)
    chan = iv["channel"].to_numpy()
    judged = (proj >= min_contacts) & np.isfinite(sl)
    # an interval the projected run may or may not judge (its contacts vary): it must
    # then clear its threshold too for the verdict to be clear
    maybe = (proj >= 0.5 * min_contacts) & np.isfinite(sl)
    tol = np.full(len(iv), np.nan)
    band = np.zeros(len(iv))
    clear_iv = np.ones(len(iv), bool)
    rows = []
    for s in result.summary.itertuples(index=False):
        day_sl = float(s.service_level)
        tgt = float(s.target_service_level)
        sp = (spread or {}).get(s.channel)
        se = _day_se(result, s.channel, day_sl, sp, n=n_at)
        margin = z * se
        day_met = bool(math.isnan(day_sl) or day_sl - margin >= tgt - 1e-12)
        # overdispersion: the day's spread against a binomial one on the same contacts
        n_day = float(s.offered - s.pending)
        binom = math.sqrt(day_sl * (1 - day_sl) / n_day) if n_day > 0 and 0 < day_sl < 1 else 0.0
        k = max(1.0, se * math.sqrt(n_at) / binom) if binom > 0 else 1.0
        mask = chan == s.channel
        n_judged = int(judged[mask].sum())
        z_int = float(normal_quantile(1 - (1 - confidence) / max(n_judged, 1)))
        with np.errstate(divide="ignore", invalid="ignore"):
            noise = z_int * k * np.sqrt(target[mask] * (1 - target[mask]) / proj[mask])
        tol[mask] = np.maximum(interval_tolerance, np.nan_to_num(noise, nan=1.0, posinf=1.0))
        ok = ~judged[mask] | (sl[mask] >= target[mask] - tol[mask] - 1e-12)
        short = np.where(ok, 0.0, target[mask] - sl[mask]) * proj[mask]
        total = max(float(proj[mask].sum()), 1.0)
        score = (0.0 if day_met else tgt + margin - day_sl) + float(short.sum() / total)
        met = bool(day_met and ok.all())
        row = {
            "channel": s.channel,
            "service_level": day_sl,
            "target": tgt,
            "margin": margin,
            "overdispersion": k,
            "day_met": day_met,
            "judged": n_judged,
            "missed": int((~ok).sum()),
            "met": met,
            "score": score,
        }
        if project is not None:
            # the full check's mean moves from this one's by (R - r) / R times the gap
            # between the other replications' mean and this one's, of standard deviation
            # s * sqrt(1 / r + 1 / (R - r)): z_b * s * sqrt((R - r) / (R r))
            per_rep = se * math.sqrt(n_at)  # one replication's spread of the day
            move = math.sqrt(left / (n_at * reps)) if left > 0 else 0.0
            day_band = z_band * per_rep * move
            day_clear = math.isnan(day_sl) or abs(day_sl - tgt - margin) >= day_band
            with np.errstate(divide="ignore", invalid="ignore"):
                s_iv = k * np.sqrt(target[mask] * (1 - target[mask]) / (contacts[mask] / reps))
            b = max(z_int, z_band) * np.nan_to_num(s_iv, nan=1.0, posinf=1.0) * move
            band[mask] = b
            gap_iv = np.nan_to_num(sl[mask] - (target[mask] - tol[mask]), nan=0.0)
            # judged: at least the band from the threshold either way; judged by the
            # projected run or not (near min_contacts): clearly above it
            c_iv = (~maybe[mask] | (judged[mask] & (np.abs(gap_iv) >= b - 1e-12))
                    | (gap_iv >= b - 1e-12))
            # a judged interval below its threshold by more than the band: a sure miss
            sure_miss = judged[mask] & (gap_iv <= -b)
            clear_iv[mask] = c_iv
            if (not math.isnan(day_sl) and not day_met and day_clear) or sure_miss.any():
                clear = True            # missed whatever the other replications do
            else:
                clear = bool(day_clear and c_iv.all())
            row["band"] = day_band
            row["clear"] = clear
        rows.append(row)
    ok_all = ~judged | (sl >= target - tol - 1e-12)
    checks = pd.DataFrame({
        "interval": iv["interval"].to_numpy(),
        "start": iv["start"].to_numpy(),
        "channel": chan,
        "contacts": proj,
        "service_level": sl,
        "target": target,
        "tolerance": tol,
        "judged": judged,
        "met": ok_all,
    })
    if project is not None:
        checks["band"] = band
    return pd.DataFrame(rows), checks


def _day_se(
    result: SimulationResult, channel: str, day_sl: float, spread: float | None = None,
    n: int | None = None,
) -> float:
    """Standard error of a channel's day service level: the spread of one replication's
    service level (given, or of this result's replications) / sqrt(replications); with
    one replication and no spread given, the binomial error on the judged contacts.
    ``n``: the replications the error is for (default: the result's), with a spread
    given."""
    if math.isnan(day_sl):
        return 0.0
    if spread is not None and math.isfinite(spread):
        return float(spread) / math.sqrt(n if n is not None else result.n_replications)
    reps = result.replications
    sl = reps.loc[reps["channel"] == channel, "service_level"].dropna().to_numpy(float)
    if sl.size >= 2:
        return float(sl.std(ddof=1) / math.sqrt(sl.size))
    row = result.summary[result.summary["channel"] == channel].iloc[0]
    n_judged = float(row["offered"] - row["pending"]) * result.n_replications
    return math.sqrt(max(day_sl * (1 - day_sl), 0.0) / n_judged) if n_judged > 0 else 0.0


def _raise(
    extra: dict[str, np.ndarray], verdict: pd.DataFrame, checks: pd.DataFrame,
    factor: Mapping[str, int] | None = None, scenario: Scenario | None = None,
    level: Mapping[str, np.ndarray] | None = None,
) -> None:
    """Add agents to the channel requirements where the simulation missed; each
    channel's steps times its ``factor`` (the escalation, default 1). With ``scenario``
    and ``level`` (agents per interval of each channel's requirement), a voice or chat
    interval is raised by at least the agents the Erlang curve through its observed
    service level needs to reach the target plus twice the day's margin (the escalation's
    sized step, :func:`_erlang_steps`)."""
    for row in verdict.itertuples(index=False):
        if row.met:
            continue
        c = str(row.channel)
        f = int((factor or {}).get(c, 1))
        part = checks[checks["channel"] == row.channel]
        miss = part[~part["met"]]
        if not miss.empty:
            short = (miss["target"] - miss["service_level"]).to_numpy(float)
            step = np.maximum(np.ceil(short / 0.10 - 1e-9), 1).astype(np.int64)
            idx = miss["interval"].to_numpy(dtype=np.int64)
            sl = miss["service_level"].to_numpy(float)
            n = miss["contacts"].to_numpy(float)
        elif (scenario is not None and level is not None
              and scenario.channels[c].kind in ("voice", "chat")):
            # only the day missed, sized: agents where the Erlang curves gain most until
            # the day's predicted service level reaches the target plus twice the margin
            # (the escalation raises that aim by a margin per round missed in a row)
            aim = min(float(row.target) + float(row.margin) * (1 + f), 0.995)
            extra[c] += _day_steps(scenario, c, part, level[c], aim)
            continue
        else:  # only the day missed: one more agent wherever the interval fell short
            low = part[(part["service_level"] < part["target"]) & (part["contacts"] > 0)]
            idx = low["interval"].to_numpy(dtype=np.int64)
            sl = low["service_level"].to_numpy(float)
            n = low["contacts"].to_numpy(float)
            if idx.size == 0:
                idx = part.loc[part["contacts"] > 0, "interval"].to_numpy(dtype=np.int64)
                sl = np.full(idx.size, np.nan)
                n = np.zeros(idx.size)
            step = np.ones(idx.size, np.int64)
        if (scenario is not None and level is not None and idx.size
                and scenario.channels[c].kind in ("voice", "chat")):
            aim = min(float(row.target) + 2 * float(row.margin), 0.995)
            step = np.maximum(step, _erlang_steps(scenario, c, idx, sl, n, level[c][idx], aim))
        extra[c][idx] += step * f
        if (scenario is not None and level is not None and not miss.empty
                and not bool(row.day_met) and scenario.channels[c].kind in ("voice", "chat")):
            # the day missed too: its intervals raised as for a day-only miss, less what
            # the missed intervals just got
            aim = min(float(row.target) + float(row.margin) * (1 + f), 0.995)
            more = _day_steps(scenario, c, part, level[c], aim)
            more[idx] = np.maximum(more[idx] - step * f, 0)
            extra[c] += more


def _day_steps(scenario: Scenario, channel: str, part: pd.DataFrame, level: np.ndarray,
               aim: float) -> np.ndarray:
    """Agents to add per interval (an array over the horizon) so that a voice or chat
    channel's day, its intervals' observed service levels weighted by their contacts,
    reaches ``aim`` on the Erlang curves: one agent at a time where the contact-weighted
    gain is largest (each interval at most doubled)."""
    out = np.zeros(scenario.horizon, np.int64)
    part = part[(part["contacts"] > 0) & np.isfinite(part["service_level"].to_numpy(float))]
    if part.empty:
        return out
    idx = part["interval"].to_numpy(np.int64)
    sl = part["service_level"].to_numpy(float)
    w = part["contacts"].to_numpy(float)
    lv = np.maximum(level[idx], 1)
    top = int(lv.max()) * 3 + 20
    grid = np.arange(top + 1)
    curve = _predicted_sl(scenario, channel, np.broadcast_to(grid, (idx.size, grid.size)), idx)
    obs = np.minimum(sl, 1 - 0.5 / np.maximum(w, 1))
    reach = curve >= obs[:, None] - 1e-12
    pos = np.where(reach.any(axis=1), reach.argmax(axis=1), top)
    cur = sl.copy()
    total = float(w.sum())
    add = np.zeros(idx.size, np.int64)
    rows = np.arange(idx.size)
    for _ in range(int(lv.sum()) + 1):
        if float((cur * w).sum()) / total >= aim - 1e-12:
            break
        nxt = np.minimum(pos + 1, top)
        new = np.maximum(curve[rows, nxt], cur)
        gain = np.where((add < lv) & (pos < top), (new - cur) * w, -1.0)
        i = int(np.argmax(gain))
        if gain[i] <= 0:
            break
        add[i] += 1
        pos[i] = nxt[i]
        cur[i] = new[i]
    out[idx] = add
    return out


def _erlang_steps(scenario: Scenario, channel: str, idx: np.ndarray, sl: np.ndarray,
                  n: np.ndarray, level: np.ndarray, aim: float) -> np.ndarray:
    """Agents to add in intervals ``idx`` of a voice or chat channel to bring its observed
    service level ``sl`` (on ``n`` contacts) to ``aim`` on the Erlang curve: the observed
    level read as a point of the curve (as the removal rule reads it), then the agents
    from there to the first point at ``aim``; at most the interval's ``level`` (a
    doubling), at least 0; 0 where nothing was observed."""
    top = int(max(level.max(initial=0), 1)) * 3 + 20
    grid = np.arange(top + 1)
    curve = _predicted_sl(scenario, channel, np.broadcast_to(grid, (idx.size, grid.size)), idx)
    obs = np.minimum(np.nan_to_num(sl, nan=1.0), 1 - 0.5 / np.maximum(n, 1))
    reach_obs = curve >= obs[:, None] - 1e-12
    n_eff = np.where(reach_obs.any(axis=1), reach_obs.argmax(axis=1), top)
    reach_aim = curve >= aim - 1e-12
    n_aim = np.where(reach_aim.any(axis=1), reach_aim.argmax(axis=1), top)
    k = np.clip(n_aim - n_eff, 0, np.maximum(level, 1))
    return np.where(np.isfinite(sl), k, 0).astype(np.int64)


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


def _group_req(
    scenario: Scenario, base: Mapping[str, np.ndarray], up: Mapping[str, np.ndarray],
    cuts: Mapping[tuple[str, str], np.ndarray], pooled_base: Mapping[str, np.ndarray] | None,
) -> dict[str, np.ndarray]:
    """The group requirement of a round. Without pooling: the summed group rule on the
    channel requirements raised by the corrections (``base + up``); with pooling: the
    pooled requirement of the analytic base plus the raises shared among the groups as
    the group rule shares a channel (one agent of correction is one agent of some
    group). Then less the agents taken away, group by group (``cuts[(channel, group)]``)."""
    if pooled_base is None:
        out = staffing.group_requirements(scenario, {c: base[c] + up[c] for c in base})
    else:
        add = staffing.group_requirements(scenario, {c: np.maximum(e, 0) for c, e in up.items()})
        out = {g: pooled_base[g] + add[g] for g in pooled_base}
    for (_c, g), cut in cuts.items():
        out[g] = out[g] - cut
    return {g: np.maximum(r, 0).astype(np.int64) for g, r in out.items()}


def _predicted_sl(scenario: Scenario, channel: str, agents: np.ndarray,
                  idx: np.ndarray) -> np.ndarray:
    """Analytic (Erlang) service level of a voice or chat channel with ``agents`` agents
    (an array per interval of ``idx`` and per column) in intervals ``idx``."""
    ch = scenario.channels[channel]
    t = ch.target
    assert t is not None
    h = scenario.horizon
    iv = scenario.interval_seconds
    v = (np.asarray(ch.volume, float) * (1 - ch.deflection) * scenario.open_mask())[idx]
    aht = ch.aht_curve(h)[idx]
    pat = ch.patience_curve(h)
    p = None if pat is None else np.asarray(pat, float)[idx][:, None]
    n = np.maximum(agents, 0).astype(float)
    if ch.kind == "chat":
        out = erlang.chat_service_level(v[:, None], aht[:, None], n, ch.concurrency,
                                        t.answer_within, interval=iv, patience=p)
    else:
        out = erlang.service_level(v[:, None], aht[:, None], n, t.answer_within,
                                   interval=iv, patience=p)
    return np.asarray(out, float)


def _clears(part: pd.DataFrame) -> np.ndarray:
    """Intervals (rows of a round's checks) whose service level clears the target by the
    interval's tolerance (capped at 100%: every judged contact in target clears it)."""
    sl = part["service_level"].to_numpy(float)
    tol = part["tolerance"].to_numpy(float)
    if "band" in part.columns:  # a sequential check's early verdict: clear it by the band too
        tol = tol + part["band"].to_numpy(float)
    need = np.minimum(part["target"].to_numpy(float) + tol, 1.0)
    return np.asarray(np.isfinite(sl) & (sl >= need - 1e-12), bool)


def _removals(
    scenario: Scenario, channel: str, part: pd.DataFrame, extra: np.ndarray, base: np.ndarray,
    lowest: np.ndarray, cap: np.ndarray, blocked: np.ndarray, day_margin: float,
) -> dict[int, int]:
    """Agents to remove from one channel's requirement, per interval (the removal rule of
    the module docstring); ``part`` is the channel's rows of the round's checks."""
    ch = scenario.channels[channel]
    part = part.sort_values("interval")
    idx_all = part["interval"].to_numpy(np.int64)
    sl = part["service_level"].to_numpy(float)
    n = part["contacts"].to_numpy(float)
    tgt = part["target"].to_numpy(float)
    level = base[idx_all] + extra[idx_all]
    room = np.minimum(extra[idx_all] - lowest[idx_all], np.maximum(cap[idx_all], 1))
    ok = (part["judged"].to_numpy(bool) & _clears(part)
          & (room >= 1) & ~blocked[idx_all] & (level >= 1))
    if not ok.any():
        return {}
    pos = np.flatnonzero(ok)
    steps = room[pos].astype(np.int64)
    pred = sl[pos].copy()
    if ch.kind in ("voice", "chat"):
        # the observed service level as a point on the Erlang curve (all-in-target read as
        # 1 - 0.5 / n), then the curve with k agents fewer
        obs = np.minimum(sl[pos], 1 - 0.5 / np.maximum(n[pos], 1))
        top = int(level[pos].max()) * 3 + 20
        grid = np.arange(top + 1)
        curve = _predicted_sl(scenario, channel, np.broadcast_to(grid, (pos.size, grid.size)),
                              idx_all[pos])
        reach = curve >= obs[:, None] - 1e-12
        n_eff = np.where(reach.any(axis=1), reach.argmax(axis=1), top)
        keep = []
        for r, k_max in enumerate(steps):
            k = int(k_max)
            while k >= 1 and curve[r, max(n_eff[r] - k, 0)] < tgt[pos[r]] - 1e-12:
                k -= 1
            steps[r] = k
            if k >= 1:
                pred[r] = curve[r, max(n_eff[r] - k, 0)]
                keep.append(r)
        sel = np.asarray(keep, np.int64)
        pos, steps, pred = pos[sel], steps[sel], pred[sel]
    # the day: predicted service level, contact-weighted, must keep the target with the
    # loop's margin; drop the removals predicted lowest until it does
    w = np.where(np.isfinite(sl), n, 0.0)
    total = float(w.sum())
    target = float(tgt[0]) if tgt.size else 1.0
    order = list(np.argsort(pred, kind="stable"))[::-1]  # highest predicted first
    while order and total > 0:
        sl_day = np.where(np.isfinite(sl), sl, 0.0).copy()
        sl_day[pos[order]] = pred[order]
        if float((sl_day * w).sum() / total) - day_margin >= target - 1e-12:
            break
        order.pop()
    return {int(idx_all[pos[r]]): int(steps[r]) for r in order}


def _confirmation(verdict: pd.DataFrame, sim: SimulationResult, confidence: float
                  ) -> pd.DataFrame:
    """A confirmation round's verdict: a channel must also clear its day target by a
    second margin, that of a check of the same size on new seeds (``z * se`` with the
    larger of the pooled spread and this simulation's own), else it misses on the day
    (by its shortfall against the target plus both margins)."""
    out = verdict.copy()
    z = float(normal_quantile(confidence))
    own = np.array([z * _day_se(sim, str(c), float(v)) for c, v in
                    zip(out["channel"], out["service_level"], strict=True)])
    sl = out["service_level"].to_numpy(float)
    second = np.maximum(out["margin"].to_numpy(float), np.nan_to_num(own))
    short = out["target"].to_numpy(float) + out["margin"].to_numpy(float) + second - sl
    weak = out["met"].to_numpy(bool) & np.isfinite(sl) & (short > 1e-12)
    out.loc[weak, "day_met"] = False
    out.loc[weak, "met"] = False
    out.loc[weak, "score"] = short[weak]
    return out


def _staff_key(scenario: Scenario, sched: Schedule) -> tuple[int, ...]:
    """A schedule's agents per interval of every group, as one tuple (two rounds with the
    same key staff the centre alike)."""
    staff = sched.staff()
    return tuple(np.concatenate([staff[g] for g in scenario.group_names]).tolist())


def _group_cost(sched: Schedule, groups: set[str]) -> float:
    """Cost of a schedule's shifts of these groups."""
    return float(sched.shifts.loc[sched.shifts["group"].isin(groups), "cost"].sum())


def _cheapest_met(rows: list[dict[str, Any]], refuted: set[int]) -> int:
    """Index of the cheapest round that met every target and was not refuted by a
    confirmation (the earliest of equal cost); -1 when none."""
    ok = [i for i, r in enumerate(rows) if r["met"] and i not in refuted]
    return min(ok, key=lambda i: (rows[i]["cost"], i)) if ok else -1


def plan_costs(
    scenario: Scenario,
    sched: Schedule,
    *,
    rules: Mapping[str, ShiftRule | Mapping[str, Any]] | None = None,
    fte_hours: float = DEFAULT_FTE_HOURS,
) -> pd.DataFrame:
    """Paid hours, FTE and money of a schedule, per group and in total.

    Parameters
    ----------
    scenario : Scenario
        Gives the groups' ``shrinkage``, the shift rules' ``cost_per_hour`` and the
        ``currency``.
    sched : Schedule
        The shifts (agents on the phones: net of shrinkage, as the scenario's ``staff``).
    rules : mapping of group to ShiftRule or dict, optional
        Shift rules replacing the scenario's (their ``cost_per_hour`` is the wage).
    fte_hours : float, default 40
        Paid hours of one full-time equivalent per 7-day week; over a horizon of ``D``
        clock days one FTE works ``fte_hours * D / 7`` (a one-day plan counts the FTE
        that work this day every day of the week, as a weekly roster counts them).

    Returns
    -------
    pandas.DataFrame
        One row per group and a last row ``group == "total"``: ``group``, ``agents``
        (shifts), ``shift_hours`` (paid hours of the shifts, hours), ``shift_cost``
        (their money: what :attr:`Schedule.cost` sums), ``shrinkage`` (share of paid
        time off the phones, hours-weighted), ``paid_hours`` (hours paid, shrinkage
        included: each shift's hours divided by ``1 - shrinkage`` averaged over the
        intervals it spans), ``fte`` (``paid_hours / (fte_hours * days / 7)``), ``wage``
        (money per paid hour; the total row's is the mean), ``cost`` (``paid_hours *
        wage``, money), ``currency`` (the scenario's, None when not stated).

    Examples
    --------
    >>> import wfm
    >>> from wfm.scheduling import schedule
    >>> sc = wfm.load_scenario("scenarios/baseline.yaml").with_values({
    ...     "currency": "EUR", "agents.voice.shrinkage": {"planned": 0.2},
    ...     "shifts": {"voice": {"cost_per_hour": 20.0}}})
    >>> sched = schedule(sc, {"voice": [2] * 8 + [0] * 16}, time_limit=5, gap=0.0)
    >>> plan_costs(sc, sched).round(2).to_dict("records")[0]   # doctest: +NORMALIZE_WHITESPACE
    {'group': 'voice', 'agents': 2, 'shift_hours': 8.0, 'shift_cost': 160.0,
     'shrinkage': 0.2, 'paid_hours': 10.0, 'fte': 1.75, 'wage': 20.0, 'cost': 200.0,
     'currency': 'EUR'}
    """
    fte_hours = finite_number("fte_hours", fte_hours, minimum=0, maximum=168, strict=True)
    rule_map = shift_rules(scenario, rules)
    weeks = horizon_days(scenario) / 7
    h = scenario.horizon
    rows = []
    for g in scenario.group_names:
        sh = sched.shifts[sched.shifts["group"] == g]
        shrink = scenario.group(g).shrinkage
        keep = 1 - (shrink.total(h) if shrink is not None else np.zeros(h))
        inv = np.concatenate(([0.0], np.cumsum(1 / keep)))
        hours = (sh["paid_hours"] * sh["count"]).to_numpy(float)
        s0 = sh["start_interval"].to_numpy(np.int64)
        s1 = sh["end_interval"].to_numpy(np.int64)
        factor = (inv[s1] - inv[s0]) / np.maximum(s1 - s0, 1)
        shift_hours = float(hours.sum())
        paid = float((hours * factor).sum())
        wage = float(rule_map[g].cost_per_hour)
        rows.append({
            "group": g, "agents": int(sh["count"].sum()), "shift_hours": shift_hours,
            "shift_cost": shift_hours * wage,
            "shrinkage": 1 - shift_hours / paid if paid > 0 else 0.0,
            "paid_hours": paid, "fte": paid / (fte_hours * weeks), "wage": wage,
            "cost": paid * wage, "currency": scenario.currency,
        })
    df = pd.DataFrame(rows, columns=COST_COLUMNS)
    tot_paid = float(df["paid_hours"].sum())
    tot_shift = float(df["shift_hours"].sum())
    tot_cost = float(df["cost"].sum())
    total = {
        "group": "total", "agents": int(df["agents"].sum()), "shift_hours": tot_shift,
        "shift_cost": float(df["shift_cost"].sum()),
        "shrinkage": 1 - tot_shift / tot_paid if tot_paid > 0 else 0.0,
        "paid_hours": tot_paid, "fte": float(df["fte"].sum()),
        "wage": tot_cost / tot_paid if tot_paid > 0 else float("nan"),
        "cost": tot_cost, "currency": scenario.currency,
    }
    df = pd.concat([df, pd.DataFrame([total], columns=COST_COLUMNS)], ignore_index=True)
    df["currency"] = pd.Series([scenario.currency] * len(df), dtype=object)
    return df.astype({"agents": "int64"})


def lower_bound(
    scenario: Scenario,
    *,
    rules: Mapping[str, ShiftRule | Mapping[str, Any]] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> float:
    """A lower bound on the cost of shifts that meet every target: the LP relaxation of
    the shift-covering model on the work alone (no queueing margin).

    The LP has the shift model of :mod:`wfm.scheduling` (templates, break placements,
    ``max_agents`` per group and day) with continuous counts, and instead of a fixed
    requirement per group, the work: in every interval each voice and chat channel's
    ``service_level`` share of its load (:func:`wfm.staffing.channel_load`; a plan that
    meets the target answers at least that share of the contacts, each taking its
    handle time), done by any of the groups serving it; deferred and social work is done
    by any serving group, never before it arrives, by its deadline
    (``answer_within``; fluid, as the latest curve) and, as the requirement assumes,
    within the horizon (at least the target share of it). Agents on shift and not on
    break cover the work of their interval. Integrality, queueing and the routing's
    priorities only add cost, so every plan that does this work costs at least the
    bound; work no shift can reach is left out.

    Parameters
    ----------
    scenario : Scenario
    rules : mapping of group to ShiftRule or dict, optional
        Shift rules replacing the scenario's.
    time_limit : float, default 60
        Solver time limit, seconds.

    Returns
    -------
    float
        Money (the unit of ``cost_per_hour``), comparable to :attr:`Schedule.cost`; NaN
        when the LP was not solved.

    Examples
    --------
    >>> import wfm
    >>> round(lower_bound(wfm.load_scenario("scenarios/baseline.yaml")), 1)
    340.5
    """
    return _lower_bound_direct(scenario, rules=rules, time_limit=time_limit)


def _bound_work(scenario: Scenario, rule_map: Mapping[str, ShiftRule]) -> tuple[
        list[Any], list[tuple[str, str, int]], list[tuple[str, str, Any]]]:
    """The templates, the flows ``(channel, group, interval)`` and the work rows of the
    lower bound's LP (see :func:`lower_bound`)."""
    h = scenario.horizon
    iv = scenario.interval_seconds
    templates = build_templates(scenario, rule_map)
    load = staffing.channel_load(scenario)
    is_open = scenario.open_mask()
    serving = {c: scenario.groups_serving(c) for c in scenario.channel_names}
    reach = {g: np.zeros(h, bool) for g in scenario.group_names}
    for t in templates:
        reach[t.group][t.start:t.end] = True
    flows: list[tuple[str, str, int]] = []
    work_rows: list[tuple[str, str, Any]] = []  # (channel, kind, data)
    for c, ch in scenario.channels.items():
        if ch.target is None:
            continue
        gs = [g for g in serving[c]]
        if ch.kind in ("voice", "chat"):
            need = load[c] * ch.target.service_level
            for ti in np.flatnonzero(need > 1e-12).tolist():
                can = [g for g in gs if reach[g][ti]]
                if can:
                    flows.extend((c, g, ti) for g in can)
                    work_rows.append((c, "now", (ti, float(need[ti]), can)))
        else:
            v = np.asarray(ch.volume, float) * (1 - ch.deflection) * is_open
            if ch.social is not None:
                v = staffing.social_volume(scenario, c) * is_open
            arrive = v * ch.aht_curve(h) / iv
            if arrive.sum() <= 1e-12:
                continue
            first = int(np.flatnonzero(arrive > 0)[0])
            can_t = [ti for ti in range(first, h) if any(reach[g][ti] for g in gs)]
            flows.extend((c, g, ti) for ti in can_t for g in gs if reach[g][ti])
            within = ch.target.answer_within + (ch.mean_aht if ch.target.judged_on == "started"
                                                else 0.0)
            k = max(1, math.ceil(within / iv - 1e-9))
            work_rows.append((c, "deferred", (np.cumsum(arrive), k, ch.target.service_level,
                                              [g for g in gs])))
    return templates, flows, work_rows


def _lower_bound_direct(
    scenario: Scenario,
    *,
    rules: Mapping[str, ShiftRule | Mapping[str, Any]] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> float:
    """:func:`lower_bound`'s LP as sparse arrays handed to HiGHS (``highspy``), without
    pyomo: the same rows, except that deferred work done by interval ``t`` is a column
    ``D[t] = D[t-1] + work done in t`` (bounded by what arrived and what is due) rather
    than the sum of every earlier flow in each row, an exact reformulation that keeps the
    matrix sparse (on a week of a large centre: 0.5 s against 30 s of CPU)."""
    import highspy
    import scipy.sparse as sp

    rule_map = shift_rules(scenario, rules)
    h = scenario.horizon
    templates, flows, work_rows = _bound_work(scenario, rule_map)
    nx = len(templates)
    zi = [(j, b) for j, t in enumerate(templates) for b in range(len(t.break_offsets))]
    nz = len(zi)
    nf = len(flows)
    fidx = {f: n for n, f in enumerate(flows)}
    col_cost = [float(t.cost) for t in templates] + [0.0] * (nz + nf)
    col_lo: list[float] = [0.0] * (nx + nz + nf)
    col_hi: list[float] = [highspy.kHighsInf] * (nx + nz + nf)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    row_lo: list[float] = []
    row_hi: list[float] = []
    inf = highspy.kHighsInf

    def new_row(lo: float, hi: float) -> int:
        row_lo.append(lo)
        row_hi.append(hi)
        return len(row_lo) - 1

    # coverage: agents on shift and not on break >= the work flowing to the group there
    gt_row: dict[tuple[str, int], int] = {}
    for (_c, g, ti), n in fidx.items():
        r = gt_row.get((g, ti))
        if r is None:
            r = gt_row[(g, ti)] = new_row(0.0, inf)
        rows.append(r)
        cols.append(nx + nz + n)
        vals.append(-1.0)
    for j, t in enumerate(templates):
        for ti in range(t.start, t.end):
            r = gt_row.get((t.group, ti))
            if r is not None:
                rows.append(r)
                cols.append(j)
                vals.append(1.0)
    for n, (j, b) in enumerate(zi):
        t = templates[j]
        b0 = t.start + t.break_offsets[b]
        for ti in range(b0, b0 + t.break_length):
            r = gt_row.get((t.group, ti))
            if r is not None:
                rows.append(r)
                cols.append(nx + n)
                vals.append(-1.0)
    # break placements sum to the template's agents
    place: dict[int, list[int]] = {}
    for n, (j, _b) in enumerate(zi):
        place.setdefault(j, []).append(n)
    for j, ns in place.items():
        r = new_row(0.0, 0.0)
        rows.extend([r] * (len(ns) + 1))
        cols.extend([j] + [nx + n for n in ns])
        vals.extend([-1.0] + [1.0] * len(ns))
    for c, kind, data in work_rows:
        if kind == "now":
            ti, need, can = data
            r = new_row(need, inf)
            for g in can:
                rows.append(r)
                cols.append(nx + nz + fidx[(c, g, ti)])
                vals.append(1.0)
            continue
        cum, k, level, gs = data
        started = False
        prev = -1
        for ti in range(h):
            fs = [fidx[(c, g, ti)] for g in gs if (c, g, ti) in fidx]
            if not fs and not started:
                continue
            started = True
            lo = float(cum[ti - k]) * level if ti - k >= 0 and cum[ti - k] > 0 else 0.0
            if ti == h - 1:
                lo = max(lo, float(cum[-1]) * level)
            d = len(col_cost)  # D[ti]: work done by the end of ti
            col_cost.append(0.0)
            col_lo.append(lo)
            col_hi.append(float(cum[ti]) + 1e-9)
            r = new_row(0.0, 0.0)  # D[ti] - D[ti-1] - flows(ti) = 0
            rows.append(r)
            cols.append(d)
            vals.append(1.0)
            if prev >= 0:
                rows.append(r)
                cols.append(prev)
                vals.append(-1.0)
            for f in fs:
                rows.append(r)
                cols.append(nx + nz + f)
                vals.append(-1.0)
            prev = d
    by_day: dict[tuple[str, int], list[int]] = {}
    for j, t in enumerate(templates):
        if rule_map[t.group].max_agents is not None:
            by_day.setdefault((t.group, t.day), []).append(j)
    for (g, _d), js in by_day.items():
        r = new_row(-inf, float(rule_map[g].max_agents or 0))
        rows.extend([r] * len(js))
        cols.extend(js)
        vals.extend([1.0] * len(js))
    ncol, nrow = len(col_cost), len(row_lo)
    if ncol == 0:
        return 0.0
    a = sp.csc_matrix((np.asarray(vals, float), (np.asarray(rows, np.int64),
                                                   np.asarray(cols, np.int64))),
                      shape=(nrow, ncol))
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = nrow
    lp.col_cost_ = np.asarray(col_cost, float)
    lp.col_lower_ = np.asarray(col_lo, float)
    lp.col_upper_ = np.asarray(col_hi, float)
    lp.row_lower_ = np.asarray(row_lo, float)
    lp.row_upper_ = np.asarray(row_hi, float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.asarray(a.indptr, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(a.indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(a.data, dtype=float)
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    solver.setOptionValue("time_limit", float(time_limit))
    solver.setOptionValue("threads", 1)
    solver.passModel(lp)
    solver.run()
    if str(solver.getModelStatus()) != "HighsModelStatus.kOptimal":
        return math.nan
    return float(solver.getInfo().objective_function_value)


def _lower_bound_pyomo(
    scenario: Scenario,
    *,
    rules: Mapping[str, ShiftRule | Mapping[str, Any]] | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> float:
    """:func:`lower_bound`'s LP built in pyomo, one row per deferred deadline with every
    earlier flow in it (the formulation of before; ``tests/test_plan_scale.py`` checks
    that :func:`_lower_bound_direct` gives the same bound)."""
    import pyomo.environ as pyo

    rule_map = shift_rules(scenario, rules)
    h = scenario.horizon
    templates, flows, work_rows = _bound_work(scenario, rule_map)
    m = pyo.ConcreteModel(name="bound")
    m.x = pyo.Var(range(len(templates)), domain=pyo.NonNegativeReals)
    zi = [(j, b) for j, t in enumerate(templates) for b in range(len(t.break_offsets))]
    m.z = pyo.Var(range(len(zi)), domain=pyo.NonNegativeReals)
    fidx = {f: n for n, f in enumerate(flows)}
    m.y = pyo.Var(range(len(flows)), domain=pyo.NonNegativeReals)
    m.rows = pyo.ConstraintList()
    by_gt: dict[tuple[str, int], list[Any]] = {}
    for (_c, g, ti), n in fidx.items():
        by_gt.setdefault((g, ti), []).append(m.y[n])
    cover: dict[tuple[str, int], list[Any]] = {}
    for j, t in enumerate(templates):
        for ti in range(t.start, t.end):
            if (t.group, ti) in by_gt:
                cover.setdefault((t.group, ti), []).append(m.x[j])
    for n, (j, b) in enumerate(zi):
        t = templates[j]
        b0 = t.start + t.break_offsets[b]
        for ti in range(b0, b0 + t.break_length):
            if (t.group, ti) in by_gt:
                cover.setdefault((t.group, ti), []).append(-m.z[n])
    for (g, ti), ys in by_gt.items():
        m.rows.add(sum(cover.get((g, ti), [])) >= sum(ys))
    for j, t in enumerate(templates):
        if t.break_offsets:
            m.rows.add(sum(m.z[n] for n, (jj, _) in enumerate(zi) if jj == j) == m.x[j])
    for c, kind, data in work_rows:
        if kind == "now":
            ti, need, can = data
            m.rows.add(sum(m.y[fidx[(c, g, ti)]] for g in can) >= need)
        else:
            cum, k, level, gs = data
            done: Any = 0
            for ti in range(h):
                done = done + sum(m.y[fidx[(c, g, ti)]] for g in gs if (c, g, ti) in fidx)
                if isinstance(done, (int, float)):
                    continue
                m.rows.add(done <= float(cum[ti]) + 1e-9)
                if ti - k >= 0 and cum[ti - k] > 0:
                    m.rows.add(done >= float(cum[ti - k]) * level)
            if not isinstance(done, (int, float)):
                m.rows.add(done >= float(cum[-1]) * level)
    by_day: dict[tuple[str, int], list[int]] = {}
    for j, t in enumerate(templates):
        if rule_map[t.group].max_agents is not None:
            by_day.setdefault((t.group, t.day), []).append(j)
    for (g, _d), js in by_day.items():
        m.rows.add(sum(m.x[j] for j in js) <= rule_map[g].max_agents)
    m.cost = pyo.Objective(expr=sum(t.cost * m.x[j] for j, t in enumerate(templates)),
                           sense=pyo.minimize)
    opt = pyo.SolverFactory("appsi_highs")
    try:
        res = opt.solve(m, load_solutions=False, timelimit=float(time_limit))
    except RuntimeError:  # infeasible or unbounded: no bound
        return math.nan
    lb = res.problem.lower_bound
    ub = res.problem.upper_bound
    if "optimal" not in str(res.solver.termination_condition).lower():
        return float(lb) if lb is not None and math.isfinite(float(lb)) else math.nan
    return float(ub) if ub is not None else math.nan


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
    trim: bool = True,
    pooling: bool = True,
    fte_hours: float = DEFAULT_FTE_HOURS,
    bound: bool = True,
    warm_start: bool = False,
    sequential: bool = False,
    escalate: bool = False,
    confirm_first: bool = False,
    workers: int = 1,
) -> PlanResult:
    """Plan the cheapest shifts found that meet every channel's target in the simulation.

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
        its target (see the "meets" rule), and of the removal rule's day check.
    patience : int, default 3
        Stop after this many rounds in a row without a better miss score (before any
        round met every target) or without a cheaper round meeting every target (after).
    on_round : callable, optional
        Called as ``on_round(iteration, row)`` after each round with its row of
        :attr:`PlanResult.iterations`.
    trim : bool, default True
        Also take agents away where a channel beats its target (the removal rule). False:
        the loop only adds agents, as before.
    pooling : bool, default True
        Start from the pooled group rule of :mod:`wfm.staffing` (a group serving several
        channels needs fewer agents than the sum of its shares) instead of the summed
        one. On the bundled baseline and channel_shift it ends on cheaper confirmed
        plans in fewer rounds (baseline 440.0 against 441.5; channel_shift converges
        and confirms at 398.0 in 13 rounds, while the summed rule runs out of its 15
        rounds on an unconfirmed 380.0 that misses an interval on new seeds).
    fte_hours : float, default 40
        Paid hours of one FTE per 7-day week, for :attr:`PlanResult.costs` (see
        :func:`plan_costs`).
    bound : bool, default True
        Compute :attr:`PlanResult.lower_bound` (one LP, see :func:`lower_bound`), in a
        thread beside the loop.
    warm_start : bool, default False
        Start each round's schedule from the last round's (``schedule(warm_start=)``);
        a schedule that comes back and meets again is then confirmed in full.
    sequential : bool, default False
        The sequential check (module docstring): a round stops, or a confirmation is
        refuted, at its first replication when a channel surely misses; otherwise the
        check goes on from that replication.
    escalate : bool, default False
        For large centres (many channels sharing groups, where the rounds are the cost):
        sized raises on the Erlang curve, escalating for channels that keep missing;
        raises not held back by unrelated undos; every removal blamed when a channel
        that met surely misses; a repeated schedule that now misses refutes and goes on.
    confirm_first : bool, default False
        Confirm every round that meets every target at once, so the loop stops on the
        first confirmed plan (fewer rounds on a large centre, less trimming).
    workers : int, default 1
        Processes that simulate a round's replications at once (``simulate(...,
        workers=)``), and threads that solve the schedule's blocks side by side
        (``schedule(..., threads=)``): the same numbers, sooner on a large centre with
        several cores.

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
    fte_hours = finite_number("fte_hours", fte_hours, minimum=0, maximum=168, strict=True)
    workers = whole_number("workers", workers, minimum=1, maximum=256)
    for name, flag in (("trim", trim), ("pooling", pooling), ("bound", bound),
                       ("warm_start", warm_start), ("sequential", sequential),
                       ("escalate", escalate), ("confirm_first", confirm_first)):
        if not isinstance(flag, bool):
            raise ValueError(f"{name} must be True or False (got {flag!r})")
    t_start = time.perf_counter()
    # the lower bound needs nothing from the loop: one LP, solved in a thread beside it
    # (HiGHS runs without Python's lock, so on two cores it costs the loop little)
    bound_out: dict[str, Any] = {}

    def bound_job() -> None:
        try:
            bound_out["value"] = lower_bound(scenario, rules=rules, time_limit=time_limit)
        except BaseException as exc:  # handed to the caller below
            bound_out["error"] = exc

    bound_thread = threading.Thread(target=bound_job, name="wfm-plan-bound", daemon=True)
    if bound:
        bound_thread.start()
    if workers > 1:  # the processes' fork server imports the engine while round 1 schedules
        warm_up()
    h = scenario.horizon
    base = staffing.channel_requirements(scenario)
    pooled_base = staffing.group_requirements(scenario, base, pooled=True) if pooling else None
    up = {c: np.zeros(h, dtype=np.int64) for c in base}           # raises per channel
    cuts: dict[tuple[str, str], np.ndarray] = {}                   # removals per channel, group
    kinds = {c: scenario.channels[c].kind for c in base}
    # lowest net correction each cell may take: deferred work never below its analytic curve
    lowest = {c: (np.zeros(h, np.int64) if kinds[c] in ("deferred", "social") else -base[c])
              for c in base}
    cap = {c: np.maximum((base[c] + 1) // 2, 1).astype(np.int64) for c in base}
    weights = staffing.split_weights(scenario)
    skills = {g.group: [c for c in g.skills if c in base] for g in scenario.agents}
    labels = scenario.interval_labels()
    rows: list[dict[str, Any]] = []
    rounds: list[dict[str, Any]] = []
    seen: dict[tuple, int] = {}
    pooled_sd: dict[str, tuple[float, int]] = {}
    removed: dict[tuple[str, str], dict[int, int]] = {}
    best = -1
    best_met = -1
    since_best = 0
    stop = StopReason.MAX_ITERATIONS
    reason = f"max_iterations ({max_iterations}) reached"

    def net(c: str) -> np.ndarray:
        out = up[c].copy()
        for (cc, _g), cut in cuts.items():
            if cc == c:
                out -= cut
        return out

    judged_channels = [c for c, ch in scenario.channels.items() if ch.target is not None]
    miss_run = {c: 0 for c in base}
    met_before: set[str] = set()
    last_sched: Schedule | None = None
    confirm_of: int | None = None
    refuted: set[int] = set()
    chosen_i = -1
    for k in range(1, max_iterations + 1):
        confirming = confirm_of
        if confirming is not None:  # the same schedule again: fresh seed, twice the reps
            group_req = rounds[confirming]["group_req"]
            sched = rounds[confirming]["schedule"]
            staffed = rounds[confirming]["scenario"]
            confirm_of = None
        else:
            group_req = _group_req(scenario, base, up, cuts, pooled_base)
            sched = schedule(scenario, group_req, rules=rules, time_limit=time_limit, gap=gap,
                             warm_start=last_sched if warm_start else None, threads=workers)
            last_sched = sched
            staffed = _staffed(scenario, sched)
        reps = replications * (CONFIRM_FACTOR if confirming is not None else 1)
        first = SEQUENTIAL_FIRST
        sim = None
        day_band: dict[str, float] = {}
        unclear: set[str] = set()
        spread = {c: math.sqrt(ss / dof) for c, (ss, dof) in pooled_sd.items() if dof > 0}
        runs = Replications(staffed, seed=seed + k - 1, replications=reps, workers=workers)
        if sequential and first < reps and all(c in spread for c in judged_channels):
            # the sequential check: the first replication alone, judged as the full
            # check would be; kept when a channel surely misses (the round fails, or the
            # confirmation is refuted, whatever the other replications say: only the
            # clear verdicts are acted on). Otherwise the full check goes on from it: the
            # first replication is not simulated again
            sim1 = runs.result(first)
            v1, c1 = _judge(sim1, min_contacts=min_contacts,
                            interval_tolerance=interval_tolerance, confidence=confidence,
                            spread=spread, project=reps)
            is_clear = v1["clear"].to_numpy(bool)
            # a round that meets is always judged on every replication: only a sure
            # miss ends it early
            keep = bool((is_clear & ~v1["met"].to_numpy(bool)).any())
            if keep:
                runs.close()
                sim, checks = sim1, c1
                day_band = {str(c): float(b) for c, b in zip(v1["channel"], v1["band"],
                                                                strict=True)}
                unclear = {str(c) for c, ok in zip(v1["channel"], is_clear, strict=True)
                           if not ok}
                verdict = v1.drop(columns=["band", "clear"])
        if sim is None:
            sim = runs.result()
            _pool(pooled_sd, sim)
            spread = {c: math.sqrt(ss / dof) for c, (ss, dof) in pooled_sd.items() if dof > 0}
            verdict, checks = judge(sim, min_contacts=min_contacts,
                                    interval_tolerance=interval_tolerance,
                                    confidence=confidence, spread=spread)
            if confirming is not None:
                verdict = _confirmation(verdict, sim, confidence)
        met = bool(verdict["met"].all()) and not unclear
        score = float(verdict["score"].sum())
        snapshot = {c: net(c) for c in base}
        # --- corrections decided from this round -----------------------------------
        # (a channel whose early verdict is not clear is neither raised nor trimmed)
        missed_ch = set(verdict.loc[~verdict["met"], "channel"]) - unclear
        for c in missed_ch & set(base):  # a level that missed is never planned again
            part = checks[(checks["channel"] == c) & ~checks["met"]]
            idx = part["interval"].to_numpy(np.int64)
            lowest[c][idx] = np.maximum(lowest[c][idx], snapshot[c][idx] + 1)
        for c in base:  # rounds in a row each channel missed (the escalation)
            miss_run[c] = miss_run[c] + 1 if c in missed_ch else 0
        undone = 0
        explained: set[str] = set()
        blocked = {c: np.zeros(h, bool) for c in base}
        # escalate: a channel that met last round and surely misses now blames every
        # removal of last round (at scale a removal reaches further than the groups
        # serving the channel: fewer agents for one line of a blended group push its
        # other line's calls onto a third group)
        newly = escalate and bool(missed_ch & met_before)
        for (c, g), cells in removed.items():
            if not newly and not set(skills[g]) & missed_ch:
                continue
            for t, n in cells.items():  # the removal is blamed: undo it, never retry it
                cuts[(c, g)][t] -= n
                lowest[c][t] = max(lowest[c][t], snapshot[c][t] + n)
                cap[c][t] = max(cap[c][t] // 2, 1)
                blocked[c][t] = True
                undone += n
            explained |= set(skills[g]) & missed_ch
        if newly and undone:
            explained |= missed_ch & met_before
        met_before = set(verdict.loc[verdict["met"], "channel"]) - unclear
        added = 0
        # a miss is raised unless an undone removal explains it (escalate: only the misses
        # of channels served by a group that gave agents up wait for the undo; before,
        # any undo held back every raise)
        to_raise = missed_ch - explained if escalate else (missed_ch if not undone else set())
        # a channel whose early verdict is unclear but a miss is raised too (not made a
        # floor, not blamed on a removal): left alone it would wait for a round without
        # a sure miss elsewhere, and at scale there is nearly always one
        to_raise |= set(verdict.loc[~verdict["met"], "channel"]) & unclear & set(base)
        if to_raise:
            before = sum(int(e.sum()) for e in up.values())
            factor = ({c: min(2 ** max(miss_run[c] - 1, 0), ESCALATE_MAX) for c in to_raise}
                      if escalate else None)
            _raise(up, verdict[verdict["channel"].isin(to_raise)], checks, factor,
                   scenario if escalate else None,
                   {c: np.maximum(base[c] + snapshot[c], 0) for c in base})
            added = sum(int(e.sum()) for e in up.values()) - before
        removed = {}
        key = _staff_key(scenario, sched)
        # a schedule scheduled again that meets on its second seed counts as confirmed;
        # with warm starts the same shifts come back more often (a small change of the
        # requirement the last plan still covers), so it is confirmed in full instead
        repeat_met = confirming is None and key in seen and bool(rows[seen[key] - 1]["met"])
        final = met and (confirming is not None or (repeat_met and not warm_start))
        # escalate: nothing is taken away while a channel surely misses (at scale the
        # agents taken away reach the channels that miss through the shared groups)
        # confirm_first: a round that met is confirmed next, on its own schedule, so
        # nothing is taken away after it (a confirmation that holds ends the loop; one
        # that is refuted raises its misses from the plan that met)
        if (trim and not final and not (escalate and missed_ch)
                and not (confirm_first and met)):
            # a group may give an agent up in an interval when every channel it serves met
            # its target this round and clears it there (or has no judged contacts there)
            clear = {}
            for v in verdict.itertuples(index=False):
                part = checks[checks["channel"] == v.channel].sort_values("interval")
                ok = (~part["judged"].to_numpy(bool)) | _clears(part)
                clear[str(v.channel)] = np.asarray(ok & bool(v.met)
                                                   & (str(v.channel) not in unclear), bool)
            free = {g: np.logical_and.reduce([clear.get(c, np.ones(h, bool)) for c in cs])
                    if cs else np.zeros(h, bool) for g, cs in skills.items()}

            for v in verdict.itertuples(index=False):
                c = str(v.channel)
                if (c not in base or not v.met or kinds[c] == "outbound" or c in unclear
                        or not math.isfinite(float(v.target))):
                    continue
                cur_net = net(c)
                cells = _removals(scenario, c, checks[checks["channel"] == c], cur_net,
                                  base[c], lowest[c], cap[c], blocked[c],
                                  float(v.margin) + day_band.get(c, 0.0))
                for t, n in cells.items():
                    # from the group taking the largest share of the channel there among
                    # those free to give agents up, never below nobody
                    gs = [g for g in weights[c] if free[g][t] and group_req[g][t] > 0]
                    if not gs:
                        continue
                    g = max(gs, key=lambda x: weights[c][x][t])
                    left = int(group_req[g][t]) - sum(
                        cells_.get(t, 0) for (cc, gg), cells_ in removed.items() if gg == g)
                    n = min(n, left)
                    if n <= 0:
                        continue
                    cuts.setdefault((c, g), np.zeros(h, np.int64))[t] += n
                    removed.setdefault((c, g), {})[t] = n
        n_removed = sum(sum(cells.values()) for cells in removed.values())
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
            "added": added,
            "removed": n_removed,
            "undone": undone,
            "confirms": confirming + 1 if confirming is not None else 0,
            "replications": sim.n_replications,
            "unclear": ", ".join(sorted(unclear)),
        }
        for v in verdict.itertuples(index=False):
            row[f"{v.channel}_service_level"] = v.service_level
        rows.append(row)
        rounds.append({
            "schedule": sched, "scenario": staffed, "simulation": sim, "checks": checks,
            "verdict": verdict, "group_req": group_req, "extra": snapshot,
            "key": (int((~verdict["met"]).sum()), score, sched.cost),
        })
        if on_round is not None:
            on_round(k, pd.Series(row))
        cur = len(rounds) - 1
        nothing = not removed and not added and not undone
        if final:
            # a schedule that met every target with two independent seeds: done
            stop = StopReason.CONVERGED
            chosen_i = cur
            first = confirming + 1 if confirming is not None else seen[key]
            reason = (f"every channel meets its target (round {k}, confirming round {first}"
                      " with a fresh seed)")
            break
        if confirming is not None or (repeat_met and not met):
            refuted.add(confirming if confirming is not None else seen[key] - 1)
            refuted.update(i for i in range(len(rounds)) if rounds[i]["key"][2] == sched.cost
                           and rows[i]["met"] and i != cur
                           and _staff_key(scenario, rounds[i]["schedule"]) == key)
            best_met = _cheapest_met(rows, refuted)
        if met:
            if best_met < 0 or sched.cost < rounds[best_met]["schedule"].cost - 1e-9:
                best_met = cur
                since_best = 0
            else:
                since_best += 1
            if nothing or since_best >= patience or confirm_first or repeat_met:
                # confirm the cheapest round that met before stopping on it
                confirm_of = best_met
                continue
        elif best_met < 0:
            # a round that added agents is progress even when its (noisy) score is not
            # better: with a few replications the day's service level of a busy voice
            # channel moves by several points from one seed to the next
            # (the cost of the groups serving a missed channel: agents taken away
            # elsewhere do not hide it)
            serving = {g for c in missed_ch for g in scenario.groups_serving(c)}
            grew = len(rounds) > 1 and _group_cost(sched, serving) > _group_cost(
                rounds[-2]["schedule"], serving) + 1e-9
            if best < 0 or rounds[-1]["key"] < rounds[best]["key"]:
                improved = best < 0 or score < rounds[best]["key"][1] - 1e-9
                best = cur
                since_best = 0 if improved or grew else since_best + 1
            else:
                since_best = 0 if grew else since_best + 1
        else:
            since_best += 1
        prev = rounds[-2]["schedule"] if len(rounds) > 1 else None
        if (best_met < 0 and prev is not None and sched.shortfall > prev.shortfall
                and sched.cost <= prev.cost + 1e-9):
            stop = StopReason.SHORTFALL
            reason = (
                f"nothing improves: the requirement raised for round {k} went entirely into"
                f" shortfall ({sched.shortfall:g} agent-intervals cannot be covered; see the"
                " schedule's coverage)"
            )
            break
        # escalate: a schedule that repeats a round which met (or a confirmation), and
        # now misses, refutes it like a confirmation; its misses were raised, so the next
        # round differs and the loop goes on
        refuting = (escalate and added > 0 and (bool(rows[seen[key] - 1]["met"])
                                                or int(rows[seen[key] - 1]["confirms"]) > 0)
                    if key in seen else False)
        if key in seen and confirming is None and not refuting:
            stop = StopReason.REPEATED
            short = sched.shortfall
            reason = (
                f"nothing improves: round {k} schedules the same staff as round {seen[key]}"
                + (f"; {short:g} agent-intervals of requirement cannot be covered (see the"
                   " schedule's coverage shortfall)" if short > 0 and best_met < 0 else "")
            )
            break
        seen.setdefault(key, k)
        if since_best >= patience:
            if best_met >= 0 and best_met not in refuted:
                confirm_of = best_met
                since_best = 0
                continue
            stop = StopReason.NO_PROGRESS
            if best_met < 0:
                reason = f"nothing improves: no better miss score in the last {patience} rounds"
                if sched.shortfall > 0:
                    reason += (f"; {sched.shortfall:g} agent-intervals of requirement cannot"
                               " be covered (see the schedule's coverage)")
            else:
                reason = f"no cheaper round met every target in the last {patience} rounds"
            break
    if chosen_i < 0:
        best_met = _cheapest_met(rows, refuted)
        weak = best_met < 0
        if weak:  # every round that met was refuted by its confirmation: the cheapest
            best_met = _cheapest_met(rows, set())
    converged = chosen_i >= 0 or best_met >= 0
    if chosen_i >= 0:
        pass
    elif converged:
        chosen_i = best_met
        n_met = int(sum(bool(r["met"]) for r in rows))
        reason = (f"every channel meets its target (round {best_met + 1}, the cheapest of"
                  f" {n_met} rounds that met every target; "
                  + ("its confirmation with a fresh seed asked for more margin"
                     if weak else "not confirmed with a fresh seed")
                  + f"); the loop stopped: {reason}")
        stop = StopReason.CONVERGED
    else:
        chosen_i = best
        reason += f" without meeting every target; returning round {best + 1}, the best"
    chosen = rounds[chosen_i]
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
    costs = plan_costs(scenario, chosen["schedule"], rules=rules, fte_hours=fte_hours)
    lb = math.nan
    if bound:
        bound_thread.join()
        if "error" in bound_out:
            raise bound_out["error"]
        lb = float(bound_out["value"])
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
        best_iteration=chosen_i + 1,
        elapsed=time.perf_counter() - t_start,
        costs=costs,
        lower_bound=lb,
        currency=scenario.currency,
        fte_hours=fte_hours,
        pooling=pooling,
        trim=trim,
    )
