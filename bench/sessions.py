#!/usr/bin/env python3
"""Opens N 2025-era MCP sessions and leaves them idle: initialize, then
notifications/initialized, one after another over a keep-alive connection (standard library
only). Used by `bench/load.sh --sessions` to measure memory per idle session.

Usage: sessions.py URL N [--proto 2025-06-18]
Prints: SESSIONS created=N failed=F secs=S rate=R/s
"""
import argparse
import http.client
import time
import urllib.parse


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("count", type=int)
    parser.add_argument("--proto", default="2025-06-18")
    options = parser.parse_args()
    target = urllib.parse.urlsplit(options.url)
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": options.proto,
    }
    initialize = (
        '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"%s",'
        '"capabilities":{},"clientInfo":{"name":"bench","version":"1.0"}}}' % options.proto
    ).encode()
    initialized = b'{"jsonrpc":"2.0","method":"notifications/initialized"}'

    def connect() -> http.client.HTTPConnection:
        return http.client.HTTPConnection(target.hostname, target.port or 80, timeout=10)

    def post(connection, body, extra=None):
        connection.request("POST", target.path or "/", body, {**headers, **(extra or {})})
        response = connection.getresponse()
        response.read()
        return response

    connection, created, failed = connect(), 0, 0
    start = time.monotonic()
    for _ in range(options.count):
        try:
            reply = post(connection, initialize)
            session = reply.getheader("Mcp-Session-Id")
            if reply.status != 200 or not session:
                failed += 1
                continue
            if post(connection, initialized, {"Mcp-Session-Id": session}).status >= 300:
                failed += 1
                continue
            created += 1
        except (OSError, http.client.HTTPException):
            failed += 1
            connection.close()
            connection = connect()
    connection.close()
    took = time.monotonic() - start
    print(f"SESSIONS created={created} failed={failed} secs={took:.2f} rate={created / took:.0f}/s")


if __name__ == "__main__":
    main()
