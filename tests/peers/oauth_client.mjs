// Calls tools on an OAuth-protected MCP server as a machine client of an official TypeScript SDK:
// @modelcontextprotocol/client (v2) when installed beside this script, else @modelcontextprotocol/sdk
// (v1). It starts without a token, so it has to follow the server's 401 (WWW-Authenticate
// resource_metadata -> RFC 9728 protected resource metadata -> RFC 8414 authorization server
// metadata -> client_credentials at the token endpoint), and a 403 insufficient_scope on a call
// (step-up) as the SDK's ClientCredentialsProvider does.
// Usage: node oauth_client.mjs URL CLIENT_ID CLIENT_SECRET [--issuer ISSUER] [--scope "a b"]
//          [--timeout MS] [TOOL[=JSON_ARGS] ...]   (run from beside the SDK it imports)
//   --issuer   the authorization server the credentials belong to (the provider's expectedIssuer;
//              without it the SDK warns on stderr and sends them wherever the server points)
//   --scope    the provider's scope: what the token requests ask for (default: none)
//   --timeout  overall limit in milliseconds (default 30000)
//   TOOL=JSON  calls TOOL with those arguments; a bare TOOL is called with {}
// Prints one JSON object: {"sdk", "protocolVersion", "tools": [names], "calls": {name: {"ok": true,
// "text"} | {"ok": false, "error", "code"?, "isError"?}}, "http": [every HTTP exchange: method, url,
// status, and the rpc method, token-request form (no secret), auth scheme, WWW-Authenticate]}.
// Exit code 0 once connected and listed (a failed call is a result); 1 on any other failure, 2 on
// timeout, both after printing {"error", "http"}.
let Client, Transport, ClientCredentialsProvider, sdk;
try {
  ({ Client, StreamableHTTPClientTransport: Transport, ClientCredentialsProvider } =
    await import('@modelcontextprotocol/client'));
  sdk = 'v2';
} catch {
  ({ Client } = await import('@modelcontextprotocol/sdk/client/index.js'));
  ({ StreamableHTTPClientTransport: Transport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js'));
  ({ ClientCredentialsProvider } = await import('@modelcontextprotocol/sdk/client/auth-extensions.js'));
  sdk = 'v1';
}

const out = (o) => console.log(JSON.stringify(o));
const options = { timeout: '30000' };
const positional = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = /^--(issuer|scope|timeout)$/.exec(argv[i]);
  if (flag) options[flag[1]] = argv[++i];
  else positional.push(argv[i]);
}
const [url, clientId, clientSecret, ...calls] = positional;
if (!url || !clientId || clientSecret === undefined) {
  console.error('usage: node oauth_client.mjs URL CLIENT_ID CLIENT_SECRET [--issuer I] [--scope S] [--timeout MS] [TOOL[=JSON] ...]');
  process.exit(1);
}

// Every HTTP exchange the SDK makes, to the MCP server and to the authorization server alike.
const http = [];
const traced = async (input, init = {}) => {
  const entry = { method: init.method ?? 'GET', url: String(input instanceof Request ? input.url : input) };
  const scheme = new Headers(init.headers).get('authorization')?.split(' ')[0];
  if (scheme) entry.auth = scheme;
  if (init.body instanceof URLSearchParams) {
    entry.form = Object.fromEntries([...init.body].filter(([k]) => k !== 'client_secret'));
  } else if (typeof init.body === 'string') {
    try {
      entry.rpc = JSON.parse(init.body).method;
    } catch {}
  }
  http.push(entry);
  const response = await fetch(input, init);
  entry.status = response.status;
  const challenge = response.headers.get('www-authenticate');
  if (challenge) entry.challenge = challenge;
  return response;
};

const fail = (code, error) => {
  out({ error, http });
  process.exit(code);
};
setTimeout(() => fail(2, `timed out after ${options.timeout} ms`), Number(options.timeout));

// An OAuth error's code (`invalid_client`...) leads: its message is the optional description.
const message = (e) => {
  if (!(e instanceof Error)) return String(e);
  const code = typeof e.errorCode === 'string' ? e.errorCode : undefined;
  return [code, e.message].filter(Boolean).join(': ') || e.name;
};
try {
  const provider = new ClientCredentialsProvider({
    clientId, clientSecret, scope: options.scope, expectedIssuer: options.issuer,
  });
  const client = new Client({ name: 'ts-oauth', version: '0.1' },
    { capabilities: {}, versionNegotiation: { mode: 'auto' } }); // v1 ignores versionNegotiation
  const transport = new Transport(new URL(url), { authProvider: provider, fetch: traced });
  await client.connect(transport);
  const tools = (await client.listTools()).tools.map((t) => t.name);
  const results = {};
  for (const call of calls) {
    const at = call.indexOf('=');
    const name = at < 0 ? call : call.slice(0, at);
    try {
      const args = at < 0 ? {} : JSON.parse(call.slice(at + 1));
      const result = await client.callTool({ name, arguments: args });
      const text = (result.content ?? []).map((c) => c.text ?? '').join('');
      results[name] = result.isError ? { ok: false, error: text, isError: true } : { ok: true, text };
    } catch (e) {
      results[name] = { ok: false, error: message(e), ...(e?.code !== undefined && { code: e.code }) };
    }
  }
  out({ sdk, protocolVersion: transport.protocolVersion ?? null, tools, calls: results, http });
  await transport.terminateSession?.().catch(() => {});
  await client.close();
  process.exit(0);
} catch (e) {
  fail(1, message(e));
}
