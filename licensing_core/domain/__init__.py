"""Pure rules of licensing: no database, no Streamlit, no I/O."""
