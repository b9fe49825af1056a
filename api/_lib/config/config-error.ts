/** A configuration problem, raised at start-up with a message naming the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
