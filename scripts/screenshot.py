"""Take the README screenshots: a demo patient's chart face sheet as a physician sees it,
the nurse's home page and the program dashboard as the director (admin) sees it.

Starts from a fresh temporary SQLite database, loads the demo program, serves it with
`waypoint serve` on a free loopback port, signs in each role in Debian's Chromium
(Playwright's own browser download is not used; the roles that must use a second factor
enter the code `waypoint demo-logins --codes` gives) and saves PNGs in docs/:
screenshot-chart.png (the first screen, 1280x800), screenshot-home-nurse.png (the whole page)
and screenshot-dashboard.png (the whole page, 1280 wide). The server and the temporary
database are removed afterwards.

    .venv/bin/python scripts/screenshot.py [--out-dir docs]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEWPORT = {"width": 1280, "height": 800}
# (file, role, path ("{patient}" is the chosen patient), whole page?)
SHOTS = (
    ("screenshot-chart.png", "physician", "/patients/{patient}/", False),
    ("screenshot-home-nurse.png", "nurse", "/", True),
    ("screenshot-dashboard.png", "admin", "/dashboard/", True),
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def waypoint_bin() -> str:
    for candidate in (Path(sys.executable).parent / "waypoint", ROOT / ".venv/bin/waypoint"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which("waypoint")
    if not found:
        sys.exit("the `waypoint` command is not installed: run `make run` or scripts/venv.sh")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited early (status {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (loopback URL)
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"the server did not answer {url} within {timeout:.0f} s")


def pick_patient(db_path: Path) -> int:
    """A demo patient the face sheet has most to show for: an active medication order, a
    PHQ-9, and the most drug tests (then the lowest id)."""
    db = sqlite3.connect(db_path)
    try:
        row = db.execute(
            "SELECT p.id FROM patients_patient p "
            "JOIN medication_medicationorder o ON o.patient_id = p.id AND o.stopped_at IS NULL "
            "LEFT JOIN labs_drugtest t ON t.patient_id = p.id "
            "WHERE EXISTS (SELECT 1 FROM assessments_assessment a "
            "WHERE a.patient_id = p.id AND a.instrument = 'phq9') "
            "GROUP BY p.id ORDER BY COUNT(t.id) DESC, p.id LIMIT 1"
        ).fetchone()
        row = row or db.execute("SELECT id FROM patients_patient ORDER BY id LIMIT 1").fetchone()
    finally:
        db.close()
    if row is None:
        sys.exit("the demo loaded no patients")
    return int(row[0])


def second_factor_code(waypoint: str, env: dict, username: str) -> str:
    """The demo account's code of this moment (`waypoint demo-logins --codes`)."""
    out = subprocess.run(
        [waypoint, "demo-logins", "--codes"], env=env, check=True, capture_output=True, text=True
    ).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == username:
            return parts[1]
    sys.exit(f"no second-factor code for {username} in `waypoint demo-logins --codes`")


def shoot(base_url: str, patient_id: int, out_dir: Path, waypoint: str, env: dict) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Debian's chromium is not installed: apt-get install chromium")
    out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            for name, role, path, whole in SHOTS:
                context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="en-US")
                page = context.new_page()
                username = f"demo_{role}"
                page.goto("/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", f"{role}-demo-2026")
                page.click("main button[type=submit]")
                # the home page, or the second step of the sign-in for the roles that need it
                page.wait_for_url(lambda url: "/login/" not in url or "/login/verify/" in url)
                if "/login/verify/" in page.url:
                    page.fill("#id_code", second_factor_code(waypoint, env, username))
                    page.click("main button[type=submit]")
                page.wait_for_url(lambda url: url.split("#")[0] == f"{base_url}/")  # home
                response = page.goto(path.format(patient=patient_id))
                if response is None or response.status != 200:
                    status = response.status if response else "no answer"
                    sys.exit(f"{path} answered {status} for {username}")
                page.screenshot(path=str(out_dir / name), full_page=whole)
                context.close()
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    waypoint = waypoint_bin()

    with tempfile.TemporaryDirectory(prefix="waypoint-shot-") as tmp:
        db_path = Path(tmp) / "waypoint.sqlite3"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{db_path}",
            "WAYPOINT_SECRET_KEY": secrets.token_urlsafe(50),
            "WAYPOINT_DEBUG": "0",
            "WAYPOINT_HOME": tmp,
        }
        env.pop("WAYPOINT_HTTPS", None)
        for cmd in (["migrate"], ["demo"]):
            subprocess.run([waypoint, *cmd], env=env, check=True, stdout=subprocess.DEVNULL)
        patient_id = pick_patient(db_path)

        port = free_port()
        log_path = Path(tmp) / "server.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [waypoint, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_for(f"{base_url}/api/v1/health", server)
            shoot(base_url, patient_id, args.out_dir, waypoint, env)
        except BaseException:
            print(log_path.read_text(errors="replace")[-4000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            try:
                server.wait(timeout=25)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    for name, *_ in SHOTS:
        print(f"saved {args.out_dir / name}")


if __name__ == "__main__":
    main()
