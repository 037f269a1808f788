"""The shipped SQLite settings survive several workers writing at once (the demo, a small deployment).

Each process runs transactions that read, then write - the pattern of a handler that
loads learner state and saves it. With SQLite's default deferred transactions such a
transaction fails at once with "database is locked" when another process holds the
write lock; the settings' IMMEDIATE mode makes it wait its turn instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

WORKER = textwrap.dedent(
    """
    import os, sys, django
    django.setup()
    from django.db import connection, transaction
    failures = 0
    for i in range(40):
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM ldai_probe")
                    count = cursor.fetchone()[0]
                    cursor.execute("INSERT INTO ldai_probe (worker, seen) VALUES (%s, %s)", [sys.argv[1], count])
        except Exception as error:  # the test reports what went wrong, whatever it is
            failures += 1
            print("FAIL", type(error).__name__, error, file=sys.stderr)
    print(failures)
    """
)


def test_concurrent_read_then_write_transactions_never_fail(tmp_path: Path):
    env = {**os.environ, "LDAI_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "lti_tool.site.settings"}
    env.pop("DATABASE_URL", None)
    setup = "import django; django.setup(); from django.db import connection; connection.cursor().execute('CREATE TABLE ldai_probe (worker TEXT, seen INTEGER)')"
    subprocess.run([sys.executable, "-c", setup], env=env, check=True)
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(n)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for n in range(6)]
    results = [worker.communicate(timeout=120) for worker in workers]
    failures = [int(out.strip() or "-1") for out, _ in results]
    assert failures == [0] * 6, [err for _, err in results if err][:2]
    count = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.db import connection; c = connection.cursor(); c.execute('SELECT COUNT(*) FROM ldai_probe'); print(c.fetchone()[0])"],
        env=env, check=True, capture_output=True, text=True,
    )
    assert int(count.stdout) == 6 * 40
