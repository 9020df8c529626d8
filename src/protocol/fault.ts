/** A request the server refuses, with the JSON-RPC code it answers (cc_executor's codes, src/protocol/messages.ts). */
export class RpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'RpcFault';
  }
}
