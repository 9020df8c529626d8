# A single-threaded asyncio `websockets` server with a fixed per-write cost, speaking enough of the
# execute / process.output protocol (the design contract's PROTOCOL.md) for bench/truth.bench.ts: per
# `execute` it sends LINES lines of BYTES bytes, burning COST_US µs of CPU before each write (as
# cc_executor's per-line work does), then process.completed.
# Usage: python3 slow-server.py LINES BYTES COST_US   (prints the port)
import asyncio, json, sys, time
import websockets

LINES, BYTES, COST_US = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
DATA = "x" * (BYTES - 1) + "\n"

def spin():
    end = time.perf_counter() + COST_US / 1e6
    while time.perf_counter() < end:
        pass

async def handler(ws, path=None):
    async for raw in ws:
        msg = json.loads(raw)
        if msg.get("method") != "execute":
            continue
        await ws.send(json.dumps({"jsonrpc": "2.0", "result": {"status": "started", "pid": 1, "pgid": None}, "id": msg.get("id")}))
        await ws.send(json.dumps({"jsonrpc": "2.0", "method": "process.started", "params": {"status": "started", "pid": 1, "pgid": None, "exit_code": None, "error": None}}))
        for _ in range(LINES):
            spin()
            await ws.send(json.dumps({"jsonrpc": "2.0", "method": "process.output", "params": {"type": "stdout", "data": DATA, "truncated": False, "chunk_index": None, "total_chunks": None}}))
        await ws.send(json.dumps({"jsonrpc": "2.0", "method": "process.completed", "params": {"status": "completed", "pid": 1, "pgid": None, "exit_code": 0, "error": None, "execution_time": 0}}))

async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()

asyncio.run(main())
