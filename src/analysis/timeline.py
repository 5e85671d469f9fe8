"""Dates and events: every date a document mentions, resolved against its publication date.

Conventions (documented here because they are choices, not facts):

- Output dates are ``YYYY-MM-DD`` (precision ``day``), ``YYYY-MM`` (``month``) or ``YYYY`` (``year``).
- A month-day without a year ("April 22nd", "July 9") takes the year that puts it nearest the
  publication date, unless the clause has a clear tense: future ("will", "set to", "scheduled to")
  picks the first occurrence on or after the publication date (less 7 days of slack, since
  publication dates are often approximate), past ("was", "had", "ago", "earlier") the last occurrence
  on or before it (plus 7 days of slack). A bare month ("in April", "early April") follows the same rule
  at month level.
- Weekdays: "on Monday"/"Monday" is the most recent Monday on or before the publication date (news
  reports past events), or the first one on or after it when the clause is in the future tense.
  "last Wednesday" is the Wednesday of the previous (Monday-first) week, "next Wednesday" that of the
  following week, "this Wednesday" that of the publication week.
- "this month", "earlier this month", "last month", "next month" resolve to months; "this year",
  "last year" to years; seasons ("earlier this summer") to their middle month (northern
  hemisphere: spring April, summer July, autumn/fall October, winter January).
- "today", "tonight", "last night", "this morning" are the publication day (the day before for
  "last night"); "yesterday" and "tomorrow" the days either side.
- Weeks: "last week", "this week", "next week", "the past week" resolve to the Monday of that
  week, precision ``week``. Weekends ("the weekend", "this weekend", "both days of the weekend")
  give their Saturday and Sunday (see :func:`resolve_weekend`).
- Day ranges ("June 9 and 10, 2025", "July 28-29") give each day.
- The tense of a clause is read outside its quotation marks: "promised in November to “sign
  documents that will …”" is past. A date after "since" starts a period, so it is in the past
  whatever the tense ("tariffs in place since April will be cut").
- Vague expressions ("a few days ago", "five years", "the 20th century") and durations ("90-day")
  are not events and are dropped.
- A document without a publication date gets only dates with an explicit year; its id is logged
  (warning) and listed in ``events.attrs["undated_doc_ids"]`` (see also :func:`undated_docs`).

Candidates come from regular expressions over each sentence plus the spaCy DATE entities in
``ann.entities``: an entity licenses a bare month or year that has no preposition before it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from analysis import config
from analysis.annotate import is_english

log = logging.getLogger(__name__)

EVENT_COLUMNS = ["doc_id", "date", "precision", "sentence_index", "sentence", "expression", "relation"]
SLACK_DAYS = 7

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
            "sunday": 6}
SEASON_MONTH = {"spring": 4, "summer": 7, "autumn": 10, "fall": 10, "winter": 1}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10}

_MONTH_NAMES = ("January|February|March|April|May|June|July|August|September|October|November|December|"
                "Jan\\.?|Feb\\.?|Mar\\.?|Apr\\.?|Jun\\.?|Jul\\.?|Aug\\.?|Sept\\.?|Sep\\.?|Oct\\.?|Nov\\.?|Dec\\.?")
_M = rf"(?P<month>{_MONTH_NAMES})"
_Y = r"(?P<year>(?:19|20)\d\d)"
_D = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_MOD = r"(?P<mod>early|mid|late|the end of|the beginning of|the start of|end of|beginning of|start of)"
_PREP = (r"(?:\b(?:in|since|by|until|till|from|through|during|before|after|of|as|to|between|and|or|"
         r"around|throughout|into|early|mid|late|last|next|this|past)[\s-]+)")
_WD = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"

# Ordered: the first pattern to claim a span wins.
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mon>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("day_range", re.compile(rf"(?<![\w-]){_M}\s+{_D}\s*(?:-|–|and|to|through)\s*(?P<day2>[0-3]?\d)(?:st|nd|rd|th)?"
                             rf"(?![\d%])(?:,?\s+{_Y})?\b(?!\s*(?:%|percent|per cent))")),
    ("month_day", re.compile(rf"(?<![\w-]){_M}\s+{_D}(?![\d%])(?:,?\s+{_Y})?\b(?!\s*(?:%|percent|per cent))")),
    ("day_month", re.compile(rf"\b{_D}\s+(?:of\s+)?{_M}(?:,?\s+{_Y})?\b")),
    ("month_year", re.compile(rf"(?<![\w-])(?:{_MOD}[\s-]+)?{_M}(?:,?\s+|\s+of\s+){_Y}\b")),
    ("month", re.compile(rf"(?<![\w-])(?:{_MOD}[\s-]+)?{_M}\b(?!\s*\d)(?!-)")),
    ("season", re.compile(r"\b(?P<rel>earlier |later |)(?P<which>this|last|next|the past|the coming)\s+"
                          r"(?P<season>spring|summer|autumn|fall|winter)\b", re.I)),
    ("season_year", re.compile(rf"\b(?:the\s+)?(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?{_Y}\b",
                               re.I)),
    ("rel_month", re.compile(r"\b(?P<rel>earlier |later |)(?P<which>this|last|next|the previous|the past|"
                             r"the coming|the following)\s+month\b", re.I)),
    ("rel_year", re.compile(r"\b(?P<rel>earlier |later |)(?P<which>this|last|next|the previous|the past|"
                            r"the coming|the following)\s+year\b", re.I)),
    ("year", re.compile(rf"(?:{_MOD}[\s-]+)?{_Y}\b(?![-\d])(?!\s*(?:points?|pts|%|percent|per cent|billion|"
                        r"million|tons?|tonnes|units|yuan|dollars|euros|won|yen|people|workers|companies))")),
    ("weekday", re.compile(rf"(?:\b(?P<which>last|this|next|this past|this coming|coming|past)\s+)?{_WD}\b")),
    ("deictic", re.compile(r"\b(?P<word>yesterday|tomorrow|today|tonight|last night|this morning|"
                           r"this afternoon|this evening|earlier today|later today)\b", re.I)),
    ("weekend", re.compile(r"\b(?:(?P<both>both days of )?(?P<which>this past|this coming|this|last|next|the past|"
                           r"the coming|the)\s+)weekend\b", re.I)),
    ("rel_week", re.compile(r"\b(?P<rel>earlier |later |)(?P<which>this past|this|last|next|the past|the previous|"
                            r"the coming|the following)\s+week\b", re.I)),
    ("rel_n", re.compile(r"\b(?:(?P<n1>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a few|several)\s+"
                         r"(?P<unit1>weeks?|months?)\s+(?:ago|earlier|later|from now)|in\s+(?P<n2>\d{1,2}|a|an|one|two|"
                         r"three|four|five|six|seven|eight|nine|ten)\s+(?P<unit2>days?|weeks?|months?)(?:['’]\s*time)?)\b",
                         re.I)),
    ("days_ago", re.compile(r"\b(?P<n>\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+days?\s+"
                            r"(?P<dir>ago|earlier|before|later|from now)\b", re.I)),
]

_PREP_BEFORE = re.compile(_PREP + r"$", re.I)
# "the new rates would take effect on Wednesday", "rules that take effect December 1": a scheduled
# start (present or conditional tense; "took effect" and "had taken effect" are past).
_TAKES_EFFECT_BEFORE = re.compile(r"(?<![\w'])(?:take|takes|taking|go into|goes into|come into|comes into)\s+"
                                  r"(?:effect|force)\s+(?:on\s+|from\s+)?$", re.I)
# "a tariff on Chinese goods from November 1", "starting April 10": the start of a period.
_STARTS_BEFORE = re.compile(r"(?<![\w'])(?:from|starting|beginning|effective|as of)\s+(?:on\s+)?$", re.I)
START_AHEAD_DAYS = 92
_DATEISH = re.compile(
    r"\b(?:(?:19|20)\d\d|January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|month|year|spring|summer|autumn|fall|winter|yesterday|tomorrow|days?|today|tonight|"
    r"night|morning|afternoon|evening|week|weekend)\b", re.I)
_CLAUSE_SPLIT = re.compile(r"[;,:—–]|\bwhile\b|\bwhereas\b|\bbut\b|\bthat\b|\bwhich\b|\bafter\b|\bbefore\b")


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a text, resolved to a calendar date."""

    start: int
    end: int
    expression: str
    date: str
    precision: str
    explicit_year: bool


@lru_cache(maxsize=4)
def _cues(path: str | None = None) -> tuple[re.Pattern, re.Pattern]:
    source = config.LEXICON_DIR / "claims.yaml" if path is None else Path(path)
    data = yaml.safe_load(source.read_text(encoding="utf-8"))

    def alt(words: Iterable[str]) -> re.Pattern:
        forms = sorted((re.escape(w) for w in words), key=len, reverse=True)
        return re.compile(r"(?<![\w'])(?:" + "|".join(forms) + r")(?![\w])", re.I)

    return alt(data.get("future_cues", [])), alt(data.get("past_cues", []))


def clause_tense(text: str) -> str:
    """The tense a clause signals: 'future', 'past' or '' when unclear.

    Future cues ("will", "set to", "scheduled to") win over past cues ("was", "had", "ago"); a
    word ending in -ed that is not followed by "to" also counts as past.

    Args:
        text: A clause or sentence.

    Returns:
        'future', 'past' or ''.
    """
    future, past = _cues()
    if future.search(text):
        return "future"
    if past.search(text) or re.search(r"\b[a-z]{3,}ed\b(?!\s+to\b)", text):
        return "past"
    return ""


def _clause_around(text: str, start: int, end: int) -> str:
    """The clause of ``text`` holding the span [start, end): cut at punctuation and conjunctions."""
    left = 0
    for m in _CLAUSE_SPLIT.finditer(text, 0, start):
        left = m.end()
    m = _CLAUSE_SPLIT.search(text, end)
    right = m.start() if m else len(text)
    clause = text[left:right]
    # A clause of only the date itself ("On Monday,") borrows the next clause.
    if len(re.findall(r"[A-Za-z]+", clause)) <= 4 and m:
        m2 = _CLAUSE_SPLIT.search(text, m.end())
        clause = text[left:m2.start() if m2 else len(text)]
    return clause


def pick_year(month: int, day: int | None, published: date, tense: str) -> int:
    """The year of a month(-day) without a year, given the publication date and the clause tense.

    Args:
        month: Month number.
        day: Day of month, or None for a whole month.
        published: Publication date.
        tense: 'future', 'past' or ''.

    Returns:
        The chosen year.
    """
    cands = []
    for y in (published.year - 1, published.year, published.year + 1):
        try:
            cands.append(date(y, month, day or 1))
        except ValueError:
            continue
    if not cands:
        raise ValueError(f"no valid date for month {month} day {day}")
    if day is None:
        pub = date(published.year, published.month, 1)
        slack = timedelta(0)
    else:
        pub, slack = published, timedelta(days=SLACK_DAYS)
    if tense == "future":
        later = [c for c in cands if c >= pub - slack]
        if later:
            return min(later).year
    elif tense == "past":
        earlier = [c for c in cands if c <= pub + slack]
        if earlier:
            return max(earlier).year
    return min(cands, key=lambda c: (abs((c - pub).days), c < pub)).year


def resolve_weekday(weekday: int, published: date, *, which: str = "", tense: str = "") -> date:
    """Resolve a weekday reference against the publication date (see the module conventions).

    Args:
        weekday: 0 = Monday … 6 = Sunday.
        published: Publication date.
        which: The modifier: '', 'last', 'this', 'next', 'this past', 'coming', ...
        tense: Clause tense, used when there is no modifier.

    Returns:
        The resolved date.
    """
    which = which.lower()
    week_start = published - timedelta(days=published.weekday())
    if which == "last":
        return week_start - timedelta(days=7) + timedelta(days=weekday)
    if which == "next":
        return week_start + timedelta(days=7 + weekday)
    if which == "this":
        return week_start + timedelta(days=weekday)
    if which in ("this coming", "coming") or (not which and tense == "future"):
        return published + timedelta(days=(weekday - published.weekday()) % 7)
    return published - timedelta(days=(published.weekday() - weekday) % 7)


def _relative_by_dateparser(expression: str, published: date, unit: str) -> tuple[str, str, bool] | None:
    """ "two weeks ago", "in three months": counted by ``dateparser`` from the publication date.

    ``dateparser`` is right on counted offsets; the other relative expressions are resolved by
    this module's own rules because it gets them wrong for news (see the tests): it gives "next
    month" and "in July" a day, ignores the clause tense, and has no weekends or periods.
    Vague counts ("a few weeks ago") are left out.
    """
    if re.search(r"\b(?:a few|several)\b", expression, re.I):
        return None
    import dateparser

    got = dateparser.parse(expression, languages=["en"],
                           settings={"RELATIVE_BASE": datetime(published.year, published.month, published.day)})
    if got is None:
        return None
    d = got.date()
    unit = unit.lower().rstrip("s")
    if unit == "month":
        return f"{d.year:04d}-{d.month:02d}", "month", False
    if unit == "week":
        return (d - timedelta(days=d.weekday())).isoformat(), "week", False
    return d.isoformat(), "day", False


def _shift_month(d: date, months: int) -> tuple[int, int]:
    idx = d.year * 12 + d.month - 1 + months
    return idx // 12, idx % 12 + 1


def _month_num(name: str) -> int:
    return MONTHS[name.lower().rstrip(".")]


def _resolve(kind: str, m: re.Match, published: date | None, tense: str) -> tuple[str, str, bool] | None:
    """(date, precision, explicit_year) for one regex match, or None when it can't be resolved."""
    g = m.groupdict()
    year = int(g["year"]) if g.get("year") else None
    if kind == "iso":
        return f"{year:04d}-{int(g['mon']):02d}-{int(g['day']):02d}", "day", True
    if kind in ("month_day", "day_month"):
        month, day = _month_num(g["month"]), int(g["day"])
        if not 1 <= day <= 31:
            return None
        if year is None:
            if published is None:
                return None
            try:
                year = pick_year(month, day, published, tense)
            except ValueError:
                return None
        try:
            return date(year, month, day).isoformat(), "day", g.get("year") is not None
        except ValueError:
            return None
    if kind in ("month_year", "month"):
        month = _month_num(g["month"])
        if year is None:
            if published is None:
                return None
            year = pick_year(month, None, published, tense)
        return f"{year:04d}-{month:02d}", "month", g.get("year") is not None
    if kind == "year":
        return f"{year:04d}", "year", True
    if kind == "season_year":
        return f"{year:04d}-{SEASON_MONTH[g['season'].lower()]:02d}", "month", True
    if published is None:
        return None
    if kind == "season":
        which = g["which"].lower()
        offset = {"last": -1, "the past": -1, "next": 1, "the coming": 1}.get(which, 0)
        month = SEASON_MONTH[g["season"].lower()]
        y = published.year + offset
        if which == "last" and month > published.month:
            y = published.year - 1
        return f"{y:04d}-{month:02d}", "month", False
    if kind in ("rel_month", "rel_year"):
        which = g["which"].lower()
        offset = {"last": -1, "the previous": -1, "the past": -1, "next": 1, "the coming": 1,
                  "the following": 1}.get(which, 0)
        if kind == "rel_month":
            y, mo = _shift_month(published, offset)
            return f"{y:04d}-{mo:02d}", "month", False
        return f"{published.year + offset:04d}", "year", False
    if kind == "weekday":
        d = resolve_weekday(WEEKDAYS[g["weekday"].lower()], published, which=g.get("which") or "", tense=tense)
        return d.isoformat(), "day", False
    if kind == "deictic":
        word = g["word"].lower()
        delta = -1 if word in ("yesterday", "last night") else 1 if word == "tomorrow" else 0
        return (published + timedelta(days=delta)).isoformat(), "day", False
    if kind == "rel_week":
        which = g["which"].lower()
        offset = {"last": -1, "the previous": -1, "the past": -1, "this past": -1, "next": 1, "the coming": 1,
                  "the following": 1}.get(which, 0)
        monday = published - timedelta(days=published.weekday()) + timedelta(days=7 * offset)
        return monday.isoformat(), "week", False
    if kind == "rel_n":
        return _relative_by_dateparser(m.group(), published, g.get("unit1") or g.get("unit2") or "")
    if kind == "days_ago":
        n = g["n"].lower()
        n_days = int(n) if n.isdigit() else NUMBER_WORDS[n]
        sign = 1 if g["dir"].lower() in ("later", "from now") else -1
        return (published + timedelta(days=sign * n_days)).isoformat(), "day", False
    return None


_QUOTED = re.compile(r"“[^”]*”?|\"[^\"]*\"?")


def _without_quotes(clause: str) -> str:
    """The clause with quoted words removed: the reporting clause, not the quote, sets the tense."""
    return _QUOTED.sub(" ", clause)


def resolve_weekend(published: date, *, which: str = "", tense: str = "") -> date:
    """The Saturday of the weekend a phrase refers to ("this weekend", "last weekend", "the weekend").

    "this weekend" and "the weekend" are the weekend of the publication week when the page is
    published on it, else the one just past (past tense or no tense) or the next one (future
    tense); "last weekend" is the one before the publication week, "next weekend" the one after.
    """
    which = which.lower()
    saturday = published - timedelta(days=published.weekday()) + timedelta(days=5)
    if which in ("last", "the past", "this past"):
        return saturday - timedelta(days=7)
    if which in ("next", "the coming", "this coming"):
        return saturday + timedelta(days=7) if published.weekday() >= 5 else saturday
    if published.weekday() >= 5:
        return saturday
    return saturday if tense == "future" else saturday - timedelta(days=7)


def _multi(kind: str, m: re.Match, published: date | None, tense: str) -> list[DateMention]:
    """The days of a day range ("June 9 and 10, 2025", "July 28-29") or of a weekend."""
    g = m.groupdict()
    out = []
    if kind == "weekend":
        if published is None:
            return []
        sat = resolve_weekend(published, which=g.get("which") or "", tense=tense)
        days = [sat, sat + timedelta(days=1)]
        return [DateMention(m.start(), m.end(), m.group().strip(), d.isoformat(), "day", False) for d in days]
    month, year = _month_num(g["month"]), int(g["year"]) if g.get("year") else None
    for key in ("day", "day2"):
        day = int(g[key])
        if not 1 <= day <= 31:
            return out
        y = year
        if y is None:
            if published is None:
                return out
            try:
                y = pick_year(month, day, published, tense)
            except ValueError:
                return out
        try:
            out.append(DateMention(m.start(), m.end(), m.group().strip(), date(y, month, day).isoformat(), "day",
                                   year is not None))
        except ValueError:
            continue
    return out


def _start_tense(kind: str, m: re.Match, before: str, published: date | None, tense: str) -> str:
    """The tense of a date that starts something ("take effect on Wednesday", "from November 1").

    A date right after "take(s) effect" is future; one after "from"/"starting"/"effective" in a
    past-tense clause ("threatened a tariff from November 1") is future when its next occurrence
    falls within :data:`START_AHEAD_DAYS` of the publication date, else the clause tense stands.
    """
    if _TAKES_EFFECT_BEFORE.search(before):
        return "future"
    if tense != "past" or published is None or not _STARTS_BEFORE.search(before):
        return tense
    res = _resolve(kind, m, published, "future")
    if res is None:
        return tense
    try:
        when = date.fromisoformat(res[0] if len(res[0]) == 10 else res[0][:7] + "-01")
    except ValueError:
        return tense
    return "future" if 0 <= (when - published).days <= START_AHEAD_DAYS else tense


def find_dates(text: str, published: date | None, *, licensed: Iterable[tuple[int, int]] = ()) -> list[DateMention]:
    """Every resolvable date expression in a text.

    Args:
        text: The text (a sentence).
        published: The publication date, or None (then only dates with an explicit year resolve).
        licensed: Character spans (relative to ``text``) that a NER model labelled DATE; a bare
            month or year inside one counts even without a preposition before it.

    Returns:
        Date mentions in text order, non-overlapping.
    """
    licensed = list(licensed)
    taken: list[tuple[int, int]] = []
    out: list[DateMention] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text):
            s, e = m.span()
            if any(s < te and ts < e for ts, te in taken):
                continue
            if kind in ("month", "year") and not m.group("mod"):
                before = text[max(0, s - 25):s]
                has_prep = bool(_PREP_BEFORE.search(before))
                lic = any(ls <= s and e <= le for ls, le in licensed)
                # A bare "May" is too often the modal verb: it needs a preposition.
                if not has_prep and (not lic or m.group().strip() == "May"):
                    continue
            tense = clause_tense(_without_quotes(_clause_around(text, s, e)))
            if re.search(r"\b(?:since|ever since)\s+(?:early\s+|mid-?\s*|late\s+)?$", text[max(0, s - 20):s], re.I):
                tense = "past"  # "in place since April, will be cut": a period that began in the past
            elif kind in ("month_day", "day_month", "weekday", "month"):
                tense = _start_tense(kind, m, text[max(0, s - 30):s], published, tense)
            if kind in ("day_range", "weekend"):
                taken.append((s, e))
                out.extend(_multi(kind, m, published, tense))
                continue
            res = _resolve(kind, m, published, tense)
            taken.append((s, e))
            if res is None:
                continue
            out.append(DateMention(s, e, m.group().strip(), res[0], res[1], res[2]))
    return sorted(out, key=lambda d: d.start)


def parse_published(value: object) -> date | None:
    """A publication date from the documents frame ('YYYY-MM-DD', a date, or ''/None)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def undated_docs(docs: pd.DataFrame) -> list[str]:
    """Ids of documents without a usable publication date (relative dates can't be resolved)."""
    return [d for d, p in zip(docs["doc_id"], docs["published"], strict=True) if parse_published(p) is None]


def iter_segments(text: str) -> Iterable[tuple[int, str]]:
    """Split a sentence at line breaks (the sentence splitter sometimes joins paragraphs).

    Yields:
        (offset, segment) pairs with non-empty, stripped segments.
    """
    for m in re.finditer(r"[^\n]+", text):
        seg = m.group()
        lead = len(seg) - len(seg.lstrip())
        if seg.strip():
            yield m.start() + lead, seg.strip()


def _relation(value: str, published: date | None) -> str:
    if published is None:
        return ""
    pub = published.isoformat()[: len(value)]
    return "same" if value == pub else ("before" if value < pub else "after")


def extract_events(docs: pd.DataFrame, ann, *, keep_years: bool = True) -> pd.DataFrame:
    """Dated events: every date expression of every English document, resolved.

    Args:
        docs: The documents frame (doc_id, published, language, …).
        ann: :class:`analysis.annotate.Annotations` of those documents.
        keep_years: Keep year-only dates ("in 2022").

    Returns:
        DataFrame with columns ``doc_id, date, precision, sentence_index, sentence, expression,
        relation`` (relation: the date is 'before', 'same' or 'after' the publication date).
        ``attrs["undated_doc_ids"]`` lists documents whose relative dates were skipped.
    """
    _check_inputs(docs, ann)
    english = docs[[is_english(lang) for lang in docs["language"]]]
    published = {d: parse_published(p) for d, p in zip(english["doc_id"], english["published"], strict=True)}
    undated = sorted(d for d, p in published.items() if p is None)
    if undated:
        log.warning("%d document(s) without a publication date: only dates with an explicit year were "
                    "resolved for %s", len(undated), ", ".join(undated[:10]))
    sents = ann.sentences[ann.sentences["doc_id"].isin(published.keys())]
    sents = sents[sents["text"].str.contains(_DATEISH, regex=True)]
    ents = ann.entities[(ann.entities["label"] == "DATE") & ann.entities["doc_id"].isin(published.keys())]
    ent_spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for e in ents.itertuples(index=False):
        ent_spans.setdefault((e.doc_id, int(e.sentence_index)), []).append((int(e.start), int(e.end)))
    rows = []
    for s in sents.itertuples(index=False):
        pub = published[s.doc_id]
        spans = ent_spans.get((s.doc_id, int(s.sentence_index)), [])
        for off, seg in iter_segments(s.text):
            base = int(s.start) + off
            lic = [(a - base, b - base) for a, b in spans]
            for d in find_dates(seg, pub, licensed=lic):
                if d.precision == "year" and not keep_years:
                    continue
                if pub is None and not d.explicit_year:
                    continue
                rows.append((s.doc_id, d.date, d.precision, int(s.sentence_index), seg, d.expression,
                             _relation(d.date, pub)))
    out = pd.DataFrame(rows, columns=EVENT_COLUMNS)
    out.attrs["undated_doc_ids"] = undated
    return out


def _check_inputs(docs: pd.DataFrame, ann) -> None:
    missing = {"doc_id", "published", "language"} - set(docs.columns)
    if missing:
        raise ValueError(f"docs frame lacks columns {sorted(missing)}")
    for table in ("sentences", "entities"):
        if not hasattr(ann, table):
            raise TypeError(f"ann must be an Annotations object with .{table}; got {type(ann).__name__}")


def _source_of(docs: pd.DataFrame) -> dict[str, str]:
    src = docs["source"] if "source" in docs.columns else docs["doc_id"]
    return {d: (s if isinstance(s, str) and s else d) for d, s in zip(docs["doc_id"], src, strict=True)}


def event_sources(events: pd.DataFrame, docs: pd.DataFrame, *,
                  precisions: tuple[str, ...] = ("day", "month")) -> pd.DataFrame:
    """Events grouped by date: which sources and documents mention each date.

    Args:
        events: Output of :func:`extract_events`.
        docs: The documents frame (for the source names).
        precisions: Which precisions count as events.

    Returns:
        DataFrame ``date, precision, n_sources, sources, doc_ids, sentence`` (sources and doc_ids
        joined with ';', sentence: the first mention), sorted by date.
    """
    cols = ["date", "precision", "n_sources", "sources", "doc_ids", "sentence"]
    ev = events[events["precision"].isin(precisions)]
    if ev.empty:
        return pd.DataFrame(columns=cols)
    src = _source_of(docs)
    ev = ev.assign(source=ev["doc_id"].map(src).fillna(ev["doc_id"]))
    g = ev.groupby(["date", "precision"], sort=True)
    out = g.agg(sources=("source", lambda s: ";".join(sorted(set(s)))),
                doc_ids=("doc_id", lambda s: ";".join(sorted(set(s)))),
                sentence=("sentence", "first")).reset_index()
    out["n_sources"] = out["sources"].str.count(";") + 1
    return out[cols]


def single_source_events(events: pd.DataFrame, docs: pd.DataFrame, *,
                         precisions: tuple[str, ...] = ("day", "month")) -> pd.DataFrame:
    """Events (dates) only one source mentions — candidate blind spots of the others.

    Returns:
        DataFrame ``date, precision, source, doc_ids, sentence``.
    """
    g = event_sources(events, docs, precisions=precisions)
    one = g[g["n_sources"] == 1].rename(columns={"sources": "source"})
    return one[["date", "precision", "source", "doc_ids", "sentence"]].reset_index(drop=True)


def omitted_events(events: pd.DataFrame, docs: pd.DataFrame, *, min_sources: int = 2, window_days: int = 60,
                   precisions: tuple[str, ...] = ("day", "month")) -> pd.DataFrame:
    """Events a source omits although at least ``min_sources`` other sources carry them.

    A source can only omit an event it could have reported: it must have published a document
    on or after the event date and within ``window_days`` of it (month-precision events count
    from the first of the month to ``window_days`` after its end).

    Args:
        events: Output of :func:`extract_events`.
        docs: The documents frame (source, published).
        min_sources: How many sources must carry the event.
        window_days: How long after the event a source's documents count as able to report it.
        precisions: Which precisions count as events.

    Returns:
        DataFrame ``date, precision, missing_source, n_sources, carried_by, sentence``.
    """
    if min_sources < 1:
        raise ValueError("min_sources must be at least 1")
    cols = ["date", "precision", "missing_source", "n_sources", "carried_by", "sentence"]
    g = event_sources(events, docs, precisions=precisions)
    g = g[g["n_sources"] >= min_sources]
    src = _source_of(docs)
    pubs = pd.DataFrame({"source": [src[d] for d in docs["doc_id"]],
                         "published": [parse_published(p) for p in docs["published"]]}).dropna()
    rows = []
    for ev in g.itertuples(index=False):
        start = date.fromisoformat(ev.date + "-01" if ev.precision == "month" else ev.date)
        end = start
        if ev.precision == "month":
            y, m = _shift_month(start, 1)
            end = date(y, m, 1) - timedelta(days=1)
        carried = set(ev.sources.split(";"))
        able = pubs[(pubs["published"] >= start) & (pubs["published"] <= end + timedelta(days=window_days))]
        for s in sorted(set(able["source"]) - carried):
            rows.append((ev.date, ev.precision, s, ev.n_sources, ev.sources, ev.sentence))
    return pd.DataFrame(rows, columns=cols)


def evaluate_events(pred: pd.DataFrame, gold: pd.DataFrame) -> dict[str, float]:
    """Precision, recall and F1 of predicted events against gold, matching on (doc_id, date).

    Each gold row matches at most one predicted row (multiset matching), so a date mentioned
    twice in a document must be found twice.

    Returns:
        Dict with precision, recall, f1, tp, fp, fn.
    """
    return _prf(_keys(pred, ["doc_id", "date"]), _keys(gold, ["doc_id", "date"]))


def _keys(frame: pd.DataFrame, cols: list[str]) -> list[tuple]:
    missing = set(cols) - set(frame.columns)
    if missing:
        raise ValueError(f"frame lacks columns {sorted(missing)}")
    return [tuple("" if pd.isna(v) else str(v) for v in row) for row in frame[cols].itertuples(index=False)]


def _prf(pred: list[tuple], gold: list[tuple]) -> dict[str, float]:
    from collections import Counter

    p, g = Counter(pred), Counter(gold)
    tp = sum((p & g).values())
    fp = sum(p.values()) - tp
    fn = sum(g.values()) - tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}
