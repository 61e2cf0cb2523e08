"""Starts a server with `--stdio` and talks to it over its stdin and stdout with the official
Python SDK: lists the tools, calls one, answers sampling and elicitation.

Usage: python stdio_client.py COMMAND --mode auto|legacy|2026-07-28 --tool NAME --args JSON
Prints one JSON object per line; exit code 0 on success.
"""

import argparse
import asyncio
import json
import sys

from mcp import Client, types
from mcp.client.context import ClientRequestContext
from mcp.client.stdio import StdioServerParameters


async def on_sampling(ctx: ClientRequestContext, params: types.CreateMessageRequestParams):
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text="bonjour"),
        model="test-model",
        stop_reason="endTurn",
    )


async def on_elicit(ctx: ClientRequestContext, params: types.ElicitRequestParams):
    return types.ElicitResult(action="decline")


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("command")
    ap.add_argument("--mode", default="auto")
    ap.add_argument("--tool", required=True)
    ap.add_argument("--args", default="{}")
    a = ap.parse_args()
    server = StdioServerParameters(command=a.command, args=["--stdio"])
    async with Client(
        server,
        mode=a.mode,
        sampling_callback=on_sampling,
        elicitation_callback=on_elicit,
        client_info=types.Implementation(name="py-stdio", version="0.1"),
    ) as client:
        print(json.dumps({"protocol_version": client.protocol_version}))
        tools = await client.list_tools()
        print(json.dumps({"tools": [t.name for t in tools.tools]}))
        res = await client.call_tool(a.tool, json.loads(a.args))
        print(json.dumps({"call": a.tool, "result": res.model_dump(mode="json", exclude_none=True)}))
        return 1 if res.is_error else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
