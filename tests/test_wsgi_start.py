"""A gunicorn worker loads the whole application when it starts (``waypoint/wsgi.py``), not
at its first request: the first request after a start or a restart is as quick as any."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import json, sys
import waypoint.wsgi
from django.db import connection
print(json.dumps({
    "urls": "waypoint.urls" in sys.modules,
    "apis": [m for m in ("waypoint.medication.api", "waypoint.patients.api",
                         "waypoint.fhir.views") if m in sys.modules],
    "connected": connection.connection is not None,
}))
"""


def test_the_worker_loads_every_route_at_start_and_opens_no_database(tmp_path):
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env["DJANGO_SETTINGS_MODULE"] = "waypoint.settings"
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["urls"]
    assert seen["apis"] == [
        "waypoint.medication.api",
        "waypoint.patients.api",
        "waypoint.fhir.views",
    ]
    assert not seen["connected"]  # a worker starts without touching the database
