"""The street's two lists of certificates (证明事项清单), each line with the day it takes effect and the provincial or
city rule the edit follows: 不应出具 (the negative list), which starts from the national first batch of 民发〔2020〕20号
and can only grow, and 可以出具 (the positive list: items with a legal basis or a local rule, each with its basis,
purpose, procedure and a sample text). The defaults below hold where a street has written nothing. A community must
check its province's own lists: the 居住证明 seeded here is an example of a local rule, not a national one. Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from uuid import UUID, uuid5

from backend.kernel.context import Ctx, LinliAggregate
from backend.kernel.errors import DomainError, check_text

LISTS_NAMESPACE = UUID("3b7d9f1a-5c2e-4a8b-9d6f-1e3a5c7b9d2f")
NEGATIVE, POSITIVE = "negative", "positive"
SIDES = (NEGATIVE, POSITIVE)
ITEMS_MAX = 200
NAME_MAX, BASIS_MAX, TEXT_MAX = 40, 300, 1000
VALID_DAYS_MAX = 366

NATIONAL_BASIS = (
    "民发〔2020〕20号《关于改进和规范基层群众性自治组织出具证明工作的指导意见》附件："
    "不应由基层群众性自治组织出具证明事项清单（第一批）"
)


def same_certificate(a: str, b: str) -> bool:
    """The same certificate whatever its note in brackets or its spacing: 婚姻状况证明 and 婚姻状况证明（未婚）."""

    def base(name: str) -> str:
        return re.split(r"[（(]", unicodedata.normalize("NFKC", name), maxsplit=1)[0].replace(" ", "")

    return base(a) == base(b)


@dataclass(frozen=True)
class ListItem:
    """One certificate on a list. Negative: `instead` says where to go. Positive: `purpose`, `procedure`, the sample
    text ({name} and {address} are filled from the register) and how many days an issued one is valid."""

    code: str
    name: str
    side: str
    basis: str
    instead: str = ""
    purpose: str = ""
    procedure: str = ""
    sample: str = ""
    valid_days: int = 0

    def checked(self) -> ListItem:
        code = self.code.strip()
        if not code or len(code) > 30 or not all(c.isascii() and (c.isalnum() or c == "_") for c in code):
            raise DomainError("A code of letters, digits and _ (at most 30), please.", "code")
        if self.side not in SIDES:
            raise DomainError("Choose the list: 不应出具 or 可以出具.", "side")
        name = check_text(self.name, NAME_MAX, "name", "Name the certificate (at most 40 characters).")
        basis = check_text(self.basis, BASIS_MAX, "basis", "Cite its basis (at most 300 characters).")
        if self.side == NEGATIVE:
            instead = check_text(
                self.instead, TEXT_MAX, "instead", "Say where to go instead (at most 1000 characters)."
            )
            return ListItem(code, name, NEGATIVE, basis, instead)
        purpose = check_text(self.purpose, TEXT_MAX, "purpose", "Say what it is for (at most 1000 characters).")
        procedure = check_text(
            self.procedure, TEXT_MAX, "procedure", "Describe the procedure (at most 1000 characters)."
        )
        sample = check_text(self.sample, TEXT_MAX, "sample", "Give the sample text (at most 1000 characters).")
        if not 1 <= self.valid_days <= VALID_DAYS_MAX:
            raise DomainError("It is valid for 1 to 366 days.", "valid_days")
        return ListItem(code, name, POSITIVE, basis, "", purpose, procedure, sample, self.valid_days)


def _negative(code: str, name: str, instead: str) -> ListItem:
    return ListItem(code, name, NEGATIVE, NATIONAL_BASIS, instead)


# The national first batch, in the order of the published list, each with where the resident goes instead.
NATIONAL_FIRST_BATCH: tuple[ListItem, ...] = (
    _negative(
        "kinship", "亲属关系证明", "公安机关户籍窗口（户口簿、户籍档案）；不在同一户的，可到公证机构办理亲属关系公证"
    ),
    _negative("identity", "居民身份信息证明（户籍证明）", "公安机关户籍窗口（派出所）"),
    _negative("hukou_change", "户口登记项目内容变更申请证明", "公安机关户籍窗口，由其依职权核查"),
    _negative("dog", "居民养犬证明", "公安机关或当地养犬管理部门办理养犬登记"),
    _negative("no_crime", "无犯罪记录证明", "公安机关（户籍地或居住地派出所）"),
    _negative("rehab", "社区戒毒社区康复人员情况证明（表现证明）", "街道（乡镇）禁毒工作机构或公安机关"),
    _negative("missing", "人员失踪证明", "公安机关报案回执；宣告失踪向人民法院申请"),
    _negative(
        "marital", "婚姻状况证明（婚姻关系证明、分居证明）", "民政部门婚姻登记处查询婚姻登记档案，或本人书面声明"
    ),
    _negative("birth", "出生证明", "助产医疗机构签发《出生医学证明》"),
    _negative("alive", "健在证明（生存证明）", "社会保险经办机构的待遇资格认证（手机人脸识别或本人到窗口）"),
    _negative("death", "死亡证明", "医疗卫生机构签发《居民死亡医学证明（推断）书》；非正常死亡由公安机关出具"),
    _negative("illness", "疾病状况证明（急诊证明、意外伤害证明）", "诊治的医疗机构出具诊断证明"),
    _negative("disability", "残疾状况证明", "残疾人联合会（残联）：残疾人证及其评定"),
    _negative("fertility", "婚育状况证明（生育状况证明）", "卫生健康部门查询，或本人书面承诺"),
    _negative("employment", "居民就业状况证明", "人力资源社会保障部门公共就业服务机构（就业失业登记）"),
    _negative("archive", "居民个人档案证明", "档案保管单位（人社部门人事档案管理服务机构）"),
    _negative(
        "property",
        "居民财产证明（经济状况、收入、房产、存款、车辆等）",
        "不动产登记机构、开户银行、公安交管部门等相关单位；低收入核对由民政部门依职权办理",
    ),
    _negative("inheritance", "遗产继承权证明", "公证机构办理继承公证，或向人民法院起诉"),
    _negative(
        "business_address", "市场主体住所证明（经营场所证明）", "市场监督管理部门，实行住所（经营场所）申报承诺制"
    ),
    _negative("lost_papers", "证件遗失证明", "原发证机关办理挂失、补领；需要报案的到公安机关"),
)
NATIONAL_CODES = frozenset(i.code for i in NATIONAL_FIRST_BATCH)

# An example of a local rule's item: many provinces keep 居住证明 on the community's list. Check your province's.
RESIDENCE = ListItem(
    "residence",
    "居住证明",
    POSITIVE,
    "地方保留证明事项清单（示例：以本省、市公布的村（居）出具证明事项清单为准）；《居住证暂行条例》第九条",
    purpose="证明本人在本社区实际居住，用于申领居住证、子女入学等需要居住地证明的事项",
    procedure="本人或委托人到居委会（或在手机上）申请；工作人员核对户籍和居住登记信息后当场出具，加盖居委会印章",
    sample="兹证明{name}，现居住于本社区{address}。特此证明。",
    valid_days=90,
)
DEFAULTS: tuple[ListItem, ...] = (*NATIONAL_FIRST_BATCH, RESIDENCE)

# A line of a street's list: from `effective_from` on, the item reads so (None: dropped), under the cited rule.
Line = tuple[date, str, ListItem | None]


def lists_id_for(street: str) -> UUID:
    return uuid5(LISTS_NAMESPACE, " ".join(street.split()))


def items_in_force(lines: list[Line], day: date) -> dict[str, ListItem]:
    """The items in force on `day`: the defaults, then each line that took effect by then, in order."""
    items = {i.code: i for i in DEFAULTS}
    for effective_from, code, item in sorted(lines, key=lambda line: line[0]):  # stable: same day, written order
        if effective_from > day:
            continue
        if item is None:
            items.pop(code, None)
        else:
            items[code] = item
    return items


class CertificateLists(LinliAggregate):
    """A street's lines over the defaults. The national first batch is a floor: a street cannot drop one of its
    items nor move it to 可以出具 (a province's or city's rule can only add to it)."""

    class Opened(LinliAggregate.Created):
        street: str

    class ItemSet(LinliAggregate.Event):
        street: str  # the aggregate's, on every line: a view of lines needs no other event to say whose
        code: str
        name: str
        side: str
        basis: str
        instead: str
        purpose: str
        procedure: str
        sample: str
        valid_days: int
        effective_from: date
        rule: str  # the provincial or city rule the edit follows

        def apply(self, lists: CertificateLists) -> None:
            item = ListItem(
                self.code,
                self.name,
                self.side,
                self.basis,
                self.instead,
                self.purpose,
                self.procedure,
                self.sample,
                self.valid_days,
            )
            lists.lines.append((self.effective_from, self.code, item))

    class ItemDropped(LinliAggregate.Event):
        street: str
        code: str
        effective_from: date
        rule: str

        def apply(self, lists: CertificateLists) -> None:
            lists.lines.append((self.effective_from, self.code, None))

    def __init__(self, street: str) -> None:
        self.street = street
        self.lines: list[Line] = []

    @classmethod
    def open(cls, ctx: Ctx, street: str) -> CertificateLists:
        street = " ".join(street.split())
        if not street:
            raise DomainError("The lists belong to a street; set the community's street first.", "street")
        return cls.start(cls.Opened, ctx, lists_id_for(street), street=street)

    def items_on(self, day: date) -> dict[str, ListItem]:
        return items_in_force(self.lines, day)

    def set_item(self, ctx: Ctx, item: ListItem, effective_from: date, rule: str) -> None:
        item = item.checked()
        rule = check_text(rule, BASIS_MAX, "rule", "Cite the provincial or city rule this edit follows.")
        if effective_from < ctx.today:
            raise DomainError("A change takes effect today or later.", "effective_from")
        if item.code in NATIONAL_CODES and item.side != NEGATIVE:
            raise DomainError("The national first batch stays on the negative list.", "side", status=409)
        clash = [
            other
            for other in self.items_on(effective_from).values()
            if other.code != item.code and other.side != item.side and same_certificate(other.name, item.name)
        ]
        if clash:  # one certificate under a new code on the other list: 亲属关系证明 made issuable, say
            raise DomainError(
                "The other list has this certificate already: change that entry instead.", "name", status=409
            )
        if item.code not in self.items_on(effective_from) and len(self.items_on(effective_from)) >= ITEMS_MAX:
            raise DomainError("A street's lists hold at most 200 certificates.", "code", status=409)
        fields = asdict(item)
        self.emit(self.ItemSet, ctx, street=self.street, **fields, effective_from=effective_from, rule=rule)

    def drop_item(self, ctx: Ctx, code: str, effective_from: date, rule: str) -> None:
        rule = check_text(rule, BASIS_MAX, "rule", "Cite the provincial or city rule this edit follows.")
        if effective_from < ctx.today:
            raise DomainError("A change takes effect today or later.", "effective_from")
        if code in NATIONAL_CODES:
            raise DomainError("The national first batch stays on the negative list.", "code", status=409)
        if code not in self.items_on(effective_from):
            raise DomainError("No such certificate on the lists.", "code", status=404)
        self.emit(self.ItemDropped, ctx, street=self.street, code=code, effective_from=effective_from, rule=rule)
