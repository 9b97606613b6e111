"""What changes on a phone-sized screen: Streamlit has no layout per width, so two small
scripts (installed once per browser tab, below Streamlit's own mobile breakpoint only)
fold the sidebar after a page is chosen and fold the history filters until opened."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

PHONE_MAX_WIDTH_PX = 640  # Streamlit's own breakpoint for its mobile layout
FOLDED_CLASS = "st-key-fold-on-phone-"  # the key prefix of expanders folded on a phone

PHONE_SCRIPT = f"""<script>(function(){{
if (window.__licensingPhone) return; window.__licensingPhone = true;
var phone = function(){{
  return window.matchMedia('(max-width: {PHONE_MAX_WIDTH_PX}px)').matches; }};
document.addEventListener('click', function(event){{
  if (!phone() || !event.target.closest('[data-testid="stSidebarNav"] a')) return;
  setTimeout(function(){{
    var button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (button) button.click();
  }}, 150);
}}, true);
var fold = function(){{
  if (!phone()) return;
  document.querySelectorAll('[class*="{FOLDED_CLASS}"] details[open]').forEach(function(d){{
    if (d.dataset.licensingFolded) return;
    d.dataset.licensingFolded = '1';
    var summary = d.querySelector('summary');
    if (summary) summary.click();
  }});
}};
new MutationObserver(fold).observe(document.body, {{childList: true, subtree: true}});
fold();
}})();</script>"""


def install() -> None:
    """The phone scripts, for the page being drawn (a no-op in the browser after the first)."""
    st.html(PHONE_SCRIPT, unsafe_allow_javascript=True)


def folded_on_phone(label: str, key: str) -> DeltaGenerator:
    """An expander open on a desktop and folded on a phone until opened (once per page:
    a person who opens it keeps it open)."""
    return st.expander(label, expanded=True, key=FOLDED_CLASS.removeprefix("st-key-") + key)


__all__ = ["PHONE_MAX_WIDTH_PX", "folded_on_phone", "install"]
