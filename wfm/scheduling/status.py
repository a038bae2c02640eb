"""How the solver fared: :class:`SolverStatus`.

Examples
--------
>>> from wfm.scheduling import SolverStatus
>>> status = SolverStatus.TIME_LIMIT
>>> status == "time limit", str(status), f"solver {status}"
(True, 'time limit', 'solver time limit')
>>> SolverStatus("optimal") is SolverStatus.OPTIMAL
True
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

__all__ = ["SolverStatus"]


class SolverStatus(enum.StrEnum):
    """The outcome of :func:`wfm.scheduling.schedule`, as a string enum.

    A member compares equal to its text (``status == "optimal"``) and formats as it
    (``str(status)``, f-strings). The texts of the solver's other terminations are
    those of pyomo's ``TerminationCondition`` (``"TerminationCondition.infeasible"``).

    Attributes
    ----------
    OPTIMAL : "optimal"
        HiGHS proved the plan within the requested relative gap (every block).
    TIME_LIMIT : "time limit"
        HiGHS stopped at the time limit (in at least one block); the plan is the best
        found, its gap is reported.
    NO_REQUIREMENT : "no requirement"
        Nobody is needed: nothing was scheduled.
    NO_SHIFT : "no shift can cover the requirement"
        No shift template covers any interval with a requirement: all of it is shortfall.
    UNKNOWN, ERROR, INFEASIBLE, INFEASIBLE_OR_UNBOUNDED, UNBOUNDED, OBJECTIVE_LIMIT, \
ITERATION_LIMIT, MIN_STEP_LENGTH, INTERRUPTED, LICENSING_PROBLEMS
        Any other termination of the solver (``"TerminationCondition.<name>"``).
    """

    OPTIMAL = "optimal"
    TIME_LIMIT = "time limit"
    NO_REQUIREMENT = "no requirement"
    NO_SHIFT = "no shift can cover the requirement"
    UNKNOWN = "TerminationCondition.unknown"
    ERROR = "TerminationCondition.error"
    INFEASIBLE = "TerminationCondition.infeasible"
    INFEASIBLE_OR_UNBOUNDED = "TerminationCondition.infeasibleOrUnbounded"
    UNBOUNDED = "TerminationCondition.unbounded"
    OBJECTIVE_LIMIT = "TerminationCondition.objectiveLimit"
    ITERATION_LIMIT = "TerminationCondition.maxIterations"
    MIN_STEP_LENGTH = "TerminationCondition.minStepLength"
    INTERRUPTED = "TerminationCondition.interrupted"
    LICENSING_PROBLEMS = "TerminationCondition.licensingProblems"

    @classmethod
    def from_termination(cls, message: str) -> SolverStatus:
        """The status of one solver run from pyomo's termination message.

        Parameters
        ----------
        message : str
            ``str(termination_condition)`` of pyomo's appsi interface, e.g.
            ``"TerminationCondition.maxTimeLimit"``.

        Returns
        -------
        SolverStatus
            ``OPTIMAL`` for a message containing "optimal", ``TIME_LIMIT`` for one
            containing "time" (case-insensitive), the member of that text otherwise, and
            ``UNKNOWN`` for a text no member has.

        Examples
        --------
        >>> SolverStatus.from_termination("TerminationCondition.maxTimeLimit")
        <SolverStatus.TIME_LIMIT: 'time limit'>
        >>> SolverStatus.from_termination("TerminationCondition.infeasible")
        <SolverStatus.INFEASIBLE: 'TerminationCondition.infeasible'>
        """
        low = message.lower()
        if "optimal" in low:
            return cls.OPTIMAL
        if "time" in low:
            return cls.TIME_LIMIT
        try:
            return cls(message)
        except ValueError:
            return cls.UNKNOWN

    @classmethod
    def combine(cls, statuses: Iterable[SolverStatus]) -> SolverStatus:
        """The status of a model solved in blocks.

        Parameters
        ----------
        statuses : iterable of SolverStatus
            The status of each block, in solving order (at least one).

        Returns
        -------
        SolverStatus
            ``OPTIMAL`` when every block is; else ``TIME_LIMIT`` when any block hit it;
            else the first block's status that is not ``OPTIMAL``.

        Raises
        ------
        ValueError
            When ``statuses`` is empty.

        Examples
        --------
        >>> SolverStatus.combine([SolverStatus.OPTIMAL, SolverStatus.TIME_LIMIT])
        <SolverStatus.TIME_LIMIT: 'time limit'>
        """
        seq = list(statuses)
        if not seq:
            raise ValueError("statuses: got none; a model has at least one block")
        if all(s is cls.OPTIMAL for s in seq):
            return cls.OPTIMAL
        if any(s is cls.TIME_LIMIT for s in seq):
            return cls.TIME_LIMIT
        return next(s for s in seq if s is not cls.OPTIMAL)
