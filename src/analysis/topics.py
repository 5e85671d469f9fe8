"""Topics and frames: which aspects of the tariff war a sentence is about, and how it frames them.

Two cue lexicons, both user-extensible YAML files of the same shape:

- ``lexicons/aspects.yaml``: aspects of the story (tariff rates; rare earths and critical
  minerals; chips and technology controls; autos; agriculture; military and security;
  alliances and diplomacy; negotiations; domestic politics; supply chains; markets);
- ``lexicons/frames.yaml``: the 15 frame dimensions of the Policy Frames Codebook
  (Boydstun et al. 2014; Card et al. 2015, Media Frames Corpus). This is a *lexicon
  approximation*, not a trained frame classifier: a cue word signals that a frame may be
  present, nothing more.

A sentence carries a label when one of the label's terms occurs in it. Matching is word by
word against each token's lowercased text or its lemma (so lexicons are written in base
forms and match inflections), ignores punctuation inside phrases ("rare-earth" = "rare earth"),
and drops a match that lies inside one of the label's ``exclude`` phrases ("trade war" is not
a military war). ``=word`` matches an exact form only, ``word*`` any word with that prefix.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from analysis import config
from analysis.annotate import Annotations
from analysis.tone import english_doc_ids

log = logging.getLogger(__name__)

KINDS = ("aspect", "frame")
LEXICON_FILES = {"aspect": "aspects.yaml", "frame": "frames.yaml"}
DECIMALS = 4
SENTENCE_TOPIC_COLUMNS = ["doc_id", "sentence_index", "kind", "label", "cues"]
TOPIC_COLUMNS = ["doc_id", "kind", "label", "share", "sentences"]
SOURCE_TOPIC_COLUMNS = ["source", "kind", "label", "documents", "documents_with", "sentences", "share"]

_SPLIT = re.compile(r"[\s\-\u2010-\u2015/]+")
_ALNUM = re.compile(r"\w")


@dataclass(frozen=True)
class Word:
    """One word of a lexicon phrase."""

    forms: frozenset[str]
    exact: bool = False
    prefix: bool = False

    def matches(self, text: str, lemma: str) -> bool:
        """Whether a token (lowercased text and lemma) matches this word."""
        if self.prefix:
            return any(text.startswith(f) or lemma.startswith(f) for f in self.forms)
        if self.exact:
            return text in self.forms
        return text in self.forms or lemma in self.forms


@dataclass(frozen=True)
class Phrase:
    """A lexicon term or exclusion: a sequence of words."""

    text: str
    words: tuple[Word, ...]


@dataclass(frozen=True)
class Label:
    """A label of a lexicon with its cue phrases and vetoing phrases."""

    name: str
    terms: tuple[Phrase, ...]
    exclude: tuple[Phrase, ...] = ()
    description: str = ""


@dataclass
class Lexicon:
    """A cue lexicon: ordered labels, an optional fallback label for sentences that match none."""

    kind: str
    labels: list[Label]
    fallback: str | None = None
    _index: dict[str, list[tuple[str, Phrase, bool]]] = field(default_factory=dict, repr=False)
    _prefixed: list[tuple[str, Phrase, bool]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        for label in self.labels:
            for phrases, veto in ((label.terms, False), (label.exclude, True)):
                for phrase in phrases:
                    first = phrase.words[0]
                    if first.prefix:
                        self._prefixed.append((label.name, phrase, veto))
                    else:
                        for form in first.forms:
                            self._index.setdefault(form, []).append((label.name, phrase, veto))

    @property
    def names(self) -> list[str]:
        """Label names in lexicon order (the fallback last)."""
        names = [label.name for label in self.labels]
        if self.fallback and self.fallback not in names:
            names.append(self.fallback)
        return names

    def match(self, tokens: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
        """Labels whose terms occur in a token sequence, with the matched cue phrases.

        Args:
            tokens: ``(text, lemma)`` pairs, lowercased, punctuation already removed.

        Returns:
            Label name → sorted distinct cue phrases that matched (after exclusions); the
            fallback label (with no cues) when nothing matched.
        """
        hits: dict[str, list[tuple[int, int, str]]] = {}
        vetoes: dict[str, list[tuple[int, int]]] = {}
        for start, (text, lemma) in enumerate(tokens):
            candidates = self._index.get(text, []) + (self._index.get(lemma, []) if lemma != text else [])
            candidates += self._prefixed
            for name, phrase, veto in candidates:
                end = start + len(phrase.words)
                if end > len(tokens):
                    continue
                if all(w.matches(*tokens[start + k]) for k, w in enumerate(phrase.words)):
                    if veto:
                        vetoes.setdefault(name, []).append((start, end))
                    else:
                        hits.setdefault(name, []).append((start, end, phrase.text))
        out: dict[str, list[str]] = {}
        for name, spans in hits.items():
            blocked = vetoes.get(name, [])
            cues = {cue for s, e, cue in spans if not any(vs <= s and e <= ve for vs, ve in blocked)}
            if cues:
                out[name] = sorted(cues)
        if not out and self.fallback:
            out[self.fallback] = []
        return out


def singular(word: str) -> str:
    """A naive singular of an English word (lexicon side only; tokens use spaCy lemmas)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def parse_phrase(text: str) -> Phrase:
    """Compile a lexicon term into words (see the module docstring for the syntax).

    Raises:
        ValueError: if the term has no word characters.
    """
    words = []
    for piece in _SPLIT.split(str(text).strip().lower()):
        if not piece or not _ALNUM.search(piece):
            continue
        if piece.startswith("=") and len(piece) > 1:
            words.append(Word(frozenset({piece[1:]}), exact=True))
        elif piece.endswith("*") and len(piece) > 1:
            words.append(Word(frozenset({piece[:-1]}), prefix=True))
        else:
            words.append(Word(frozenset({piece, singular(piece)})))
    if not words:
        raise ValueError(f"lexicon term {text!r} has no words")
    return Phrase(str(text), tuple(words))


def parse_lexicon(data: dict, *, origin: str = "<lexicon>") -> Lexicon:
    """Build a :class:`Lexicon` from the parsed YAML mapping.

    Raises:
        ValueError: if the mapping lacks ``kind`` or ``labels``, or a label has no terms (except the fallback).
    """
    if not isinstance(data, dict) or not isinstance(data.get("labels"), dict) or not data.get("kind"):
        raise ValueError(f"{origin}: a lexicon needs 'kind' and a mapping 'labels'")
    fallback = data.get("fallback")
    labels = []
    for name, spec in data["labels"].items():
        spec = spec or {}
        if not isinstance(spec, dict):
            raise ValueError(f"{origin}: label {name!r} must be a mapping with 'terms'")
        terms = tuple(parse_phrase(t) for t in spec.get("terms") or ())
        if not terms and name != fallback:
            raise ValueError(f"{origin}: label {name!r} has no terms")
        if name == fallback:
            continue
        exclude = tuple(parse_phrase(t) for t in spec.get("exclude") or ())
        labels.append(Label(str(name), terms, exclude, str(spec.get("description") or "")))
    return Lexicon(kind=str(data["kind"]), labels=labels, fallback=str(fallback) if fallback else None)


@lru_cache(maxsize=16)
def _load(path: str) -> Lexicon:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return parse_lexicon(data, origin=path)


def load_lexicon(kind_or_path: str | Path) -> Lexicon:
    """The packaged ``aspect`` or ``frame`` lexicon, or a lexicon YAML file given by path."""
    if str(kind_or_path) in LEXICON_FILES:
        path = config.LEXICON_DIR / LEXICON_FILES[str(kind_or_path)]
    else:
        path = Path(kind_or_path)
        if not path.is_file():
            raise FileNotFoundError(f"no lexicon {kind_or_path!r}: give 'aspect', 'frame' or a YAML path")
    return _load(str(Path(path).resolve()))


def _sentence_tokens(ann: Annotations, docs: pd.DataFrame) -> pd.DataFrame:
    keep = english_doc_ids(docs)
    tok = ann.tokens[ann.tokens["doc_id"].astype(str).isin(keep)]
    text = tok["text"].astype(str).str.lower()
    lemma = tok["lemma"].fillna("").astype(str).str.lower()
    lemma = lemma.where(lemma.str.len() > 0, text)
    # Proper nouns keep their surface form as lemma ("Rare Earths"); give them a naive singular.
    unchanged = lemma == text
    forms = {w: singular(w) for w in text[unchanged].unique()}
    lemma = lemma.where(~unchanged, text.map(forms))
    out = pd.DataFrame({"doc_id": tok["doc_id"].astype(str), "sentence_index": tok["sentence_index"].astype(int),
                        "i": tok["i"].astype(int), "text": text, "lemma": lemma})
    out = out[out["text"].str.contains(r"\w", regex=True)]
    return out.sort_values(["doc_id", "sentence_index", "i"], kind="stable")


def sentence_topics(ann: Annotations, docs: pd.DataFrame, *,
                    lexicons: Iterable[Lexicon] | None = None) -> pd.DataFrame:
    """Every (sentence, label) pair of the English documents under the aspect and frame lexicons.

    Returns:
        Columns ``doc_id, sentence_index, kind, label, cues`` (cues: the matched terms joined
        by ``"; "``, empty for a fallback label), sorted by document, sentence, kind and
        lexicon order.
    """
    lexicons = list(lexicons) if lexicons is not None else [load_lexicon(k) for k in KINDS]
    toks = _sentence_tokens(ann, docs)
    rows = []
    doc_ids, sis = toks["doc_id"].tolist(), toks["sentence_index"].tolist()
    pairs_all = list(zip(toks["text"].tolist(), toks["lemma"].tolist(), strict=True))
    bounds = [k for k in range(1, len(doc_ids)) if doc_ids[k] != doc_ids[k - 1] or sis[k] != sis[k - 1]]
    for lo, hi in zip([0, *bounds], [*bounds, len(doc_ids)], strict=True):
        if lo == hi:
            continue
        doc_id, si, pairs = doc_ids[lo], sis[lo], pairs_all[lo:hi]
        for lex in lexicons:
            found = lex.match(pairs)
            for name in lex.names:
                if name in found:
                    rows.append((doc_id, int(si), lex.kind, name, "; ".join(found[name])))
    return pd.DataFrame(rows, columns=SENTENCE_TOPIC_COLUMNS)


def topic_table(ann: Annotations, docs: pd.DataFrame, *,
                lexicons: Iterable[Lexicon] | None = None,
                sentence_topics_df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Share of each English document's sentences that carry each aspect and frame label.

    Args:
        ann: Annotations of the documents.
        docs: The documents frame (``doc_id``, ``language``).
        lexicons: Lexicons to apply (default: the packaged aspect and frame lexicons).
        sentence_topics_df: Output of :func:`sentence_topics` for the same documents and lexicons,
            when already computed (it is then not recomputed).

    Returns:
        Columns ``doc_id, kind, label, share, sentences``: one row per document × label (zeros
        included), ``sentences`` = sentences of the document with the label, ``share`` = that over
        the document's sentences (four decimals). Sorted by document, kind, then lexicon order.
    """
    lexicons = list(lexicons) if lexicons is not None else [load_lexicon(k) for k in KINDS]
    keep = english_doc_ids(docs)
    sents = ann.sentences[ann.sentences["doc_id"].astype(str).isin(keep)]
    totals = sents.groupby(sents["doc_id"].astype(str)).size()
    per = sentence_topics_df if sentence_topics_df is not None else sentence_topics(ann, docs, lexicons=lexicons)
    counts = per.groupby(["doc_id", "kind", "label"]).size()
    rows = []
    for doc_id in sorted(totals.index):
        total = int(totals[doc_id])
        for lex in lexicons:
            for name in lex.names:
                n = int(counts.get((doc_id, lex.kind, name), 0))
                rows.append((doc_id, lex.kind, name, round(n / total, DECIMALS) if total else 0.0, n))
    return pd.DataFrame(rows, columns=TOPIC_COLUMNS)


def source_topics(topic_df: pd.DataFrame, docs: pd.DataFrame, *, group_by: str = "source") -> pd.DataFrame:
    """Aspect and frame shares per source: each document counts equally.

    Args:
        topic_df: Output of :func:`topic_table`.
        docs: The documents frame with ``doc_id`` and the ``group_by`` column.
        group_by: Column of ``docs`` to group by; the output column is named ``source`` regardless.

    Returns:
        Columns ``source, kind, label, documents, documents_with, sentences, share``: ``documents``
        analysed, ``documents_with`` at least one matching sentence, ``sentences`` matching in all,
        ``share`` = mean of the documents' shares (four decimals). Sorted by source, kind, label order.
    """
    for name, df, cols in (("topic_df", topic_df, TOPIC_COLUMNS), ("docs", docs, ["doc_id", group_by])):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ValueError(f"{name} lacks columns {missing}")
    groups = pd.DataFrame({"doc_id": docs["doc_id"].astype(str), "source": docs[group_by].fillna("").astype(str)})
    t = topic_df.assign(doc_id=topic_df["doc_id"].astype(str)).merge(groups, on="doc_id", how="inner")
    if t.empty:
        return pd.DataFrame(columns=SOURCE_TOPIC_COLUMNS)
    label_order = {key: i for i, key in enumerate(dict.fromkeys(zip(t["kind"], t["label"], strict=True)))}
    n_docs = t.groupby("source")["doc_id"].nunique()
    rows = []
    for (source, kind, label), g in t.groupby(["source", "kind", "label"], sort=True):
        documents = int(n_docs[source])
        rows.append({
            "source": source, "kind": kind, "label": label, "documents": documents,
            "documents_with": int((g["sentences"] > 0).sum()), "sentences": int(g["sentences"].sum()),
            "share": round(float(g["share"].sum()) / documents, DECIMALS),
            "_order": label_order[(kind, label)],
        })
    out = pd.DataFrame(rows).sort_values(["source", "_order"], kind="stable")
    return out[SOURCE_TOPIC_COLUMNS].reset_index(drop=True)
