"""The housing services' test scene: the printed demo residents whose fixed records the
exchange returns (``exchange/datasources.py`` DEMO_PROFILES), and what applicants declare on
the form — the opposite of their records, so a test passes only when the records win."""

from __future__ import annotations

LOW_INCOME = "13800000001"  # 陈嘉欣: CNY 2,600 a month per head, no property
TWO_FLATS = "13800000002"  # 李志明: two flats, 186 m²
HIGH_INCOME = "13800000003"  # 黄淑仪: CNY 12,500 a month per head
DIBAO_EDGE = "13800000005"  # 林晓琳: CNY 1,800 a month per head, one 48 m² flat

DECLARED_POOR = {
    "household_size": 3,
    "income_per_capita": 20000,
    "housing_area_per_capita": 5,
    "net_assets": 1,
}
DECLARED_RICH = {
    "household_size": 3,
    "income_per_capita": 200000,
    "housing_area_per_capita": 40,
    "net_assets": 500,
}
# The low-income recognition's form asks for the household's monthly total and assets.
DECLARED_POOR_FAMILY = {"household_size": 3, "monthly_income": 5100, "financial_assets": 0}
DECLARED_RICH_FAMILY = {"household_size": 3, "monthly_income": 60000, "financial_assets": 900000}
