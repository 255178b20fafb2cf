import type { FileHandle } from "node:fs/promises";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PartWriter } from "../src/part-writer.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const chunkOf = (i: number, size: number) => new Uint8Array(size).fill(i % 251);

describe("PartWriter", () => {
  it("writes every chunk in order after the bytes held, whatever sizes arrive while a write is in flight", async () => {
    const dir = await mkdtemp(join(tmpdir(), "part-writer-"));
    dirs.push(dir);
    const path = join(dir, "part");
    const handle = await open(path, "w+");
    await handle.write(Buffer.from("held"), 0, 4, 0);
    const writer = new PartWriter(handle, 4);
    const expected: Uint8Array[] = [Buffer.from("held")];
    for (let i = 0; i < 300; i++) {
      const chunk = chunkOf(i, 1 + ((i * 7919) % 70_000));
      expected.push(chunk);
      await writer.push(chunk);
    }
    await writer.drain();
    await handle.close();
    expect(Buffer.compare(await readFile(path), Buffer.concat(expected))).toBe(0);
  });

  it("goes on from a short writev: the rest of the buffer it cut, then the buffers after it", async () => {
    const file = new Uint8Array(64);
    const put = (b: Uint8Array, at: number) => file.set(b, at);
    // A handle whose writev writes 5 bytes at most and whose write writes 3: every path of a short write.
    const handle = {
      writev: async (buffers: Uint8Array[], position: number) => {
        const all = Buffer.concat(buffers).subarray(0, 5);
        put(all, position);
        return { bytesWritten: all.byteLength, buffers };
      },
      write: async (buffer: Uint8Array, offset: number, length: number, position: number) => {
        const n = Math.min(3, length);
        put(buffer.subarray(offset, offset + n), position);
        return { bytesWritten: n, buffer };
      },
    } as unknown as FileHandle;
    const writer = new PartWriter(handle, 2);
    await writer.push(Buffer.from("abcdefg"));
    await writer.push(Buffer.from("hij"));
    await writer.push(Buffer.from("klmnopqrst"));
    await writer.drain();
    expect(Buffer.from(file.subarray(2, 22)).toString()).toBe("abcdefghijklmnopqrst");
  });

  it("a write that fails is the error of the next push or of drain; settle waits without throwing", async () => {
    const failure = Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
    let calls = 0;
    const handle = {
      writev: async () => {
        calls++;
        throw failure;
      },
    } as unknown as FileHandle;
    const writer = new PartWriter(handle, 0);
    await writer.push(new Uint8Array(10)); // the write starts; its failure is not known yet
    await writer.settle();
    expect(() => writer.push(new Uint8Array(10))).toThrow(failure);
    await expect(writer.drain()).rejects.toBe(failure);
    expect(calls).toBe(1);
  });
});
