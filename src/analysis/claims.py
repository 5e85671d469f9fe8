"""Tariff claims: every tariff-rate statement, as (imposer, target, rate, previous rate, scope, date).

The rules, in order, for each sentence that holds a percentage (sentences are cut at line breaks,
then into clauses at ";", "while", "whereas" and ", but"):

1. Figures: ``N%``, ``N percent``, ``N per cent``, ``N pct``; ``N percentage points`` and
   ``N basis points`` are changes, never rates.
2. A percentage is a tariff rate when a tariff word sits right after it ("25% tariffs", "a 25 per
   cent levy", "145 percent additional tariff") or before it in the same clause with no other
   figure between ("tariff on U.S. goods from 125% to 10%", "duties of up to 35.3%"). Weak
   synonyms ("tax", "fee") count only when the clause is about imports ("a 25 percent tax on goods
   imported from Japan"). A percentage that is the other end of a change from a tariff rate
   ("reducing an initial 145 percent additional tariff to 30 percent") is a rate too.
3. Changes: "from X to Y", "to Y from X", "Y, down/up from X" and, with a change verb in the
   clause, "X … to Y"; "by N percentage points to Y" gives the previous rate by arithmetic.
   "ranging from X to Y" and "between X and Y" are ranges, not changes.
4. Targets (per rate, looked up after the rate first, then before it): a country after
   "on/against/from/targeting/at" ("tariffs on China", "imports from Japan and South Korea" → two
   claims), a nationality before a goods noun ("Chinese imports", "U.S. steel"), "made in X",
   "X-made"; "not made in X", "all imports", "imported cars", "foreign goods" → ALL; a product
   with no country → ALL.
5. Imposer: the last actor named before the rate in the clause that is not a target (countries,
   their capitals, leaders and government bodies via the gazetteer: "Washington proposed…" → US,
   "Trump's … tariffs" → US), else a nationality right before the tariff word ("US tariffs"), else
   the imposer of a claim in the previous two sentences, else the country the document names most.
6. When a clause has no target but its partner clause ("…, while China maintained a 10 percent
   tariff on American goods") targets this clause's imposer, the target is the partner's imposer.
   Otherwise the document's most-named other country.
7. ``effective``: a date after "take/go into effect", "effective", "starting", "from" in the clause;
   else such a date in the next sentence when it has no figure ("The tariffs will go into effect on
   April 2."); else the date the clause itself gives (the date of the action it reports).

Percentages that are not tariff rates are returned by :func:`other_figures`.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from analysis import config
from analysis.annotate import is_english
from analysis.gazetteer import Actor, Gazetteer, load_gazetteer
from analysis.timeline import DateMention, _prf, find_dates, iter_segments, parse_published

log = logging.getLogger(__name__)

CLAIM_COLUMNS = ["doc_id", "imposer", "target", "rate_pct", "from_rate_pct", "scope", "effective",
                 "sentence_index", "sentence"]
FIGURE_COLUMNS = ["doc_id", "value", "unit", "kind", "sentence_index", "sentence"]
ALL = "ALL"
COUNTRY_TYPES = ("country", "bloc")

FIGURE_RE = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:\.\d+)?)\s*(?:-\s*)?"
    r"(?P<unit>%|percent(?:age)?\s+points?|per\s*cent(?:age)?\s+points?|pct\.?\s+points?|points?\s+percentage|"
    r"basis\s+points?|bps?\b|percent\b|per\s*cent\b|pct\b|pc\b)", re.I)
_QUICK = re.compile(r"\d\s*(?:%|per|pct|pc\b|basis|bps?\b)", re.I)
_CLAUSE_SPLIT = re.compile(r";|,?\s+\bwhile\b\s+|,?\s+\bwhereas\b\s+|,\s+but\s+|\s+—\s+(?=[A-Z])")
_EFFECT = re.compile(r"(?:(?:take[sn]?|took|taking|go(?:es)?|went|gone|going|come[s]?|came|coming|put)\s+"
                     r"(?:in(?:to)?\s+)?effect|effective|starting|beginning|from|as of|kick(?:s|ed)? in|"
                     r"in force|enter(?:s|ed)? into force)\s+(?:on\s+|from\s+|in\s+)?$", re.I)
_COORD = re.compile(r"^(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+|\s+or\s+|\s+as well as\s+|\s*,\s*as well as\s+|"
                    r"\s+plus\s+)$", re.I)
_NOT_MADE = re.compile(r"\bnot\s+(?:made|produced|manufactured|built|assembled)\s+in\s+(?:the\s+)?$", re.I)
_MADE_IN = re.compile(r"\b(?:made|produced|manufactured|built|assembled|originating)\s+in\s+(?:the\s+)?$", re.I)
_FUNCTION_WORDS = {"after", "before", "on", "in", "of", "from", "to", "since", "amid", "following", "as", "by",
                   "than", "the", "over", "despite", "because", "due", "when", "while", "with", "at", "for",
                   "that", "which", "and", "or", "but", "if", "its", "their", "his", "her", "new"}
_MARKET_BEFORE = re.compile(r"\b(?:fell|fall|falls|rose|rise|rises|dropped|drops|jumped|jumps|slid|slides|climbed|"
                            r"gained|gains|lost|loses|declined|surged|plunged|tumbled|grew|shrank|contracted|"
                            r"expanded|slumped|soared|sank|edged (?:up|down)|(?:up|down))\s+(?:by\s+)?(?:about\s+|"
                            r"nearly\s+|almost\s+|some\s+|more than\s+)?$", re.I)
_SUFFERER = re.compile(r"(?:\s*(?:'s|’s))?\s+(?:[\w-]+\s+){0,3}?(?:face[sd]?|facing|was hit|were hit|is hit|are hit|"
                       r"hit with|slapped with|subject(?:ed)? to|will pay|pays|paid|would pay|accept(?:s|ed|ing)?|"
                       r"agreed to accept|(?:has|have) accepted|"
                       r"agreed to (?:a|an|the)\s+[^,;]{0,40}?\bon (?:its|their)\b)", re.I)
DOCUMENT_DATE_BEFORE = re.compile(
    r"\b(?:Order|Proclamation|Notice|Announcement|Memorandum|Statement|Act|Resolution|Determination)\s+"
    r"(?:No\.\s*)?[\d-]*\s*(?:of\s+(?:\d{4}\s+)?)?(?:of|dated|issued(?: on)?|signed(?: on)?)\s+$", re.I)
"""A date that names a document ("Executive Order 14257 of April 2, 2025") dates the document, not the rate."""
_BEARER_CLAUSE = re.compile(r"^\s*(?:accepting|facing|paying|absorbing|bearing|taking on)\b", re.I)
_GOODS_OF = re.compile(r"[\w-]+\s+(?:of|from|originating in)\s+(?:the\s+)?$", re.I)
_ARTICLES = re.compile(r"\b(?:articles|derivatives|originating goods|products|goods|imports|exports|items)\s+"
                       r"(?:of|from|originating in)\s+(?:the\s+)?$", re.I)
_SAYS = re.compile(r"\s*(?:,\s*)?(?:said|says|told|added|noted|stated|reported|according)\b", re.I)
_NOT_TARGET_BEFORE = re.compile(r"\b(?:over|about|amid|despite|because of|after|than)\s+(?:the\s+)?$", re.I)
_FROM_GAP = re.compile(r"[^%]{0,60}?,?\s*\b(?:(?:down|up)\s+)?from\s+(?:an?\s+|the\s+|its\s+|the current\s+)?",
                       re.S)
_DOWN_FROM_GAP = re.compile(r"[^%]{0,60}?,?\s*(?:(?:down|up)\s+from|instead of|rather than|compared with|"
                            r"compared to|versus)\s+(?:an?\s+|the\s+|its\s+|the current\s+|the previous\s+)?",
                            re.S)
_INSTEAD_GAP = re.compile(r"\b(?:shall|will|would|should|must|is|are|to)\s+(?:now\s+)?instead\b|\binstead\s+"
                          r"(?:be|face|pay|apply|become)\b", re.I)
_RANGE = re.compile(r"\b(?:rang(?:e|es|ed|ing)|between|varying|vary)\b", re.I)


@dataclass(frozen=True)
class ClaimLexicon:
    """Compiled word lists from ``lexicons/claims.yaml``."""

    tariff: re.Pattern
    weak_tariff: re.Pattern
    imports: re.Pattern
    change: re.Pattern
    increase: re.Pattern
    goods: re.Pattern
    all_countries: re.Pattern
    products: re.Pattern
    product_label: dict[str, str]
    other_kinds: list[tuple[str, re.Pattern]] = field(default_factory=list)
    extra_countries: tuple[Actor, ...] = ()
    basis_scopes: frozenset[str] = frozenset()
    """Scope labels that name a legal basis ("fentanyl", "reciprocal"), not goods: no "ALL" fallback."""


def _alt(words: Iterable[str], *, flags: int = re.I, hyphen_before: bool = False) -> re.Pattern:
    forms = sorted({w for w in words if w}, key=len, reverse=True)
    if not forms:
        return re.compile(r"(?!x)x")
    look = r"(?<!\w)" if hyphen_before else r"(?<![\w-])"
    return re.compile(look + "(?:" + "|".join(re.escape(f) for f in forms) + r")(?![\w])", flags)


@lru_cache(maxsize=4)
def load_claim_lexicon(path: str | Path | None = None) -> ClaimLexicon:
    """Load the claim lexicon (the packaged ``lexicons/claims.yaml`` by default).

    Args:
        path: Another YAML file of the same shape.

    Returns:
        The compiled lexicon.
    """
    p = Path(path) if path else config.LEXICON_DIR / "claims.yaml"
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    required = ("tariff_cues", "products")
    missing = [k for k in required if not data.get(k)]
    if missing:
        raise ValueError(f"{p}: claim lexicon lacks {missing}")
    label = {}
    for scope, phrases in data["products"].items():
        for ph in phrases:
            label.setdefault(ph.lower(), scope)
    return ClaimLexicon(
        tariff=_alt(data["tariff_cues"], hyphen_before=True),
        weak_tariff=_alt(data.get("weak_tariff_cues", [])),
        imports=_alt(data.get("import_cues", [])),
        change=_alt(data.get("change_verbs", [])),
        increase=_alt(data.get("increase_verbs", [])),
        goods=_alt(data.get("goods_nouns", [])),
        all_countries=_alt(data.get("all_countries", [])),
        products=_alt(label),
        product_label=label,
        other_kinds=[(k, _alt(v)) for k, v in (data.get("other_kinds") or {}).items()],
        basis_scopes=frozenset(data.get("basis_scopes") or ()),
        extra_countries=tuple(
            Actor(name=str(e["name"]), actor_type="country", code=e.get("code"), role="government",
                  aliases=tuple(e.get("aliases") or ()), metonyms=tuple(e.get("metonyms") or ()),
                  adjectives=tuple(e.get("adjectives") or ()))
            for e in data.get("extra_countries") or ()),
    )


_GAZ_CACHE: dict[tuple[int, int], Gazetteer] = {}


def claim_gazetteer(gaz: Gazetteer, lex: ClaimLexicon) -> Gazetteer:
    """The gazetteer plus the lexicon's ``extra_countries`` it lacks (the gazetteer's entries win)."""
    key = (id(gaz), id(lex))
    if key not in _GAZ_CACHE:
        extra = [a for a in lex.extra_countries
                 if gaz.by_name(a.name) is None and gaz.lookup(a.name) is None]
        _GAZ_CACHE[key] = Gazetteer([*gaz.actors, *extra]) if extra else gaz
    return _GAZ_CACHE[key]


@dataclass(frozen=True)
class Figure:
    """A number with a percent-like unit."""

    start: int
    end: int
    value: float
    unit: str


_UNITS = {w: i for i, w in enumerate(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                                      "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                                      "seventeen", "eighteen", "nineteen"])}
_TENS = {w: 10 * (i + 2) for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                                               "ninety"])}
WORD_FIGURE_RE = re.compile(
    r"(?<![\w-])(?P<words>(?:(?:" + "|".join(_TENS) + r")(?:[\s-](?:" + "|".join(k for k in _UNITS if k != "zero") +
    r"))?|" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r"|(?:one\s+|a\s+)?hundred))\s+"
    r"(?P<unit>percent(?:age)?\s+points?|per\s*cent(?:age)?\s+points?|percent\b|per\s*cent\b)", re.I)
"""Rates written as words: "ten percent", "twenty-five per cent", "a hundred percent"."""


def _word_number(words: str) -> float | None:
    parts = re.split(r"[\s-]+", words.lower())
    if parts[-1] == "hundred":
        return 100.0
    total = 0
    for p in parts:
        if p in _TENS:
            total += _TENS[p]
        elif p in _UNITS:
            total += _UNITS[p]
        else:
            return None
    return float(total)


def find_figures(text: str) -> list[Figure]:
    """Percent, percentage-point and basis-point figures in a text, in digits or in words.

    Returns:
        Figures with unit 'percent', 'percentage_points' or 'basis_points'.
    """
    out = []
    if "percent" in text.lower() or "per cent" in text.lower():
        for m in WORD_FIGURE_RE.finditer(text):
            value = _word_number(m.group("words"))
            if value is not None:
                unit = "percentage_points" if "point" in m.group("unit").lower() else "percent"
                out.append(Figure(m.start(), m.end(), value, unit))
    for m in FIGURE_RE.finditer(text):
        u = m.group("unit").lower()
        unit = ("basis_points" if u.startswith(("basis", "bp")) else
                "percentage_points" if "point" in u else "percent")
        out.append(Figure(m.start(), m.end(), float(m.group("num")), unit))
    return sorted(out, key=lambda f: f.start)


def _fmt(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


@dataclass
class _Rate:
    fig: Figure
    from_fig: Figure | None = None
    from_value: float | None = None

    @property
    def start(self) -> int:
        return min(self.fig.start, self.from_fig.start) if self.from_fig else self.fig.start

    @property
    def end(self) -> int:
        return max(self.fig.end, self.from_fig.end) if self.from_fig else self.fig.end


def _is_tariff_clause(clause: str, lex: ClaimLexicon) -> bool:
    if lex.tariff.search(clause):
        return True
    return bool(lex.weak_tariff.search(clause) and lex.imports.search(clause))


def _cue(lex: ClaimLexicon, clause: str) -> re.Pattern:
    """The tariff-word pattern that applies in this clause (weak synonyms when about imports)."""
    if lex.weak_tariff.search(clause) and lex.imports.search(clause):
        return re.compile(f"{lex.tariff.pattern}|{lex.weak_tariff.pattern}", re.I)
    return lex.tariff


def _tariff_rates(clause: str, figs: list[Figure], lex: ClaimLexicon) -> list[_Rate]:
    """The tariff rates (with previous rates) among the percent figures of a clause."""
    if not _is_tariff_clause(clause, lex):
        return []
    cue = _cue(lex, clause)
    pct = [f for f in figs if f.unit == "percent"]
    linked: set[int] = set()
    for k, f in enumerate(pct):
        if _MARKET_BEFORE.search(clause[max(0, f.start - 40):f.start]):
            continue
        after = clause[f.end:f.end + 60]
        m = cue.search(after)
        if m:
            words = re.findall(r"[\w'’.-]+", after[:m.start()])
            if len(words) <= 3 and not FIGURE_RE.search(after[:m.start()]) and \
                    not any(w.lower() in _FUNCTION_WORDS for w in words):
                linked.add(k)
                continue
        prev_end = pct[k - 1].end if k else 0
        before = clause[prev_end:f.start]
        if k == 0:
            cues = list(cue.finditer(before))
            if cues and len(before) - cues[-1].end() <= 120:
                linked.add(k)
        elif (k - 1 in linked and re.search(r"\b(?:to|and|or|from|with)\s+(?:a\s+|an\s+|just\s+|only\s+|about\s+|"
                                           r"around\s+|up to\s+)?$", before)) or cue.search(before):
            linked.add(k)
    # Drop non-tariff uses: "of GDP", market moves right after the figure.
    keep = [k for k in sorted(linked)
            if not re.match(r"\s*(?:of\s+(?:gdp|gross|the economy|global|the world|world|all)|stake|share|"
                            r"increase in (?:prices|inflation)|growth|rise|fall|drop|gain|decline|jump)\b",
                            clause[pct[k].end:], re.I)]
    keep_set = set(keep)
    # Changes between percent figures.
    rates: list[_Rate] = []
    used: set[int] = set()
    is_range = bool(_RANGE.search(clause))
    for k in range(len(pct) - 1):
        a, b = pct[k], pct[k + 1]
        if k in used or not ({k, k + 1} & keep_set):
            continue
        gap = clause[a.end:b.start]
        pre = clause[max(0, a.start - 30):a.start]
        if is_range and re.search(r"\b(?:from|between)\s+(?:\w+\s+)?$", pre):
            continue
        if re.search(r"\bfrom\s+(?:an?\s+|the\s+|an? initial\s+|the current\s+|its\s+)?$", pre) and \
                re.fullmatch(r"\s*(?:\w+\s+){0,3}?to\s+(?:just\s+|only\s+|about\s+|around\s+)?", gap):
            rates.append(_Rate(b, a, a.value))
        elif (re.search(r"\bto\s+(?:just\s+|only\s+|about\s+|around\s+)?$", pre) and _FROM_GAP.fullmatch(gap)) \
                or _DOWN_FROM_GAP.fullmatch(gap):
            rates.append(_Rate(a, b, b.value))
        elif _INSTEAD_GAP.search(gap) and len(gap) < 160 and not is_range:
            # "goods subject to a 20% duty shall instead be subject to 10%": the later rate replaces the first.
            rates.append(_Rate(b, a, a.value))
        elif lex.change.search(clause[:b.start]) and re.search(r"\bto\s+(?:just\s+|only\s+|about\s+|around\s+)?$", gap) \
                and not re.search(r"\bup\s+to\s+$", gap) and len(gap) < 120 and not is_range:
            rates.append(_Rate(b, a, a.value))
        else:
            continue
        used.update((k, k + 1))
    for k in keep:
        if k in used:
            continue
        f = pct[k]
        r = _Rate(f)
        # "by N percentage points to Y": previous rate by arithmetic.
        m = re.search(r"\bby\s+(\d{1,3}(?:\.\d+)?)\s*(?:percentage|pct\.?|per\s*cent(?:age)?)?\s*points?\s+to\s+"
                      r"(?:just\s+|only\s+)?$", clause[max(0, f.start - 60):f.start], re.I)
        if m:
            delta = float(m.group(1))
            up = bool(lex.increase.search(clause[:f.start]))
            r.from_value = f.value - delta if up else f.value + delta
        rates.append(r)
    return sorted(rates, key=lambda r: r.start)


@dataclass(frozen=True)
class _Actor:
    start: int
    end: int
    code: str
    kind: str
    """alias | metonym | adjective | agent (a person or body, standing for its country)."""
    is_country: bool


def _actors(text: str, gaz: Gazetteer) -> list[_Actor]:
    out = []
    if text.startswith("The "):
        text = "t" + text[1:]  # "The administration" matches the alias "the administration"
    for m in gaz.find(text):
        a = m.actor
        if not a.code or (a.actor_type not in COUNTRY_TYPES and a.role != "government"):
            continue
        out.append(_Actor(m.start, m.end, a.code, m.kind if a.actor_type in COUNTRY_TYPES else "agent",
                          a.actor_type in COUNTRY_TYPES))
    return out


def _made_suffix(text: str, gaz: Gazetteer) -> list[_Actor]:
    """"Chinese-made", "US-built": the gazetteer skips words followed by a hyphen."""
    out = []
    for m in re.finditer(r"([A-Z][\w.]+(?:\s[A-Z][\w.]+)?)-(?:made|built|origin|produced)\b", text):
        a = gaz.lookup(m.group(1))
        if a and a.code and a.actor_type in COUNTRY_TYPES:
            out.append(_Actor(m.start(1), m.end(1), a.code, "made", True))
    return out


def _role(text: str, act: _Actor, prev_role: str | None, prev_end: int | None, lex: ClaimLexicon) -> str:
    """'target', 'excluded', 'imposer' or 'other' for an actor mention within a clause."""
    before = text[max(0, act.start - 60):act.start]
    after = text[act.end:act.end + 40]
    if act.kind == "made":
        return "target"
    if not act.is_country:
        return "imposer"
    if _NOT_MADE.search(before):
        return "excluded"
    if _MADE_IN.search(before):
        return "target"
    if prev_role in ("target", "excluded") and prev_end is not None and _COORD.match(text[prev_end:act.start]):
        return prev_role
    possessive = re.match(r"\s*(?:'s|’s)\s", after)
    rest = re.sub(r"^\s*(?:'s|’s)\s*", " ", after)
    g = re.match(r"\s*(?:[\w-]+\s+){0,2}?", rest)
    goods_next = bool(lex.goods.match(rest.lstrip()) or (g and lex.goods.match(rest[g.end():])))
    tariff_next = bool(lex.tariff.match(rest.lstrip()) or
                       re.match(r"\s*(?:[\w-]+\s+){0,3}?(?:tariffs?|duties|levies)\b", rest[:60], re.I))
    # Nationalities, possessives and country names used attributively ("US goods", "China tariffs").
    if act.kind == "adjective" or possessive or (act.kind == "alias" and (goods_next or lex.tariff.match(rest.lstrip()))):
        if goods_next and not _NOT_TARGET_BEFORE.search(before):
            return "target"
        if tariff_next:
            return "imposer"
    if re.search(r"\b(?:on|against|targeting|at|hitting|from)\s+(?:the\s+|all\s+|most\s+|some\s+|certain\s+)?$", before) or \
            re.search(r"\b(?:on|against)\s+(?:[\w-]+\s+){0,3}?(?:from|of)\s+(?:the\s+)?$", before):
        return "target"
    if re.match(r"\s+with\s+(?:a\s+|an\s+|new\s+|higher\s+|steep\s+)*\d", after):
        return "target"
    if _GOODS_OF.search(before) and (lex.goods.search(before[-40:]) or _ARTICLES.search(before[-40:])):
        return "target"  # "products of the PRC", "auto parts of Japan", "originating goods of the ROK"
    if re.search(r"\b(?:charge|charges|charged|charging)\s+$", before):
        return "target"  # "charge Mexico and Canada a 25% tariff"
    if re.search(r"\bwith\s+$", before) and re.match(r"\s+[a-z]+ing\b", after):
        return "imposer"  # "with Washington cutting its duties on …": the agent of the -ing verb
    if re.search(r"\b(?:with|between|like|including|such as|to|for|in|of|and|by|as|than)\s+(?:the\s+)?$", before):
        return "other"
    if _SUFFERER.match(text[act.end:]):
        return "target"
    return "imposer"


def _scopes(text: str, lex: ClaimLexicon) -> list[str]:
    seen = []
    for m in lex.products.finditer(text):
        label = lex.product_label.get(m.group().lower())
        if label and label not in seen:
            seen.append(label)
    return seen


@dataclass
class _Claim:
    imposer: str
    targets: list[str]
    rate: float
    from_rate: float | None
    scope: str
    effective: str
    clause_index: int


def _effective(clause: str, dates: list[DateMention], offset: int) -> tuple[str, bool]:
    """(date, is_effect_cue) for a clause from the date mentions of its segment."""
    inside = [d for d in dates if offset <= d.start < offset + len(clause)
              and not DOCUMENT_DATE_BEFORE.search(clause[max(0, d.start - offset - 60):d.start - offset])]
    seg_before = clause
    for d in inside:
        pre = seg_before[max(0, d.start - offset - 40):d.start - offset]
        if _EFFECT.search(pre):
            return d.date, True
    if inside:
        return inside[0].date, False
    return "", False


def _split_clauses(segment: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for m in _CLAUSE_SPLIT.finditer(segment):
        out.append((pos, segment[pos:m.start()]))
        pos = m.end()
    out.append((pos, segment[pos:]))
    return [(o, c) for o, c in out if c.strip()]


_QUESTION = re.compile(r"^\s*(?:[A-Z][\w.]*:\s*)?(?:will|would|should|could|can|is|are|was|were|do|does|did|"
                       r"has|have|shall)\s[^?]*\?[\s\"\u201d]*$", re.I)
_AND_SPLIT = re.compile(r",?\s+and\s+")
_FIG_WORD = re.compile(r"\d\s*(?:%|percent\b|per cent\b|pct\b)", re.I)


def _split_coordinated(clauses: list[tuple[int, str]], lex: ClaimLexicon) -> list[tuple[int, str]]:
    """Cut a clause at "and" when both sides state their own tariff rate.

    "X cutting its duties on A to 30% and Y lowering its levies on B to 10%" is two claims with
    their own imposer and target; "tariffs of 15% on coal and 10% on oil" stays whole (its right
    side has no tariff word).
    """
    out = []
    for off, clause in clauses:
        pos = 0
        for m in _AND_SPLIT.finditer(clause):
            left, right = clause[pos:m.start()], clause[m.end():]
            nxt = _AND_SPLIT.search(right)
            right_part = right[:nxt.start()] if nxt else right
            if all(_FIG_WORD.search(x) and lex.tariff.search(x) for x in (left, right_part)):
                out.append((off + pos, left))
                pos = m.end()
        out.append((off + pos, clause[pos:]))
    return [(o, c) for o, c in out if c.strip()]


def _fallback_all(text: str, scopes: list[str], lex: ClaimLexicon) -> bool:
    goods = [x for x in scopes if x not in lex.basis_scopes]
    return bool(lex.all_countries.search(text) or goods or
                re.search(r"\b(?:imported|foreign|overseas)\s+\w+|\bimports\b", text, re.I))


def claims_in_segment(segment: str, *, gaz: Gazetteer, lex: ClaimLexicon, published: date | None = None,
                      context_imposer: str = "", doc_countries: Counter | Callable[[], Counter] | None = None,
                      next_segment: str = "") -> tuple[list[_Claim], set[int]]:
    """Tariff claims in one sentence segment.

    Args:
        segment: The sentence text (no line breaks).
        gaz: The actor gazetteer.
        lex: The claim lexicon.
        published: Publication date (to resolve dates).
        context_imposer: Imposer of a recent claim in the document (fallback).
        doc_countries: Country-code counts of the whole document (fallback), or a function computing
            them (called only when a fallback is needed).
        next_segment: The following sentence (for a "The tariffs take effect on …" follow-up).

    Returns:
        (claims, start offsets of the figures used as rates or previous rates).
    """
    lazy = doc_countries
    if _QUESTION.match(segment):
        return [], set()  # "Will the U.S. restore the 25% tariff?" asks, it does not state a rate

    def counts() -> Counter:
        got = lazy() if callable(lazy) else lazy
        return got or Counter()

    figs = find_figures(segment)
    dates = find_dates(segment, published)
    follow_date = ""
    if next_segment and not find_figures(next_segment) and \
            re.search(r"\b(?:tariffs?|duties|levies|they|the measures?|the rates?)\b", next_segment, re.I):
        for d in find_dates(next_segment, published):
            if _EFFECT.search(next_segment[max(0, d.start - 40):d.start]):
                follow_date = d.date
                break
    actors_all = sorted(_actors(segment, gaz) + _made_suffix(segment, gaz), key=lambda a: a.start)
    clauses = _split_coordinated(_split_clauses(segment), lex)
    results: list[_Claim] = []
    used: set[int] = set()
    clause_imposer: dict[int, str] = {}
    clause_targets: dict[int, list[str]] = {}
    for ci, (off, clause) in enumerate(clauses):
        cfigs = [Figure(f.start - off, f.end - off, f.value, f.unit) for f in figs
                 if off <= f.start < off + len(clause)]
        rates = _tariff_rates(clause, cfigs, lex)
        if not rates:
            continue
        used.update(r.fig.start + off for r in rates)
        used.update(r.from_fig.start + off for r in rates if r.from_fig)
        acts = [_Actor(a.start - off, a.end - off, a.code, a.kind, a.is_country) for a in actors_all
                if off <= a.start < off + len(clause)]
        roles: list[str] = []
        for i, a in enumerate(acts):
            prev = (roles[i - 1], acts[i - 1].end) if i else (None, None)
            roles.append(_role(clause, a, prev[0], prev[1], lex))
        eff, is_cue = _effective(clause, dates, off)
        if not is_cue and follow_date:
            eff = follow_date
        first = rates[0].start
        imposers = [a for a, r in zip(acts, roles, strict=True) if r == "imposer" and a.start < first]
        imposer = imposers[-1].code if imposers else ""
        if not imposer:
            adj = [a for a, r in zip(acts, roles, strict=True) if r == "imposer"
                   and not _SAYS.match(clause[a.end:])]
            imposer = adj[0].code if adj else ""
        excluded = {a.code for a, r in zip(acts, roles, strict=True) if r == "excluded"}
        for ri, rate in enumerate(rates):
            nxt = rates[ri + 1].start if ri + 1 < len(rates) else len(clause)
            prv = rates[ri - 1].end if ri else 0
            region_after = (rate.start, nxt)
            tgt = [a.code for a, r in zip(acts, roles, strict=True)
                   if r == "target" and region_after[0] <= a.start < region_after[1]]
            if not tgt:
                tgt = [a.code for a, r in zip(acts, roles, strict=True)
                       if r == "target" and prv <= a.start < rate.start]
            if not tgt and ri == 0:
                tgt = [a.code for a, r in zip(acts, roles, strict=True) if r == "target"]
            scopes = _scopes(clause[rate.start:nxt], lex) or _scopes(clause[prv:rate.start], lex)
            if not tgt and (excluded or _fallback_all(clause[rate.start:nxt], scopes, lex)):
                tgt = [ALL]
            results.append(_Claim("" if imposer in tgt else imposer, list(dict.fromkeys(tgt)), rate.fig.value, rate.from_value,
                                  ";".join(scopes), eff, ci))
        clause_imposer[ci] = imposer
        clause_targets[ci] = [t for c in results if c.clause_index == ci for t in c.targets]
    # "X agreed to invest …, while accepting a 15% tariff": the subject of the main clause bears the rate.
    for c in results:
        if _BEARER_CLAUSE.match(clauses[c.clause_index][1]):
            subject = next((clause_imposer[k] for k in sorted(clause_imposer, reverse=True)
                            if k < c.clause_index and clause_imposer[k]), "")
            if not subject:
                subject = next((a.code for a in actors_all if a.start < clauses[c.clause_index][0]
                                and a.is_country and _role(segment, a, None, None, lex) == "imposer"), "")
            if subject:
                c.targets, c.imposer = [subject], ""
    # Fallbacks that need the other clauses or the document.
    for c in results:
        if not c.imposer:
            others = [clause_imposer[k] for k in clause_imposer if k != c.clause_index and clause_imposer[k]]
            sentence_agents = [a.code for a in actors_all if _role(segment, a, None, None, lex) == "imposer"
                               and a.code not in c.targets and not _SAYS.match(segment[a.end:])]
            c.imposer = ((sentence_agents[0] if sentence_agents else "") or context_imposer or
                         _most_named(counts(), exclude=set(c.targets) | set(others)))
    for c in results:
        if not c.targets:
            partners = [k for k in clause_imposer if k != c.clause_index and c.imposer in clause_targets.get(k, [])]
            if partners and clause_imposer[partners[0]]:
                c.targets = [clause_imposer[partners[0]]]
            else:
                t = _most_named(counts(), exclude={c.imposer})
                c.targets = [t] if t else [""]
        goods = [x for x in c.scope.split(";") if x and x not in lex.basis_scopes]
        c.targets = [t for t in c.targets if t != c.imposer] or [ALL if goods else ""]
    return results, used


def _most_named(counts: Counter, *, exclude: set[str]) -> str:
    for code, _ in counts.most_common():
        if code not in exclude:
            return code
    return ""


_VENUE_BEFORE = re.compile(r"\b(?:talks|meeting|meetings|summit|negotiations|held|met|meet|gathered|"
                           r"round|session|conference)\s+(?:(?:last|this|next)\s+\w+\s+)?(?:in|at)\s+(?:the\s+)?$",
                           re.I)
"""A country named as the place of a meeting ("talks in Stockholm", "met in Switzerland") is a venue."""


def _is_venue(text: str, start: int, kind: str) -> bool:
    """Whether a mention names where something happened rather than an acting government."""
    from analysis.actors import _is_place

    before = text[max(0, start - 80):start]
    return bool(_VENUE_BEFORE.search(before)) or (kind == "metonym" and _is_place(text, start))


def _doc_countries(text: str, gaz: Gazetteer) -> Counter:
    """How often the document names each country, leaving out venues ("talks in Stockholm")."""
    return Counter(m.actor.code for m in gaz.find(text) if m.actor.code and not _is_venue(text, m.start, m.kind))


def _english_docs(docs: pd.DataFrame) -> pd.DataFrame:
    missing = {"doc_id", "language", "published"} - set(docs.columns)
    if missing:
        raise ValueError(f"docs frame lacks columns {sorted(missing)}")
    return docs[[is_english(lang) for lang in docs["language"]]]


def _segments(ann, doc_ids: set[str]) -> pd.DataFrame:
    if not hasattr(ann, "sentences"):
        raise TypeError(f"ann must be an Annotations object; got {type(ann).__name__}")
    s = ann.sentences
    return s[s["doc_id"].isin(doc_ids)]


def extract_claims(docs: pd.DataFrame, ann, *, gazetteer: Gazetteer | None = None,
                   lexicon: ClaimLexicon | None = None) -> pd.DataFrame:
    """Every tariff-rate statement of the English documents, one row per (rate, target).

    Args:
        docs: The documents frame (doc_id, published, language, text).
        ann: :class:`analysis.annotate.Annotations` of those documents.
        gazetteer: Actor gazetteer (default :func:`analysis.gazetteer.load_gazetteer`).
        lexicon: Claim lexicon (default :func:`load_claim_lexicon`).

    Returns:
        DataFrame with columns ``doc_id, imposer, target, rate_pct, from_rate_pct, scope, effective,
        sentence_index, sentence``: imposer/target are ISO 3166 alpha-2 codes (EU for the European
        Union, ALL for every country, '' when unknown), rates are floats (from_rate_pct NaN when the
        text gives no previous rate), scope is products joined with ';', effective 'YYYY-MM-DD',
        'YYYY-MM', 'YYYY' or ''.
    """
    rows, _ = _extract(docs, ann, gazetteer=gazetteer, lexicon=lexicon)
    return _claims_frame(rows)


def claims_and_figures(docs: pd.DataFrame, ann, *, gazetteer: Gazetteer | None = None,
                       lexicon: ClaimLexicon | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`extract_claims` and :func:`other_figures` in one pass (half the work of calling both)."""
    claim_rows, figure_rows = _extract(docs, ann, gazetteer=gazetteer, lexicon=lexicon)
    return _claims_frame(claim_rows), _figures_frame(figure_rows)


def _claims_frame(rows: list[tuple]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    out["rate_pct"] = out["rate_pct"].astype(float)
    out["from_rate_pct"] = pd.to_numeric(out["from_rate_pct"], errors="coerce").astype(float)
    out["sentence_index"] = out["sentence_index"].astype(int)
    return out


def _figures_frame(rows: list[tuple]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    out["value"] = out["value"].astype(float)
    out["sentence_index"] = out["sentence_index"].astype(int)
    return out


def _extract(docs: pd.DataFrame, ann, *, gazetteer: Gazetteer | None, lexicon: ClaimLexicon | None,
             ) -> tuple[list[tuple], list[tuple]]:
    lex = lexicon or load_claim_lexicon()
    gaz = claim_gazetteer(gazetteer or load_gazetteer(), lex)
    eng = _english_docs(docs)
    meta = {d: (parse_published(p), t) for d, p, t in
            zip(eng["doc_id"], eng["published"], eng["text"] if "text" in eng else [""] * len(eng), strict=True)}
    sents = _segments(ann, set(meta))
    hits = sents["text"].str.contains(_QUICK, regex=True)
    claim_rows: list[tuple] = []
    figure_rows: list[tuple] = []
    wanted = sents.loc[hits, ["doc_id", "sentence_index"]]
    wanted_keys = set(zip(wanted["doc_id"], wanted["sentence_index"].astype(int), strict=True))
    next_of: dict[tuple[str, int], str] = {}
    sent_list = list(sents[["doc_id", "sentence_index", "text"]].itertuples(index=False))
    for cur, nxt in itertools.pairwise(sent_list):
        key = (cur.doc_id, int(cur.sentence_index))
        if key in wanted_keys and nxt.doc_id == cur.doc_id:
            next_of[key] = next(iter(s for _, s in iter_segments(nxt.text)), "")
    counts_cache: dict[str, Counter] = {}
    last_imposer: dict[str, tuple[int, str]] = {}
    for s in sents[hits].itertuples(index=False):
        pub, text = meta[s.doc_id]

        def doc_counts(doc_id: str = s.doc_id, body: str = text or "") -> Counter:
            if doc_id not in counts_cache:
                counts_cache[doc_id] = _doc_countries(body, gaz)
            return counts_cache[doc_id]
        si = int(s.sentence_index)
        segs = list(iter_segments(s.text))
        for j, (_, seg) in enumerate(segs):
            if not _QUICK.search(seg):
                continue
            prev = last_imposer.get(s.doc_id)
            ctx = prev[1] if prev and si - prev[0] <= 2 else ""
            nxt_seg = segs[j + 1][1] if j + 1 < len(segs) else next_of.get((s.doc_id, si), "")
            found, used = claims_in_segment(seg, gaz=gaz, lex=lex, published=pub, context_imposer=ctx,
                                            doc_countries=doc_counts, next_segment=nxt_seg)
            for c in found:
                for t in c.targets:
                    claim_rows.append((s.doc_id, c.imposer, t, c.rate, c.from_rate, c.scope, c.effective, si, seg))
                if c.imposer:
                    last_imposer[s.doc_id] = (si, c.imposer)
            for f in find_figures(seg):
                if f.start in used:
                    continue
                figure_rows.append((s.doc_id, f.value, f.unit, classify_figure(seg, f, lex), si, seg))
    return claim_rows, figure_rows


def classify_figure(text: str, fig: Figure, lex: ClaimLexicon | None = None) -> str:
    """What a non-tariff figure measures, from the words around it.

    Kinds come from ``other_kinds`` of the lexicon, first match wins (defence_spending, gdp_share,
    tariff_change, market, economy, interest_rate, share), else 'other'. The window is the figure's
    clause (at most 80 characters either side).
    """
    lex = lex or load_claim_lexicon()
    left = max(0, fig.start - 80)
    window = text[left:fig.end + 80]
    for kind, pat in lex.other_kinds:
        if pat.search(window):
            return kind
    return "other"


def other_figures(docs: pd.DataFrame, ann, *, gazetteer: Gazetteer | None = None,
                  lexicon: ClaimLexicon | None = None) -> pd.DataFrame:
    """Percentages, percentage points and basis points that are not tariff rates.

    Returns:
        DataFrame ``doc_id, value, unit, kind, sentence_index, sentence``; unit is 'percent',
        'percentage_points' or 'basis_points'; kind as in :func:`classify_figure`.
    """
    _, rows = _extract(docs, ann, gazetteer=gazetteer, lexicon=lexicon)
    return _figures_frame(rows)


def claims_from_text(text: str, *, published: str | date | None = None, doc_id: str = "text",
                     gazetteer: Gazetteer | None = None, lexicon: ClaimLexicon | None = None) -> pd.DataFrame:
    """Tariff claims of one sentence or a few sentences of plain text (no spaCy needed).

    The text is split into sentences with a simple rule (., ! or ? followed by a capital), which
    is enough for tests and quick checks.
    """
    lex = lexicon or load_claim_lexicon()
    gaz = claim_gazetteer(gazetteer or load_gazetteer(), lex)
    pub = parse_published(published) if not isinstance(published, date) else published
    sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z“\"])", text.strip()) if s]
    counts = _doc_countries(text, gaz)
    rows, ctx = [], ""
    for i, sent in enumerate(sentences):
        nxt = sentences[i + 1] if i + 1 < len(sentences) else ""
        found, _ = claims_in_segment(sent, gaz=gaz, lex=lex, published=pub, context_imposer=ctx,
                                     doc_countries=counts, next_segment=nxt)
        for c in found:
            rows.extend((doc_id, c.imposer, t, c.rate, c.from_rate, c.scope, c.effective, i, sent)
                        for t in c.targets)
            ctx = c.imposer or ctx
    out = pd.DataFrame(rows, columns=CLAIM_COLUMNS)
    out["from_rate_pct"] = pd.to_numeric(out["from_rate_pct"], errors="coerce").astype(float)
    return out


def evaluate_claims(pred: pd.DataFrame, gold: pd.DataFrame) -> dict[str, float]:
    """Precision, recall and F1 of predicted claims against gold.

    A predicted claim matches a gold claim of the same document with the same imposer, target,
    rate and previous rate (empty when none); each gold row matches at most once.

    Returns:
        Dict with precision, recall, f1, tp, fp, fn.
    """
    return _prf(_claim_keys(pred), _claim_keys(gold))


def _claim_keys(frame: pd.DataFrame) -> list[tuple]:
    cols = ["doc_id", "imposer", "target", "rate_pct", "from_rate_pct"]
    missing = set(cols) - set(frame.columns)
    if missing:
        raise ValueError(f"claims frame lacks columns {sorted(missing)}")
    out = []
    for row in frame[cols].itertuples(index=False):
        rate = pd.to_numeric(row.rate_pct, errors="coerce")
        prev = pd.to_numeric(row.from_rate_pct, errors="coerce")
        out.append((str(row.doc_id), str(row.imposer or ""), str(row.target or ""),
                    _fmt(None if pd.isna(rate) else float(rate)), _fmt(None if pd.isna(prev) else float(prev))))
    return out


__all__ = ["ALL", "CLAIM_COLUMNS", "FIGURE_COLUMNS", "ClaimLexicon", "Figure", "claims_and_figures",
           "claims_from_text",
           "classify_figure", "evaluate_claims", "extract_claims", "find_figures", "load_claim_lexicon",
           "other_figures"]
