"""Closed-form queueing for contact centres, vectorised with numpy and scipy.

Every function takes scalars or arrays in any mix and broadcasts them with numpy's rules:
scalars in give a numpy scalar out, arrays in give an array of the broadcast shape out.
Times are in **seconds**. ``volume`` is the number of contacts offered per ``interval``
seconds, so the offered traffic is ``a = volume * aht / interval`` Erlangs; rates and
targets are fractions. The arguments that define the queue are positional; the interval,
the patience and the optional targets are keyword-only (``interval=``, ``patience=``,
``max_occupancy=``, ...).

The functions live in :mod:`wfm.erlang.voice` (Erlang B, C and A measures,
``required_agents``), :mod:`wfm.erlang.finite` (voice with trunk lines, a queue capacity
and balking: M/M/n/K+M, ``finite_queue``), :mod:`wfm.erlang.chat` and
:mod:`wfm.erlang.deferred`, and are all importable from here.

Models
------
Voice, Erlang C (``patience=None``): M/M/n. Arrivals are Poisson, handle times
exponential with mean ``aht``, ``n`` agents, nobody abandons. The probability of waiting
is Erlang C, and the service level is ``1 - C * exp(-(n - a) * t / aht)``. When the
traffic reaches the agents (``a >= n``) the queue is unstable: service level 0, ASA
``inf``, probability of waiting 1, occupancy 1.

Voice, Erlang A (``patience`` given): M/M/n+M (Palm, Mandelbaum & Zeltyn). Waiting
contacts abandon after an exponential patience of mean ``patience``. Abandoned contacts
count as misses in the service level, and ASA is the mean wait of the contacts that were
answered. With ``x = n * patience / aht`` (``n mu / theta``), ``r = lambda * patience``
(``lambda / theta``), ``T = t / patience``, ``P(s, z)`` the regularised lower incomplete
gamma, Mandelbaum & Zeltyn's ``A(x, r) = Gamma(x + 1) e^r r^-x P(x, r)`` (which is
``1F1(1; x + 1; r)``, the mass of the waiting states relative to the all-busy state) and
``B`` Erlang B with ``a`` Erlangs on ``n`` agents:

* ``P(wait) = A B / (1 - B + A B)``;
* ``P(served | wait) = (x / r) P(x + 1, r) / P(x, r)`` and ``P(abandon) = P(wait) *
  (1 - P(served | wait))``, which is M&Z's ``1 - 1/rho + 1/(rho A)`` with
  ``rho = a / n``;
* ``P(served, wait <= t | wait) = P(served | wait) * (P(x + 1, r) - P(x + 1, r e^-T)) /
  P(x + 1, r)``, so the service level is ``1 - P(wait) + P(wait) * P(served,
  wait <= t | wait)``. (The offered wait of a contact that must wait is
  ``patience * log(r / S)`` with ``S`` a Gamma(x) variable truncated to ``(0, r)``;
  weighting by the chance of outlasting it shifts the shape to ``x + 1``.)
* ASA: the wait of a contact that waits and is served has the density (in ``w = wait /
  patience``) proportional to ``exp(-(x + 1) w + r (1 - e^-w))``. Its mean has no
  closed form in ``P`` (it needs the derivative of ``P`` in its shape) and is integrated
  by Gauss-Legendre quadrature over the bulk of that log-concave density (to
  ``exp(-50)`` of its peak, 96 nodes), good to about 1e-14.

``log A`` is computed with Loader's ``stirlerr`` and ``bd0`` so that it keeps its digits
for tens of thousands of agents; far below the mode (``x - r > 50``, or where ``P``
underflows) the power series of ``A`` and of its derivative replace the incomplete
gammas, which lose digits there, and give ``P(abandon | wait) = A'(r) / A(r)`` free of
cancellation. Where that series would need more than 200 terms (hundreds of agents
with patient callers) Euler's integral ``A = x int_0^inf exp(-x w + r (1 - e^-w)) dw``
by Gauss-Legendre quadrature replaces it, at a fixed cost. Erlang B is ``pmf / cdf`` of
a Poisson law in log space, and where that cdf is far in its tail (traffic well above
the agents) the terminating series ``1/B = sum_j prod_{i<j} (n - i) / a`` of the Erlang
B recursion, or where that needs more than 200 terms its integral ``1/B = a
int_0^inf exp(-a u) (1 + u)^n du`` by quadrature. No factorial is ever formed; results
match the exact birth-death chain to about 1e-12, and every call takes a bounded number
of steps.

Chat (``chat_service_level``, ``chat_required_agents``): sessions as servers. An agent
holds up to ``concurrency`` sessions at once, and the session length (``aht``, the mean
length of a session while it is held) does not depend on how many sessions the agent
holds, so ``n`` agents are ``n * concurrency`` independent servers of an
M/M/(n k)(+M) queue. No slowdown factor is applied. Required agents are
``ceil(required servers / concurrency)``; occupancy is that of the session slots.

Deferred work (email, social; ``deferred_*``): a fluid model, described in
:func:`deferred_required_agents`.

Limits
------
Input beyond these limits is refused with a ``ValueError`` that names the argument, the
value and the limit, before any work; everything within them gets a finite answer
(agent counts are never negative) in well under a second per call.

========================================  ===========  ==========================================
quantity                                  limit        why
========================================  ===========  ==========================================
offered traffic ``volume * aht /          1e6 Erlangs  Ten times the largest centres (tens of
interval`` (``traffic`` of ``erlang_b``,               thousands of agents, 1e4-1e5 Erlangs);
``erlang_c``; the workload per interval                keeps the agent searches short and
and of the backlog for deferred work)                  every series within bounds.
``volume``, ``backlog``                   1e12         More than a hundred contacts from every
                                          contacts     person on Earth in one interval; keeps
                                                       contact counts summed over intervals
                                                       finite.
``agents``; chat ``agents *               1e7          Ten times the traffic limit: beyond it
concurrency`` and ``concurrency``;                     nobody waits. Keeps ``x = agents *
``traffic / max_occupancy`` for the                    patience / aht`` below about 1e15, where
agents that target needs                               doubles still tell ``x`` from ``x + 1``.
``aht``, ``patience``, ``interval``       1e9 s        About 32 years; keeps every product of a
                                                       time and a count finite.
``patience / aht``                        1e8          A caller who would wait 1e8 handle times
                                                       never abandons in practice: pass
                                                       ``patience=None``. Beyond it the
                                                       abandonment would round to 0.
========================================  ===========  ==========================================

Examples
--------
>>> from wfm import erlang
>>> int(erlang.required_agents(volume=100, aht=180, answer_within=20, service_level=0.8))
14
>>> round(float(erlang.service_level(100, 180, 14, answer_within=20)), 4)
0.8884
"""

from wfm.erlang.chat import chat_required_agents, chat_service_level
from wfm.erlang.deferred import deferred_backlog, deferred_required_agents, deferred_workload
from wfm.erlang.finite import FiniteQueue, finite_queue
from wfm.erlang.voice import (
    abandonment,
    asa,
    erlang_b,
    erlang_c,
    occupancy,
    probability_wait,
    required_agents,
    service_level,
)

__all__ = [
    "FiniteQueue",
    "abandonment",
    "asa",
    "chat_required_agents",
    "chat_service_level",
    "deferred_backlog",
    "deferred_required_agents",
    "deferred_workload",
    "erlang_b",
    "erlang_c",
    "finite_queue",
    "occupancy",
    "probability_wait",
    "required_agents",
    "service_level",
]
