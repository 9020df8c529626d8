/**
 * The wire, both directions: message types, guards, encoders and decoders. stressd's client
 * and its executor import the protocol from here only, so the two cannot drift apart.
 */
export * from './messages.ts';
export * from './guards.ts';
export * from './encode.ts';
export * from './decode.ts';
export { RpcFault } from './fault.ts';
