// Starts a server with `--stdio` and talks to it over stdin/stdout with the official TypeScript
// SDK v2 (@modelcontextprotocol/client): lists the tools, calls one, answers sampling.
// Usage: node stdio_client.mjs COMMAND --mode auto|legacy|2026-07-28 --tool NAME --args JSON
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';

const argv = process.argv.slice(2);
const command = argv[0];
const option = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const modeArg = option('mode', 'auto');
const mode = modeArg === 'auto' || modeArg === 'legacy' ? modeArg : { pin: modeArg };
const client = new Client({ name: 'ts-stdio', version: '0.1' },
  { capabilities: { sampling: {} }, versionNegotiation: { mode } });
client.setRequestHandler('sampling/createMessage', async () => ({
  role: 'assistant', content: { type: 'text', text: 'bonjour' }, model: 'test-model', stopReason: 'endTurn',
}));
const transport = new StdioClientTransport({ command, args: ['--stdio'], stderr: 'ignore' });
await client.connect(transport);
console.log(JSON.stringify({ protocol_version: transport.protocolVersion ?? null }));
const { tools } = await client.listTools();
console.log(JSON.stringify({ tools: tools.map(t => t.name) }));
const name = option('tool');
const result = await client.callTool({ name, arguments: JSON.parse(option('args', '{}')) });
console.log(JSON.stringify({ call: name, result }));
await client.close();
process.exit(result.isError ? 1 : 0);
