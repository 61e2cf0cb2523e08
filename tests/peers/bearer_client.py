"""Connects with a bearer token, lists the tools and calls some, with the official Python SDK.

Usage: python bearer_client.py URL TOKEN --mode auto|legacy|2026-07-28 [--call TOOL ...]
Prints one JSON object per line: {"protocol_version"}, {"tools": [...]}, then for each tool
{"call": name, "ok": bool, "text" | "error"}; exit code 0 once the tools are listed.
"""

import argparse
import asyncio
import json
import sys

from mcp import Client, types
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("token")
    ap.add_argument("--mode", default="auto")
    ap.add_argument("--call", action="append", default=[])
    a = ap.parse_args()
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {a.token}"})
    transport = streamable_http_client(a.url, http_client=http)
    info = types.Implementation(name="py-bearer", version="0.1")
    async with Client(transport, mode=a.mode, client_info=info) as client:
        print(json.dumps({"protocol_version": client.protocol_version}))
        tools = await client.list_tools()
        print(json.dumps({"tools": sorted(t.name for t in tools.tools)}), flush=True)
        for name in a.call:
            try:
                result = await client.call_tool(name, {})
                text = result.content[0].text if result.content else ""
                print(json.dumps({"call": name, "ok": not result.is_error, "text": text}))
            except Exception as e:  # a refusal (403) surfaces as an exception
                print(json.dumps({"call": name, "ok": False, "error": str(e)}))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
