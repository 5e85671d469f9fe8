"""Tested findings: plain sentences on how the sources differ, each checked against chance.

Candidates compare one source with all the others, article by article (an article is the
unit that is sampled, so sentences or quotes of one article never count as independent):

- **share of voice**: the share of its articles that quote a kind of speaker;
- **aspects and frames**: the share of its articles that touch on an aspect or a frame;
- **actor presence**: the share of its articles that name an actor (of the gazetteer, in a run);
- **stated figures**: the share of its articles that state a given tariff rate;
- **tone by actor**: the mean tone of its articles' sentences about an actor.

Shares are tested with Fisher's exact test on the 2 × 2 table (articles with / without,
this source / the others); tone with a two-sided permutation test of the difference in mean
article tone (labels shuffled over articles). The p-values of every tested candidate are
adjusted together with Benjamini–Hochberg; a finding is reported when q < ``alpha``, at most
``max_findings`` of them, largest effects first among the most certain.

Candidates that cannot reach significance at all (a category seen in fewer than
``min_articles`` articles, or a side with fewer than two articles) are not tested.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

FINDING_COLUMNS = ["section", "finding", "statistic", "effect", "n", "p_value", "q_value", "reported",
                   "test", "source", "subject", "value", "rest_value", "n_source", "n_rest"]
SECTIONS = ("share of voice", "aspects and frames", "actor presence", "stated figures", "tone by actor")
DECIMALS = 4


@dataclass(frozen=True)
class FindingParams:
    """Thresholds of the tested findings."""

    alpha: float = 0.05
    """Benjamini–Hochberg q below which a finding is reported."""
    max_findings: int = 8
    """Sentences shown at most."""
    per_section: int = 3
    """Findings from one section taken first, before the rest fill the remaining places."""
    min_articles: int = 3
    """A category must appear in at least this many articles to be tested."""
    max_actors: int = 15
    """Actors tested (the most widely named)."""
    n_resamples: int = 1999
    """Permutations of the tone test."""
    n_resamples_max: int = 49999
    """Permutations when the first pass gives p ≤ 0.01, so that a strong difference is not held back
    by the smallest p-value a few permutations can give (1 / (n + 1)) once adjusted for many candidates."""
    seed: int = 20250512
    """Seed of the permutation test, so that a run is reproducible."""


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _q(q: float) -> str:
    return "q < 0.001" if q < 0.001 else f"q = {q:.3f}"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _articles(n: int) -> str:
    return f"{n} article" if n == 1 else f"{n} articles"


def _english(docs: pd.DataFrame) -> pd.DataFrame:
    if "language" not in docs.columns:
        return docs
    from analysis.annotate import is_english

    return docs[docs["language"].map(is_english)]


def _base(docs: pd.DataFrame, group_by: str) -> pd.DataFrame:
    missing = [c for c in ("doc_id", group_by) if c not in docs.columns]
    if missing:
        raise ValueError(f"docs needs the columns {missing}; it has {list(docs.columns)}")
    d = docs[["doc_id", group_by] + (["language"] if "language" in docs.columns else [])].copy()
    d["doc_id"] = d["doc_id"].astype(str)
    d["source"] = d[group_by].fillna("").astype(str)
    return d[["doc_id", "source"] + (["language"] if "language" in d.columns else [])].drop_duplicates("doc_id")


def _presence_candidates(docs: pd.DataFrame, hits: pd.DataFrame, *, section: str, phrase: str,
                         params: FindingParams) -> list[dict]:
    """Fisher tests of the share of each source's articles that have each subject.

    ``hits`` holds ``doc_id, subject`` (one row per article and subject it has); ``phrase`` is a
    format string with ``{subject}`` for the sentence ("quotes {subject} voices").
    """
    from scipy.stats import fisher_exact

    if docs.empty or hits.empty or docs["source"].nunique() < 2:
        return []
    h = hits.assign(doc_id=hits["doc_id"].astype(str)).drop_duplicates(["doc_id", "subject"])
    h = h[h["doc_id"].isin(set(docs["doc_id"]))].merge(docs[["doc_id", "source"]], on="doc_id")
    sizes = docs.groupby("source").size()
    total = int(sizes.sum())
    rows = []
    for subject, sub in h.groupby("subject", sort=True):
        if sub["doc_id"].nunique() < params.min_articles:
            continue
        with_by_source = sub.groupby("source")["doc_id"].nunique()
        all_with = int(with_by_source.sum())
        for source, n_s in sizes.items():
            n_r = total - int(n_s)
            if n_s < 2 or n_r < 2:
                continue
            a = int(with_by_source.get(source, 0))
            c = all_with - a
            table = [[a, int(n_s) - a], [c, n_r - c]]
            odds, p = fisher_exact(table, alternative="two-sided")
            share, rest = a / n_s, c / n_r
            rows.append({
                "section": section, "test": "Fisher exact", "source": source, "subject": subject,
                "statistic": round(float(odds), DECIMALS) if math.isfinite(odds) else float("inf"),
                "effect": round(share - rest, DECIMALS), "value": round(share, DECIMALS),
                "rest_value": round(rest, DECIMALS), "n_source": int(n_s), "n_rest": n_r, "n": total,
                "p_value": float(p),
                "finding": (f"{source} {phrase.format(subject=subject)} in {_pct(share)} of its "
                            f"{_articles(int(n_s))}, against {_pct(rest)} of the other sources' {n_r}"),
            })
    return rows


def _permutation_p(x: np.ndarray, y: np.ndarray, statistic, n_resamples: int, rng) -> float:
    """Two-sided permutation p-value of ``statistic`` over the pooled articles (batched for memory)."""
    from scipy.stats import permutation_test

    res = permutation_test((x, y), statistic, permutation_type="independent", vectorized=True,
                           n_resamples=n_resamples, alternative="two-sided", random_state=rng, batch=500)
    return float(res.pvalue)


def _tone_candidates(docs: pd.DataFrame, tone: pd.DataFrame, *, params: FindingParams) -> list[dict]:
    """Permutation tests (over articles) of each source's mean article tone towards each actor."""
    need = {"doc_id", "target", "mean"}
    if docs.empty or tone.empty or not need <= set(tone.columns) or docs["source"].nunique() < 2:
        return []
    t = tone.assign(doc_id=tone["doc_id"].astype(str))
    t = t[t["doc_id"].isin(set(docs["doc_id"]))].merge(docs[["doc_id", "source"]], on="doc_id")
    t["mean"] = pd.to_numeric(t["mean"], errors="coerce")
    if "sentences" in t.columns:
        t = t[pd.to_numeric(t["sentences"], errors="coerce").fillna(0) > 0]
    t = t.dropna(subset=["mean"])
    rng = np.random.default_rng(params.seed)
    rows = []

    def diff(x, y, axis):
        return np.mean(x, axis=axis) - np.mean(y, axis=axis)

    for target, sub in t.groupby("target", sort=True):
        if len(sub) < params.min_articles:
            continue
        for source in sorted(sub["source"].unique()):
            x = sub.loc[sub["source"] == source, "mean"].to_numpy(dtype=float)
            y = sub.loc[sub["source"] != source, "mean"].to_numpy(dtype=float)
            if len(x) < 2 or len(y) < 2:
                continue
            if len(x) < params.min_articles:
                continue
            p = _permutation_p(x, y, diff, params.n_resamples, rng)
            if p <= 0.01 and params.n_resamples_max > params.n_resamples:
                p = _permutation_p(x, y, diff, params.n_resamples_max, rng)
            d = float(x.mean() - y.mean())
            about = "overall" if target == "(all)" else f"in sentences about {target}"
            if d > 0:
                word = "less negative" if x.mean() < 0 else "more positive"
            else:
                word = "less positive" if x.mean() > 0 else "more negative"
            rows.append({
                "section": "tone by actor", "test": "permutation (articles)", "source": source, "subject": target,
                "statistic": round(d, DECIMALS), "effect": round(d, DECIMALS), "value": round(float(x.mean()), DECIMALS),
                "rest_value": round(float(y.mean()), DECIMALS), "n_source": len(x), "n_rest": len(y),
                "n": len(x) + len(y), "p_value": p,
                "finding": (f"{_possessive(source)} tone {about} is {word} than the other sources' (mean article "
                            f"tone {x.mean():+.2f} over {_articles(len(x))}, against {y.mean():+.2f} over {len(y)})"),
            })
    return rows


def _voice_hits(quotes: pd.DataFrame | None) -> pd.DataFrame:
    if quotes is None or quotes.empty or not {"doc_id", "speaker_type"} <= set(quotes.columns):
        return pd.DataFrame(columns=["doc_id", "subject"])
    from analysis.quotes import speaker_group

    q = quotes.assign(speaker_type=quotes["speaker_type"].fillna("").astype(str))
    q = q[q["speaker_type"].str.strip() != ""]
    return pd.DataFrame({"doc_id": q["doc_id"].astype(str), "subject": speaker_group(q).to_numpy()})


def _topic_hits(topics: pd.DataFrame | None) -> pd.DataFrame:
    if topics is None or topics.empty or not {"doc_id", "kind", "label"} <= set(topics.columns):
        return pd.DataFrame(columns=["doc_id", "subject"])
    t = topics
    if "sentences" in t.columns:
        t = t[pd.to_numeric(t["sentences"], errors="coerce").fillna(0) > 0]
    return pd.DataFrame({"doc_id": t["doc_id"].astype(str),
                         "subject": t["label"].astype(str) + " (" + t["kind"].astype(str) + ")"})


def _actor_hits(actors: pd.DataFrame | None, max_actors: int, known: set[str] | None = None) -> pd.DataFrame:
    if actors is None or actors.empty or not {"doc_id", "actor"} <= set(actors.columns):
        return pd.DataFrame(columns=["doc_id", "subject"])
    a = actors.assign(doc_id=actors["doc_id"].astype(str)).drop_duplicates(["doc_id", "actor"])
    if known is not None:
        a = a[a["actor"].isin(known)]
    top = a.groupby("actor").size().sort_values(ascending=False, kind="stable").head(max_actors).index
    a = a[a["actor"].isin(top)]
    return pd.DataFrame({"doc_id": a["doc_id"], "subject": a["actor"].astype(str)})


def _figure_hits(claims: pd.DataFrame | None) -> pd.DataFrame:
    if claims is None or claims.empty or not {"doc_id", "imposer", "target", "rate_pct"} <= set(claims.columns):
        return pd.DataFrame(columns=["doc_id", "subject"])
    rate = pd.to_numeric(claims["rate_pct"], errors="coerce")
    c = claims[rate.notna()]
    subject = ("the " + rate[rate.notna()].map(lambda v: f"{v:g}%") + " rate of " + c["imposer"].astype(str)
               + " on " + c["target"].astype(str))
    return pd.DataFrame({"doc_id": c["doc_id"].astype(str), "subject": subject.to_numpy()})


def candidate_findings(docs: pd.DataFrame, *, quotes: pd.DataFrame | None = None,
                       topics: pd.DataFrame | None = None, actors: pd.DataFrame | None = None,
                       tone: pd.DataFrame | None = None, claims: pd.DataFrame | None = None,
                       group_by: str = "group", known_actors: set[str] | None = None,
                       params: FindingParams = FindingParams()) -> pd.DataFrame:
    """Every tested candidate finding, with its p-value (q-values and ``reported`` not yet set).

    Args:
        docs: Documents with ``doc_id`` and the ``group_by`` column (``source`` if ``group`` is absent);
            only English articles are compared when ``language`` is present.
        quotes: Quotes (``doc_id, speaker_type[, speaker_country]``).
        topics: Per-document aspects and frames (``doc_id, kind, label, sentences``).
        actors: Per-document actors (``doc_id, actor``).
        tone: Per-document tone by target (``doc_id, target, sentences, mean``).
        claims: Tariff-rate claims (``doc_id, imposer, target, rate_pct``).
        group_by: The column naming each article's source.
        known_actors: Only these actors are tested for presence (e.g. the gazetteer's, leaving out
            names that only the NER model proposed); None tests the most widely named of all.
        params: Thresholds.
    """
    if group_by not in docs.columns and "source" in docs.columns:
        group_by = "source"
    d = _english(_base(docs, group_by))
    rows = [
        *_presence_candidates(d, _voice_hits(quotes), section="share of voice", phrase="quotes {subject} voices",
                              params=params),
        *_presence_candidates(d, _topic_hits(topics), section="aspects and frames", phrase="touches on {subject}",
                              params=params),
        *_presence_candidates(d, _actor_hits(actors, params.max_actors, known_actors), section="actor presence",
                              phrase="names {subject}", params=params),
        *_presence_candidates(d, _figure_hits(claims), section="stated figures", phrase="states {subject}",
                              params=params),
        *(_tone_candidates(d, tone, params=params) if tone is not None else []),
    ]
    out = pd.DataFrame(rows, columns=[c for c in FINDING_COLUMNS if c not in ("q_value", "reported")])
    return out


def adjust(candidates: pd.DataFrame, *, params: FindingParams = FindingParams()) -> pd.DataFrame:
    """Benjamini–Hochberg q-values over all candidates, the ``reported`` flag and the final sentences.

    Reported findings are the candidates with q < ``alpha``, at most ``max_findings``, the most
    certain first (at most ``per_section`` of a section before the others fill the list); each
    sentence ends with its test, n and q. Rows stay ordered by q.
    """
    from scipy.stats import false_discovery_control

    if candidates.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    c = candidates.copy()
    c["q_value"] = false_discovery_control(c["p_value"].to_numpy(dtype=float), method="bh")
    c["_abs"] = c["effect"].abs()
    c = c.sort_values(["q_value", "p_value", "_abs", "section", "source", "subject"],
                      ascending=[True, True, False, True, True, True], kind="stable").reset_index(drop=True)
    c["reported"] = False
    significant = list(c.index[c["q_value"] < params.alpha])
    # At most ``per_section`` from one section first, so one kind of difference does not fill the
    # list; then the remaining places go to the most certain of the rest.
    chosen: list[int] = []
    per: dict[str, int] = {}
    for i in significant:
        sec = c.at[i, "section"]
        if len(chosen) < params.max_findings and per.get(sec, 0) < params.per_section:
            chosen.append(i)
            per[sec] = per.get(sec, 0) + 1
    chosen += [i for i in significant if i not in chosen][: params.max_findings - len(chosen)]
    c.loc[chosen, "reported"] = True
    tests = c["test"].map({"Fisher exact": "Fisher exact test", "permutation (articles)":
                           "permutation test over articles"}).fillna(c["test"])
    c["finding"] = c["finding"] + " (" + tests + ", n = " + c["n"].astype(str) + ", " + c["q_value"].map(_q) + ")."
    c["p_value"] = c["p_value"].round(6)
    c["q_value"] = c["q_value"].round(6)
    return c[FINDING_COLUMNS]


def tested_findings(docs: pd.DataFrame, *, params: FindingParams = FindingParams(), **tables) -> pd.DataFrame:
    """Candidates, tested and adjusted: ``findings.csv`` (see :func:`candidate_findings` for the tables)."""
    return adjust(candidate_findings(docs, params=params, **tables), params=params)


def summary_sentences(findings: pd.DataFrame, docs: pd.DataFrame, *, group_by: str = "group",
                      params: FindingParams = FindingParams()) -> list[str]:
    """The sentences to show: the reported findings, or one sentence saying why there are none.

    Args:
        findings: Output of :func:`tested_findings`.
        docs: The documents frame (to count articles per source).
        group_by: The column naming each article's source.
        params: Thresholds (``alpha``).
    """
    if group_by not in docs.columns and "source" in docs.columns:
        group_by = "source"
    d = _english(_base(docs, group_by)) if not docs.empty else docs
    n_sources = d["source"].nunique() if not d.empty else 0
    if n_sources < 2:
        return [f"With {'one source' if n_sources == 1 else 'no articles'}, there is no difference between "
                "sources to test."]
    per_source = d.groupby("source").size()
    if int(per_source.max()) <= 1:
        return ["With one article per source, no difference between sources can be told from chance."]
    reported = findings[findings["reported"].astype(bool)] if not findings.empty else findings
    if not reported.empty:
        return list(reported.sort_values(["section", "q_value", "p_value"], key=lambda col: col.map(
            {name: i for i, name in enumerate(SECTIONS)}) if col.name == "section" else col,
            kind="stable")["finding"])
    tested = len(findings)
    if tested == 0:
        return [f"With {len(d)} articles from {n_sources} sources (at most {int(per_source.max())} from one), "
                "no difference between sources could be tested."]
    return [f"None of the {tested} differences tested between sources, over {len(d)} articles, is larger than "
            f"chance would often give (Benjamini–Hochberg q < {params.alpha:g}); with at most "
            f"{int(per_source.max())} articles from one source, only large differences could show."]


def run_findings(tables: dict[str, pd.DataFrame], docs: pd.DataFrame, *,
                 params: FindingParams = FindingParams()) -> pd.DataFrame:
    """``findings.csv`` of a run from its tables (``quotes``, ``topics``, ``actors``, ``tone``, ``claims``)."""
    from analysis.gazetteer import load_gazetteer

    known = {a.name for a in load_gazetteer().actors}
    return tested_findings(docs, quotes=tables.get("quotes"), topics=tables.get("topics"),
                           actors=tables.get("actors"), tone=tables.get("tone"), claims=tables.get("claims"),
                           group_by="group", known_actors=known, params=params)


METHOD_NOTE = ("Each finding compares one source with all the others, article by article: shares with "
               "Fisher's exact test, tone with a permutation test over articles. p-values are adjusted "
               "together with Benjamini–Hochberg over every candidate tested (all are in data/findings.csv); "
               "only findings with q < 0.05 are shown.")


def report_sentences(t, *, params: FindingParams = FindingParams()):
    """What a report shows for a run (:class:`analysis.tables.RunTables`): the reported findings, or,
    when none is reported, the one sentence saying why as a :class:`analysis.thin.ThinData`."""
    from analysis.thin import ThinData

    try:
        f = t.get("findings")
    except FileNotFoundError:
        return ThinData("This run has no tested findings: its findings table was not built.")
    sentences = summary_sentences(f, t.documents, params=params)
    reported = not f.empty and bool(f["reported"].astype(bool).any())
    return sentences if reported else ThinData(sentences[0])
