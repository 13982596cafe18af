import * as functions from '@google-cloud/functions-framework';
import { createHandlers } from './function/handlers';
import { startInstance } from './function/start';

const { triggerDag, triggerDagBackground } = createHandlers(startInstance(process.env));
functions.cloudEvent('triggerDag', triggerDag);
export { triggerDag, triggerDagBackground };
