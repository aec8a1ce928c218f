// Updates the progress of queued and running exports without a reload; the page
// works without it (the user reloads). When a job ends, the page reloads once to
// show the download link or the error.
(function () {
  const rows = document.querySelectorAll('#exportjobb tr[data-active="true"]');
  rows.forEach(function (row) {
    async function poll() {
      let data;
      try {
        const response = await fetch(row.dataset.statusUrl, { credentials: "same-origin" });
        if (!response.ok) return;
        data = await response.json();
      } catch (error) {
        return setTimeout(poll, 5000);
      }
      const bar = row.querySelector("progress");
      if (bar) bar.value = data.progress;
      const message = row.querySelector(".message");
      if (message) message.textContent = "Förlopp " + data.progress + " %" + (data.message ? ": " + data.message : "");
      row.querySelector(".status").textContent = data.status_label;
      if (data.active) setTimeout(poll, 2000);
      else window.location.reload();
    }
    setTimeout(poll, 1000);
  });
})();
