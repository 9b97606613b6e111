"""Text from input reaches Streamlit's Markdown as text: whatever it holds, the reader sees
its characters, and no link, image, HTML, formatting, colour, LaTeX or icon."""

from __future__ import annotations

import re
import string
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from licensing_core.domain.emails import email_problem
from licensing_core.ui.text import mail_link, plain
from tests.markdown_view import PARSER, node_types, seen_as, visible

# Nodes of text only: paragraphs of text (a word joiner or a space never makes more).
TEXT_NODES = {"paragraph_open", "inline", "text", "paragraph_close"}
# What Streamlit's frontend rewrites in the text of parsed Markdown (where escapes are
# gone): remark-gfm's web and email autolinks, remark-emoji and its own :material_x: and
# :streamlit: shortcodes, its arrows and dashes. None of these may be left in the text.
REWRITTEN_IN_TEXT = [
    re.compile(r"(https?://|www(?=\.))[-.\w]+", re.IGNORECASE),
    re.compile(r"[-.\w+]+@[-\w]+(\.[-\w]+)+"),
    re.compile(r":[\w+-]+:"),
    re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"),
]
HOSTILE = ["[Session expired - sign in again](http://evil.example/phish)",
           "![x](http://evil.example/t.png)", "<img src=http://evil.example/t.png>",
           "<a href='http://evil.example'>a</a>", ":red[alarm]", ":blue-background[x]",
           ":help[tip]", "$x^2$", "$$", r"\(z\)", ":material/warning:", ":material_block:",
           ":smile:", ":+1:", ":streamlit:", " -> ", " <- ", " -- ", " >= ", "www.evil.example",
           "http://evil.example", "mail@evil.example", "**", "__", "~~", "`", "```", "# ",
           "1. ", "- ", "> ", "    ", "\t", "\n", "\n\n", "|", "---", "===", "&amp;", "&#58;",
           "\\", "[^1]", "<http://evil.example>", "{", "}", "a", " ", "1"]
TEXTS = st.one_of(
    st.text(),
    st.text(alphabet=string.punctuation + " \t\n\r\fwhtpmailx1:\u2060\0"),
    st.lists(st.sampled_from(HOSTILE), max_size=12).map("".join),
)


def _texts_of(markdown: str) -> list[str]:
    tokens = PARSER.parse(markdown)
    return [child.content for token in tokens for child in token.children or []]


@settings(max_examples=500, deadline=None)
@given(TEXTS)
def test_escaped_text_reads_as_typed_and_makes_nothing_but_text(value):
    shown = plain(value)
    assert node_types(shown) <= TEXT_NODES, shown
    assert visible(shown) == seen_as(value)
    assert ":material/" not in shown  # Streamlit turns it into an icon before parsing
    for text in _texts_of(shown):
        for pattern in REWRITTEN_IN_TEXT:
            assert not pattern.search(text), (pattern.pattern, text)


@settings(max_examples=200, deadline=None)
@given(TEXTS, TEXTS.filter(lambda value: plain(value) != ""))
def test_escaped_text_stays_text_inside_the_pages_own_markdown(before, value):
    """As in "**Preview of a refill** · note: <note>" or a bold card value."""
    shown = f"**Note** · {plain(before)}: **{plain(value)}**"
    assert node_types(shown) <= TEXT_NODES | {"strong_open", "strong_close"}
    assert visible(shown) == seen_as(f"Note · {before.strip()}: {value.strip()}")


def test_a_phishing_link_in_a_query_parameter_is_shown_as_its_characters():
    value = "[Session expired - sign in again](http://evil.example/phish)"
    assert "link_open" not in node_types(plain(value))
    assert visible(f"Not found: {plain(value)}") == f"Not found: {value}"


@settings(max_examples=200, deadline=None)
@given(st.emails())
def test_a_contact_address_is_a_mailto_link_reading_as_the_address(address):
    if email_problem(address) is not None:
        assert "link_open" not in node_types(mail_link(address))
        return
    tokens = [t for token in PARSER.parse(mail_link(address)) for t in token.children or []]
    links = [t for t in tokens if t.type == "link_open"]
    assert [t.attrs["href"] for t in links] == ["mailto:" + quote(address, safe="@")]
    assert visible(mail_link(address)) == address


def test_an_address_that_is_not_valid_is_only_text():
    shown = mail_link("[x](http://evil.example)")
    assert node_types(shown) <= TEXT_NODES
    assert visible(shown) == "[x](http://evil.example)"
