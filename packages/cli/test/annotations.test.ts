// `dataloop annotations upload|download` on a Context whose client talks to a local gateway that keeps
// annotations (the client package's test server): COCO and YOLO in, every format out, --json, exit codes.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { memoryStore } from "@dataloop-ts/auth";
import { createDataloopClient } from "@dataloop-ts/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AnnotationServer, startAnnotationServer } from "../../client/test/annotations-server.js";
import { annotations } from "../src/annotations.js";
import { parseCommandLine } from "../src/args.js";
import type { Context } from "../src/commands.js";
import { Output } from "../src/output.js";

let server: AnnotationServer;
let dir: string;
beforeEach(async () => {
  server = await startAnnotationServer();
  dir = await mkdtemp(join(tmpdir(), "dataloop-cli-annotations-"));
});
afterEach(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { values, positionals } = parseCommandLine(argv);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const text = (s: PassThrough) => {
    let t = "";
    s.on("data", (c) => {
      t += c;
    });
    return () => t;
  };
  const [readOut, readErr] = [text(stdout), text(stderr)];
  const out = new Output({
    json: values.json,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: {},
  });
  const ctx: Context = {
    gateUrl: server.url,
    store: memoryStore(),
    out,
    env: {},
    values,
    args: positionals.slice(1),
    readStdin: async () => "",
    interactive: false,
    ask: async () => "",
    client: () =>
      createDataloopClient({
        gateUrl: server.url,
        auth: { getToken: async () => "opaque" },
        retry: { attempts: 2, baseDelayMs: 1 },
      }),
  };
  const code = await annotations(ctx);
  return { code, stdout: readOut(), stderr: readErr() };
}

const coco = {
  images: [
    { id: 1, file_name: "a.jpg", width: 100, height: 50 },
    { id: 2, file_name: "b.jpg", width: 100, height: 50 },
  ],
  categories: [{ id: 1, name: "cat" }],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [1, 2, 3, 4], iscrowd: 0, segmentation: [] },
    { id: 2, image_id: 2, category_id: 9, bbox: [1, 2, 3, 4], iscrowd: 0, segmentation: [] },
  ],
};

describe("dataloop annotations", () => {
  it("uploads a COCO file, lists a bad category by id and exits 1; the good annotation is in", async () => {
    server.addItem("/a.jpg", { width: 100, height: 50 });
    server.addItem("/b.jpg", { width: 100, height: 50 });
    const path = join(dir, "coco.json");
    await writeFile(path, JSON.stringify(coco));
    const { code, stdout } = await run([
      "annotations",
      "upload",
      path,
      "--dataset",
      "d1",
      "--format",
      "coco",
      "--json",
    ]);
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ items: 2, annotations: 1, failed: 0 });
    expect(result.issues).toEqual([
      expect.objectContaining({
        code: "ANNOTATION_INPUT",
        id: 2,
        message: `${path}, id 2: category_id 9 is not in categories`,
      }),
    ]);
    expect([...server.annotations.values()].flat()).toHaveLength(1);
  });

  it("uploads a JSON Lines file of items (one per line) with the dataloop format", async () => {
    server.addItem("/a.jpg", { width: 100, height: 50 });
    server.addItem("/b.jpg", { width: 100, height: 50 });
    const box = (x: number) => ({
      type: "box",
      label: "cat",
      coordinates: [
        { x, y: 1, z: 0 },
        { x: x + 5, y: 6, z: 0 },
      ],
    });
    const path = join(dir, "items.jsonl");
    await writeFile(
      path,
      `${JSON.stringify({ filename: "/a.jpg", annotations: [box(1), box(2)] })}\n${JSON.stringify({ filename: "/b.jpg", annotations: [box(3)] })}\n`,
    );
    const { code, stdout } = await run(["annotations", "upload", path, "--dataset", "d1", "--json"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ items: 2, annotations: 3, failed: 0 });
    expect(
      [...server.annotations.values()]
        .flat()
        .map((a) => (a.coordinates as Array<{ x: number }>)[0]?.x)
        .sort(),
    ).toEqual([1, 2, 3]);
  });

  it("downloads as COCO, YOLO and Dataloop JSON, listing what YOLO cannot hold", async () => {
    const id = server.addItem("/x/a.jpg", { width: 100, height: 50 });
    server.annotations.set(id, [
      {
        id: "1",
        itemId: id,
        type: "box",
        label: "cat",
        coordinates: [
          { x: 10, y: 10 },
          { x: 30, y: 20 },
        ],
      },
      { id: "2", itemId: id, type: "point", label: "eye", coordinates: { x: 1, y: 1 } },
    ]);
    const cocoRun = await run([
      "annotations",
      "download",
      "--dataset",
      "d1",
      "--out",
      join(dir, "c"),
      "--format",
      "coco",
    ]);
    expect(cocoRun.code).toBe(0);
    expect(cocoRun.stderr).toMatch(/Downloaded 2 annotations of 1 item/);
    expect(cocoRun.stderr).toMatch(/1 annotation the format cannot hold/);
    const written = JSON.parse(await readFile(join(dir, "c", "coco.json"), "utf8"));
    expect(written.annotations[0].bbox).toEqual([10, 10, 20, 10]);
    const yolo = await run([
      "annotations",
      "download",
      "--dataset",
      "d1",
      "--out",
      join(dir, "y"),
      "--format",
      "yolo",
      "--json",
    ]);
    expect(JSON.parse(yolo.stdout).issues).toEqual([
      expect.objectContaining({ code: "ANNOTATION_NOT_EXPRESSIBLE", type: "point" }),
    ]);
    expect(await readFile(join(dir, "y", "labels", "x", "a.txt"), "utf8")).toBe("0 0.2 0.3 0.2 0.2\n");
    await run(["annotations", "download", "--dataset", "d1", "--out", join(dir, "j")]);
    const json = JSON.parse(await readFile(join(dir, "j", "x", "a.json"), "utf8"));
    expect(json).toMatchObject({ filename: "/x/a.jpg", annotations: [{ type: "box" }, { type: "point" }] });
  });

  it("uploads a YOLO folder to the items of the same path, and fails a label file with no item", async () => {
    const id = server.addItem("/train/a.png", { width: 200, height: 100 });
    await mkdir(join(dir, "yolo", "labels", "train"), { recursive: true });
    await writeFile(join(dir, "yolo", "data.yaml"), "names: [cat, dog]\n");
    await writeFile(join(dir, "yolo", "labels", "train", "a.txt"), "1 0.5 0.5 0.1 0.2\n");
    await writeFile(join(dir, "yolo", "labels", "train", "zzz.txt"), "0 0.5 0.5 0.1 0.2\n");
    const { code, stderr } = await run([
      "annotations",
      "upload",
      join(dir, "yolo"),
      "--dataset",
      "d1",
      "--format",
      "yolo",
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Uploaded 1 annotation of 1 item .*; 1 item failed:/);
    expect(stderr).toMatch(/zzz\.txt: no item "train\/zzz\.\*" in dataset d1/);
    const stored = server.annotations.get(id)?.[0] as {
      type: string;
      label: string;
      coordinates: Array<{ x: number; y: number }>;
    };
    expect([stored.type, stored.label]).toEqual(["box", "dog"]);
    // (0.5 ∓ 0.05) × 200 and (0.5 ∓ 0.1) × 100, within floating point.
    expect(stored.coordinates.flatMap((p) => [p.x, p.y]).map((n) => Math.round(n * 1e9) / 1e9)).toEqual([
      90, 40, 110, 60,
    ]);
  });

  it("refuses an unknown format with a usage error", async () => {
    await expect(
      run(["annotations", "download", "--dataset", "d1", "--out", dir, "--format", "voc"]),
    ).rejects.toThrow(/--format takes dataloop, coco or yolo, got "voc"/);
  });
});
