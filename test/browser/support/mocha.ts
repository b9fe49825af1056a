/**
 * Typed handles on the BDD functions web-test-runner's mocha puts on `window`, so the
 * browser tests need no global type declarations (which would leak into the vitest
 * suites that share the tsconfig).
 */
export interface TestContext {
  timeout(ms: number): void;
}

type Body = (this: TestContext) => unknown;

interface MochaGlobals {
  describe(title: string, body: () => void): void;
  it(title: string, body: Body): void;
  before(body: Body): void;
  after(body: Body): void;
  beforeEach(body: Body): void;
  afterEach(body: Body): void;
}

const mocha = (): MochaGlobals => globalThis as unknown as MochaGlobals;

export const describe = (title: string, body: () => void): void => mocha().describe(title, body);
export const it = (title: string, body: Body): void => mocha().it(title, body);
export const before = (body: Body): void => mocha().before(body);
export const after = (body: Body): void => mocha().after(body);
export const beforeEach = (body: Body): void => mocha().beforeEach(body);
export const afterEach = (body: Body): void => mocha().afterEach(body);
