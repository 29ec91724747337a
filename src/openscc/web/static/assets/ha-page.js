// High availability: this instance's role; on a master, its settings, the shadow's state and
// host, and switching roles; on a shadow, where its master is, the connection and its
// certificate's fingerprint, connect and disconnect, and the takeover timing. Every control is
// offered only when the API would take it (the session's "may").

import { getJson, request } from "./api.js";
import { el, render } from "./dom.js";
import { alertLine, confirmDialog, formDialog, section, toolbar } from "./widgets.js";

const HA = "/api/v1/configuration/connector/ha";

function facts(...pairs) {
  return el("dl", { class: "facts" }, ...pairs.flatMap(([term, value, id]) => [
    el("dt", {}, term), el("dd", id ? { id } : {}, value === "" || value === undefined || value === null ? "–" : String(value)),
  ]));
}

function stateBadge(state) {
  const tone = { CONNECTED: "ok", READY: "ok", INITSYNC: "busy", HANDSHAKE: "busy", BINDING: "busy",
    LOST: "bad", BROKEN: "bad", DISCONNECTED: "neutral", ALONE: "neutral", INITIAL: "neutral" }[state] || "neutral";
  return el("span", { class: `badge ${tone}` }, state);
}

export async function haPage(me) {
  const role = me.haRole;
  const alert = alertLine();
  const reload = () => haPage(me);
  if (role === "master") {
    const [config, state] = await Promise.all([getJson(`${HA}/master/config`), getJson(`${HA}/master/state`)]);
    const connected = state.state === "CONNECTED";
    render(
      el("h1", {}, "High availability"),
      facts(["This instance's role", "master", "ha-page-role"]),
      alert,
      section("Shadow", el("p", {}, "State: ", stateBadge(state.state)),
        facts(["Shadow host", state.shadowHost || ""]),
        toolbar(
          me.may.switchRoles && el("button", { type: "button", disabled: !connected, onclick: () =>
            confirmDialog("Switch roles with the shadow? The shadow becomes the master.", "Switch roles",
              () => request("POST", `${HA}/master/state`, { json: { op: "SWITCH" } }), reload) }, "Switch roles"),
          me.may.switchRoles && el("button", { type: "button", class: "danger", disabled: !connected, onclick: () =>
            confirmDialog("Force the switch? The shadow takes over even if it is not fully in sync.", "Force switch",
              () => request("POST", `${HA}/master/state`, { json: { op: "FORCE_SWITCH" } }), reload) }, "Force switch"),
        ),
        connected ? "" : el("p", { class: "muted" }, "Switching needs a connected shadow.")),
      section("Settings",
        facts(["Shadows may connect", config.haEnabled ? "yes" : "no"], ["HA port", config.haPort],
          ["Allowed shadow host", config.allowedShadowHost || "any host"]),
        toolbar(me.may.changeHaMaster && el("button", { type: "button", onclick: () => formDialog(
          "High availability settings",
          [
            { name: "haEnabled", label: "Shadows may connect", type: "checkbox", value: config.haEnabled },
            { name: "haPort", label: "HA port", type: "number", value: config.haPort },
            { name: "allowedShadowHost", label: "Allowed shadow host (empty: any)", value: config.allowedShadowHost },
          ],
          "Save",
          (v) => request("PUT", `${HA}/master/config`, { json: { ...v, haPort: Number(v.haPort) } }),
          reload,
        ) }, "Edit"))),
    );
    return;
  }
  if (role === "shadow") {
    const [config, state] = await Promise.all([getJson(`${HA}/shadow/config`), getJson(`${HA}/shadow/state`)]);
    const connected = ["HANDSHAKE", "INITSYNC", "READY", "LOST"].includes(state.state);
    render(
      el("h1", {}, "High availability"),
      facts(["This instance's role", "shadow", "ha-page-role"]),
      alert,
      section("Master",
        el("p", {}, "Connection: ", stateBadge(state.state)),
        facts(
          ["Master", config.masterHost ? `${config.masterHost}:${config.masterPort}` : "not set"],
          ["Message", state.stateMessage || ""],
          ["Master certificate (SHA-256)", state.masterCertificateFingerprint || "none trusted yet", "master-fingerprint"],
        ),
        state.masterCertificateFingerprint
          ? el("p", { class: "muted" }, "Compare this fingerprint with the master's own UI certificate: the shadow trusted it at its first connection and accepts no other.")
          : "",
        toolbar(
          me.may.connectShadow && !connected && el("button", { type: "button", class: "primary", onclick: () => formDialog(
            "Connect to the master",
            [
              { name: "user", label: "Master administrator (first connection)", autocomplete: "off" },
              { name: "password", label: "Password", type: "password" },
            ],
            "Connect",
            (v) => request("POST", `${HA}/shadow/state`, { json: v.user ? { op: "CONNECT", ...v } : { op: "CONNECT" } }),
            reload,
          ) }, "Connect"),
          me.may.connectShadow && connected && el("button", { type: "button", onclick: () =>
            confirmDialog("Disconnect from the master?", "Disconnect",
              () => request("POST", `${HA}/shadow/state`, { json: { op: "DISCONNECT" } }), reload) }, "Disconnect"),
        )),
      section("Settings",
        facts(["Master host", config.masterHost], ["Master port", config.masterPort], ["Own host", config.ownHost || "this machine's name"],
          ["Check every (s)", config.checkIntervalInSeconds], ["Take over after (s)", config.takeoverDelayInSeconds]),
        toolbar(me.may.changeHaShadow && !connected && el("button", { type: "button", onclick: () => formDialog(
          "Shadow settings",
          [
            { name: "masterHost", label: "Master host", value: config.masterHost, required: true },
            { name: "masterPort", label: "Master port", type: "number", value: config.masterPort, required: true },
            { name: "ownHost", label: "Own host (as the master sees it)", value: config.ownHost },
            { name: "checkIntervalInSeconds", label: "Check every (seconds)", type: "number", value: config.checkIntervalInSeconds },
            { name: "takeoverDelayInSeconds", label: "Take over after (seconds)", type: "number", value: config.takeoverDelayInSeconds },
          ],
          "Save",
          (v) => request("PUT", `${HA}/shadow/config`, { json: v }),
          reload,
        ) }, "Edit"))),
    );
    return;
  }
  render(el("h1", {}, "High availability"), el("p", {}, "This instance has no high-availability role yet."));
}
