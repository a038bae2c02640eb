"""A self-contained HTML page of figures, tables and text (plotly.js inlined once).

The page needs no network. plotly.js (4.8 MB as shipped) is inlined once, gzip-compressed
and base64-encoded (about 2 MB), and unpacked by the browser's ``DecompressionStream``;
each figure is stored as JSON and drawn when it scrolls near the window (the others
follow in the background, one at a time), so the first figures show at once however
many the page holds.
"""

from __future__ import annotations

import base64
import functools
import gzip
import html
import json
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
div.scroll { overflow-x: auto; max-width: 100%; }
div.wfm-fig { width: 100%; min-height: 200px; }
table.wfm td.text { white-space: normal; text-align: left; max-width: 40em; }
table.wfm td:first-child, table.wfm th:first-child { text-align: left; }
table.wfm tr.missed td { background: #fdecea; }
table.wfm td.met { color: #1a7f37; font-weight: 600; }
table.wfm td.missed { color: #c62828; font-weight: 600; }
.note { color: #666; font-size: 0.9em; }
"""

Section = tuple[str, Any]


@functools.lru_cache(maxsize=1)
def _plotly_bundle() -> tuple[str, str]:
    """(version, base64 of the gzip-compressed plotly.min.js), computed once."""
    import plotly
    from plotly.offline import get_plotlyjs

    js = get_plotlyjs().encode("utf-8")
    version = getattr(plotly, "__version__", "?")
    try:
        from plotly.offline.offline import get_plotlyjs_version

        version = get_plotlyjs_version()
    except ImportError:  # pragma: no cover - older plotly
        pass
    return version, base64.b64encode(gzip.compress(js, 9, mtime=0)).decode("ascii")


_LOADER = """
<script>
(function () {
  function draw(div) {
    if (div.dataset.drawn) { return; }
    div.dataset.drawn = "1";
    var spec = JSON.parse(document.getElementById(div.id + "-data").textContent);
    window.Plotly.newPlot(div, spec.data, spec.layout, spec.config);
  }
  function start() {
    var divs = Array.prototype.slice.call(document.querySelectorAll("div.wfm-fig"));
    if (!("IntersectionObserver" in window)) { divs.forEach(draw); return; }
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { seen.unobserve(e.target); draw(e.target); }
      });
    }, {rootMargin: "600px 0px"});
    divs.forEach(function (d) { seen.observe(d); });
    // the rest in the background, one at a time, after the visible ones
    var k = 0;
    function next() {
      while (k < divs.length && divs[k].dataset.drawn) { k++; }
      if (k < divs.length) { draw(divs[k]); setTimeout(next, 60); }
    }
    setTimeout(next, 400);
  }
  var packed = document.getElementById("wfm-plotly").textContent.trim();
  var bytes = Uint8Array.from(atob(packed), function (c) { return c.charCodeAt(0); });
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  new Response(stream).text().then(function (code) {
    var tag = document.createElement("script");
    tag.text = code;
    document.head.appendChild(tag);
    start();
  });
})();
</script>
"""

def _table_html(frame: pd.DataFrame, max_rows: int = 2000) -> str:
    """An HTML table of a DataFrame; a ``met`` or ``verdict`` column (bool or
    "met"/"missed"/"too close to call") is coloured; long text wraps."""
    cols = [str(c) for c in frame.columns]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    shown = frame.head(max_rows)
    for row in shown.itertuples(index=False, name=None):
        cls = ""
        cells = []
        for name, v in zip(cols, row, strict=True):
            if name in ("met", "verdict") and v is not None and not is_missing(v) and (
                    isinstance(v, bool | np.bool_) or str(v) in ("met", "missed",
                                                                 "too close to call")):
                ok = v is True or v == "met" or (isinstance(v, np.bool_) and bool(v))
                text = str(v) if isinstance(v, str) else ("met" if ok else "missed")
                cls = "" if ok else ' class="missed"'
                cells.append(f'<td class="{"met" if ok else "missed"}">{html.escape(text)}</td>')
            else:
                text = cell(v)
                wide = ' class="text"' if len(text) > 40 else ""
                cells.append(f"<td{wide}>{html.escape(text)}</td>")
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
    sections : sequence of (str, Figure | DataFrame | str | list of str)
        Each section's heading and content: a plotly figure, a table (DataFrame,
        rendered as an HTML table), a paragraph of text, or a list of sentences (a
        bulleted list).
    title : str
        The page's heading (e.g. the scenario's name).
    subtitle : str, optional
        A short line under the heading.

    Returns
    -------
    str
        A complete HTML document. plotly.js is inlined once (compressed) when there is
        a figure; each figure is drawn when it scrolls near the window; the page loads
        nothing from the network.
    """
    parts = []
    fig_no = 0
    for heading, content in sections:
        parts.append(f"<section><h2>{html.escape(str(heading))}</h2>")
        if isinstance(content, go.Figure):
            div = f"wfm-fig-{fig_no}"
            spec = json.loads(content.to_json())
            spec["config"] = dict(_PLOTLY_CONFIG)
            height = spec.get("layout", {}).get("height") or 450
            data = json.dumps(spec, separators=(",", ":")).replace("</", "<\\/")
            parts.append(
                f'<div class="wfm-fig" id="{div}" style="height:{int(height)}px"></div>'
                f'<script type="application/json" id="{div}-data">{data}</script>'
            )
            fig_no += 1
        elif isinstance(content, pd.DataFrame):
            parts.append(_table_html(content))
        elif isinstance(content, list | tuple):
            items = "".join(f"<li>{html.escape(str(x))}</li>" for x in content)
            parts.append(f"<ul>{items}</ul>")
        elif content is not None:
            parts.append(f"<p>{html.escape(str(content))}</p>")
        parts.append("</section>")
    sub = f'<p class="sub">{html.escape(subtitle)}</p>' if subtitle else ""
    script = ""
    if fig_no:
        version, packed = _plotly_bundle()
        script = (f"<!-- plotly.js v{html.escape(version)}, gzip-compressed, base64 -->\n"
                  f'<script type="application/octet-stream" id="wfm-plotly">{packed}</script>\n'
                  + _LOADER)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1>{sub}</header>\n"
        + "\n".join(parts)
        + f'\n<footer><p class="note">wfm {html.escape(__version__)}</p></footer>\n'
        + script
        + "</body>\n</html>\n"
    )
