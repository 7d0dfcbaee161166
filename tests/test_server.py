"""``waypoint serve`` as a real gunicorn server on a loopback port, on a throwaway database of
the kind the suite runs on (see test_cli.py): it is gunicorn, WAYPOINT_HTTPS=1 turns on
secure cookies, HSTS and the redirect, and a kill -9 in the middle of a burst of writes
loses nothing that was acknowledged.

``Server``, ``Writers`` and the ``servers`` fixture are shared with test_backup.py.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.test_cli import PASSWORD, WAYPOINT, Database, staffed_template

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _group_pids(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group, from /proc."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


class Server:
    """``waypoint serve`` in its own process group, on a free loopback port."""

    def __init__(self, db: Database, workers: int = 2, **env: str | None) -> None:
        self.db = db
        self.workers = workers
        self.env = db.env(**env)
        self.port = 0
        self.proc: subprocess.Popen | None = None
        self.log_path = db.workdir / f"serve-{id(self)}.log"

    def start(self, timeout: float = 60) -> Server:
        self.port = free_port()
        log = open(self.log_path, "ab")  # noqa: SIM115 (the child keeps it)
        self.proc = subprocess.Popen(
            [str(WAYPOINT), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", str(self.workers)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            cwd=self.db.workdir,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"waypoint serve exited {self.proc.returncode}: {self.log()}")
            try:
                if self.call("GET", "/api/v1/health", timeout=2)[0] == 200:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"waypoint serve did not answer within {timeout}s: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]

    def call(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: object = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[int, http.client.HTTPMessage, object]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            hdrs = dict(headers or {})
            data = None
            if body is not None:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                hdrs.setdefault("Content-Type", "application/json")
            if token:
                hdrs["Authorization"] = f"Bearer {token}"
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            raw = resp.read()
        finally:
            conn.close()
        try:
            payload: object = json.loads(raw) if raw else None
        except ValueError:
            payload = raw.decode("utf-8", "replace")
        return resp.status, resp.headers, payload

    def kill9(self) -> None:
        """SIGKILL the whole process group (master and workers) and wait until it is gone."""
        assert self.proc is not None
        pgid = self.proc.pid
        os.killpg(pgid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while _group_pids(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _group_pids(pgid), "server processes survived kill -9"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass


@pytest.fixture
def staffed_db(tmp_path):
    """A throwaway database with site KC, users t_<role> and their tokens."""
    db, tokens = staffed_template(tmp_path)
    yield db, tokens
    db.drop()


@pytest.fixture
def servers():
    """Start servers with ``servers(db, **env)``; all are stopped at the end of the test."""
    yield from server_pool()


def server_pool():
    started: list[Server] = []

    def start(db: Database, workers: int = 2, **env: str | None) -> Server:
        server = Server(db, workers, **env)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


def _letters(n: int) -> str:
    out = ""
    while True:
        n, r = divmod(n, 26)
        out = "abcdefghijklmnopqrstuvwxyz"[r] + out
        if n == 0:
            return out.capitalize()


class Writers:
    """Threads that register patients through the API until told to stop (or a bound is hit);
    every acknowledged (201) patient is remembered."""

    def __init__(self, server: Server, token: str, threads: int = 5, per_thread: int = 400):
        self.server, self.token = server, token
        self.acknowledged: dict[str, int] = {}  # mrn -> patient id
        self.unexpected: list[tuple[int, object]] = []
        self.interrupted = 0  # requests cut off by a dead server (outcome unknown)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._run, args=(t, per_thread), daemon=True)
            for t in range(threads)
        ]

    def __enter__(self) -> Writers:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in self.threads), "writer threads did not stop"

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def wait_for(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.count() < n and time.monotonic() < deadline:
            if self.unexpected:
                break
            time.sleep(0.02)
        assert not self.unexpected, self.unexpected[:3]
        assert self.count() >= n, f"only {self.count()} patients registered in {timeout}s"

    def _run(self, thread: int, per_thread: int) -> None:
        for i in range(per_thread):
            if self.stop.is_set():
                return
            body = {
                "first_name": f"Writer{_letters(thread)}",
                "last_name": f"Case{_letters(i)}",
                "date_of_birth": f"19{50 + thread % 40}-0{1 + i % 9}-1{i % 9}",
                "site": "KC",
                # many writers, names alike on purpose: this measures concurrent writes
                "confirm_not_duplicate": True,
            }
            try:
                status, _, payload = self.server.call(
                    "POST", "/api/v1/patients", self.token, body, timeout=60
                )
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.interrupted += 1
                time.sleep(0.01)
                continue
            with self.lock:
                if status == 201 and isinstance(payload, dict):
                    if payload["mrn"] in self.acknowledged:
                        self.unexpected.append((status, f"MRN {payload['mrn']} given twice"))
                    self.acknowledged[payload["mrn"]] = payload["id"]
                else:
                    self.unexpected.append((status, payload))


def db_patients(db: Database) -> list[tuple[str, int]]:
    return db.query("SELECT mrn, id FROM patients_patient")


def assert_consistent(db: Database, verify: bool = True) -> int:
    """MRNs unique, one creation audit event per patient, ``audit verify`` passes (unless
    ``verify`` is false). Returns the number of patients."""
    mrns = [mrn for mrn, _ in db_patients(db)]
    assert len(mrns) == len(set(mrns)), "duplicate MRNs"
    created = db.scalar(
        "SELECT COUNT(*) FROM audit_auditevent WHERE action = 'create' AND object_type = 'patient'"
    )
    assert created == len(mrns), "every patient has exactly one creation audit event"
    if verify:
        r = db.cli("audit", "verify")
        assert r.returncode == 0, r.stdout + r.stderr
    return len(mrns)


# --- tests --------------------------------------------------------------------------------


def _secure(cookie: str) -> bool:
    return re.search(r";\s*Secure(;|$)", cookie, re.IGNORECASE) is not None


def _login(server: Server, headers: dict[str, str]) -> tuple[int, http.client.HTTPMessage]:
    """Sign in through the HTML login form; return the answer to the POST."""
    status, hdrs, page = server.call("GET", "/login/", headers=headers)
    assert status == 200, (status, page)
    csrf = re.search(r"csrftoken=([^;]+)", hdrs.get("Set-Cookie", "")).group(1)
    form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"csrfmiddlewaretoken={form}&username=t_intake&password={PASSWORD}".encode()
    status, hdrs, _ = server.call(
        "POST",
        "/login/",
        body=body,
        headers={
            **headers,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
            "Origin": f"{'https' if headers else 'http'}://127.0.0.1:{server.port}",
            "Referer": f"{'https' if headers else 'http'}://127.0.0.1:{server.port}/login/",
        },
    )
    return status, hdrs


def test_serve_is_gunicorn_and_plain_http_by_default(staffed_db, servers):
    db, _ = staffed_db
    server = servers(db, workers=2)
    status, headers, body = server.call("GET", "/api/v1/health")
    assert (status, body) == (200, {"status": "ok"})
    assert headers["Server"].startswith("gunicorn"), headers["Server"]
    cmdline = Path(f"/proc/{server.proc.pid}/cmdline").read_bytes().split(b"\0")
    assert b"gunicorn" in cmdline and b"waypoint.wsgi:application" in cmdline, cmdline
    children = Path(f"/proc/{server.proc.pid}/task/{server.proc.pid}/children").read_text()
    assert len(children.split()) == 2, "two workers were asked for"

    # Without WAYPOINT_HTTPS: plain HTTP, no HSTS, cookies not marked Secure.
    status, headers, _ = server.call("GET", "/login/")
    assert status == 200
    assert "Strict-Transport-Security" not in headers
    assert "csrftoken=" in headers["Set-Cookie"] and not _secure(headers["Set-Cookie"])
    status, headers = _login(server, {})
    assert status == 302, status
    cookies = headers.get_all("Set-Cookie")
    session = next(c for c in cookies if c.startswith("sessionid="))
    assert "HttpOnly" in session and not _secure(session)


def test_https_mode_secure_cookies_hsts_and_redirect(staffed_db, servers):
    db, _ = staffed_db
    server = servers(db, workers=1, WAYPOINT_HTTPS="1")
    # Plain HTTP is redirected to https (the health check stays reachable for the proxy).
    status, headers, _ = server.call("GET", "/login/")
    assert status == 301 and headers["Location"].startswith("https://"), (status, headers)
    status, headers, _ = server.call("GET", "/api/v1/openapi.json")
    assert status == 301 and headers["Location"] == (
        f"https://127.0.0.1:{server.port}/api/v1/openapi.json"
    )
    assert server.call("GET", "/api/v1/health")[0] == 200

    # Behind the TLS proxy (X-Forwarded-Proto from loopback): HSTS and Secure cookies.
    https = {"X-Forwarded-Proto": "https"}
    status, headers, _ = server.call("GET", "/login/", headers=https)
    assert status == 200
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert _secure(headers["Set-Cookie"])
    status, headers = _login(server, https)
    assert status == 302, status
    session = next(c for c in headers.get_all("Set-Cookie") if c.startswith("sessionid="))
    assert _secure(session) and "HttpOnly" in session


def test_kill_9_in_the_middle_loses_no_acknowledged_patient(staffed_db, servers):
    db, tokens = staffed_db
    server = servers(db, workers=3)
    with Writers(server, tokens["intake"], threads=6) as writers:
        writers.wait_for(40)
        server.kill9()
    assert not writers.unexpected, writers.unexpected[:3]
    assert writers.interrupted >= 1, "the kill did not land in the middle of the writes"
    acknowledged = dict(writers.acknowledged)
    assert len(acknowledged) >= 40

    # Restart on the same database: everything acknowledged is there, nothing doubled.
    server = servers(db)
    stored = dict(db_patients(db))
    lost = set(acknowledged) - set(stored)
    assert not lost, f"{len(lost)} acknowledged patients lost: {sorted(lost)[:5]}"
    assert all(stored[mrn] == pid for mrn, pid in acknowledged.items())

    # The restarted server serves them and keeps giving out new, unique MRNs.
    some_mrn, some_id = next(iter(acknowledged.items()))
    status, _, body = server.call("GET", f"/api/v1/patients/{some_id}", tokens["intake"])
    assert status == 200 and body["mrn"] == some_mrn, (status, body)
    status, _, body = server.call(
        "POST",
        "/api/v1/patients",
        tokens["intake"],
        {
            "first_name": "After",
            "last_name": "Restart",
            "date_of_birth": "1970-05-05",
            "site": "KC",
        },
    )
    assert status == 201, body
    assert body["mrn"] not in stored
    # MRNs unique, one audit event per patient, the audit chain intact.
    assert assert_consistent(db) == len(stored) + 1
