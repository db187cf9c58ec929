// Module types for what wrangler's [[rules]] turn into imports: CompiledWasm -> WebAssembly.Module, Data -> ArrayBuffer.
declare module '*.wasm' {
  const compiled: WebAssembly.Module;
  export default compiled;
}
declare module '*.onnx' {
  const bytes: ArrayBuffer;
  export default bytes;
}
