"""The unified customer record and what hangs off it."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from guanxi.customers.yearly_days import MonthDay
from guanxi.org.models import Branch


class CustomerKind(models.TextChoices):
    """Whether the customer is a person or an organisation."""

    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation")


class Gender(models.TextChoices):
    """Gender as recorded on the resident ID."""

    MALE = "male", _("Male")
    FEMALE = "female", _("Female")
    UNKNOWN = "", _("Unknown")


class LifecycleStatus(models.TextChoices):
    """Where the customer stands in the relationship lifecycle."""

    SUSPECT = "suspect", _("Suspect")
    PROSPECT = "prospect", _("Prospect")
    NEW = "new", _("New")
    REPEAT = "repeat", _("Repeat")
    LOYAL = "loyal", _("Loyal")
    INACTIVE = "inactive", _("Inactive")
    LOST = "lost", _("Lost")
    WON_BACK = "won_back", _("Won back")


class ValueTier(models.TextChoices):
    """Value tier, written by analytics or set by hand."""

    PLATINUM = "platinum", _("Platinum")
    GOLD = "gold", _("Gold")
    SILVER = "silver", _("Silver")
    STANDARD = "standard", _("Standard")


class SourceChannel(models.TextChoices):
    """How the customer first came to us."""

    BRANCH = "branch", _("Branch counter")
    REFERRAL = "referral", _("Referral")
    ONLINE = "online", _("Online")
    MOBILE_APP = "mobile_app", _("Mobile app")
    PHONE = "phone", _("Phone")
    CAMPAIGN = "campaign", _("Campaign")
    PARTNER = "partner", _("Partner")


class Industry(models.TextChoices):
    """An organisation's line of business: the sections of China's national industry
    classification (GB/T 4754, 国民经济行业分类)."""

    AGRICULTURE = "agriculture", _("Agriculture, forestry, animal husbandry and fishery")
    MINING = "mining", _("Mining")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    UTILITIES = "utilities", _("Electricity, heat, gas and water supply")
    CONSTRUCTION = "construction", _("Construction")
    TRADE = "trade", _("Wholesale and retail trade")
    TRANSPORT = "transport", _("Transport, storage and postal services")
    HOSPITALITY = "hospitality", _("Accommodation and catering")
    INFORMATION = "information", _("Information transmission, software and IT services")
    FINANCE = "finance", _("Finance")
    REAL_ESTATE = "real_estate", _("Real estate")
    BUSINESS_SERVICES = "business_services", _("Leasing and business services")
    RESEARCH = "research", _("Scientific research and technical services")
    ENVIRONMENT = "environment", _("Water conservancy, environment and public facilities")
    RESIDENT_SERVICES = "resident_services", _("Resident, repair and other services")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health and social work")
    CULTURE = "culture", _("Culture, sports and entertainment")
    PUBLIC_ADMINISTRATION = (
        "public_administration",
        _("Public administration, social security and social organisations"),
    )
    INTERNATIONAL = "international", _("International organisations")


class BytewiseCharField(models.CharField):
    """Text compared and sorted byte by byte, as prefix search needs, on every database.

    Search finds a prefix as the range ``prefix <= x < prefix + U+10FFFF``, which is the
    prefix only in code point order. SQLite's default collation (BINARY) is that order;
    PostgreSQL's is the cluster's locale, which differs between clusters (and ignores case
    and punctuation in most), so there the column gets the "C" collation. Django's
    ``db_collation`` cannot say this: it would name "C" on SQLite too, where no collation of
    that name exists.
    """

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class Customer(models.Model):
    """One true record of a customer, shared by every department."""

    kind = models.CharField(
        _("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.INDIVIDUAL
    )
    # Searched by prefix; the other searched columns are only compared for equality, which
    # every collation answers byte by byte.
    name = BytewiseCharField(_("name"), max_length=200)
    name_pinyin = BytewiseCharField(max_length=400, editable=False)
    name_initials = BytewiseCharField(max_length=100, editable=False)
    gender = models.CharField(
        _("gender"), max_length=8, choices=Gender.choices, blank=True, default=""
    )
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    phone_last4 = models.CharField(max_length=4, blank=True, default="", editable=False)
    email = models.CharField(_("email"), max_length=254, blank=True, default="")
    address = models.CharField(_("address"), max_length=300, blank=True, default="")
    occupation = models.CharField(_("industry / occupation"), max_length=100, blank=True)
    external_id = models.CharField(_("external system ID"), max_length=64, blank=True, default="")
    source_channel = models.CharField(
        _("source channel"), max_length=16, choices=SourceChannel.choices, blank=True
    )
    # An organisation's registration (an individual leaves them empty). The code names a
    # company, not a person: it is not masked, and it identifies for search and duplicates.
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, default="")
    legal_representative = models.CharField(
        _("legal representative"), max_length=100, blank=True, default=""
    )
    registered_capital = models.DecimalField(
        _("registered capital"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    industry = models.CharField(
        _("industry"), max_length=32, choices=Industry.choices, blank=True, default=""
    )
    # Neither key has an index of its own: the list indexes below start with them. Every
    # index is one more write per change and one more path the planner weighs per search.
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("branch"),
        db_index=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portfolio",
        verbose_name=_("account manager"),
        db_index=False,
    )
    status = models.CharField(
        _("lifecycle status"),
        max_length=16,
        choices=LifecycleStatus.choices,
        default=LifecycleStatus.PROSPECT,
    )
    value_tier = models.CharField(
        _("value tier"),
        max_length=16,
        choices=ValueTier.choices,
        default=ValueTier.STANDARD,
    )
    tags: models.ManyToManyField = models.ManyToManyField(
        "Tag", blank=True, related_name="customers"
    )
    custom_fields = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Running totals of the customer's transactions, kept in step by the service that books
    # them, so lists and the 360 view never aggregate the transaction history.
    lifetime_revenue = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    transaction_count = models.PositiveIntegerField(default=0)
    first_purchase_at = models.DateTimeField(null=True, blank=True)
    last_purchase_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("customer since"), db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # Not columns: the 360 read sets them from the same statement as the customer.
    branch_name: str
    owner_name: str | None

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            # Name order is (pinyin, id): with the id in the index, a page of a common name's
            # matches is read straight from it, not sorted out of every namesake.
            models.Index(fields=["name_pinyin", "id"], name="customer_pinyin"),
            models.Index(fields=["name_initials"], name="customer_initials"),
            models.Index(fields=["name"], name="customer_name"),
            models.Index(fields=["phone"], name="customer_phone"),
            models.Index(fields=["phone_last4"], name="customer_phone_last4"),
            models.Index(fields=["id_number"], name="customer_id_number"),
            models.Index(fields=["email"], name="customer_email"),
            models.Index(fields=["external_id"], name="customer_external_id"),
            models.Index(fields=["uscc"], name="customer_uscc"),
            models.Index(fields=["owner", "name_pinyin"], name="customer_owner_pinyin"),
            # A portfolio's customers of some tiers (my day's neglected top-tier customers),
            # and its customers' ids: on PostgreSQL, whose indexes do not hold the row's id
            # as SQLite's do, my day read 40,000 table pages for a team's 27,000 ids.
            models.Index(
                fields=["owner", "value_tier"], include=["id"], name="customer_owner_tier"
            ),
            models.Index(fields=["branch", "name_pinyin"], name="customer_branch_pinyin"),
            # A portfolio's birthdays of the day (my day, care reminders), by month and day
            # of birth: the rows of those born on the day, found by equality.
            models.Index(F("owner"), MonthDay("birthday"), name="customer_owner_birthday_day"),
            # A branch's customers counted by owner and tier (process KPIs), index-only.
            models.Index(
                fields=["branch", "owner", "value_tier", "created_at"],
                name="customer_branch_owner",
            ),
            # A branch's customers in one lifecycle status: the branch manager's daily list.
            models.Index(
                fields=["branch", "status", "name_pinyin", "id"],
                name="customer_branch_status_pinyin",
            ),
            models.Index(fields=["status", "name_pinyin"], name="customer_status_pinyin"),
            models.Index(fields=["value_tier", "name_pinyin"], name="customer_tier_pinyin"),
            models.Index(fields=["lifetime_revenue"], name="customer_revenue"),
            models.Index(fields=["last_purchase_at"], name="customer_last_purchase"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person we deal with at an organisation customer."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class LifecycleChange(models.Model):
    """One change of a customer's lifecycle status, with when and why."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="lifecycle_changes"
    )
    from_status = models.CharField(max_length=16, choices=LifecycleStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=LifecycleStatus.choices)
    reason = models.CharField(_("reason"), max_length=300)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        # The moves carried beside the customer and time: the process KPIs count a branch's
        # moves of a period from the index alone (1.0 s -> 0.3 s at a million customers).
        indexes = [
            models.Index(
                fields=["customer", "changed_at", "from_status", "to_status"],
                name="lifecycle_customer_move",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_status} -> {self.to_status}"


class Tag(models.Model):
    """A free label put on customers."""

    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class GroupKind(models.TextChoices):
    """A static list of members, or a saved filter evaluated on each use."""

    STATIC = "static", _("Static list")
    SAVED_FILTER = "saved_filter", _("Saved filter")


class CustomerGroup(models.Model):
    """A named group of customers: a static list or a saved filter."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=GroupKind.choices)
    filter = models.JSONField(_("filter"), default=dict, blank=True)
    members: models.ManyToManyField = models.ManyToManyField(
        Customer, through="GroupMembership", related_name="static_groups", blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")

    def __str__(self) -> str:
        return self.name


class GroupMembership(models.Model):
    """A customer's place in a static group."""

    group = models.ForeignKey(CustomerGroup, on_delete=models.CASCADE)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "customer"], name="group_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.customer_id}"


class CustomFieldType(models.TextChoices):
    """The value type of an administrator-defined field."""

    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    BOOLEAN = "boolean", _("Yes/no")


class CustomFieldDefinition(models.Model):
    """A customer field defined by an administrator, stored in ``Customer.custom_fields``."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=100)
    field_type = models.CharField(_("type"), max_length=16, choices=CustomFieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.label


class ProductKind(models.TextChoices):
    """Families of products a bank or operator sells."""

    DEPOSIT = "deposit", _("Deposit")
    WEALTH = "wealth", _("Wealth product")
    LOAN = "loan", _("Loan")
    CARD = "card", _("Card")
    INSURANCE = "insurance", _("Insurance")
    PLAN = "plan", _("Telecom plan")
    ADDON = "addon", _("Add-on service")
    DEVICE = "device", _("Device")


class Product(models.Model):
    """A product in the catalogue."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=ProductKind.choices)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Holding(models.Model):
    """A product a customer holds: an account opened, a plan subscribed."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="holdings")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="holdings")
    account_number = models.CharField(_("account number"), max_length=40, blank=True)
    opened_at = models.DateField(_("opened"))
    closed_at = models.DateField(_("closed"), null=True, blank=True)
    balance = models.DecimalField(_("balance"), max_digits=16, decimal_places=2, default=0)
    # When a deposit or plan reaches its end (care reminders list what matures soon).
    matures_on = models.DateField(_("matures"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("holding")
        verbose_name_plural = _("holdings")
        indexes = [
            models.Index(fields=["customer", "opened_at"], name="holding_customer"),
            models.Index(
                fields=["matures_on", "customer"],
                name="holding_matures",
                condition=models.Q(matures_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} ({self.account_number})"


class Channel(models.TextChoices):
    """Where a transaction happened."""

    BRANCH = "branch", _("Branch")
    ONLINE = "online", _("Online")
    MOBILE = "mobile", _("Mobile")
    ATM = "atm", _("ATM")
    PHONE = "phone", _("Phone")
    STORE = "store", _("Store")


class Transaction(models.Model):
    """A purchase, fee or payment by a customer (negative amounts are refunds)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="transactions")
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    occurred_at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        # The amount beside the customer and time: the process KPIs sum a branch's revenue
        # of a period from the index alone, not from 20 million wide rows.
        indexes = [
            models.Index(
                fields=["customer", "occurred_at", "amount"], name="transaction_customer_amount"
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.amount}"
