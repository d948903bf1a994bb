"""The public taxonomy contract (docs/taxonomy.md): category and urgency codes."""

from __future__ import annotations

CATEGORIES: dict[str, str] = {
    "fire_safety": "消防安全",
    "gas_electric": "燃气用电安全",
    "building_safety": "房屋与高空安全",
    "water": "供水排水",
    "municipal": "市政设施",
    "sanitation": "环境卫生",
    "noise": "噪音扰民",
    "illegal_construction": "违章搭建",
    "street_order": "街面秩序",
    "parking_traffic": "停车与交通",
    "property": "物业服务",
    "greening": "园林绿化",
    "animals": "宠物与动物",
    "neighbor": "邻里纠纷",
    "public_order": "治安隐患",
    "consult": "政策咨询与民生服务",
    "other": "其他",
}

# Hazards to life win over every other category when two fit (precedence rule).
HAZARD_CATEGORIES = ("fire_safety", "gas_electric", "building_safety")

URGENCIES: dict[str, str] = {"urgent": "紧急", "high": "较急", "normal": "一般"}
URGENCY_ORDER = ("normal", "high", "urgent")

REQUEST_KINDS = ("投诉", "求助", "咨询", "建议", "表扬")


def category_name(code: str) -> str:
    return CATEGORIES.get(code, CATEGORIES["other"])


def resolve_category(word: str) -> str | None:
    """A category code from its code or Chinese name, as an officer types it (改类)."""
    w = word.strip().lower()
    if w in CATEGORIES:
        return w
    for code, name in CATEGORIES.items():
        if word.strip() == name:
            return code
    for code, name in CATEGORIES.items():
        if word.strip() and (word.strip() in name or name in word.strip()):
            return code
    return None
