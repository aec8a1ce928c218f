// The receipt's "Skriv ut" button. A static file, not an onclick attribute: the
// Content-Security-Policy allows no inline script.
"use strict";
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});
