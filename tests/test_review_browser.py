"""The reviewer app in a real browser (Playwright driving Debian's chromium)."""
import os
import re
import socket
import threading
import time
from pathlib import Path

import pytest

from review import auth
from review.app import Settings, create_app
from review.demo import migrated_sqlite, seed_item

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
SHOT = Path(__file__).resolve().parent.parent / "bench" / "out" / "item-page.png"


def need_chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} missing")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    need_chromium()
    import uvicorn
    from argon2 import PasswordHasher

    app = create_app(migrated_sqlite(tmp_path), Settings(workers=0), processor=lambda *a: {})
    saved, auth._hasher = auth._hasher, PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    try:
        with app.state.sessions.begin() as s:
            auth.add_user(s, "rita", "reviewer", "password-r")
            top = seed_item(s, n=1, insured_id="P-1",
                            confidence={"total_amount": 0.42, "country": 0.6}).id
            seed_item(s, n=2, fields={"total_amount": "12.00"}, confidence={"total_amount": 0.95})
    finally:
        auth._hasher = saved
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    end = time.monotonic() + 10
    while not srv.started and time.monotonic() < end:
        time.sleep(0.02)
    assert srv.started
    yield f"http://127.0.0.1:{port}", top
    srv.should_exit = True
    thread.join(5)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.set_default_timeout(10_000)
        errors = []
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        yield pg
        browser.close()
    assert errors == []  # no script errors, no Content-Security-Policy violations


def test_login_claim_correct_total_approve_and_see_audit(server, page):
    base, top = server
    page.goto(f"{base}/queue")
    assert "/login" in page.url
    page.fill("input[name=name]", "rita")
    page.fill("input[name=password]", "password-r")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/queue"))
    assert page.locator("tr[data-item]").count() == 2

    page.click("#claim-next")  # the first item in priority order
    page.wait_for_url(re.compile(rf"/items/{top}$"))
    assert page.locator("#item-state").inner_text() == "claimed"
    page.locator(".page img").first.wait_for()
    page.wait_for_function("() => document.querySelector('.page img').naturalWidth > 0")
    assert page.locator('.box.lo[data-field="total_amount"]').count() == 1

    # Tab goes from one field needing attention to the next (total -> country), skipping others
    page.focus("#f-total_amount")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-country"

    page.fill("#f-total_amount", "abc")
    page.wait_for_function("() => document.getElementById('err-total_amount').textContent.length > 0")
    page.fill("#f-total_amount", "150.00")
    page.wait_for_function("() => document.getElementById('eur').textContent.startsWith('150.00')")
    assert page.locator("#err-total_amount").inner_text() == ""
    page.hover('tr[data-field="total_amount"]')
    SHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOT), full_page=False)

    page.focus("#f-total_amount")
    page.keyboard.press("Control+Enter")  # the approve shortcut
    page.wait_for_selector("#outcome")
    assert "approved by rita" in page.locator("#outcome").inner_text()
    audit = page.locator("#audit").inner_text()
    assert re.search(r"rita\s+edit\s+total_amount\s+123.45\s+150.00", audit)
    assert re.search(r"rita\s+approve\s+decision\s+claimed\s+approved", audit)


def test_reject_shortcut_asks_for_a_reason_first(server, page):
    base, top = server
    page.goto(f"{base}/login")
    page.fill("input[name=name]", "rita")
    page.fill("input[name=password]", "password-r")
    page.click("button[type=submit]")
    page.goto(f"{base}/items/{top}")
    page.keyboard.press("c")  # claim shortcut
    page.wait_for_selector("#act-reject")
    page.locator("body").click(position={"x": 5, "y": 900})
    page.keyboard.press("r")
    assert page.evaluate("document.activeElement.id") == "note"  # not submitted without a reason
    page.fill("#note", "not a medical invoice")
    page.click("#act-reject")
    page.wait_for_selector("#outcome")
    assert "rejected by rita" in page.locator("#outcome").inner_text()


def test_add_edit_and_remove_line_items(server, page):
    base, top = server
    page.goto(f"{base}/login")
    page.fill("input[name=name]", "rita")
    page.fill("input[name=password]", "password-r")
    page.click("button[type=submit]")
    page.goto(f"{base}/items/{top}")
    page.keyboard.press("c")
    page.wait_for_selector("#add-line")
    assert page.is_hidden("#lines-warning")
    page.click("#add-line")  # line 1, removed again below
    assert page.evaluate("document.activeElement.id") == "f-line_items[0].description"
    page.click("#add-line")
    amount = page.locator('[name="line_items[1].amount"]')
    amount.fill("abc")
    page.wait_for_function(
        "() => document.getElementById('err-line_items[1].amount').textContent.length > 0")
    page.fill('[name="line_items[1].description"]', "X-ray")
    amount.fill("20,00")
    page.select_option('[name="line_items[1].treatment_type"]', "laboratory")
    page.wait_for_selector("#lines-warning:not([hidden])")  # 20.00 against a total of 123.45
    assert "add up to 20.00" in page.locator("#lines-warning").inner_text()
    page.locator('tr[data-line="0"] .remove-line').click()
    assert page.locator("#lines tbody tr").count() == 1
    page.focus('[name="line_items[1].description"]')
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#outcome")
    audit = page.locator("#audit").inner_text()
    assert re.search(r'rita\s+edit\s+line_items\[1\]\s+\{"amount": "20.00", "description": "X-ray", '
                     r'"treatment_type": "laboratory"\}', audit)
    assert "line_items[0]" not in audit
