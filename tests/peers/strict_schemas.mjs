// Lists a server's tools with the official TypeScript SDK v1 client and compiles every input and
// output schema with Ajv as clients use it (JSON Schema 2020-12, Ajv's default strict mode, the
// formats of the 2020-12 vocabulary and no others), collecting every error and warning Ajv
// reports: each schema must compile without a word.
// Usage: node strict_schemas.mjs URL [BEARER_TOKEN]
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

// The 2020-12 format vocabulary as ajv-formats has it (not its OpenAPI `int32`, `double`...).
const STANDARD_FORMATS = ['date-time', 'date', 'time', 'duration', 'email', 'hostname', 'ipv4',
  'ipv6', 'uri', 'uri-reference', 'uuid', 'uri-template', 'json-pointer', 'relative-json-pointer',
  'regex'];
const [url, token] = process.argv.slice(2);
const requestInit = token ? { headers: { Authorization: `Bearer ${token}` } } : undefined;
const client = new Client({ name: 'strict-schemas', version: '0.1' });
await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit }));
const tools = [];
let cursor;
do {
  const page = await client.listTools(cursor ? { cursor } : {});
  tools.push(...page.tools);
  cursor = page.nextCursor;
} while (cursor);

const problems = [];
for (const tool of tools) {
  for (const [which, schema] of [['inputSchema', tool.inputSchema], ['outputSchema', tool.outputSchema]]) {
    if (!schema) continue;
    const where = `${tool.name}.${which}`;
    const say = (...args) => problems.push(`${where}: ${args.map(String).join(' ')}`);
    const ajv = new Ajv2020({ allErrors: true, logger: { log() {}, warn: say, error: say } });
    (addFormats.default ?? addFormats)(ajv, STANDARD_FORMATS);
    // The one keyword MCP adds to tool schemas (2026-07-28 Streamable HTTP).
    ajv.addKeyword('x-mcp-header');
    try {
      ajv.compile(schema);
    } catch (e) {
      say(e.message);
    }
  }
}
console.log(JSON.stringify({ tools: tools.map(t => t.name) }));
console.log(JSON.stringify({ problems }));
await client.close();
