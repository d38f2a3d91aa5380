"""The atlas's development tools, kept out of the product package ``geo``.

- :mod:`atlas_tools.bench` and the ``bench_*`` modules: ``geo bench``, and
  :mod:`atlas_tools.workload`, what they (and the tests of a large store) measure with;
- :mod:`atlas_tools.loadtest`: ``geo loadtest``;
- :mod:`atlas_tools.localserver` and :mod:`atlas_tools.pgserver`: the throwaway servers (the
  app on loopback, PostgreSQL with PostGIS) the tests and those commands start.

``make setup-dev`` installs this package (``tools/``), editable; the ``geo`` command imports it
only when one of its subcommands runs. The tools run from the repository's checkout:
:data:`REPO` is its root, holding ``app.py``, ``.streamlit/`` and ``static/``.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
