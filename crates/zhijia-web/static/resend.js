// The SMS resend countdown (templates/worker_sign_in.html): the button waits the seconds the
// server said (data-wait), counting down on the button, then becomes usable. Without this
// script the page still says when a new code may be asked for, and the server decides.
(function () {
  'use strict';
  var button = document.querySelector('button[data-wait]');
  if (!button) return;
  var left = parseInt(button.getAttribute('data-wait'), 10) || 0;
  if (left <= 0) return;
  var label = button.textContent;
  var note = document.querySelector('[data-wait-text]');
  var started = Date.now();
  var total = left;
  button.disabled = true;
  if (note) note.hidden = true;
  function tick() {
    left = Math.max(0, total - Math.floor((Date.now() - started) / 1000));
    if (left === 0) {
      button.disabled = false;
      button.textContent = label;
      return;
    }
    button.textContent = label + '(' + left + '秒)';
    setTimeout(tick, 1000);
  }
  tick();
})();
