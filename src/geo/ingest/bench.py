"""How fast articles are read and turned into candidates, in articles per second on one core.

Only the in-memory work is timed (decoding, layout, dates, places, lexicon, counts), as it
runs for every article; writing the queue and the store is a few small file writes per
article and is left out. ``geo ingest --bench`` prints the result; a future ``geo bench``
can call :func:`run` directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from geo.ingest.extract import ArticleInfo, extract
from geo.ingest.pipeline import tools
from geo.ingest.reader import read_bytes


@dataclass(frozen=True)
class BenchResult:
    """Articles processed, seconds taken, the rate, and the mean article size."""

    articles: int
    seconds: float  # wall-clock time
    cpu_seconds: float  # this process's CPU time: the one core's work, whatever else runs
    candidates: int
    mean_chars: int

    @property
    def per_second(self) -> float:
        """Articles per second of CPU time on one core."""
        return self.articles / self.cpu_seconds if self.cpu_seconds else 0.0

    @property
    def per_wall_second(self) -> float:
        """Articles per second of wall-clock time (lower when other work shares the core)."""
        return self.articles / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        return (
            f"ingest bench: {self.articles} articles (mean {self.mean_chars:,} characters, "
            f"{self.candidates} candidates) in {self.cpu_seconds:.2f} s of CPU on one core: "
            f"{self.per_second:,.0f} articles/second ({self.per_wall_second:,.0f} per second "
            f"of wall-clock time, {self.seconds:.2f} s)"
        )


def run(files: list[tuple[str, bytes]], data_dir: Path, seconds: float = 2.0) -> BenchResult:
    """Read and extract the given articles round after round for about ``seconds``.

    Parameters
    ----------
    files
        (file name, bytes) pairs, e.g. the seed article.
    data_dir
        The data folder whose gazetteer, aliases and lexicon are used (compiled once, before
        the clock starts).
    """
    if not files:
        raise ValueError("no articles to time")
    gazetteer, lexicon = tools(data_dir)

    def one(name: str, data: bytes) -> int:
        article = read_bytes(data, name)
        return len(extract(article, ArticleInfo(name, "bench"), gazetteer, lexicon).candidates)

    for name, data in files:  # warm the caches
        one(name, data)
    count = candidates = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while True:
        for name, data in files:
            candidates += one(name, data)
            count += 1
        elapsed = time.perf_counter() - started
        if elapsed >= seconds:
            break
    cpu = time.process_time() - cpu_started
    mean = sum(len(d.decode("utf-8", "replace")) for _, d in files) // len(files)
    return BenchResult(count, elapsed, cpu, candidates, mean)
