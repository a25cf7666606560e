"""Hashed word and character n-grams, computed for a whole batch at once with numpy.

The listening model is a linear model over these features, so its speed is the speed of this
module. A Python loop per n-gram would cost a few hundred microseconds per post; instead:

1. The cleaned, lower-cased texts are joined into one byte string, each framed as
   ``" text \\n"``, so that a newline marks where one text ends.
2. One prefix array holds ``G[i] = Σ b[j]·P^j (mod 2^64)`` over all bytes. The hash of the bytes
   ``[s, e)`` is then ``(G[e] − G[s])·P^−s``, the same wherever those bytes stand (P is odd, so
   it has an inverse modulo 2^64; numpy's uint64 arithmetic wraps, which is the modulus).
3. Character 2- to 5-grams that do not cross a newline, words (runs of letters, digits, bytes of
   non-ASCII characters, ``#@'_``) and pairs of neighbouring words in one text are hashed that
   way, mixed with a salt per kind and reduced to `BUCKETS` buckets.
4. Each occurrence weighs ``1/√n`` for a text with n features, so that long and short texts
   score on one scale (the L2 norm of the count vector, up to collisions of duplicates).

Training builds its sparse matrix from the same arrays, so the model sees at run time exactly
the features it was fitted on.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .text import clean_lines

BITS = 18
BUCKETS = 1 << BITS
CHAR_NGRAMS = (2, 3, 4, 5)
_P = np.uint64(0x100000001B3)
_P_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT = np.uint64(64 - BITS)
_SALTS = np.array([0x51ED2701, 0xA24BAED4, 0x9FB21C65, 0xE703AF1F, 0x6A09E667, 0xBB67AE85], dtype=np.uint64)
_WORD_BYTES = np.zeros(256, dtype=bool)
for _b in range(256):
    _WORD_BYTES[_b] = chr(_b).isalnum() if _b < 128 else True
for _c in "#@'_":
    _WORD_BYTES[ord(_c)] = True
_WORD_BYTES[ord("\n")] = False

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]


def _powers(n: int) -> tuple[U64, U64]:
    """P^i and P^-i for i ≤ n, kept between calls (they only ever grow)."""
    global _POW, _INV
    if _POW.size <= n:
        size = max(n + 1, 2 * _POW.size)
        with np.errstate(over="ignore"):
            _POW = np.cumprod(np.concatenate(([np.uint64(1)], np.full(size - 1, _P))), dtype=np.uint64)
            _INV = np.cumprod(np.concatenate(([np.uint64(1)], np.full(size - 1, _P_INV))), dtype=np.uint64)
    return _POW, _INV


_POW = np.ones(1, dtype=np.uint64)
_INV = np.ones(1, dtype=np.uint64)


def featurise(texts: Sequence[str]) -> tuple[I64, I64]:
    """Return ``(offsets, buckets)``: text i's features are ``buckets[offsets[i]:offsets[i + 1]]``.

    Features are laid out in byte order (one row per byte, one column per kind), so that
    selecting the valid ones keeps each text's features together without sorting.
    """
    if not texts:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lines = clean_lines(texts).lower().replace("\n", " \n ")
    b = np.frombuffer(f" {lines} \n".encode(), dtype=np.uint8)
    n = b.size
    powers, inv = _powers(n)
    kinds = len(CHAR_NGRAMS) + 2
    hashes = np.zeros((n, kinds), dtype=np.uint64)
    valid = np.zeros((n, kinds), dtype=bool)
    with np.errstate(over="ignore"):
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum((b.astype(np.uint64) + np.uint64(1)) * powers[:n], dtype=np.uint64, out=prefix[1:])
        doc_of = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(b == 10, out=doc_of[1:])
        for j, size in enumerate(CHAR_NGRAMS):
            m = n + 1 - size
            if m <= 0:
                continue
            valid[:m, j] = doc_of[size:] == doc_of[:m]
            hashes[:m, j] = (prefix[size:] - prefix[:m]) * inv[:m]

        word = _WORD_BYTES[b]
        edges = np.diff(np.concatenate(([False], word, [False])).astype(np.int8))
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1)
        words = (prefix[ends] - prefix[starts]) * inv[starts]
        hashes[starts, kinds - 2] = words
        valid[starts, kinds - 2] = True
        pair = doc_of[starts[1:]] == doc_of[starts[:-1]]
        hashes[starts[:-1][pair], kinds - 1] = words[:-1][pair] * np.uint64(0xC2B2AE3D27D4EB4F) + words[1:][pair]
        valid[starts[:-1][pair], kinds - 1] = True

        hashes ^= _SALTS[:kinds]
        buckets = ((hashes[valid] * _MIX) >> _SHIFT).astype(np.int64)
    per_byte = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(valid.sum(axis=1), out=per_byte[1:])
    text_starts = np.concatenate(([0], np.flatnonzero(b == 10) + 1))
    return per_byte[text_starts], buckets


def linear_scores(texts: Sequence[str], weights: npt.NDArray[np.float16], bias: F32) -> F32:
    """Return ``X·W + b`` for `texts`: one row per text, one column per output of the model.

    `weights` has `BUCKETS` rows; a row is one cache line or less, read once per feature.
    """
    offsets, buckets = featurise(texts)
    out = np.zeros((len(texts), weights.shape[1]), dtype=np.float32)
    counts = np.diff(offsets)
    nonempty = counts > 0
    if buckets.size:
        contrib = weights[buckets].astype(np.float32)
        out[nonempty] = np.add.reduceat(contrib, offsets[:-1][nonempty], axis=0)
    out /= np.sqrt(np.maximum(counts, 1)).astype(np.float32)[:, None]
    return out + bias
