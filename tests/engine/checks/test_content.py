"""Content across pages: near-duplicate clusters from SimHash fingerprints."""

from __future__ import annotations

from tests.engine.checks.helpers import Case, record, run, site

A, B, C, D = (f"https://example.com/{name}" for name in "abcd")
PRINT = 0x0123456789ABCDEF
NEAR = PRINT ^ 0b1011  # 3 bits apart
FAR = PRINT ^ 0xF0F0  # 8 bits apart


def text(url: str, fingerprint: int, **overrides):
    return record(url, simhash=fingerprint, word_count=overrides.pop("word_count", 400), **overrides)


CASES = [
    Case("seo.content.near_duplicate",
         fails=[lambda: site(text(A, PRINT), text(B, NEAR)),
                lambda: site(text(A, PRINT), text(B, PRINT)),  # same print, different text
                # an exact duplicate pair plus a near one: still one near-duplicate cluster
                lambda: site(text(A, PRINT, content_hash="h"), text(B, PRINT, content_hash="h"),
                             text(C, NEAR))],
         passes=[lambda: site(text(A, PRINT), text(B, FAR)),
                 # exact duplicates only: seo.content.duplicate's job
                 lambda: site(text(A, PRINT, content_hash="h"), text(B, NEAR, content_hash="h")),
                 # consolidated on purpose: B names A as canonical
                 lambda: site(text(A, PRINT), text(B, NEAR, canonical=A)),
                 lambda: site(text(A, PRINT), text(B, NEAR, indexable=False,
                                                   indexability_reason="noindex (meta robots)")),
                 lambda: site(text(A, PRINT), text(B, NEAR, status=404)),
                 lambda: site(text(A, PRINT), text(B, NEAR, redirect_hops=1)),
                 # short pages: fingerprints of a few shingles are not evidence
                 lambda: site(text(A, PRINT, word_count=30), text(B, NEAR, word_count=30)),
                 lambda: site(text(A, 0), text(B, 0))]),
]



def test_one_finding_per_cluster_with_members_and_distance():
    view = site(text(A, PRINT), text(B, NEAR), text(C, PRINT ^ 1), text(D, FAR),
                *(text(f"https://example.com/p{i}", PRINT ^ (1 << 40)) for i in range(20)))
    [finding] = run("seo.content.near_duplicate", view)
    assert finding.url == A
    assert finding.details["pages"] == 23
    assert finding.details["members"][:3] == [A, B, C]
    assert len(finding.details["members"]) == 11
    assert D not in finding.details["members"]
    assert finding.details["max_distance_bits"] == 3
