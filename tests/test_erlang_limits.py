"""wfm.erlang against hostile input (issue 10): the documented limits and everything inside them.

Beyond a limit every public function refuses with a ``ValueError`` naming the argument,
the value and the limit; inside the limits every call returns a finite, non-negative
answer (agent counts never negative or wrapped), for extreme values with and without
patience, for the voice, chat and deferred functions. Each test runs in well under a
second: before the fix several of these calls never returned.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from wfm import erlang
from wfm.erlang import _special
from wfm.erlang._checks import MAX_AGENTS, MAX_PATIENCE_RATIO, MAX_SECONDS, MAX_TRAFFIC, MAX_VOLUME

ARG_NAMES = ("volume", "aht", "agents", "answer_within", "interval", "patience", "service_level",
             "max_occupancy", "max_asa", "max_abandonment", "traffic", "concurrency", "backlog", "staff")


def _meets(v, h, t, target, n, interval=1800.0, patience=None, max_occupancy=None, max_asa=None,
           max_abandonment=None):
    """Whether ``n`` agents meet every target, by the public measures (vectorised)."""
    kw = dict(interval=interval, patience=patience)
    ok = erlang.service_level(v, h, n, t, **kw) >= target
    if max_occupancy is not None:
        ok &= erlang.occupancy(v, h, n, **kw) <= max_occupancy
    if max_asa is not None:
        ok &= erlang.asa(v, h, n, **kw) <= max_asa
    if max_abandonment is not None and patience is not None:
        ok &= erlang.abandonment(v, h, n, patience, interval=interval) <= max_abandonment
    return np.asarray(ok)


def _assert_exact(n, v, h, t, target, **kw):
    """``n`` is int64, >= 0, meets every target and ``n - 1`` misses one (0 without traffic)."""
    n = np.asarray(n)
    assert n.dtype == np.int64 and np.all(n >= 0)
    v, h, t, target, n = np.broadcast_arrays(v, h, t, target, n)
    busy = v * h / kw.get("interval", 1800.0) > 0
    assert np.all(n[~busy] == 0)
    extra = {k: (np.broadcast_to(x, v.shape)[busy] if isinstance(x, np.ndarray) else x) for k, x in kw.items()}
    assert np.all(_meets(v[busy], h[busy], t[busy], target[busy], n[busy], **extra))
    assert not np.any(_meets(v[busy], h[busy], t[busy], target[busy], n[busy] - 1, **extra))


# ----------------------------------------------------------------------------- issue 10


@pytest.mark.parametrize("volume, fragments", [
    (1e19, ["volume must be at most 1e+12 contacts", "(got 1e+19)"]),
    (1e308, ["volume must be at most 1e+12 contacts", "(got 1e+308)"]),
    (1.7976931348623157e308, ["volume must be at most 1e+12", "(got 1.7976931348623157e+308)"]),
    (1e7, ["volume * aht / interval (the offered traffic) must be at most 1e+06 Erlangs",
           "volume=10000000.0, aht=1800.0 s, interval=1800.0 s: 10000000.0 Erlangs"]),
])
@pytest.mark.parametrize("patience", [None, 180.0])
def test_issue_10_traffic_beyond_the_limit_is_refused_not_wrapped(volume, fragments, patience):
    # before: -9223372036854775808 for 1e19, a hang for 1e308 and for Erlang A at 1e17
    with pytest.raises(ValueError) as err:
        erlang.required_agents(volume, 1800, 20, 0.8, patience=patience)
    for fragment in fragments:
        assert fragment in str(err.value)


def test_issue_10_erlang_a_at_1e17_is_refused():
    # before: a hang (the Kummer series ran to 10 million terms)
    with pytest.raises(ValueError, match=r"^volume must be at most 1e\+12 contacts, .* \(got 1e\+17\)"):
        erlang.required_agents(1e17, 1800, 20, 0.8, patience=180)
    with pytest.raises(ValueError, match=r"^volume \* aht / interval .* at most 1e\+06 Erlangs"):
        erlang.required_agents(1e11, 1800, 20, 0.8, patience=180)
    with pytest.raises(ValueError, match=r"^volume"):
        erlang.service_level(1e17, 1800, 10, 20, patience=180)


@pytest.mark.parametrize("patience", [None, 1.0, 180.0, 1800.0, 1e8 * 1800.0 / 1e3])
def test_required_agents_near_the_traffic_limit_is_exact(patience):
    # 1e6 Erlangs (the limit), just under it, and ordinary intervals in the same call
    v = np.array([1e6, 999_999.5, 5e5, 100.0, 0.0])
    n = erlang.required_agents(v, 1800, 20, 0.8, interval=1800, patience=patience)
    assert np.all(n[:3] > 0) and n[4] == 0
    if patience is None:
        assert np.all(n[:4] > v[:4])  # stable: more agents than Erlangs
    _assert_exact(n, v, 1800.0, 20.0, 0.8, interval=1800.0, patience=patience)


def test_required_agents_near_the_limits_with_every_target():
    v = np.array([1e6, 3e5, 10.0])
    kw = dict(interval=1800.0, max_occupancy=0.9, max_asa=5.0)
    _assert_exact(erlang.required_agents(v, 1800, 20, 0.95, **kw), v, 1800.0, 20.0, 0.95, **kw)
    kw_a = dict(interval=1800.0, patience=600.0, max_occupancy=0.9, max_asa=5.0, max_abandonment=0.01)
    _assert_exact(erlang.required_agents(v, 1800, 20, 0.95, **kw_a), v, 1800.0, 20.0, 0.95, **kw_a)


def test_targets_met_only_near_underflow_terminate_exactly():
    # service level 1 with no time to answer, or an ASA of 1e-300 s: met only once Erlang C
    # underflows, tens of thousands of agents above a million Erlangs (the walk used to
    # take seconds there, or stop on a subnormal that never reaches 0)
    for kw in (dict(), dict(max_asa=1e-300), dict(max_asa=5e-324)):
        for t, target in ((0.0, 1.0), (20.0, 1.0), (20.0, 0.8)):
            n = erlang.required_agents(1.8, 1e9, t, target, **kw)
            _assert_exact(n, 1.8, 1e9, t, target, **kw)
            assert 1e6 < n < 1.1e6


@pytest.mark.parametrize("ratio", [MAX_PATIENCE_RATIO, 1e-300, 1e-9, 1e-320])
def test_patience_extremes_inside_the_limits(ratio):
    aht = 1.0
    patience = ratio * aht
    v = np.array([1e6 * 1800 / aht, 5e4, 100.0, 1e-6])
    n = erlang.required_agents(v, aht, 20, 0.8, patience=patience)
    _assert_exact(n, v, aht, 20.0, 0.8, patience=patience)
    for fn in (erlang.service_level, erlang.probability_wait):
        args = (v, aht, n, 20) if fn is erlang.service_level else (v, aht, n)
        got = fn(*args, patience=patience)
        assert np.all(np.isfinite(got) & (got >= 0) & (got <= 1))
    ab = erlang.abandonment(v, aht, n, patience)
    assert np.all(np.isfinite(ab) & (ab >= 0) & (ab <= 1))
    assert np.all(np.isfinite(erlang.asa(v, aht, n, patience=patience)))


def test_no_call_returns_a_negative_or_wrapped_count():
    volumes = np.array([0.0, 5e-324, 1e-300, 1.0, 1e3, 1e6, MAX_VOLUME])
    ahts = np.array([1e-300, 1.0, 180.0, MAX_SECONDS])
    v, h = (x.ravel() for x in np.meshgrid(volumes, ahts))
    keep = v * h / 1800 <= MAX_TRAFFIC
    v, h = v[keep], h[keep]
    for patience in (None, h * MAX_PATIENCE_RATIO / 10):
        p = None if patience is None else np.minimum(patience, MAX_SECONDS)
        n = erlang.required_agents(v, h, 20, 0.9, patience=p)
        assert n.dtype == np.int64 and np.all(n >= 0) and np.all(n <= MAX_AGENTS)
        k = erlang.chat_required_agents(v, h, 20, 0.9, 3, patience=p)
        assert k.dtype == np.int64 and np.all(k >= 0) and np.all(k <= n)


# ----------------------------------------------------------------------------- the limits

_OK_VOICE = dict(volume=100, aht=180, agents=14, answer_within=20)
_OK_REQ = dict(volume=100, aht=180, answer_within=20, service_level=0.8)

BEYOND = [
    (erlang.service_level, dict(_OK_VOICE, volume=2e12), "volume", ["at most 1e+12 contacts", "2000000000000.0"]),
    (erlang.service_level, dict(_OK_VOICE, volume=10**400), "volume", ["must be finite", "integer of 401 digits"]),
    (erlang.service_level, dict(_OK_VOICE, volume=1e9), "volume * aht / interval",
     ["at most 1e+06 Erlangs", "volume=1000000000.0", "100000000.0 Erlangs"]),
    (erlang.service_level, dict(_OK_VOICE, aht=2e9), "aht", ["at most 1e+09 s", "2000000000.0"]),
    (erlang.service_level, dict(_OK_VOICE, interval=1e10), "interval", ["at most 1e+09 s", "10000000000.0"]),
    (erlang.service_level, dict(_OK_VOICE, agents=2e7), "agents", ["at most 1e+07", "20000000.0"]),
    (erlang.service_level, dict(_OK_VOICE, patience=5e9), "patience", ["at most 1e+09 s", "5000000000.0"]),
    (erlang.service_level, dict(_OK_VOICE, aht=1.0, patience=1e9), "patience",
     ["at most 1e+08 * aht", "patience=1000000000.0 s", "aht=1.0 s", "patience=None"]),
    (erlang.asa, dict(volume=100, aht=180, agents=[14, 3e7]), "agents", ["at most 1e+07", "30000000.0"]),
    (erlang.probability_wait, dict(volume=[1.0, 1e13], aht=1e-9, agents=3), "volume", ["1e+12", "10000000000000.0"]),
    (erlang.occupancy, dict(volume=1e8, aht=180, agents=3), "volume * aht / interval", ["1e+06 Erlangs"]),
    (erlang.abandonment, dict(volume=100, aht=1e-3, agents=3, patience=1e6), "patience", ["1e+08 * aht"]),
    (erlang.erlang_b, dict(traffic=1.5e6, agents=3), "traffic", ["at most 1e+06 Erlangs", "1500000.0"]),
    (erlang.erlang_c, dict(traffic=10, agents=1e8), "agents", ["at most 1e+07", "100000000.0"]),
    (erlang.required_agents, dict(_OK_REQ, volume=1e11), "volume * aht / interval", ["1e+06 Erlangs"]),
    (erlang.required_agents, dict(_OK_REQ, volume=1e19), "volume", ["at most 1e+12 contacts", "(got 1e+19)"]),
    (erlang.required_agents, dict(_OK_REQ, max_occupancy=1e-7), "max_occupancy",
     ["traffic / 1e+07 agents", "1e-07", "10.0 Erlangs"]),
    (erlang.required_agents, dict(_OK_REQ, patience=1e9, aht=1.0), "patience", ["1e+08 * aht"]),
    (erlang.chat_service_level, dict(volume=100, aht=180, agents=1e4, concurrency=2e3, answer_within=20),
     "agents * concurrency", ["at most 1e+07", "agents=10000.0", "concurrency=2000.0"]),
    (erlang.chat_service_level, dict(volume=100, aht=180, agents=2, concurrency=1e300, answer_within=20),
     "concurrency", ["at most 1e+07"]),
    (erlang.chat_required_agents, dict(_OK_REQ, concurrency=1e19), "concurrency", ["at most 1e+07"]),
    (erlang.deferred_workload, dict(volume=[1.0, 1e9], aht=3600), "volume * aht / interval",
     ["at most 1e+06 agents", "2000000000.0 agents in interval 1"]),
    (erlang.deferred_required_agents, dict(volume=[10, 1e10], aht=300, answer_within=3600), "volume * aht",
     ["at most 1e+06 agents", "in interval 1"]),
    (erlang.deferred_required_agents, dict(volume=[10], aht=300, answer_within=3600, backlog=1e10), "backlog * aht",
     ["at most 1e+06 agents", "backlog=10000000000.0"]),
    (erlang.deferred_required_agents, dict(volume=[10], aht=300, answer_within=3600, backlog=2e12), "backlog",
     ["at most 1e+12 contacts"]),
    (erlang.deferred_required_agents, dict(volume=[10], aht=300, answer_within=[3600, 7200]), "answer_within",
     ["single number"]),
    (erlang.deferred_backlog, dict(volume=[10, 5e12], aht=1e-9, staff=1), "volume", ["at most 1e+12 contacts"]),
    (erlang.deferred_backlog, dict(volume=[10], aht=300, staff=1, interval=5e-324), "volume * aht / interval",
     ["1e+06 agents"]),
    (erlang.deferred_backlog, dict(volume=[10], aht=300, staff=1, interval=[900, 1800]), "interval", ["single number"]),
]


@pytest.mark.parametrize("fn, kwargs, name, fragments", BEYOND,
                         ids=[f"{b[0].__name__}-{b[2]}-{i}" for i, b in enumerate(BEYOND)])
def test_beyond_a_limit_is_refused_naming_argument_value_and_limit(fn, kwargs, name, fragments):
    with pytest.raises(ValueError) as err:
        fn(**kwargs)
    msg = str(err.value)
    assert msg.startswith(name), msg
    for fragment in fragments:
        assert fragment in msg, (fragment, msg)


def test_exactly_at_each_limit_is_accepted():
    assert erlang.service_level(MAX_TRAFFIC, 1800, MAX_AGENTS, 20) == 1.0
    assert erlang.service_level(MAX_VOLUME, 1.8e-3, 1_000_100, 20, patience=1.8e-3 * MAX_PATIENCE_RATIO) > 0.9
    assert 0 < erlang.erlang_b(MAX_TRAFFIC, 1_000_000) < 1
    assert erlang.erlang_c(MAX_TRAFFIC, MAX_AGENTS) == 0.0
    assert erlang.asa(1, MAX_SECONDS, 2, interval=MAX_SECONDS, patience=MAX_SECONDS) >= 0
    assert erlang.chat_service_level(100, 180, MAX_AGENTS, 1, 20) == 1.0
    assert erlang.chat_service_level(100, 180, 1, MAX_AGENTS, 20) == 1.0
    assert erlang.chat_required_agents(MAX_TRAFFIC, 1800, 20, 0.8, MAX_AGENTS) == 1
    assert erlang.required_agents(1, 1800, 20, 0.8, max_occupancy=1 / MAX_AGENTS) == MAX_AGENTS
    w = erlang.deferred_workload(MAX_TRAFFIC, 1800)
    assert w == MAX_TRAFFIC
    # the backlog is due at the end of interval 1, interval 0's contacts at the end of 2
    staff = erlang.deferred_required_agents([MAX_TRAFFIC] * 3, 1800, 3600, backlog=MAX_TRAFFIC)
    assert staff.dtype == np.int64 and staff.tolist() == [0, 1_000_000, 1_000_000]
    # all of that backlog due one second into interval 1: the fluid model's latest policy
    # does it in that second
    staff = erlang.deferred_required_agents([0.0] * 3, 1800, 1801, backlog=MAX_TRAFFIC)
    assert staff.tolist() == [0, 1_800_000_000, 0]


# ----------------------------------------------------------------------------- bad values

_VALID = {
    erlang.service_level: dict(volume=100, aht=180, agents=14, answer_within=20, interval=1800, patience=300),
    erlang.asa: dict(volume=100, aht=180, agents=14, interval=1800, patience=300),
    erlang.probability_wait: dict(volume=100, aht=180, agents=14, interval=1800, patience=300),
    erlang.abandonment: dict(volume=100, aht=180, agents=14, patience=300, interval=1800),
    erlang.occupancy: dict(volume=100, aht=180, agents=14, interval=1800, patience=300),
    erlang.erlang_b: dict(traffic=10, agents=14),
    erlang.erlang_c: dict(traffic=10, agents=14),
    erlang.required_agents: dict(volume=100, aht=180, answer_within=20, service_level=0.8, interval=1800,
                                 patience=300, max_occupancy=0.9, max_asa=30, max_abandonment=0.1),
    erlang.chat_service_level: dict(volume=100, aht=180, agents=5, concurrency=3, answer_within=20,
                                    interval=1800, patience=300),
    erlang.chat_required_agents: dict(volume=100, aht=180, answer_within=20, service_level=0.8, concurrency=3,
                                      interval=1800, patience=300, max_occupancy=0.9, max_asa=30,
                                      max_abandonment=0.1),
    erlang.deferred_workload: dict(volume=[10, 20], aht=300, interval=1800),
    erlang.deferred_required_agents: dict(volume=[10, 20], aht=300, answer_within=3600, interval=1800,
                                          backlog=5),
    erlang.deferred_backlog: dict(volume=[10, 20], aht=300, staff=[1, 2], interval=1800, backlog=5),
}
_BAD_CASES = [(fn, arg, bad, text)
              for fn, kw in _VALID.items() for arg in kw
              for bad, text in ((math.nan, "must not be NaN (got nan)"), (math.inf, "must be finite (got inf)"),
                                (-math.inf, "must be finite (got -inf)"), (-1.0, "(got -1.0)"))]


@pytest.mark.parametrize("fn, arg, bad, text", _BAD_CASES,
                         ids=[f"{c[0].__name__}-{c[1]}-{c[2]}" for c in _BAD_CASES])
def test_nan_inf_and_negative_values_get_clear_errors(fn, arg, bad, text):
    kwargs = dict(_VALID[fn])
    kwargs[arg] = [1.0, bad] if isinstance(kwargs[arg], list) else bad
    with pytest.raises(ValueError) as err:
        fn(**kwargs)
    msg = str(err.value)
    assert msg.startswith(arg) and text in msg, msg
    if bad == -1.0:
        assert "must be >" in msg or "must be >=" in msg, msg


def test_valid_inputs_of_the_bad_value_table_pass():
    for fn, kwargs in _VALID.items():
        out = np.asarray(fn(**kwargs))
        assert np.all(np.isfinite(out)) and np.all(out >= 0), fn.__name__


# ----------------------------------------------------------------------------- sweeps

_VOLUMES = [0.0, 5e-324, 1e-300, 0.5, 100.0, 1e4, 1e6, MAX_VOLUME]
_AHTS = [5e-324, 1e-300, 1.0, 180.0, MAX_SECONDS]
_INTERVALS = [5e-324, 1.0, 1800.0, MAX_SECONDS]
_WITHIN = [0.0, 5e-324, 20.0, 1e300]
_RATIOS = [None, 1e-300, 1e-6, 1.0, 10.0, MAX_PATIENCE_RATIO]  # patience / aht


def _grid(*axes):
    return [np.array(c, dtype=float) for c in zip(*itertools.product(*axes), strict=True)]


def _inside(v, h, iv, ratio):
    """The in-limit mask of a grid, by the documented limits."""
    with np.errstate(over="ignore"):
        ok = v * h / iv <= MAX_TRAFFIC
    if ratio is not None:
        ok &= h * ratio <= MAX_SECONDS
    return ok


@pytest.mark.parametrize("ratio", _RATIOS)
def test_voice_measures_sweep_extremes(ratio):
    v, h, iv, t, n = _grid(_VOLUMES, _AHTS, _INTERVALS, _WITHIN, [0.0, 1.0, 14.0, 1e6, MAX_AGENTS])
    ok = _inside(v, h, iv, ratio)
    assert ok.sum() > 300 and (~ok).sum() > 300
    v, h, iv, t, n = (x[ok] for x in (v, h, iv, t, n))
    p = None if ratio is None else np.maximum(h * ratio, 5e-324)
    kw = dict(interval=iv, patience=p)
    for name, got in (("sl", erlang.service_level(v, h, n, t, **kw)), ("pw", erlang.probability_wait(v, h, n, **kw)),
                      ("occ", erlang.occupancy(v, h, n, **kw))):
        assert np.all(np.isfinite(got) & (got >= 0) & (got <= 1)), name
    w = erlang.asa(v, h, n, **kw)
    busy = v * h / iv > 0
    if p is None:  # inf exactly where the Erlang C queue is unstable
        assert np.array_equal(np.isinf(w), busy & (n <= v * h / iv)) and not np.isnan(w).any()
    else:  # nan exactly where nobody is answered (no agent)
        assert np.array_equal(np.isnan(w), busy & (n == 0)) and not np.isinf(w).any()
        ab = erlang.abandonment(v, h, n, p, interval=iv)
        assert np.all(np.isfinite(ab) & (ab >= 0) & (ab <= 1))
    assert np.all(w[np.isfinite(w)] >= 0)
    for a in (v * h / iv, np.minimum(v, MAX_TRAFFIC)):
        for fn in (erlang.erlang_b, erlang.erlang_c):
            got = fn(a, n)
            assert np.all(np.isfinite(got) & (got >= 0) & (got <= 1))


@pytest.mark.parametrize("ratio", _RATIOS)
def test_required_agents_sweep_extremes(ratio):
    v, h, iv, t, target = _grid(_VOLUMES, _AHTS, _INTERVALS, _WITHIN, [1e-300, 0.8, 1.0])
    ok = _inside(v, h, iv, ratio)
    v, h, iv, t, target = (x[ok] for x in (v, h, iv, t, target))
    p = None if ratio is None else np.maximum(h * ratio, 5e-324)
    n = erlang.required_agents(v, h, t, target, interval=iv, patience=p)
    _assert_exact(n, v, h, t, target, interval=iv, patience=p)
    busy = v * h / iv > 0
    if p is None:
        assert np.all(n[busy] > v[busy] * h[busy] / iv[busy])
    k = erlang.chat_required_agents(v, h, t, target, np.array([1.0, 3.0, MAX_AGENTS])[:, None],
                                    interval=iv, patience=p)
    assert k.dtype == np.int64 and k.shape == (3, v.size)
    assert np.array_equal(k[0], n) and np.all(k[1] == -(-n // 3)) and np.all(k[2] == (n > 0))


def test_chat_service_level_sweeps_extremes():
    v, h, agents, k = _grid(_VOLUMES, _AHTS, [0.0, 1.0, 10.0, 1e3], [1.0, 3.0, 1e4])
    ok = _inside(v, h, 1800.0, None)
    v, h, agents, k = (x[ok] for x in (v, h, agents, k))
    for p in (None, 300.0 * np.ones(v.size)):
        p = None if p is None else np.minimum(p, h * MAX_PATIENCE_RATIO)
        sl = erlang.chat_service_level(v, h, agents, k, 20.0, patience=p)
        assert np.all(np.isfinite(sl) & (sl >= 0) & (sl <= 1))
        assert np.array_equal(sl, erlang.service_level(v, h, agents * k, 20.0, patience=p))


def test_deferred_functions_sweep_extremes():
    for iv, h in itertools.product(_INTERVALS, _AHTS):
        cap = min(MAX_TRAFFIC * iv / h, MAX_VOLUME)  # about the most contacts per interval inside the limits
        while cap * h / iv > MAX_TRAFFIC:  # (rounding, or a subnormal interval)
            cap *= 0.9999
        volume = [0.0, min(5e-324, cap), cap * 1e-9, cap, 0.0, cap]
        for tat, backlog, staff in itertools.product([0.0, 5e-324, iv * (1 + 2e-9), 2.5 * iv, 1e300],
                                                     [0.0, cap], [0.0, 1.0, 1e300]):
            if tat == 0:
                backlog = 0.0
            req = erlang.deferred_required_agents(volume, h, tat, interval=iv, backlog=backlog)
            assert req.dtype == np.int64 and req.shape == (6,) and np.all(req >= 0)
            left = erlang.deferred_backlog(volume, h, [staff] * 6, interval=iv, backlog=backlog)
            assert np.all(np.isfinite(left) & (left >= 0))
        w = erlang.deferred_workload(np.array(volume), h, interval=iv)
        assert np.all(np.isfinite(w) & (w >= 0) & (w <= MAX_TRAFFIC))


def test_deferred_deadlines_far_beyond_the_horizon_need_nobody():
    # answer_within / interval used to overflow (1e300 / 5e-324) before the loop
    assert erlang.deferred_required_agents([1e-10, 1e-10], 300, 1e300, interval=1e-10).tolist() == [0, 0]
    assert erlang.deferred_required_agents([60] * 4, 300, 1e300, backlog=60).tolist() == [0, 0, 0, 0]


# ----------------------------------------------------------------------------- numerics


def test_kummer_quadrature_matches_the_series_where_both_apply():
    s = np.array([2e3, 1e4, 1e4, 5e4, 1e5])
    z = s - np.array([60.0, 60.0, 300.0, 1e3, 4e3])
    log_s, ratio_s, done = _special.kummer_series(s, z, 100_000)
    assert done.all()
    log_q, ratio_q = _special.kummer_quadrature(s, z)
    np.testing.assert_allclose(log_q, log_s, rtol=1e-13)
    np.testing.assert_allclose(ratio_q, ratio_s, rtol=1e-13)


def test_erlang_b_tail_quadrature_matches_the_series():
    a = np.array([1e4, 5e4, 2e5])
    n = np.floor(a - 15 * np.sqrt(a))
    k = np.arange(int(n.max()))[:, None]
    terms = np.cumprod(np.maximum(n - k, 0.0) / a, axis=0)  # the series summed in full
    series = np.log1p(terms.sum(axis=0))
    np.testing.assert_allclose(_special._log_inverse_erlang_b_quadrature(a, n), series, rtol=1e-12)
    np.testing.assert_allclose(_special.log_inverse_erlang_b_low(a, n), series, rtol=1e-12)


def test_batch_results_do_not_depend_on_their_neighbours():
    # series, quadrature and incomplete-gamma paths in one call give what each gives alone
    v = np.array([100.0, 9800.0, 98000.0, 1e6 * 1800 / 180, 3.0, 1e-6])
    n = np.array([14.0, 1000.0, 10100.0, 1_000_100.0, 1.0, 1.0])
    p = np.array([300.0, 1800.0, 1800.0, 1800.0, 1e-200, MAX_SECONDS])
    sl = erlang.service_level(v, 180, n, 20, patience=p)
    ab = erlang.abandonment(v, 180, n, p)
    w = erlang.asa(v, 180, n, patience=p)
    for i in range(v.size):
        assert sl[i] == erlang.service_level(v[i], 180, n[i], 20, patience=p[i])
        assert ab[i] == erlang.abandonment(v[i], 180, n[i], p[i])
        assert w[i] == erlang.asa(v[i], 180, n[i], patience=p[i])
    assert erlang.erlang_b([1e5, 10.0], [96_000, 12])[0] == erlang.erlang_b(1e5, 96_000)


# ----------------------------------------------------------------------------- the API


def test_public_names_and_modules():
    assert erlang.__all__ == ["FiniteQueue", "abandonment", "asa", "chat_required_agents", "chat_service_level",
                              "deferred_backlog", "deferred_required_agents", "deferred_workload", "erlang_b",
                              "erlang_c", "finite_queue", "occupancy", "probability_wait", "required_agents",
                              "service_level"]
    for name in erlang.__all__:
        fn = getattr(erlang, name)
        assert fn.__module__ in ("wfm.erlang.voice", "wfm.erlang.chat", "wfm.erlang.deferred",
                                 "wfm.erlang.finite"), name
        if name != "FiniteQueue":  # the result class of finite_queue
            assert fn.__annotations__.get("return"), name


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        erlang.service_level(100, 180, 14, 20, 1800)
    with pytest.raises(TypeError):
        erlang.required_agents(100, 180, 20, 0.8, 1800)
    with pytest.raises(TypeError):
        erlang.asa(100, 180, 14, 1800)
    with pytest.raises(TypeError):
        erlang.abandonment(100, 180, 13, 300, 1800)
    with pytest.raises(TypeError):
        erlang.deferred_required_agents([60, 60], 300, 1800, 1800)
    # what callers pass positionally today keeps working
    assert erlang.abandonment(100, 180, 13, 300) == erlang.abandonment(100, 180, 13, patience=300)
    assert erlang.chat_required_agents(200, 600, 60, 0.9, 3) == 26
    assert erlang.chat_service_level(200, 600, 26, 3, 60) == erlang.service_level(200, 600, 78, 60)
    assert erlang.deferred_backlog([60, 60], 300, [0, 10]).tolist() == [60.0, 60.0]
