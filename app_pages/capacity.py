"""The Capacity tab: when and how many agents to hire over the next months.

The weekly (or monthly) FTE requirement comes from the scenario being edited (its
analytic requirement in paid agent-hours, spread over a week, then grown and made
seasonal), from an uploaded table (``period``, ``required``) or from typed values. With
today's headcount, the monthly attrition, a hiring class's lead time (recruiting and
training weeks), its ramp-up and size, and the costs, :func:`wfm.capacity.plan_capacity`
(HiGHS) chooses the classes at least cost; the page shows the plan in planner units
(FTE, agents, weeks, money in the scenario's currency), the shortfall statement, the
chart of :func:`wfm.report.capacity.capacity_figure`, and CSV downloads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

import wfm
from app_pages._widgets import PLOTLY_CONFIG, USER_ERRORS, guarded, number, show_error, widget
from wfm.capacity import MAX_PERIODS, CapacityPlan, plan_capacity
from wfm.errors import InputError

FROM_SCENARIO = "From the scenario (grown, with seasonality)"
UPLOADED = "Upload a table (CSV: period, required)"
TYPED = "Type the FTE per period"
_P = "capacity:"


@st.cache_data(show_spinner=False, max_entries=16)
def weekly_fte(yaml_text: str, fte_hours: float, open_days: float | None) -> pd.DataFrame:
    """:func:`wfm.report.pages.weekly_requirement` of a scenario given as YAML (cached)."""
    from wfm.report.pages import weekly_requirement

    return weekly_requirement(wfm.Scenario.from_yaml(yaml_text), fte_hours=fte_hours, open_days_per_week=open_days)


@st.cache_data(show_spinner=False, max_entries=16)
def capacity_plan(requirement: tuple[tuple[str, float], ...], headcount: float, attrition: float, period: str,
                  hiring: tuple[tuple[str, Any], ...], costs: tuple[tuple[str, Any], ...], name: str,
                  time_limit: float) -> CapacityPlan:
    """:func:`wfm.capacity.plan_capacity` on hashable inputs (cached)."""
    frame = pd.DataFrame(list(requirement), columns=["period", "required"])
    return plan_capacity(frame, headcount=headcount, attrition=attrition, period=period,  # type: ignore[arg-type]
                                      hiring=dict(hiring), costs=dict(costs), name=name, time_limit=time_limit)


def _start_default(base: wfm.Scenario) -> dt.date:
    if base.date is not None:
        return base.date - dt.timedelta(days=base.date.weekday())
    today = dt.date.today()
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


def _requirement(base: wfm.Scenario, period: str, periods: int, start: dt.date) -> pd.DataFrame | None:
    """The requirement table (period, required), or None after showing why not."""
    from wfm.capacity import forecast_requirement
    from wfm.report.pages import parse_numbers, read_requirement_bytes
    from wfm.scheduling.roster import horizon_days

    source = widget(st.radio, "Requirement", f"{_P}source", FROM_SCENARIO, options=[FROM_SCENARIO, UPLOADED, TYPED],
                    horizontal=True)
    if source == FROM_SCENARIO:
        days = horizon_days(base)
        c1, c2, c3 = st.columns(3)
        fte_hours = float(number(c1, "Paid hours of one FTE per week", f"{_P}fte_hours", 40.0, min_value=1.0,
                                 max_value=168.0, step=1.0))
        if days >= 7:
            open_days: float | None = None
            c2.caption(f"The scenario covers {days} days: its requirement is spread over weeks of 7 days.")
        else:
            open_days = float(number(c2, f"Open days a week (each like the average of the scenario's {days} "
                                     f"day{'s' if days > 1 else ''})", f"{_P}open_days",
                                     5.0 if days == 1 else float(days), min_value=0.5, max_value=7.0, step=0.5))
        growth = float(number(c3, "Growth per year (%)", f"{_P}growth", 0.0, min_value=-90.0, max_value=500.0,
                              step=1.0))
        season_text = widget(st.text_input, "Seasonality: 12 factors, January to December (empty: none)",
                             f"{_P}seasonality", "")
        try:
            weekly = weekly_fte(base.to_yaml(), fte_hours, open_days)
            seasonality = parse_numbers(season_text, "seasonality", low=0.0, high=100.0)
            if seasonality and len(seasonality) != 12:
                raise InputError([("seasonality", f"give 12 factors, January to December (got "
                                                      f"{len(seasonality)})")])
        except USER_ERRORS as exc:
            show_error(exc)
            return None
        base_fte = float(weekly["fte"].iloc[-1])
        st.caption("The scenario's requirement (paid agents, shrinkage included) per week: "
                   + ", ".join(f"{r.group} {r.fte:,.1f} FTE" for r in weekly.iloc[:-1].itertuples())
                   + f"; total **{base_fte:,.1f} FTE** ({weekly['agent_hours'].iloc[-1]:,.0f} paid hours a week).")
        try:
            return forecast_requirement(base_fte, periods, period=period, growth=growth / 100,  # type: ignore[arg-type]
                                        seasonality=seasonality or None, start=start)
        except USER_ERRORS as exc:
            show_error(exc)
            return None
    if source == UPLOADED:
        f = st.file_uploader("Requirement table (CSV with columns period and required, FTE)", type=["csv"],
                             key=f"{_P}upload")
        if f is None:
            st.info("Upload a CSV with one row per period: `period` (a label) and `required` (FTE).")
            return None
        try:
            return read_requirement_bytes(f.getvalue(), f.name)
        except USER_ERRORS as exc:
            show_error(exc, "The requirement table cannot be read")
            return None
    text = widget(st.text_area, f"FTE required per {period}, in order (commas or spaces)", f"{_P}values",
                  "50 " * 8 + "60 " * 8)
    try:
        values = parse_numbers(text, "requirement", low=0.0)
    except USER_ERRORS as exc:
        show_error(exc)
        return None
    if not values:
        st.error("requirement: give at least one value", icon=":material/error:")
        return None
    step = dt.timedelta(weeks=1) if period == "week" else None
    labels = [(start + step * i).isoformat() if step else
              (pd.Timestamp(start) + pd.DateOffset(months=i)).date().isoformat() for i in range(len(values))]
    return pd.DataFrame({"period": labels, "required": values})


def render(base: wfm.Scenario, load: Callable[[wfm.Scenario, str], None]) -> None:
    """Draw the Capacity tab.

    Parameters
    ----------
    base : wfm.Scenario
        The scenario being edited: its requirement (in FTE per week) and its currency.
    load : callable
        ``load(scenario, label)`` makes a new scenario the one being edited (not used:
        a capacity plan does not change the scenario).
    """
    guarded(lambda: _render(base, load), "Capacity")


def _render(base: wfm.Scenario, load: Callable[[wfm.Scenario, str], None]) -> None:
    from wfm.report.capacity import capacity_figure
    from wfm.report.pages import capacity_classes_display, capacity_periods_display, money_text, parse_numbers

    cur = base.currency
    money_unit = cur or "money"
    st.subheader("Long-term capacity: when and how many to hire")
    c1, c2, c3 = st.columns(3)
    period = widget(c1.selectbox, "Period", f"{_P}period", "week", options=["week", "month"])
    periods = int(number(c2, f"{period.capitalize()}s to plan", f"{_P}periods", 26 if period == "week" else 12,
                         min_value=1, max_value=MAX_PERIODS, step=1))
    start = widget(c3.date_input, "First period starts", f"{_P}start", _start_default(base))
    req = _requirement(base, period, periods, start)
    if req is None:
        return

    st.markdown("**Agents today and hiring**")
    c1, c2, c3, c4 = st.columns(4)
    first = float(req["required"].iloc[0])
    headcount = float(number(c1, "Agents today (fully productive)", f"{_P}headcount", float(round(first)),
                             min_value=0.0, step=1.0))
    attrition = float(number(c2, "Attrition (% of agents per month)", f"{_P}attrition", 2.0, min_value=0.0,
                             max_value=99.0, step=0.5))
    recruiting = float(number(c3, "Recruiting (weeks)", f"{_P}recruiting", 4.0, min_value=0.0, max_value=520.0,
                              step=1.0))
    training = float(number(c4, "Training (weeks, paid)", f"{_P}training", 3.0, min_value=0.0, max_value=520.0,
                            step=1.0))
    c1, c2, c3 = st.columns([2, 1, 1])
    ramp_text = widget(c1.text_input, "Ramp: productivity of new hires by week on the floor (e.g. 0.5, 0.75, 0.9; "
                       "then 100%)", f"{_P}ramp", "0.5, 0.75, 0.9")
    min_class = int(number(c2, "Class: agents at least", f"{_P}min_class", 1, min_value=1, max_value=100_000,
                           step=1))
    max_class = int(number(c3, "Class: agents at most (0 = no limit)", f"{_P}max_class", 0, min_value=0,
                           max_value=100_000, step=1))
    st.markdown(f"**Costs** ({money_unit})")
    c1, c2, c3, c4 = st.columns(4)
    salary = float(number(c1, f"Salary per agent per {period}", f"{_P}salary",
                          700.0 if period == "week" else 3000.0, min_value=0.01, step=50.0))
    hire = float(number(c2, "Cost per hire", f"{_P}hire", 2500.0, min_value=0.0, step=100.0))
    under = float(number(c3, f"Penalty per FTE-{period} short (0 = cover all that can be)", f"{_P}under", 0.0,
                         min_value=0.0, step=100.0))
    over = float(number(c4, f"Penalty per FTE-{period} over", f"{_P}over", 0.0, min_value=0.0, step=100.0))
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    time_limit = float(number(c1, "Solver time limit (s)", f"{_P}time_limit", 30.0, min_value=1.0, max_value=600.0,
                              step=5.0))
    try:
        ramp = parse_numbers(ramp_text, "hiring.ramp", low=0.0, high=1.0)
    except USER_ERRORS as exc:
        show_error(exc)
        return
    hiring = {"recruiting_weeks": recruiting, "training_weeks": training, "ramp": tuple(ramp),
              "min_class": min_class, "max_class": max_class or None}
    costs = {"salary": salary, "hire": hire, "understaffing": under or None, "overstaffing": over}
    requirement = tuple((str(p), float(r)) for p, r in zip(req["period"], req["required"], strict=True))
    key = (requirement, headcount, attrition / 100, period, tuple(hiring.items()), tuple(costs.items()),
           f"{base.name} capacity", time_limit)
    ss = st.session_state
    if c2.button("Plan hiring", key=f"{_P}run", type="primary"):
        try:
            with st.spinner(f"Choosing the classes (HiGHS, at most {time_limit:g} s)"):
                ss[f"{_P}plan"] = capacity_plan(*key)
            ss[f"{_P}plan_key"] = key
        except USER_ERRORS as exc:
            ss[f"{_P}plan"] = None
            show_error(exc, "No capacity plan")
            return
    plan = ss.get(f"{_P}plan")
    if plan is None:
        st.info("Press **Plan hiring**: HiGHS chooses when each class starts recruiting and how many it hires, "
                "at least cost, so that effective FTE covers the requirement in every period it can.")
        return
    if ss.get(f"{_P}plan_key") != key:
        st.warning("The inputs changed since this plan: press **Plan hiring** to update.",
                   icon=":material/refresh:")
    lead = plan.recruiting_weeks + plan.training_weeks
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric("Cost", money_text(plan.cost, cur),
              help=f"salary {money_text(plan.salary_cost, cur)} + hiring {money_text(plan.hiring_cost, cur)}")
    m2.metric("Agents hired", f"{plan.hires:,}", help=f"in {len(plan.classes)} class(es)")
    m3.metric(f"Shortfall (FTE-{plan.period}s)", f"{plan.shortfall:,.1f}")
    m4.metric("Lead time", f"{lead:g} weeks", help="recruiting + training, before the ramp")
    m5.metric("Solver", str(plan.status), help=f"gap {plan.gap:.2%} · {plan.solve_seconds:.2f} s")
    statement = plan.statement()
    (st.warning if plan.shortfall > 1e-6 else st.success)(statement)
    st.plotly_chart(capacity_figure(plan), key=f"{_P}fig", config=PLOTLY_CONFIG)
    st.markdown("**Hiring classes**")
    if plan.classes.empty:
        st.caption("No class needed: today's agents cover the requirement.")
    else:
        st.dataframe(capacity_classes_display(plan), hide_index=True, key=f"{_P}classes")
    st.markdown(f"**Per {plan.period}** (FTE, agents, money in {money_unit})")
    st.dataframe(capacity_periods_display(plan, cur), hide_index=True, key=f"{_P}periods_table")
    d1, d2 = st.columns(2)
    d1.download_button("Download periods (CSV)", data=plan.periods.to_csv(index=False).encode("utf-8"),
                       file_name="periods.csv", mime="text/csv", key=f"{_P}download_periods", on_click="ignore")
    d2.download_button("Download classes (CSV)", data=plan.classes.to_csv(index=False).encode("utf-8"),
                       file_name="classes.csv", mime="text/csv", key=f"{_P}download_classes", on_click="ignore")
