// `@dataloop-ts/client/annotations`: typed annotation builders and readers, masks, bulk upload and
// download, COCO and YOLO converters. Runtime-neutral; file reading and writing is in `./node`.
export {
  binary,
  box,
  buildAnnotation,
  builders,
  classification,
  cube,
  ellipse,
  itemDescription,
  note,
  point,
  polygon,
  polyline,
  pose,
  segment,
  subtitle,
} from "./builders.js";
export {
  type AnnotationEntry,
  type AnnotationUploadResult,
  type AnnotationUploadSummary,
  type DownloadAnnotationsOptions,
  downloadAnnotations,
  type UploadAnnotationsOptions,
  uploadAnnotations,
} from "./bulk.js";
export {
  type CocoAnnotation,
  type CocoCategory,
  type CocoFile,
  type CocoImage,
  type CocoIndex,
  cocoToDataloop,
  type DataloopToCocoOptions,
  dataloopToCoco,
  indexCoco,
} from "./coco.js";
export type { Conversion, Source } from "./conversion.js";
export {
  AnnotationInputError,
  AnnotationNotExpressibleError,
  type AnnotationPlace,
  type ConversionIssue,
  ItemNotFoundError,
} from "./errors.js";
export { decodeMask, encodeMask, type Mask } from "./mask.js";
export { isKnownType, readAnnotation } from "./readers.js";
export { countsFromString, countsToString, maskToCounts, type Rle, rleToMask } from "./rle.js";
export type * from "./types.js";
export {
  type DataloopToYolo,
  dataloopToYolo,
  parseYoloNames,
  type YoloLabelFile,
  type YoloOutputFile,
  yoloDataYaml,
  yoloToDataloop,
} from "./yolo.js";
