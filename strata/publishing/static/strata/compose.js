// Compose: the preview follows the text as it is typed, and a chosen image shows as a
// thumbnail before it is added. The preview region (aria-live) is replaced in place, so focus
// stays where the writer is typing; a newer answer always wins over an older one.
(() => {
  const form = document.getElementById("compose-form");
  const region = form && document.getElementById(form.dataset.previewTarget || "preview");
  if (!form || !region) return;
  const DELAY = 300; // ms after the last keystroke
  let timer = null;
  let sent = 0;

  const refresh = async () => {
    const body = new FormData(form);
    // Images go up only when "Add image" is pressed, never with a preview.
    for (const [key, value] of [...body.entries()]) if (value instanceof File) body.delete(key);
    const number = ++sent;
    region.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(region.dataset.preview, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "HX-Request": "true" },
      });
      const html = await response.text();
      if (response.ok && number === sent) region.innerHTML = html;
    } catch {
      // Offline for a moment: the next keystroke tries again; saving does not depend on it.
    } finally {
      if (number === sent) region.removeAttribute("aria-busy");
    }
  };
  const later = (delay) => {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  };

  form.addEventListener("input", (e) => {
    if (e.target.type !== "file") later(DELAY);
  });
  form.addEventListener("change", (e) => {
    if (e.target.matches("select")) later(0);
  });

  // A chosen image, shown beside its alt text field before it is added (a data: URL: the
  // Content-Security-Policy allows no blob: images).
  form.addEventListener("change", (e) => {
    const input = e.target.closest("input[type=file][data-thumb]");
    const thumb = input && document.getElementById(input.dataset.thumb);
    if (!thumb) return;
    const file = input.files && input.files[0];
    if (!file || !file.type.startsWith("image/")) {
      thumb.hidden = true;
      thumb.removeAttribute("src");
      return;
    }
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      thumb.src = reader.result;
      thumb.hidden = false;
    });
    reader.readAsDataURL(file);
  });
})();
