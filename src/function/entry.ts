/** The entry points, registered with the Functions Framework: what src/index.ts loads. */
import * as functions from '@google-cloud/functions-framework';
import { startFunction } from './start';

const { triggerDag, triggerDagBackground } = startFunction(process.env);
functions.cloudEvent('triggerDag', triggerDag);
export { triggerDag, triggerDagBackground };
