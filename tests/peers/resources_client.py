"""Lists and reads resources, reads a template, and gets a prompt with the official Python SDK.

Usage: python resources_client.py URL --mode auto|legacy|2026-07-28
Prints one JSON object per line; exit code 0 on success.
"""

import argparse
import asyncio
import json
import sys

from mcp import Client, types


async def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--mode", default="auto")
    a = ap.parse_args()
    async with Client(a.url, mode=a.mode, client_info=types.Implementation(name="py-resources", version="0.1")) as client:
        print(json.dumps({"protocol_version": client.protocol_version}))
        resources = await client.list_resources()
        print(json.dumps({"resources": [str(r.uri) for r in resources.resources]}))
        read = await client.read_resource("test://static-text")
        print(json.dumps({"read": read.contents[0].text}))
        templates = await client.list_resource_templates()
        print(json.dumps({"templates": [t.uri_template for t in templates.resource_templates]}))
        data = await client.read_resource("test://template/7/data")
        print(json.dumps({"template_read": json.loads(data.contents[0].text)}))
        prompts = await client.list_prompts()
        print(json.dumps({"prompts": [p.name for p in prompts.prompts]}))
        prompt = await client.get_prompt("test_prompt_with_arguments", {"arg1": "alpha", "arg2": "beta"})
        print(json.dumps({"prompt": prompt.messages[0].content.text}))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
