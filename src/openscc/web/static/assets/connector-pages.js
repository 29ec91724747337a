// The connector-wide pages: the proxy, the certificates and the back-end trust store, users and
// roles.

import { getJson, request, logOn } from "./api.js";
import { el, field, formatTime, render, showError, clearError } from "./dom.js";
import { alertLine, confirmDialog, formDialog, section, table, toolbar, validUntil } from "./widgets.js";

const CONNECTOR = "/api/v1/configuration/connector";

// Proxy

export async function proxyPage(me) {
  const proxy = await getJson(`${CONNECTOR}/proxy`);
  const writable = me.may.changeProxy;
  const reload = () => proxyPage(me);
  const configured = Boolean(proxy.host);
  render(
    el("h1", {}, "Proxy"),
    section("HTTPS proxy to SAP BTP",
      el("dl", { class: "facts" },
        el("dt", {}, "Host"), el("dd", {}, proxy.host || "none (direct connection)"),
        el("dt", {}, "Port"), el("dd", {}, proxy.port ? String(proxy.port) : "–"),
        el("dt", {}, "User"), el("dd", {}, proxy.user || "–")),
      toolbar(
        writable && el("button", { type: "button", onclick: () => formDialog(
          "Set the proxy",
          [
            { name: "host", label: "Proxy host", required: true, value: proxy.host },
            { name: "port", label: "Proxy port", required: true, value: proxy.port },
            { name: "user", label: "Proxy user", value: proxy.user, autocomplete: "username" },
            { name: "password", label: "Proxy password (empty: keep the stored one)", type: "password", autocomplete: "new-password" },
          ],
          "Save",
          (v) => request("PUT", `${CONNECTOR}/proxy`, { json: { ...v, password: v.password || "***" } }),
          reload,
        ) }, configured ? "Edit proxy" : "Set proxy"),
        writable && configured && el("button", { type: "button", onclick: () => confirmDialog("Remove the proxy and connect directly?", "Remove", () => request("DELETE", `${CONNECTOR}/proxy`), reload) }, "Remove proxy"),
      )),
  );
}

// Certificates and the trust store

function describe(cert) {
  if (!cert || !cert.subjectDN) return el("p", { class: "muted" }, "None.");
  return el("dl", { class: "facts" },
    el("dt", {}, "Subject"), el("dd", {}, cert.subjectDN),
    el("dt", {}, "Issuer"), el("dd", {}, cert.issuer),
    el("dt", {}, "Valid to"), el("dd", {}, validUntil(cert.notAfterTimeStamp, formatTime)));
}

export async function certificatesPage(me) {
  const [own, trust] = await Promise.all([
    getJson("/api/openscc/v1/certificates"),
    getJson(`${CONNECTOR}/onPremise/truststore`),
  ]);
  const { ui, system, ppCa: ca } = own;
  const writable = me.may.changeConnector;
  const reload = () => certificatesPage(me);
  const upload = el("input", { type: "file", id: "trust-upload", name: "certificate", accept: ".pem,.crt,.cer,.der" });
  const alert = alertLine();
  render(
    el("h1", {}, "Certificates and trust store"),
    section("UI certificate (this listener's)", describe(ui)),
    section("System certificate (towards back ends)", describe(system)),
    section("Principal propagation CA", describe(ca)),
    section("Back-end trust store",
      el("p", {}, trust.trustAllBackends ? "Every back end is trusted (the list is not used)." : "Only back ends with these certificates are trusted."),
      table(
        [
          { label: "Alias", value: (c) => c.alias },
          { label: "Subject", value: (c) => c.subjectDN },
          { label: "Valid to", value: (c) => validUntil(c.notAfterTimeStamp, formatTime) },
        ],
        trust.trustedBackends,
        writable ? [{ label: (c) => `Delete ${c.alias}`, text: "Delete", run: (c) => confirmDialog(`Delete the trusted certificate ${c.alias}?`, "Delete", () => request("DELETE", `${CONNECTOR}/onPremise/truststore/certificates/${encodeURIComponent(c.alias)}`), reload) }] : [],
        "No trusted certificates.",
      ),
      writable
        ? el("form", { class: "inline", onsubmit: async (event) => {
            event.preventDefault();
            clearError(alert);
            if (!upload.files.length) return showError(alert, "Choose a certificate file first.");
            const body = new FormData();
            body.append("certificate", upload.files[0]);
            try {
              await request("POST", `${CONNECTOR}/onPremise/truststore/certificates`, { form: body });
              await reload();
            } catch (error) {
              showError(alert, error.message);
            }
            return undefined;
          } },
          el("div", { class: "field" }, el("label", { for: "trust-upload" }, "Certificate to trust (PEM or DER)"), upload),
          el("button", { type: "submit" }, "Add to trust store"),
          alert)
        : null),
  );
}

// Users and roles

const USERS = "/api/openscc/v1/users";
const ROLE_NAMES = {
  sccadmin: "Administrator",
  sccassocadmin: "Associate administrator",
  sccsubadmin: "Subaccount administrator",
  sccsupport: "Support",
  sccdisplay: "Display",
  sccmonitoring: "Monitoring",
};

export async function usersPage(me) {
  const authentication = await getJson(`${CONNECTOR}/authentication`);
  const ldap = authentication.type === "ldap";
  const alert = alertLine();
  const done = el("p", { role: "status", class: "muted" });
  const form = el(
    "form",
    { class: "narrow-form" },
    field("Current password", "password", "old", { autocomplete: "current-password", required: true }),
    field("New password", "password", "new", { autocomplete: "new-password", required: true }),
    field("Repeat new password", "password", "repeat", { autocomplete: "new-password", required: true }),
    alert,
    done,
    el("button", { type: "submit", class: "primary" }, "Change my password"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(alert);
    done.textContent = "";
    const data = new FormData(form);
    if (data.get("new") !== data.get("repeat")) return showError(alert, "The new passwords do not match.");
    try {
      await request("PUT", `${CONNECTOR}/authentication/basic`, { json: { oldPassword: data.get("old"), newPassword: data.get("new") } });
      await logOn(me.user, data.get("new")); // the change ends every session of the user
      form.reset();
      done.textContent = "Your password was changed.";
    } catch (error) {
      showError(alert, error.message);
    }
    return undefined;
  });
  const users = me.may.manageUsers ? await getJson(USERS) : [];
  const reload = () => usersPage(me);
  render(
    el("h1", {}, "Users and roles"),
    section("You",
      el("dl", { class: "facts" },
        el("dt", {}, "User"), el("dd", {}, me.user),
        el("dt", {}, "Roles"), el("dd", {}, me.roles.map((r) => `${ROLE_NAMES[r] || r} (${r})`).join(", ")))),
    section("User administration",
      ldap
        ? el("p", {}, "Users log on with an LDAP directory; their groups give their roles. Its settings are in the API (authentication/ldap).")
        : el("p", {}, "Local users, each with one role. They are this instance's own (a shadow has its own)."),
      me.may.manageUsers ? localUsers(me, users, reload) : null),
    ldap ? null : section("Change my password", form),
  );
}

function localUsers(me, users, reload) {
  const roleLabel = (r) => `${ROLE_NAMES[r]} (${r})`;
  const roleOptions = Object.keys(ROLE_NAMES).map((r) => [r, roleLabel(r)]);
  return el("div", {},
    toolbar(el("button", { type: "button", onclick: () => formDialog(
      "Add user",
      [
        { name: "user", label: "User name", required: true, autocomplete: "off" },
        // The least privileged role first: a new user reads, until someone gives them more.
        { name: "role", label: "Role", type: "select", options: roleOptions, value: "sccdisplay" },
        { name: "password", label: "Password", type: "password", required: true, autocomplete: "new-password" },
        { name: "repeat", label: "Repeat password", type: "password", required: true, autocomplete: "new-password", sameAs: "password" },
      ],
      "Add",
      (v) => request("POST", USERS, { json: v }),
      reload,
    ) }, "Add user")),
    table(
      [
        { label: "User", value: (u) => u.user },
        { label: "Role", value: (u) => roleLabel(u.role) },
        { label: "Password", value: (u) => (u.initialPassword ? "initial, must be changed" : "set") },
      ],
      users,
      [
        { label: (u) => `Edit ${u.user}`, text: "Edit", run: (u) => formDialog(
          `Edit ${u.user}`,
          [
            { name: "role", label: "Role", type: "select", options: roleOptions, value: u.role },
            { name: "password", label: "New password (empty: keep it)", type: "password", autocomplete: "new-password" },
            { name: "repeat", label: "Repeat new password", type: "password", autocomplete: "new-password", sameAs: "password" },
          ],
          "Save",
          (v) => request("PUT", `${USERS}/${encodeURIComponent(u.user)}`, { json: v.password ? v : { role: v.role } }),
          reload,
        ) },
        { label: (u) => `Delete ${u.user}`, text: "Delete", run: (u) => confirmDialog(`Delete the user ${u.user}?`, "Delete", () => request("DELETE", `${USERS}/${encodeURIComponent(u.user)}`), reload) },
      ],
    ),
  );
}
