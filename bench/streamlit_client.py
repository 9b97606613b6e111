"""A Streamlit client without a browser: it speaks the dashboard's websocket protocol.

It does what the browser's frontend does on the wire, and nothing of its rendering: it
opens `/_stcore/stream` (subprotocol "streamlit", same-origin Origin, the sign-in cookie
when it has one), asks for runs with `BackMsg.rerun_script` (the query string, the page's
script hash, every widget value it holds, the cached message hashes), and reads the
`ForwardMsg`s of a run until its `script_finished`. A run's elements are kept by their
delta path, so the page as drawn can be searched for a widget by its label. Messages that
Streamlit marks cacheable are kept, and their hashes sent back, as the browser's cache
does, so the server answers with references exactly as it would to a browser.

Timing is the caller's: `rerun` returns when the run has finished, i.e. when the last
message of the page has arrived.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from licensing_core.ui.auth import COOKIE_NAME

STREAM_PATH = "/_stcore/stream"
# The dashboard's sign-in cookie is set in the browser by a small script of the sidebar
# (licensing_core.ui.auth._cookie_script): `document.cookie='licensing_session='+"<token>"`.
COOKIE_SCRIPT = re.compile(COOKIE_NAME + r"='\+(\"(?:[^\"\\]|\\.)*\")")
# Runs that end a page; FINISHED_EARLY_FOR_RERUN (st.rerun, st.switch_page) goes on.
FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
            ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
CACHE_SIZE = 500  # cached messages kept, the oldest dropped first


class ProtocolError(Exception):
    """The server sent what a browser could not use (an unknown cached reference)."""


@dataclass
class Page:
    """What the last run drew: its elements by delta path, and the exceptions shown."""

    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def of_kind(self, kind: str) -> Iterator[Any]:
        for element in self.elements.values():
            if element.WhichOneof("type") == kind:
                yield getattr(element, kind)

    def widget(self, kind: str, label: str) -> Any:
        """The widget of this kind with this label (KeyError when the page has none)."""
        for widget in self.of_kind(kind):
            if widget.label == label:
                return widget
        raise KeyError(f"no {kind} labelled {label!r} on the page")

    def headings(self) -> list[str]:
        return [h.body for h in self.of_kind("heading")]

    def texts(self) -> list[str]:
        return [m.body for m in self.of_kind("markdown")]

    def errors_shown(self) -> list[str]:
        """The bodies of the red alerts (st.error) on the page."""
        return [a.body for a in self.of_kind("alert") if a.format == Alert.ERROR]

    def widget_roots(self) -> dict[str, int]:
        """Each widget drawn, with its root container (0 the main area, 1 the sidebar)."""
        roots = {}
        for path, element in self.elements.items():
            widget_id = getattr(getattr(element, element.WhichOneof("type") or "", None),
                                "id", "")
            if isinstance(widget_id, str) and widget_id.startswith("$$ID"):
                roots[widget_id] = path[0] if path else 0
        return roots

    def add(self, path: tuple[int, ...], element: Element) -> None:
        self.elements[path] = element
        if element.WhichOneof("type") == "exception":
            self.failures.append(f"exception {element.exception.type}: "
                                 f"{element.exception.message[:200]}")


class StreamlitSession:
    """One browser tab's worth of Streamlit session, over one websocket."""

    def __init__(self, base_url: str, *, timezone: str = "UTC", locale: str = "en-GB"):
        parts = urlsplit(base_url.rstrip("/"))
        if parts.scheme not in {"http", "https"}:
            raise ValueError(f"not an http(s) URL: {base_url}")
        self.base_url = base_url.rstrip("/")
        self._origin = f"{parts.scheme}://{parts.netloc}"
        ws_scheme = "wss" if parts.scheme == "https" else "ws"
        self._stream_url = f"{ws_scheme}://{parts.netloc}{parts.path}{STREAM_PATH}"
        self._context = {"timezone": timezone, "locale": locale}
        self._socket: ClientConnection | None = None
        self._cache: OrderedDict[str, ForwardMsg] = OrderedDict()
        self.widget_states: dict[str, WidgetState] = {}
        self.pages: dict[str, str] = {}  # page title -> script hash (st.navigation)
        self.page_hash = ""
        self.query_string = ""
        self.cookie: str | None = None  # the sign-in token, once the page has set it
        self.page = Page()

    async def connect(self) -> None:
        """Open the websocket, sending the sign-in cookie if the page has set one."""
        headers = {"Cookie": f"{COOKIE_NAME}={self.cookie}"} if self.cookie else None
        self._socket = await connect(self._stream_url, origin=Origin(self._origin),
                                     subprotocols=[Subprotocol("streamlit")],
                                     additional_headers=headers, max_size=None,
                                     open_timeout=30)

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
            self._socket = None

    async def open(self, path: str = "", query_string: str = "") -> Page:
        """A first visit of `path` (a page's URL path, "" for the root), as on page load."""
        self.page_hash, self.query_string = "", query_string
        return await self._run(page_name=path)

    async def navigate(self, title: str) -> Page:
        """A click on a page of the sidebar: that page's script, without the query string."""
        if title not in self.pages:
            raise KeyError(f"the menu has no page {title!r}: {sorted(self.pages)}")
        self.page_hash, self.query_string = self.pages[title], ""
        # The browser clears the page's elements first: only the sidebar's widgets stay.
        roots = self.page.widget_roots()
        self.widget_states = {k: v for k, v in self.widget_states.items() if roots.get(k)}
        return await self._run()

    async def set_text(self, label: str, value: str) -> Page:
        """Type `value` into the text input `label` and press Enter."""
        widget = self.page.widget("text_input", label)
        self._hold(widget.id, string_value=value)
        return await self._run()

    async def set_number(self, label: str, value: float) -> Page:
        widget = self.page.widget("number_input", label)
        if widget.data_type == NumberInput.INT:
            self._hold(widget.id, int_value=int(value))
        else:
            self._hold(widget.id, double_value=float(value))
        return await self._run()

    async def submit_form(self, button_label: str, texts: dict[str, str]) -> Page:
        """Fill a form's text inputs by label and press its submit button."""
        for label, value in texts.items():
            self._hold(self.page.widget("text_input", label).id, string_value=value)
        button = self.page.widget("button", button_label)
        return await self._run(triggers=[button.id])

    async def click(self, button_label: str) -> Page:
        return await self._run(triggers=[self.page.widget("button", button_label).id])

    def _hold(self, widget_id: str, **value: Any) -> None:
        self.widget_states[widget_id] = WidgetState(id=widget_id, **value)

    def _client_state(self, page_name: str, triggers: list[str]) -> ClientState:
        state = ClientState(query_string=self.query_string, page_script_hash=self.page_hash,
                            page_name=page_name, cached_message_hashes=list(self._cache))
        state.widget_states.widgets.extend(self.widget_states.values())
        state.widget_states.widgets.extend(WidgetState(id=t, trigger_value=True)
                                           for t in triggers)
        state.context_info.timezone = self._context["timezone"]
        state.context_info.locale = self._context["locale"]
        state.context_info.url = self.base_url + "/"
        state.context_info.color_scheme = "light"
        return state

    async def _run(self, page_name: str = "", triggers: list[str] | None = None) -> Page:
        """Ask for a run and read its messages until it has finished."""
        if self._socket is None:
            raise ConnectionError("not connected")
        message = BackMsg()
        message.rerun_script.CopyFrom(self._client_state(page_name, triggers or []))
        await self._socket.send(message.SerializeToString())
        self.page = Page()
        while True:
            forward = self._resolve(await self._receive())
            if self._read(forward):
                break
        # As the browser does: widgets the run did not draw lose their values.
        drawn = self.page.widget_roots()
        self.widget_states = {k: v for k, v in self.widget_states.items() if k in drawn}
        return self.page

    async def _receive(self) -> ForwardMsg:
        assert self._socket is not None
        data = await self._socket.recv()
        if isinstance(data, str):
            raise ProtocolError("the server sent a text frame")
        forward = ForwardMsg()
        forward.ParseFromString(data)
        return forward

    def _resolve(self, forward: ForwardMsg) -> ForwardMsg:
        """A reference to a cached message is that message (with the reference's place)."""
        if forward.WhichOneof("type") == "ref_hash":
            cached = self._cache.get(forward.ref_hash)
            if cached is None:
                raise ProtocolError(f"reference to an unknown message {forward.ref_hash}")
            self._cache.move_to_end(forward.ref_hash)
            resolved = ForwardMsg()
            resolved.CopyFrom(cached)
            resolved.metadata.CopyFrom(forward.metadata)
            return resolved
        if forward.metadata.cacheable and forward.hash:
            self._cache[forward.hash] = forward
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return forward

    def _read(self, forward: ForwardMsg) -> bool:
        """Apply one message to the page; True when it finishes the run."""
        kind = forward.WhichOneof("type")
        if kind == "new_session":
            self.page = Page()
            self.page_hash = forward.new_session.page_script_hash
        elif kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
            element = forward.delta.new_element
            self.page.add(tuple(forward.metadata.delta_path), element)
            if element.WhichOneof("type") == "html":
                self._read_cookie(element.html.body)
        elif kind == "navigation":
            self.pages = {p.page_name: p.page_script_hash
                          for p in forward.navigation.app_pages}
            self.page_hash = forward.navigation.page_script_hash or self.page_hash
        elif kind == "page_info_changed":
            self.query_string = forward.page_info_changed.query_string
        elif kind == "session_event" and forward.session_event.HasField(
                "script_compilation_exception"):
            self.page.failures.append("the script did not compile")
        elif kind == "script_finished":
            return forward.script_finished in FINISHED
        return False

    def _read_cookie(self, body: str) -> None:
        """The sign-in cookie the page's script would set in the browser (or remove)."""
        found = COOKIE_SCRIPT.search(body)
        if found:
            token = json.loads(found.group(1))
            self.cookie = token or None
