// Runs graphql-http's server audits against URL and prints one JSON object:
// the pinned version, counts by status, and every audit that is not "ok".
import { readFileSync } from 'node:fs';
import { auditServer } from 'graphql-http';

const url = process.env.URL ?? 'http://127.0.0.1:8000/graphql';
const { version } = JSON.parse(
  readFileSync(new URL('./node_modules/graphql-http/package.json', import.meta.url)),
);
const results = await auditServer({ url });
const counts = {};
const problems = [];
for (const r of results) {
  counts[r.status] = (counts[r.status] ?? 0) + 1;
  if (r.status !== 'ok') problems.push({ status: r.status, id: r.id, name: r.name, reason: String(r.reason) });
}
console.log(JSON.stringify({ version, audits: results.length, counts, problems }, null, 2));
process.exitCode = problems.some((p) => p.status === 'error' || p.status === 'warn') ? 1 : 0;
