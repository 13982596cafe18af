/**
 * Issue 17, item 7: a typo under `env:` is refused with the nearest setting's name, AIRFLOW_API
 * must be one the settings' Airflow version serves, and the example file's references resolve.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SETTING_NAMES } from '../../src/function/config';
import { UsageError } from '../../src/basics/errors/usage-error';
import { nearestSetting, unknownEnvNames } from '../../src/planner/env-names';
import { parseSettings } from '../../src/planner/settings';
import { EXAMPLE, example } from '../helpers/deploy-settings';
import { anchors, slug } from '../helpers/markdown';
import { ROOT } from '../helpers/paths';
import type { SettingsDoc } from '../helpers/deploy-settings';

function problemsOf(doc: unknown): string {
  try {
    parseSettings(doc, 'env.yaml');
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  assert.fail('accepted');
}

const withEnv = (env: Record<string, unknown>): SettingsDoc => ({
  ...example(),
  env: { ...example().env, ...env },
});

const withAirflow = (version: string, api?: string): SettingsDoc => {
  const doc = example();
  const composer = { ...(doc['composer'] as Record<string, unknown>), airflowVersion: version };
  const env = { ...doc.env };
  if (api === undefined) delete env['AIRFLOW_API'];
  else env['AIRFLOW_API'] = api;
  return { ...doc, env, composer };
};

describe('settings env: only the function settings, typos named with the nearest', () => {
  it('DAG_IDS is refused, DAG_ID suggested (the function would start the default DAG)', () => {
    const message = problemsOf(withEnv({ DAG_IDS: 'load_new_object' }));
    assert.match(
      message,
      /env\.DAG_IDS is not a setting of the function[^;]*did you mean DAG_ID\?/,
    );
  });

  it('other near misses: letter case, a swap, a missing letter, a plural', () => {
    for (const [typo, meant] of [
      ['dag_id', 'DAG_ID'],
      ['INLCUDE', 'INCLUDE'],
      ['RETRY_BUDGET', 'RETRY_BUDGET_MS'],
      ['DEADLETTER_URI', 'DEAD_LETTER_URI'],
      ['AIRFLOW_APIS', 'AIRFLOW_API'],
      ['IAP_CLIENTID', 'IAP_CLIENT_ID'],
    ] as const) {
      assert.equal(nearestSetting(typo), meant, typo);
      assert.match(problemsOf(withEnv({ [typo]: 'x' })), new RegExp(`did you mean ${meant}\\?`));
    }
  });

  it('a name like none of them is refused without a guess, pointing at the list', () => {
    assert.equal(nearestSetting('NODE_OPTIONS'), undefined);
    assert.match(
      problemsOf(withEnv({ NODE_OPTIONS: '--max-old-space-size=400' })),
      /env\.NODE_OPTIONS is not a setting of the function[^;]*docs\/configuration\.md#every-setting/,
    );
  });

  it("every name of the function's own list passes this check (it is that list, imported)", () => {
    assert.deepEqual(unknownEnvNames(SETTING_NAMES), []);
    assert.deepEqual(unknownEnvNames(['DAG_ID', 'DAG_IDS']).length, 1);
  });

  it('keys an object map would hide or inherit are refused too (__proto__, constructor)', () => {
    const env = JSON.parse('{"__proto__": "x", "constructor": "y"}') as Record<string, unknown>;
    const message = problemsOf({ ...example(), env: { ...example().env, ...env } });
    assert.match(message, /env\.constructor is not a setting/);
    const raw = JSON.parse(
      '{"project":"my-project","region":"europe-west1","bucket":"b-1","env":{"AIRFLOW_URL":"https://x.composer.googleusercontent.com","__proto__":"x"}}',
    ) as unknown;
    assert.match(problemsOf(raw), /env\.__proto__ is not a setting/);
  });

  it('a typo is named with every other bad key in the same run', () => {
    const message = problemsOf({ ...withEnv({ DAG_IDS: 'x', AIRFLOW_API: 'v9' }), timeout: 5 });
    assert.match(message, /env\.DAG_IDS/);
    assert.match(message, /env: AIRFLOW_API must be one of/);
  });
});

describe('settings: AIRFLOW_API against composer.airflowVersion', () => {
  it('refused: v1 or the default (v1) on Airflow 3, v2 on Airflow 2, v1 or v2 on Airflow 1', () => {
    for (const [version, api, wanted] of [
      ['3.1.0', 'v1', /AIRFLOW_API: v2 \(Airflow 3 dropped \/api\/v1\)/],
      ['3.0.1', undefined, /AIRFLOW_API: v2/],
      ['3.1.0', 'experimental', /AIRFLOW_API: v2/],
      ['2.10.5', 'v2', /AIRFLOW_API: v1 or AIRFLOW_API: experimental/],
      ['1.10.15', 'v1', /AIRFLOW_API: experimental/],
      ['1.10.15', 'v2', /AIRFLOW_API: experimental/],
    ] as const) {
      const message = problemsOf(withAirflow(version, api));
      assert.match(
        message,
        new RegExp(
          `Airflow ${version.replace(/\./g, '\\.')} \\(composer\\.airflowVersion\\) does not serve`,
        ),
        `${version} ${api}`,
      );
      assert.match(message, wanted, `${version} ${api}`);
    }
  });

  it('accepted: v2 on Airflow 3, v1 and experimental on Airflow 2, experimental on Airflow 1, no version', () => {
    for (const [version, api] of [
      ['3.1.0', 'v2'],
      ['2.10.5', 'v1'],
      ['2.2.5', 'experimental'],
      ['1.10.15', 'experimental'],
    ] as const) {
      assert.equal(parseSettings(withAirflow(version, api), 'env.yaml').config.api, api);
    }
    const doc = example();
    const composer = { ...(doc['composer'] as Record<string, unknown>) };
    delete composer['airflowVersion'];
    assert.equal(
      parseSettings({ ...doc, composer, env: { ...doc.env, AIRFLOW_API: 'v2' } }, 'env.yaml').config
        .api,
      'v2',
    );
  });
});

describe('deploy/env.example.yaml: every reference points at something that exists', () => {
  const text = readFileSync(EXAMPLE, 'utf8');
  const page = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
  const pageOf = (name: string): string => (name.endsWith('.md') ? name : `${name}.md`);

  it('docs/PAGE.md#anchor, README.md#anchor and deploy/NAME.sh: the file, and the heading', () => {
    const broken: string[] = [];
    const refs = [
      ...text.matchAll(/\b((?:docs\/[\w-]+|README)(?:\.md)?|deploy\/[\w-]+\.sh)(?:#([\w-]+))?/g),
    ];
    assert.ok(refs.length >= 2, 'the example names pages');
    for (const [ref, target = '', fragment] of refs) {
      const file = target.startsWith('deploy/') ? target : pageOf(target);
      if (!existsSync(path.join(ROOT, file))) broken.push(`${ref}: no ${file}`);
      else if (fragment !== undefined && !anchors(page(file)).has(fragment)) {
        broken.push(`${ref}: no heading #${fragment} in ${file}`);
      }
    }
    assert.deepEqual(broken, []);
  });

  it('a section named in words, (PAGE, "Heading") or see "Heading", is a heading of that page', () => {
    const broken: string[] = [];
    for (const [ref, target = '', heading = ''] of text.matchAll(
      /\b(README|docs\/[\w-]+)(?:\.md)?,\s*(?:#\s*)?"([^"]+)"/g,
    )) {
      const file = pageOf(target);
      const wanted = slug(heading.replace(/\s*#\s*/g, ' '));
      if (!existsSync(path.join(ROOT, file)) || !anchors(page(file)).has(wanted)) {
        broken.push(`${ref.replace(/\s+/g, ' ')}: no such heading in ${file}`);
      }
    }
    for (const [ref, heading = ''] of text.matchAll(/\bsee "([^"]+)"/gi)) {
      broken.push(`${ref}: say which page (docs/PAGE.md#${slug(heading)})`);
    }
    assert.deepEqual(broken, []);
  });
});
