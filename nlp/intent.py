"""What the sender wants: a new report, a consult question, a detail of the previous report,
a rating, a person, or conversation (greeting, thanks, acknowledgement), or a command word.

Conservative towards `report`: a message that describes a problem is a report even when it also
greets or thanks (「你好，路灯坏了，谢谢」). Only short messages with no problem in them are
conversation, details, ratings or requests for a person; thanks for work already done
(「谢谢，路灯修好了」) is thanks. `intent_of` keeps its fine values (greeting, thanks, help,
query, cancel …); `act_of` folds them into what the conversation layer branches on.
"""

from __future__ import annotations

import re

from nlp.scan import scan_patterns

_PUNCT = re.compile(r"[\s，。！？!?,.、~～…：:；;😊🙏👍❤️]+")
# Emoji, symbols and pictographs: a message of only these is conversation.
_SYMBOLS = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F\u200D\u3030\u2B50\u2B06\u2764]+")
RATING_WORDS = {"非常满意": 1, "很满意": 1, "满意": 2, "比较满意": 2, "基本满意": 3, "还行": 3,
                "一般": 3, "不满意": 4, "很不满意": 4, "非常不满意": 4}
_RATING = re.compile(r"^(?:评价)?(?P<n>[1-4])(?:分|星)?$")
_RATING_CN = re.compile(r"^(?:评价|选)?(?P<n>[一二三四])(?:分)?$")
_RATING_WORD = re.compile(r"^(?:我)?(?:觉得)?(?P<w>非常满意|很满意|比较满意|基本满意|非常不满意|"
                          r"很不满意|"
                          r"不满意|满意)(?:了|的|啊|呀)?$")
_CANCEL = re.compile(r"^(?:撤销|撤回|取消)(?:工单|投诉|报修|反映)?|不用(?:处理|来|管|修)了|"
                     r"不需要处理了|"
                     r"已经(?:好了|自己修好了|解决了)[^。！？]{0,6}不用|撤销[a-z]{2}\d")
_QUERY = re.compile(r"^查询|^查一下|^查下|进度怎么样|进度如何|处理(?:得)?怎么样了?|办得怎么样|"
                    r"我(?:之前|上次|前几天|昨天|上周)?(?:反映|投诉|报修|报|提交|说)的[^，。！？]{0,8}?"
                    r"(?:事情?|问题|情况|工单)[^。！？]{0,8}(?:怎么样|有结果|处理了吗|处理没|有人管吗|"
                    r"什么时候|到哪|进展|有消息)|工单(?:号|进度|状态)|^我的工单")
_HELP = re.compile(r"^(?:帮助|help|菜单|使用说明|怎么用|如何使用|怎么反映问题|怎么报事|功能|说明|"
                   r"[?？]+)$")
_GREETING = re.compile(r"^(?:你好|您好|你们好|hello|hi|嗨|喂|在吗|在不在|有人吗|有人在吗|早上好|"
                       r"上午好|中午好|下午好|晚上好|网格员|同志|小同志)+(?:啊|呀|呢|吗)?$")
_THANKS = re.compile(r"谢谢|感谢|多谢|(?<!凋)谢了|谢啦|"
                     r"辛苦了|点赞|点个赞|给你们赞|好评|麻烦你们了|太感谢|表扬")
_RESOLVED = re.compile(r"(?:修|补|装|换|清|拖|拉|搬|运|处理|弄|搞|解决|恢复|清理|整改|拆)"
                       r"(?:好|上|完|走|掉|干净|过来)?了|已经好了|搞定|(?<![不没])(?:亮了|来水了|来电了|通了)|"
                       r"上次帮忙|帮了大忙|效率真高|很及时|挺快|办得好|服务很好|"
                       r"处理得(?:很|挺|非常|真)?(?:好|及时|快)|(?:很|特别|非常)(?:耐心|负责|认真|热情)|"
                       r"服务(?:很|真|非常|越来越)?好|满意")
_UNRESOLVED = re.compile(r"(?:没|没有|还没|未|不)(?:修好|弄好|解决|处理好|处理完|恢复)|又坏|又不|"
                         r"(?:还是|仍然|依然|仍)(?:不|没)|拖了[^，。]{0,3}(?:天|月|周|礼拜|星期|年)")
_PROBLEM = re.compile(r"坏|不亮|没人管|没有人管|堵|漏|吵|臭|乱|投诉|反映|麻烦(?:你们|派|来)|请|"
                      r"能不能|怎么办|又|还是|一直|天天")
_SUGGEST = re.compile(r"建议|能不能(?:多|增加|加装|装|建|设|安排|搞|办)|可不可以(?:装|建|加|增加)|"
                      r"希望(?:增加|多|能装|能建|安装)|要是能|最好能|提个意见|提议")
_ASK = re.compile(r"请问|问一下|问下|咨询|怎么办理|怎么申请|在哪(?:里)?(?:办|领|交|申请|打)|"
                  r"需要(?:带)?什么(?:材料|手续|证件)|能不能办|可以办|怎么交|多少钱|有没有什么(?:政策|补贴)")
_HELP_ASK = re.compile(r"帮忙|帮帮|救命|求助|求求|快来人|能不能派人|上门帮")


# A question asked in passing after thanks or an acknowledgement (对了想问下…, 顺便问一下…).
_ASIDE_ASK = re.compile(
    r"(?:顺便|对了|另外|还有|还想)[^，。！？]{0,3}(?:问下|问一下|问问|想问|请问|咨询)")


def aside_question(text: str) -> str | None:
    """The question asked in passing after nothing but thanks, greetings or acknowledgements
    (from 顺便问下… to the end), or None (路灯坏了，顺便问下… is a report that also asks)."""
    m = _ASIDE_ASK.search(text)
    if m is None or intent_of(text[:m.start()]) not in ("thanks", "chat", "greeting"):
        return None
    return text[m.start():]


# The rules ask for the same text's bare and plain forms several times a message (intent_of,
# is_chat, is_small_talk, is_detail …): the last of each is kept (a tuple, swapped whole).
_last_bare: tuple[str, str] = ("", "")
_last_plain: tuple[str, str] = ("", "")


def _bare(text: str) -> str:
    global _last_bare
    last = _last_bare
    if last[0] == text:
        return last[1]
    out = _PUNCT.sub("", text)
    _last_bare = (text, out)
    return out


# Longer messages that thank are reports with manners (the 留言板 register closes with 感谢领导).
THANKS_MAX = 40
# A consult question about a category's problem is short and states no complaint; a long or
# complaining message that ends with a question (「停水两天了，到底什么时候来水」) is a report.
CONSULT_MAX = 30
_COMPLAINT = re.compile(r"到底|究竟|[一两三四五几多半]+(?:天|上午|下午|晚上|个月|周|礼拜|年)了|"
                        r"好几天|坏了|太差|没人|"
                        r"没法|都不|一直|从来|根本|是否合|合不合|凭什么|乱|收的钱|去哪了")


# Stars drawn (⭐⭐⭐⭐, ★★★) and scores outside our 1–4 scale (5分, 0分, 10分, 100分).
_STAR_MARKS = re.compile(r"^[\s⭐★🌟☆]+$")
_OFF_SCALE_SCORE = re.compile(r"^(?:评价|打|给(?:你们)?打|给)?(?P<n>0|5|10|100)分")


def drawn_rating(text: str) -> int | None:
    """The rating of a message of drawn stars or an off-scale score, on our 1–4 scale."""
    plain = text.strip()
    if plain and _STAR_MARKS.match(plain):
        filled = sum(plain.count(c) for c in "⭐★🌟")
        return _STARS.get(str(min(filled, 5))) if filled else 4
    m = _OFF_SCALE_SCORE.match(_bare(plain))
    if m:
        return {"0": 4, "5": 1, "10": 1, "100": 1}[m.group("n")]
    lead = _EMOJI_LEAD.match(plain)
    if lead:  # 💯💯💯; 👎👎 还是没人管; 🐢🐢🐢 这速度
        rest = _bare(to_plain(plain[lead.end():]))
        if len(rest) <= 16 and not new_problem(rest) and not _STORY_NEW.search(rest):
            return _EMOJI_VALUE[lead.group("e")]
    return None


# Issue 9, round eight: a verdict drawn in emoji, alone or before a few words of why.
_EMOJI_VALUE = {"💯": 1, "👎": 4, "😡": 4, "🤬": 4, "😠": 4, "😤": 4, "🐢": 4, "🐌": 4, "💩": 4}
_EMOJI_LEAD = re.compile("^(?P<e>[" + "".join(_EMOJI_VALUE) + r"])(?:(?P=e)|\s|\uFE0F)*")


def intent_of(text: str, mentions_problem: bool = False, address_only: bool = False) -> str:
    """`mentions_problem`: the caller found domain words (井盖, 漏水 …) outside thanks words;
    `address_only`: the message is a place and nothing more (location.is_address_only)."""
    if drawn_rating(text) is not None:
        return "rating"
    bare = _bare(text)
    if not bare:
        if "?" in text or "？" in text:
            return "help"
        return "chat" if text.strip() else "greeting"
    if _RATING.match(bare) or _RATING_WORD.match(bare) or _RATING_CN.match(bare):
        return "rating"
    if _HELP.match(bare) or _HELP.match(text.strip()):
        return "help"
    if _CANCEL.search(bare):
        return "cancel"
    if _QUERY.search(bare):
        return "query"
    if nudge(text):
        return "chat"  # 催一下; 怎么还没人来: a nudge about the report, nothing new to file
    if reply_rating(text) is not None:
        return "rating"  # 选1, 回复4, 给个3吧, manyi: the answer to the rating prompt
    if len(bare) <= FOLLOW_UP_MAX and _FOLLOW_UP_LEAD.match(to_plain(text).strip()) \
            and not new_problem(bare) and not _ANOTHER_AFTER_LEAD.match(bare):
        return "detail"  # 补充说明：该违建位于本楼顶层平台…: a piece of the report before
    if len(bare) <= DETAIL7_MAX * 2 and _TOLD_AGAIN.match(to_plain(text).strip()) \
            and not new_problem(bare) and not _FIX_REQUEST.search(bare) \
            and not _ANOTHER_AFTER_LEAD.match(bare):
        return "detail"  # 刚才忘说了，…; 你们问多大 …; 还有个事情 不是新问题 (round eleven)
    if len(bare) <= THANKS_MAX and _ASKS_FOR_PERSON.search(bare) and not new_problem(bare) \
            and not _COMPLAINT_WORD.search(bare):
        return "human"  # 我是老党员了，我要跟你们书记讲; 请安排专人回电 (round eleven)
    worse = _WORSE_NOW.match(to_plain(text).strip()) if len(bare) <= DETAIL7_MAX else None
    if worse is not None and not new_problem(bare) and not _FIX_REQUEST.search(bare) \
            and not _NEW_THING.search(to_plain(text), worse.end()):
        return "detail"  # 现在更严重了，水都流到电梯口了: how the report's problem is now
    if ending_verdict(text) is not None:
        return "rating"  # 来的那个小伙子很好很热情 就是那个水呢还是有一点点小 就算基本满意吧
    if done_but(text) is not None:
        return "rating"  # 修是修了，不过拖了快一个礼拜: the work done, then how (round ten)
    if len(bare) > THANKS_MAX:  # too long for a rating, thanks, a detail or a request for a person
        if _GREETING.match(bare):
            return "greeting"
        return "chat" if is_small_talk(text) or _just_talk(bare) else "report"
    if len(bare) <= 20 and _ABOUT_THE_TALK.search(bare) and not _COMPLAINT_FIX.search(bare) \
            and not is_human(text):
        return "chat"  # 怎么又是自动回复; 刚才那条发错了，不用管: about the talk itself
    if len(bare) <= 24 and (_DETAIL_MORE.match(bare) or _DETAIL_ANYWHERE.search(bare)) \
            and not _FIX_REQUEST.search(bare) and not _CALL_ME_BY.search(bare) \
            and not is_small_talk(text):
        return "detail"
    if len(bare) <= 24 and not new_problem(bare) and not _FIX_REQUEST.search(bare) \
            and not _STORY_NEW.search(bare) and not _ASK_TO_ACT.search(bare) and (
                _MORE_OF_IT_ANY.match(to_plain(text).strip())
                or not mentions_problem and _MORE_OF_IT.match(to_plain(text).strip())):
        return "detail"  # 灰色的面包车 车尾贴着…; 一共四辆…; 其实不光是吵 主要是震 (round ten)
    if told_detail(text) and not _FIX_REQUEST.search(bare) and (
            rating_in(text) is None and story_rating(text) is None or _RECUR.match(bare)):
        return "detail"
    if (rating_in(text) is not None or story_rating(text) is not None) \
            and not new_problem(bare):
        return "rating"
    if aside_question(bare) is not None:
        return "report"  # 好的谢谢…顺便问下医保卡怎么补: the question is the message (consult)
    if not mentions_problem and weather_talk(bare):
        return "chat"  # 今天降温了，大家注意添衣服: talk about the day, nothing to report
    if not mentions_problem and is_human(text) and not is_small_talk(text):
        return "human"
    if _GREETING.match(bare):
        return "greeting"
    if _THANKS.search(bare) and len(bare) <= THANKS_MAX and not _STORY_NEW.search(bare) \
            and not new_problem(bare):
        # 垃圾清走了，谢谢。另外2栋门口有人摆摊: a new problem in the same breath is a report
        rest = _THANKS.sub("", bare)
        if _RESOLVED.search(bare) and not _UNRESOLVED.search(bare):
            return "thanks"
        if len(rest) <= 12 and not _PROBLEM.search(rest) and not mentions_problem:
            return "thanks"
    if is_chat(text) or _just_talk(bare):
        return "chat"
    if len(bare) <= 24 and _ANSWER_LEAD.match(bare) and not mentions_problem \
            and not new_problem(bare) and not _FIX_REQUEST.search(bare) \
            and not (_SCOPE_LEAD.match(bare) and _COMPLAINT_WORD.search(bare)):
        return "detail"  # 是白色的面包车，停了快一个月了; 整栋楼都没水，不光我们家: an answer
    item = _NEW_ITEM.match(bare)
    if item and len(bare) - item.end() >= 5 and not _WHEN.match(bare, item.end()) \
            and not _DESCRIPTION.match(bare[item.end():]) and not told_detail(bare[item.end():]):
        return "report"  # 另外公交站牌被车撞歪了: a second problem, not a piece of the first
    if is_detail(text, address_only) and not _ANOTHER_AFTER_LEAD.match(bare) and (
            address_only or not mentions_problem or is_fragment(text)
            or _DETAIL_LEAD.match(bare) and not _COMPLAINT_WORD.search(bare)
            or _DESCRIPTION.match(bare) or _is_correction(bare)):
        return "detail"
    return "report"


_TALK_CHARS = frozenset("玩逗说聊唠别问")


def _just_talk(bare: str) -> bool:
    if _TALK_CHARS.isdisjoint(bare):
        return False
    return bool(_JUST_TALK.search(bare)) \
        and not _FIX_REQUEST.search(_NOT_REPORTING.sub("", bare)) \
        and not _ASK.search(bare) and not _JOKE_BUT.search(bare)


# 不是要反映啥: saying there is nothing to report is no request to fix anything.
_NOT_REPORTING = re.compile(r"不是要反映|不是反映|不用反映|不反映|不是(?:要)?投诉|不投诉")
# 开个玩笑，不过确实经常停: the joke is taken back and the complaint stands.
_JOKE_BUT = re.compile(r"(?:玩笑|说说)[^。！？]{0,4}(?:不过|但是|但|可是)")


def rating_of(text: str) -> int | None:
    """The 1–4 rating a message gives (1 非常满意 … 4 不满意), or None."""
    drawn = drawn_rating(text)
    if drawn is not None:
        return drawn
    replied = reply_rating(text)
    if replied is not None:
        return replied
    ending = ending_verdict(text)
    if ending is not None:
        return ending
    done = done_but(text)
    if done is not None:
        return done
    bare = _bare(text)
    m = _RATING.match(bare)
    if m:
        return int(m.group("n"))
    m = _RATING_CN.match(bare)
    if m:
        return _CN_DIGIT[m.group("n")]
    w = _RATING_WORD.match(bare)
    return RATING_WORDS[w.group("w")] if w else (rating_in(text) or story_rating(text))


def rating_value(text: str) -> int | None:
    """How good a message says the work was (1–4), whatever else it says, or None (a question
    such as 满意吗 rates nothing)."""
    plain = to_plain(text).strip()
    if _bare(plain).endswith(("吗", "么", "没")):
        return None
    return _rating_value(re.sub(r"\s+", "，", plain))


def request_kind_of(text: str, intent: str, category: str, urgency: str) -> str:
    """投诉 / 求助 / 咨询 / 建议 / 表扬, as the ticket records it."""
    if intent == "thanks":
        return "表扬"
    if category == "consult" or intent == "consult":
        return "咨询"
    if _SUGGEST.search(text):
        return "建议"
    if urgency == "urgent" or _HELP_ASK.search(text):
        return "求助"
    if _ASK.search(text) and not _PROBLEM.search(text):
        return "咨询"
    return "投诉"


# --- conversation, details, ratings in a sentence, requests for a person, consult questions --

# Acknowledgements, small talk and questions about the bot itself.
_CHAT = re.compile(
    r"^(?:好的?|好滴|好嘞|好吧|好哒|行|行吧|嗯+|嗯呐|哦+|噢+|喔+|ok|okay|收到|了解|知道了|明白了?|"
    r"懂了|晓得了|哈+|呵+|嘿+|晚安|早安|拜拜|再见|88|没事了|算了|不用了|发错了|发错群了|不好意思|"
    r"已读|原来是这样|原来如此|中午好|"
    r"(?:新年|中秋|春节|节日|国庆|端午|元旦|周末)快乐|祝[^，。]{0,14}(?:顺利|快乐|健康|如意)|我就看看|随便问问|"
    r"(?:今天)?天气(?:真|很|挺)?(?:好|不错)|明天(?:再说|见)|万事如意|身体健康|"
    r"测试|测试一下|test|试试|试一下|哈喽|嗨|hello|hi|在么|在吗|吃了没|吃了吗|今天天气真好|你好|您好|老铁|亲|呢|啊|呀|的|了|"
    r"谢谢|谢啦|多谢|感谢|辛苦了|辛苦啦|辛苦|可以|早|麻烦了|麻烦你们了|麻烦您了|(?:那)?我等着|等着|(?:那)?我等|"
    r"(?:我|那我)?等(?:你们|您)?(?:的)?(?:消息|回复|通知|电话)|(?:周末|工作|生活)?愉快)+$")
_META = re.compile(r"测试|test|你们是谁|你是谁|你们是干什么|"
                   r"你们是(?:政府|哪个|哪里|什么)|是哪个部门|"
                   r"这是哪|这个号|干嘛的|干什么的|机器人|"
                   r"人工智能|ai|"
                   r"你叫什么|什么号|你会[^，。]{0,4}吗|听不懂|答非所问|回复[^，。]{0,6}(?:慢|一样|乱七八糟)|"
                   r"(?:你|你们|机器人|这个号|公众号)[^，。]{0,6}没用|你真笨|傻|是真人吗|真人还是|"
                   # questions about the service itself (issue 9, round seven)
                   r"你们是[^，。]{1,6}的(?:还是|吗|吧)|(?:可以|能)(?:发|用)(?:语音|图片|照片|视频|表情)|"
                   r"你(?:们)?能记住|(?:老|总|一直|别老|别总)发(?:一样|同样|重复)|"
                   r"能听到吗|听得到吗|听得见吗|语音打字|语音输入|回复[^，。]{0,4}快|"
                   r"(?:你|你们)?回(?:得|的|复得)[^，。]{0,4}(?:快|慢)|"
                   r"你们(?:一般|平时|周末|晚上|中午|几点)[^，。]{0,8}(?:下班|上班|值班|回消息|回复|休息)|"
                   r"你们(?:是不是)?(?:也|都)?(?:挺|很|太|那么|这么)?(?:忙|辛苦|累)(?:的|吧|吗|啊|呀)?$")
# Someone to talk to instead of the bot.
_BOT_QUESTION = re.compile(r"真人还是|是真人吗|是机器人吗|是不是机器人|是ai吗|"
                           r"真人[^，。]{0,4}还是(?:机器|自动)")
_HUMAN = re.compile(
    r"人工(?!湖|草|智能)|真人|活人|(?:转|找|要|有没有|和|跟|叫)(?:个)?客服|客服(?:在|客服|说|$)|"
    r"不想跟机器人|不要机器人|(?:怎么|咋|为什么|为啥)(?:还是|又是|总是)机器人|不要自动|换(?:个)?(?:真)?人(?!了)|打(?:个)?电话给我|叫个人|让(?:个)?人(?:打|来|给)|^客服|坐席|有个人来|人来回我|工作人员|值班(?:的)?(?:人|人员)|负责人|领导|书记|主任|"
    r"网格员(?:在|联系|给我|过来|是谁)|(?:联系|找|叫)[^，。]{0,10}网格员|"
    r"(?:找|叫|派|安排)(?:个|一个)?人(?:来)?(?:跟|和|给|回|处理|说|$)|我要找人|找个人|要人$|"
    r"(?:给|回)我?(?:打|回)(?:个)?电话|联系我|联系方式|电话多少|当面说|自动回复|别让机器人|"
    r"(?:居委会|社区)的人|"
    # issue 9, round seven: whom they ask for, and how
    r"(?:拨|打)(?:个)?电话给我|管事的|网格长|找[^，。]{0,6}经理|经理[^，。]{0,3}(?:来|叫|电话)|"
    # issue 9, round eight: 来个人吧, 帮我接一下居委会, 电话沟通
    r"来个人(?:吧|呗|跟我|和我|聊)|(?:帮我)?(?:接|转接|接通)(?:一下)?(?:居委会|社区|网格员|人工|客服|领导|"
    r"工作人员)|电话(?:沟通|联系|聊)(?:吗|一下|吧)?$|"
    r"(?:不|不想|不要)(?:再)?(?:跟|和)机器|(?:跟|和)[^，。]{1,4}说话|"
    r"转(?:给|到)[^，。]{0,6}(?:的人|人工|领导|负责)|让(?:他|她)回我|"
    r"(?:让|叫)[^，。]{1,10}(?:打|回)(?:我|个)?电话|派(?:个|一个)?人(?:来)?上门(?:看看|看一下)?(?:吧|吗)?$")
# Issue 9, round eleven: a person asked for by who they are or by a call back, whatever is
# said around it (我是老党员了，我要跟你们书记讲; 請問能否安排專人回電; 请提供辖区民警的联系电话;
# 请转…值班同事; 我要跟人说), not someone to fix a thing (我要找人修).
_ASKS_FOR_PERSON = re.compile(
    r"我(?:要|想)(?:跟|和|找|见)(?:你们)?[^，。！？\s]{0,5}(?:书记|领导|主任|负责人|网格员|工作人员|真人|人)"
    r"(?:本人)?(?:讲|说|谈|聊|通话|当面)?(?=$|[，。！？!?\s])|安排专人|专人(?:回电|联系|对接)|"
    r"(?:能否|能不能|可否|可不可以|请|要求)[^，。]{0,10}回电|"
    r"(?:提供|给我|告诉我)[^，。]{0,10}(?:民警|网格员|书记|主任|负责人|领导|工作人员)[^，。]{0,3}"
    r"(?:联系)?(?:电话|方式|手机)|请转[^，。]{0,10}(?:同事|值班)")
# A worse state of the report's problem told first (现在更严重了，…; 老严重了; 而家仲犀利咗).
_WORSE_NOW = re.compile(r"^(?:现在|而家|这会儿|今天)?(?:比[^，。\s]{1,4})?"
                        r"(?:更加|更|还|仲|老|越来越|愈发)"
                        r"(?:严重|厉害|犀利|大|多)(?:了|咗)(?:[，,。\s]|$)")
# …but not when what follows names a failure, a place or says "too" (…，3号楼的灯也坏了).
_NEW_THING = re.compile(r"坏|不亮|停水|停电|没水|没电|堵|漏|塌|裂|也|[\d]|号楼|栋|单元")
# 让居委会的张主任打我电话 asks for a person; 打我电话 alone tells how to reach the resident.
_CALL_ME_BY = re.compile(r"(?:让|叫)[^，。]{1,10}(?:打|回)(?:我|个)?(?:手机|电话)")
# Parts of a report already made: where, since when, who, what it looks like, evidence sent.
_DETAIL_LEAD = re.compile(
    r"^(?:补充(?:一下)?|忘了说|还有(?!人(?:在|没)?(?:吗|么|嘛|没|不|\?|？|$))|另外|更正(?:一下)?|对[，,\s]*就是|就是上面|就是那|上面说的|"
    r"照片|图片|视频|位置我|我拍了|我电话|电话是|我姓|车牌|人还在|我刚又|就是[^，。]{0,6}(?:说的|反映的)|"
    r"位置在|地点在|地址是|定位|同一个(?:位置|地方)|还是那个(?:位置|地方)|我(?:是)?住(?:在)?[^，。]{1,8}$|"
    r"是(?:楼上|楼下|隔壁|对面|[一二三四五六七八九十\d]+楼)(?:那|的|这)|"
    r"就是[^，。]{0,12}(?:那条|那个事|那件事|那个问题|那一条))")
# A correction of what was said (地址改一下 是南门, 不是7号楼是9号楼, 刚才说错了应该是2单元).
_CORRECTION = re.compile(
    r"^(?:地点|地址|位置|楼号|门牌|房号|时间|单元|楼栋)(?:要)?(?:改一下|改成|更正|说错了|写错了|"
    r"错了|不对)|^(?:不好意思|唔好意思|抱歉|对不起)?(?:我)?(?:刚才|上面)?(?:说错了|写错了|打错了|"
    r"讲错了|讲错咗|说错咗)[^，。]{0,3}(?:是|系|应该是)|"
    r"^不是[^，。]{1,8}?(?:是|而是)[^，。]{1,10}$")


# Details that name the thing, the person or the state rather than a new complaint (issue 9,
# round six): which one (是顶楼那户，就是阳台上摆了好多花盆的那家), what kind (漏的是自来水，不是
# 暖气水), when it happens (晚上八点到十点, 一直响到凌晨两点, 白天看不出来，一到晚上就开始), who
# the resident is or how to reach them (我不是业主，是租户; 电话打不通的话可以加我微信), what was
# meant (我说的是小区外面那条路) and that it is over (现在已经不冒烟了).
_DETAIL_MORE = re.compile(  # matched at the start (re.match), with _DETAIL_ANYWHERE searched
    r"(?:就)?是[^，。]{0,16}(?:那户|那家|那辆|那栋|那位|的那种)(?:人家)?$|"
    r"[^，。]{1,6}的是[^，。]{1,8}不是|(?:我)?(?:说|讲|指)的是|"
    r"(?:每天|一般|大概|基本)?(?:早上|上午|中午|下午|晚上|白天|半夜|凌晨)?[零一二两三四五六七八九十\d]+点"
    r"(?:多|半)?(?:到|至)[^，。]{0,12}|"
    r"一直[^，。]{1,3}到[^，。]{0,8}[点天]|(?:白天|平时|晚上)[^，。]{0,6}一到[^，。]{1,6}就|"
    r"我(?:不是|是)(?:这里的|这儿的)?(?:业主|租户|租客|房东)|我(?:刚)?问了|"
    r"(?:现在)?(?:已经)?不[^，。]{1,3}了$|好几年了|[^，。]{0,8}他们家也(?:一样|是)")
_DETAIL_ANYWHERE = re.compile(r"加我微信|打我(?:手机|电话)")
# Chat that says it is a joke or just talk (气得我冒烟哈哈，开玩笑的; 就是跟你说说): not a report
# whatever it names, however long it rambles.
_JUST_TALK = re.compile(r"开玩笑的|开个玩笑|逗你(?:们)?(?:的|玩)|(?:就是|只是)?跟你(?:们)?说说|"
                        r"随便聊聊|随便聊(?:两|几)句|不是要反映|"
                        r"唠唠嗑|闲聊|没别的事|(?:就|只是)问问[^，。]{0,2}不是(?:要)?(?:投诉|反映)")


def restates_problem(text: str) -> bool:
    """A correction that re-tells the problem (不是漏水是渗水): a report whatever the head says."""
    bare = _bare(text)
    return bool(_CORRECTION.match(bare)) and not _is_correction(bare)


def _is_correction(bare: str) -> bool:
    """A correction that states no complaint of its own (不是漏水是渗水 re-tells the problem)."""
    return bool(_CORRECTION.match(bare)) \
        and not _COMPLAINT_WORD.search(bare.replace("不是", "").replace("不好意思", ""))
# What the reported thing looks, sounds or smells like (声音是咚咚的那种, 水是黄的还有股味):
# told after a report, it describes that report.
_DESCRIPTION = re.compile(
    r"^(?:那个|那|这个)?(?:声音|响声|动静|味道|气味|颜色|水|烟|人|男的|女的|车|狗|猫|车牌)"
    r"(?:是|像|有点|特别|很|挺|好像|听着|闻着|看着|大概|"
    # issue 9, round eight: what it looks like in a doubled word (水黄黄的, 烟灰蒙蒙的)
    r"(?P<aa>[\u4e00-\u9fff])(?P=aa)的|[\u4e00-\u9fff](?P<bb>[\u4e00-\u9fff])(?P=bb)的?)"
    r"[^，。！？]{0,14}$")
_WHEN = re.compile(
    r"^(?:已经|都|差不多|大概|从|自从|有|快|将近|已经快|都快)*(?:[零一二两三四五六七八九十几半多\d]+|好几|十几|一整)"
    r"(?:个)?(?:多)?(?:天|日|周|星期|礼拜|月|年|小时|钟头|分钟|晚)(?:多)?(?:了|前|以前|之前)?"
    r"(?:开始的?|就(?:开始|这样)了?)?$|"
    r"^(?:从|自从)?(?:昨天|昨晚|今天|今早|前天|上周|上个月|去年|前年|刚刚|刚才|早上|晚上|半夜|"
    r"凌晨|中午|下午|周末|每天|天天|\d{4}年)[^，。]{0,10}(?:开始|就这样|发现|的时候|最严重|以后|$)|"
    r"^(?:刚刚|刚才|一直都这样|每次[^，。]{0,6}都这样|持续了[^，。]{0,6}|现在(?:还在|停了|又)[^，。]{0,4}|"
    r"刚才又开始了|还是没人来|还是那样|还没人来)$")
_PLACE_ONLY = re.compile(
    r"^(?:就|是|在|就在|就是|位置在|地点在|地址是?)*(?P<p>.{1,16}?)(?:这边|那边|那儿|那里|这里|旁边|"
    r"附近|对面|楼下|楼上|那户|那家)*(?:啊|呢|吧)?$")
# A place and nothing else: 就在那个路口, 南边那个出口, 四楼那家, 靠近垃圾站那里, 路口往北一百米.
_PLACE_FRAGMENT = re.compile(
    r"^(?:就|是|在|就在|就是|靠近|挨着|离|位置在|地点在|地址是?|我家)*[^，。]{0,12}?"
    r"(?:旁边|边上|跟前|附近|对面|底下|下面|中间|之间|那里|那边|这边|那儿|那家|那户|那个|那段|这块|那块|出口|入口|"
    r"[左右]手边|位置|路口|拐角|后面|前面|门口|[东南西北]边|[东南西北]侧|\d+米|[一二两三四五六七八九十百几]+米|过道)"
    r"(?:的|那个|那里|那边|过道)?(?:(?:挨着|靠着|靠近|对着)[^，。]{1,6}|[左右]转|往[东南西北前后里]走?)?"
    r"(?:啊|呢|吧)?$")
# A state that goes on (还在漏, 还一直在流, 还没停, 现在还有), or a source (声音是从楼上传来的).
_STILL = re.compile(
    r"^(?:现在|目前|到现在|今天|刚才)?(?:还|仍然|依然|一直|还是)(?:一直)?(?:在|有|是|没)?"
    r"[^，。]{0,2}(?:呢|着|的|了)?$|"
    r"^(?:这两天|这几天|最近|每次|每天)?(?:还是)?一直(?:都)?(?:这样|那样|是这样)$|"
    r"^[^，。]{0,6}是从[^，。]{0,8}(?:传来|来|过来|传过来|发出|冒出来|流出来)的?$|"
    r"^(?:停了一会儿?|刚停了?一会儿?|这会儿|现在)?又(?:开始|来|响|漏|吵)(?:了|起来了)$")
_EVIDENCE = re.compile(r"^(?:这是|这个是|我|刚|刚刚|已经|你们)*(?:拍了|拍的|录了|发了|发你|"
                       r"看)?(?:张|个|段)?[^，。]{0,4}"
                       r"(?:照片|图片|图|视频|截图|录音|定位|位置)[^，。]{0,6}$|^(?:刚|刚刚|才)?拍(?:的|了|好了)")
_CLOCK = re.compile(r"^(?:大概|差不多|约|就)?(?:今天|昨天)?(?:早上|上午|中午|下午|晚上|半夜|凌晨)?"
                    r"[零一二两三四五六七八九十\d]+点(?:多|半|左右|钟)?(?:的时候|左右|开始|以后|前后)?$")
# A message that measures itself against the previous one (比刚才还大, 越来越多了).
_FOLLOW_UP = re.compile(r"比刚才|比之前|跟刚才|刚才说的|上面说的|^越来越[^，。]{0,4}了$|"
                        r"比(?:昨天|前天|上午|早上|以前|上次|平时|前几天)(?:还|更)|"
                        r"^(?:现在|这会儿)?[^，。]{0,3}得(?:更|越来越|比刚才还)(?:厉害|大|严重|多|响|快)了$|"
                        r"^[^，。]{0,4}越来越(?:多|大|严重|响|近)了$|^一直没停过?|^到现在还(?:在|是|没)")
# Issue 9, round nine: talk about the conversation or the service itself, not a report.
_ABOUT_THE_TALK = re.compile(
    r"自动回复|重复(?:同一句|一样的|同样的)|(?:那条|刚才那个|上一条)?发错了|不是这个意思|"
    r"(?:能|可以)发(?:消息|语音|图片|照片|视频)|^(?:这个|这|你们这个|这个号|公众号|小程序)怎么用|回复的字|"
    r"(?:又|老是|总)让我评|公众号[^，。]{0,8}(?:人|关注)|转发给我|编号记下|打个招呼|"
    r"(?:你们|您)?也(?:挺|很|蛮)?不容易|"
    # issue 9, round ten: the voice input's words (语音转的字不太准)
    r"语音转(?:的)?(?:字|文字)|转(?:出来|成)?的字|(?:打字|语音)(?:不太)?(?:准|方便)")
_COMPLAINT_FIX = re.compile(r"快来|派人|处理|管管|没人管|投诉|举报")
# Issue 9, round nine: the way an answer to the officer's question starts (是白天 晚上倒还好; 对
# 一直在响; 就那家卖烤串的…; 整栋楼都…, 不光我们家; 比昨天又多了两袋; 差不多每隔半小时…).
_ANSWER_LEAD = re.compile(
    r"^(?:是(?!不是|否|谁|哪|什么|啥|真的|这样|关于|我们|我家|咱)|对(?=\s|，|,)|对的|就(?:是)?那(?:家|个|辆|条|只|栋|户|根)|"
    r"整(?:栋|个单元|个小区|条街)[^，。]{0,4}都|不光我|不止我|影响(?:我们|整|了)|"
    r"比(?:昨天|前天|上午|早上|之前|刚才|上次)|差不多每|大概每|每隔|现场(?:现在)?(?:有|还有)|"
    r"声音(?:是)?(?:一阵|断断续续)|好像是[^，。]{1,6}的)")
# How far it reaches (整栋楼都没水，不光我家) is the problem itself when it names a failure.
_SCOPE_LEAD = re.compile(r"^(?:整|不光|不止|影响)")
# 另外…, 还有个事…: a new problem follows (not 还有就是…, 另外说一下那条狗…, 还有 那辆车…).
_NEW_ITEM = re.compile(r"^(?:另外|还有)(?:个事|一个事|件事|一件事|一个|个)?"
                       r"(?!就是|说|那|这|是|补充|一点|人|我拍|照片|图片|视频)")
# 还有人吗, 有人在吗: asking whether anyone reads (chat), not 还有… adding to the report.
_ANYONE_THERE = re.compile(
    r"^(?:喂+)?(?:还|现在|到底)?有(?:没有)?人(?:在)?(?:吗|么|嘛|没|不|没有)?$")
_WITNESS = re.compile(r"作证|可以证明|也看到了|也听到了|都看见了")
# What a complaint says happens; a fragment with none of these only locates or times one.
_COMPLAINT_WORD = re.compile(r"坏|不亮|漏水|堵|吵|臭|乱|脏|破|裂|塌|积水|停水|停电|没水|没电|冒|"
                             r"烟|火|味|充电|摆摊|"
                             r"广告|垃圾没|没人|占|违建|搭|施工|噪|咬|偷|骗|投诉|反映|举报|漏|堆|挡|倒|丢|没了|掉|满|翻|响|叫|停|不|"
                             r"鬼鬼祟祟|可疑|形迹")
_DETAIL_TAIL = re.compile(r"都这样|是另一个|作证|可以证明|也看到了|也听到了|"
                          r"不是我们(?:单元|楼|家)|物业说[^，。]{0,10}|"
                          r"已经打过[^，。]{0,8}电话了?|穿[^，。]{0,6}衣服|"
                          r"[白黑红蓝灰银]色的?(?:那辆|车|那个)|大概有[^，。]{0,6}人")

# Ratings said in a sentence. Checked in this order: a double negation is praise, a negated
# 满意 is 4, a qualified one 3, an intensified one 1, a plain one 2.
_RATE_DIGIT = re.compile(r"^(?:我)?(?:评价|打|给(?:你们)?打|选|评|给)?(?P<n>[1-4])(?:分|星|吧|个)?"
                         r"(?=$|"
                         r"[^\d])")
_RATE_DOUBLE_NEG = re.compile(r"(?:不是|没有|没什么|没啥|不能说|谈不上|说不上)不满意")
# 「也不能说不满意吧」 is litotes: lukewarm, 3; 「没什么不满意的」 is content, 2.
_RATE_LUKEWARM = re.compile(r"不能说不满意|谈不上不满意|说不上不满意|说不上满意")
_RATE_BAD = re.compile(r"不(?:太|怎么|咋|大|很)?满意|不是(?:很|太|特别)满意|谈不上满意|"
                       r"(?:一点|完全)(?:都|也)?不满意|"
                       r"差评|太差|不太行|一点也不好|很差|非常差|满意不了|不怎么样|差劲|"
                       r"(?:一点)?用都没有|没什么用|白报|失望|寂寞|敷衍|啥也没干|也叫处理|"
                       r"还是老样子|还是照样|等于没|不认可|(?:太|很|真)?差$|太慢(?:了)?|服务态度差|"
                       r"态度差|挂我电话|不咋(?:地|样|的)|"
                       # issue 9, round ten: 满意个锤子 (sarcasm), 唔系几满意 (Cantonese)
                       r"满意个(?:锤子|屁|鬼|头|啥)|(?:唔|不)(?:系|係)(?:几|好|太)?满意|冇(?:乜|咩)?满意")
_RATE_SO_SO = re.compile(r"基本(?:上)?满意|还行|还可以|一般般?|凑合|马马虎虎|就那样|过得去|"
                         r"先这样吧|就这样吧|算是解决|好点了?|好一些|暂时没问题|"
                         r"说得过去|中规中矩|勉强|中评|(?<!不)及格|还算可以|基本认可|麻麻地|中不溜|"
                         r"将就")
_RATE_VERY = re.compile(r"(?:非常|很|特别|超级|超|十分|相当|太|真|好|最|飞常|交关|老老)满意|"
                        r"非常非常|满意极了|"
                        r"五星(?!期|级|酒店|饭店|宾馆|红旗)|满分|一百分|锦旗|没得说|没话说|杠杠的|"
                        r"(?:处理|办|弄|修|干)得(?:特别|非常|太|超级)好|一流|"
                        r"巴适得很|巴适惨了|安逸得很|贼好|(?:老|贼|超|可)满意|(?:超|太|好|真)赞|"
                        r"(?:干|做|弄|修|办)得(?:真|很|太|挺)?漂亮")
_RATE_OK = re.compile(r"满意|挺好|不错|很好|好评|(?:好|强)多了|"
                      r"利索|点(?:个)?赞|锦旗|都夸|弄得好|修得好|"
                      r"巴适|安逸|蛮好|得劲|不赖|没毛病|"
                      r"(?:处理|办|弄|修|干)得(?:很|挺|真)?好|^可以的")
_RATE_BUT = re.compile(r"就是|但是|不过|只是|慢了|有点")
# issue 9, round nine: praise, then what was wrong (人还可以，就是太慢了; 态度挺好 不过拖了一周):
# lukewarm, 3 — the complaint takes the praise down, but not to 不满意 unless it says so or
# nobody came.
_RATE_MIXED = re.compile(
    r"(?:还可以|还行|挺好|不错|很好|蛮好|(?:挺|很|蛮|还)(?:热情|客气|耐心|负责|及时|快)|态度(?:也)?(?:还)?好|"
    r"(?<!不)可以)(?:的|啊|哈)?[，,\s]*(?:就是|但是|但|不过|只是|可是|可惜|就是有点)"
    r"(?![^。！？]{0,14}(?:没来|没人来|根本|白修|没用|又坏|又漏|还在漏))")
_MIXED_COMPLAINT = re.compile(r"慢|晚|久|拖|差|不行|低|不怎么样|不咋|一声|"
                              r"没(?:人)?(?:说|通知|告诉|收拾|补)|坏|弄脏|一塌糊涂")
# Who or what the praise is about when it is a verdict on the work (师傅人挺好; 来得挺快),
# not on a place (小区环境还可以，就是垃圾清运太慢了 is a report).
_PRAISED = re.compile(r"(?:(?:那个|来的|你们的?)?(?:师傅|小伙子|小姑娘|网格员|工作人员|人员|社区)?"
                      r"(?:人|态度|服务|速度|效率|处理|结果|整体|总体|(?:来|修|弄|办|处理|干)得)?"
                      r"(?:也|还|都)?)")
# What a complaint about the handling says that a complaint about a problem also says.
_HARMLESS_PACE = re.compile(r"没人(?:跟我|给我|和我)?(?:说|通知|告诉|打电话)|弄坏|踩坏|碰坏")
_NOT_SATISFIED = re.compile(r"不(?:太|怎么|咋|大|很)?满意|差评|不认可")
# Words that may sit beside a rating without making the message anything else.
_RATE_FILLER = re.compile(r"谢谢|感谢|辛苦(?:你们|了)*|网格员|你们|我觉得|我|给个|算是|也就|吧|的|"
                          r"了|啊|呢|"
                          r"问题解决了|处理得很快|态度好|速度慢了点|就是有点慢|就是慢了点|根本没解决|没解决|"
                          r"还在漏呢|没人来过就说办结了|都挺好|挺好|很好|不错|满意|[!！]+")
# A question asking for information rather than for someone to fix something.
_CONSULT_ASK = re.compile(
    r"请问|问一下|问下|咨询|想问|打听|怎么(?:办理|申请|补办?|交|领|开|报名|登记|查)|如何(?:办理|申请)|"
    r"(?:要|需要)(?:带|准备|满足)?(?:什么|啥|哪些)(?:材料|手续|证件|条件|东西)?|去哪|在哪(?:里)?(?:办|领|交|补|开)|"
    r"哪个窗口|找谁|归谁管|怎么改|是真的吗|在哪(?:里)?上|能不能申请|可以申请|能申请|还能补|什么时候(?:发|办|开始|恢复|来)|几点|有通知吗|"
    # issue 9, round eight: 要到物业备案吗, 有招聘信息吗, 怎么预约
    r"(?:要|需要|得)(?:到|去|跟|向)?[^，。]{0,6}(?:备案|报备|登记|审批)(?:吗|么|不)|"
    r"有(?:没有)?[^，。]{0,6}(?:招聘|信息|活动|名额|课程|培训|讲座)(?:吗|么|没有?)|"
    r"(?:怎么|咋|如何)(?:预约|报名|操作|备案|认证)|"
    r"多少钱|收费标准|有没有(?:什么)?(?:政策|补贴|补助)|"
    r"(?:周[一二三四五六日天末]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|节假日|中午|晚上)"
    r"[^，。]{0,4}(?:上班|开门|办公|营业)(?:吗|么|不|没)")
_FIX_REQUEST = re.compile(r"快来|快派|派人|来人|赶紧|马上|处理一下|管管|管一下|修一下|来修|整治|"
                          r"清理一下|投诉|举报|反映|没人管")


# A verdict said first or last (「不满意 到现在还在漏」, 「处理得挺好 满意」, 「还凑合 下次快点」):
# the message is the rating, whatever reason it gives, when it is short.
_VERDICT = (r"(?:我|我们)?(?:觉得)?(?:对(?:处理结果|这次处理|处理|结果))?(?:也)?"
            r"(?:非常|很|特别|超级|超|十分|相当|挺|比较|还算|基本|"
            r"不太|不怎么|不是很|很不|非常不|"
            r"一点也不|一点都不|也不能说)?(?:不)?满意(?:了|的|吧|啊)?|差评|好评|满分|还行|还凑合|凑合|一般般?|马马虎虎|"
            r"说得过去|过得去|中规中矩|不怎么样|先这样吧|还可以|中评|及格(?:吧)?|"
            # issue 9, round seven: plain verdicts (不错不错, 可以的, 太慢了, 差, 服务一流)
            r"(?:不错)+|可以的|挺好(?:的)?|很好|(?:太|很|真)?差(?:劲)?|太慢(?:了)?|一流|没话说|"
            r"暂时没问题(?:了)?|(?:现在)?(?:好|强)多了|(?:处理|办|弄|修|干)得(?:很|挺|特别|非常|真|太)?(?:好|不错)|"
            r"(?:打|给)?(?:[一二两三四五1-5])(?:颗|个)?星|零分|"
            # issue 9, round eight: verdicts in dialect and slang (巴适得很, 贼好, 还得劲, 没毛病)
            r"巴适(?:得很|惨了)?|安逸(?:得很)?|贼好|蛮好(?:的|额|哦)?|(?:还|真)?得劲|(?:还|真)?不赖|没毛病|"
            r"中不溜(?:吧)?|(?:效果)?不咋(?:地|样|的)|(?:老|贼|超|可)满意(?:嘞|额|了|啦)?|杠杠(?:的)?|"
            r"(?:超|太|好|真)赞(?:的)?|(?:这回|这次)?(?:干|做|弄|修|办)得(?:真|很|太|挺)?漂亮")
_VERDICT_FIRST = re.compile(rf"^(?:效果|结果|处理结果|总体|整体|说实话|给你们打个|给你们打|打个|"
                            rf"给个)?"
                            rf"(?:{_VERDICT})(?=\s|，|,|！|!|。|$)")
_VERDICT_LAST = re.compile(rf"(?:^|\s|，|,|了|弄得|修得|办得)(?:给个|算是)?(?:{_VERDICT})$")
VERDICT_MAX = 24
# A longer message that ends on its verdict (…就算基本满意吧) rates.
LONG_VERDICT_MAX = 60
_LONG_VERDICT = re.compile(
    rf"(?:^|\s|，|,|了|就|算|呢)(?:就算|算是|算|总体|整体|给个|给)?(?:{_VERDICT})[。！!]*$")


# Stars and scores said in words (三颗星, 打五星, 零分): five stars is 1 on our scale, one is 4.
_RATE_STARS = re.compile(r"(?P<n>[一二两三四五1-5])(?:颗|个)?星(?!期|级|酒店|饭店|宾馆|红旗|上将)")
_STARS = {"五": 1, "5": 1, "四": 2, "4": 2, "三": 3, "3": 3, "二": 4, "两": 4, "2": 4, "一": 4,
          "1": 4}
_RATE_ZERO = re.compile(r"零分|0分|负分|不及格|打零|倒扣")
# Work half done, or done with a complaint about how (来了但没修完, 修好了就是通知都没一声): 3.
_RATE_PARTLY = re.compile(
    r"(?:只|就|才)(?:修|弄|处理|搞|干|做|解决)了(?:一半|一部分|个大概)|(?:修|弄|处理|搞|解决)了一半|"
    r"没(?:修|弄|处理|搞)完|治标不治本|"
    r"(?:来了|修了|处理了|解决了|弄好了|修好了|办了|好了)[^。！？]{0,4}(?:但|但是|就是|不过|可是|只是)"
    r"[^。！？]{0,16}(?:态度|通知|一声|慢|拖|冲|凶|不耐烦|不好|差|没说|没回)|"
    # issue 9, round eight: thanks with a reservation about the wait (谢谢 就是来得有点晚)
    r"(?:谢谢|感谢|多谢|谢了)[^。！？]{0,10}(?:就是|但是|但|不过|只是|虽然|可惜)[^。！？，,]{0,5}"
    r"(?:慢|晚|久|拖)|"
    r"(?:虽然|就是|不过|但是)[^。！？，,]{0,5}(?:慢|晚|久|拖)[^。！？]{0,10}(?:谢谢|感谢|总算|终于)")


# A verdict told as a story rather than in rating words (issue 9, round six). Bad: the fix did
# not hold (修完第二天又漏了, 灯倒是修了，没亮几个晚上又黑了), nothing changed (问题照旧,
# 跟没修一样,
# 冇乜改善), nobody came after a promise or a report (说好今天上午来…人呢, 报了三次都没人来),
# sarcasm about speed (效率真高啊，一个月了; 可真是“高效”; 呵呵 真是高效). Good: what was done,
# praised (太给力了，半小时就有人上门; 绝了…第二天就弄完了; 办得漂漂亮亮). A story that also tells
# a new problem (另外…, 对了…) is a report; so is one with a danger (the pipeline checks).
STORY_MAX = 40
_STORY_DONE = re.compile(
    r"(?:修|补|弄|换|搞|处理|清|挪|贴|拖|撤|拉|协调)(?:完|好|过|了)|修是修了|刚[修补换]的|"
    r"(?P<v>[修管弄清拆补换剪])是(?P=v)了|"
    r"来(?<![出回起进又]来)了|来过|来拍|来看|上门|"
    r"说好|说派人|来拍|派人了|报(?:上去|了)|[打催报]了[一二两三四五六七八九十几\d]+(?:次|回|遍|个)|转给|"
    r"说改天|说修好|办结|点了完成|贴了张条|发评价|[修补](?:了)?[一二两三四五六七八九十几\d]+(?:次|回|遍)")
_STORY_BAD_ALONE = re.compile(
    r"(?:跟|和|等于)没(?:修|弄|处理|管)(?:一样)?|白修|问题(?:还在|照旧|依旧|没变|都没解决|根本没解决)|"
    r"(?:没|冇)(?:什么|什|啥|乜)改善|未搞掂|没有然后了|说了也白说|瞎忽悠|修一次坏一次|不认可|"
    r"[有顶](?:啥|什么|乜)用|白跑一趟|问题(?:一点|一点都|一点也)?没动|"
    r"(?:说|显示|你们说)(?:是)?(?:已|已经)?办结[^。！]{0,10}(?:不知道|没人联系|没人来)|啥也不懂|什么都不懂|点了完成|这叫处理|根本没解决|又给我发评价|好什么好|无瘾|都系咁|"
    r"这(?:也)?叫(?:修好|办结|处理|解决|完成|修过|弄好)(?:了)?|还不如不(?:修|弄|管|处理)|"
    r"(?:管|修|弄|处理)成(?:现在)?这(?:样|个样)")
_STORY_BAD = re.compile(
    r"又|还是|照样|照旧|依旧|没人来|都没(?:人)?来|也没来|人呢|根本没(?:人)?来|连个(?:电话|人影|回复|人)都没|"
    r"人影都没|没动静|才(?:来|有)(?:人|了)|一个月才|拖到现在|白跑一趟|才有人|拍了?个照(?:就)?走|看了一眼就走|看了一下[^。！？]{0,10}就走|就走了|没人接|没下文|每次都说|不靠谱|又坏|还没修好")
# issue 9, round nine: a verdict conceded, then qualified (满意是满意，不过…; 解决是解决了 就是等了
# 快一个礼拜; 比上次快点 但还是慢): lukewarm, 3; 4 when what follows says it did not hold.
_CONCEDE = re.compile(r"(?:(?P<v>满意|解决|处理|修好|弄好|好)是(?P=v)|(?P<w>[修弄办清])是(?P=w)好)"
                      r"(?:了|的)?[，,\s]*"
                      r"(?:不过|但是?|就是|可是|只是|可|前后|就)|"
                      r"比(?:上次|上回|以前|之前|原来)(?:快|好)(?:了)?(?:点|一点|些|一些)?[，,\s]*(?:但|但是|不过|就是|可)"
                      r"(?:还是|还|也)?[^，。]{0,3}(?:慢|差|久)")
_CONCEDE_BAD = re.compile(r"又坏|又漏|又堵|又不亮|又开始|还在漏|没用|跟没|不满意")
# 我要给差评，…; 差评！…: a bad review said first, whatever the reason after it.
_BAD_REVIEW = re.compile(r"(?:我)?(?:要|必须|只能)?(?:给|打)?(?:你们|个|一个)?差评")
_QUOTES_CHARS = frozenset("“”\"'‘’「」")
_QUOTES = re.compile("[“”\"'‘’「」]")
_STORY_SARCASM = re.compile(r"真快啊|效率真高|真是(?:好)?(?:高效|效率)|好效率|可真是|厉害了|"
                            r"真服了|呵呵")
_STORY_GOOD = re.compile(
    r"太给力|真给力|必须点赞|夸一句|靠谱|放心|爱了|绝了|漂漂亮亮|快手|这么快|没想到|不到一天|"
    r"第二天就|半小时就|连夜|当场就|特此表扬|亲自来|太好了|仔细|整觉|给力|及时|挺快|很快|"
    r"宽敞多了|总算|终于|不滴了|赞$|"
    r"[一二两三四五六七八九十几半\d]+(?:分钟|个小时|小时|天)就(?:修好|弄好|来了|处理|解决)|还帮我")
# Issue 9, round ten: how much better it is now (好多了, 能睡个安稳觉了, 清净多了). Thanks for
# work told done (修好了，干净多了，谢谢) stays thanks: the conversation reads that as chat when
# no rating is asked for.
_BETTER_NOW = re.compile(r"(?:好|强|清净|安静|干净|方便|亮堂|舒服|顺畅|宽敞)多了|安稳觉|睡个好觉")
_STORY_GOOD_STRONG = re.compile(
    r"太给力|必须点赞|夸一句|爱了|绝了|漂漂亮亮|快手|不到一天|第二天就|半小时就|连夜|当场就|"
    r"特此表扬|亲自来|太好了|仔细|整觉|靠谱")
_STORY_NOT_GOOD = re.compile(r"又|还是|照样|依旧|差|慢|坏|漏|堵|没(?:修|弄|来|人)|吗|"
                             r"(?<![这那什])么|"
                             r"怎么")
_STORY_NEW = re.compile(r"另外|对了|顺便|还有个|还有一|今天[^，。]{0,6}又|又(?:挪|搬|跑|换)到|"
                        r"(?<!上)(?:这次|这回)(?:是|又)")
_PARTY_FIRST = re.compile(r"(?:小区)?(?:物业|城管|开发商|房东|居委会|业委会)")
_DURATION = re.compile(r"[一二两三四五六七八九十几半\d]+(?:个)?(?:多)?(?:天|周|礼拜|星期|月|年)")
_NO_MORE = re.compile(r"没话说|(?:终于|总算)(?:没|不)|不再|没再|不滴了|没(?:什么|啥)可挑")
# A score on a scale of ten or a hundred (打个七十分, 满分十分给八分, 60分，刚及格).
_SCORE = re.compile(r"(?:^|打|给|评|得)(?:个|了)?(?P<n>\d{1,3}|[一二三四五六七八九十百零两]{1,4})"
                    r"分(?!钟|之)")
_CN_NUM = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
           "八": 8, "九": 9}


def _score_number(n: str) -> int | None:
    if n.isdigit():
        return int(n)
    if n == "一百":
        return 100
    if n == "十":
        return 10
    tens, _, ones = n.partition("十")
    if not _:
        return _CN_NUM.get(n) if len(n) == 1 else None
    return _CN_NUM.get(tens, 1 if not tens else -100) * 10 + (_CN_NUM.get(ones, 0) if ones else 0)


def score_rating(bare: str) -> int | None:
    """A score out of ten or a hundred on our 1–4 scale (90+ 1, 75+ 2, 60+ 3, less 4)."""
    m = _SCORE.search(bare)
    if m is None or bare[m.start():m.end() + 2].startswith("十分满") or "十分满意" in bare:
        return None
    n = _score_number(m.group("n"))
    if n is None or n < 0:
        return None
    if n <= 10 and ("满分十分" in bare or "满分10" in bare or "十分制" in bare):
        n *= 10
    elif n <= 10:
        return None  # 0/5/10 are drawn_rating's; 3分 is the digit rating
    return 1 if n >= 90 else 2 if n >= 75 else 3 if n >= 60 else 4


def story_rating(text: str) -> int | None:
    """The rating of a short verdict told as a story (see _STORY_*), or None."""
    bare = _bare(to_plain(text))
    if not bare or len(bare) > STORY_MAX:
        return None
    if bare.startswith(("请问", "为什么", "为啥", "问一下", "想问")):
        return None  # 请问为什么…每次都说已办结: a question about the handling, not a verdict
    if bare.startswith(("能不能", "能否", "可不可以", "可以让", "请", "麻烦", "希望")):
        return None  # 能不能让李书记亲自来看看 asks for someone (round ten)
    if _BUT_ELSEWHERE.search(bare):
        return None  # 路灯修好了，但是3号楼门口的井盖又没了: another thing, a report (round ten)
    if _QUOTES_CHARS.intersection(bare):
        bare = _QUOTES.sub("", bare)  # 真是“高效”啊: the quotes are the sarcasm
    if _STORY_NEW.search(bare) is None and not new_problem(bare):
        if _CONCEDE.search(bare):
            return 4 if _STORY_BAD_ALONE.search(bare) or _CONCEDE_BAD.search(bare) else 3
        if _BAD_REVIEW.match(bare):
            return 4
    done = _STORY_DONE.search(bare)
    alone = _STORY_BAD_ALONE.search(bare)
    sarcasm = _STORY_SARCASM.search(bare)
    good = _STORY_GOOD.search(bare) or (
        _BETTER_NOW.search(bare)
        if not (_THANKS.search(bare) and _RESOLVED.search(bare)) else None)
    if not (done or alone or sarcasm or good or "分" in bare) \
            or _STORY_NEW.search(bare) or _PARTY_FIRST.match(bare) or "：" in text or ":" in text:
        return None  # a colon introduces the complaint; 物业… first is the company's service
    if "👍" in text and done and not _STORY_BAD.search(bare):
        return 1 if text.count("👍") >= 3 else 2  # 👍 弄好了
    score = score_rating(bare)
    if score is not None:
        return score
    if alone:
        return 4
    fixed = done
    if done and (bare[done.start() - 1:done.start()] in ("没", "不", "未")
                 or _COMPLAINT_WORD.search(bare[:done.start()].replace("倒是", ""))
                 or _DURATION.match(bare, done.end())):
        fixed = None  # 楼道灯坏了报修三次没人来 states the problem first; 修了半年了 is not done
    if (fixed or sarcasm) and _STORY_BAD.search(bare):
        return 4
    if sarcasm and ("高效" in bare or "效率" in bare):
        return 4  # 呵呵 真是高效
    if good and not _STORY_NOT_GOOD.search(_NO_MORE.sub("", bare)) and (
            done or _THANKS.search(bare) or _STORY_GOOD_STRONG.search(bare)):
        return 1 if _STORY_GOOD_STRONG.search(bare) else 2
    return None


# (打N分 is not it: writers read it as points, 打四分 the best, 打一分 the worst.)
_CHOSEN = re.compile(r"(?:选|选择|回复)(?P<n>[1-4])(?![\d分星号楼栋幢])")


def _rating_value(bare: str) -> int | None:
    chosen = _CHOSEN.search(bare)
    if chosen is not None:
        return int(chosen.group("n"))
    score = score_rating(bare)
    if score is not None:
        return score  # 满分十分给七分 is 3, not 满分's 1
    if _RATE_ZERO.search(bare):
        return 4
    stars = _RATE_STARS.search(bare)
    if stars:
        return _STARS[stars.group("n")]
    if _RATE_PARTLY.search(bare):
        return 3
    if _RATE_LUKEWARM.search(bare):
        return 3
    if _RATE_DOUBLE_NEG.search(bare):
        return 3 if _RATE_BUT.search(bare) else 2
    mixed = _RATE_MIXED.search(bare)
    if mixed and _MIXED_COMPLAINT.search(bare, mixed.end()) and not _NOT_SATISFIED.search(bare):
        return 3
    if _RATE_BAD.search(bare):
        return 4
    if _RATE_SO_SO.search(bare):
        return 3
    if _RATE_VERY.search(bare):
        return 1
    if _RATE_OK.search(bare):
        return 2
    return None


# Whose service a 满意 is about, when it is named just before (对物业的服务不满意: a complaint).
_PARTY_OF = re.compile(r"对[^，。]{0,8}(?:物业|城管|开发商|居委会|业委会|房东|街道|公司|服务)")
# A message of up to 40 characters that ends on a plain 满意 verdict (…只能说基本满意; …问题也解决
# 了，我这边满意; …我很满意，非常非常): the verdict is the answer, what comes before is why.
_ENDS_SATISFIED = re.compile(
    r"(?:^|\s|，|,|。|了|就|算|呢|说)(?:只能说|就算|算是|总体(?:上|来说)?|整体|总的来说|总之|所以|我这边|给个|"
    r"我们|我|反正)?(?:还是|也|就|都)?(?:非常|很|比较|基本|挺|不太|不是很|不怎么|不)?满意"
    r"(?:吧|了|的|啦)?(?:[，,\s]*(?:非常)+)?[。！!]*$")


def ending_verdict(text: str) -> int | None:
    """The rating of a message too long for `rating_in` that ends on its verdict: the value of
    that verdict (结果还行，过程太折腾…就基本满意吧 is 3), or None."""
    plain = to_plain(text).strip()
    n = len(_bare(plain))
    if n <= THANKS_MAX:
        if "满意" not in plain:
            return None
        m = _ENDS_SATISFIED.search(plain)
        if m is not None and _PARTY_OF.search(plain, max(0, m.start() - 12), m.start() + 1):
            return None  # 居民对物业的服务很不满意 complains about the company
    elif THANKS_MAX < n <= LONG_VERDICT_MAX:
        m = _LONG_VERDICT.search(plain)
    else:
        return None
    if m is None or new_problem(_bare(plain)):
        return None
    # the value of the clause the verdict is in (也不能说不满意吧 is lukewarm, not 不满意)
    at = plain.rfind("满意", 0, m.end())
    if at < 0:
        at = m.start()
    cuts = "，,。！!？?；; "
    start = max(plain.rfind(c, 0, at) for c in cuts) + 1
    end = min((i for i in (plain.find(c, at) for c in cuts) if i >= 0), default=len(plain))
    return _rating_value(plain[start:end]) or _rating_value(m.group()) or rating_value(text)


def rating_in(text: str) -> int | None:
    """The 1–4 rating of a message that is a rating, said any way (「还行吧基本满意」 → 3,
    「不太满意」 → 4, 「给你们打2」 → 2), or None when the message is something else."""
    bare = _bare(to_plain(text))
    if not bare or len(bare) > 20 or bare.endswith(("吗", "么", "没")):
        return None  # 满意吗 asks, it does not rate
    m = _RATE_DIGIT.match(bare)
    if m:
        rest = bare[m.end():]
        if not rest or _rating_value(rest) is not None:
            return int(m.group("n"))
        return None
    spaced = re.sub(r"\s+", "，", to_plain(text).strip())
    value = _rating_value(spaced)
    if value is None:
        return None
    verdict = to_plain(text).strip()
    if len(bare) <= VERDICT_MAX and (
            _VERDICT_FIRST.search(verdict) or _VERDICT_LAST.search(verdict)):
        return value
    # a score, or work half done, is a verdict wherever it stands, unless the rest says what
    # else is wrong (路只修了一半就停工了 reports a stalled road)
    mixed = _RATE_MIXED.search(bare)
    if mixed and len(bare) <= VERDICT_MAX and _MIXED_COMPLAINT.search(bare, mixed.end()) \
            and not new_problem(bare) and not _PROBLEM.search(bare) \
            and _PRAISED.fullmatch(bare, 0, mixed.start()) \
            and not _COMPLAINT_WORD.search(_HARMLESS_PACE.sub("", bare[mixed.end():])):
        return value  # 师傅挺客气的，就是拖得太久了: the praise and its complaint are the verdict
    scored = _RATE_ZERO.search(bare) or _RATE_STARS.search(bare) or _RATE_PARTLY.search(bare)
    if scored and len(bare) <= VERDICT_MAX \
            and not _COMPLAINT_WORD.search(bare[:scored.start()] + bare[scored.end():]):
        return value
    leftover = _RATE_FILLER.sub(
        "", _RATE_BAD.sub("", _RATE_SO_SO.sub("", _RATE_VERY.sub("", bare))))
    return value if len(leftover) <= 3 else None


def to_plain(text: str) -> str:
    global _last_plain
    last = _last_plain
    if last[0] == text:
        return last[1]
    out = _SYMBOLS.sub(" ", text)
    _last_plain = (text, out)
    return out


def is_chat(text: str) -> bool:
    """Acknowledgements, greetings, thanks, emoji, small talk and questions about the bot."""
    plain = _bare(to_plain(text))
    if len(plain) <= 16 and _DAY_TALK.search(plain) \
            and not _COMPLAINT_WORD.search(plain.replace("不错", "")):
        return True  # 今天天气真好 去公园遛弯了
    if len(plain) <= 30 and _PERSONAL.search(plain) and not _TURN.search(plain) \
            and not _COMPLAINT_WORD.search(_HARMLESS_NOT.sub("", plain)) \
            and not _NEWS_THEN_ASK.search(plain):
        return True  # 我女儿今年考上大学了，高兴，跟你们说一声
    return is_small_talk(text) or (len(plain) <= 20 and bool(_META.search(plain)))


# Personal news and remarks shared with the service (请你们吃喜糖, 头像挺可爱, 笑死我了).
_PERSONAL = re.compile(r"喜糖|满月|考上|过生日|生日快乐|高兴|开心|可爱|笑死|头像|教我用|"
                       r"跟你们说一声$|跟你们分享|"
                       # issue 9, round ten: the day's food and prices (香得很; 才两块五一斤)
                       r"饺子|包子|馅的|香得很|好吃得很|真好吃|才[^，。]{1,4}(?:块|元)[^，。]{0,2}一斤")
# …but a turn to a complaint (菜价才两块一斤，但是缺斤少两) is a report.
_TURN = re.compile(r"但是|但|可是|不过|就是|缺斤|短斤|少两|坑人")


# 孩子考上大学了…有没有助学金可以申请: the news leads to a question for the service desk.
_NEWS_THEN_ASK = re.compile(r"有没有|能不能|可不可以|怎么(?:申请|办|弄)|如何|申请|[吗么][？?]?$")
_DAY_TALK = re.compile(r"天气(?:真|很|挺|不错|好)|早上好|晚上好|下午好|晚安|周末愉快|"
                       r"吃了(?:吗|没)|哈哈|笑死|hhh|233|嘻嘻|嘿嘿|[（(]笑[)）]")


# 人工, 真人, 客服 typed in pinyin (rengong, zhuan ren gong, kefu).
_HUMAN_PINYIN = re.compile(r"^rgkf$|"
                           r"^(?:a ?)?(?:human|real ?person|agent|operator)(?: ?please| ?pls)?$|"
                           r"^(?:wo ?yao ?|zhuan ?|zhao ?)?"
                           r"(?:reng? ?g?ong|zhen ?ren|ke ?fu|huo ?ren)"
                           r"(?: ?fu ?wu| ?ke ?fu)?"
                           r"(?: ?(?:zai ?ma|zai ?bu ?zai|ne|a|ba|pls|please))?$")


def is_small_talk(text: str) -> bool:
    """Nothing but acknowledgements, greetings, wishes, thanks or emoji (中秋快乐 祝社区工作人员
    节日快乐 names staff without asking for one)."""
    plain = _bare(to_plain(text))
    if not plain:
        return True
    if plain.isdigit() or plain.isascii() and len(plain) <= 8 and not _HUMAN_PINYIN.match(plain):
        return True  # 123, hi, ok: nothing a report could be
    return bool(_CHAT.match(plain)) or closing_talk(text) or bool(_STICKERS.match(text.strip()))


# WeChat's stickers arrive as their names in brackets ([捂脸], [握手][握手], [动画表情]).
_STICKERS = re.compile(r"^(?:\[(?!图片|视频|照片|语音|位置|文件|定位)[^\[\]]{1,6}\]\s*)+$")
# …while a photo, a video or a place sent shows up as its kind in brackets: evidence.
_MEDIA = re.compile(r"^(?:\[(?:图片|视频|照片|语音|位置|文件|定位)\]\s*)+$")


def is_human(text: str) -> bool:
    plain = _bare(text)
    if _HUMAN_PINYIN.match(plain.lower()):
        return True
    return len(plain) <= 30 and bool(_HUMAN.search(plain)) and not _BOT_QUESTION.search(plain)


def is_detail(text: str, location_only: bool) -> bool:
    """A piece of the previous report: its place alone, a time, evidence sent, a description."""
    plain = _bare(text)
    if not plain or len(plain) > 24:
        return False
    if location_only or _WHEN.match(plain) or _DETAIL_LEAD.match(plain) or is_fragment(text) \
            or _DESCRIPTION.match(plain) or _is_correction(plain):
        return True
    return len(plain) <= 14 and bool(_DETAIL_TAIL.search(plain))


def is_fragment(text: str) -> bool:
    """A piece of a report without a complaint of its own, even when it names a place or a
    thing that is a domain word (靠近垃圾站那里, 红绿灯旁边, 还在漏, 刚拍的, 两点多的时候)."""
    plain = _bare(text)
    if not plain or len(plain) > 16 or _ANYONE_THERE.match(plain):
        return False
    if _STILL.match(plain) or _CLOCK.match(plain) or _WITNESS.search(plain) \
            or _FOLLOW_UP.search(plain):
        return True
    return bool(_PLACE_FRAGMENT.match(plain) or _EVIDENCE.match(plain)) \
        and not _COMPLAINT_WORD.search(plain)


# Water standing where it should not, or a place that floods whenever it rains (门口那块地方
# 一下雨就一大片水): the complaint itself, though no complaint word names it.
_STANDING_WATER = re.compile(r"一(?:大)?(?:片|滩|摊|汪)(?:的)?水|全是水|都是水|泡在水|淹|"
                             r"(?:一|每次|每逢|只要)下雨就|一到下雨")


def states_complaint(text: str) -> bool:
    """The message says what is wrong (坏, 漏, 臭, 占 …), not only where or when."""
    bare = _bare(text)
    return bool(_COMPLAINT_WORD.search(bare) or _STANDING_WATER.search(bare))


def is_consult(text: str, category: str, urgency: str) -> bool:
    """A question for information (how to apply, who is in charge, when it comes back)."""
    if urgency == "urgent":
        return False
    if category == "consult":
        return True
    return (len(_bare(text)) <= CONSULT_MAX and bool(_CONSULT_ASK.search(text))
            and not _FIX_REQUEST.search(text) and not _COMPLAINT.search(text))


ACTS = ("report", "consult", "chat", "detail", "rating", "human", "command")
_ACT_OF = {"greeting": "chat", "thanks": "chat", "chat": "chat", "help": "command",
           "query": "command", "cancel": "command"}


def act_of(intent: str) -> str:
    """The conversation's value for a fine intent: report | consult | chat | detail | rating |
    human | command."""
    return _ACT_OF.get(intent, intent)


# --- issue 9, round seven: details, ratings and chat told in more ways ---------------------

# A follow-up announced as one (补充说明：…, 补一句：…, 补充下，…) belongs to the report before,
# however long (the formal register adds a paragraph), unless it brings a new problem.
FOLLOW_UP_MAX = 80
_FOLLOW_UP_LEAD = re.compile(r"^(?:(?:来电人|市民|居民|网格员|业主)[^，。：:\s]{0,6}?)?"
                             r"(?:再)?补(?:充)?(?:一下|下|说明|一句|两句|几句|个情况|充一下|位置|情况|地址)?"
                             # issue 9, round eleven: 来电人补充位置：…; 补一句 那个坑在…
                             r"(?:\s*[：:，,]|(?<=[句下])\s+(?=\S))")
# Issue 9, round eleven: what was left out or asked for, told as such (刚才忘说了，…; 俺再说一下
# …; 你们问多大 我估计…; 哪里？就刚才说的那个地方; 还有个事情 不是新问题 就是…).
_TOLD_AGAIN = re.compile(r"^(?:刚才|刚刚|还有个事情?|对了)?[\s，,]*"
                         r"(?:忘(?:了)?说了|忘记说了|忘了讲|"
                         r"(?:俺|我)?再说一下|不是新问题)|"
                         r"^(?:你们|你)?问(?:的是)?(?:哪里|哪儿|哪|多大|多宽|多长|多久|什么时候|几点|是谁|"
                         r"谁|哪家|哪个)[？?\s，,]|^(?:哪里|在哪)[？?]\s*就")
# 补充一下另外 …: a follow-up lead that announces another problem is a report.
_ANOTHER_AFTER_LEAD = re.compile(r"^[^，。]{0,8}?补(?:充)?(?:一下|下|一句)?"
                                 r"(?:另外|另一个|另外一个|还有一个)")
# A new problem in the same breath (另外…, 对了…, 不过今天我发现…) after a verdict or thanks.
_NEW_LEAD = re.compile(r"另外|对了|顺便|还有个|还有一|"
                       r"(?:不过|但是|可是|还有)[^，。]{0,6}(?:发现|看到|看见)|"
                       # issue 9, round eight: 这次是…, 但今天…又 (…但今天那个摊贩又来了)
                       r"(?<!上)(?:这次|这回)(?:是|又)|(?:但|但是|不过|可是)[^，。]{0,3}"
                       r"(?:今天|这次|这回|现在|最近|这两天|昨天|今早|刚才)")


# Asked of the same bare text two or three times a message (intent_of, reply_rating,
# told_detail, done_but …): the last answer is kept, as _bare's.
_last_new: tuple[str, bool] = ("", False)


def new_problem(bare: str) -> bool:
    """A new problem follows (满意，另外东门那个路灯又不亮了): the message is a report."""
    global _last_new
    last = _last_new
    if last[0] == bare:
        return last[1]
    m = _NEW_LEAD.search(bare)
    out = m is not None and bool(_COMPLAINT_WORD.search(bare, m.end()))
    _last_new = (bare, out)
    return out


# The answer to the rating prompt in its own form (选1, 回复4, 回3, 给个3吧, 选4吧，拖了太久)
# or in pinyin (manyi, fei chang man yi, bu manyi).
_REPLY_RATING = re.compile(r"^(?P<p>打分的话|打分|评分的话|评分|评价)?[:：]?(?:就|我)?(?:觉得|看)?"
                           r"(?:可以|就)?"
                           r"(?P<v>回复|回|选|选择|评|给个|打个|打|给)?(?P<n>[1-4一二三四])(?!星|颗|个星)(?:分|号)?"
                           r"(?:吧|啊)?(?=$|[，,。！!\s])")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}
# A verdict, then the digit alone at the end (好得很 1; 亮了亮了 终于亮了 1): the reply.
_TRAILING_DIGIT = re.compile(r"\s(?P<n>[1-4])$")
# Issue 9, round eleven: the digit first, then a few words (4 一点用没有; 1 师傅很负责), not a
# building or a floor (3 号楼…, 2 楼道…).
_LEADING_DIGIT = re.compile(r"^(?P<n>[1-4])(?:分|星)?[\s，,。.:：]+(?![楼号栋幢层单元室])"
                            r"(?P<rest>\S.{0,15})$")
# Stars given first, then why (两颗星，人来了，活干得稀里糊涂…).
_ADDRESS_WORD = re.compile(r"楼|栋|幢|单元|室|号|层|门牌")
_LEADING_STARS = re.compile(r"^(?:给)?(?P<n>[一二两三四五1-5])(?:颗|个)星(?:吧)?[，,。！!\s]")
_PINYIN_RATING = re.compile(r"^(?P<q>fei ?chang ?|hen ?|bi ?jiao ?|ji ?ben ?|bu ?(?:tai ?)?)?"
                            r"man ?yi$")
_PINYIN_VALUE = {"fei": 1, "hen": 1, "bi": 2, "ji": 3, "bu": 4}


def reply_rating(text: str) -> int | None:
    plain = to_plain(text).strip().lower()
    m = _REPLY_RATING.match(plain)
    if m and (m.group("p") or m.group("v")) and (m.group("n").isdigit() or m.group("v")):
        n = m.group("n")
        value = _CN_DIGIT.get(n) or int(n)
        if m.group("v") == "打" and "分" in m.group():
            value = 5 - value  # 打四分 counts points, the corpus's writers agree: 4 is the best
        return None if new_problem(_bare(plain)) else value
    lead = _LEADING_DIGIT.match(plain)
    rest = lead.group("rest") if lead else ""
    if lead and not new_problem(_bare(plain)) and not any(c.isdigit() for c in rest) and (
            _rating_value(rest) is not None or not _COMPLAINT_WORD.search(rest)):
        return int(lead.group("n"))
    tail = _TRAILING_DIGIT.search(plain)
    if tail and len(_bare(plain)) <= VERDICT_MAX and not new_problem(_bare(plain)) \
            and not _ADDRESS_WORD.search(plain) and (
                _rating_value(plain[:tail.start()]) is not None
                or not _COMPLAINT_WORD.search(plain[:tail.start()])):
        return int(tail.group("n"))
    stars = _LEADING_STARS.match(plain)
    if stars and len(_bare(plain)) <= LONG_VERDICT_MAX and not new_problem(_bare(plain)):
        return _STARS[stars.group("n")]
    p = _PINYIN_RATING.match(plain)
    if p:
        q = (p.group("q") or "").strip()
        return next((v for k, v in _PINYIN_VALUE.items() if q.startswith(k)), 2)
    return None


# Words with 不/没 that complain about nothing (不方便, 不在家, 能不能看到).
_HARMLESS_NOT = re.compile(r"不方便|不在家|不着急|不好意思|不打扰|不清楚|不知道|不确定|"
                           r"不一定|不止|不是|能不能看到|看不看得到|没变化|不怎么(?:见|来|在|出现|看到)|"
                           r"不会(?:用|打字|弄|操作|上网)|"
                           # round ten: 满月 is a baby's first month, 打翻了 a cat's play
                           r"满月|(?:猫|狗)[^，。]{0,4}打翻了?")
# Who the resident is, how to reach or meet them.
_CONTACT = re.compile(r"1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|联系人|手机号|联系电话|"
                      r"白天(?:都|均)?(?:在家|能打|可以打|能接)|随时(?:配合|联系|可以)|"
                      r"可以带你们去|我在现场|来之前(?:先)?(?:给我)?打|上门前|我白天上班")
_WHO = re.compile(r"^我(?:们)?(?:是|就是)[^，。]{0,8}"
                  r"(?:住户|业主|租户|租客|居民|邻居|的)(?:[，,]|$)|"
                  r"^我(?:爸|妈|家老人|老伴|奶奶|爷爷|外婆|姥姥)[^，。]{0,4}"
                  r"(?:\d+|[一二三四五六七八九十]+)(?:多)?岁|^家里就|"
                  r"^我是(?:帮|替|给)(?:我)?[^，。]{1,4}(?:问|反映|发|说)的")
# Which one (最里面那盏灯, 左边第二个井盖, 东门进来左手边第二个垃圾桶那).
_WHICH = re.compile(r"^(?:就是)?(?:最(?:里面|外面|里边|外边|东|西|南|北|左|右|前|后|上|下|顶|底)"
                    r"[边头面]?|[左右前后东西南北]边?(?:数)?第[一二三四五六七八九十\d]+|"
                    r"第[一二三四五六七八九十\d]+)|[左右](?:手)?边(?:数)?第[一二三四五六七八九十\d]+")
# How many, and what they look like (有两只，一只黄的一只花的; 大概十来个人，都是上了年纪的).
_COUNT = re.compile(r"^(?:我)?(?:数了一?下)?(?:大概|差不多|一共|总共|至少|起码)?(?:有)?"
                    r"[一二两三四五六七八九十几\d]{1,3}(?:来|多)?(?:个|只|条|辆|包|家|户|位|棵|根|盏|"
                    r"处|堆|袋)|^(?:他们|他|她|那|这)家(?:养了|有)")
# A state that changed since the report (水已经退了一半, 味道淡一点了, 刚又响了一次, 还是老样子).
_SUBSTANCE = r"(?:水|味道|气味|味儿?|声音|声|烟|噪音|动静|雨|火|积水|水位|那个味)"
_UPDATE = re.compile(
    rf"^(?:现在|目前|这会儿|刚才|刚刚)?{_SUBSTANCE}?(?:现在|已经|又)?"
    r"(?:退了|小(?:了)?(?:一)?(?:点|些|多了)|淡(?:了)?(?:一)?(?:点|些)|少(?:了)?(?:一)?(?:点|些)|"
    r"轻(?:了)?(?:一)?(?:点|些)|不(?:滴|冒|响|漏|吵|流|叫|臭)了|好(?:一)?(?:点|些)了)|"
    r"^(?:现在|已经|目前)停了|"
    rf"^{_SUBSTANCE}?(?:已经|现在|早就?)?(?:被)?(?:灭了|熄了|扑灭了|散了|退下去了)|"
    r"^(?:刚|刚刚|刚才)?又(?:响|来|漏|冒|吵|叫|开始)(?:了|起来了)(?:一次|一下|一阵|一会儿?)?$|"
    r"^(?:还是)?(?:老样子|跟(?:之前|以前|前天|昨天|上次|原来|刚才|早上)一样)|^还在(?:那|那儿|那里|原地)?(?:[，,]|$)|"
    r"^(?:上述|以上|该|这个)(?:情况|问题)(?:目前|至今|到现在)?(?:仍|依然|还|仍然)(?:未|没)")
# When it happens (是每周二和周五晚上…, 差不多每隔半小时一次, 下雨天就特别明显, 气味晚上更重).
_RECUR = re.compile(
    r"^(?:他们|他|她|那人|人)?(?:是|差不多|大概)?"
    r"(?:每周|每星期|每个?礼拜|每天|每晚|每隔|"
    r"(?:一般|通常|基本上|大多)(?:是|在)?(?:早上|上午|中午|下午|晚上|白天|半夜|凌晨|周末|夜里|"
    r"[零一二两三四五六七八九十\d]+点))|"
    rf"^(?:一到)?{_SUBSTANCE}?(?:下雨天?|雨天|晴天|晚上|夜里|白天|周末|刮风|天热|夏天|冬天)[^，。]{{0,3}}"
    r"(?:就|更|特别|比较|最)(?:明显|严重|重|厉害|多|大|响)")
# What it is, said with 是 (那个摊子是卖烤红薯的, 应该是楼上602, 好像是施工队的，穿橘黄色背心).
_IS_DESC = re.compile(r"^(?:那个|那|这个|这|就是|对)?[^，。是]{0,5}?"
                      r"(?<![说真还可但倒总只要凡原])(?:是|像是|好像是|应该是|大概是|估计是)"
                      r"(?!不是)(?![^，。]*(?:还是|什么|谁|哪|吗|呢$))[^，。]{1,16}$")
_KIND_OF = re.compile(r"是那种|像是那种|是一种|的那种")
_CHRONIC_WORD = re.compile(r"天天|每天|一直|老是|经常|总是")
# A person, an animal or a thing described (那人戴个鸭舌帽 骑蓝色电动车, 那隻狗是黑色的).
_THING_DESC = re.compile(r"^(?:那|这)(?:个|隻|只|条|辆|两个|几个)?"
                         r"(?:人|男的|女的|男人|女人|司机|小孩|老头|狗|猫|车|摊子?|店|棚子?)"
                         r"[^，。]{0,2}(?:戴|穿|骑|开着?|个子|长得|大概|是|有|养|叫)")
_PLACE_IN = re.compile(r"^(?:就)?在[^，。]{2,18}"
                       r"(?:站|门|口|路|街|号|区|上|里|边|处|地|那|旁|侧|楼|层|场|园|院|店|下|面)"
                       r"(?:那|那里|那儿|那边)?$|^[^，。]{1,6}的(?:地方|位置)(?:在|是)")
_ADDRESS = re.compile(r"^[^，。]{2,10}(?:路|街|巷|里|村|苑|园)[^，。]{0,6}\d+号(?:楼|院)?$|"
                      r"^\d{1,3}[-－]\d{1,3}(?:[-－]\d{1,4})?$")
_RECORDED = re.compile(r"^(?:我)?(?:刚才|刚刚|刚)?(?:拍了|录了|发了|拍的|录的)"
                       r"(?:一段|一张|几张|个|段|张)?(?:照片|图片|视频|录音|声音|语音)")
# Where it is versus where it is not (我们这边是和平街道的，不是隔壁那个社区).
_IS_NOT = re.compile(r"^[^，。]{0,8}是[^，。]{1,10}[，,]不是[^，。]{1,10}$")
DETAIL7_MAX = 30
# What a detail does not say: violence, damage, a new hazard (两户人家在楼道打起来了).
_MORE_COMPLAINT = re.compile(r"打起来|打架|砸|拆|爆|泡坏|溅|赌|扔|晃|歪|碎|撞|空了|坑|淹")
_DAMAGE = re.compile(r"坏|破|裂|塌|堵|物业|投诉|反映|泡|冒|淹|烂|脏|烧|熏黑|黑乎乎")
# Confirming which one, or what was said (对，就是那个，灰色的…; 就是我上午说的那个坑…), a
# correction of a word (是南门，我刚说成北门了), how long or how often, with nobody come yet
# (三天了都没人来弄; 不止一次了，上礼拜也这样), a measurement of the thing (那个坑我量了…),
# a state worse at some time (气味晚上更重), the people out (人已经被救出来了).
_CONFIRM = re.compile(r"^(?:对|对的|是的|没错)[，,\s]*(?:就是)?"
                      r"(?:那个|这个|它|那辆|那家|那栋|那只)|"
                      r"^就是我(?:刚才|上午|早上|昨天|下午|之前)?(?:说|讲|反映)的")
_SAID_WRONG = re.compile(r"说成|说错了?|写错了?|记错了?")
_STILL_NOBODY = re.compile(
    r"^(?:已经|都)?(?:[一二两三四五六七八九十几半\d]+|好几|十几)(?:个)?(?:多)?(?:天|周|星期|礼拜|月|年)了"
    r"[，,\s]*(?:都|也|还|一直)?(?:没人|没有人)(?:来|管|处理|弄|问)|^不止一次了?|(?:也|都)这样$")
_MEASURED = re.compile(r"量了|(?:^那个|^这个|^那)[^，。]{0,6}(?:有)?"
                       r"[一二两三四五六七八九十几\d]+多?"
                       r"(?:公分|厘米|米)(?:深|宽|高|长)?|"
                       # how big, in the measures at hand (堆了快一人高, 裂缝有一指宽)
                       r"(?:快|有|足有|差不多|将近)?(?:一|半|两)(?:人|个人)(?:多)?高|"
                       r"(?:有)?[一两三四五六七八九十几半]+(?:指|拳|巴掌|根手指)(?:多)?(?:宽|深|长|粗)")
_WORSE_WHEN = re.compile(
    rf"^(?:一到)?{_SUBSTANCE}?(?:下雨天?|雨天|晴天|晚上|夜里|白天|周末|刮风|天热|夏天|冬天)[^，。]{{0,3}}"
    r"(?:就|更|特别|比较|最)(?:明显|严重|重|厉害|多|大|响)")
_PLACE_NAME = re.compile(r"^[^，。]{2,8}(?:社区|小区|花园|新村|大院)$|"
                         r"^[^，。]{0,6}(?:名字叫|名叫|叫做|店名叫|名字是)|"
                         r"^(?:那个|那个地方|那地方|地方|位置|地点)(?:就|是)?在")
_HOW_LONG = re.compile(r"^(?:断断续续|陆陆续续|前前后后|反反复复)?"
                       r"(?:差不多|大概|已经|都)?(?:持续|有)?(?:了)?"
                       r"[一二两三四五六七八九十几半多\d]+(?:个)?(?:多)?(?:小时|钟头|天|周|星期|礼拜|月|年|分钟)(?:了)?(?:吧|啊|呢)?$")
_COUNT_IN = re.compile(r"(?:有|来了)(?:大概|差不多)?"
                       r"[一二两三四五六七八九十几\d]{1,3}(?:来|多)?个人")
# …nor small talk that happens to say who the resident is (我是新搬来的，先来打个招呼).
_CHATTY = re.compile(r"随便问问|打(?:个)?招呼|可爱|便宜|哈哈|怀疑人生|\[图片\]|干嘛用|公众号")
_CLAUSE_CUT = re.compile(r"[，,。！!？?；;\s]+")
_last_clauses: tuple[str, list[str]] = ("", [])


def _clauses_of(plain: str) -> list[str]:
    """The text's clauses (cut at punctuation and spaces, none empty), not to be changed: the
    last text's are kept (nudge, closing_talk and told_detail cut the same one)."""
    global _last_clauses
    last = _last_clauses
    if last[0] == plain:
        return last[1]
    out = [c for c in _CLAUSE_CUT.split(plain) if c]
    _last_clauses = (plain, out)
    return out
# Who did it, described (穿红衣服的老头，每天下午三点左右来; 老太太头发花白，推个买菜的小车).
_PERSON_DESC = re.compile(
    r"^(?:是)?(?:一个|个|那个)?(?:穿|戴|背|推|拿|骑|开)[^，。]{1,8}的(?:老头|老太太|老太|男的|女的|男人|女人|"
    r"人|小伙子?|年轻人|大爷|大妈|阿姨|老人|小孩|师傅)|"
    r"^(?:那个)?(?:老头子?|老太太|男的|女的|那人|小伙子?|大爷|大妈|阿姨)(?:头发|个子|大概|穿|戴|推|骑|背|"
    r"拿|长得|[一二三四五六七八九]十多?岁)")
# Issue 9, round eight. Which one, pointed at (就那个绿色的配电箱, 靠北边那根路灯, 东边那一排).
_THAT_ONE = re.compile(r"^(?:就是?|是|就在)?(?:靠)?(?:[东南西北左右前后里外]边|[东南西北]头|"
                       r"靠近[^，。]{1,6}|[^，。]{1,6}(?:旁边|对面|后面|前面))?(?:的)?(?:那|这)(?:一)?"
                       r"(?:个|根|盏|棵|辆|只|条|块|部|栋|家|排|片|堆|间|户|扇|座|台|口|处)"
                       r"[^，。！？]{0,8}$")
# Where it comes from (是从楼上往下扔的, 是二楼往下扔的): the source of the thing reported.
_SOURCE = re.compile(r"^(?:是|应该是|好像是|估计是)(?:从)?[^，。]{1,8}?(?:往下|往外)?"
                     r"(?:扔|丢|倒|泼|掉|飘|流|传|冒|漏|滴)(?:下来|出来|过来|进来)?的")
# A piece that says it is one at its end (是我家老人反映的 我帮他补充下).
_FOLLOW_UP_TAIL = re.compile(r"(?:我)?(?:帮[他她]|来|再)?补充(?:一下|下|几句|说明)$")
# Which one, with what is wrong about it (漏的是厨房那根管子, 堆的都是装修垃圾, 漏的地方在厨房).
_WHICH_IS = re.compile(r"^[^，。]{1,4}的(?:(?:都|全|就)?是|(?:地方|位置)(?:在|是))")
# When or where it is mostly (臭味主要是晚上, 主要是夏天特别臭): a piece of the report before.
_MAINLY = re.compile(r"^(?:还有)?[^，。]{0,4}主要(?:是|在|集中在)[^，。]{0,3}"
                     r"(?:早上|上午|中午|下午|晚上|夜里|半夜|凌晨|白天|周末|夏天|冬天|下雨|刮风|天热|[零一二两三四五六七八九十\d]+点|"
                     r"这边|那边|楼上|楼下|门口|厨房|卫生间|阳台|东边|西边|南边|北边)")


def told_detail(text: str) -> bool:
    """A piece of the report before, told in one of the ways above, with no complaint of its
    own beyond what it describes (see _CONTACT … _IS_NOT)."""
    plain = to_plain(text).strip()
    bare = _bare(plain)
    if not bare or len(bare) > DETAIL7_MAX or new_problem(bare) or "?" in plain or "？" in plain \
            or _META.search(bare):
        return False  # 你们是街道的还是物业的 asks about the service
    if _MEDIA.match(plain):
        return True  # [图片], [视频]: evidence sent
    if _CHATTY.search(bare):
        return False
    clauses = _clauses_of(plain)
    first = clauses[0]
    calm = _HARMLESS_NOT.sub("", bare)
    quiet = not _COMPLAINT_WORD.search(calm) and not _MORE_COMPLAINT.search(calm)
    if _CONSULT_ASK.search(bare):
        return False  # 户口本上名字写错了一个字 怎么改 asks
    if _CONFIRM.match(plain) or _STILL_NOBODY.search(bare) or _MEASURED.search(bare) \
            or _HOW_LONG.match(bare) \
            or _WORSE_WHEN.match(first) \
            or _SAID_WRONG.search(bare) and not _COMPLAINT_WORD.search(_SAID_WRONG.sub("", bare)):
        return True
    if _SOURCE.match(first) or "补充" in bare and _FOLLOW_UP_TAIL.search(bare):
        return True
    if _UPDATE.match(first):
        # a change of state may name what changed (现在停了，刚刚又响起来了), not new damage
        return not _DAMAGE.search("".join(clauses[1:]))
    if _KIND_OF.search(first) and not _CHRONIC_WORD.search(bare):
        return True  # 臭味是那种馊掉的饭菜味: the kind of thing it is
    if not quiet:
        which = _WHICH_IS.match(first)
        if which is not None and (_IS_DESC.match(first) or not which.group().endswith("是")) \
                and not _COMPLAINT_WORD.search(first, which.end()):
            return True  # 漏的是厨房那根管子: which one leaks
        if _MAINLY.match(bare) and len(bare) <= 16:
            return True  # 臭味主要是晚上
        if _CONTACT.search(bare) and not _COMPLAINT_WORD.search(
                _HARMLESS_NOT.sub("", _CONTACT.sub("", bare))):
            return True
        return False
    if _CHRONIC_WORD.search(bare) and not _RECUR.match(first) and not _PERSON_DESC.match(first):
        return False
    return bool(_CONTACT.search(bare) or _WHO.match(first) or _WHICH.search(first)
                or _COUNT.match(bare) or _COUNT_IN.search(bare) or _PLACE_NAME.match(first)
                or _RECUR.match(first) or _IS_DESC.match(first)
                or _THING_DESC.match(first) or _PLACE_IN.match(first) or _ADDRESS.match(bare)
                or _RECORDED.match(first) or _IS_NOT.match(bare) or _THAT_ONE.match(first)
                or _PERSON_DESC.match(first))


# Talk about the day and the weather (今天降温了，大家注意添衣服; 这太阳毒得能煎鸡蛋).
_WEATHER = re.compile(r"天气|下雨|下雪|降温|升温|太阳|热死|好热|热到|热得|冷死|好冷|冷得|"
                      r"[\d十]+度了|添衣|加衣|带伞|桑拿|闷热|风大|大风|台风要来|秋老虎|三伏天|"
                      r"入冬|入秋|冬天|夏天|晒化|晒死|热化|冻死|一身汗|雾(?:好|真|很)?大|大雾")
# …but not the heating, the air conditioning or anything still awaited (天冷了暖气还没来).
_WEATHER_NOT = re.compile(r"暖气|供暖|空调|还没|没来|怎么还|停|淹|坑|树|路|车|楼|墙|窗|管|灯|井|"
                          r"水(?!果)|晃|漏|积|扔")
WEATHER_MAX = 32


def weather_talk(bare: str) -> bool:
    return len(bare) <= WEATHER_MAX and bool(_WEATHER.search(bare)) \
        and not _COMPLAINT_WORD.search(_HARMLESS_NOT.sub("", bare)) \
        and not _FIX_REQUEST.search(bare) and not _CONSULT_ASK.search(bare) \
        and not _WEATHER_NOT.search(bare)


# Closings, apologies and what the resident will do next (早点休息吧，不打扰了; 收到，我会转告
# 邻居们的; 不好意思打错了; 没事没事，不着急): every clause one of these or an acknowledgement.
_CLOSING = re.compile(
    r"^(?:那|好|行|嗯|哦)?(?:我|我们)?(?:就|先|会|回去|回头|也)*(?:"
    r"去忙了?|忙去了|忙了|不打扰(?:你们)?了?|早点休息吧?|休息了|下了|"
    r"(?:跟|和|给)(?:邻居|邻居们|家里人|家人|大家|老伴|楼里的人|其他人)[^，。]{0,3}说(?:一声|一下)|"
    r"转告(?:给)?[^，。]{0,6}|等(?:通知|消息|你们(?:的)?(?:消息|通知|电话)?)|"
    r"(?:刚才|刚刚|刚)?(?:打|发|输|点|按)错了|手滑(?:了)?(?:点到了|按到了|点错了)?|(?:刚才|刚刚|刚)?发错(?:了|人了|群了)?|不着急|别着急|慢慢来|"
    r"没事没事|没事|没关系|(?:刚才|刚刚)?(?:语气|态度)不好|说话冲了|"
    r"不好意思|对不起|抱歉|sorry|那就|就|打扰(?:你们|您|你)?了|"
    r"已经好了|不弄了|不说了|(?:也)?不指望了|哎|算了|"
    # issue 9, round ten: off to work, talk later (我先去上班了 回头再说; 那就先这样)
    r"(?:去)?上班(?:去)?了?|(?:去)?干活(?:去)?了?|回头(?:再)?(?:说|聊|联系)|有空再(?:说|聊)|先这样|"
    r"冇问题|没问题|无问题)+(?:了|啊|哈|呀|的|吧|哦)*$")


# Issue 9, round eight. A nudge about a report already made (催一下; 怎么还没人来; 到底有没有
# 人在看; 等了半天了): every clause one of these, an acknowledgement or a greeting, nothing new.
_NUDGE = re.compile(
    r"^(?:喂|你好|您好|请问|麻烦|那个|哎|唉|我说)*(?:再)?(?:"
    r"催(?:一下|一催|催|下)(?:吧|啊|哈)?|帮我催(?:一下|下)?|"
    r"(?:怎么|咋)(?:还)?(?:没|不)(?:人)?(?:来|处理|管|回|回复|动静|消息|结果|下文|反应)(?:啊|呀|呢|了)?|"
    r"(?:还|都)?没(?:有)?(?:人)?(?:来|处理|动静|消息|下文|回音)(?:吗|呢|啊|呀|么)?|"
    r"到底(?:有没有|有)人(?:在)?(?:看|管|处理|理)(?:吗|啊|呀|没)?|"
    r"有(?:没有)?人(?:在)?(?:看|处理|跟进|跟)(?:吗|没)?|"
    r"(?:什么时候|啥时候|几时|多久)(?:能|才|会)?(?:来|处理|来人|有人来|弄|修)(?:啊|呀|呢|啊)?|"
    r"等了(?:好久|半天|很久|[一两三四五六七八九十几半\d]+(?:天|个小时|小时|周))(?:了)?|"
    r"上次(?:那个|的)?(?:单子|工单|事|事情|问题)(?:有人(?:在)?(?:跟|管|处理)吗)?|"
    r"人呢|还要等多久|要等到什么时候|"
    # issue 9, round ten: a wait told in parts of the day (等了一上午了)
    r"(?:都)?等了(?:一|整整一|大半个|一整个)?(?:上午|下午|晚上|早上|整天|天|宿))(?:啊|呀|呢|吧|了|哈)*$")


_NUDGE_HINT = frozenset("催没不到有时几多等上呢")


def nudge(text: str) -> bool:
    plain = to_plain(text).strip().lower()
    if len(_bare(plain)) > 24 or _NUDGE_HINT.isdisjoint(plain):
        return False
    clauses = _clauses_of(plain)
    return bool(clauses) and any(_NUDGE.match(c) for c in clauses) and all(
        _NUDGE.match(c) or _CHAT.match(c) for c in clauses)


def closing_talk(text: str) -> bool:
    plain = to_plain(text).strip().lower()
    if len(_bare(plain)) > THANKS_MAX:
        return False
    clauses = _clauses_of(plain)
    return bool(clauses) and any(_CLOSING.match(c) for c in clauses) and all(
        _CLOSING.match(c) or _CHAT.match(c) for c in clauses)


# --- issue 9, round ten: a fix told, then a but ------------------------------------------

# The work told as done (修是修了, 东西是清走了, 灯倒是修好了, 噪音是小了点, 问题解决了), then a
# but (但是, 不过, 就是, 可是, 只是) and what was wrong with how: a verdict, not a new report.
_DONE_FIRST = re.compile(
    r"^(?:[^，,。！？\s]{0,8}?)(?:是|倒是|也|都|总算|终于|已经)?"
    r"(?:(?P<v>[修管弄清拆补换装挪搬处理解决])是(?P=v)了|"
    r"(?:修|补|弄|换|搞|清|挪|搬|拆|装|处理|解决|清理|整改|协调)(?:好|完|走|掉|干净)?了|"
    r"(?:修|补|弄|换|清|处理)(?:是)?(?:修|补|弄|换|清|处理)?好了|"
    r"(?:小|少|好|轻|亮|通|干净|安静)(?:多)?了(?:点|一点|些|一些|不少|很多)?)"
    r"(?:的|啊|吧)?[，,\s]*(?:但是?|不过|就是|可是|只是|可(?!以))")
_DONE_BAD = re.compile(r"又(?!快)|没用|白(?:修|弄|干|跑)|跟没|等于没|失望|不满意|照样|照旧|"
                       r"一点用|差评|根本")
# Another place or thing named after the but (…但是3号楼的电梯又坏了) is a report of its own.
_ELSEWHERE = re.compile(r"\d+(?:号楼|栋|幢|单元|号)|[东南西北]门|隔壁|对面|楼下的|另一|别的")
# …但是楼道里的垃圾还没人清: what is still to do is a report, not how the work went.
# Issue 9, round ten: how the answer to the officer's question starts when it describes the
# thing (灰色的面包车…), counts it (一共四辆…), says what it mainly is (其实不光是吵 主要是震),
# how often (不止一回…), what one could not see (没看清是什么…), what it looks like (看着像是…),
# what one will send (一会儿我把视频发过来), which report this is (这是第三次反映了), which flat
# (我家是402…), where one noticed it (我在三楼闻到的…), or takes back what was said (刚才说的
# 12幢是错的).
# (Those that describe or count need a message naming no domain word: 红色的消防栓被撞坏了 and
# 一共三个井盖都没了 are reports.)
_MORE_OF_IT = re.compile(
    r"(?:是|就是)?(?:那辆|那个|一辆|一个)?[白黑红蓝灰银绿黄紫棕金粉](?:色|颜色)的|"
    r"(?:一共|总共|加起来)(?:有)?[一二两三四五六七八九十几\d]+|"
    r"(?:其实)?不光是[^，。\s]{1,4}[，,\s]*(?:主要|更|还)|(?:其实)?主要是[^，。\s]{1,6}[，,\s]|"
    r"没看清|看着像|看起来像|听着像")
_ASK_TO_ACT = re.compile(r"尽快|赶紧|马上|请|麻烦|希望|快点")
_MORE_OF_IT_ANY = re.compile(
    r"不止一(?:回|次)|"
    r"(?:一会儿?|待会儿?|等下|等一下|回头|晚点)(?:我)?(?:把|再)?[^，。\s]{0,4}(?:视频|照片|图片|录音|定位)|"
    r"这(?:是|已经是)第[一二两三四五六七八九十几\d]+次|我家是\d{3,4}|"
    r"我(?:是)?在[^，。\s]{1,6}(?:闻到|听到|看到|看见)的|"
    r"(?:不好意思|抱歉|对不起)?[，,\s]*(?:刚才|刚刚|我刚|上面)(?:说|写|发)(?:的|成|错)")
_STILL_TO_DO = re.compile(r"(?:还|也|都)没(?:有)?人(?:清|修|管|弄|处理|来)|还得|还要")
_BUT_ELSEWHERE = re.compile(r"(?:但是?|不过|可是|就是)[^，。]{0,4}"
                            r"(?:\d+(?:号楼|栋|幢|单元)|[东南西北]门|隔壁|对面|另一|别的)")
DONE_BUT_MAX = 44
DONE_BUT_REST = 22


def done_but(text: str) -> int | None:
    """3 (4 when what follows says it did not hold) for a message that tells the work done and
    then what was wrong with how (修是修了，不过拖了快一个礼拜; 东西是清走了 但是拖了半个月),
    or None."""
    plain = to_plain(text).strip()
    bare = _bare(plain)
    if not bare or len(bare) > DONE_BUT_MAX or bare.endswith(("吗", "么")):
        return None
    m = _DONE_FIRST.match(plain)
    if m is None or new_problem(bare) or _STORY_NEW.search(bare):
        return None
    rest = plain[m.end():]
    if len(_bare(rest)) > DONE_BUT_REST or _RATE_STARS.search(bare) or score_rating(bare) \
            is not None:
        return None  # a long tail tells a problem of its own; stars and scores say the value
    if _ELSEWHERE.search(rest) or _STILL_TO_DO.search(rest) \
            or _FIX_REQUEST.search(rest) and "下次" not in rest:
        return None
    return 4 if _DONE_BAD.search(rest) else 3


# Every pattern above that re would try at every position (one beginning with an optional part
# or alternatives that do not all begin with a literal) is searched only where a match can
# begin (nlp/scan.py); the matches are the same.
SCANNED = scan_patterns(globals())
