"""Which XBlock fields a handler reads and writes, and what that costs in database queries.

Why this module: a submit's speed in a runtime whose store goes to the database on every
field access (xblock-sdk's workbench: ``WorkbenchDjangoKeyValueStore`` runs a query per
``has``/``get`` and two per ``set``) is mostly the number of distinct fields it touches. The
submit bench (bench/bench_submit.py) times it; this module says *why* a submit costs what it
does, and the test that keeps the counts down (tests/blocks/test_submit_field_access.py)
uses it too, so a later change cannot silently add a field read or write back.

How: :func:`counting` wraps a runtime's ``field-data`` service (every block the runtime builds
afterwards gets its fields through it, as ``XBlock._field_data`` asks the runtime's service)
in :class:`CountingFieldData`, which records, per block, each field the first time XBlock's
field descriptor asks the store about it (``has``, then ``get`` if stored: one *read*; the
descriptor caches the value afterwards) and each field ``block.save()`` writes (``set_many``:
one *write* per dirty field). With Django configured, the database queries run meanwhile are
counted too (``CaptureQueriesContext``).

Runnable: ``python bench/field_access.py [--profile]`` prints, per activity and for
drag-and-drop-v2's ``do_attempt``, the fields read and written by one submit of a fresh
learner in the workbench (the bench's own preparation), the queries, and with ``--profile``
the top of a cProfile of the handler.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xblock.field_data import FieldData

if str(Path(__file__).resolve().parents[1]) not in sys.path:  # runnable alone: python bench/field_access.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@dataclass
class FieldAccess:
    """The fields one measured stretch read and wrote, ``"<scope>:<name>"`` in first-use order, and the queries it ran."""

    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    queries: int | None = None

    def summary(self) -> str:
        queries = "" if self.queries is None else f", {self.queries} queries"
        return f"{len(self.reads)} reads / {len(self.writes)} writes{queries}"


def _label(block: Any, name: str) -> str:
    scope = getattr(block.fields.get(name), "scope", None)
    return f"{getattr(scope, 'name', scope)}:{name}"


class CountingFieldData(FieldData):
    """A field-data service that records what the blocks ask of the one it wraps, and passes every call on."""

    def __init__(self, inner: FieldData, access: FieldAccess):
        super().__init__()
        self.inner = inner
        self.access = access
        self._seen: set[tuple[int, str]] = set()

    def _read(self, block: Any, name: str) -> None:
        key = (id(block), name)
        if key not in self._seen:
            self._seen.add(key)
            self.access.reads.append(_label(block, name))

    def has(self, block, name):
        self._read(block, name)
        return self.inner.has(block, name)

    def get(self, block, name):
        self._read(block, name)
        return self.inner.get(block, name)

    def set(self, block, name, value):
        self.access.writes.append(_label(block, name))
        self.inner.set(block, name, value)

    def set_many(self, block, update_dict):
        self.access.writes.extend(_label(block, name) for name in update_dict)
        self.inner.set_many(block, update_dict)

    def delete(self, block, name):
        self.access.writes.append(_label(block, name))
        self.inner.delete(block, name)

    def default(self, block, name):
        return self.inner.default(block, name)

    def has_default_value(self, name):
        return self.inner.has_default_value(name)


@contextlib.contextmanager
def counting(runtime: Any, access: FieldAccess | None = None, *, queries: bool = True) -> Iterator[FieldAccess]:
    """Count the field accesses of the blocks ``runtime`` builds inside the block, and with ``queries`` the
    database queries (where Django is configured; a store without a database has none to count)."""
    access = access if access is not None else FieldAccess()
    services = runtime._services
    inner = services["field-data"]
    services["field-data"] = CountingFieldData(inner, access)
    try:
        with _queries() if queries else contextlib.nullcontext() as captured:
            yield access
    finally:
        services["field-data"] = inner
    if captured is not None:
        access.queries = (access.queries or 0) + len(captured)


@contextlib.contextmanager
def _queries() -> Iterator[Any]:
    """Django's query capture on the default database, or None where Django is not configured."""
    try:
        from django.conf import settings

        configured = settings.configured
    except ImportError:
        configured = False
    if not configured:
        yield None
        return
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        yield captured


# ------------------------------------------------------------------------------ the report
def _report(profile: bool) -> None:
    import cProfile
    import io
    import pstats

    from bench import bench_submit

    bench = bench_submit.Workbench()
    preparers = {
        "risk_quiz": bench_submit.quiz_preparer(bench),
        "hallucination_detector": bench_submit.detector_preparer(bench),
        "prompt_sandbox": bench_submit.prompt_preparer(bench)[0],
        "skills_map": bench_submit.skills_map_preparer(bench),
        "charter": bench_submit.charter_preparer(bench),
        "use_case": bench_submit.use_case_preparer(bench),
        "anchor (drag-and-drop-v2 do_attempt)": bench_submit.drag_and_drop_preparer(bench),
    }
    for name, prepare in preparers.items():
        prepare()()  # warm: imports, content parsed, caches filled
        submit = prepare()
        with bench.counting() as access:
            submit()
        print(f"{name}: {access.summary()}")
        print(f"  reads:  {', '.join(access.reads)}")
        print(f"  writes: {', '.join(access.writes)}")
        if profile:
            submit = prepare()
            profiler = cProfile.Profile()
            profiler.enable()
            submit()
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(r"ldai_xblocks|drag_and_drop_v2", 30)
            print("\n".join("  " + line for line in out.getvalue().splitlines()[:45]))


if __name__ == "__main__":
    _report(profile="--profile" in sys.argv[1:])
