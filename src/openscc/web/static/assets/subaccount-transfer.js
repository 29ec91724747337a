// A subaccount's Export and Import, as the product's subaccount page has them, built on
// backups: Export downloads an encrypted backup named for the subaccount; Import takes only that
// subaccount from such a backup (openscc's partial restore), after a preview of what it would
// change. Everything else on the connector stays as it is, and nothing restarts.

import { request, saveAs } from "./api.js";
import { clearError, el, field, showError } from "./dom.js";
import { changesOf, messageOf } from "./restore.js";
import { dialog } from "./widgets.js";

const BACKUP = "/api/v1/configuration/backup";
const PARTIAL = "/api/openscc/v1/backup/partial";

export function exportDialog(one, announce) {
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  const form = el("form", {},
    el("p", {}, `The export is an encrypted backup; importing it on a connector takes only ${one.displayName} from it.`),
    field("Export password", "password", "password", { autocomplete: "new-password", required: true }),
    field("Repeat password", "password", "repeat", { autocomplete: "new-password", required: true }),
    alert,
    el("div", { class: "buttons" },
      el("button", { type: "button", onclick: () => box.close() }, "Cancel"),
      el("button", { type: "submit", class: "primary" }, "Export")));
  const box = dialog(`Export ${one.displayName}`, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(alert);
    const data = new FormData(form);
    if (data.get("password") !== data.get("repeat")) return showError(alert, "The passwords do not match.");
    try {
      const response = await request("POST", BACKUP, { json: { password: data.get("password") } });
      const stamp = new Date().toISOString().replace(/[-:]/g, "").slice(0, 15);
      const name = await saveAs(new Response(await response.blob()), `subaccount-${one.subaccount}-${stamp}.zip`);
      box.close();
      announce(`${one.displayName} exported as ${name}.`);
    } catch (error) {
      showError(alert, error.message);
    }
    return undefined;
  });
}

export function importDialog(one, done) {
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  const preview = el("div", { class: "preview", "aria-live": "polite" });
  const importButton = el("button", { type: "button", class: "danger", hidden: true }, "Import");
  const form = el("form", {},
    el("p", {}, `Replaces ${one.displayName}'s configuration (mappings, resources, domain mappings, channels, trust) with the one in an export or backup; nothing else changes and the connector does not restart. A safety backup is kept first.`),
    field("Export or backup file", "file", "backup", { accept: ".zip,application/zip", required: true }),
    field("Its password", "password", "password", { autocomplete: "off", required: true }),
    field("Your password", "password", "userPassword", { autocomplete: "current-password", required: true }),
    alert,
    preview,
    el("div", { class: "buttons" },
      el("button", { type: "button", onclick: () => box.close() }, "Cancel"),
      el("button", { type: "submit" }, "Preview"),
      importButton));
  const box = dialog(`Import into ${one.displayName}`, form);
  const parts = () => {
    const data = new FormData(form);
    const body = new FormData();
    for (const name of ["backup", "password", "userPassword"]) body.append(name, data.get(name));
    body.append("subaccounts", `${one.regionHost}/${one.subaccount}`);
    return body;
  };
  form.addEventListener("input", () => { importButton.hidden = true; preview.replaceChildren(); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(alert);
    preview.replaceChildren(el("p", { class: "muted" }, "Checking the file…"));
    try {
      const report = await (await request("PUT", `${PARTIAL}?dryRun=true`, { form: parts() })).json();
      preview.replaceChildren(el("h3", {}, "What the import would change"), ...changesOf(report.changes));
      importButton.hidden = false;
      importButton.focus();
    } catch (error) {
      preview.replaceChildren();
      showError(alert, messageOf(error));
    }
  });
  importButton.addEventListener("click", async () => {
    clearError(alert);
    importButton.disabled = true;
    try {
      await request("PUT", PARTIAL, { form: parts() });
      box.close();
      await done();
    } catch (error) {
      importButton.disabled = false;
      showError(alert, messageOf(error));
    }
  });
}
