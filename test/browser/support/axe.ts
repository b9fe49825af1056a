import type { AxeResults } from 'axe-core';

/** The part of axe-core's API the tests use. */
export interface Axe {
  run(context: Element | Document, options?: object): Promise<AxeResults>;
}

/** Loads axe-core (a UMD script that puts `axe` on window) once per page. */
export async function loadAxe(): Promise<Axe> {
  const existing = (window as unknown as { axe?: Axe }).axe;
  if (existing) return existing;
  const script = document.createElement('script');
  script.src = '/node_modules/axe-core/axe.min.js';
  const loaded = new Promise((resolve, reject) => {
    script.onload = resolve;
    script.onerror = reject;
  });
  document.head.append(script);
  await loaded;
  return (window as unknown as { axe: Axe }).axe;
}

/** axe's violations on the whole page, one line each (`rule: targets`). */
export async function violations(axe: Axe): Promise<string[]> {
  const results = await axe.run(document, { resultTypes: ['violations'] });
  return results.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`);
}
