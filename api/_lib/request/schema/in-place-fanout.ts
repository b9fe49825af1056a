import type { GuardedSchema, SchemaNode } from './guard-schema.js';
import { tooComplex } from './guard-schema.js';
import { SCHEMA_BOUNDS } from './schema-bounds.js';

/** The validator's map from absolute URI to subschema (what `dereference` built). */
export type SchemaLookup = Record<string, unknown>;

/**
 * Rejects a schema whose subschemas, followed in place (through `$ref`, `allOf`/`anyOf`/
 * `oneOf`, `not`, `if`/`then`/`else`, `dependentSchemas`, `dependencies`), loop back on themselves or
 * fan out past SCHEMA_BOUNDS.maxInPlace: either would have the validator check one
 * answer value against that many subschemas (or forever). Runs after the validator's
 * `dereference` has given every `$ref` its absolute URI; iterative, so a long chain of
 * `$ref`s cannot overflow the stack. Throws a 400 `schema_too_complex`.
 */
export function checkInPlaceFanout(guarded: GuardedSchema, lookup: SchemaLookup): void {
  const byCounted = new Map<unknown, SchemaNode>(guarded.nodes.map((node) => [node.counted, node]));
  const anchors = guarded.nodes.filter((node) => node.copy['$recursiveAnchor'] === true);
  const root = typeof guarded.root === 'object' ? byCounted.get(guarded.root) : undefined;

  const edges = new Map<SchemaNode, SchemaNode[]>();
  for (const node of guarded.nodes) {
    const next = [...node.inPlace];
    const target = byCounted.get(lookup[String(node.copy['__absolute_ref__'])]);
    if (typeof node.copy['$ref'] === 'string' && target) next.push(target);
    // Draft 7's `dependencies` is read by `dereference` as a subschema of its own, so
    // its values are nodes of that one; the validator checks them in place of `node`.
    const dependencies = byCounted.get(node.copy['dependencies']);
    if (dependencies) {
      for (const value of Object.values(dependencies.copy)) {
        const dependent = byCounted.get(value);
        if (dependent) next.push(dependent);
      }
    }
    if (node.copy['$recursiveRef'] !== undefined) {
      const recursive = byCounted.get(lookup[String(node.copy['__absolute_recursive_ref__'])]);
      // Which anchor applies depends on the answer; count every one it could be.
      for (const candidate of [recursive, root, ...anchors]) if (candidate) next.push(candidate);
    }
    edges.set(node, next);
  }

  // Depth-first, with an explicit stack: `cost` is set once all of a node's in-place
  // children have theirs; a child still `open` is a cycle.
  const cost = new Map<SchemaNode, number>();
  const open = new Set<SchemaNode>();
  for (const start of guarded.nodes) {
    if (cost.has(start)) continue;
    const stack: Array<{ node: SchemaNode; entered: boolean }> = [{ node: start, entered: false }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as { node: SchemaNode; entered: boolean };
      const children = edges.get(frame.node) ?? [];
      if (!frame.entered) {
        // Reached again through another parent after its cost was set.
        if (cost.has(frame.node)) {
          stack.pop();
          continue;
        }
        frame.entered = true;
        open.add(frame.node);
        for (const child of children) {
          if (open.has(child)) throw tooComplex(`${child.path} refers back to itself without moving into the answer`);
          if (!cost.has(child)) stack.push({ node: child, entered: false });
        }
        continue;
      }
      stack.pop();
      open.delete(frame.node);
      let total = 1;
      for (const child of children) total += cost.get(child) ?? 0;
      if (total > SCHEMA_BOUNDS.maxInPlace) {
        throw tooComplex(`one value would be checked against more than ${SCHEMA_BOUNDS.maxInPlace} subschemas at ${frame.node.path}`);
      }
      cost.set(frame.node, total);
    }
  }
}
