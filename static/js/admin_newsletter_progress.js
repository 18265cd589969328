// Live sending progress of a newsletter issue in the back office: polls the issue's
// JSON endpoint every two seconds while it sends, then reloads the page once so the
// status and the buttons show the final state.
(function () {
  "use strict";
  var panel = document.getElementById("sending-panel");
  if (!panel || panel.dataset.live !== "1") {
    return;
  }
  var url = panel.dataset.progressUrl;
  var numbers = new Intl.NumberFormat("fr-FR");

  function show(name, value) {
    var node = panel.querySelector('[data-field="' + name + '"]');
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
        var bar = panel.querySelector('[data-field="percent-bar"]');
        if (bar) {
          bar.value = progress.percent;
          bar.textContent = progress.percent + " %";
        }
        show("percent", progress.percent);
        show("status_label", progress.status_label);
        ["total", "sent", "failed", "remaining"].forEach(function (name) {
          show(name, numbers.format(progress[name]));
        });
        show("rate", progress.rate);
        show("eta", progress.eta);
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
})();
