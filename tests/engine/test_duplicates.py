"""Near-duplicate clustering over SimHash fingerprints (block index + union-find)."""

from __future__ import annotations

import random

import pytest

from audits.engine.duplicates import (
    BUCKET_WINDOW,
    MAX_BUCKET_PAIRWISE,
    NEAR_DUPLICATE_DISTANCE,
    near_duplicate_clusters,
)


def flip(value: int, *bits: int) -> int:
    for bit in bits:
        value ^= 1 << bit
    return value


BASE = 0x9E3779B97F4A7C15


def test_pairs_within_three_bits_cluster_wherever_the_bits_fall():
    # Flipped bits spread over three of the four 16-bit blocks: only the fourth matches.
    found = near_duplicate_clusters([("a", BASE), ("b", flip(BASE, 1, 20, 40)), ("c", 0x1234)])
    assert found.clusters == [["a", "b"]]
    assert found.distances == [3]


def test_four_bits_apart_is_not_a_near_duplicate():
    found = near_duplicate_clusters([("a", BASE), ("b", flip(BASE, 1, 20, 40, 60))])
    assert found.clusters == []


def test_clusters_are_transitive_and_keep_input_order():
    b = flip(BASE, 0, 1)
    c = flip(b, 30, 31)  # 4 bits from BASE, 2 from b
    found = near_duplicate_clusters([("c", c), ("x", 0xFFFF), ("a", BASE), ("b", b)])
    assert found.clusters == [["c", "a", "b"]]
    assert found.distances == [2]


def test_identical_fingerprints_and_missing_ones():
    found = near_duplicate_clusters([("a", BASE), ("b", BASE), ("z1", 0), ("z2", 0)])
    assert found.clusters == [["a", "b"]]
    assert found.distances == [0]


def test_distance_above_the_block_guarantee_is_refused():
    with pytest.raises(ValueError):
        near_duplicate_clusters([], distance=NEAR_DUPLICATE_DISTANCE + 1)


def test_twenty_thousand_random_fingerprints_with_planted_pairs():
    rng = random.Random(7)
    items = [(f"p{i}", rng.getrandbits(64) | 1) for i in range(20_000)]
    planted = []
    for i in range(0, 200, 2):
        key, value = items[i]
        twin = flip(value, *rng.sample(range(1, 64), rng.randint(1, 3)))
        items.append((f"twin{i}", twin))
        planted.append({key, f"twin{i}"})
    found = near_duplicate_clusters(items)
    clusters = [set(cluster) for cluster in found.clusters]
    for pair in planted:
        assert any(pair <= cluster for cluster in clusters), pair
    # Random 64-bit values are ~32 bits apart: nothing else should cluster.
    assert sum(len(c) for c in clusters) == 200
    assert found.windowed_buckets == 0
    assert found.comparisons < 20_000  # buckets of ~n/65536: far from n^2/2


def test_bucket_explosion_is_bounded_and_reported():
    # 5,000 distinct fingerprints sharing one 16-bit block: all-pairs would be 12.5M comparisons.
    rng = random.Random(3)
    shared = 0xABCD
    items = [(i, (rng.getrandbits(48) << 16) | shared) for i in range(5_000)]
    items.append(("near", items[0][1] ^ (1 << 20)))
    found = near_duplicate_clusters(items)
    assert found.windowed_buckets >= 1
    assert found.comparisons <= 4 * len(items) * max(BUCKET_WINDOW, MAX_BUCKET_PAIRWISE)
    # The pair still shares the other blocks too, so it is found in an ordinary bucket.
    assert any({0, "near"} <= set(cluster) for cluster in found.clusters)


def test_many_identical_fingerprints_are_one_cluster_in_linear_work():
    items = [(i, BASE) for i in range(10_000)]
    found = near_duplicate_clusters(items)
    assert len(found.clusters) == 1 and len(found.clusters[0]) == 10_000
    assert found.comparisons == 0
