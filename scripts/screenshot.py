"""Take the README screenshot: a demo patient's chart as a physician sees it.

Starts from a fresh temporary SQLite database, loads the demo program, serves it with
`waypoint serve` on a free loopback port, signs in as demo_physician in Debian's Chromium
(Playwright's own browser download is not used) and saves a full-page PNG at
docs/screenshot-chart.png. The server and the temporary database are removed afterwards.

    .venv/bin/python scripts/screenshot.py [--out docs/screenshot-chart.png]
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
USERNAME, PASSWORD = "demo_physician", "physician-demo-2026"
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
    """A demo patient with a full record (pronouns, address, emergency contact) if any."""
    db = sqlite3.connect(db_path)
    try:
        full = db.execute(
            "SELECT id FROM patients_patient WHERE pronouns <> '' AND address_line1 <> '' "
            "AND emergency_contact_name <> '' AND phone <> '' ORDER BY id LIMIT 1"
        ).fetchone()
        row = full or db.execute("SELECT id FROM patients_patient ORDER BY id LIMIT 1").fetchone()
    finally:
        db.close()
    if row is None:
        sys.exit("the demo loaded no patients")
    return int(row[0])


def shoot(base_url: str, patient_id: int, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("Debian's chromium is not installed: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(
                base_url=base_url, viewport={"width": 1200, "height": 900}, locale="en-US"
            )
            page.goto("/login/")
            page.fill("#id_username", USERNAME)
            page.fill("#id_password", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(f"{base_url}/")
            page.goto(f"/patients/{patient_id}/")
            page.wait_for_selector(".banner h1")
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=True)
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot-chart.png")
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
            shoot(base_url, patient_id, args.out)
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
    print(f"saved {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")


if __name__ == "__main__":
    main()
