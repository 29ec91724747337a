// The REST API as the page uses it: the session cookie, and the X-CSRF-Token every answer
// carries, sent back with every change. The page can never do what the API would refuse.

let csrfToken = null;

export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

// The session ended (restart, idle, logged off elsewhere): the API answers its logon page.
export class SessionEnded extends ApiError {
  constructor() {
    super(401, "NOT_AUTHENTICATED", "Your session has ended. Log on again.");
  }
}

export async function request(method, path, { json, form } = {}) {
  // X-Requested-With: a 401 then comes without the browser's own credentials prompt.
  const headers = { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" };
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let body;
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  } else if (form !== undefined) {
    body = form;
  }
  const response = await fetch(path, { method, headers, body, credentials: "same-origin" });
  const token = response.headers.get("X-CSRF-Token");
  if (token) csrfToken = token;
  const type = response.headers.get("Content-Type") || "";
  if (response.ok && type.startsWith("text/html")) throw new SessionEnded();
  if (!response.ok) {
    if (response.status === 401) throw new SessionEnded();
    let error = { type: "", message: `${response.status} ${response.statusText}` };
    try {
      error = await response.json();
    } catch {
      // not the error shape: keep the status line
    }
    throw new ApiError(response.status, error.type, error.message);
  }
  return response;
}

export async function getJson(path) {
  return (await request("GET", path)).json();
}

export async function logOn(user, password) {
  const body = new URLSearchParams({ j_username: user, j_password: password });
  const response = await fetch("/j_security_check", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Requested-With": "XMLHttpRequest",
    },
    body,
    credentials: "same-origin",
  });
  if (!response.ok) {
    let message = "Logon failed.";
    try {
      message = (await response.json()).message;
    } catch {
      // keep the general message
    }
    throw new ApiError(response.status, "", message);
  }
  csrfToken = response.headers.get("X-CSRF-Token");
}

export async function logOff() {
  try {
    await request("DELETE", "/api/openscc/v1/session");
  } finally {
    csrfToken = null;
  }
}

// A download the browser saves under the name the server gives (Content-Disposition).
export async function saveAs(response, fallback) {
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename="?([^";]+)"?/.exec(disposition);
  const name = match ? match[1] : fallback;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
