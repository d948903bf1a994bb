"""A resident who tells a problem and asks for someone to be sent to deal with it is reporting
it (a new operator's trial, 2026-12-03: 「…大树被刮倒了…请派人处理一下」 went to the triage desk as
a request for a person, with no grid). Asking for a person and nothing else stays a request."""

import pytest


@pytest.mark.parametrize("text", [
    "5号楼前面一棵树倒了请派人来处理",
    "青禾里12栋门口的大树被风刮倒了，把路堵死了，请派人处理一下",
    "小区北门的栏杆被车撞歪了请派人处理一下",
    "楼道里的灯坏了好几天，能不能叫个师傅来修",
])
def test_a_problem_then_someone_sent_is_a_report(analyzer, text):
    a = analyzer.analyze(text)
    assert a.act == "report"
    assert a.category not in ("other", "consult")


@pytest.mark.parametrize("text", ["请派人处理一下", "我要转人工", "找个人来跟我说一下"])
def test_asking_for_someone_alone_is_still_a_request(analyzer, text):
    assert analyzer.analyze(text).act == "human"
