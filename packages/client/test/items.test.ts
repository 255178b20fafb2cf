// Items in and out through the typed client, against the mock gateway, which keeps what is uploaded.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type MockGateway, startMockGateway } from "@dataloop-ts/mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDataloopClient,
  type DataloopClient,
  downloadItem,
  queryDataset,
  uploadItem,
} from "../src/index.js";
import { downloadFile, uploadFile } from "../src/node.js";

let gateway: MockGateway;
let dl: DataloopClient;
let dir: string;
const DATASET = "65f1c0ffee0123456789d001";
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const bytesOf = async (stream: ReadableStream<Uint8Array>) =>
  new Uint8Array(await new Response(stream).arrayBuffer());

beforeAll(async () => {
  gateway = await startMockGateway();
  dl = createDataloopClient({
    gateUrl: gateway.gateUrl,
    auth: { email: "bot@example.com", password: "password" },
  });
  dir = await mkdtemp(join(tmpdir(), "dataloop-items-"));
});
afterAll(async () => {
  await gateway?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("items through the client, against the mock", () => {
  it("uploads from a Blob, a Uint8Array and a file path, and downloads the same bytes back", async () => {
    const sources = {
      blob: new Blob(["a blob's bytes"]),
      bytes: new TextEncoder().encode("bytes in memory: ünïcode"),
      file: Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251)),
    };
    const path = join(dir, "name with spaces é.bin");
    await writeFile(path, sources.file);
    const up = {
      blob: await uploadItem(dl, DATASET, sources.blob, {
        remotePath: "/in/blob.txt",
        metadata: { user: { n: 1 } },
      }),
      bytes: await uploadItem(dl, DATASET, sources.bytes, { remotePath: "/in/bytes.txt" }),
      file: await uploadFile(dl, DATASET, path, { remotePath: "/in/name with spaces é.bin" }),
    };
    expect(up.blob.op).toBe("created");
    expect(up.file.item).toMatchObject({
      filename: "/in/name with spaces é.bin",
      name: "name with spaces é.bin",
      dir: "/in",
    });
    expect(up.blob.item.metadata).toMatchObject({ user: { n: 1 }, system: { size: 14 } });
    const blobBack = await bytesOf(await downloadItem(dl, up.blob.item.id));
    expect(new TextDecoder().decode(blobBack)).toBe("a blob's bytes");
    expect(sha(await bytesOf(await downloadItem(dl, up.bytes.item.id)))).toBe(sha(sources.bytes));
    const out = join(dir, "back.bin");
    await downloadFile(dl, up.file.item.id, out);
    expect(sha(await readFile(out))).toBe(sha(sources.file));
  });

  it("mode skip returns the item already there; overwrite replaces its bytes", async () => {
    const first = await uploadItem(dl, DATASET, new Blob(["v1"]), { remotePath: "/modes/a.txt" });
    const skipped = await uploadItem(dl, DATASET, new Blob(["v2"]), { remotePath: "/modes/a.txt" });
    expect(skipped).toMatchObject({ op: "skip", item: { id: first.item.id } });
    const replaced = await uploadItem(dl, DATASET, new Blob(["v3"]), {
      remotePath: "/modes/a.txt",
      mode: "overwrite",
    });
    expect(replaced).toMatchObject({ op: "overwrite", item: { id: first.item.id } });
    expect(new TextDecoder().decode(await bytesOf(await downloadItem(dl, first.item.id)))).toBe("v3");
  });

  it("queries what was uploaded, by keyset over pages", async () => {
    const ids: string[] = [];
    for await (const item of queryDataset(dl, DATASET, { pageSize: 2 })) ids.push(item.id);
    expect(ids.length).toBeGreaterThanOrEqual(4);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("a form whose file is not the last part is refused, as the gateway refuses it", async () => {
    const form = new FormData();
    form.append("type", "file");
    form.append("file", new Blob(["x"]), "x.txt");
    form.append("path", "/late/x.txt");
    const error = await dl
      .POST("/datasets/{datasetId}/items", {
        params: { path: { datasetId: DATASET } },
        body: { type: "file", path: "/late/x.txt" },
        bodySerializer: () => form,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 400,
      code: "API_ERROR",
      message: expect.stringContaining("FILE MUST BE LAST FIELD"),
    });
  });
});
