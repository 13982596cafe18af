/**
 * What deploy/monitoring.sh hands gcloud, as gcloud 528's own code reads it, offline: the alert
 * policy file as `gcloud alpha monitoring policies create --policy-from-file` parses it, and the
 * lookup's --filter as gcloud's resource filter applies it. (gcloud-parse.test.ts checks that
 * every printed command parses.)
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { commandLines, run, runScript } from '../helpers/cli';
import { example, writeSettings } from '../helpers/deploy-settings';
import { SKIP_WITHOUT_GCLOUD, gcloudPython } from '../helpers/gcloud';

describe(
  'gcloud reads what deploy/monitoring.sh gives it (offline)',
  { skip: SKIP_WITHOUT_GCLOUD },
  () => {
    it('the alert policy file is an AlertPolicy as gcloud reads it, with no field it does not know', async () => {
      const { file, dir } = writeSettings(example());
      const ran = await runScript('monitoring.sh', ['--settings', file, '--dry-run']);
      assert.equal(ran.code, 0, ran.stderr);
      const policyFile = path.join(dir, '.alert-policy.gcs-airflow-trigger.yaml');
      // What `gcloud alpha monitoring policies create --policy-from-file` does with the file
      // (command_lib/monitoring/util.py GetBasePolicyMessageFromArgs), then every field it kept aside
      // as unknown (apitools keeps misspelt keys and enum values instead of refusing them).
      const report = await gcloudPython([
        'import json',
        'from apitools.base.protorpclite import messages as pm',
        'from googlecloudsdk.api_lib.util import apis',
        'from googlecloudsdk.command_lib.monitoring import util',
        "m = apis.GetMessagesModule('monitoring', 'v3')",
        `p = util.MessageFromString(open(${JSON.stringify(policyFile)}).read(), m.AlertPolicy, 'AlertPolicy')`,
        'def unknown(msg, at):',
        "    out = [at + '.' + n for n in msg.all_unrecognized_fields()]",
        '    for f in msg.all_fields():',
        '        v = msg.get_assigned_value(f.name)',
        '        for x in (v if f.repeated else [v]) or []:',
        "            if isinstance(x, pm.Message): out += unknown(x, at + '.' + f.name)",
        '    return out',
        't = p.conditions[1].conditionThreshold',
        "print(json.dumps({'unknown': unknown(p, 'policy'), 'conditions': len(p.conditions),",
        "  'channels': list(p.notificationChannels), 'combiner': str(p.combiner),",
        "  'missing': str(t.evaluationMissingData), 'aligner': str(t.aggregations[0].perSeriesAligner)}))",
      ]);
      assert.deepEqual(JSON.parse(report), {
        unknown: [],
        conditions: 2,
        channels: ['projects/my-project/notificationChannels/1234567890123456789'],
        combiner: 'OR',
        missing: 'EVALUATION_MISSING_DATA_INACTIVE',
        aligner: 'ALIGN_SUM',
      });
    });

    it("the alert policy lookup's --filter picks this function's policy only, without gcloud's warning", async () => {
      const ran = await runScript('monitoring.sh', [
        ...['--settings', writeSettings(example()).file, '--dry-run'],
      ]);
      const lookup = commandLines(ran.stdout).find((l) => l.includes('policies list')) ?? '';
      // The arguments as bash passes them, from a gcloud that prints them one a line.
      const echoed = await run('bash', [
        '-c',
        `gcloud() { printf '%s\\n' "$@"; }; ${lookup}; printf '%s' "$ALERT_POLICY"`,
      ]);
      const filter = echoed.stdout
        .split('\n')
        .find((a) => a.startsWith('--filter='))
        ?.slice(9);
      assert.ok(filter !== undefined, `no lookup with a --filter in:\n${ran.stdout}`);
      // gcloud's own resource filter, on policies as the API lists them (core/resource/resource_filter.py).
      const matched = await gcloudPython([
        'import io, json, sys',
        // gcloud's log writes to the stderr it finds when first imported: catch it from the start.
        'sys.stderr, said = io.StringIO(), sys.stderr',
        'from googlecloudsdk.core.resource import resource_filter',
        "label = lambda v: {'userLabels': {'gcs_airflow_trigger': v}}",
        "rows = [dict(name='ours', **label('gcs-airflow-trigger')), dict(name='eu', **label('gcs-airflow-trigger-eu')),",
        "  dict(name='other', **label('eu-gcs-airflow-trigger')), dict(name='upper', **label('GCS-airflow-trigger')),",
        "  {'name': 'unlabelled', 'displayName': 'gcs-airflow-trigger'}]",
        `f = resource_filter.Compile(${JSON.stringify(filter)})`,
        "names = [r['name'] for r in rows if f.Evaluate(r)]",
        'warned, sys.stderr = sys.stderr.getvalue(), said',
        "print(json.dumps({'names': names, 'warned': warned}))",
      ]);
      assert.deepEqual(JSON.parse(matched), { names: ['ours'], warned: '' });
    });
  },
);
