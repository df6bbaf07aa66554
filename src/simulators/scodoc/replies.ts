import type { SimResponse } from '../harness';

/** The bodies ScoDoc answers with: JSON, its `{error, status, message}` errors, its 401, Flask's HTML 404. */

export function json(body: unknown, status = 200): SimResponse {
  return { status, body, contentType: 'application/json' };
}

export function error(status: number, error: string, message: string): SimResponse {
  return json({ error, status, message }, status);
}

/** scodoc-evidence.md: "401 body: `{"error": "Unauthorized", "message": "Non autorise (logic)"}`". */
export function unauthorized(): SimResponse {
  return json({ error: 'Unauthorized', message: 'Non autorise (logic)' }, 401);
}

/**
 * unverified (scodoc-evidence.md: "An unknown route on a real Flask server answers an **HTML** 404"): Flask's
 * default page, not ScoDoc's JSON error.
 */
const NOT_FOUND_PAGE =
  '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n' +
  '<p>The requested URL was not found on the server. If you entered the URL manually please check your ' +
  'spelling and try again.</p>\n';

export function notFoundPage(): SimResponse {
  return { status: 404, contentType: 'text/html; charset=utf-8', body: NOT_FOUND_PAGE };
}
