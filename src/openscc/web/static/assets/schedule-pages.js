// Backups that run themselves: the schedules (add, edit, delete, run now) and their recent runs,
// for the Administrator (docs/backup-operations.md).

import { getJson, request } from "./api.js";
import { announce, el, formatBytes, render } from "./dom.js";
import { sourceFields } from "./schedule-source.js";
import { alertLine, confirmDialog, section, table, toolbar } from "./widgets.js";

const SCHEDULES = "/api/openscc/v1/backup/schedules";
const KEEP = [["last", "the last"], ["daily", "daily"], ["weekly", "weekly"], ["monthly", "monthly"]];
const STATUS_TONE = { succeeded: "ok", running: "busy", failed: "bad", interrupted: "bad" };

function where(target) {
  if (target.type === "azure") return `azure://${target.account}/${target.container}/${target.prefix || ""}`;
  return target.type === "directory" ? target.path : `s3://${target.bucket}/${target.prefix || ""}`;
}

// What the page says of an Azure target's stored secret (the API never answers the secret).
const AZURE_CREDENTIALS = { key: "an account key is stored", sas: "a SAS token is stored", environment: "the server's Azure environment" };

// "keep the last 7, 4 weekly and 6 monthly"
export function retentionInWords(keep) {
  const parts = KEEP.filter(([name]) => keep && keep[name]).map(([name, words]) => `${keep[name]} ${words}`);
  if (!parts.length) return "keep every archive";
  if (parts[0].endsWith("the last")) parts[0] = `the last ${keep.last}`;
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : parts[0];
  return `keep ${list}`;
}

export async function schedulesPage(me) {
  if (!me.may.manageSchedules) {
    render(el("h1", {}, "Backup schedules"), el("p", { role: "alert", class: "error" }, "Only an Administrator may see the backup schedules."));
    return;
  }
  const [schedules, runs] = await Promise.all([getJson(SCHEDULES), getJson("/api/openscc/v1/backup/runs")]);
  const alert = alertLine();
  const status = el("p", { role: "status", class: "muted" });
  const reload = () => schedulesPage(me);
  const fail = (error) => { alert.textContent = error.message; alert.hidden = false; };
  render(
    el("div", { class: "title" }, el("h1", {}, "Backup schedules"),
      toolbar(el("button", { type: "button", class: "primary", onclick: () => scheduleDialog(null, reload) }, "Add schedule"))),
    el("p", {}, "Backups that run themselves, shipped to a directory, S3 or Azure Blob Storage and kept by their retention."),
    alert,
    status,
    section("Schedules", table(
      [
        { label: "Name", value: (s) => s.name },
        { label: "Backs up", value: (s) => (s.source ? s.source.url : "this connector") },
        { label: "Cron (UTC)", value: (s) => s.cron },
        { label: "Target", value: (s) => where(s.target) },
        { label: "Retention", value: (s) => retentionInWords(s.keep) },
        { label: "Drill", value: (s) => (s.drill ? "yes" : "no") },
      ],
      schedules,
      [
        ...(me.may.runSchedules ? [{ label: (s) => `Run ${s.name} now`, text: "Run now", run: async (s) => {
          try {
            const started = await (await request("POST", `${SCHEDULES}/${encodeURIComponent(s.name)}/run`)).json();
            status.textContent = `Run ${started.id} of ${s.name} started…`;
            const run = await finished(started.id);
            await reload();
            // The page was drawn anew: say how the run ended where the status was.
            announce(run ? `Run ${run.id} of ${s.name} ${run.status}.` : `Run ${started.id} of ${s.name} is still running.`);
          } catch (error) {
            fail(error);
          }
        } }] : []),
        { label: (s) => `Edit ${s.name}`, text: "Edit", run: (s) => scheduleDialog(s, reload) },
        { label: (s) => `Delete ${s.name}`, text: "Delete", run: (s) =>
          confirmDialog(`Delete the schedule ${s.name}? Archives already written stay where they are.`, "Delete",
            () => request("DELETE", `${SCHEDULES}/${encodeURIComponent(s.name)}`), reload) },
      ],
      "No backup schedules yet.",
    )),
    section("Recent runs", table(
      [
        { label: "Started", value: (r) => r.startedAt },
        { label: "Schedule", value: (r) => r.schedule },
        { label: "Status", value: (r) => el("span", { class: `badge ${STATUS_TONE[r.status] || "neutral"}` }, r.status) },
        { label: "Archive", value: (r) => r.object || "–" },
        { label: "Size", value: (r) => (r.size ? formatBytes(r.size) : "–") },
        { label: "Error", value: (r) => (r.error ? el("span", { class: "error" }, r.error) : "") },
      ],
      runs.slice(0, 20),
      [],
      "No runs yet.",
    )),
  );
}

// The run once it has ended (succeeded, failed or interrupted), waiting a few minutes at most;
// null if it is still running then.
async function finished(id) {
  for (let waited = 0; waited < 300; waited += 1) {
    const runs = await getJson("/api/openscc/v1/backup/runs");
    const run = runs.find((r) => r.id === id);
    if (!run || run.status !== "running") return run || null;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return null;
}

let dialogs = 0;

function labelled(label, control) {
  dialogs += 1;
  control.id = control.id || `schedule-field-${dialogs}`;
  return el("div", { class: "field" }, el("label", { for: control.id }, label), control);
}

function input(name, value, attributes = {}) {
  const node = el("input", { name, autocomplete: "off", ...attributes });
  if (value !== undefined && value !== null) node.value = String(value);
  return node;
}

// A new schedule (current null) or an edit: the target's own fields, the password twice (an edit
// may leave it empty: the stored one stays), retention as numbers said back in words.
function scheduleDialog(current, done) {
  const target = current ? current.target : { type: "directory" };
  const alert = alertLine();
  const type = el("select", { name: "type" },
    el("option", { value: "directory" }, "A directory on the server"),
    el("option", { value: "s3" }, "S3-compatible object storage"),
    el("option", { value: "azure" }, "Azure Blob Storage"));
  type.value = target.type;
  // Each kind's fields show its own target's values only (S3's and Azure's both have a prefix).
  const of = (kind) => (target.type === kind ? target : {});
  const directory = el("div", {}, labelled("Directory (absolute path)", input("path", of("directory").path)));
  const s3 = el("div", {},
    labelled("Bucket", input("bucket", of("s3").bucket)),
    labelled("Prefix", input("prefix", of("s3").prefix)),
    labelled("Region", input("region", of("s3").region)),
    labelled("Endpoint (empty: AWS)", input("endpoint", of("s3").endpoint)),
    labelled("Access key ID (empty: keep, or the server's environment)", input("accessKeyId", "")),
    labelled("Secret access key", input("secretAccessKey", "", { type: "password" })));
  // Named apart from S3's prefix and endpoint: the form holds both kinds' fields.
  const azure = el("div", {},
    labelled("Storage account", input("account", of("azure").account)),
    labelled("Container", input("container", of("azure").container)),
    labelled("Prefix in the container", input("azurePrefix", of("azure").prefix)),
    labelled("Blob service URL (empty: Azure's public cloud)", input("azureEndpoint", of("azure").endpoint)),
    of("azure").credentials ? el("p", { class: "muted" }, `Now: ${AZURE_CREDENTIALS[target.credentials] || target.credentials}.`) : "",
    labelled("Account key (or a SAS token below; both empty: keep the stored one, else the server's environment)", input("accessKey", "", { type: "password" })),
    labelled("SAS token", input("sasToken", "", { type: "password" })));
  const showTarget = () => {
    directory.hidden = type.value !== "directory";
    s3.hidden = type.value !== "s3";
    azure.hidden = type.value !== "azure";
  };
  type.addEventListener("change", showTarget);
  showTarget();
  const source = sourceFields(current);
  const keep = KEEP.map(([name]) => input(name, current?.keep?.[name] ?? "", { type: "number", min: "0" }));
  const words = el("p", { class: "muted", id: "retention-words" });
  const sayRetention = () => {
    words.textContent = `Retention: ${retentionInWords(Object.fromEntries(keep.map((k) => [k.name, Number(k.value) || 0])))}.`;
  };
  keep.forEach((k) => k.addEventListener("input", sayRetention));
  sayRetention();
  const password = input("password", "", { type: "password", autocomplete: "new-password", required: !current });
  const repeat = input("repeat", "", { type: "password", autocomplete: "new-password", required: !current });
  const drill = el("input", { type: "checkbox", name: "drill", id: `schedule-drill-${dialogs}` });
  drill.checked = Boolean(current?.drill);
  const form = el("form", {},
    current ? "" : labelled("Name", input("name", "", { required: true })),
    labelled("When (cron, UTC)", input("cron", current?.cron ?? "0 2 * * *", { required: true })),
    source.node,
    labelled("Target", type), directory, s3, azure,
    labelled(current ? "Backup password (empty: keep the current one)" : "Backup password", password),
    labelled("Repeat backup password", repeat),
    el("fieldset", {}, el("legend", {}, "Keep at the target"),
      ...KEEP.map(([name, text], i) => labelled(`Keep ${text === "the last" ? "the last" : text}`, keep[i]))),
    words,
    el("div", { class: "field check" }, drill, el("label", { for: drill.id }, "Drill each archive (restore it into a throwaway instance)")),
    alert,
    el("div", { class: "buttons" },
      el("button", { type: "button", onclick: () => box.close() }, "Cancel"),
      el("button", { type: "submit", class: "primary" }, current ? "Save" : "Add")));
  const box = el("dialog", { "aria-labelledby": "schedule-title" },
    el("h2", { id: "schedule-title" }, current ? `Edit ${current.name}` : "Add a backup schedule"), form);
  box.addEventListener("close", () => box.remove());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    if (password.value !== repeat.value) {
      alert.textContent = "The backup passwords do not match.";
      alert.hidden = false;
      return;
    }
    const value = (name) => form.elements[name].value.trim();
    const given = (kind, names) => Object.fromEntries([["type", kind], ...Object.entries(names)
      .map(([field, name]) => [field, value(name)]).filter(([, v]) => v)]);
    const targetBody = {
      directory: () => ({ type: "directory", path: value("path") }),
      s3: () => given("s3", { bucket: "bucket", prefix: "prefix", region: "region", endpoint: "endpoint",
        accessKeyId: "accessKeyId", secretAccessKey: "secretAccessKey" }),
      azure: () => given("azure", { account: "account", container: "container", prefix: "azurePrefix",
        endpoint: "azureEndpoint", accessKey: "accessKey", sasToken: "sasToken" }),
    }[type.value]();
    const body = {
      cron: value("cron"),
      target: targetBody,
      keep: Object.fromEntries(keep.filter((k) => k.value !== "").map((k) => [k.name, Number(k.value)])),
      drill: drill.checked,
    };
    if (password.value) body.password = password.value;
    const backedUp = source.body();
    if (backedUp !== undefined) body.source = backedUp;
    try {
      if (current) await request("PUT", `${SCHEDULES}/${encodeURIComponent(current.name)}`, { json: body });
      else await request("POST", SCHEDULES, { json: { name: value("name"), ...body } });
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
