"""Refresh the README screenshots: a demo server in a temp dir, Debian's Chromium, a Pixel 7 viewport.

Run: .venv/bin/python scripts/screenshots.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
LINLI = str(Path(sys.executable).with_name("linli"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def main() -> None:
    data_dir = tempfile.mkdtemp(prefix="linli-shots-")
    env = {**os.environ, "LINLI_DATA_DIR": data_dir, "LINLI_PORT": "8765", "LINLI_DEMO": "1", "LINLI_DATABASE_URL": ""}
    for args in (["migrate"], ["demo"]):
        subprocess.run([LINLI, *args], env=env, check=True, capture_output=True)
    server = subprocess.Popen([LINLI, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = "http://127.0.0.1:8765"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            context = browser.new_context(**p.devices["Pixel 7"], locale="zh-CN")
            page = context.new_page()
            page.goto(base + "/proposals")
            page.screenshot(path=str(OUT / "board.png"))
            page.goto(base + "/signin")
            page.screenshot(path=str(OUT / "signin.png"))
            page.get_by_label("手机号").fill("13800000012")
            page.get_by_label("密码").fill("linli2026")
            page.get_by_role("button", name="登录").click()
            page.wait_for_url("**/proposals")
            page.locator(".card h2 a", has_text="充电桩").click()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / "proposal.png"), full_page=True)
            page.goto(base + "/proposals/new")
            page.get_by_role("button", name="大字").click()
            page.screenshot(path=str(OUT / "propose-elder.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
