// An MCP client connecting to the gateway as agents do, with the official
// MCP TypeScript SDK's own auth(), unchanged: a call without a token, the
// 401's WWW-Authenticate (resource_metadata, scope), the protected resource
// metadata (RFC 9728), the tenant's authorization server metadata, the
// authorization code flow with PKCE and the resource parameter (RFC 8707)
// for a pre-registered public client, then the call again with the token.
// Only the "browser" is ours: the provider logs the test user in by
// following the authorization URL with fetch and posting the tenant's login
// form, as a person would. See mcp_sdk_test.go, which runs it and checks
// the last line it prints (RESULT {...}).
//
// Env: GATEWAY_URL (the gateway's public URL), ROUTE (a protected path),
// CLIENT_ID (the stack's CLI app), REDIRECT_URL (one of its callbacks),
// USER_EMAIL, USER_PASSWORD.
import { randomBytes } from 'node:crypto';
import { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const gateway = env('GATEWAY_URL');
const route = new URL(env('ROUTE'), gateway);
const clientId = env('CLIENT_ID');
const redirectUrl = env('REDIRECT_URL');
const user = { email: env('USER_EMAIL'), password: env('USER_PASSWORD') };

function fail(message) {
  console.error(`agent: ${message}`);
  process.exit(1);
}

// A person's browser, enough for the tenant's login pages: cookies by
// origin, redirects followed until one leaves the tenant (the callback,
// which nothing need serve), the login form filled in and posted from the
// tenant's own page (Sec-Fetch-Site: same-origin, as a browser sends).
async function logIn(authorizationUrl) {
  const tenant = authorizationUrl.origin;
  const jar = new Map();
  const keep = (res) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      jar.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
  };
  const cookies = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  let req = { url: authorizationUrl, init: { method: 'GET' } };
  for (let step = 0; step < 10; step++) {
    const headers = { ...(req.init.headers ?? {}), cookie: cookies() };
    const res = await fetch(req.url, { ...req.init, headers, redirect: 'manual' });
    keep(res);
    const body = await res.text();
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location'), req.url);
      if (next.origin !== tenant) return next; // back to the client: the callback
      req = { url: next, init: { method: 'GET' } };
      continue;
    }
    const action = body.match(/<form[^>]*action="([^"]*)"/)?.[1];
    if (!action || !/name="password"/.test(body)) {
      fail(`the tenant answered ${res.status} at ${req.url.pathname}, not a login form: ${body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(0, 400)}`);
    }
    const form = new URLSearchParams();
    for (const m of body.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
      const name = m[0].match(/name="([^"]*)"/)?.[1];
      const value = m[0].match(/value="([^"]*)"/)?.[1] ?? '';
      if (name) form.set(name, value.replaceAll('&amp;', '&'));
    }
    form.set('email', user.email);
    form.set('password', user.password);
    req = {
      url: new URL(action.replaceAll('&amp;', '&'), req.url),
      init: { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' } },
    };
  }
  fail('the login did not come back to the client in 10 steps');
}

// The OAuthClientProvider: a pre-registered public client (the stack's CLI
// app), everything kept in memory.
class Provider {
  constructor() {
    this.sentState = randomBytes(16).toString('hex');
  }
  get redirectUrl() {
    return redirectUrl;
  }
  get clientMetadata() {
    return { client_name: 'MCP SDK test agent', redirect_uris: [redirectUrl], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  state() {
    return this.sentState;
  }
  clientInformation() {
    return { client_id: clientId };
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens) {
    this.saved = tokens;
  }
  saveCodeVerifier(v) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
  async redirectToAuthorization(url) {
    this.authorizationUrl = url;
    const callback = await logIn(url);
    const q = callback.searchParams;
    if (q.get('error')) fail(`the tenant sent the client ${q.get('error')}: ${q.get('error_description')}`);
    if (q.get('state') !== this.sentState) fail(`the callback's state ${q.get('state')} is not the one sent`);
    this.code = q.get('code');
  }
}

// 1. The call without a token: a 401 naming the metadata and the scopes.
const first = await fetch(route);
if (first.status !== 401) fail(`${route} without a token answered ${first.status}, want 401`);
const challenge = first.headers.get('www-authenticate');
const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(first);
if (!resourceMetadataUrl) fail(`the 401's challenge has no resource_metadata: ${challenge}`);

// 2. auth(): discovery, then the authorization URL (the provider logs in).
const provider = new Provider();
const options = { serverUrl: gateway, resourceMetadataUrl, scope };
if ((await auth(provider, options)) !== 'REDIRECT') fail('auth() did not ask for a login');
if (!provider.code) fail('the login gave no code');
const sent = provider.authorizationUrl.searchParams;

// 3. auth() again with the code: the token request.
if ((await auth(provider, { ...options, authorizationCode: provider.code })) !== 'AUTHORIZED') fail('auth() with the code did not authorize');
const tokens = provider.tokens();

// 4. The call with the token.
const res = await fetch(route, { headers: { authorization: `Bearer ${tokens.access_token}` } });
const body = await res.text();
console.log('RESULT ' + JSON.stringify({
  challenge,
  scope: scope ?? null,
  authorize: {
    resource: sent.get('resource'),
    audience: sent.get('audience'),
    scope: sent.get('scope'),
    client_id: sent.get('client_id'),
    code_challenge_method: sent.get('code_challenge_method'),
  },
  token_type: tokens.token_type,
  status: res.status,
  body,
}));
