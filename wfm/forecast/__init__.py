"""Forecasting: volume forecasts from history, their backtest, and what-ifs on scenarios.

* :func:`forecast` - the next open days per channel and interval from a
  :class:`wfm.history.History`, with prediction intervals and a calibrated day-level
  uncertainty (:class:`Forecast`; :meth:`Forecast.to_scenario` makes a scenario of it);
* :func:`backtest` - a rolling-origin backtest of the forecast against seasonal naive
  and the mean of the last four same weekdays (:class:`Backtest`);
* what-ifs on a scenario's volumes: :func:`surge`, :func:`surge_multipliers`,
  :func:`mix_shift`.

The guide is ``docs/guides/forecasting.md``.

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

from wfm.forecast.backtest import Backtest, backtest
from wfm.forecast.model import Forecast, ForecastError, forecast
from wfm.forecast.whatif import mix_shift, surge, surge_multipliers

__all__ = [
    "Backtest",
    "Forecast",
    "ForecastError",
    "backtest",
    "forecast",
    "mix_shift",
    "surge",
    "surge_multipliers",
]
