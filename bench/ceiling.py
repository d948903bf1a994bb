"""The ceiling for bench/gateway.py: a bare aiohttp server that answers `success` to any POST.
Run: python bench/ceiling.py PORT"""

import sys

from aiohttp import web


async def ok(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text="success")


app = web.Application()
app.router.add_route("*", "/{tail:.*}", ok)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
