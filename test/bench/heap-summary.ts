/**
 * Heap snapshots side by side (issue 20, part 4): self size by node type and constructor name,
 * largest first, for one snapshot or the difference of two (e.g. the product's against the
 * reference's, both from `npm run bench -- --snapshots DIR`). V8's snapshot format: a flat `nodes`
 * array of `snapshot.meta.node_fields` per node, names as indexes into `strings`.
 *
 *   node build/test/bench/heap-summary.js A.heapsnapshot [B.heapsnapshot] [--top N]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

export interface Snapshot {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
    };
  };
  readonly nodes: readonly number[];
  readonly strings: readonly string[];
}

export interface Group {
  readonly key: string;
  readonly count: number;
  readonly bytes: number;
}

/** Names that are per-object data rather than a kind (strings' text, numbers' values). */
const TEXT_TYPES = new Set(['string', 'concatenated string', 'sliced string', 'number']);

/** Self size per "type: name" (strings and numbers by type alone). */
export function groups(snap: Snapshot): Map<string, Group> {
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, Group>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + (typeAt ?? 0)] ?? 0] ?? '?';
    const name = snap.strings[snap.nodes[i + (nameAt ?? 1)] ?? 0] ?? '?';
    const key = TEXT_TYPES.has(type) ? type : `${type}: ${name.slice(0, 60)}`;
    const size = snap.nodes[i + (sizeAt ?? 3)] ?? 0;
    const g = out.get(key);
    out.set(key, { key, count: (g?.count ?? 0) + 1, bytes: (g?.bytes ?? 0) + size });
  }
  return out;
}

const read = (file: string) => groups(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string' } },
  });
  const top = Number(values.top ?? 40);
  const [a, b] = positionals;
  if (a === undefined) {
    console.error('usage: heap-summary A.heapsnapshot [B.heapsnapshot] [--top N]');
    process.exitCode = 2;
    return;
  }
  const ga = read(a);
  const gb = b === undefined ? new Map<string, Group>() : read(b);
  const total = (g: Map<string, Group>) => [...g.values()].reduce((s, x) => s + x.bytes, 0);
  const keys = new Set([...ga.keys(), ...gb.keys()]);
  const rows = [...keys].map((k) => {
    const x = ga.get(k);
    const y = gb.get(k);
    return { k, a: x?.bytes ?? 0, n: x?.count ?? 0, d: (x?.bytes ?? 0) - (y?.bytes ?? 0) };
  });
  rows.sort((p, q) => Math.abs(q.d) - Math.abs(p.d));
  console.log(`A ${kib(total(ga))}${b === undefined ? '' : `, B ${kib(total(gb))}, A − B first`}`);
  for (const r of rows.slice(0, top))
    console.log(
      `${kib(r.d).padStart(10)}  ${kib(r.a).padStart(10)} ${String(r.n).padStart(7)}  ${r.k}`,
    );
}

if (require.main === module) main();
