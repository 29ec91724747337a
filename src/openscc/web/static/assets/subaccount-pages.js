// Subaccounts, and within one: system mappings with their resources and access control, domain
// mappings and service channels. Reads for every role; changes for the subaccount administrators
// on a master.

import { getJson, request } from "./api.js";
import { announce, el, render } from "./dom.js";
import { exportDialog, importDialog } from "./subaccount-transfer.js";
import { confirmDialog, formDialog, section, table, toolbar, tunnelState } from "./widgets.js";

const SUBACCOUNTS = "/api/v1/configuration/subaccounts";
const enc = encodeURIComponent;

function subaccountPath(region, subaccount) {
  return `${SUBACCOUNTS}/${enc(region)}/${enc(subaccount)}`;
}

function link(text, hash) {
  return el("a", { href: hash }, text);
}

function yesNo(value) {
  return value === true || value === "true" ? "yes" : "no";
}

// The list

export async function subaccountsPage(me) {
  const list = await getJson(SUBACCOUNTS);
  const details = await Promise.all(list.map((s) => getJson(subaccountPath(s.regionHost, s.subaccount))));
  const writable = me.may.changeSubaccounts;
  const reload = () => subaccountsPage(me);
  const rows = list.map((s, i) => ({ ...s, ...details[i] }));
  render(
    el("div", { class: "title" }, el("h1", {}, "Subaccounts"),
      toolbar(writable && el("button", { type: "button", class: "primary", onclick: () => addSubaccount(reload) }, "Add subaccount"))),
    section("Subaccounts",
      table(
        [
          { label: "Display name", value: (r) => link(r.displayName, `#/subaccount/${enc(r.regionHost)}/${enc(r.subaccount)}`) },
          { label: "Subaccount", value: (r) => r.subaccount },
          { label: "Region", value: (r) => r.regionHost },
          { label: "Location ID", value: (r) => r.locationID || "–" },
          { label: "Tunnel", value: (r) => tunnelState(r.tunnel.state) },
        ],
        rows,
        writable
          ? [
              { label: (r) => `Edit ${r.displayName}`, text: "Edit", run: (r) => editSubaccount(r, reload) },
              { label: (r) => `Delete ${r.displayName}`, text: "Delete", run: (r) => deleteSubaccount(r, reload) },
            ]
          : [],
        "No subaccounts yet.",
      )),
  );
}

export function addSubaccount(done) {
  formDialog(
    "Add subaccount",
    [
      { name: "regionHost", label: "Region host", required: true, value: "cf.eu10.hana.ondemand.com" },
      { name: "subaccount", label: "Subaccount ID", required: true },
      { name: "displayName", label: "Display name" },
      { name: "description", label: "Description" },
      { name: "locationID", label: "Location ID" },
      { name: "cloudUser", label: "Subaccount user", required: true, autocomplete: "username" },
      { name: "cloudPassword", label: "Subaccount user's password", type: "password", required: true, autocomplete: "new-password" },
    ],
    "Add",
    (v) => request("POST", SUBACCOUNTS, { json: v }),
    done,
  );
}

function editSubaccount(s, done) {
  formDialog(
    `Edit ${s.displayName}`,
    [
      { name: "displayName", label: "Display name", value: s.displayName },
      { name: "description", label: "Description", value: s.description },
      { name: "locationID", label: "Location ID", value: s.locationID },
    ],
    "Save",
    (v) => request("PUT", subaccountPath(s.regionHost, s.subaccount), { json: v }),
    done,
  );
}

function deleteSubaccount(s, done) {
  confirmDialog(`Delete subaccount ${s.displayName} and everything configured in it?`, "Delete",
    () => request("DELETE", subaccountPath(s.regionHost, s.subaccount)), done);
}

// One subaccount

export async function subaccountPage(me, region, subaccount) {
  const base = subaccountPath(region, subaccount);
  const [one, mappings, domains, channels] = await Promise.all([
    getJson(base),
    getJson(`${base}/systemMappings`),
    getJson(`${base}/domainMappings`),
    getJson(`${base}/channels`),
  ]);
  const writable = me.may.changeSubaccounts;
  const reload = () => subaccountPage(me, region, subaccount);
  render(
    el("p", { class: "crumbs" }, link("Subaccounts", "#/subaccounts"), " / ", one.displayName),
    el("div", { class: "title" }, el("h1", {}, one.displayName),
      toolbar(
        me.may.backup && el("button", { type: "button", onclick: () => exportDialog(one, announce) }, "Export"),
        me.may.restore && el("button", { type: "button", onclick: () => importDialog(one, reload) }, "Import"))),
    section("Overview",
      el("dl", { class: "facts" },
        el("dt", {}, "Subaccount"), el("dd", {}, one.subaccount),
        el("dt", {}, "Region"), el("dd", {}, one.regionHost),
        el("dt", {}, "Location ID"), el("dd", {}, one.locationID || "–"),
        el("dt", {}, "Description"), el("dd", {}, one.description || "–"),
        el("dt", {}, "Tunnel"), el("dd", {}, tunnelState(one.tunnel.state)))),
    section("System mappings",
      toolbar(writable && el("button", { type: "button", onclick: () => mappingDialog(base, null, reload) }, "Add system mapping")),
      table(
        [
          { label: "Virtual host", value: (m) => link(`${m.virtualHost}:${m.virtualPort}`, `#/mapping/${enc(region)}/${enc(subaccount)}/${enc(`${m.virtualHost}:${m.virtualPort}`)}`) },
          { label: "Internal host", value: (m) => `${m.localHost}:${m.localPort}` },
          { label: "Protocol", value: (m) => labelOf(PROTOCOLS, m.protocol) },
          { label: "Back end", value: (m) => labelOf(BACKEND_TYPES, m.backendType) },
          { label: "Resources", value: (m) => `${m.enabledResourcesCount ?? 0} of ${m.totalResourcesCount ?? 0} enabled` },
        ],
        mappings,
        writable
          ? [
              { label: (m) => `Edit ${m.virtualHost}:${m.virtualPort}`, text: "Edit", run: (m) => mappingDialog(base, m, reload) },
              { label: (m) => `Delete ${m.virtualHost}:${m.virtualPort}`, text: "Delete", run: (m) => confirmDialog(`Delete the system mapping ${m.virtualHost}:${m.virtualPort} and its resources?`, "Delete", () => request("DELETE", `${base}/systemMappings/${enc(`${m.virtualHost}:${m.virtualPort}`)}`), reload) },
            ]
          : [],
        "No system mappings yet.",
      )),
    section("Domain mappings",
      toolbar(writable && el("button", { type: "button", onclick: () => domainDialog(base, null, reload) }, "Add domain mapping")),
      table(
        [
          { label: "Virtual domain", value: (d) => d.virtualDomain },
          { label: "Internal domain", value: (d) => d.internalDomain },
        ],
        domains,
        writable
          ? [
              { label: (d) => `Edit ${d.internalDomain}`, text: "Edit", run: (d) => domainDialog(base, d, reload) },
              { label: (d) => `Delete ${d.internalDomain}`, text: "Delete", run: (d) => confirmDialog(`Delete the domain mapping of ${d.internalDomain}?`, "Delete", () => request("DELETE", `${base}/domainMappings/${enc(d.internalDomain)}`), reload) },
            ]
          : [],
        "No domain mappings yet.",
      )),
    section("Service channels",
      toolbar(writable && el("button", { type: "button", onclick: () => channelDialog(base, reload) }, "Add Kubernetes channel")),
      table(
        [
          { label: "Type", value: (c) => c.typeDesc.typeName },
          { label: "Target", value: (c) => c.details },
          { label: "Local port", value: (c) => String(c.port) },
          { label: "Connections", value: (c) => String(c.connectionsCount) },
          { label: "Enabled", value: (c) => yesNo(c.enabled) },
        ],
        channels,
        writable
          ? [{ label: (c) => `Delete channel ${c.id}`, text: "Delete", run: (c) => confirmDialog(`Delete the ${c.typeDesc.typeName} channel to ${c.details}?`, "Delete", () => request("DELETE", `${base}/channels/${enc(channelType(c))}/${c.id}`), reload) }]
          : [],
        "No service channels yet.",
      ),
      el("p", { class: "muted" }, "Channels open through the tunnel to SAP BTP, which openscc does not have: they are configuration only.")),
  );
}

const CHANNEL_TYPES = { HANA_DB: "HANA", HCPVM: "VirtualMachine", RFC: "ABAPCloud" };

function channelType(channel) {
  const key = channel.typeDesc.typeKey;
  return CHANNEL_TYPES[key] || key;
}

// The product's words for the API's values (SAP's Add System Mapping dialog).
export const BACKEND_TYPES = [
  ["abapSys", "ABAP System"], ["netweaverGW", "SAP Gateway"], ["applServerJava", "SAP Application Server Java"],
  ["netweaverCE", "SAP NetWeaver Composition Environment"], ["BC", "SAP Business Connector"],
  ["PI", "SAP Process Integration"], ["hana", "SAP HANA"], ["otherSAPsys", "Other SAP System"],
  ["nonSAPsys", "Non-SAP System"],
];
export const PROTOCOLS = [
  ["HTTP", "HTTP"], ["HTTPS", "HTTPS"], ["RFC", "RFC"], ["RFCS", "RFC SNC"], ["LDAP", "LDAP"],
  ["LDAPS", "LDAPS"], ["TCP", "TCP"], ["TCPS", "TCP SSL"],
];
const PRINCIPAL_TYPES = [["NONE", "None"], ["X509", "X.509 Certificate"], ["KERBEROS", "Kerberos"]];
const HOST_IN_HEADER = [["VIRTUAL", "Use Virtual Host"], ["INTERNAL", "Use Internal Host"]];
const PORT_HINT = "enter a number between 1 and 65535";

export function labelOf(pairs, value) {
  const found = pairs.find(([key]) => key === value);
  return found ? found[1] : value;
}

// authenticationMode is the principal type and whether the system certificate may be used for
// logon: NONE / NONE_RESTRICTED, X509_GENERAL / X509_RESTRICTED, KERBEROS.
function principalOf(mode) {
  if (!mode || mode.startsWith("NONE")) return ["NONE", mode !== "NONE_RESTRICTED"];
  if (mode.startsWith("X509")) return ["X509", mode === "X509_GENERAL"];
  return ["KERBEROS", false];
}

function authenticationMode(principal, systemCertificate) {
  if (principal === "KERBEROS") return "KERBEROS";
  if (principal === "X509") return systemCertificate ? "X509_GENERAL" : "X509_RESTRICTED";
  return systemCertificate ? "NONE" : "NONE_RESTRICTED";
}

function mappingDialog(base, m, done) {
  const editing = m !== null;
  const [principal, systemCertificate] = principalOf(m?.authenticationMode);
  formDialog(
    editing ? `Edit ${m.virtualHost}:${m.virtualPort}` : "Add system mapping",
    [
      { name: "backendType", label: "Back-end type", type: "select", options: BACKEND_TYPES, value: m?.backendType },
      { name: "protocol", label: "Protocol", type: "select", options: PROTOCOLS, value: m?.protocol },
      { name: "virtualHost", label: "Virtual host", required: true, value: m?.virtualHost, readonly: editing },
      { name: "virtualPort", label: "Virtual port", required: true, value: m?.virtualPort, readonly: editing, hint: PORT_HINT },
      { name: "localHost", label: "Internal host", required: true, value: m?.localHost },
      { name: "localPort", label: "Internal port", required: true, value: m?.localPort, hint: PORT_HINT },
      { name: "principalType", label: "Principal type", type: "select", options: PRINCIPAL_TYPES, value: principal },
      { name: "systemCertificate", label: "Allow the system certificate for logon", type: "checkbox", value: systemCertificate },
      { name: "hostInHeader", label: "Host in request header (HTTP and HTTPS)", type: "select", options: HOST_IN_HEADER, value: m?.hostInHeader || "VIRTUAL" },
      { name: "description", label: "Description", value: m?.description },
    ],
    editing ? "Save" : "Add",
    (v) => {
      const { principalType, systemCertificate: allowed, ...rest } = v;
      const body = { ...rest, authenticationMode: authenticationMode(principalType, allowed) };
      if (!["HTTP", "HTTPS"].includes(body.protocol)) delete body.hostInHeader;
      return editing
        ? request("PUT", `${base}/systemMappings/${enc(`${m.virtualHost}:${m.virtualPort}`)}`, { json: body })
        : request("POST", `${base}/systemMappings`, { json: body });
    },
    done,
  );
}

function domainDialog(base, d, done) {
  formDialog(
    d ? `Edit the mapping of ${d.internalDomain}` : "Add domain mapping",
    [
      { name: "virtualDomain", label: "Virtual domain", required: true, value: d?.virtualDomain },
      { name: "internalDomain", label: "Internal domain", required: true, value: d?.internalDomain },
    ],
    d ? "Save" : "Add",
    (v) => d
      ? request("PUT", `${base}/domainMappings/${enc(d.internalDomain)}`, { json: v })
      : request("POST", `${base}/domainMappings`, { json: v }),
    done,
  );
}

function channelDialog(base, done) {
  formDialog(
    "Add Kubernetes channel",
    [
      { name: "k8sCluster", label: "Cluster host", required: true },
      { name: "k8sService", label: "Service ID", required: true },
      { name: "port", label: "Local port", required: true },
      { name: "connections", label: "Connections", value: "1" },
      { name: "comment", label: "Comment" },
    ],
    "Add",
    (v) => request("POST", `${base}/channels/K8S`, { json: v }),
    done,
  );
}

// One system mapping: resources and access control

export async function mappingPage(me, region, subaccount, mapping) {
  const sa = subaccountPath(region, subaccount);
  const base = `${sa}/systemMappings/${enc(mapping)}`;
  const [one, resources, allowed, blocked] = await Promise.all([
    getJson(base),
    getJson(`${base}/resources`),
    getJson(`${base}/allowedClients`),
    getJson(`${base}/blockedClientUsers`),
  ]);
  const writable = me.may.changeSubaccounts;
  const reload = () => mappingPage(me, region, subaccount, mapping);
  const abap = one.backendType === "abapSys";
  render(
    el("p", { class: "crumbs" }, link("Subaccounts", "#/subaccounts"), " / ",
      link(subaccount, `#/subaccount/${enc(region)}/${enc(subaccount)}`), " / ", mapping),
    el("h1", {}, `System mapping ${mapping}`),
    section("Overview",
      el("dl", { class: "facts" },
        el("dt", {}, "Internal host"), el("dd", {}, `${one.localHost}:${one.localPort}`),
        el("dt", {}, "Protocol"), el("dd", {}, labelOf(PROTOCOLS, one.protocol)),
        el("dt", {}, "Back-end type"), el("dd", {}, labelOf(BACKEND_TYPES, one.backendType)),
        el("dt", {}, "Description"), el("dd", {}, one.description || "–"))),
    section("Resources",
      toolbar(writable && el("button", { type: "button", onclick: () => resourceDialog(base, null, reload) }, "Add resource")),
      table(
        [
          { label: "URL path or function", value: (r) => r.id },
          { label: "Exact match only", value: (r) => yesNo(r.exactMatchOnly) },
          { label: "Enabled", value: (r) => yesNo(r.enabled) },
          { label: "WebSocket", value: (r) => yesNo(r.websocketUpgradeAllowed) },
          { label: "Description", value: (r) => r.description || "" },
        ],
        resources,
        writable
          ? [
              { label: (r) => `Edit ${r.id}`, text: "Edit", run: (r) => resourceDialog(base, r, reload) },
              { label: (r) => `Delete ${r.id}`, text: "Delete", run: (r) => confirmDialog(`Delete the resource ${r.id}?`, "Delete", () => request("DELETE", `${base}/resources/${enc(resourceId(r.id))}`), reload) },
            ]
          : [],
        "No resources yet: nothing of this system is reachable.",
      )),
    abap ? accessControl(base, allowed, blocked, writable, reload) : null,
  );
}

// A resource ID in a path, as the API encodes it: "+" as "+2B", "-" as "+2D", "/" as "-".
function resourceId(id) {
  return id.replaceAll("+", "+2B").replaceAll("-", "+2D").replaceAll("/", "-");
}

function resourceDialog(base, r, done) {
  formDialog(
    r ? `Edit ${r.id}` : "Add resource",
    [
      { name: "id", label: "URL path or function name", required: true, value: r?.id, readonly: r !== null },
      { name: "exactMatchOnly", label: "Exact match only", type: "checkbox", value: r ? r.exactMatchOnly : false },
      { name: "enabled", label: "Enabled", type: "checkbox", value: r ? r.enabled : true },
      { name: "websocketUpgradeAllowed", label: "WebSocket upgrade allowed", type: "checkbox", value: r ? r.websocketUpgradeAllowed : false },
      { name: "description", label: "Description", value: r?.description },
    ],
    r ? "Save" : "Add",
    (v) => r
      ? request("PUT", `${base}/resources/${enc(resourceId(r.id))}`, { json: v })
      : request("POST", `${base}/resources`, { json: v }),
    done,
  );
}

function accessControl(base, allowed, blocked, writable, reload) {
  return section("Access control (ABAP clients and users)",
    el("h3", {}, "Allowed clients"),
    el("p", { class: "muted" }, allowed.length ? "Only these clients may be called." : "Every client may be called."),
    table([{ label: "Client", value: (c) => c }], allowed,
      writable ? [{ label: (c) => `Remove client ${c}`, text: "Remove", run: (c) => confirmDialog(`Remove client ${c} from the allowed clients?`, "Remove", () => request("DELETE", `${base}/allowedClients/${enc(c)}`), reload) }] : [],
      "No client restriction."),
    toolbar(writable && el("button", { type: "button", onclick: () => formDialog("Allow a client", [{ name: "client", label: "Client (three digits)", required: true }], "Allow", (v) => request("PATCH", `${base}/allowedClients`, { json: [v.client] }), reload) }, "Allow a client")),
    el("h3", {}, "Blocked users"),
    table(
      [{ label: "Client", value: (b) => b.client }, { label: "User", value: (b) => b.user }],
      blocked,
      writable ? [{ label: (b) => `Unblock ${b.client}:${b.user}`, text: "Unblock", run: (b) => confirmDialog(`Unblock user ${b.user} in client ${b.client}?`, "Unblock", () => request("DELETE", `${base}/blockedClientUsers/${enc(`${b.client}:${b.user}`)}`), reload) }] : [],
      "No blocked users."),
    toolbar(writable && el("button", { type: "button", onclick: () => formDialog("Block a user", [{ name: "client", label: "Client", required: true }, { name: "user", label: "User", required: true }], "Block", (v) => request("PATCH", `${base}/blockedClientUsers`, { json: [v] }), reload) }, "Block a user")),
  );
}
