// The site's own Nightscout API, relative to the page (works at a site's host and under /t/{site}/).
import { headers, signOut } from './session.js';

export class SignedOutError extends Error {}

export async function get(path) {
  const response = await fetch(path, { headers: headers() });
  if (response.status === 401) {
    signOut();
    throw new SignedOutError('Signed out: the credentials are no longer valid.');
  }
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

export async function ack(level, group, minutes) {
  const query = new URLSearchParams({ level: String(level), group: group || 'default', time: String(minutes) });
  const response = await fetch('api/v1/notifications/ack?' + query, { headers: headers() });
  return response.ok;
}

export function status() { return get('api/v1/status.json'); }

export function entriesSince(from) {
  return get(`api/v1/entries/sgv.json?find[date][$gte]=${from}&count=2000`);
}

export function treatmentsSince(from) {
  return get(`api/v1/treatments.json?find[created_at][$gte]=${new Date(from).toISOString()}&count=2000`);
}

export function latestDeviceStatus() { return get('api/v1/devicestatus.json?count=1'); }

export function properties() { return get('api/v2/properties'); }

export function statistics(from, to) { return get(`api/v4/statistics?from=${from}&to=${to}`); }
