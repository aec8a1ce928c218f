// Focus after a page load (issue #17, WCAG 2.4.3 and 3.3.1), on every page:
// - a refused form focuses its error summary, so a screen reader reads what to fix;
// - otherwise the status message of what was just done (saved, sent) takes focus,
//   or the place a page's script marks with data-focus-here;
// - the address loses any #fragment left from an error link, so the next save
//   never reopens the page far down, away from its new message;
// - an error link moves focus to its field and scrolls the question's text and
//   message into view with it (a plain jump would hide them above the field).
(function () {
  const summary = document.querySelector(".error-summary");
  // A page's own script may name a better place (the respondent form: beside its buttons).
  const message = document.querySelector("[data-focus-here]") || document.querySelector("[data-focus-on-load]");
  const target = summary || message;
  if (target) {
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    if (window.location.hash) {
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: target === summary ? "start" : "center" });
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    const block = field.closest(".question, .field, .contact-field, fieldset") || field;
    block.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
})();
