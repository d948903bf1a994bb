"""Pre-signed WeChat callbacks for bench/gateway.lua: one file per wrk thread, one request a
line ("path?query<TAB>body"). Made with wechatpy's own crypto, as WeChat's servers do it."""

from __future__ import annotations

import base64
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WorkCrypto
from wechatpy.utils import WeChatSigner

REPORTS = ["幸福花园{b}号楼楼道有人拉飞线给电动车充电", "金色港湾{b}栋门口垃圾三天没人清运",
           "阳光新村{b}号楼楼上天天半夜拖椅子", "幸福花园{b}号楼门口路灯不亮了"]
OFFICERS = ["ZhangWei", "lina", "huangqiang", "liuyang", "sunli"]
OFFICER_WORDS = ["我的工单", "帮助"]
RESIDENT_WORDS = ["查询", "1"]  # a status query; a bare rating with nothing to rate


def _aes() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")


@dataclass
class Keys:
    app_id: str
    mp_token: str
    mp_aes: str
    corp_id: str
    work_token: str
    work_aes: str

    @classmethod
    def make(cls) -> Keys:
        return cls("wxbench000000001", "benchtoken", _aes(), "wwbench000000001",
                   "benchworktoken", _aes())


def _xml(to: str, sender: str, text: str, msg_id: int, agent: str = "") -> str:
    return (f"<xml><ToUserName><![CDATA[{to}]]></ToUserName>"
            f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId>{agent}</xml>")


def mp_line(keys: Keys, crypto: WeChatCrypto, openid: str, text: str, msg_id: int) -> str:
    ts, nonce = str(int(time.time())), secrets.token_hex(8)
    signer = WeChatSigner()
    signer.add_data(keys.mp_token, ts, nonce)
    enc = crypto.encrypt_message(_xml(keys.app_id, openid, text, msg_id), nonce, ts)
    msg_sig = enc.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    cipher = enc.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    query = urlencode({"signature": signer.signature, "timestamp": ts, "nonce": nonce,
                       "openid": openid, "encrypt_type": "aes", "msg_signature": msg_sig})
    body = (f"<xml><ToUserName><![CDATA[{keys.app_id}]]></ToUserName>"
            f"<Encrypt><![CDATA[{cipher}]]></Encrypt></xml>")
    return f"/wechat/mp?{query}\t{body}"


def work_line(keys: Keys, crypto: WorkCrypto, userid: str, text: str, msg_id: int) -> str:
    ts, nonce = str(int(time.time())), secrets.token_hex(8)
    xml = _xml(keys.corp_id, userid, text, msg_id, "<AgentID>1000002</AgentID>")
    enc = crypto.encrypt_message(xml, nonce, ts)
    msg_sig = enc.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    cipher = enc.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    query = urlencode({"msg_signature": msg_sig, "timestamp": ts, "nonce": nonce})
    body = (f"<xml><ToUserName><![CDATA[{keys.corp_id}]]></ToUserName>"
            f"<AgentID><![CDATA[1000002]]></AgentID>"
            f"<Encrypt><![CDATA[{cipher}]]></Encrypt></xml>")
    return f"/wechat/work?{query}\t{body}"


def write_requests(folder: Path, keys: Keys, threads: int, per_thread: int, *,
                   mixed: bool) -> None:
    """Distinct residents (one report each); in the mixed workload every tenth request is a
    query or rating from an earlier reporter and two in ten are officers' WeCom commands."""
    mp = WeChatCrypto(keys.mp_token, keys.mp_aes, keys.app_id)
    work = WorkCrypto(keys.work_token, keys.work_aes, keys.corp_id)
    base = int(time.time() * 1000)
    run = secrets.token_hex(3)
    for t in range(threads):
        lines = []
        for i in range(per_thread):
            msg_id = base + t * per_thread + i
            slot = i % 10
            if mixed and slot in (3, 7):
                # every officer in turn (i % 5 would give two of them all the commands)
                lines.append(work_line(keys, work, OFFICERS[(i // 5) % len(OFFICERS)],
                                       OFFICER_WORDS[i % 2], msg_id))
            elif mixed and slot == 9 and i >= 10:
                lines.append(mp_line(keys, mp, f"o{run}{t}x{i - 10:06d}",
                                     RESIDENT_WORDS[(i // 10) % 2], msg_id))
            else:
                text = REPORTS[i % len(REPORTS)].format(b=1 + i % 5)
                lines.append(mp_line(keys, mp, f"o{run}{t}x{i:06d}", text, msg_id))
        (folder / f"req_{t}.txt").write_text("\n".join(lines) + "\n")
