// Drag a post to another day; the server keeps its time of day and checks the mix.
// A file of its own, not inline: the Content-Security-Policy allows only Strata's own scripts.
(() => {
  const grid = () => document.getElementById("calendar");
  document.addEventListener("dragstart", (e) => {
    const p = e.target.closest("[data-post]");
    if (p) e.dataTransfer.setData("text/plain", p.dataset.post);
  });
  document.addEventListener("dragover", (e) => {
    if (e.target.closest("[data-day]")) e.preventDefault();
  });
  document.addEventListener("drop", async (e) => {
    const day = e.target.closest("[data-day]");
    if (!day) return;
    e.preventDefault();
    const id = e.dataTransfer.getData("text/plain");
    if (!id) return;
    const { moveUrl, csrf } = grid().dataset;
    const move = async (accept) => {
      const body = new URLSearchParams({ date: day.dataset.day });
      if (accept) body.set("accept_mix", "1");
      const url = moveUrl.replace("/0/", `/${encodeURIComponent(id)}/`);
      return fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrf } });
    };
    let r = await move(false);
    if (r.status === 409 && confirm(await r.text())) r = await move(true);
    const status = document.getElementById("calendar-status");
    status.textContent = await r.text();
    htmx.ajax("GET", window.location.href, { target: "#calendar" });
  });
})();
