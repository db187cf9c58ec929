// How a runtime hands the core a WebAssembly codec: a compiled module, or a function that compiles it on first use.
//
// Each runtime obtains modules its own way: Node compiles the file, workerd imports it precompiled (CompiledWasm; it
// may not compile bytes), the kiosk compiles what its service worker cached. The core only instantiates.

export type WasmModuleSource = WebAssembly.Module | (() => Promise<WebAssembly.Module>);

/** Resolves a source once; concurrent and later callers share the same module. A failed load is retried next time. */
export function lazyModule(source: WasmModuleSource): () => Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) {
    const ready = Promise.resolve(source);
    return () => ready;
  }
  let pending: Promise<WebAssembly.Module> | undefined;
  return () => {
    pending ??= source().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
