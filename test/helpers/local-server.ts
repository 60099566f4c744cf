/**
 * The common part of the local HTTP servers tests talk to: listen on 127.0.0.1 on a free port,
 * collect each request body, and answer through a `send(status, payload)` that writes JSON (or
 * text for a string payload).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Send = (status: number, payload?: unknown) => void;

export interface LocalServer {
  url: string;
  stop(): Promise<void>;
}

export async function listenLocal(
  handle: (req: IncomingMessage, body: string, send: Send, res: ServerResponse) => void,
): Promise<LocalServer> {
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const send: Send = (status, payload) => {
        res.writeHead(status, { 'content-type': typeof payload === 'string' ? 'text/plain' : 'application/json' });
        res.end(payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      handle(req, body, send, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
