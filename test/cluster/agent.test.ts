import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { MembershipAgent } from '../../src/cluster/agent.js';

/**
 * A redirector that answers every heartbeat after `holdMs`, logging what arrives and every
 * request that arrived while an earlier one was still unanswered. An earlier request that its
 * client gave up on (its timeout, on a loaded machine) excuses the overlap: the agent no longer
 * waits for it, and the server may hear of the give-up only after the next request.
 */
async function slowRedirector(holdMs: number) {
  const arrivals: string[] = [];
  const held = new Set<{ answered: boolean; abandoned: boolean }>();
  const overlapped: { answered: boolean; abandoned: boolean }[] = [];
  const server = createServer((request, response) => {
    const exchange = { answered: false, abandoned: false };
    overlapped.push(...held);
    held.add(exchange);
    response.on('close', () => {
      held.delete(exchange);
      exchange.abandoned = !exchange.answered;
    });
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      arrivals.push(request.method === 'POST' ? `POST ${JSON.parse(body).state}` : (request.method ?? ''));
      setTimeout(() => {
        if (response.destroyed) return;
        exchange.answered = true;
        if (request.method === 'DELETE') return void response.writeHead(204).end();
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"heartbeatMs":20}');
      }, holdMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    /** requests another arrived behind while the agent still waited for them */
    overtaken: () => overlapped.filter((exchange) => !exchange.abandoned).length,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

test('drain and leave wait for the heartbeat on its way: a redirector never hears the node after its goodbye', async () => {
  const redirector = await slowRedirector(150);
  try {
    const agent = new MembershipAgent({
      redirectors: [redirector.url],
      node: { id: 'n1', url: 'http://127.0.0.1:1', site: 'A', capacity: 1, weight: 1 },
      intervalMs: 20,
    });
    await agent.start();
    // the next heartbeat leaves after 20 ms and is answered 150 ms later: drain lands in between
    await new Promise((resolve) => setTimeout(resolve, 60));
    await agent.drain();
    await agent.leave();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(redirector.overtaken(), 0, `requests overtaken: ${redirector.arrivals.join(', ')}`);
    const { arrivals } = redirector;
    assert.equal(arrivals.at(-1), 'DELETE');
    assert.ok(arrivals.lastIndexOf('POST active') < arrivals.indexOf('POST draining'), arrivals.join(', '));
  } finally {
    await redirector.close();
  }
});
