"""Near-duplicate detection: word 5-gram shingles, MinHash signatures and LSH banding.

Candidate pairs come only from documents that share a whole band of their
signature, so the work grows with the number of documents, not its square.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence

import numpy as np

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_MASK = np.uint64(0xFFFFFFFFFFFFFFFF)


def _stable_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


def _word_ids(words: list[str], cache: dict[str, int]) -> np.ndarray:
    """Stable 64-bit ids of words (the same across runs, unlike ``hash``)."""
    for w in set(words).difference(cache):
        cache[w] = _stable_hash(w)
    return np.fromiter(map(cache.__getitem__, words), dtype=np.uint64, count=len(words))


def shingle_hashes(text: str, *, k: int = 5, cache: dict[str, int] | None = None) -> np.ndarray:
    """Distinct 64-bit hashes of the word ``k``-grams of a text (lower-cased, punctuation ignored)."""
    words = _TOKEN.findall(text.lower())
    if len(words) < k:
        return np.empty(0, dtype=np.uint64)
    ids = _word_ids(words, cache if cache is not None else {})
    n = len(ids) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * np.uint64(0x100000001B3) + ids[j:j + n]
    return np.unique(h)


def minhash(shingles: np.ndarray, *, num_perm: int = 128, seed: int = 1, chunk: int = 2048) -> np.ndarray:
    """MinHash signature of a set of shingle hashes (``num_perm`` unsigned 64-bit values)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63 - 1, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63 - 1, size=num_perm, dtype=np.uint64)
    sig = np.full(num_perm, _MASK, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, len(shingles), chunk):
            part = shingles[start:start + chunk, None]
            sig = np.minimum(sig, (part * a + b).min(axis=0))
    return sig


def near_duplicates(
    texts: Sequence[str],
    *,
    threshold: float = 0.8,
    k: int = 5,
    num_perm: int = 128,
    bands: int = 16,
    min_shingles: int = 10,
    max_bucket: int = 64,
) -> list[tuple[int, int, float]]:
    """Find pairs of texts whose shingle sets have an estimated Jaccard similarity ≥ ``threshold``.

    Args:
        texts: The documents.
        threshold: Minimum estimated Jaccard similarity of the word ``k``-gram sets.
        k: Words per shingle.
        num_perm: MinHash permutations; must be a multiple of ``bands``.
        bands: LSH bands (rows per band = ``num_perm // bands``).
        min_shingles: Texts with fewer distinct shingles are not compared.
        max_bucket: In a bucket with more members than this, each member is compared
            with the bucket's first member only, which keeps templated text linear.

    Returns:
        ``(i, j, similarity)`` with ``i < j`` (indices into ``texts``), sorted.
    """
    if num_perm % bands:
        raise ValueError("num_perm must be a multiple of bands")
    rows = num_perm // bands
    cache: dict[str, int] = {}
    sizes = np.zeros(len(texts), dtype=np.int64)
    sigs = np.zeros((len(texts), num_perm), dtype=np.uint64)
    usable: list[int] = []
    for i, text in enumerate(texts):
        sh = shingle_hashes(text, k=k, cache=cache)
        sizes[i] = len(sh)
        if len(sh) >= min_shingles:
            sigs[i] = minhash(sh, num_perm=num_perm)
            usable.append(i)
    candidates: set[tuple[int, int]] = set()
    for band in range(bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        block = sigs[:, band * rows:(band + 1) * rows]
        for i in usable:
            buckets[block[i].tobytes()].append(i)
        for members in buckets.values():
            if len(members) < 2:
                continue
            if len(members) <= max_bucket:
                candidates.update((a, b) for x, a in enumerate(members) for b in members[x + 1:])
            else:
                candidates.update((members[0], b) for b in members[1:])
    out = []
    for i, j in sorted(candidates):
        small, large = sorted((sizes[i], sizes[j]))
        if small < threshold * large:  # Jaccard can be at most |small| / |large|
            continue
        sim = float(np.mean(sigs[i] == sigs[j]))
        if sim >= threshold:
            out.append((i, j, round(sim, 3)))
    return out


def cluster_representatives(n: int, pairs: Sequence[tuple[int, int, float]], *,
                            order: Sequence[object]) -> dict[int, int]:
    """Group near-duplicate pairs and pick each group's representative.

    Args:
        n: Number of documents.
        pairs: Pairs from :func:`near_duplicates`.
        order: A sort key per document; the smallest key in a group is its representative
            (e.g. publication date, then id: the earliest copy is the original).

    Returns:
        For each document in a group other than its representative, the representative's index.
    """
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j, _ in pairs:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[rj] = ri
    groups: dict[int, list[int]] = defaultdict(list)
    for i in {x for p in pairs for x in p[:2]}:
        groups[find(i)].append(i)
    out: dict[int, int] = {}
    for members in groups.values():
        rep = min(members, key=lambda m: order[m])
        out.update({m: rep for m in members if m != rep})
    return out
