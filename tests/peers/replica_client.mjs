// Runs a sampling tool and a resumed stream in one 2025-era session with the official TypeScript
// SDK v1 (@modelcontextprotocol/sdk, which speaks only the 2025 protocol versions).
// Usage: node replica_client.mjs URL   (run from beside the SDK it imports)
// Calls `test_sampling` (answering the server's sampling request with a fixed text), then
// `test_reconnection` (whose response stream the server closes early: the SDK resumes it with
// Last-Event-ID), then lists the tools. Prints one JSON object per line; exit code 0 on success.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const ANSWER = 'sampled by the replica client';
const [url] = process.argv.slice(2);
const out = (o) => console.log(JSON.stringify(o));
const text = (result) => result.content.map((c) => c.text ?? '').join('');
const sampled = [];
const client = new Client({ name: 'ts-replica', version: '0.1' }, { capabilities: { sampling: {} } });
client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
  sampled.push(request.params.messages[0]?.content?.text);
  return { role: 'assistant', content: { type: 'text', text: ANSWER }, model: 'replica-model',
           stopReason: 'endTurn' };
});
const transport = new StreamableHTTPClientTransport(new URL(url));
await client.connect(transport);
out({ sessionId: transport.sessionId, protocolVersion: transport.protocolVersion });
const sampling = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'Say something' } });
out({ sampling: text(sampling), isError: Boolean(sampling.isError), sampled });
const reconnection = await client.callTool({ name: 'test_reconnection', arguments: {} });
out({ reconnection: text(reconnection), isError: Boolean(reconnection.isError) });
out({ tools: (await client.listTools()).tools.map((t) => t.name) });
await transport.terminateSession().catch(() => {}); // DELETE with Mcp-Session-Id
await client.close();
process.exit(sampling.isError || reconnection.isError ? 1 : 0);
