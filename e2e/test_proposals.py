"""Journey: a resident proposes with a photo, neighbours co-sign on their own phones, the author watches the count
rise live, and at the threshold (3 in the e2e community's rulebook) the board shows 待议."""

import io

from PIL import Image
from playwright.sync_api import expect

from e2e.helpers import check_a11y, sign_in


def photo_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_propose_cosign_live_agenda(phone):
    author = phone()
    sign_in(author, 11)
    author.get_by_role("link", name="我要提事").click()
    author.wait_for_url("**/proposals/new")
    check_a11y(author)

    # A bad submission first: the form comes back with a message and nothing is lost.
    author.get_by_label("标题").fill("楼下健身器材损坏")
    author.get_by_role("button", name="提交议题").click()
    expect(author.get_by_label("具体情况")).to_have_attribute("required", "")
    author.get_by_label("具体情况").fill("单杠松动，孩子玩耍有危险，请尽快维修。")
    author.get_by_label("类别").select_option("facilities")
    author.get_by_label("照片（可不传）").set_input_files(
        files=[{"name": "equipment.png", "mimeType": "image/png", "buffer": photo_png()}]
    )
    # Listened to before the click: the proposal's page is a whole page load (issue 23), whose socket may bring its
    # first frame before wait_for_url returns
    frames: list[object] = []
    author.on("websocket", lambda socket: socket.on("framereceived", lambda frame: frames.append(frame)))
    author.get_by_role("button", name="提交议题").click()
    author.wait_for_url("**/proposals/*-*")
    for _ in range(200):  # the current state arrives as soon as the socket is subscribed
        if frames:
            break
        author.wait_for_timeout(50)
    assert frames, "the live socket sent the current state"
    expect(author.get_by_role("heading", level=1)).to_have_text("楼下健身器材损坏")
    expect(author.locator(".photos img")).to_have_count(1)
    expect(author.locator(".live-count")).to_have_text("附议 0 / 3")
    check_a11y(author)
    proposal_url = author.url

    for count, neighbour_index in enumerate((12, 13, 14), start=1):
        neighbour = phone()
        sign_in(neighbour, neighbour_index)
        neighbour.goto(proposal_url)
        check_a11y(neighbour)
        with neighbour.expect_request("**/cosign") as sent:
            neighbour.get_by_role("button", name="我要附议").click()
        assert sent.value.headers.get("hx-request") == "true", "co-signing goes through htmx"
        assert sent.value.headers.get("x-csrftoken"), "htmx sends the inherited CSRF header"
        expect(neighbour.locator(".done")).to_have_text("您已附议这个议题。")
        # The author's page changes without a reload.
        expect(author.locator(".live-count")).to_have_text(f"附议 {count} / 3")

    expect(author.locator(f"#state-{proposal_url.rsplit('/', 1)[-1]} .badge")).to_have_text("待议")
    author.goto("/proposals?state=on_agenda")
    card = author.locator(".card", has_text="楼下健身器材损坏")
    expect(card.locator(".badge")).to_have_text("待议")
    check_a11y(author)
    author.goto(proposal_url)
    expect(author.locator("ol.timeline li")).to_have_count(5)  # raised, 3 co-signs, on the agenda
    check_a11y(author)


def test_my_account_and_sign_out_everywhere(phone):
    first, second = phone(), phone()
    sign_in(first, 15)
    sign_in(second, 15)
    first.get_by_role("link", name=first.locator(".who").inner_text()).click()
    first.wait_for_url("**/me")
    expect(first.get_by_role("heading", level=1)).to_have_text("我的账号")
    check_a11y(first)
    first.get_by_role("button", name="全部退出登录").click()
    first.wait_for_url("**/signin?signed-out=1")
    expect(first.locator(".flash")).to_have_text("已在所有手机和电脑上退出登录。")
    second.goto("/proposals/new")
    second.wait_for_url("**/signin?next=/proposals/new")
