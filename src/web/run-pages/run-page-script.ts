/** The page's script: copy, download, lazy log loading and following an active run. */
export const RUN_PAGE_SCRIPT = `
(() => {
  const section = () => document.getElementById("run");
  const status = (details, text) => { const s = details.querySelector(".status"); if (s) s.textContent = text; };
  // The engine's machine-readable UI lines (-json) read as their message; anything else as is.
  function readable(line) {
    if (!line.startsWith("{")) return line;
    try {
      const entry = JSON.parse(line);
      if (typeof entry["@message"] !== "string") return line;
      const time = typeof entry["@timestamp"] === "string" ? entry["@timestamp"].slice(11, 19) + "  " : "";
      const level = entry["@level"] === "error" ? "ERROR " : entry["@level"] === "warn" ? "WARN  " : "";
      return time + level + entry["@message"];
    } catch { return line; }
  }
  async function loadLog(details) {
    const pre = details.querySelector("[data-log]");
    const response = await fetch(details.dataset.logUrl, { credentials: "same-origin" });
    if (!response.ok) { pre.textContent = "Could not load the log (" + response.status + ")."; return; }
    const text = await response.text();
    pre.textContent = text.length ? text.replace(/\\n$/, "").split("\\n").map(readable).join("\\n") : "(no output)";
    pre.scrollTop = pre.scrollHeight;
    details.dataset.loaded = "true";
  }
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (details instanceof HTMLDetailsElement && details.open && details.dataset.logUrl && !details.dataset.loaded) loadLog(details);
  }, true);
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("button") : null;
    if (!button) return;
    if (button.hasAttribute("data-copy-text")) {
      await navigator.clipboard.writeText(button.getAttribute("data-copy-text"));
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    } else if (button.hasAttribute("data-copy-log")) {
      const details = button.closest("details");
      await navigator.clipboard.writeText(details.querySelector("[data-log]").textContent);
      status(details, "Copied to the clipboard");
    }
  });
  async function refresh() {
    const current = section();
    if (!current || current.dataset.finished === "true") return;
    const open = [...current.querySelectorAll("details[open]")].map((d) => d.dataset.phaseId || d.className);
    const response = await fetch(location.pathname + "/section", { credentials: "same-origin" });
    if (response.ok) {
      const holder = document.createElement("div");
      holder.innerHTML = await response.text();
      const next = holder.firstElementChild;
      current.replaceWith(next);
      // Reopening fires "toggle", which loads the log again (a running phase's grows).
      for (const details of next.querySelectorAll("details")) {
        if (open.includes(details.dataset.phaseId || details.className)) details.open = true;
      }
    }
    setTimeout(refresh, 1500);
  }
  setTimeout(refresh, 1500);
})();
`;
