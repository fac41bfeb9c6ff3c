// Live countdowns to an offer's opening: every [data-countdown] holds the seconds left when the
// page was made; it ticks each second and, at zero, reloads the page so the claim button
// appears (the server decides whether claims are open, never this script).
(function () {
  'use strict';
  var items = Array.prototype.slice.call(document.querySelectorAll('[data-countdown]'));
  if (!items.length) return;
  var started = Date.now();
  function words(s) {
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
    var m = Math.floor(s % 3600 / 60), sec = s % 60;
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    return (d > 0 ? d + '天' : '') + two(h) + ':' + two(m) + ':' + two(sec);
  }
  function tick() {
    var gone = Math.floor((Date.now() - started) / 1000);
    var due = false;
    items.forEach(function (el) {
      var left = Math.max(0, parseInt(el.getAttribute('data-countdown'), 10) - gone);
      el.textContent = words(left);
      if (left === 0) due = true;
    });
    if (due) { setTimeout(function () { location.reload(); }, 1000); return; }
    setTimeout(tick, 1000);
  }
  tick();
})();
