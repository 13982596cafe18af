import * as functions from '@google-cloud/functions-framework';
import { triggerDag, triggerDagBackground } from './handlers';

functions.cloudEvent('triggerDag', triggerDag);
export { triggerDag, triggerDagBackground };
