// Building the page: elements from plain values (text is always text), labelled fields, and
// the formats the pages share.

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else if (value !== false && value !== undefined && value !== null) {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let fieldCount = 0;

// A labelled input: the label's text is the control's accessible name.
export function field(label, type, name, attributes = {}) {
  fieldCount += 1;
  const id = `field-${name}-${fieldCount}`;
  const { value, ...rest } = attributes;
  const input = el("input", { id, name, type, ...rest });
  if (value !== undefined) input.value = value;
  return el("div", { class: "field" }, el("label", { for: id }, label), input);
}

export function showError(alert, message) {
  alert.textContent = message;
  alert.hidden = false;
}

export function clearError(alert) {
  alert.textContent = "";
  alert.hidden = true;
}

export function formatTime(ms) {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

// Replace the main area with a page; its heading names the browser tab, focus moves to it.
export function render(...children) {
  const target = document.getElementById("main");
  target.replaceChildren(...children);
  const heading = target.querySelector("h1");
  if (heading) document.title = `${heading.textContent} · openscc`;
  target.focus();
}

// A success, said on the page (a status, not the red alert box).
export function announce(text) {
  const main = document.getElementById("main");
  main.querySelector("#announcement")?.remove();
  main.prepend(el("p", { id: "announcement", role: "status", class: "success" }, text));
}
