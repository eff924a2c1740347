"""Relative links: every internal link resolves to its target from any page."""

import posixpath

from hypothesis import given, strategies as st

from newsroom.render import relative_path

segment = st.sampled_from(["news", "1403", "tags", "کمک", "x", "a.html", "page", "2"])
folder_url = st.lists(segment, max_size=4).map(lambda parts: "/" + "".join(p + "/" for p in parts))
file_url = st.tuples(folder_url, st.sampled_from(["site.css", "photo.jpg", "x.html"])).map("".join)


@given(st.one_of(folder_url, file_url), st.one_of(folder_url, file_url))
def test_relative_links_resolve_to_their_target(target, page):
    link = relative_path(target, page)
    assert not link.startswith("/")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), link))
    assert resolved == posixpath.normpath(target)
    assert link.endswith("/") == target.endswith("/")
