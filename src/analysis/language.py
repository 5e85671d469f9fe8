"""Language identification for documents and for mixed-language segments."""

from __future__ import annotations

import re
from functools import lru_cache

_SEGMENT = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")
_SCRIPTS = {
    "zh": re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]"),
    "ja": re.compile(r"[\u3040-\u30ff]"),
    "ko": re.compile(r"[\uac00-\ud7af\u1100-\u11ff]"),
}


@lru_cache(maxsize=1)
def _identifier():
    import py3langid

    return py3langid


def detect_language(text: str) -> str:
    """ISO 639-1 code of the main language of a text, or ``"und"`` when unknown.

    CJK scripts are decided by script (kana means Japanese, hangul Korean), which is
    more reliable than n-gram statistics on short segments.
    """
    sample = text[:20000]
    letters = [c for c in sample if c.isalpha()]
    if len(letters) < 3:
        return "und"
    counts = {lang: len(rx.findall(sample)) for lang, rx in _SCRIPTS.items()}
    cjk = sum(counts.values())
    if cjk / len(letters) > 0.3:
        if counts["ja"]:
            return "ja"
        return "ko" if counts["ko"] > counts["zh"] else "zh"
    lang, _ = _identifier().classify(sample)
    return lang


def language_segments(text: str, *, min_chars: int = 4, min_letters: int = 40) -> list[tuple[str, str]]:
    """Split text into sentence-like segments and label each with its language.

    Segments in a CJK script are labelled by script. Latin-script segments shorter than
    ``min_letters`` letters take the language of the whole text, since n-gram
    identification is unreliable on a few words.

    Returns:
        ``(language, segment)`` pairs in text order.
    """
    main = detect_language(text)
    out: list[tuple[str, str]] = []
    for m in _SEGMENT.finditer(text):
        seg = m.group().strip()
        if len(seg) < min_chars:
            continue
        # Split a segment at a switch between CJK and Latin script (e.g. "...China.可以说, ...").
        for part in re.split(r"(?<=[A-Za-z.,;:!?)])(?=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])", seg):
            part = part.strip()
            if len(part) < min_chars:
                continue
            letters = sum(c.isalpha() for c in part)
            has_cjk = any(rx.search(part) for rx in _SCRIPTS.values())
            out.append((detect_language(part) if has_cjk or letters >= min_letters else main, part))
    return out
