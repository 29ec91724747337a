// The administration page: logon, the first logon's password and role, the Connector page with
// Backup and Restore, and the safety backups. Every page is built from the REST API; text from
// the server is always set as text, never as HTML.

import { SessionEnded, getJson, logOff, logOn, request, saveAs } from "./api.js";
import { certificatesPage, proxyPage, usersPage } from "./connector-pages.js";
import { announce, el, field, formatBytes, formatTime, render, showError, clearError } from "./dom.js";
import { fleetPage } from "./fleet-page.js";
import { haPage } from "./ha-page.js";
import { settingsPage } from "./settings-pages.js";
import { openRestoreDialog } from "./restore.js";
import { schedulesPage } from "./schedule-pages.js";
import { addSubaccount, mappingPage, subaccountPage, subaccountsPage } from "./subaccount-pages.js";
import { dialog, tunnelState } from "./widgets.js";

const CONFIG = "/api/v1/configuration";
let me = null; // {user, roles, initialPassword, haRole, may}: "may" is the server's answer
const LOGGED_ON = "openscc.loggedOn"; // only a flag: the session itself is an HttpOnly cookie

function forget() {
  me = null;
  sessionStorage.removeItem(LOGGED_ON);
}


function showNavigation(visible) {
  document.getElementById("nav").hidden = !visible;
  for (const link of document.querySelectorAll("#nav [data-may]")) {
    link.hidden = !(me && me.may[link.dataset.may]);
  }
  const here = location.hash.split("/")[1];
  const section = { subaccount: "subaccounts", mapping: "subaccounts" }[here] || here;
  for (const link of document.querySelectorAll("#nav a")) {
    const current = section === link.dataset.page;
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.getElementById("who").textContent = visible && me ? `${me.user} (${me.roles.join(", ")})` : "";
}

// Routing: the hash names the page; without a session every page is the logon.

// The first segment names the page; the others are its arguments (decoded).
const pages = {
  logon: logonPage,
  password: passwordPage,
  role: rolePage,
  connector: connectorPage,
  "safety-backups": safetyBackupsPage,
  ha: () => haPage(me),
  settings: () => settingsPage(me),
  subaccounts: () => subaccountsPage(me),
  subaccount: (region, subaccount) => subaccountPage(me, region, subaccount),
  mapping: (region, subaccount, mapping) => mappingPage(me, region, subaccount, mapping),
  proxy: () => proxyPage(me),
  certificates: () => certificatesPage(me),
  users: () => usersPage(me),
  schedules: () => schedulesPage(me),
  fleet: () => fleetPage(me),
};
const FIRST_LOGON = ["/logon", "/password", "/role"];

async function route() {
  const path = location.hash.replace(/^#/, "") || "/connector";
  const [name, ...args] = path.slice(1).split("/").map(decodeURIComponent);
  try {
    // Without a logon in this tab, the logon page at once (not a 401 to show first).
    if (path !== "/logon" && !sessionStorage.getItem(LOGGED_ON)) return go("/logon");
    if (path !== "/logon") {
      me = await getJson("/api/openscc/v1/session");
      if (me.initialPassword && path !== "/password") return go("/password");
      if (!me.initialPassword && me.haRole === null && path !== "/role") return go("/role");
    }
    const page = pages[name] || notFoundPage;
    showNavigation(!FIRST_LOGON.includes(path));
    await page(...args);
  } catch (error) {
    if (error instanceof SessionEnded) {
      forget();
      return go("/logon");
    }
    render(el("h1", {}, "Something went wrong"), el("p", { role: "alert", class: "error" }, error.message));
  }
}

function go(path) {
  if (location.hash === `#${path}`) return route();
  location.hash = path;
  return undefined;
}

// A module runs once the document is parsed: start at once.
window.addEventListener("hashchange", route);
start();

function start() {
  document.getElementById("log-off").addEventListener("click", async () => {
    try {
      await logOff();
    } catch {
      // the session may be gone already
    }
    forget();
    go("/logon");
  });
  route();
}

// Logon and the first logon

// message: a problem to show (text), or {success: text} to show as done, not as an error.
function logonPage(message) {
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  const done = message && message.success ? el("p", { role: "status", class: "success" }, message.success) : null;
  const form = el(
    "form",
    { class: "card narrow", "aria-labelledby": "logon-title" },
    el("h1", { id: "logon-title" }, "Log on"),
    done,
    field("User name", "text", "user", { autocomplete: "username", required: true }),
    field("Password", "password", "password", { autocomplete: "current-password", required: true }),
    alert,
    el("button", { type: "submit", class: "primary" }, "Log on"),
  );
  if (typeof message === "string") showError(alert, message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(alert);
    const data = new FormData(form);
    try {
      await logOn(data.get("user"), data.get("password"));
      sessionStorage.setItem(LOGGED_ON, "1");
      form.reset();
      go("/connector");
    } catch (error) {
      showError(alert, logonMessage(error));
    }
  });
  showNavigation(false);
  render(form);
  form.querySelector("input").focus();
}

function logonMessage(error) {
  if (error.status === 503) return "The server is busy checking other logons. Try again in a few seconds.";
  if (/locked/i.test(error.message)) return `Too many failed logons: ${error.message}.`;
  if (error.status === 401) return "The user name or password is not correct.";
  return error.message;
}

function passwordPage() {
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  const form = el(
    "form",
    { class: "card narrow" },
    el("h1", {}, "Change the initial password"),
    el("p", {}, "This is the first logon: choose the Administrator's own password before anything else."),
    field("Current password", "password", "old", { autocomplete: "current-password", required: true }),
    field("New password", "password", "new", { autocomplete: "new-password", required: true }),
    field("Repeat new password", "password", "repeat", { autocomplete: "new-password", required: true }),
    alert,
    el("button", { type: "submit", class: "primary" }, "Change password"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(alert);
    const data = new FormData(form);
    if (data.get("new") !== data.get("repeat")) return showError(alert, "The new passwords do not match.");
    try {
      await request("PUT", `${CONFIG}/connector/authentication/basic`, {
        json: { oldPassword: data.get("old"), newPassword: data.get("new") },
      });
      // The change ends every session of the user: log on again with the new password.
      await logOn(me.user, data.get("new"));
      form.reset();
      go("/role");
    } catch (error) {
      showError(alert, error.message);
    }
    return undefined;
  });
  render(form);
}

function rolePage() {
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  // The label is the choice's name; the hint describes it.
  const choice = (value, label, hint) =>
    el(
      "div",
      { class: "choice" },
      el("input", { type: "radio", name: "role", value, id: `role-${value}`, required: true, "aria-describedby": `role-${value}-hint` }),
      el("span", {}, el("label", { for: `role-${value}` }, el("strong", {}, label)), el("br"),
        el("span", { id: `role-${value}-hint`, class: "muted" }, hint)),
    );
  const form = el(
    "form",
    { class: "card narrow" },
    el("h1", {}, "Choose this instance's role"),
    el("fieldset", {},
      el("legend", {}, "High availability role (set once)"),
      choice("master", "Master", "This instance serves the configuration."),
      choice("shadow", "Shadow", "This instance follows a master and takes over when it fails."),
    ),
    alert,
    el("button", { type: "submit", class: "primary" }, "Set role"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(alert);
    try {
      await request("POST", `${CONFIG}/connector/haRole`, { json: new FormData(form).get("role") });
      go("/connector");
    } catch (error) {
      showError(alert, error.message);
    }
  });
  render(form);
}

// The Connector page

async function connectorPage() {
  const [version, connector, list] = await Promise.all([
    getJson("/api/v1/connector/version"),
    getJson(`${CONFIG}/connector`),
    getJson(`${CONFIG}/subaccounts`),
  ]);
  const actions = el("div", { class: "actions" });
  if (me.may.backup) {
    actions.append(el("button", { type: "button", id: "open-backup", onclick: openBackupDialog }, "Backup"));
  }
  if (me.may.restore) {
    actions.append(el("button", {
      type: "button", id: "open-restore",
      onclick: () => openRestoreDialog({ showNavigation, forget, logonPage }),
    }, "Restore"));
  }
  const facts = el(
    "dl",
    { class: "facts" },
    el("dt", {}, "Version"), el("dd", { id: "versions" }, me.versions || `Cloud Connector API ${version.version}`),
    el("dt", {}, "High availability role"), el("dd", { id: "ha-role" }, connector.ha?.role ?? "none"),
  );
  render(
    el("div", { class: "title" }, el("h1", {}, "Connector"), actions),
    el("section", { class: "card" }, el("h2", {}, "Overview"), facts, descriptionEditor(connector.description ?? "")),
    await subaccountsCard(list),
    await certificatesCard(),
  );
}

function descriptionEditor(current) {
  if (!me.may.changeConnector) {
    return el("p", {}, el("strong", {}, "Description: "), current || "none");
  }
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  const saved = el("span", { class: "muted", role: "status" });
  const form = el(
    "form",
    { class: "inline" },
    field("Description", "text", "description", { value: current, maxlength: 255 }),
    el("button", { type: "submit" }, "Save description"),
    saved,
    alert,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(alert);
    saved.textContent = "";
    try {
      await request("PUT", `${CONFIG}/connector`, { json: { description: new FormData(form).get("description") } });
      saved.textContent = "Saved.";
    } catch (error) {
      showError(alert, error.message);
    }
  });
  return form;
}

async function subaccountsCard(list) {
  const rows = await Promise.all(
    list.map(async (entry) => {
      const one = await getJson(`${CONFIG}/subaccounts/${encodeURIComponent(entry.regionHost)}/${encodeURIComponent(entry.subaccount)}`);
      return el(
        "tr",
        {},
        el("td", {}, one.displayName),
        el("td", {}, entry.subaccount),
        el("td", {}, entry.regionHost),
        el("td", {}, tunnelState(one.tunnel.state)),
      );
    }),
  );
  const body = rows.length
    ? el("table", {},
        el("thead", {}, el("tr", {}, ...["Name", "Subaccount", "Region", "Tunnel"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...rows))
    : el("p", { class: "muted" }, "No subaccounts yet.");
  const add = me.may.changeSubaccounts
    ? el("button", { type: "button", onclick: () => addSubaccount(() => route()) }, "Add subaccount")
    : null;
  return el("section", { class: "card" }, el("div", { class: "title" }, el("h2", {}, "Subaccounts"), add), body,
    el("p", { class: "muted" }, "openscc opens no tunnel to SAP BTP: a subaccount's tunnel is shown as none, never as connected."));
}

async function certificatesCard() {
  let lists;
  if (!me.may.readCertificateExpiry) {
    return el("section", { class: "card" }, el("h2", {}, "Certificates"),
      el("p", { class: "muted" }, "Certificate expiry is shown to the Administrator and Monitoring roles."));
  }
  try {
    lists = await getJson("/api/monitoring/certificates?trustStores=true");
  } catch (error) {
    if (error instanceof SessionEnded) throw error;
    return el("section", { class: "card" }, el("h2", {}, "Certificates"),
      el("p", { class: "muted" }, "Certificate expiry is shown to the Administrator and Monitoring roles."));
  }
  const warnings = [...lists.expired.map((c) => [c, "expired"]), ...lists.expiring.map((c) => [c, "expires soon"])];
  const items = warnings.map(([c, what]) =>
    el("li", { class: what === "expired" ? "error" : "warning" },
      `${c.type}${c.subaccountName ? ` (${c.subaccountName})` : ""} ${what}: valid to ${formatTime(c.validTo)}`));
  return el("section", { class: "card" }, el("h2", {}, "Certificates"),
    items.length ? el("ul", { role: "list" }, ...items)
      : el("p", {}, `No certificate expires within the warning period (${lists.ok.length} checked).`));
}

// Backup

// The API takes any password the product takes; the page warns of a short one.
const SHORT_BACKUP_PASSWORD = 8;

function openBackupDialog() {
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  const status = el("p", { role: "status", class: "muted" });
  const shortWarning = el("p", { class: "warning", id: "short-password", hidden: true },
    `This password is shorter than ${SHORT_BACKUP_PASSWORD} characters: anyone who gets the archive could guess it. A longer one is safer.`);
  const form = el(
    "form",
    {},
    el("p", {}, "The archive holds the whole configuration; its sensitive data is encrypted with this password."),
    field("Backup password", "password", "password", { autocomplete: "new-password", required: true }),
    field("Repeat password", "password", "repeat", { autocomplete: "new-password", required: true }),
    shortWarning,
    alert,
    status,
    el("div", { class: "buttons" },
      el("button", { type: "button", onclick: () => box.close() }, "Cancel"),
      el("button", { type: "submit", class: "primary" }, "Create backup")),
  );
  const box = dialog("Backup", form);
  form.elements.password.addEventListener("input", (event) => {
    const length = event.target.value.length;
    shortWarning.hidden = length === 0 || length >= SHORT_BACKUP_PASSWORD;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(alert);
    const data = new FormData(form);
    if (data.get("password") !== data.get("repeat")) return showError(alert, "The passwords do not match.");
    status.textContent = "Creating the backup…";
    try {
      const response = await request("POST", `${CONFIG}/backup`, { json: { password: data.get("password") } });
      form.reset();
      const name = await saveAs(response, "openscc-backup.zip");
      box.close();
      announce(`Backup downloaded as ${name}.`);
    } catch (error) {
      status.textContent = "";
      showError(alert, error.message);
    }
    return undefined;
  });
}

// Safety backups

async function safetyBackupsPage() {
  if (!me.may.readSafetyBackups) {
    render(el("h1", {}, "Safety backups"), el("p", { role: "alert", class: "error" }, "Only an Administrator may see the safety backups."));
    return;
  }
  const list = await getJson("/api/openscc/v1/backup/safety");
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  const rows = list.map((b) =>
    el("tr", {},
      el("td", {}, b.createdAt ? formatTime(b.createdAt) : "unreadable"),
      el("td", {}, b.takenBefore === "split" ? "a network split" : "a restore"),
      el("td", {}, formatBytes(b.size)),
      el("td", {}, el("button", {
        type: "button",
        "aria-label": `Download ${b.name}`,
        onclick: async () => {
          clearError(alert);
          try {
            await saveAs(await request("GET", `/api/openscc/v1/backup/safety/${encodeURIComponent(b.name)}`), b.name);
          } catch (error) {
            showError(alert, error.message);
          }
        },
      }, "Download"))));
  render(
    el("h1", {}, "Safety backups"),
    el("p", {}, "Taken automatically before each restore (encrypted with that restore's backup password), and before a master gave up its role after a network split. The newest five restore backups are kept."),
    alert,
    rows.length
      ? el("table", {}, el("thead", {}, el("tr", {}, ...["Taken", "Before", "Size", ""].map((h) => el("th", { scope: "col" }, h)))), el("tbody", {}, ...rows))
      : el("p", { class: "muted" }, "No safety backups yet: one is taken before each restore."),
  );
}

function notFoundPage() {
  render(el("h1", {}, "Not found"), el("p", {}, "There is no such page."), el("p", {}, el("a", { href: "#/connector" }, "Go to the Connector page")));
}

