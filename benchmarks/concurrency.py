"""Ten browser sessions open the overview at once: how long until each has finished rendering?

Usage: python -m benchmarks.concurrency DATABASE_URL [--sessions 10]
Starts the real app, opens N headless-Chromium pages concurrently (one browser, N contexts, so N
Streamlit sessions) and prints one JSON object with every session's seconds. Budget: all < 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from tests.browser import CHROMIUM, CHROMIUM_ARGS, app_server

READY = ('[data-testid="stApp"][data-test-connection-state="CONNECTED"]'
         '[data-test-script-state="notRunning"]')


async def _one(browser, url: str) -> float:
    context = await browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = await context.new_page()
    t0 = time.perf_counter()
    await page.goto(url)
    await page.get_by_role("heading", name="总览").first.wait_for(timeout=120_000)
    await page.wait_for_selector(READY, timeout=120_000)
    await page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=120_000)
    seconds = time.perf_counter() - t0
    await context.close()
    return seconds


async def _all(url: str, sessions: int) -> list[float]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return list(await asyncio.gather(*(_one(browser, url) for _ in range(sessions))))
        finally:
            await browser.close()


def measure(database_url: str, sessions: int = 10) -> dict:
    with app_server(database_url) as base:
        times = asyncio.run(_all(base + "/", sessions))
    return {"sessions": sessions, "max_s": round(max(times), 2),
            "median_s": round(sorted(times)[len(times) // 2], 2),
            "all_s": [round(t, 2) for t in times]}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="并发打开总览页 / concurrent overview sessions")
    ap.add_argument("database_url")
    ap.add_argument("--sessions", type=int, default=10)
    args = ap.parse_args()
    print(json.dumps(measure(args.database_url, args.sessions)))
