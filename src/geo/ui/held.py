"""Widget values set from code, held against reports the browser sent before it drew them.

Streamlit takes each widget's value from the browser's latest report. A report sent by one
input (say the map, reporting a move) carries every other widget as the browser last showed
it, so a value the code has just set (a button's "Show all regions", a typed region name
resolved) comes back undone when that report left the browser before the new value arrived.
Such a report is told apart from the visitor's own change by what else changed in it: one
input changes per report, so a held widget back at an older value while another input moved
since the last run is an old value, and the code's value is given back to it. A held value
goes once the browser reports it, or when the visitor changes the widget themselves.

A value set by a callback is not the browser's yet when its run starts: that run's report is
the one the callback answered. Streamlit stops a run at its next element when a newer report
arrives (the map reporting a move right behind a click), so the run a callback set a value for
may end before its body starts, and the next run starts from a newer report that carries the
widget as the browser still shows it. A held value therefore notes the inputs it was set
against, and only a run whose report still carries those is taken for its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from geo.ui.keys import FILTER_KEYS, MAP_KEY, range_key

_HELD = "_held_widgets"
_LAST_INPUTS = "_last_inputs"
# Widgets whose keys change with each new selection generation (charts, the items table).
_GENERATED = ("chart_", "items_table_")


@dataclass
class _Held:
    """A widget value set from code, and the values the browser may still show instead."""

    value: object
    stale: list[object]
    # The inputs as the browser reported them when the value was set, until a run has
    # started from a report after it (see the module's notes); None once one has.
    set_against: dict[str, object] | None


def set_widget(key: str, value: object) -> None:
    """Give the widget under ``key`` a value from code, held until the browser shows it."""
    if key in st.session_state and st.session_state[key] != value:
        held: dict[str, _Held] = st.session_state.setdefault(_HELD, {})
        earlier = held.get(key)
        stale = [st.session_state[key], *(earlier.stale if earlier else [])]
        held[key] = _Held(value, stale, set_against=_inputs())
    st.session_state[key] = value


def _inputs() -> dict[str, object]:
    """What the visitor can change in one go: the map's report, the filters, the month range,
    the items table and the charts' selections."""
    keys = [MAP_KEY, *FILTER_KEYS, range_key()]
    keys += [k for k in st.session_state if str(k).startswith(_GENERATED)]
    return {k: st.session_state[k] for k in keys if k in st.session_state}


def keep_held() -> None:
    """At the start of a run: give held widgets back the code's value where the browser's
    report carried an older one (see the module's notes)."""
    held: dict[str, _Held] = st.session_state.get(_HELD, {})
    if not held:
        return
    last: dict[str, object] = st.session_state.get(_LAST_INPUTS, {})
    now = _inputs()
    moved = any(k in last and k not in held and now[k] != last[k] for k in now)
    for key, hold in list(held.items()):
        set_against, hold.set_against = hold.set_against, None
        if set_against is not None and _same_report(set_against, now, held):
            continue  # set by a callback of this very run
        shown = st.session_state.get(key)
        if shown == hold.value or not (moved and shown in hold.stale):
            del held[key]  # the browser has it, or the visitor changed it since
        else:
            st.session_state[key] = hold.value


def _same_report(before: dict[str, object], now: dict[str, object], held: dict) -> bool:
    """Whether two sets of inputs are one report's, but for the held widgets (set from code
    in between)."""
    keys = (set(before) | set(now)) - set(held)
    return all(before.get(k) == now.get(k) for k in keys)


def run_done() -> None:
    """At the end of a run: note the inputs as they stand, and that the held values went to
    the browser with it."""
    st.session_state[_LAST_INPUTS] = _inputs()
    for hold in st.session_state.get(_HELD, {}).values():
        hold.set_against = None
