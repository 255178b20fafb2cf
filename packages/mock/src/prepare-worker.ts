// The worker thread behind prepareMockSpec's cold path (see buildMockSpec for why it is a thread).
import { parentPort, workerData } from "node:worker_threads";
import { type BuildInput, buildMockSpec } from "./spec.js";

parentPort?.postMessage(await buildMockSpec(workerData as BuildInput));
