// Read aloud (朗读, issue 23): the button of frontend/templates/_read_aloud.html reads the page's main content with the
// browser's own speech synthesis, in the page's language (<html lang>, zh-CN) with a voice for it; pressed again, it
// stops. Where the browser cannot speak, or the phone has no voice for the language, the button says so in place and
// a status region tells screen readers: never a press that silently does nothing. Its words are the button's data
// attributes, translated on the server. The state is on the button as data-read-state (idle, speaking, unsupported,
// novoice, failed).
(function () {
  "use strict";
  if (window.linliReadAloud) { return; }  // the macro may be on a page twice: one script, every button
  window.linliReadAloud = true;
  var synth = window.speechSynthesis;
  var Utterance = window.SpeechSynthesisUtterance;
  var able = !!(synth && Utterance && typeof synth.speak === "function");
  var active = null;  // the button whose page is being read
  var run = 0;  // counts starts and stops: the callbacks of a reading stopped meanwhile do nothing

  function norm(tag) { return String(tag || "").replace(/_/g, "-").toLowerCase(); }
  function langOf(button) { return button.getAttribute("data-lang") || document.documentElement.lang || "zh-CN"; }

  // The voice for `lang`: the same tag (zh-CN), else the same language (zh-TW, zh-HK), the phone's default first.
  function pick(voices, lang) {
    var want = norm(lang), primary = want.split("-")[0], exact = [], near = [];
    for (var i = 0; i < voices.length; i++) {
      var tag = norm(voices[i].lang);
      if (tag === want) { exact.push(voices[i]); } else if (tag.split("-")[0] === primary) { near.push(voices[i]); }
    }
    var found = exact.concat(near);
    for (var j = 0; j < found.length; j++) { if (found[j]["default"]) { return found[j]; } }
    return found[0] || null;
  }

  // Chromium loads its voices after the first getVoices(): wait for voiceschanged, at most 1.5 s.
  function withVoices(done) {
    var voices = synth.getVoices() || [];
    if (voices.length) { done(voices); return; }
    var called = false;
    function finish() {
      if (called) { return; }
      called = true;
      if (synth.removeEventListener) { synth.removeEventListener("voiceschanged", finish); }
      done(synth.getVoices() || []);
    }
    if (synth.addEventListener) { synth.addEventListener("voiceschanged", finish); }
    setTimeout(finish, 1500);
  }

  function show(button, key, pressed) {
    var text = button.getAttribute("data-" + key) || "";
    button.textContent = text;
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
    button.setAttribute("data-read-state", key === "label" ? "idle" : key === "stop" ? "speaking" : key);
    var status = button.parentNode.querySelector("[role=status]");
    if (status) { status.textContent = key === "label" || key === "stop" ? "" : text; }
  }

  function stop() {
    run += 1;
    if (able) { synth.cancel(); }
    if (active) { show(active, "label", false); }
    active = null;
  }

  // What to read: the elements the selector names, in the page's order, then the composed words.
  function gather(button) {
    var parts = [], selector = button.getAttribute("data-read-aloud");
    if (selector) {
      var found = document.querySelectorAll(selector);
      for (var i = 0; i < found.length; i++) {
        var text = (found[i].innerText || found[i].textContent || "").trim();
        if (text) { parts.push(text); }
      }
    }
    var extra = button.getAttribute("data-read-text");
    if (extra) { parts.push(extra); }
    return parts.join("\n");
  }

  // Sentences gathered into pieces of at most ~160 characters: Chromium stops a long utterance after ~15 seconds.
  function pieces(text) {
    var sentences = text.match(/[^。！？；!?;\n]+[。！？；!?;]*|\n+/g) || [], out = [], piece = "";
    for (var i = 0; i < sentences.length; i++) {
      var s = sentences[i].trim();
      if (!s) { continue; }
      if (piece && piece.length + s.length > 160) { out.push(piece); piece = ""; }
      piece += (piece ? " " : "") + s;
    }
    if (piece) { out.push(piece); }
    return out;
  }

  function read(button) {
    var mine = (run += 1);
    withVoices(function (voices) {
      if (mine !== run) { return; }
      var lang = langOf(button), voice = pick(voices, lang);
      if (!voice) { show(button, "novoice", false); return; }
      var said = pieces(gather(button));
      if (!said.length) { return; }
      active = button;
      show(button, "stop", true);
      said.forEach(function (text, i) {
        var utterance = new Utterance(text);
        utterance.lang = lang;
        utterance.voice = voice;
        utterance.rate = 0.9;  // a little slower than the default, for elderly listeners
        if (i === said.length - 1) { utterance.onend = function () { if (mine === run) { stop(); } }; }
        utterance.onerror = function (event) {
          var why = event && event.error;
          if (mine !== run || why === "interrupted" || why === "canceled") { return; }
          stop();
          show(button, why === "language-unavailable" || why === "voice-unavailable" ? "novoice" : "failed", false);
        };
        synth.speak(utterance);
      });
    });
  }

  function setUp(button) {
    button.parentNode.hidden = false;
    if (!able) { show(button, "unsupported", false); }
    button.addEventListener("click", function () {
      if (active === button) { stop(); return; }
      stop();
      if (!able) { show(button, "unsupported", false); return; }
      read(button);
    });
  }

  var buttons = document.querySelectorAll("[data-read-aloud]");
  for (var i = 0; i < buttons.length; i++) { setUp(buttons[i]); }
  if (able && buttons.length) {
    // Known before a press where the phone says so at once: no voice for the page's language.
    withVoices(function (voices) {
      for (var k = 0; k < buttons.length; k++) {
        if (voices.length && !pick(voices, langOf(buttons[k])) && buttons[k] !== active) { show(buttons[k], "novoice", false); }
      }
    });
  }
  window.addEventListener("pagehide", stop);  // leaving the page ends its reading
})();
