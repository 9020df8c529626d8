# A bare Python `websockets` client: one execute, reads until process.completed, prints
# "<lines> <seconds>". Usage: python3 bare-client.py URL
import asyncio, json, sys, time
import websockets

async def main(url):
    async with websockets.connect(url, compression=None, max_size=None) as ws:
        start = time.perf_counter()
        await ws.send(json.dumps({"jsonrpc": "2.0", "method": "execute", "params": {"command": "x", "timeout": 600}, "id": 1}))
        lines = 0
        async for raw in ws:
            msg = json.loads(raw)
            method = msg.get("method")
            if method == "process.output":
                lines += 1
            elif method == "ping":
                await ws.send('{"jsonrpc":"2.0","method":"pong"}')
            elif method == "process.completed":
                break
        print(lines, time.perf_counter() - start, flush=True)

asyncio.run(main(sys.argv[1]))
