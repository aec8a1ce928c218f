// Small helpers for the respondent form; the page works without them.
// 1. Follow-up questions appear and disappear as answers change, without a reload.
//    The server decides what is shown (the same rule as when the form is saved);
//    with JavaScript off, new follow-ups show after "Spara utkast".
// 2. Autosave: unsaved changes are saved every 20 seconds (data-autosave-seconds,
//    from the AUTOSAVE_SECONDS setting) and when the tab is hidden or closed, with
//    the same rules as "Spara utkast" (valid answers only, merged per question with
//    what others saved: intake/merge.py).
// 3. Unsaved input survives the end of a session (issue #13): it is kept in
//    localStorage (per response, with the version and per-question bases it was
//    typed on) until a save succeeds or the user signs out, and put back when the
//    form is opened again. An ended session (401) or a rotated CSRF token (403)
//    is said in Swedish; a fresh token is fetched so the page can save again.
// 4. "Spara utkast" saves without loading the page again (issue #20), where the
//    page offers it (data-save-url): the server saves only when the save is
//    clean, and the page then shows what the reloaded page would. Anything else
//    saved nothing, and the form is posted as without JavaScript, so the page
//    the server answers shows the errors and collisions.
(function () {
  const form = document.getElementById("svarsformular");
  if (!form) return;
  const status = document.getElementById("autospara-status");
  const sessionNotice = document.getElementById("session-slut");
  const versionField = form.querySelector('input[name="version"]');
  const draftKey = "naravard:utkast:" + form.dataset.draftKey;
  const NOT_STORED = new Set(["csrfmiddlewaretoken", "action"]);
  let pendingVisibility = null;
  let pendingDraft = null;
  let dirty = false;
  let stopped = false;
  let edits = 0; // input since the last autosave started
  let changes = 0; // change events, to tell when the follow-ups are up to date
  let tokenFresh = false;
  let saving = false; // a save by the button in flight: autosave waits for it
  let autosaving = Promise.resolve(); // the autosave in flight, if any

  function say(text) {
    if (status) status.textContent = text;
  }

  // --- the browser's copy of unsaved input --------------------------------------
  function fields() {
    const values = [];
    for (const [name, value] of new FormData(form)) {
      if (!NOT_STORED.has(name) && typeof value === "string") values.push([name, value]);
    }
    return values;
  }

  function storeDraft() {
    // Signing out removes the copies (templates/base.html); leaving the page
    // then must not write one back.
    if (!form.dataset.autosaveUrl || document.body.dataset.loggarUt === "ja") return;
    try {
      localStorage.setItem(draftKey, JSON.stringify({
        version: versionField ? versionField.value : "", fields: fields(),
      }));
    } catch (error) { /* full or unavailable: the page still holds the input */ }
  }

  function clearDraft() {
    try { localStorage.removeItem(draftKey); } catch (error) { /* unavailable */ }
  }

  function readDraft() {
    try { return JSON.parse(localStorage.getItem(draftKey) || "null"); } catch (error) { return null; }
  }

  // The visible answers only: the hidden version and bases differ after any save.
  function visibleValues(pairs) {
    const hidden = new Set([...form.querySelectorAll('input[type="hidden"]')].map((e) => e.name));
    return JSON.stringify(pairs.filter(([name]) => !hidden.has(name)));
  }

  function restoreDraft() {
    if (!form.dataset.autosaveUrl) return;
    if (document.querySelector("[data-utkast-sparat]")) { clearDraft(); return; }
    const draft = readDraft();
    if (!draft || !Array.isArray(draft.fields)) return;
    if (visibleValues(draft.fields) === visibleValues(fields())) { clearDraft(); return; }
    const byName = new Map();
    for (const [name, value] of draft.fields) {
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push(value);
    }
    for (const element of form.elements) {
      if (!element.name || NOT_STORED.has(element.name)) continue;
      const values = byName.get(element.name) || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = values.includes(element.value);
      } else if ("value" in element && element.tagName !== "BUTTON") {
        // The version and bases the input was typed on come back too, so the
        // server merges it with what others saved since (intake/merge.py).
        element.value = values.length ? values[0] : "";
      }
    }
    dirty = true;
    say("Osparade svar som du skrev tidigare har lagts tillbaka i formuläret. Klicka på Spara utkast för att spara dem.");
    refreshVisibility();
  }

  // --- requests ------------------------------------------------------------------
  async function refreshToken() {
    const response = await fetch(form.dataset.csrfUrl, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    const token = (await response.json()).csrf_token;
    for (const input of document.querySelectorAll('input[name="csrfmiddlewaretoken"]')) input.value = token;
  }

  function csrfToken() {
    const input = form.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  // The form's data as JSON [name, value] pairs in the form's order (a multiple
  // choice's repeated name keeps its values), the token in a header: the server
  // reads that with one json.loads in 0,06 ms, where Django's parser took
  // 0,44 ms for the same 164 pairs (issue #20; surveys/http.py, posted_form).
  function jsonBody() {
    const pairs = [];
    for (const [name, value] of new FormData(form)) {
      if (name !== "csrfmiddlewaretoken") pairs.push([name, value]);
    }
    return JSON.stringify(pairs);
  }

  async function post(url) {
    return fetch(url, {
      method: "POST", body: jsonBody(), credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
      },
    });
  }

  async function readJson(response) {
    const type = response.headers.get("Content-Type") || "";
    return type.includes("application/json") ? response.json() : null;
  }

  async function refreshVisibility() {
    const round = changes;
    try {
      let response;
      try { response = await post(form.dataset.visibilityUrl); } catch (error) { return; }
      if (!response.ok) return;
      const shown = new Set((await response.json()).shown);
      for (const block of form.querySelectorAll(".question[data-variable]")) {
        block.hidden = !shown.has(block.dataset.variable);
      }
    } finally {
      // "klar" once the follow-ups match the latest answers (browser tests wait on it).
      if (round === changes) form.dataset.synlighet = "klar";
    }
  }

  function applySaved(result) {
    if (versionField && result.version !== undefined) versionField.value = result.version;
    for (const [variable, base] of Object.entries(result.bases || {})) {
      const field = form.querySelector(`input[name="${CSS.escape(variable + "__bas")}"]`);
      if (field) field.value = base;
    }
  }

  function autosave(retried) {
    if (saving) return autosaving;
    autosaving = autosaveOnce(retried);
    return autosaving;
  }

  async function autosaveOnce(retried) {
    if (!dirty || stopped || !form.dataset.autosaveUrl) return;
    dirty = false;
    const editsAtStart = edits;
    let response;
    let result;
    try {
      response = await post(form.dataset.autosaveUrl);
      result = await readJson(response);
    } catch (error) {
      result = null;
    }
    if (response && response.status === 401) {
      dirty = true;
      if (sessionNotice) sessionNotice.hidden = false;
      say("Dina svar har inte sparats: du är inte inloggad längre.");
      return;
    }
    if (response && response.status === 403 && result && result.csrf_failed && !retried) {
      // Signed in again in another tab: the page's token was replaced.
      dirty = true;
      try { await refreshToken(); } catch (error) { return; }
      await autosaveOnce(true);
      return;
    }
    if (!result) {
      dirty = true;
      say("Kunde inte spara automatiskt just nu. Dina svar finns kvar i formuläret.");
      return;
    }
    if (sessionNotice) sessionNotice.hidden = true;
    applySaved(result);
    if (result.saved) {
      if (edits === editsAtStart) clearDraft();
      const time = new Date().toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit" });
      say(`Utkastet sparades automatiskt kl. ${time}.` +
          (Object.keys(result.refused || {}).length ? " Vissa svar behöver rättas innan de kan sparas; där står de tidigare sparade svaren kvar." : "") +
          ((result.kept || []).length ? " Någon annan har ändrat frågor du inte rört; ladda om sidan för att se dem." : ""));
    } else {
      // A collision or a locked response: stop, and let the user save by hand to see why.
      stopped = true;
      say(result.message + " Klicka på Spara utkast för att se vad som ändrats.");
    }
  }

  // --- events --------------------------------------------------------------------
  form.addEventListener("change", () => {
    changes += 1;
    form.dataset.synlighet = "väntar";
    dirty = true;
    edits += 1;
    clearTimeout(pendingVisibility);
    pendingVisibility = setTimeout(refreshVisibility, 150);
    storeDraft();
  });
  form.addEventListener("input", () => {
    dirty = true;
    edits += 1;
    clearTimeout(pendingDraft);
    pendingDraft = setTimeout(storeDraft, 300);
  });
  function submitNatively(submitter) {
    // A sign-in in another tab replaces the token this page holds: fetch the
    // current one first, so "Spara utkast" does not end on a refusal.
    saving = true; // until the post leaves: a second click sends nothing more
    refreshToken().catch(() => {}).finally(() => {
      saving = false;
      tokenFresh = true;
      form.requestSubmit(submitter || undefined);
    });
  }

  form.addEventListener("submit", (event) => {
    storeDraft();
    if (tokenFresh) { stopped = true; return; }
    event.preventDefault();
    if (saving) return; // a second click while the first save runs
    const submitter = event.submitter;
    // Enter in a field submits with the first button, "Spara utkast", too.
    if (form.dataset.saveUrl && submitter && submitter.name === "action" && submitter.value === "save") {
      saveInPlace(submitter);
    } else {
      submitNatively(submitter);
    }
  });

  // --- "Spara utkast" without a reload -------------------------------------------
  async function postDraft() {
    let response = await post(form.dataset.saveUrl);
    let result = await readJson(response);
    if (response.status === 403 && result && result.csrf_failed) {
      await refreshToken();
      response = await post(form.dataset.saveUrl);
      result = await readJson(response);
    }
    return response.ok && result && result.saved ? result : null;
  }

  async function saveInPlace(submitter) {
    saving = true;
    let result = null;
    let editsAtStart = edits;
    try {
      // An autosave still running applies its version and bases first: posted
      // with the older ones, this save would collide with the user's own.
      await autosaving;
      editsAtStart = edits;
      result = await postDraft();
    } catch (error) {
      result = null;
    } finally {
      saving = false;
    }
    if (!result) {
      // Refused values, collisions, others' changes, a locked form, a session
      // ended or a failed request: nothing was saved, and the form is posted
      // with the version and bases it had, as without JavaScript.
      stopped = true;
      submitNatively(submitter);
      return;
    }
    applySaved(result);
    stopped = false; // as on a page loaded again
    if (edits === editsAtStart) {
      dirty = false;
      clearTimeout(pendingDraft); // a copy still to be written is of saved input
      clearDraft();
    } else {
      storeDraft(); // the input typed meanwhile, now on this save's bases
    }
    if (sessionNotice) sessionNotice.hidden = true;
    showNotices(result.notices || {});
    const statusLine = document.getElementById("svarsstatus");
    if (statusLine && result.status) statusLine.textContent = result.status;
    // The reloaded page would show only this save's message.
    const messages = document.getElementById("meddelanden");
    if (messages) messages.remove();
    showSaved(result.message);
  }

  // The saved message beside the buttons takes focus, as after a reload (and is
  // read by a screen reader from there).
  function showSaved(text) {
    if (!status) return;
    status.textContent = text;
    status.setAttribute("data-utkast-sparat", "");
    status.tabIndex = -1;
    status.focus({ preventScroll: true });
    status.scrollIntoView({ block: "center" });
  }

  // "Kontrollera: …" beside a saved number (the server's notices for the
  // stored answers), as the page loaded again would show them.
  function showNotices(notices) {
    for (const block of form.querySelectorAll(".question[data-variable]")) {
      const input = block.querySelector('input[inputmode="decimal"]');
      if (!input) continue;
      const id = "notice-" + block.dataset.variable;
      const texts = notices[block.dataset.variable] || [];
      let box = document.getElementById(id);
      const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((t) => t && t !== id);
      if (box && !texts.length) box.remove();
      if (texts.length) {
        if (!box) {
          box = document.createElement("div");
          box.className = "check-notice";
          box.id = id;
          input.before(box);
        }
        box.replaceChildren(...texts.map((text) => {
          const line = document.createElement("p");
          line.textContent = text;
          return line;
        }));
        described.push(id);
      }
      if (described.length) input.setAttribute("aria-describedby", described.join(" "));
      else input.removeAttribute("aria-describedby");
    }
  }

  const seconds = Number(form.dataset.autosaveSeconds) || 20;
  setInterval(() => autosave(false), seconds * 1000);

  function saveOnLeave() {
    if (!dirty || stopped || !form.dataset.autosaveUrl) return;
    storeDraft();
    dirty = false;
    // A beacon cannot carry the token header, so this one save, as the tab is
    // hidden or closed, posts the form urlencoded with its token, which the
    // server also reads; fetch's keepalive could carry JSON, but Firefox before
    // 133 (ESR 128) lacks it and would drop the save as the page goes.
    navigator.sendBeacon(form.dataset.autosaveUrl, new URLSearchParams(new FormData(form)));
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") saveOnLeave();
  });
  window.addEventListener("pagehide", saveOnLeave);

  // After "Spara utkast" the page comes back where the user was (issue #17):
  // the message moves from the top to the line beside the buttons, which takes
  // focus (surveys/focus.js), so "Skicka in" is the next Tab or two rather than
  // a hundred Tabs down from the top. Without JavaScript it stays at the top.
  const saved = document.querySelector("#meddelanden [data-utkast-sparat]");
  if (saved && status) {
    status.textContent = saved.textContent;
    status.setAttribute("data-utkast-sparat", "");
    status.tabIndex = -1;
    status.dataset.focusHere = "";
    const box = saved.parentElement;
    saved.remove();
    if (!box.children.length) box.remove();
  }

  restoreDraft();
})();
