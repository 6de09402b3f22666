export type { Certificate } from './self-signed-certificate.js';
export { createSelfSignedCertificate } from './self-signed-certificate.js';
export type { TestServer } from './test-server.js';
export { startTestServer } from './test-server.js';
