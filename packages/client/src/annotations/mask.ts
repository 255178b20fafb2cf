// Masks as the gateway keeps them: a PNG data URL, RGBA, the mask being alpha > 127.
//
// The PNG codec is fast-png (8.0.0), not pngjs (7.0.0). Both are pure JS (no native build). fast-png is
// ESM with its own types and runs anywhere (its inflate/deflate is fflate), so this entry stays
// runtime-neutral as `@dataloop-ts/client` is; pngjs is CommonJS built on Node's `zlib` and `stream`, so
// a browser bundle needs polyfills for both (and @types/pngjs on the side). Size: fast-png's lib is
// 264 kB unpacked with fflate and iobuffer as its only dependencies; pngjs is ~ 350 kB with none, but the
// zlib polyfill it needs in a browser costs more than the difference. Speed is not what decides it for
// masks of image size: fast-png encodes a 1024×1024 RGBA mask in tens of ms on this machine (see the
// annotations bench), well under the request it rides on.
//
// Loaded when a mask is first encoded or decoded (so these two are async): fast-png and fflate cost a
// process that never meets a mask a few MB of RSS (the annotations bench's "loaded" figure).
import { AnnotationInputError, type AnnotationPlace } from "./errors.js";
import type { MaskDataUrl } from "./types.js";

/**
 * A binary mask: `data[y * width + x]` is 1 inside, 0 outside.
 * @example
 * ```ts
 * import { decodeMask, encodeMask, type Mask } from "@dataloop-ts/client/annotations";
 *
 * const mask: Mask = { width: 3, height: 2, data: new Uint8Array([0, 1, 1, 0, 1, 0]) };
 * const back = await decodeMask(await encodeMask(mask), { width: 3, height: 2 });
 * console.log(back.data); // 0 1 1 0 1 0
 * ```
 */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

const PREFIX = "data:image/png;base64,";

function toBase64(bytes: Uint8Array): string {
  let text = "";
  // String.fromCharCode takes its arguments on the stack: a chunk at a time.
  for (let i = 0; i < bytes.length; i += 0x8000)
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/**
 * A mask as the gateway's PNG data URL: white, opaque inside, transparent outside.
 * @example
 * ```ts
 * import { binary, encodeMask } from "@dataloop-ts/client/annotations";
 *
 * const width = 640;
 * const height = 480;
 * const data = new Uint8Array(width * height);
 * data.fill(1, 0, width * 10); // the first 10 rows
 * console.log(binary({ label: "sky", coordinates: await encodeMask({ width, height, data }) }).type);
 * ```
 */
export async function encodeMask(mask: Mask): Promise<MaskDataUrl> {
  const { width, height, data } = mask;
  if (data.length !== width * height)
    throw new AnnotationInputError({
      message: `a ${width}×${height} mask needs ${width * height} values, got ${data.length}`,
    });
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i++) {
    if (data[i]) rgba.fill(255, i * 4, i * 4 + 4);
  }
  const { encode } = await import("fast-png");
  return `${PREFIX}${toBase64(encode({ width, height, data: rgba, channels: 4, depth: 8 }))}`;
}

/**
 * A PNG data URL back to a mask: alpha > 127 (grey or RGB without alpha: any non-zero value). With
 * `size`, a mask of another size is an `AnnotationInputError` (a mask must cover its item exactly).
 * @example
 * ```ts
 * import { decodeMask, readAnnotation, type StoredAnnotation } from "@dataloop-ts/client/annotations";
 *
 * const stored: StoredAnnotation = { type: "binary", label: "sky", coordinates: "data:image/png;base64,…" };
 * const a = readAnnotation(stored, "binary");
 * const { width, height, data } = await decodeMask(a.coordinates, { width: 640, height: 480 });
 * console.log(width, height, data.reduce((n, v) => n + v, 0), "pixels inside");
 * ```
 */
export async function decodeMask(
  url: string,
  size?: { width: number; height: number },
  place: AnnotationPlace = {},
): Promise<Mask> {
  if (!url.startsWith(PREFIX))
    throw new AnnotationInputError({
      ...place,
      message: "a mask must be a PNG data URL (data:image/png;base64,…)",
    });
  const { decode } = await import("fast-png");
  let png: ReturnType<typeof decode>;
  try {
    png = decode(fromBase64(url.slice(PREFIX.length)));
  } catch (cause) {
    throw new AnnotationInputError({
      ...place,
      message: `the mask is not a readable PNG (${(cause as Error).message})`,
    });
  }
  const { width, height, channels } = png;
  if (size && (size.width !== width || size.height !== height))
    throw new AnnotationInputError({
      ...place,
      message: `the mask is ${width}×${height} but its image is ${size.width}×${size.height}`,
      hint: "A mask covers its whole image: resize it to the image, or fix the image size.",
    });
  const data = new Uint8Array(width * height);
  const src = png.data;
  const depth16 = png.depth === 16;
  const alphaAt = channels === 4 || channels === 2 ? channels - 1 : -1;
  for (let i = 0; i < data.length; i++) {
    const base = i * channels;
    const v =
      alphaAt >= 0
        ? src[base + alphaAt]!
        : Math.max(src[base]!, src[base + (channels > 1 ? 1 : 0)]!, src[base + (channels > 2 ? 2 : 0)]!);
    data[i] = (depth16 ? v > 32767 : v > 127) || (alphaAt < 0 && v > 0) ? 1 : 0;
  }
  return { width, height, data };
}
