"""The WeChat and WeCom callbacks: signature and timestamp window, decryption, parsing into an
`Update`, the dedupe claim, the 5 s reply budget and the flood guard (`flow.py` states the
contract)."""
