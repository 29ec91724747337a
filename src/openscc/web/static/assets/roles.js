// What the caller's roles allow, as SAP's pages give them; the page only hides what the API
// would refuse (a shadow refuses every change to the replicated configuration).

const SUBACCOUNT_ADMINS = ["sccadmin", "sccassocadmin", "sccsubadmin"];
const ADMINISTRATORS = ["sccadmin", "sccassocadmin"];

function holds(me, roles) {
  return me.roles.some((role) => roles.includes(role));
}

export function isAdministrator(me) {
  return me.roles.includes("sccadmin");
}

export function mayChangeSubaccounts(me) {
  return me.haRole === "master" && holds(me, SUBACCOUNT_ADMINS);
}

export function mayChangeConnector(me) {
  return me.haRole === "master" && holds(me, ADMINISTRATORS);
}

export function mayChangeProxy(me) {
  return me.haRole === "master" && isAdministrator(me);
}
