// Reads every skill of an MCP server with the official TypeScript SDK v2's skills extension
// client (SkillsClient, SEP-2640), which verifies each file against the server's entry: the
// listed files only, each size and SHA-256 digest, and each SKILL.md's frontmatter.
// Usage: node ts_skills.mjs URL [MODE]   (run from beside the SDK it imports; the tests place a
// copy there). MODE is auto (negotiate), legacy (2025-era handshake) or a version to pin.
// Prints one JSON object per line:
//   {protocolVersion, supported, directoryRead}
//   {listed: [uri of each skill], ttlMs, cacheScope}
//   {skill: URI, files: [{uri, verified, bytes}], frontmatter (of SKILL.md), got: URI from skills/get}
//   {directory: URI, children: [{uri, mimeType}]}   for each skill's root folder
// Exit code 1 when any request or verification fails.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { SkillsClient } from '@modelcontextprotocol/client/ext/skills';

const [url, modeArg = 'auto'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node ts_skills.mjs URL [auto|legacy|VERSION]');
  process.exit(2);
}
const mode = ['auto', 'legacy'].includes(modeArg) ? modeArg : { pin: modeArg };
const emit = (line) => console.log(JSON.stringify(line));

const client = new Client(
  { name: 'mcp-sdk-tests-ts-skills', version: '0.1' },
  { capabilities: {}, versionNegotiation: { mode } },
);
const transport = new StreamableHTTPClientTransport(new URL(url));
await client.connect(transport);
const skills = new SkillsClient(client);
emit({
  protocolVersion: transport.protocolVersion,
  supported: skills.supported,
  directoryRead: skills.directoryRead,
});
const listing = await skills.list();
emit({ listed: listing.skills.map((s) => s.uri), ttlMs: listing.ttlMs, cacheScope: listing.cacheScope });
for (const entry of listing.skills) {
  const { skill: got } = await skills.get(entry.uri);
  const refs = Array.isArray(entry.resources) ? entry.resources.map((r) => r.uri) : [entry.uri];
  const files = [];
  let frontmatter;
  for (const ref of refs) {
    const file = await skills.read(entry, ref);
    files.push({ uri: file.uri, verified: file.verified, bytes: file.bytes.length });
    if (file.frontmatter) frontmatter = file.frontmatter;
  }
  emit({ skill: entry.uri, files, frontmatter, got: got.uri });
  const root = entry.uri.slice(0, -'/SKILL.md'.length);
  const { resources } = await skills.readDirectory(root);
  emit({ directory: root, children: resources.map((r) => ({ uri: r.uri, mimeType: r.mimeType })) });
}
await client.close();
