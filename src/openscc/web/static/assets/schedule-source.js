// What a schedule backs up: this connector, or another Cloud Connector (SAP's or openscc)
// through its backup API, with its address, user, password and the certificate to trust. An
// edit may leave the password and the certificate empty: the stored ones stay (for the same
// address).

import { el } from "./dom.js";

let fields = 0;

function labelled(label, control) {
  fields += 1;
  control.id = `schedule-source-${fields}`;
  return el("div", { class: "field" }, el("label", { for: control.id }, label), control);
}

function text(name, value, attributes = {}) {
  const node = el("input", { name, autocomplete: "off", ...attributes });
  if (value) node.value = value;
  return node;
}

// {node, body()}: body() is what the request carries as "source": undefined (leave it as it
// is), null (back up this connector again) or the source.
export function sourceFields(current) {
  const source = current?.source || null;
  const kind = el("select", { name: "sourceKind" },
    el("option", { value: "this" }, "This connector"),
    el("option", { value: "connector" }, "Another Cloud Connector, through its backup API"));
  kind.value = source ? "connector" : "this";
  const url = text("sourceUrl", source?.url, { placeholder: "https://scc.example.com:8443" });
  const user = text("sourceUser", source?.user);
  const password = text("sourcePassword", "", { type: "password", autocomplete: "new-password" });
  const certificate = el("textarea", { name: "sourceCertificate", rows: "4", placeholder: "-----BEGIN CERTIFICATE-----" });
  const trust = el("select", { name: "sourceTrust" },
    el("option", { value: "certificate" }, "Its UI certificate, pinned"),
    el("option", { value: "caCertificate" }, "A CA its certificate chains to"));
  trust.value = source?.caCertificate ? "caCertificate" : "certificate";
  const now = source?.certificateSha256 ? `Now pinned: SHA-256 ${source.certificateSha256}.`
    : source?.caCertificate ? "Now trusted through a CA certificate." : "";
  const other = el("div", {},
    labelled("Its address", url),
    labelled("User (an Administrator there)", user),
    labelled(source ? "Its password (empty: keep the stored one)" : "Its password", password),
    labelled("Trust", trust),
    now ? el("p", { class: "muted" }, now) : "",
    labelled(source ? "Certificate, PEM (empty: keep the stored one)" : "Certificate, PEM", certificate));
  const show = () => { other.hidden = kind.value !== "connector"; };
  kind.addEventListener("change", show);
  show();
  const node = el("fieldset", {}, el("legend", {}, "What to back up"), labelled("Back up", kind), other);
  const body = () => {
    if (kind.value === "this") return source ? null : undefined;
    const given = { type: "connector", url: url.value.trim(), user: user.value.trim() };
    if (password.value) given.password = password.value;
    if (certificate.value.trim()) given[trust.value] = certificate.value.trim();
    return given;
  };
  return { node, body };
}
