// While the worker reads long copy, show how far it has got and show the findings once it is done.
(function () {
  "use strict";
  var box = document.getElementById("tone-progress");
  if (!box) { return; }
  var bar = box.querySelector("[role=progressbar]");
  var fill = box.querySelector(".tone-progress-bar");
  var status = document.getElementById("tone-progress-status");
  var delay = 1000;
  function show(percent) {
    bar.setAttribute("aria-valuenow", String(percent));
    bar.setAttribute("aria-valuetext", percent + "%");
    fill.style.width = percent + "%";
    status.textContent = (status.dataset.say || "__PERCENT__%").replace("__PERCENT__", String(percent));
  }
  show(parseInt(fill.dataset.percent || "0", 10));
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.ready) { window.location.assign(body.url); return; }
        show(body.percent || 0);
        delay = Math.min(delay * 1.5, 10000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, delay);
})();
