"""Near-duplicate clusters from 64-bit SimHash fingerprints, without comparing every pair.

Manku, Jain and Das Sarma (WWW 2007, "Detecting near-duplicates for web crawling") found a
Hamming distance of at most 3 between 64-bit SimHashes to separate near duplicates from
distinct pages. If two fingerprints differ in at most 3 bits, then splitting them into 4 blocks
of 16 bits leaves at least one block identical (pigeonhole), so indexing every fingerprint by
each of its 4 blocks and comparing only within a bucket finds every such pair.

Buckets are small for varied text (n / 65,536 entries on average), but a block shared by very
many pages (a template that dominates the text) would make a bucket quadratic. Identical
fingerprints are merged before comparing, and a bucket with more than
`MAX_BUCKET_PAIRWISE` distinct fingerprints is sorted and each fingerprint compared with its
next `BUCKET_WINDOW` neighbours only: bounded work, at the price of possibly missing pairs
there (counted in `NearDuplicates.windowed_buckets`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

#: Fingerprints within this many differing bits are near duplicates (Manku et al. 2007).
NEAR_DUPLICATE_DISTANCE = 3
FINGERPRINT_BITS = 64
#: DISTANCE + 1 blocks guarantee a shared block for every pair within DISTANCE.
BLOCKS = NEAR_DUPLICATE_DISTANCE + 1
BLOCK_BITS = FINGERPRINT_BITS // BLOCKS
_BLOCK_MASK = (1 << BLOCK_BITS) - 1
#: A bucket with more distinct fingerprints than this is compared within a sorted window.
MAX_BUCKET_PAIRWISE = 64
#: Neighbours each fingerprint of an oversized bucket is compared with.
BUCKET_WINDOW = 32

Key = Hashable


@dataclass(slots=True)
class NearDuplicates:
    #: Clusters of two or more keys, each in input order, clusters ordered by first member.
    clusters: list[list[Key]] = field(default_factory=list)
    #: Largest Hamming distance of a pair that joined the cluster, parallel to `clusters`.
    distances: list[int] = field(default_factory=list)
    #: Buckets too large for all-pairs comparison (compared within a window instead).
    windowed_buckets: int = 0
    comparisons: int = 0


class _UnionFind:
    __slots__ = ("parent",)

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        parent = self.parent
        root = item
        while parent[root] != root:
            root = parent[root]
        while parent[item] != root:  # path compression
            parent[item], item = root, parent[item]
        return root

    def union(self, a: int, b: int) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return False
        if root_a < root_b:
            self.parent[root_b] = root_a
        else:
            self.parent[root_a] = root_b
        return True


def near_duplicate_clusters(items: Iterable[tuple[Key, int]], *,
                            distance: int = NEAR_DUPLICATE_DISTANCE) -> NearDuplicates:
    """Cluster `(key, fingerprint)` pairs whose fingerprints are within `distance` bits,
    transitively (union-find). Fingerprint 0 means "no fingerprint" and is skipped."""
    if distance > NEAR_DUPLICATE_DISTANCE:
        raise ValueError(f"block index only guarantees distances up to {NEAR_DUPLICATE_DISTANCE}")
    keys: list[Key] = []
    by_print: dict[int, list[int]] = {}
    for key, fingerprint in items:
        if fingerprint:
            by_print.setdefault(fingerprint, []).append(len(keys))
            keys.append(key)
    result = NearDuplicates()
    union_find = _UnionFind(len(keys))
    # Identical fingerprints (distance 0) are one group before any comparison.
    for members in by_print.values():
        for other in members[1:]:
            union_find.union(members[0], other)
    worst: dict[int, int] = defaultdict(int)  # first member of a fingerprint -> largest gap
    buckets: list[defaultdict[int, list[int]]] = [defaultdict(list) for _ in range(BLOCKS)]
    for fingerprint in by_print:
        for block in range(BLOCKS):
            buckets[block][(fingerprint >> (block * BLOCK_BITS)) & _BLOCK_MASK].append(fingerprint)
    for index in buckets:
        for prints in index.values():
            size = len(prints)
            if size < 2:
                continue
            if size <= MAX_BUCKET_PAIRWISE:
                pairs = ((prints[i], prints[j]) for i in range(size) for j in range(i + 1, size))
            else:
                result.windowed_buckets += 1
                prints = sorted(prints)
                pairs = ((prints[i], prints[j]) for i in range(size)
                         for j in range(i + 1, min(i + 1 + BUCKET_WINDOW, size)))
            for a, b in pairs:
                result.comparisons += 1
                gap = (a ^ b).bit_count()
                if gap <= distance:
                    first_a, first_b = by_print[a][0], by_print[b][0]
                    union_find.union(first_a, first_b)
                    worst[first_a] = max(worst[first_a], gap)
    groups: dict[int, list[int]] = {}
    for member in range(len(keys)):
        groups.setdefault(union_find.find(member), []).append(member)
    for members in groups.values():
        if len(members) > 1:
            result.clusters.append([keys[m] for m in members])
            result.distances.append(max(worst.get(m, 0) for m in members))
    return result
