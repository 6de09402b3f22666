export { startTestServer } from './test-server.js';
export type { TestServer } from './test-server.js';
export { createSelfSignedCertificate } from './self-signed-certificate.js';
export type { Certificate } from './self-signed-certificate.js';
