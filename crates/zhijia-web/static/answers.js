// Knowledge-base answers under a case's title (input[data-answers]): while the worker types,
// the three best-matching answers of the legal knowledge base are listed as links in the
// element the input's aria-describedby names, before they file. Without this script the form
// works the same, without the suggestions.
(function () {
  'use strict';
  Array.prototype.forEach.call(document.querySelectorAll('input[data-answers]'), function (input) {
    var box = document.getElementById(input.getAttribute('aria-describedby'));
    var list = box && box.querySelector('ul');
    if (!list) return;
    var timer = null;
    var last = '';
    function show(answers) {
      while (list.firstChild) list.removeChild(list.firstChild);
      answers.forEach(function (a) {
        var li = document.createElement('li');
        var link = document.createElement('a');
        link.href = a.href;
        link.target = '_blank';
        link.rel = 'noopener';
        link.textContent = a.title;
        li.appendChild(link);
        list.appendChild(li);
      });
      box.hidden = answers.length === 0;
    }
    input.addEventListener('input', function () {
      var q = input.value.trim();
      if (q === last) return;
      clearTimeout(timer);
      if (q.length < 2) { last = q; show([]); return; }
      timer = setTimeout(function () {
        last = q;
        fetch(input.getAttribute('data-answers') + '?q=' + encodeURIComponent(q), { credentials: 'same-origin' })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(show)
          .catch(function () {});
      }, 250);
    });
  });
})();
