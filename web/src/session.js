// Sign-in and the credentials of this browser tab. A follower's access token (also from the
// reference's ?token= links) is exchanged for a short-lived JWT at once and dropped; only the JWT is
// kept, in sessionStorage, so closing the tab signs out. An API secret is hashed (SHA-1, as
// Nightscout's api-secret header wants it) and kept in memory only: a reload asks for it again.

const JWT_KEY = 'nocturne.jwt:' + location.pathname.replace(/[^/]*$/, '');
const TOKEN_PATTERN = /^[a-z0-9_.-]+-[0-9a-f]{16}$/i;

let secretHash = null;

export function headers() {
  if (secretHash) return { 'api-secret': secretHash };
  const jwt = sessionStorage.getItem(JWT_KEY);
  return jwt ? { Authorization: 'Bearer ' + jwt } : {};
}

/** What SignalR sends as access_token on the WebSocket request. */
export function accessToken() {
  return sessionStorage.getItem(JWT_KEY) || secretHash || '';
}

export function signedIn() {
  return Boolean(secretHash || sessionStorage.getItem(JWT_KEY));
}

export function signOut() {
  secretHash = null;
  sessionStorage.removeItem(JWT_KEY);
}

/** Takes ?token= off the address bar (so it is not left in history or a shared screenshot) and returns it. */
export function takeTokenFromUrl() {
  const url = new URL(location.href);
  const token = url.searchParams.get('token');
  if (token) {
    url.searchParams.delete('token');
    history.replaceState(null, '', url.pathname + url.search + url.hash);
  }
  return token;
}

/** Signs in with an access token or the API secret; throws an Error with a message for the user. */
export async function signIn(credential) {
  credential = (credential || '').trim();
  if (!credential) throw new Error('Enter an access token or the API secret.');
  signOut();
  if (TOKEN_PATTERN.test(credential)) {
    const response = await fetch('api/v2/authorization/request/' + encodeURIComponent(credential));
    if (!response.ok) throw new Error(response.status === 401 || response.status === 404 ? 'That access token is not valid for this site.' : `Sign-in failed (${response.status}).`);
    const body = await response.json();
    sessionStorage.setItem(JWT_KEY, body.token);
  } else {
    if (!crypto.subtle) throw new Error('Signing in with the API secret needs HTTPS; use an access token.');
    const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(credential));
    secretHash = [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, '0')).join('');
  }
  const check = await fetch('api/v1/entries.json?count=1', { headers: headers() });
  if (!check.ok) {
    signOut();
    throw new Error(check.status === 401 ? 'These credentials cannot read this site.' : `Sign-in failed (${check.status}).`);
  }
}
