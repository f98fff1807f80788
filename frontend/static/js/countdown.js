// The time left of a speaker's turn on the projector view (大屏): every element with data-ends (an ISO moment)
// shows minutes:seconds to it, refreshed each second; past it, 0:00 and the element is marked overtime. The page's
// own text (until HH:MM:SS) stays for a browser without script.
(function () {
  function tick() {
    document.querySelectorAll("[data-ends]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.ends) - Date.now()) / 1000);
      var s = Math.max(left, 0);
      el.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      el.classList.toggle("overtime", left <= 0);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
