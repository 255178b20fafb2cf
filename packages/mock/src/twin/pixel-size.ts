import { imageSize } from "image-size";

/**
 * The pixel size of a PNG or JPEG from its header, which the gateway writes into an uploaded item's
 * `metadata.system` (`width`, `height`: what COCO export reads); undefined for any other bytes. Read
 * with image-size, whose other formats (some found by weak signatures) are left out.
 */
export function pixelSizeOf(bytes: Uint8Array): { width: number; height: number } | undefined {
  try {
    const { type, width, height } = imageSize(bytes);
    if ((type === "png" || type === "jpg") && width > 0 && height > 0) return { width, height };
  } catch {
    // not an image it knows, or a truncated header: no size, as for any other file
  }
  return undefined;
}
