// Backups that run themselves: the schedules and their recent runs (Administrator only). They
// are added with the API or `openscc backup schedule add` (docs/backup-operations.md).

import { getJson, request } from "./api.js";
import { el, formatBytes, render } from "./dom.js";
import { alertLine, section, table } from "./widgets.js";

const SCHEDULES = "/api/openscc/v1/backup/schedules";

function where(target) {
  return target.type === "directory" ? target.path : `s3://${target.bucket}/${target.prefix || ""}`;
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
  render(
    el("h1", {}, "Backup schedules"),
    el("p", {}, "Backups that run themselves, shipped to a directory or S3 and kept by their retention. Add them with the API or openscc backup schedule add (see docs/backup-operations.md)."),
    alert,
    status,
    section("Schedules", table(
      [
        { label: "Name", value: (s) => s.name },
        { label: "Cron (UTC)", value: (s) => s.cron },
        { label: "Target", value: (s) => where(s.target) },
        { label: "Keep", value: (s) => Object.entries(s.keep).map(([k, v]) => `${k} ${v}`).join(", ") || "all" },
        { label: "Drill", value: (s) => (s.drill ? "yes" : "no") },
      ],
      schedules,
      me.may.runSchedules
        ? [{ label: (s) => `Run ${s.name} now`, text: "Run now", run: async (s) => {
            try {
              const started = await (await request("POST", `${SCHEDULES}/${encodeURIComponent(s.name)}/run`)).json();
              status.textContent = `Run ${started.id} of ${s.name} started.`;
              setTimeout(reload, 1500);
            } catch (error) {
              alert.textContent = error.message;
              alert.hidden = false;
            }
          } }]
        : [],
      "No backup schedules yet.",
    )),
    section("Recent runs", table(
      [
        { label: "Started", value: (r) => r.startedAt },
        { label: "Schedule", value: (r) => r.schedule },
        { label: "Status", value: (r) => r.status },
        { label: "Archive", value: (r) => r.object || "–" },
        { label: "Size", value: (r) => (r.size ? formatBytes(r.size) : "–") },
        { label: "Error", value: (r) => r.error || "" },
      ],
      runs.slice(0, 20),
      [],
      "No runs yet.",
    )),
  );
}
