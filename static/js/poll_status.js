// While a worker scores an audit or lays out a PDF, ask for its status and go to the result as soon as it is ready.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll-status]");
  if (!box) { return; }
  var delay = 1000;
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.done) { window.location.assign(body.url); return; }
        delay = Math.min(delay * 1.5, 10000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, delay);
})();
