"""`gridbot demo`: the whole loop against the real gateway, with a WeChat API stand-in."""
