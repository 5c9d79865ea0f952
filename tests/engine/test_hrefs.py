"""The cheaper building blocks of link extraction give exactly what the slow ones give."""

from __future__ import annotations

import dataclasses
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from audits.engine.hrefs import _DOT_SEGMENT, _has_dot_segment, new_link_fact
from audits.engine.types import LinkFact


def test_new_link_fact_equals_the_dataclass_constructor():
    fields = ("https://example.com/a", "/a", "a", "Read the guide", ("nofollow",), True, "de",
              "too_long")
    fast = new_link_fact(*fields)
    slow = LinkFact(*fields)
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert type(fast) is LinkFact
    assert dataclasses.astuple(fast) == fields
    assert fast.nofollow
    assert pickle.loads(pickle.dumps(fast)) == slow


def test_new_link_fact_sets_every_field():
    # A field added to LinkFact without updating new_link_fact would be left unset here.
    names = [f.name for f in dataclasses.fields(LinkFact)]
    link = new_link_fact(*range(len(names)))
    assert [getattr(link, name) for name in names] == list(range(len(names)))


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["/", ".", "..", "a", ".html", "x.", "?"]), max_size=10).map("".join))
def test_dot_segment_precheck_agrees_with_the_regex(path):
    assert _has_dot_segment(path) == (_DOT_SEGMENT.search(path) is not None)
