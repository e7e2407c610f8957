// Save the draft as the leader types, and once more when the tab closes, so nothing is lost.
// The page counts as unsaved (form[data-unsaved]) from the first change until the server says it saved that
// change: a failed save (server error, database away, network down) keeps it unsaved and tries again, waiting a
// little longer each time. Only a sign-in page answering means the session ended.
(function () {
  "use strict";
  var form = document.getElementById("audit-section-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var revision = form.querySelector("input[name=revision]");
  var timer = null;
  var edits = 0;        // changes made on this page
  var confirmed = 0;    // changes the server has confirmed as saved
  var inFlight = false;
  var failures = 0;
  var stopped = false;  // a conflict or a signed-out session: saving again here would not help
  var RETRY_FIRST_MS = 1000;
  var RETRY_MAX_MS = 30000;

  // The words come from the page (data-say-* on the status line), so they are in the reader's language.
  function say(key) {
    return status.dataset["say" + key.charAt(0).toUpperCase() + key.slice(1)] || "";
  }

  function unsaved() { return confirmed < edits; }

  function mark() {
    if (unsaved()) { form.dataset.unsaved = "1"; } else { delete form.dataset.unsaved; }
  }

  function payload() {
    var data = new FormData(form);
    data.set("autosave", "1");
    return data;
  }

  function later(ms) {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, ms);
  }

  function retry() {
    failures += 1;
    var wait = Math.min(RETRY_FIRST_MS * Math.pow(2, failures - 1), RETRY_MAX_MS);
    status.textContent = say("offline");
    form.dataset.autosaveRetries = String(failures);
    later(wait);
  }

  function signedOut(response) {
    return response.redirected && new URL(response.url).pathname.indexOf("/accounts/login/") === 0;
  }

  function save() {
    timer = null;
    if (stopped || !unsaved()) { return; }
    if (inFlight) { later(500); return; }
    inFlight = true;
    var sending = edits;
    fetch(form.dataset.autosaveUrl, { method: "POST", body: payload(), credentials: "same-origin" })
      .then(function (response) {
        if (signedOut(response)) {
          stopped = true;  // the answers were kept for after sign-in (assetlens/stash.py)
          status.textContent = say("sessionEnded");
          return;
        }
        var json = (response.headers.get("content-type") || "").indexOf("json") !== -1;
        if (!json) { retry(); return; }
        return response.json().then(function (body) {
          if (body.saved) {
            failures = 0;
            delete form.dataset.autosaveRetries;
            var needLook = Object.keys(body.errors || {}).length > 0;
            // Answers that need a look were not saved: the page stays unsaved until they are fixed and saved.
            if (!needLook) { confirmed = Math.max(confirmed, sending); }
            if (body.revision !== undefined && revision) { revision.value = body.revision; }
            status.textContent = say(needLook ? "savedExcept" : "saved");
            if (unsaved()) { later(800); }  // typed more while this save was on its way
          } else if (body.conflict) {
            // Keep the revision this page was opened at: saving the whole form shows both versions.
            stopped = true;
            status.textContent = say("conflict");
          } else if (body.reason === "submitted") {
            stopped = true;
          } else if (body.reason === "reload" || body.reason === "signed_out") {
            // The form's security token changed (a sign-in in another tab) or the session ended: the answers
            // were kept in the session and come back on reload or after sign-in; the old token never gets through.
            stopped = true;
            status.textContent = say(body.reason === "reload" ? "reload" : "sessionEnded");
          } else {
            retry();
          }
        });
      })
      .catch(retry)
      .then(function () { inFlight = false; mark(); });
  }

  function changed() {
    edits += 1;
    mark();
    if (failures === 0) { later(800); }  // while retrying, the next try carries this change too
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", changed);
  form.addEventListener("submit", function () { stopped = true; if (timer) { clearTimeout(timer); } });
  window.addEventListener("online", function () { if (failures) { later(0); } });
  window.addEventListener("pagehide", function () {
    if (!stopped && unsaved() && navigator.sendBeacon) { navigator.sendBeacon(form.dataset.autosaveUrl, payload()); }
  });
  // Leaving while a save keeps failing: the browser asks first (the beacon above may not get through either).
  window.addEventListener("beforeunload", function (event) {
    if (!stopped && unsaved() && failures > 0) { event.preventDefault(); event.returnValue = ""; }
  });
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
