/**
 * Line access to a dataset version's JSONL files by byte position: `linesOf` streams a file's
 * lines with where each one is, `readLineAt` reads one line back — so a build can point at a
 * previous version's rows instead of holding them.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

export interface LineAt {
  file: string;
  offset: number;
  length: number;
}

const CHUNK = 1 << 20;

export function* linesOf(file: string): Generator<[string, LineAt]> {
  if (!existsSync(file)) return;
  const fd = openSync(file, 'r');
  try {
    let carry = Buffer.alloc(0);
    let base = 0; // file offset of carry[0]
    const chunk = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const n = readSync(fd, chunk, 0, CHUNK, null);
      const buf = n === 0 ? carry : Buffer.concat([carry, chunk.subarray(0, n)]);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        if (nl > start) yield [buf.toString('utf8', start, nl), { file, offset: base + start, length: nl - start }];
        start = nl + 1;
      }
      if (n === 0) {
        if (start < buf.length)
          yield [buf.toString('utf8', start), { file, offset: base + start, length: buf.length - start }];
        return;
      }
      carry = Buffer.from(buf.subarray(start));
      base += start;
    }
  } finally {
    closeSync(fd);
  }
}

export function readLineAt(at: LineAt): string {
  const fd = openSync(at.file, 'r');
  try {
    const buf = Buffer.allocUnsafe(at.length);
    readSync(fd, buf, 0, at.length, at.offset);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
