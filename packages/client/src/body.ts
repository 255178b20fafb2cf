import type { WireBody } from "./transport.js";

/** A body as one attempt sends it, with the headers made for it. */
export interface MadeBody {
  body: WireBody;
  /** Its `Content-Type` (a multipart form's boundary is made with the body). */
  contentType?: string;
  /** Its byte length, for a stream whose source knows it (a file's form): sent as `Content-Length`. */
  length?: number;
  /**
   * Lets go of what the body holds (a file's open handle) when its attempt ends without it having been
   * sent whole: a refused connection, a 401 or a 5xx answered before the body was read. Without it, a
   * file opened for an attempt that never read it stayed open until a GC (15 descriptors for 5 uploads
   * of 3 attempts each to a closed port).
   */
  close?(): void;
}

/**
 * A body made anew for each attempt: what lets the loop send again a body that is read as it is sent
 * (a file, opened again), where a `ReadableStream` handed to a call can be sent once only.
 */
export class BodySource {
  constructor(
    /** Makes the body of one attempt. */
    readonly make: () => MadeBody | Promise<MadeBody>,
  ) {}
}

/** A body for `dl.POST(…, { body })` that is made again for each attempt (a re-opened file, a new form). */
export const bodySource = (make: () => MadeBody | Promise<MadeBody>): BodySource => new BodySource(make);
