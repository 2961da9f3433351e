"""Ten browser sessions open the overview at once: how long until each has finished rendering?

Usage: python -m benchmarks.concurrency DATABASE_URL [--sessions 10] [--rounds 3]
Starts the real app, an empty Streamlit page and one headless Chromium, and prints one JSON
object with every session's seconds for three cases:
- `tabs` (the budget: all < 10 s): N tabs of one browser open the overview at once, after one
  earlier visit, as officials who use the dashboard daily do: the app's static files are in the
  browser cache. Each tab is its own Streamlit session.
- `floor`: the same on an empty Streamlit page (benchmarks/empty_page.py), what Streamlit itself
  costs ten tabs on this machine, so the overview's number reads as a ratio.
- `first_visit` (reported once, no budget): N fresh browser contexts (separate caches and
  cookies) open the overview at once with nothing cached, so each also downloads and compiles
  Streamlit's JavaScript; on one 2-core machine that is ten first visits competing for two cores.
`tabs` and `floor` run in `rounds` alternating rounds: on this shared machine one run says
little, so the budget is read on the slowest tab of every round, each beside its own floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from tests.browser import CHROMIUM, CHROMIUM_ARGS, COOKIE, SESSIONS, app_server

READY = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
         '[data-test-script-state="notRunning"]')
VIEWPORT = {"width": 1400, "height": 900}
# The overview's first screen is drawn when its KPI cards and its achievements and city league
# tables (HTML tables named by components/html_table) are there; the plan progress beside the
# achievements comes before them (a table, or a note when the as-of year has no plan).
FIRST_SCREEN = ('[data-testid="stMetric"]', "table#T_achievements", "table#T_league")


async def _open(context, url: str, heading: str = "总览", first_screen: bool = True) -> float:
    """Seconds from navigation until the page has run and (`first_screen`) every kind of element
    of the overview's first screen is drawn."""
    page = await context.new_page()
    t0 = time.perf_counter()
    await page.goto(url)
    await page.get_by_role("heading", name=heading).first.wait_for(timeout=120_000)
    await page.wait_for_selector(READY, timeout=120_000)
    if first_screen:
        for selector in FIRST_SCREEN:
            await page.wait_for_selector(selector, timeout=120_000)
    seconds = time.perf_counter() - t0
    await page.close()
    return seconds


async def _context(browser):
    """A browser context signed in (the session app_server opened), as after the sign-in page."""
    context = await browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    await context.add_cookies([{"name": COOKIE, "value": token, "url": base}
                               for base, token in SESSIONS.items()])
    return context


async def _fresh(browser, url: str) -> float:
    context = await _context(browser)
    try:
        return await _open(context, url)
    finally:
        await context.close()


async def _tabs(browser, url: str, sessions: int, **page) -> list[float]:
    context = await _context(browser)
    try:
        await _open(context, url, **page)  # the earlier visit: static files now cached
        return list(await asyncio.gather(*(_open(context, url, **page)
                                           for _ in range(sessions))))
    finally:
        await context.close()


async def _all(url: str, floor_url: str, sessions: int, rounds: int) -> dict[str, list]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            first = list(await asyncio.gather(*(_fresh(browser, url) for _ in range(sessions))))
            tabs, floor = [], []
            for _ in range(rounds):
                tabs.append(await _tabs(browser, url, sessions))
                floor.append(await _tabs(browser, floor_url, sessions, heading="空白页",
                                         first_screen=False))
            return {"tabs": tabs, "floor": floor, "first_visit": first}
        finally:
            await browser.close()


def _summary(times: list[float]) -> dict:
    return {"max_s": round(max(times), 2), "median_s": round(sorted(times)[len(times) // 2], 2),
            "all_s": [round(t, 2) for t in times]}


def summarise(tabs: list[list[float]], floor: list[list[float]], first: list[float],
              sessions: int) -> dict:
    """Rounds of tab times (and their floors) -> the record: slowest and median tab over all
    rounds, each round's slowest beside its floor's and their ratio, the first visits."""
    rounds = [{"max_s": round(max(t), 2), "floor_max_s": round(max(f), 2),
               "ratio": round(max(t) / max(f), 2)} for t, f in zip(tabs, floor)]
    return {"sessions": sessions, **_summary([t for r in tabs for t in r]), "rounds": rounds,
            "first_visit": _summary(first), "floor": _summary([t for r in floor for t in r])}


def measure(database_url: str, sessions: int = 10, rounds: int = 3) -> dict:
    with app_server(database_url) as base, \
            app_server(database_url, script="benchmarks/empty_page.py") as floor_base:
        times = asyncio.run(_all(base + "/", floor_base + "/", sessions, rounds))
    return summarise(times["tabs"], times["floor"], times["first_visit"], sessions)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="并发打开总览页 / concurrent overview sessions")
    ap.add_argument("database_url")
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(json.dumps(measure(args.database_url, args.sessions, args.rounds)))
