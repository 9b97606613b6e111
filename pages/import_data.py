"""Import: check a users or conversations file line by line, then store it (super admin)."""

import streamlit as st

from licensing_core.ui import context, data, imports
from licensing_core.ui.text import plain

ctx = context.operator_tenant()
summary = data.summary(ctx)
st.title(f"Import · {plain(summary.name)}")
kind = st.radio("File kind", imports.KINDS, horizontal=True, key="import_kind",
                format_func=str.title)
st.caption(imports.expected_columns(kind))
upload = st.file_uploader("Usage file (CSV or JSON Lines)", type=imports.SUFFIXES,
                          key=f"import_file_{kind}")
if upload is None:
    st.stop()

checked = imports.validation(ctx, kind, upload)
if checked.problems:
    st.error(f"{plain(upload.name)} cannot be imported: nothing will be stored until every line "
             "below is corrected.", icon=":material/error:")
    st.dataframe(imports.problem_table(checked.problems, checked.omitted), key="import_problems",
                 hide_index=True)
    st.stop()

st.success(f"{plain(upload.name)}: every line is valid. Nothing is stored in "
           f"{plain(summary.name)} until you press Import.", icon=":material/check_circle:")
if st.button(imports.import_label(checked, summary.name), type="primary", key="import_go",
             disabled=imports.already_imported(ctx, kind, upload)):
    imports.run(ctx, kind, upload)
imports.show_result(ctx, kind, upload)
