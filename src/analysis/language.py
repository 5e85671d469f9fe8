"""Language identification for documents and for mixed-language segments."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

# A sentence-like stretch: a period, "!" or "?" ends it only when followed by a space or the end
# ("U.S.-Japan" and "3.5" stay whole); CJK full stops always end it.
_SEGMENT = re.compile(r"(?:[^.!?。！？\n]|[.!?](?=[^\s.!?]))+[.!?。！？]*")
_SCRIPTS = {
    "zh": re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"),
    "ja": re.compile(r"[\u3040-\u30ff]"),
    "ko": re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"),
}
_SCRIPT_SWITCH = re.compile(r"(?<=[A-Za-z.,;:!?)])(?=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])")
_ANY_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u1100-\u11ff]")
_WORD = re.compile(r"[^\W\d_]+")
_EN_WORDS = (
    "the of and to a in is that for on with as was by it at from be are this an have has not but or "
    "will said its their his her they we he she which who would were been also had more than about "
    "after into over our there can new all one up out if no what when"
)
_EN_FUNCTION_WORDS = frozenset(_EN_WORDS.split())
UNDETERMINED = "und"


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def _sample(text: str, *, chars: int = 3000) -> str:
    """Up to ``chars`` characters drawn from the start, middle and end of a text."""
    if len(text) <= chars:
        return text
    third = chars // 3
    mid = len(text) // 2
    return " ".join((text[:third], text[mid - third // 2:mid + third // 2], text[-third:]))


def detect_language_scored(text: str) -> tuple[str, float]:
    """ISO 639-1 code of the main language of a text with a confidence in [0, 1].

    CJK scripts are decided by script (kana means Japanese, hangul Korean), which is
    more reliable than n-gram statistics on short segments. Long texts are sampled
    from their start, middle and end.

    Returns:
        ``(code, confidence)``; ``("und", 0.0)`` when there are too few letters.
    """
    sample = _sample(text)
    letters = sum(1 for c in sample if c.isalpha())
    if letters < 3:
        return UNDETERMINED, 0.0
    counts = {lang: len(rx.findall(sample)) for lang, rx in _SCRIPTS.items()}
    cjk = sum(counts.values())
    if cjk / letters > 0.3:
        if counts["ja"]:
            return "ja", 1.0
        return ("ko" if counts["ko"] > counts["zh"] else "zh"), 1.0
    if cjk:  # a minority of CJK characters: the language is that of the rest
        sample = _ANY_CJK.sub(" ", sample)
    lang, prob = _identifier().classify(sample)
    if lang == "zxx":
        return UNDETERMINED, 0.0
    return str(lang), float(prob)


def detect_language(text: str) -> str:
    """ISO 639-1 code of the main language of a text, or ``"und"`` when unknown."""
    return detect_language_scored(text)[0]


def _looks_english(segment: str) -> bool:
    words = [w.lower() for w in _WORD.findall(segment)]
    hits = sum(1 for w in words if w in _EN_FUNCTION_WORDS)
    return hits >= 2 and hits >= 0.12 * len(words)


def language_segments(text: str, *, min_chars: int = 4, min_letters: int = 40,
                      min_confidence: float = 0.9, main: str | None = None) -> list[tuple[str, str]]:
    """Split text into sentence-like segments and label each with its language.

    Segments in a CJK script are labelled by script. A Latin-script segment takes the
    language of the whole text unless it has at least ``min_letters`` letters and the
    identifier is at least ``min_confidence`` sure of another language; n-gram
    identification is unreliable on a few words. Segments that read as English
    (enough English function words) are labelled English without running the identifier.

    Args:
        text: The document text.
        min_chars: Shorter segments are skipped.
        min_letters: Letters a Latin-script segment needs to be classified on its own.
        min_confidence: Confidence needed to label a segment other than ``main``.
        main: The document's language when already known (detected otherwise).

    Returns:
        ``(language, segment)`` pairs in text order.
    """
    main = main or detect_language(text)
    has_cjk = bool(_ANY_CJK.search(text))
    out: list[tuple[str, str]] = []
    for m in _SEGMENT.finditer(text):
        seg = m.group().strip()
        if len(seg) < min_chars:
            continue
        # Split a segment at a switch between CJK and Latin script (e.g. "...China.可以说, ...").
        parts = _SCRIPT_SWITCH.split(seg) if has_cjk else (seg,)
        for part in parts:
            part = part.strip()
            if len(part) < min_chars:
                continue
            lang = _segment_language(part, main, min_letters=min_letters, min_confidence=min_confidence,
                                     has_cjk=has_cjk)
            out.append((lang, part))
    return out


def _segment_language(part: str, main: str, *, min_letters: int, min_confidence: float,
                      has_cjk: bool = True) -> str:
    if has_cjk and _ANY_CJK.search(part):
        return detect_language(part)
    words = _WORD.findall(part)
    letters = sum(map(len, words))
    hits = sum(1 for w in words if w.lower() in _EN_FUNCTION_WORDS)
    if hits >= 2 and hits >= 0.12 * len(words) and (letters >= min_letters or hits >= 3):
        return "en"
    if letters < min_letters:
        return main
    lang, prob = _identifier().classify(part)
    if lang == "zxx" or prob < min_confidence:
        return main
    return str(lang)


@dataclass(frozen=True)
class LanguageProfile:
    """The languages of one document.

    Attributes:
        language: Main language (ISO 639-1) or "und".
        confidence: Confidence of the main language, 0–1.
        segments: Number of sentence-like segments.
        segments_non_english: Segments labelled with a language other than English.
        languages: Languages present, most segments first, comma-separated (e.g. "en,zh").
    """

    language: str
    confidence: float
    segments: int
    segments_non_english: int
    languages: str


def language_profile(text: str, *, main: str | None = None) -> LanguageProfile:
    """Main language of a text and a count of its non-English segments.

    Args:
        text: The document text.
        main: The declared language, if any; trusted as the main language.
    """
    detected, confidence = (main, 1.0) if main else detect_language_scored(text)
    language = (main or detected or UNDETERMINED).lower()
    segs = language_segments(text, main=language)
    counts = Counter(lang for lang, _ in segs)
    non_english = sum(n for lang, n in counts.items() if lang not in ("en", UNDETERMINED))
    return LanguageProfile(
        language=language,
        confidence=round(confidence, 3),
        segments=len(segs),
        segments_non_english=non_english,
        languages=",".join(lang for lang, _ in counts.most_common()),
    )
