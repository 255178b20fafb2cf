/** All of standard input, with the final line break removed and nothing else: a password may begin or end with spaces. */
export async function readStdin(stream: AsyncIterable<Buffer | string> = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** A question on the terminal; a secret is read without echo (npm's own `read`). */
export async function ask(prompt: string, secret: boolean): Promise<string> {
  const { read } = await import("read");
  const answer = await read({ prompt, silent: secret, replace: "", output: process.stderr });
  // What people type: surrounding spaces of an email are noise; a password is kept exactly.
  return secret ? answer : answer.trim();
}
