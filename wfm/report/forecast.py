"""Figures of forecasts, backtests and calibrations (plotly).

* :func:`forecast_figure` - recent history and the forecast with its prediction band,
  one panel per channel;
* :func:`backtest_figure` - WAPE per horizon of the model and the two benchmarks;
* :func:`patience_figure` - the Kaplan-Meier curve of patience with its 95% band and
  the fitted exponential, one panel per channel.

They work on the documented DataFrame columns of :class:`wfm.forecast.Forecast`,
:class:`wfm.forecast.Backtest` and :class:`wfm.calibrate.Calibration`.

Examples
--------
>>> import pandas as pd
>>> from wfm.calibrate import calibrate, read_contacts
>>> recs = pd.DataFrame({"channel": "chat", "wait": [10, 20, 30, 40, 50],
...                      "outcome": ["abandoned", "answered", "abandoned", "answered", "abandoned"]})
>>> patience_figure(calibrate(read_contacts(recs))).layout.title.text
'Patience: Kaplan-Meier and the fitted exponential'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from wfm.report.style import _PANEL_HEIGHT, _base_layout, _empty_figure, channel_colors

if TYPE_CHECKING:  # pragma: no cover
    from wfm.calibrate import Calibration
    from wfm.forecast import Backtest, Forecast
    from wfm.history import History

__all__ = ["backtest_figure", "forecast_figure", "patience_figure"]

_METHOD_COLORS = {"model": "#4C78A8", "seasonal_naive": "#B0B0B0", "mean_4_weekdays": "#F58518"}
_METHOD_NAMES = {"model": "wfm forecast", "seasonal_naive": "seasonal naive (last week)",
                 "mean_4_weekdays": "mean of last 4 same weekdays"}


def _band_color(hex_color: str, alpha: float = 0.2) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def forecast_figure(forecast: Forecast, history: History | None = None, history_days: int = 10) -> go.Figure:
    """The forecast per interval with its prediction band, after the last days of history.

    Parameters
    ----------
    forecast : Forecast
    history : History, optional
        Shown before the forecast (its last ``history_days`` open days), at the
        forecast's interval when it can be resampled to it.
    history_days : int, default 10

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per channel; x is the interval's start (closed periods are gaps).
    """
    channels = list(forecast.channels)
    colors = channel_colors(channels)
    fig = make_subplots(rows=len(channels), cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        subplot_titles=channels)
    past = None
    if history is not None:
        try:
            h = history.resample(forecast.interval_minutes)
        except ValueError:
            h = history
        keep = h.days[-int(history_days):]
        past = h.intervals[h.intervals["interval_start"].dt.normalize().isin(keep)]
    for row, ch in enumerate(channels, start=1):
        f = _with_gaps(forecast.intervals[forecast.intervals["channel"] == ch], forecast.interval_minutes)
        c = colors[ch]
        if past is not None:
            p = _with_gaps(past[past["channel"] == ch], forecast.interval_minutes)
            fig.add_trace(go.Scatter(x=p["interval_start"], y=p["offered"], name="history", mode="lines",
                                     line={"color": "#7F7F7F", "width": 1}, legendgroup="history",
                                     showlegend=row == 1), row=row, col=1)
        # one band per day: a filled area must not bridge the closed hours between days
        days = forecast.intervals[forecast.intervals["channel"] == ch]
        for k, (_, day) in enumerate(days.groupby(days["interval_start"].dt.normalize(), sort=True)):
            fig.add_trace(go.Scatter(x=day["interval_start"], y=day["upper"], mode="lines", line={"width": 0},
                                     showlegend=False, hoverinfo="skip", legendgroup=f"band{ch}"), row=row, col=1)
            fig.add_trace(go.Scatter(x=day["interval_start"], y=day["lower"], mode="lines", line={"width": 0},
                                     fill="tonexty", fillcolor=_band_color(c), showlegend=k == 0,
                                     name=f"{ch}: {forecast.level:.0%} interval", legendgroup=f"band{ch}",
                                     hoverinfo="skip"), row=row, col=1)
        fig.add_trace(go.Scatter(x=f["interval_start"], y=f["volume"], mode="lines", name=f"{ch}: forecast",
                                 line={"color": c, "width": 2},
                                 hovertemplate="%{x|%a %Y-%m-%d %H:%M}: %{y:,.1f} contacts<extra></extra>"),
                      row=row, col=1)
        fig.update_yaxes(title_text="contacts / interval", row=row, col=1, rangemode="tozero")
    return _base_layout(fig, "Forecast per interval", 120 + _PANEL_HEIGHT * len(channels))


def _with_gaps(df: pd.DataFrame, minutes: int) -> pd.DataFrame:
    """Rows sorted by time with a blank row wherever intervals are not consecutive, so
    that lines break over closed periods."""
    df = df.sort_values("interval_start")
    if len(df) < 2:
        return df
    step = pd.Timedelta(minutes=minutes)
    gap = df["interval_start"].diff() > step
    if not gap.any():
        return df
    blanks = df.loc[gap].assign(interval_start=df.loc[gap, "interval_start"] - step)
    for col in blanks.columns:
        if col != "interval_start" and pd.api.types.is_numeric_dtype(blanks[col]):
            blanks[col] = float("nan")
    return pd.concat([df, blanks]).sort_values("interval_start", kind="stable")


def backtest_figure(backtest: Backtest) -> go.Figure:
    """Interval WAPE per horizon (open days ahead) of the model and the benchmarks."""
    by_h = backtest.by_horizon
    fig = go.Figure()
    for method, g in by_h.groupby("method", sort=False):
        fig.add_trace(go.Scatter(x=g["horizon"], y=g["wape_interval"], mode="lines+markers",
                                 name=_METHOD_NAMES.get(str(method), str(method)),
                                 line={"color": _METHOD_COLORS.get(str(method), "#333")},
                                 hovertemplate="%{x} day(s) ahead: WAPE %{y:.1%}<extra></extra>"))
    fig.update_xaxes(title_text="open days ahead", dtick=1)
    fig.update_yaxes(title_text="WAPE per interval", tickformat=".0%", rangemode="tozero")
    return _base_layout(fig, f"Backtest: {backtest.origins} origins, {backtest.interval_minutes}-minute intervals",
                        380)


def patience_figure(calibration: Calibration) -> go.Figure:
    """Kaplan-Meier curve of patience (95% band) against the fitted exponential."""
    title = "Patience: Kaplan-Meier and the fitted exponential"
    curve = calibration.patience_curve
    if curve.empty:
        return _empty_figure(title, "nobody abandoned: patience cannot be estimated")
    channels = list(dict.fromkeys(curve["channel"]))
    colors = channel_colors(channels)
    fig = make_subplots(rows=len(channels), cols=1, vertical_spacing=0.1, subplot_titles=channels)
    for row, ch in enumerate(channels, start=1):
        c = curve[curve["channel"] == ch]
        col = colors[ch]
        t = pd.concat([pd.Series([0.0]), c["time"]], ignore_index=True)

        def first(values: pd.Series) -> pd.Series:
            return pd.concat([pd.Series([1.0]), values], ignore_index=True)

        fig.add_trace(go.Scatter(x=t, y=first(c["upper"]), mode="lines", line={"width": 0, "shape": "hv"},
                                 showlegend=False, hoverinfo="skip"), row=row, col=1)
        fig.add_trace(go.Scatter(x=t, y=first(c["lower"]), mode="lines", line={"width": 0, "shape": "hv"},
                                 fill="tonexty", fillcolor=_band_color(col), name="95% band",
                                 showlegend=row == 1, legendgroup="band", hoverinfo="skip"), row=row, col=1)
        fig.add_trace(go.Scatter(x=t, y=first(c["survival"]), mode="lines", line={"color": col, "shape": "hv"},
                                 name=f"{ch}: Kaplan-Meier",
                                 hovertemplate="%{x:.0f} s: %{y:.1%} still waiting<extra></extra>"), row=row, col=1)
        fig.add_trace(go.Scatter(x=t, y=first(c["exponential"]), mode="lines",
                                 line={"color": "#333", "dash": "dash", "width": 1.5}, name="exponential fit",
                                 showlegend=row == 1, legendgroup="expo"), row=row, col=1)
        fig.update_yaxes(title_text="share still waiting", tickformat=".0%", range=[0, 1.02], row=row, col=1)
        fig.update_xaxes(title_text="seconds waited", row=row, col=1)
    return _base_layout(fig, title, 120 + 260 * len(channels))
