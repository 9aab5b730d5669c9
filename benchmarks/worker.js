// Benchmark worker entry, plain JS so a worker thread can start it: register tsx in this thread (loaders
// registered by the main thread do not reach workers), then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
