"""A self-contained HTML page of figures, tables and text (plotly.js inlined once)."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from wfm._version import __version__
from wfm.report.format import cell, is_missing
from wfm.report.style import _PLOTLY_CONFIG

__all__ = ["Section", "html_report"]


# ---------------------------------------------------------------------- HTML
_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 24px 32px; color: #222; max-width: 1400px; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
p.sub { color: #555; margin-top: 0; }
table.wfm { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
table.wfm th, table.wfm td { padding: 4px 10px; border-bottom: 1px solid #e5e5e5;
                             text-align: right; }
table.wfm td { white-space: nowrap; }
table.wfm th { background: #f6f6f6; }
div.scroll { overflow-x: auto; }
table.wfm td:first-child, table.wfm th:first-child { text-align: left; }
table.wfm tr.missed td { background: #fdecea; }
table.wfm td.met { color: #1a7f37; font-weight: 600; }
table.wfm td.missed { color: #c62828; font-weight: 600; }
.note { color: #666; font-size: 0.9em; }
"""

Section = tuple[str, Any]

def _table_html(frame: pd.DataFrame, max_rows: int = 2000) -> str:
    """An HTML table of a DataFrame; a ``met`` column (bool or "met"/"missed") is coloured."""
    cols = [str(c) for c in frame.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    shown = frame.head(max_rows)
    met_col = next((c for c in frame.columns if str(c) == "met"), None)
    for row in shown.itertuples(index=False, name=None):
        cls = ""
        cells = []
        for name, v in zip(cols, row, strict=True):
            if name == "met" and met_col is not None and v is not None and not is_missing(v):
                ok = v is True or v == "met" or (isinstance(v, np.bool_) and bool(v))
                cls = "" if ok else ' class="missed"'
                cells.append(
                    f'<td class="{"met" if ok else "missed"}">{"met" if ok else "missed"}</td>'
                )
            else:
                cells.append(f"<td>{html.escape(cell(v))}</td>")
        body.append(f"<tr{cls}>{''.join(cells)}</tr>")
    more = ""
    if len(frame) > max_rows:
        more = f'<p class="note">{len(frame) - max_rows:,} more rows in the CSV file.</p>'
    return (
        f'<div class="scroll"><table class="wfm"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>" + more
    )


def html_report(sections: Sequence[Section], title: str, subtitle: str | None = None) -> str:
    """A self-contained HTML page of titled sections.

    Parameters
    ----------
    sections : sequence of (str, Figure | DataFrame | str)
        Each section's heading and content: a plotly figure, a table (DataFrame,
        rendered as an HTML table) or a paragraph of text.
    title : str
        The page's heading (e.g. the scenario's name).
    subtitle : str, optional
        A short line under the heading.

    Returns
    -------
    str
        A complete HTML document. plotly.js is inlined once, with the first figure;
        the page loads nothing from the network.
    """
    parts = []
    js_done = False
    fig_no = 0
    for heading, content in sections:
        parts.append(f"<section><h2>{html.escape(str(heading))}</h2>")
        if isinstance(content, go.Figure):
            parts.append(
                content.to_html(
                    full_html=False,
                    include_plotlyjs=not js_done,
                    div_id=f"wfm-fig-{fig_no}",
                    config=_PLOTLY_CONFIG,
                )
            )
            js_done = True
            fig_no += 1
        elif isinstance(content, pd.DataFrame):
            parts.append(_table_html(content))
        elif content is not None:
            parts.append(f"<p>{html.escape(str(content))}</p>")
        parts.append("</section>")
    sub = f'<p class="sub">{html.escape(subtitle)}</p>' if subtitle else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1>{sub}</header>\n"
        + "\n".join(parts)
        + f'\n<footer><p class="note">wfm {html.escape(__version__)}</p></footer>\n'
        + "</body>\n</html>\n"
    )
