// An MCP client connecting to the gateway as agents do, with the official
// MCP TypeScript SDK's own auth(), unchanged: a call without a token, the
// 401's WWW-Authenticate (resource_metadata, scope), the protected resource
// metadata (RFC 9728), the tenant's authorization server metadata, the
// authorization code flow with PKCE and the resource parameter (RFC 8707)
// for a public client, then the call again with the token. The client is
// pre-registered (CLIENT_ID), or the agent brings its own: with
// CLIENT_METADATA_URL the provider has no client information, only the URL
// of its Client ID Metadata Document, and auth() uses that URL as client_id
// when the tenant's metadata says it takes one. Only the "browser" is ours:
// the provider logs the test user in by following the authorization URL
// with fetch and posting the tenant's login form, as a person would. See mcp_sdk_test.go, which runs it and checks
// the last line it prints (RESULT {...}).
//
// Env: GATEWAY_URL (the gateway's public URL), ROUTE (a protected path),
// CLIENT_ID (the stack's CLI app) or CLIENT_METADATA_URL (the agent's
// document: https, with a path), REDIRECT_URL (one of the client's
// callbacks), USER_EMAIL, USER_PASSWORD.
//
// A login the tenant refuses (an error at the callback) is reported in
// RESULT too, as callback_error, and ends there.
import { randomBytes } from 'node:crypto';
import { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const gateway = env('GATEWAY_URL');
const route = new URL(env('ROUTE'), gateway);
const clientId = process.env.CLIENT_ID;
const clientMetadataUrl = process.env.CLIENT_METADATA_URL;
if (!clientId === !clientMetadataUrl) throw new Error('set one of CLIENT_ID and CLIENT_METADATA_URL');
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

// The OAuthClientProvider, everything kept in memory: a pre-registered
// public client (the stack's CLI app), or with a metadata document URL no
// client information until auth() saves the one it chose.
class Provider {
  constructor() {
    this.sentState = randomBytes(16).toString('hex');
    if (clientMetadataUrl) {
      this.clientMetadataUrl = clientMetadataUrl;
      this.saveClientInformation = (info) => {
        this.savedClient = info;
      };
    }
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
    return clientId ? { client_id: clientId } : this.savedClient;
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
    if (q.get('error')) {
      this.callbackError = { error: q.get('error'), error_description: q.get('error_description') };
      return;
    }
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
// fetchFn is plain fetch that notes the token request's form, to report
// which client_id auth() sent; auth() itself is the SDK's, unchanged.
let tokenRequest;
const fetchFn = (url, init) => {
  if (init?.method === 'POST' && init.body instanceof URLSearchParams && init.body.has('grant_type')) {
    tokenRequest = new URLSearchParams(init.body);
  }
  return fetch(url, init);
};
const provider = new Provider();
const options = { serverUrl: gateway, resourceMetadataUrl, scope, fetchFn };
if ((await auth(provider, options)) !== 'REDIRECT') fail('auth() did not ask for a login');
const sent = provider.authorizationUrl.searchParams;
const result = {
  challenge,
  scope: scope ?? null,
  authorize: {
    resource: sent.get('resource'),
    audience: sent.get('audience'),
    scope: sent.get('scope'),
    client_id: sent.get('client_id'),
    code_challenge_method: sent.get('code_challenge_method'),
  },
};
if (provider.callbackError) {
  console.log('RESULT ' + JSON.stringify({ ...result, callback_error: provider.callbackError }));
  process.exit(0);
}
if (!provider.code) fail('the login gave no code');

// 3. auth() again with the code: the token request.
if ((await auth(provider, { ...options, authorizationCode: provider.code })) !== 'AUTHORIZED') fail('auth() with the code did not authorize');
const tokens = provider.tokens();
// The token's authorized party: the client the tenant issued it to (read,
// not verified; the gateway verifies it below).
const azp = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url')).azp;

// 4. The call with the token.
const res = await fetch(route, { headers: { authorization: `Bearer ${tokens.access_token}` } });
const body = await res.text();
console.log('RESULT ' + JSON.stringify({
  ...result,
  token_request: {
    grant_type: tokenRequest?.get('grant_type'),
    client_id: tokenRequest?.get('client_id'),
    resource: tokenRequest?.get('resource'),
    has_secret: tokenRequest?.has('client_secret') ?? false,
  },
  token_type: tokens.token_type,
  azp,
  status: res.status,
  body,
}));
