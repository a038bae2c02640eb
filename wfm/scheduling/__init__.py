"""Shift scheduling: a pyomo model, solved by HiGHS, that chooses how many agents work
each shift and where their breaks fall so that each group's requirement is covered at
least cost.

Shift templates
---------------
Each agent group has a :class:`wfm.ShiftRule` (from the scenario's ``shifts:`` section,
passed in as ``rules``, or the defaults). A *template* is one start interval and one
length; a template with a break comes in one *placement* per allowed break start. The
``shifts:`` section (all keys optional; see ``docs/guides/scenario-format.md``)::

    shifts:
      voice:                        # the agent group's name
        earliest_start: "07:00"     # clock time of the first start of each day
        latest_start: "13:00"       # ... and of the last (inclusive)
        every_minutes: 30           # a start every 30 minutes in between
        # or: starts: ["08:00", "09:00", "12:00"]  (a list instead of the three keys)
        lengths_hours: [4, 6, 8]    # shift lengths from start to end, break included
        cost_per_hour: 25.0         # per paid hour
        max_agents: 40              # agents the group can put on shift per day
        break:
          minutes: 30               # 0 = no break; a multiple of the interval
          paid: false               # an unpaid break is not costed
          earliest: 120             # the break starts 120 ...
          latest: 300               # ... to 300 minutes after the shift's start
          min_shift_hours: 6        # shorter shifts have no break

Rules
~~~~~
* A group without a rule gets the defaults of :class:`wfm.ShiftRule` (on 60-minute
  intervals its break is 60 minutes, since 30 minutes is not a whole interval).
* Starts are clock times repeated on every day of the horizon; without ``starts`` and
  without ``earliest_start``/``latest_start``/``every_minutes`` every interval may start a
  shift. ``earliest_start`` defaults to ``"00:00"``, ``latest_start`` to the end of the day,
  ``every_minutes`` to the interval. A shift must start and end inside the horizon.
* ``lengths_hours`` is the span from start to end, break included. Paid hours are the
  length, less the break when it is unpaid; cost = ``cost_per_hour`` x paid hours.
* A shift of at least ``min_shift_hours`` has one break of ``minutes``. It may start at
  any interval boundary from ``earliest`` to ``latest`` minutes after the shift's start
  (rounded inwards to interval boundaries), must not start with the shift and must end
  before the shift does. A length with no such break start is a :class:`ScenarioError`.
* ``max_agents`` bounds the agents of the group starting a shift on any one day (a day is
  a clock day: midnight to midnight): the group's headcount. This also bounds every
  single template.

The model
---------
``x[j]`` (integer) agents work template ``j``; ``z[j, b]`` (integer) of them take their
break in placement ``b`` (``sum_b z[j, b] = x[j]``); ``u[g, t] >= 0`` is the shortfall of
group ``g`` in interval ``t``. For every interval with a requirement::

    sum_{j of g working t} x[j] - sum_{(j, b) of g on break in t} z[j, b] + u[g, t]
        >= required[g, t]

and the objective is ``sum_j cost[j] x[j] + penalty * sum u``. Coverage is soft: with a
penalty larger than the dearest shift, the optimum covers every agent-interval that any
shift can cover, and the rest is reported as shortfall instead of "infeasible".

Modules
-------
``templates``
    :class:`ShiftTemplate`, :func:`shift_rules`, :func:`build_templates`,
    :func:`shift_templates`: which shifts each group may work.
``requirements``
    The requirement in any of its accepted forms, as arrays per group.
``blocks``
    The model's independent blocks (exact decomposition).
``greedy``
    The greedy plan that starts the solver.
``model``
    The pyomo model of one block and its HiGHS solve (small models).
``direct``
    The same model as arrays handed to HiGHS: LP relaxation, rounding with a repair,
    the MIP only when needed (large models; ``schedule(method=...)``).
``status``
    :class:`SolverStatus`.
``result``
    :class:`Schedule`, the result, and its DataFrames.
``solve``
    :func:`schedule`.
``handoff``
    :func:`with_shifts`, :func:`roster_entries`: a schedule or roster handed to the
    engine as agents (the groups' ``roster:``).

Examples
--------
>>> import wfm
>>> from wfm.scheduling import schedule
>>> sc = wfm.load_scenario("scenarios/baseline.yaml")
>>> plan = schedule(sc, time_limit=10, gap=0.01)
>>> plan.cost, plan.optimal, plan.status, float(plan.coverage["shortfall"].sum())
(469.5, True, <SolverStatus.OPTIMAL: 'optimal'>, 0.0)
"""

from wfm.scheduling.contracts import Contract, RosterRules, load_roster_rules, roster_rules
from wfm.scheduling.handoff import roster_entries, with_shifts
from wfm.scheduling.result import Schedule
from wfm.scheduling.roster import Roster, weekly_roster
from wfm.scheduling.solve import schedule
from wfm.scheduling.status import SolverStatus
from wfm.scheduling.templates import ShiftTemplate, build_templates, shift_rules, shift_templates

__all__ = [
    "Contract",
    "Roster",
    "RosterRules",
    "Schedule",
    "ShiftTemplate",
    "SolverStatus",
    "build_templates",
    "load_roster_rules",
    "roster_entries",
    "roster_rules",
    "schedule",
    "shift_rules",
    "shift_templates",
    "weekly_roster",
    "with_shifts",
]
