// Live progress of a dues campaign in the back office: polls the campaign's JSON
// endpoint every two seconds until it has finished, then reloads the page once so
// that the read-only fields (errors, finish time) show the final state.
(function () {
  "use strict";
  var section = document.getElementById("campaign-progress");
  if (!section || section.dataset.finished === "1") {
    return;
  }
  var url = section.dataset.progressUrl;

  function show(name, value) {
    var node = section.querySelector('[data-field="' + name + '"]');
    if (node) {
      node.textContent = value;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (progress) {
        var bar = section.querySelector('[data-field="percent-bar"]');
        if (bar) {
          bar.value = progress.percent;
          bar.textContent = progress.percent + " %";
        }
        show("percent", progress.percent);
        show("status_label", progress.status_label);
        show("processed", progress.processed);
        show("total", progress.total);
        show("invoices_issued", progress.invoices_issued);
        show("errors", progress.errors.length);
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

  window.setTimeout(poll, 1000);
})();
