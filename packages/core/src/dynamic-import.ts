/**
 * Every `import()` core makes at run time (plugins, code configs and yaml, which load
 * on first use) goes through this one function. The CLI's bundle replaces this module so those
 * imports reach Node's ES module loader from outside the bundle's `vm.Script`
 * (packages/cli/src/bundle-loader.cts); everywhere else it is a plain `import()`.
 */
export function importModule<T = Record<string, unknown>>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
