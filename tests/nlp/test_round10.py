"""Issue 9, round ten: the classes fixed this round (docs/nlp.md, "Round ten").

Our own sentences, written for these classes (not taken from the writers' files), each with
counter-examples the fix must leave alone; the held-out quarter `voices10_heldout.jsonl` is never
read here.
"""

from __future__ import annotations

import pytest

from nlp import Analyzer


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        # the work told as done, then a but about how it went: lukewarm
        ("修是修了，不过拖了快一个礼拜，希望以后能快一点", 3),
        ("问题解决了 不过前前后后打了三次电话才有人来", 3),
        ("修倒是修好了，就是修的时候把我家门口弄得一地灰", 3),
        ("噪音是小了点，但晚上还是有", 3),
        ("现在好多了，就是晚上还有点吵", 3),
        # ... or 不满意 when what follows says it did not hold or disappointed
        ("东西是清走了 但是拖了半个月 说实话有点失望", 4),
        ("垃圾清走了，就是旁边又有人扔了", 4),
        # better now, with thanks; a verdict said first with what it is about
        ("好多了 晚上能睡个安稳觉了 谢谢你们", 2),
        ("好多了", 2),
        ("效果一般，垃圾还是有人乱扔", 3),
        ("结果还行 就是慢", 3),
        # left alone: stars say the value
        ("修是修了，就是慢，给三颗星", 3),
    ],
)
def test_a_fix_told_then_a_but_is_a_rating(analyzer: Analyzer, text: str, rating: int) -> None:
    a = analyzer.analyze(text)
    assert (a.act, a.rating) == ("rating", rating)


@pytest.mark.parametrize(
    "text",
    [
        # after the but: another place, what is still to do, a request, a long new problem
        "路灯修好了，但是3号楼门口的井盖又没了",
        "楼道灯修好了，但是楼道里的垃圾还没人清",
        "水管修好了，但是地上的水还没人清理，请派人来处理一下",
        "小区的路灯都好了，就是那个健身区的单杠锈得厉害，去年还断过一根，现在还有小孩在上面吊",
        "电梯修了，但是今天又困人了",
        # many (好多) is not better (好多了)
        "小区里好多垃圾没人清",
    ],
)
def test_a_new_problem_after_the_fix_stays_a_report(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "report"


def test_thanks_for_work_done_stays_thanks(analyzer: Analyzer) -> None:
    """The conversation reads thanks as chat when no rating was asked for: unchanged."""
    a = analyzer.analyze("路灯修好了，亮堂多了，谢谢")
    assert a.act == "chat"


@pytest.mark.parametrize(
    "text",
    [
        # water rising where someone cannot walk out
        "楼下水越涨越高 老人腿脚不方便出不去",
        "院子里的水还在涨，我妈腿脚不好走不了",
        # water into the house with 了, a room already standing in water, swept away
        "大雨把院墙冲开了 水哗一下进了屋 俺家炕上都是水",
        "污水从下水口大量反涌，目前客厅已经积水，隔壁两户情况也一样",
        "涵洞那边水涨得好快 一个小孩骑自行车过去被卷了",
        # someone not yet out of a car in a hole; a rider fallen in with the bike
        "路面塌陷，一辆轿车陷入坑内，驾驶人尚未脱困",
        "路面突然陷下去一个大洞，骑电动车的小伙子连人带车栽进去了",
        # a crack that widened all at once, or still spreading; earth sliding now
        "这栋老楼的墙在掉渣 裂缝今天一下子宽了 还有咔咔的响声 里面还有住户",
        "隔壁在拆承重墙 我们家墙上的缝一直在扩 地板都在抖",
        "后山山体滑坡了，泥石流冲到房子后面了",
        # a child up on a railing; something coming down where people sleep or learn
        "一个小孩子爬上了顶楼的栏杆 在外面坐着",
        "屋顶的楼板在掉 有一块已经砸到床上 阿公还在睡觉",
        "那棵老树整棵在往幼儿园教室那边倒 里面在上课",
        # a child (娃) stuck at a window
        "娃卡在窗户栏杆里了 头伸出去缩不回来 十八层",
        # gas told by a strange smell at home, with people feeling ill or the stove off
        "我闻到家里有一股很怪的臭味 头晕想吐 老公也说难受",
        "一开门满屋子都是那种怪怪的像烂白菜的味，灶没开",
    ],
)
def test_danger_now_in_other_words_is_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency == "urgent"


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # the people are out, or it was long ago
        ("院子里的水还在涨，不过老人已经被接出去了", "high"),
        ("去年发大水，水涨得很高，老人出不去", "normal"),
        # the wind, not water; the driver out; nobody hurt
        ("衣服被风卷走了", "normal"),
        ("司机已经自己爬出来了，车还陷在坑里", "normal"),
        # a crack of years, a slide of last year, a slide in a playground
        ("墙上的裂缝好几年了，一直没人修", "high"),
        ("去年这里山体滑坡过，现在还没治理", "high"),
        ("小孩子爬上了滑梯", "high"),
        # a smell with its source named is not gas; outdoors by a bin is not at home
        ("楼上装修，家里一股怪味，油漆味熏得头疼", "normal"),
        ("垃圾站一股怪味 熏得人头晕", "normal"),
        # when it happened told after it; a wall that fell last year is a standing hazard
        ("我家老头子摔了一跤就是那个坑绊的，前天的事", "normal"),
        ("那堵老墙塌了一角是去年的事了，现在只拿块布盖着", "high"),
    ],
)
def test_not_danger_now_stays_below_urgent(analyzer: Analyzer, text: str, urgency: str) -> None:
    a = analyzer.analyze(text)
    assert a.urgency == urgency or (a.act != "report" and urgency == "normal")


@pytest.mark.parametrize(
    "text",
    [
        "井盖被水冲开了",
        "暴雨把井盖顶开了，路上全是水",
    ],
)
def test_a_cover_pushed_off_is_a_missing_cover(analyzer: Analyzer, text: str) -> None:
    """The contract: 井盖缺失 is high (not urgent without someone in it or water in a home)."""
    assert analyzer.analyze(text).urgency == "high"


@pytest.mark.parametrize(
    "text",
    [
        # flames shooting up, still burning, a glow filling a shed, burning that spreads
        "厨房的油烟机呼一下就蹿起来了，我拿锅盖盖不住",
        "有辆车烧得只剩个壳了 还在烧 快拦着别让人靠近",
        "充电的电瓶车刚砰一声 现在整个车棚都红了",
        "绿化带枯草大面积燃烧，火正向儿童游乐区方向蔓延",
        # gas: the rotten-egg smell with 的, an appliance still letting gas out
        "门口一直有臭鸡蛋的味道，敲门没人回应",
        "热水器一开就有股怪味，打不着火，还一直往外出气",
        # a wall coming down bit by bit over stalls; a sagging awning over a queue
        "围墙歪了 在一点点往人行道那边倒 底下还有摆摊的",
        "雨棚整个往下垂，螺丝都松出来了，楼下就是早餐店排队的地方",
        "折断的大树枝挂在电线上一直晃，底下就是公交站，人挤人",
        # a near miss, then danger now in the same breath
        "天花板刚刚掉下来一大块石膏差点砸到孩子现在上面还在掉灰还有咔嚓咔嚓的声音",
        # people not out of a building that is cracking; someone under a vehicle
        "山墙持续发出开裂声响，墙体明显外鼓，楼内住户尚未撤离",
        "大风把门口那棵大树刮倒了 压住一辆三轮车 车底下有人",
        # someone who went under and has not come up
        "几个半大小子跳下去洗澡 有一个到现在还没冒头",
        # a lift holding a number of people, its door not opening
        "电梯轿厢内共4人，电梯突然停止运行且无法开门",
        # someone still throwing things down at people
        "有人往下扔酒瓶 刚在我脚边炸开 还在扔",
        # water to the bed; water pouring through a ceiling
        "雨太大了 一楼的水已经到床沿了 我妈八十多了自己走不了",
        "楼上的水管爆了，水从我家吊顶往下灌，灯都在滴水",
        # pinned down and beaten, a stool to the head
        "那几个人把小卖部老板摁在地上打 还抄板凳砸脑壳",
    ],
)
def test_danger_told_by_what_is_happening_is_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency == "urgent"


@pytest.mark.parametrize(
    "text",
    [
        # boiling water, a red couplet, a song's name, a sales pitch at every door
        "楼下有人正在烧水",
        "楼道里全红了 是贴的对联",
        "楼下KTV叫'燃烧吧'，每天晚上唱到凌晨三点",
        "有人冒充社区的挨家挨户推销净水器 说是免费检测",
        # a fire out with an extinguisher, the smell gone, the people freed, the writer out
        "下午车库那辆电瓶车冒烟的事，保安已经拿灭火器喷了，车主也来了",
        "燃气公司已经来关阀了 味也散了 就是现在全楼都没气做饭",
        "工人把燃气管子锯了个口子，拿胶布一缠就走了，现在倒是闻不到味",
        "电梯困人，已由维保人员解救，无人员受伤，要求对该电梯进行全面检测",
        "刚才电梯里关的就是我 出来了 11栋2号梯 别让人坐了",
        # a while ago, luckily nobody; a video; a roast-meat oven's smoke
        "前些日子俺家隔壁那楼塌了半拉阳台 幸亏没人 俺家阳台也是那年盖的",
        "前阵子群里转的那个电动车起火的视频我看得后背发凉",
        "楼下烧腊店的烤炉整天开着，热气和烟都往我家阳台灌",
        # something thrown that landed near: a near miss, high
        "楼上有人往下扔东西，刚才一个啤酒瓶子摔碎在我脚边",
    ],
)
def test_not_happening_now_is_not_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency != "urgent"


def test_a_fire_the_extinguisher_did_not_put_out_stays_urgent(analyzer: Analyzer) -> None:
    assert analyzer.analyze("楼下着火了，我们拿灭火器喷了没扑灭").urgency == "urgent"


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        # the answer to the prompt with more words, or a digit after the verdict
        ("我选三 下次早点来", 3),
        ("评分4 理由：问题依旧", 4),
        ("打1吧 这回挺快", 1),
        ("好得很 1", 1),
        ("四", 4),
        # 打N分 counts points: four is the best
        ("打四分，没得说", 1),
        ("我打一分，根本没解决", 4),
        # a verdict given, a sarcastic one, a Cantonese one, a typo, an explicit choice
        ("给你们打个满分 路灯亮了 晚上遛弯不怕了", 1),
        ("满意个锤子 车还是堵在那", 4),
        ("唔系几满意 啲垃圾仲喺度", 4),
        ("飞常满意 谢谢你们", 1),
        ("对结果满意，对过程不太满意，折中选3", 3),
        ("本来想选不满意的 看在师傅冒雨来的份上 给个满意", 2),
        # left alone: stars drawn in words
        ("给个四星吧", 2),
    ],
)
def test_ratings_said_around_a_digit_or_a_verdict(analyzer: Analyzer, text: str,
                                                  rating: int) -> None:
    a = analyzer.analyze(text)
    assert (a.act, a.rating) == ("rating", rating)


@pytest.mark.parametrize(
    ("text", "act"),
    [
        # a digit after a complaint, or a building's number, is no rating
        ("电梯坏了 1", "report"),
        # a request for someone to come is no praise
        ("能不能让李书记亲自来看看", "human"),
        # a wait told, off to work, the voice input, 冇问题, 那就先这样: chat
        ("等了一上午了", "chat"),
        ("我先去上班了 回头再说", "chat"),
        ("语音转的字不太准 你们将就着看", "chat"),
        ("冇问题", "chat"),
        ("那就先这样", "chat"),
        ("你们是真人回复还是自动回复的", "chat"),
        # ... while asking for a person is still that
        ("我要换个人", "human"),
    ],
)
def test_chat_and_requests_told_in_more_words(analyzer: Analyzer, text: str, act: str) -> None:
    assert analyzer.analyze(text).act == act


@pytest.mark.parametrize(
    "text",
    [
        # what it looks like, how many, what it mainly is, what one could not make out
        "灰色的面包车 车尾贴着个卡通贴纸",
        "一共四辆 都落满了灰 轮胎也瘪了",
        "其实不光是吵 主要是震 地板都在抖",
        "看着像是新拉的线 明晃晃地挂在树杈上",
        # how often, what one will send, which flat, where one noticed it, a correction
        "不止一回 一个礼拜得有三四回",
        "一会儿我把视频发过来 声音你们自己听",
        "我家是402 楼上502漏下来的",
        "我在三楼闻到的，四楼邻居也说有",
        "不好意思 刚才说的12幢是错的 应该是21幢",
        # a place and nothing else
        "门卫室边上",
    ],
)
def test_answers_to_the_officer_are_details(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "detail"


@pytest.mark.parametrize(
    "text",
    [
        # the same leads with a domain word and a complaint, or a request, are reports
        "红色的消防栓被撞坏了，水一直往外喷",
        "一共三个井盖都没了，请尽快处理",
        "白色的轿车堵在消防通道上好几天了",
    ],
)
def test_the_same_leads_with_a_complaint_stay_reports(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).act == "report"


@pytest.mark.parametrize(
    ("text", "act"),
    [
        # the day's food and prices, a baby's first month, just asking: talk
        ("晚饭包了饺子，韭菜鸡蛋馅的，香得很", "chat"),
        ("今天菜市场的西红柿才两块五一斤，便宜", "chat"),
        ("我家孙子今天满月，请你们吃喜糖啊", "chat"),
        ("我就问问 不是要投诉", "chat"),
        # ... a turn to a complaint, or food that made someone ill, is a report
        ("菜市场卖的肉才两块一斤但是缺斤少两", "report"),
        ("楼下饭店的饺子馅用的臭肉，吃坏肚子了", "report"),
    ],
)
def test_personal_talk_and_its_look_alikes(analyzer: Analyzer, text: str, act: str) -> None:
    assert analyzer.analyze(text).act == act


@pytest.mark.parametrize(
    "text",
    [
        # a bare wire in water where people walk; a worker down a pit who has not come up
        "一楼商铺门口电缆皮破了 露着铜线泡在水里 好多人踩着过",
        "化粪池在往外冒东西 有个工人下去掏了半天没上来",
        # a girl cornered; a small child alone at the water's edge
        "那个人把一个女孩子堵在楼道角落 女孩在喊",
        "人工湖边上有个两三岁的小孩自己在玩 已经走到水边了 没看到大人",
        # someone living alone not seen for days whose phone rings out
        "隔壁独居的阿伯三天没开门了，门口有一股很重的臭味，电话也打不通",
        # a near miss told as its own clause, then the danger now
        "刚进家门差点被熏倒 燃气灶开着没火",
        # an elder (阿伯) fallen into a manhole
        "路口的人孔盖整个塌下去，一位阿伯掉进洞里，只剩肩膀以上露在外面",
    ],
)
def test_more_danger_now_is_urgent(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text).urgency == "urgent"


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # the property company's phone, children watched by their parents
        ("物业电话打不通，老人没法出门", "normal"),
        ("孩子们在河边玩，家长都在旁边看着", "normal"),
        # hypotheticals said with a space keep their 万一
        ("万一 着火了怎么办", "high"),
        # a video of last week; a leak the gas company fixed; nobody inside the locked flat
        ("他拿刀那个视频是上周的，可那人还住在我们楼里，大家都害怕", "high"),
        ("下午有段管子漏气 燃气公司来修好了 现在没味了", "high"),
        ("门被反锁了 我家钥匙锁在屋里 没人在里面 就是进不去", "normal"),
        # a manhole cover (人孔盖) missing is the contract's high, not a person missing
        ("人孔盖不见了 在学校门口", "high"),
    ],
)
def test_more_look_alikes_stay_below_urgent(analyzer: Analyzer, text: str, urgency: str) -> None:
    assert analyzer.analyze(text).urgency == urgency
