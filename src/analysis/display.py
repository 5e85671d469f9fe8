"""Display helpers for report notebooks: escaped tables, captions and evidence blocks.

Article text is untrusted. Everything shown here is HTML-escaped, and only
``http``/``https`` URLs become links.
"""

from __future__ import annotations

import html
import re

import pandas as pd
from IPython.display import HTML, display

_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)


def safe_link(url: str | None, *, label: str | None = None) -> str:
    """An ``<a>`` for http(s) URLs; any other scheme is shown as plain escaped text."""
    if not url or not isinstance(url, str):
        return ""
    text = html.escape(label or url)
    if _SAFE_URL.match(url.strip()):
        return f'<a href="{html.escape(url.strip(), quote=True)}" rel="noopener noreferrer">{text}</a>'
    return text


def _cell(value, *, column: str, link_columns: tuple[str, ...]) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if column in link_columns:
        return safe_link(str(value))
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(str(value))


def table_html(df: pd.DataFrame, *, max_rows: int = 40, link_columns: tuple[str, ...] = ("url",),
               caption: str | None = None) -> str:
    """An escaped HTML table of the first ``max_rows`` rows of a frame."""
    shown = df.head(max_rows)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v, column=c, link_columns=link_columns)}</td>"
                         for c, v in zip(shown.columns, row, strict=True)) + "</tr>"
        for row in shown.itertuples(index=False, name=None)
    )
    more = ""
    if len(df) > max_rows:
        more = f"<p class='analysis-caption'>Showing {max_rows:,} of {len(df):,} rows; the full table is in the run's data folder.</p>"
    cap = f"<p class='analysis-caption'>{html.escape(caption)}</p>" if caption else ""
    return f"{cap}<table class='analysis-table'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def show_table(df: pd.DataFrame, *, max_rows: int = 40, caption: str | None = None,
               link_columns: tuple[str, ...] = ("url",)) -> None:
    """Display a frame as an escaped HTML table (or a thin-data sentence, :class:`analysis.thin.ThinData`)."""
    if not isinstance(df, pd.DataFrame):
        display(df)
        return
    display(HTML(table_html(df, max_rows=max_rows, caption=caption, link_columns=link_columns)))


def caption(text: str) -> None:
    """Display one escaped sentence under a chart, saying what it shows."""
    display(HTML(f"<p class='analysis-caption'>{html.escape(text)}</p>"))


def show_chart(chart, text: str) -> None:
    """Display a chart followed by the sentence that says what it shows.

    A thin-data sentence (:class:`analysis.thin.ThinData`) is shown alone, in place of both.
    """
    display(chart)
    if not getattr(chart, "sentence", None):
        caption(text)


def heading(text: str, *, level: int = 2) -> None:
    """Display an escaped heading (for headings built from data, such as a source name)."""
    display(HTML(f"<h{level}>{html.escape(text)}</h{level}>"))


def note(text: str) -> None:
    """Display an escaped paragraph."""
    display(HTML(f"<p>{html.escape(text)}</p>"))


def evidence_html(rows: pd.DataFrame, *, who: str = "source", what: str = "sentence") -> str:
    """Escaped evidence blocks: who said it, then the sentence."""
    blocks = []
    for r in rows.itertuples(index=False):
        blocks.append(
            f"<div class='evidence'><span class='who'>{html.escape(str(getattr(r, who)))}</span>: "
            f"{html.escape(str(getattr(r, what)))}</div>"
        )
    return "".join(blocks)


def show_evidence(rows: pd.DataFrame, *, who: str = "source", what: str = "sentence") -> None:
    """Display evidence blocks (see :func:`evidence_html`)."""
    display(HTML(evidence_html(rows, who=who, what=what)))


def show_conflicts(t, conflicts: pd.DataFrame, *, limit: int = 30) -> None:
    """Each conflict as a heading line and every source's evidence sentence side by side."""
    from analysis.views import evidence_rows

    if conflicts.empty:
        note("No disagreement was found between sources on the figures and dates they state.")
        return
    parts = []
    for _, c in conflicts.head(limit).iterrows():
        ev = evidence_rows(t, c)
        parts.append(
            f"<div class='conflict'><p><strong>{html.escape(str(c['kind']).title())}</strong>: "
            f"{html.escape(str(c['description']))}</p>{evidence_html(ev)}</div>"
        )
    if len(conflicts) > limit:
        parts.append(f"<p class='analysis-caption'>{len(conflicts) - limit} more in conflicts.csv.</p>")
    display(HTML("".join(parts)))
