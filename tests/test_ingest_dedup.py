"""Near-duplicate detection with MinHash and LSH banding, and CSV export safety."""

from __future__ import annotations

import random
import time

import pandas as pd
import pytest

from analysis.export import neutralise_formulas, safe_csv_value, write_frame_csv
from analysis.ingest.dedup import cluster_representatives, minhash, near_duplicates, shingle_hashes

WIRE = (
    "Beijing announced on Thursday that exports of seven rare earth elements and magnets would need licences "
    "from the Commerce Ministry, a move analysts said gives China leverage in its trade dispute with "
    "Washington. The ministry said the controls protect national security and would be applied case by case, "
    "and that legitimate civilian trade would continue. Carmakers in Japan and South Korea said they were "
    "studying the rules and held enough magnets for several weeks of production."
)
OTHER = (
    "US Secretary of State Marco Rubio had called off his first visit to Japan and South Korea in early July "
    "to focus on Middle East issues, Japanese media outlet Nikkei Asia reported. In response, Seoul's Foreign "
    "Ministry said that Rubio's visit to South Korea appears to be difficult to arrange in the near future."
)


def test_shingles_ignore_case_and_punctuation() -> None:
    a = shingle_hashes("Tariffs rose; China retaliated at once, officials said.")
    b = shingle_hashes("tariffs rose China retaliated at once officials said")
    assert len(a) == 4 and (a == b).all()
    assert len(shingle_hashes("too few words here")) == 0


def test_minhash_estimates_jaccard() -> None:
    words = [f"w{i}" for i in range(400)]
    a = shingle_hashes(" ".join(words))
    b = shingle_hashes(" ".join(words[:300] + [f"x{i}" for i in range(100)]))
    true = len(set(a) & set(b)) / len(set(a) | set(b))
    est = float((minhash(a, num_perm=256) == minhash(b, num_perm=256)).mean())
    assert abs(est - true) < 0.1


@pytest.mark.parametrize(
    ("texts", "pairs"),
    [
        ([WIRE, WIRE + " Reporting by staff.", OTHER], [(0, 1)]),
        ([WIRE.replace("Thursday", "Friday"), WIRE, OTHER], [(0, 1)]),
        ([WIRE, OTHER], []),
        ([WIRE[:200], WIRE], []),  # a short excerpt is not a near-duplicate of the whole story
        (["Too short to compare.", "Too short to compare!"], []),
    ],
)
def test_near_duplicates(texts: list[str], pairs: list[tuple[int, int]]) -> None:
    assert [(i, j) for i, j, _ in near_duplicates(texts)] == pairs


def test_cluster_representative_is_the_earliest() -> None:
    pairs = [(0, 1, 0.9), (1, 2, 0.85)]
    assert cluster_representatives(4, pairs, order=["2025-03", "2025-01", "2025-02", "2025-01"]) == {0: 1, 2: 1}


def test_scales_without_comparing_all_pairs() -> None:
    """4,000 distinct documents plus 40 copies: only the copies are paired, quickly."""
    rng = random.Random(7)
    vocab = [f"word{i}" for i in range(5000)]
    docs = [" ".join(rng.choices(vocab, k=120)) for _ in range(4000)]
    copies = [docs[i] + " Reporting by the wire desk." for i in range(0, 4000, 100)]
    start = time.process_time()
    pairs = near_duplicates(docs + copies)
    elapsed = time.process_time() - start
    assert sorted((i, j) for i, j, _ in pairs) == [(i, 4000 + n) for n, i in enumerate(range(0, 4000, 100))]
    assert elapsed < 60


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"), ("+SUM(A1)", "'+SUM(A1)"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
        ("\rx", "'\rx"), ("plain", "plain"), ("", ""), (-2, -2), (None, None), ("a=b", "a=b"),
    ],
)
def test_safe_csv_value(value: object, expected: object) -> None:
    assert safe_csv_value(value) == expected


def test_neutralise_formulas_and_write(tmp_path) -> None:
    df = pd.DataFrame({"path": ["=cmd|' /C calc'!A0", "ok.txt"], "n": [-1, 2], "=bad": ["x", "+y"]})
    out = neutralise_formulas(df)
    assert out.to_dict("list") == {"path": ["'=cmd|' /C calc'!A0", "ok.txt"], "n": [-1, 2], "'=bad": ["x", "'+y"]}
    assert list(df.columns) == ["path", "n", "=bad"]  # the input frame is untouched
    text = write_frame_csv(df, tmp_path / "t.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "path,n,'=bad"
    assert "'=cmd" in text and ",-1," in text
