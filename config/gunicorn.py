"""gunicorn's settings for the web process (`docker-entrypoint.sh web`, and
`bench/compare_bench.py`, which starts the service as production does):
`gunicorn --config python:config.gunicorn config.wsgi:application`.

Only the garbage collector is set here. CPython's cyclic collector walks, at
each full collection, every container object the process holds: Django's
modules, URL patterns and templates, and the questionnaire structures and
compiled forms the service keeps per version. None of them ever becomes
garbage, yet a whole-form save, which makes some thousands of short-lived
objects, paid about 1,4 ms of its ~10 ms for those walks (issue #20,
bench/RESULTS.md). `gc.freeze()` moves every object alive at that moment out of
the collector's sight (it still frees them by reference count). It is called
once the worker has loaded the application and again after its first request
and its hundredth, when the caches a request builds lazily (URL resolver,
templates, the questionnaire in use) exist. Objects frozen are never collected
as cycles: what a worker drops later of those (an old questionnaire version's
structure) stays until the worker is replaced, a bounded amount.
"""

from __future__ import annotations

import gc
from typing import Any

# After which requests of a worker what is alive is frozen (counted from 1).
FREEZE_AFTER_REQUESTS = (1, 100)


def freeze_long_lived() -> None:
    """Collect what is garbage now, then freeze the rest (the long-lived)."""
    gc.collect()
    gc.freeze()


def post_worker_init(worker: Any) -> None:
    freeze_long_lived()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    # gunicorn's worker counts its requests (`nr`), for max_requests.
    if worker.nr in FREEZE_AFTER_REQUESTS:
        freeze_long_lived()
