export type { DroppingProxy } from './dropping-proxy.js';
export { startDroppingProxy } from './dropping-proxy.js';
export type { Certificate } from './self-signed-certificate.js';
export { createSelfSignedCertificate } from './self-signed-certificate.js';
export type { TestServer } from './test-server.js';
export { startTestServer } from './test-server.js';
