// Live progress of a long job in the back office (a dues campaign, a newsletter being
// sent). A section with data-progress-url and data-live="1" polls that JSON endpoint
// every two seconds and writes each value into the element whose data-field names it
// (numbers in French, lists as their length, "percent" also into the progress bar);
// once the JSON says "finished", the page reloads so status and buttons are current.
(function () {
  "use strict";
  var numbers = new Intl.NumberFormat("fr-FR");

  function show(section, progress) {
    var bar = section.querySelector('[data-field="percent-bar"]');
    if (bar) {
      bar.value = progress.percent;
      bar.textContent = progress.percent + " %";
    }
    Object.keys(progress).forEach(function (name) {
      var node = section.querySelector('[data-field="' + name + '"]');
      var value = progress[name];
      if (!node) {
        return;
      }
      if (Array.isArray(value)) {
        value = value.length;
      }
      node.textContent = typeof value === "number" ? numbers.format(value) : value;
    });
  }

  function follow(section) {
    var url = section.dataset.progressUrl;

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (progress) {
          show(section, progress);
          if (progress.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 2000);
          }
        })
        .catch(function () {
          window.setTimeout(poll, 10000);
        });
    }

    window.setTimeout(poll, 2000);
  }

  document.querySelectorAll('[data-progress-url][data-live="1"]').forEach(follow);
})();
