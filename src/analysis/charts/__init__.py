"""Chart factories: functions that return ``alt.Chart`` objects for the notebooks.

Conventions every factory follows:
- data is aggregated before charting (top-N or binned), so no chart embeds thousands of rows;
- every chart has a title (with a one-line subtitle saying what it shows), axis titles and tooltips;
- the house theme is registered once, here.

Factories are grouped by report section: :mod:`analysis.charts.coverage` (documents,
terms, actors), :mod:`analysis.charts.voices` (quotes, tone, topics, frames,
similarity) and :mod:`analysis.charts.facts` (claims, timeline, conflicts).
"""

from __future__ import annotations

import altair as alt

from analysis.thin import ThinData

FONT = "Noto Sans, Noto Sans CJK SC, DejaVu Sans, sans-serif"
PALETTE = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#2e4057", "#c2847a",
           "#5c946e", "#a05c34"]
WIDTH = 560
MAX_ROWS = 5000


def _theme() -> dict:
    return {
        "config": {
            "font": FONT,
            "view": {"continuousWidth": WIDTH, "continuousHeight": 300, "stroke": None},
            "title": {"anchor": "start", "fontSize": 15, "subtitleFontSize": 11, "subtitleColor": "#555",
                      "offset": 10},
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "gridColor": "#e6e6e6", "labelLimit": 220},
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 220},
            "range": {"category": PALETTE},
        }
    }


@alt.theme.register("analysis", enable=True)
def house_theme() -> alt.theme.ThemeConfig:
    """The house theme: readable fonts (with CJK fallbacks), a muted palette, no chart border."""
    return alt.theme.ThemeConfig(_theme())


def thin(empty: str | None, default: str) -> ThinData:
    """The sentence a factory returns instead of a chart: ``empty`` when given (see
    :func:`analysis.thin.reason`), else ``default``."""
    return ThinData(empty or default)


def titled(text: str, subtitle: str) -> alt.TitleParams:
    """A chart title with a subtitle sentence saying what the chart shows."""
    return alt.TitleParams(text=text, subtitle=subtitle)
