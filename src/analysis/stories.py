"""Stories across sources: articles about the same event, close in time, grouped together.

Two articles belong to one story when they say similar things (TF-IDF cosine of their
content terms, weighted as in :mod:`analysis.similarity`), state the same facts (the same
calendar dates and tariff-rate claims, also TF-IDF weighted so that a date every article
mentions counts for little) and were published close together. The three are combined
into one similarity per pair of articles::

    similarity = time × min(1, text × (1 + w_facts × facts))

where ``time`` is 1 for articles published within ``full_days`` of each other, falls
linearly to 0 at ``max_gap_days`` and is ``undated`` when either date is unknown. Shared
facts strengthen a text similarity (up to doubling it) but never make one: two articles
on different subjects that happen to name the same date stay apart, and the absence of
facts never lowers a similarity (many articles state no date or rate at all). Articles are then clustered with
scikit-learn's average-linkage agglomerative clustering on ``1 − similarity``, cut at
``1 − min_similarity``. Average linkage (rather than single linkage) keeps a chain of
loosely related articles from merging separate events.

Every article belongs to exactly one story; most stories of a large corpus hold one article.

Tuning (``w_facts`` 0–1 × ``min_similarity`` 0.12–0.18), on three corpora at once:
``tests/fixtures/stories_corpus`` (invented: Geneva, London a month later, Busan, an EU steel
story a week before Busan; adjusted Rand index against the events 1.0 for every
``min_similarity`` ≤ 0.16 with facts, 0.93 at 0.18 without); a real 359-document slice of the
White House Briefing Room (May–June and mid-October to November 2025, every subject, grouped
by category), where the five Geneva documents of 11–12 May must form one story without the
US–UK deal of 8 May (true from 0.13 without facts, and from 0.16 with ``w_facts`` = 0.5); and the devset and seeds, whose articles are
all about different events and stay apart. The defaults (0.5, 0.16) are the lowest cut that
is right on both the fixture and the real slice. On the devset the three White House Geneva
texts (012–014) stay separate: in a corpus where every document is about tariffs their text
cosines are 0.10–0.15.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

STORY_COLUMNS = ["story_id", "title", "first_date", "last_date", "sources", "documents", "n_sources",
                 "main_date", "terms"]
STORY_DOCUMENT_COLUMNS = ["story_id", "doc_id", "source", "similarity"]
BLIND_SPOT_COLUMNS = ["story_id", "title", "group", "covered_by", "sources", "documents"]
DECIMALS = 4


@dataclass(frozen=True)
class StoryParams:
    """How articles are grouped into stories (defaults tuned on seeds, devset and fixtures)."""

    w_facts: float = 0.5
    """How much shared dates and claims strengthen the text similarity (0 ignores them; 0.5 adds up to half)."""
    full_days: int = 3
    """Articles published this many days apart or fewer count as simultaneous."""
    max_gap_days: int = 21
    """Articles published this many days apart or more never join through time."""
    undated: float = 0.5
    """Time factor when an article has no publication date."""
    min_similarity: float = 0.16
    """Average similarity a story's articles must reach to be merged (the cut of the tree)."""
    title_terms: int = 3
    """Distinctive terms in a story's title."""


@dataclass
class Stories:
    """The stories of a corpus and the articles of each."""

    stories: pd.DataFrame
    """One row per story (:data:`STORY_COLUMNS`)."""
    documents: pd.DataFrame
    """One row per article (:data:`STORY_DOCUMENT_COLUMNS`)."""


_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


def text_terms(docs: pd.DataFrame) -> pd.DataFrame:
    """Lower-cased words of each document's ``text`` without English stop words.

    A fallback for documents that have no content terms from the annotations (e.g. non-English
    ones), and a spaCy-free tokenizer for tests.

    Returns:
        Columns ``doc_id, term``, one row per occurrence.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    rows: list[tuple[str, str]] = []
    if "text" not in docs.columns or docs.empty:
        return pd.DataFrame(rows, columns=["doc_id", "term"])
    for doc_id, text in zip(docs["doc_id"].astype(str), docs["text"].fillna("").astype(str), strict=True):
        rows.extend((doc_id, w) for w in (m.lower() for m in _WORD.findall(text)) if w not in ENGLISH_STOP_WORDS)
    return pd.DataFrame(rows, columns=["doc_id", "term"])


def fact_terms(events: pd.DataFrame | None, claims: pd.DataFrame | None, *,
               published: pd.Series | None = None, window_days: int = 21) -> pd.DataFrame:
    """The facts each document states, as terms: ``date:2025-05-12`` and ``rate:US>CN:30``.

    Rates on all countries are left out: the baseline every trade story repeats.

    Only dates known to the day count (a month is shared by too many events), and, when the
    publication dates are given, only dates within ``window_days`` of the article's own: the
    events it reports, not the background every article of a long story repeats, and not its
    own publication day.

    Args:
        events: Stated dates (``doc_id, date[, precision]``).
        claims: Tariff-rate claims (``doc_id, imposer, target, rate_pct``).
        published: Publication date (ISO) of each document, indexed by ``doc_id``.
        window_days: How far from its publication a stated date may lie.

    Returns:
        Columns ``doc_id, term``.
    """
    parts = []
    if events is not None and not events.empty and {"doc_id", "date"} <= set(events.columns):
        ev = events.assign(doc_id=events["doc_id"].astype(str))
        if "precision" in ev.columns:
            ev = ev[ev["precision"].astype(str) == "day"]
        if published is not None:
            stated = pd.to_datetime(ev["date"].astype(str), errors="coerce", format="%Y-%m-%d")
            pub = pd.to_datetime(ev["doc_id"].map(published).astype(str).str.slice(0, 10), errors="coerce",
                                 format="%Y-%m-%d")
            gap = (stated - pub).abs()
            # A stated date equal to the publication day is mostly "today"/"on Monday": every
            # article of that day shares it, whatever it is about.
            ev = ev[((gap <= pd.Timedelta(days=window_days)) & (gap > pd.Timedelta(0))).to_numpy()]
        parts.append(pd.DataFrame({"doc_id": ev["doc_id"].astype(str), "term": "date:" + ev["date"].astype(str)}))
    if claims is not None and not claims.empty and {"doc_id", "imposer", "target", "rate_pct"} <= set(claims.columns):
        rate = pd.to_numeric(claims["rate_pct"], errors="coerce")
        # A rate on every country (the 10% baseline) is background shared by unrelated stories.
        ok = rate.notna() & (claims["target"].astype(str) != "ALL")
        c = claims[ok]
        # Built as plain Python strings: an empty or all-missing column must not change the dtype.
        parts.append(pd.DataFrame({
            "doc_id": [str(d) for d in c["doc_id"]],
            "term": [f"rate:{imp}>{tgt}:{r:g}"
                     for imp, tgt, r in zip(c["imposer"].astype(object), c["target"].astype(object), rate[ok],
                                            strict=True)]}, columns=["doc_id", "term"]))
    if not parts:
        return pd.DataFrame(columns=["doc_id", "term"])
    return pd.concat(parts, ignore_index=True)


def _tfidf(terms: pd.DataFrame, ids: list[str]):
    """Sparse L2-normalised TF-IDF rows (sublinear tf, smoothed idf) in the order of ``ids``."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfTransformer

    pos = {d: i for i, d in enumerate(ids)}
    t = terms[terms["doc_id"].astype(str).isin(pos)]
    if t.empty:
        return sparse.csr_matrix((len(ids), 0))
    if "count" not in t.columns:
        t = t.groupby([t["doc_id"].astype(str), "term"]).size().rename("count").reset_index()
    vocab = {w: j for j, w in enumerate(sorted(t["term"].astype(str).unique()))}
    counts = sparse.csr_matrix(
        (t["count"].to_numpy(dtype=float),
         (t["doc_id"].astype(str).map(pos).to_numpy(), t["term"].astype(str).map(vocab).to_numpy())),
        shape=(len(ids), len(vocab)))
    return TfidfTransformer(norm="l2", smooth_idf=True, sublinear_tf=True).fit_transform(counts).tocsr()


def _days(published: pd.Series) -> np.ndarray:
    """Days since 1970 of each publication date (NaN when unknown)."""
    d = pd.to_datetime(published.astype(str).str.slice(0, 10), errors="coerce", format="%Y-%m-%d")
    out = (d - pd.Timestamp("1970-01-01")).dt.days.to_numpy(dtype=float)
    return out


def time_factor(gap_days: np.ndarray, *, params: StoryParams = StoryParams()) -> np.ndarray:
    """How close in time two articles are, from 1 (within ``full_days``) to 0 (``max_gap_days`` apart).

    Args:
        gap_days: Absolute gaps in days; NaN where a date is unknown.
        params: The clustering parameters.
    """
    gap = np.abs(np.asarray(gap_days, dtype=float))
    span = max(params.max_gap_days - params.full_days, 1)
    f = np.clip(1.0 - (gap - params.full_days) / span, 0.0, 1.0)
    return np.where(np.isnan(gap), params.undated, f)


BLOCK_ROWS = 1000
"""Rows of the similarity matrix computed at once; bounds memory on large corpora."""


def similarity_block(text, facts, days: np.ndarray, rows: np.ndarray, cols: np.ndarray, *,
                     params: StoryParams = StoryParams()) -> np.ndarray:
    """The combined similarity of the articles ``rows`` against the articles ``cols`` (dense)."""
    t = np.asarray((text[rows] @ text[cols].T).todense(), dtype=float) if text.shape[1] else \
        np.zeros((len(rows), len(cols)))
    f = np.asarray((facts[rows] @ facts[cols].T).todense(), dtype=float) if facts.shape[1] else 0.0
    content = np.clip(t, 0, 1) * (1.0 + params.w_facts * np.clip(f, 0, 1))
    sim = np.clip(time_factor(days[rows][:, None] - days[cols][None, :], params=params) * content, 0.0, 1.0)
    sim[rows[:, None] == cols[None, :]] = 1.0
    return sim


def pair_similarity(text, facts, days: np.ndarray, *, params: StoryParams = StoryParams()) -> np.ndarray:
    """The combined similarity of every pair of articles (dense, symmetric, diagonal 1).

    Args:
        text: Sparse TF-IDF rows of the articles' words.
        facts: Sparse TF-IDF rows of the facts they state (zero rows when none).
        days: Publication day numbers (NaN when unknown).
        params: The clustering parameters.
    """
    idx = np.arange(text.shape[0])
    return similarity_block(text, facts, days, idx, idx, params=params)


def _labels(text, facts, days: np.ndarray, *, params: StoryParams) -> np.ndarray:
    """Story labels: components of the graph of similar pairs, then average linkage within each.

    Average linkage only merges clusters that have a pair at least ``min_similarity`` alike, so
    the connected components of that graph bound the stories; each is clustered on its own, and
    the full matrix is never held for a large corpus.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from sklearn.cluster import AgglomerativeClustering

    n = text.shape[0]
    everything = np.arange(n)
    rows_i, cols_i = [], []
    for start in range(0, n, BLOCK_ROWS):
        rows = everything[start:start + BLOCK_ROWS]
        r, c = np.nonzero(similarity_block(text, facts, days, rows, everything, params=params) >= params.min_similarity)
        rows_i.append(r + start)
        cols_i.append(c)
    r, c = np.concatenate(rows_i), np.concatenate(cols_i)
    _, comp = connected_components(coo_matrix((np.ones(len(r)), (r, c)), shape=(n, n)), directed=False)
    labels = np.full(n, -1)
    next_label = 0
    for k in np.unique(comp):
        idx = np.flatnonzero(comp == k)
        if len(idx) == 1:
            labels[idx] = next_label
            next_label += 1
            continue
        model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                        distance_threshold=1.0 - params.min_similarity)
        sub = model.fit_predict(1.0 - similarity_block(text, facts, days, idx, idx, params=params))
        labels[idx] = sub + next_label
        next_label += int(sub.max()) + 1
    return labels


def _fmt_date(value: str) -> str:
    try:
        d = date.fromisoformat(value)
    except (TypeError, ValueError):
        return value or "undated"
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _main_date(members: pd.DataFrame, events: pd.DataFrame | None, first: str, last: str) -> str:
    """The day-precision date its articles state most often within the story's span (or the first date)."""
    if events is not None and not events.empty and {"doc_id", "date"} <= set(events.columns):
        ev = events[events["doc_id"].astype(str).isin(set(members["doc_id"]))]
        if "precision" in ev.columns:
            ev = ev[ev["precision"].astype(str) == "day"]
        dates = ev["date"].astype(str)
        if first:
            lo = (pd.Timestamp(first) - pd.Timedelta(days=14)).date().isoformat()
            dates = dates[(dates >= lo) & (dates <= (last or first))]
        if not dates.empty:
            # Most articles first, then most mentions, then the earliest.
            per_doc = ev.loc[dates.index].drop_duplicates(["doc_id", "date"])["date"].astype(str).value_counts()
            mentions = dates.value_counts()
            best = sorted(per_doc.index, key=lambda d: (-per_doc[d], -mentions.get(d, 0), d))
            return best[0]
    return first


def _title_terms(rows: np.ndarray, vectors, vocab: list[str], k: int, idf: np.ndarray) -> list[str]:
    """The story's most distinctive terms: heavy in its centroid, shared by its articles, rare elsewhere."""
    sub = vectors[rows]
    if sub.shape[1] == 0 or sub.nnz == 0:
        return []
    centroid = np.asarray(sub.mean(axis=0)).ravel()
    share = np.asarray((sub > 0).sum(axis=0)).ravel() / len(rows)
    score = centroid * (share if len(rows) > 1 else 1.0) * idf
    order = sorted(np.flatnonzero(score > 0), key=lambda j: (-score[j], vocab[j]))
    return [vocab[j] for j in order[:k]]


def _title(words: Sequence[str], main_date: str) -> str:
    head = ", ".join(w[:1].upper() + w[1:] for w in words) or "Untitled"
    return f"{head} ({_fmt_date(main_date)})" if main_date else head


def cluster_stories(docs: pd.DataFrame, terms: pd.DataFrame | None = None, *,
                    events: pd.DataFrame | None = None, claims: pd.DataFrame | None = None,
                    group_by: str = "group", params: StoryParams = StoryParams()) -> Stories:
    """Group the articles of a corpus into stories.

    Args:
        docs: One row per article with ``doc_id``, ``published`` and the ``group_by`` column
            (the source); ``text`` is used for articles absent from ``terms``.
        terms: Content terms, ``doc_id, term`` (one row per occurrence) or ``doc_id, term, count``,
            as from :func:`analysis.terms.content_terms`; ``None`` tokenizes ``text``.
        events: Dates the articles state (``doc_id, date, precision``), as from the timeline.
        claims: Tariff-rate claims (``doc_id, imposer, target, rate_pct``).
        group_by: The column of ``docs`` naming each article's source (``source`` if ``group`` is absent).
        params: The clustering parameters.

    Returns:
        The stories (ids ``S001``… in order of first date) and the story of every article with its
        text cosine to the story's centroid.

    Raises:
        ValueError: if ``docs`` lacks ``doc_id`` or ``published``.
    """
    if group_by not in docs.columns and "source" in docs.columns:
        group_by = "source"
    missing = [c for c in ("doc_id", "published", group_by) if c not in docs.columns]
    if missing:
        raise ValueError(f"docs needs the columns {missing}; it has {list(docs.columns)}")
    if docs.empty:
        return Stories(pd.DataFrame(columns=STORY_COLUMNS), pd.DataFrame(columns=STORY_DOCUMENT_COLUMNS))
    d = docs.drop_duplicates("doc_id").copy()
    d["doc_id"] = d["doc_id"].astype(str)
    d["published"] = d["published"].fillna("").astype(str).str.slice(0, 10)
    d["_source"] = d[group_by].fillna("").astype(str)
    d = d.sort_values(["published", "doc_id"], kind="stable").reset_index(drop=True)
    ids = list(d["doc_id"])

    if terms is None:
        terms = text_terms(d)
    else:
        terms = terms.assign(doc_id=terms["doc_id"].astype(str))
        lacking = d[~d["doc_id"].isin(set(terms["doc_id"]))]
        if not lacking.empty:
            extra = text_terms(lacking)
            if "count" in terms.columns:  # counted terms: count the fallback's occurrences the same way
                extra = extra.groupby(["doc_id", "term"]).size().rename("count").reset_index()
            terms = pd.concat([terms, extra], ignore_index=True)
    text = _tfidf(terms, ids)
    facts = _tfidf(fact_terms(events, claims, published=d.set_index("doc_id")["published"],
                              window_days=params.max_gap_days), ids)
    labels = _labels(text, facts, _days(d["published"]), params=params)

    t = terms[terms["doc_id"].isin(set(ids))]
    vocab = sorted(t["term"].astype(str).unique())
    doc_freq = np.asarray((text > 0).sum(axis=0)).ravel() if text.shape[1] else np.zeros(0)
    idf = np.log((1.0 + len(ids)) / (1.0 + doc_freq)) + 1.0
    story_rows, doc_rows = [], []
    groups = sorted({int(x) for x in labels})

    def first_key(lab: int) -> tuple[str, str]:
        m = d[labels == lab]
        dated = m["published"][m["published"] != ""]
        return (dated.min() if not dated.empty else "9999", m["doc_id"].min())

    for n, lab in enumerate(sorted(groups, key=first_key), start=1):
        rows = np.flatnonzero(labels == lab)
        members = d.iloc[rows]
        sid = f"S{n:03d}"
        dated = members["published"][members["published"] != ""]
        first = dated.min() if not dated.empty else ""
        last = dated.max() if not dated.empty else ""
        main = _main_date(members, events, first, last)
        words = _title_terms(rows, text, vocab, params.title_terms, idf)
        sources = sorted(set(members["_source"]))
        story_rows.append((sid, _title(words, main), first, last, "; ".join(sources), len(members), len(sources),
                           main, "; ".join(words)))
        sub = text[rows]
        centroid = np.asarray(sub.mean(axis=0)).ravel()
        norm = float(np.linalg.norm(centroid))
        cos = (np.asarray(sub @ centroid).ravel() / norm) if norm > 0 else np.zeros(len(rows))
        for doc_id, source, c in zip(members["doc_id"], members["_source"], cos, strict=True):
            doc_rows.append((sid, doc_id, source, round(float(c), DECIMALS)))
    stories = pd.DataFrame(story_rows, columns=STORY_COLUMNS)
    documents = pd.DataFrame(doc_rows, columns=STORY_DOCUMENT_COLUMNS).sort_values(
        ["story_id", "doc_id"], kind="stable").reset_index(drop=True)
    log.info("%d articles in %d stories (%d with two or more sources)", len(d), len(stories),
             int((stories["n_sources"] >= 2).sum()))
    return Stories(stories, documents)


def multi_source(stories: pd.DataFrame, *, min_sources: int = 2) -> pd.DataFrame:
    """The stories covered by at least ``min_sources`` sources, largest first."""
    if stories.empty:
        return stories
    s = stories[stories["n_sources"].astype(int) >= min_sources]
    return s.sort_values(["n_sources", "documents", "story_id"], ascending=[False, False, True],
                         kind="stable").reset_index(drop=True)


def blind_spots(stories: pd.DataFrame, story_documents: pd.DataFrame, docs: pd.DataFrame, *,
                by: str = "group", min_sources: int = 2) -> pd.DataFrame:
    """The stories a group of sources did not cover at all while other groups did.

    Args:
        stories: Output ``stories`` of :func:`cluster_stories`.
        story_documents: Output ``documents`` of :func:`cluster_stories`.
        docs: The documents frame with ``doc_id`` and the ``by`` column (e.g. ``group`` or ``country``).
        by: Column of ``docs`` that puts sources into groups; documents with no value are left out.
        min_sources: Only stories covered by at least this many sources are considered.

    Returns:
        One row per (story, group that missed it): :data:`BLIND_SPOT_COLUMNS`, ``covered_by`` naming
        the groups that did cover it. Empty when there are fewer than two groups.
    """
    if by not in docs.columns:
        raise ValueError(f"docs has no column {by!r} to group sources by; it has {list(docs.columns)}")
    if stories.empty or story_documents.empty:
        return pd.DataFrame(columns=BLIND_SPOT_COLUMNS)
    g = docs[["doc_id", by]].copy()
    g["doc_id"] = g["doc_id"].astype(str)
    g[by] = g[by].fillna("").astype(str).str.strip()
    g = g[(g[by] != "") & (g[by] != "(none)")]
    all_groups = sorted(set(g[by]))
    if len(all_groups) < 2:
        return pd.DataFrame(columns=BLIND_SPOT_COLUMNS)
    sd = story_documents.assign(doc_id=story_documents["doc_id"].astype(str)).merge(g, on="doc_id")
    covered = sd.groupby("story_id")[by].agg(lambda s: sorted(set(s)))
    rows = []
    for s in multi_source(stories, min_sources=min_sources).itertuples(index=False):
        have = covered.get(s.story_id, [])
        if not have:
            continue
        for grp in all_groups:
            if grp not in have:
                rows.append((s.story_id, s.title, grp, "; ".join(have), s.sources, int(s.documents)))
    out = pd.DataFrame(rows, columns=BLIND_SPOT_COLUMNS)
    return out.sort_values(["group", "story_id"], kind="stable").reset_index(drop=True)


SIDE_FIELDS = ["Headline", "First sentence", "Voices quoted", "Figures stated", "Dates stated", "Tone",
               "Main aspects", "Main frames"]
"""The rows of a story's side-by-side comparison, one column per source."""
DISAGREEMENT_COLUMNS = ["story_id", "measure", "values", "sources"]
DISAGREE_MARK = "≠"
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])[\"”’)]*\s+")


def first_sentence(text: str, *, limit: int = 320) -> str:
    """The first sentence of a text (cut at ``limit`` characters)."""
    t = " ".join(str(text or "").split())
    head = _SENTENCE_END.split(t, maxsplit=1)[0] if t else ""
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"


def _measure(row) -> str:
    scope = str(getattr(row, "scope", "") or "")
    scope = "" if scope in ("nan", "None") else scope
    return f"{row.imposer} on {row.target}" + (f" ({scope})" if scope else "")


def _rate(v) -> str:
    return f"{float(v):g}%"


def _story_claims(claims: pd.DataFrame | None, members: pd.DataFrame) -> pd.DataFrame:
    cols = ["doc_id", "source", "measure", "rate", "from_rate"]
    if claims is None or claims.empty or not {"doc_id", "imposer", "target", "rate_pct"} <= set(claims.columns):
        return pd.DataFrame(columns=cols)
    c = claims.assign(doc_id=claims["doc_id"].astype(str)).merge(members[["doc_id", "source"]], on="doc_id")
    c = c[pd.to_numeric(c["rate_pct"], errors="coerce").notna()]
    if c.empty:
        return pd.DataFrame(columns=cols)
    old = (pd.to_numeric(c["from_rate_pct"], errors="coerce") if "from_rate_pct" in c.columns
           else pd.Series(float("nan"), index=c.index))
    c = c.assign(measure=[_measure(r) for r in c.itertuples(index=False)], rate=c["rate_pct"].map(_rate),
                 from_rate=[_rate(v) if pd.notna(v) else "" for v in old])
    return c[cols]


def story_disagreements(story_id: str, story_documents: pd.DataFrame,
                        claims: pd.DataFrame | None) -> pd.DataFrame:
    """The tariff measures of a story that its sources give different rates for.

    A measure is one imposer on one target (and scope). Sources disagree on it when an article
    of one source shares no rate with any article of another source: neither its stated rates nor
    the rates they changed from (145% to 30%) are mentioned there. So one source giving 30% and
    another 40% disagree, and so does a source's second article giving 40% when every other
    source gives 30%; a source giving the old and the new rate (145% and 30%) does not contradict
    one giving only 30%, and a measure that only one source gives a rate for has nothing to
    disagree with.

    Returns:
        :data:`DISAGREEMENT_COLUMNS`; ``values`` reads ``"Source A: 30% | Source B: 30%, 40%"``
        (each source's stated rates) and ``sources`` names the sources with such an article.
    """
    members = story_documents[story_documents["story_id"] == story_id]
    c = _story_claims(claims, members)
    rows = []
    for measure, sub in c.groupby("measure", sort=True):
        stated = sub.groupby("source")["rate"].agg(lambda r: tuple(sorted(set(r), key=lambda x: float(x[:-1]))))
        if len(stated) < 2:
            continue
        docs = [(s, set(g["rate"]) | (set(g["from_rate"]) - {""})) for (s, _), g in sub.groupby(["source", "doc_id"])]
        alone = {s for s, mine in docs if all(mine.isdisjoint(other) for o, other in docs if o != s)}
        if alone:
            values = " | ".join(f"{s}: {', '.join(r)}" for s, r in stated.items())
            rows.append((story_id, measure, values, "; ".join(s for s in stated.index if s in alone)))
    return pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)


def _voices(quotes: pd.DataFrame | None, ids: set[str]) -> str:
    if quotes is None or quotes.empty or "speaker_type" not in quotes.columns:
        return ""
    from analysis.quotes import speaker_group

    q = quotes[quotes["doc_id"].astype(str).isin(ids)]
    if q.empty:
        return "none"
    counts = speaker_group(q).value_counts()
    return " · ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _top_labels(topics: pd.DataFrame | None, ids: set[str], kind: str, k: int = 2) -> str:
    if topics is None or topics.empty or not {"doc_id", "kind", "label", "sentences"} <= set(topics.columns):
        return ""
    t = topics[(topics["doc_id"].astype(str).isin(ids)) & (topics["kind"] == kind)]
    s = t.groupby("label")["sentences"].sum()
    s = s[s > 0].sort_values(ascending=False, kind="stable")
    return ", ".join(s.index[:k]) if not s.empty else "none"


def _tone(tone: pd.DataFrame | None, ids: set[str]) -> str:
    if tone is None or tone.empty or not {"doc_id", "target", "mean"} <= set(tone.columns):
        return ""
    t = tone[(tone["doc_id"].astype(str).isin(ids)) & (tone["target"] == "(all)")]
    vals = pd.to_numeric(t["mean"], errors="coerce").dropna()
    if vals.empty:
        return "no English text"
    word = "positive" if vals.mean() > 0.05 else "negative" if vals.mean() < -0.05 else "neutral"
    return f"{vals.mean():+.2f} ({word}; {_articles_n(len(vals))})"


def _articles_n(n: int) -> str:
    return f"{n} article" if n == 1 else f"{n} articles"


def _dates(events: pd.DataFrame | None, ids: set[str], first: str, last: str) -> str:
    if events is None or events.empty or not {"doc_id", "date"} <= set(events.columns):
        return ""
    ev = events[events["doc_id"].astype(str).isin(ids)]
    if "precision" in ev.columns:
        ev = ev[ev["precision"].astype(str) == "day"]
    dates = sorted(set(ev["date"].astype(str)))
    if first:
        lo = (pd.Timestamp(first) - pd.Timedelta(days=60)).date().isoformat()
        hi = (pd.Timestamp(last or first) + pd.Timedelta(days=60)).date().isoformat()
        dates = [d for d in dates if lo <= d <= hi]
    return ", ".join(_fmt_date(d) for d in dates) if dates else "none"


def story_sides(story_id: str, stories: pd.DataFrame, story_documents: pd.DataFrame, docs: pd.DataFrame, *,
                quotes: pd.DataFrame | None = None, claims: pd.DataFrame | None = None,
                events: pd.DataFrame | None = None, tone: pd.DataFrame | None = None,
                topics: pd.DataFrame | None = None, sentence_limit: int = 320) -> pd.DataFrame:
    """One story side by side: a row per :data:`SIDE_FIELDS`, a column per source.

    Figures a source states that another source of the story contradicts (another rate for the
    same measure) are marked with ``≠``. Headline and first sentence are those of the source's
    earliest article in the story; the other rows cover all its articles in the story.

    Args:
        story_id: The story.
        stories: ``stories`` of :func:`cluster_stories`.
        story_documents: ``documents`` of :func:`cluster_stories`.
        docs: Documents with ``doc_id, published`` and, when present, ``title`` and ``text``.
        quotes, claims, events, tone, topics: The run's per-document tables (any may be missing).
        sentence_limit: Longest first sentence shown, in characters.

    Returns:
        Index named ``field``; empty when the story is unknown.
    """
    members = story_documents[story_documents["story_id"] == story_id]
    if members.empty:
        return pd.DataFrame(index=pd.Index([], name="field"))
    story = stories.set_index("story_id").loc[story_id]
    d = docs.assign(doc_id=docs["doc_id"].astype(str)).set_index("doc_id")
    disagree = story_disagreements(story_id, story_documents, claims)
    contested = set(disagree["measure"])
    c = _story_claims(claims, members)
    columns = {}
    for source, sub in members.groupby("source", sort=True):
        ids = set(sub["doc_id"].astype(str))
        ordered = sorted(ids, key=lambda i: (str(d["published"].get(i, "")) if "published" in d else "", i))
        lead = ordered[0]
        title = str(d["title"].get(lead, "") or "") if "title" in d.columns else ""
        title = "" if title == "nan" else title
        more = f" (+{len(ordered) - 1} more)" if len(ordered) > 1 else ""
        text = d["text"].get(lead, "") if "text" in d.columns else ""
        figs = []
        for measure, rates in c[c["source"] == source].groupby("measure", sort=True)["rate"]:
            mark = f" {DISAGREE_MARK}" if measure in contested else ""
            figs.append(f"{measure}: {', '.join(sorted(set(rates), key=lambda x: float(x[:-1])))}{mark}")
        columns[source] = [
            (title or "(no headline)") + more,
            first_sentence(text, limit=sentence_limit),
            _voices(quotes, ids),
            "; ".join(figs) if figs else "none",
            _dates(events, ids, str(story["first_date"]), str(story["last_date"])),
            _tone(tone, ids),
            _top_labels(topics, ids, "aspect"),
            _top_labels(topics, ids, "frame"),
        ]
    out = pd.DataFrame(columns, index=pd.Index(SIDE_FIELDS, name="field"))
    return out


def story_tables(tables: dict[str, pd.DataFrame], docs: pd.DataFrame, terms: pd.DataFrame | None, *,
                 params: StoryParams = StoryParams()) -> dict[str, pd.DataFrame]:
    """The story tables of a run from its other tables.

    Args:
        tables: The run's tables (``events``, ``claims`` are used when present).
        docs: Documents with ``doc_id, published, group`` (and ``country`` for country blind spots).
        terms: Content terms per document (``doc_id, term[, count]``).
        params: The clustering parameters.

    Returns:
        ``stories``, ``story_documents``, ``story_disagreements`` (rates the sources of a story
        give differently) and ``blind_spots`` (with ``by``: ``source`` or ``country``).
    """
    result = cluster_stories(docs, terms, events=tables.get("events"), claims=tables.get("claims"),
                             group_by="group", params=params)
    disagreements = [story_disagreements(sid, result.documents, tables.get("claims"))
                     for sid in multi_source(result.stories)["story_id"]] if not result.stories.empty else []
    spots = []
    for by, column in (("source", "group"), ("country", "country")):
        if column in docs.columns:
            b = blind_spots(result.stories, result.documents, docs, by=column)
            spots.append(b.assign(by=by)[["by", *BLIND_SPOT_COLUMNS]])
    return {
        "stories": result.stories,
        "story_documents": result.documents,
        "story_disagreements": (pd.concat(disagreements, ignore_index=True) if disagreements
                                else pd.DataFrame(columns=DISAGREEMENT_COLUMNS)),
        "blind_spots": (pd.concat(spots, ignore_index=True) if spots
                        else pd.DataFrame(columns=["by", *BLIND_SPOT_COLUMNS])),
    }


def _table(t, name: str) -> pd.DataFrame | None:
    """A table of a run (``RunTables``), or None when this run did not build it."""
    try:
        return t.get(name)
    except FileNotFoundError:
        return None


@dataclass
class StoryView:
    """One story as a report shows it."""

    story_id: str
    title: str
    subtitle: str
    sides: pd.DataFrame
    disagreements: pd.DataFrame


def story_views(t, *, min_sources: int = 2, limit: int = 12, max_sources: int | None = None,
                sentence_limit: int = 320) -> list[StoryView]:
    """The stories of a run with at least ``min_sources`` sources, largest first, ready to show.

    Args:
        t: The run's tables (:class:`analysis.tables.RunTables`).
        min_sources: Fewest sources a story must have.
        limit: Most stories returned.
        max_sources: Most source columns per story (those with most articles in it); None shows all.
        sentence_limit: Longest first sentence shown, in characters.
    """
    stories = _table(t, "stories")
    members = _table(t, "story_documents")
    if stories is None or members is None or stories.empty:
        return []
    docs = t.get("documents", with_text=True)
    claims = _table(t, "claims")
    kw = {"quotes": _table(t, "quotes"), "claims": claims, "events": _table(t, "events"),
          "tone": _table(t, "tone"), "topics": _table(t, "topics")}
    out = []
    for s in multi_source(stories, min_sources=min_sources).head(limit).itertuples(index=False):
        span = s.first_date if s.first_date == s.last_date else f"{s.first_date} to {s.last_date}"
        subtitle = (f"{s.story_id}: {int(s.documents)} articles from {int(s.n_sources)} sources, "
                    f"published {span or 'undated'}.")
        sides = story_sides(s.story_id, stories, members, docs, sentence_limit=sentence_limit, **kw)
        if max_sources is not None and len(sides.columns) > max_sources:
            counts = members[members["story_id"] == s.story_id].groupby("source").size()
            keep = sorted(sides.columns, key=lambda c: (-counts.get(c, 0), c))[:max_sources]
            subtitle += f" Shown: the {max_sources} sources with most articles in it; all are in the Stories report."
            sides = sides[[c for c in sides.columns if c in keep]]
        out.append(StoryView(s.story_id, s.title, subtitle, sides, story_disagreements(s.story_id, members, claims)))
    return out


def stories_summary(t, *, min_sources: int = 2) -> str:
    """One sentence on how many stories the run found and how many several sources covered."""
    stories = _table(t, "stories")
    if stories is None or stories.empty:
        return "No stories: the run has no articles."
    multi = multi_source(stories, min_sources=min_sources)
    n_docs = int(stories["documents"].sum())
    if multi.empty:
        return (f"The {n_docs} articles form {len(stories)} stories, and no story is covered by two or more "
                "sources: there is nothing to set side by side.")
    return (f"The {n_docs} articles form {len(stories)} stories; {len(multi)} of them are covered by two or "
            f"more sources ({int(multi['documents'].sum())} articles) and are set side by side below.")


def blind_spot_view(t, *, by: str = "source") -> pd.DataFrame:
    """The blind spots of a run by ``source`` or ``country``: who missed which story, and who covered it."""
    spots = _table(t, "blind_spots")
    if spots is None or spots.empty:
        return pd.DataFrame(columns=["group", "story", "covered_by"])
    s = spots[spots["by"] == by]
    return pd.DataFrame({"group": s["group"], "story": s["story_id"] + " " + s["title"],
                         "covered_by": s["covered_by"]}).reset_index(drop=True)


def _span(first: str, last: str) -> str:
    if not first:
        return "undated"
    if first == last or not last:
        return _fmt_date(first)
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b.strftime('%B')} {b.year}"
    return f"{_fmt_date(first)} – {_fmt_date(last)}"


def stories_list(stories: pd.DataFrame, *, min_sources: int = 2) -> pd.DataFrame:
    """A compact list of the stories with ``min_sources`` sources or more: id, title, dates, sources, articles."""
    multi = multi_source(stories, min_sources=min_sources)
    if multi.empty:
        return pd.DataFrame(columns=["story", "dates", "sources", "articles"])
    return pd.DataFrame({
        "story": multi["story_id"] + " " + multi["title"],
        "dates": [_span(str(a or ""), str(b or "")) for a, b in zip(multi["first_date"].fillna(""),
                                                                    multi["last_date"].fillna(""), strict=True)],
        "sources": multi["sources"], "articles": multi["documents"].astype(int)})
