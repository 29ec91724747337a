// The fleet: every connector the backup schedules protect (other Cloud Connectors and this one),
// each with its state in colour, and a restore that sends one of its archives back to it after
// a confirmation naming it (and, for an openscc connector, its dry run). docs/ui.md#fleet.

import { getJson, request } from "./api.js";
import { announce, el, formatBytes, formatTime, render, showError, clearError } from "./dom.js";
import { changesOf } from "./restore.js";
import { alertLine, dialog, section, table } from "./widgets.js";

const FLEET = "/api/openscc/v1/backup/fleet";
const SCHEDULES = "/api/openscc/v1/backup/schedules";
// The state's colour, and the sentence a reader gets on pointing at it.
const STATES = {
  ok: ["ok", "a run succeeded since the last time it was due"],
  running: ["busy", "a run is in progress"],
  late: ["warn", "a run that was due has not succeeded yet"],
  never: ["warn", "no run has succeeded yet"],
  failing: ["bad", "the last run failed"],
};

export function ageInWords(seconds) {
  if (seconds === null || seconds === undefined) return "no archive";
  const hours = Math.floor(seconds / 3600);
  if (hours >= 48) return `${Math.floor(hours / 24)} days`;
  if (hours >= 1) return `${hours} h ${Math.floor((seconds % 3600) / 60)} min`;
  return `${Math.max(1, Math.floor(seconds / 60))} min`;
}

// "7 Dec, 03:00 UTC": short enough for a table cell, unambiguous.
function shortTime(iso) {
  const words = new Date(iso).toLocaleString("en-GB", { timeZone: "UTC", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  return `${words} UTC`;
}

export async function fleetPage(me) {
  if (!me.may.manageSchedules) {
    render(el("h1", {}, "Fleet"), el("p", { role: "alert", class: "error" }, "Only an Administrator may see the fleet."));
    return;
  }
  const rows = await getJson(FLEET);
  const alert = alertLine();
  const status = el("p", { role: "status", class: "muted" });
  const reload = () => fleetPage(me);
  const safe = rows.filter((r) => r.state === "ok" || r.state === "running").length;
  const badge = (row, text) => el("span", { class: `badge ${STATES[row.state][0]}`, title: STATES[row.state][1] }, text);
  render(
    el("h1", {}, "Fleet"),
    el("p", {}, "Every Cloud Connector the backup schedules protect, SAP's and openscc's, this one included. ",
      "Another connector is added as a schedule with a source (",
      el("code", {}, "openscc backup schedule add --source"), " or the API)."),
    el("p", { class: "fleet-summary" }, rows.length
      ? `${safe} of ${rows.length} schedules protected or running.`
      : "No schedules yet: the fleet is empty."),
    alert,
    status,
    section("Connectors", table(
      [
        { label: "Connector", value: (r) => el("span", {}, el("strong", {}, r.connector),
          el("small", { class: "muted block", title: `to ${r.target}` }, `schedule ${r.schedule}`)) },
        { label: "State", value: (r) => el("span", {}, badge(r, r.state),
          r.running && r.state !== "running" ? el("span", { class: "badge busy", title: STATES.running[1] }, "running") : "") },
        { label: "Newest archive", value: (r) => el("span", {}, badge(r, ageInWords(r.newestArchiveAgeSeconds)),
          r.lastSuccessAt ? el("small", { class: "muted block" }, `made ${shortTime(r.lastSuccessAt)}`) : "") },
        { label: "Size", value: (r) => el("span", { class: "nowrap" }, r.lastSize !== null ? formatBytes(r.lastSize) : "–") },
        { label: "Last error", value: (r) => (r.lastError ? el("span", { class: "error" }, r.lastError) : "") },
        { label: "Next run", value: (r) => shortTime(r.nextRunAt) },
      ],
      rows,
      [
        ...(me.may.runSchedules ? [{ label: (r) => `Run ${r.schedule} now`, text: "Run now", run: async (r) => {
          clearError(alert);
          try {
            await request("POST", `${SCHEDULES}/${encodeURIComponent(r.schedule)}/run`);
            status.textContent = `The schedule ${r.schedule} of ${r.connector} is running…`;
            await untilDone(r.schedule);
            await reload();
            announce(`The run of ${r.schedule} ended.`);
          } catch (error) {
            showError(alert, error.message);
          }
        } }] : []),
        // This instance's own archives are restored from the Connector page.
        ...(me.may.restoreConnectors ? [{ label: (r) => `Restore ${r.connector} from an archive of ${r.schedule}`,
          text: "Restore…", when: (r) => r.source !== null, run: restoreDialog }] : []),
      ],
      "No backup schedules yet.",
    )),
  );
}

// Until the schedule's run has ended, for at most five minutes.
async function untilDone(schedule) {
  for (let waited = 0; waited < 300; waited += 1) {
    const row = (await getJson(FLEET)).find((r) => r.schedule === schedule);
    if (!row || !row.running) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// Choose an archive; for an openscc connector, its dry run; then the restore, confirmed by a
// button that names the connector.
async function restoreDialog(row) {
  const alert = alertLine();
  const preview = el("div", { class: "fleet-preview", "aria-live": "polite" });
  const choice = el("select", { id: "fleet-archive", name: "archive" });
  const password = el("input", { id: "fleet-archive-password", type: "password", autocomplete: "off" });
  const restoreButton = el("button", { type: "button", class: "danger", disabled: true }, `Restore on ${row.connector}`);
  const box = dialog(`Restore ${row.connector}`,
    el("p", {}, `Sends an archive of the schedule ${row.schedule} back to ${row.connector} through its backup API. `,
      "The connector restarts into it: what changed there since the archive was made is lost."),
    el("div", { class: "field" }, el("label", { for: "fleet-archive" }, "Archive"), choice),
    el("div", { class: "field" }, el("label", { for: "fleet-archive-password" },
      "The archive's backup password (empty: the schedule's; another if it changed since)"), password),
    preview, alert,
    el("div", { class: "buttons" }, el("button", { type: "button", onclick: () => box.close() }, "Cancel"), restoreButton));
  let archives = [];
  try {
    archives = await getJson(`${FLEET}/${encodeURIComponent(row.schedule)}/archives`);
  } catch (error) {
    showError(alert, error.message);
    return;
  }
  if (!archives.length) {
    preview.replaceChildren(el("p", {}, "No archive of this connector at the target yet."));
    return;
  }
  choice.replaceChildren(...archives.map((a) => el("option", { value: a.name }, `${a.createdAt} — ${a.name}`)));
  const path = `${FLEET}/${encodeURIComponent(row.schedule)}/restore`;
  const order = (more) => ({ archive: choice.value, ...(password.value ? { password: password.value } : {}), ...more });
  // Only the answer to the latest question counts: an earlier archive's preview arriving late
  // must not enable the restore of the one chosen since.
  let asked = 0;
  const showPreview = async () => {
    asked += 1;
    const mine = asked;
    clearError(alert);
    restoreButton.disabled = true;
    preview.replaceChildren(el("p", { class: "muted" }, "Asking the connector what the restore would change…"));
    try {
      const answer = await (await request("POST", path, { json: order({ dryRun: true }) })).json();
      if (mine !== asked) return;
      if (answer.preview) {
        preview.replaceChildren(...previewOf(answer.dryRun, restoreButton));
      } else {
        // A Cloud Connector's own archive, or a connector that declares no dry run.
        preview.replaceChildren(el("p", { class: "muted" }, `No preview: ${answer.why}.`));
        restoreButton.disabled = false;
      }
    } catch (error) {
      if (mine !== asked) return;
      showError(alert, error.message);
      preview.replaceChildren();
    }
  };
  choice.addEventListener("change", showPreview);
  password.addEventListener("change", showPreview);
  restoreButton.addEventListener("click", async () => {
    clearError(alert);
    restoreButton.disabled = true;
    choice.disabled = password.disabled = true;
    try {
      const done = await (await request("POST", path, { json: order({}) })).json();
      box.close();
      render(el("h1", {}, "Fleet"), el("p", { role: "status", class: "fleet-restored" },
        `${done.connector} accepted ${done.archive} and restarts into it.`),
        el("p", {}, el("a", { href: "#/fleet" }, "Back to the fleet")));
    } catch (error) {
      showError(alert, error.message);
      choice.disabled = password.disabled = false;
      restoreButton.disabled = false;
    }
  });
  await showPreview();
}

function previewOf(report, restoreButton) {
  const warnings = report.warnings || [];
  const out = [el("h3", {}, `What the restore would change (archive made ${formatTime(report.backup.createdAt)})`)];
  restoreButton.disabled = warnings.length > 0;
  if (warnings.length) {
    const confirm = el("input", { type: "checkbox", id: "fleet-confirm-warnings" });
    confirm.addEventListener("change", () => { restoreButton.disabled = !confirm.checked; });
    out.push(el("ul", { class: "warnings" }, ...warnings.map((w) =>
      el("li", { class: "warning" }, el("strong", {}, w.message), w.advice ? ` What to do: ${w.advice}` : ""))),
    el("div", { class: "field check" }, confirm,
      el("label", { for: "fleet-confirm-warnings" }, "I have read the warnings and want to restore anyway")));
  }
  return [...out, ...changesOf(report.changes)];
}
