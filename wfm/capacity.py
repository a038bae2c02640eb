"""Long-term capacity: when and how many agents to hire so that effective FTE covers a
weekly or monthly requirement at least cost, against attrition, lead times and ramp-up.

Inputs (every unit stated):

* a **requirement** in FTE per period (weeks or months, 6 to 18 months is typical): a
  table (a DataFrame or CSV with columns ``period, required``), a list of numbers, or a
  forecast from a base, an annual growth rate and monthly seasonality
  (:func:`forecast_requirement`);
* the **headcount** today (agents, all fully productive) and the **attrition** rate per
  month (a fraction: 0.02 = 2% of the agents leave each month);
* **hiring classes** (:class:`Hiring`): recruiting and training weeks (the lead time), a
  **ramp** (productivity of new hires by week on the floor, e.g. ``[0.25, 0.5, 0.75]``,
  1.0 afterwards), and the least and most agents per class;
* **costs** (:class:`Costs`): salary per agent per period (trainees are paid), cost per
  hire, and optionally a penalty per FTE-period of under- and over-staffing.

The model
---------
Period ``t`` has ``H[t]`` agents on the payroll and ``E[t]`` effective FTE. A class of
``h[tau]`` agents (integer) starts (is hired, and paid) in period ``tau``; recruiting
starts ``recruiting_weeks`` before, so the first class can start in period
``ceil(recruiting_weeks / weeks per period)``. Agents leave at the end of every period
at the rate ``a`` (monthly attrition turned into the period's, ``s = 1 - a`` survive)::

    H[t] = H0 s^t + sum_{tau <= t} h[tau] s^(t - tau)
    E[t] = H0 s^t + sum_{tau <= t} h[tau] s^(t - tau) p[t - tau]
    E[t] + under[t] - over[t] = required[t],   under, over >= 0
    min_class y[tau] <= h[tau] <= max_class y[tau],   y[tau] binary (a class or none)

where ``p[k]`` is a class's productivity in its ``k``-th period: 0 during training, then
the ramp week by week, then 1 (averaged over the period's weeks for months). The
objective is ``salary * sum H + hire * sum h`` plus, when given, ``understaffing * sum
under + overstaffing * sum over``. Without an understaffing penalty the plan is
lexicographic: first the least total shortfall any hiring plan can reach (a lead time
that makes early periods impossible leaves exactly that), then the least cost with
that shortfall. The plan is a pyomo model solved by HiGHS.

Expected values: headcount and effective FTE are fractional (attrition is a rate), hires
are whole agents.

Examples
--------
A requirement that steps from 50 to 60 FTE in week 10, 50 agents today, no attrition, 3
weeks of recruiting and 2 of training, no ramp: the class of 10 starts in week 8 (0-based
period 8), recruited from period 5, on the floor in period 10.

>>> plan = plan_capacity([50] * 10 + [60] * 10, headcount=50,
...                      hiring={"recruiting_weeks": 3, "training_weeks": 2},
...                      costs={"salary": 700, "hire": 2000})
>>> plan.classes[["recruiting_start", "start", "on_floor", "hires"]]
  recruiting_start   start on_floor  hires
0           week 6  week 9  week 11     10
>>> plan.shortfall, plan.cost, str(plan.status)
(0.0, 804000.0, 'optimal')
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from wfm import limits
from wfm.checks import short_repr
from wfm.errors import InputError, ScenarioError
from wfm.scenario import pydantic_problems
from wfm.scenario.problems import Problems
from wfm.scheduling.model import run_highs
from wfm.scheduling.status import SolverStatus
from wfm.yamlio import load_yaml, read_text

__all__ = [
    "MAX_PERIODS",
    "PERIOD_COLUMNS",
    "WEEKS_PER_MONTH",
    "CapacityPlan",
    "CapacitySpec",
    "Costs",
    "Forecast",
    "Hiring",
    "RequirementSpec",
    "forecast_requirement",
    "load_capacity",
    "period_productivity",
    "plan_capacity",
    "read_requirement",
]

WEEKS_PER_MONTH = 52 / 12
"""Weeks in a month (52 weeks a year)."""

MAX_PERIODS = 520
"""Periods a plan may have at most (ten years of weeks)."""

PERIOD_COLUMNS = [
    "period", "label", "required", "headcount", "in_training", "effective", "hires", "recruiting",
    "attrition", "over", "under", "salary_cost", "hiring_cost", "cost",
]
"""Columns of :attr:`CapacityPlan.periods`, in order."""

Period = Literal["week", "month"]


def _number(value: Any) -> Any:
    if isinstance(value, np.generic) and not isinstance(value, np.bool_):
        return value.item()
    return value


def _integral(value: Any) -> Any:
    value = _number(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _tuple(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, np.ndarray):
        return tuple(value.tolist())
    return value


def _date_text(value: Any) -> Any:
    # YAML reads an unquoted 2027-01-04 as a date
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


NonNeg = Annotated[float, BeforeValidator(_number), Field(ge=0, allow_inf_nan=False)]
Weeks = Annotated[float, BeforeValidator(_number), Field(ge=0, le=520, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Hiring(_Model):
    """Hiring classes: lead time, ramp and class size.

    Attributes
    ----------
    recruiting_weeks : float
        Weeks from the start of recruiting to a class's first (paid) day (default 0).
    training_weeks : float
        Weeks of paid training before a class works (default 0).
    ramp : tuple of float
        Productivity (0-1) of new hires in their first weeks on the floor, week by
        week; 1.0 after the list (default: fully productive at once).
    min_class, max_class : int
        Agents per class: a class has at least ``min_class`` (default 1) and at most
        ``max_class`` (default no limit) agents.
    """

    recruiting_weeks: Weeks = 0.0
    training_weeks: Weeks = 0.0
    ramp: Annotated[
        tuple[Annotated[float, BeforeValidator(_number), Field(ge=0, le=1, allow_inf_nan=False)], ...],
        BeforeValidator(_tuple), Field(max_length=520),
    ] = ()
    min_class: Annotated[int, BeforeValidator(_integral), Field(ge=1, le=100_000)] = 1
    max_class: Annotated[int, BeforeValidator(_integral), Field(ge=1, le=100_000)] | None = None

    @model_validator(mode="after")
    def _sizes(self) -> Hiring:
        if self.max_class is not None and self.max_class < self.min_class:
            raise Problems([("max_class", f"must not be below min_class (got {self.max_class} < {self.min_class})")])
        return self


class Costs(_Model):
    """Money per period, per hire and per FTE-period off the requirement.

    Attributes
    ----------
    salary : float
        Per agent on the payroll per period, trainees included (default 1.0: the cost is
        then in agent-periods).
    hire : float
        Per agent hired (default 0).
    understaffing : float or None
        Per FTE-period below the requirement; None (default): cover as much as any plan
        can, then least cost.
    overstaffing : float
        Per FTE-period above the requirement, on top of the salary (default 0).
    """

    salary: Annotated[float, BeforeValidator(_number), Field(gt=0, le=1e9, allow_inf_nan=False)] = 1.0
    hire: Annotated[float, BeforeValidator(_number), Field(ge=0, le=1e9, allow_inf_nan=False)] = 0.0
    understaffing: Annotated[float, BeforeValidator(_number), Field(gt=0, le=1e12, allow_inf_nan=False)] | None = None
    overstaffing: Annotated[float, BeforeValidator(_number), Field(ge=0, le=1e12, allow_inf_nan=False)] = 0.0


class Forecast(_Model):
    """A requirement forecast: ``base * (1 + growth)^(years) * seasonality[month]``.

    Attributes
    ----------
    base : float
        FTE required in the first period, before seasonality.
    growth : float
        Growth per year (0.08 = 8%; default 0), compounded by period.
    seasonality : tuple of 12 float or None
        Factors for January to December (need the plan's ``start`` date); default none.
    """

    base: NonNeg
    growth: Annotated[float, BeforeValidator(_number), Field(gt=-1, le=10, allow_inf_nan=False)] = 0.0
    seasonality: Annotated[
        tuple[Annotated[float, BeforeValidator(_number), Field(ge=0, le=100, allow_inf_nan=False)], ...],
        BeforeValidator(_tuple), Field(min_length=12, max_length=12),
    ] | None = None


class RequirementSpec(_Model):
    """Where the requirement comes from: exactly one of ``values``, ``table``, ``forecast``.

    Attributes
    ----------
    values : tuple of float or None
        FTE required per period.
    table : str or None
        A CSV file with columns ``period`` and ``required`` (FTE), relative to the spec
        file.
    forecast : Forecast or None
        Base, growth and seasonality; the plan's ``periods`` says how many.
    """

    values: Annotated[tuple[NonNeg, ...], BeforeValidator(_tuple), Field(min_length=1)] | None = None
    table: str | None = None
    forecast: Forecast | None = None

    @model_validator(mode="after")
    def _one(self) -> RequirementSpec:
        given = [k for k in ("values", "table", "forecast") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of values, table, forecast"
                             + (f" (got {', '.join(given)})" if given else ""))
        return self


class CapacitySpec(_Model):
    """A capacity plan's inputs, as the YAML file of ``wfm capacity`` gives them.

    Attributes
    ----------
    name : str
        Shown in reports (default ``capacity plan``).
    period : {"week", "month"}
        The planning period (default ``week``).
    periods : int or None
        Periods in the plan: required with a forecast; with values or a table, if given,
        it must match their length.
    start : str or None
        Date of the first period, ``"YYYY-MM-DD"`` (labels; needed by seasonality).
    requirement : RequirementSpec
    headcount : float
        Agents on the payroll today, all fully productive.
    attrition : float
        Share of the agents leaving per month, in [0, 1) (default 0).
    hiring : Hiring
    costs : Costs
    """

    name: str = "capacity plan"
    period: Period = "week"
    periods: Annotated[int, BeforeValidator(_integral), Field(ge=1)] | None = None
    start: Annotated[str, BeforeValidator(_date_text)] | None = None
    requirement: RequirementSpec
    headcount: Annotated[float, BeforeValidator(_number), Field(ge=0, allow_inf_nan=False)]
    attrition: Annotated[float, BeforeValidator(_number), Field(ge=0, lt=1, allow_inf_nan=False)] = 0.0
    hiring: Hiring = Field(default_factory=Hiring)
    costs: Costs = Field(default_factory=Costs)

    @model_validator(mode="after")
    def _cross(self) -> CapacitySpec:
        problems = []
        if self.start is not None:
            try:
                dt.date.fromisoformat(self.start)
            except ValueError:
                problems.append(("start", f"must be a date YYYY-MM-DD (got {self.start[:40]!r})"))
        req = self.requirement
        if req.forecast is not None and self.periods is None:
            problems.append(("periods", "is required with a forecast (how many periods to plan)"))
        if req.forecast is not None and req.forecast.seasonality is not None and self.start is None:
            problems.append(("start", "is required with seasonality (which month the plan starts in)"))
        if req.values is not None and self.periods is not None and self.periods != len(req.values):
            problems.append(("periods", f"is {self.periods} but requirement.values has {len(req.values)}"))
        if problems:
            raise Problems(problems)
        return self

    def requirement_frame(self, base_dir: str | os.PathLike[str] | None = None) -> pd.DataFrame:
        """The requirement as a DataFrame (``period``, ``required``), whatever its source.

        Parameters
        ----------
        base_dir : str or PathLike, optional
            Folder a relative ``table`` path is read from (default: the working folder).

        Returns
        -------
        pandas.DataFrame
        """
        req = self.requirement
        if req.values is not None:
            return pd.DataFrame({"period": range(len(req.values)), "required": list(req.values)})
        if req.table is not None:
            path = Path(req.table)
            if base_dir is not None and not path.is_absolute():
                path = Path(base_dir) / path
            frame = read_requirement(path)
            if self.periods is not None and self.periods != len(frame):
                raise InputError([("periods", f"is {self.periods} but {req.table} has {len(frame)} periods")])
            return frame
        assert req.forecast is not None and self.periods is not None
        f = req.forecast
        return forecast_requirement(f.base, self.periods, period=self.period, growth=f.growth,
                                    seasonality=f.seasonality, start=self.start)

    def plan(self, *, base_dir: str | os.PathLike[str] | None = None, time_limit: float = 30.0,
             gap: float = 0.005) -> CapacityPlan:
        """:func:`plan_capacity` of these inputs (``base_dir`` as in :meth:`requirement_frame`).

        Examples
        --------
        >>> spec = CapacitySpec.model_validate({"requirement": {"values": [5, 5, 8]}, "headcount": 5})
        >>> spec.plan().periods["hires"].tolist()
        [0, 0, 3]
        """
        return plan_capacity(
            self.requirement_frame(base_dir), headcount=self.headcount, attrition=self.attrition,
            period=self.period, hiring=self.hiring, costs=self.costs, start=self.start, name=self.name,
            time_limit=time_limit, gap=gap,
        )


def _validated(model: type[_Model], value: Any, path: str) -> Any:
    if isinstance(value, model):
        return value
    if value is None:
        return model()
    if not isinstance(value, Mapping):
        raise InputError([(path, f"must be a mapping or a {model.__name__}, not {type(value).__name__}")])
    try:
        return model.model_validate(dict(value))
    except ValidationError as exc:
        found, _ = pydantic_problems(exc)
        raise InputError([(f"{path}.{p}" if p else path, r) for p, r in found]) from None


def load_capacity(path: str | os.PathLike[str]) -> CapacitySpec:
    """Read a capacity plan's inputs from a YAML file.

    The keys (see ``docs/guides/capacity.md``): ``name``, ``period`` (``week`` or
    ``month``), ``periods``, ``start`` (a date), ``requirement`` (one of ``values``,
    ``table``, ``forecast: {base, growth, seasonality}``), ``headcount``, ``attrition``
    (per month), ``hiring`` (``recruiting_weeks``, ``training_weeks``, ``ramp``,
    ``min_class``, ``max_class``) and ``costs`` (``salary``, ``hire``,
    ``understaffing``, ``overstaffing``).

    Parameters
    ----------
    path : str or PathLike

    Returns
    -------
    CapacitySpec
        Plan it with ``spec.plan(base_dir=Path(path).parent)``.

    Raises
    ------
    ScenarioError
        The file cannot be read, is not YAML or has a bad key (named with its path).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "plan.yaml"
    >>> _ = p.write_text("period: month\\nrequirement: {values: [10, 12]}\\nheadcount: 10\\n"
    ...                  "hiring: {min_class: 3, max_class: 2}\\n")
    >>> load_capacity(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wfm.errors.ScenarioError: invalid scenario ...plan.yaml: hiring.max_class: must not be below min_class (got 2 < 3)
    """
    source = os.fspath(path)
    try:
        data = load_yaml(read_text(source, "capacity plan"), source=source)
    except InputError:
        raise
    except ValueError as exc:  # PyYAML reads an impossible unquoted date (2027-13-01) as an error
        raise ScenarioError([("", f"YAML: {exc}")], source) from None
    if not isinstance(data, Mapping):
        raise ScenarioError([("", "a capacity plan must be a mapping of keys (name, requirement, ...)")], source)
    try:
        return CapacitySpec.model_validate(dict(data))
    except ValidationError as exc:
        found, _ = pydantic_problems(exc)
        raise ScenarioError(found, source) from None


# ---------------------------------------------------------------------- requirement
def read_requirement(table: pd.DataFrame | str | os.PathLike[str]) -> pd.DataFrame:
    """A requirement table, checked: columns ``period`` (labels) and ``required`` (FTE).

    Parameters
    ----------
    table : DataFrame or path of a CSV file
        One row per period, in order.

    Returns
    -------
    pandas.DataFrame
        ``period`` and ``required`` (float), index 0..n-1.

    Raises
    ------
    InputError
        A missing column, a value that is not a finite number >= 0, repeated periods,
        no rows, or more than :data:`MAX_PERIODS` (the message names the row).

    Examples
    --------
    >>> read_requirement(pd.DataFrame({"period": ["2027-01", "2027-02"], "required": [10, 12.5]}))
        period  required
    0  2027-01      10.0
    1  2027-02      12.5
    >>> read_requirement(pd.DataFrame({"period": [1, 2], "required": [10, -1]}))
    Traceback (most recent call last):
    ...
    wfm.errors.InputError: invalid input: requirement.required[1]: must be a finite number >= 0 (got -1)
    """
    source = None
    if not isinstance(table, pd.DataFrame):
        source = os.fspath(table)
        text = read_text(source, "requirement table")
        try:
            table = pd.read_csv(io.StringIO(text))
        except (ValueError, pd.errors.ParserError) as exc:
            raise InputError([("requirement.table", f"cannot read the CSV: {exc}")], source) from None
    missing = [c for c in ("period", "required") if c not in table.columns]
    if missing:
        raise InputError([("requirement", f"the table needs columns period and required; missing"
                                          f" {', '.join(missing)}")], source)
    if len(table) == 0:
        raise InputError([("requirement", "the table has no rows")], source)
    if len(table) > MAX_PERIODS:
        raise InputError([("requirement", f"{len(table):,} periods is more than the limit of {MAX_PERIODS}")],
                         source)
    values = pd.to_numeric(table["required"], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
    if bad.size:
        i = int(bad[0])
        raw = table["required"].iloc[i]
        got = f"{values[i]:g}" if not math.isnan(values[i]) else short_repr(_number(raw))
        raise InputError([(f"requirement.required[{i}]", f"must be a finite number >= 0 (got {got})")], source)
    periods = table["period"].astype(str)
    dup = periods[periods.duplicated()]
    if len(dup):
        raise InputError([("requirement.period", f"period {dup.iloc[0]!r} appears twice")], source)
    return pd.DataFrame({"period": periods.to_numpy(), "required": values})


def forecast_requirement(
    base: float,
    periods: int,
    *,
    period: Period = "week",
    growth: float = 0.0,
    seasonality: Sequence[float] | None = None,
    start: str | dt.date | None = None,
) -> pd.DataFrame:
    """A requirement from a base, an annual growth rate and monthly seasonality.

    ``required[t] = base * (1 + growth)^(t / periods per year) * seasonality[month of t]``.

    Parameters
    ----------
    base : float
        FTE in the first period, before seasonality.
    periods : int
        Periods to forecast (1 to :data:`MAX_PERIODS`).
    period : {"week", "month"}
    growth : float
        Growth per year (0.08 = 8%), > -1.
    seasonality : sequence of 12 float, optional
        Factors for January to December; the month of a week is that of its first day.
    start : str or date, optional
        Date of the first period (needed with ``seasonality``).

    Returns
    -------
    pandas.DataFrame
        ``period`` (label: the date of the period's first day, or ``week 1`` ... without
        ``start``) and ``required`` (FTE).

    Examples
    --------
    >>> forecast_requirement(100, 3, period="month", growth=0.12,
    ...                      seasonality=[1.2] + [1.0] * 11, start="2027-01-01").round(2)
           period  required
    0  2027-01-01    120.00
    1  2027-02-01    100.95
    2  2027-03-01    101.91
    """
    f = _validated(Forecast, {"base": base, "growth": growth, "seasonality": seasonality}, "forecast")
    n = _periods_arg(periods)
    kind = _period_arg(period)
    day0 = _start_arg(start)
    if f.seasonality is not None and day0 is None:
        raise InputError([("start", "is required with seasonality (which month the plan starts in)")])
    per_year = 52 if kind == "week" else 12
    t = np.arange(n)
    values = f.base * (1 + f.growth) ** (t / per_year)
    if f.seasonality is not None and day0 is not None:
        months = [_period_date(day0, kind, i).month for i in range(n)]
        values = values * np.array([f.seasonality[m - 1] for m in months])
    return pd.DataFrame({"period": _labels(kind, n, day0), "required": values})


def _period_arg(period: Any) -> Period:
    if period not in ("week", "month"):
        raise InputError([("period", f"must be week or month (got {period!r})")])
    return "week" if period == "week" else "month"


def _periods_arg(periods: Any) -> int:
    if not (isinstance(periods, int | np.integer) and not isinstance(periods, bool) and 1 <= periods):
        raise InputError([("periods", f"must be a whole number >= 1 (got {periods!r})")])
    if periods > MAX_PERIODS:
        raise InputError([("periods", f"{periods:,} is more than the limit of {MAX_PERIODS} periods")])
    return int(periods)


def _start_arg(start: Any) -> dt.date | None:
    if start is None:
        return None
    if isinstance(start, dt.date):
        return start
    try:
        return dt.date.fromisoformat(str(start))
    except ValueError:
        raise InputError([("start", f"must be a date YYYY-MM-DD (got {str(start)[:40]!r})")]) from None


def _period_date(day0: dt.date, kind: Period, i: int) -> dt.date:
    if kind == "week":
        return day0 + dt.timedelta(weeks=i)
    month = day0.month - 1 + i
    year = day0.year + month // 12
    return dt.date(year, month % 12 + 1, min(day0.day, 28))


def _labels(kind: Period, n: int, day0: dt.date | None) -> list[str]:
    if day0 is None:
        return [f"{kind} {i + 1}" for i in range(n)]
    return [_period_date(day0, kind, i).isoformat() for i in range(n)]


def period_productivity(
    training_weeks: float, ramp: Sequence[float], weeks_per_period: float, periods: int
) -> npt.NDArray[np.float64]:
    """Productivity of a class in each period since it started (its first paid day).

    Week ``w`` after the start (a real number), productivity is 0 during training
    (``w < training_weeks``), then ``ramp[k]`` in the ``k``-th week on the floor, then 1.
    A period's productivity is its average over the period's weeks.

    Parameters
    ----------
    training_weeks : float
    ramp : sequence of float
    weeks_per_period : float
        1 for weeks, :data:`WEEKS_PER_MONTH` for months.
    periods : int

    Returns
    -------
    numpy.ndarray
        ``periods`` values in [0, 1].

    Examples
    --------
    >>> period_productivity(2, [0.25, 0.5, 0.75], 1, 7).tolist()
    [0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    >>> period_productivity(2, [0.5, 0.5], WEEKS_PER_MONTH, 2).round(4).tolist()
    [0.3077, 1.0]
    """
    edges = [training_weeks + i for i in range(len(ramp) + 1)]
    values = [0.0, *(float(r) for r in ramp), 1.0]  # before edges[0], between edges, after

    def integral(x: float) -> float:
        # integral of the productivity from 0 to x
        total = 0.0
        lo = 0.0
        for k, e in enumerate(edges):
            if x <= e:
                return total + values[k] * max(x - lo, 0.0)
            total += values[k] * max(e - lo, 0.0)
            lo = max(lo, e)
        return total + values[-1] * (x - lo)

    L = weeks_per_period
    out = np.array([(integral((k + 1) * L) - integral(k * L)) / L for k in range(periods)])
    return np.clip(np.round(out, 12), 0.0, 1.0)


# ---------------------------------------------------------------------- the result
@dataclass
class CapacityPlan:
    """A hiring plan and the staffing it gives, period by period.

    Attributes
    ----------
    periods : pandas.DataFrame
        One row per period: ``period`` (0-based), ``label``, ``required`` (FTE),
        ``headcount`` (agents on the payroll, trainees included; expected value),
        ``in_training`` (agents hired less than ``training_weeks`` before the period
        starts), ``effective`` (FTE: agents weighted by productivity), ``hires`` (agents
        of the class starting this period), ``recruiting`` (agents of the classes whose
        recruiting starts this period), ``attrition`` (agents leaving at the period's
        end), ``over`` and ``under`` (FTE above and below the requirement),
        ``salary_cost``, ``hiring_cost``, ``cost`` (money; cost = salary + hiring).
    classes : pandas.DataFrame
        One row per class: ``recruiting_start``, ``start`` (first paid period),
        ``on_floor`` (first period with any productivity), ``full`` (first period at
        full productivity; None beyond the plan), labels; ``start_period`` (0-based) and
        ``hires`` (agents).
    cost : float
        Salary + hiring, money.
    salary_cost, hiring_cost : float
        Money.
    penalty_cost : float
        Understaffing and overstaffing penalties (money; 0 without penalties).
    shortfall : float
        FTE-periods under the requirement (sum of ``under``).
    overstaffing : float
        FTE-periods over the requirement.
    hires : int
        Agents hired.
    period : {"week", "month"}
    weeks_per_period : float
    first_start, first_floor : int
        Earliest period a class can start, and the earliest a new hire can work
        (0-based); the requirement before ``first_floor`` only the agents of today can
        cover.
    status : SolverStatus
    optimal : bool
    gap : float
        Relative MIP gap of the (last) solve.
    solve_seconds : float
    name : str
    lexicographic : bool
        True when the shortfall was minimised first (no understaffing penalty).

    Examples
    --------
    See :func:`plan_capacity`.
    """

    periods: pd.DataFrame
    classes: pd.DataFrame
    cost: float
    salary_cost: float
    hiring_cost: float
    penalty_cost: float
    shortfall: float
    overstaffing: float
    hires: int
    period: Period
    weeks_per_period: float
    first_start: int
    first_floor: int
    status: SolverStatus
    optimal: bool
    gap: float
    solve_seconds: float
    name: str = "capacity plan"
    lexicographic: bool = True
    recruiting_weeks: float = 0.0
    training_weeks: float = 0.0
    max_class: int | None = None

    def statement(self) -> str:
        """The shortfall in words: how much, when, and why (lead time or class sizes).

        Returns
        -------
        str
        """
        p = self.periods
        short = p["under"].to_numpy(dtype=float) > 1e-6
        unit = f"FTE-{self.period}s"
        if not short.any():
            return f"no shortfall: effective FTE covers the requirement in every {self.period}"
        labels = p["label"].astype(str).tolist()
        spans = []
        i, n = 0, len(short)
        while i < n:
            if not short[i]:
                i += 1
                continue
            j = i
            while j + 1 < n and short[j + 1]:
                j += 1
            spans.append(labels[i] if i == j else f"{labels[i]} to {labels[j]}")
            i = j + 1
        text = (f"shortfall: {float(p['under'].sum()):.1f} {unit} in {int(short.sum())} {self.period}s"
                f" ({', '.join(spans[:6])}{' ...' if len(spans) > 6 else ''})")
        early = short[: self.first_floor].any()
        late = short[self.first_floor:].any()
        whys = []
        if early:
            floor = labels[self.first_floor] if self.first_floor < n else "after the plan"
            whys.append(
                f"no new hire can work before {floor} ({self.recruiting_weeks:g} weeks recruiting +"
                f" {self.training_weeks:g} weeks training), and today's agents after attrition are too few"
            )
        if late:
            if not self.lexicographic:
                whys.append("later, hiring to cover it costs more than the understaffing penalty")
            elif self.max_class is not None:
                whys.append(f"later, classes of at most {self.max_class} agents (and the ramp) cannot keep up")
            else:
                whys.append("later, the ramp and attrition leave new classes short")
        return text + ": " + "; ".join(whys)


# ---------------------------------------------------------------------- plan_capacity
def plan_capacity(
    requirement: pd.DataFrame | str | os.PathLike[str] | Sequence[float],
    *,
    headcount: float,
    attrition: float = 0.0,
    period: Period = "week",
    hiring: Hiring | Mapping[str, Any] | None = None,
    costs: Costs | Mapping[str, Any] | None = None,
    start: str | dt.date | None = None,
    name: str = "capacity plan",
    time_limit: float = 30.0,
    gap: float = 0.005,
) -> CapacityPlan:
    """When and how many to hire so that effective FTE covers the requirement at least cost.

    Parameters
    ----------
    requirement : DataFrame, path of a CSV file, or sequence of float
        FTE required per period: a table with columns ``period`` and ``required``
        (:func:`read_requirement`, :func:`forecast_requirement`) or the values.
    headcount : float
        Agents on the payroll today, fully productive (keyword only, like the rest).
    attrition : float, default 0
        Share of the agents leaving per month, in [0, 1).
    period : {"week", "month"}, default "week"
    hiring : Hiring or mapping, optional
        ``recruiting_weeks``, ``training_weeks``, ``ramp``, ``min_class``, ``max_class``.
    costs : Costs or mapping, optional
        ``salary`` (per agent per period), ``hire`` (per agent hired),
        ``understaffing`` and ``overstaffing`` (per FTE-period).
    start : str or date, optional
        Date of the first period (for labels when the requirement is not a table).
    name : str, default "capacity plan"
    time_limit : float, default 30
        HiGHS time limit, seconds (for both phases of a lexicographic plan).
    gap : float, default 0.005
        Relative MIP gap at which HiGHS stops, on the cost that hiring changes (the salary
        of today's agents left out). Moving a class by one week changes the cost of a long
        plan by less than that; ask for 0 to prove the very least cost (slower on plans of
        many periods with a ``min_class``).

    Returns
    -------
    CapacityPlan

    Raises
    ------
    InputError
        A bad value, named (``hiring.min_class``, ``attrition``, ``requirement.required[3]``).
    LimitError
        A headcount beyond ``max_agents`` of :mod:`wfm.limits`.

    Examples
    --------
    60 FTE from the first week, 50 agents, a lead time of 5 weeks: the first 5 weeks are
    short whatever the plan, and the plan says so.

    >>> plan = plan_capacity([60] * 12, headcount=50,
    ...                      hiring={"recruiting_weeks": 3, "training_weeks": 2})
    >>> plan.shortfall, plan.periods["hires"].tolist()
    (50.0, [0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0])
    >>> print(plan.statement())  # doctest: +NORMALIZE_WHITESPACE
    shortfall: 50.0 FTE-weeks in 5 weeks (week 1 to week 5): no new hire can work before
    week 6 (3 weeks recruiting + 2 weeks training), and today's agents after attrition
    are too few
    """
    kind = _period_arg(period)
    hire_rule: Hiring = _validated(Hiring, hiring, "hiring")
    cost: Costs = _validated(Costs, costs, "costs")
    if not (isinstance(headcount, int | float | np.number) and not isinstance(headcount, bool)
            and math.isfinite(headcount) and headcount >= 0):
        raise InputError([("headcount", f"must be a finite number >= 0 (got {headcount!r})")])
    limits.check("headcount", float(headcount), "max_agents")
    if not (isinstance(attrition, int | float | np.number) and not isinstance(attrition, bool)
            and 0 <= attrition < 1):
        raise InputError([("attrition", f"must be a share per month in [0, 1) (got {attrition!r})")])
    if not (isinstance(time_limit, int | float) and not isinstance(time_limit, bool) and time_limit > 0
            and math.isfinite(time_limit)):
        raise ValueError(f"time_limit must be a number of seconds > 0 (got {time_limit!r})")
    if not (isinstance(gap, int | float) and not isinstance(gap, bool) and 0 <= gap < 1):
        raise ValueError(f"gap must be in [0, 1) (got {gap!r})")
    if isinstance(requirement, pd.DataFrame | str | os.PathLike):
        frame = read_requirement(requirement)
    else:
        values = np.asarray(list(requirement), dtype=float) if not isinstance(requirement, np.ndarray) \
            else requirement.astype(float)
        frame = read_requirement(pd.DataFrame({"period": _labels(kind, len(values), _start_arg(start)),
                                               "required": values}))
    R = frame["required"].to_numpy(dtype=float)
    T = len(R)
    labels = frame["period"].astype(str).tolist()
    L = 1.0 if kind == "week" else WEEKS_PER_MONTH
    survive = (1 - float(attrition)) ** (L * 12 / 52)
    first = int(math.ceil(hire_rule.recruiting_weeks / L - 1e-9))
    prod = period_productivity(hire_rule.training_weeks, hire_rule.ramp, L, T)
    floor_k = int(np.argmax(prod > 0)) if (prod > 0).any() else T
    first_floor = min(first + floor_k, T)
    H0 = float(headcount)
    base = H0 * survive ** np.arange(T)
    starts = list(range(first, T))
    t0 = time.perf_counter()
    status = SolverStatus.NO_REQUIREMENT
    counts = {tau: 0 for tau in starts}
    gap_out = 0.0
    if starts and (R > base + 1e-9).any():
        counts, status, gap_out = _solve(R, base, starts, prod, survive, hire_rule, cost,
                                         time_limit=float(time_limit), gap=float(gap))
    elif (R > base + 1e-9).any():
        status = SolverStatus.NO_SHIFT  # no class can start inside the plan
    else:
        status = SolverStatus.OPTIMAL
    solve_s = time.perf_counter() - t0
    return _build_plan(frame, labels, R, base, counts, prod, survive, hire_rule, cost, kind, L, first,
                       first_floor, status, gap_out, solve_s, name, float(attrition))


def _solve(
    R: npt.NDArray[np.float64], base: npt.NDArray[np.float64], starts: list[int],
    prod: npt.NDArray[np.float64], s: float, hire: Hiring, cost: Costs, *, time_limit: float, gap: float,
) -> tuple[dict[int, int], SolverStatus, float]:
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    T = len(R)
    pmin = float(min((p for p in prod if p > 0), default=1.0))
    big = int(math.ceil(max(float(R.max()), 1.0) / (pmin * s ** T))) + hire.min_class
    ub = hire.max_class if hire.max_class is not None else big
    m = pyo.ConcreteModel(name="capacity")
    m.h = pyo.Var(starts, domain=pyo.NonNegativeIntegers, bounds=(0, ub))
    sized = hire.min_class > 1  # else a class is any number up to max_class
    if sized:
        m.y = pyo.Var(starts, domain=pyo.Binary)
        m.size = pyo.ConstraintList()
        for tau in starts:
            m.size.add(m.h[tau] - hire.min_class * m.y[tau] >= 0)
            m.size.add(m.h[tau] - ub * m.y[tau] <= 0)
    # under-staffing is at most what today's agents leave uncovered
    gap_t = np.maximum(R - base, 0.0)
    m.under = pyo.Var(range(T), domain=pyo.NonNegativeReals, bounds=lambda m, t: (0.0, float(gap_t[t])))
    m.over = pyo.Var(range(T), domain=pyo.NonNegativeReals)
    m.cover = pyo.ConstraintList()
    reachable = []  # periods some class can work in
    for t in range(T):
        taus = [tau for tau in starts if tau <= t and prod[t - tau] > 0]
        if taus:
            reachable.append(t)
        expr = LinearExpression(
            constant=float(base[t]),
            linear_coefs=[float(s ** (t - tau) * prod[t - tau]) for tau in taus] + [1.0, -1.0],
            linear_vars=[m.h[tau] for tau in taus] + [m.under[t], m.over[t]],
        )
        m.cover.add(expr == float(R[t]))
    # salary of a class over the rest of the plan, per agent
    stay = {tau: sum(s ** (t - tau) for t in range(tau, T)) for tau in starts}
    money = LinearExpression(
        constant=0.0,
        linear_coefs=[cost.salary * stay[tau] + cost.hire for tau in starts],
        linear_vars=[m.h[tau] for tau in starts],
    )
    total_under = LinearExpression(constant=0.0, linear_coefs=[1.0] * T, linear_vars=[m.under[t] for t in range(T)])
    total_over = LinearExpression(constant=0.0, linear_coefs=[1.0] * T, linear_vars=[m.over[t] for t in range(T)])
    t0 = time.perf_counter()
    if cost.understaffing is None:
        # phase 1: the least shortfall any plan reaches; phase 2: the least cost with it
        m.obj1 = pyo.Objective(expr=total_under, sense=pyo.minimize)
        run1 = run_highs(m, time_limit=time_limit / 2, gap=0.0, tee=False, warmstart=False)
        if run1.objective is None:
            return {tau: 0 for tau in starts}, run1.status, math.inf
        least = float(pyo.value(total_under))
        m.obj1.deactivate()
        unavoidable = float(sum(gap_t[t] for t in range(T) if t not in set(reachable)))
        if least <= unavoidable + 1e-6 * max(1.0, least):
            # everything a class can reach is covered: say so period by period (a much
            # tighter model than the total alone)
            for t in reachable:
                m.under[t].fix(0.0)
        m.keep = pyo.Constraint(expr=total_under <= least + 1e-6 * max(1.0, least))
        m.obj = pyo.Objective(expr=money + cost.overstaffing * total_over, sense=pyo.minimize)
        left = max(time_limit - (time.perf_counter() - t0), 0.05)
        # phase 1's plan is a feasible start for phase 2
        run = run_highs(m, time_limit=left, gap=gap, tee=False, warmstart=True)
        if run.objective is None:
            m.obj.deactivate()
            m.keep.deactivate()
            for t in reachable:
                m.under[t].unfix()
            m.obj1.activate()
            run1b = run_highs(m, time_limit=max(time_limit / 4, 0.05), gap=0.0, tee=False, warmstart=False)
            status = SolverStatus.TIME_LIMIT if run1b.objective is not None else run1b.status
            return _counts(m, starts), status, math.inf
    else:
        m.obj = pyo.Objective(expr=money + cost.understaffing * total_under + cost.overstaffing * total_over,
                              sense=pyo.minimize)
        run = run_highs(m, time_limit=time_limit, gap=gap, tee=False, warmstart=False)
        if run.objective is None:
            return {tau: 0 for tau in starts}, run.status, math.inf
    value = float(pyo.value(m.obj))
    rel = 0.0
    if run.bound is not None:
        rel = max(value - run.bound, 0.0) / max(abs(value), 1e-9)
        rel = 0.0 if rel <= 1e-9 else rel
    return _counts(m, starts), run.status, rel


def _counts(m: Any, starts: list[int]) -> dict[int, int]:
    import pyomo.environ as pyo

    return {tau: int(round(pyo.value(m.h[tau]) or 0.0)) for tau in starts}


def _build_plan(
    frame: pd.DataFrame, labels: list[str], R: npt.NDArray[np.float64], base: npt.NDArray[np.float64],
    counts: Mapping[int, int], prod: npt.NDArray[np.float64], s: float, hire: Hiring, cost: Costs,
    kind: Period, L: float, first: int, first_floor: int, status: SolverStatus, gap: float,
    solve_s: float, name: str, attrition: float,
) -> CapacityPlan:
    T = len(R)
    h = np.zeros(T)
    for tau, v in counts.items():
        h[tau] = v
    head = np.zeros(T)
    eff = np.zeros(T)
    training = np.zeros(T)
    train_periods = hire.training_weeks / L
    for t in range(T):
        taus = np.arange(t + 1)
        surv = s ** (t - taus)
        head[t] = base[t] + float((h[: t + 1] * surv).sum())
        eff[t] = base[t] + float((h[: t + 1] * surv * prod[t - taus]).sum())
        training[t] = float((h[: t + 1] * surv * ((t - taus) < train_periods - 1e-9)).sum())
    under = np.maximum(R - eff, 0.0)
    over = np.maximum(eff - R, 0.0)
    under[under < 1e-9] = 0.0
    over[over < 1e-9] = 0.0
    recruit_lead = int(math.ceil(hire.recruiting_weeks / L - 1e-9))
    recruiting = np.zeros(T)
    for tau in range(T):
        if h[tau]:
            recruiting[max(tau - recruit_lead, 0)] += h[tau]
    salary = cost.salary * head
    hiring_cost = cost.hire * h
    periods = pd.DataFrame({
        "period": np.arange(T), "label": labels, "required": R, "headcount": head,
        "in_training": training, "effective": eff, "hires": h.astype(np.int64),
        "recruiting": recruiting.astype(np.int64), "attrition": (1 - s) * head, "over": over,
        "under": under, "salary_cost": salary, "hiring_cost": hiring_cost, "cost": salary + hiring_cost,
    }, columns=PERIOD_COLUMNS)
    rows = []
    floor_k = int(np.argmax(prod > 0)) if (prod > 0).any() else T
    full_k = int(np.argmax(prod >= 1 - 1e-12)) if (prod >= 1 - 1e-12).any() else T

    def lab(i: int) -> str | None:
        return labels[i] if 0 <= i < T else None

    for tau in range(T):
        if h[tau]:
            rows.append({"recruiting_start": lab(max(tau - recruit_lead, 0)), "start": lab(tau),
                         "on_floor": lab(tau + floor_k), "full": lab(tau + full_k), "start_period": tau,
                         "hires": int(h[tau])})
    classes = pd.DataFrame(rows, columns=["recruiting_start", "start", "on_floor", "full", "start_period", "hires"])
    penalty = (cost.understaffing or 0.0) * float(under.sum()) + cost.overstaffing * float(over.sum())
    return CapacityPlan(
        periods=periods, classes=classes, cost=float(periods["cost"].sum()),
        salary_cost=float(salary.sum()), hiring_cost=float(hiring_cost.sum()), penalty_cost=penalty,
        shortfall=float(under.sum()), overstaffing=float(over.sum()), hires=int(h.sum()), period=kind,
        weeks_per_period=L, first_start=first, first_floor=first_floor, status=status,
        optimal=status is SolverStatus.OPTIMAL, gap=gap, solve_seconds=solve_s, name=name,
        lexicographic=cost.understaffing is None, recruiting_weeks=hire.recruiting_weeks,
        training_weeks=hire.training_weeks, max_class=hire.max_class,
    )
