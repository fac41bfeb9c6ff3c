// Suggestions on the join form (templates/join.html): an input with data-suggest fills its
// <datalist> from that JSON address as the worker types; picking an employer fills its credit
// code into the field named by data-fill. The server resolves a typed name the same way, so
// the form works without this script.
(function () {
  'use strict';
  Array.prototype.forEach.call(document.querySelectorAll('input[data-suggest]'), function (input) {
    var list = document.getElementById(input.getAttribute('list'));
    var fill = input.getAttribute('data-fill');
    var target = fill ? input.form.querySelector('input[name="' + fill + '"]') : null;
    var codes = {};
    var timer = null, asked = '';
    function pick() {
      if (target && codes[input.value]) target.value = codes[input.value];
    }
    function load() {
      var q = input.value.trim();
      if (!q || q === asked || codes[q]) return;
      asked = q;
      fetch(input.getAttribute('data-suggest') + '?q=' + encodeURIComponent(q), { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          while (list.firstChild) list.removeChild(list.firstChild);
          items.forEach(function (it) {
            var o = document.createElement('option');
            if (it.credit_code) {
              o.value = it.name; o.label = it.credit_code; codes[it.name] = it.credit_code;
            } else {
              o.value = it.name + '（' + it.place + '）'; o.label = it.place;
            }
            list.appendChild(o);
          });
          pick();
        })
        .catch(function () {});
    }
    input.addEventListener('input', function () {
      pick();
      clearTimeout(timer);
      timer = setTimeout(load, 250);
    });
    input.addEventListener('change', pick);
  });
})();
