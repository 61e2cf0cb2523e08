// Connects to an MCP server with the official TypeScript SDK v1 (@modelcontextprotocol/sdk,
// which speaks the 2025-era protocol versions only), lists its tools and calls one.
// Usage: node ts_client_v1.mjs URL [TOOL] [JSON_ARGS]   (run from beside the SDK it imports;
// the tests place a copy there). TOOL defaults to the first listed tool, JSON_ARGS to {}.
// Prints one JSON object per line:
//   {sessionId (when the server issued one), protocolVersion, server}
//   {tools: [names]}
//   {call: TOOL, result: the CallToolResult, sampled: [text of each sampling request]}
// Answers the server's sampling requests with a fixed reply and its elicitations by accepting
// with every requested field filled (its default, else "x", true or 1 by type). Ends the session
// (DELETE) before leaving. Exit code 0 when the call succeeded, 1 on a tool error.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const REPLY = 'This is a test response from the client';
const FILLER = { string: 'x', boolean: true, integer: 1, number: 1 };
const [url, tool, args = '{}'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node ts_client_v1.mjs URL [TOOL] [JSON_ARGS]');
  process.exit(2);
}
const emit = (line) => console.log(JSON.stringify(line));

const sampled = [];
const client = new Client(
  { name: 'mcp-sdk-tests-ts-v1', version: '0.1' },
  { capabilities: { sampling: {}, elicitation: {} } },
);
client.setRequestHandler(CreateMessageRequestSchema, async ({ params }) => {
  sampled.push(params.messages[0]?.content?.text);
  return {
    role: 'assistant',
    content: { type: 'text', text: REPLY },
    model: 'test-model',
    stopReason: 'endTurn',
  };
});
client.setRequestHandler(ElicitRequestSchema, async ({ params }) => {
  const fields = Object.entries(params.requestedSchema?.properties ?? {});
  const content = Object.fromEntries(
    fields.map(([name, spec]) => [name, spec.default ?? FILLER[spec.type] ?? 'x']),
  );
  return { action: 'accept', content };
});

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
await transport.terminateSession().catch(() => {});
await client.close();
process.exit(result.isError ? 1 : 0);
