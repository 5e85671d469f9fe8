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


LONG_TEXT_CHARS = 80
"""A text column whose longest value in the shown rows exceeds this prints as a block row."""


def long_text_columns(df: pd.DataFrame, *, limit: int = LONG_TEXT_CHARS) -> list[str]:
    """The columns holding long free text (a sentence, a quote, a segment)."""
    out = []
    for c in df.columns:
        values = df[c]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            lengths = values.dropna().astype(str).str.len()
            if not lengths.empty and int(lengths.max()) > limit:
                out.append(c)
    return out


def table_html(df: pd.DataFrame, *, max_rows: int = 40, link_columns: tuple[str, ...] = ("url",),
               caption: str | None = None, blocks: bool | None = None) -> str:
    """An escaped HTML table of the first ``max_rows`` rows of a frame.

    Long free-text columns (see :func:`long_text_columns`) are laid out as readable blocks:
    each record's short fields on one row, and each long text on its own full-width row under
    them, so that a sentence is never squeezed into a column a few characters wide (in HTML
    and in print). ``blocks=False`` keeps the plain grid.
    """
    shown = df.head(max_rows)
    long_cols = long_text_columns(shown) if blocks is not False else []
    if len(long_cols) == len(shown.columns):
        long_cols = long_cols[1:]  # keep one column on the field row
    short_cols = [c for c in shown.columns if c not in long_cols]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in short_cols)
    rows = []
    for record in shown.to_dict("records"):
        cells = "".join(f"<td>{_cell(record[c], column=c, link_columns=link_columns)}</td>" for c in short_cols)
        if not long_cols:
            rows.append(f"<tr>{cells}</tr>")
            continue
        parts = [f"<tr class='record-fields'>{cells}</tr>"]
        for c in long_cols:
            value = _cell(record[c], column=c, link_columns=link_columns)
            if value:
                label = f"<span class='block-label'>{html.escape(str(c))}</span> " if len(long_cols) > 1 else ""
                parts.append(f"<tr class='record-text'><td colspan='{len(short_cols)}'>{label}{value}</td></tr>")
        rows.append(f"<tbody class='record'>{''.join(parts)}</tbody>")
    body = "".join(rows) if long_cols else f"<tbody>{''.join(rows)}</tbody>"
    more = ""
    if len(df) > max_rows:
        more = f"<p class='analysis-caption'>Showing {max_rows:,} of {len(df):,} rows; the full table is in the run's data folder.</p>"
    cap = f"<p class='analysis-caption'>{html.escape(caption)}</p>" if caption else ""
    if long_cols:
        note = ("<p class='analysis-caption'>Under each row: its "
                + html.escape(", ".join(map(str, long_cols))) + ".</p>")
        cap = cap + note
    cls = "analysis-table blocks" if long_cols else "analysis-table"
    return f"{cap}<table class='{cls}'><thead><tr>{head}</tr></thead>{body}</table>{more}"


def show_table(df: pd.DataFrame, *, max_rows: int = 40, caption: str | None = None,
               link_columns: tuple[str, ...] = ("url",), blocks: bool | None = None) -> None:
    """Display a frame as an escaped HTML table (long texts as blocks, see :func:`table_html`),
    or a thin-data sentence (:class:`analysis.thin.ThinData`)."""
    if not isinstance(df, pd.DataFrame):
        display(df)
        return
    display(HTML(table_html(df, max_rows=max_rows, caption=caption, link_columns=link_columns, blocks=blocks)))


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


def findings_html(findings, *, note_text: str | None = None) -> str:
    """The tested findings as an escaped numbered table, or the thin-data sentence saying why there are none.

    Args:
        findings: The sentences (a list), or a :class:`analysis.thin.ThinData` when none is reported.
        note_text: How the findings were tested, shown under them.
    """
    from analysis.thin import is_thin

    cap = f"<p class='finding-note'>{html.escape(note_text)}</p>" if note_text else ""
    if is_thin(findings):
        return findings._repr_html_() + cap
    if not findings:
        return cap
    rows = "".join(f"<tr><td class='n'>{i}</td><td>{html.escape(s)}</td></tr>" for i, s in enumerate(findings, 1))
    return f"<table class='analysis-table finding-list'><tbody>{rows}</tbody></table>{cap}"


def show_findings(findings, *, note_text: str | None = None) -> None:
    """Display the tested findings (see :func:`findings_html`)."""
    display(HTML(findings_html(findings, note_text=note_text)))


def story_sides_html(sides: pd.DataFrame, *, per_table: int = 3) -> str:
    """A story side by side: one column per source (``per_table`` sources per table), escaped.

    ``sides`` has one row per field (index) and one column per source, as from
    :func:`analysis.stories.story_sides`.
    """
    if sides.empty or not len(sides.columns):
        return ""
    parts = []
    sources = list(sides.columns)
    for start in range(0, len(sources), per_table):
        chunk = sources[start:start + per_table]
        head = "<th class='field'></th>" + "".join(f"<th>{html.escape(str(s))}</th>" for s in chunk)
        body = "".join(
            f"<tr><th class='field'>{html.escape(str(field))}</th>"
            + "".join(f"<td>{html.escape(str(row[s]))}</td>" for s in chunk) + "</tr>"
            for field, row in sides[chunk].iterrows())
        parts.append(f"<table class='analysis-table story-sides'><thead><tr>{head}</tr></thead>"
                     f"<tbody>{body}</tbody></table>")
    return "".join(parts)


def show_story(title: str, sides: pd.DataFrame, disagreements: pd.DataFrame | None = None, *,
               subtitle: str = "", level: int = 3) -> None:
    """One story: its title, the sources side by side, and the figures they disagree on."""
    sub = f"<p class='analysis-caption'>{html.escape(subtitle)}</p>" if subtitle else ""
    out = [f"<div class='story-head'><h{level}>{html.escape(title)}</h{level}>{sub}</div>", story_sides_html(sides)]
    if disagreements is not None and not disagreements.empty:
        items = "".join(f"<div class='evidence'><span class='who'>{html.escape(str(r.measure))}</span>: "
                        f"{html.escape(str(r.values))}</div>" for r in disagreements.itertuples(index=False))
        out.append(f"<div class='conflict'><p><strong>Where the sources disagree</strong> (≠ above)</p>{items}</div>")
    display(HTML("".join(out)))
