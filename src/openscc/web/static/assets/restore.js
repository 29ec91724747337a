// Restore from an archive: the preview (the server's dry run) in words, what changes for the
// person at the keyboard, the warnings with what to do and an explicit confirmation, then the
// restart, which always ends in a state a person can act on (never a spinner for good).

import { request } from "./api.js";
import { clearError, el, field, formatTime, render, showError } from "./dom.js";
import { dialog } from "./widgets.js";

const CONFIG = "/api/v1/configuration";
// How long the page waits for the connector to come back before it says what to do instead.
const BACK_WITHIN_MS = 90_000;
const SHOWN_PER_KIND = 5; // items listed before the rest fold away

// Kind names as the configuration's pages call them (the server's labels for known kinds).
const TITLES = {
  connector: "Connector", user: "Local users", uiCertificate: "UI certificate",
  subaccount: "Subaccounts", systemMapping: "System mappings", systemMappingResource: "Resources",
  domainMapping: "Domain mappings", serviceChannel: "Service channels",
  systemCertificate: "System certificate", ppCaCertificate: "Principal propagation CA",
  trustedBackend: "Trusted back-end certificates", proxy: "Proxy", logAndTrace: "Log and trace",
  auditLog: "Audit log", alerting: "Alerting", email: "E-mail", ldapAuthentication: "LDAP",
  ldapServer: "LDAP servers", backupSchedule: "Backup schedules",
};

export function messageOf(error) {
  // Which password is wrong, in words: the archive's, or the person's own.
  if (/^wrong password/.test(error.message)) return "The backup password does not open this archive.";
  if (/userPassword/.test(error.message)) return "Your own password is not correct.";
  return error.message;
}

export function openRestoreDialog({ showNavigation, forget, logonPage }) {
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  const preview = el("div", { class: "preview", "aria-live": "polite" });
  const restoreButton = el("button", { type: "button", class: "danger", hidden: true }, "Restore");
  const form = el(
    "form",
    {},
    el("p", {}, "A restore replaces the whole configuration and restarts the connector; every session ends. A safety backup of the current configuration is kept first."),
    field("Backup file", "file", "backup", { accept: ".zip,application/zip", required: true }),
    field("Backup password", "password", "password", { autocomplete: "off", required: true }),
    field("Your password", "password", "userPassword", { autocomplete: "current-password", required: true }),
    alert,
    preview,
    el("div", { class: "buttons" },
      el("button", { type: "button", onclick: () => box.close() }, "Cancel"),
      el("button", { type: "submit" }, "Preview"),
      restoreButton),
  );
  const box = dialog("Restore from archive", form);
  let report = null;
  const parts = () => {
    const data = new FormData(form);
    const body = new FormData();
    for (const name of ["backup", "password", "userPassword"]) body.append(name, data.get(name));
    return body;
  };
  form.addEventListener("input", (event) => {
    if (event.target.name === "confirmWarnings") return;
    restoreButton.hidden = true;
    preview.replaceChildren();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(alert);
    restoreButton.hidden = true;
    preview.replaceChildren(el("p", { class: "muted" }, "Checking the archive…"));
    try {
      report = await (await request("PUT", `${CONFIG}/backup?dryRun=true`, { form: parts() })).json();
      preview.replaceChildren(...previewOf(report, restoreButton));
      restoreButton.hidden = false;
      if (!restoreButton.disabled) restoreButton.focus();
    } catch (error) {
      preview.replaceChildren();
      showError(alert, messageOf(error));
    }
  });
  restoreButton.addEventListener("click", async () => {
    clearError(alert);
    restoreButton.disabled = true;
    try {
      await request("PUT", `${CONFIG}/backup`, { form: parts() });
      box.close();
      await restarting(report, { showNavigation, forget, logonPage });
    } catch (error) {
      restoreButton.disabled = false;
      showError(alert, messageOf(error));
    }
  });
}

function previewOf(report, restoreButton) {
  const facts = report.backup;
  const out = [
    el("h3", {}, "What the restore would change"),
    el("dl", { class: "facts" },
      el("dt", {}, "Created"), el("dd", {}, formatTime(facts.createdAt)),
      el("dt", {}, "From instance"), el("dd", {}, `${facts.sourceInstance}${facts.sameInstance ? " (this one)" : " (another instance)"}`),
      el("dt", {}, "Made by"), el("dd", {}, `openscc ${facts.productVersion}${facts.sccApiVersion ? `, Cloud Connector API ${facts.sccApiVersion}` : ""}`),
      el("dt", {}, "props.ini"), el("dd", {}, report.propsIni)),
  ];
  const personal = forYou(report.forYou || {});
  if (personal.length) {
    out.push(el("h3", {}, "What changes for you"), el("ul", { class: "for-you" }, ...personal));
  }
  const warnings = report.warnings || [];
  restoreButton.disabled = warnings.length > 0;
  if (warnings.length) {
    const confirm = el("input", { type: "checkbox", id: "confirm-warnings", name: "confirmWarnings" });
    confirm.addEventListener("change", () => { restoreButton.disabled = !confirm.checked; });
    out.push(
      el("h3", {}, "Warnings"),
      el("ul", { class: "warnings" }, ...warnings.map((w) =>
        el("li", { class: "warning" },
          el("strong", {}, sentence(w.message)), " ",
          el("span", {}, w.advice ? `What to do: ${w.advice}` : ""),
          el("small", { class: "muted" }, ` (${w.code})`)))),
      el("div", { class: "field check" }, confirm,
        el("label", { for: "confirm-warnings" }, "I have read the warnings and want to restore anyway")),
    );
  }
  out.push(...changesOf(report.changes));
  return out;
}

function sentence(text) {
  const trimmed = String(text).trim();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1) + (/[.!?]$/.test(trimmed) ? "" : ".");
}

function forYou(you) {
  const items = [];
  const cert = you.uiCertificate;
  if (cert && cert.changes) {
    const today = cert.current ? ` instead of today's (SHA-256 ${cert.current.sha256})` : "";
    items.push(el("li", {}, `The connector will present the backup's UI certificate (SHA-256 ${cert.backup.sha256})${today}. Your browser will warn after the restart: reload this address and accept the new certificate if its fingerprint matches.`));
    if (cert.hostsChange) {
      items.push(el("li", {}, `The backup's certificate is issued for ${cert.backup.hosts.join(", ") || "no host name"}${cert.current ? `, not for ${cert.current.hosts.join(", ")}` : ""}.`));
    }
  }
  const users = you.users;
  if (users && users.local) {
    if (!users.inBackup) {
      items.push(el("li", {}, `Your user ${users.you} is not in the backup: afterwards you log on as one of the backup's users.`));
    } else if (users.passwordWorks === false) {
      items.push(el("li", {}, `The backup's users and passwords replace today's: your password for ${users.you} will no longer work. Log on with the password ${users.you} had when the backup was made.`));
    } else if (users.passwordWorks === true) {
      items.push(el("li", {}, `Your user ${users.you} and password keep working.`));
    }
  }
  return items;
}

export function changesOf(changes) {
  const kinds = Object.entries(changes).filter(([, c]) => c.added || c.removed || c.changed);
  if (!kinds.length) return [el("p", {}, "The archive holds the same configuration as this connector: nothing would change.")];
  const rows = kinds.map(([kind, c]) =>
    el("tr", {},
      el("th", { scope: "row" }, TITLES[kind] || kind),
      el("td", {}, String(c.added)), el("td", {}, String(c.removed)), el("td", {}, String(c.changed))));
  return [
    el("table", { class: "changes" },
      el("thead", {}, el("tr", {}, ...["Kind", "Added", "Removed", "Changed"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows)),
    ...kinds.map(([kind, c]) => itemsOf(TITLES[kind] || kind, c)),
  ];
}

function itemsOf(title, c) {
  const names = (list, keys) => (list && list.length ? list : keys) || [];
  const items = [
    ...names(c.addedNames, c.addedKeys).map((n) => el("li", {}, `Added: ${n}`)),
    ...names(c.removedNames, c.removedKeys).map((n) => el("li", {}, `Removed: ${n}`)),
    ...c.changedEntities.map((e) => el("li", {}, `Changed: ${e.name || e.key}`,
      el("ul", {}, ...fieldLines(e).map((line) => el("li", {}, line))))),
  ];
  const total = c.added + c.removed + c.changed;
  const shown = items.slice(0, SHOWN_PER_KIND);
  const rest = items.slice(SHOWN_PER_KIND);
  return el("details", { class: "kind-changes", open: total <= SHOWN_PER_KIND ? "" : undefined },
    el("summary", {}, `${title}: ${total} change${total === 1 ? "" : "s"}`),
    el("ul", {}, ...shown),
    rest.length ? el("details", {}, el("summary", {}, `${rest.length} more`), el("ul", {}, ...rest)) : "",
    c.truncated ? el("p", { class: "muted" }, "The list is cut short; the counts are exact.") : "");
}

function fieldLines(entity) {
  const shown = (value) => (value === null || value === undefined ? "(none)" : value === "" ? "(empty)" : value);
  const lines = (entity.fieldChanges || []).map((f) => `${f.field}: ${shown(f.old)} → ${shown(f.new)}`);
  if (!lines.length && entity.fields && entity.fields.length) lines.push(`fields: ${entity.fields.join(", ")}`);
  if (entity.secretChanged) lines.push("secret: changed (not shown)");
  return lines;
}

// After the 204: the connector restarts. The page waits for its health check, for a bounded time;
// a new certificate the browser does not trust fails every check, so the page says so instead.
async function restarting(report, { showNavigation, forget, logonPage }) {
  const cert = report && report.forYou && report.forYou.uiCertificate;
  const newCertificate = Boolean(cert && cert.changes);
  const status = el("p", { role: "status" }, "The connector is restarting with the restored configuration…");
  const card = el("section", { class: "card narrow" }, el("h1", {}, "Restoring"), status);
  showNavigation(false);
  render(card);
  const deadline = Date.now() + BACK_WITHIN_MS;
  let told = false;
  while (Date.now() < deadline) {
    // Back once the server answers and no longer knows this session (a restart ends every
    // session); a failing request is the restart, or a certificate this browser does not trust.
    // The health check would not do: the old server answers it until it stops.
    try {
      const response = await fetch("/api/openscc/v1/session", {
        credentials: "same-origin", cache: "no-store",
        headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      });
      // An ended session is answered as the product does: 401, or its logon page (HTML).
      const type = response.headers.get("Content-Type") || "";
      if (response.status === 401 || type.startsWith("text/html")) break;
    } catch {
      if (newCertificate && !told) {
        told = true;
        card.append(reloadAdvice(`The connector now presents the certificate from the backup (SHA-256 ${cert.backup.sha256}): reload this address and accept it.`));
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (Date.now() >= deadline) {
    status.textContent = "The restore was accepted, but the connector did not answer this page within 90 seconds.";
    if (!told) card.append(reloadAdvice("Reload this address; if the browser warns about the certificate, compare its fingerprint with the backup's before accepting it."));
    return;
  }
  forget();
  history.replaceState(null, "", "#/logon");
  logonPage({ success: "The configuration was restored and the connector restarted. Log on again." });
}

function reloadAdvice(text) {
  const link = el("a", { href: `${location.origin}/ui/` }, "Reload this address");
  return el("div", { role: "alert", class: "notice" }, el("p", {}, text), el("p", {}, link));
}
