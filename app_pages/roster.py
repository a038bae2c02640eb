"""The weekly roster of a multi-day scenario (a section of the Plan tab).

Contract types and their mix (days and paid hours per week, shift lengths, shares of the
headcount, wages), the minimum rest between shifts, consecutive days off and start-time
stability go to :func:`wfm.scheduling.weekly_roster` (pyomo + HiGHS, with a time limit
and a gap); the page shows the headcount, paid hours, FTE and cost by group and
contract, the shortfall statement, every agent's week
(:func:`wfm.report.capacity.roster_week_figure`), the coverage against the requirement
and the agent x day table, with CSV downloads; **Simulate with this roster** hands the
roster to the engine agent by agent (:func:`wfm.scheduling.with_shifts`) and makes that
scenario the one being edited. A one-day scenario gets a message instead: a weekly
roster needs several days.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

import wfm
from app_pages._widgets import PLOTLY_CONFIG, USER_ERRORS, guarded, number, show_error, table_editor
from wfm.errors import InputError
from wfm.scheduling import Roster, roster_rules, weekly_roster, with_shifts
from wfm.scheduling.contracts import rules_problems
from wfm.scheduling.roster import horizon_days

_P = "roster:"


@st.cache_data(show_spinner=False, max_entries=8)
def roster_from_yaml(yaml_text: str, rules_json: str, time_limit: float, gap: float) -> Roster:
    """:func:`wfm.scheduling.weekly_roster` of a scenario given as YAML and rules given
    as JSON (cached on both and the solver settings)."""
    return weekly_roster(wfm.Scenario.from_yaml(yaml_text), roster_rules=json.loads(rules_json),
                         time_limit=time_limit, gap=gap)


def _rules(base: wfm.Scenario) -> dict[str, Any] | None:
    """The roster rules from the inputs, validated (None after showing the error)."""
    from wfm.report.pages import CONTRACT_COLUMNS, DEFAULT_CONTRACT_ROWS, contracts_from_rows

    st.markdown("**Contracts** (one row each; blank cells take the defaults: 5 to 5 days, any hours, any length "
                "of the group's shift rule, the group's wage)")
    default = pd.DataFrame(list(DEFAULT_CONTRACT_ROWS), columns=list(CONTRACT_COLUMNS)).astype(
        {c: float for c in CONTRACT_COLUMNS if c not in ("contract", "lengths_hours")})
    table = table_editor(
        f"{_P}contracts", default, num_rows="dynamic", hide_index=True,
        column_config={
            "contract": st.column_config.TextColumn("contract"),
            "min_days": st.column_config.NumberColumn("days from", min_value=0, max_value=7, step=1),
            "max_days": st.column_config.NumberColumn("days to", min_value=0, max_value=7, step=1),
            "lengths_hours": st.column_config.TextColumn("shift lengths (h; blank: any)"),
            "min_hours": st.column_config.NumberColumn("paid h/week from", min_value=0.0, max_value=168.0),
            "max_hours": st.column_config.NumberColumn("paid h/week to", min_value=0.0, max_value=168.0),
            "min_share": st.column_config.NumberColumn("share from", min_value=0.0, max_value=1.0),
            "max_share": st.column_config.NumberColumn("share to", min_value=0.0, max_value=1.0),
            "wage_per_hour": st.column_config.NumberColumn(
                f"wage per hour ({base.currency or 'money'}; blank: the group's)", min_value=0.0),
        })
    c1, c2, c3, c4 = st.columns(4)
    rest = float(number(c1, "Rest between shifts (h)", f"{_P}rest", 11.0, min_value=0.0, max_value=168.0, step=1.0))
    window = float(number(c2, "Start times within (h)", f"{_P}window", 2.0, min_value=0.0, max_value=24.0,
                          step=0.5, help="start-time stability: an agent's starts in the week lie within this"))
    off = int(number(c3, "Consecutive days off", f"{_P}days_off", 2, min_value=0, max_value=7, step=1))
    fte_hours = float(number(c4, "Paid hours of one FTE per week", f"{_P}fte_hours", 40.0, min_value=1.0,
                             max_value=168.0, step=1.0))
    try:
        rules = {"contracts": contracts_from_rows(table.to_dict("records")), "rest_hours": rest,
                 "start_window_hours": window, "consecutive_days_off": off, "fte_hours": fte_hours}
        # every bad value named (roster.contracts.part_time.max_hours: ...), also against the scenario
        problems = rules_problems(roster_rules(rules), base)
        if problems:
            raise InputError(problems)
    except USER_ERRORS as exc:
        show_error(exc, "Roster rules")
        return None
    return rules


def render(base: wfm.Scenario, load: Callable[[wfm.Scenario, str], None]) -> None:
    """Draw the weekly roster section.

    Parameters
    ----------
    base : wfm.Scenario
        The scenario being edited: several clock days (a week of 30-minute intervals
        from ``"00:00"`` is 336 intervals), its groups, their ``shifts:`` rules and the
        requirement (``wfm.staffing``'s).
    load : callable
        ``load(scenario, label)`` makes a new scenario the one being edited: the
        rostered scenario (each group's ``roster:`` of agents).
    """
    guarded(lambda: _render(base, load), "Weekly roster")


def _render(base: wfm.Scenario, load: Callable[[wfm.Scenario, str], None]) -> None:
    from wfm.report import coverage_figure
    from wfm.report.capacity import roster_week_figure
    from wfm.report.pages import money_text, roster_headcount_display

    days = horizon_days(base)
    if days < 2:
        st.info(f"A weekly roster needs a scenario of several days: this one covers {days} day "
                f"({base.horizon} × {base.interval_minutes}-min intervals from {base.start}). Build a "
                "multi-week scenario in the Forecast tab, or upload one (a week of 30-minute intervals from "
                "00:00 is 336 intervals).", icon=":material/calendar_month:")
        return
    st.caption(f"{days} days · {len(base.agents)} groups · who works which days and shifts, under contracts, "
               "with rest, days off and stable start times; coverage is soft (what cannot be covered is "
               "reported).")
    rules = _rules(base)
    if rules is None:
        return
    c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
    time_limit = float(number(c1, "Solver time limit (s)", f"{_P}time_limit", 30.0, min_value=1.0,
                              max_value=600.0, step=5.0))
    gap = float(number(c2, "Gap (%)", f"{_P}gap", 1.0, min_value=0.0, max_value=50.0, step=0.5)) / 100
    ss = st.session_state
    key = (base.to_yaml(), json.dumps(rules, sort_keys=True), time_limit, gap)
    if c3.button("Build the roster", key=f"{_P}run", type="primary"):
        try:
            with st.spinner(f"Rostering {len(base.agents)} group(s) over {days} days with HiGHS (at most "
                            f"{time_limit:g} s, shared among the groups)…"):
                ss[f"{_P}result"] = roster_from_yaml(*key)
            ss[f"{_P}key"] = key
        except USER_ERRORS as exc:
            ss[f"{_P}result"] = None
            show_error(exc, "No roster")
            return
    roster: Roster | None = ss.get(f"{_P}result")
    if roster is None:
        st.info("Press **Build the roster**.")
        return
    if ss.get(f"{_P}key") != key:
        st.warning("The scenario or the rules changed since this roster: press **Build the roster** to update.",
                   icon=":material/refresh:")
    cur = base.currency
    m1, m2, m3, m4, m5 = st.columns(5)
    m1.metric("Agents", f"{len(roster.agents):,}")
    m2.metric("Paid hours", f"{roster.paid_hours:,.1f}")
    m3.metric("FTE", f"{roster.fte:,.2f}", help=f"paid hours / ({roster.rules.fte_hours:g} h x {roster.weeks:.2f} "
                                                "weeks)")
    m4.metric("Cost", money_text(roster.cost, cur))
    m5.metric("Solver", str(roster.status),
              help=f"gap {roster.gap:.2%} · {roster.solve_seconds:.1f} s solving, {roster.build_seconds:.1f} s "
                   f"building · {roster.n_tours:,} tours")
    (st.warning if roster.shortfall > 0 else st.success)(roster.statement())
    st.markdown("**Headcount, paid hours, FTE and cost by group and contract**")
    st.dataframe(roster_headcount_display(roster, cur), hide_index=True, key=f"{_P}headcount")
    st.plotly_chart(roster_week_figure(roster), key=f"{_P}fig:week", config=PLOTLY_CONFIG)
    st.plotly_chart(coverage_figure(roster), key=f"{_P}fig:coverage",  # type: ignore[arg-type]
                    config=PLOTLY_CONFIG)
    week = roster.week_view()
    with st.expander(f"Agents by day ({len(week):,} agents)"):
        st.dataframe(week, hide_index=True, key=f"{_P}week")
    d1, d2, d3 = st.columns(3)
    d1.download_button("Download shifts (CSV)", data=roster.shifts.to_csv(index=False).encode("utf-8"),
                       file_name="roster_shifts.csv", mime="text/csv", key=f"{_P}download_shifts",
                       on_click="ignore")
    d2.download_button("Download agents (CSV)", data=roster.agents.to_csv(index=False).encode("utf-8"),
                       file_name="roster_agents.csv", mime="text/csv", key=f"{_P}download_agents",
                       on_click="ignore")
    d3.download_button("Download the week (CSV)", data=week.to_csv(index=False).encode("utf-8"),
                       file_name="roster_week.csv", mime="text/csv", key=f"{_P}download_week", on_click="ignore")
    if st.button("Simulate with this roster", key=f"{_P}simulate",
                 help="make the scenario with this roster (each agent's shifts and breaks) the one being edited; "
                      "then run it from the sidebar"):
        try:
            rostered = with_shifts(base, roster)
        except USER_ERRORS as exc:
            show_error(exc, "Cannot hand the roster to the engine")
            return
        load(rostered, f"roster of {base.name} ({len(roster.agents)} agents)")
        st.success("The rostered scenario is the one being edited: **Run simulation** in the sidebar simulates it "
                   "agent by agent.", icon=":material/check:")
