import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Where fixtures are built (git-ignored): inside the repository, so a fixture resolves
 * the frameworks (next, vue, …) from the root `node_modules` installed by `npm ci`,
 * while the kit itself comes from the tarball in the fixture's own `node_modules`.
 */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../.fixtures/', import.meta.url));

/** The fixtures' sources. */
export const FIXTURE_SOURCES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
