"""Entry point: page configuration and navigation; each page lives in pages/."""

import streamlit as st

st.set_page_config(
    page_title="China in Central Asia: event atlas",
    page_icon="🌏",
    layout="wide",
)

navigation = st.navigation(
    [
        st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
        st.Page("pages/about.py", title="About the data", icon=":material/info:", url_path="about"),
    ]
)
navigation.run()
