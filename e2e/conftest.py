"""Playwright against a live `linli serve` with demo data, in Debian's Chromium, phone viewport (Pixel 7)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "e2e" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LINLI = str(Path(sys.executable).with_name("linli"))
OPEN_CONTEXTS: list[BrowserContext] = []
SERVER_ENV: dict[str, str] = {}  # the live server's environment, for a journey that runs `linli` beside it


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    data_dir = Path(tempfile.mkdtemp(prefix="linli-e2e-"))
    port = _free_port()
    env = {
        **os.environ,
        "LINLI_DATA_DIR": str(data_dir),
        "LINLI_PORT": str(port),
        "LINLI_DEMO": "1",
        "LINLI_DATABASE_URL": "",
        "LINLI_SIGNIN_PER_MINUTE": "200",  # every phone of the suite signs in from 127.0.0.1 (the limit: test_signin)
        "LINLI_WORKERS": "2",  # as served on a two-core machine: a journey's requests and websockets cross processes
    }
    SERVER_ENV.update(env)
    for args in (["migrate"], ["demo"], ["rules", "set", "xingfuli", "cosign_threshold", "3"]):
        subprocess.run([LINLI, *args], env=env, check=True, cwd=ROOT, capture_output=True)
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen([LINLI, "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if json.load(response)["status"] == "ok":
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            log.close()
            pytest.fail("server did not start:\n" + (ARTIFACTS / "server.log").read_text()[-3000:])
        time.sleep(0.2)
    yield base
    server.terminate()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(playwright: Playwright, browser: Browser, live_server: str) -> Iterator[Callable[[], Page]]:
    """A factory: each call is a new phone (its own context, cookies and storage)."""
    contexts = OPEN_CONTEXTS

    def new_phone() -> Page:
        context = browser.new_context(**playwright.devices["Pixel 7"], base_url=live_server, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield new_phone
    for context in contexts:
        context.close()
    contexts.clear()


@pytest.fixture
def office_pc(browser: Browser, live_server: str) -> Iterator[Page]:
    """The committee's desktop browser."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server, locale="zh-CN")
    context.set_default_timeout(10_000)
    OPEN_CONTEXTS.append(context)
    yield context.new_page()
    if context in OPEN_CONTEXTS:  # not closed already by the phones' teardown
        OPEN_CONTEXTS.remove(context)
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    """On failure, a screenshot of every open phone into e2e/artifacts/."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for n, context in enumerate(OPEN_CONTEXTS):
            for m, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{item.name}-{n}-{m}.png"), full_page=True)
