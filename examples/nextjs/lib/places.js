// The browser's side of /api/places: plain fetch() on the page's own
// origin, so the browser sends NextAuth's session cookie and nginx hands
// the request to the places-fcgi worker.  Every answer comes back as
// { status, body }; the page decides what to show.
async function call(method, path, body) {
  const init = { method, cache: "no-store", headers: {} };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  let json = null;
  try {
    json = await res.json();
  } catch {
    // nginx or a proxy answered something else: keep the status.
  }
  return { status: res.status, body: json };
}

export const listPlaces = () => call("GET", "/api/places");
export const createPlace = (place) => call("POST", "/api/places", place);
export const updatePlace = (id, place) =>
  call("PUT", `/api/places/${encodeURIComponent(id)}`, place);
export const deletePlace = (id) =>
  call("DELETE", `/api/places/${encodeURIComponent(id)}`);

// The user-facing line for an answer that is not a success.
export function problem({ status, body }) {
  const said = body && typeof body.status === "string" ? body.status : "";
  switch (status) {
    case 401:
      return "You are not signed in: sign in to see and share places.";
    case 403:
      return "Forbidden: only the author of a place may change or delete it.";
    case 404:
      return "That place no longer exists.";
    case 422:
      return "Please correct the fields marked below.";
    case 503:
      return "The places service is unavailable; try again in a few seconds.";
    default:
      return `The places service answered ${status}${said ? ` (${said})` : ""}.`;
  }
}
