import * as functions from '@google-cloud/functions-framework';
import { startFunction } from './function/start';

const { triggerDag, triggerDagBackground } = startFunction(process.env);
functions.cloudEvent('triggerDag', triggerDag);
export { triggerDag, triggerDagBackground };
