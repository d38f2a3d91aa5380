"""How fast articles are read and turned into candidates.

- :func:`run` (``geo ingest --bench [FILES]``): the in-memory work only (decoding, layout,
  language, dates, places, lexicon, counts), in articles per second on one core;
- :func:`end_to_end` (``geo ingest --bench --articles N [FILES]``): the ``geo ingest``
  command on N copies of the articles, from its start (imports, loading the gazetteer,
  lexicon and, for Russian, the morphology dictionary) to its exit with the store and the
  review queue written, in wall-clock seconds, with its CPU time and the machine's load.
"""

from __future__ import annotations

import os
import resource
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


@dataclass(frozen=True)
class EndToEndResult:
    """``geo ingest`` on a folder of articles, as a user runs it: wall-clock seconds from
    the command's start (imports and loading included) to its exit, the queue written."""

    articles: int
    seconds: float
    candidates: int
    mean_chars: int
    language: str
    cpu_seconds: float = 0.0  # the command's user + system time
    load: float = 0.0  # the machine's one-minute load average when it ended

    @property
    def per_second(self) -> float:
        """Articles per wall-clock second."""
        return self.articles / self.seconds if self.seconds else 0.0

    def __str__(self) -> str:
        return (
            f"ingest end to end ({self.language}): {self.articles} articles (mean "
            f"{self.mean_chars:,} characters) to the review queue, {self.candidates} "
            f"candidates queued, in {self.seconds:.2f} s wall-clock, start-up included: "
            f"{self.per_second:,.0f} articles/second ({self.cpu_seconds:.2f} s of CPU; "
            f"load average {self.load:.1f} on {os.cpu_count()} cores)"
        )


def end_to_end(
    files: list[tuple[str, bytes]], count: int, data_dir: Path, workdir: Path, language: str
) -> EndToEndResult:
    """Write ``count`` articles (the given ones in turn, each copy with its own name and
    title line) to ``workdir``, then time ``geo ingest`` on them in a new process, writing
    its queue and store under ``workdir``."""
    import json
    import subprocess
    import sys

    folder = workdir / "articles"
    folder.mkdir(parents=True)
    for number in range(count):
        name, data = files[number % len(files)]
        text = data.decode("utf-8")
        first, _, rest = text.partition("\n")
        stem = Path(name).stem
        (folder / f"{stem}-{number:05d}.txt").write_text(
            f"{first} ({number})\n{rest}", encoding="utf-8"
        )
    queue = workdir / "review" / "queue.jsonl"
    command = [
        sys.executable,
        "-c",
        "from geo.cli import main; raise SystemExit(main())",
        "ingest",
        str(folder),
        "--data",
        str(data_dir),
        "--store",
        str(workdir / "store"),
        "--queue",
        str(queue),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = queue.read_text(encoding="utf-8").splitlines() if queue.exists() else []
    lines = [line for line in lines if json.loads(line).get("candidate_id")]
    mean = sum(len(d.decode("utf-8", "replace")) for _, d in files) // len(files)
    return EndToEndResult(
        count, seconds, len(lines), mean, language, cpu_seconds=cpu, load=os.getloadavg()[0]
    )
