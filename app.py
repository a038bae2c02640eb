"""The planner's app: edit a scenario, simulate it, compare two, plan the shifts.

Run with ``streamlit run app.py``. The app opens on ``scenarios/baseline.yaml``.
It holds layout and state only: scenarios are validated by :class:`wfm.Scenario`,
runs come from :func:`wfm.simulate` and :func:`wfm.plan`, the analytic requirement from
:func:`wfm.staffing.requirements` and every chart from :mod:`wfm.report`.

Tabs: **Scenario** (channel parameters, interval volumes and staff, all revalidated on
every edit) | **Results** (KPI cards against the targets, charts, CSV download) |
**Compare** (two scenarios side by side) | **Plan** (requirements -> shifts -> simulation
check, coverage and shift Gantt).

State (``st.session_state``)
----------------------------
``base`` (Scenario as loaded), ``source`` (where it came from), ``load_error``; edit
widgets are keyed ``edit:<dotted path>`` (a value), ``scale:<dotted path>`` (a factor)
and ``table:volume`` / ``table:staff`` (the interval tables); loading a scenario drops
them. ``result`` / ``result_key`` / ``figures`` hold the last run, ``comparison`` the last
comparison and ``plan`` / ``plan_yaml`` the last plan. Simulations and plans are cached
with ``st.cache_data`` on the scenario's YAML text and the run settings, so an
unchanged scenario does not run again.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from wfm import limits, planning
from wfm.errors import InputError, ScenarioError
from wfm.report.format import pct, seconds
from wfm.scenario import Scenario, load_scenario
from wfm.yamlio import load_yaml

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
DEFAULT_SCENARIO = "baseline"
TABS = ("Scenario", "Results", "Compare", "Plan")
EDITED = "(edited scenario)"
_EDIT_PREFIXES = ("edit:", "scale:", "table:")
_PLOTLY_CONFIG = {"displaylogo": False}


# ---------------------------------------------------------------------- pure helpers
def bundled_scenarios(directory: Path = SCENARIO_DIR) -> dict[str, Path]:
    """The bundled scenario files, ``{stem: path}``, the baseline first, then by name."""
    paths = sorted(directory.glob("*.yaml"), key=lambda p: (p.stem != DEFAULT_SCENARIO, p.stem))
    return {p.stem: p for p in paths}


def scenario_from_bytes(data: bytes, name: str = "upload") -> Scenario:
    """Parse and validate an uploaded scenario file.

    Parameters
    ----------
    data : bytes
        The file's content (UTF-8 YAML).
    name : str
        The file name, used in error messages.

    Raises
    ------
    InputError
        Larger than ``max_file_bytes``, not UTF-8, not safe YAML, beyond a size limit,
        or an invalid scenario; the message names the field.
    """
    limits.check("upload size", len(data), "max_file_bytes", name)
    return Scenario.from_dict(load_yaml(data, source=name), source=name)


def apply_edits(
    base: Scenario, changes: dict[str, Any], scales: dict[str, float] | None = None
) -> Scenario:
    """``base`` with the values at dotted paths replaced, then the factors applied.

    Both steps revalidate through :class:`wfm.Scenario` (raises ScenarioError).
    """
    sc = base.with_values(changes) if changes else base
    scales = {p: f for p, f in (scales or {}).items() if f != 1.0}
    return sc.scaled(scales) if scales else sc


def slug(text: str) -> str:
    """A file-name friendly version of a scenario name."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "scenario"


def yaml_bytes(scenario: Scenario) -> bytes:
    """The scenario as YAML file content (what the YAML download button serves)."""
    return scenario.to_yaml().encode("utf-8")


def intervals_csv(result: Any) -> bytes:
    """The interval results (one row per interval x channel) as CSV file content."""
    return result.intervals.to_csv(index=False).encode("utf-8")


def shifts_csv(plan_result: Any) -> bytes:
    """The planned shifts as CSV file content."""
    return plan_result.schedule.shifts.to_csv(index=False).encode("utf-8")


#: The biggest run the app starts: expected contacts x replications (the CLI has no such
#: cap). Beyond it the page says so instead of keeping the server busy for minutes.
APP_MAX_CONTACTS = 3_000_000
#: Wall-clock seconds one simulation in the app may take.
APP_TIME_LIMIT = 300.0


def check_app_run(scenario: Scenario, replications: int) -> None:
    """Refuse (``LimitError``) a run too big for an interactive page."""
    total = sum(sum(ch.volume) for ch in scenario.channels.values()) * replications
    if total > APP_MAX_CONTACTS:
        raise limits.LimitError([(
            "run",
            f"about {total:,.0f} contacts ({replications} replication(s)) is more than the app"
            f" runs at once ({APP_MAX_CONTACTS:,}); use fewer replications, a shorter horizon,"
            " or the command line (wfm run), which has no such cap",
        )])


# ---------------------------------------------------------------------- cached runs
@st.cache_data(show_spinner=False, max_entries=32)
def simulate_yaml(yaml_text: str, seed: int, replications: int) -> Any:
    """Simulate a scenario given as YAML text (cached on text, seed and replications).

    Shows a progress bar (one step per replication) while it runs; call it inside a
    placeholder and empty that afterwards (on a cache hit the bar is replayed full).
    """
    from wfm.sim.engine import simulate

    bar = st.progress(0.0, text=f"Simulating 0/{replications} replications")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Simulating {done}/{total} replications")

    scenario = Scenario.from_yaml(yaml_text)
    check_app_run(scenario, replications)
    return simulate(scenario, seed=seed, replications=replications, progress=progress,
                    time_limit=APP_TIME_LIMIT)


@st.cache_data(show_spinner=False, max_entries=32)
def requirements_yaml(yaml_text: str) -> pd.DataFrame:
    """The analytic (Erlang) requirement of a scenario given as YAML text (cached)."""
    from wfm.staffing import requirements

    return requirements(Scenario.from_yaml(yaml_text))


@st.cache_data(show_spinner=False, max_entries=8)
def plan_yaml(yaml_text: str, seed: int, replications: int, max_iterations: int,
              time_limit: float) -> Any:
    """Plan the shifts of a scenario given as YAML text (cached on every argument).

    Shows a progress bar (one step per schedule-simulate round, at most
    ``max_iterations``); like :func:`simulate_yaml`, call it inside a placeholder.
    """
    from wfm.planning import plan

    bar = st.progress(0.0, text=f"Planning: round 1 of at most {max_iterations}")

    def on_round(k: int, row: pd.Series) -> None:
        missed = row.get("missed") or "none"
        bar.progress(min(k / max_iterations, 1.0),
                     text=f"Planning: round {k} of at most {max_iterations} done, "
                          f"cost {row['cost']:,.0f}, missed: {missed}")

    return plan(Scenario.from_yaml(yaml_text), seed=seed, replications=replications,
                max_iterations=max_iterations, time_limit=time_limit, on_round=on_round)


def _run(yaml_text: str, seed: int, replications: int, where: Any) -> Any:
    """Simulate with the progress bar shown in ``where`` (a container), then clear it."""
    slot = where.empty()
    with slot.container():
        result = simulate_yaml(yaml_text, seed, replications)
    slot.empty()
    return result


def _figures(result: Any) -> list[tuple[str, Any]]:
    """(title, figure) of every chart of a run, all built by wfm.report: the run's
    figures, then the analytic (Erlang) requirement beside the simulated outcome."""
    from wfm import report

    figs = list(report.run_figures(result))
    try:
        reqs = requirements_yaml(result.scenario.to_yaml())
    except ImportError as exc:  # wfm.staffing missing from this installation
        st.warning(f"No requirement chart: {exc}")
    else:
        figs.append(("Requirement", report.requirement_figure(result, reqs)))
    return figs


# ---------------------------------------------------------------------- state
def _load(scenario: Scenario, source: str) -> None:
    """Make ``scenario`` the base and drop every edit widget's state."""
    ss = st.session_state
    ss["base"] = scenario
    ss["source"] = source
    ss["load_error"] = None
    for key in [k for k in ss if isinstance(k, str) and k.startswith(_EDIT_PREFIXES)]:
        del ss[key]


def _on_choice() -> None:
    name = st.session_state["scenario_choice"]
    path = bundled_scenarios().get(name)
    if path is None:
        return
    try:
        _load(load_scenario(path), path.name)
    except InputError as exc:
        st.session_state["load_error"] = str(exc)


def _on_run() -> None:
    st.session_state["run_requested"] = True
    st.session_state["tab"] = "Results"


def _init_state() -> None:
    ss = st.session_state
    if "base" not in ss:
        path = bundled_scenarios()[DEFAULT_SCENARIO]
        _load(load_scenario(path), path.name)
    ss.setdefault("load_error", None)
    ss.setdefault("upload_seen", None)


def _handle_upload() -> None:
    """Load the file in the uploader once per new file; a bad one sets ``load_error``."""
    ss = st.session_state
    uploaded = ss.get("scenario_upload")
    if uploaded is None:
        if ss["upload_seen"] is not None:
            ss["upload_seen"] = None
            ss["load_error"] = None
        return
    if uploaded.file_id == ss["upload_seen"]:
        return
    ss["upload_seen"] = uploaded.file_id
    try:
        sc = scenario_from_bytes(uploaded.getvalue(), uploaded.name)
    except InputError as exc:
        ss["load_error"] = str(exc)
    else:
        _load(sc, uploaded.name)


# ---------------------------------------------------------------------- scenario tab
def _number(label: str, key: str, value: float, **kw: Any) -> float:
    if key not in st.session_state:
        st.session_state[key] = value
    return st.number_input(label, key=key, **kw)


def _channel_inputs(base: Scenario) -> tuple[dict[str, Any], dict[str, float]]:
    """One column of inputs per channel; returns (changed values, volume factors)."""
    changes: dict[str, Any] = {}
    scales: dict[str, float] = {}
    names = list(base.channels)
    per_row = 4
    for row in range(0, len(names), per_row):
        cols = st.columns(per_row)
        for col, name in zip(cols, names[row:row + per_row], strict=False):
            ch = base.channels[name]
            p = f"channels.{name}"
            with col.container(border=True):
                st.markdown(f"**{name}** · {ch.kind}")
                scales[f"{p}.volume"] = _number(
                    "Volume scale (x)", f"scale:{p}.volume", 1.0, step=0.05, format="%.2f",
                    help="multiplies every interval volume of the table below")
                ask = [
                    ("aht", "AHT (s)", float(ch.aht), 10.0, "%g"),
                    ("patience", "Patience (s, 0 = never abandons)", float(ch.patience or 0.0),
                     10.0, "%g") if ch.kind != "deferred" else None,
                    ("concurrency", "Concurrency (sessions)", int(ch.concurrency), 1, None)
                    if ch.kind == "chat" else None,
                    ("deflection", "Deflection (share)", float(ch.deflection), 0.05, "%.2f"),
                    ("target.answer_within", "Answer within (s)",
                     float(ch.target.answer_within), 10.0, "%g"),
                    ("target.service_level", "Target service level (share)",
                     float(ch.target.service_level), 0.05, "%.2f"),
                ]
                for field, label, old, step, fmt in filter(None, ask):
                    new = _number(label, f"edit:{p}.{field}", old, step=step, format=fmt)
                    if field == "patience":
                        new, old = (None if new == 0 else new), ch.patience
                    if new != old:
                        changes[f"{p}.{field}"] = new
    return changes, scales


def _table_inputs(base: Scenario) -> dict[str, Any]:
    """The interval volume and staff tables (``st.data_editor``); returns changed values."""
    labels = pd.Index(base.interval_labels(), name="start")
    volume = pd.DataFrame({n: list(ch.volume) for n, ch in base.channels.items()}, index=labels)
    staff = pd.DataFrame({g: c.tolist() for g, c in base.staff().items()}, index=labels)
    changes: dict[str, Any] = {}
    left, right = st.columns(2)
    with left:
        st.markdown("**Volume per interval** (contacts offered)")
        edited = st.data_editor(volume, key="table:volume", num_rows="fixed", height=460)
    for name in volume.columns:
        new = [_cell(v) for v in edited[name].tolist()]
        if new != volume[name].tolist():
            changes[f"channels.{name}.volume"] = new
    with right:
        st.markdown("**Staff per interval** (agents on duty, after shrinkage)")
        edited = st.data_editor(staff, key="table:staff", num_rows="fixed", height=460)
    for group in staff.columns:
        new = [_cell(v) for v in edited[group].tolist()]
        if new != staff[group].tolist():
            changes[f"agents.{group}.staff"] = new
    return changes


def _cell(v: Any) -> Any:
    """A table cell as a plain number (an emptied cell stays None: the scenario rejects it)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if hasattr(v, "item"):
        v = v.item()
    return int(v) if isinstance(v, float) and v.is_integer() else v


def scenario_tab(base: Scenario) -> tuple[Scenario | None, str | None]:
    """Edit the base scenario; returns (edited scenario or None, error message or None)."""
    name = st.text_input("Scenario name", key="edit:name", value=base.name)
    changes: dict[str, Any] = {"name": name} if name != base.name else {}
    error_slot = st.empty()
    st.subheader("Channels")
    ch_changes, scales = _channel_inputs(base)
    changes.update(ch_changes)
    st.subheader("Intervals")
    changes.update(_table_inputs(base))
    try:
        edited = apply_edits(base, changes, scales)
    except InputError as exc:
        error_slot.error(str(exc), icon=":material/error:")
        return None, str(exc)
    if changes or any(f != 1.0 for f in scales.values()):
        error_slot.info("Edited: the download and the next run use these values.",
                        icon=":material/edit:")
    return edited, None


# ---------------------------------------------------------------------- results tab
def kpi_cards(result: Any) -> None:
    """One st.metric per channel: service level against its target, met or missed."""
    from wfm import report

    cards = report.kpi_cards(result)
    cols = st.columns(max(len(cards), 1))
    for col, row in zip(cols, cards.itertuples(index=False), strict=False):
        sl, target = float(row.service_level), float(row.target)
        delta = None if math.isnan(sl) else f"{100 * (sl - target):+.1f} pts vs {pct(target, 0)}"
        with col:
            st.metric(f"{row.channel} service level", pct(sl), delta=delta, border=True,
                      help=f"target {pct(target, 0)}")
            verdict = ":green[**met**]" if bool(row.met) else ":red[**missed**]"
            st.markdown(f"{verdict} · ASA {seconds(float(row.asa))} · "
                        f"abandoned {pct(float(row.abandonment))}")


def results_tab(current_key: tuple | None) -> None:
    from wfm import report

    ss = st.session_state
    result = ss.get("result")
    if result is None:
        st.info("Press **Run simulation** in the sidebar to simulate the scenario.")
        return
    if ss.get("result_key") != current_key:
        st.warning("The scenario or the run settings changed since this run: press "
                   "**Run simulation** to update.", icon=":material/refresh:")
    sc = result.scenario
    st.caption(f"{sc.name}: seed {result.seed}, {result.n_replications} replication(s), "
               f"simulated in {result.elapsed:.2f} s")
    kpi_cards(result)
    figures = ss.get("figures") or []
    for i in range(0, len(figures), 2):
        cols = st.columns(2)
        for col, (title, fig) in zip(cols, figures[i:i + 2], strict=False):
            with col:
                st.plotly_chart(fig, key=f"fig:{slug(title)}", config=_PLOTLY_CONFIG)
    st.markdown("**Summary per channel**")
    st.dataframe(report.summary_display(result.summary), hide_index=True, key="summary_table")
    st.download_button("Download interval results (CSV)", data=intervals_csv(result),
                       file_name=f"{slug(sc.name)}_intervals.csv", mime="text/csv",
                       key="download_csv", on_click="ignore")


# ---------------------------------------------------------------------- compare tab
def _scenario_for(choice: str, edited: Scenario | None) -> Scenario:
    if choice == EDITED:
        if edited is None:
            raise ScenarioError("the edited scenario is invalid; fix it in the Scenario tab")
        return edited
    return load_scenario(bundled_scenarios()[choice])


def compare_tab(edited: Scenario | None, seed: int, replications: int) -> None:
    from wfm import report

    ss = st.session_state
    options = [EDITED, *bundled_scenarios()]
    default_b = "social_surge" if "social_surge" in options else options[-1]
    a_col, b_col, btn_col = st.columns([2, 2, 1], vertical_alignment="bottom")
    a = a_col.selectbox("Scenario A", options, key="compare_a")
    b = b_col.selectbox("Scenario B", options, key="compare_b", index=options.index(default_b))
    slot = st.container()
    if btn_col.button("Compare", key="compare_run", type="primary"):
        ss["comparison"] = None
        try:
            if a == b:
                raise ScenarioError("pick two different scenarios to compare")
            sa, sb = _scenario_for(a, edited), _scenario_for(b, edited)
            ra = _run(sa.to_yaml(), seed, replications, slot)
            rb = _run(sb.to_yaml(), seed, replications, slot)
        except (InputError, TimeoutError) as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            labels = ("edited" if a == EDITED else a, "edited" if b == EDITED else b)
            ss["comparison"] = {
                "labels": labels,
                "a": ra,
                "b": rb,
                "table": report.compare_summaries(ra, rb, labels=labels),
                "figure": report.comparison_figure(ra, rb, labels=labels),
            }
    comp = ss.get("comparison")
    if not comp:
        st.info("Pick two scenarios and press **Compare** (same seed and replications as "
                "the sidebar).")
        return
    la, lb = comp["labels"]
    st.markdown(f"**{lb}** against **{la}**: service level per channel (delta = B − A)")
    sa, sb = comp["a"].summary.set_index("channel"), comp["b"].summary.set_index("channel")
    common = [c for c in sa.index if c in sb.index]
    cols = st.columns(max(len(common), 1))
    for col, ch in zip(cols, common, strict=False):
        va, vb = float(sa.at[ch, "service_level"]), float(sb.at[ch, "service_level"])
        delta = None if math.isnan(va) or math.isnan(vb) else f"{100 * (vb - va):+.1f} pts"
        col.metric(f"{ch} service level", pct(vb), delta=delta, border=True,
                   help=f"A: {pct(va)}")
    st.plotly_chart(comp["figure"], key="fig:comparison", config=_PLOTLY_CONFIG)
    st.dataframe(comp["table"], hide_index=True, key="comparison_table")


# ---------------------------------------------------------------------- plan tab
def _on_apply_plan() -> None:
    plan_result = st.session_state.get("plan")
    if plan_result is not None:
        _load(plan_result.scenario, "plan of " + st.session_state.get("source", "scenario"))


def plan_tab(edited: Scenario | None, seed: int) -> None:
    from wfm import report

    ss = st.session_state
    c1, c2, c3, c4 = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    reps = c1.number_input("Replications per check", min_value=1, max_value=20,
                           value=planning.DEFAULT_REPLICATIONS, step=1, key="plan_replications")
    iters = c2.number_input("Max iterations", min_value=1, max_value=30,
                            value=planning.DEFAULT_MAX_ITERATIONS, step=1,
                            key="plan_max_iterations")
    limit = c3.number_input("Solver time limit (s)", min_value=1.0, max_value=600.0,
                            value=30.0, step=5.0, key="plan_time_limit")
    if c4.button("Run plan", key="plan_run", type="primary", disabled=edited is None):
        slot = st.empty()
        try:
            with slot.container():
                ss["plan"] = plan_yaml(edited.to_yaml(), seed, int(reps), int(iters),
                                       float(limit))
            ss["plan_yaml"] = edited.to_yaml()
        except (ValueError, TimeoutError) as exc:  # InputError included: no shift fits
            ss["plan"] = None
            st.error(str(exc), icon=":material/error:")
        finally:
            slot.empty()
    plan_result = ss.get("plan")
    if plan_result is None:
        st.info("Press **Run plan** to schedule shifts for the edited scenario: requirements "
                "→ shifts (HiGHS) → simulation check, repeated until every target is met.")
        return
    if edited is None or ss.get("plan_yaml") != edited.to_yaml():
        st.warning("The scenario changed since this plan: press **Run plan** to update.",
                   icon=":material/refresh:")
    sched = plan_result.schedule
    verdict = ":green[**converged**]" if plan_result.converged else ":red[**not converged**]"
    st.markdown(f"{verdict}: {plan_result.reason} · cost {sched.cost:,.1f} · "
                f"solver {sched.status_text} ({sched.solve_seconds:.2f} s)")
    st.plotly_chart(report.coverage_figure(sched), key="fig:coverage", config=_PLOTLY_CONFIG)
    st.plotly_chart(report.gantt_figure(sched), key="fig:gantt", config=_PLOTLY_CONFIG)
    st.markdown("**Iterations**")
    st.dataframe(plan_result.iterations, hide_index=True, key="plan_iterations")
    st.markdown("**Shifts** (agents per shift and break placement)")
    st.dataframe(sched.shifts, hide_index=True, key="plan_shifts")
    d1, d2 = st.columns(2)
    d1.download_button("Download shifts (CSV)", data=shifts_csv(plan_result),
                       file_name="shifts.csv", mime="text/csv", key="download_shifts",
                       on_click="ignore")
    d2.button("Use the planned staff in the Scenario tab", key="plan_apply",
              on_click=_on_apply_plan)


# ---------------------------------------------------------------------- the page
def main() -> None:
    st.set_page_config(page_title="wfm planner", page_icon=":material/support_agent:", layout="wide")
    _init_state()
    _handle_upload()
    ss = st.session_state

    with st.sidebar:
        st.title("wfm planner")
        names = list(bundled_scenarios())
        st.selectbox("Bundled scenario", names, key="scenario_choice",
                     index=names.index(DEFAULT_SCENARIO) if DEFAULT_SCENARIO in names else 0,
                     on_change=_on_choice)
        st.file_uploader("…or upload a scenario (YAML)", type=["yaml", "yml"],
                         key="scenario_upload")
        st.divider()
        seed = int(st.number_input("Seed", min_value=0, value=0, step=1, key="seed"))
        replications = int(st.number_input("Replications", min_value=1, max_value=100,
                                           value=1, step=1, key="replications"))
        run_slot = st.container()
        progress_slot = st.container()
        download_slot = st.container()

    base: Scenario = ss["base"]
    st.header(base.name)
    st.caption(f"{base.horizon} × {base.interval_minutes}-min intervals from {base.start} · "
               f"{len(base.channels)} channels · {len(base.agents)} agent groups · "
               f"source: {ss['source']}")
    if ss["load_error"]:
        st.error(ss["load_error"], icon=":material/error:")

    tabs = st.tabs(list(TABS), key="tab", on_change="rerun")
    with tabs[0]:
        edited, error = scenario_tab(base)
    current_key = None if edited is None else (edited.to_yaml(), seed, replications)

    clicked = run_slot.button("Run simulation", key="run", type="primary",
                              disabled=edited is None, on_click=_on_run,
                              width="stretch")
    if error:
        run_slot.caption(":red[The edited scenario is invalid: see the Scenario tab.]")
    requested = ss.pop("run_requested", False)
    if clicked or requested:
        if edited is not None:
            try:
                result = _run(edited.to_yaml(), seed, replications, progress_slot)
            except (InputError, TimeoutError) as exc:
                run_slot.error(str(exc), icon=":material/error:")
            else:
                if ss.get("result_key") != current_key or ss.get("figures") is None:
                    ss["figures"] = _figures(result)
                ss["result"], ss["result_key"] = result, current_key
    if edited is not None:
        download_slot.download_button(
            "Download scenario (YAML)", data=yaml_bytes(edited),
            file_name=f"{slug(edited.name)}.yaml", mime="application/x-yaml",
            key="download_yaml", on_click="ignore", width="stretch")

    with tabs[1]:
        results_tab(current_key)
    with tabs[2]:
        compare_tab(edited, seed, replications)
    with tabs[3]:
        plan_tab(edited, seed)


if __name__ == "__main__":
    main()
