"""`gridbot keys`: fresh secrets for a new deployment, in the form each console takes: the
callback Token (3–32 letters and digits, chosen by the operator) and the 43-character
EncodingAESKey of the Official Account and of the WeCom app, and the admin API's bearer token,
printed as the environment lines the config reads (the README keeps secrets out of the file)."""

from __future__ import annotations

import argparse
import base64
import secrets
import string

ALNUM = string.ascii_letters + string.digits
# the 43rd character of an unpadded base64 key of 32 bytes carries 4 bits and two zero bits:
# only these decode back to the same key (the consoles' 随机生成 gives such keys)
LAST = "AEIMQUYcgkosw048"


def token(n: int = 32) -> str:
    return "".join(secrets.choice(ALNUM) for _ in range(n))


def aes_key() -> str:
    """43 letters and digits that decode (with the "=" WeChat adds) to 32 bytes."""
    key = "".join(secrets.choice(ALNUM) for _ in range(42)) + secrets.choice(LAST)
    assert len(base64.b64decode(key + "=")) == 32
    return key


def cmd_keys(args: argparse.Namespace) -> int:
    lines = [
        "# 公众号 设置与开发 → 基本配置 → 服务器配置: 令牌(Token), 消息加解密密钥",
        f"GRIDBOT_WECHAT__MP__TOKEN={token()}",
        f"GRIDBOT_WECHAT__MP__ENCODING_AES_KEY={aes_key()}",
        "# 企业微信 应用 → 接收消息 → 设置API接收: Token and EncodingAESKey",
        f"GRIDBOT_WECHAT__WORK__TOKEN={token()}",
        f"GRIDBOT_WECHAT__WORK__ENCODING_AES_KEY={aes_key()}",
        "# the admin API's bearer token (Authorization: Bearer …)",
        f"GRIDBOT_ADMIN__TOKEN={token(40)}",
    ]
    print("\n".join(lines))
    return 0


def add_keys_command(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("keys", parents=[common],
                       help="fresh Token/EncodingAESKey pairs and an admin token, as env lines")
    p.set_defaults(fn=cmd_keys)
