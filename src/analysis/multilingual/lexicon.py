"""Per-language rules from ``lexicons/multilingual.yaml``, compiled once per language."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from analysis import config

LEXICON_FILE = "multilingual.yaml"
NEVER = re.compile(r"(?!x)x")


@lru_cache(maxsize=2)
def _raw(path: str) -> dict:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of language codes to rules")
    return data


def _path() -> str:
    return str(config.LEXICON_DIR / LEXICON_FILE)


SUPPORTED: tuple[str, ...] = tuple(_raw(_path()))
"""Language codes the multilingual extractors read (the keys of the lexicon)."""


def _alt(words, *, latin: bool, flags: int = 0) -> re.Pattern:
    forms = sorted({str(w) for w in words or () if str(w)}, key=len, reverse=True)
    if not forms:
        return NEVER
    body = "|".join(re.escape(f) for f in forms)
    if latin:
        return re.compile(rf"(?<![\w-])(?:{body})(?![\w])", flags | re.I)
    return re.compile(f"(?:{body})", flags)


def _rx(pattern: str | None, flags: int = 0) -> re.Pattern:
    return re.compile(pattern, flags) if pattern else NEVER


@dataclass(frozen=True)
class LanguageRules:
    """The compiled rules of one language (see the header of ``multilingual.yaml``)."""

    code: str
    family: str
    raw: dict = field(repr=False)
    latin: bool = False
    flags: int = 0
    sentence_end: re.Pattern = NEVER
    clause_split: re.Pattern = NEVER
    quote_marks: tuple[tuple[str, str], ...] = ()
    min_quote: int = 5
    scare_before: re.Pattern = NEVER
    cue_before: re.Pattern = NEVER
    cue_after: re.Pattern = NEVER
    cue_in_sentence: re.Pattern = NEVER
    speaker_after: bool = False
    titles: tuple[str, ...] = ()
    tariff: re.Pattern = NEVER
    other: re.Pattern = NEVER
    percent_units: tuple[str, ...] = ()
    point_units: tuple[str, ...] = ()
    percent_prefix: tuple[str, ...] = ()
    change: tuple[str, ...] = ()
    target_before: re.Pattern = NEVER
    target_after: re.Pattern = NEVER
    goods_before: re.Pattern = NEVER
    goods_after: re.Pattern = NEVER
    tariff_before: re.Pattern = NEVER
    imposer_after: re.Pattern = NEVER
    sufferer: re.Pattern = NEVER
    all_countries: re.Pattern = NEVER
    coord: re.Pattern = NEVER
    products: tuple[tuple[str, re.Pattern], ...] = ()
    effective: str = ""
    dates: dict = field(default_factory=dict, repr=False)

    @property
    def segmenter(self) -> str:
        return str(self.raw.get("segmenter", ""))

    @property
    def dateparser_language(self) -> str:
        return str(self.raw.get("dateparser", self.code.split("-")[0]))


@lru_cache(maxsize=16)
def rules_for(code: str) -> LanguageRules:
    """The compiled rules of a supported language code (e.g. ``"ja"``, ``"zh-Hant"``).

    Raises:
        KeyError: for a language the lexicon has no entry for.
    """
    data = _raw(_path())
    if code not in data:
        raise KeyError(f"{_path()}: no rules for language {code!r}; have {sorted(data)}")
    r = data[code]
    latin = r.get("family") == "latin"
    flags = re.I if latin else 0
    products = []
    for label, words in (r.get("products") or {}).items():
        products.append((str(label), _alt(words, latin=latin)))
    products.sort(key=lambda p: -max((len(w) for w in r["products"][p[0]]), default=0))
    return LanguageRules(
        code=code, family=str(r.get("family", "latin")), raw=r, latin=latin, flags=flags,
        sentence_end=_rx(r.get("sentence_end_re")), clause_split=_rx(r.get("clause_split_re")),
        quote_marks=tuple((str(a), str(b)) for a, b in r.get("quote_marks") or ()),
        min_quote=int(r.get("min_quote", 5)),
        scare_before=_rx(r.get("scare_before_re"), flags), cue_before=_rx(r.get("cue_before_re")),
        cue_after=_rx(r.get("cue_after_re")), cue_in_sentence=_rx(r.get("cue_in_sentence_re")),
        speaker_after=bool(r.get("speaker_after")), titles=tuple(str(t) for t in r.get("titles") or ()),
        tariff=(re.compile("|".join(re.escape(w) for w in sorted(r.get("tariff_words") or (), key=len,
                                                                   reverse=True)), re.I)
                if r.get("tariff_substring") else _alt(r.get("tariff_words"), latin=latin)),
        other=_alt(r.get("other_cues"), latin=latin),
        percent_units=tuple(str(u) for u in r.get("percent_units") or ()),
        point_units=tuple(str(u) for u in r.get("point_units") or ()),
        percent_prefix=tuple(str(u) for u in r.get("percent_prefix") or ()),
        change=tuple(str(c) for c in ([r["change_re"]] if isinstance(r.get("change_re"), str) else r.get("change_re") or ())),
        target_before=_rx(r.get("target_before_re"), flags), target_after=_rx(r.get("target_after_re"), flags),
        goods_before=_rx(r.get("goods_before_re"), flags), goods_after=_rx(r.get("goods_after_re"), flags),
        tariff_before=_rx(r.get("tariff_before_re"), flags), imposer_after=_rx(r.get("imposer_after_re"), flags),
        sufferer=_rx(r.get("sufferer_re"), flags), all_countries=_rx(r.get("all_re"), flags),
        coord=_rx(r.get("coord_re"), flags), products=tuple(products),
        effective=str(r.get("effective_re") or ""), dates=dict(r.get("dates") or {}),
    )


def language_key(language: str | None, text: str = "") -> str | None:
    """The lexicon key for a document's language code, or None when it is not supported.

    ``zh`` (and ``zh-CN``/``zh-TW``...) is told apart into zh-Hans or zh-Hant by the characters
    written only in one script (``script_chars`` in the lexicon); regions are dropped otherwise.
    """
    lang = (language or "").strip()
    if not lang:
        return None
    if lang in SUPPORTED:
        return lang
    low = lang.lower().replace("_", "-")
    base = low.split("-")[0]
    if base == "zh":
        if any(t in low for t in ("hant", "tw", "hk", "mo")):
            return "zh-Hant" if "zh-Hant" in SUPPORTED else None
        if any(t in low for t in ("hans", "cn", "sg")):
            return "zh-Hans" if "zh-Hans" in SUPPORTED else None
        return _zh_script(text)
    for code in SUPPORTED:
        if code.lower() == base:
            return code
    return None


def _zh_script(text: str) -> str:
    data = _raw(_path())
    counts = {code: sum(text.count(c) for c in str(data[code].get("script_chars", "")))
              for code in ("zh-Hans", "zh-Hant") if code in data}
    if not counts:
        return "zh-Hans"
    return max(sorted(counts), key=lambda c: counts[c])
