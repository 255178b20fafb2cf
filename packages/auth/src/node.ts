// What needs Node itself (a file system, a loopback server): apart, so that "@dataloop-ts/auth"
// bundles for browsers and edge runtimes, where none of it exists.
export { type BrowserLoginOptions, browserAuth, browserLogin } from "./browser.js";
export { fileStore } from "./file-store.js";
