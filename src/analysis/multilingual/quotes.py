"""Direct quotations and their speakers in non-English text.

A quotation is a span between the language's quotation marks (“” 「」 『』 « » „“ ‚‘ "…")
that is at least ``min_quote`` long, is not a term marked by a word such as 所谓 or
sogenannten, and is attributed by a reporting cue of the lexicon: a verb or frame right before
the opening mark (表示：“…”, sagte: „…“), right after the closing mark (「…」と述べた,
"…"고 말했다, « … », a déclaré X), or a frame earlier in the sentence (Selon X, … « … »;
X回應稱，…『…』; laut X). The speaker is the gazetteer person the cue points to, else a raw
name after a title (行政院長卓榮泰, 이창용 총재), else the organisation or country named.
Rows have the schema of :func:`analysis.quotes.extract_quotes` plus ``language`` (the document's
language as the corpus gives it); the quote keeps its original text.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pandas as pd

from analysis.multilingual.actors import Hit, find_actors
from analysis.multilingual.lexicon import LanguageRules, language_key, rules_for
from analysis.multilingual.segment import quote_spans, segment, sentence_index

COLUMNS = ["doc_id", "speaker", "speaker_type", "quote", "is_fragment", "sentence_index",
           "speaker_country", "cue", "attribution", "start", "end", "language"]
_DATEISH = re.compile(r"\d{1,2}\s*(?:日|일)|当天|當天|此前|随即|隨即|事後|事后|对此|對此|当日|當日|对记者|對記者|"
                      r"在臉書|在脸书|在社交媒体上|在社群媒體上|記者団に|이날|회담 직후|직후")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_KO_PARTICLE = re.compile(r"(?:은|는|이|가|도|측은)$")


@dataclass(frozen=True)
class QuoteRow:
    """One attributed quotation."""

    start: int
    end: int
    quote: str
    speaker: str
    speaker_type: str
    country: str
    cue: str
    attribution: str
    fragment: bool


def _length(inner: str, rules: LanguageRules, unit: str | None = None) -> int:
    unit = unit or ("words" if rules.latin else "chars")
    if unit == "words":
        return len(re.findall(r"[\w’'-]+", inner))
    return len(re.sub(r"[\s\W]", "", inner))


def _speaker_from_hit(h: Hit) -> tuple[str, str, str]:
    a = h.actor
    if a.actor_type in ("country", "bloc"):
        return a.name, "government", a.code or ""
    if a.actor_type == "media":
        return a.name, a.role or "media", a.code or ""
    return a.name, a.role or "other", a.code or ""


def _raw_name(region: str, rules: LanguageRules, hits: list[Hit]) -> str:
    """A name the gazetteer does not know: what follows the last title (zh, ja) or precedes it (ko, de)."""
    titles = sorted(rules.titles, key=len, reverse=True)
    if rules.code == "ko":
        # A Korean name comes before its title: "이창용 총재는".
        words = [_KO_PARTICLE.sub("", w) for w in region.split()]
        for w, nxt in itertools.pairwise(words):
            if (nxt in titles and w not in titles and re.fullmatch(r"[가-힣]{2,4}", w)
                    and not any(h.text in w for h in hits) and not _DATEISH.search(w)):
                return w
        return ""
    if rules.latin:
        caps = re.findall(r"(?:[A-ZÄÖÜÉ][\w’'-]+\s+){0,3}[A-ZÄÖÜÉ][\w’'-]+", region)
        for run in reversed(caps):
            words = [w for w in run.split() if w not in titles and not any(w in h.text for h in hits)]
            if len(words) >= 2:
                return " ".join(words)
        return ""
    tail = region
    best = -1
    for t in titles:
        i = tail.rfind(t)
        if i >= 0 and i + len(t) > best:
            best = i + len(t)
    if best < 0:
        return ""
    name = _DATEISH.sub("", tail[best:]).strip(" ，,、：:")
    name = re.split(r"[的在于於对對]", name)[0]
    return name if _CJK_NAME.match(name) and not any(name in h.text or h.text in name for h in hits) else ""


def _phrase(region: str, rules: LanguageRules) -> str:
    p = region.strip(" ,，、：:;")
    if rules.latin:
        p = re.split(r",\s*(?:selon|laut|d’après)\b|\s+(?:en|à|dans|auf|nach|im|in)\s", p)[0]
        p = re.sub(r"^(?:le|la|les|l’|der|die|das|ein|eine|un|une)\s*", "", p.strip(), flags=re.I)
        return p.strip(" ,.")[:80]
    if rules.code == "ko":
        return _KO_PARTICLE.sub("", p)[:40]
    return _DATEISH.sub("", p)[-24:]


def resolve_speaker(region: str, rules: LanguageRules, *, prefer: str = "last") -> tuple[str, str, str]:
    """Speaker name, type and country for the words a cue points to.

    Args:
        region: The words before a reporting verb, or after it ("», a déclaré <region>").
        rules: The language's rules.
        prefer: Which of several actors wins: ``last`` (before a verb) or ``first`` (after it).
    """
    hits = find_actors(region, rules.code)
    order = hits if prefer == "first" else hits[::-1]
    persons = [h for h in order if h.actor.actor_type == "person"]
    if persons:
        return _speaker_from_hit(persons[0])
    raw = _raw_name(region, rules, hits)
    gov_title = any(t in region for t in rules.raw.get("government_titles") or ())
    country = next((h.actor.code or "" for h in order if h.actor.actor_type in ("country", "bloc")), "")
    if raw:
        return raw, "government" if gov_title else "other", country
    named = [h for h in order if h.kind != "adjective" or not gov_title]
    bodies = [h for h in named if h.actor.actor_type not in ("country", "bloc")]
    if bodies:
        return _speaker_from_hit(bodies[0])
    if named:
        return _speaker_from_hit(named[0])
    phrase = _phrase(region, rules)
    if not phrase:
        return "", "unattributed", ""
    return phrase, "government" if gov_title else "other", country


def document_quotes(text: str, code: str, *, sentences: list[tuple[int, int]] | None = None) -> list[QuoteRow]:
    """Attributed quotations of one document in a lexicon language."""
    rules = rules_for(code)
    sents = sentences if sentences is not None else segment(text, code).sentences
    out = []
    for qs, qe, _o, _c in quote_spans(text, rules):
        inner = text[qs + 1:qe - 1]
        if _length(inner, rules) < rules.min_quote:
            continue
        ss, se = next(((s, e) for s, e in sents if s <= qs < e), (0, len(text)))
        se = max(se, qe)
        before, after = text[ss:qs], text[qe:se]
        if rules.scare_before.search(before):
            continue
        cue = attribution = ""
        region = ""
        prefer = "last"
        m = rules.cue_after.match(after)
        if m:
            cue, attribution = m.group().strip(), "after"
            if m.groupdict().get("speaker"):
                region = m.group("speaker")
            elif rules.speaker_after:
                region, prefer = after[m.end():], "first"
                frame = rules.cue_in_sentence.search(region)
                if frame and frame.start() > 0:  # "», a déclaré X, selon l'agence Y": the speaker is X
                    region = region[:frame.start()]
            else:
                region = before
        if not cue:
            m = rules.cue_before.search(before)
            if m:
                cue, attribution, region = m.group().strip(), "before", before[:m.start()]
        if not cue:
            frames = list(rules.cue_in_sentence.finditer(before))
            if frames:
                f = frames[-1]
                cue, attribution = f.group().strip(), "frame"
                region = next((v for k, v in f.groupdict().items() if k.startswith("speaker") and v), before)
                prefer = "first"
        if not cue:
            continue
        name, stype, country = resolve_speaker(region, rules, prefer=prefer)
        if not name:
            continue
        unit = rules.raw.get("fragment_unit")
        fragment = _length(inner, rules, unit) < int(rules.raw.get("fragment_below", 6))
        lead = len(inner) - len(inner.lstrip())  # « guillemets » are padded with spaces
        body = inner.strip()
        out.append(QuoteRow(qs + 1 + lead, qs + 1 + lead + len(body), body, name, stype, country, cue[:40],
                            attribution, fragment))
    return out


def extract_quotes(docs: pd.DataFrame, ann) -> pd.DataFrame:
    """Quotations of every supported non-English document (schema of analysis.quotes, plus ``language``)."""
    rows = []
    sents = dict(tuple(ann.sentences.groupby("doc_id"))) if len(ann.sentences) else {}
    for doc_id, lang, text in docs[["doc_id", "language", "text"]].itertuples(index=False):
        text = str(text or "")
        code = language_key(lang if isinstance(lang, str) else "", text)
        if code is None:
            continue
        sd = sents.get(doc_id)
        spans = [(int(s), int(e)) for s, e in zip(sd["start"], sd["end"], strict=True)] if sd is not None else None
        starts = [s for s, _ in spans] if spans else [0]
        for q in document_quotes(text, code, sentences=spans):
            rows.append((doc_id, q.speaker, q.speaker_type, q.quote, q.fragment, sentence_index(starts, q.start),
                         q.country, q.cue, q.attribution, q.start, q.end, lang if isinstance(lang, str) and lang else code))
    df = pd.DataFrame(rows, columns=COLUMNS)
    return df.astype({"is_fragment": bool, "sentence_index": "int64", "start": "int64", "end": "int64"})
