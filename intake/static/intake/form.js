// Follow-up questions appear and disappear as answers change, without a reload.
// The server decides what is shown (the same rule as when the form is saved);
// with JavaScript off, the page shows the new follow-ups after "Spara utkast".
(function () {
  const form = document.getElementById("svarsformular");
  if (!form) return;
  const url = form.dataset.visibilityUrl;
  let pending = null;

  async function refresh() {
    const body = new FormData(form);
    const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
    if (!response.ok) return;
    const shown = new Set((await response.json()).shown);
    for (const block of form.querySelectorAll(".question[data-variable]")) {
      block.hidden = !shown.has(block.dataset.variable);
    }
  }

  form.addEventListener("change", () => {
    clearTimeout(pending);
    pending = setTimeout(refresh, 150);
  });
})();
