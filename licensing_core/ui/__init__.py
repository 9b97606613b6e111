"""Streamlit helpers of the dashboard: the only part of licensing_core that imports Streamlit.

Pages stay thin: they ask these helpers for the signed-in person, the tenant they may
see, cached read models and the download dialog, and they call services to change data.
"""
