"""The Forecast tab: from a centre's interval history to a multi-week scenario.

Upload interval history (CSV or Parquet, long or wide form, columns mapped in the page)
or use an example history shaped like the scenario being edited; optionally contact
records for calibration (patience, AHT and its spread). The page shows the history read
(or its errors, by line and column), the forecast with its prediction band
(:func:`wfm.report.forecast.forecast_figure`), the days forecast and skipped (public
holidays of a country and subdivision, special days), the rolling-origin backtest
against seasonal naive and the mean of the last four same weekdays, and builds the
scenario (:meth:`wfm.forecast.Forecast.to_scenario` with the scenario being edited as
the template), which ``load`` makes the one being edited.

Everything slow is cached with ``st.cache_data`` on hashable inputs (file bytes, the
column mapping, the options) and shows a spinner or a progress bar.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

import wfm
from app_pages._widgets import PLOTLY_CONFIG, USER_ERRORS, guarded, keep, kept, show_error, table_editor, widget
from wfm.history import FIELDS, History

EXAMPLE = "Example history (generated from the scenario being edited)"
UPLOAD = "Upload a file"
LONG = "long: a row per interval and channel"
WIDE = "wide: a column per channel"
NONE = "(none)"
MEAN = "mean (carries the forecast's uncertainty into the simulation)"
QUANTILES = {MEAN: None, "60th percentile": 0.6, "80th percentile": 0.8, "90th percentile": 0.9,
             "95th percentile": 0.95}
_P = "forecast:"


# ---------------------------------------------------------------------- cached work
@st.cache_data(show_spinner=False, max_entries=16)
def _raw(data: bytes, filename: str) -> pd.DataFrame:
    from wfm.report.pages import upload_frame

    return upload_frame(data, filename)


@st.cache_data(show_spinner=False, max_entries=16)
def history_from_spec(spec: tuple[Any, ...]) -> History:
    """The history a source spec describes (cached on the spec).

    ``("example", scenario_yaml, weeks, seed)`` or ``("upload", data, filename,
    columns, channels, wide, timezone)`` (columns a tuple of (field, column) pairs).
    """
    from wfm.history import read_history
    from wfm.report.pages import example_history, read_history_bytes

    if spec[0] == "example":
        _, yaml_text, weeks, seed = spec
        raw = example_history(wfm.Scenario.from_yaml(yaml_text), weeks=weeks, seed=seed)
        hist = read_history(raw)
        return History(hist.intervals, hist.interval_minutes, hist.channels, hist.timezone, "example history")
    _, data, filename, columns, channels, wide, timezone = spec
    return read_history_bytes(data, filename, columns=dict(columns), channels=list(channels) if channels else None,
                              wide=wide, timezone=timezone)


def _mapped(spec: tuple[Any, ...], mapping: tuple[tuple[str, str], ...]) -> History:
    from wfm.report.pages import rename_channels

    hist = history_from_spec(spec)
    if tuple(hist.channels) == tuple(new for new, _ in mapping) and all(a == b for a, b in mapping):
        return hist
    return rename_channels(hist, dict(mapping))


@st.cache_data(show_spinner=False, max_entries=16)
def forecast_from_spec(spec: tuple[Any, ...], mapping: tuple[tuple[str, str], ...], options: tuple[Any, ...]
                       ) -> wfm.forecast.Forecast:
    """The forecast of a history spec, its channel mapping and the options (cached)."""
    days, interval, level, country, subdiv, special, trend = options
    return wfm.forecast.forecast(_mapped(spec, mapping), days=days, interval_minutes=interval, level=level,
                                 country=country, subdiv=subdiv, special_days=dict(special), trend=trend)


@st.cache_data(show_spinner=False, max_entries=8)
def backtest_from_spec(spec: tuple[Any, ...], mapping: tuple[tuple[str, str], ...], options: tuple[Any, ...]
                       ) -> wfm.forecast.Backtest:
    """The rolling-origin backtest (cached); draws a progress bar, one step per origin."""
    horizon, min_history, interval, level, country, subdiv, special, trend = options
    bar = st.progress(0.0, text="Backtest: fitting from each origin")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Backtest: origin {done}/{total}")

    return wfm.forecast.backtest(_mapped(spec, mapping), horizon=horizon, min_history=min_history,
                                 interval_minutes=interval, level=level, country=country, subdiv=subdiv,
                                 special_days=dict(special), trend=trend, progress=progress)


@st.cache_data(show_spinner=False, max_entries=8)
def aht_profile(spec: tuple[Any, ...], mapping: tuple[tuple[str, str], ...]) -> pd.DataFrame:
    """:func:`wfm.calibrate.handle_time_profile` of the mapped history (cached)."""
    from wfm.calibrate import handle_time_profile

    return handle_time_profile(_mapped(spec, mapping))


@st.cache_data(show_spinner=False, max_entries=8)
def calibration_from_upload(data: bytes, filename: str, channel: str | None) -> Any:
    """Calibration of uploaded contact records (cached)."""
    from wfm.calibrate import calibrate
    from wfm.report.pages import read_contacts_bytes

    return calibrate(read_contacts_bytes(data, filename, channel=channel))


# ---------------------------------------------------------------------- inputs
def _choice(label: str, options: list[str], key: str, default: str, where: Any = st, **kw: Any) -> str:
    """A selectbox whose kept value is dropped when it is no longer an option."""
    ss = st.session_state
    for k in (key, f"keep:{key}"):
        if k in ss and ss[k] not in options:
            del ss[k]
    kept(key, default if default in options else options[0])
    value = where.selectbox(label, options, key=key, **kw)
    keep(key)
    return str(value)


def _guess(columns: list[str], *names: str) -> str | None:
    lower = {c.lower().replace(" ", "_"): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    return None


def _upload_spec() -> tuple[Any, ...] | None:
    f = st.file_uploader("Interval history (CSV, CSV.gz or Parquet; long or wide form)",
                         type=["csv", "gz", "txt", "parquet", "pq"], key=f"{_P}upload")
    if f is None:
        st.info("Upload a switch export: **long form** has a row per interval and channel "
                "(`interval_start`, `channel`, `offered`, optionally `handled`, `aht`, `abandoned`, "
                "`answered_in_target`, `avg_wait`); **wide form** a row per interval and a column of "
                "offered contacts per channel. Any column names: map them below.")
        return None
    data, name = f.getvalue(), f.name
    try:
        raw = _raw(data, name)
    except USER_ERRORS as exc:
        show_error(exc, "The file cannot be read")
        return None
    cols = [str(c) for c in raw.columns]
    if not cols:
        st.error(f"{name}: the file has no columns", icon=":material/error:")
        return None
    tag = hashlib.sha1("\x1f".join(cols).encode()).hexdigest()[:8]
    with st.expander(f"Columns of {name} ({len(cols)})", expanded=True):
        st.dataframe(raw.head(5), hide_index=True)
        c1, c2 = st.columns(2)
        time_col = _choice("Interval start (date and time)", cols, f"{_P}map:{tag}:time",
                           _guess(cols, "interval_start", "start", "start_time", "datetime", "timestamp", "time",
                                  "interval") or cols[0], where=c1)
        has_channel = _guess(cols, "channel", "queue", "skill") is not None
        layout = _choice("Layout", [LONG, WIDE], f"{_P}map:{tag}:layout", LONG if has_channel else WIDE, where=c2)
        rest = [c for c in cols if c != time_col]
        columns: dict[str, str] = {"interval_start": time_col}
        channels: tuple[str, ...] | None = None
        if layout == LONG:
            if len(rest) < 2:
                st.error(f"{name}: long form needs a channel and an offered column besides {time_col!r} "
                         f"(columns: {', '.join(cols)})", icon=":material/error:")
                return None
            c3, c4 = st.columns(2)
            columns["channel"] = _choice("Channel", rest, f"{_P}map:{tag}:channel",
                                         _guess(rest, "channel", "queue", "skill") or rest[0], where=c3)
            columns["offered"] = _choice("Offered (contacts)", rest, f"{_P}map:{tag}:offered",
                                         _guess(rest, "offered", "calls_offered", "volume", "calls", "contacts")
                                         or rest[-1], where=c4)
            optional = st.columns(len(FIELDS) - 1)
            for slot, field in zip(optional, FIELDS[1:], strict=True):
                pick = _choice(field, [NONE, *rest], f"{_P}map:{tag}:{field}", _guess(rest, field) or NONE,
                               where=slot)
                if pick != NONE:
                    columns[field] = pick
            wide = False
        else:
            key = f"{_P}map:{tag}:channels"
            kept(key, rest)
            st.session_state[key] = [c for c in st.session_state[key] if c in rest]
            picked = st.multiselect("Channel columns (offered contacts; the column name is the channel)", rest,
                                    key=key)
            keep(key)
            if not picked:
                st.error("Pick at least one channel column.", icon=":material/error:")
                return None
            channels = tuple(picked)
            wide = True
        tz = widget(st.text_input, "Time zone (IANA name, e.g. Europe/London; needed for times with UTC "
                    "offsets)", f"{_P}timezone", "").strip()
    return ("upload", data, name, tuple(sorted(columns.items())), channels, wide, tz or None)


def _mapping(base: wfm.Scenario, hist: History) -> tuple[tuple[str, str], ...] | None:
    """Which history channel feeds each channel of the scenario (identity when they match)."""
    if set(hist.channels) == set(base.channel_names):
        return tuple((c, c) for c in base.channel_names)
    st.markdown("**Channels**: the scenario's channels differ from the history's "
                f"({', '.join(hist.channels)}). Pick the history channel that feeds each.")
    cols = st.columns(min(4, len(base.channel_names)))
    out = []
    options = list(hist.channels)
    for k, ch in enumerate(base.channel_names):
        default = ch if ch in options else options[min(k, len(options) - 1)]
        out.append((ch, _choice(ch, options, f"{_P}chan:{ch}", default, where=cols[k % len(cols)])))
    unused = [c for c in hist.channels if c not in {v for _, v in out}]
    if unused:
        st.caption(f"Not forecast (no scenario channel): {', '.join(unused)}.")
    return tuple(out)


def _special_days() -> dict[str, Any] | None:
    from wfm.report.pages import special_days_from_rows

    st.markdown("**Special days** (`closed`, or a volume multiplier such as 0.6; a special day overrides a "
                "holiday)")
    table = table_editor(f"{_P}special", pd.DataFrame({"date": pd.Series([], dtype=str),
                                                       "value": pd.Series([], dtype=str)}),
                         num_rows="dynamic", hide_index=True,
                         column_config={"date": st.column_config.TextColumn("date (YYYY-MM-DD)"),
                                        "value": st.column_config.TextColumn("closed or multiplier")})
    try:
        return special_days_from_rows(table.to_dict("records"))
    except USER_ERRORS as exc:
        show_error(exc)
        return None


# ---------------------------------------------------------------------- sections
def _calibration(base: wfm.Scenario) -> dict[str, Any]:
    """Contact records -> calibrated parameters (shown), and the template changes to apply."""
    from wfm.report.forecast import patience_figure
    from wfm.report.pages import calibration_display

    with st.expander("Calibration from contact records (optional)"):
        st.caption("One row per contact: `channel`, `wait` (seconds), `outcome` (answered or abandoned), "
                   "optionally `handle_time` (seconds) and `arrival`. Patience is the exponential maximum "
                   "likelihood with censoring by service; the Kaplan-Meier curve shows whether an exponential "
                   "fits.")
        f = st.file_uploader("Contact records (CSV or Parquet)", type=["csv", "gz", "txt", "parquet", "pq"],
                             key=f"{_P}contacts")
        if f is None:
            return {}
        one = widget(st.text_input, "Channel of every record (for a file without a channel column)",
                     f"{_P}contacts_channel", "").strip()
        try:
            with st.spinner("Calibrating"):
                cal = calibration_from_upload(f.getvalue(), f.name, one or None)
        except USER_ERRORS as exc:
            show_error(exc, "The contact records cannot be read")
            return {}
        st.dataframe(calibration_display(cal), hide_index=True, key=f"{_P}calibration_table")
        st.dataframe(cal.fit, hide_index=True, key=f"{_P}calibration_fit")
        st.plotly_chart(patience_figure(cal), key=f"{_P}fig:patience", config=PLOTLY_CONFIG)
        changes: dict[str, Any] = {}
        for ch, values in cal.scenario_values().items():
            if ch not in base.channels:
                continue
            kind = base.channels[ch].kind
            for k, v in values.items():
                if k == "patience" and kind not in ("voice", "chat"):
                    continue
                changes[f"channels.{ch}.{k}"] = round(float(v), 3)
        skipped = [str(c) for c in dict.fromkeys(cal.parameters["channel"]) if c not in base.channels]
        if skipped:
            st.caption(f"Not in the scenario (not applied): {', '.join(skipped)}.")
        use = widget(st.checkbox, "Use the calibrated AHT, handle-time CV and patience in the scenario",
                     f"{_P}use_calibration", True, disabled=not changes)
        return changes if use else {}


def _backtest(spec: tuple[Any, ...], mapping: tuple[tuple[str, str], ...], hist: History,
              interval: int, level: float, country: str | None, subdiv: str | None,
              special: tuple[tuple[str, Any], ...], trend: bool) -> None:
    from wfm.report.forecast import backtest_figure
    from wfm.report.pages import backtest_display

    st.markdown("#### Backtest")
    st.caption("Rolling origin: from each open day with enough history before it, forecast the next open "
               "days of the history and compare with what came, against seasonal naive (same weekday last "
               "week) and the mean of the last four same weekdays. WAPE = sum |actual - forecast| / sum actual.")
    n = len(hist.days)
    c1, c2, c3 = st.columns([1, 1, 1], vertical_alignment="bottom")
    horizon = int(widget(c1.number_input, "Horizon (open days ahead)", f"{_P}bt_horizon", 5, min_value=1,
                         max_value=30, step=1))
    most = max(15, n - horizon)
    min_history = int(widget(c2.number_input, "Open days before the first origin", f"{_P}bt_min_history",
                             max(15, min(60, n - horizon - 5)), min_value=15, max_value=max(15, most), step=1))
    if c3.button("Run the backtest", key=f"{_P}bt_run"):
        st.session_state[f"{_P}bt_on"] = True
    if not st.session_state.get(f"{_P}bt_on"):
        return
    slot = st.empty()
    try:
        with slot.container():
            bt = backtest_from_spec(spec, mapping, (horizon, min_history, interval, level, country, subdiv,
                                                    special, trend))
    except USER_ERRORS as exc:
        slot.empty()
        show_error(exc, "No backtest")
        return
    slot.empty()
    st.dataframe(backtest_display(bt), hide_index=True, key=f"{_P}backtest_table")
    st.plotly_chart(backtest_figure(bt), key=f"{_P}fig:backtest", config=PLOTLY_CONFIG)


def _build(base: wfm.Scenario, fc: wfm.forecast.Forecast, changes: dict[str, Any], label: str,
           load: Callable[[wfm.Scenario, str], None]) -> None:
    st.markdown("#### The scenario")
    st.caption("The scenario being edited is the template: its channels' parameters and its groups (staff by "
               "clock time) filled with the forecast over consecutive calendar days; closed days and hours get "
               "no volume and no staff.")
    c1, c2, c3 = st.columns([2, 1, 2], vertical_alignment="bottom")
    which = _choice("Volume", list(QUANTILES), f"{_P}quantile", MEAN, where=c1)
    growth = float(widget(c2.number_input, "Growth (%)", f"{_P}growth", 0.0, min_value=-90.0, max_value=500.0,
                          step=1.0))
    if c3.button("Make this forecast the scenario being edited", key=f"{_P}build", type="primary"):
        try:
            template = base.with_values(changes) if changes else base
            sc = fc.to_scenario(template, quantile=QUANTILES[which], growth=1 + growth / 100)
        except USER_ERRORS as exc:
            show_error(exc, "Cannot build the scenario")
            return
        days = int(fc.days["date"].nunique())
        text = f"forecast: {label}, {days} open day{'s' if days != 1 else ''}"
        load(sc, text)
        st.session_state[f"{_P}built"] = f"{sc.name}: {sc.horizon} × {sc.interval_minutes}-min intervals from " \
                                         f"{sc.start_date} {sc.start}"
    built = st.session_state.get(f"{_P}built")
    if built:
        st.success(f"Made the scenario being edited: {built}", icon=":material/check:")


# ---------------------------------------------------------------------- the page
def render(base: wfm.Scenario, load: Callable[[wfm.Scenario, str], None]) -> None:
    """Draw the Forecast tab.

    Parameters
    ----------
    base : wfm.Scenario
        The scenario being edited: the template of the scenario built from the forecast
        (its channels' parameters and groups), and the shape of the example history.
    load : callable
        ``load(scenario, label)`` makes a new scenario the one being edited.
    """
    guarded(lambda: _render(base, load), "Forecast")


def _render(base: wfm.Scenario, load: Callable[[wfm.Scenario, str], None]) -> None:
    from wfm.report.forecast import forecast_figure
    from wfm.report.pages import check_holidays, forecast_days_display

    st.subheader("From history to a multi-week scenario")
    source = _choice("History", [EXAMPLE, UPLOAD], f"{_P}source", EXAMPLE)
    if source == EXAMPLE:
        c1, c2 = st.columns(2)
        weeks = int(widget(c1.number_input, "Weeks of example history", f"{_P}ex_weeks", 12, min_value=4,
                           max_value=52, step=1))
        seed = int(widget(c2.number_input, "Seed of the example", f"{_P}ex_seed", 0, min_value=0, step=1))
        spec: tuple[Any, ...] | None = ("example", base.to_yaml(), weeks, seed)
        label = f"example history of {base.name}"
    else:
        spec = _upload_spec()
        label = str(spec[2]) if spec else ""
    if spec is None:
        return
    try:
        with st.spinner("Reading the history"):
            hist = history_from_spec(spec)
    except USER_ERRORS as exc:
        show_error(exc, "The history cannot be read")
        return
    days = hist.days
    st.caption(f"History: {len(days)} open days from {days[0]:%a %Y-%m-%d} to {days[-1]:%a %Y-%m-%d}, "
               f"{hist.interval_minutes}-minute intervals, channels {', '.join(hist.channels)}"
               + (f", fields {', '.join(hist.fields)}" if hist.fields else "") + ".")
    mapping = _mapping(base, hist)
    if mapping is None:
        return

    st.markdown("#### Forecast")
    c1, c2, c3, c4 = st.columns(4)
    n_days = int(widget(c1.number_input, "Open days to forecast", f"{_P}days", 5, min_value=1, max_value=366,
                        step=1))
    choices = [m for m in (15, 30, 60) if m % hist.interval_minutes == 0] or [hist.interval_minutes]
    interval = int(_choice("Interval (minutes)", [str(m) for m in choices], f"{_P}interval",
                           str(base.interval_minutes), where=c2))
    level = float(widget(c3.number_input, "Prediction interval (coverage)", f"{_P}level", 0.8, min_value=0.5,
                         max_value=0.99, step=0.05))
    trend = bool(widget(c4.checkbox, "Damped trend", f"{_P}trend", False))
    c5, c6 = st.columns(2)
    country = widget(c5.text_input, "Public holidays: country (ISO code, e.g. US, GB, DE; empty: none)",
                     f"{_P}country", "").strip().upper() or None
    subdiv = widget(c6.text_input, "Subdivision (state, province or region code, e.g. CA, SCT; optional)",
                    f"{_P}subdiv", "").strip().upper() or None
    try:
        check_holidays(country, subdiv)
    except USER_ERRORS as exc:
        show_error(exc, "Public holidays")
        return
    special = _special_days()
    if special is None:
        return
    special_t = tuple(sorted(special.items()))
    try:
        with st.spinner("Forecasting"):
            fc = forecast_from_spec(spec, mapping, (n_days, interval, level, country, subdiv, special_t, trend))
    except USER_ERRORS as exc:
        show_error(exc, "No forecast")
        return
    shown_hist = _mapped(spec, mapping)
    st.plotly_chart(forecast_figure(fc, shown_hist), key=f"{_P}fig:forecast", config=PLOTLY_CONFIG)
    st.markdown(f"**Per day and channel** (contacts; the {fc.level:.0%} prediction interval; day CV: the "
                "calibrated day-level uncertainty)")
    st.dataframe(forecast_days_display(fc), hide_index=True, key=f"{_P}days_table")
    if not fc.closed.empty:
        closed = fc.closed.assign(date=pd.to_datetime(fc.closed["date"]).dt.strftime("%a %Y-%m-%d"))
        st.markdown("**Days skipped** (closed)")
        st.dataframe(closed, hide_index=True, key=f"{_P}closed_table")
    with st.expander("Fitted parameters per channel"):
        st.dataframe(fc.parameters, hide_index=True, key=f"{_P}parameters")
        if "aht" in hist.fields:
            try:
                st.markdown("Handle time per interval of the week (from the history's `aht`)")
                st.dataframe(aht_profile(spec, mapping), hide_index=True, key=f"{_P}aht_profile")
            except USER_ERRORS as exc:
                show_error(exc, "No handle-time profile")
    st.download_button("Download the forecast (CSV)", data=fc.to_frame().to_csv(index=False).encode("utf-8"),
                       file_name="forecast.csv", mime="text/csv", key=f"{_P}download", on_click="ignore")
    changes = _calibration(base)
    _backtest(spec, mapping, hist, interval, level, country, subdiv, special_t, trend)
    _build(base, fc, changes, label, load)
