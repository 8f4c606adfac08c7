"""Extracting rules for many trials at once, spread over worker processes.

Extraction is pure CPU work; a sync page or an import batch of hundreds of trials is
shared out to one worker per core. Workers are spawned fresh (never forked from a
process holding threads or database connections) and import only the engine.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from screening.engine.extract import extract
from screening.engine.lexicon import Lexicon

PARALLEL_FROM = 64
_pools: dict[str, ProcessPoolExecutor] = {}
_worker: dict[str, Lexicon] = {}


def rules_for(text: str, lexicon: Lexicon) -> list[dict]:
    return [rule.to_dict() for rule in extract(text, lexicon)]


def _start(lexicon: Lexicon) -> None:
    _worker["lexicon"] = lexicon


def _rules_in_worker(text: str) -> list[dict]:
    return rules_for(text, _worker["lexicon"])


def _pool(lexicon: Lexicon, workers: int) -> ProcessPoolExecutor:
    pool = _pools.get(lexicon.version)
    if pool is None:
        shutdown()
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start, initargs=(lexicon,))
        _pools[lexicon.version] = pool
    return pool


def warm_up(lexicon: Lexicon) -> None:
    """Start the workers early, so they are ready when the first batch comes."""
    workers = min(os.cpu_count() or 1, 4)
    if workers >= 2 and not os.environ.get("TRIALSCREEN_SERIAL_EXTRACTION"):
        pool = _pool(lexicon, workers)
        for _ in range(workers):
            pool.submit(len, "")


def rules_for_many(texts: list[str], lexicon: Lexicon) -> list[list[dict]]:
    workers = min(os.cpu_count() or 1, 4)
    if len(texts) < PARALLEL_FROM or workers < 2 or os.environ.get("TRIALSCREEN_SERIAL_EXTRACTION"):
        return [rules_for(text, lexicon) for text in texts]
    return list(_pool(lexicon, workers).map(_rules_in_worker, texts, chunksize=16))


def rules_ahead(texts: list[str], lexicon: Lexicon) -> Callable[[], dict[str, list[dict]]]:
    """Start extracting in the workers now; the returned call collects the rules by text.

    Lets a caller write one batch to the database while the next is being extracted.
    """
    workers = min(os.cpu_count() or 1, 4)
    unique = list(dict.fromkeys(texts))
    if len(unique) < PARALLEL_FROM or workers < 2 or os.environ.get("TRIALSCREEN_SERIAL_EXTRACTION"):
        return lambda: dict(zip(unique, (rules_for(text, lexicon) for text in unique), strict=True))
    results = _pool(lexicon, workers).map(_rules_in_worker, unique, chunksize=16)
    return lambda: dict(zip(unique, results, strict=True))


def shutdown() -> None:
    for pool in _pools.values():
        pool.shutdown(cancel_futures=True)
    _pools.clear()


atexit.register(shutdown)
