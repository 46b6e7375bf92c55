import type { IncomingMessage } from 'node:http';
import { CniCode, CniError } from '../../netconf/errors.ts';

/** Thrown when a body exceeds the limit; the server answers 413. */
export class BodyTooLarge extends CniError {
  constructor(limit: number) {
    super(CniCode.InvalidConfig, `request: body over ${limit} bytes`);
  }
}

/** Reads a JSON body, refusing a declared or actual size over `limit` before buffering it. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new BodyTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new CniError(CniCode.DecodeFailure, `request: body is not valid JSON (${(error as Error).message})`);
  }
}
