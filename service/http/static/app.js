// Behaviour shared by every page. The Content-Security-Policy forbids inline script and
// on…= attributes: pages mark elements with data-* attributes and this file binds them.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-imprimer]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
});
