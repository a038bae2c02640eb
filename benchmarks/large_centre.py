"""The large centre of the scale benchmarks: 16 channels, 12 agent groups, 15-minute intervals.

The centre: 16 channels (8 voice lines, 3 chat channels, 5 deferred queues: two email
queues, social, back-office cases, callbacks), 12 agent groups with overlapping skills,
staffed from Erlang requirements (voice: Erlang A at 80% in 20 s; chat and deferred:
load at 85% and 90% occupancy) split by fixed shares over the groups that serve each
channel. Arrivals follow one day profile (a morning peak around 10:30, a second one
around 14:30, an evening tail) scaled by a weekday factor (:data:`WEEK`) and by each
channel's peak volume per 15 minutes.

What this module holds is common to both benchmarks; each script passes what is its own
to :func:`scenario`:

- ``engine_large_bench.py`` (a week of the engine, features off and on): its peak
  volumes (about 1.29x the plan's), quiet nights (intervals before 06:30 at 0.3x), no
  calendar, 7 days, named "Large multi-skill week";
- ``plan_large_bench.py`` (``wfm.plan`` and ``wfm.scheduling.schedule`` at scale): its
  peak volumes, ``days`` days from a Monday, the calendar (``start_date``, opening hours
  07:00-22:00 on weekdays, 08:00-20:00 on Saturday, 09:00-18:00 on Sunday) and a
  ``shifts:`` rule per group (:func:`shift_rules`).

The scripts run as ``python benchmarks/X.py``, so ``benchmarks/`` (the script's own
directory) is on ``sys.path`` and they ``import large_centre``. ``wfm`` is imported only
when requirements are computed, so a worker process uses the ``wfm`` on its own path.

Examples
--------
>>> peaks = dict.fromkeys(CHANNELS, 10)
>>> data = scenario(peaks, days=1)
>>> len(data["channels"]), len(data["agents"]), len(data["channels"]["email"]["volume"])
(16, 12, 96)
>>> sorted(set(scenario(peaks, days=1, calendar=True)) - set(data))
['opening_hours', 'shifts', 'start_date']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

INTERVAL_MIN = 15
L = INTERVAL_MIN * 60.0
PER_DAY = 24 * 60 // INTERVAL_MIN  # 96
START_DATE = "2026-11-30"  # a Monday

# name: (kind, aht s, patience s or None, concurrency); the peak volume per 15 minutes
# is each script's own (a mapping channel -> volume, see :func:`volumes`)
CHANNELS: dict[str, tuple[str, float, float | None, int]] = {
    "v_billing": ("voice", 300, 180, 1),
    "v_tech": ("voice", 420, 240, 1),
    "v_sales": ("voice", 360, 150, 1),
    "v_moves": ("voice", 480, 240, 1),
    "v_premium": ("voice", 330, 300, 1),
    "v_spanish": ("voice", 360, 200, 1),
    "v_business": ("voice", 420, 240, 1),
    "v_retention": ("voice", 540, 300, 1),
    "chat_support": ("chat", 720, 300, 3),
    "chat_sales": ("chat", 600, 240, 2),
    "chat_premium": ("chat", 660, 300, 2),
    "email": ("deferred", 420, None, 1),
    "email_business": ("deferred", 540, None, 1),
    "social": ("deferred", 240, None, 1),
    "cases": ("deferred", 600, None, 1),
    "callback": ("deferred", 360, None, 1),
}
# group: {channel: share of the channel's requirement its staff curve carries}; skills in
# priority order (dict order)
GROUPS: dict[str, dict[str, float]] = {
    "billing": {"v_billing": 0.8, "v_sales": 0.1},
    "tech": {"v_tech": 0.85, "v_business": 0.2},
    "sales": {"v_sales": 0.8, "v_retention": 0.2},
    "moves": {"v_moves": 0.9, "v_billing": 0.1},
    "premium": {"v_premium": 1.0, "chat_premium": 0.5},
    "spanish": {"v_spanish": 1.0, "v_billing": 0.05},
    "business": {"v_business": 0.8, "email_business": 0.6},
    "retention": {"v_retention": 0.8, "v_tech": 0.15},
    "chat_a": {"chat_support": 0.7, "chat_sales": 0.3},
    "chat_b": {"chat_sales": 0.7, "chat_support": 0.3, "chat_premium": 0.5, "social": 0.5},
    "back_a": {"email": 0.7, "cases": 0.6, "callback": 0.5, "v_moves": 0.1},
    "back_b": {"email": 0.3, "email_business": 0.4, "social": 0.5, "cases": 0.4, "callback": 0.5},
}
# kind: (answer within s, service level)
TARGETS: dict[str, tuple[int, float]] = {"voice": (20, 0.8), "chat": (60, 0.8), "deferred": (14400, 0.9)}
WEEK = [1.0, 0.95, 0.92, 0.9, 0.88, 0.6, 0.45]  # Monday to Sunday
# the plan bench's calendar: open hours per weekday
OPENING = {"mon": ["07:00", "22:00"], "tue": ["07:00", "22:00"], "wed": ["07:00", "22:00"],
           "thu": ["07:00", "22:00"], "fri": ["07:00", "22:00"], "sat": ["08:00", "20:00"],
           "sun": ["09:00", "18:00"]}
_BREAK = {"minutes": 30, "paid": False, "earliest": 120, "latest": 300, "min_shift_hours": 6}


def day_profile(quiet_nights: bool = False) -> np.ndarray:
    """Share of the peak per 15-minute interval of a day.

    Parameters
    ----------
    quiet_nights : bool
        Scale the intervals before 06:30 by 0.3 (the engine bench's round-the-clock
        week); off, closed hours are left to the opening hours (the plan bench).

    Returns
    -------
    numpy.ndarray
        96 shares in (0, 1], the largest 1: a morning peak around 10:30, a second one
        around 14:30, an evening tail.

    Examples
    --------
    >>> p = day_profile()
    >>> p.shape, float(p.max())
    ((96,), 1.0)
    >>> bool(day_profile(quiet_nights=True)[0] < p[0])
    True
    """
    h = (np.arange(PER_DAY) + 0.5) / 4
    prof = (0.05 + 0.95 * np.exp(-0.5 * ((h - 10.5) / 2.0) ** 2)
            + 0.8 * np.exp(-0.5 * ((h - 14.5) / 2.2) ** 2)
            + 0.35 * np.exp(-0.5 * ((h - 19.0) / 1.8) ** 2))
    if quiet_nights:
        prof[h < 6.5] *= 0.3
    return prof / prof.max()


def volumes(peaks: Mapping[str, float], days: int = 7, quiet_nights: bool = False) -> dict[str, list[float]]:
    """Arrivals per interval per channel over ``days`` days from Monday.

    Parameters
    ----------
    peaks : Mapping[str, float]
        Peak volume per 15 minutes of every channel of :data:`CHANNELS` (contacts).
    days : int
        Days from Monday (the weekday factors of :data:`WEEK` repeat weekly).
    quiet_nights : bool
        See :func:`day_profile`.

    Returns
    -------
    dict[str, list[float]]
        Contacts offered per interval (rounded to 0.1), ``days * 96`` per channel, in
        :data:`CHANNELS` order.
    """
    prof = day_profile(quiet_nights)
    curve = np.concatenate([prof * WEEK[d % 7] for d in range(days)])
    return {name: [round(float(v), 1) for v in peaks[name] * curve] for name in CHANNELS}


def requirements(vol: Mapping[str, list[float]]) -> dict[str, np.ndarray]:
    """Agents each channel needs per interval.

    Parameters
    ----------
    vol : Mapping[str, list[float]]
        Contacts offered per interval per channel (:func:`volumes`).

    Returns
    -------
    dict[str, numpy.ndarray]
        Voice: Erlang A (``wfm.erlang.required_agents`` with the channel's patience) for
        its target; chat: load / concurrency at 85% occupancy; deferred: load at 90%.
    """
    from wfm import erlang  # here, so a worker process uses the wfm on its own path

    out = {}
    for name, (kind, aht, patience, conc) in CHANNELS.items():
        v = np.asarray(vol[name], float)
        if kind == "voice":
            within, sl = TARGETS["voice"]
            req = np.asarray(erlang.required_agents(v, aht, within, sl, interval=L, patience=patience), float)
        elif kind == "chat":
            req = np.ceil(v * aht / L / conc / 0.85)
        else:
            req = np.ceil(v * aht / L / 0.9)
        out[name] = req
    return out


def staff_curves(vol: Mapping[str, list[float]]) -> dict[str, list[int]]:
    """Agents on duty per interval per group: the channels' requirements split by the shares.

    Parameters
    ----------
    vol : Mapping[str, list[float]]
        Contacts offered per interval per channel (:func:`volumes`).

    Returns
    -------
    dict[str, list[int]]
        Per group of :data:`GROUPS`, the ceiling of the sum of share x requirement over
        its skills.
    """
    req = requirements(vol)
    return {g: [int(x) for x in np.ceil(sum(share * req[c] for c, share in skills.items()))]
            for g, skills in GROUPS.items()}


def shift_rules() -> dict[str, dict[str, Any]]:
    """A ``shifts:`` rule per group (the plan bench's centre).

    Returns
    -------
    dict[str, dict[str, Any]]
        Voice groups start every 15 minutes (4, 6, 8 h), chats every 30 minutes (6, 8 h),
        the back office at six fixed times (8 h) with a headcount; each with a 30-minute
        unpaid break.

    Examples
    --------
    >>> rules = shift_rules()
    >>> len(rules), rules["back_a"]["max_agents"], rules["chat_a"]["every_minutes"]
    (12, 150, 30)
    """
    rules: dict[str, dict[str, Any]] = {}
    for k, g in enumerate(GROUPS):
        if g.startswith("chat"):
            rule: dict[str, Any] = {"earliest_start": "07:00", "latest_start": "14:00",
                                    "every_minutes": 30, "lengths_hours": [6, 8],
                                    "cost_per_hour": 21.0}
        elif g.startswith("back"):
            rule = {"starts": ["07:00", "08:00", "09:00", "10:00", "12:00", "14:00"],
                    "lengths_hours": [8], "cost_per_hour": 19.0, "max_agents": 150}
        else:
            rule = {"earliest_start": "07:00", "latest_start": "18:00", "every_minutes": 15,
                    "lengths_hours": [4, 6, 8], "cost_per_hour": 22.0 + (k % 4) * 2.5}
        rule["break"] = dict(_BREAK)
        rules[g] = rule
    return rules


def scenario(peaks: Mapping[str, float], days: int = 7, *, quiet_nights: bool = False,
             calendar: bool = False, name: str | None = None) -> dict[str, Any]:
    """The scenario mapping of the centre (for ``wfm.Scenario.from_dict``).

    Parameters
    ----------
    peaks : Mapping[str, float]
        Peak volume per 15 minutes of every channel (contacts).
    days : int
        Days from Monday, 96 intervals each, starting at 00:00.
    quiet_nights : bool
        Nights before 06:30 at 0.3x (see :func:`day_profile`).
    calendar : bool
        Add ``start_date`` (a Monday), ``opening_hours`` (:data:`OPENING`) and a
        ``shifts:`` rule per group (:func:`shift_rules`).
    name : str, optional
        The scenario's name; default ``"Large centre, {days} day(s)"``.

    Returns
    -------
    dict[str, Any]
        Channels (volume, aht, target, patience and concurrency where they apply) and one
        agent group per :data:`GROUPS` entry with its skills and :func:`staff_curves`.

    Examples
    --------
    >>> data = scenario(dict.fromkeys(CHANNELS, 40), days=1, name="small")
    >>> data["name"], data["channels"]["chat_support"]["concurrency"], data["agents"][0]["skills"]
    ('small', 3, ['v_billing', 'v_sales'])
    """
    vol = volumes(peaks, days, quiet_nights)
    staff = staff_curves(vol)
    channels: dict[str, dict[str, Any]] = {}
    for ch_name, (kind, aht, patience, conc) in CHANNELS.items():
        within, sl = TARGETS[kind]
        ch: dict[str, Any] = {"kind": kind, "volume": vol[ch_name], "aht": aht,
                              "target": {"answer_within": within, "service_level": sl}}
        if patience is not None:
            ch["patience"] = patience
        if conc > 1:
            ch["concurrency"] = conc
        channels[ch_name] = ch
    agents = [{"group": g, "skills": list(skills), "staff": staff[g]} for g, skills in GROUPS.items()]
    data: dict[str, Any] = {"name": f"Large centre, {days} day(s)" if name is None else name,
                            "interval_minutes": INTERVAL_MIN, "start": "00:00"}
    if calendar:
        data["start_date"] = START_DATE
        data["opening_hours"] = OPENING
    data["channels"] = channels
    data["agents"] = agents
    if calendar:
        data["shifts"] = shift_rules()
    return data
