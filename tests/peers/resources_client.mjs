// Lists and reads resources, reads a template, and gets a prompt with an official TypeScript SDK
// client: @modelcontextprotocol/client (v2, both eras) or @modelcontextprotocol/sdk (v1, legacy).
// Usage: node resources_client.mjs URL   (run from beside the SDK it imports)
let Client, Transport;
try {
  ({ Client, StreamableHTTPClientTransport: Transport } = await import('@modelcontextprotocol/client'));
} catch {
  ({ Client } = await import('@modelcontextprotocol/sdk/client/index.js'));
  ({ StreamableHTTPClientTransport: Transport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js'));
}
const [url] = process.argv.slice(2);
const client = new Client({ name: 'ts-resources', version: '0.1' },
  { capabilities: {}, versionNegotiation: { mode: 'auto' } }); // v1 ignores versionNegotiation
const transport = new Transport(new URL(url));
await client.connect(transport);
const out = (o) => console.log(JSON.stringify(o));
out({ protocolVersion: transport.protocolVersion });
out({ resources: (await client.listResources()).resources.map((r) => r.uri) });
out({ read: (await client.readResource({ uri: 'test://static-text' })).contents[0].text });
out({ templates: (await client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate) });
out({ template_read: JSON.parse((await client.readResource({ uri: 'test://template/7/data' })).contents[0].text) });
out({ prompts: (await client.listPrompts()).prompts.map((p) => p.name) });
const prompt = await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'alpha', arg2: 'beta' } });
out({ prompt: prompt.messages[0].content.text });
await client.close();
process.exit(0);
