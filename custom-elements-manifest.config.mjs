/**
 * Custom Elements Manifest of `<ai-stream-chat>` (`npm run build:manifest`), so editors,
 * Storybook and framework tooling know its attributes, properties, events, parts and
 * CSS properties. Written to dist/ with the rest of the build output.
 */

// Where the published package exports the element, its registration and its events.
const publishedModule = 'dist/ai-stream-chat.js';

// Names HTMLElement already has. The analyzer mistakes `this.#child.className = …`
// in the constructor for a field of the element; the manifest describes the element's
// own API only.
const inheritedNames = new Set(['className', 'id', 'slot', 'title', 'hidden', 'lang', 'dir', 'tabIndex']);

/**
 * Turns the shorthand `@cssprop --ai-stream-chat-bg / -fg / -muted - Colours.` into
 * one entry per property, since the analyzer reads only the first name of such a line.
 * The short names extend `prefix` (`--` and the tag name).
 */
function expandCssProperties(properties, prefix) {
  return properties.flatMap((property) => {
    const match = /^((?:\/\s*-[\w-]+\s*)+)-\s*(.*)$/s.exec(property.description ?? '');
    if (!match) return [property];
    const suffixes = match[1].split('/').map((part) => part.trim()).filter(Boolean);
    const description = match[2].trim();
    return [property.name, ...suffixes.map((suffix) => `${prefix}${suffix}`)].map((name) => ({ name, description }));
  });
}

/** Tidies the analyzer's output into the package's public shape. */
function publicSurface() {
  return {
    name: 'ai-stream-chat:public-surface',
    packageLinkPhase({ customElementsManifest }) {
      const modules = customElementsManifest.modules;
      const declarations = modules.flatMap((module) => module.declarations ?? []);
      const exports = modules.flatMap((module) => module.exports ?? []);
      for (const declaration of declarations) {
        if (declaration.members) {
          declaration.members = declaration.members.filter(
            (member) => member.privacy !== 'private' && !member.name.startsWith('#') && !inheritedNames.has(member.name),
          );
        }
        if (declaration.cssProperties && declaration.tagName) {
          declaration.cssProperties = expandCssProperties(declaration.cssProperties, `--${declaration.tagName}`);
        }
        for (const event of declaration.events ?? []) {
          // `@fires name - … ({@link AiStreamTokenEvent})` names the event's class.
          const type = /\{@link (\w+)\}/.exec(event.description ?? '')?.[1];
          if (type) event.type = { text: type };
        }
        if (declaration.superclass?.module) delete declaration.superclass.module;
      }
      for (const entry of exports) entry.declaration = { name: entry.declaration.name, module: publishedModule };
      // The sources are split by concept, but a user imports one file that exports them all.
      customElementsManifest.modules = [{ kind: 'javascript-module', path: publishedModule, declarations, exports }];
    },
  };
}

export default {
  // The element, the module that registers its tag, and the events it fires: the
  // public surface. Internal helpers would only add noise to the manifest.
  globs: ['widget/ai-stream-chat.ts', 'widget/define.ts', 'widget/events.ts'],
  outdir: 'dist',
  litelement: true,
  // Never let the analyzer rewrite package.json during a build; `customElements` is set once.
  packagejson: false,
  plugins: [publicSurface()],
};
