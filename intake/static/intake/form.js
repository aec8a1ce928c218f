// Two small helpers for the respondent form; the page works without them.
// 1. Follow-up questions appear and disappear as answers change, without a reload.
//    The server decides what is shown (the same rule as when the form is saved);
//    with JavaScript off, new follow-ups show after "Spara utkast".
// 2. Autosave: unsaved changes are saved every 20 seconds (data-autosave-seconds,
//    from the AUTOSAVE_SECONDS setting) and when the tab is hidden or closed, with
//    the same rules as "Spara utkast" (valid answers only, and never over someone
//    else's newer save).
(function () {
  const form = document.getElementById("svarsformular");
  if (!form) return;
  const status = document.getElementById("autospara-status");
  const versionField = form.querySelector('input[name="version"]');
  let pendingVisibility = null;
  let dirty = false;
  let stopped = false;

  async function refreshVisibility() {
    const response = await fetch(form.dataset.visibilityUrl, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
    });
    if (!response.ok) return;
    const shown = new Set((await response.json()).shown);
    for (const block of form.querySelectorAll(".question[data-variable]")) {
      block.hidden = !shown.has(block.dataset.variable);
    }
  }

  function say(text) {
    if (status) status.textContent = text;
  }

  async function autosave() {
    if (!dirty || stopped || !form.dataset.autosaveUrl) return;
    dirty = false;
    let response;
    try {
      response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
      });
    } catch (error) {
      dirty = true;
      say("Kunde inte spara automatiskt just nu. Dina svar finns kvar i formuläret.");
      return;
    }
    const result = await response.json();
    if (result.saved) {
      versionField.value = result.version;
      const time = new Date().toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit" });
      say(`Utkastet sparades automatiskt kl. ${time}.` +
          (Object.keys(result.errors).length ? " Vissa svar behöver rättas innan de kan sparas." : ""));
    } else {
      // A conflict or a locked response: stop, and let the user save by hand to see why.
      stopped = true;
      say(result.message + " Klicka på Spara utkast för att se vad som ändrats.");
    }
  }

  form.addEventListener("change", () => {
    dirty = true;
    clearTimeout(pendingVisibility);
    pendingVisibility = setTimeout(refreshVisibility, 150);
  });
  form.addEventListener("input", () => { dirty = true; });
  form.addEventListener("submit", () => { stopped = true; });
  const seconds = Number(form.dataset.autosaveSeconds) || 20;
  setInterval(autosave, seconds * 1000);

  function saveOnLeave() {
    if (!dirty || stopped || !form.dataset.autosaveUrl) return;
    dirty = false;
    navigator.sendBeacon(form.dataset.autosaveUrl, new FormData(form));
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveOnLeave();
  });
  window.addEventListener("pagehide", saveOnLeave);
})();
