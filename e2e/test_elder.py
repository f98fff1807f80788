"""Elder mode to the 适老化 rules (issue 23 item 6) on a phone: in elder mode every visible control of the notice
page, a residents' ballot and the proposal list is at least 60 × 60 px, measured; axe-core (colour contrast among
its rules) finds nothing in either mode; and 朗读 reads the notice and the ballot aloud with the browser's own
speech synthesis, or says plainly that this phone cannot. The read-aloud is tried twice: with Chromium's real
speechSynthesis (headless, it may have no voice at all), and with a recording double put in its place before the
page's scripts run, to see what is said, in which language, and that a second press stops it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from backend.demo import BALLOT_MATTER
from e2e.helpers import check_a11y, sign_in

NOTICE_TITLE = "社区活动室开放时间调整"  # backend.demo._demo_disclosure
NOTICE_TEXT = "自下月起，社区活动室每天 8:00–20:00 开放"
MOTION = "同意在东门空地建设电动自行车集中充电棚"  # the demo's residents' online ballot, open now
RESIDENT = 31  # an ordinary verified resident who votes in no other journey
TARGET = 60

# Every control a finger can press, as the page lays it out (a checkbox or radio is pressed through its label too).
CONTROLS = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], [tabindex]';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    const style = getComputedStyle(el);
    let box = el.getBoundingClientRect();
    if (!box.width || !box.height || style.visibility === 'hidden' || el.closest('.skip')) continue;
    if (el.matches('input[type=checkbox], input[type=radio]') && el.labels && el.labels.length) {
      box = el.labels[0].getBoundingClientRect();
    }
    out.push({what: el.outerHTML.slice(0, 100), width: Math.round(box.width * 10) / 10,
              height: Math.round(box.height * 10) / 10});
  }
  return out;
}"""

# A speechSynthesis that records instead of speaking: a zh-CN voice (and an English one), `speaking` while it
# "reads", cancel() counted. Installed by add_init_script, so before read-aloud.js looks for it.
RECORDER = """(() => {
  const voices = [{name: 'Test English', lang: 'en-US', default: true, localService: true, voiceURI: 'en'},
                  {name: 'Test 普通话', lang: 'zh-CN', default: false, localService: true, voiceURI: 'zh'}];
  const log = {spoken: [], cancels: 0};
  window.__speech = log;
  class Utterance { constructor(text) { this.text = text; this.lang = ''; this.voice = null; } }
  const synth = {
    speaking: false, pending: false, paused: false,
    getVoices() { return %s; },
    speak(u) {
      log.spoken.push({text: u.text, lang: u.lang, voice: u.voice && u.voice.lang});
      this.speaking = true;
      setTimeout(() => u.onstart && u.onstart({}), 0);  // and never ends by itself: a long notice
    },
    cancel() { log.cancels += 1; this.speaking = false; },
    pause() {}, resume() {}, addEventListener() {}, removeEventListener() {},
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  Object.defineProperty(window, 'SpeechSynthesisUtterance', {value: Utterance, configurable: true});
})();"""


def notice_page(page: Page) -> None:
    page.goto("/board")
    page.get_by_role("link", name=NOTICE_TITLE).first.click()
    page.wait_for_url("**/board/notices/*")


def ballot_page(page: Page) -> None:
    page.goto("/matters")
    page.get_by_role("link", name=BALLOT_MATTER).click()
    page.get_by_role("link", name="居民会议").first.click()
    page.wait_for_url("**/meetings/*")
    expect(page.get_by_text(MOTION).first).to_be_visible()


def check_contrast(page: Page) -> None:
    """axe-core's whole WCAG AA run, and proof that its colour-contrast rule looked at this page's text."""
    check_a11y(page)
    result = page.evaluate("() => axe.run(document, {runOnly: {type: 'rule', values: ['color-contrast']}})")
    assert result["violations"] == [], result["violations"]
    assert result["passes"] and result["passes"][0]["nodes"], "colour contrast was checked on some text"


def small_controls(page: Page) -> list[dict[str, Any]]:
    return [c for c in page.evaluate(CONTROLS) if c["width"] < TARGET or c["height"] < TARGET]


def test_elder_mode_controls_are_60px_and_contrast_holds(phone):
    page = phone()
    sign_in(page, RESIDENT)
    check_contrast(page)  # the proposal list in the ordinary mode
    page.locator("nav.tabs").get_by_role("link", name="我的").click()  # the switch is on 我的 (issue 23)
    page.get_by_role("button", name="大字").click()
    assert "elder" in page.evaluate("document.documentElement.className")
    for visit in (lambda p: p.goto("/proposals"), notice_page, ballot_page):
        visit(page)
        assert "elder" in page.evaluate("document.documentElement.className")
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
        controls = page.evaluate(CONTROLS)
        assert len(controls) >= 10, controls
        small = "\n".join(f"{c['width']}×{c['height']} {c['what']}" for c in small_controls(page))
        assert not small, f"controls under {TARGET}×{TARGET} px on {page.url}:\n{small}"
        check_contrast(page)


def test_status_words_not_colour_alone(phone):
    """A proposal's state and a matter's finished stages are said in words, not only by their colour."""
    page = phone()
    page.goto("/proposals")
    badges = page.locator(".card .badge")
    assert badges.count() >= 5
    for text in badges.all_inner_texts():
        assert text.strip(), "a state badge says its state"
    page.goto("/matters")
    done = page.locator("ol.stages.compact li.done").first
    expect(done).to_contain_text("已完成")


def test_read_aloud_with_the_real_speech_synthesis(phone):
    """Stub-free: Chromium either speaks (speechSynthesis.speaking, or a 'start') or the button says it cannot."""
    page = phone()
    notice_page(page)
    button = page.locator("[data-read-aloud]")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    # Not a double: the real speak(), passed through, its utterances' 'start' noted.
    page.evaluate(
        """() => { window.__started = false; const speak = speechSynthesis.speak.bind(speechSynthesis);
        speechSynthesis.speak = (u) => { u.addEventListener('start', () => { window.__started = true; }); speak(u); };
        }"""
    )
    button.click()
    page.wait_for_function(
        """() => speechSynthesis.speaking || window.__started
              || ['novoice', 'failed'].includes(document.querySelector('[data-read-aloud]').dataset.readState)""",
        timeout=5_000,
    )
    state = button.get_attribute("data-read-state")
    if state in ("novoice", "failed"):
        expect(button).to_have_text(
            "这部手机没有中文语音，不能朗读。" if state == "novoice" else "朗读没有成功，请再按一次。"
        )
        expect(page.locator(".read-aloud [role=status]")).to_have_text(button.inner_text())
    else:
        expect(button).to_have_text("停止朗读")
        expect(button).to_have_attribute("aria-pressed", "true")
        button.click()
        expect(button).to_have_text("朗读")
        page.wait_for_function("() => !speechSynthesis.speaking")
    check_a11y(page)


def test_read_aloud_says_the_notice_in_chinese_and_stops_on_a_second_press(phone):
    page = phone()
    page.context.add_init_script(RECORDER % "voices")
    notice_page(page)
    button = page.get_by_role("button", name="朗读")
    button.click()
    expect(button).to_have_text("停止朗读")
    expect(button).to_have_attribute("aria-pressed", "true")
    speech = page.evaluate("window.__speech")
    said = "".join(s["text"] for s in speech["spoken"])
    assert NOTICE_TITLE in said and NOTICE_TEXT in said
    assert "预约大型活动请提前三天联系居委会" in said
    assert {s["lang"] for s in speech["spoken"]} == {"zh-CN"}
    assert {s["voice"] for s in speech["spoken"]} == {"zh-CN"}, "the zh voice, not the phone's English default"
    assert "公开栏" not in said, "only the notice, not the page around it"
    cancels = speech["cancels"]
    button.click()
    expect(button).to_have_text("朗读")
    expect(button).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("window.__speech.cancels") > cancels
    assert page.evaluate("speechSynthesis.speaking") is False
    check_a11y(page)


def test_read_aloud_says_the_ballot_its_choices_and_closing_time(phone):
    page = phone()
    page.context.add_init_script(RECORDER % "voices")
    sign_in(page, RESIDENT)
    ballot_page(page)
    page.get_by_role("button", name="朗读").click()
    expect(page.get_by_role("button", name="停止朗读")).to_be_visible()
    said = "".join(s["text"] for s in page.evaluate("window.__speech.spoken"))
    closes = page.locator("main .flash").first.inner_text()  # "…开放，截止 <time>": the same time, as shown
    assert MOTION in said and BALLOT_MATTER in said
    assert "选项：赞成、反对、弃权。" in said
    assert "投票截止时间：" in said
    end = said.split("投票截止时间：", 1)[1].rstrip("。")
    assert end and end in closes, (end, closes)
    page.goto("/proposals")  # and the list that is the home today
    page.get_by_role("button", name="朗读").click()
    said = "".join(s["text"] for s in page.evaluate("window.__speech.spoken"))
    assert "民主提事" in said and page.locator(".card h2").first.inner_text() in said


def test_read_aloud_says_plainly_when_the_phone_cannot(phone):
    no_voice = phone()
    no_voice.context.add_init_script(RECORDER % "voices.slice(0, 1)")  # an English voice only
    notice_page(no_voice)
    button = no_voice.locator("[data-read-aloud]")
    button.click()
    expect(button).to_have_text("这部手机没有中文语音，不能朗读。")
    expect(no_voice.locator(".read-aloud [role=status]")).to_have_text("这部手机没有中文语音，不能朗读。")
    assert no_voice.evaluate("window.__speech.spoken") == []
    no_speech = phone()
    no_speech.context.add_init_script("delete Window.prototype.speechSynthesis; delete window.speechSynthesis;")
    notice_page(no_speech)
    expect(no_speech.locator("[data-read-aloud]")).to_have_text("这部手机不能朗读。")
    check_a11y(no_speech)


def test_read_aloud_is_hidden_without_javascript(browser: Browser, live_server: str):
    context = browser.new_context(base_url=live_server, locale="zh-CN", java_script_enabled=False)
    try:
        page = context.new_page()
        notice_page(page)
        assert page.locator("[data-read-aloud]").count() == 1
        expect(page.locator("[data-read-aloud]")).to_be_hidden()
    finally:
        context.close()
