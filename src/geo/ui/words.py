"""Labels the pages show for the model's codes."""

from __future__ import annotations

from geo.model import AREAS, CATEGORY_LABELS, Category


def category_label(value: str) -> str:
    return CATEGORY_LABELS[Category(value)]


def country_label(iso: str) -> str:
    return AREAS[iso].name


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
