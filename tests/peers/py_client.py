"""Connects to an MCP server with the official Python SDK, lists its tools and calls one.

Usage: python py_client.py URL [--mode auto|legacy|2026-07-28] [--tool NAME] [--args JSON]
                           [--list-only]
  --mode   the SDK's protocol selection: auto (negotiate), legacy (2025-era initialize
           handshake) or a version to pin (2026-07-28)
  --tool   the tool to call (default: the first listed); --args its arguments (a JSON object)

Prints one JSON object per line:
  {"protocol_version": ..., "server_info": {...}}
  {"tools": [names]}
  {"call": NAME, "result": CallToolResult as JSON, snake_case, no nulls,
   "sampling_requests_seen": [the text of each sampling request's first message]}
Answers what the server asks for, in either era (a request on the session's stream, or an
input_required result the SDK retries): sampling with a fixed reply, elicitation by accepting
with every field of the requested schema filled (its default, else "x", true, 1 or 1.0 by type),
roots with one root. Exit code 0 when the call succeeded, 1 on a tool error.
"""

import argparse
import asyncio
import json
import sys

from mcp import Client, types
from mcp.client.context import ClientRequestContext

REPLY = "This is a test response from the client"
FILLER = {"string": "x", "boolean": True, "integer": 1, "number": 1.0}

seen_sampling: list[str] = []


async def sample(_ctx: ClientRequestContext, params: types.CreateMessageRequestParams):
    content = params.messages[0].content
    seen_sampling.append(getattr(content, "text", None) or str(content))
    return types.CreateMessageResult(
        role="assistant",
        content=types.TextContent(type="text", text=REPLY),
        model="test-model",
        stop_reason="endTurn",
    )


async def elicit(_ctx: ClientRequestContext, params: types.ElicitRequestParams):
    schema = getattr(params, "requested_schema", None)
    fields = schema.get("properties", {}) if isinstance(schema, dict) else {}
    answer = {
        name: spec.get("default", FILLER.get(spec.get("type"), "x"))
        for name, spec in (fields or {}).items()
    }
    return types.ElicitResult(action="accept", content=answer)


async def roots(_ctx: ClientRequestContext):
    return types.ListRootsResult(roots=[types.Root(uri="file:///workspace", name="workspace")])


def emit(line: dict) -> None:
    print(json.dumps(line), flush=True)


async def run(options: argparse.Namespace) -> int:
    client = Client(
        options.url,
        mode=options.mode,
        sampling_callback=sample,
        elicitation_callback=elicit,
        list_roots_callback=roots,
        client_info=types.Implementation(name="mcp-sdk-tests-python", version="0.1"),
    )
    async with client:
        info = client.server_info
        emit({
            "protocol_version": client.protocol_version,
            "server_info": info.model_dump() if info else None,
        })
        listed = await client.list_tools()
        names = [tool.name for tool in listed.tools]
        emit({"tools": names})
        if options.list_only:
            return 0
        name = options.tool or names[0]
        result = await client.call_tool(name, json.loads(options.args))
        emit({
            "call": name,
            "result": result.model_dump(mode="json", exclude_none=True),
            "sampling_requests_seen": seen_sampling,
        })
        return 1 if result.is_error else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--mode", default="auto")
    parser.add_argument("--tool")
    parser.add_argument("--args", default="{}")
    parser.add_argument("--list-only", action="store_true")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
