"""Entry point: page configuration and navigation over pages/ (see geo.ui.run_app)."""

from geo.ui import run_app

run_app()
