// Signing out removes the browser's copies of unsaved form input
// (intake/form.js), so the next person on this computer cannot read them.
// A static file, not inline: the Content-Security-Policy allows no inline script.
"use strict";
document.getElementById("logga-ut")?.addEventListener("submit", () => {
  document.body.dataset.loggarUt = "ja"; // and the form stores no new copy
  try {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith("naravard:utkast:")) localStorage.removeItem(key);
    }
  } catch (error) {
    /* storage unavailable: nothing stored either */
  }
});
