import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread that runs `body`, plain JavaScript with `parentPort`, `workerData` and
 * `Database` (the `libsql` driver) in scope. The code is evaluated, so it runs the same from the
 * built package and from the sources under test. It reaches Node's modules through `import()`,
 * which works whether the worker reads evaluated code as CommonJS or as an ES module: a process
 * started with `--input-type=module` passes that flag on to its workers, where `require` is then
 * undefined, and every one of them failed at once ("require is not defined in ES module scope").
 */
export function startDriverWorker(body: string, workerData: Record<string, unknown>): Worker {
  const driverPath = createRequire(import.meta.url).resolve('libsql');
  const source = `Promise.all([import('node:module'), import('node:worker_threads')]).then(
  ([{ createRequire }, { parentPort, workerData }]) => {
    const Database = createRequire(workerData.driverPath)(workerData.driverPath);
${body}
  },
);`;
  return new Worker(source, { eval: true, workerData: { ...workerData, driverPath } });
}
