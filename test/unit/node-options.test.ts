import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { NODE_OPTIONS } from '../../src/planner/node-options';

// The deploy writes NODE_OPTIONS into every instance's environment: a flag that node refuses there
// ("is not allowed in NODE_OPTIONS") would stop every instance at start, so this node must take it.
describe('NODE_OPTIONS of the deployed function', () => {
  it('starts node, and caps the young generation at 2 × 8 MiB under load', () => {
    // Objects that live a while (a ring of 200,000) make V8 grow its young generation to the cap.
    const script =
      'const ring = new Array(200000); for (let i = 0; i < 5e6; i++) ring[i % 200000] = { i }; ' +
      "const s = require('v8').getHeapSpaceStatistics().find((x) => x.space_name === 'new_space'); " +
      'process.stdout.write(String(s.space_size));';
    const run = (options: string | undefined) =>
      spawnSync(process.execPath, ['-e', script], {
        env: {
          PATH: process.env['PATH'] ?? '',
          ...(options !== undefined && { NODE_OPTIONS: options }),
        },
        encoding: 'utf8',
      });
    const flagged = run(NODE_OPTIONS);
    assert.equal(flagged.status, 0, flagged.stderr);
    const MiB = 1024 * 1024;
    assert.ok(Number(flagged.stdout) <= 16 * MiB, `new space ${flagged.stdout} bytes`);
    const plain = run(undefined);
    assert.equal(plain.status, 0, plain.stderr);
    assert.ok(Number(plain.stdout) > 16 * MiB, `default new space ${plain.stdout} bytes`);
  });
});
