export { createEpisodicMcpServer } from './create-mcp-server.js';
export type { EpisodicMcpErrorCode } from './errors.js';
export { EpisodicMcpError } from './errors.js';
export type { AgentMemory, MemoryTarget, OpenedMemory } from './memory/agent-memory.js';
export { openAgentMemory } from './memory/agent-memory.js';
export type { HttpOptions, RunningHttp } from './transports/serve-http.js';
export { serveHttp } from './transports/serve-http.js';
export { serveStdio } from './transports/serve-stdio.js';
