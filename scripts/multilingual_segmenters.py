"""Boundary accuracy of the candidate word segmenters on the multilingual fixtures.

For every lexicon form (actor names, tariff words) found in the fixtures, is its start and end a
token boundary? Prints one line per candidate that is installed (fugashi and unidic-lite are not
project dependencies; install them in a scratch environment to compare).

usage: PYTHONPATH=src python scripts/multilingual_segmenters.py
"""

from __future__ import annotations

import importlib.util
import sys
import time

from analysis.multilingual.actors import find_actors
from analysis.multilingual.evaluate import load_fixtures
from analysis.multilingual.lexicon import rules_for


def spans(text: str, code: str) -> list[tuple[int, int]]:
    out = [(h.start, h.end) for h in find_actors(text, code) if h.end - h.start >= 2]
    return out + [(m.start(), m.end()) for m in rules_for(code).tariff.finditer(text)]


def measure(fixtures, code, tokenize) -> tuple[int, int, float]:
    docs = [d for d in fixtures if d["language"] == code]
    tokenize("准备 準備 준비")
    ok = n = 0
    t0 = time.perf_counter()
    for d in docs:
        bounds = {b for s, e in tokenize(d["text"]) for b in (s, e)}
        for s, e in spans(d["text"], code):
            n += 1
            ok += s in bounds and e in bounds
    return ok, n, (time.perf_counter() - t0) / max(1, len(docs)) * 1000


def candidates():
    if importlib.util.find_spec("jieba"):
        import jieba

        jt = jieba.Tokenizer()
        yield "zh-Hans", "jieba", lambda t: [(s, e) for _, s, e in jt.tokenize(t)]
        yield "zh-Hant", "jieba", lambda t: [(s, e) for _, s, e in jt.tokenize(t)]
    if importlib.util.find_spec("sudachipy") and importlib.util.find_spec("sudachidict_core"):
        from sudachipy import dictionary
        from sudachipy import tokenizer as st

        d = dictionary.Dictionary(dict="core")
        tok = d.tokenizer() if hasattr(d, "tokenizer") else d.create()
        for mode in ("A", "C"):
            m = getattr(st.Tokenizer.SplitMode, mode)
            yield "ja", f"sudachi mode {mode}", lambda t, m=m: [(x.begin(), x.end()) for x in tok.tokenize(t, m)]
    if importlib.util.find_spec("fugashi") and importlib.util.find_spec("unidic_lite"):
        import fugashi
        import unidic_lite

        tagger = fugashi.Tagger("-d " + unidic_lite.DICDIR)

        def fug(text):
            out, pos = [], 0
            for w in tagger(text):
                i = text.find(w.surface, pos)
                out.append((i, i + len(w.surface)))
                pos = i + len(w.surface)
            return out

        yield "ja", "fugashi + unidic-lite", fug
    if importlib.util.find_spec("kiwipiepy"):
        from kiwipiepy import Kiwi

        kw = Kiwi()
        yield "ko", "kiwipiepy", lambda t: [(x.start, x.start + x.len) for x in kw.tokenize(t)]


def main() -> int:
    fixtures = load_fixtures()
    for code, name, tokenize in candidates():
        ok, n, ms = measure(fixtures, code, tokenize)
        sys.stdout.write(f"{code:8s} {name:24s} {ok}/{n} = {ok / n:.3f}  {ms:.1f} ms/article\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
