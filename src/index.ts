import * as functions from '@google-cloud/functions-framework';
import { triggerDag, triggerDagBackground } from './function/handlers';

functions.cloudEvent('triggerDag', triggerDag);
export { triggerDag, triggerDagBackground };
