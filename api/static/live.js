// Keeps a board or inbox current: reloads when the data behind it changes, unless the user
// is typing. A reload always shows the truth; this only saves pressing it.
(function () {
  const key = () => fetch("/api/changes", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.text() : null)).catch(() => null);
  let last = null;
  const busy = () => {
    const el = document.activeElement;
    if (el && ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName)) return true;
    return Array.from(document.querySelectorAll("input:not([type=hidden]), textarea"))
      .some((input) => input.value && input.value !== input.defaultValue)
      || document.querySelector("details[open]") !== null;
  };
  key().then((k) => { last = k; });
  setInterval(async () => {
    const now = await key();
    if (now && last && now !== last && !busy()) window.location.reload();
    if (now) last = last || now;
  }, 5000);
})();
