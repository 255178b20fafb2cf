// Items of Dataloop JSON written out in a format: what `annotations download` and `annotations convert`
// both end with.
import {
  type ConversionIssue,
  dataloopToCoco,
  dataloopToYolo,
  type ItemAnnotationsJson,
} from "@dataloop-ts/client/annotations";
import { writeChunksAtomic, writeItemJsons, writeYoloFolder } from "@dataloop-ts/client/annotations/node";
import type { Format } from "./annotations-report.js";

/**
 * Items as JSON Lines (one item per line). The line break is a chunk of its own: `${json}\n` is a
 * string V8 copies whole (flattens) before it can be written, 54 MB of copies for the annotations
 * bench's 100,000 annotations (sampled by the heap profiler), and allocation is what grows V8's young
 * generation.
 */
async function* jsonLines(items: AsyncIterable<ItemAnnotationsJson>): AsyncGenerator<string> {
  for await (const item of items) {
    yield JSON.stringify(item);
    yield "\n";
  }
}

/**
 * Writes `items` at `out` in `format`: `coco` one instances file, `yolo` a folder (labels and names),
 * `dataloop` JSON Lines when `out` ends in `.jsonl`, else a folder of one JSON per item. Every file is
 * written atomically. Resolves to what the target format could not express.
 */
export async function writeAnnotations(
  items: AsyncIterable<ItemAnnotationsJson>,
  format: Format,
  out: string,
): Promise<ConversionIssue[]> {
  if (format === "coco") {
    const conversion = dataloopToCoco(items);
    await writeChunksAtomic(out, conversion.items);
    return conversion.issues;
  }
  if (format === "yolo") {
    const conversion = dataloopToYolo(items);
    await writeYoloFolder(out, conversion);
    return conversion.issues;
  }
  if (out.endsWith(".jsonl")) await writeChunksAtomic(out, jsonLines(items));
  else await writeItemJsons(out, items);
  return [];
}
