// Reorder a draft's criteria and questions without reloading the page: "Move up"/"Move down" (keyboard) and drag
// and drop (mouse) both post to the part's move address asking for JSON, then put the parts in the order the
// server answers with. Without this script the same buttons post normally and the page comes back.
(function () {
  "use strict";
  var status = document.getElementById("reorder-status");
  if (!status) { return; }

  function say(text) {
    // Cleared first so the same words said twice are still announced.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function items(list) {
    return Array.prototype.filter.call(list.children, function (el) { return el.hasAttribute("data-reorder-item"); });
  }

  function showEnds(list) {
    var all = items(list);
    all.forEach(function (item, i) {
      var up = item.querySelector("[data-move-form][data-direction=up]");
      var down = item.querySelector("[data-move-form][data-direction=down]");
      if (up && up.closest("[data-reorder-item]") === item) { up.hidden = i === 0; }
      if (down && down.closest("[data-reorder-item]") === item) { down.hidden = i === all.length - 1; }
      var position = item.querySelector("[data-position]");
      if (position && position.closest("[data-reorder-item]") === item) { position.textContent = String(i + 1); }
    });
  }

  function applyOrder(list, ids) {
    var byId = {};
    items(list).forEach(function (item) { byId[item.id.replace(/^\D+-/, "")] = item; });
    ids.forEach(function (id) {
      var item = byId[String(id)];
      if (item) { list.appendChild(item); }
    });
    showEnds(list);
  }

  function csrf(item) {
    var field = item.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function send(item, fields, afterwards) {
    var list = item.parentElement;
    var body = new FormData();
    body.set("csrfmiddlewaretoken", csrf(item));
    Object.keys(fields).forEach(function (name) { body.set(name, fields[name]); });
    list.setAttribute("aria-busy", "true");
    return fetch(item.dataset.moveUrl, {
      method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    }).then(function (result) {
      list.removeAttribute("aria-busy");
      if (!result.ok) { say(result.answer.error || status.dataset.sayFailed || ""); return; }
      applyOrder(list, result.answer.order);
      say(result.answer.message);
      if (afterwards) { afterwards(); }
    }).catch(function () {
      list.removeAttribute("aria-busy");
      say(status.dataset.sayFailed || "");
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-move-form]");
    if (!form) { return; }
    event.preventDefault();
    var item = form.closest("[data-reorder-item]");
    var direction = form.dataset.direction;
    send(item, { direction: direction }, function () {
      // Keep the keyboard where it was: on the same button, or on the other one when this end was reached.
      var forms = item.querySelectorAll("[data-move-form]");
      var same = null, other = null;
      Array.prototype.forEach.call(forms, function (f) {
        if (f.closest("[data-reorder-item]") !== item) { return; }
        if (f.dataset.direction === direction) { same = f; } else { other = f; }
      });
      var target = same && !same.hidden ? same : other;
      if (target) { target.querySelector("button").focus(); }
    });
  });

  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("[data-reorder-item]");
    if (!item || item !== event.target) { return; }
    dragged = item;
    item.classList.add("reorder-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.id);
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("reorder-dragging"); }
    document.querySelectorAll(".reorder-target").forEach(function (el) { el.classList.remove("reorder-target"); });
    dragged = null;
  });

  function dropTarget(event) {
    if (!dragged) { return null; }
    var item = event.target.closest && event.target.closest("[data-reorder-item]");
    // Only among its own siblings: a question stays in its criterion.
    while (item && item.parentElement !== dragged.parentElement) {
      item = item.parentElement.closest("[data-reorder-item]");
    }
    return item && item !== dragged ? item : null;
  }

  document.addEventListener("dragover", function (event) {
    var target = dropTarget(event);
    if (!target) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".reorder-target").forEach(function (el) { el.classList.remove("reorder-target"); });
    target.classList.add("reorder-target");
  });

  document.addEventListener("drop", function (event) {
    var target = dropTarget(event);
    if (!target) { return; }
    event.preventDefault();
    var item = dragged;
    var siblings = items(item.parentElement);
    send(item, { position: String(siblings.indexOf(target) + 1) });
  });

  document.querySelectorAll("[data-reorder]").forEach(showEnds);
})();
