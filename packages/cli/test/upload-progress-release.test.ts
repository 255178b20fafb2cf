// The progress bar's byte counting wraps each file source of `items upload`; an attempt the gateway cuts
// off before reading its body (or that never reaches it) must still let go of the file it opened (the client calls the body's
// `destroy`), as the file source alone does, rather than leave it open until a GC.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { createDataloopClient, type StreamSource, type UploadEntry, uploadItems } from "@dataloop-ts/client";
import { fileSource } from "@dataloop-ts/client/node";
import { listenLoopback } from "@dataloop-ts/core/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { byteProgress } from "../src/upload-progress.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataloop-progress-release-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("items upload's byte counting", () => {
  it("lets go of each attempt's file when the gateway cannot be reached (the body never started)", async () => {
    const file = join(dir, "reset.bin");
    await writeFile(file, Buffer.alloc(2 * 1024 * 1024, 5));
    // A port nothing listens on: every attempt is refused before undici starts its body.
    const gone = await listenLoopback(() => {});
    await gone.stop();
    {
      const opened: Readable[] = [];
      const base = fileSource(file);
      const watched: StreamSource = {
        ...base,
        async openChunks() {
          const stream = (await base.openChunks?.()) as Readable;
          opened.push(stream);
          return stream;
        },
      };
      const entries: UploadEntry[] = [{ source: watched, remotePath: "/reset.bin" }];
      const counted = byteProgress(entries, { update() {} });
      const dl = createDataloopClient({
        gateUrl: gone.url,
        auth: { getToken: async () => "t0ken" },
        retry: { attempts: 3, baseDelayMs: 0 },
      });
      const summary = await uploadItems(dl, "d", counted.entries, { onProgress: counted.onProgress });
      expect(summary.failed).toBe(1);
      expect(opened).toHaveLength(3);
      expect(opened.map((s) => s.destroyed)).toEqual([true, true, true]);
    }
  });
});
