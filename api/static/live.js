// Keeps a board or inbox current: reloads when the data behind it changes, unless the user
// is typing. A reload always shows the truth; this only saves pressing it.
//
// A page that marks its changing parts with data-live (and an id) gets only those parts
// replaced: a form outside them (a filter being chosen) is never touched, open <details> with
// an id stay open, and the focus and what is under the reader's eyes stay where they were.
(function () {
  const key = () => fetch("/api/changes", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.text() : null)).catch(() => null);
  let last = null;
  let pressed = false;
  document.addEventListener("pointerdown", () => { pressed = true; });
  document.addEventListener("pointerup", () => { pressed = false; });
  document.addEventListener("pointercancel", () => { pressed = false; });

  const editing = (within) => {
    const el = document.activeElement;
    if (el && ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) && within(el)) return true;
    return Array.from(document.querySelectorAll("input:not([type=hidden]), textarea"))
      .some((input) => within(input) && input.value && input.value !== input.defaultValue);
  };
  const busy = () => editing(() => true) || document.querySelector("details[open]") !== null;

  const regions = () => Array.from(document.querySelectorAll("[data-live][id]"));
  const inRegion = (el) => el.closest("[data-live][id]") !== null;
  // A region is busy while something in it is being filled in, or a <details> the page
  // cannot find again (no id) is open.
  const regionBusy = () => pressed || editing(inRegion)
    || document.querySelector("[data-live] details[open]:not([id])") !== null;
  const FOCUSABLE = "a[href], button, summary, input, select, textarea";

  const where = () => {
    const el = document.activeElement;
    const holder = el && el !== document.body && inRegion(el) ? el.closest("[id]") : null;
    const focus = holder
      ? { id: holder.id, index: Array.from(holder.querySelectorAll(FOCUSABLE)).indexOf(el) }
      : null;
    // The first element with an id that is on screen: it stays where it is on screen.
    const anchor = Array.from(document.querySelectorAll("[data-live] [id]"))
      .find((e) => e.getBoundingClientRect().bottom > 0);
    return {
      focus,
      anchor: anchor ? { id: anchor.id, top: anchor.getBoundingClientRect().top } : null,
      open: new Map(Array.from(document.querySelectorAll("[data-live] details[id]"))
        .map((d) => [d.id, d.open])),
    };
  };

  const restore = (was) => {
    was.open.forEach((open, id) => {
      const d = document.getElementById(id);
      if (d && d.tagName === "DETAILS") d.open = open;
    });
    if (was.focus) {
      const holder = document.getElementById(was.focus.id);
      const el = holder && (was.focus.index < 0 ? holder
        : holder.querySelectorAll(FOCUSABLE)[was.focus.index]);
      if (el) el.focus({ preventScroll: true });
    }
    const anchor = was.anchor && document.getElementById(was.anchor.id);
    if (anchor) window.scrollBy(0, anchor.getBoundingClientRect().top - was.anchor.top);
  };

  const replaceParts = async (parts) => {
    const answer = await fetch(window.location.href, { credentials: "same-origin" })
      .catch(() => null);
    if (!answer) return false;
    const fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
    // Signed out, or the page changed shape: only a whole reload shows it truthfully.
    if (!parts.every((p) => fresh.getElementById(p.id)?.hasAttribute("data-live"))) {
      window.location.reload();
      return true;
    }
    if (regionBusy()) return false;
    const was = where();
    parts.forEach((p) => p.replaceWith(document.adoptNode(fresh.getElementById(p.id))));
    restore(was);
    return true;
  };

  key().then((k) => { last = k; });
  setInterval(async () => {
    const now = await key();
    if (!now || !last || now === last) {
      if (now) last = last || now;
      return;
    }
    const parts = regions();
    if (parts.length) {
      if (!regionBusy() && await replaceParts(parts)) last = now;
    } else if (!busy()) {
      window.location.reload();
    }
  }, 5000);
})();
