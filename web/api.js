// The events API: publish a CloudEvent (POST /events) and read how far it got (GET /events/{id}).
// Errors come back as RFC 9457 problem documents, or as API Gateway's own {"message": ...}.

/** A non-2xx answer. `problem` is the parsed body: a problem document, or `{message}`. */
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    const message = (problem && (problem.title || problem.message)) || fallback || `HTTP ${status}`;
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem || null;
  }
}

/** The API could not be reached at all (offline, wrong URL, or blocked by CORS). */
export class NetworkError extends Error {
  constructor(url) {
    super(`Could not reach the API at ${url} (network error, or it does not allow this page's origin).`);
    this.name = "NetworkError";
  }
}

function endpoint(apiUrl, path) {
  return `${apiUrl.replace(/\/+$/, "")}${path}`;
}

async function request(url, init) {
  let response;
  try {
    response = await fetch(url, { ...init, cache: "no-store" });
  } catch {
    throw new NetworkError(url);
  }
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = null; }
  if (!response.ok) {
    throw new ApiError(response.status, body && typeof body === "object" ? body : null,
      text && !body ? text.slice(0, 200) : undefined);
  }
  return body;
}

/** A random UUID; `crypto.randomUUID` exists only in secure contexts, so build one otherwise. */
export function newEventId() {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A CloudEvent in structured mode with a JSON payload. */
export function cloudEvent({ type, source, data }) {
  return {
    specversion: "1.0",
    id: newEventId(),
    source,
    type,
    datacontenttype: "application/json",
    data,
  };
}

/** POST /events; resolves to the id the API accepted (202 {"id": ...}). */
export async function publishEvent(apiUrl, idToken, event) {
  const body = await request(endpoint(apiUrl, "/events"), {
    method: "POST",
    headers: { Authorization: `Bearer ${idToken}`, "Content-Type": "application/json" },
    body: JSON.stringify(event),
  });
  return (body && body.id) || event.id;
}

/** GET /events/{id}; resolves to the status document. A 404 rejects with ApiError(404). */
export async function getEventStatus(apiUrl, idToken, id) {
  return request(endpoint(apiUrl, `/events/${encodeURIComponent(id)}`), {
    method: "GET",
    headers: { Authorization: `Bearer ${idToken}`, Accept: "application/json" },
  });
}
