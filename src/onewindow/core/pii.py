"""Blind-index kinds for personal data (phone, ID number, client IP): one place so every app
indexes the same way."""

from onewindow.core.crypto import blind_index


def phone_index(phone: str) -> str:
    return blind_index("phone", phone)


def id_number_index(id_number: str) -> str:
    return blind_index("id", id_number)


def ip_index(ip: str) -> str:
    return blind_index("ip", ip)
