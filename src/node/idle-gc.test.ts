// The collection after idle: once per quiet spell, never while a request is open.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { collectWhenIdle } from './idle-gc.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('collectWhenIdle', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

  async function start(handler: (end: () => void) => void, gc: () => void): Promise<string> {
    server = createServer((_req, res) => handler(() => res.end('ok')));
    collectWhenIdle(server, 150, gc);
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  it('collects once after the last request ends and the delay passes with no new request', async () => {
    let collections = 0;
    const url = await start((end) => end(), () => collections++);
    for (let i = 0; i < 3; i++) await (await fetch(url)).text();
    await sleep(60);
    await (await fetch(url)).text();
    expect(collections).toBe(0);
    await sleep(300);
    expect(collections).toBe(1);
    await sleep(300);
    expect(collections).toBe(1);
  });

  it('waits while a request is still open', async () => {
    let collections = 0;
    let release: () => void = () => undefined;
    const url = await start((end) => (release = end), () => collections++);
    const slow = fetch(url).then((r) => r.text());
    await sleep(400);
    expect(collections).toBe(0);
    release();
    await slow;
    await sleep(300);
    expect(collections).toBe(1);
  });

  it('does nothing without a gc function (node started without --expose-gc)', () => {
    expect(() => collectWhenIdle(createServer(), 100, undefined)).not.toThrow();
  });
});
