import { FakeAirflow } from './airflow';
import type { FakeComposerCommandsOptions } from './composer-commands';
import { FakeComposerCommands } from './composer-commands';

/**
 * A fake Airflow whose port also serves the Composer API over the same DAGs and runs: what the
 * stand-in, the demo and the tests start.
 */
export function airflowWithComposerApi(
  airflowOptions: ConstructorParameters<typeof FakeAirflow>[0],
  composerOptions: Omit<FakeComposerCommandsOptions, 'world'> = {},
): { airflow: FakeAirflow; composer: FakeComposerCommands } {
  const holder: { composer?: FakeComposerCommands } = {};
  const airflow = new FakeAirflow({
    ...airflowOptions,
    beside: {
      owns: (path) => FakeComposerCommands.owns(path),
      handle: (req, res, body) => (holder.composer as FakeComposerCommands).handle(req, res, body),
    },
  });
  const onCreated = airflowOptions?.onCreated;
  const composer = new FakeComposerCommands({
    ...composerOptions,
    world: { dags: airflow.dags, runs: airflow.runs, ...(onCreated && { onCreated }) },
  });
  holder.composer = composer;
  return { airflow, composer };
}
