"""Real Chinese cities with branches, and street names for addresses.

Districts and resident-ID region codes come from python-stdnum's administrative division
database (see ``guanxi.demo.regions``), so they are real and valid for the birth year.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """A city that gets a branch: display name, branch code, address prefix, weight."""

    name: str
    code: str
    address_prefix: str
    region_prefix: str
    weight: float


# Weights roughly follow the size of each city's economy, so big cities get more customers.
CITIES: tuple[City, ...] = (
    City("北京", "BJ", "北京市", "1101", 10.0),
    City("上海", "SH", "上海市", "3101", 10.0),
    City("广州", "GZ", "广东省广州市", "4401", 8.0),
    City("深圳", "SZ", "广东省深圳市", "4403", 8.0),
    City("杭州", "HZ", "浙江省杭州市", "3301", 6.0),
    City("成都", "CD", "四川省成都市", "5101", 6.0),
    City("南京", "NJ", "江苏省南京市", "3201", 5.0),
    City("武汉", "WH", "湖北省武汉市", "4201", 5.0),
    City("重庆", "CQ", "重庆市", "5001", 5.0),
    City("西安", "XA", "陕西省西安市", "6101", 4.0),
    City("天津", "TJ", "天津市", "1201", 4.0),
    City("苏州", "SU", "江苏省苏州市", "3205", 4.0),
    City("长沙", "CS", "湖南省长沙市", "4301", 3.0),
    City("郑州", "ZZ", "河南省郑州市", "4101", 3.0),
    City("济南", "JN", "山东省济南市", "3701", 2.5),
    City("青岛", "QD", "山东省青岛市", "3702", 2.5),
    City("沈阳", "SY", "辽宁省沈阳市", "2101", 2.5),
    City("哈尔滨", "HRB", "黑龙江省哈尔滨市", "2301", 2.0),
    City("昆明", "KM", "云南省昆明市", "5301", 2.0),
    City("厦门", "XM", "福建省厦门市", "3502", 2.0),
    City("福州", "FZ", "福建省福州市", "3501", 2.0),
    City("合肥", "HF", "安徽省合肥市", "3401", 2.0),
    City("大连", "DL", "辽宁省大连市", "2102", 2.0),
    City("宁波", "NB", "浙江省宁波市", "3302", 2.0),
)

STREETS: tuple[str, ...] = (
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "黄河路",
    "文化路",
    "学院路",
    "青年路",
    "胜利路",
    "光明路",
    "滨江路",
    "东风路",
    "朝阳路",
    "幸福路",
    "友谊路",
    "花园路",
    "健康路",
)
