"""Journey: the verifiable record. The street office runs a witness on its own machine (`linli witness key`, then
`run`), which the log's operator registered (`linli witness add`); a resident who opened Linli once before scans a
printed notice's QR code with the phone in airplane mode: the verifier page, kept by the service worker, checks the
proof in the browser (WebCrypto) and says it is valid and witnessed by 和平街道. Back online, it also checks today's
record. axe-core on the verifier page."""

from __future__ import annotations

import subprocess
import tempfile
import time
import urllib.request

from e2e.conftest import LINLI, ROOT, SERVER_ENV
from e2e.helpers import check_a11y, under_service_worker

WITNESS = "和平街道"


def linli(*args: str) -> str:
    done = subprocess.run([LINLI, *args], env=SERVER_ENV, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.strip()


def a_notice(base: str) -> str:
    """The first notice on the board, once a checkpoint covers it (the rounds sign one every 15 s after a change)."""
    page = urllib.request.urlopen(base + "/board", timeout=10).read().decode()
    start = page.index('href="/board/notices/') + len('href="')
    return page[start : page.index('"', start)]


def witnessed_proof_link(phone_page, base: str, folder: str) -> str:
    """The QR's link on the notice's print view, once the witness cosigned the checkpoint it carries (a journey
    running alongside may publish, and so make a newer checkpoint: the witness then cosigns that one too)."""
    log_key = linli("witness", "log-key")
    notice = a_notice(base)
    said = []
    for _ in range(20):
        run = subprocess.run([LINLI, "witness", "run", base, "--name", WITNESS, "--log-key", log_key, "--dir", folder],
                             env=SERVER_ENV, cwd=ROOT, capture_output=True, text=True, timeout=60)  # fmt: skip
        said.append(run.stdout.strip() + run.stderr.strip()[-300:])
        phone_page.goto(notice + "/print")
        if phone_page.get_by_text(WITNESS).count():
            return phone_page.locator("a.qr-link").get_attribute("href")
        time.sleep(1)
    raise AssertionError(f"the print view never carried a witnessed proof; the witness said: {said[-3:]}")


def test_a_notice_scanned_offline_is_valid_and_witnessed(phone, live_server):
    folder = tempfile.mkdtemp(prefix="linli-witness-")
    linli("witness", "add", subprocess.run(
        [LINLI, "witness", "key", "--name", WITNESS, "--dir", folder], capture_output=True, text=True, check=True
    ).stdout.strip())  # fmt: skip
    page = phone()
    under_service_worker(page)  # Linli opened once: its service worker keeps the verifier page
    link = witnessed_proof_link(page, live_server, folder)
    assert "/verify/proof#" in link, "the QR carries the proof itself"
    # The verifier page kept at install may predate the witness: opened online once since, the phone keeps the copy
    # that knows it (the service worker prefers the copy seen last).
    page.goto("/verify/proof")
    page.wait_for_function("() => caches.open('linli-pages').then((c) => c.match('/verify/proof')).then(Boolean)")

    page.context.set_offline(True)  # airplane mode
    page.goto(link)
    verdict = page.locator("#proof-verdict")
    page.wait_for_function("() => document.getElementById('proof-verdict').dataset.checked")
    assert verdict.get_attribute("data-checked") == "witnessed"
    assert WITNESS in verdict.inner_text() and "有效" in verdict.inner_text()
    check_a11y(page)

    # A proof changed on the way (a character of the leaf's hash) is refused.
    fragment = link.split("#", 1)[1]
    changed = fragment[:20] + ("B" if fragment[20] != "B" else "C") + fragment[21:]
    page.goto(link.split("#", 1)[0] + "#" + changed)
    page.wait_for_function("() => document.getElementById('proof-verdict').dataset.checked === 'refused'")
    page.context.set_offline(False)

    page.goto(link)  # online: today's record is checked too, in the browser
    page.wait_for_function("() => document.getElementById('proof-verdict').dataset.online")
    assert page.locator("#proof-verdict").get_attribute("data-online") == "same"
    assert page.locator("#proof-verdict").get_attribute("data-checked") == "witnessed"
