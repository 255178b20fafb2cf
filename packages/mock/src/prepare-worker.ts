// The worker thread behind prepareMockSpec's cold path (see buildMockSpec for why it is a thread).
import { parentPort, workerData } from "node:worker_threads";
import type { Project } from "@dataloop-ts/codegen";
import { buildMockSpec } from "./spec.js";

const { project, cacheFile } = workerData as { project: Project; cacheFile: string };
parentPort?.postMessage(await buildMockSpec(project, cacheFile));
