"""Voices: direct quotations with their speakers.

The extractor works on the cleaned text of each English article:

1. quoted spans are found per paragraph (curly or straight double quotes; top-level
   single quotes when a paragraph has no double quotes); an unclosed quote runs to the
   end of its paragraph (the convention for quotes continuing in the next paragraph);
2. quote contents are masked, and the paragraph is split into sentences;
3. speech cues are found outside the quotes: verbs ("said", "told", "noted",
   "stating", "adding"), "according to", and nouns owned by a speaker ("Trump's
   announcement ... “...”");
4. each quote takes the cue that governs it (the cue after a quote that opens its
   sentence, else the nearest cue before it, else the first after it); the speaker of a
   cue is the name after it in inversions ("said Wang Yiwei"), the nearest eligible
   name, pronoun or descriptive phrase before it ("Professor Zhu added", "he
   concluded", "one analyst remarked", "the statement said"), or, for participles
   ("stating", "adding"), the speaker of the clause's main cue or its subject;
5. a quote with no cue of its own continues the previous quote of the same paragraph,
   or of the previous paragraph when it opens its paragraph;
6. pronouns resolve to the last named person (the last speaker or sentence subject);
   names resolve to canonical full names through :mod:`analysis.actors`.

Short quotes (under six words) are kept and flagged ``is_fragment``; quoted spans with
no speech cue at all (scare quotes, names such as "America First") are left out
unless ``keep_unattributed=True``.
"""

from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from analysis.actors import (
    NON_ACTORS,
    ActorMention,
    PersonIndex,
    _english,
    clean_entity,
    document_mentions,
    strip_titles,
)
from analysis.annotate import Annotations, iter_documents
from analysis.gazetteer import Gazetteer, load_gazetteer

log = logging.getLogger(__name__)

COLUMNS = ["doc_id", "speaker", "speaker_type", "quote", "is_fragment", "sentence_index"]
EXTRA_COLUMNS = ["speaker_country", "cue", "attribution", "start", "end"]
SPEAKER_TYPES = ("government", "state_media", "academic", "industry", "anonymous", "media", "other")
FRAGMENT_WORDS = 6
"""Quotes with fewer words than this are fragments (scare quotes, short phrases)."""

# --------------------------------------------------------------------------- lexicons

_CUE_STEMS = {
    "say": "said|says|say|saying",
    "tell": "told|tells|tell|telling",
    "add": "added|adds|adding",
    "note": "noted|notes|noting",
    "state": "stated|states|stating",
    "stress": "stressed|stresses|stressing",
    "emphasize": "emphasized|emphasised|emphasizes|emphasises|emphasizing|emphasising",
    "warn": "warned|warns|warning",
    "argue": "argued|argues|arguing",
    "claim": "claimed|claims|claiming",
    "insist": "insisted|insists|insisting",
    "explain": "explained|explains|explaining",
    "observe": "observed|observes|observing",
    "remark": "remarked|remarks|remarking",
    "comment": "commented|comments|commenting",
    "assert": "asserted|asserts|asserting",
    "continue": "continued",
    "conclude": "concluded|concludes|concluding",
    "write": "wrote|writes|writing",
    "post": "posted",
    "tweet": "tweeted|tweets|tweeting",
    "declare": "declared|declares|declaring",
    "announce": "announced|announces|announcing",
    "acknowledge": "acknowledged|acknowledges|acknowledging",
    "admit": "admitted|admits|admitting",
    "suggest": "suggested|suggests|suggesting",
    "predict": "predicted|predicts|predicting",
    "ask": "asked|asks|asking",
    "reply": "replied|replies|replying",
    "respond": "responded|responds|responding",
    "recall": "recalled|recalls|recalling",
    "describe": "described|describes|describing",
    "dub": "dubbed|dubs|dubbing",
    "term": "termed",
    "question": "questioned|questions|questioning",
    "accuse": "accused|accuses|accusing",
    "urge": "urged|urges|urging",
    "vow": "vowed|vows|vowing",
    "pledge": "pledged|pledges|pledging",
    "promise": "promised|promises|promising",
    "complain": "complained|complains|complaining",
    "lament": "lamented|laments|lamenting",
    "mention": "mentioned|mentions|mentioning",
    "agree": "agreed|agrees|agreeing",
    "report": "reported|reports|reporting",
    "quip": "quipped|quips",
    "joke": "joked|jokes",
    "reiterate": "reiterated|reiterates|reiterating",
    "point": "pointed out|points out|pointing out",
    "put": "put it|puts it",  # "As the minister put it last month, “…”"
    "tell2": "testified|cautioned|cautions|cautioning|countered|retorted|confirmed|confirms|denied|denies|"
             "boasted|boasts|threatened|threatens|threatening|shouted|demanded|demands",
    "accord": "according to",
}
CUE_RE = re.compile(
    r"(?<![\w-])(?P<cue>" + "|".join(sorted({v for vs in _CUE_STEMS.values() for v in vs.split("|")},
                                                key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
INVERTIBLE = frozenset(
    ["said", "says", "added", "adds", "noted", "notes", "wrote", "writes", "asked", "asks", "continued", "explained", "observed", "remarked", "commented", "argued", "warned", "stated", "concluded", "insisted", "replied", "recalled", "cautioned", "countered", "suggested", "acknowledged", "declared", "quipped", "joked", "stressed", "emphasized", "emphasised", "predicted"]
)
"""Cues that may come before their speaker: "…,” said Wang Yiwei."""

NOMINAL_CUE = re.compile(
    r"(?P<owner>\b[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3}|\b(?:his|her|their|its|His|Her|Their|Its))"
    r"(?:['’]s?)?\s+(?:[a-z-]+\s+){0,2}?"
    r"(?P<cue>announcement|statement|remarks|comments|words|post|declaration|warning|message|letter|speech|"
    r"claim|pledge|promise|vow|tweet|op-ed|column|interview|testimony)\b"
)
NOMINAL_REACH = 60
"""A quote must open within this many characters after a nominal cue to be attributed by it."""

PRONOUNS = {"he": "person", "she": "person", "they": "group", "it": "group"}
_PRONOUN_RE = re.compile(r"\b(?:he|she|they|it|He|She|They|It)\b")

_HEADS = {
    # head noun -> speaker type of an unnamed speaker
    **dict.fromkeys(["official", "officials", "spokesperson", "spokesman", "spokeswoman", "spokespeople",
                     "minister", "ministers", "diplomat", "diplomats", "negotiator", "negotiators", "lawmaker",
                     "lawmakers", "government", "embassy", "ministry", "department", "agency", "regulator",
                     "regulators", "representative", "representatives", "envoy", "authorities", "senator",
                     "senators", "commission", "cabinet"], "government"),
    **dict.fromkeys(["statement", "communique", "communiqué", "notice", "announcement", "report", "document",
                     "readout", "declaration"], "other"),
    **dict.fromkeys(["analyst", "analysts", "expert", "experts", "observer", "observers", "commentator",
                     "commentators", "source", "sources", "insider", "insiders", "critic", "critics", "person",
                     "people", "netizen", "netizens", "participant", "participants", "insider"], "anonymous"),
    **dict.fromkeys(["economist", "economists", "trader", "traders", "investor", "investors", "executive",
                     "executives", "banker", "bankers", "strategist", "strategists", "manufacturer",
                     "manufacturers", "company", "companies", "firm", "firms", "industry", "association",
                     "chamber", "exporter", "exporters", "importer", "importers", "businessman",
                     "businessmen", "retailer", "retailers", "automaker", "automakers"], "industry"),
    **dict.fromkeys(["scholar", "scholars", "researcher", "researchers", "professor", "professors",
                     "academic", "academics"], "academic"),
    **dict.fromkeys(["editor", "editors", "newspaper", "editorial", "commentary", "journalist",
                     "journalists", "columnist", "broadcaster", "tabloid"], "media"),
    **dict.fromkeys(["farmer", "farmers", "worker", "workers", "resident", "residents", "citizen", "citizens",
                     "consumer", "consumers", "voter", "voters"], "other"),
}
_GENERIC_RE = re.compile(
    r"(?<![\w-])(?:(?:the|a|an|one|another|some|many|several|two|three|four|other|most|these|those|his|her|"
    r"its|their|The|A|An|One|Another|Some|Many|Several|Two|Three|Four|Other|Most|These|Those)\s+)?"
    r"(?:[\w’'.-]+\s+){0,3}?(?:" + "|".join(sorted(_HEADS, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)
_DETERMINERS = {"the", "a", "an", "one", "another", "some", "many", "several", "two", "three", "four", "other",
                "most", "these", "those", "his", "her", "its", "their"}
_PREPOSITIONS = {"of", "at", "in", "on", "to", "from", "with", "for", "by", "about", "against", "between",
                 "among", "toward", "towards", "into", "over", "under", "including", "like", "than", "via",
                 "through", "after", "before", "during", "despite", "told", "tells", "urged", "asked", "accused",
                 "questioned", "criticized", "criticised", "blamed", "warned", "pushed", "pressed", "called",
                 "met", "meet", "meeting", "and"}
"""Words that, just before a name, make it something other than the subject of a cue."""
_CLAUSE_WORDS = {"which", "who", "that", "when", "while", "whereas", "where", "because", "although", "though",
                 "but", "as", "if", "since", "so"}

_APPOSITIVE = re.compile(
    r",\s+(?:a|an|the|who|whose|which|director|head|chief|president|professor|chairman|chairwoman|chair|"
    r"editor|spokesperson|spokesman|spokeswoman|senior|former|deputy|vice|executive|founder|partner|"
    r"economist|analyst|minister|secretary|dean|fellow|researcher|lecturer|CEO|co-founder|managing|"
    r"general|lead|head|strategist|associate|assistant|professor|research|also|now|then|currently|"
    r"speaking|writing|in|for|however|though|too)\b[^,;:“”\"]{0,160},"
)

_DESCRIPTION_RULES: list[tuple[str, re.Pattern]] = [
    ("state_media", re.compile(r"state[- ](?:controlled|run|owned|media|broadcaster|news|affiliated|backed)|"
                               r"party (?:newspaper|mouthpiece|tabloid)|official (?:newspaper|news agency)",
                               re.I)),
    ("government", re.compile(r"\b(?:minister|ministry|secretary|president|premier|spokes(?:person|man|woman)|"
                              r"ambassador|official|lawmaker|senator|congress(?:man|woman)|governor|chancellor|"
                              r"trade representative|negotiator|diplomat|envoy|mayor|commissioner|cabinet|"
                              r"white house|department|government|administration|regulator|council|"
                              r"parliament|legislator|prime minister|foreign affairs|commerce)\b", re.I)),
    ("academic", re.compile(r"\b(?:professor|scholar|researcher|research fellow|fellow|lecturer|academic|"
                            r"university|institute|academy|think[- ]tank|college|school of|dean|"
                            r"center for|centre for|program|programme|studies)\b", re.I)),
    ("media", re.compile(r"\b(?:editor|journalist|columnist|reporter|correspondent|newspaper|magazine|"
                         r"broadcaster|anchor|commentator|blogger|news)\b", re.I)),
    ("industry", re.compile(r"\b(?:executive|ceo|chief executive|founder|chairman|chairwoman|investor|trader|"
                            r"strategist|analyst|economist|banker|company|corp|corporation|inc|ltd|group|bank|"
                            r"securities|capital|holdings|motors|industries|manufactur\w*|firm|industry|"
                            r"association|chamber of commerce|business|consultancy|partners|fund)\b", re.I)),
]
"""Keyword rules classifying a speaker description, in order of precedence."""

_ORG_NAME_RULES: list[tuple[str, re.Pattern]] = [
    ("government", re.compile(r"\b(?:Ministry|Department|Commission|Council|Administration|Bureau|Office|"
                              r"Agency|Embassy|Government|Parliament|Congress|Senate|Cabinet|Customs)\b")),
    ("academic", re.compile(r"\b(?:University|Institute|Academy|College|Center|Centre|Foundation|School|"
                            r"Council on|Brookings|RAND|Chatham)\b")),
    ("media", re.compile(r"\b(?:Times|News|Daily|Post|Journal|Herald|Tribune|Press|Television|TV|Radio|"
                         r"Reuters|Bloomberg|Agency|Network|Examiner)\b")),
    ("industry", re.compile(r"\b(?:Inc|Corp|Corporation|Co|Ltd|Group|Bank|Securities|Capital|Holdings|Motors|"
                            r"Industries|Electronics|Partners|Fund|Association|Chamber|Exchange|Steel|"
                            r"Mining|Metals|Materials)\b")),
]


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Speaker:
    """A resolved speaker."""

    name: str
    speaker_type: str
    country: str = ""
    is_person: bool = False
    gender: str = ""
    """"f", "m" or "" (unknown): from the gazetteer or honorifics ("Ms.", "spokeswoman")."""


@dataclass(frozen=True)
class Candidate:
    """A phrase that may be the speaker of a cue."""

    start: int
    end: int
    kind: str
    """named, generic or pronoun."""
    speaker: Speaker | None = None
    pronoun: str = ""


@dataclass(frozen=True)
class Cue:
    """A speech cue outside the quotes."""

    start: int
    end: int
    text: str
    owner: Candidate | None = None
    """For nominal cues ("Trump's announcement"): the owner."""

    @property
    def is_participle(self) -> bool:
        """Whether the cue is an -ing form ("stating", "adding")."""
        return self.text.split()[0].lower().endswith("ing") and self.owner is None

    @property
    def is_according(self) -> bool:
        """Whether the cue is "according to"."""
        return self.text.lower().startswith("according")


# --------------------------------------------------------------------------- quote spans


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in re.finditer(r"\n\s*", text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans (content start, content end) of quoted passages.

    Works paragraph by paragraph: curly or straight double quotes; an unclosed quote runs
    to the end of its paragraph; stray closing marks are ignored. In a paragraph with no
    double quotes, top-level single curly quotes (‘…’) are used. Never raises on
    unbalanced marks.

    Args:
        text: Any text.

    Returns:
        Sorted, non-overlapping spans with non-empty content.
    """
    text = text or ""
    spans: list[tuple[int, int]] = []
    for ps, pe in _paragraphs(text):
        par = text[ps:pe]
        local: list[tuple[int, int]] = []
        open_at: int | None = None
        for i, ch in enumerate(par):
            if ch == "“" or (ch == "”" and open_at is None and i + 1 < len(par) and par[i + 1].isalpha()
                             and (i == 0 or par[i - 1].isspace())):
                if open_at is not None:
                    local.append((open_at + 1, i))
                open_at = i
            elif ch == "”":
                if open_at is not None:
                    local.append((open_at + 1, i))
                    open_at = None
            elif ch == '"':
                if open_at is None:
                    open_at = i
                else:
                    local.append((open_at + 1, i))
                    open_at = None
        if open_at is not None:
            local.append((open_at + 1, len(par)))
        if not local and "‘" in par:
            local = _single_quote_spans(par)
        spans.extend((ps + a, ps + b) for a, b in local if par[a:b].strip())
    return spans


def _single_quote_spans(par: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    open_at: int | None = None
    for i, ch in enumerate(par):
        if ch == "‘" and open_at is None and (i == 0 or not par[i - 1].isalnum()):
            open_at = i
        elif ch == "’" and open_at is not None and (i + 1 == len(par) or not par[i + 1].isalpha()):
            out.append((open_at + 1, i))
            open_at = None
    return out


def mask_quotes(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with quote contents replaced by ``x`` (final ``.!?`` and newlines kept), same length."""
    chars = list(text)
    for s, e in spans:
        for i in range(s, e):
            if chars[i] != "\n":
                chars[i] = "x"
        content = text[s:e].rstrip()
        if content and content[-1] in ".!?":
            chars[s + len(content) - 1] = content[-1]
    return "".join(chars)


_ABBREV = re.compile(r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Sen|Rep|Gov|St|Jr|Sr|No|vs|Inc|Corp|Co|"
                     r"Ltd|Adm|Lt|Col|Capt|Maj|Sgt|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec)\.)$")


def split_sentences(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of ``masked[start:end]`` (quotes already masked, so never split inside a quote)."""
    out, pos = [], start
    for m in re.finditer(r"[.!?][”\"’)]?\s+(?=[“\"‘A-Z0-9(])", masked[start:end]):
        cut = start + m.start() + 1
        if _ABBREV.search(masked[max(start, cut - 12):cut]):
            continue
        boundary = start + m.end()
        out.append((pos, boundary))
        pos = boundary
    if pos < end:
        out.append((pos, end))
    return [(s, e) for s, e in out if masked[s:e].strip()]


# --------------------------------------------------------------------------- speakers


def classify_description(text: str, gazetteer: Gazetteer | None = None) -> tuple[str, str]:
    """Speaker type and country implied by a description ("a professor at Renmin University").

    Organisations named in the description decide first (their gazetteer role and country);
    otherwise keyword rules apply; country comes from any country, demonym or place named.

    Returns:
        (speaker_type, ISO country code or '').
    """
    gaz = gazetteer or load_gazetteer()
    country, role = "", ""
    for m in gaz.find(text or "", split_compounds=True):
        a = m.actor
        if a.actor_type in ("country", "bloc"):
            country = country or (a.code or "")
        elif a.role and not role and a.role != "other":
            role = a.role
            country = a.code or country
    if re.search(_DESCRIPTION_RULES[0][1], text or ""):
        return "state_media", country
    if role:
        return role, country
    for label, rx in _DESCRIPTION_RULES[1:]:
        if rx.search(text or ""):
            return label, country
    return "other", country


def _org_type(name: str) -> str:
    for label, rx in _ORG_NAME_RULES:
        if rx.search(name):
            return label
    return "other"


def _description(text: str, mention: ActorMention) -> str:
    """Title words before a mention plus an appositive or "of <Org>" after it."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    before = text[max(line_start, mention.start - 60):mention.start]
    before = re.split(r"[.;:!?,“”\"]", before)[-1]
    after = text[mention.end:mention.end + 200]
    m = re.match(r"(?:['’]s)?\s*,\s+([^,.;“”\"]*(?:,\s+[a-z][^,.;“”\"]*)?)", after) or re.match(
        r"\s+(?:of|at|from)\s+((?:the\s+)?[A-Z][^,.;“”\"]*)", after)
    return f"{before} {m.group(1) if m else ''}".strip()


_FEMALE_TITLE = re.compile(r"\b(?:Ms|Mrs|Miss|Madam|Madame|Dame|Lady|Queen|Princess)\b\.?\s*$")
_MALE_TITLE = re.compile(r"\b(?:Mr|Sir|Lord|King|Prince)\b\.?\s*$")
_FEMALE_NOUN = re.compile(r"\b(?:spokeswoman|chairwoman|congresswoman|businesswoman|stateswoman)\b", re.I)
_MALE_NOUN = re.compile(r"\b(?:spokesman|congressman|businessman|statesman)\b", re.I)


def _gender_from(title: str, description: str = "") -> str:
    """"f" or "m" when the title right before a name or its description says so ("Ms. Lee", "spokesman")."""
    if _FEMALE_TITLE.search(title):
        return "f"
    if _MALE_TITLE.search(title):
        return "m"
    f, m = bool(_FEMALE_NOUN.search(description)), bool(_MALE_NOUN.search(description))
    return "f" if f and not m else "m" if m and not f else ""


def _compatible(sp: Speaker | None, pronoun: str) -> bool:
    if sp is None:
        return False
    return not ((pronoun == "she" and sp.gender == "m") or (pronoun == "he" and sp.gender == "f"))


def _speaker_from_mention(text: str, mention: ActorMention, gaz: Gazetteer,
                          descriptions: dict[str, str]) -> Speaker:
    actor = gaz.by_name(mention.actor) or gaz.lookup(mention.actor)
    if mention.actor_type in ("country", "bloc"):
        return Speaker(mention.actor, "government", mention.country)
    name_at = mention.start + max(0, mention.text.find(mention.actor.split()[0])) if mention.actor else mention.start
    title = text[max(0, name_at - 12):name_at]
    if actor is not None and actor.role:
        is_person = actor.actor_type == "person"
        gender = getattr(actor, "gender", None) or (_gender_from(title, descriptions.get(actor.name, ""))
                                                   if is_person else "")
        return Speaker(actor.name, actor.role, actor.code or "", is_person, gender or "")
    if mention.actor_type == "person":
        stype, country = classify_description(descriptions.get(mention.actor, ""), gaz)
        return Speaker(mention.actor, stype, country or mention.country, True,
                       _gender_from(title, descriptions.get(mention.actor, "")))
    stype = "media" if mention.actor_type == "media" else _org_type(mention.actor)
    return Speaker(mention.actor, stype, mention.country)


def _generic_speaker(phrase: str, gaz: Gazetteer) -> Speaker:
    words = phrase.split()
    while words and words[0].lower() in _DETERMINERS:
        words.pop(0)
    words = [w for w in words if not re.search(r"['’]s?$", w) or w[:1].isupper()]
    head = words[-1].lower() if words else phrase.lower()
    name = " ".join(words) or phrase
    stype = _HEADS.get(head, "anonymous")
    described, country = classify_description(phrase, gaz)
    if described == "state_media":
        stype = "state_media"
    elif head in ("statement", "communique", "communiqué", "report", "declaration", "readout") and \
            (re.search(r"\bjoint\b", phrase, re.I) or described == "government"):
        stype = "government"
    elif described in ("government", "industry", "academic", "media") and stype == "anonymous" \
            and any(m.actor.actor_type not in ("country", "bloc") for m in gaz.find(phrase)):
        stype = described
    return Speaker(name, stype, country)


# --------------------------------------------------------------------------- one document


def _candidates(text: str, masked: str, mentions: list[ActorMention], gaz: Gazetteer,
                descriptions: dict[str, str], appositives: list[tuple[int, int]]) -> list[Candidate]:
    out: list[Candidate] = []
    for m in mentions:
        if m.kind in ("adjective", "place") or masked[m.start:m.end] != text[m.start:m.end]:
            continue  # inside a quote
        out.append(Candidate(m.start, m.end, "named", _speaker_from_mention(text, m, gaz, descriptions)))
    named = [(c.start, c.end) for c in out]
    for m in _GENERIC_RE.finditer(masked):
        s, e = m.start(), m.end()
        # A descriptive phrase never reaches back over a sentence end or a paragraph break
        # ("… he said.\n\nChinese officials have said" is "Chinese officials", and "he" stays a pronoun).
        breaks = list(re.finditer(r"(?<=[a-z])[.!?][”\"’]?\s+|\n", masked[s:e]))
        if breaks:
            s += breaks[-1].end()
        words = list(re.finditer(r"\S+", masked[s:e]))
        if not words:
            continue
        # Trim leading words that are cues, names or sentence punctuation.
        while len(words) > 1:
            w = words[0]
            ws = s + w.start()
            if CUE_RE.fullmatch(w.group().strip(",.;:")) or any(a <= ws < b for a, b in named) or \
                    re.search(r"[,.;:”\"]$", w.group()) or (w.group()[:1].isupper() and words[0] is not words[-1]
                                                             and not gaz.find(w.group())
                                                             and w.group().lower() not in _DETERMINERS):
                words.pop(0)
            else:
                break
        s = s + words[0].start()
        if any(a < e and s < b for a, b in named) or masked[s:e] != text[s:e]:
            continue
        out.append(Candidate(s, e, "generic", _institution(text, s, e, gaz) or _generic_speaker(text[s:e], gaz)))
    out.extend(_fallback_names(text, masked, out, mentions, gaz, descriptions))
    out = _corefer_surnames(out)
    taken = [(c.start, c.end) for c in out]
    for m in _PRONOUN_RE.finditer(masked):
        if masked[m.start():m.end()] != text[m.start():m.end()] or any(a < m.end() and m.start() < b
                                                                       for a, b in taken):
            continue
        if m.group()[0].isupper() and re.search(r"[\w,”\"]\s*$", masked[max(0, m.start() - 3):m.start()]):
            continue  # "He" in mid-sentence is a surname, not a pronoun
        out.append(Candidate(m.start(), m.end(), "pronoun", pronoun=m.group().lower()))
    return sorted(out, key=lambda c: c.start)


_OWNER_BEFORE = re.compile(r"((?:[A-Z][\w.’'-]*\s+){0,2}[A-Z][\w.’'-]*)['’]s\s+$")
_SPOKES_HEADS = frozenset({"spokesperson", "spokesman", "spokeswoman", "spokespeople", "official", "officials",
                           "representative", "representatives"})
_FOR_INSTITUTION = re.compile(r"\s+(?:for|of|at|from|with)\s+(?:the\s+)?((?:[\w’'.-]+\s+){0,4}?(?:ministry|department|"
                              r"office|commission|agency|bureau|council|administration|embassy|government|"
                              r"Ministry|Department|Office|Commission|Agency|Bureau|Council|Administration|Embassy))\b")


def _lookup_body(phrase: str, gaz: Gazetteer) -> Speaker | None:
    actor = gaz.lookup(phrase) or gaz.lookup(re.sub(r"^(?:the|a|an)\s+", "", phrase, flags=re.I))
    if actor is None or actor.actor_type in ("country", "bloc", "person") or not actor.role:
        return None
    return Speaker(actor.name, actor.role, actor.code or "")


def _institution(text: str, s: int, e: int, gaz: Gazetteer) -> Speaker | None:
    """A generic phrase that names a known institution, case aside: "China’s commerce ministry" →
    China Ministry of Commerce; "a spokesperson for Japan’s trade ministry" → that ministry.

    An institution is the speaker only because no person is named (a named spokesperson is a candidate
    of their own and wins as the nearer subject).
    """
    phrase = text[s:e]
    owner = _OWNER_BEFORE.search(text[max(0, s - 40):s])
    words = phrase.split()
    while words and words[0].lower() in _DETERMINERS:
        words.pop(0)
    core = " ".join(words)
    for cand in ([f"{owner.group(1)}’s {core}", f"{owner.group(1)}'s {core}"] if owner else []) + [core]:
        sp = _lookup_body(cand, gaz)
        if sp is not None:
            return sp
    if words and words[-1].lower() in _SPOKES_HEADS:
        # "a Commerce Department spokesperson", "a China’s foreign ministry official"
        lead = re.search(r"((?:[A-Z][\w.’'-]*\s+){1,5})$", text[max(0, s - 60):s] + " ".join(words[:-1]) + " ")
        if lead:
            names = lead.group(1).split()
            for k in range(len(names)):
                sp = _lookup_body(" ".join(names[k:]), gaz)
                if sp is not None:
                    return sp
        m = _FOR_INSTITUTION.match(text, e)
        if m:
            target = m.group(1)
            inner = _OWNER_BEFORE.search(text[max(0, m.start(1) - 40):m.start(1)])
            for cand in ([f"{inner.group(1)}’s {target}"] if inner else []) + [target]:
                sp = _lookup_body(cand, gaz)
                if sp is not None:
                    return sp
            sp = _lookup_body(target.split("’s ")[-1] if "’s " in target else target, gaz)
            if sp is not None:
                return sp
    return None


def _corefer_surnames(cands: list[Candidate]) -> list[Candidate]:
    """Point single-word person speakers ("Shu") to a full name found by any pass ("Shu Jueting")."""
    index = PersonIndex()
    full: dict[str, Speaker] = {}
    for c in cands:
        if c.speaker is not None and c.speaker.is_person and len(c.speaker.name.split()) >= 2:
            index.add(c.speaker.name, c.start)
            full.setdefault(c.speaker.name, c.speaker)
    out = []
    for c in cands:
        if c.speaker is not None and c.speaker.is_person and len(c.speaker.name.split()) == 1:
            name = index.resolve(c.speaker.name, c.start)
            if name:
                c = Candidate(c.start, c.end, c.kind, full[name], c.pronoun)
        out.append(c)
    return out


_NAME_RUN = re.compile(r"(?:[A-Z][\w’'-]*\.?)(?:\s+(?:[A-Z][\w’'-]*\.?|de|van|von|bin|al-\w+))*")


def _fallback_names(text: str, masked: str, found: list[Candidate], mentions: list[ActorMention],
                    gaz: Gazetteer, descriptions: dict[str, str]) -> list[Candidate]:
    """Capitalised names right next to a cue that neither the gazetteer nor NER recognised.

    "The ministry spokesperson He Yadong said", "…,” said Ana Ruiz" and a later "…,” Ruiz said".
    """
    persons = PersonIndex()
    for m in mentions:
        if m.actor_type == "person":
            persons.add(m.actor, m.start)
    spans: list[tuple[int, int]] = []
    for cue in CUE_RE.finditer(masked):
        before = masked[max(0, cue.start() - 60):cue.start()]
        run = re.search(r"((?:[A-Z][\w’'-]*\.?\s+)+)(?:\w+ly\s+)?$", before)
        if run:
            spans.append((cue.start() - len(before) + run.start(1), cue.start() - len(before) + run.end(1)))
        # "Ana Ruiz, a trade lawyer in Washington, said": a name, its appositive, then the cue.
        wide = masked[max(0, cue.start() - 160):cue.start()]
        app = re.search(r"(?:^|[.!?”\"]\s+|\n)((?:[A-Z][\w’'-]+\s+){1,3}[A-Z][\w’'-]+),\s+(?:a|an|the)\s+"
                        r"[^,;:“”\"]{2,120},\s*$", wide)
        if app:
            base = cue.start() - len(wide)
            spans.append((base + app.start(1), base + app.end(1)))
        if cue.group().lower() in INVERTIBLE:
            after = _NAME_RUN.match(masked, cue.end() + 1) if masked[cue.end():cue.end() + 1] == " " else None
            if after:
                spans.append((after.start(), after.end()))
    out: list[Candidate] = []
    taken = [(c.start, c.end) for c in found]
    for s, e in sorted(set(spans)):
        raw = masked[s:e].strip()
        e = s + len(raw)
        if not raw or any(a < e and s < b for a, b in taken) or masked[s:e] != text[s:e]:
            continue
        name = strip_titles(clean_entity(raw))
        if not name or name.casefold() in NON_ACTORS or re.fullmatch(r"[A-Z]{2,}", name) or CUE_RE.fullmatch(name):
            continue
        if name.casefold() in PRONOUNS and (s == 0 or not persons.resolve(name, s)
                                            or not re.search(r"[\w,”\"]\s*$", masked[max(0, s - 3):s])):
            continue  # a real pronoun; "He" after a quote is the surname He only if a full name "He …" was seen
        name_start = s + raw.rfind(name) if name in raw else s
        hit = gaz.lookup(name)
        if hit is not None:
            mention = ActorMention(name_start, e, raw, hit.name, hit.actor_type, hit.code or "", "alias")
        elif _org_type(name) != "other":
            mention = ActorMention(name_start, e, raw, name, "organisation", "", "ner")
        else:
            if len(name.split()) == 1:
                name = persons.resolve(name, s) or name
            else:
                persons.add(name, s)
            mention = ActorMention(name_start, e, raw, name, "person", "", "ner")
            if name not in descriptions:
                descriptions[name] = _description(masked, mention) + " " + masked[max(0, s - 60):s]
        out.append(Candidate(name_start, e, "named", _speaker_from_mention(text, mention, gaz, descriptions)))
        taken.append((s, e))
    return out


def _appositives(masked: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _APPOSITIVE.finditer(masked)]


def _eligible(c: Candidate, masked: str, sent_start: int, appositives: list[tuple[int, int]]) -> bool:
    """Whether a candidate can be the subject of a cue: not possessive, not after a preposition."""
    if re.match(r"['’]s?\b|['’](?!\w)", masked[c.end:c.end + 2]):
        return False
    if any(a < c.start and c.end <= b for a, b in appositives):
        return False
    before = masked[sent_start:c.start]
    clause = re.split(r"[,;:()“”\"—–]", before)[-1]
    words = clause.lower().split()[-3:]
    for w in reversed(words):
        if w in _CLAUSE_WORDS or not re.fullmatch(r"[\w’'.-]+", w):
            break
        if w in _PREPOSITIONS:
            return False
    return True


def _cues(masked: str, s: int, e: int, cands: list[Candidate]) -> list[Cue]:
    out = [Cue(s + m.start(), s + m.end(), m.group()) for m in CUE_RE.finditer(masked[s:e])]
    for m in NOMINAL_CUE.finditer(masked[s:e]):
        os_, oe = s + m.start("owner"), s + m.end("owner")
        owner = next((c for c in cands if c.kind == "named" and c.start <= os_ + 1 and c.end >= oe - 1), None)
        if owner is None and m.group("owner").lower() in ("his", "her", "their", "its"):
            owner = Candidate(os_, oe, "pronoun", pronoun={"his": "he", "her": "she"}.get(
                m.group("owner").lower(), "they"))
        if owner is not None:
            out.append(Cue(s + m.start("cue"), s + m.end("cue"), m.group("cue"), owner))
    # Words inside names ("Truth Social" post) or inside generic phrases ("the statement said") stay cues.
    return sorted(out, key=lambda c: c.start)


@dataclass
class _State:
    recent_persons: list[Speaker] = field(default_factory=list)
    """Persons named or quoted so far, most recent last (for "nearest compatible person")."""
    last_person: Speaker | None = None
    last_group: Speaker | None = None
    prev_sentence_person: Speaker | None = None
    """The person who is the subject of the sentence just before (for a quote standing alone after it)."""


def _resolve(c: Candidate, state: _State, cands: list[Candidate], masked: str, s: int,
             apps: list[tuple[int, int]]) -> Speaker | None:
    if c.kind != "pronoun":
        return c.speaker
    # A name earlier in the same sentence wins over the document-level memory.
    earlier = [x for x in cands if x.kind == "named" and s <= x.start < c.start and x.speaker is not None
               and _eligible(x, masked, s, apps)]
    if c.pronoun in ("he", "she"):
        persons = [x.speaker for x in earlier if x.speaker.is_person and _compatible(x.speaker, c.pronoun)]
        if persons:
            return persons[-1]
        if _compatible(state.last_person, c.pronoun):
            return state.last_person
        # the nearest earlier person the pronoun can refer to ("Trump met Takaichi. … she said")
        return next((p for p in reversed(state.recent_persons) if _compatible(p, c.pronoun)), None)
    groups = [x for x in earlier if not x.speaker.is_person]
    return groups[-1].speaker if groups else state.last_group


def _cue_speaker(cue: Cue, sent: tuple[int, int], cues: list[Cue], cands: list[Candidate], masked: str,
                 quotes: list[tuple[int, int]], state: _State, apps: list[tuple[int, int]],
                 depth: int = 0) -> Speaker | None:
    s, e = sent
    if cue.owner is not None:
        return _resolve(cue.owner, state, cands, masked, s, apps)
    in_sent = [c for c in cands if s <= c.start and c.end <= e]
    after = [c for c in in_sent if cue.end <= c.start and (c.start <= cue.end + 6
                                                           or _TITLE_GAP.fullmatch(masked[cue.end:c.start]))]
    after = [_issuer(c, in_sent, masked) for c in after]
    persons_after = [c for c in after if c.speaker is not None and c.speaker.is_person]
    if persons_after and after[0] is not persons_after[0]:
        after = [persons_after[0], *[c for c in after if c is not persons_after[0]]]  # title words are not speakers
    if cue.is_according:
        return _resolve(after[0], state, cands, masked, s, apps) if after else None
    verb = cue.text.split()[0].lower()
    closes = [q for q in quotes if s <= q[1] <= cue.start]
    if verb in INVERTIBLE and after and closes:
        gap = masked[closes[-1][1]:cue.start]
        if re.fullmatch(r"[\s,”\"’.!?-]*", gap):
            return _resolve(after[0], state, cands, masked, s, apps)
    if cue.is_participle and depth == 0:
        main = [c for c in cues if s <= c.start < cue.start and not c.is_participle and c.owner is None]
        for m in reversed(main):
            sp = _cue_speaker(m, sent, cues, cands, masked, quotes, state, apps, depth + 1)
            if sp is not None:
                return sp
        subject = next((c for c in in_sent if c.start < cue.start and _eligible(c, masked, s, apps)), None)
        return _resolve(subject, state, cands, masked, s, apps) if subject else None
    left = [c for c in in_sent if c.end <= cue.start and _eligible(c, masked, s, apps)]
    if left:
        return _resolve(_issuer(left[-1], in_sent, masked), state, cands, masked, s, apps)
    if verb in INVERTIBLE and after:
        return _resolve(after[0], state, cands, masked, s, apps)
    return None


_TITLE_GAP = re.compile(r"\s+(?:(?:the|of|for|and|[A-Z][\w.’'-]*)\s+){1,6}")
"""Title words between an inverted cue and the name: "said U.S. Trade Representative Ambassador Greer"."""
_DOCUMENT_HEADS = frozenset({"statement", "notice", "announcement", "report", "document", "readout", "declaration",
                             "communique", "communiqué", "editorial", "commentary", "release", "letter", "filing",
                             "post", "column", "article"})
_ISSUED_BY = re.compile(r"\s*,?\s*(?:(?:issued|released|published|posted|put out|sent)\s+|(?:board|team|page|"
                        r"writers|staff|desk|section)\s+)?(?:by|from|of|in|at)\s+(?:the\s+)?$", re.I)


def _issuer(c: Candidate, in_sent: list[Candidate], masked: str) -> Candidate:
    """The named issuer of a document speaker: "a notice issued by X", "an editorial in X" → X.

    A statement, notice or editorial speaks for whoever issued it; an outlet's editorial is the outlet's.
    """
    if c.kind != "generic" or c.speaker is None:
        return c
    head = c.speaker.name.split()[-1].lower() if c.speaker.name else ""
    if head not in _DOCUMENT_HEADS:
        return c
    for other in in_sent:
        if other.kind == "named" and other.start >= c.end and other.speaker is not None \
                and _ISSUED_BY.fullmatch(masked[c.end:other.start]):
            return other
    return c


_SUBJECT_LEAD = re.compile(r"\s*(?:(?:On|In|At|Last|Earlier|Later|After|Asked)\b[^,.;“”\"]{0,40},\s*)?"
                           r"(?:(?:[A-Z][\w.’'-]*|of|the|and|former|then|acting)\s+)*")
"""What may precede the subject of a sentence: an opening phrase and capitalised title words."""
_QUOTING = re.compile(r"\b(?:quoting|citing|quoted|cited)\s+(?:the\s+)?", re.I)
""""…,” the ministry said, quoting Premier Li Qiang": the person quoted is the speaker."""
_LABEL_TOPIC = re.compile(r"^(?:on|about|regarding|asked about|when asked about|as for|and on)\b", re.IGNORECASE)
_LABEL_TAIL = re.compile(r"(?:(?:the|of|and|for|[A-Z][\w.’'-]*)[\s,]*)*")
"""What may follow the name in a label: title words ("Scott Bessent, Treasury Secretary:")."""


def _label_speaker(masked: str, s: int, open_mark: int, cands: list[Candidate], state: _State,
                   apps: list[tuple[int, int]]) -> Speaker | None:
    """The speaker of a transcript-style label just before the quote: "Secretary Bessent: “…”".

    A topic label ("On supply chains: “…”") keeps the speaker introduced before it: the
    person named in the previous sentence, or the last speaker.
    """
    before = masked[s:open_mark].rstrip()
    if not before.endswith(":"):
        return None
    head_end = s + len(before) - 1
    cut = max(masked.rfind(":", s, head_end), masked.rfind("\n", s, head_end), masked.rfind(". ", s, head_end))
    label_start = cut + 1 if cut >= s else s
    label = masked[label_start:head_end].strip()
    if not label or len(label.split()) > 12 or CUE_RE.search(label):
        return None
    named = [c for c in cands if c.kind == "named" and label_start <= c.start and c.end <= head_end
             and c.speaker is not None and _LABEL_TAIL.fullmatch(masked[c.end:head_end].strip(" ,"))]
    persons = [c for c in named if c.speaker.is_person and _eligible(c, masked, label_start, apps)]
    if persons:
        return persons[-1].speaker
    if _LABEL_TOPIC.match(label) and len(label.split()) <= 8:
        return state.last_person
    if named and len(label.split()) <= 6:
        return named[-1].speaker
    return None


@dataclass(frozen=True)
class QuoteHit:
    """One extracted quote (offsets are those of the quote's content)."""

    start: int
    end: int
    quote: str
    speaker: Speaker | None
    cue: str
    attribution: str


def _clean_quote(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(",").strip()


def _word_count(text: str) -> int:
    return len([w for w in text.split() if re.search(r"\w", w)])


def _is_name_like(quote: str) -> bool:
    """Quoted spans that are names or labels, not speech ("America First", "2+2")."""
    if not re.search(r"[A-Za-z\u00c0-\u024f\u3040-\u9fff]", quote):
        return True
    words = [w for w in re.findall(r"[^\W\d_][\w’'-]*", quote)]
    small = {"of", "the", "and", "in", "for", "on", "a", "to"}
    return 0 < len(words) <= 4 and all(w[:1].isupper() or w in small for w in words) and \
        any(w[:1].isupper() for w in words) and not quote.rstrip().endswith(("!", "?", "."))


def document_quotes(text: str, entities: pd.DataFrame | None = None, *, gazetteer: Gazetteer | None = None,
                    mentions: list[ActorMention] | None = None, keep_unattributed: bool = False,
                    outlet: str = "") -> list[QuoteHit]:
    """Direct quotes of one document with their speakers.

    Args:
        text: The document's cleaned text.
        entities: Its rows of the annotation ``entities`` table (optional but improves names).
        gazetteer: Gazetteer to use (the default one when omitted).
        mentions: Actor mentions already computed for this text (computed when omitted).
        keep_unattributed: Also return quotes with no speaker (speaker ``None``).
        outlet: The publishing outlet: an unnamed "the newspaper said in an editorial" is its voice.

    Returns:
        Quotes in document order.
    """
    gaz = gazetteer or load_gazetteer()
    text = text or ""
    spans = find_quote_spans(text)
    if not spans and not _TURN.search(text):
        return []
    masked = mask_quotes(text, spans)
    if mentions is None:
        mentions = document_mentions(text, entities, gazetteer=gaz)
    descriptions: dict[str, str] = {}
    for m in mentions:
        if m.actor_type == "person":
            d = _description(masked, m)
            descriptions[m.actor] = f"{descriptions.get(m.actor, '')} {d}".strip()
    apps = _appositives(masked)
    cands = _candidates(text, masked, mentions, gaz, descriptions, apps)
    state = _State()
    hits: list[QuoteHit] = []
    prev_par_last: QuoteHit | None = None
    for ps, pe in _paragraphs(text):
        par_hits: list[QuoteHit] = []
        for s, e in split_sentences(masked, ps, pe):
            q_here = [q for q in spans if s <= q[0] - 1 < e]
            s_cands = [c for c in cands if s <= c.start and c.end <= e]
            cues = _cues(masked, s, e, s_cands)
            for qi, (qs, qe) in enumerate(q_here):
                hit = _attribute(text, masked, (s, e), (qs, qe), qi, q_here, cues, cands, spans, state, apps,
                                 par_hits, prev_par_last if not par_hits else None, ps)
                if hit is None:
                    continue
                if hit.speaker is None and not keep_unattributed:
                    continue
                if outlet and hit.speaker is not None and not hit.speaker.is_person and \
                        hit.speaker.name.lower().split()[-1:] in (["editorial"], ["newspaper"], ["paper"],
                                                                 ["commentary"], ["editors"]):
                    hit = QuoteHit(hit.start, hit.end, hit.quote, Speaker(outlet, "media"), hit.cue, hit.attribution)
                par_hits.append(hit)
                hits.append(hit)
                if hit.speaker is not None:
                    if hit.speaker.is_person:
                        state.last_person = hit.speaker
                        _remember(state, hit.speaker)
                    else:
                        state.last_group = hit.speaker
            _update_state(state, s, s_cands, masked, apps, cands)
            subject = next((c.speaker for c in s_cands if c.kind == "named" and c.speaker is not None
                            and c.speaker.is_person and _eligible(c, masked, s, apps)
                            and _SUBJECT_LEAD.fullmatch(masked[s:c.start])), None)
            if subject is None and not q_here:
                subject = next((_resolve(c, state, cands, masked, s, apps) for c in s_cands
                                if c.kind == "pronoun" and c.pronoun in ("he", "she")), None)
            state.prev_sentence_person = subject if not q_here else None
        turn = _transcript_turn(text, ps, pe, cands)
        if turn is not None:
            par_hits.append(turn)
            hits.append(turn)
        prev_par_last = par_hits[-1] if par_hits else None
        if prev_par_last is not None and masked[prev_par_last.end:pe].strip(" ”\"’.,") and \
                not CUE_RE.search(masked[prev_par_last.end:pe]):
            prev_par_last = None  # the paragraph went on after its last quote
    return hits


_TURN = re.compile(r"^(?:(?:MR|MS|MRS|DR)\.\s+|(?:SECRETARY|AMBASSADOR|MINISTER|SENATOR|GOVERNOR|PREMIER|"
                   r"CHAIRMAN|CHAIRWOMAN|CHAIR|REP\.|SEN\.)\s+)?(?P<surname>[A-Z][A-Z'’-]{2,}):[ \t]+(?=\S)", re.M)


def _transcript_turn(text: str, ps: int, pe: int, cands: list[Candidate]) -> QuoteHit | None:
    """A transcript turn with no quotation marks: "KIRBY: We have been clear …".

    The label must be the surname, in capitals, of a person the document named in full before
    the turn; labels such as "HOST:", "Q:", "SUMMARY:" or "THE PRESIDENT:" are not turns.
    """
    par = text[ps:pe]
    m = _TURN.match(par)
    if not m or any(ch in par for ch in '"“”'):
        return None
    surname = m.group("surname").replace("’", "'").lower()
    person = next((c.speaker for c in reversed(cands) if c.kind == "named" and c.start < ps
                   and c.speaker is not None and c.speaker.is_person and len(c.speaker.name.split()) > 1
                   and c.speaker.name.split()[-1].replace("’", "'").lower() == surname), None)
    body = par[m.end():].strip()
    if person is None or not body:
        return None
    start = ps + m.end()
    return QuoteHit(start, start + len(body), _clean_quote(body), person, ":", "transcript")


def _remember(state: _State, sp: Speaker) -> None:
    if sp in state.recent_persons:
        state.recent_persons.remove(sp)
    state.recent_persons.append(sp)
    del state.recent_persons[:-12]


def _update_state(state: _State, s: int, s_cands: list[Candidate], masked: str, apps, cands) -> None:
    for c in s_cands:
        if c.kind == "named" and c.speaker is not None and c.speaker.is_person:
            _remember(state, c.speaker)
    # The first eligible person and the first eligible group of the sentence, each on its own:
    # in "Japan's trade minister Kenji Morita said …" the country must not hide the person.
    person_seen = group_seen = False
    for c in s_cands:
        if c.kind == "named" and c.speaker is not None and _eligible(c, masked, s, apps):
            if c.speaker.is_person and not person_seen:
                state.last_person, person_seen = c.speaker, True
            elif not c.speaker.is_person and not group_seen:
                state.last_group, group_seen = c.speaker, True


def _attribute(text, masked, sent, q, qi, q_here, cues, cands, spans, state, apps, par_hits, prev_par_last,
               par_start) -> QuoteHit | None:
    s, e = sent
    qs, qe = q
    quote = _clean_quote(text[qs:qe])
    if not quote or _is_name_like(quote):
        return None
    open_mark = qs - 1
    at_start = not re.search(r"[A-Za-z0-9]", masked[s:open_mark])
    next_open = q_here[qi + 1][0] - 1 if qi + 1 < len(q_here) else e
    cues_after_near = [c for c in cues if qe <= c.start < next_open]
    cues_before = [c for c in cues if c.end <= open_mark]
    cues_after = [c for c in cues if c.start >= qe]
    label = _label_speaker(masked, s, open_mark, cands, state, apps)
    if label is not None:
        return QuoteHit(qs, qe, quote, label, ":", "label")
    quoting = _QUOTING.search(masked, s, e)
    if quoting and quoting.start() > qe:
        named = [c for c in cands if c.kind == "named" and c.speaker is not None and quoting.end() <= c.start
                 and (c.start <= quoting.end() + 2 or _TITLE_GAP.fullmatch(masked[quoting.end() - 1:c.start]))]
        if named:
            return QuoteHit(qs, qe, quote, named[0].speaker, quoting.group().strip().lower(), "after")
    order: list[tuple[Cue, str]] = []
    if at_start:
        order += [(c, "after") for c in cues_after_near]
    order += [(c, "before") for c in reversed(cues_before)
              if c.owner is None or qs - c.end <= NOMINAL_REACH]
    order += [(c, "after") for c in cues_after]
    for cue, how in order:
        sp = _cue_speaker(cue, sent, cues, cands, masked, spans, state, apps)
        if sp is not None:
            return QuoteHit(qs, qe, quote, sp, cue.text.lower(), how)
    # Continuation of the previous quote (same paragraph, or the last quote of the previous one).
    if at_start or qi > 0:
        prev = par_hits[-1] if par_hits else prev_par_last
        if prev is not None and prev.speaker is not None:
            return QuoteHit(qs, qe, quote, prev.speaker, prev.cue, "continuation")
    # A quotation standing alone as a sentence, just after a sentence whose subject is a person:
    # "Lutnick defended the move on Monday. “We are not going to …”"
    stands_alone = at_start and not re.search(r"[A-Za-z0-9]", masked[qe:e]) and not cues
    if stands_alone and state.prev_sentence_person is not None:
        return QuoteHit(qs, qe, quote, state.prev_sentence_person, "", "previous sentence")
    return QuoteHit(qs, qe, quote, None, "", "none")


# --------------------------------------------------------------------------- tables


def extract_quotes(docs: pd.DataFrame, ann: Annotations, *, gazetteer: Gazetteer | None = None,
                   keep_unattributed: bool = False) -> pd.DataFrame:
    """Direct quotations with their speakers, for every English document.

    Args:
        docs: Documents frame (doc_id, text, language).
        ann: Annotations of those documents (entities and sentences are used).
        gazetteer: Gazetteer to use (the default one when omitted).
        keep_unattributed: Also list quoted spans with no speaker (speaker '', type ``unattributed``).

    Returns:
        Columns ``doc_id, speaker, speaker_type, quote, is_fragment, sentence_index`` then
        ``speaker_country, cue, attribution, start, end``; one row per quote in document order.
    """
    gaz = gazetteer or load_gazetteer()
    docs = _english(docs)
    rows = []
    for doc, entities, starts in iter_documents(docs, ann):
        outlet = getattr(doc, "source", "")
        for h in document_quotes(str(doc.text or ""), entities, gazetteer=gaz,
                                 keep_unattributed=keep_unattributed,
                                 outlet=outlet if isinstance(outlet, str) else ""):
            sp = h.speaker or Speaker("", "unattributed")
            rows.append((doc.doc_id, sp.name, sp.speaker_type, h.quote, _word_count(h.quote) < FRAGMENT_WORDS,
                         max(0, bisect.bisect_right(starts, h.start) - 1), sp.country, h.cue, h.attribution,
                         h.start, h.end))
    df = pd.DataFrame(rows, columns=COLUMNS + EXTRA_COLUMNS)
    return df.astype({"is_fragment": bool, "sentence_index": "int64", "start": "int64", "end": "int64"})


def speaker_group(quotes: pd.DataFrame) -> pd.Series:
    """Speaker type with the country for government voices: "government (US)"."""
    country = quotes.get("speaker_country", pd.Series("", index=quotes.index)).fillna("")
    gov = (quotes["speaker_type"] == "government") & (country != "")
    return quotes["speaker_type"].where(~gov, "government (" + country + ")")


def _with_source(quotes: pd.DataFrame, docs: pd.DataFrame) -> pd.DataFrame:
    need = {"doc_id", "speaker", "speaker_type"}
    if not need <= set(quotes.columns):
        raise ValueError(f"quotes needs the columns {sorted(need)}")
    if not {"doc_id", "source"} <= set(docs.columns):
        raise ValueError("docs needs the columns doc_id and source")
    return quotes.merge(docs[["doc_id", "source"]], on="doc_id", how="inner")


def share_of_voice(quotes: pd.DataFrame, docs: pd.DataFrame, *, by_country: bool = False,
                   include_fragments: bool = True) -> pd.DataFrame:
    """How each source's quotes divide among speaker types.

    Args:
        quotes: Output of :func:`extract_quotes`.
        docs: Documents frame (doc_id, source).
        by_country: Split government voices by country ("government (CN)").
        include_fragments: Count short fragments as quotes.

    Returns:
        Columns ``source, speaker_type, quotes, share`` (share of the source's quotes, 0-1),
        sorted by source and descending quotes.
    """
    q = _with_source(quotes, docs)
    if not include_fragments and "is_fragment" in q.columns:
        q = q[~q["is_fragment"].astype(bool)]
    if q.empty:
        return pd.DataFrame({"source": pd.Series(dtype=object), "speaker_type": pd.Series(dtype=object),
                             "quotes": pd.Series(dtype="int64"), "share": pd.Series(dtype=float)})
    q = q.assign(speaker_type=speaker_group(q) if by_country else q["speaker_type"])
    t = q.groupby(["source", "speaker_type"], as_index=False).size().rename(columns={"size": "quotes"})
    t["share"] = (t["quotes"] / t.groupby("source")["quotes"].transform("sum")).round(4)
    t = t.sort_values(["source", "quotes", "speaker_type"], ascending=[True, False, True], kind="stable")
    return t.reset_index(drop=True)


def who_quotes_whom(quotes: pd.DataFrame, docs: pd.DataFrame, *, include_fragments: bool = True) -> pd.DataFrame:
    """Which speakers each source quotes, and how often.

    Returns:
        Columns ``source, speaker, speaker_type, quotes``, sorted by source, descending quotes, speaker.
    """
    q = _with_source(quotes, docs)
    if not include_fragments and "is_fragment" in q.columns:
        q = q[~q["is_fragment"].astype(bool)]
    q = q[q["speaker"].astype(str) != ""]
    if q.empty:
        return pd.DataFrame({"source": pd.Series(dtype=object), "speaker": pd.Series(dtype=object),
                             "speaker_type": pd.Series(dtype=object), "quotes": pd.Series(dtype="int64")})
    t = q.groupby(["source", "speaker", "speaker_type"], as_index=False).size().rename(columns={"size": "quotes"})
    t = t.sort_values(["source", "quotes", "speaker"], ascending=[True, False, True], kind="stable")
    return t.reset_index(drop=True)


# --------------------------------------------------------------------------- evaluation


def normalise_speaker(name: str) -> str:
    """Speaker name for matching: casefolded, without determiners and a plural ``s``."""
    words = [w for w in re.sub(r"[^\w\s-]", " ", str(name or "")).casefold().split()]
    while words and words[0] in _DETERMINERS:
        words.pop(0)
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def _norm_text(t: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", str(t or "")).casefold().split())


def quotes_overlap(a: str, b: str) -> bool:
    """Whether two quote texts are the same passage (one contains the other, or they share most words)."""
    na, nb = _norm_text(a), _norm_text(b)
    if not na or not nb:
        return False
    if na in nb or nb in na:
        return True
    wa, wb = set(na.split()), set(nb.split())
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.6


def evaluate(pred: pd.DataFrame, gold: pd.DataFrame, *, require_speaker: bool = True) -> dict[str, float]:
    """Precision, recall and F1 of speaker-attributed quotes.

    A predicted quote matches a gold quote (one to one) when it is in the same document,
    the quote texts overlap and, with ``require_speaker``, the normalised speakers agree.
    Only documents present in ``gold`` are scored.

    Returns:
        precision, recall, f1, tp, fp, fn.
    """
    for label, df in (("pred", pred), ("gold", gold)):
        if not {"doc_id", "speaker", "quote"} <= set(df.columns):
            raise ValueError(f"{label} needs the columns doc_id, speaker and quote")
    docs = set(gold["doc_id"])
    p = pred[pred["doc_id"].isin(docs)]
    used: set[int] = set()
    tp = 0
    for g in gold.itertuples(index=False):
        for i, r in enumerate(p.itertuples(index=False)):
            if i in used or r.doc_id != g.doc_id or not quotes_overlap(r.quote, g.quote):
                continue
            if require_speaker and normalise_speaker(r.speaker) != normalise_speaker(g.speaker):
                continue
            used.add(i)
            tp += 1
            break
    fp, fn = len(p) - tp, len(gold) - tp
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}

