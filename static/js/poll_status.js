// While a worker scores an audit or lays out a PDF, ask for its status and go to the result as soon as it is ready.
(function () {
  "use strict";
  var box = document.querySelector("[data-poll-status]");
  if (!box) { return; }
  var delay = 1000;
  var started = Date.now();
  var said = box.querySelector("[data-say]");  // where the page tells how it is going, if it says anything
  function say(text) { if (said && text) { said.textContent = text; } }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.done) {
          say(box.dataset.sayDone);
          window.location.assign(body.url);
          return;
        }
        if (Date.now() - started > 120000) { say(box.dataset.saySlow); }
        delay = Math.min(delay * 1.5, 10000);
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 10000); });
  }
  setTimeout(poll, delay);
})();
