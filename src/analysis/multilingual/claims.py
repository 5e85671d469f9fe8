"""Tariff claims in non-English text: (imposer, target, rate, previous rate, scope, effective).

The engine mirrors :mod:`analysis.claims`, driven by the lexicon of each language:

1. Figures: a number with a rate unit (145%, 145％, 145パーセント, 145퍼센트, 145 %, 145 Prozent)
   or after a rate prefix with written-out numerals (百分之一百四十五). Point units
   (百分点, ポイント, %포인트, points de pourcentage, Prozentpunkte) are differences, never rates.
2. A figure is a tariff rate when a tariff word (关税, 関税, 관세, droits de douane, Zoll …) is in its
   clause, or in its sentence while the clause has no market or economy word; or when it follows
   a sentence with a claim and its own sentence has no such word ("日本にも同じく25パーセント").
3. Changes come from the lexicon's ``change_re`` (从145%降至30%, 145％から30％に, 145%에서 30%로,
   de 145 % à 30 %, von 145 auf 30 Prozent): one claim at the new rate with the old one.
4. Targets: a country marked by the words around it (对中国, 中国商品, 対中, 日本に課す, 한국산,
   produits chinois, auf Waren aus China), coordinated countries with it, a phrase for every country
   (ALL); else the imposer of the other claim of the sentence; else the other countries named; else
   the target of the previous claim.
5. Imposer: the first country, leader or government body of the clause that is not a target, else
   of the sentence, else of the previous claim, else the country the document names most.
6. Scope: a product of the lexicon in the clause, with the English labels (autos, steel ...), so
   claims in every language meet in the same measures.

Rows have the schema of :data:`analysis.claims.CLAIM_COLUMNS`; other percentages go to
:data:`analysis.claims.FIGURE_COLUMNS`.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pandas as pd

from analysis.claims import CLAIM_COLUMNS, FIGURE_COLUMNS
from analysis.multilingual.actors import Hit, find_actors
from analysis.multilingual.dates import find_dates
from analysis.multilingual.lexicon import LanguageRules, language_key, rules_for

ALL = "ALL"
IMPOSER_TYPES = ("country", "bloc", "government_body", "person")


@dataclass(frozen=True)
class Figure:
    """A percentage or a percentage-point difference."""

    start: int
    end: int
    value: float
    unit: str  # percent | percentage_points


def parse_numeral(text: str, rules: LanguageRules) -> float | None:
    """The value of digits or written-out numerals (一百四十五 → 145, 二十七点五 → 27.5)."""
    t = text.strip().replace(",", ".") if rules.latin else text.strip()
    try:
        return float(t)
    except ValueError:
        pass
    words = {str(k).casefold(): float(v) for k, v in (rules.raw.get("number_words") or {}).items()}
    if t.casefold() in words:  # zehn Prozent, dix pour cent
        return words[t.casefold()]
    nums = {str(k): int(v) for k, v in (rules.raw.get("numerals") or {}).items()}
    points = [str(p) for p in rules.raw.get("decimal_point") or ()]
    if not nums or not t:
        return None
    frac = ""
    for p in points:
        if p in t:
            t, frac = t.split(p, 1)
            break
    total, current = 0, 0
    for ch in t:
        if ch.isdigit():
            current = current * 10 + int(ch)
            continue
        v = nums.get(ch)
        if v is None:
            return None
        if v >= 10:
            total += (current or 1) * v
            current = 0
        else:
            current = current * 10 + v if current and current < 10 and not total else v
    value = float(total + current)
    if frac:
        digits = "".join(str(nums.get(c, c)) for c in frac)
        if not digits.isdigit():
            return None
        value += float("0." + digits)
    return value


def _number_re(rules: LanguageRules) -> str:
    """A figure's number: digits, or one of the lexicon's ``number_words`` (Latin scripts)."""
    num = r"\d{1,3}(?:[.,]\d+)?" if rules.latin else r"\d{1,3}(?:\.\d+)?"
    words = sorted((str(k) for k in rules.raw.get("number_words") or {}), key=len, reverse=True)
    return f"(?:{num}|" + "|".join(re.escape(w) for w in words) + ")" if words else num


@lru_cache(maxsize=16)
def _figure_re(code: str) -> re.Pattern:
    rules = rules_for(code)
    units = sorted({*rules.percent_units, *rules.point_units}, key=len, reverse=True)
    unit_alt = "|".join(re.escape(u) for u in units)
    num = _number_re(rules)
    gap = r"\s?"
    b = r"(?![\w])" if rules.latin else ""
    left = r"(?<![\w.,])" if rules.latin else r"(?<![\d.])"
    parts = [rf"{left}(?P<num>{num}){gap}(?P<unit>{unit_alt}){b}"]
    if rules.percent_prefix:
        chars = "".join(re.escape(str(k)) for k in (rules.raw.get("numerals") or {})) + "".join(
            re.escape(p) for p in rules.raw.get("decimal_point") or ())
        pre = "|".join(re.escape(p) for p in rules.percent_prefix)
        parts.append(rf"(?P<prefix>{pre})(?P<pnum>[\d.{chars}]+)")
    return re.compile("|".join(parts), rules.flags)


def find_figures(text: str, code: str) -> list[Figure]:
    """Percent and percentage-point figures of a text in a lexicon language."""
    rules = rules_for(code)
    points = {u.casefold() for u in rules.point_units}
    out = []
    for m in _figure_re(code).finditer(text):
        if m.group("num"):
            value = parse_numeral(m.group("num"), rules)
            unit = "percentage_points" if m.group("unit").casefold() in points else "percent"
        else:
            value = parse_numeral(m.group("pnum"), rules)
            unit = "percent"
        if value is not None:
            out.append(Figure(m.start(), m.end(), value, unit))
    return out


@lru_cache(maxsize=16)
def _change_res(code: str) -> tuple[re.Pattern, ...]:
    rules = rules_for(code)
    units = "|".join(re.escape(u) for u in sorted(rules.percent_units, key=len, reverse=True))
    chars = "".join(re.escape(str(k)) for k in (rules.raw.get("numerals") or {}))
    pre = "|".join(re.escape(p) for p in rules.percent_prefix)
    num = _number_re(rules)
    fig = rf"(?:(?:{pre})[\d.{chars}点點]+|{num}\s?(?:{units}))" if pre else rf"{num}\s?(?:{units})"
    out = []
    for pat in rules.change:
        p = pat.replace("{FROM}", rf"(?P<from>{fig}|{num})").replace("{TO}", rf"(?P<to>{fig})")
        out.append(re.compile(p, rules.flags))
    return tuple(out)


@dataclass
class _Actor:
    start: int
    end: int
    code: str
    role: str  # target | imposer | ''
    hit: Hit


def _actors(sentence: str, rules: LanguageRules) -> list[_Actor]:
    out = []
    for h in find_actors(sentence, rules.code):
        a = h.actor
        if a.actor_type not in IMPOSER_TYPES or not a.code:
            continue
        if a.actor_type == "person" and a.role not in (None, "government"):
            continue
        before, after = sentence[:h.start], sentence[h.end:]
        role = ""
        if rules.target_before.search(before) or rules.target_after.match(after) or h.text.startswith(("対", "對", "对")) or (h.kind == "adjective" and (rules.goods_before.search(before) or rules.goods_after.match(after))):
            role = "target"
        elif (h.kind == "adjective" and rules.tariff_before.search(before)) or rules.imposer_after.match(after):
            role = "imposer"
        out.append(_Actor(h.start, h.end, a.code, role, h))
    # Coordination carries the target role on: 日本与南韩, produits japonais et sud-coréens.
    for i in range(1, len(out)):
        prev, cur = out[i - 1], out[i]
        if prev.role == "target" and not cur.role and rules.coord.match(sentence[prev.end:cur.start]):
            cur.role = "target"
    # Two actors on one span (中美, 한미): the first imposes, the second is the target, unless marked.
    for i in range(1, len(out)):
        prev, cur = out[i - 1], out[i]
        if (prev.start, prev.end) == (cur.start, cur.end) and not cur.role and prev.role != "target":
            cur.role = "target"
    return out


def _clauses(sentence: str, rules: LanguageRules) -> list[tuple[int, int]]:
    cuts = [0, *(m.end() for m in rules.clause_split.finditer(sentence) if m.end() > 0), len(sentence)]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


@dataclass
class _Claim:
    imposer: str
    targets: list[str]
    rate: float
    from_rate: float | None
    scope: str
    effective: str
    start: int


def _scope(text: str, rules: LanguageRules) -> str:
    for label, rx in rules.products:
        if rx.search(text):
            return label
    return ""


def _effective(clause: str, clause_start: int, dates, rules: LanguageRules) -> str:
    if not rules.effective:
        return ""
    for d in dates:
        if d.precision not in ("day", "month") or not (clause_start <= d.start < clause_start + len(clause)):
            continue
        rx = re.compile(rules.effective.replace("{DATE}", re.escape(d.expression)), rules.flags)
        if rx.search(clause):
            return d.date
    return ""


def sentence_claims(sentence: str, code: str, *, published: date | None, prev: _Claim | None,
                    doc_default: tuple[str, ...], follows_claim: bool = False) -> tuple[list[_Claim], list[Figure]]:
    """Claims of one sentence, and its percentages that are not tariff rates.

    Args:
        sentence: The sentence.
        code: Its lexicon language.
        published: Publication date (for effective dates).
        prev: The last claim of the document before this sentence, if any.
        doc_default: The countries the document names, most named first (last-resort imposer and target).
        follows_claim: Whether the sentence right before this one had a claim.
    """
    rules = rules_for(code)
    figs = find_figures(sentence, code)
    if not figs:
        return [], []
    acts = _actors(sentence, rules)
    clauses = _clauses(sentence, rules)
    dates = find_dates(sentence, code, published)
    sent_tariff = bool(rules.tariff.search(sentence))
    sent_other = bool(rules.other.search(sentence))
    changes: dict[int, float] = {}
    consumed: set[int] = set()
    for rx in _change_res(code):
        for m in rx.finditer(sentence):
            to = next((f for f in figs if f.start == m.start("to")), None)
            if to is None or to.unit != "percent":
                continue
            fv = _from_value(m.group("from"), rules)
            if fv is None:
                continue
            changes[to.start] = fv
            consumed.update(f.start for f in figs if m.start("from") <= f.start < m.end("from"))
    claims: list[_Claim] = []
    others: list[Figure] = []
    for f in figs:
        if f.start in consumed:
            continue
        cs, ce = next(((a, b) for a, b in clauses if a <= f.start < b), (0, len(sentence)))
        clause = sentence[cs:ce]
        c_tariff = bool(rules.tariff.search(clause))
        c_other = bool(rules.other.search(clause))
        is_rate = f.unit == "percent" and (c_tariff or (sent_tariff and not c_other) or
                                           (follows_claim and not sent_tariff and not sent_other))
        if not is_rate:
            others.append(f)
            continue
        in_clause = [a for a in acts if cs <= a.start < ce]
        before_clause = [a for a in acts if a.start < cs]
        if not in_clause and claims:  # "…, 自動車も15％に下がる": the clause continues the last claim
            last = claims[-1]  # unless the clause turns to every country ("並對所有國家加徵10%")
            targets = [ALL] if rules.all_countries.search(clause) else list(last.targets)
            claims.append(_Claim(last.imposer, targets, f.value, changes.get(f.start),
                                 _scope(clause, rules), _effective(clause, cs, dates, rules), f.start))
            continue
        sufferer = bool(rules.sufferer.search(clause))
        targets = [a.code for a in in_clause if a.role == "target" or (sufferer and a.role != "imposer")]
        imposer = next((a.code for a in in_clause if a.role != "target" and a.code not in targets and not sufferer),
                       "")
        if not imposer:
            imposer = next((a.code for a in before_clause if a.role != "target" and a.code not in targets), "")
        if not imposer and prev is not None:
            imposer = prev.imposer
        if not imposer:
            imposer = next((c for c in doc_default if c not in targets), "")
        if not targets and rules.all_countries.search(clause):
            targets = [ALL]
        if not targets:
            targets = [a.code for a in acts if a.role == "target" and a.code != imposer]
        claims.append(_Claim(imposer, [t for t in dict.fromkeys(targets) if t != imposer], f.value,
                             changes.get(f.start), _scope(clause, rules), _effective(clause, cs, dates, rules),
                             f.start))
    # Second pass: targets from the other claims of the sentence, the other actors, the previous claim.
    for c in claims:
        if c.targets:
            continue
        partners = [o.imposer for o in claims if o is not c and o.imposer and o.imposer != c.imposer]
        cs, ce = next(((a, b) for a, b in clauses if a <= c.start < b), (0, len(sentence)))
        unmarked = [a.code for a in acts if cs <= a.start < ce and a.code != c.imposer]
        rest = [a.code for a in acts if a.code != c.imposer]
        c.targets = (partners[:1] or unmarked or rest or
                     ([t for t in prev.targets if t != c.imposer] if prev is not None and prev.imposer == c.imposer
                      else []) or [d for d in doc_default if d != c.imposer][:1])
        c.targets = list(dict.fromkeys(c.targets))
    return claims, others


def _from_value(text: str, rules: LanguageRules) -> float | None:
    """The number of the 'from' side of a change, with or without its unit or prefix."""
    t = text
    for p in rules.percent_prefix:
        t = t.replace(p, "")
    for u in sorted(rules.percent_units, key=len, reverse=True):
        t = t.replace(u, "")
    return parse_numeral(t.strip(), rules)


def _doc_ranking(text: str, code: str) -> tuple[str, ...]:
    """Countries of the actors a document names (countries, leaders, governments), most named first."""
    counts = Counter(h.actor.code for h in find_actors(text, code)
                     if h.actor.actor_type in IMPOSER_TYPES and h.actor.code)
    return tuple(c for c, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def claims_and_figures(docs: pd.DataFrame, ann) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Claims and other figures of every supported non-English document (schemas of analysis.claims)."""
    from analysis.timeline import parse_published

    claim_rows, fig_rows = [], []
    sents = dict(tuple(ann.sentences.groupby("doc_id"))) if len(ann.sentences) else {}
    for row in docs.itertuples(index=False):
        text = str(getattr(row, "text", "") or "")
        lang = getattr(row, "language", "")
        code = language_key(lang if isinstance(lang, str) else "", text)
        if code is None or row.doc_id not in sents:
            continue
        published = parse_published(getattr(row, "published", None))
        default = _doc_ranking(text, code)
        prev: _Claim | None = None
        prev_index = -10
        sd = sents[row.doc_id]
        for si, sentence in zip(sd["sentence_index"].astype(int), sd["text"], strict=True):
            cl, figs = sentence_claims(str(sentence), code, published=published, prev=prev, doc_default=default,
                                       follows_claim=si - prev_index == 1)
            for c in cl:
                for t in c.targets or [""]:
                    claim_rows.append((row.doc_id, c.imposer, t, c.rate, c.from_rate, c.scope, c.effective, si,
                                       str(sentence)))
            for f in figs:
                kind = "tariff_change" if rules_for(code).tariff.search(str(sentence)) else (
                    "economy" if rules_for(code).other.search(str(sentence)) else "other")
                fig_rows.append((row.doc_id, f.value, f.unit, kind, si, str(sentence)))
            if cl:
                prev, prev_index = cl[-1], si
    claims = pd.DataFrame(claim_rows, columns=CLAIM_COLUMNS)
    claims = claims[claims["target"] != ""].reset_index(drop=True)
    return claims, pd.DataFrame(fig_rows, columns=FIGURE_COLUMNS)
