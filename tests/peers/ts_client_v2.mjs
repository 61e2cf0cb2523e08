// Connects to an MCP server with the official TypeScript SDK v2 client
// (@modelcontextprotocol/client, both protocol eras), lists its tools and calls one.
// Usage: node ts_client_v2.mjs URL [TOOL] [JSON_ARGS] [MODE]   (run from beside the SDK it
// imports; the tests place a copy there). TOOL defaults to the first listed tool, JSON_ARGS to
// {}, MODE to auto; MODE is auto (negotiate), legacy (2025-era handshake) or a version to pin.
// Prints one JSON object per line:
//   {sessionId (when the server issued one), protocolVersion, server}
//   {tools: [names]}
//   {call: TOOL, result: the CallToolResult, sampled: [text of each sampling request]}
// The same handlers answer the server in either era (a request on the session's stream, or an
// input_required result the SDK fulfils and retries): sampling with a fixed reply, elicitation by
// accepting with every requested field filled (its default, else "x", true or 1 by type), roots
// with one root. Exit code 0 when the call succeeded, 1 on a tool error.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const REPLY = 'This is a test response from the client';
const FILLER = { string: 'x', boolean: true, integer: 1, number: 1 };
const [url, tool, args = '{}', modeArg = 'auto'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node ts_client_v2.mjs URL [TOOL] [JSON_ARGS] [auto|legacy|VERSION]');
  process.exit(2);
}
const mode = ['auto', 'legacy'].includes(modeArg) ? modeArg : { pin: modeArg };
const emit = (line) => console.log(JSON.stringify(line));

const sampled = [];
const client = new Client(
  { name: 'mcp-sdk-tests-ts-v2', version: '0.1' },
  { capabilities: { sampling: {}, elicitation: {}, roots: {} }, versionNegotiation: { mode } },
);
client.setRequestHandler('sampling/createMessage', async ({ params }) => {
  sampled.push(params.messages[0]?.content?.text);
  return {
    role: 'assistant',
    content: { type: 'text', text: REPLY },
    model: 'test-model',
    stopReason: 'endTurn',
  };
});
client.setRequestHandler('elicitation/create', async ({ params }) => {
  const fields = Object.entries(params.requestedSchema?.properties ?? {});
  const content = Object.fromEntries(
    fields.map(([name, spec]) => [name, spec.default ?? FILLER[spec.type] ?? 'x']),
  );
  return { action: 'accept', content };
});
client.setRequestHandler('roots/list', async () => ({
  roots: [{ uri: 'file:///workspace', name: 'workspace' }],
}));

const transport = new StreamableHTTPClientTransport(new URL(url));
await client.connect(transport);
emit({
  sessionId: transport.sessionId,
  protocolVersion: transport.protocolVersion,
  server: client.getServerVersion(),
});
const { tools } = await client.listTools();
emit({ tools: tools.map((t) => t.name) });
const name = tool ?? tools[0].name;
const result = await client.callTool({ name, arguments: JSON.parse(args) });
emit({ call: name, result, sampled });
await client.close();
process.exit(result.isError ? 1 : 0);
