"""Display helpers for report notebooks: escaped tables, captions and evidence blocks.

Article text is untrusted. Everything shown here is HTML-escaped, and only
``http``/``https`` URLs become links.
"""

from __future__ import annotations

import html
import re
from typing import Literal

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


PARAGRAPH_MARK = "¶"
"""Shown where a text had a paragraph break (one line of a table cannot hold one)."""
ELLIPSIS = "…"
DEFAULT_ROWS = 25
"""Rows shown of a frame displayed without ``max_rows``."""
LONG_TEXT = 60
"""A text column with a value longer than this many characters wraps at a reading width."""
SHORT_TEXT = 16
"""A text column whose values are all this short never wraps (dates, codes, rates)."""
DISPLAY_ATTR = "analysis_display"
"""Key in ``DataFrame.attrs`` that marks a frame for :func:`table_html` (layout and total rows)."""

_PARAGRAPH = re.compile(r"[ \t]*(?:\r?\n|\r)[ \t]*(?:(?:\r?\n|\r)[ \t]*)+")
_SPACE = re.compile(r"\s+")

Layout = Literal["table", "kwic"]


def flatten(text: object) -> str:
    """One line of text: paragraph breaks become `` ¶ ``, other runs of white space one space."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return ""
    return _SPACE.sub(" ", _PARAGRAPH.sub(f" {PARAGRAPH_MARK} ", str(text))).strip()


def shorten(text: object, width: int, *, keep: Literal["start", "end"] = "start") -> str:
    """Text of at most ``width`` characters, cut at a word boundary, with "…" where it was cut.

    Args:
        text: Any text; paragraph breaks are flattened first (see :func:`flatten`).
        width: Most characters returned, the "…" included.
        keep: ``start`` keeps the beginning (cut at the end); ``end`` keeps the end (cut at the start),
            as for the left context of a keyword.
    """
    flat = flatten(text)
    if len(flat) <= width:
        return flat
    room = max(1, width - 1)
    if keep == "start":
        cut = flat[:room]
        if flat[room] != " " and " " in cut:
            cut = cut[:cut.rindex(" ")]
        return cut.rstrip(" ,;:¶") + ELLIPSIS
    cut = flat[-room:]
    if flat[-room - 1] != " " and " " in cut:
        cut = cut[cut.index(" ") + 1:]
    return ELLIPSIS + cut.lstrip(" ,;:¶")


def for_display(df: pd.DataFrame, *, layout: Layout = "table", total: int | None = None) -> pd.DataFrame:
    """Mark a frame to display for reading (see :func:`table_html`) when it is shown in a notebook.

    Args:
        df: The frame; returned itself, with ``attrs`` set.
        layout: ``kwic`` centres a ``left, match, right`` keyword in context; ``table`` is a plain table.
        total: Rows there are in all, when ``df`` holds only the first of them.
    """
    df.attrs[DISPLAY_ATTR] = {"layout": layout, "total": int(total if total is not None else len(df))}
    _register_formatter()
    return df


def _register_formatter() -> None:
    """Show marked frames with :func:`table_html` in IPython; other frames as pandas shows them."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/html"]
    if formatter.type_printers.get(pd.DataFrame) is not _frame_html:
        formatter.for_type(pd.DataFrame, _frame_html)


def _frame_html(df: pd.DataFrame) -> str | None:
    if DISPLAY_ATTR in df.attrs:
        return table_html(df, max_rows=DEFAULT_ROWS)
    return df._repr_html_()


def _is_number(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _format(value, *, column: str, link_columns: tuple[str, ...]) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return ""
    if column in link_columns:
        return safe_link(str(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return html.escape(_LIST_SEP.sub("; ", flatten(value)))


_LIST_SEP = re.compile(r";(?=\S)")
"""Semicolons that join list items in the tables (``autos;steel``); shown with a space so lines can break."""

_TABLE_STYLE = ("border-collapse:collapse;table-layout:auto;width:auto;max-width:100%;margin:4px 0 6px 0;"
                "font-size:12px;line-height:1.35")
_CELL = "padding:3px 8px;vertical-align:top;border-bottom:1px solid #ddd;"
_HEAD = _CELL + "background:#f3f6f9;font-weight:600;white-space:nowrap;"
_STYLE = {
    "text": _CELL + "text-align:left;white-space:normal;",
    "short": _CELL + "text-align:left;white-space:nowrap;",
    "number": _CELL + "text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;",
    "left": _CELL + "text-align:right;white-space:nowrap;",
    "match": _CELL + "text-align:center;white-space:nowrap;font-weight:600;",
    "right": _CELL + "text-align:left;white-space:nowrap;",
}
_WRAP = "min-width:40ch;max-width:80ch;overflow-wrap:anywhere"


def _kinds(shown: pd.DataFrame, layout: Layout) -> dict[str, str]:
    kinds = {}
    for c in shown.columns:
        if layout == "kwic" and c in ("left", "match", "right"):
            kinds[c] = str(c)
        elif _is_number(shown[c]):
            kinds[c] = "number"
        else:
            longest = max((len(flatten(v)) for v in shown[c]), default=0)
            kinds[c] = "long" if longest > LONG_TEXT else "short" if longest <= SHORT_TEXT else "text"
    return kinds


def rows_note(shown: int, total: int) -> str:
    """"Showing 25 of 312 rows." (or "312 rows." when every row is shown)."""
    if shown < total:
        return f"Showing {shown:,} of {total:,} rows."
    return f"{total:,} row{'s' if total != 1 else ''}."


def _blocks_html(shown: pd.DataFrame, kinds: dict[str, str], cell, long_cols: list[str]) -> tuple[str, str]:
    """Head and body of a table whose long texts print as blocks under each record's fields."""
    short_cols = [c for c in shown.columns if c not in long_cols]
    head = "".join(
        f"<th style='{_HEAD}text-align:{'right' if kinds[c] == 'number' else 'left'}'>{html.escape(str(c))}</th>"
        for c in short_cols)
    records = []
    for record in shown.to_dict("records"):
        parts = ["<tr class='record-fields'>" + "".join(cell(record[c], c) for c in short_cols) + "</tr>"]
        for c in long_cols:
            value = _format(record[c], column=c, link_columns=())
            if value:
                label = f"<span class='block-label'>{html.escape(str(c))}:</span> " if len(long_cols) > 1 else ""
                parts.append(f"<tr class='record-text'><td colspan='{len(short_cols)}' style='{_STYLE['text']}"
                             f"padding-left:20px'>{label}{value}</td></tr>")
        records.append(f"<tbody class='record'>{''.join(parts)}</tbody>")
    return head, "".join(records)


def table_html(df: pd.DataFrame, *, max_rows: int = 40, link_columns: tuple[str, ...] = ("url",),
               caption: str | None = None, layout: Layout | None = None, blocks: bool | None = None) -> str:
    """An escaped HTML table of the first ``max_rows`` rows of a frame, laid out for reading.

    Text is left-aligned and long text wraps at a reading width; numbers are right-aligned;
    paragraph breaks show as ¶. A keyword in context (``layout="kwic"``, the default for frames
    from :func:`analysis.explore.kwic`) is centred on the match, its left context right-aligned
    and its right context left-aligned. A line above the table says how many rows are shown
    of how many. Inline styles make it look the same in JupyterLab, VS Code and the reports.

    In the reports (HTML and PDF), a plain table with long free text (a sentence, a quote) beside
    other fields shows that text as a block: the record's fields on one row, and the text on its
    own full-width row under them, never as a column a few characters wide. ``blocks`` forces
    (True) or refuses (False) that layout anywhere; in JupyterLab the text wraps in its column.
    """
    marked = df.attrs.get(DISPLAY_ATTR) or {}
    layout = layout or marked.get("layout") or "table"
    total = max(int(marked.get("total", len(df))), len(df))
    shown = df.head(max_rows)
    kinds = _kinds(shown, layout)

    def cell(value, column) -> str:
        kind = kinds[column]
        text = _format(value, column=column, link_columns=link_columns)
        if kind == "long":
            return f"<td style='{_STYLE['text']}'><div style='{_WRAP}'>{text}</div></td>"
        return f"<td style='{_STYLE[kind]}'>{text}</td>"

    long_cols = [c for c in shown.columns if kinds[c] == "long" and c not in link_columns]
    wanted = _in_report() if blocks is None else blocks
    as_blocks = bool(wanted and layout == "table" and long_cols and len(long_cols) < len(shown.columns))
    if as_blocks:
        head, body = _blocks_html(shown, kinds, cell, long_cols)
        layout_class = f"analysis-{layout} blocks"
    else:
        head = "".join(
            f"<th style='{_HEAD}text-align:{'right' if kinds[c] in ('number', 'left') else 'center' if kinds[c] == 'match' else 'left'}'>"
            f"{html.escape(str(c))}</th>" for c in shown.columns)
        body = "<tbody>" + "".join(
            "<tr>" + "".join(cell(v, c) for c, v in zip(shown.columns, row, strict=True)) + "</tr>"
            for row in shown.itertuples(index=False, name=None)
        ) + "</tbody>"
        layout_class = f"analysis-{layout}"
    note_text = rows_note(len(shown), total)
    if as_blocks:
        note_text += f" Under each row: its {', '.join(map(str, long_cols))}."
    if len(shown) < total and _in_report():
        note_text += " The full table is in the run's data folder."
    cap = f"<p class='analysis-caption'>{html.escape(caption)}</p>" if caption else ""
    count = f"<p class='analysis-caption analysis-rows' style='margin:2px 0;color:#555'>{html.escape(note_text)}</p>"
    return (f"{cap}{count}<div class='analysis-table-wrap' style='overflow-x:auto;max-width:100%'>"
            f"<table class='analysis-table {layout_class}' style='{_TABLE_STYLE}'><thead><tr>{head}</tr></thead>"
            f"{body}</table></div>")


def _in_report() -> bool:
    from analysis.render import chart_context

    return chart_context() == "report"


def show_table(df: pd.DataFrame, *, max_rows: int = 40, caption: str | None = None,
               link_columns: tuple[str, ...] = ("url",), layout: Layout | None = None,
               blocks: bool | None = None) -> None:
    """Display a frame as an escaped HTML table laid out for reading (see :func:`table_html`),
    or a thin-data sentence (:class:`analysis.thin.ThinData`)."""
    if not isinstance(df, pd.DataFrame):
        display(df)
        return
    display(HTML(table_html(df, max_rows=max_rows, caption=caption, link_columns=link_columns, layout=layout,
                            blocks=blocks)))


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
