// The region picker (templates/region_picker.html): province → city → county lists. Choosing
// a level loads the next one from /api/v1/regions/{code}/children and keeps the chosen code in
// the hidden input the form posts; the server checks the code again, this script only helps.
(function () {
  'use strict';
  function option(value, text) {
    var o = document.createElement('option');
    o.value = value; o.textContent = text; return o;
  }
  function reset(select, prompt) {
    while (select.options.length) select.remove(0);
    select.appendChild(option('', prompt));
  }
  Array.prototype.forEach.call(document.querySelectorAll('fieldset.region'), function (box) {
    var depth = parseInt(box.getAttribute('data-depth'), 10) || 3;
    var hidden = box.querySelector('input[type=hidden]');
    var selects = Array.prototype.slice.call(box.querySelectorAll('select'));
    selects.forEach(function (select, i) {
      select.addEventListener('change', function () {
        var code = select.value;
        var any = box.getAttribute('data-any-level') === '1';
        // With any level allowed, clearing a list falls back to the one above it.
        hidden.value = i + 1 === depth || (any && code) ? code : (any && i > 0 ? selects[i - 1].value : '');
        for (var j = i + 1; j < selects.length; j++) {
          reset(selects[j], selects[j].getAttribute('data-prompt'));
          selects[j].disabled = true;
        }
        if (!code || i + 1 >= selects.length) return;
        var next = selects[i + 1];
        fetch('/api/v1/regions/' + encodeURIComponent(code) + '/children', { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (places) {
            places.forEach(function (p) { next.appendChild(option(p.code, p.name)); });
            next.disabled = false;
            // A municipality has one city, its own name: choose it at once.
            if (places.length === 1) { next.value = places[0].code; next.dispatchEvent(new Event('change')); }
          })
          .catch(function () { next.disabled = false; });
      });
    });
  });
})();
