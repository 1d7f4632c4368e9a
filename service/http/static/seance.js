// Projector page of a draw: follows the draw's state without anyone touching the screen.
// Polls a small JSON document; when the state changes (commitment published, dice
// entered, ranking done), the page reloads to show the new step. No inline script.
(function () {
  "use strict";
  var root = document.querySelector("[data-etat-url]");
  if (!root) { return; }
  var url = root.getAttribute("data-etat-url");
  var shown = root.getAttribute("data-etat");
  var live = document.getElementById("etat-direct");
  var typing = function () {
    var a = document.activeElement;
    return a && a.tagName === "TEXTAREA" && a.value.trim() !== "";
  };
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (etat) {
        if (!etat) { return; }
        if (live) { live.textContent = etat.status_label; }
        if (etat.status !== shown && !typing()) { window.location.reload(); }
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, 2000); });
  }
  window.setTimeout(poll, 2000);
}());
