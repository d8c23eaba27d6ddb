"""Shingles and MinHash: stable 64-bit 5-gram hashes, signatures, LSH bands, similarity."""
from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np


POLY = np.uint64(0x100000001B3)
MIX1 = np.uint64(0xBF58476D1CE4E5B9)
MIX2 = np.uint64(0x94D049BB133111EB)


def _mix64(values: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the 64 output bits (uint64 arithmetic wraps)."""
    values = values ^ (values >> np.uint64(30))
    values = values * MIX1
    values = values ^ (values >> np.uint64(27))
    values = values * MIX2
    return values ^ (values >> np.uint64(31))


def gram_hashes(normalised: str, size: int = 5) -> np.ndarray:
    """The 32-bit hash of the character `size`-gram starting at each position, in text order (one gram for a
    shorter text)."""
    if not normalised:
        return np.empty(0, dtype=np.uint32)
    codes = np.frombuffer(normalised.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = min(size, len(codes))
    count = len(codes) - width + 1
    acc = np.zeros(count, dtype=np.uint64)
    for offset in range(width):
        acc = acc * POLY + codes[offset:offset + count]
    return (_mix64(acc) >> np.uint64(32)).astype(np.uint32)


def shingle_hashes(normalised: str, size: int = 5) -> np.ndarray:
    """Sorted unique 32-bit hashes of the text's character `size`-grams (the set MinHash and containment read)."""
    return np.unique(gram_hashes(normalised, size))


@lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """Multiply-shift parameters (odd a, any b) derived from BLAKE2b: identical on every machine and run."""
    a = np.empty(num_perm, dtype=np.uint64)
    b = np.empty(num_perm, dtype=np.uint64)
    for i in range(num_perm):
        digest = hashlib.blake2b(f"policywatch-minhash-{i}".encode(), digest_size=16).digest()
        a[i] = int.from_bytes(digest[:8], "little") | 1
        b[i] = int.from_bytes(digest[8:], "little")
    return a, b


def minhash(hashes: np.ndarray, num_perm: int = 128) -> np.ndarray:
    """The MinHash signature (uint32 × num_perm) of a shingle-hash set, computed in chunks."""
    a, b = _permutations(num_perm)
    low = np.full(num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(hashes), 4096):
        values = np.multiply.outer(hashes[start:start + 4096].astype(np.uint64), a)
        values += b
        np.minimum(low, values.min(axis=0), out=low)
    # h(x) = (a·x + b mod 2^64) >> 32; the shift is monotone, so it is applied to the minimum only
    return (low >> np.uint64(32)).astype(np.uint32)


def band_hashes(signature: np.ndarray, bands: int) -> list[int]:
    """One signed 64-bit hash per band of the signature (the LSH keys stored in SQLite)."""
    rows = signature.reshape(bands, -1).astype(np.uint64)
    acc = np.zeros(bands, dtype=np.uint64)
    for column in range(rows.shape[1]):
        acc = acc * POLY + rows[:, column]
    return _mix64(acc).view(np.int64).tolist()


def signature_from_bytes(blob: bytes) -> np.ndarray:
    """A stored signature back as an array."""
    return np.frombuffer(blob, dtype=np.uint32)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity estimated from two MinHash signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


def estimated_containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Share of the smaller set inside the larger, from an estimated Jaccard and the two set sizes."""
    if not size_a or not size_b:
        return 0.0
    common = jaccard * (size_a + size_b) / (1 + jaccard)
    return min(1.0, common / min(size_a, size_b))


def exact_similarity(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(Jaccard, containment of the smaller in the larger) of two shingle-hash sets."""
    if not len(a) or not len(b):
        return 0.0, 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))
