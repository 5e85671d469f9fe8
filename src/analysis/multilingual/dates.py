"""Dates in non-English text, resolved against the publication date.

Absolute forms come from the lexicon's ``absolute_re`` patterns (10月30日, 10월 30일,
le 30 octobre, 30. Oktober). Month names (French, German) are read with ``dateparser`` in the
document's language; numeric CJK forms are read from the pattern's groups, since dateparser gives
a year-less 10月30日 the wrong year (ja) or no date (zh). Conventions match ``analysis.timeline``:

- a month-day without a year takes the year that puts it nearest the publication date;
- a day alone (9日, 지난 10일) is the latest such day of the month on or before publication
  (with three days of slack), else of the month before; when the lexicon's ``future_after_re`` /
  ``future_before_re`` mark it as still to come (10일부터, 自10日起) it stays in the publication month;
- a weekday (周一, 月曜日, 월요일, lundi, Montag) is the latest one on or before publication, or
  the next one on or after it when marked as still to come (ab Mittwoch, dès jeudi);
  with a week word before it (上周五, 下周一) it is that day of the previous or next week;
- week words (上周, 先週, 지난주, la semaine dernière, letzte Woche) give the Monday of that
  week with precision ``week`` (not a timeline event); month and year words (上月, 来年, 내년,
  l’an prochain, nächstes Jahr) give months and years;
- durations (90天, 90日間, 90일간, 90 jours, 90 Tage) are not dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from analysis.multilingual.lexicon import LanguageRules, rules_for

DAY_SLACK = 3


@dataclass(frozen=True)
class DateHit:
    """A resolved date expression."""

    start: int
    end: int
    date: str
    precision: str
    expression: str
    explicit_year: bool = False


def _nearest_year(month: int, day: int | None, published: date) -> int:
    cands = []
    for y in (published.year - 1, published.year, published.year + 1):
        try:
            cands.append(date(y, month, day or 1))
        except ValueError:
            continue
    pub = published if day else date(published.year, published.month, 1)
    return min(cands, key=lambda c: (abs((c - pub).days), c < pub)).year if cands else published.year


def _shift_month(year: int, month: int, months: int) -> tuple[int, int]:
    idx = year * 12 + month - 1 + months
    return idx // 12, idx % 12 + 1


def _day_only(day: int, published: date, *, months_back: int = 0, future: bool = False) -> date | None:
    y, m = _shift_month(published.year, published.month, -months_back)
    if not months_back and not future and day > published.day + DAY_SLACK:
        y, m = _shift_month(published.year, published.month, -1)
    try:
        return date(y, m, day)
    except ValueError:
        return None


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class _Compiled:
    absolute: tuple[re.Pattern, ...]
    weekday: re.Pattern | None
    relative: tuple[tuple[str, re.Pattern, dict], ...]
    months: dict


@lru_cache(maxsize=16)
def _compiled(code: str) -> _Compiled:
    rules = rules_for(code)
    d = rules.dates
    flags = re.I if rules.latin else 0
    months = {str(k).casefold(): int(v) for k, v in (d.get("months") or {}).items()}
    month_alt = _alt(d.get("months") or {}) or "(?!x)x"
    absolute = tuple(re.compile(p.replace("{MONTHS}", month_alt), flags) for p in d.get("absolute_re") or ())
    wd = d.get("weekdays") or {}
    weekday = None
    if wd:
        prefix = d.get("week_prefix") or {}
        pre = f"(?P<prefix>{_alt(prefix)})?" if prefix else ""
        b1, b2 = (r"(?<![\w])", r"(?![\w])") if rules.latin else ("", "")
        weekday = re.compile(f"{b1}{pre}(?P<wd>{_alt(wd)}){b2}", flags)
    relative = []
    for unit in ("week", "month", "year", "day"):
        words = (d.get("relative") or {}).get(unit) or {}
        if words:
            b1, b2 = (r"(?<![\w’'])", r"(?![\w])") if rules.latin else ("", "")
            relative.append((unit, re.compile(f"{b1}(?:{_alt(words)}){b2}", flags),
                             {str(k).casefold(): int(v) for k, v in words.items()}))
    return _Compiled(absolute, weekday, tuple(relative), months)


def _dateparser(expr: str, rules: LanguageRules, published: date):
    import datetime as dt

    import dateparser

    try:
        return dateparser.parse(expr, languages=[rules.dateparser_language.split("-")[0]],
                                settings={"RELATIVE_BASE": dt.datetime(published.year, published.month, published.day),
                                          "PREFER_DAY_OF_MONTH": "first"})
    except (ValueError, TypeError, OverflowError):
        return None


def _month_num(value: str, comp: _Compiled) -> int | None:
    if value.isdigit():
        return int(value)
    return comp.months.get(value.casefold())


def find_dates(text: str, code: str, published: date | None) -> list[DateHit]:
    """Every date expression of a text in a lexicon language, resolved.

    Args:
        text: A sentence or a document.
        code: The lexicon language code.
        published: Publication date (relative expressions are skipped without it).

    Returns:
        Non-overlapping hits in text order.
    """
    rules = rules_for(code)
    comp = _compiled(code)
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return not any(a < e and s < b for a, b in taken)

    def add(h: DateHit) -> None:
        hits.append(h)
        taken.append((h.start, h.end))

    for rx in comp.absolute:
        for m in rx.finditer(text):
            if not free(m.start(), m.end()):
                continue
            h = _absolute(m, rules, comp, published, _future(text, m.start(), m.end(), rules))
            if h is not None:
                add(h)
    if published is not None:
        if comp.weekday is not None:
            prefixes = {str(k).casefold(): int(v) for k, v in (rules.dates.get("week_prefix") or {}).items()}
            wdays = {str(k).casefold(): int(v) for k, v in (rules.dates.get("weekdays") or {}).items()}
            for m in comp.weekday.finditer(text):
                if not free(m.start(), m.end()):
                    continue
                wd = wdays[m.group("wd").casefold()]
                pre = m.groupdict().get("prefix")
                if pre:
                    week_start = published - timedelta(days=published.weekday())
                    d = week_start + timedelta(days=7 * prefixes[pre.casefold()] + wd)
                elif _future(text, m.start(), m.end(), rules):
                    d = published + timedelta(days=(wd - published.weekday()) % 7)
                else:
                    d = published - timedelta(days=(published.weekday() - wd) % 7)
                add(DateHit(m.start(), m.end(), d.isoformat(), "day", m.group()))
        for unit, rx, words in comp.relative:
            for m in rx.finditer(text):
                if not free(m.start(), m.end()):
                    continue
                add(_relative(m, unit, words[m.group().casefold()], published))
    hits.sort(key=lambda h: h.start)
    return hits


def _future(text: str, start: int, end: int, rules: LanguageRules) -> bool:
    """Whether the words around a date say it is still to come ("ab Mittwoch", "10일부터", "dès jeudi")."""
    d = rules.dates
    after, before = d.get("future_after_re"), d.get("future_before_re")
    return bool((after and re.match(after, text[end:end + 12], rules.flags)) or
                (before and re.search(before + r"$", text[max(0, start - 16):start], rules.flags)))


def _absolute(m: re.Match, rules: LanguageRules, comp: _Compiled, published: date | None,
              future: bool = False) -> DateHit | None:
    g = {k: v for k, v in m.groupdict().items() if v}
    expr = m.group()
    year = int(g["year"]) if "year" in g else None
    if "lastmonthday" in g:
        if published is None:
            return None
        d = _day_only(int(g["lastmonthday"]), published, months_back=1)
        return DateHit(m.start(), m.end(), d.isoformat(), "day", expr) if d else None
    month = _month_num(g["month"], comp) if "month" in g else None
    day = (1 if g["day"].lower() == "1er" else int(g["day"])) if "day" in g else None
    if month is not None and not g["month"].isdigit() and published is not None and day is not None:
        parsed = _dateparser(expr[m.start("day") - m.start():], rules, published)
        if parsed is not None:  # dateparser reads the month name in the document's language
            month, day = parsed.month, parsed.day
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    if month is None and day is None:
        if year is None:
            return None
        return DateHit(m.start(), m.end(), f"{year:04d}", "year", expr, True)
    if month is None:
        if published is None:
            return None
        d = _day_only(day, published, future=future)
        return DateHit(m.start(), m.end(), d.isoformat(), "day", expr) if d else None
    if year is None:
        if published is None:
            return None
        year = _nearest_year(month, day, published)
    if day is None:
        return DateHit(m.start(), m.end(), f"{year:04d}-{month:02d}", "month", expr, "year" in g)
    try:
        return DateHit(m.start(), m.end(), date(year, month, day).isoformat(), "day", expr, "year" in g)
    except ValueError:
        return None


def _relative(m: re.Match, unit: str, offset: int, published: date) -> DateHit:
    if unit == "day":
        return DateHit(m.start(), m.end(), (published + timedelta(days=offset)).isoformat(), "day", m.group())
    if unit == "week":
        monday = published - timedelta(days=published.weekday()) + timedelta(days=7 * offset)
        return DateHit(m.start(), m.end(), monday.isoformat(), "week", m.group())
    if unit == "month":
        y, mo = _shift_month(published.year, published.month, offset)
        return DateHit(m.start(), m.end(), f"{y:04d}-{mo:02d}", "month", m.group())
    return DateHit(m.start(), m.end(), f"{published.year + offset:04d}", "year", m.group())
