import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/basics/log';

// The logger's second line of defence: fields named like a credential are blanked at the top of a
// line and one level down, whatever their value (secret-values.ts blanks known values anywhere).

function linesOf(
  log: (logger: ReturnType<typeof createLogger>) => void,
): Record<string, unknown>[] {
  const lines: string[] = [];
  log(createLogger({ write: (line: string) => lines.push(line) }));
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

const R = '[redacted]';

describe('log lines: credential-named fields', () => {
  it('blanks authorization, token, headers.authorization and config.headers, at the top and one level down', () => {
    const [line] = linesOf((logger) => {
      logger.info(
        {
          authorization: 'Bearer top',
          token: 'tok',
          headers: { authorization: 'Bearer h', accept: 'json' },
          config: { headers: { authorization: 'Bearer c' }, url: 'https://x' },
          request: {
            authorization: 'Bearer nested',
            token: 'nested-token',
            headers: { authorization: 'Bearer nh', 'x-keep': '1' },
            config: { headers: { Authorization: 'Bearer nc' }, method: 'POST' },
          },
          outcome: 'created',
        },
        'a line',
      );
    });
    assert.ok(line);
    assert.deepEqual(line['authorization'], R);
    assert.deepEqual(line['token'], R);
    assert.deepEqual(line['headers'], { authorization: R, accept: 'json' });
    assert.deepEqual(line['config'], { headers: R, url: 'https://x' });
    assert.deepEqual(line['request'], {
      authorization: R,
      token: R,
      headers: { authorization: R, 'x-keep': '1' },
      config: { headers: R, method: 'POST' },
    });
    assert.equal(line['outcome'], 'created');
    assert.equal(line['message'], 'a line');
    assert.equal(line['severity'], 'INFO');
    assert.doesNotMatch(JSON.stringify(line), /Bearer|tok"|nested-token/);
  });

  it('leaves the logged object as it was, and lines without such fields as they are', () => {
    const fields = { request: { token: 'keep-me-in-memory' }, n: 1 };
    const [censored, plain] = linesOf((logger) => {
      logger.info(fields, 'one');
      logger.info({ bucket: 'b', name: 'token/authorization.csv', nested: { a: 1 } }, 'two');
    });
    assert.ok(censored && plain);
    assert.deepEqual(fields, { request: { token: 'keep-me-in-memory' }, n: 1 });
    assert.deepEqual(censored['request'], { token: R });
    assert.equal(plain['name'], 'token/authorization.csv');
    assert.deepEqual(plain['nested'], { a: 1 });
  });

  it('an error object under any key has its config headers blanked (a gaxios error carries its request headers)', () => {
    const err = Object.assign(new Error('request failed'), {
      config: { headers: { authorization: 'Bearer e' } },
    });
    const [line] = linesOf((logger) => {
      logger.error({ failure: err }, 'failed');
    });
    assert.ok(line);
    assert.doesNotMatch(JSON.stringify(line), /Bearer e/);
    assert.deepEqual((line['failure'] as Record<string, unknown>)['config'], { headers: R });
  });
});
