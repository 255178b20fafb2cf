// `dataloop annotations convert`, run as a user runs it (the built CLI, no login, no gateway): COCO,
// YOLO and Dataloop JSON into one another, the --json summary, bad input listed with exit 1, usage
// errors with exit 2, and nothing half-written at --out when the input is broken.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { encodeMask } from "@dataloop-ts/client/annotations";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cleanUp, dataloop, tempHome } from "./cli-run.js";

let dir: string;
let home: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "dataloop-cli-convert-"));
  home = await tempHome();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  await cleanUp();
});

/** The CLI with an empty token folder and a gate nobody listens on: convert must need neither. */
const convert = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  dataloop(["annotations", "convert", ...args], {
    env: { DATALOOP_TS_HOME: home, DATALOOP_GATE: "http://127.0.0.1:9", DATALOOP_API_KEY: "", ...env },
  });

const coco = {
  images: [
    { id: 1, file_name: "cats/a.jpg", width: 100, height: 50 },
    { id: 2, file_name: "b.jpg", width: 64, height: 48 },
    { id: 3, file_name: "empty.jpg", width: 10, height: 10 },
  ],
  categories: [
    { id: 1, name: "cat" },
    { id: 2, name: "猫 road" },
  ],
  annotations: [
    { id: 1, image_id: 1, category_id: 1, bbox: [1.5, 2.25, 3, 4], iscrowd: 0, segmentation: [] },
    { id: 2, image_id: 2, category_id: 2, segmentation: [[1, 1, 20, 1, 20, 30, 1, 30]], iscrowd: 0 },
    { id: 3, image_id: 2, category_id: 1, bbox: [0, 0, 5, 5], iscrowd: 0, segmentation: [] },
  ],
};

/** A COCO file's content with its annotation ids and image ids left aside (a round trip renumbers them). */
const content = (c: typeof coco) => ({
  categories: c.categories.map((k) => k.name),
  images: c.images.map((i) => ({ file_name: i.file_name, width: i.width, height: i.height })),
  annotations: c.annotations.map((a) => ({
    file: c.images.find((i) => i.id === a.image_id)?.file_name,
    category: c.categories.find((k) => k.id === a.category_id)?.name,
    bbox: a.bbox,
    segmentation: a.segmentation,
  })),
});

describe("dataloop annotations convert", () => {
  it("turns a COCO file into Dataloop JSON Lines and back into the same COCO, offline, with a --json summary", async () => {
    const input = join(dir, "coco.json");
    await writeFile(input, JSON.stringify(coco));
    const there = await convert([
      input,
      "--from",
      "coco",
      "--to",
      "dataloop",
      "--out",
      join(dir, "items.jsonl"),
      "--json",
    ]);
    expect(there.code, there.stderr).toBe(0);
    expect(JSON.parse(there.stdout)).toEqual({
      items: 3,
      annotations: 3,
      failed: 0,
      from: "coco",
      to: "dataloop",
      out: join(dir, "items.jsonl"),
      failures: [],
      issues: [],
    });
    const lines = (await readFile(join(dir, "items.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.filename, l.annotations.length])).toEqual([
      ["/cats/a.jpg", 1],
      ["/b.jpg", 2],
      ["/empty.jpg", 0],
    ]);

    const back = await convert([
      join(dir, "items.jsonl"),
      "--from",
      "dataloop",
      "--to",
      "coco",
      "--out",
      join(dir, "back.json"),
      "--json",
    ]);
    expect(back.code, back.stderr).toBe(0);
    const written = JSON.parse(await readFile(join(dir, "back.json"), "utf8"));
    const expected = content(coco);
    const got = content(written);
    expect(got.images).toEqual(expected.images);
    expect(new Set(got.categories)).toEqual(new Set(expected.categories));
    expect(got.annotations).toEqual(
      expected.annotations.map((a) => ({ ...a, bbox: a.bbox ?? [1, 1, 19, 29] })),
    );
  });

  it("lists a bad annotation by file and id, writes the rest and exits 1", async () => {
    const input = join(dir, "coco.json");
    const bad = {
      ...coco,
      annotations: [
        ...coco.annotations,
        { id: 9, image_id: 1, category_id: 7, bbox: [0, 0, 1, 1], iscrowd: 0 },
      ],
    };
    await writeFile(input, JSON.stringify(bad));
    const run = await convert([input, "--from", "coco", "--to", "dataloop", "--out", join(dir, "json")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${input}, id 9: category_id 7 is not in categories`);
    expect(run.stderr).toContain("Converted 3 annotations of 3 items");
    // dtlpy's layout: one JSON per item, by its path.
    expect(JSON.parse(await readFile(join(dir, "json", "cats", "a.json"), "utf8")).annotations).toHaveLength(
      1,
    );
    expect((await readdir(join(dir, "json"))).sort()).toEqual(["b.json", "cats", "empty.json"]);
  });

  it("reads a YOLO folder's image sizes from its images, and fails a label file with no image", async () => {
    const yolo = join(dir, "yolo");
    await mkdir(join(yolo, "labels", "train"), { recursive: true });
    await mkdir(join(yolo, "images", "train"), { recursive: true });
    await writeFile(join(yolo, "data.yaml"), "names: [cat, dog]\n");
    const png = async (width: number, height: number) =>
      Buffer.from(
        (await encodeMask({ width, height, data: new Uint8Array(width * height) })).split(",")[1] as string,
        "base64",
      );
    await writeFile(join(yolo, "images", "train", "a.png"), await png(200, 100));
    await writeFile(join(yolo, "labels", "train", "a.txt"), "1 0.5 0.5 0.25 0.5\n");
    await writeFile(join(yolo, "labels", "train", "lost.txt"), "0 0.5 0.5 0.1 0.1\n");
    const run = await convert([
      yolo,
      "--from",
      "yolo",
      "--to",
      "coco",
      "--out",
      join(dir, "coco.json"),
      "--json",
    ]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ items: 1, annotations: 1, failed: 1 });
    expect(result.failures).toEqual([
      {
        key: join(yolo, "labels", "train", "lost.txt"),
        error: expect.objectContaining({
          code: "ANNOTATION_INPUT",
          message: expect.stringContaining("no image"),
        }),
      },
    ]);
    const written = JSON.parse(await readFile(join(dir, "coco.json"), "utf8"));
    expect(written.images).toEqual([{ id: 1, file_name: "train/a.png", width: 200, height: 100 }]);
    expect(written.categories).toEqual([{ id: 1, name: "dog" }]);
    expect(written.annotations[0].bbox).toEqual([75, 25, 50, 50]);
  });

  it("refuses a missing --from, an unknown --to, a missing input and two inputs as usage errors (exit 2)", async () => {
    const input = join(dir, "coco.json");
    await writeFile(input, JSON.stringify(coco));
    const out = join(dir, "out.json");
    for (const [args, message] of [
      [[input, "--to", "coco", "--out", out], "needs --from"],
      [
        [input, "--from", "coco", "--to", "voc", "--out", out],
        '--to takes dataloop, coco or yolo, got "voc"',
      ],
      [[join(dir, "nope.json"), "--from", "coco", "--to", "dataloop", "--out", out], "no file or folder"],
      [[input, input, "--from", "coco", "--to", "dataloop", "--out", out], "needs one input PATH"],
      [[input, "--from", "coco", "--to", "dataloop"], "needs one input PATH"],
    ] as const) {
      const run = await convert([...args]);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toContain(message);
    }
    expect(await readdir(dir)).toEqual(["coco.json"]);
  });

  /** A run of `dataloop annotations convert ARGS`, and each module its process loaded (a hook preloaded through NODE_OPTIONS writes them down). */
  const convertListingModules = async (args: string[]) => {
    const hook = join(dir, "hook.mjs");
    const list = join(dir, "loaded.txt");
    await writeFile(
      hook,
      `import { appendFileSync } from "node:fs";
import { registerHooks } from "node:module";
registerHooks({ load(url, context, next) { appendFileSync(${JSON.stringify(list)}, url + "\\n"); return next(url, context); } });`,
    );
    const run = await convert(args, { NODE_OPTIONS: `--import=${pathToFileURL(hook).href}` });
    const loaded = (await readFile(list, "utf8")).split("\n").filter(Boolean);
    await rm(list);
    await rm(hook);
    return { run, loaded };
  };

  it("loads no client transport, auth, PNG codec or YAML parser to convert COCO (what its memory is)", async () => {
    const input = join(dir, "coco.json");
    await writeFile(input, JSON.stringify(coco));
    const { run, loaded } = await convertListingModules([
      input,
      "--from",
      "coco",
      "--to",
      "dataloop",
      "--out",
      join(dir, "items.jsonl"),
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(loaded.some((u) => u.includes("/annotations/coco-scan.js"))).toBe(true);
    expect(
      loaded.filter((u) => /\/(undici|jose|fast-png|fflate|yaml|p-map|tinyglobby)\/|\/auth\/dist\//.test(u)),
    ).toEqual([]);
  });

  it("says a usage error or a bad COCO file without loading the client, auth or jose to render it", async () => {
    const input = join(dir, "coco.json");
    await writeFile(input, `{"images": [], "annotations": [ {"id": 1,, ]`);
    for (const [args, code] of [
      [[join(dir, "nope.json"), "--from", "coco", "--to", "dataloop", "--out", join(dir, "a.jsonl")], 2],
      [[input, "--from", "coco", "--to", "dataloop", "--out", join(dir, "a.jsonl")], 1],
    ] as const) {
      const { run, loaded } = await convertListingModules([...args]);
      expect(run.code, run.stderr).toBe(code);
      expect(run.stderr).toMatch(/^dataloop: /);
      expect(loaded.some((u) => u.includes("/render-error.js"))).toBe(true);
      expect(loaded.filter((u) => /\/(undici|jose)\/|\/(auth|client)\/dist\/index\.js$/.test(u))).toEqual([]);
    }
  });

  it("leaves nothing at --out when the COCO file is not JSON (exit 1, the byte named)", async () => {
    const input = join(dir, "coco.json");
    await writeFile(input, `{"images": [], "annotations": [ {"id": 1,, ]`);
    const run = await convert([
      input,
      "--from",
      "coco",
      "--to",
      "coco",
      "--out",
      join(dir, "out", "coco.json"),
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(input);
    expect(await readdir(dir)).toEqual(["coco.json"]);
  });
});
