// What the configuration pages share: a table with row actions, a form in a dialog, a
// confirmation, an error line. Errors are the API's messages, shown in words.

import { el, clearError, showError } from "./dom.js";

export function alertLine() {
  return el("p", { role: "alert", class: "error", hidden: true });
}

// columns: [{label, value: (row) => text or Node}]; actions: [{label: (row) => text, run(row),
// when: (row) => whether the row has it (default: every row)}]
export function table(columns, rows, actions = [], empty = "None yet.") {
  if (!rows.length) return el("p", { class: "muted" }, empty);
  const head = [...columns.map((c) => c.label), ...(actions.length ? ["Actions"] : [])];
  return el("div", { class: "table-wrap" }, el(
    "table",
    {},
    el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { scope: "col" }, h)))),
    el(
      "tbody",
      {},
      ...rows.map((row) =>
        el(
          "tr",
          {},
          ...columns.map((c) => el("td", {}, c.value(row))),
          ...(actions.length
            ? [el("td", { class: "row-actions" }, ...actions.filter((a) => !a.when || a.when(row)).map((a) =>
                el("button", { type: "button", class: "small", "aria-label": a.label(row), onclick: () => a.run(row) },
                  a.text ?? a.label(row).split(" ")[0])))]
            : []),
        ),
      ),
    ),
  ));
}

function input(spec, id) {
  const common = { id, name: spec.name, required: spec.required === true };
  if (spec.type === "select") {
    // options: values, or [value, label] pairs (the label is what people read)
    const select = el("select", common, ...spec.options.map((o) =>
      (Array.isArray(o) ? el("option", { value: o[0] }, o[1]) : el("option", { value: o }, o))));
    if (spec.value !== undefined) select.value = String(spec.value);
    return select;
  }
  if (spec.type === "checkbox") {
    const box = el("input", { ...common, type: "checkbox" });
    box.checked = spec.value === true || spec.value === "true";
    return box;
  }
  const field = el("input", { ...common, type: spec.type || "text", autocomplete: spec.autocomplete || "off" });
  if (spec.value !== undefined && spec.value !== null) field.value = String(spec.value);
  if (spec.readonly) field.readOnly = true;
  return field;
}

// "virtualPort must be a number" → "Virtual port: enter a number between 1 and 65535".
export function inWords(message, fields) {
  const spec = fields.find((f) => new RegExp(`^${f.name}\\b`).test(message));
  if (!spec) return message;
  const rest = message.slice(spec.name.length).trim();
  return `${spec.label}: ${spec.hint || rest}`;
}

let dialogCount = 0;

// fields: [{name, label, type, options, required, value, readonly, hint, sameAs}]; submit(values)
// may throw an ApiError, whose message the dialog shows in words: an error naming a field is shown
// with the field's label and, when it has one, its hint ("Virtual port: enter a number between 1
// and 65535"). sameAs names a field this one repeats (a password entered twice). On success the
// dialog closes and done() runs.
export function formDialog(title, fields, submitLabel, submit, done) {
  dialogCount += 1;
  const alert = alertLine();
  const controls = fields.map((spec) => {
    const id = `dialog-${dialogCount}-${spec.name}`;
    const control = input(spec, id);
    const wrapper = spec.type === "checkbox"
      ? el("div", { class: "field check" }, control, el("label", { for: id }, spec.label))
      : el("div", { class: "field" }, el("label", { for: id }, spec.label), control);
    return [spec, control, wrapper];
  });
  const form = el(
    "form",
    {},
    ...controls.map(([, , wrapper]) => wrapper),
    alert,
    el("div", { class: "buttons" },
      el("button", { type: "button", onclick: () => box.close() }, "Cancel"),
      el("button", { type: "submit", class: "primary" }, submitLabel)),
  );
  const box = el("dialog", { "aria-labelledby": `dialog-${dialogCount}-title` },
    el("h2", { id: `dialog-${dialogCount}-title` }, title), form);
  box.addEventListener("close", () => box.remove());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(alert);
    const values = {};
    for (const [spec, control] of controls) {
      values[spec.name] = spec.type === "checkbox" ? control.checked : control.value;
    }
    const repeated = fields.find((spec) => spec.sameAs && values[spec.name] !== values[spec.sameAs]);
    if (repeated) {
      showError(alert, `${repeated.label}: it does not match.`);
      return;
    }
    for (const spec of fields) if (spec.sameAs) delete values[spec.name];
    try {
      await submit(values);
      box.close();
      await done();
    } catch (error) {
      showError(alert, inWords(error.message, fields));
    }
  });
  document.body.append(box);
  box.showModal();
  return box;
}

export function confirmDialog(question, confirmLabel, action, done) {
  const alert = alertLine();
  const box = el("dialog", { role: "alertdialog", "aria-labelledby": "confirm-title" },
    el("h2", { id: "confirm-title" }, question),
    alert,
    el("div", { class: "buttons" },
      el("button", { type: "button", onclick: () => box.close() }, "Cancel"),
      el("button", {
        type: "button",
        class: "danger",
        onclick: async () => {
          clearError(alert);
          try {
            await action();
            box.close();
            await done();
          } catch (error) {
            showError(alert, error.message);
          }
        },
      }, confirmLabel)));
  box.addEventListener("close", () => box.remove());
  document.body.append(box);
  box.showModal();
}

// A tunnel's state at a glance. openscc never connects to SAP BTP: its stored state is shown as
// a neutral "no tunnel", not as an error.
export function tunnelState(state) {
  if (state === "Connected") return el("span", { class: "badge ok" }, "● Connected");
  return el("span", { class: "tunnel-none" }, el("span", { class: "badge neutral" }, "○ No tunnel"),
    el("small", { class: "muted" }, " (openscc does not connect to SAP BTP)"));
}

// A validity end in colour: expired (red), within 30 days (amber), fine (green).
export function validUntil(ms, formatTime) {
  const days = (ms - Date.now()) / 86_400_000;
  const [tone, words] = days <= 0 ? ["bad", "expired"] : days < 30 ? ["warn", `expires in ${Math.ceil(days)} days`] : ["ok", "valid"];
  return el("span", {}, `${formatTime(ms)} `, el("span", { class: `badge ${tone}` }, words));
}

// A modal dialog with a title, removed from the page once closed.
export function dialog(titleText, ...content) {
  const box = el("dialog", { "aria-labelledby": "dialog-title" }, el("h2", { id: "dialog-title" }, titleText), ...content);
  box.addEventListener("close", () => box.remove());
  document.body.append(box);
  box.showModal();
  return box;
}

export function section(title, ...children) {
  return el("section", { class: "card" }, el("h2", {}, title), ...children);
}

export function toolbar(...buttons) {
  return el("div", { class: "toolbar" }, ...buttons.filter(Boolean));
}
