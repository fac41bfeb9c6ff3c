// Unions found by name (input[data-suggest]): while staff type, the names of the unions within
// their branch that match are offered in the input's <datalist>, from the URL in data-suggest.
// The form posts the name; the server looks it up again within the caller's branch, so without
// this script a typed full name works too.
(function () {
  'use strict';
  Array.prototype.forEach.call(document.querySelectorAll('input[data-suggest]'), function (input) {
    var list = document.getElementById(input.getAttribute('list'));
    if (!list) return;
    var timer = null;
    var last = '';
    input.addEventListener('input', function () {
      var q = input.value.trim();
      if (q === last || !q) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = q;
        fetch(input.getAttribute('data-suggest') + '?q=' + encodeURIComponent(q), { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (orgs) {
            while (list.firstChild) list.removeChild(list.firstChild);
            orgs.forEach(function (o) {
              var opt = document.createElement('option');
              opt.value = o.name;
              if (o.parent_name) opt.label = o.parent_name;
              list.appendChild(opt);
            });
          })
          .catch(function () {});
      }, 200);
    });
  });
})();
