"""Where sources disagree (and agree) about tariff figures and dates.

A *measure* is a tariff of one imposer on one target for one scope (products, '' for all goods).
Claims of different documents refer to the same measure when they share imposer, target and
scope (overlapping product lists count as the same scope) and either end at the same rate or give
the same change (from → to), with dates within ``window_days`` (60) of each other.

Each claim is dated, in order of preference, by its ``effective`` date, by a date in its own
sentence, by a date in the previous sentence when that sentence states no tariff itself ("on May 12, China and the United States jointly
announced …. China lowered its tariff … from 125% to 10%"), else by the publication date. Only the
first three count as a source *stating* a date; publication dates only place claims in time.

Kinds of conflict:

- ``date``: same measure, stated dates that can't both be true (a day outside the other's month,
  two days more than ``day_tolerance`` apart, two different months);
- ``rate``: the same previous rate leading to different new rates, or the same stated effective date
  with different rates;
- ``direction``: one source reports X → Y, another Y → X;
- ``parties``: the same change with imposer and target swapped;
- ``unit``: a basis-point (or percentage-point) figure about a tariff change that contradicts the
  arithmetic of the rates the same document states nearby (115 bp = 1.15 points, not 115).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, timedelta

import pandas as pd

from analysis.timeline import parse_published

CONFLICT_COLUMNS = ["kind", "description", "doc_ids", "values", "sentences"]
AGREEMENT_COLUMNS = ["measure", "rate", "sources", "doc_ids", "n_sources", "rate_pct", "from_rate_pct"]
CLAIM_REQUIRED = {"doc_id", "imposer", "target", "rate_pct", "from_rate_pct", "scope", "effective",
                  "sentence_index", "sentence"}


def date_span(value: str) -> tuple[date, date] | None:
    """The first and last day a 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' date covers (None if unparsable)."""
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return d, d
        if len(value) == 7:
            y, m = int(value[:4]), int(value[5:])
            start = date(y, m, 1)
            end = date(y + (m == 12), m % 12 + 1, 1) - timedelta(days=1)
            return start, end
        if len(value) == 4:
            return date(int(value), 1, 1), date(int(value), 12, 31)
    except (ValueError, TypeError):
        return None
    return None


def dates_gap(a: str, b: str) -> int | None:
    """Days between two (possibly coarse) dates; 0 when their spans overlap, None if unparsable."""
    sa, sb = date_span(a), date_span(b)
    if sa is None or sb is None:
        return None
    if sa[1] < sb[0]:
        return (sb[0] - sa[1]).days
    if sb[1] < sa[0]:
        return (sa[0] - sb[1]).days
    return 0


def dates_compatible(a: str, b: str, *, day_tolerance: int = 3) -> bool:
    """Whether two stated dates can describe the same event.

    A day is compatible with its month and year; two days within ``day_tolerance`` days; two
    months only if equal (a year is compatible with anything inside it).
    """
    sa, sb = date_span(a), date_span(b)
    if sa is None or sb is None:
        return True
    if len(a) == 10 and len(b) == 10:
        return abs((sa[0] - sb[0]).days) <= day_tolerance
    return dates_gap(a, b) == 0


def claim_dates(claims: pd.DataFrame, events: pd.DataFrame, docs: pd.DataFrame) -> pd.DataFrame:
    """Date every claim (see the module docstring for the order of preference).

    Returns:
        The claims with two more columns: ``date`` and ``date_basis`` ('effective', 'sentence',
        'previous sentence', 'published' or '').
    """
    _require(claims, CLAIM_REQUIRED, "claims")
    pub = {d: parse_published(p) for d, p in zip(docs["doc_id"], docs["published"], strict=True)}
    by_seg: dict[tuple[str, int, str], str] = {}
    by_sent: dict[tuple[str, int], str] = {}
    ev = events[events["precision"].isin(["day", "month"])] if len(events) else events
    from analysis.claims import DOCUMENT_DATE_BEFORE

    for e in ev.itertuples(index=False):
        expr = getattr(e, "expression", "")
        if isinstance(expr, str) and expr and isinstance(e.sentence, str):
            at = e.sentence.find(expr)
            if at >= 0 and DOCUMENT_DATE_BEFORE.search(e.sentence[max(0, at - 60):at]):
                continue  # "Executive Order 14257 of April 2, 2025" dates the order, not the measure
        by_seg.setdefault((e.doc_id, int(e.sentence_index), e.sentence), e.date)
        by_sent[(e.doc_id, int(e.sentence_index))] = e.date  # the last date of the sentence
    claim_sents = set(zip(claims["doc_id"], claims["sentence_index"].astype(int), strict=True))
    dates, basis = [], []
    for c in claims.itertuples(index=False):
        si = int(c.sentence_index)
        if isinstance(c.effective, str) and c.effective:
            dates.append(c.effective)
            basis.append("effective")
        elif (c.doc_id, si, c.sentence) in by_seg:
            dates.append(by_seg[(c.doc_id, si, c.sentence)])
            basis.append("sentence")
        elif (c.doc_id, si - 1) in by_sent and (c.doc_id, si - 1) not in claim_sents:
            dates.append(by_sent[(c.doc_id, si - 1)])
            basis.append("previous sentence")
        elif pub.get(c.doc_id):
            dates.append(pub[c.doc_id].isoformat())
            basis.append("published")
        else:
            dates.append("")
            basis.append("")
    return claims.assign(date=dates, date_basis=basis)


def _require(frame: pd.DataFrame, cols: Iterable[str], name: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame; got {type(frame).__name__}")
    missing = set(cols) - set(frame.columns)
    if missing:
        raise ValueError(f"{name} lacks columns {sorted(missing)}")


def _pct(v: float) -> str:
    return f"{v:g}%"


def _change(row) -> str:
    return f"{_pct(row.from_rate_pct)} → {_pct(row.rate_pct)}" if pd.notna(row.from_rate_pct) else _pct(row.rate_pct)


def _scope_groups(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """Split claims of one imposer/target into groups whose product scopes overlap ('' only with '')."""
    groups: list[tuple[set[str], list[int]]] = []
    for idx, scope in zip(frame.index, frame["scope"].fillna(""), strict=True):
        items = set(scope.split(";")) if scope else {""}
        hit = [g for g in groups if g[0] & items]
        if hit:
            base = hit[0]
            for other in hit[1:]:
                base[0].update(other[0])
                base[1].extend(other[1])
                groups.remove(other)
            base[0].update(items)
            base[1].append(idx)
        else:
            groups.append((set(items), [idx]))
    return [frame.loc[g[1]] for g in groups]


def _measure_name(imposer: str, target: str, scope: str) -> str:
    s = f" ({scope.replace(';', ', ')})" if scope else ""
    return f"{imposer or '?'} tariff on {target or '?'}{s}"


def _sources(docs: pd.DataFrame) -> dict[str, str]:
    src = docs["source"] if "source" in docs.columns else docs["doc_id"]
    return {d: (s if isinstance(s, str) and s else d) for d, s in zip(docs["doc_id"], src, strict=True)}


def _clusters(rows: pd.DataFrame, window_days: int) -> list[pd.DataFrame]:
    """Split dated rows into clusters whose consecutive dates are within ``window_days``."""
    rows = rows.assign(_start=[(date_span(d) or (date.min, date.min))[0] for d in rows["date"]])
    rows = rows.sort_values("_start")
    out, cur, last_end = [], [], None
    for idx, d in zip(rows.index, rows["date"], strict=True):
        span = date_span(d)
        if cur and span and last_end and (span[0] - last_end).days > window_days:
            out.append(rows.loc[cur])
            cur = []
        cur.append(idx)
        if span:
            last_end = max(last_end, span[1]) if last_end and cur[:-1] else span[1]
    if cur:
        out.append(rows.loc[cur])
    return [c.drop(columns="_start") for c in out]


MAX_EVIDENCE = 10


def _row(kind: str, description: str, rows: pd.DataFrame, values: list[str]) -> dict:
    sents = list(dict.fromkeys(f"[{d}] {s}" for d, s in zip(rows["doc_id"], rows["sentence"], strict=True)))
    sents = sents[:MAX_EVIDENCE]
    return {"kind": kind, "description": description, "doc_ids": ";".join(sorted(set(rows["doc_id"]))),
            "values": " | ".join(values), "sentences": " || ".join(sents)}


def find_conflicts(claims: pd.DataFrame, events: pd.DataFrame, other_figures: pd.DataFrame, docs: pd.DataFrame,
                   *, window_days: int = 60, day_tolerance: int = 3, unit_window: int = 3,
                   event_window_days: int = 10) -> pd.DataFrame:
    """Disagreements between sources about tariff figures and dates.

    Args:
        claims: Output of :func:`analysis.claims.extract_claims`.
        events: Output of :func:`analysis.timeline.extract_events`.
        other_figures: Output of :func:`analysis.claims.other_figures`.
        docs: The documents frame (doc_id, source, published).
        window_days: How close in time two claims must be to describe the same measure.
        day_tolerance: Two day-precision dates this close still agree.
        unit_window: How many sentences away a rate change may be from a basis-point figure.
        event_window_days: How close two sources' dates of one announced agreement or meeting
            must be to count as dating the same event (see :func:`event_signature`).

    Returns:
        DataFrame ``kind, description, doc_ids, values, sentences`` (doc_ids joined with ';',
        values 'doc: value' joined with ' | ', sentences '[doc] sentence' joined with ' || ').
    """
    _require(docs, {"doc_id", "published"}, "docs")
    _require(other_figures, {"doc_id", "value", "unit", "kind", "sentence_index", "sentence"}, "other_figures")
    _require(events, {"doc_id", "date", "precision", "sentence_index", "sentence"}, "events")
    src = _sources(docs)
    rows: list[dict] = []
    dated = claim_dates(claims, events, docs)
    dated = dated[(dated["imposer"] != "") & (dated["target"] != "")]
    for (imp, tgt), pair in dated.groupby(["imposer", "target"], sort=True):
        for grp in _scope_groups(pair):
            scope = ";".join(sorted({s for sc in grp["scope"].fillna("") for s in sc.split(";") if s}))
            measure = _measure_name(imp, tgt, scope)
            rows += _date_conflicts(grp, measure, src, window_days, day_tolerance)
            rows += _rate_conflicts(grp, measure, src, window_days)
            rows += _direction_conflicts(grp, measure, src, window_days)
    rows += _party_conflicts(dated, src, window_days)
    rows += _event_conflicts(events, src, window_days=event_window_days)
    rows += _unit_conflicts(claims, other_figures, src, unit_window)
    out = pd.DataFrame(rows, columns=CONFLICT_COLUMNS)
    return out.drop_duplicates(subset=["kind", "description", "doc_ids", "values"]).reset_index(drop=True)


def _same_measure(grp: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """Split claims of one imposer/target/scope by end rate; previous rates must not contradict."""
    out = []
    for rate, same in grp.groupby("rate_pct", sort=True):
        prevs = sorted(set(same["from_rate_pct"].dropna()))
        if not prevs:
            out.append((_pct(rate), same))
        for p in prevs:
            out.append((f"{_pct(p)} → {_pct(rate)}",
                        same[same["from_rate_pct"].isna() | (same["from_rate_pct"] == p)]))
    return out


def _date_conflicts(grp: pd.DataFrame, measure: str, src: dict, window_days: int, day_tolerance: int) -> list[dict]:
    out = []
    for rate, same in _same_measure(grp):
        for cl in _clusters(same, window_days):
            stated = cl[cl["date_basis"].isin(["effective", "sentence", "previous sentence"])]
            stated = stated.drop_duplicates(subset=["doc_id", "date"])
            if stated["doc_id"].nunique() < 2:
                continue
            by_doc = stated.groupby("doc_id")["date"].first()
            distinct = sorted(set(by_doc))
            clash = any(not dates_compatible(a, b, day_tolerance=day_tolerance)
                        for i, a in enumerate(distinct) for b in distinct[i + 1:])
            if not clash:
                continue
            values = []
            for d in distinct:
                names = sorted({src.get(doc, doc) for doc in by_doc.index[by_doc == d]})
                more = f" (+{len(names) - 5} more)" if len(names) > 5 else ""
                values.append(f"{', '.join(names[:5])}{more}: {d}")
            out.append(_row("date", f"{measure} {rate}: sources date it differently ({'; '.join(values)})",
                            stated, values))
    return out


def _rate_conflicts(grp: pd.DataFrame, measure: str, src: dict, window_days: int) -> list[dict]:
    out = []
    with_from = grp[grp["from_rate_pct"].notna()]
    for prev, same in with_from.groupby("from_rate_pct"):
        for cl in _clusters(same, window_days):
            if cl["doc_id"].nunique() > 1 and cl["rate_pct"].nunique() > 1:
                values = [f"{src.get(r.doc_id, r.doc_id)}: {_change(r)}" for r in cl.itertuples()]
                out.append(_row("rate", f"{measure}: from {_pct(prev)}, sources give different new rates",
                                cl, list(dict.fromkeys(values))))
    eff = grp[(grp["date_basis"] == "effective") & grp["effective"].str.len().eq(10)]
    for day, same in eff.groupby("effective"):
        if same["doc_id"].nunique() > 1 and same["rate_pct"].nunique() > 1:
            values = [f"{src.get(r.doc_id, r.doc_id)}: {_change(r)}" for r in same.itertuples()]
            out.append(_row("rate", f"{measure} effective {day}: sources give different rates", same,
                            list(dict.fromkeys(values))))
    return out


def _min_gap(a: pd.Series, b: pd.Series) -> int | None:
    """The smallest gap in days between any date of ``a`` and any of ``b`` (None if none parse)."""
    spans_a = sorted(x for x in (date_span(v) for v in set(a)) if x)
    spans_b = sorted(x for x in (date_span(v) for v in set(b)) if x)
    if not spans_a or not spans_b:
        return None
    return min(max((y[0] - x[1]).days, (x[0] - y[1]).days, 0) for x in spans_a[:50] for y in spans_b[:50])


def _direction_conflicts(grp: pd.DataFrame, measure: str, src: dict, window_days: int) -> list[dict]:
    out = []
    ch = grp[grp["from_rate_pct"].notna()]
    by_change = {k: g for k, g in ch.groupby(["from_rate_pct", "rate_pct"])}
    for (a, b), ga in by_change.items():
        if a >= b or (b, a) not in by_change:
            continue
        gb = by_change[(b, a)]
        if set(ga["doc_id"]) == set(gb["doc_id"]):
            continue
        gap = _min_gap(ga["date"], gb["date"])
        if gap is not None and gap > window_days:
            continue
        values = [f"{', '.join(sorted({src.get(d, d) for d in ga['doc_id']})[:5])}: {_pct(a)} → {_pct(b)}",
                  f"{', '.join(sorted({src.get(d, d) for d in gb['doc_id']})[:5])}: {_pct(b)} → {_pct(a)}"]
        out.append(_row("direction", f"{measure}: sources report the change in opposite directions",
                        pd.concat([ga, gb]), values))
    return out


def _party_conflicts(dated: pd.DataFrame, src: dict, window_days: int) -> list[dict]:
    out = []
    ch = dated[dated["from_rate_pct"].notna() & ~dated["target"].eq("ALL")]
    for (prev, rate), same in ch.groupby(["from_rate_pct", "rate_pct"]):
        by_pair = {k: g for k, g in same.groupby(["imposer", "target"])}
        for (imp, tgt), ga in by_pair.items():
            if imp >= tgt or (tgt, imp) not in by_pair:
                continue
            gb = by_pair[(tgt, imp)]
            if set(ga["doc_id"]) == set(gb["doc_id"]):
                continue
            gap = _min_gap(ga["date"], gb["date"])
            if gap is not None and gap > window_days:
                continue
            values = [f"{', '.join(sorted({src.get(d, d) for d in ga['doc_id']})[:5])}: {imp} on {tgt}",
                      f"{', '.join(sorted({src.get(d, d) for d in gb['doc_id']})[:5])}: {tgt} on {imp}"]
            out.append(_row("parties", f"The change {_pct(prev)} → {_pct(rate)} is attributed to opposite "
                                       f"imposers", pd.concat([ga, gb]), values))
    return out


_EVENT_VERBS = {
    "announce": r"announc(?:e|es|ed|ing)|unveil(?:s|ed|ing)?",
    "sign": r"sign(?:s|ed|ing)?",
    "reach": r"reach(?:es|ed|ing)?|struck|strike[s]?|clinch(?:es|ed)?|seal(?:s|ed)?|conclude[sd]?",
    "meet": r"me(?:e)?t(?:s|ing)?|held|hold(?:s|ing)?",
}
_EVENT_NOUNS = {
    "agreement": r"agreements?|deals?|framework|truce|pact|accord|joint statement|joint fact sheet",
    "talks": r"talks|meetings?|summit|negotiations|consultations",
}
_VERB_RE = {k: re.compile(rf"\b(?:{v})\b", re.I) for k, v in _EVENT_VERBS.items()}
_NOUN_RE = {k: re.compile(rf"\b(?:{v})\b", re.I) for k, v in _EVENT_NOUNS.items()}


def event_signature(sentence: str, gaz=None) -> tuple[str, str, frozenset[str]] | None:
    """What a dated sentence reports, coarsely: (verb, noun, countries named), or None.

    Only announcements, signings and meetings about agreements or talks are kept
    ("Trump announced a framework agreement with Japan" → ``("announce", "agreement", {JP})``):
    those are single events that every source should date alike.
    """
    from analysis.gazetteer import load_gazetteer

    verb = next((k for k, rx in _VERB_RE.items() if rx.search(sentence)), None)
    noun = next((k for k, rx in _NOUN_RE.items() if rx.search(sentence)), None)
    if verb is None or noun is None:
        return None
    gaz = gaz or load_gazetteer()
    codes = frozenset(m.actor.code for m in gaz.find(sentence, split_compounds=True)
                      if m.actor.code and m.actor.actor_type in ("country", "bloc"))
    if not codes:
        return None
    return verb, noun, codes


def _event_conflicts(events: pd.DataFrame, src: dict, *, window_days: int) -> list[dict]:
    """Sources giving different days for one announced agreement or meeting.

    Two day-precision event dates of different sources are compared when their sentences have
    the same signature (:func:`event_signature`: verb, noun, and country sets of which one
    contains the other) and lie within ``window_days`` of each other; any difference of days is
    a disagreement (time zones make one-day gaps common, and worth showing).
    """
    if events is None or events.empty:
        return []
    ev = events[events["precision"] == "day"]
    if ev.empty:
        return []
    from analysis.gazetteer import load_gazetteer

    gaz = load_gazetteer()
    rows = []
    for e in ev.drop_duplicates(["doc_id", "date", "sentence"]).itertuples(index=False):
        sig = event_signature(str(e.sentence), gaz)
        if sig is not None:
            rows.append((e.doc_id, e.date, e.sentence, sig))
    # Link comparable rows of different sources; each linked group with two dates is one disagreement.
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (da, xa, _sa, ga) in enumerate(rows):
        for j in range(i + 1, len(rows)):
            db, xb, _sb, gb = rows[j]
            if src.get(da, da) == src.get(db, db) or ga[:2] != gb[:2]:
                continue
            if not (ga[2] <= gb[2] or gb[2] <= ga[2]):
                continue
            gap = dates_gap(xa, xb)
            if gap is None or gap > window_days:
                continue
            parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(find(i), []).append(i)
    out: list[dict] = []
    for members in groups.values():
        dates = sorted({rows[i][1] for i in members})
        if len(members) < 2 or len(dates) < 2:
            continue
        sig = rows[members[0]][3]
        shared = frozenset.intersection(*(rows[i][3][2] for i in members))
        values = []
        for d in dates:
            names = sorted({src.get(rows[i][0], rows[i][0]) for i in members if rows[i][1] == d})
            values.append(f"{', '.join(names[:5])}: {d}")
        frame = pd.DataFrame({"doc_id": [rows[i][0] for i in members], "sentence": [rows[i][2] for i in members]})
        act = {"announce": "Announcement", "sign": "Signing", "reach": "Conclusion", "meet": "Holding"}[sig[0]]
        what = f"{act} of the {'talks' if sig[1] == 'talks' else 'agreement'} ({', '.join(sorted(shared))})"
        out.append(_row("date", f"{what}: sources date it differently ({'; '.join(values)})", frame, values))
    return out


def _unit_conflicts(claims: pd.DataFrame, figures: pd.DataFrame, src: dict, unit_window: int) -> list[dict]:
    out = []
    pts = figures[figures["unit"].isin(["basis_points", "percentage_points"]) & (figures["kind"] == "tariff_change")]
    changes = {d: g for d, g in claims[claims["from_rate_pct"].notna()].groupby("doc_id")}
    for f in pts.itertuples(index=False):
        mine = changes.get(f.doc_id)
        if mine is None:
            continue
        near = mine[(mine["sentence_index"] - f.sentence_index).abs() <= unit_window]
        if near.empty:
            continue
        deltas = sorted({round(abs(r.from_rate_pct - r.rate_pct), 6) for r in near.itertuples()})
        arithmetic = ", ".join(f"{_change(r)}" for r in near.drop_duplicates(["rate_pct", "from_rate_pct"]).itertuples())
        in_points = f.value / 100 if f.unit == "basis_points" else f.value
        if any(abs(in_points - d) < 1e-6 for d in deltas):
            continue
        if f.unit == "basis_points" and any(abs(f.value - d) < 1e-6 for d in deltas):
            desc = (f"{src.get(f.doc_id, f.doc_id)} gives a cut of {f.value:g} basis points (= {in_points:g} "
                    f"percentage points), but the rates it states ({arithmetic}) change by {f.value:g} "
                    f"percentage points: the unit contradicts the arithmetic")
        else:
            desc = (f"{src.get(f.doc_id, f.doc_id)} gives a change of {f.value:g} "
                    f"{f.unit.replace('_', ' ')} (= {in_points:g} percentage points), but the rates it states "
                    f"({arithmetic}) change by {', '.join(f'{d:g}' for d in deltas)} percentage points")
        ev = pd.DataFrame({"doc_id": [f.doc_id] * (1 + len(near)),
                           "sentence": [f.sentence, *near["sentence"].tolist()]})
        out.append(_row("unit", desc, ev, [f"{f.value:g} {f.unit}", *[f"{d:g} percentage points" for d in deltas]]))
    return out


def agreements(claims: pd.DataFrame, docs: pd.DataFrame, *, min_sources: int = 2) -> pd.DataFrame:
    """Tariff figures that several sources confirm.

    Claims agree when they share imposer, target, overlapping scope and rate, and their previous
    rates don't contradict (equal, or given by only some of them).

    Args:
        claims: Output of :func:`analysis.claims.extract_claims`.
        docs: The documents frame (for source names).
        min_sources: How many distinct sources must state the figure.

    Returns:
        DataFrame ``measure, rate, sources, doc_ids, n_sources, rate_pct, from_rate_pct``, most
        confirmed first.
    """
    _require(claims, CLAIM_REQUIRED, "claims")
    if min_sources < 1:
        raise ValueError("min_sources must be at least 1")
    src = _sources(docs)
    rows = []
    ok = claims[(claims["imposer"] != "") & (claims["target"] != "")]
    for (imp, tgt, rate), grp in ok.groupby(["imposer", "target", "rate_pct"], sort=True):
        for sg in _scope_groups(grp):
            prevs = sorted(set(sg["from_rate_pct"].dropna()))
            subsets = [sg[sg["from_rate_pct"].isna() | (sg["from_rate_pct"] == p)] for p in prevs] or [sg]
            for sub in subsets:
                sources = sorted({src.get(d, d) for d in sub["doc_id"]})
                if len(sources) < min_sources:
                    continue
                prev = sub["from_rate_pct"].dropna()
                p = float(prev.iloc[0]) if len(prev) else float("nan")
                scope = ";".join(sorted({s for sc in sub["scope"].fillna("") for s in sc.split(";") if s}))
                rows.append({"measure": _measure_name(imp, tgt, scope),
                             "rate": f"{p:g}% → {rate:g}%" if len(prev) else f"{rate:g}%",
                             "sources": ";".join(sources), "doc_ids": ";".join(sorted(set(sub["doc_id"]))),
                             "n_sources": len(sources), "rate_pct": float(rate), "from_rate_pct": p})
    out = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    return out.sort_values(["n_sources", "measure"], ascending=[False, True]).reset_index(drop=True)


def conflicts_json(conflicts: pd.DataFrame) -> str:
    """The conflicts as a JSON list of records (for reports)."""
    return json.dumps(conflicts.to_dict(orient="records"), ensure_ascii=False, indent=1)
