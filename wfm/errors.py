"""The errors wfm raises for input a user can fix.

Every one carries ``errors``, a list of ``(field path, reason)`` pairs, and an optional
``source`` (the file), and its message names the field, the value and the problem. The
CLI prints the message on one line (``error: ...``) and exits with code 2; the app shows
it in the page.

* :class:`InputError` — the base: any invalid input (a ``ValueError``).
* :class:`ScenarioError` — an invalid scenario or sweep spec.
* :class:`LimitError` — input that is valid but larger than a limit of
  :mod:`wfm.limits` (which says how to raise it).

Examples
--------
>>> err = ScenarioError([("channels.phone.aht", "must be > 0 (got -5)")], "day.yaml")
>>> str(err)
'invalid scenario day.yaml: channels.phone.aht: must be > 0 (got -5)'
>>> isinstance(err, ValueError)
True
"""

from __future__ import annotations

__all__ = ["InputError", "LimitError", "ScenarioError"]


class InputError(ValueError):
    """Invalid input; the message names the field path and the reason.

    Parameters
    ----------
    errors : list of (str, str), or str
        ``(field path, reason)`` for every problem found, e.g.
        ``("channels.phone.volume[3]", "must be >= 0 (got -5)")``; a plain string is one
        problem without a path.
    source : str, optional
        Where the input came from (a file name), shown in the message.

    Attributes
    ----------
    errors : list of (str, str)
    source : str or None
    """

    head = "invalid input"

    def __init__(self, errors: list[tuple[str, str]] | str, source: str | None = None) -> None:
        if isinstance(errors, str):
            errors = [("", errors)]
        # a message never grows with the input: a 1 MB key or value is shown cut
        self.errors = [(_cut(str(p), 160), _cut(str(r), 400)) for p, r in errors]
        self.source = source
        lines = [f"{path}: {reason}" if path else reason for path, reason in self.errors]
        if len(lines) > 10:
            lines = lines[:10] + [f"... and {len(lines) - 10} more"]
        head = f"{self.head} {source}" if source else self.head
        if len(lines) == 1:
            msg = f"{head}: {lines[0]}"
        else:
            msg = head + f" ({len(lines)} problems):\n" + "\n".join(f"  - {x}" for x in lines)
        super().__init__(msg)


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 25] + f"... ({len(text):,} characters)"


class ScenarioError(InputError):
    """An invalid scenario (or sweep spec); the message names the field path and the reason."""

    head = "invalid scenario"


class LimitError(InputError):
    """Input beyond a limit of :mod:`wfm.limits`; the message names the field, the value,
    the limit and how to raise it."""

    head = "too large"
