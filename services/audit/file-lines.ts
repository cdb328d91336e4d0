// Reads a text file as lines of exact bytes: forwards as a stream (verify), or the last few (append, tail).
import { createReadStream, fstatSync, readSync } from 'node:fs';

const NEWLINE = 0x0a;
const CHUNK_BYTES = 64 * 1024;

export interface FileLine {
  /** The line without its newline. */
  bytes: Buffer;
  /** False for a last line with no newline, or a line cut at `maxBytes`. */
  terminated: boolean;
  /** The line was longer than `maxBytes`; reading stopped there. */
  tooLong: boolean;
}

/** The lines of a file in order, holding at most one line (of at most maxBytes) in memory. */
export async function* fileLines(path: string, maxBytes: number): AsyncGenerator<FileLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(NEWLINE); end !== -1; end = chunk.indexOf(NEWLINE, start)) {
      pendingBytes += end - start;
      if (pendingBytes > maxBytes) break;
      pending.push(chunk.subarray(start, end));
      yield { bytes: Buffer.concat(pending), terminated: true, tooLong: false };
      pending = [];
      pendingBytes = 0;
      start = end + 1;
    }
    if (pendingBytes <= maxBytes) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
    }
    if (pendingBytes > maxBytes) {
      yield { bytes: Buffer.concat(pending), terminated: false, tooLong: true };
      return;
    }
  }
  if (pendingBytes > 0) yield { bytes: Buffer.concat(pending), terminated: false, tooLong: false };
}

function splitLines(text: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let end = text.indexOf(NEWLINE); end !== -1; end = text.indexOf(NEWLINE, start)) {
    lines.push(text.subarray(start, end));
    start = end + 1;
  }
  lines.push(text.subarray(start));
  return lines;
}

function readAt(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, buffer, done, length - done, position + done);
    if (got === 0) throw new Error(`file shrank while reading at byte ${position + done}`);
    done += got;
  }
  return buffer;
}

function countNewlines(buffer: Buffer): number {
  let count = 0;
  for (let at = buffer.indexOf(NEWLINE); at !== -1; at = buffer.indexOf(NEWLINE, at + 1)) count++;
  return count;
}

/**
 * The last `count` lines of an open file, read backwards from its end, and whether the file ends
 * with a newline (false: the last line is incomplete).
 */
export function lastLines(fd: number, count: number): { lines: Buffer[]; complete: boolean } {
  let position = fstatSync(fd).size;
  if (position === 0 || count < 1) return { lines: [], complete: true };
  const chunks: Buffer[] = [];
  let newlines = 0;
  // count + 1 newlines (the final one included) bound the last `count` lines from before.
  while (position > 0 && newlines <= count) {
    const length = Math.min(CHUNK_BYTES, position);
    position -= length;
    const chunk = readAt(fd, length, position);
    chunks.unshift(chunk);
    newlines += countNewlines(chunk);
  }
  const text = Buffer.concat(chunks);
  const complete = text[text.length - 1] === NEWLINE;
  const lines = splitLines(complete ? text.subarray(0, -1) : text);
  // The first piece may have started before the bytes that were read.
  if (position > 0) lines.shift();
  return { lines: lines.slice(-count), complete };
}
