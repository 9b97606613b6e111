"""Text that came from input, shown as text.

Streamlit renders the body of st.error, st.title, st.caption, st.markdown, st.spinner ...
as Markdown (with links, images, `:red[...]` colours, `$...$` LaTeX and `:material/...:`
icons). Names, notes, query parameters, file names, user ids, and the messages of errors
that quote them, go through `plain` before they reach one of those calls, so that a link
or an image in them is shown as the characters typed, never followed or fetched.
"""

from __future__ import annotations

import re
import string
from urllib.parse import quote

from licensing_core.domain.emails import email_problem

# CommonMark lets a backslash escape every ASCII punctuation character, and an escaped
# character is only text: no link, image, HTML, emphasis, list, heading, table, code,
# LaTeX or directive can start from it.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# Streamlit rewrites some text after parsing, when the escapes are already gone: web and
# email addresses into links, `:smile:` and `:material_x:` shortcodes into pictures, and
# "->", "<=", "--" into arrows and dashes. An invisible WORD JOINER between the characters
# that these rewrites look for keeps such text as typed.
WORD_JOINER = "\u2060"
_REWRITTEN = re.compile(r"(?<=:)(?=[\w+-]+:|//)"  # :shortcode:, http://
                        r"|(?<=@)(?=[-\w]+\.[-\w])"  # name@example.com
                        r"|(?i:(?<=www))(?=\.)"  # www.example.com
                        r"|(?<=[-<>~])(?=[->=])")  # ->, <-, --, <=, >=, ~=
# Line breaks and indentation would make paragraphs or code blocks, and a space at either
# end would undo the page's own **bold** around the text; a browser shows any run of
# these as one space anyway.
_SPACES = re.compile(r"[ \t\n\r\f]+")


def plain(value: object) -> str:
    """Markdown that Streamlit shows as exactly the characters of `value`."""
    shown = _SPACES.sub(" ", str(value)).strip()
    return _escaped(_REWRITTEN.sub(WORD_JOINER, shown))


def mail_link(address: str) -> str:
    """A contact address as a mailto link, or as `plain` text when it is not an address.

    The target is percent-encoded and the text escaped; a link's text is never turned into
    another link, and an address has no colon or space for the other rewrites to find.
    """
    if email_problem(address) is not None:
        return plain(address)
    return f"[{_escaped(address)}](mailto:{quote(address, safe='@')})"


def _escaped(text: str) -> str:
    return _PUNCTUATION.sub(r"\\\1", text)
