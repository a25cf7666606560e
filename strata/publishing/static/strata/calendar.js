// Drag a post to another day; the server keeps its time of day and checks the mix. In the week
// view a drop on an hour's slot ([data-slot], inside its day) moves it to that hour as well.
// A file of its own, not inline: the Content-Security-Policy allows only Strata's own scripts.
(() => {
  const grid = () => document.getElementById("calendar");

  // The message sits outside #calendar, so the reload that follows a move leaves it in place;
  // the live region is always in the page (empty until a move), so that screen readers hear it.
  const say = (text, kind) => {
    const status = document.getElementById("calendar-status");
    if (!status) return;
    status.className = `calendar-status ${kind}`;
    status.textContent = text;
  };

  // The mix warning as a dialog in the page, with the numbers; resolves true to move anyway.
  const askMix = (mix) =>
    new Promise((resolve) => {
      const dialog = document.getElementById("mix-dialog");
      if (!dialog) return resolve(false);
      const list = dialog.querySelector("[data-mix-numbers]");
      list.replaceChildren(
        ...mix.map((m) => {
          const item = document.createElement("li");
          item.dataset.channel = m.channel;
          item.textContent = `${m.channel}: ${m.promotional} of ${m.total} posts promotional (${m.share} %), target ${m.target} %`;
          return item;
        }),
      );
      dialog.returnValue = "";
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "move"), { once: true });
      dialog.showModal();
    });

  const answer = async (response) => {
    try {
      return await response.json();
    } catch {
      return { message: `the server answered ${response.status}` };
    }
  };

  document.addEventListener("dragstart", (e) => {
    const p = e.target.closest("[data-post]");
    if (p) e.dataTransfer.setData("text/plain", p.dataset.post);
  });
  // The place under the pointer, outlined while a post is dragged over it.
  let over = null;
  const hover = (place) => {
    if (over === place) return;
    if (over) over.classList.remove("drop-target");
    over = place;
    if (over) over.classList.add("drop-target");
  };
  const placeOf = (target) => target.closest("[data-slot]") || target.closest("[data-day]");

  document.addEventListener("dragover", (e) => {
    const place = placeOf(e.target);
    if (place) e.preventDefault();
    hover(place);
  });
  document.addEventListener("dragend", () => hover(null));
  // Move post `id` to `date`, and to `hour` when given (else it keeps its time of day). The
  // message says what happened; the calendar is loaded again, then `after` runs.
  let busy = false;
  const moveTo = async (id, date, hour, after) => {
    const { moveUrl, csrf } = grid().dataset;
    const move = async (accept) => {
      const body = new URLSearchParams({ date });
      if (hour !== undefined) body.set("hour", String(hour));
      if (accept) body.set("accept_mix", "1");
      const url = moveUrl.replace("/0/", `/${encodeURIComponent(id)}/`);
      return fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrf } });
    };
    busy = true;
    try {
      let response = await move(false);
      let result = await answer(response);
      if (response.status === 409 && result.mix) {
        if (!(await askMix(result.mix))) {
          say("Not moved: the post stays where it was.", "info");
          return;
        }
        response = await move(true);
        result = await answer(response);
      }
      if (response.ok) {
        say([result.message, ...(result.warnings || [])].join(" "), (result.warnings || []).length ? "warning" : "success");
      } else {
        say(`Not moved: ${result.message}`, "error");
      }
      if (after) document.addEventListener("htmx:afterSettle", after, { once: true });
      htmx.ajax("GET", window.location.href, { target: "#calendar" });
    } finally {
      busy = false;
    }
  };

  document.addEventListener("drop", (e) => {
    hover(null);
    const place = placeOf(e.target);
    const day = place && place.closest("[data-day]");
    if (!day) return;
    e.preventDefault();
    const id = e.dataTransfer.getData("text/plain");
    if (id) moveTo(id, day.dataset.day, place.dataset.hour);
  });

  // Without a mouse: on a post, Alt+Left and Alt+Right move it a day earlier or later (keeping
  // its time); Alt+Up and Alt+Down an hour in the week view, a week in the month view. The
  // focus comes back to the post once the calendar shows it in its new place.
  const shift = (iso, days) => {
    const date = new Date(`${iso}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + days);
    return date.toISOString().slice(0, 10);
  };
  const STEPS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  document.addEventListener("keydown", (e) => {
    const entry = e.target instanceof Element && e.target.closest("[data-post][draggable='true']");
    const step = STEPS[e.key];
    if (!entry || !step || !e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
    const day = entry.closest("[data-day]");
    if (!day) return;
    e.preventDefault();
    if (busy) return;
    const slot = entry.closest("[data-slot]");
    let date = shift(day.dataset.day, step[0]);
    let hour;
    if (step[1] && slot) {
      hour = Number(slot.dataset.hour) + step[1];
      if (hour < 0 || hour > 23) {
        date = shift(date, step[1]);
        hour = (hour + 24) % 24;
      }
    } else if (step[1]) {
      date = shift(date, 7 * step[1]);
    }
    const id = entry.dataset.post;
    moveTo(id, date, hour, () => {
      const moved = document.querySelector(`#calendar [data-post="${CSS.escape(id)}"]`);
      if (moved) moved.focus();
    });
  });
})();
