"""Runs a sampling tool and a resumed stream in one 2025-era session with the official Python SDK.

Usage: python replica_client.py URL [--mode legacy]
Calls `test_sampling` (answering the server's sampling request with a fixed text), then
`test_reconnection` (whose response stream the server closes early: the SDK resumes it with
Last-Event-ID), then lists the tools. Prints one JSON object per line; exit code 0 on success.
"""

import argparse
import asyncio
import json
import sys

from mcp import Client, types
from mcp.client.context import ClientRequestContext

ANSWER = "sampled by the replica client"
SAMPLED: list[str] = []


async def on_sampling(ctx: ClientRequestContext, params: types.CreateMessageRequestParams):
    first = params.messages[0].content
    SAMPLED.append(getattr(first, "text", str(first)))
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text=ANSWER),
        model="replica-model",
        stop_reason="endTurn",
    )


def text(result: types.CallToolResult) -> str:
    return "".join(getattr(c, "text", "") for c in result.content)


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--mode", default="legacy")
    a = ap.parse_args()
    async with Client(
        a.url,
        mode=a.mode,
        sampling_callback=on_sampling,
        client_info=types.Implementation(name="py-replica", version="0.1"),
    ) as client:
        print(json.dumps({"protocol_version": client.protocol_version}), flush=True)
        sampling = await client.call_tool("test_sampling", {"prompt": "Say something"})
        print(json.dumps({"sampling": text(sampling), "is_error": bool(sampling.is_error),
                          "sampled": SAMPLED}), flush=True)
        reconnection = await client.call_tool("test_reconnection", {})
        print(json.dumps({"reconnection": text(reconnection),
                          "is_error": bool(reconnection.is_error)}), flush=True)
        tools = await client.list_tools()
        print(json.dumps({"tools": [t.name for t in tools.tools]}), flush=True)
        return 1 if sampling.is_error or reconnection.is_error else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
