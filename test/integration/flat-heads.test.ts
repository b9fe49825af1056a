import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-server.js';
import { takeHeapGraph, type HeapGraph } from '../support/heap-graph.js';
import { postChat } from '../support/read-events.js';

/** What `_header` of the objects made by `className` is, for those `pick` selects. */
function heads(graph: HeapGraph, className: string, pick: (object: number) => boolean): string[] {
  return graph.objects(className).filter(pick).map((object) => {
    const head = graph.property(object, '_header');
    if (head === undefined) return 'none';
    const { type } = graph.node(head);
    if (type !== 'concatenated string') return type;
    // A flattened rope stays a rope whose first part is the whole string and whose second
    // is empty, until a GC points its holders at the first part.
    const [first, second] = ['first', 'second'].map((edge) => graph.node(graph.internal(head, edge)!));
    return first!.type === 'string' && second!.name === '' ? 'string' : 'rope';
  });
}

describe('an open answer on the Node mount', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({}, { mount: 'node' });
  });
  afterAll(async () => {
    await api.close();
  });

  it("keeps its response's head as one flat string", async () => {
    const controller = new AbortController();
    const response = await postChat(api.endpoint, { messages: [{ role: 'user', content: 'Stay open [[length:2000]] [[pace:0,5]]' }] }, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    try {
      const graph = await takeHeapGraph();
      const text = (node: number | undefined): string => (node === undefined ? '' : graph.node(node).name);
      // The answer's response (its request's URL is the API's), not the local upstream's.
      const answers = heads(graph, 'ServerResponse', (res) => text(graph.property(graph.property(res, 'req') ?? -1, 'url')).startsWith(new URL(api.endpoint).pathname));
      // A rope of one piece per header before the head was flattened.
      expect(answers).toEqual(['string']);
    } finally {
      controller.abort();
      await reader.cancel().catch(() => undefined);
    }
  });
});
