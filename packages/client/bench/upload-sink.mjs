// The gateway's upload route as the items benches need it: every byte of the multipart form read, and
// the file part's size answered as the gateway stores it (`metadata.system.size`, which the client
// checks): the form's bytes less the file part's head and the closing boundary.
let n = 0;

/** Answers one upload request (a POST of the form) after reading it whole. */
export function answerUpload(req, res) {
  const boundary = /boundary=(.+)$/.exec(req.headers["content-type"] ?? "")?.[1] ?? "";
  let total = 0;
  let head = Buffer.alloc(0);
  req.on("data", (chunk) => {
    total += chunk.length;
    if (head.length < 8192) head = Buffer.concat([head, chunk.subarray(0, 8192)]);
  });
  req.on("end", () => {
    const at = head.indexOf('name="file"');
    const start = head.indexOf("\r\n\r\n", at) + 4;
    const size = total - start - `\r\n--${boundary}--\r\n`.length;
    res
      .writeHead(200, { "content-type": "application/json", "x-item-op": "created" })
      .end(JSON.stringify({ id: `i${++n}`, type: "file", metadata: { system: { size } } }));
  });
}
