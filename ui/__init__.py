"""Streamlit rendering helpers shared by app.py and views/ (the only Streamlit code outside views; the
plotly figure builders without Streamlit are in the top-level ``charts`` package)."""
