"""Screen measurements of the running demo, the way the screens review of 2026-11-29 took them.

Drives Debian's Chromium (headless, through Playwright) against a running Waypoint server
that holds the demo program, and prints, measured on the real pages:

1. the chart's heights (``document.documentElement.scrollHeight``) at 1280x800 for each
   clinical role (physician, nurse, counselor, incentives, intake) over a sample of the
   demo's charts (median / min / max), and the physician's at 390x844: the face sheet
   ``/patients/<id>/`` and every tab its tab bar links to (``/patients/<id>/chart/<tab>/``,
   first page), each tab's median and max, and the tallest chart page of the role
   (``tallest``; issue 19 asks for at most 3 screens, 2,400 px);
2. the heights of ``/care/sessions/day/``, ``/care/census/``, the home page and ``/audit/``
   at 1280x800, each signed in as a role that sees it;
3. on ``/dosing/`` at 390x844 with a patient selected: the y position of the first "Give"
   button (its top, in page pixels) and whether the document scrolls sideways
   (``scrollWidth > clientWidth``);
4. click counts for the review's tasks, counting every click, choice (select option,
   checkbox) and press the script makes, and not typing: 1b register from an inquiry (with
   the duplicate warning), 1f+1g admit, 2 sign a buprenorphine order, 3 dose at the window,
   4a schedule a group, 4b attendance, 7a public ZIP + buprenorphine search on a phone.

The chart sample is the patients linked from the census board, taken evenly. Task 4 WRITES
to the database (an inquiry, a patient, an admission, an order, doses, a session), so run it
on a throwaway demo database, never on real data:

    export DATABASE_URL=sqlite:///$PWD/var/measure/demo.sqlite3 WAYPOINT_SECRET_KEY=x
    .venv/bin/waypoint migrate && .venv/bin/waypoint demo
    .venv/bin/waypoint serve --port 8765 &
    .venv/bin/python bench/screens.py --base-url http://127.0.0.1:8765 [--charts 30] [--json F]

The demo logins are ``demo_<role>`` / ``<role>-demo-2026`` (README). The roles that need a
second factor (physician, admin, auditor) type a code computed from the authenticator key
``waypoint demo`` printed: save its output and pass it (``--demo-output var/measure/demo.log``).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# The chart's sections (the banner, the flags and each card with an id) and their heights.
SECTION_HEIGHTS = """() => Array.from(document.querySelectorAll(
  'main section.banner, main section#flags, main section.card[id], main nav.tabs'))
  .map(e => [e.id || e.className, Math.round(e.getBoundingClientRect().height)])"""
ROLES = ["physician", "nurse", "counselor", "incentives", "intake"]


def height(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollHeight"))


class Clicks:
    """Counts the user's choices; typing (fill) is not counted."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.n = 0

    def click(self, locator: Any) -> None:
        self.n += 1
        locator.first.click()
        self.page.wait_for_load_state("load")

    def select(self, locator: Any, **kw: Any) -> None:
        self.n += 1
        locator.first.select_option(**kw)

    def check(self, locator: Any) -> None:
        self.n += 1
        locator.first.check()


TOTP_KEYS: dict[str, str] = {}  # username -> base32 key, from ``waypoint demo``'s output
USED_STEP: dict[str, int] = {}  # a code is accepted once: the next sign-in waits a step


def read_keys(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) == 9 and parts[0].startswith("demo_"):
                TOTP_KEYS[parts[0]] = "".join(parts[1:])


def totp(key: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits): the code an authenticator shows."""
    raw = base64.b32decode(key + "=" * (-len(key) % 8))
    counter = int((time.time() if at is None else at) // 30).to_bytes(8, "big")
    mac = hmac.new(raw, counter, hashlib.sha1).digest()
    off = mac[-1] & 15
    return f"{(int.from_bytes(mac[off : off + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def login(browser: Any, base: str, role: str, viewport: dict[str, int]) -> tuple[Any, Any]:
    ctx = browser.new_context(viewport=viewport, base_url=base)
    page = ctx.new_page()
    page.set_default_timeout(30_000)
    page.goto("/login/")
    page.fill("#id_username", f"demo_{role}")
    page.fill("#id_password", f"{role}-demo-2026")
    page.click("button[type=submit]")
    page.wait_for_load_state("load")
    if "/login/verify" in page.url and f"demo_{role}" in TOTP_KEYS:
        while int(time.time() // 30) <= USED_STEP.get(role, -1):
            time.sleep(1)
        USED_STEP[role] = int(time.time() // 30)
        page.fill("#id_code", totp(TOTP_KEYS[f"demo_{role}"]))
        page.press("#id_code", "Enter")
        page.wait_for_load_state("load")
    if "/login/" in page.url:
        raise SystemExit(f"cannot sign in as demo_{role}")
    return ctx, page


def chart_ids(browser: Any, base: str, n: int, sample: str = "census") -> list[int]:
    ctx, page = login(browser, base, "physician", DESKTOP)
    hrefs: list[str] = []
    # "all": every patient a one-letter name search finds (any vowel), open episode or not.
    for path in ["/care/census/"] if sample == "census" else [f"/patients/?q={v}" for v in "aeiou"]:
        page.goto(path)
        hrefs += page.eval_on_selector_all(
            "main a[href^='/patients/']", "els => els.map(e => e.href)"
        )
    ctx.close()
    ids = sorted({int(m.group(1)) for h in hrefs if (m := re.search(r"/patients/(\d+)/", h))})
    if len(ids) <= n:
        return ids
    step = len(ids) / n
    return [ids[int(i * step)] for i in range(n)]


def summary(values: list[int]) -> dict[str, Any]:
    return {
        "n": len(values),
        "median": int(statistics.median(values)),
        "min": min(values),
        "max": max(values),
    }


def measure_charts(
    browser: Any, base: str, ids: list[int], roles: list[str] = ROLES
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    runs = [(r, DESKTOP, r) for r in roles]
    if "physician" in roles:
        runs.append(("physician", PHONE, "physician@390"))
    for role, viewport, key in runs:
        ctx, page = login(browser, base, role, viewport)
        hs = []
        parts: dict[str, list[int]] = {}
        tabs: dict[str, list[int]] = {}
        tallest = (0, "")
        for pid in ids:
            resp = page.goto(f"/patients/{pid}/")
            if resp is None or resp.status != 200:
                continue
            hs.append(height(page))
            tallest = max(tallest, (hs[-1], f"/patients/{pid}/"))
            for sid, h in page.evaluate(SECTION_HEIGHTS):
                parts.setdefault(sid, []).append(h)
            links = page.locator("main nav.tabs a").evaluate_all("els => els.map(e => e.href)")
            for url in links[1:]:  # the first is the face sheet itself
                if page.goto(url) is None:
                    continue
                name = url.rstrip("/").rsplit("/", 1)[1]
                tabs.setdefault(name, []).append(height(page))
                tallest = max(tallest, (tabs[name][-1], url.replace(base, "")))
                for sid, h in page.evaluate(SECTION_HEIGHTS):
                    parts.setdefault(sid, []).append(h)
        ctx.close()
        out[key] = summary(hs) if hs else {"n": 0}
        if hs:
            out[key]["tabs"] = {
                k: {"median": int(statistics.median(v)), "max": max(v)} for k, v in tabs.items()
            }
            out[key]["tallest"] = {"px": tallest[0], "page": tallest[1]}
            out[key]["section_medians"] = dict(
                sorted(
                    ((k, int(statistics.median(v))) for k, v in parts.items()),
                    key=lambda kv: -kv[1],
                )
            )
        print(f"chart {key}: {out[key]}", flush=True)
    return out


def measure_pages(browser: Any, base: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, role in [
        ("/care/sessions/day/", "counselor"),
        ("/care/census/", "counselor"),
        ("/", "physician"),
        ("/", "nurse"),
        ("/", "counselor"),
        ("/", "intake"),
        ("/", "incentives"),
        ("/audit/", "auditor"),
        ("/audit/", "admin"),
    ]:
        ctx, page = login(browser, base, role, DESKTOP)
        resp = page.goto(path)
        out[f"{path} as {role}"] = {
            "status": resp.status if resp else None,
            "final_url": page.url.replace(base, ""),
            "height": height(page),
        }
        ctx.close()
        print(f"page {path} as {role}: {out[f'{path} as {role}']}", flush=True)
    return out


def measure_dosing_phone(browser: Any, base: str) -> dict[str, Any]:
    """The first due patient with a Give button, selected from the list at 390 px."""
    ctx, page = login(browser, base, "nurse", PHONE)
    page.goto("/dosing/")
    links = page.eval_on_selector_all(
        "#window-board a[href*='patient=']", "els => els.map(e => e.getAttribute('href'))"
    )
    result: dict[str, Any] = {"candidates": len(links)}
    for href in links[:30]:
        page.goto("/dosing/" + href if href.startswith("?") else href)
        give = page.locator("button.give")
        if give.count():
            box = give.first.bounding_box()
            scroll_y = page.evaluate("window.scrollY")
            result.update(
                url=page.url.replace(base, ""),
                give_top_px=round(box["y"] + scroll_y),
                give_bottom_px=round(box["y"] + box["height"] + scroll_y),
                within_first_screen=box["y"] + scroll_y + box["height"] <= PHONE["height"],
                scroll_width=page.evaluate("document.documentElement.scrollWidth"),
                client_width=page.evaluate("document.documentElement.clientWidth"),
                height=height(page),
            )
            result["scrolls_sideways"] = result["scroll_width"] > result["client_width"]
            break
    ctx.close()
    print(f"dosing@390: {result}", flush=True)
    return result


def task(name: str, fn: Callable[[], dict[str, Any]], out: dict[str, Any]) -> None:
    try:
        out[name] = fn()
    except Exception as e:  # a task that fails is reported, not counted
        out[name] = {"error": f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"}
    print(f"task {name}: {out[name]}", flush=True)


def measure_tasks(
    browser: Any, base: str, stamp: str, only: set[str] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    state: dict[str, Any] = {}

    def t1b() -> dict[str, Any]:
        # An inquiry (task 1a, not counted here) named like an existing patient, so that
        # registration meets the duplicate warning.
        ctx, page = login(browser, base, "intake", DESKTOP)
        page.goto("/patients/?q=a")
        row = page.locator("tr:has(a[href^='/patients/'])").first
        last, first = row.locator("a").inner_text().split("\u201c")[0].strip().split(", ", 1)
        dob = row.locator("td").nth(2).inner_text().strip()
        name = f"{first} {last}"
        page.goto("/intake/new/")
        page.fill("#name", f"{name} {stamp}")
        page.fill("#first_name", first)
        page.fill("#last_name", last)
        page.fill("#date_of_birth", dob)
        page.click("form button.primary[type=submit]")
        page.wait_for_load_state("load")
        if "/intake/inquiries/" not in page.url:
            page.goto("/intake/inquiries/")
            page.locator(f"a:has-text('{stamp}')").first.click()
            page.wait_for_load_state("load")
        # Counted: from the inquiry page.
        c = Clicks(page)
        # The inquiry does not hold the sex assigned at birth: the user chooses it.
        c.select(page.locator("#sex_at_birth"), value="male")
        c.click(page.locator("#make-patient-form button[type=submit]"))
        warned = page.locator("#confirm-new").count() > 0
        kept = page.input_value("#make-patient-form [name=last_name]") != ""
        first_clicks = c.n
        if warned:
            c.click(page.locator("#confirm-new"))
        page.wait_for_load_state("load")
        link = page.locator("#patient-link")
        registered = link.count() > 0
        if registered:
            state["patient_href"] = link.get_attribute("href")
            state["mrn"] = link.inner_text().rsplit("MRN", 1)[-1].strip()
            state["inquiry_url"] = page.url
        ctx.close()
        return {
            "clicks": c.n,
            "before_warning": first_clicks,
            "after_warning": c.n - first_clicks,
            "duplicate_warning": warned,
            "values_kept_on_warning": kept,
            "registered": registered,
        }

    def t1fg() -> dict[str, Any]:
        ctx, page = login(browser, base, "intake", DESKTOP)
        page.goto(state["inquiry_url"])
        page.click("#patient-link")  # opening the chart was counted in the review's 1c
        page.wait_for_load_state("load")
        c = Clicks(page)
        form = page.locator("#admit-form")
        # The reviewer's choices: the level (the opioid treatment program), the referral
        # source and the primary substance; a select already filled in is not touched.
        levels = form.locator("#ad-level option").all_inner_texts()
        otp = next((x for x in levels if "opioid treatment" in x.lower()), None)
        prefilled = []
        if otp and form.locator("#ad-level option:checked").inner_text() != otp:
            c.select(form.locator("#ad-level"), label=otp)
            form.locator("#ad-reason").fill("measurement: opioid treatment program")
        for sel, want in [("#ad-ref", None), ("#ad-sub", "fentanyl")]:
            if form.locator(sel).input_value():
                prefilled.append(sel)
                continue
            labels = form.locator(f"{sel} option").all_inner_texts()
            pick = next((x for x in labels if want and want in x.lower()), labels[1])
            c.select(form.locator(sel), label=pick)
        c.click(form.locator("button[type=submit]"))
        admitted = page.locator("#admit-form").count() == 0
        page.goto(state["inquiry_url"])
        status = page.locator("#inquiry-status").inner_text()
        ctx.close()
        return {
            "clicks": c.n,
            "admitted": admitted,
            "prefilled": prefilled,
            "inquiry_status_after": status,
        }

    def t2() -> dict[str, Any]:
        ctx, page = login(browser, base, "physician", DESKTOP)
        page.goto("/")
        c = Clicks(page)
        c.click(page.locator("nav a:has-text('Patients')"))
        page.fill("input[name=q]", state["mrn"])
        c.click(page.locator("form button[type=submit]").filter(has_not_text="Sign out"))
        if "/patients/" not in page.url or not re.search(r"/patients/\d+/", page.url):
            c.click(page.locator("table a[href^='/patients/']"))
        chart_url = page.url
        if not page.locator("#order-form").count():  # the face sheet: the Medication tab
            c.click(page.locator("#tab-medication"))
        form = page.locator("#order-form")
        summary_el = page.locator("details:has(#order-form) > summary")
        if summary_el.count() and not summary_el.first.evaluate("e => e.parentElement.open"):
            c.click(summary_el)
        c.select(form.locator("#o-med"), value="buprenorphine")
        form.locator("[name=dose_mg]").fill("4")
        c.select(form.locator("#o-ind"), value="standard")
        form.locator("#o-sign-pw").fill("physician-demo-2026")
        c.click(form.locator("#order-sign"))
        done = page.locator(".form-done, ul.messages li").all_inner_texts()
        refused = page.locator(".error-summary").all_inner_texts()
        signed = bool(done) and not refused
        state["chart_url"] = chart_url
        ctx.close()
        return {
            "clicks": c.n,
            "signed": signed,
            "done": done[:1],
            "refused": refused[:1],
            "chart": chart_url.replace(base, ""),
        }

    def t3() -> dict[str, Any]:
        # The review's task: a patient on today's due list, found by MRN, then dosed. The
        # patient is picked (not counted) as the first due one whose panel offers "Give".
        ctx, page = login(browser, base, "nurse", DESKTOP)
        page.goto("/dosing/")
        links = page.eval_on_selector_all(
            "#window-board a[href*='patient=']", "els => els.map(e => e.getAttribute('href'))"
        )
        mrn = None
        for href in links[:40]:
            page.goto("/dosing/" + href if href.startswith("?") else href)
            if page.locator("button.give").count():
                mrn = re.search(r"MRN (\d+)", page.locator("#dose-panel .ids").inner_text())
                break
        if not mrn:
            ctx.close()
            return {"clicks": None, "note": "no due patient with a Give button"}
        page.goto("/dosing/")
        c = Clicks(page)
        page.fill("#q", mrn.group(1))
        c.click(page.locator("#window-search button[type=submit]"))
        if page.locator("#found a").count():
            c.click(page.locator("#found a"))
        c.click(page.locator("button.give"))
        done = page.locator(".form-done, ul.messages li").all_inner_texts()
        refused = page.locator(".error-summary").all_inner_texts()
        ctx.close()
        return {"clicks": c.n, "mrn": mrn.group(1), "done": done[:1], "refused": refused[:1]}

    def t4a() -> dict[str, Any]:
        ctx, page = login(browser, base, "counselor", DESKTOP)
        page.goto("/")
        c = Clicks(page)
        c.click(page.locator("nav a:has-text('Sessions')"))
        c.click(page.locator("#schedule-session"))
        kind = page.locator("#kind option").all_inner_texts()
        group = next((k for k in kind if "group" in k.lower()), None)
        if group:
            c.select(page.locator("#kind"), label=group)
        page.fill("#title", f"Measured group {stamp}")
        page.fill("#date", time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400)))
        page.fill("#time", "10:00")
        boxes = page.locator("#caseload input[type=checkbox]")
        picked = min(8, boxes.count())
        for i in range(picked):
            c.check(boxes.nth(i))
        c.click(page.locator("#session-form button[type=submit]"))
        done = page.locator(".form-done, ul.messages li").all_inner_texts()
        refused = page.locator(".error-summary").all_inner_texts()
        ctx.close()
        return {"clicks": c.n, "roster": picked, "done": done[:1], "refused": refused[:1]}

    def t4b() -> dict[str, Any]:
        # Record one unrecorded attendee as attended and one as absent. Rows of sessions
        # that have not started are refused (the clicks counted are those of the try that
        # saved; refused tries are reported apart). Before the day's first session (the
        # site's early morning) the day before is used: its rows are recorded late.
        ctx, page = login(browser, base, "counselor", DESKTOP)
        page.goto("/")
        page.click("nav a:has-text('Sessions')")  # reaching the page: not the per-row cost
        page.wait_for_load_state("load")
        today = page.input_value("#date")
        result: dict[str, Any] = {"refused_tries": 0}
        for day in [today, "setup"]:
            if day == "setup":
                # No started session with an unrecorded row (the demo records the past):
                # schedule one today that started at 00:00 site time (setup, not counted).
                page.goto("/care/sessions/new/")
                page.fill("#title", f"Measured attendance {stamp}")
                page.fill("#date", today)
                page.fill("#time", "00:00")
                page.fill("#duration", "60")
                boxes = page.locator("#caseload input[type=checkbox]")
                for i in range(min(2, boxes.count())):
                    boxes.nth(i).check()
                page.click("#session-form button[type=submit]")
                page.wait_for_load_state("load")
                result["setup"] = page.locator(
                    ".form-done, ul.messages li, .error-summary"
                ).all_inner_texts()[:1]
                page.goto(f"/care/sessions/day/?date={today}")
            result["day"] = (
                f"{today} ({'scheduled at 00:00 by the script' if day == 'setup' else 'as found'})"
            )
            tried = 0
            for status in ["attended", "absent"]:
                result[status] = None
                while True:
                    forms = page.locator("form.attendance-form:has(select option[value=''])")
                    if tried >= forms.count():
                        break
                    f = forms.nth(tried)
                    c = Clicks(page)
                    c.select(f.locator("select[name=status]"), value=status)
                    c.click(f.locator("button[type=submit]"))
                    if page.locator(".error-summary").count():
                        tried += 1
                        result["refused_tries"] += 1
                        err = page.locator(".error-summary").first.inner_text()
                        result["last_refusal"] = err[:120]
                        continue
                    result[status] = c.n
                    done = page.locator(".form-done, ul.messages li").all_inner_texts()
                    result[f"{status}_done"] = done[:1]
                    break
            if result["attended"] is not None:
                break
        ctx.close()
        return result

    def t7a() -> dict[str, Any]:
        ctx = browser.new_context(viewport=PHONE, base_url=base, is_mobile=True, has_touch=True)
        page = ctx.new_page()
        page.goto("/find/")
        c = Clicks(page)
        page.fill("#zip", "07102")
        summary_el = page.locator("#locator-form details > summary")
        if summary_el.count() and not summary_el.first.evaluate("e => e.parentElement.open"):
            c.click(summary_el)
        c.check(page.locator("input[name=service][value=buprenorphine]"))
        c.click(page.locator("#search"))
        heading = page.locator("main h2").first.inner_text()
        unknown_text = ""
        if page.locator("#unknown-services").count():
            unknown_text = page.locator("#unknown-services > p").first.inner_text()[:400]
        rows = page.locator("#results li.facility").count()
        unknown_rows = page.locator("#unknown-services li.facility").count()
        first_card_tel = page.locator("li.facility").first.locator("a[href^='tel:']").count()
        unknown = page.locator("#unknown-services").count()
        phones = page.locator("a[href^='tel:']").count()
        ctx.close()
        return {
            "taps": c.n,
            "heading": heading,
            "matching_rows_on_page": rows,
            "call_to_ask_rows_on_page": unknown_rows,
            "first_card_has_tel": bool(first_card_tel),
            "unknown_section": bool(unknown),
            "unknown_text": unknown_text,
            "tel_links": phones,
        }

    for name, fn in [
        ("1b", t1b),
        ("1f+1g", t1fg),
        ("2", t2),
        ("3", t3),
        ("4a", t4a),
        ("4b", t4b),
        ("7a", t7a),
    ]:
        if only is None or name in only:
            task(name, fn, out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--charts", type=int, default=30)
    ap.add_argument(
        "--sample",
        choices=["census", "all"],
        default="census",
        help="charts from the census board's links, or from every patient the search lists",
    )
    ap.add_argument("--json")
    ap.add_argument("--demo-output", help="the output of `waypoint demo` (authenticator keys)")
    ap.add_argument("--tasks", help="comma list of the tasks to run (default: all)")
    ap.add_argument("--roles", default=",".join(ROLES), help="roles whose charts are measured")
    ap.add_argument("--skip", default="", help="comma list of: charts,pages,dosing,tasks")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        sys.exit("Debian's chromium is not installed")
    skip = set(filter(None, args.skip.split(",")))
    if args.demo_output:
        read_keys(args.demo_output)
    base = args.base_url.rstrip("/")
    result: dict[str, Any] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        if "charts" not in skip:
            ids = chart_ids(browser, base, args.charts, args.sample)
            result["chart_ids"] = ids
            roles = [r for r in args.roles.split(",") if r]
            result["charts"] = measure_charts(browser, base, ids, roles)
        if "pages" not in skip:
            result["pages"] = measure_pages(browser, base)
        if "dosing" not in skip:
            result["dosing_390"] = measure_dosing_phone(browser, base)
        if "tasks" not in skip:
            only = set(args.tasks.split(",")) if args.tasks else None
            stamp = f"M{int(time.time()) % 100000}"
            result["tasks"] = measure_tasks(browser, base, stamp, only)
        browser.close()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
