// Runs tools as tasks (the 2025-11-25 experimental tasks) with the official TypeScript SDK v1
// (@modelcontextprotocol/sdk): a task that asks the user a question (the SDK answers it on the
// `tasks/result` stream), and a task started by one client that disconnects at once and is
// polled, listed and read by a second client in a new session.
// Usage: node tasks_client.mjs URL   (run from beside the SDK it imports)
// Prints one JSON object per line; exit code 0 on success.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ElicitRequestSchema, TaskStatusNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

const [url] = process.argv.slice(2);
const out = (o) => console.log(JSON.stringify(o));
const text = (result) => result.content.map((c) => c.text ?? '').join('');

async function connect(name) {
  const client = new Client({ name, version: '0.1' }, { capabilities: { elicitation: {} } });
  const asked = [];
  const statuses = [];
  client.setNotificationHandler(TaskStatusNotificationSchema, async (n) => {
    statuses.push(n.params.status);
  });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push({ message: request.params.message,
                 relatedTask: request.params._meta?.['io.modelcontextprotocol/related-task']?.taskId });
    return { action: 'accept', content: { confirm: true } };
  });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport, asked, statuses };
}

// 1. A task that asks a question: created, then input_required, answered, completed.
const first = await connect('ts-tasks-1');
out({ capabilities: first.client.getServerCapabilities().tasks ?? null });
await first.client.listTools(); // learns which tools run as tasks
const events = [];
let answer;
for await (const message of first.client.experimental.tasks.callToolStream(
  { name: 'confirm_delete', arguments: { filename: 'notes.txt' } }, CallToolResultSchema)) {
  events.push(message.type === 'taskStatus' ? `status:${message.task.status}` : message.type);
  if (message.type === 'taskCreated') out({ created: message.task });
  if (message.type === 'result') answer = text(message.result);
  if (message.type === 'error') out({ error: String(message.error) });
}
out({ events, answer, asked: first.asked, notified: first.statuses });

// 2. A task started by a client that goes away at once.
const stream = first.client.experimental.tasks.callToolStream(
  { name: 'slow_compute', arguments: { seconds: 1, label: 'detached' } }, CallToolResultSchema,
  { task: { ttl: 60000 } });
const { value: created } = await stream.next();
const taskId = created.task.taskId;
out({ detached: taskId, ttl: created.task.ttl });
await stream.return(undefined);
await first.transport.terminateSession().catch(() => {});
await first.client.close();

const second = await connect('ts-tasks-2');
let status;
for (let i = 0; i < 100; i++) {
  status = (await second.client.experimental.tasks.getTask(taskId)).status;
  if (status === 'completed' || status === 'failed' || status === 'cancelled') break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
const result = await second.client.experimental.tasks.getTaskResult(taskId, CallToolResultSchema);
const listed = (await second.client.experimental.tasks.listTasks()).tasks.map((t) => t.taskId);
out({ polled: status, result: text(result),
      relatedTask: result._meta?.['io.modelcontextprotocol/related-task']?.taskId, listed });
await second.transport.terminateSession().catch(() => {});
await second.client.close();
process.exit(answer && status === 'completed' ? 0 : 1);
