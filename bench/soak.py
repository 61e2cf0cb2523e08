#!/usr/bin/env python3
"""SSE soak: many concurrent `subscriptions/listen` streams against one server process.

Usage: bench/soak.py --server-pid PID --port PORT [--streams 10000] [--rounds 3]
                     [--port2 PORT2 --server-pid2 PID2]
(bench/soak.sh builds and starts the soak server, then runs this.)

With --port2, the streams are split between two processes of one server sharing a Redis
(`bench/redis.sh`): every other stream goes to the second, the change is raised on the first,
and the fan-out is also reported for each process's streams (the second hears it through Redis).
Memory and descriptors are then the two processes' sums.

Each round opens STREAMS streams (500 connecting at a time), waits for every acknowledgement,
reads the server's resident memory and open descriptors, calls the `touch` tool once and waits
until every stream has received the tool-list change, times one `tools/call` while all streams
are open, then closes every stream and waits for the server to release their descriptors.

Memory is read two ways: the process's resident set (what the machine pays, including what
the allocator keeps for reuse) and the live heap bytes the soak server counts (what the server
still holds). It fails (exit 1) when a stream is not acknowledged or misses the change, when
descriptors are not reclaimed within 20 s, when the live heap after a round is not back within
256 KiB of the baseline (a leak), or when resident memory is unbounded: a later round's peak
more than 50% above the first round's. (glibc keeps freed memory for reuse, so resident memory
does not fall back after a round; it levels off.)
"""
import argparse
import asyncio
import json
import os
import resource
import select
import socket
import struct
import sys
import time

META = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientInfo": {"name": "soak", "version": "1"},
    "io.modelcontextprotocol/clientCapabilities": {},
}


def post(port, method, params, name=None):
    body = json.dumps(
        {"jsonrpc": "2.0", "id": 1, "method": method, "params": dict(params, _meta=META)}
    ).encode()
    head = [
        "POST /mcp HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        "Accept: application/json, text/event-stream",
        "MCP-Protocol-Version: 2026-07-28",
        f"Mcp-Method: {method}",
        f"Content-Length: {len(body)}",
    ]
    if name:
        head.append(f"Mcp-Name: {name}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)


def receive_with_timestamps(socks, seen, needle, timeout):
    """Reads every socket until `needle` arrived on each; returns each one's kernel arrival time."""
    arrivals = [None] * len(socks)
    waiting = {sock.fileno(): i for i, sock in enumerate(socks) if needle not in seen[i]}
    for i, sock in enumerate(socks):
        if needle in seen[i]:
            arrivals[i] = time.time()
    poller = select.epoll()
    for fd in waiting:
        poller.register(fd, select.EPOLLIN)
    deadline = time.monotonic() + timeout
    while waiting:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(waiting)} streams did not receive {needle.decode()}")
        for fd, _ in poller.poll(1.0):
            i = waiting.get(fd)
            if i is None:
                continue
            data, ancillary, _, _ = socks[i].recvmsg(65536, 256)
            if not data:
                raise ConnectionError("a stream ended before the change")
            seen[i] += data
            for level, kind, payload in ancillary:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                    seconds, nanos = struct.unpack("qq", payload[:16])
                    arrivals[i] = seconds + nanos / 1e9
            if needle in seen[i]:
                if arrivals[i] is None:
                    arrivals[i] = time.time()
                poller.unregister(fd)
                del waiting[fd]
    poller.close()
    return arrivals


def servers(args):
    """The (port, pid) of every server process measured: one, or two with --port2."""
    found = [(args.port, args.server_pid)]
    if args.port2:
        found.append((args.port2, args.server_pid2))
    return found


def all_stats(args):
    """server_stats summed over the measured processes."""
    stats = [server_stats(pid) for _, pid in servers(args)]
    return tuple(sum(s[i] for s in stats) for i in range(3))


async def all_heap_bytes(args):
    """The live heap bytes of the measured processes, summed."""
    return sum([await heap_bytes(port) for port, _ in servers(args)])


def server_stats(pid):
    rss_kb = 0
    threads = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss_kb = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss_kb, fds, threads


async def read_until(reader, needle, seen, timeout):
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(needle.decode())
        chunk = await asyncio.wait_for(reader.read(65536), left)
        if not chunk:
            raise ConnectionError(f"stream ended before {needle.decode()}")
        seen += chunk
    return seen


async def open_stream(port, gate):
    async with gate:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post(port, "subscriptions/listen", {"notifications": {"toolsListChanged": True}}))
        await writer.drain()
        seen = await read_until(
            reader, b"notifications/subscriptions/acknowledged", bytearray(), 30
        )
        return reader, writer, seen


async def call(port, name, arguments):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(post(port, "tools/call", {"name": name, "arguments": arguments}, name))
    await writer.drain()
    seen = await read_until(reader, b'"result"', bytearray(), 30)
    elapsed = time.monotonic() - started
    writer.close()
    return bytes(seen), elapsed


async def heap_bytes(port):
    seen, _ = await call(port, "heap_bytes", {})
    body = seen[seen.index(b"\r\n\r\n") + 4 :]
    text = json.loads(body)["result"]["content"][0]["text"]
    return int(text)


async def wait_reclaimed(pid, baseline_fds, timeout=20.0):
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        _, fds, _ = server_stats(pid)
        if fds <= baseline_fds + 2:
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    return None


async def round_trip(args, number, baseline_fds):
    gate = asyncio.Semaphore(500)
    started = time.monotonic()
    ports = [port for port, _ in servers(args)]
    streams = await asyncio.gather(
        *(open_stream(ports[i % len(ports)], gate) for i in range(args.streams))
    )
    opened_in = time.monotonic() - started
    rss_open, fds_open, threads = all_stats(args)
    heap_open = await all_heap_bytes(args)

    _, call_latency = await call(args.port, "add", {"a": 1, "b": 2})
    # The change is read from each socket directly, with the kernel's arrival time of the data
    # (SO_TIMESTAMPNS), so that the figure is when the notification reached the client, not how
    # long this script takes to read 10,000 sockets.
    raw = []
    for _, writer, _ in streams:
        writer.transport.pause_reading()
        # The same descriptor, not a copy (10,000 copies would double the descriptors needed).
        sock = socket.socket(fileno=writer.get_extra_info("socket").fileno())
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        sock.setblocking(False)
        raw.append(sock)
    sent_at = time.time()
    touched, _ = await call(args.port, "touch", {})
    assert b"touched" in touched, touched
    # Read nothing while the server fans out: this script would compete with it for the
    # machine's cores, and the kernel's arrival times do not depend on when they are read.
    await asyncio.sleep(2.0)
    arrivals = receive_with_timestamps(raw, [seen for _, _, seen in streams], b"notifications/tools/list_changed", 60)
    fanout = max(arrivals) - sent_at
    per_port = ""
    if len(ports) > 1:
        per_port = " (" + ", ".join(
            f"port {port}{' (touched)' if k == 0 else ''}: "
            f"{(max(arrivals[k::len(ports)]) - sent_at) * 1000:.1f} ms"
            for k, port in enumerate(ports)
        ) + ")"
    for sock in raw:
        sock.detach()

    for _, writer, _ in streams:
        writer.close()
    streams.clear()
    if len(ports) > 1:
        waits = [await wait_reclaimed(pid, fds) for (_, pid), fds in zip(servers(args), baseline_fds)]
        reclaimed_in = None if None in waits else max(waits)
    else:
        reclaimed_in = await wait_reclaimed(args.server_pid, baseline_fds)
    await asyncio.sleep(1.0)
    rss_after, fds_after, _ = all_stats(args)
    heap_after = await all_heap_bytes(args)
    print(
        f"round {number}: {args.streams} streams open in {opened_in:.1f}s; "
        f"server RSS {rss_open / 1024:.1f} MiB, live heap {heap_open / 2**20:.1f} MiB "
        f"({heap_open / args.streams:.0f} B/stream), {fds_open} fds, {threads} threads; "
        f"tools/call while open "
        f"{call_latency * 1000:.1f} ms; list change reached all (kernel arrival) in {fanout * 1000:.1f} ms{per_port}; "
        f"closed: fds back to {fds_after} in "
        + (f"{reclaimed_in:.1f}s" if reclaimed_in is not None else "NEVER (20 s)")
        + f", RSS {rss_after / 1024:.1f} MiB, live heap {heap_after / 2**20:.2f} MiB",
        flush=True,
    )
    return rss_open, rss_after, reclaimed_in, heap_open, heap_after


def legacy(port, method, params, session=None, request_id=1):
    body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}).encode()
    head = [
        f"{'DELETE' if method == 'DELETE' else 'POST'} /mcp HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        "Accept: application/json, text/event-stream",
        "MCP-Protocol-Version: 2025-11-25",
    ]
    if session:
        head.append(f"Mcp-Session-Id: {session}")
    if method == "DELETE":
        return ("\r\n".join(head) + "\r\nContent-Length: 0\r\n\r\n").encode()
    head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def exchange(reader, writer, request):
    """One request on a kept-alive connection; returns the head and the body."""
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    body = await reader.readexactly(length) if length else b""
    return head, body


async def idle_sessions(args):
    """Opens SESSIONS sessions (initialize, initialized, one tools/list each), leaves them idle,
    reads what the server holds per session, then deletes them and checks it is all returned."""
    init = {"protocolVersion": "2025-11-25", "capabilities": {"sampling": {}},
            "clientInfo": {"name": "soak", "version": "1"}}
    rss0, _, _ = server_stats(args.server_pid)
    heap0 = await heap_bytes(args.port)
    sessions = []

    async def worker(count):
        reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
        for _ in range(count):
            head, _ = await exchange(reader, writer, legacy(args.port, "initialize", init))
            session = next(line.split(b":", 1)[1].strip().decode()
                           for line in head.split(b"\r\n") if line.lower().startswith(b"mcp-session-id"))
            await exchange(reader, writer, legacy(args.port, "tools/list", {}, session))
            sessions.append(session)
        writer.close()

    workers = 50
    started = time.monotonic()
    await asyncio.gather(*(worker(args.sessions // workers) for _ in range(workers)))
    opened_in = time.monotonic() - started
    await asyncio.sleep(1.0)
    rss, _, _ = server_stats(args.server_pid)
    heap = await heap_bytes(args.port)
    print(
        f"idle sessions: {len(sessions)} opened in {opened_in:.1f}s; server RSS {rss / 1024:.1f} MiB "
        f"({(rss - rss0) * 1024 / len(sessions):.0f} B per session above baseline), live heap "
        f"{heap / 2**20:.1f} MiB ({(heap - heap0) / len(sessions):.0f} B per idle session)",
        flush=True,
    )

    async def deleter(chunk):
        reader, writer = await asyncio.open_connection("127.0.0.1", args.port)
        for session in chunk:
            await exchange(reader, writer, legacy(args.port, "DELETE", {}, session))
        writer.close()

    await asyncio.gather(*(deleter(sessions[i::workers]) for i in range(workers)))
    await asyncio.sleep(1.0)
    heap_after = await heap_bytes(args.port)
    print(f"after DELETE of every session: live heap {heap_after - heap0:+d} bytes against the baseline")
    if heap_after - heap0 > 256 * 1024:
        sys.exit("soak FAILED: deleted sessions left memory behind")
    print("session soak passed")


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--streams", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--port2", type=int, default=0,
        help="a second process of the same server (sharing a Redis): streams split across both",
    )
    parser.add_argument("--server-pid2", type=int, default=0, help="the second process's pid")
    parser.add_argument(
        "--sessions", type=int, default=0,
        help="instead of streams, open this many idle 2025-era sessions (a stateful server)",
    )
    args = parser.parse_args()
    if args.port2 and not args.server_pid2:
        parser.error("--port2 needs --server-pid2")
    if args.sessions:
        await idle_sessions(args)
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = args.streams + 256
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))
        if min(need, hard) < need:
            sys.exit(f"soak: {args.streams} streams need {need} descriptors; the limit is {hard}")

    rss0, fds0, threads0 = all_stats(args)
    heap0 = await all_heap_bytes(args)
    print(
        f"baseline: server RSS {rss0 / 1024:.1f} MiB, live heap {heap0 / 2**20:.2f} MiB, "
        f"{fds0} fds, {threads0} threads",
        flush=True,
    )
    # Each process's descriptors are checked against its own baseline.
    fds_each = [server_stats(pid)[1] for _, pid in servers(args)] if args.port2 else fds0
    results = [await round_trip(args, n + 1, fds_each) for n in range(args.rounds)]
    failures = []
    if any(r[2] is None for r in results):
        failures.append("descriptors were not reclaimed")
    leaked = max(r[4] for r in results) - heap0
    if leaked > 256 * 1024:
        failures.append(f"the live heap stayed {leaked} bytes above the baseline after closing")
    first_peak, last_after = results[0][0], results[-1][1]
    if max(r[0] for r in results) > first_peak * 1.5:
        failures.append(
            f"resident memory grew across rounds: {[r[0] for r in results]} kB at each round's peak"
        )
    peak = max(r[0] for r in results)
    heap_peak = max(r[3] for r in results)
    print(
        f"summary: peak RSS {peak / 1024:.1f} MiB with {args.streams} streams "
        f"({(peak - rss0) * 1024 / args.streams:.0f} B per stream above baseline), peak live "
        f"heap {heap_peak / 2**20:.1f} MiB ({(heap_peak - heap0) / args.streams:.0f} B per "
        f"stream); after the rounds RSS {last_after / 1024:.1f} MiB (baseline "
        f"{rss0 / 1024:.1f} MiB), live heap {leaked:+d} bytes against the baseline"
    )
    if failures:
        sys.exit("soak FAILED: " + "; ".join(failures))
    print("soak passed")


if __name__ == "__main__":
    asyncio.run(main())
