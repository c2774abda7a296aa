"""What a demo bank or telecom operator sells, and through which channels its customers come."""

from dataclasses import dataclass

from guanxi.customers.models import Channel, ProductKind, SourceChannel


@dataclass(frozen=True)
class ProductSpec:
    """A catalogue product and how customers use it.

    ``price`` is the typical transaction amount in yuan; ``spread`` the lognormal spread of
    one transaction around it; ``elasticity`` how strongly a customer's spending level moves
    it (0 for list-price products such as telecom plans); ``holding_share`` the share of
    customers who hold the product; ``use_weight`` how often a holder transacts with it;
    ``balance_factor`` the typical balance of a person's account as a multiple of the price
    (0: the product keeps no balance); ``minimum_balance`` the least an open account holds
    (a 大额存单 starts at ¥200,000).
    """

    code: str
    name: str
    kind: ProductKind
    price: float
    spread: float
    elasticity: float
    holding_share: float
    use_weight: float
    balance_factor: float
    minimum_balance: float = 0.0


@dataclass(frozen=True)
class Refunds:
    """How purchases of one kind of product are refunded: ``rate`` is the share of purchases
    later reversed, ``full_share`` the share of those refunds that return the whole amount
    (the others return part of it)."""

    rate: float
    full_share: float


@dataclass(frozen=True)
class Industry:
    """A demo company of one industry: its name, branches, teams, catalogue and channels."""

    key: str
    company: str
    code: str
    branch_suffix: str
    teams: tuple[str, ...]
    products: tuple[ProductSpec, ...]
    channels: dict[str, float]
    sources: dict[str, float]
    refunds: dict[str, Refunds]  # by product kind; kinds not named are never refunded


P = ProductSpec
BANK = Industry(
    key="bank",
    company="华夏示范银行",
    code="HXB",
    branch_suffix="分行",
    teams=("财富管理一组", "财富管理二组", "公司业务组"),
    products=(
        P("DC-STD", "借记卡", ProductKind.CARD, 260, 0.9, 1.0, 0.92, 6.0, 0.0),
        P("CC-GOLD", "信用卡金卡", ProductKind.CARD, 680, 0.9, 1.0, 0.40, 5.0, 0.0),
        P("CC-PLAT", "信用卡白金卡", ProductKind.CARD, 1500, 0.9, 1.0, 0.06, 5.0, 0.0),
        P("DEP-DEMAND", "活期储蓄", ProductKind.DEPOSIT, 3000, 1.0, 1.0, 0.55, 1.5, 5.0),
        P("DEP-TERM1Y", "一年期定期存款", ProductKind.DEPOSIT, 50000, 0.8, 1.0, 0.22, 0.15, 1.6),
        P("DEP-CD", "大额存单", ProductKind.DEPOSIT, 300000, 0.4, 0.5, 0.03, 0.1, 1.2, 200000),
        P("WM-STABLE", "安盈稳健理财", ProductKind.WEALTH, 50000, 0.8, 1.0, 0.14, 0.25, 2.0),
        P("WM-MMF", "天天利货币基金", ProductKind.WEALTH, 8000, 1.0, 1.0, 0.20, 0.5, 2.5),
        P("WM-SIP", "基金定投", ProductKind.WEALTH, 1000, 0.6, 1.0, 0.12, 2.0, 15.0),
        P("LN-MORT", "个人住房贷款", ProductKind.LOAN, 4800, 0.3, 0.8, 0.12, 2.0, 130.0),
        P("LN-CONS", "快e贷消费贷款", ProductKind.LOAN, 1800, 0.6, 0.8, 0.10, 1.5, 17.0),
        P("INS-CI", "重大疾病保险", ProductKind.INSURANCE, 6500, 0.5, 0.8, 0.06, 0.3, 0.0),
        P("INS-ACC", "意外伤害保险", ProductKind.INSURANCE, 260, 0.4, 0.5, 0.10, 0.3, 0.0),
    ),
    channels={
        Channel.BRANCH: 0.14,
        Channel.ONLINE: 0.18,
        Channel.MOBILE: 0.48,
        Channel.ATM: 0.12,
        Channel.PHONE: 0.08,
    },
    sources={
        SourceChannel.BRANCH: 0.40,
        SourceChannel.REFERRAL: 0.12,
        SourceChannel.ONLINE: 0.12,
        SourceChannel.MOBILE_APP: 0.20,
        SourceChannel.PHONE: 0.04,
        SourceChannel.CAMPAIGN: 0.07,
        SourceChannel.PARTNER: 0.05,
    },
    # Card purchases returned to the shop (most in full), wealth products and insurance
    # cancelled in their cooling-off periods (理财冷静期, 保险犹豫期: always in full).
    # Deposits are withdrawn, never refunded; loan repayments are not refunded either.
    refunds={
        ProductKind.CARD: Refunds(0.03, 0.6),
        ProductKind.WEALTH: Refunds(0.01, 1.0),
        ProductKind.INSURANCE: Refunds(0.05, 1.0),
    },
)

TELECOM = Industry(
    key="telecom",
    company="华夏通信",
    code="HXT",
    branch_suffix="分公司",
    teams=("个人客户组", "家庭客户组", "政企客户组"),
    products=(
        P("5G-128", "5G畅享套餐128元", ProductKind.PLAN, 128, 0.0, 0.0, 0.38, 3.0, 0.4),
        P("5G-198", "5G尊享套餐198元", ProductKind.PLAN, 198, 0.0, 0.0, 0.14, 3.0, 0.4),
        P("4G-58", "4G畅聊套餐58元", ProductKind.PLAN, 58, 0.0, 0.0, 0.32, 3.0, 0.4),
        P("FAMILY-169", "家庭融合套餐169元", ProductKind.PLAN, 169, 0.0, 0.0, 0.18, 3.0, 0.4),
        P("BB-300M", "300M光宽带", ProductKind.PLAN, 100, 0.0, 0.0, 0.22, 2.0, 0.0),
        P("BB-1000M", "千兆光宽带", ProductKind.PLAN, 199, 0.0, 0.0, 0.08, 2.0, 0.0),
        P("DATA-10G", "10GB流量包", ProductKind.ADDON, 30, 0.0, 0.0, 0.25, 1.5, 0.0),
        P("VIDEO-VIP", "视频会员权益包", ProductKind.ADDON, 20, 0.0, 0.0, 0.15, 1.0, 0.0),
        P("ROAM-INTL", "国际漫游包", ProductKind.ADDON, 98, 0.3, 0.5, 0.03, 0.3, 0.0),
        P("DEV-5GPHONE", "5G手机", ProductKind.DEVICE, 3999, 0.35, 0.6, 0.10, 0.15, 0.0),
        P("DEV-ROUTER", "千兆路由器", ProductKind.DEVICE, 299, 0.2, 0.3, 0.08, 0.1, 0.0),
        P("DEV-WATCH", "智能手表", ProductKind.DEVICE, 1299, 0.2, 0.5, 0.03, 0.1, 0.0),
    ),
    channels={
        Channel.STORE: 0.30,
        Channel.ONLINE: 0.15,
        Channel.MOBILE: 0.50,
        Channel.PHONE: 0.05,
    },
    sources={
        SourceChannel.BRANCH: 0.35,
        SourceChannel.REFERRAL: 0.10,
        SourceChannel.ONLINE: 0.15,
        SourceChannel.MOBILE_APP: 0.22,
        SourceChannel.PHONE: 0.05,
        SourceChannel.CAMPAIGN: 0.08,
        SourceChannel.PARTNER: 0.05,
    },
    # Devices sent back within seven days (七天无理由退货), add-ons ordered by mistake, and
    # plan fees adjusted after a billing complaint (part of the month's fee).
    refunds={
        ProductKind.DEVICE: Refunds(0.05, 1.0),
        ProductKind.ADDON: Refunds(0.03, 1.0),
        ProductKind.PLAN: Refunds(0.015, 0.2),
    },
)

INDUSTRIES: dict[str, Industry] = {BANK.key: BANK, TELECOM.key: TELECOM}

# Organisation customers: brand characters, (business word, industry) pairs, legal forms.
BRAND_CHARACTERS = "华信达通恒瑞鑫盛泰德隆丰源宏远安康博创新峰海金润嘉汇银利腾辉明宇"
BUSINESSES: tuple[tuple[str, str], ...] = (
    ("科技", "信息技术"),
    ("贸易", "批发零售"),
    ("实业", "制造业"),
    ("物流", "交通运输"),
    ("建设工程", "建筑业"),
    ("医药", "医药卫生"),
    ("食品", "食品加工"),
    ("电子", "电子制造"),
    ("餐饮管理", "住宿餐饮"),
    ("文化传媒", "文化传媒"),
    ("房地产开发", "房地产"),
    ("商贸", "批发零售"),
)
LEGAL_FORMS: tuple[tuple[str, float], ...] = (("有限公司", 0.85), ("股份有限公司", 0.15))
CONTACT_TITLES: tuple[str, ...] = ("法定代表人", "财务负责人", "采购经理", "行政主管", "总经理")
EMAIL_DOMAINS: tuple[tuple[str, float], ...] = (
    ("qq.com", 0.30),
    ("163.com", 0.25),
    ("126.com", 0.10),
    ("sina.com", 0.05),
    ("foxmail.com", 0.05),
    ("139.com", 0.07),
    ("outlook.com", 0.08),
    ("gmail.com", 0.05),
    ("hotmail.com", 0.05),
)
