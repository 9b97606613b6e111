"""The dashboard's entry: sign the person in, then offer the pages of their role.

Run with `streamlit run dashboard.py`. Pages live in pages/ and read and write only
through licensing_core; this file only builds the navigation and the sidebar.
"""

import streamlit as st

from licensing_core.ui import auth, navigation, shell
from licensing_core.ui.guard import guarded

st.set_page_config(page_title="License subscription", page_icon=":material/badge:",
                   layout="wide")

principal = None
with guarded():
    principal = auth.current_principal()

page = navigation.show(principal)

with guarded():
    if principal is None:
        auth.sign_in_screen()
    else:
        shell.around_page(principal)
        page.run()
