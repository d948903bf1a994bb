"""A small district for handler and flow tests (the example file may change; this does not)."""

DISTRICT = """
[district]
code = "TD"
name = "测试区"
command_centre = ["centre"]

[[people]]
id = "centre"
name = "指挥中心"
roles = ["leader", "admin"]
wecom_userid = "centre"

[[people]]
id = "zhangwei"
name = "张伟"
roles = ["officer"]
wecom_userid = "ZhangWei"
bind_code = "483920"
phone = "13800000001"

[[people]]
id = "lina"
name = "李娜"
roles = ["officer"]
wecom_userid = "lina"

[[people]]
id = "chenjun"
name = "陈军"
roles = ["leader"]
wecom_userid = "chenjun"

[[people]]
id = "liming"
name = "黎明"
roles = ["liaison"]
wecom_userid = "liming"

[[people]]
id = "zhaogang"
name = "赵刚"
roles = ["officer"]
wecom_userid = "zhaogang"

[[people]]
id = "wangfang"
name = "王芳"
roles = ["leader"]
wecom_userid = "wangfang"

[[people]]
id = "cg"
name = "城管中队"
roles = ["department"]
wecom_userid = "cg01"
departments = ["城管"]

[[people]]
id = "wy"
name = "幸福物业"
roles = ["department"]
wecom_userid = "wy01"
departments = ["物业"]

[[streets]]
code = "FC"
name = "凤城街道"
leader = "wangfang"

  [[streets.communities]]
  code = "FC-LJ"
  name = "连江社区"
  aliases = ["连江"]
  leader = "chenjun"
  triage = ["liming"]
  police = "zhaogang"

    [[streets.communities.grids]]
    code = "FC-LJ-01"
    name = "连江社区第一网格"
    officer = "zhangwei"
    property = "wy"
    polygon = [[113.0301, 23.6851], [113.0342, 23.6851], [113.0342, 23.6880], [113.0301, 23.6880]]

      [[streets.communities.grids.places]]
      name = "幸福花园"
      aliases = ["幸福小区", "幸福花园小区"]
      buildings = ["1", "2", "3", "4", "5"]

    [[streets.communities.grids]]
    code = "FC-LJ-02"
    name = "连江社区第二网格"
    officer = "lina"

      [[streets.communities.grids.places]]
      name = "幸福花园"
      buildings = ["6", "7", "8", "9", "10"]

      [[streets.communities.grids.places]]
      name = "金色港湾"
      buildings = []
"""
