"""The process and its edges: the aiohttp app (`app.py`), the WeChat/WeCom gateway, outbound
channels, the admin API, the scheduler, the CLI and the demo, one sub-package each.
Only this package knows HTTP and WeChat."""
