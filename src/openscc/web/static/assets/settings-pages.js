// Connector-wide settings as the product's pages have them: LDAP (with a test logon before
// saving), alert e-mail (with a test e-mail), the audit log level, log and trace, and the UI
// certificate (self-signed, a CSR and its signed chain). Changes are offered to whom the API
// takes them from; it refuses the others anyway.

import { getJson, request, saveAs } from "./api.js";
import { announce, el, render } from "./dom.js";
import { confirmDialog, formDialog, section, table, toolbar } from "./widgets.js";

const CONNECTOR = "/api/v1/configuration/connector";
const LDAP_V2 = "/api/v2/configuration/connector/authentication/ldap";
const LDAP_SERVERS = `${LDAP_V2}/servers`;

function facts(...pairs) {
  return el("dl", { class: "facts" }, ...pairs.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value === "" || value === undefined ? "–" : String(value))]));
}

export async function settingsPage(me) {
  const admin = me.may.changeConnector;
  const reload = () => settingsPage(me);
  const [ldap, alerting, email, audit, logs] = await Promise.all([
    getJson(LDAP_V2).catch(() => null),
    getJson(`${CONNECTOR}/alerting`).catch(() => null),
    getJson(`${CONNECTOR}/email`).catch(() => null),
    getJson(`${CONNECTOR}/auditLog`).catch(() => null),
    getJson(`${CONNECTOR}/logAndTrace`).catch(() => null),
  ]);
  render(
    el("h1", {}, "Settings"),
    ldap ? ldapSection(ldap, admin, reload) : "",
    alerting ? alertingSection(alerting, admin, reload) : "",
    email ? emailSection(email, admin, reload) : "",
    audit ? section("Audit log",
      facts(["Level", audit.level], ["Cleanup after (days)", audit.cleanup], ["Written to", audit.logPath]),
      toolbar(admin && el("button", { type: "button", onclick: () => formDialog("Audit log", [
        { name: "level", label: "Audit level", type: "select", value: audit.level,
          options: [["OFF", "Off"], ["SECURITY", "Security (logons, changes)"], ["ALL", "All (every request)"]] },
        { name: "cleanup", label: "Cleanup after (days)", type: "number", value: audit.cleanup },
      ], "Save", (v) => request("PATCH", `${CONNECTOR}/auditLog`, { json: { level: v.level, cleanup: Number(v.cleanup) } }), reload) }, "Edit audit log"))) : "",
    logs ? section("Log and trace",
      facts(["openscc log level", logs.sccLogLevel], ["Other components", logs.otherLogLevel], ["Cleanup after (days)", logs.cleanup]),
      toolbar(admin && el("button", { type: "button", onclick: () => formDialog("Log and trace", [
        { name: "sccLogLevel", label: "openscc log level", type: "select", value: logs.sccLogLevel, options: ["OFF", "ERROR", "WARN", "INFO", "DEBUG", "ALL"] },
        { name: "otherLogLevel", label: "Other components' log level", type: "select", value: logs.otherLogLevel, options: ["OFF", "ERROR", "WARN", "INFO", "DEBUG", "ALL"] },
      ], "Save", (v) => request("PATCH", `${CONNECTOR}/logAndTrace`, { json: v }), reload) }, "Edit log levels"))) : "",
    admin ? uiCertificateSection(reload) : "",
  );
}

// LDAP

function ldapSection(ldap, admin, reload) {
  const servers = ldap.orderedLdapConfigurations || [];
  return section("LDAP user administration",
    facts(["Users log on with", ldap.enabled ? "the LDAP directory" : "openscc's local users"]),
    table(
      [
        { label: "Server", value: (s) => s.id },
        { label: "Hosts", value: (s) => (s.hosts || []).map((h) => `${h.isSecure === true || h.isSecure === "true" ? "ldaps" : "ldap"}://${h.host}:${h.port}`).join(", ") },
        { label: "Connection user", value: (s) => s.user || "anonymous" },
      ],
      servers,
      admin ? [{ label: (s) => `Edit LDAP server ${s.id}`, text: "Edit", run: (s) => ldapDialog(s, reload) }] : [],
      "No LDAP server configured.",
    ),
    toolbar(
      admin && el("button", { type: "button", onclick: () => ldapDialog(null, reload) }, "Add LDAP server"),
      admin && servers.length > 0 && el("button", { type: "button", class: ldap.enabled ? "" : "primary", onclick: () =>
        confirmDialog(ldap.enabled ? "Turn LDAP off? The local users log on again." : "Turn LDAP on? Directory users log on from now on; test a logon first.",
          ldap.enabled ? "Turn LDAP off" : "Turn LDAP on",
          () => request("PUT", LDAP_V2, { json: { enabled: !ldap.enabled } }), reload) }, ldap.enabled ? "Turn LDAP off" : "Turn LDAP on"),
    ));
}

let ldapDialogs = 0;

function ldapDialog(server, done) {
  ldapDialogs += 1;
  const id = (name) => `ldap-${ldapDialogs}-${name}`;
  const host = server?.hosts?.[0] || { host: "", port: 389, isSecure: false };
  const input = (name, label, value, attributes = {}) => {
    const control = attributes.multiline
      ? el("textarea", { id: id(name), name, rows: 3 })
      : el("input", { id: id(name), name, autocomplete: "off", ...attributes });
    if (value !== undefined && value !== null) control.value = String(value);
    return el("div", { class: "field" }, el("label", { for: id(name) }, label), control);
  };
  const secure = el("input", { type: "checkbox", id: id("secure"), name: "secure" });
  secure.checked = host.isSecure === true || host.isSecure === "true";
  const result = el("p", { role: "status", id: "ldap-test-result" });
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  const form = el("form", {},
    input("host", "Host", host.host, { required: true }),
    input("port", "Port", host.port, { type: "number", required: true }),
    el("div", { class: "field check" }, secure, el("label", { for: id("secure") }, "Secure (LDAPS)")),
    input("user", "Connection user (DN)", server?.user),
    input("password", "Connection user's password (empty: keep it)", "", { type: "password" }),
    input("config", "Search rules (as SAP's template: userBase, userSearch, roleBase, roleName, roleSearch)", server?.config, { multiline: true }),
    input("caCertificate", "CA certificate (PEM, for LDAPS or StartTLS)", server?.caCertificate, { multiline: true }),
    el("fieldset", {}, el("legend", {}, "Test a logon before saving"),
      input("testUser", "Test user", ""),
      input("testPassword", "Test user's password", "", { type: "password" }),
      el("button", { type: "button", id: id("test") }, "Test logon"),
      result),
    alert,
    el("div", { class: "buttons" },
      el("button", { type: "button", onclick: () => box.close() }, "Cancel"),
      el("button", { type: "submit", class: "primary" }, "Save")));
  const box = el("dialog", { "aria-labelledby": id("title") }, el("h2", { id: id("title") }, server ? `LDAP server ${server.id}` : "Add an LDAP server"), form);
  box.addEventListener("close", () => box.remove());
  const body = () => {
    const v = (name) => form.elements[name].value;
    const out = {
      config: v("config"),
      hosts: [{ host: v("host").trim(), port: v("port"), isSecure: secure.checked }],
      user: v("user"),
    };
    if (v("password")) out.password = v("password");
    if (v("caCertificate").trim()) out.caCertificate = v("caCertificate");
    return out;
  };
  form.querySelector(`#${id("test")}`).addEventListener("click", async () => {
    alert.hidden = true;
    result.className = "";
    result.textContent = "Asking the directory…";
    try {
      const answer = await (await request("POST", "/api/openscc/v1/ldap/test", { json: {
        server: body(), ...(server ? { id: server.id } : {}),
        user: form.elements.testUser.value, password: form.elements.testPassword.value,
      } })).json();
      result.className = answer.authenticated ? "success" : "error";
      result.textContent = answer.authenticated ? `Logs on: ${answer.message}.` : `Does not log on: ${answer.message}.`;
    } catch (error) {
      result.textContent = "";
      alert.textContent = error.message;
      alert.hidden = false;
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    try {
      if (server) await request("PUT", `${LDAP_SERVERS}/${encodeURIComponent(server.id)}`, { json: body() });
      else await request("POST", LDAP_SERVERS, { json: body() });
      box.close();
      await done();
    } catch (error) {
      alert.textContent = error.message;
      alert.hidden = false;
    }
  });
  document.body.append(box);
  box.showModal();
}

// Alerting: which alerts are e-mailed, and the thresholds that raise them

const NOTIFY = [["ha", "High availability"], ["tunnels", "Tunnels"], ["serviceChannels", "Service channels"],
  ["CPU", "CPU load"], ["freeDiskSpace", "Free disk space"], ["certificates", "Certificates"], ["troubleshooting", "Troubleshooting"]];
const THRESHOLDS = [["cpuLoad", "CPU load (%)"], ["cpuLoadViolationToleranceSec", "CPU load lasting (seconds)"],
  ["freeDiskSpaceMb", "Free disk space below (MB)"], ["certificateValidityDays", "Certificates expiring within (days)"]];

function alertingSection(alerting, admin, reload) {
  const mailed = NOTIFY.filter(([key]) => alerting.notification[key]).map(([, label]) => label);
  return section("Alerting",
    facts(["E-mailed alerts", mailed.join(", ") || "none"],
      ...THRESHOLDS.map(([key, label]) => [label, alerting.thresholds[key]])),
    toolbar(admin && el("button", { type: "button", onclick: () => formDialog("Alerting", [
      ...NOTIFY.map(([key, label]) => ({ name: `n-${key}`, label: `E-mail ${label.toLowerCase()} alerts`, type: "checkbox", value: alerting.notification[key] })),
      ...THRESHOLDS.map(([key, label]) => ({ name: `t-${key}`, label, type: "number", value: alerting.thresholds[key] })),
    ], "Save", (v) => request("PUT", `${CONNECTOR}/alerting`, { json: {
      notification: Object.fromEntries(NOTIFY.map(([key]) => [key, v[`n-${key}`]])),
      thresholds: Object.fromEntries(THRESHOLDS.map(([key]) => [key, Number(v[`t-${key}`])])),
    } }), reload) }, "Edit alerting")));
}

// E-mail

function emailSection(email, admin, reload) {
  return section("Alert e-mail",
    facts(["Alert e-mails", email.enabled ? "sent" : "off"], ["SMTP server", email.smtpHost ? `${email.smtpHost}:${email.smtpPort}` : ""],
      ["From", email.sendFrom], ["To", email.sendTo], ["Certificate check", email.trustOption]),
    toolbar(
      admin && el("button", { type: "button", onclick: () => formDialog("Alert e-mail", [
        { name: "enabled", label: "Send alert e-mails", type: "checkbox", value: email.enabled },
        { name: "smtpHost", label: "SMTP host", value: email.smtpHost },
        { name: "smtpPort", label: "SMTP port", type: "number", value: email.smtpPort, hint: "enter a number between 1 and 65535" },
        { name: "sendFrom", label: "From", value: email.sendFrom },
        { name: "sendTo", label: "To", value: email.sendTo },
        { name: "smtpUsername", label: "SMTP user", value: email.smtpUsername },
        { name: "smtpPassword", label: "SMTP password (empty: keep it)", type: "password" },
        { name: "trustOption", label: "Certificate check", type: "select", value: email.trustOption || "emailTrustStore",
          options: [["emailTrustStore", "The e-mail trust store"], ["jdkAndEmailTrustStore", "The system's CAs and the e-mail trust store"], ["trustAll", "None (not verified)"], ["tlsDisabled", "No TLS"]] },
      ], "Save", (v) => {
        const changes = { ...v, smtpPort: v.smtpPort === "" ? undefined : Number(v.smtpPort) };
        if (!changes.smtpPassword) delete changes.smtpPassword;
        return request("PATCH", `${CONNECTOR}/email`, { json: changes });
      }, reload) }, "Edit e-mail"),
      admin && el("button", { type: "button", onclick: async () => {
        const answer = await (await request("POST", "/api/openscc/v1/alerting/email/test")).json();
        announce(answer.sent ? `Test e-mail ${answer.message}.` : `The test e-mail was ${answer.message}.`);
        if (!answer.sent) document.getElementById("announcement").className = "error";
      } }, "Send a test e-mail"),
    ));
}

// The UI certificate

function uiCertificateSection(reload) {
  const path = `${CONNECTOR}/ui/uiCertificate`;
  const chain = el("textarea", { id: "signed-chain", name: "signedCertificate", rows: 4 });
  return section("UI certificate",
    el("p", {}, "The certificate browsers see. A new one applies at the next restart of the connector; browsers then ask to trust it."),
    toolbar(
      el("button", { type: "button", onclick: () => formDialog("Self-signed UI certificate", [
        { name: "subjectDN", label: "Subject (e.g. CN=scc.example.com)", required: true },
        { name: "dns", label: "Host name (subject alternative name)" },
      ], "Create", (v) => request("POST", path, { json: { type: "selfsigned", subjectDN: v.subjectDN,
        ...(v.dns ? { subjectAltNames: [{ type: "DNS", value: v.dns }] } : {}) } }), reload) }, "Create self-signed"),
      el("button", { type: "button", onclick: () => formDialog("Certificate signing request", [
        { name: "subjectDN", label: "Subject (e.g. CN=scc.example.com)", required: true },
      ], "Create and download", async (v) => {
        const response = await request("POST", path, { json: { type: "csr", subjectDN: v.subjectDN } });
        await saveAs(response, "ui-certificate.csr");
      }, () => announce("The signing request was downloaded: have it signed, then install the chain below.")) }, "Create a signing request"),
    ),
    el("div", { class: "field" }, el("label", { for: "signed-chain" }, "Signed certificate chain (PEM) for the pending request"), chain),
    toolbar(el("button", { type: "button", onclick: async () => {
      const form = new FormData();
      form.append("signedCertificate", chain.value);
      try {
        await request("PATCH", path, { form });
        announce("The signed UI certificate is installed.");
      } catch (error) {
        announce(error.message);
        document.getElementById("announcement").className = "error";
      }
    } }, "Install the signed chain")));
}
