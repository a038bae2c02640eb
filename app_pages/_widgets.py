"""Widget helpers shared by the page modules: values kept across tab switches, errors
shown in the page, and the Plotly settings of the app.

Streamlit forgets the state of a widget it did not draw in a run, and the app draws only
the open tab; :func:`kept` seeds a widget with the value it had when last drawn, which
:func:`keep` remembers. ``app.py`` uses them too, for its own tabs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from wfm.errors import InputError

PLOTLY_CONFIG = {"displaylogo": False}
#: What a page catches and shows with st.error instead of a traceback: every wfm input
#: error is a ValueError; a solver or a file may raise the others.
USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, TypeError, KeyError, OSError, TimeoutError)


def kept(key: str, default: Any) -> None:
    """Seed the widget ``key`` with the value it had last time it was drawn, else ``default``."""
    ss = st.session_state
    if key not in ss:
        ss[key] = ss.get(f"keep:{key}", default)


def keep(key: str) -> None:
    """Remember the widget ``key``'s value for :func:`kept`."""
    ss = st.session_state
    if key in ss:
        ss[f"keep:{key}"] = ss[key]


def widget(draw: Callable[..., Any], label: str, key: str, default: Any, **kw: Any) -> Any:
    """Draw ``draw(label, key=key, **kw)`` seeded with its kept value (or ``default``)."""
    kept(key, default)
    value = draw(label, key=key, **kw)
    keep(key)
    return value


def table_editor(key: str, default: pd.DataFrame, **kw: Any) -> pd.DataFrame:
    """An ``st.data_editor`` whose edits survive tab switches.

    The editor's state holds its edits relative to the data it was given; when Streamlit
    forgot that state (the tab was closed), the editor starts again from the table as
    last edited.
    """
    ss = st.session_state
    base_key = f"base:{key}"
    if key not in ss or base_key not in ss:
        ss[base_key] = ss.get(f"keep:{key}", default)
    edited = st.data_editor(ss[base_key], key=key, **kw)
    ss[f"keep:{key}"] = edited
    return pd.DataFrame(edited)


def show_error(exc: BaseException, what: str | None = None) -> None:
    """The error in the page: an InputError's own message (field, value, problem), else
    its type and message, prefixed by what was being done."""
    text = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
    st.error(f"{what}: {text}" if what else text, icon=":material/error:")


def number(where: Any, label: str, key: str, default: float, *, min_value: float, max_value: float | None = None,
           **kw: Any) -> Any:
    """A number input seeded with its kept value, clamped into ``[min_value, max_value]``
    (a kept value outside bounds that changed would otherwise be refused by Streamlit)."""
    ss = st.session_state
    for k in (key, f"keep:{key}"):
        if k in ss:
            v = ss[k]
            if v < min_value or (max_value is not None and v > max_value):
                ss[k] = min(max(v, min_value), max_value) if max_value is not None else max(v, min_value)
    return widget(where.number_input, label, key, default, min_value=min_value, max_value=max_value, **kw)


def guarded(body: Callable[[], None], what: str) -> None:
    """Run a page's body; an error it did not expect is shown in the page (with its type,
    as a bug to report), never as a traceback. Streamlit's own reruns and stops are not
    ``Exception``s and pass through."""
    try:
        body()
    except InputError as exc:
        show_error(exc, what)
    except Exception as exc:  # noqa: BLE001 - the page must not show a traceback
        st.error(f"{what}: an internal error (a bug to report): {type(exc).__name__}: {exc}",
                 icon=":material/bug_report:")
