// Stands in for "fs", "path" and "zlib" in the Worker bundle (wrangler.toml [alias]). The DICOM codecs' Emscripten glue
// and dicom-parser's UMD wrapper name them on code paths that run only under Node (`typeof process == "object"`) or when
// no inflater is given; workerd has no `process` (no nodejs_compat) and the core passes its own inflater, so nothing
// here is ever called.
export default {};
