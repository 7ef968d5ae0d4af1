// Stands in for libsignal-protocol-typescript's bundled msrcrypto (a pure-JS WebCrypto polyfill): browsers that
// run Parley have WebCrypto, and libsignal only falls back to the polyfill without it (and for fingerprints,
// which Parley does not use). Aliased in web/vite.config.ts; keeps ~100 KB out of the crypto chunk.
export default null;
