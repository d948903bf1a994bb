"""`gridbot keys` prints fresh secrets a new operator can paste (trial 12's set-up stumble: how
to make a Token and an EncodingAESKey): the lines load into the config from the environment,
and a key works for wechatpy's safe-mode envelope both ways."""

from __future__ import annotations

import base64
import re

from wechatpy.crypto import WeChatCrypto

from bot.cli.main import main
from storage.config import Settings


def _lines(capsys) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert main(["keys"]) == 0
    out = capsys.readouterr().out
    return dict(line.split("=", 1) for line in out.splitlines() if not line.startswith("#"))


def test_the_lines_load_as_config_and_each_run_is_fresh(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    env = _lines(capsys)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    s = Settings()
    assert s.wechat.mp.token == env["GRIDBOT_WECHAT__MP__TOKEN"]
    assert s.wechat.work.encoding_aes_key == env["GRIDBOT_WECHAT__WORK__ENCODING_AES_KEY"]
    assert s.admin.token == env["GRIDBOT_ADMIN__TOKEN"]
    assert _lines(capsys) != env  # never the same secrets twice


def test_keys_are_what_the_consoles_accept_and_wechatpy_uses(capsys) -> None:  # type: ignore[no-untyped-def]
    env = _lines(capsys)
    for name in ("MP", "WORK"):
        token = env[f"GRIDBOT_WECHAT__{name}__TOKEN"]
        key = env[f"GRIDBOT_WECHAT__{name}__ENCODING_AES_KEY"]
        assert re.fullmatch(r"[A-Za-z0-9]{3,32}", token)
        assert re.fullmatch(r"[A-Za-z0-9]{43}", key)
        raw = base64.b64decode(key + "=")
        assert len(raw) == 32 and base64.b64encode(raw).decode().rstrip("=") == key
        crypto = WeChatCrypto(token, key, "wx1234567890abcdef")
        sealed = crypto.encrypt_message("<xml><Content>好的</Content></xml>", "1409304348", "n1")
        got = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]></Encrypt>", sealed).group(1)
        sig = re.search(r"<MsgSignature><!\[CDATA\[(.*?)\]\]></MsgSignature>", sealed).group(1)
        xml = (f"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[{got}]]>"
               "</Encrypt></xml>")
        assert "好的" in crypto.decrypt_message(xml, sig, "1409304348", "n1")
