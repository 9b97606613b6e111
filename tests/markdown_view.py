"""What a person reads of a Markdown text, parsed by markdown-it (CommonMark, as Streamlit's
parser is, with GFM tables and strikethrough): the text, and the kinds of node it makes."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from licensing_core.ui.text import WORD_JOINER

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# A browser shows a run of these as one space.
_SPACES = re.compile(r"[ \t\n\r\f]+")
_BREAKS = ("softbreak", "hardbreak")


def _flat(tokens: list[Token]) -> list[Token]:
    found = []
    for token in tokens:
        found.append(token)
        found.extend(_flat(token.children or []))
    return found


def node_types(markdown: str) -> set[str]:
    """Every kind of node the text parses into (paragraph_open, text, link_open, image ...)."""
    return {t.type for t in _flat(PARSER.parse(markdown))}


def visible(markdown: str) -> str:
    """The text a reader sees, block after block, as a browser shows it."""
    blocks = []
    for token in PARSER.parse(markdown):
        if token.type == "inline":
            blocks.append("".join(" " if c.type in _BREAKS else c.content
                                  for c in token.children or []))
        elif token.type in ("code_block", "fence", "html_block"):
            blocks.append(token.content)
    return seen_as(" ".join(blocks))


def seen_as(text: str) -> str:
    """`text` as a browser shows it: spaces collapsed, without invisible word joiners."""
    return _SPACES.sub(" ", text.replace(WORD_JOINER, "").replace("\0", "\ufffd")).strip()
