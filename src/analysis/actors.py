"""Actors named in each article: gazetteer matches merged with spaCy entities.

Three sources of mentions are merged, in this order of trust:

1. the gazetteer (``lexicons/actors.yaml``): aliases, metonyms ("Beijing" -> China,
   "Washington" -> United States) and adjectives ("Chinese imports" -> China),
   including the parts of compounds such as "US-China" or "Sino-US";
2. spaCy entities (PERSON, ORG, NORP, FAC) that the gazetteer does not cover, cleaned
   (leading "the", possessive "'s", titles) and looked up again in the gazetteer;
3. in-document coreference: a later "Professor Zhu", "Dr. Sun", "Mr. Xi" or a bare
   "Hu" resolves to the full name seen in the same article ("Zhu Feng", "Yun Sun",
   "Hu Xijin"), whether the name is written family name first or last.

Gazetteer matches inside a longer name recognised by NER ("Washington" in
"Washington Examiner", "Beijing" in "Beijing Normal University") are not counted as
the country, and metonyms used as places ("talks in Washington") are left out.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analysis.annotate import Annotations, is_english, iter_documents
from analysis.gazetteer import Gazetteer, load_gazetteer

log = logging.getLogger(__name__)

MENTION_COLUMNS = ["doc_id", "sentence_index", "start", "end", "text", "actor", "actor_type", "country", "kind"]
TABLE_COLUMNS = ["doc_id", "actor", "actor_type", "mentions"]

TITLES = (
    "Professor", "Prof.", "Dr.", "Dr", "Mr.", "Mr", "Mrs.", "Mrs", "Ms.", "Ms", "Miss", "Sir", "Dame", "Lord",
    "President", "Vice", "Premier", "Prime", "Minister", "Secretary", "Chancellor", "Senator", "Sen.", "Rep.",
    "Representative", "Congressman", "Congresswoman", "Governor", "Gov.", "Ambassador", "General", "Gen.",
    "Admiral", "Adm.", "Chairman", "Chairwoman", "Chair", "Director", "Deputy", "Chief", "Executive", "CEO",
    "Spokesperson", "Spokesman", "Spokeswoman", "Commissioner", "Mayor", "Speaker", "Leader", "Judge",
    "Justice", "King", "Queen", "Emperor", "Crown", "Prince", "Princess", "Foreign", "Defense", "Defence",
    "Treasury", "Commerce", "Trade", "Finance", "Economy", "State", "Industry", "Affairs", "Home", "Interior",
    "Agriculture", "Energy", "of", "the", "former", "Former", "acting", "Acting", "U.S.", "US", "Senior",
    "Assistant", "Under", "Undersecretary", "Envoy", "Special", "Trade Representative", "Pope",
    "Transport", "Transportation", "Labor", "Labour", "Health", "Education", "Homeland", "Security",
    "Economic", "Press", "Secretary-General", "Director-General", "Governor-General",
)
"""Words that may precede a name as (part of) a title; stripped when cleaning names."""

_TITLE_SET = {t.casefold() for t in TITLES}
_HONORIFIC = re.compile(
    r"\b(?:Professor|Prof\.|Dr\.|Mr\.|Mrs\.|Ms\.|Miss|Sen\.|Senator|Rep\.|Ambassador|Minister|Secretary|"
    r"Premier|President|Chairman|Chairwoman|Governor|Gov\.|General|Gen\.)\s+(?P<name>[A-Z][\w’'-]+)"
)

NON_ACTORS = frozenset({
    "indo-pacific", "asia-pacific", "pacific", "western pacific", "middle east", "asia", "europe", "africa",
    "latin america", "north america", "south america", "east asia", "southeast asia", "the west", "west",
    "netizens", "defense", "defence", "state", "treasury", "commerce", "foreign ministry", "ministry",
    "government", "administration", "congress", "alliance", "parliament", "communist", "asian", "western", "eastern",
    "covid", "covid-19", "ai", "gdp", "f-47",
})
"""Entity texts spaCy often labels ORG/PERSON/NORP that are not actors of interest (casefolded)."""

_MEDIA_WORDS = re.compile(
    r"\b(?:Times|News|Daily|Post|Journal|Herald|Tribune|Gazette|Press|Broadcasting|Television|TV|Radio|"
    r"Examiner|Telegraph|Guardian|Economist|Insider|Weekly|Review|Bloomberg|Reuters|Agency|Network|Nikkei|"
    r"Yonhap|Kyodo|Asahi|Shimbun|Ilbo|Chosun|Caixin|Xinhua|CNN|BBC|CNBC|Fox|NPR|Politico|Axios|Wire)\b"
)
_LOCATIVE = re.compile(
    r"(?:\b(?:in|at|near|inside|outside|around|across|based in|headquartered in|"
    r"(?:trip|trips|visit|visits|visited|visiting|flew|flying|travel(?:l)?ed|travel(?:l)?ing|returned|returning|"
    r"arrived|landed|went|came|headed|moved|relocated)\s+(?:to|in|from|back to))\s+(?:the\s+)?"
    r"(?:[A-Z][\w.’'-]*,?\s+(?:and\s+)?)*)$"
)
"""Words before a metonym that make it a place ("talks in Washington", "a trip to Tokyo"), not an actor."""
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
_WORD = re.compile(r"[A-Za-z][\w’']*")

NER_LABELS = ("PERSON", "ORG", "NORP", "FAC")


@dataclass(frozen=True)
class ActorMention:
    """One resolved mention of an actor in a document."""

    start: int
    end: int
    text: str
    actor: str
    actor_type: str
    country: str
    kind: str
    """alias, metonym, adjective, ner, coref or place."""


# --------------------------------------------------------------------------- names


def clean_entity(text: str) -> str:
    """Normalise an entity string: drop a leading "the", a possessive and trailing junk.

    Args:
        text: Entity text as found in the article ("the Stimson Center", "Trump’s", "Zhu of").

    Returns:
        The cleaned name ("Stimson Center", "Trump", "Zhu"); an empty string when nothing is left.
    """
    t = re.sub(r"\s+", " ", text or "").strip(" \t\n,;:.\"“”‘’()[]-—–")
    t = _POSSESSIVE.sub("", t).strip()
    t = re.sub(r"^(?:the|The|THE)\s+", "", t)
    # Drop trailing lowercase words ("Zhu of", "Hegseth said").
    words = t.split(" ")
    while len(words) > 1 and not words[-1][:1].isupper() and not words[-1][:1].isdigit():
        words.pop()
    return " ".join(words).strip(" ,.;:-")


def strip_titles(name: str) -> str:
    """Remove leading titles and honorifics ("Professor Zhu" -> "Zhu", "Dr. Sun" -> "Sun").

    A name that is nothing but title words is returned unchanged.
    """
    words = name.split()
    i = 0
    while i < len(words) - 1 and words[i].casefold() in _TITLE_SET:
        i += 1
    # "Secretary of Defense Pete Hegseth": skip the department after "of".
    while i < len(words) - 1 and words[i - 1:i] and words[i - 1].casefold() == "of" and words[i][:1].isupper() \
            and words[i].casefold() in _TITLE_SET | {"state", "defense", "commerce"}:
        i += 1
    return " ".join(words[i:])


def surname_matches(token: str, full_name: str) -> bool:
    """Whether a single name token can refer to a full name, in either name order.

    "Zhu" matches "Zhu Feng" (family name first), "Sun" matches "Yun Sun" (family name
    last) and "Lee" matches "Lee Jae-myung".
    """
    parts = full_name.split()
    if len(parts) < 2 or not token:
        return False
    return token in (parts[0], parts[-1])


class PersonIndex:
    """Full person names seen so far in one document, for surname coreference."""

    def __init__(self) -> None:
        self._names: list[tuple[int, str]] = []

    def add(self, name: str, position: int) -> None:
        """Record a full name (two or more words) seen at a character offset."""
        if len(name.split()) >= 2:
            self._names.append((position, name))

    def resolve(self, token: str, position: int) -> str | None:
        """The full name a surname refers to: the latest one before ``position``, else the first after."""
        before = [(p, n) for p, n in self._names if p <= position and surname_matches(token, n)]
        if before:
            return max(before)[1]
        after = [(p, n) for p, n in self._names if surname_matches(token, n)]
        return min(after)[1] if after else None

    @property
    def names(self) -> list[str]:
        """Distinct full names, in order of first mention."""
        seen: dict[str, None] = {}
        for _, n in sorted(self._names):
            seen.setdefault(n, None)
        return list(seen)


# --------------------------------------------------------------------------- gazetteer pass


def _is_place(text: str, start: int) -> bool:
    """Whether a metonym at ``start`` is used as a place ("talks in Washington", "a trip to Tokyo")."""
    before = text[max(0, start - 80):start]
    return bool(_LOCATIVE.search(before))


def _gazetteer_mentions(text: str, gaz: Gazetteer, *, include_places: bool) -> list[ActorMention]:
    out = []
    for m in gaz.find(text, split_compounds=True):
        kind = m.kind
        if kind == "metonym" and _is_place(text, m.start):
            kind = "place"
            if not include_places:
                continue
        actor = _resolve_target(m.actor, gaz) if m.kind == "metonym" else m.actor
        out.append(ActorMention(m.start, m.end, m.text, actor.name, actor.actor_type, actor.code or "", kind))
    return out


def _resolve_target(actor, gaz: Gazetteer):
    target = getattr(actor, "resolves_to", None)
    if target:
        return gaz.by_name(target) or actor
    return actor


# --------------------------------------------------------------------------- NER pass


def _covered(span: tuple[int, int], text: str, mentions: Iterable[ActorMention]) -> bool:
    """Whether every capitalised word of ``text[span]`` lies inside one of the mentions."""
    s, e = span
    for w in _WORD.finditer(text, s, e):
        if not w.group()[:1].isupper():
            continue
        if w.group().casefold() in ("the", "of", "and"):
            continue
        ws, we = w.start(), w.end()
        if re.fullmatch(r"['’]s", text[ws:we]):
            continue
        if not any(m.start <= ws and we <= m.end + 2 for m in mentions):
            return False
    return True


def _ner_type(label: str, name: str) -> str:
    if label == "PERSON":
        return "person"
    if _MEDIA_WORDS.search(name):
        return "media"
    return "organisation"


def _country_inside(name: str, gaz: Gazetteer) -> str:
    for m in gaz.find(name, split_compounds=True):
        if m.actor.actor_type in ("country", "bloc") and m.actor.code:
            return m.actor.code
    return ""


_GOVERNMENT_OF = re.compile(r"(?:^|\b)(?:the\s+)?(?:Government|Commonwealth|Kingdom|State|Governments)\s+of\s+"
                            r"(?:the\s+)?(?P<c>(?:(?!\bGovernment\b).)+)$")


def _government_of(name: str, gaz: Gazetteer):
    """The country of "the Government of the People's Republic of China", "the Commonwealth of Australia"."""
    m = _GOVERNMENT_OF.search(name)
    if not m:
        return None
    hit = gaz.lookup(m.group("c"))
    return hit if hit is not None and hit.actor_type in ("country", "bloc") else None


def _is_noise(name: str) -> bool:
    if not name or len(name) < 2 or name.casefold() in NON_ACTORS:
        return True
    if not any(ch.isupper() for ch in name):
        return True
    return not any(ch.isalpha() for ch in name)


# --------------------------------------------------------------------------- one document


def document_mentions(text: str, entities: pd.DataFrame | None = None, *, gazetteer: Gazetteer | None = None,
                      include_places: bool = False) -> list[ActorMention]:
    """Every actor mention in one document, resolved to canonical names.

    Args:
        text: The document's cleaned text.
        entities: Its rows of the annotation ``entities`` table (start, end, label, text); may be empty.
        gazetteer: Gazetteer to use (the default one when omitted).
        include_places: Keep metonyms used as places ("in Beijing") as kind ``place``.

    Returns:
        Mentions sorted by start offset, without overlaps.
    """
    gaz = gazetteer or load_gazetteer()
    text = text or ""
    gaz_all = _gazetteer_mentions(text, gaz, include_places=True)
    ents = entities if entities is not None else pd.DataFrame(columns=["start", "end", "label", "text"])
    ents = ents[ents["label"].isin((*NER_LABELS, "GPE", "LOC", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"))]

    # 1. Drop gazetteer hits that sit inside a longer name spaCy found ("Washington Examiner").
    dropped: set[int] = set()
    blockers: list[tuple[int, int]] = []
    for e in ents.itertuples(index=False):
        s, en = int(e.start), int(e.end)
        inside = [i for i, m in enumerate(gaz_all) if s <= m.start and m.end <= en and (m.start, m.end) != (s, en)]
        if not inside or e.label in ("GPE", "LOC"):
            continue
        if not _covered((s, en), text, [gaz_all[i] for i in inside]):
            dropped.update(i for i in inside if gaz_all[i].kind in ("metonym", "adjective", "alias", "place")
                           and gaz_all[i].actor_type in ("country", "bloc"))
            blockers.append((s, en))
    gaz_keep = [m for i, m in enumerate(gaz_all) if i not in dropped and (include_places or m.kind != "place")]
    occupied = [(m.start, m.end) for i, m in enumerate(gaz_all) if i not in dropped]

    persons = PersonIndex()
    for m in gaz_keep:
        if m.actor_type == "person":
            persons.add(m.actor, m.start)

    # 2. NER entities outside the gazetteer.
    ner: list[tuple[int, int, str, str]] = []
    for e in ents[ents["label"].isin(NER_LABELS)].itertuples(index=False):
        s, en = int(e.start), int(e.end)
        if any(os_ < en and s < oe for os_, oe in occupied) and (s, en) not in blockers:
            continue
        raw = text[s:en] if en <= len(text) else str(e.text)
        ner.append((s, en, str(e.label), raw))
        if e.label == "PERSON":
            name = strip_titles(clean_entity(raw))
            hit = gaz.lookup(name)
            if hit is None and len(name.split()) >= 2:
                persons.add(name, s)

    out: list[ActorMention] = list(gaz_keep)
    for s0, en0, label, raw0 in ner:
        name = clean_entity(raw0)
        if label == "PERSON" or (label == "ORG" and len(name.split()) <= 2):
            name = strip_titles(name)
        if _is_noise(name):
            continue
        s, en, raw = _trim_span(text, s0, en0, name)
        if label == "ORG" and len(name.split()) > 8:
            continue  # a document title read as one organisation, not an actor
        hit = gaz.lookup(name) or _government_of(name, gaz)
        if hit is not None:
            out.append(ActorMention(s, en, raw, hit.name, hit.actor_type, hit.code or "", "ner"))
            continue
        if label == "NORP":
            continue  # demonyms not in the gazetteer ("Asian") are not actors
        if len(name.split()) == 1:
            full = persons.resolve(name, s)
            if full:
                out.append(ActorMention(s, en, raw, full, "person", _person_country(full, gaz), "coref"))
                continue
        out.append(ActorMention(s, en, raw, name, _ner_type(label, name), _country_inside(name, gaz), "ner"))

    # 3. Honorific + surname and bare surnames spaCy missed.
    taken = [(m.start, m.end) for m in out] + occupied
    for m in _HONORIFIC.finditer(text):
        ns, ne = m.start("name"), m.end("name")
        if any(a < ne and ns < b for a, b in taken):
            continue
        token = _POSSESSIVE.sub("", m.group("name"))
        full = persons.resolve(token, ns)
        if full:
            out.append(ActorMention(m.start(), ne, m.group(), full, "person", _person_country(full, gaz), "coref"))
            taken.append((m.start(), ne))
    for full in persons.names:
        for token in {full.split()[0], full.split()[-1]}:
            if len(token) < 2:
                continue
            for m in re.finditer(rf"(?<![\w.-]){re.escape(token)}(?![\w-])(?!\s+[A-Z])", text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                if re.search(r"[A-Z][\w.’'-]*\s+$", text[max(0, m.start() - 30):m.start()]):
                    continue  # part of a longer name ("Lee Jae-myung" after "President Lee")
                if persons.resolve(token, m.start()) != full:
                    continue
                out.append(ActorMention(m.start(), m.end(), m.group(), full, "person", _person_country(full, gaz),
                                        "coref"))
                taken.append((m.start(), m.end()))
    return _dedupe(out)


_TITLE_BEFORE = re.compile(r"(?:\b(?:Professor|Prof\.|Dr\.|Mr\.|Mrs\.|Ms\.|Miss|President|Premier|Minister|"
                           r"Secretary|Senator|Sen\.|Ambassador|Chairman|Chairwoman|Governor|General)\s+)+$")


def _trim_span(text: str, start: int, end: int, name: str) -> tuple[int, int, str]:
    """The span of ``name`` inside ``text[start:end]``, widened to an honorific just before it."""
    idx = text.find(name, start, end) if name else -1
    if idx < 0:
        return start, end, text[start:end]
    s, e = idx, idx + len(name)
    m = _TITLE_BEFORE.search(text, max(0, s - 40), s)
    if m and m.end() == s:
        s = m.start()
    return s, e, text[s:e]


def _person_country(name: str, gaz: Gazetteer) -> str:
    hit = gaz.lookup(name)
    return (hit.code or "") if hit else ""


def _dedupe(mentions: list[ActorMention]) -> list[ActorMention]:
    """Sort by offset and drop mentions overlapping an earlier, longer one."""
    ordered = sorted(mentions, key=lambda m: (m.start, -(m.end - m.start)))
    out: list[ActorMention] = []
    for m in ordered:
        if out and m.start < out[-1].end:
            continue
        out.append(m)
    return out


# --------------------------------------------------------------------------- tables


def _sentence_index(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


def _english(docs: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(docs, pd.DataFrame) or not {"doc_id", "text"} <= set(docs.columns):
        raise ValueError("docs must be a DataFrame with at least the columns doc_id and text")
    if "language" in docs.columns:
        docs = docs[docs["language"].map(is_english)]
    return docs


def actor_mentions(docs: pd.DataFrame, ann: Annotations, *, gazetteer: Gazetteer | None = None,
                   include_places: bool = False) -> pd.DataFrame:
    """One row per actor mention in the English documents.

    Args:
        docs: Documents frame (doc_id, text, language).
        ann: Annotations of those documents.
        gazetteer: Gazetteer to use (the default one when omitted).
        include_places: Also list metonyms used as places ("in Beijing"), kind ``place``.

    Returns:
        Columns ``doc_id, sentence_index, start, end, text, actor, actor_type, country, kind``;
        ``country`` is the actor's ISO code or ''. Sorted by doc_id and start.
    """
    gaz = gazetteer or load_gazetteer()
    docs = _english(docs)
    rows = []
    for doc, entities, starts in iter_documents(docs, ann):
        for m in document_mentions(str(doc.text or ""), entities, gazetteer=gaz,
                                   include_places=include_places):
            rows.append((doc.doc_id, _sentence_index(starts, m.start), m.start, m.end, m.text, m.actor,
                         m.actor_type, m.country, m.kind))
    df = pd.DataFrame(rows, columns=MENTION_COLUMNS)
    df = df.astype({"sentence_index": "int64", "start": "int64", "end": "int64"})
    return df.sort_values(["doc_id", "start", "end"], kind="stable").reset_index(drop=True)


def actor_table(docs: pd.DataFrame, ann: Annotations, *, gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """Actors named in each English document with their number of mentions.

    Returns:
        Columns ``doc_id, actor, actor_type, mentions``, sorted by doc_id and actor.
    """
    m = actor_mentions(docs, ann, gazetteer=gazetteer)
    if m.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "mentions" else "object") for c in TABLE_COLUMNS})
    t = m.groupby(["doc_id", "actor", "actor_type"], as_index=False).size().rename(columns={"size": "mentions"})
    return t.sort_values(["doc_id", "actor", "actor_type"], kind="stable").reset_index(drop=True)[TABLE_COLUMNS]


def evaluate(pred: pd.DataFrame, gold: pd.DataFrame) -> dict[str, float]:
    """Precision and recall of (doc_id, actor) pairs against a gold list.

    Only documents present in ``gold`` are scored.

    Args:
        pred: A frame with doc_id and actor (e.g. :func:`actor_table`).
        gold: A frame with doc_id and actor (canonical names).

    Returns:
        precision, recall, f1, tp, fp, fn.
    """
    for name, df in (("pred", pred), ("gold", gold)):
        if not {"doc_id", "actor"} <= set(df.columns):
            raise ValueError(f"{name} needs the columns doc_id and actor")
    docs = set(gold["doc_id"])
    p = {(d, a) for d, a in zip(pred["doc_id"], pred["actor"], strict=True) if d in docs}
    g = set(zip(gold["doc_id"], gold["actor"], strict=True))
    tp, fp, fn = len(p & g), len(p - g), len(g - p)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}
