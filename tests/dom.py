"""What a browser makes of markup, for tests that read the map's HTML without a browser."""

from __future__ import annotations

import html
import re


def text_content(markup: str) -> str:
    """The text a browser reports for ``markup`` (``textContent``, as st_folium reports a
    clicked tooltip): tags dropped, hidden elements' text kept, entities decoded, white
    space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", markup)).split())
