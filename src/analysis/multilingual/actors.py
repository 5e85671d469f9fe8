"""Actors named in non-English documents: gazetteer names per language, matched in running text.

Forms come from ``lexicons/actors_i18n.yaml`` (names, metonyms, inflected adjectives and
two-actor abbreviations such as 中美 or 한미) plus every English alias of the gazetteer, so
"Donald Trump" or "EU" match in any language. Names written in CJK scripts match inside
text without spaces; Korean names match at the start of a word, before particles (미국은);
German names also match as the first part of a hyphenated compound (US-Präsident).
Rows have the schema of :mod:`analysis.actors`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from analysis.actors import MENTION_COLUMNS, TABLE_COLUMNS
from analysis.gazetteer import Actor, Gazetteer, load_gazetteer, load_i18n_names
from analysis.multilingual.lexicon import language_key, rules_for
from analysis.multilingual.segment import sentence_index

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class Hit:
    """A mention of one actor (a two-actor abbreviation gives two hits on the same span)."""

    start: int
    end: int
    text: str
    actor: Actor
    kind: str


@dataclass
class Matcher:
    """Compiled forms of one language."""

    code: str
    forms: dict[str, list[tuple[Actor, str]]]
    pattern: re.Pattern | None

    def find(self, text: str) -> list[Hit]:
        """Every non-overlapping mention, longest form first."""
        if self.pattern is None:
            return []
        out = []
        for m in self.pattern.finditer(text):
            form = m.group("f")
            key = form if form in self.forms else form.casefold()
            for actor, kind in self.forms.get(key, ()):
                out.append(Hit(m.start("f"), m.end("f"), form, actor, kind))
        return out


def _resolve(actor: Actor, kind: str, gaz: Gazetteer) -> Actor:
    if kind == "metonym" and actor.resolves_to:
        return gaz.by_name(actor.resolves_to) or actor
    return actor


@lru_cache(maxsize=16)
def matcher_for(code: str) -> Matcher:
    """The compiled matcher of a lexicon language code."""
    rules = rules_for(code)
    gaz = load_gazetteer(i18n=True)
    names = load_i18n_names()
    base = load_gazetteer()
    forms: dict[str, list[tuple[Actor, str]]] = {}

    def add(form: str, actor: Actor, kind: str) -> None:
        if not form:
            return
        key = form.casefold() if kind == "adjective" and rules.latin else form
        lst = forms.setdefault(key, [])
        if not any(a.name == actor.name for a, _ in lst):
            lst.append((_resolve(actor, kind, gaz), kind))

    endings = [str(e) for e in rules.raw.get("adjective_endings") or [""]]
    name_endings = [str(e) for e in rules.raw.get("name_endings") or [""]]
    for actor in gaz.actors:
        entry = names.get(actor.name, {})
        for form in entry.get("aliases", {}).get(code, ()):
            for end in name_endings:
                add(form + end, actor, "alias")
        for form in entry.get("metonyms", {}).get(code, ()):
            add(form, actor, "metonym")
        for stem in entry.get("adjectives", {}).get(code, ()):
            for end in endings if rules.latin else [""]:
                add(stem + end, actor, "adjective")
    for actor in base.actors:  # English names are written the same way in every language
        for form in (actor.name, *actor.aliases, *actor.metonyms):
            if not _CJK.search(form) and len(form) > 1:
                add(form, actor, "alias" if form not in actor.metonyms else "metonym")
    for form, members in (names.get("compounds", {}).get(code) or {}).items():
        for n in members:
            a = gaz.by_name(n)
            if a is not None:
                forms.setdefault(form, []).append((a, "alias"))
    return Matcher(code, forms, _compile(forms, rules))


def _compile(forms: dict, rules) -> re.Pattern | None:
    if not forms:
        return None
    ordered = sorted(forms, key=len, reverse=True)
    cjk = [f for f in ordered if _CJK.search(f)]
    latin = [f for f in ordered if not _CJK.search(f)]
    parts = []
    if latin:
        alts = "|".join(re.escape(f) for f in latin)
        if rules.raw.get("compound_hyphen"):
            # German: a name may open a compound ("US-Präsident"); a hyphenated name may be the
            # first part of a closed compound ("EU-Kommissionspräsidentin").
            hyph = "|".join(re.escape(f) for f in latin if "-" in f)
            if hyph:
                parts.append(rf"(?<![\w.])(?P<f>{hyph})(?=[a-zäöüß])")
            parts.append(rf"(?<![\w.])(?P<f>{alts})(?![^\W_])")
        else:
            parts.append(rf"(?<![\w.-])(?P<f>{alts})(?![\w])")
    if cjk:
        alts = "|".join(re.escape(f) for f in cjk)
        before = r"(?<![가-힣])" if rules.raw.get("word_start") else ""
        parts.append(f"{before}(?P<f>{alts})")
    # One group name per alternative is not allowed: number them and read the first that matched.
    pattern = "|".join(p.replace("(?P<f>", f"(?P<f{i}>") for i, p in enumerate(parts))
    return _OneGroup(re.compile(pattern))


class _OneGroup:
    """A compiled pattern whose matches expose the matched form as group ``f``."""

    def __init__(self, rx: re.Pattern):
        self.rx = rx

    def finditer(self, text: str):
        for m in self.rx.finditer(text):
            yield _Match(m)


class _Match:
    def __init__(self, m: re.Match):
        self.m = m
        self.name = next(k for k, v in m.groupdict().items() if v is not None)

    def group(self, _name: str = "f") -> str:
        return self.m.group(self.name)

    def start(self, _name: str = "f") -> int:
        return self.m.start(self.name)

    def end(self, _name: str = "f") -> int:
        return self.m.end(self.name)


def find_actors(text: str, code: str) -> list[Hit]:
    """Mentions of gazetteer actors in a text of a lexicon language."""
    return matcher_for(code).find(text)


def actor_mentions(docs: pd.DataFrame, ann) -> pd.DataFrame:
    """One row per actor mention in the supported non-English documents (schema of analysis.actors)."""
    rows = []
    sents = dict(tuple(ann.sentences.groupby("doc_id"))) if len(ann.sentences) else {}
    for doc_id, lang, text in docs[["doc_id", "language", "text"]].itertuples(index=False):
        text = str(text or "")
        code = language_key(lang if isinstance(lang, str) else "", text)
        if code is None:
            continue
        starts = sorted(sents[doc_id]["start"].astype(int)) if doc_id in sents else [0]
        for h in find_actors(text, code):
            rows.append((doc_id, sentence_index(starts, h.start), h.start, h.end, h.text, h.actor.name,
                         h.actor.actor_type, h.actor.code or "", h.kind))
    df = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    df = df.astype({"sentence_index": "int64", "start": "int64", "end": "int64"})
    return df.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True)


def actor_table(mentions: pd.DataFrame) -> pd.DataFrame:
    """Actors per document with their number of mentions (schema of :func:`analysis.actors.actor_table`)."""
    if mentions.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "mentions" else "object") for c in TABLE_COLUMNS})
    t = mentions.groupby(["doc_id", "actor", "actor_type"], as_index=False).size().rename(columns={"size": "mentions"})
    return t.sort_values(["doc_id", "actor", "actor_type"], kind="stable").reset_index(drop=True)[TABLE_COLUMNS]
