"""The planner's app: edit a scenario, try what-ifs in one move, simulate it, see why a
channel misses and apply the smallest fix, compare variants, plan the shifts.

Run with ``streamlit run app.py``. The app opens on ``scenarios/baseline.yaml``.
It holds layout and state only: scenarios are validated by :class:`wfm.Scenario`,
runs come from :func:`wfm.simulate` and :func:`wfm.plan`, verdicts, the diagnosis and
the fix from :mod:`wfm.diagnosis`, moves, differences and comparisons from
:mod:`wfm.variants`, the analytic requirement from :func:`wfm.staffing.requirements`
and every chart and table for people from :mod:`wfm.report`.

Tabs: **Scenario** (a chart of the forecast and the staff; what-ifs in one move and the
common knobs as sliders; every change shown against the scenario as loaded; named
variants; channel parameters; the switch settings: routing rules and a validated YAML
box per channel, group, routing and centre; interval volumes and staff) | **Results**
(verdicts with their uncertainty, the switch's measures, work left at close, why
channels miss and the smallest fix, charts, the week view of a multi-day run, the
social view, CSV) | **Compare** (two or more variants: differences with their noise,
cost, work left, the switch per variant, per-interval overlays) | **Plan**
(requirements -> shifts -> simulation check, money in the scenario's currency, paid
hours, FTE and the lower bound, coverage and shift Gantt; the weekly roster of a
multi-day scenario) | **Forecast** and **Capacity** (``app_pages``: ``render(base,
load)``). Only the open tab is computed (``st.tabs`` with ``on_change="rerun"``): its
figures are built when it is shown.

State (``st.session_state``)
----------------------------
``loaded`` (Scenario as loaded: the reference of every difference), ``base`` (the
scenario being edited: ``loaded`` with the moves applied), ``moves`` (what was applied,
for people), ``source`` (where it came from), ``uploads`` (uploaded scenarios by
selector label), ``load_error``; edit widgets are keyed ``edit:<dotted path>`` (a
value, seeded from ``base`` through the session state so the browser shows it),
``scale:<dotted path>`` (a factor: the sliders), ``yaml:<box path>`` (a switch settings
box's text, :func:`yaml_sections`) and ``table:volume`` / ``table:staff`` (the interval
tables); the one-move form ``move:*``. Applying a move folds the edits
into ``base`` and drops the edit widgets' state; loading a scenario drops it too.
``edited`` is the last valid edited scenario, ``variants`` the named variants
(:class:`wfm.variants.Variant`). ``result`` / ``result_key`` / ``figures`` /
``figures_key`` hold the last run, ``fix`` / ``fix_key`` the last fix found,
``comparison`` the last comparison and ``plan`` / ``plan_yaml`` the last plan;
``views`` / ``views_key`` the week and social figures of the last run,
``playbook_cmp`` its comparison without playbooks; ``page_load`` a scenario a page made
(loaded at the start of the next run, :func:`load_from_page`).
Simulations, fixes and plans are cached with ``st.cache_data`` on the scenario's YAML
text and the run settings, so an unchanged scenario does not run again.
"""

from __future__ import annotations

import io
import math
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from wfm import limits, planning
from wfm.diagnosis import decision_replications
from wfm.errors import InputError, ScenarioError
from wfm.report.format import (
    agent_hours,
    count,
    interval_ranges,
    number,
    pct,
    wait,
)
from wfm.scenario import Scenario, load_scenario
from wfm.scenario.paths import get_path, set_path
from wfm.yamlio import dump_yaml, load_yaml

if str(Path(__file__).resolve().parent) not in sys.path:  # app_pages/ sits beside app.py
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from app_pages._widgets import PLOTLY_CONFIG, keep, kept  # noqa: E402

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
DEFAULT_SCENARIO = "baseline"
TABS = ("Scenario", "Results", "Compare", "Plan", "Forecast", "Capacity")
EDITED = "(edited scenario)"
AS_LOADED = "(as loaded)"
UPLOAD_PREFIX = "upload: "
#: The selector label of a scenario made in a page (a forecast, a roster, a capacity plan).
MADE_PREFIX = "made: "
#: The page icon: an emoji, drawn by the browser from a data: URI (a Material icon would
#: be fetched from Google's font server, which fails offline).
PAGE_ICON = "📞"
_EDIT_PREFIXES = ("edit:", "scale:", "table:", "yaml:")
MOVE_KINDS = {
    "Add or remove agents": "add_agents",
    "Scale a group's staff": "scale_staff",
    "Scale a channel's volume": "scale_volume",
    "Shift volume between channels": "shift_volume",
}


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


#: The switch keys of a channel edited in its YAML box (issue 11), in the file's order.
#: ``aht`` and ``patience`` join them when the file gives them per interval or as a
#: distribution (a scalar one is edited in the channel's card).
CHANNEL_YAML_KEYS = ("aht", "handle_cv", "handle_time", "patience", "balking", "wrap_up",
                     "retrial", "lines", "trunk", "queue_capacity", "max_wait", "transfer",
                     "outbound", "social")
#: The keys of a group edited in its YAML box (``staff`` is the interval table's).
GROUP_YAML_KEYS = ("handle_factor", "roster", "shrinkage")
#: The keys of ``routing:`` edited in its YAML box (``arrival`` and ``next_contact`` have
#: their own selectors).
ROUTING_YAML_KEYS = ("staff_rise", "staff_drop", "channels", "groups")
#: Centre-wide sections edited in one YAML box.
CENTRE_YAML_KEYS = ("trunks", "uncertainty", "playbooks")
ARRIVAL_RULES = ("least_occupied", "ordered", "longest_idle", "random")
NEXT_CONTACT_RULES = ("priority", "oldest")
SL_DEFINITIONS = ("offered", "answered_and_late_abandoned", "answered")
JUDGED_ON = ("started", "finished")


def _is_scalar(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def yaml_sections(scenario: Scenario) -> dict[str, tuple[str, ...]]:
    """The scenario's YAML boxes: ``{dotted path: keys the box edits}``.

    One box per channel (its switch keys, :data:`CHANNEL_YAML_KEYS`, less ``aht`` and
    ``patience`` when the card edits them), one per group (:data:`GROUP_YAML_KEYS`), one
    for ``routing`` (:data:`ROUTING_YAML_KEYS`) and one for the centre (path ``""``:
    :data:`CENTRE_YAML_KEYS`).

    Examples
    --------
    >>> sc = load_scenario(SCENARIO_DIR / "baseline.yaml")
    >>> list(yaml_sections(sc))[:2], yaml_sections(sc)["channels.phone"][:2]
    (['channels.phone', 'channels.messaging'], ('handle_cv', 'handle_time'))
    """
    out: dict[str, tuple[str, ...]] = {}
    for name, ch in scenario.channels.items():
        keys = list(CHANNEL_YAML_KEYS)
        if _is_scalar(ch.aht):
            keys.remove("aht")
        if ch.kind in ("voice", "chat") and (ch.patience is None or _is_scalar(ch.patience)):
            keys.remove("patience")
        out[f"channels.{name}"] = tuple(keys)
    for g in scenario.agents:
        out[f"agents.{g.group}"] = GROUP_YAML_KEYS
    out["routing"] = ROUTING_YAML_KEYS
    out[""] = CENTRE_YAML_KEYS
    return out


def _node(data: dict[str, Any], path: str) -> dict[str, Any]:
    """The mapping at ``path`` of plain scenario data (``routing`` made when absent)."""
    if not path:
        return data
    if path == "routing":
        return data.setdefault("routing", {})
    node = get_path(data, path)
    if not isinstance(node, dict):  # pragma: no cover - every box is on a mapping
        raise ScenarioError([(path, "is not a mapping")])
    return node


def section_text(scenario: Scenario, path: str, keys: tuple[str, ...]) -> str:
    """The YAML text of a box: the keys of ``keys`` the scenario gives at ``path`` ("" when
    it gives none, every one at its default).

    Examples
    --------
    >>> sc = load_scenario(SCENARIO_DIR / "overflow_backup.yaml")
    >>> print(section_text(sc, "channels.claims", yaml_sections(sc)["channels.claims"]), end="")
    trunk: pbx
    max_wait:
      seconds: 120
      to: callbacks
    """
    data = scenario.to_dict()
    node = _node(data, path)
    shown = {k: node[k] for k in keys if k in node}
    return dump_yaml(shown) if shown else ""


def parse_section(text: str, path: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """A box's text as a mapping of its keys; ``ScenarioError`` naming the field otherwise.

    Raises
    ------
    ScenarioError
        Not YAML, not a mapping, or a key the box does not edit (the message says where
        it is edited).
    """
    where = path or "scenario"
    try:
        value = load_yaml(text or "", source=f"{where} (YAML box)")
    except InputError as exc:
        raise ScenarioError([(where, str(exc).split(": ", 1)[-1])]) from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ScenarioError([(where, f"write a mapping of keys (key: value), one a line; "
                                     f"got {type(value).__name__}")])
    bad = [k for k in value if k not in keys]
    if bad:
        raise ScenarioError([(f"{path}.{k}" if path else str(k),
                              f"is not edited in this box (it edits {', '.join(keys)}); "
                              "the cards and tables above edit the other keys")
                             for k in bad])
    return value


def apply_edits(
    base: Scenario, changes: dict[str, Any], scales: dict[str, float] | None = None,
    sections: dict[str, str] | None = None,
) -> Scenario:
    """``base`` with its YAML boxes' text, then the values at dotted paths replaced, then
    the factors applied.

    Parameters
    ----------
    base : Scenario
    changes : dict
        ``{dotted path: value}``; ``routing.*`` paths work on a scenario without a
        ``routing:`` section.
    scales : dict, optional
        ``{dotted path: factor}`` (the sliders).
    sections : dict, optional
        ``{box path: YAML text}`` for the boxes of :func:`yaml_sections` that were
        edited: each replaces the keys its box edits (a key left out is back at its
        default). A group given a ``roster`` loses its ``staff``.

    Raises
    ------
    ScenarioError
        Every step revalidates through :class:`wfm.Scenario`: the message names the
        field, the value and the problem.

    Examples
    --------
    >>> sc = load_scenario(SCENARIO_DIR / "baseline.yaml")
    >>> new = apply_edits(sc, {"routing.arrival": "longest_idle"},
    ...                   sections={"channels.phone": "retrial: {probability: 0.5, delay: 600}"})
    >>> new.routing.arrival, new.channels["phone"].retrial.probability
    ('longest_idle', 0.5)
    """
    sc = base
    if sections or changes:
        data = base.to_dict()
        boxes = yaml_sections(base)
        for path, text in (sections or {}).items():
            keys = boxes.get(path)
            if keys is None:
                continue
            parsed = parse_section(text, path, keys)
            node = _node(data, path)
            for k in keys:
                node.pop(k, None)
            if path.startswith("agents.") and "roster" in parsed:
                node.pop("staff", None)
            node.update(parsed)
        for path, value in changes.items():
            if path.startswith("routing."):
                data.setdefault("routing", {})
            set_path(data, path, value)
        sc = Scenario.from_dict(data)
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


def variants_zip(variants: dict[str, Any]) -> bytes:
    """Every named variant as ``<slug>.yaml`` in one zip file (what the download serves)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, variant in variants.items():
            info = zipfile.ZipInfo(f"{slug(name)}.yaml", date_time=(2000, 1, 1, 0, 0, 0))
            zf.writestr(info, yaml_bytes(variant.scenario))
    return buf.getvalue()


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
def fix_yaml(yaml_text: str, seed: int, replications: int) -> Any:
    """The smallest fix of a scenario given as YAML text (:func:`wfm.diagnosis.smallest_fix`,
    cached), with a progress bar per simulation."""
    from wfm.diagnosis import smallest_fix

    bar = st.progress(0.0, text="Looking for the smallest fix")

    def progress(done: int, total: int, what: str) -> None:
        bar.progress(min(done / total, 1.0), text=f"Simulation {done} of at most {total}: {what}")

    scenario = Scenario.from_yaml(yaml_text)
    check_app_run(scenario, replications)
    return smallest_fix(scenario, seed=seed, replications=replications, progress=progress)


@st.cache_data(show_spinner=False, max_entries=8)
def plan_yaml(yaml_text: str, seed: int, replications: int, max_iterations: int,
              time_limit: float, large: bool = False) -> Any:
    """Plan the shifts of a scenario given as YAML text (cached on every argument).

    Shows a progress bar (one step per schedule-simulate round, at most
    ``max_iterations``); like :func:`simulate_yaml`, call it inside a placeholder.
    ``large``: the options for a large centre (as ``wfm plan --large``: warm starts, the
    sequential check, escalating raises, the first plan that meets confirmed at once)
    and every core this machine gives wfm (processes for the simulation, threads for the
    schedule).
    """
    from wfm.planning import plan
    from wfm.sim.parallel import available_workers

    bar = st.progress(0.0, text=f"Planning: round 1 of at most {max_iterations}")

    def on_round(k: int, row: pd.Series) -> None:
        missed = row.get("missed") or "none"
        bar.progress(min(k / max_iterations, 1.0),
                     text=f"Planning: round {k} of at most {max_iterations} done, "
                          f"cost {row['cost']:,.0f}, missed: {missed}")

    opts: dict[str, Any] = {}
    if large:
        opts = {"warm_start": True, "sequential": True, "escalate": True,
                "confirm_first": True, "workers": available_workers()}
    return plan(Scenario.from_yaml(yaml_text), seed=seed, replications=replications,
                max_iterations=max_iterations, time_limit=time_limit, on_round=on_round,
                **opts)


def _run(yaml_text: str, seed: int, replications: int, where: Any) -> Any:
    """Simulate with the progress bar shown in ``where`` (a container), then clear it."""
    slot = where.empty()
    with slot.container():
        result = simulate_yaml(yaml_text, seed, replications)
    slot.empty()
    return result


def _figures(result: Any, work: pd.DataFrame | None = None) -> list[tuple[str, Any]]:
    """(title, figure) of every chart of a run, all built by wfm.report: the run's
    figures, then the analytic (Erlang) requirement beside the staff on duty."""
    from wfm import report

    try:
        reqs = requirements_yaml(result.scenario.to_yaml())
    except Exception as exc:  # noqa: BLE001 - a scenario the staffing rules do not cover
        st.warning(f"No requirement chart: {exc}")
        reqs = None
    return list(report.run_figures(result, reqs, work))


# ---------------------------------------------------------------------- state
def _drop_edits() -> None:
    ss = st.session_state
    for key in [k for k in ss if isinstance(k, str) and k.startswith(_EDIT_PREFIXES)]:
        del ss[key]


def _load(scenario: Scenario, source: str) -> None:
    """Make ``scenario`` the loaded one and the base; drop every edit and move."""
    ss = st.session_state
    ss["loaded"] = scenario
    ss["base"] = scenario
    ss["moves"] = []
    ss["source"] = source
    ss["load_error"] = None
    ss["replications"] = decision_replications(scenario)
    _drop_edits()
    for key in [k for k in ss if isinstance(k, str) and k.startswith(("move:", "keep:move:"))]:
        del ss[key]


def _set_base(scenario: Scenario, what: str | None) -> None:
    """Make ``scenario`` the one being edited (the loaded one stays the reference)."""
    ss = st.session_state
    ss["base"] = scenario
    if what is None:
        ss["moves"] = []
    else:
        ss["moves"] = [*ss.get("moves", []), what]
    _drop_edits()


def _on_choice() -> None:
    ss = st.session_state
    name = ss["scenario_choice"]
    if name in ss.get("uploads", {}):
        _load(ss["uploads"][name], name.removeprefix(UPLOAD_PREFIX))
        return
    path = bundled_scenarios().get(name)
    if path is None:
        return
    try:
        _load(load_scenario(path), path.name)
    except InputError as exc:
        ss["load_error"] = str(exc)


def _on_run() -> None:
    st.session_state["run_requested"] = True
    st.session_state["tab"] = "Results"


def _init_state() -> None:
    ss = st.session_state
    if "base" not in ss:
        path = bundled_scenarios()[DEFAULT_SCENARIO]
        _load(load_scenario(path), path.name)
        ss["scenario_choice"] = DEFAULT_SCENARIO
    ss.setdefault("load_error", None)
    ss.setdefault("upload_seen", None)
    ss.setdefault("uploads", {})
    ss.setdefault("variants", {})
    ss.setdefault("moves", [])


def _handle_upload() -> None:
    """Load the file in the uploader once per new file; a bad one sets ``load_error``.
    A good one becomes a choice of the scenario selector, and the one it shows."""
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
        label = UPLOAD_PREFIX + uploaded.name
        ss["uploads"] = {**ss["uploads"], label: sc}
        _load(sc, uploaded.name)
        ss["scenario_choice"] = label


# ---------------------------------------------------------------------- scenario tab
def _seed(key: str, value: Any) -> None:
    """Give a widget its value through the session state (so the browser shows it)."""
    if key not in st.session_state:
        st.session_state[key] = value


def _number(label: str, key: str, value: float, **kw: Any) -> float:
    _seed(key, value)
    return st.number_input(label, key=key, **kw)


def _channel_inputs(base: Scenario) -> dict[str, Any]:
    """One column of inputs per channel; returns the changed values."""
    changes: dict[str, Any] = {}
    names = list(base.channels)
    per_row = 4
    for row in range(0, len(names), per_row):
        cols = st.columns(per_row)
        for col, name in zip(cols, names[row:row + per_row], strict=False):
            ch = base.channels[name]
            p = f"channels.{name}"
            unit = "s" if ch.kind in ("voice", "chat") else "s; 3600 = 1 h"
            with col.container(border=True):
                st.markdown(f"**{name}** · {ch.kind}")
                scalar = (int, float)
                ask: list[tuple[str, str, float, float, str | None]] = []
                fixed: list[str] = []
                if isinstance(ch.aht, scalar):
                    ask.append(("aht", "AHT (s)", float(ch.aht), 10.0, "%g"))
                else:
                    fixed.append("AHT")
                if ch.kind in ("voice", "chat"):
                    if ch.patience is None or isinstance(ch.patience, scalar):
                        ask.append(("patience", "Patience (s, 0 = never abandons)",
                                    float(ch.patience or 0.0), 10.0, "%g"))
                    else:
                        fixed.append("patience")
                if ch.kind == "chat":
                    ask.append(("concurrency", "Concurrency (sessions)", int(ch.concurrency), 1,
                                None))
                ask.append(("deflection", "Deflection (share)", float(ch.deflection), 0.05,
                            "%.2f"))
                if ch.target is not None:
                    ask.append(("target.answer_within", f"Answer within ({unit})",
                                float(ch.target.answer_within), 10.0, "%g"))
                    ask.append(("target.service_level", "Target service level (share)",
                                float(ch.target.service_level), 0.05, "%.2f"))
                for field, label, old, step, fmt in ask:
                    new: Any = _number(label, f"edit:{p}.{field}", old, step=step, format=fmt)
                    was: Any = old
                    if field == "patience":
                        new, was = (None if new == 0 else new), ch.patience
                    if new != was:
                        changes[f"{p}.{field}"] = new
                if ch.target is not None:
                    picks: list[tuple[str, str, tuple[str, ...], str]] = [
                        ("definition", "Service level counts", SL_DEFINITIONS,
                         ch.target.definition)]
                    if ch.kind in ("deferred", "social"):
                        picks.append(("judged_on", "On time when", JUDGED_ON,
                                      ch.target.judged_on))
                    for pick, text, options, was in picks:
                        chosen = _select(text, f"edit:{p}.target.{pick}", options, was,
                                         help=_PICK_HELP[pick])
                        if chosen != was:
                            changes[f"{p}.target.{pick}"] = chosen
                if fixed:
                    st.caption(f"{', '.join(fixed)} per interval or as a distribution: edit"
                               " them in the channel's switch settings below")
    return changes


_PICK_HELP = {
    "definition": "offered: answered within T / offered; answered_and_late_abandoned: "
                  "answered within T / (answered + abandoned after T), short abandons left "
                  "out; answered: answered within T / answered",
    "judged_on": "deferred work is on time when an agent starts it (started) or finishes "
                 "it (finished) within the target time",
    "arrival": "which group's free agent takes an arriving contact: the least busy group; "
               "the first of the channel's groups (ordered); the agent idle longest; a "
               "random group with a free agent",
    "next_contact": "what a freed agent takes: its group's skills in order (priority) or "
                    "the longest-waiting contact among its skills (oldest)",
}


def _select(label: str, key: str, options: tuple[str, ...], value: str, **kw: Any) -> str:
    _seed(key, value)
    if st.session_state[key] not in options:
        st.session_state[key] = value
    return str(st.selectbox(label, list(options), key=key, **kw))


def _box_title(path: str, scenario: Scenario) -> str:
    """The label of a YAML box: what it edits, and the keys the scenario gives there."""
    if not path:
        return "Centre: trunks, busyness (uncertainty), playbooks"
    if path == "routing":
        return "Routing: overflow delays, group order, deferred beside chats, staffing rules"
    kind, name = path.split(".", 1)
    if kind == "channels":
        return f"Channel {name} ({scenario.channels[name].kind}): switch keys"
    g = scenario.group(name)
    return f"Group {name}: " + ("roster of agents, " if g.roster else "") + \
        "handle factor, shrinkage"


def _switch_table(scenario: Scenario) -> None:
    """The switch keys of the edited scenario, one row per channel (only the columns of
    the keys some channel uses), in the slot :func:`_switch_inputs` left for it."""
    from wfm.report import scenario_switch_display

    slot = st.session_state.pop("_switch_slot", None)
    if slot is None:  # pragma: no cover - drawn by _switch_inputs first
        return
    shown = scenario_switch_display(scenario)
    used = [c for c in shown.columns[2:] if (shown[c] != "-").any()]
    slot.dataframe(shown[["channel", "kind", *used]], hide_index=True, key="switch_table")


def _switch_inputs(base: Scenario) -> tuple[dict[str, Any], dict[str, str]]:
    """The switch's settings (issue 11): the routing rules as selectors, then one
    validated YAML box per channel, group, the routing section and the centre. Returns
    the changed values and the edited boxes' text."""
    changes: dict[str, Any] = {}
    sections: dict[str, str] = {}
    st.session_state["_switch_slot"] = st.empty()  # filled by _switch_table when shown
    r = base.routing
    c1, c2 = st.columns(2)
    with c1:
        arrival = _select("Arriving contact goes to", "edit:routing.arrival", ARRIVAL_RULES,
                          r.arrival, help=_PICK_HELP["arrival"])
    with c2:
        nxt = _select("A freed agent takes", "edit:routing.next_contact", NEXT_CONTACT_RULES,
                      r.next_contact, help=_PICK_HELP["next_contact"])
    if arrival != r.arrival:
        changes["routing.arrival"] = arrival
    if nxt != r.next_contact:
        changes["routing.next_contact"] = nxt
    st.caption("Each box holds YAML in the scenario format (docs/guides/scenario-format.md)"
               " (retrial, lines, trunk, queue_capacity, max_wait, transfer, outbound, "
               "wrap_up, balking, handle_time, patience, social; routing delays; roster, "
               "handle_factor; trunks, uncertainty, playbooks). A key left out is at its "
               "default. Every box is checked by the scenario's own rules.")
    boxes = yaml_sections(base)
    items = list(boxes.items())
    per_row = 2
    for row in range(0, len(items), per_row):
        cols = st.columns(per_row)
        for col, (path, keys) in zip(cols, items[row:row + per_row], strict=False):
            key = f"yaml:{path}"
            text = section_text(base, path, keys)
            _seed(key, text)
            given = list(load_yaml(text) or {}) if text else []
            title = _box_title(path, base) + (f" · set: {', '.join(given)}" if given else "")
            with col.expander(title, expanded=False):
                st.caption("Edits: " + ", ".join(keys))
                new = st.text_area("YAML", key=key, height=160,
                                   label_visibility="collapsed")
            if new != text:
                sections[path] = new
    return changes, sections


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
        rostered = [g.group for g in base.agents if g.roster is not None]
        edited = st.data_editor(staff, key="table:staff", num_rows="fixed", height=460,
                                disabled=rostered)
        if rostered:
            st.caption(f"{', '.join(rostered)}: agents on duty from the group's roster "
                       "(edit the roster in its switch settings box)")
    for group in staff.columns:
        if group in rostered:
            continue
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


def _sliders(base: Scenario) -> dict[str, float]:
    """The common knobs: volume x per channel, staff x per group (applied on top)."""
    scales: dict[str, float] = {}
    width = max(len(base.channel_names), len(base.group_names), 4)
    rostered = {g.group for g in base.agents if g.roster is not None}
    for kind, names, what in (("channels", base.channel_names, "volume"),
                              ("agents", base.group_names, "staff")):
        cols = st.columns(width)
        for k, name in enumerate(names):
            key = f"scale:{kind}.{name}.{what}"
            _seed(key, 1.0)
            fixed = what == "staff" and name in rostered
            if fixed:  # a roster has no staff to scale: edit it in its box
                st.session_state[key] = 1.0
            with cols[k % width]:
                value = float(st.slider(
                    f"{name} {what} ×", min_value=0.0, max_value=3.0, step=0.05, key=key,
                    disabled=fixed,
                    help="a roster of agents: edit it in the group's switch settings box"
                    if fixed else "multiplies every interval" + (
                        " (rounded to whole agents)" if what == "staff" else "")))
            if not fixed:
                scales[key.removeprefix("scale:")] = value
    return scales


def _time_options(base: Scenario) -> tuple[list[str], list[str]]:
    labels = base.interval_labels()
    end = interval_ranges([base.horizon - 1], labels, base.interval_minutes).split("-", 1)[1]
    return labels, [*labels[1:], end]


def _on_move() -> None:
    """Apply the one-move form to the edited scenario: it becomes the base."""
    from wfm.variants import Move

    ss = st.session_state
    edited = ss.get("edited")
    ss["move_error"] = None
    if edited is None:
        ss["move_error"] = "the edited scenario is invalid: fix it before a move"
        return
    kind = MOVE_KINDS[ss["move:kind"]]
    group = ss.get("move:group")
    if kind in ("add_agents", "scale_staff") and any(
            g.group == group and g.roster is not None for g in edited.agents):
        ss["move_error"] = (f"agents.{group}: the group works from a roster of agents, not "
                            "staff per interval; change its roster in its switch settings box")
        return
    try:
        if kind == "add_agents":
            move = Move(kind, group=ss["move:group"], agents=int(ss["move:agents"]),
                        start=ss["move:from"], end=ss["move:to"])
        elif kind == "scale_staff":
            move = Move(kind, group=ss["move:group"], factor=float(ss["move:factor"]),
                        start=ss["move:from"], end=ss["move:to"])
        elif kind == "scale_volume":
            move = Move(kind, channel=ss["move:channel"], factor=float(ss["move:factor"]),
                        start=ss["move:from"], end=ss["move:to"])
        else:
            move = Move(kind, source=ss["move:source"], dest=ss["move:dest"],
                        share=float(ss["move:share"]))
        new = move.apply(edited)
    except (InputError, ValueError) as exc:
        ss["move_error"] = str(exc)
        return
    _set_base(new, move.text)


def _on_reset() -> None:
    _set_base(st.session_state["loaded"], None)


def _move_form(base: Scenario) -> None:
    """What-if in one move: add or remove agents over a time range, scale a group's
    staff or a channel's volume, shift volume between channels."""
    ss = st.session_state
    starts, ends = _time_options(base)
    kept("move:kind", next(iter(MOVE_KINDS)))
    for key, value in (("move:group", base.group_names[0]), ("move:agents", 2),
                       ("move:factor", 1.1), ("move:channel", base.channel_names[0]),
                       ("move:source", base.channel_names[0]),
                       ("move:dest", base.channel_names[-1]), ("move:share", 0.2),
                       ("move:from", starts[0]), ("move:to", ends[-1])):
        kept(key, value)
    for key, options in (("move:group", base.group_names), ("move:channel", base.channel_names),
                         ("move:source", base.channel_names), ("move:dest", base.channel_names),
                         ("move:from", starts), ("move:to", ends)):
        if ss[key] not in options:
            ss[key] = options[0] if key != "move:to" else options[-1]
    c = st.columns([2, 1.3, 1, 1, 1, 1.2], vertical_alignment="bottom")
    kind = MOVE_KINDS[c[0].selectbox("What-if in one move", list(MOVE_KINDS), key="move:kind")]
    if kind in ("add_agents", "scale_staff"):
        c[1].selectbox("Group", base.group_names, key="move:group")
    elif kind == "scale_volume":
        c[1].selectbox("Channel", base.channel_names, key="move:channel")
    else:
        c[1].selectbox("From channel", base.channel_names, key="move:source")
    if kind == "add_agents":
        c[2].number_input("Agents (+/-)", step=1, key="move:agents")
    elif kind in ("scale_staff", "scale_volume"):
        c[2].number_input("Factor (x)", min_value=0.0, step=0.05, format="%.2f", key="move:factor")
    else:
        c[2].selectbox("To channel", base.channel_names, key="move:dest")
    if kind == "shift_volume":
        c[3].number_input("Share moved", min_value=0.0, max_value=1.0, step=0.05,
                          format="%.2f", key="move:share")
    else:
        c[3].selectbox("From", starts, key="move:from")
        c[4].selectbox("Until", ends, key="move:to")
    c[5].button("Apply move", key="move_apply", type="primary", on_click=_on_move,
                width="stretch")
    for key in [k for k in ss if isinstance(k, str) and k.startswith("move:")]:
        keep(key)
    if ss.get("move_error"):
        st.error(ss["move_error"], icon=":material/error:")


def scenario_diff(before: Scenario, after: Scenario) -> pd.DataFrame:
    """:func:`wfm.variants.diff` of two scenarios; should it fail to describe a change,
    every differing key of the data as ``changed``, with the same columns
    (``what``, ``path``, ``intervals``, ``before``, ``after``, ``change``).

    Examples
    --------
    >>> sc = load_scenario(SCENARIO_DIR / "baseline.yaml")
    >>> scenario_diff(sc, sc.with_values({"channels.phone.aht": [250] * 24}))["path"].tolist()
    ['channels.phone.aht']
    """
    from wfm.variants import diff

    try:
        return diff(before, after)
    except (TypeError, ValueError):
        pass
    rows = []

    def flat(data: Any, prefix: str = "") -> dict[str, Any]:
        if isinstance(data, dict):
            out: dict[str, Any] = {}
            for k, v in data.items():
                out.update(flat(v, f"{prefix}{k}."))
            return out
        if isinstance(data, list) and data and all(isinstance(x, dict) and "group" in x
                                                   for x in data):
            out = {}
            for x in data:
                out.update(flat({k: v for k, v in x.items() if k != "group"},
                                f"{prefix}{x['group']}."))
            return out
        return {prefix[:-1]: data}

    fb, fa = flat(before.to_dict()), flat(after.to_dict())
    for path in [*fb, *[p for p in fa if p not in fb]]:
        vb, va = fb.get(path), fa.get(path)
        if vb == va:
            continue

        def show(v: Any) -> str:
            text = "-" if v is None else str(v)
            return text if len(text) <= 60 else text[:57] + "..."

        parts = path.split(".")
        what = " ".join(parts[1:]) if parts[0] in ("channels", "agents") else path
        rows.append({"what": what.replace("_", " "), "path": path, "intervals": "-",
                     "before": show(vb), "after": show(va), "change": "changed"})
    return pd.DataFrame(rows, columns=["what", "path", "intervals", "before", "after", "change"])


def _changes(loaded: Scenario, edited: Scenario | None) -> None:
    """Every change against the scenario as loaded (a diff), the moves applied, reset."""
    ss = st.session_state
    if edited is None:
        return
    d = scenario_diff(loaded, edited)
    moves = ss.get("moves", [])
    if d.empty and not moves:
        st.caption(f"No change against the scenario as loaded ({ss['source']}).")
        return
    head = f"**Changes against the scenario as loaded** ({ss['source']})"
    if moves:
        head += " · moves applied: " + "; ".join(moves)
    st.markdown(head)
    if d.empty:
        st.caption("The moves cancel out: the scenario is as loaded.")
    else:
        st.dataframe(d.drop(columns="path"), hide_index=True, key="diff_table")
    st.button("Back to the scenario as loaded", key="reset_moves", on_click=_on_reset)


def _reserved_names() -> set[str]:
    return {EDITED, AS_LOADED, *bundled_scenarios()}


def _on_save_variant() -> None:
    from wfm.variants import Variant

    ss = st.session_state
    name = str(ss.get("variant:name", "")).strip()
    edited = ss.get("edited")
    ss["variant_message"] = None
    if not name:
        ss["variant_message"] = ("error", "give the variant a name")
    elif name in _reserved_names():
        ss["variant_message"] = ("error", f"{name!r} is taken by a scenario: pick another name")
    elif edited is None:
        ss["variant_message"] = ("error", "the edited scenario is invalid: fix it first")
    else:
        existed = name in ss["variants"]
        ss["variants"] = {**ss["variants"],
                          name: Variant(name, edited, list(ss.get("moves", [])))}
        ss["variant_message"] = ("ok", f"{'replaced' if existed else 'saved'} variant {name!r}")


def _on_edit_variant(name: str) -> None:
    ss = st.session_state
    v = ss["variants"][name]
    _set_base(v.scenario, None)
    ss["moves"] = [*v.moves, f"variant {name}"]


def _on_delete_variant(name: str) -> None:
    ss = st.session_state
    ss["variants"] = {k: v for k, v in ss["variants"].items() if k != name}


def _variants_panel(loaded: Scenario) -> None:

    ss = st.session_state
    c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    c1.text_input("Variant name", key="variant:name", placeholder="e.g. +2 voice at lunch")
    c2.button("Save as variant", key="variant_save", on_click=_on_save_variant,
              width="stretch")
    variants = ss["variants"]
    if variants:
        c3.download_button("Download all variants (zip)", data=variants_zip(variants),
                           file_name="variants.zip", mime="application/zip",
                           key="variants_download", on_click="ignore", width="stretch")
    msg = ss.get("variant_message")
    if msg:
        (st.success if msg[0] == "ok" else st.error)(msg[1])
    for name, v in variants.items():
        d = scenario_diff(loaded, v.scenario)
        cols = st.columns([3, 5, 1, 1, 1], vertical_alignment="center")
        cols[0].markdown(f"**{name}**")
        cols[1].caption("; ".join(d["change"].astype(str).radd(d["what"] + ": ")) or
                        "as loaded")
        cols[2].download_button("YAML", data=yaml_bytes(v.scenario),
                                file_name=f"{slug(name)}.yaml", mime="application/x-yaml",
                                key=f"variant_yaml:{name}", on_click="ignore")
        cols[3].button("Edit", key=f"variant_edit:{name}", on_click=_on_edit_variant,
                       args=(name,))
        cols[4].button("Delete", key=f"variant_delete:{name}", on_click=_on_delete_variant,
                       args=(name,))


def _edited_from_state(base: Scenario) -> Scenario | None:
    """The edited scenario from the edit widgets' values in the session state, before
    the widgets are drawn (so the chart above them is sent first); None when invalid.
    The widgets then compute it again: that one is authoritative."""
    ss = st.session_state
    changes: dict[str, Any] = {}
    scales: dict[str, float] = {}
    sections: dict[str, str] = {}
    boxes = yaml_sections(base)
    try:
        name = ss.get("edit:name", base.name)
        if name != base.name:
            changes["name"] = name
        for key, value in ss.items():
            if not isinstance(key, str):
                continue
            if key.startswith("scale:"):
                scales[key.removeprefix("scale:")] = float(value)
            elif key.startswith("yaml:"):
                path = key.removeprefix("yaml:")
                if path in boxes and value != section_text(base, path, boxes[path]):
                    sections[path] = value
            elif key.startswith("edit:") and key != "edit:name":
                path = key.removeprefix("edit:")
                old = _current(base, path)
                if path.endswith(".patience"):
                    value = None if value == 0 else value
                if value != old:
                    changes[path] = value
        for key, frame in (("table:volume", "channels.{}.volume"), ("table:staff",
                                                                   "agents.{}.staff")):
            rows = (ss.get(key) or {}).get("edited_rows") or {}
            if not rows:
                continue
            current = ({c: list(ch.volume) for c, ch in base.channels.items()}
                       if key == "table:volume" else
                       {g: v.tolist() for g, v in base.staff().items()})
            touched = set()
            for row, cells in rows.items():
                for col, value in cells.items():
                    current[col][int(row)] = _cell(value)
                    touched.add(col)
            for col in touched:
                changes[frame.format(col)] = current[col]
        return apply_edits(base, changes, scales, sections)
    except Exception:  # noqa: BLE001 - the widgets below say what is wrong
        return None


#: Selector keys whose default value the scenario's data leaves out.
_DEFAULTS = {"definition": "offered", "judged_on": "started", "arrival": "least_occupied",
             "next_contact": "priority"}


def _current(base: Scenario, path: str) -> Any:
    """The scenario's value at a dotted path; a selector's default when the data leaves
    it out; None for any other key left out."""
    try:
        return base.get(path)
    except InputError:
        return _DEFAULTS.get(path.rsplit(".", 1)[-1])


def _scenario_figure(scenario: Scenario) -> Any:
    """The scenario's chart, built again only when the scenario changed."""
    from wfm import report

    ss = st.session_state
    prev = ss.get("scenario_chart")
    if prev is not None and prev[0] == scenario:
        return prev[1]
    fig = report.scenario_figure(scenario)
    ss["scenario_chart"] = (scenario, fig)
    return fig


def scenario_tab(base: Scenario, show: bool = True) -> tuple[Scenario | None, str | None]:
    """Edit the base scenario; returns (edited scenario or None, error message or None).

    The edit widgets are always drawn (they hold the edits); the chart, the moves, the
    changes and the variants only when the tab is open (``show``). The chart comes
    first, drawn from the widgets' values before the widgets themselves.
    """
    ss = st.session_state
    loaded: Scenario = ss["loaded"]
    chart_slot = st.empty()
    early = _edited_from_state(base) if show else None
    if early is not None:
        chart_slot.plotly_chart(_scenario_figure(early), key="fig:scenario",
                                config=PLOTLY_CONFIG)
    with st.container(border=True):
        if show:
            _move_form(base)
        scales = _sliders(base)
    changes_slot = st.container()
    _seed("edit:name", base.name)
    name = st.text_input("Scenario name", key="edit:name")
    changes: dict[str, Any] = {"name": name} if name != base.name else {}
    error_slot = st.empty()
    st.subheader("Channels")
    changes.update(_channel_inputs(base))
    st.subheader("Switch settings")
    switch_changes, sections = _switch_inputs(base)
    changes.update(switch_changes)
    switch_error_slot = st.empty()
    st.subheader("Intervals")
    changes.update(_table_inputs(base))
    try:
        edited = apply_edits(base, changes, scales, sections)
    except InputError as exc:
        error_slot.error(str(exc), icon=":material/error:")
        if sections or switch_changes:
            switch_error_slot.error(str(exc), icon=":material/error:")
        if show:
            _switch_table(base)
        ss["edited"] = None
        return None, str(exc)
    ss["edited"] = edited
    if show:
        _switch_table(edited)
    if changes or sections or any(f != 1.0 for f in scales.values()):
        error_slot.info("Edited: the download and the next run use these values.",
                        icon=":material/edit:")
    if show:
        if early is None:
            chart_slot.plotly_chart(_scenario_figure(edited), key="fig:scenario",
                                    config=PLOTLY_CONFIG)
        elif early != edited:  # pragma: no cover - the widgets and the state disagree
            chart_slot.plotly_chart(_scenario_figure(edited), config=PLOTLY_CONFIG)
        with changes_slot:
            _changes(loaded, edited)
            with st.expander(f"Variants ({len(ss['variants'])} saved)",
                             expanded=bool(ss["variants"])):
                _variants_panel(loaded)
    return edited, None


# ---------------------------------------------------------------------- results tab
def switch_lines(result: Any) -> dict[str, list[str]]:
    """The switch's measures of each channel that uses a feature, as short lines for its
    KPI card (``{channel: lines}``): blocked, balked, retrials with the customers and
    the first-attempt service level, short abandons, transfers, moves after max wait,
    outbound attempts and connects. Counts are per horizon (means per replication).

    Examples
    --------
    >>> import wfm
    >>> res = wfm.simulate(load_scenario(SCENARIO_DIR / "blended_outbound.yaml"), seed=1)
    >>> switch_lines(res)["campaign"][0].startswith("dialled ")
    True
    """
    from wfm import report

    m = report.switch_measures(result)
    out: dict[str, list[str]] = {}
    for r in m.itertuples(index=False):
        lines = []

        def has(v: float) -> bool:
            return not math.isnan(float(v))

        if has(r.blocked):
            lines.append(f"blocked {number(round(r.blocked, 1))} ({pct(r.blocked_share)})")
        if has(r.balked):
            lines.append(f"balked {number(round(r.balked, 1))} ({pct(r.balked_share)})")
        if has(r.retrials):
            lines.append(f"retrials {number(round(r.retrials, 1))} · customers "
                         f"{number(round(r.customers, 1))} · first attempts "
                         f"{pct(r.service_level_first)} in target")
        if has(r.short_abandoned):
            lines.append(f"short abandons {number(round(r.short_abandoned, 1))} (not counted)")
        if has(r.transferred_in) and (r.transferred_in > 0 or r.transferred_out > 0):
            lines.append(f"transfers in {number(round(r.transferred_in, 1))} · out "
                         f"{number(round(r.transferred_out, 1))}")
        if has(r.rerouted):
            lines.append(f"moved after max wait {number(round(r.rerouted, 1))}")
        if has(r.dialled):
            lines.append(f"dialled {number(round(r.dialled, 1))} · connects "
                         f"{number(round(r.connected, 1))} ({pct(r.connect_rate)})")
        out[str(r.channel)] = lines
    return out


def kpi_cards(result: Any, verdicts: pd.DataFrame | None = None) -> None:
    """One st.metric per channel: service level with its interval against the target,
    the verdict (met, missed, too close to call) and the work left at close; then the
    switch's measures of the channels that use a feature (:func:`switch_lines`)."""
    from wfm import report

    cards = report.kpi_cards(result, verdicts)
    extra = switch_lines(result)
    cols = st.columns(max(len(cards), 1))
    for col, row in zip(cols, cards.itertuples(index=False), strict=False):
        sl, target = float(row.service_level), float(row.target)
        ci = float(row.service_level_ci)
        value = pct(sl) if math.isnan(ci) else f"{pct(sl)} ± {100 * ci:.1f}"
        delta = None if math.isnan(sl) else f"{100 * (sl - target):+.1f} pts vs {pct(target, 0)}"
        with col:
            st.metric(f"{row.channel} service level", value, delta=delta, border=True,
                      help=str(row.reason) or f"target {pct(target, 0)}")
            colour = {"met": "green", "missed": "red"}.get(str(row.verdict), "orange")
            lines = [f":{colour}[**{row.verdict}**]"]
            if not math.isnan(ci):
                lines.append(f"95% interval {pct(row.low)}-{pct(row.high)}")
            lines.append(f"ASA {wait(float(row.asa), str(row.kind))} · abandoned "
                         f"{pct(float(row.abandonment))}")
            left = f"left at close {number(round(float(row.backlog), 1))}"
            if not math.isnan(float(row.backlog_hours)) and float(row.backlog) > 0:
                left += f" ({agent_hours(3600 * float(row.backlog_hours))} of work)"
            if bool(row.late_backlog):
                left = f":red[{left}: {count(row.not_in_time)} cannot be answered in time]"
            lines.append(left)
            lines += extra.get(str(row.channel), [])
            st.markdown("  \n".join(lines))


def _fix_panel(result: Any, edited: Scenario | None, seed: int, replications: int) -> None:
    """The smallest fix: find it (simulations), show it, apply it."""
    from wfm.report.format import human_table as table

    ss = st.session_state
    key = None if edited is None else (edited.to_yaml(), seed, replications)
    if st.button("Find the smallest fix (checked by simulation)", key="fix_find",
                 disabled=edited is None):
        slot = st.empty()
        try:
            with slot.container():
                ss["fix"] = fix_yaml(edited.to_yaml(), seed, replications)  # type: ignore[union-attr]
            ss["fix_key"] = key
        except (InputError, TimeoutError) as exc:
            st.error(str(exc), icon=":material/error:")
        finally:
            slot.empty()
    fix = ss.get("fix")
    if fix is None:
        return
    if ss.get("fix_key") != key:
        st.warning("The scenario or the run settings changed since this fix: find it again.",
                   icon=":material/refresh:")
        return
    if fix.changes.empty:
        st.success(fix.reason)
        return
    (st.success if fix.fixed else st.warning)(fix.text)
    st.dataframe(table(fix.summary(), {"add": lambda v: f"+{int(v)}",
                                       "agent_hours": lambda v: f"{float(v):.1f} h"},
                       headers={"add": "agents to add", "agent_hours": "agent-hours"}),
                 hide_index=True, key="fix_table")
    st.button("Apply the fix to the scenario (and run it)", key="fix_apply", type="primary",
              on_click=_on_apply_fix, disabled=not fix.fixed)


def _on_apply_fix() -> None:
    from wfm.diagnosis import add_staff

    ss = st.session_state
    fix, edited = ss.get("fix"), ss.get("edited")
    if fix is None or edited is None:
        return
    extra: dict[str, list[int]] = {g: [0] * edited.horizon for g in edited.group_names}
    for r in fix.changes.itertuples(index=False):
        extra[str(r.group)][int(r.interval)] += int(r.add)
    hours = fix.agent_hours
    _set_base(add_staff(edited, extra), f"smallest fix (+{hours:,.1f} agent-hours)")
    ss["fix"] = None
    ss["run_requested"] = True
    ss["tab"] = "Results"


def _diagnosed(result: Any) -> Any:
    """The diagnosis of the shown run (computed once per run)."""
    from wfm.diagnosis import diagnose

    ss = st.session_state
    if ss.get("diagnosis_key") != ss.get("result_key") or ss.get("diagnosis") is None:
        ss["diagnosis"] = diagnose(result)
        ss["diagnosis_key"] = ss.get("result_key")
    return ss["diagnosis"]


def _diagnosis(result: Any, edited: Scenario | None, seed: int, replications: int) -> None:
    d = _diagnosed(result)
    misses = [s for s in d.statements if not s.startswith("Idle:")]
    idle = [s.removeprefix("Idle: ") for s in d.statements if s.startswith("Idle:")]
    st.markdown("**Why channels miss, and what fixes it**")
    if misses:
        st.markdown("\n".join(f"- {s}" for s in misses))
        _fix_panel(result, edited, seed, replications)
    else:
        st.markdown("Every channel meets its target.")
    with st.expander(f"Where agents sit idle ({len(idle)})", expanded=not misses and bool(idle)):
        st.markdown("\n".join(f"- {s}" for s in idle) if idle else "No idle spell stands out.")


def results_tab(current_key: tuple | None, edited: Scenario | None, seed: int,
                replications: int) -> None:
    from wfm import report
    from wfm.diagnosis import day_work_left

    ss = st.session_state
    result = ss.get("result")
    if result is None:
        st.info("Press **Run simulation** in the sidebar to simulate the scenario.")
        return
    stale = ss.get("result_key") != current_key
    if stale:
        st.warning("The scenario or the run settings changed since this run: press "
                   "**Run simulation** to update.", icon=":material/refresh:")
    sc = result.scenario
    st.caption(f"{sc.name}: seed {result.seed}, {result.n_replications} replication(s), "
               f"simulated in {result.elapsed:.2f} s")
    diag = _diagnosed(result)
    kpi_cards(result, diag.verdicts)
    _diagnosis(result, None if stale else edited, seed, replications)
    if ss.get("figures_key") != ss.get("result_key") or ss.get("figures") is None:
        ss["figures"] = _figures(result, diag.work_left)
        ss["figures_key"] = ss.get("result_key")
    figures = ss["figures"]
    for i in range(0, len(figures), 2):
        cols = st.columns(2)
        for col, (title, fig) in zip(cols, figures[i:i + 2], strict=False):
            with col:
                st.plotly_chart(fig, key=f"fig:{slug(title)}", config=PLOTLY_CONFIG)
    st.markdown("**Summary per channel**")
    st.dataframe(report.summary_display(result.summary), hide_index=True, key="summary_table")
    measures = report.switch_measures_display(result)
    if not measures.empty:
        st.markdown("**The switch** (per horizon, means per replication; shares in brackets:"
                    " blocked of the attempts, balked and retrials of the offered, connects "
                    "of the dialled)")
        st.dataframe(measures, hide_index=True, key="switch_measures")
    if ss.get("views_key") != ss.get("result_key") or ss.get("views") is None:
        ss["views"] = _view_figures(result)
        ss["views_key"] = ss.get("result_key")
    week_figs, social_figs = ss["views"]
    if week_figs:
        _week_view(result, week_figs)
    if social_figs:
        _social_view(result, social_figs)
    days = day_work_left(result)
    if days["day"].nunique() > 1:
        st.markdown("**Work left at the end of each day**")
        shown = days.assign(left=[f"{count(b)} ({h:,.1f} h)" for b, h in
                                  zip(days["backlog"], days["backlog_hours"], strict=True)])
        st.dataframe(shown.pivot(index=["day", "end"], columns="channel", values="left")
                     .reset_index(), hide_index=True, key="days_table")
    st.download_button("Download interval results (CSV)", data=intervals_csv(result),
                       file_name=f"{slug(sc.name)}_intervals.csv", mime="text/csv",
                       key="download_csv", on_click="ignore")


def _view_figures(result: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """The week view's and the social view's figures of a run (built once per run)."""
    from wfm.report import social, week

    return week.week_figures(result), social.social_figures(result)


def _show_figures(figures: list[tuple[str, Any]], prefix: str) -> None:
    for i in range(0, len(figures), 2):
        cols = st.columns(2)
        for col, (title, fig) in zip(cols, figures[i:i + 2], strict=False):
            with col:
                st.plotly_chart(fig, key=f"fig:{prefix}{slug(title)}", config=PLOTLY_CONFIG)


def _week_view(result: Any, figures: list[tuple[str, Any]]) -> None:
    """The week view of a multi-day run (issue 12): service level and volume per day
    (and per week), the per-day and per-week tables."""
    from wfm.report import week

    st.subheader("Week view")
    _show_figures(figures, "week:")
    st.markdown("**Per day** (contacts per day, means per replication; service level by "
                "each channel's definition)")
    st.dataframe(week.daily_display(result), hide_index=True, key="week_daily")
    weekly = result.weekly
    if not weekly.empty and int(weekly["week"].max()) > 0:
        st.markdown("**Per week** (7 days from the first)")
        st.dataframe(week.weekly_display(result), hide_index=True, key="week_weekly")


def _social_view(result: Any, figures: list[tuple[str, Any]]) -> None:
    """The social view (issue 13): the funnel, the risk over the replications, the
    exposure over the day, the playbooks fired and the run without its playbooks."""
    from wfm.report import social

    ss = st.session_state
    st.subheader("Social care")
    _show_figures(figures, "social:")
    st.markdown("**Funnel** (what became of the mentions; posts per horizon, means per "
                "replication; *exposure*: people who saw a post unanswered past its target)")
    st.dataframe(social.funnel_display(result), hide_index=True, key="social_funnel")
    risk = social.risk_display(result)
    if not risk.empty:
        st.markdown(f"**Risk** over {result.n_replications} replication(s) (the chance of "
                    "missing the target, the peak backlog and the exposure as quantiles)")
        st.dataframe(risk, hide_index=True, key="social_risk")
    sc = result.scenario
    if not sc.playbooks:
        st.caption("The scenario has no surge playbook (add one under *Centre* in the "
                   "Scenario tab's switch settings).")
        return
    fired = social.playbooks_display(result)
    st.markdown("**Surge playbooks fired**")
    if fired.empty:
        st.caption("No playbook fired in this run.")
    else:
        st.dataframe(fired, hide_index=True, key="social_playbooks")
    key = (ss.get("result_key"), result.seed, result.n_replications)
    if st.button("Compare with and without the playbooks (same seed and replications)",
                 key="social_compare"):
        try:
            without = _run(social.without_playbooks(sc).to_yaml(), result.seed,
                           result.n_replications, st.container())
        except (InputError, TimeoutError) as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            ss["playbook_cmp"] = (key, social.playbook_comparison(result, without))
    cmp = ss.get("playbook_cmp")
    if cmp is not None and cmp[0] == key:
        st.markdown("**With and without the playbooks** (change = with minus without)")
        st.dataframe(social.playbook_comparison_display(cmp[1]), hide_index=True,
                     key="social_playbook_comparison")


# ---------------------------------------------------------------------- compare tab
def _compare_options() -> list[str]:
    ss = st.session_state
    return [EDITED, AS_LOADED, *ss["variants"], *bundled_scenarios()]


def _scenario_for(choice: str, edited: Scenario | None) -> Scenario:
    ss = st.session_state
    if choice == EDITED:
        if edited is None:
            raise ScenarioError("the edited scenario is invalid; fix it in the Scenario tab")
        return edited
    if choice == AS_LOADED:
        return ss["loaded"]
    if choice in ss["variants"]:
        return ss["variants"][choice].scenario
    return load_scenario(bundled_scenarios()[choice])


def compare_tab(edited: Scenario | None, seed: int, replications: int) -> None:
    from wfm import report
    from wfm.variants import compare

    ss = st.session_state
    options = _compare_options()
    default = [EDITED, "social_surge" if "social_surge" in options else options[-1]]
    kept("compare_pick", default)
    ss["compare_pick"] = [x for x in ss["compare_pick"] if x in options]
    pick_col, btn_col = st.columns([5, 1], vertical_alignment="bottom")
    pick_col.multiselect("Variants to compare (the first is the reference)", options,
                         key="compare_pick")
    keep("compare_pick")
    slot = st.container()
    if btn_col.button("Compare", key="compare_run", type="primary", width="stretch"):
        ss["comparison"] = None
        chosen = list(ss["compare_pick"])
        try:
            if len(chosen) < 2:
                raise ValueError("pick two or more variants to compare")
            runs = {}
            for name in chosen:
                runs[name] = _run(_scenario_for(name, edited).to_yaml(), seed, replications, slot)
        except (ValueError, TimeoutError) as exc:  # InputError included
            st.error(str(exc), icon=":material/error:")
        else:
            labels = [("edited" if n == EDITED else "as loaded" if n == AS_LOADED else n)
                      for n in chosen]
            results = dict(zip(labels, runs.values(), strict=True))
            ss["comparison"] = {"labels": labels, "results": results,
                                "comparison": compare(results)}
    comp = ss.get("comparison")
    if not comp:
        st.info("Pick two or more variants and press **Compare** (the sidebar's seed and "
                "replications; every variant runs on the same random days, so differences "
                "are paired).")
        return
    cmp = comp["comparison"]
    results = comp["results"]
    ref = cmp.reference
    st.markdown(f"Against **{ref}** ({'paired: same seed and replications' if cmp.paired else 'unpaired'};"
                " a difference *within noise* is smaller than the replications' spread)")
    ch = cmp.channels
    for name in comp["labels"][1:]:
        part = ch[ch["variant"] == name]
        st.markdown(f"**{name}**")
        cols = st.columns(max(len(part), 1))
        for col, r in zip(cols, part.itertuples(index=False), strict=False):
            delta = None if math.isnan(r.delta) else f"{100 * r.delta:+.1f} pts"
            noise = "" if r.noise == "real" else f" ({r.noise})"
            ref_sl = ch[(ch.variant == ref) & (ch.channel == r.channel)]["service_level"]
            col.metric(f"{r.channel} service level", pct(r.service_level), delta=delta,
                       border=True, help=f"{ref}: {pct(ref_sl.iloc[0])}")
            left = f"left at close {count(r.backlog)} ({r.delta_backlog:+,.0f})"
            col.markdown(f"{r.verdict}{noise}  \n{left}")
    st.markdown("\n".join(f"- {s}" for s in cmp.statements()))
    st.dataframe(report.costs_display(cmp), hide_index=True, key="comparison_costs")
    st.plotly_chart(report.variants_bar_figure(results), key="fig:comparison",
                    config=PLOTLY_CONFIG)
    horizons = {r.scenario.horizon for r in results.values()}
    if len(horizons) == 1:
        st.plotly_chart(report.variants_figure(results), key="fig:comparison_intervals",
                        config=PLOTLY_CONFIG)
        if any(c.kind in ("deferred", "social") for r in results.values()
               for c in r.scenario.channels.values()):
            st.plotly_chart(report.variants_figure(results, "backlog"),
                            key="fig:comparison_backlog", config=PLOTLY_CONFIG)
    else:
        st.caption("The variants have different horizons: no per-interval overlay.")
    st.dataframe(report.comparison_display(cmp), hide_index=True, key="comparison_table")
    from wfm.report.week import variants_daily_display

    per_day = variants_daily_display(results)
    if not per_day.empty:
        st.markdown("**Per day** (service level of each variant; points against the first)")
        st.dataframe(per_day, hide_index=True, key="comparison_days")
    switch = [report.switch_measures_display(r).assign(variant=name)
              for name, r in results.items()]
    switch = [f for f in switch if not f.empty]
    if switch:
        st.markdown("**The switch per variant** (blocked, balked, retrials, first-attempt "
                    "service level, transfers, connects; per horizon)")
        frame = pd.concat(switch, ignore_index=True).fillna("-")
        st.dataframe(frame[["variant", *[c for c in frame.columns if c != "variant"]]],
                     hide_index=True, key="comparison_switch")


# ---------------------------------------------------------------------- plan tab
def _on_apply_plan() -> None:
    plan_result = st.session_state.get("plan")
    if plan_result is not None:
        _set_base(plan_result.scenario, "planned staff")


def plan_money(plan_result: Any) -> dict[str, str]:
    """The plan's money for the Plan tab's cards, in planner words: ``cost`` (the
    shifts, in the scenario's currency), ``paid`` (money paid, shrinkage included),
    ``paid_hours``, ``fte`` (with the hours of one FTE), ``bound`` (the lower bound) and
    ``gap`` (how far the cost is above it, percent of the cost; ``-`` without a bound).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> p = SimpleNamespace(cost=455.5, lower_bound=340.54, lower_bound_gap=25.24,
    ...                     currency="EUR", paid_hours=20.0, fte=0.5, paid_cost=500.0,
    ...                     fte_hours=40.0)
    >>> plan_money(p)["gap"], plan_money(p)["cost"]
    ('25.2% above the bound', '455.50 EUR')
    """
    from wfm.report.schedule import money_text

    cur = getattr(plan_result, "currency", None)
    cost, bound = float(plan_result.cost), float(getattr(plan_result, "lower_bound", math.nan))
    decimals = 0 if max(abs(cost), abs(bound) if math.isfinite(bound) else 0) >= 1000 else 2
    gap = float(getattr(plan_result, "lower_bound_gap", math.nan))
    paid_hours = float(getattr(plan_result, "paid_hours", math.nan))
    fte = float(getattr(plan_result, "fte", math.nan))
    paid = float(getattr(plan_result, "paid_cost", math.nan))
    return {
        "cost": money_text(cost, cur, decimals),
        "paid": money_text(paid, cur, decimals) if math.isfinite(paid) else "-",
        "paid_hours": f"{paid_hours:,.1f} h" if math.isfinite(paid_hours) else "-",
        "fte": f"{fte:,.2f}" if math.isfinite(fte) else "-",
        "fte_hours": f"{float(getattr(plan_result, 'fte_hours', 40.0)):g}",
        "bound": money_text(bound, cur, decimals) if math.isfinite(bound) else "not computed",
        "gap": f"{gap:.1f}% above the bound" if math.isfinite(gap) else "-",
    }


def _plan_money(plan_result: Any) -> None:
    """Money, paid hours and FTE of a plan (issue 15): cards, the table per group and
    in total (:func:`wfm.report.schedule.plan_costs_display`, the frame the CLI prints)
    and the cost against the lower bound in one sentence."""
    from wfm.report.schedule import lower_bound_text, plan_costs_display

    m = plan_money(plan_result)
    cur = getattr(plan_result, "currency", None)
    unit = f" ({cur})" if cur else ""
    c = st.columns(4)
    c[0].metric(f"Cost of the shifts{unit}", m["cost"], border=True,
                help="paid hours of the shifts x cost_per_hour, shrinkage not included")
    c[1].metric("Paid hours", m["paid_hours"], border=True,
                help=f"shrinkage included; money paid {m['paid']}")
    c[2].metric("FTE", m["fte"], border=True,
                help=f"paid hours over {m['fte_hours']} paid hours per 7-day week, scaled to "
                     "the plan's days")
    c[3].metric(f"Lower bound{unit}", m["bound"], delta=None if m["gap"] == "-" else m["gap"],
                delta_color="off", border=True,
                help="LP relaxation of the shift model on the work alone (no queueing "
                     "margin): no plan can cost less")
    costs = getattr(plan_result, "costs", None)
    if isinstance(costs, pd.DataFrame) and not costs.empty:
        st.markdown(f"**Money, paid hours and FTE** per group and in total (paid hours "
                    f"include shrinkage; FTE: {m['fte_hours']} paid hours per 7-day week)")
        st.dataframe(plan_costs_display(costs, cur), hide_index=True, key="plan_costs")
    st.caption(lower_bound_text(plan_result.cost, float(getattr(plan_result, "lower_bound",
                                                                 math.nan)), cur))


def plan_tab(edited: Scenario | None, seed: int) -> None:
    from wfm import report
    from wfm.diagnosis import work_left
    from wfm.report.schedule import iterations_display, outcome_display, shifts_display

    ss = st.session_state
    c1, c2, c3, c4 = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    kept("plan_replications", planning.DEFAULT_REPLICATIONS)
    kept("plan_max_iterations", planning.DEFAULT_MAX_ITERATIONS)
    kept("plan_time_limit", 30.0)
    reps = c1.number_input("Replications per check", min_value=1, max_value=20, step=1,
                           key="plan_replications")
    iters = c2.number_input("Max iterations", min_value=1, max_value=30, step=1,
                            key="plan_max_iterations")
    limit = c3.number_input("Solver time limit (s)", min_value=1.0, max_value=600.0,
                            step=5.0, key="plan_time_limit")
    kept("plan_large", False)
    large = st.checkbox(
        "Large centre: faster rounds", key="plan_large",
        help="For many channels and groups over days, where a round takes most of a minute:"
             " each round's shifts start from the last, a round stops at its first"
             " replication when a channel surely misses, channels that keep missing get"
             " bigger raises, the first plan that meets is confirmed at once, and every core"
             " of this machine works. Fewer, faster rounds; on a small centre the plan may"
             " cost more, so it is off by default.")
    for key in ("plan_replications", "plan_max_iterations", "plan_time_limit", "plan_large"):
        keep(key)
    if c4.button("Run plan", key="plan_run", type="primary", disabled=edited is None):
        slot = st.empty()
        try:
            with slot.container():
                ss["plan"] = plan_yaml(edited.to_yaml(), seed, int(reps), int(iters),  # type: ignore[union-attr]
                                       float(limit), bool(large))
            ss["plan_yaml"] = edited.to_yaml()  # type: ignore[union-attr]
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
    st.markdown(f"{verdict}: {plan_result.reason} · "
                f"solver {sched.status_text} ({sched.solve_seconds:.2f} s)")
    _plan_money(plan_result)
    sim = plan_result.simulation
    if sim is not None and not plan_result.outcome.empty:
        st.markdown(f"**Verdict per channel** (the plan's rule, {sim.n_replications} "
                    "replications: the day must clear the target by a safety margin, its "
                    "noise over the replications, and no interval may fall short by more "
                    "than its tolerance)")
        st.dataframe(outcome_display(plan_result.outcome, work_left(sim)), hide_index=True,
                     key="plan_outcome")
    st.plotly_chart(report.coverage_figure(sched), key="fig:coverage", config=PLOTLY_CONFIG)
    st.plotly_chart(report.gantt_figure(sched), key="fig:gantt", config=PLOTLY_CONFIG)
    st.markdown("**Rounds** (schedule, simulate, correct)")
    st.dataframe(iterations_display(plan_result.iterations), hide_index=True,
                 key="plan_iterations")
    st.markdown("**Shifts** (agents per shift and break placement)")
    st.dataframe(shifts_display(sched.shifts), hide_index=True, key="plan_shifts")
    d1, d2 = st.columns(2)
    d1.download_button("Download shifts (CSV)", data=shifts_csv(plan_result),
                       file_name="shifts.csv", mime="text/csv", key="download_shifts",
                       on_click="ignore")
    d2.button("Use the planned staff in the Scenario tab", key="plan_apply",
              on_click=_on_apply_plan)


# ---------------------------------------------------------------------- pages
def load_from_page(scenario: Scenario, label: str) -> None:
    """``load(scenario, label)`` for the pages of ``app_pages`` (Forecast, Capacity, the
    weekly roster): make ``scenario`` the one being edited, as a choice of the scenario
    selector (``made: <label>``).

    The page may call it while it draws (after the selector is drawn, whose value
    cannot change then) or in a callback: the scenario is kept as pending, the page
    finishes its run, and the next run (started at the end of this one) loads it
    before any widget is drawn (:func:`_load_pending`).
    """
    st.session_state["page_load"] = (scenario, str(label))


def _load_pending() -> None:
    """Load the scenario a page made (:func:`load_from_page`), before the widgets."""
    ss = st.session_state
    pending = ss.pop("page_load", None)
    if pending is None:
        return
    scenario, label = pending
    choice = MADE_PREFIX + label
    ss["uploads"] = {**ss.get("uploads", {}), choice: scenario}
    _load(scenario, label)
    ss["scenario_choice"] = choice
    ss["load_notice"] = f"{scenario.name} ({label}) is the scenario being edited."


def _page(name: str) -> Any:
    """The ``app_pages`` module ``name``, or None (the tab says it is not there)."""
    import importlib

    try:
        return importlib.import_module(f"app_pages.{name}")
    except ImportError as exc:
        st.info(f"This page is not available in this installation ({exc}).")
        return None


def _render_page(name: str, scenario: Scenario) -> None:
    module = _page(name)
    if module is not None:
        module.render(scenario, load_from_page)


def _roster_section(edited: Scenario | None) -> None:
    """The Plan tab's weekly roster for a scenario of several days (issue 15)."""
    from wfm.report.week import has_days

    if edited is None or not has_days(edited):
        return
    st.divider()
    st.subheader("Weekly roster")
    _render_page("roster", edited)


# ---------------------------------------------------------------------- the page
def main() -> None:
    st.set_page_config(page_title="wfm planner", page_icon=PAGE_ICON, layout="wide")
    _init_state()
    _load_pending()
    _handle_upload()
    ss = st.session_state

    with st.sidebar:
        st.title("wfm planner")
        names = [*bundled_scenarios(), *ss["uploads"]]
        if ss.get("scenario_choice") not in names:
            ss["scenario_choice"] = names[0]
        st.selectbox("Scenario", names, key="scenario_choice", on_change=_on_choice)
        st.file_uploader("…or upload a scenario (YAML)", type=["yaml", "yml"],
                         key="scenario_upload")
        st.divider()
        seed = int(st.number_input("Seed", min_value=0, value=0, step=1, key="seed"))
        replications = int(st.number_input(
            "Replications", min_value=1, max_value=100, step=1, key="replications",
            help="independent runs of the horizon: verdicts come with their 95% interval "
                 "and say 'too close to call' when it straddles the target (set for each "
                 "scenario loaded: 10 for a day, fewer for longer horizons)"))
        run_slot = st.container()
        progress_slot = st.container()
        download_slot = st.container()

    base: Scenario = ss["base"]
    header = st.empty()
    caption = st.empty()
    header.header(base.name)
    if ss["load_error"]:
        st.error(ss["load_error"], icon=":material/error:")
    notice = ss.pop("load_notice", None)
    if notice:
        st.success(notice, icon=":material/check:")

    tabs = st.tabs(list(TABS), key="tab", on_change="rerun")
    with tabs[0]:
        edited, error = scenario_tab(base, show=tabs[0].open is not False)
    shown = edited or base
    header.header(shown.name)
    moves = ss.get("moves", [])
    caption.caption(
        f"{shown.horizon} × {shown.interval_minutes}-min intervals from {shown.start} · "
        f"{len(shown.channels)} channels · {len(shown.agents)} agent groups · "
        f"source: {ss['source']}" + (f" · {len(moves)} move(s) applied" if moves else ""))
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
                ss["result"], ss["result_key"] = result, current_key
    if edited is not None:
        download_slot.download_button(
            "Download scenario (YAML)", data=yaml_bytes(edited),
            file_name=f"{slug(edited.name)}.yaml", mime="application/x-yaml",
            key="download_yaml", on_click="ignore", width="stretch")

    if tabs[1].open is not False:
        with tabs[1]:
            results_tab(current_key, edited, seed, replications)
    if tabs[2].open is not False:
        with tabs[2]:
            compare_tab(edited, seed, replications)
    if tabs[3].open is not False:
        with tabs[3]:
            plan_tab(edited, seed)
            _roster_section(edited)
    if tabs[4].open is not False:
        with tabs[4]:
            _render_page("forecast", edited or base)
    if tabs[5].open is not False:
        with tabs[5]:
            _render_page("capacity", edited or base)
    if "page_load" in ss:  # a page made a scenario: load it before any widget
        st.rerun()


if __name__ == "__main__":
    main()
