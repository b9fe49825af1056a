import { getHeapSnapshot } from 'node:v8';

/** One node of a V8 heap snapshot, as much of it as a test needs to look at. */
export interface HeapNode {
  /** V8's node type: 'object', 'string', 'concatenated string', 'sliced string', … */
  type: string;
  /** Constructor name for objects; the text for flat strings. */
  name: string;
}

/** This process's heap (after the full GC a snapshot does), to follow objects' fields. */
export interface HeapGraph {
  /** Objects made by the constructor `className`. */
  objects(className: string): number[];
  /** The node a property `name` of `node` points at, if any. */
  property(node: number, name: string): number | undefined;
  /** The node an internal field `name` of `node` points at (a rope's `first`, `second`), if any. */
  internal(node: number, name: string): number | undefined;
  node(node: number): HeapNode;
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[]; edge_types: [string[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** Takes a heap snapshot of this process; about a second for a test worker. */
export async function takeHeapGraph(): Promise<HeapGraph> {
  const chunks: string[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(String(chunk));
  const { snapshot, nodes, edges, strings } = JSON.parse(chunks.join('')) as Snapshot;
  const { node_fields: nodeFields, node_types: [nodeTypes], edge_fields: edgeFields, edge_types: [edgeTypes] } = snapshot.meta;
  const nodeWidth = nodeFields.length;
  const edgeWidth = edgeFields.length;
  const [typeAt, nameAt, edgeCountAt] = ['type', 'name', 'edge_count'].map((f) => nodeFields.indexOf(f)) as [number, number, number];
  const [edgeTypeAt, edgeNameAt, toNodeAt] = ['type', 'name_or_index', 'to_node'].map((f) => edgeFields.indexOf(f)) as [number, number, number];
  const count = nodes.length / nodeWidth;
  const firstEdge = new Uint32Array(count + 1);
  for (let i = 0; i < count; i++) firstEdge[i + 1] = firstEdge[i]! + nodes[i * nodeWidth + edgeCountAt]!;
  const node = (i: number): HeapNode => ({ type: nodeTypes[nodes[i * nodeWidth + typeAt]!]!, name: strings[nodes[i * nodeWidth + nameAt]!]! });
  const edge = (from: number, type: string, name: string): number | undefined => {
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e++) {
      const at = e * edgeWidth;
      if (edgeTypes[edges[at + edgeTypeAt]!] === type && strings[edges[at + edgeNameAt]!] === name) return edges[at + toNodeAt]! / nodeWidth;
    }
    return undefined;
  };
  return {
    objects: (className) => {
      const found: number[] = [];
      for (let i = 0; i < count; i++) if (node(i).type === 'object' && node(i).name === className) found.push(i);
      return found;
    },
    property: (from, name) => edge(from, 'property', name),
    internal: (from, name) => edge(from, 'internal', name),
    node,
  };
}
